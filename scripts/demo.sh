#!/usr/bin/env bash
# `make run` until the desktop app lands: a demo database and the CLI over it.
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${1:-target/demo}
BIN=target/release/keepsake
mkdir -p "$DIR"
[ -f "$DIR/astrology.db" ] || target/release/keepsake-bench generate "$DIR/astrology.db" 16 >/dev/null
export BACKUP_ENCRYPTION_PASSWORD=${BACKUP_ENCRYPTION_PASSWORD:-demo-password}
K=("$BIN" --db "$DIR/astrology.db" --backup-dir "$DIR/backups")
set -x
"${K[@]}" create --description "make run demo" --tags demo --verify
"${K[@]}" list --limit 5
"${K[@]}" stats
