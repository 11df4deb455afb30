#!/usr/bin/env bash
# Checks the .deb that `make package` built, as the machine it is installed on would see it:
# unpacked into a throwaway root (dpkg-deb -x), its files, sizes, stripped binaries, maintainer
# and systemd unit are checked; then the unpacked app is started under Xvfb (fresh profile, own
# D-Bus session) to its first screen (target/check-package/first-screen.png), and its memory is
# measured: with the window open after 20 s idle, and started in the tray (--hidden, as at
# login). Memory is summed over the app and its WebKit processes as the proportional set size
# (PSS: a page shared by several processes counted once) and, checked against the limits, its
# anonymous part: the memory the app itself holds. The rest of PSS is pages of the binary and of
# shared libraries (WebKitGTK, GTK) mapped from the page cache, which the kernel shares and
# drops as it needs. RSS is printed too.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=$ROOT/target/check-package
DEB=$(ls -t target/dist/bundle/deb/*.deb 2>/dev/null | head -1 || true)
[ -n "$DEB" ] || { echo "check-package: no .deb in target/dist/bundle/deb (make package)" >&2; exit 1; }

if [ "${1:-}" != "--in-session" ]; then
  rm -rf "$OUT"
  mkdir -p "$OUT/root"
  dpkg-deb -x "$DEB" "$OUT/root"
  R=$OUT/root
  fail() { echo "check-package: $*" >&2; exit 1; }
  echo "package: $DEB ($(du -h "$DEB" | cut -f1))"
  for f in usr/bin/keepsake-app usr/bin/keepsake usr/lib/systemd/user/keepsake.service; do
    [ -f "$R/$f" ] || fail "/$f is missing"
  done
  ls "$R"/usr/share/applications/*.desktop >/dev/null 2>&1 || fail "no .desktop file"
  file -b "$R/usr/bin/keepsake-app" | grep -q ', stripped' || fail "/usr/bin/keepsake-app is not stripped: $(file -b "$R/usr/bin/keepsake-app")"
  # One binary for both: the command is a link to the app's binary (scripts/package.sh).
  [ "$(readlink "$R/usr/bin/keepsake")" = keepsake-app ] || fail "/usr/bin/keepsake is not a link to keepsake-app: $(file -b "$R/usr/bin/keepsake")"
  installed_kb=$(dpkg-deb -f "$DEB" Installed-Size)
  counted_kb=$(du -sk --apparent-size "$R" | cut -f1)
  echo "installed size: $installed_kb KiB (files: $counted_kb KiB); /usr/bin/keepsake-app $(du -k "$R/usr/bin/keepsake-app" | cut -f1) KiB, /usr/bin/keepsake -> $(readlink "$R/usr/bin/keepsake")"
  [ $((installed_kb - counted_kb)) -le 64 ] && [ $((counted_kb - installed_kb)) -le 64 ] || fail "Installed-Size $installed_kb KiB is not what the package holds ($counted_kb KiB)"
  [ "$installed_kb" -lt 25600 ] || fail "installed size $installed_kb KiB is over 25 MiB"
  maintainer=$(dpkg-deb -f "$DEB" Maintainer)
  echo "maintainer: $maintainer"
  echo "$maintainer" | grep -Eq '^[^<]+ <[^<>@ ]+@[^<> ]+>$' || fail "the maintainer has no contact: '$maintainer'"
  grep -qx 'ExecStart=/usr/bin/keepsake daemon' "$R/usr/lib/systemd/user/keepsake.service" || fail "the unit does not run keepsake daemon"
  for section in '\[Unit\]' '\[Service\]' '\[Install\]' 'WantedBy=default.target'; do
    grep -q "^$section" "$R/usr/lib/systemd/user/keepsake.service" || fail "the unit has no $section"
  done
  "$R/usr/bin/keepsake" --version | grep -q '^keepsake ' || fail "the keepsake command does not run"
  # The command through the link is the whole CLI, with no display: a backup and its verification.
  ck=$OUT/command
  mkdir -p "$ck"
  python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('create table t(x)'); c.executemany('insert into t values (?)', [(i,) for i in range(1000)]); c.commit()" "$ck/demo.db"
  env -u DISPLAY -u WAYLAND_DISPLAY HOME="$ck" XDG_CONFIG_HOME="$ck/config" XDG_DATA_HOME="$ck/data" "$R/usr/bin/keepsake" --db "$ck/demo.db" --backup-dir "$ck/backups" create --no-encrypt --verify >"$ck/create.log" 2>&1 \
    || fail "keepsake create through the link failed: $(tail -3 "$ck/create.log")"
  ls "$ck/backups" | grep -q . || fail "keepsake create through the link wrote no backup"
  exec xvfb-run -a -s "-screen 0 1280x800x24 -nolisten tcp" dbus-run-session -- "$0" --in-session
fi

# --- inside Xvfb and a D-Bus session of its own ---------------------------------------------------
R=$OUT/root
export HOME=$OUT/home XDG_RUNTIME_DIR=$OUT/runtime
export XDG_CONFIG_HOME=$HOME/.config XDG_DATA_HOME=$HOME/.local/share XDG_CACHE_HOME=$HOME/.cache
mkdir -p "$XDG_CONFIG_HOME" "$XDG_DATA_HOME" "$XDG_CACHE_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
fail() { echo "check-package: $*" >&2; kill "${app:-0}" 2>/dev/null || true; exit 1; }

# The process and every process under it.
tree() { local p=$1; echo "$p"; for c in $(pgrep -P "$p" || true); do tree "$c"; done; }
# "PSS anonymous-PSS RSS" in MiB, summed over the app's process tree. Anonymous memory is what
# the app itself holds; the rest of PSS is mapped library and binary pages (page cache).
memory() {
  local pss=0 anon=0 rss=0 p
  for p in $(tree "$1"); do
    [ -r "/proc/$p/smaps_rollup" ] || continue
    pss=$((pss + $(awk '/^Pss:/ {print $2}' "/proc/$p/smaps_rollup")))
    anon=$((anon + $(awk '/^Pss_Anon:/ {print $2}' "/proc/$p/smaps_rollup")))
    rss=$((rss + $(awk '/^Rss:/ {print $2}' "/proc/$p/smaps_rollup")))
  done
  echo "$((pss / 1024)) $((anon / 1024)) $((rss / 1024))"
}
processes() { tree "$1" | xargs -r ps -o comm= -p | sort | uniq -c | awk '{printf "%s%s x%s", sep, $2, $1; sep=", "}'; }

start=$(date +%s%N)
"$R/usr/bin/keepsake-app" >"$OUT/app.log" 2>&1 &
app=$!
shown=""
for _ in $(seq 1 300); do
  shown=$(xdotool search --onlyvisible --name '^Keepsake$' 2>/dev/null | head -1 || true)
  [ -n "$shown" ] && break
  kill -0 "$app" 2>/dev/null || fail "the app exited: $(tail -5 "$OUT/app.log")"
  sleep 0.1
done
[ -n "$shown" ] || fail "no Keepsake window within 30 s"
echo "window shown after $((($(date +%s%N) - start) / 1000000)) ms"
sleep 20
import -window root "$OUT/first-screen.png"
read -r pss anon rss < <(memory "$app")
echo "window open, 20 s idle: PSS $pss MiB, of it anonymous $anon MiB (RSS $rss MiB) in $(processes "$app")"
[ "$anon" -lt 250 ] || fail "window open: $anon MiB of its own memory, over 250 MiB"
kill "$app"; wait "$app" 2>/dev/null || true

"$R/usr/bin/keepsake-app" --hidden >"$OUT/app-hidden.log" 2>&1 &
app=$!
sleep 15
kill -0 "$app" 2>/dev/null || fail "the app started with --hidden exited: $(tail -5 "$OUT/app-hidden.log")"
read -r pss anon rss < <(memory "$app")
echo "in the tray (--hidden), 15 s: PSS $pss MiB, of it anonymous $anon MiB (RSS $rss MiB) in $(processes "$app")"
[ "$anon" -lt 60 ] || fail "in the tray: $anon MiB of its own memory, over 60 MiB"
[ "$(processes "$app")" = "keepsake-app x1" ] || fail "a webview in the tray: $(processes "$app")"
kill "$app"; wait "$app" 2>/dev/null || true
echo "check-package: ok (screenshot: $OUT/first-screen.png)"
