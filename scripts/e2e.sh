#!/usr/bin/env bash
# End-to-end tests of the real desktop app (tests/e2e): builds the window (ui/dist) and the app
# with it embedded, then runs the tests under Xvfb in a D-Bus session of their own, with a
# notification daemon (dunst, its traffic recorded by dbus-monitor), an unlocked gnome-keyring
# as the Secret Service, a tray host (tests/e2e/tray.py owns org.kde.StatusNotifierWatcher) and
# tauri-driver. Everything they leave (screenshots, logs, the app's home folder) is in
# target/e2e/. Set KEEPSAKE_APP to test an app built elsewhere (skips the build).
#
# E2E_SUITE=screens (scripts/e2e-screens.sh) runs only tests/e2e/screens.test.mjs, the window's
# screens (issue 6), in the same kind of session but from a fresh profile with no sources, with
# TZ=UTC so next run times are known, in target/e2e/screens/ and on other ports.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=$ROOT/target/e2e
TESTS=tests/e2e/
if [ "${E2E_SUITE:-}" = screens ]; then
  OUT=$ROOT/target/e2e/screens
  TESTS=tests/e2e/screens.test.mjs
  export TZ=UTC E2E_SCREENS=1 E2E_PORT=${E2E_PORT:-4460}
  unset KEEPSAKE_DEMO
fi
# E2E_SUITE=apps (scripts/e2e-apps.sh) runs only tests/e2e/apps.test.mjs: a fresh profile whose
# home folder has a real Firefox ESR running (tests/apps/app.sh), found and protected in the
# first run, in target/e2e/apps/ and on other ports.
if [ "${E2E_SUITE:-}" = apps ]; then
  OUT=$ROOT/target/e2e/apps
  TESTS=tests/e2e/apps.test.mjs
  export E2E_APPS=1 E2E_PORT=${E2E_PORT:-4470}
  unset KEEPSAKE_DEMO
fi

# E2E_SUITE=firsttime (scripts/e2e-firsttime.sh) runs only tests/e2e/firsttime.test.mjs: a person's
# first ten minutes (issue 26), from a fresh profile on a desktop without a tray, with an app's
# database in the home folder and an "external disk" (a tmpfs of its own, mounted as root).
if [ "${E2E_SUITE:-}" = firsttime ]; then
  OUT=$ROOT/target/e2e/firsttime
  TESTS=tests/e2e/firsttime.test.mjs
  export E2E_FIRSTTIME=1 E2E_NO_TRAY=1 E2E_PORT=${E2E_PORT:-4480}
  unset KEEPSAKE_DEMO
fi

if [ "${1:-}" != "--in-session" ]; then
  if [ -z "${KEEPSAKE_APP:-}" ]; then
    (cd ui && npm run build --silent >/dev/null)
    cargo build -p keepsake-app --features custom-protocol
    export KEEPSAKE_APP=$ROOT/target/debug/keepsake-app
  fi
  # Found now: the session below has its own HOME.
  TAURI_DRIVER=$(command -v tauri-driver || echo "${CARGO_HOME:-$HOME/.cargo}/bin/tauri-driver")
  export TAURI_DRIVER
  # A real S3 server (s3s-fs, installed by setup) for the copies-elsewhere screens.
  E2E_S3S_FS=$(command -v s3s-fs || echo "${CARGO_HOME:-$HOME/.cargo}/bin/s3s-fs")
  export E2E_S3S_FS
  # Azurite (npm, installed by setup) and fake-gcs-server (setup) for Azure and Google Cloud Storage.
  export E2E_AZURITE=$ROOT/node_modules/.bin/azurite-blob
  E2E_FAKE_GCS=$(command -v fake-gcs-server || echo "${CARGO_HOME:-$HOME/.cargo}/bin/fake-gcs-server")
  export E2E_FAKE_GCS
  # A real database made by another program, to look inside: cargo's own cache index (SQLite),
  # which every machine that built the app has. The tests back up a copy, never the file.
  export E2E_THIRD_PARTY_DB=${E2E_THIRD_PARTY_DB:-${CARGO_HOME:-$HOME/.cargo}/.global-cache}
  umount "$OUT/usb" 2>/dev/null || true
  rm -rf "$OUT"
  mkdir -p "$OUT"
  # DISPLAY is set before the bus starts, so D-Bus-activated helpers get it too.
  exec xvfb-run -a -s "-screen 0 1280x800x24 -nolisten tcp" \
    dbus-run-session -- "$0" --in-session
fi

# --- inside Xvfb and the test's own session bus ----------------------------------------------
export E2E_OUT=$OUT
export E2E_PORT=${E2E_PORT:-4444}
# The app's folders (and the keyring's) live in the output folder, never in the real home.
export HOME=$OUT/home
export XDG_CONFIG_HOME=$HOME/.config XDG_DATA_HOME=$HOME/.local/share XDG_CACHE_HOME=$HOME/.cache
export XDG_RUNTIME_DIR=$OUT/runtime
mkdir -p "$XDG_CONFIG_HOME" "$XDG_DATA_HOME" "$XDG_CACHE_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
export KEEPSAKE_LOG=${KEEPSAKE_LOG:-info}
# The system's Python: python3-dbus and python3-gi are Debian packages (a pyenv or venv python
# earlier on PATH would not have them).
export E2E_PYTHON=${E2E_PYTHON:-/usr/bin/python3}
# Stdout and stderr of the tools go to logs; the session bus's own chatter too.
exec 3>&2 2>>"$OUT/session.log"

pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  # An app left running in the background (firsttime closes its window and checks it goes on).
  pkill -f "^$KEEPSAKE_APP" 2>/dev/null || true
  wait 2>/dev/null || true
  if [ -n "${E2E_USB:-}" ]; then umount "$E2E_USB" 2>/dev/null || true; fi
}
trap cleanup EXIT

has_owner() {
  dbus-send --session --dest=org.freedesktop.DBus --print-reply /org/freedesktop/DBus \
    org.freedesktop.DBus.NameHasOwner "string:$1" 2>/dev/null | grep -q 'boolean true'
}
wait_for() { # what, command...
  local what=$1
  shift
  for _ in $(seq 1 100); do
    "$@" && return 0
    sleep 0.1
  done
  echo "e2e: $what did not come up" >&3
  return 1
}

# A real Secret Service, unlocked with a password on stdin.
printf 'e2e-keyring-password' | gnome-keyring-daemon --unlock --components=secrets >"$OUT/keyring.env"
wait_for "gnome-keyring" has_owner org.freedesktop.secrets

dunst >"$OUT/dunst.log" 2>&1 &
pids+=($!)
wait_for "dunst" has_owner org.freedesktop.Notifications
dbus-monitor --session "type='method_call',interface='org.freedesktop.Notifications',member='Notify'" \
  >"$OUT/notifications.log" 2>&1 &
pids+=($!)

if [ -z "${E2E_NO_TRAY:-}" ]; then
  "$E2E_PYTHON" tests/e2e/tray.py watch "$OUT/tray-items" >"$OUT/tray.log" 2>&1 &
  pids+=($!)
  wait_for "the tray watcher" has_owner org.kde.StatusNotifierWatcher
fi

if [ -n "${E2E_FIRSTTIME:-}" ]; then
  # An external disk: a file system of its own (not the one the home folder is on).
  if [ "$(id -u)" -ne 0 ]; then
    echo "e2e: the firsttime suite mounts a tmpfs as its external disk and needs root" >&3
    exit 1
  fi
  export E2E_USB=$OUT/usb
  mkdir -p "$E2E_USB"
  mount -t tmpfs -o size=64m,mode=0755 keepsake-e2e-usb "$E2E_USB"
  # The app she uses: Anki, with its collection in its usual place.
  mkdir -p "$XDG_DATA_HOME/Anki2/User 1"
  "$E2E_PYTHON" -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.executescript("CREATE TABLE cards(id INTEGER PRIMARY KEY, front TEXT, back TEXT); INSERT INTO cards(front, back) VALUES (\"hola\", \"hello\"), (\"gracias\", \"thank you\");"); c.commit()' "$XDG_DATA_HOME/Anki2/User 1/collection.anki2"
fi

"$TAURI_DRIVER" --port "$E2E_PORT" --native-port $((E2E_PORT + 1)) >"$OUT/driver.log" 2>&1 &
pids+=($!)
listening() { (exec 9<>"/dev/tcp/127.0.0.1/$E2E_PORT") 2>/dev/null; }
wait_for "tauri-driver" listening

node --test --test-concurrency=1 "$TESTS" >&3 2>&3
