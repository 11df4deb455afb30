#!/usr/bin/env bash
# Installs what building and testing Keepsake needs on Debian/Ubuntu, and nothing when it is
# already there (so `make test` and `make run` stay quick on a machine that is set up).
set -euo pipefail

# Debian packages: gzip and python3-cryptography for the format tests (the reference reader),
# sqlite3, pigz and openssl for the benchmark's baseline pipeline, time for its peak RSS.
APT_PACKAGES=(gzip python3 python3-cryptography sqlite3 pigz openssl time)

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
