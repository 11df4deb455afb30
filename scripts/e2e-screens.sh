#!/usr/bin/env bash
# End-to-end tests of the window's screens on the real app (tests/e2e/screens.test.mjs, issue 6):
# first run, back up now, verify, restore and undo, a schedule edit, a wrong password, and a
# screenshot of every screen. The same session as scripts/e2e.sh (Xvfb, its own D-Bus session,
# dunst, an unlocked gnome-keyring, the tray watcher, tauri-driver), but a fresh profile with no
# sources, TZ=UTC (so the next run times are known), and only this test file. Everything it leaves
# (screenshots, logs, the app's home folder) is in target/e2e/screens/. Set KEEPSAKE_APP to test an
# app built elsewhere (skips the build); E2E_PORT (default 4460) to use other ports.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=$ROOT/target/e2e/screens

if [ "${1:-}" != "--in-session" ]; then
  if [ -z "${KEEPSAKE_APP:-}" ]; then
    (cd ui && npm run build --silent >/dev/null)
    cargo build -p keepsake-app --features custom-protocol
    export KEEPSAKE_APP=$ROOT/target/debug/keepsake-app
  fi
  TAURI_DRIVER=$(command -v tauri-driver || echo "${CARGO_HOME:-$HOME/.cargo}/bin/tauri-driver")
  export TAURI_DRIVER
  rm -rf "$OUT"
  mkdir -p "$OUT"
  exec xvfb-run -a -s "-screen 0 1280x800x24 -nolisten tcp" \
    dbus-run-session -- "$0" --in-session
fi

# --- inside Xvfb and the test's own session bus ----------------------------------------------
export E2E_OUT=$OUT
export E2E_PORT=${E2E_PORT:-4460}
export TZ=UTC E2E_SCREENS=1
unset KEEPSAKE_DEMO
export HOME=$OUT/home
export XDG_CONFIG_HOME=$HOME/.config XDG_DATA_HOME=$HOME/.local/share XDG_CACHE_HOME=$HOME/.cache
export XDG_RUNTIME_DIR=$OUT/runtime
mkdir -p "$XDG_CONFIG_HOME" "$XDG_DATA_HOME" "$XDG_CACHE_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
export KEEPSAKE_LOG=${KEEPSAKE_LOG:-info}
export E2E_PYTHON=${E2E_PYTHON:-/usr/bin/python3}
exec 3>&2 2>>"$OUT/session.log"

pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
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

printf 'e2e-keyring-password' | gnome-keyring-daemon --unlock --components=secrets >"$OUT/keyring.env"
wait_for "gnome-keyring" has_owner org.freedesktop.secrets

dunst >"$OUT/dunst.log" 2>&1 &
pids+=($!)
wait_for "dunst" has_owner org.freedesktop.Notifications

"$E2E_PYTHON" tests/e2e/tray.py watch "$OUT/tray-items" >"$OUT/tray.log" 2>&1 &
pids+=($!)
wait_for "the tray watcher" has_owner org.kde.StatusNotifierWatcher

"$TAURI_DRIVER" --port "$E2E_PORT" --native-port $((E2E_PORT + 1)) >"$OUT/driver.log" 2>&1 &
pids+=($!)
listening() { (exec 9<>"/dev/tcp/127.0.0.1/$E2E_PORT") 2>/dev/null; }
wait_for "tauri-driver" listening

node --test --test-concurrency=1 tests/e2e/screens.test.mjs >&3 2>&3
