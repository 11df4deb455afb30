#!/usr/bin/env bash
# `make bench`: Keepsake against what a user would script instead, in the same run.
#   baseline backup:  sqlite3 .backup, then pigz -6 -p 2 | openssl enc -aes-256-ctr -pbkdf2
#                     -iter 600000, then sha256sum
#   baseline reverse: sha256sum, openssl enc -d, pigz -d, then PRAGMA integrity_check
# Keepsake runs through the real CLI, encrypted and compressed at the default level; restore
# includes its verification (integrity_check) and writes to a new path.
# Sizes in MB: BENCH_SIZES (default "16 1024"). Results: target/bench/results.md.
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES=${BENCH_SIZES:-"16 1024"}
W=target/bench
BIN=target/release/keepsake
GEN=target/release/keepsake-bench
mkdir -p "$W"
export BACKUP_ENCRYPTION_PASSWORD="bench password, not a secret"
export NO_COLOR=1

measure() { # measure NAME CMD... -> sets SECS, RSS_MB
  /usr/bin/time -f "%e %M" -o "$W/time.txt" "$@" >"$W/out.txt" 2>"$W/err.txt" || { cat "$W/err.txt" >&2; exit 1; }
  read -r SECS RSS_KB <"$W/time.txt"
  RSS_MB=$(awk "BEGIN{printf \"%.1f\", $RSS_KB/1024}")
}

ratio() { awk "BEGIN{printf \"%.2fx\", $1/$2}"; }
mbps() { awk "BEGIN{ if ($2 > 0) printf \"%.0f\", $1/1048576/$2; else print \"-\" }"; }

RESULTS="$W/results.md"
{
  echo "# make bench, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores"
  echo
  echo "| DB | operation | Keepsake s | MB/s | output | peak RSS | baseline s | baseline output | baseline RSS | speed-up |"
  echo "|---|---|---|---|---|---|---|---|---|---|"
} >"$RESULTS"

for mb in $SIZES; do
  db="$W/astro-$mb.db"
  [ -f "$db" ] || "$GEN" generate "$db" "$mb" >/dev/null
  bytes=$(stat -c %s "$db")
  cat "$db" >/dev/null # same warm page cache for both contestants

  # Keepsake
  ks="$W/ks-$mb"; rm -rf "$ks" "$W/ks-restored-$mb.db"
  measure "$BIN" --json --db "$db" --backup-dir "$ks" create --encrypt --compress
  ks_backup_s=$SECS; ks_backup_rss=$RSS_MB
  id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$W/out.txt")
  ks_size=$(stat -c %s "$ks"/"$id".*)
  measure "$BIN" --json --db "$db" --backup-dir "$ks" verify "$id"
  ks_verify_s=$SECS; ks_verify_rss=$RSS_MB
  measure "$BIN" --json --db "$db" --backup-dir "$ks" restore "$id" --to "$W/ks-restored-$mb.db" --yes --no-safety-backup
  ks_restore_s=$SECS; ks_restore_rss=$RSS_MB

  # Baseline
  rm -f "$W/base-snap.db" "$W/base.enc" "$W/base-restored.db"
  measure sh -c "sqlite3 '$db' '.backup $W/base-snap.db' && pigz -6 -p 2 <'$W/base-snap.db' | openssl enc -aes-256-ctr -pbkdf2 -iter 600000 -pass env:BACKUP_ENCRYPTION_PASSWORD >'$W/base.enc' && sha256sum '$W/base.enc'"
  base_backup_s=$SECS; base_backup_rss=$RSS_MB
  base_size=$(stat -c %s "$W/base.enc")
  measure sh -c "sha256sum '$W/base.enc' && openssl enc -d -aes-256-ctr -pbkdf2 -iter 600000 -pass env:BACKUP_ENCRYPTION_PASSWORD <'$W/base.enc' | pigz -d >'$W/base-restored.db' && sqlite3 '$W/base-restored.db' 'PRAGMA integrity_check'"
  base_reverse_s=$SECS; base_reverse_rss=$RSS_MB
  rm -f "$W/base-snap.db" "$W/base-restored.db" "$W/ks-restored-$mb.db"

  {
    echo "| $mb MB | backup | $ks_backup_s | $(mbps "$bytes" "$ks_backup_s") | $((ks_size / 1048576)) MB ($ks_size) | $ks_backup_rss MB | $base_backup_s | $((base_size / 1048576)) MB ($base_size) | $base_backup_rss MB | $(ratio "$base_backup_s" "$ks_backup_s") |"
    echo "| $mb MB | verify | $ks_verify_s | $(mbps "$bytes" "$ks_verify_s") | | $ks_verify_rss MB | $base_reverse_s | | $base_reverse_rss MB | $(ratio "$base_reverse_s" "$ks_verify_s") |"
    echo "| $mb MB | restore | $ks_restore_s | $(mbps "$bytes" "$ks_restore_s") | | $ks_restore_rss MB | $base_reverse_s | | $base_reverse_rss MB | $(ratio "$base_reverse_s" "$ks_restore_s") |"
  } >>"$RESULTS"
done
echo >>"$RESULTS"
echo "Speed-up = baseline seconds / Keepsake seconds (same run, same machine, warm page cache)." >>"$RESULTS"
cat "$RESULTS"
