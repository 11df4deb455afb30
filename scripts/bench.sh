#!/usr/bin/env bash
# `make bench`: Keepsake against what a user would script instead, in the same run.
#   baseline backup:  sqlite3 .backup, then pigz -6 -p 2 | openssl enc -aes-256-ctr -pbkdf2
#                     -iter 600000, then sha256sum
#   baseline reverse: sha256sum, openssl enc -d, pigz -d, then PRAGMA integrity_check
# Keepsake runs through the real CLI, encrypted and compressed at the default level; restore
# includes its verification (integrity_check) and writes to a new path.
# Sizes in MB: BENCH_SIZES (default "16 1024"). Results: target/bench/results.md. On the largest
# size, the soundness check every backup runs (`keepsake-bench check`), timed alone, as a share of
# the full backup's time.
#
# Then incremental backups on the largest size (BENCH_INC_MB, default the largest of
# BENCH_SIZES): 1 % of the rows changed at random (scattered) and then the newest 1 % (recent),
# each followed by an increment, with restic (Debian's package) backing up the same file at the
# same points into its own repository; then a chain of 1 full + 10 increments restored against
# restoring the full backup alone.
#
# Copies elsewhere: the largest size's backup to a local S3 server against rclone; and a 300 MiB
# incompressible backup (BENCH_DAV_MB) copied to a local WebDAV server (rclone serve webdav)
# against the same backup copied to a folder, peak RSS of each (a WebDAV copy must stay under
# 100 MB whatever the size). KEEPSAKE_BIN: another keepsake binary (default the release one).
set -euo pipefail
cd "$(dirname "$0")/.."
# Only the benchmark needs restic.
if ! command -v restic >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends restic >/dev/null
fi

SIZES=${BENCH_SIZES:-"16 1024"}
LARGEST=$(echo $SIZES | tr ' ' '\n' | sort -n | tail -1)
W=target/bench
BIN=${KEEPSAKE_BIN:-target/release/keepsake}
GEN=target/release/keepsake-bench
mkdir -p "$W"
export BACKUP_ENCRYPTION_PASSWORD="bench password, not a secret"
export NO_COLOR=1
# This run's own installation records (catalog, manifests), not the user's.
export KEEPSAKE_STATE_DIR="$W/state"
rm -rf "$KEEPSAKE_STATE_DIR"

measure() { # measure NAME CMD... -> sets SECS, RSS_MB
  /usr/bin/time -f "%e %M" -o "$W/time.txt" "$@" >"$W/out.txt" 2>"$W/err.txt" || { cat "$W/err.txt" >&2; exit 1; }
  read -r SECS RSS_KB <"$W/time.txt"
  RSS_MB=$(awk "BEGIN{printf \"%.1f\", $RSS_KB/1024}")
}

copy_section() {
  local mb=${SIZES##* } s3root="$W/s3" port pid id file secret="bench-secret-key-0123456789"
  local srcfile="$W/copy-sources.toml"
  S3S=$(command -v s3s-fs || echo "${CARGO_HOME:-$HOME/.cargo}/bin/s3s-fs")
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  rm -rf "$s3root"; mkdir -p "$s3root/bench-bucket"
  env -u AWS_CA_BUNDLE "$S3S" --host 127.0.0.1 --port "$port" --access-key bench-access --secret-key "$secret" "$s3root" >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
  printf '[[destination]]\nname = "s3"\nkind = "s3"\nendpoint = "http://127.0.0.1:%s"\nbucket = "bench-bucket"\nprefix = "keepsake"\naccess_key_id = "bench-access"\npath_style = true\n' "$port" >"$srcfile"
  local ks="$W/ks-copysrc" db="$W/astro-$mb.db"
  rm -rf "$ks" "$W/ks-copyload"
  [ -f "$db" ] || "$GEN" generate "$db" "$mb" >/dev/null
  # The backup to copy, made now (so it is this run's own): also the "alone" timing.
  measure "$BIN" --json --db "$db" --backup-dir "$ks" create --encrypt --compress --full
  local alone_s=$SECS
  id=$("$BIN" --json --backup-dir "$ks" list | python3 -c 'import json,sys; print(json.load(sys.stdin)["backups"][0]["id"])')
  file=$(ls "$ks"/"$id".*)
  local size; size=$(stat -c %s "$file")
  sync
  measure env KEEPSAKE_DEST_SECRET_S3="$secret" "$BIN" --sources "$srcfile" --backup-dir "$ks" copy "$id" --to s3
  local ks_s=$SECS ks_rss=$RSS_MB
  measure env -u AWS_CA_BUNDLE RCLONE_CONFIG_S_TYPE=s3 RCLONE_CONFIG_S_PROVIDER=Other RCLONE_CONFIG_S_ACCESS_KEY_ID=bench-access \
    RCLONE_CONFIG_S_SECRET_ACCESS_KEY="$secret" RCLONE_CONFIG_S_ENDPOINT="http://127.0.0.1:$port" \
    RCLONE_CONFIG_S_FORCE_PATH_STYLE=true rclone --config /dev/null copy "$file" s:bench-bucket/rclone/
  local rc_s=$SECS rc_rss=$RSS_MB
  # A local backup while a copy of the same size (to another prefix) runs.
  printf '[[destination]]\nname = "s3b"\nkind = "s3"\nendpoint = "http://127.0.0.1:%s"\nbucket = "bench-bucket"\nprefix = "during"\naccess_key_id = "bench-access"\npath_style = true\n' "$port" >>"$srcfile"
  KEEPSAKE_DEST_SECRET_S3B="$secret" "$BIN" --sources "$srcfile" --backup-dir "$ks" copy "$id" --to s3b >/dev/null 2>&1 &
  local copier=$!
  measure "$BIN" --json --db "$db" --backup-dir "$W/ks-copyload" create --encrypt --compress --full
  local during_s=$SECS
  wait "$copier" || true
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  rm -rf "$s3root" "$W/ks-copyload" "$ks"
  {
    echo
    echo "| copy of the $mb MB database's backup ($((size / 1048576)) MB) to a local S3 server | seconds | MB/s | peak RSS |"
    echo "|---|---|---|---|"
    echo "| keepsake copy (checked against its record) | $ks_s | $(mbps "$size" "$ks_s") | $ks_rss MB |"
    echo "| rclone copy (anchor) | $rc_s | $(mbps "$size" "$rc_s") | $rc_rss MB |"
    echo "| Keepsake / rclone speed | $(ratio "$rc_s" "$ks_s") | | |"
    echo
    echo "| local backup of the $mb MB database | seconds |"
    echo "|---|---|"
    echo "| alone | $alone_s |"
    echo "| while a copy runs | $during_s ($(ratio "$during_s" "$alone_s") of alone) |"
  } >>"$RESULTS"
}

# A backup nothing compresses (random blobs, encrypted) copied to a WebDAV server and to a folder:
# peak memory of each. A WebDAV upload is staged in a private temp file and sent from it.
dav_section() {
  local mb=${BENCH_DAV_MB:-300} root="$W/dav" port pid id file pass="bench webdav password"
  local srcfile="$W/dav-sources.toml" ks="$W/ks-dav" db="$W/random-${BENCH_DAV_MB:-300}.db"
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  rm -rf "$root" "$ks" "$W/copy-folder"; mkdir -p "$root" "$W/copy-folder"
  rclone serve webdav "$root" --addr "127.0.0.1:$port" --user bench --pass "$pass" --config /dev/null >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
  printf '[[destination]]\nname = "dav"\nkind = "webdav"\nendpoint = "http://127.0.0.1:%s"\nprefix = "keepsake"\nuser = "bench"\n\n[[destination]]\nname = "folder"\nkind = "folder"\npath = "%s"\n' \
    "$port" "$PWD/$W/copy-folder" >"$srcfile"
  [ -f "$db" ] || python3 - "$db" "$mb" <<'EOF'
import os, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("CREATE TABLE noise (id INTEGER PRIMARY KEY, bytes BLOB)")
for _ in range(int(sys.argv[2]) * 16):
    db.execute("INSERT INTO noise (bytes) VALUES (?)", (os.urandom(65536),))
db.commit()
EOF
  "$BIN" --json --db "$db" --backup-dir "$ks" create --encrypt --compress --full >/dev/null
  id=$("$BIN" --json --backup-dir "$ks" list | python3 -c 'import json,sys; print(json.load(sys.stdin)["backups"][0]["id"])')
  file=$(ls "$ks"/"$id".*)
  local size; size=$(stat -c %s "$file")
  sync
  measure "$BIN" --sources "$srcfile" --backup-dir "$ks" copy "$id" --to folder
  local folder_s=$SECS folder_rss=$RSS_MB
  measure env KEEPSAKE_DEST_SECRET_DAV="$pass" "$BIN" --sources "$srcfile" --backup-dir "$ks" copy "$id" --to dav
  local dav_s=$SECS dav_rss=$RSS_MB
  local landed; landed=$(stat -c %s "$root/keepsake/$(basename "$file")")
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  rm -rf "$root" "$ks" "$W/copy-folder"
  [ "$landed" = "$size" ] || { echo "the WebDAV copy is $landed bytes, not $size" >&2; exit 1; }
  {
    echo
    echo "| copy of a $((size / 1048576)) MB backup nothing compresses | seconds | MB/s | peak RSS |"
    echo "|---|---|---|---|"
    echo "| to a folder | $folder_s | $(mbps "$size" "$folder_s") | $folder_rss MB |"
    echo "| to a local WebDAV server (rclone serve webdav) | $dav_s | $(mbps "$size" "$dav_s") | $dav_rss MB |"
  } >>"$RESULTS"
  awk "BEGIN{exit !($dav_rss < 100)}" || { echo "a WebDAV copy held $dav_rss MB (the bound is 100 MB)" >&2; exit 1; }
}

ratio() { awk "BEGIN{printf \"%.2fx\", $1/$2}"; }
mbps() { awk "BEGIN{ if ($2 > 0) printf \"%.0f\", $1/1048576/$2; else print \"-\" }"; }

RESULTS="$W/results.md"
# --- At scale ------------------------------------------------------------------------------
# A folder of 10,000 backups of 50 databases plus 1,000 files nobody recorded (kept in
# target/bench/scale between runs: making it takes a few minutes once): opening History, the
# window's state refresh, and a scheduled run's overhead against the same run in an empty folder.
scale_section() {
  {
    echo
    echo "## At scale (keepsake-bench scale)"
    echo
    echo '```'
    "$GEN" scale "$W/scale" "${BENCH_SCALE_BACKUPS:-10000}" "${BENCH_SCALE_FOREIGN:-1000}" 50
    echo '```'
  } >>"$RESULTS"
}

# BENCH_ONLY_SCALE=1: only the at-scale part.
if [ "${BENCH_ONLY_SCALE:-0}" = 1 ]; then
  echo "# make bench (at scale only), $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores" >"$RESULTS"
  scale_section
  cat "$RESULTS"
  exit 0
fi

# BENCH_ONLY_COPY=1: only the copies-elsewhere part, on the backups of an earlier run.
if [ "${BENCH_ONLY_COPY:-0}" = 1 ]; then
  echo "# make bench (copies elsewhere only), $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores" >"$RESULTS"
  [ "${BENCH_S3:-1}" = 0 ] || copy_section
  dav_section
  cat "$RESULTS"
  exit 0
fi
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
  measure "$BIN" --json --db "$db" --backup-dir "$ks" create --encrypt --compress --full
  ks_backup_s=$SECS; ks_backup_rss=$RSS_MB
  id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$W/out.txt")
  if [ "$mb" = "$LARGEST" ]; then
    # The soundness check every backup runs on its snapshot (alongside the compression), alone,
    # by the engine's own function, against the full backup just measured.
    read -r check_word check_s < <("$GEN" check "$db")
    [ "$check_word" = sound ] || { echo "the bench database is $check_word" >&2; exit 1; }
    check_backup_s=$ks_backup_s
  fi
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
echo "Knowing each backup's soundness (\`PRAGMA quick_check\` of its snapshot, run alongside the compression): $check_s s alone on the $LARGEST MB database, $(awk "BEGIN{printf \"%.1f %%\", 100*$check_s/$check_backup_s}") of its full backup's $check_backup_s s." >>"$RESULTS"

# --- Incremental backups ---------------------------------------------------------------------
INC_MB=${BENCH_INC_MB:-$(echo $SIZES | tr ' ' '\n' | sort -n | tail -1)}
src="$W/astro-$INC_MB.db"
inc="$W/inc-$INC_MB.db"
ks="$W/ks-inc-$INC_MB"
repo="$W/restic-$INC_MB"
rm -rf "$inc" "$ks" "$repo" "$W"/inc-restored-*.db
cp "$src" "$inc"
export RESTIC_PASSWORD="$BACKUP_ENCRYPTION_PASSWORD"
restic init -q -r "$repo" >/dev/null
size_of() { stat -c %s "$ks"/"$1".*; }
repo_bytes() { du -sb "$repo" | cut -f1; }
newest_id() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$W/out.txt"; }
backup_both() { # -> KS_S KS_BYTES KS_RSS KS_ID RESTIC_S RESTIC_BYTES RESTIC_RSS
  sync
  measure "$BIN" --json --db "$inc" --backup-dir "$ks" create --encrypt --compress --incremental
  KS_S=$SECS; KS_RSS=$RSS_MB; KS_ID=$(newest_id); KS_BYTES=$(size_of "$KS_ID")
  local before; before=$(repo_bytes)
  measure restic -q -r "$repo" backup "$inc"
  RESTIC_S=$SECS; RESTIC_RSS=$RSS_MB; RESTIC_BYTES=$(( $(repo_bytes) - before ))
}
pct() { awk "BEGIN{printf \"%.1f %%\", 100*$1/$2}"; }

backup_both
full_s=$KS_S; full_bytes=$KS_BYTES; full_rss=$KS_RSS; full_id=$KS_ID; restic_full=$RESTIC_BYTES; restic_full_s=$RESTIC_S
{
  echo
  echo "## Incremental backups, $INC_MB MB database, encrypted + compressed"
  echo
  echo "| case | Keepsake s | Keepsake stored | share of its full | peak RSS | restic s | restic stored | restic share of its full |"
  echo "|---|---|---|---|---|---|---|---|"
  echo "| full backup | $full_s | $full_bytes | 100 % | $full_rss MB | $restic_full_s | $restic_full | 100 % |"
} >>"$RESULTS"
# The first edits after generation are their own row: the generator writes the full-text index
# in bulk and leaves it in more segments (25 at 1 GB) than FTS5's default crisis-merge limit
# (16), so the first write after it merges the whole index into new pages, once (about a
# quarter of the file's pages change). A database in use is past that point; the two cases
# after it are what a round of edits to such a database changes.
for step in "first scattered 1" "scattered scattered 7" "recent recent 7"; do
  set -- $step; label=$1 mode=$2 seed=$3
  changed=$(python3 scripts/bench_change.py "$inc" "$mode" "$seed")
  case $label in
    first) what="first edits after generation: 1 % of rows ($changed) changed, scattered" ;;
    *) what="1 % of rows ($changed) changed, $mode" ;;
  esac
  backup_both
  echo "| $what | $KS_S ($(pct "$KS_S" "$full_s") of the full's time) | $KS_BYTES | $(pct "$KS_BYTES" "$full_bytes") | $KS_RSS MB | $RESTIC_S | $RESTIC_BYTES | $(pct "$RESTIC_BYTES" "$restic_full") |" >>"$RESULTS"
done

# A chain of 1 full + 10 increments (small recent changes), restored; against the full alone.
measure "$BIN" --json --db "$inc" --backup-dir "$ks" create --encrypt --compress --full
chain_full=$(newest_id)
for i in $(seq 1 10); do
  python3 scripts/bench_change.py "$inc" recent "$i" 0.1 >/dev/null
  measure "$BIN" --json --db "$inc" --backup-dir "$ks" create --encrypt --compress --incremental
done
chain_newest=$(newest_id)
sync
measure "$BIN" --json --db "$inc" --backup-dir "$ks" restore "$chain_full" --to "$W/inc-restored-full.db" --yes --no-safety-backup
restore_full_s=$SECS; restore_full_rss=$RSS_MB
measure "$BIN" --json --db "$inc" --backup-dir "$ks" restore "$chain_newest" --to "$W/inc-restored-chain.db" --yes --no-safety-backup
restore_chain_s=$SECS; restore_chain_rss=$RSS_MB
{
  echo
  echo "| restore | seconds | peak RSS |"
  echo "|---|---|---|"
  echo "| the full backup | $restore_full_s | $restore_full_rss MB |"
  echo "| the newest point of 1 full + 10 increments | $restore_chain_s ($(ratio "$restore_chain_s" "$restore_full_s") the full's) | $restore_chain_rss MB |"
} >>"$RESULTS"
rm -f "$W"/inc-restored-*.db

# --- Copies elsewhere -------------------------------------------------------------------------
# The largest size's full backup copied to a local S3 server (s3s-fs, as in the tests) by
# `keepsake copy`, and the same file by `rclone copy` (Debian's rclone) to the same server; then
# a local backup timed alone and while a copy of the same size runs in the background.
BENCH_COPY=${BENCH_COPY:-1}
if [ "$BENCH_COPY" = 1 ]; then
  copy_section
  dav_section
fi
[ "${BENCH_SCALE:-1}" = 0 ] || scale_section

cat "$RESULTS"
# `keepsake find` over a generated home of 200,000 files against find | xargs head -c 16 (BENCH_FIND=0 skips it).
[ "${BENCH_FIND:-1}" = 0 ] || scripts/bench_find.sh
