#!/usr/bin/env bash
# Drives real desktop apps (Debian's Firefox ESR, Chromium and Thunderbird) headless for the
# integration tests, so that Keepsake backs up and restores the live SQLite databases of real
# programs, not files we made ourselves.
#
#   app.sh start firefox|chromium|thunderbird HOME URL
#       Makes a fresh profile under HOME (HOME/.config/mozilla/firefox/<salt>.keepsake,
#       HOME/.config/chromium, HOME/.thunderbird/<salt>.keepsake), starts the app on it headless
#       in its own process group (setsid) with HOME=HOME, and waits (APP_WAIT_S, default 90 s)
#       until its main database is there: Firefox's places.sqlite holds URL in moz_places and a
#       bookmark to URL titled "Keepsake test bookmark"; Chromium's Default/History holds URL in
#       urls; Thunderbird has abook.sqlite and global-messages-db.sqlite open (URL is ignored,
#       pass "-"). Prints one line `PID<TAB>PROFILE_DIR` and returns with the app running; PID is
#       also its process group. For Chromium PROFILE_DIR is the user-data-dir (History is
#       PROFILE_DIR/Default/History). The app logs to HOME/app.log.
#   app.sh stop PID
#       Stops the app started as PID: Chromium through DevTools' Browser.close (a clean exit: it
#       commits History and removes its Singleton* files; a SIGTERM loses up to 10 s of history),
#       the others with SIGTERM to the process group. SIGKILL after APP_STOP_WAIT_S (default 20 s).
#       Then waits until no process holds a lock on any SQLite file of the profile.
#   app.sh visit firefox|chromium|thunderbird HOME PROFILE_DIR URL
#       Starts the app on an existing (e.g. restored) profile, waits until URL is in its history,
#       stops it, and exits 0 only if the profile opened with its old data intact: every URL (and,
#       Firefox, every bookmarked URL) that was in the history before is still there, URL was
#       added, the database passes integrity_check, and the app made no *.corrupt file (Firefox
#       renames a places.sqlite it cannot open to places.sqlite.corrupt and starts an empty one).
#       Thunderbird (URL ignored): abook.sqlite and global-messages-db.sqlite were opened, pass
#       integrity_check, and abook.sqlite kept every row of its properties table (the contacts).
#
# Exit codes: 0 ok, 1 failed, 2 usage, 77 the app is not installed (a test reports a skip).
#
# Facts this relies on (Debian 12, Firefox/Thunderbird 153 ESR, Chromium 156):
# - While they run, the apps keep most databases in SQLite's exclusive locking mode: another
#   reader gets "database is locked". So history is read from a private copy of the database and
#   its -wal/-journal, never in place (a reader in place would also leave -shm/-wal files behind).
# - Firefox writes a visit to places.sqlite-wal within ~1-2 s; Chromium commits History every 10 s.
# - After a SIGTERM, Firefox and Thunderbird leave places.sqlite-wal / abook.sqlite-wal behind
#   (the data is only there until the next start checkpoints it).
# - Network: the apps are kept to 127.0.0.1 (Mozilla: every host name resolves to 127.0.0.1 and
#   background services are off; Chromium: no host name resolves, background networking off).
set -euo pipefail

APP_WAIT_S=${APP_WAIT_S:-90}
APP_STOP_WAIT_S=${APP_STOP_WAIT_S:-20}
BOOKMARK_TITLE="Keepsake test bookmark"
SELF=$(readlink -f "$0")
PY=/usr/bin/python3 # Debian's; the pyenv python3 on PATH would do too, but this one is always there
[ -x "$PY" ] || PY=python3

die() { echo "app.sh: $*" >&2; exit 1; }
usage() {
  echo "usage: app.sh start firefox|chromium|thunderbird HOME URL | stop PID | visit firefox|chromium|thunderbird HOME PROFILE_DIR URL" >&2
  exit 2
}

# Small helpers in Python (standard library only): reading a live database through a copy,
# finding who holds SQLite locks, parsing profiles.ini, and DevTools' Browser.close.
# shellcheck disable=SC2016
PYHELP='
import base64, configparser, fcntl, json, os, shutil, socket, sqlite3, stat, struct, sys, tempfile

def holder(path, start, length):
    """PID of another process holding an fcntl lock that overlaps [start, start+length), or None."""
    fd = os.open(path, os.O_RDONLY)
    try:
        fl = struct.pack("hhqqi4x", fcntl.F_WRLCK, os.SEEK_SET, start, length, 0)
        t, _, _, _, pid = struct.unpack("hhqqi4x", fcntl.fcntl(fd, fcntl.F_GETLK, fl))
        return None if t == fcntl.F_UNLCK else pid
    finally:
        os.close(fd)

cmd, args = sys.argv[1], sys.argv[2:]
if cmd == "query":  # DB SQL [PARAM...]: rows of SQL on a private copy of DB (+ -wal, -journal)
    db, sql, params = args[0], args[1], args[2:]
    tmp = tempfile.mkdtemp(prefix="keepsake-app-")
    try:
        copy = os.path.join(tmp, "db")
        shutil.copyfile(db, copy)
        for suffix in ("-wal", "-journal"):
            if os.path.exists(db + suffix):
                shutil.copyfile(db + suffix, copy + suffix)
        con = sqlite3.connect(copy)
        for row in con.execute(sql, params):
            print("\t".join(str(v) for v in row))
        con.close()
    except (OSError, sqlite3.Error) as e:
        sys.exit(f"{db}: {e}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
elif cmd == "locks":  # DIR: every SQLite file (and Firefox .parentlock) under DIR another process locks
    for root, _, files in os.walk(args[0]):
        for name in files:
            path = os.path.join(root, name)
            try:
                if not stat.S_ISREG(os.lstat(path).st_mode) or name.endswith(("-wal", "-shm", "-journal")):
                    continue
                if name == ".parentlock":
                    span = (0, 0)  # Firefox/Thunderbird lock the whole file while the profile is in use
                else:
                    with open(path, "rb") as f:
                        if f.read(16) != b"SQLite format 3\0":
                            continue
                    span = (0x40000000, 512)  # SQLite unix VFS: pending, reserved and shared lock bytes
                pid = holder(path, *span)
            except OSError:
                continue
            if pid:
                print(f"{path}\t{pid}")
elif cmd == "profile":  # PROFILES_INI NAME: absolute path of the profile called NAME
    ini = configparser.ConfigParser(interpolation=None)
    ini.read(args[0])
    for s in ini.sections():
        if ini[s].get("Name") == args[1]:
            p = ini[s]["Path"]
            print(os.path.join(os.path.dirname(args[0]), p) if ini[s].get("IsRelative", "1") == "1" else p)
            break
    else:
        sys.exit(1)
elif cmd == "cdp_close":  # DevToolsActivePort: send Browser.close over the DevTools WebSocket
    port, path = open(args[0]).read().split()[:2]
    s = socket.create_connection(("127.0.0.1", int(port)), timeout=10)
    key = base64.b64encode(os.urandom(16)).decode()
    s.sendall((f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
               f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
    resp = b""
    while b"\r\n\r\n" not in resp:
        chunk = s.recv(4096)
        if not chunk:
            sys.exit("no handshake")
        resp += chunk
    if not resp.startswith(b"HTTP/1.1 101"):
        sys.exit("handshake refused")
    payload = json.dumps({"id": 1, "method": "Browser.close"}).encode()
    mask = os.urandom(4)  # a client frame must be masked; payload < 126 bytes
    s.sendall(bytes([0x81, 0x80 | len(payload)]) + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))
    s.recv(4096)
else:
    sys.exit("unknown helper " + cmd)
'
py() { "$PY" -c "$PYHELP" "$@"; }

binary_of() { # APP -> its command
  case $1 in
    firefox) echo firefox-esr ;;
    chromium) echo chromium ;;
    thunderbird) echo thunderbird ;;
    *) usage ;;
  esac
}

need_app() { # APP: exit 77 when it is not installed
  local bin
  bin=$(binary_of "$1")
  command -v "$bin" >/dev/null 2>&1 || {
    echo "app.sh: $bin is not installed (scripts/setup.sh installs it)" >&2
    exit 77
  }
}

# Runs an app command with HOME=$H, its temporary files under $H/tmp (Chromium's singleton socket
# goes there, not to /tmp), and nothing of the caller's desktop: no display, no session bus, no
# XDG_* folders (Firefox keeps profiles under $XDG_CONFIG_HOME when it is set).
app_env() { # H CMD...
  local h=$1
  shift
  mkdir -p "$h/tmp"
  exec env -u XDG_CONFIG_HOME -u XDG_DATA_HOME -u XDG_CACHE_HOME -u XDG_STATE_HOME -u XDG_RUNTIME_DIR \
    -u DISPLAY -u WAYLAND_DISPLAY -u DBUS_SESSION_BUS_ADDRESS \
    HOME="$h" TMPDIR="$h/tmp" MOZ_CRASHREPORTER_DISABLE=1 "$@"
}

# Starts CMD in a new session (so a new process group whose id is its PID), output to $H/app.log,
# and sets LAUNCHED_PID. The chain setsid -> this script's app-env -> env -> app only execs, so
# the app keeps the PID: `setsid` does not fork because a background job of a non-interactive
# shell is not a group leader (checked below), and Debian's wrappers exec the real binaries.
launch() { # H CMD...
  local h=$1
  shift
  echo "=== $(date '+%F %T') app.sh: $*" >>"$h/app.log"
  (cd "$h" && exec setsid bash "$SELF" app-env "$h" "$@" </dev/null >>"$h/app.log" 2>&1) &
  LAUNCHED_PID=$!
  sleep 0.2
  local pgid
  pgid=$(ps -o pgid= -p "$LAUNCHED_PID" 2>/dev/null | tr -d ' ') || true
  [ -z "$pgid" ] || [ "$pgid" = "$LAUNCHED_PID" ] || die "$1 did not get its own process group"
}

# The user.js for Firefox and Thunderbird profiles: no traffic beyond 127.0.0.1. Every host name
# resolves to 127.0.0.1 (so nothing is looked up through the machine's resolver), and the
# background services that would call out (telemetry, Safe Browsing, remote settings, push,
# captive-portal checks, add-on updates) are off.
MOZ_USER_JS='// Written by Keepsake tests/apps/app.sh: keep the app to 127.0.0.1.
user_pref("network.dns.native-is-localhost", true);
user_pref("network.trr.mode", 5);
user_pref("network.dns.disablePrefetch", true);
user_pref("network.prefetch-next", false);
user_pref("network.predictor.enabled", false);
user_pref("network.http.speculative-parallel-limit", 0);
user_pref("network.captive-portal-service.enabled", false);
user_pref("network.connectivity-service.enabled", false);
user_pref("toolkit.telemetry.enabled", false);
user_pref("toolkit.telemetry.unified", false);
user_pref("toolkit.telemetry.archive.enabled", false);
user_pref("datareporting.policy.dataSubmissionEnabled", false);
user_pref("datareporting.healthreport.uploadEnabled", false);
user_pref("browser.safebrowsing.malware.enabled", false);
user_pref("browser.safebrowsing.phishing.enabled", false);
user_pref("browser.safebrowsing.downloads.enabled", false);
user_pref("browser.safebrowsing.downloads.remote.enabled", false);
user_pref("browser.safebrowsing.blockedURIs.enabled", false);
user_pref("browser.safebrowsing.update.enabled", false);
user_pref("services.settings.server", "http://127.0.0.1:9/v1");
user_pref("dom.push.connection.enabled", false);
user_pref("extensions.update.enabled", false);
user_pref("extensions.getAddons.cache.enabled", false);
user_pref("app.normandy.enabled", false);
user_pref("app.shield.optoutstudies.enabled", false);
user_pref("browser.region.network.url", "");
user_pref("browser.region.update.enabled", false);
user_pref("geo.provider.network.url", "");
user_pref("media.gmp-manager.updateEnabled", false);
user_pref("browser.newtabpage.enabled", false);
user_pref("browser.startup.homepage_override.mstone", "ignore");
user_pref("mail.shell.checkDefaultClient", false);
user_pref("mailnews.start_page.enabled", false);
user_pref("mail.provider.enabled", false);
'

# Chromium's flags: headless and kept running (--remote-debugging-port keeps it alive and is how
# `stop` closes it cleanly), no sandbox (we are root), and no traffic beyond 127.0.0.1.
chromium_launch() { # H PROFILE URL
  rm -f "$2/DevToolsActivePort" # a stale one would point `stop` at a dead port
  launch "$1" chromium --headless=new --no-sandbox --disable-gpu --user-data-dir="$2" --no-first-run \
    --no-default-browser-check --password-store=basic --remote-debugging-port=0 \
    --remote-debugging-address=127.0.0.1 --disable-background-networking --disable-component-update \
    --disable-sync --disable-domain-reliability --no-pings \
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1" "$3"
}

# Where each browser keeps its history, and the table of visited URLs.
history_db() { # APP PROFILE
  case $1 in
    firefox) echo "$2/places.sqlite" ;;
    chromium) echo "$2/Default/History" ;;
  esac
}
history_table() { case $1 in firefox) echo moz_places ;; chromium) echo urls ;; esac; }
has_url() { # APP PROFILE URL: 0 when the (live) history holds URL
  local n
  n=$(py query "$(history_db "$1" "$2")" \
    "select count(*) from $(history_table "$1") where url = ?1 or url = ?1 || '/'" "$3" 2>/dev/null) || return 1
  [ "${n:-0}" -ge 1 ]
}
has_bookmark() { # PROFILE URL: 0 when Firefox's places holds the test bookmark to URL
  local n
  n=$(py query "$1/places.sqlite" "select count(*) from moz_bookmarks b join moz_places p on p.id = b.fk
    where b.type = 1 and b.title = ?1 and (p.url = ?2 or p.url = ?2 || '/')" "$BOOKMARK_TITLE" "$2" 2>/dev/null) || return 1
  [ "${n:-0}" -ge 1 ]
}
locked_by() { # PROFILE PATH...: 0 when some process holds a lock on every PATH (full paths)
  local locks p
  locks=$(py locks "$1")
  shift
  for p in "$@"; do
    grep -qF "$p"$'\t' <<<"$locks" || return 1
  done
}

alive() { # PGID: 0 while a process of the group is running (zombies do not count)
  ps -eo pgid=,stat= | awk -v g="$1" '$1 == g && $2 !~ /^Z/ { found = 1 } END { exit !found }'
}

# Waits until the app started as PID is ready (the check CMD... succeeds). On timeout or when the
# app dies, stops it and fails with the end of its log.
wait_ready() { # H PID WHAT CMD...
  local h=$1 pid=$2 what=$3 deadline=$((SECONDS + APP_WAIT_S))
  shift 3
  until "$@"; do
    if ! alive "$pid"; then
      tail -n 20 "$h/app.log" >&2 || true
      die "the app exited before $what"
    fi
    if [ $SECONDS -ge $deadline ]; then
      (stop_app "$pid") >/dev/null 2>&1 || true
      tail -n 20 "$h/app.log" >&2 || true
      die "no $what after ${APP_WAIT_S}s"
    fi
    sleep 0.5
  done
}

# Makes a Mozilla profile called keepsake under H, through the app itself as a user would, and
# prints its folder. INI is where profiles.ini lands for that app.
create_moz_profile() { # H BIN INI
  local h=$1 bin=$2 ini=$3 prof
  if [ -f "$ini" ] && py profile "$ini" keepsake >/dev/null; then
    die "$h already has a keepsake profile; pass a fresh HOME"
  fi
  (app_env "$h" timeout 60 "$bin" --headless -CreateProfile keepsake) >>"$h/app.log" 2>&1 ||
    die "$bin -CreateProfile failed (see $h/app.log)"
  prof=$(py profile "$ini" keepsake) || die "no keepsake profile in $ini"
  mkdir -p "$prof"
  printf '%s' "$MOZ_USER_JS" >"$prof/user.js"
  echo "$prof"
}

start() { # APP H URL
  local app=$1 h=$2 url=$3 prof pid
  need_app "$app"
  mkdir -p "$h"
  h=$(cd "$h" && pwd)
  case $app in
    firefox)
      prof=$(create_moz_profile "$h" firefox-esr "$h/.config/mozilla/firefox/profiles.ini")
      # A bookmark, made by Firefox itself: on start it imports bookmarks.html from the profile
      # when browser.places.importBookmarksHTML is set (the Bookmarks policy would need a system
      # file in /usr/lib/firefox-esr/distribution or /etc/firefox-esr/policies). prefs.js, not
      # user.js, so the import happens once.
      local esc=${url//&/&amp;}
      esc=${esc//\"/&quot;}
      cat >"$prof/bookmarks.html" <<EOF
<!DOCTYPE NETSCAPE-Bookmark-file-1>
<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=UTF-8">
<TITLE>Bookmarks</TITLE>
<H1>Bookmarks Menu</H1>
<DL><p>
    <DT><A HREF="$esc">$BOOKMARK_TITLE</A>
</DL><p>
EOF
      echo 'user_pref("browser.places.importBookmarksHTML", true);' >>"$prof/prefs.js"
      launch "$h" firefox-esr --headless --no-remote --profile "$prof" "$url"
      pid=$LAUNCHED_PID
      wait_ready "$h" "$pid" "$url in $prof/places.sqlite" has_url firefox "$prof" "$url"
      wait_ready "$h" "$pid" "the bookmark in $prof/places.sqlite" has_bookmark "$prof" "$url"
      rm -f "$prof/bookmarks.html" # imported; a later start finds none and imports nothing
      ;;
    chromium)
      prof=$h/.config/chromium # where Chromium keeps it by default
      [ ! -e "$prof/Default/History" ] || die "$prof already has a History; pass a fresh HOME"
      mkdir -p "$prof"
      chromium_launch "$h" "$prof" "$url"
      pid=$LAUNCHED_PID
      wait_ready "$h" "$pid" "$url in $prof/Default/History" has_url chromium "$prof" "$url"
      ;;
    thunderbird)
      prof=$(create_moz_profile "$h" thunderbird "$h/.thunderbird/profiles.ini")
      launch "$h" thunderbird --headless --no-remote --profile "$prof"
      pid=$LAUNCHED_PID
      wait_ready "$h" "$pid" "abook.sqlite and global-messages-db.sqlite open in $prof" \
        locked_by "$prof" "$prof/abook.sqlite" "$prof/global-messages-db.sqlite"
      ;;
    *) usage ;;
  esac
  printf '%s\t%s\n' "$pid" "$prof"
}

# The profile folder of a running app, from its command line (--profile DIR or --user-data-dir=DIR).
profile_of_pid() { # PID
  local prev="" arg
  while IFS= read -r -d '' arg; do
    case $arg in
      --user-data-dir=*) echo "${arg#--user-data-dir=}"; return 0 ;;
    esac
    if [ "$prev" = --profile ]; then echo "$arg"; return 0; fi
    prev=$arg
  done <"/proc/$1/cmdline"
  return 1
}

wait_gone() { # PGID SECONDS: 0 when the group has no running process within SECONDS
  local deadline=$((SECONDS + $2))
  while alive "$1"; do
    [ $SECONDS -lt "$deadline" ] || return 1
    sleep 0.2
  done
}

stop_app() { # PID
  local pid=$1 prof="" p deadline locks
  [[ $pid =~ ^[0-9]+$ ]] || usage
  if ! alive "$pid"; then
    echo "app.sh: no process group $pid is running" >&2
    return 0
  fi
  prof=$(profile_of_pid "$pid" 2>/dev/null) || prof=""
  # Chromium: Browser.close over DevTools, the clean exit (a SIGTERM skips the last History
  # commit and leaves SingletonLock/SingletonSocket/SingletonCookie behind).
  if [ -n "$prof" ] && [ -s "$prof/DevToolsActivePort" ]; then
    py cdp_close "$prof/DevToolsActivePort" >/dev/null 2>&1 && wait_gone "$pid" 15 || true
  fi
  if alive "$pid"; then
    kill -TERM -- "-$pid" 2>/dev/null || true
    if ! wait_gone "$pid" "$APP_STOP_WAIT_S"; then
      echo "app.sh: process group $pid still running ${APP_STOP_WAIT_S}s after SIGTERM; SIGKILL" >&2
      kill -KILL -- "-$pid" 2>/dev/null || true
      wait_gone "$pid" 10 || die "process group $pid survived SIGKILL"
    fi
  fi
  [ -n "$prof" ] || return 0
  rm -f "$prof/DevToolsActivePort"
  # Helpers of the app outside the group that still name the profile (Chromium's crashpad
  # handlers run in sessions of their own; they normally exit with the browser).
  for p in /proc/[0-9]*; do
    case $(readlink "$p/exe" 2>/dev/null) in
      /usr/lib/chromium/* | /usr/lib/firefox-esr/* | /usr/lib/thunderbird/*) ;;
      *) continue ;;
    esac
    if tr '\0' '\n' <"$p/cmdline" 2>/dev/null | grep -qF -- "$prof"; then
      kill -TERM "${p#/proc/}" 2>/dev/null || true
    fi
  done
  # Locks die with their processes; wait (bounded) until none is held on the profile's databases.
  deadline=$((SECONDS + 10))
  while locks=$(py locks "$prof") && [ -n "$locks" ]; do
    [ $SECONDS -lt $deadline ] || die "still locked after stop: $locks"
    sleep 0.2
  done
}

visit() { # APP H PROFILE URL
  local app=$1 h=$2 prof=$3 url=$4 pid before after missing corrupt_before corrupt_after u
  need_app "$app"
  [ -d "$prof" ] || die "no profile folder $prof"
  mkdir -p "$h"
  h=$(cd "$h" && pwd)
  prof=$(cd "$prof" && pwd)
  [ -z "$(py locks "$prof")" ] || die "$prof is in use by a running app"
  corrupt_before=$(find "$prof" -name '*.corrupt' | sort)
  case $app in
    firefox | chromium)
      local db table
      db=$(history_db "$app" "$prof")
      table=$(history_table "$app")
      [ -f "$db" ] || die "no $db"
      before=$(py query "$db" "select url from $table" | LC_ALL=C sort -u) || die "cannot read $db before the start"
      [ -n "$before" ] || die "$db holds no history to check"
      local bm_before="" bm_after=""
      [ "$app" = chromium ] || bm_before=$(py query "$db" "select distinct p.url from moz_bookmarks b
        join moz_places p on p.id = b.fk where b.type = 1" | LC_ALL=C sort -u) || die "cannot read bookmarks"
      if [ "$app" = firefox ]; then
        launch "$h" firefox-esr --headless --no-remote --profile "$prof" "$url"
      else
        chromium_launch "$h" "$prof" "$url"
      fi
      pid=$LAUNCHED_PID
      wait_ready "$h" "$pid" "$url in $db" has_url "$app" "$prof" "$url"
      stop_app "$pid"
      after=$(py query "$db" "select url from $table" | LC_ALL=C sort -u) || die "cannot read $db after the visit"
      [ "$(py query "$db" "pragma integrity_check")" = ok ] || die "$db fails integrity_check after the visit"
      missing=$(LC_ALL=C comm -23 <(echo "$before") <(echo "$after"))
      [ -z "$missing" ] || die "the old history lost: $(echo "$missing" | tr '\n' ' ')"
      has_url "$app" "$prof" "$url" || die "$url not in $db after the visit"
      if [ "$app" = firefox ]; then
        bm_after=$(py query "$db" "select distinct p.url from moz_bookmarks b
          join moz_places p on p.id = b.fk where b.type = 1" | LC_ALL=C sort -u)
        missing=$(LC_ALL=C comm -23 <(echo "$bm_before") <(echo "$bm_after"))
        [ -z "$missing" ] || die "bookmarks lost: $(echo "$missing" | tr '\n' ' ')"
      fi
      ;;
    thunderbird)
      local f sql="select card || char(31) || name || char(31) || value from properties"
      before=$(py query "$prof/abook.sqlite" "$sql" | LC_ALL=C sort -u) ||
        die "cannot read $prof/abook.sqlite before the start"
      launch "$h" thunderbird --headless --no-remote --profile "$prof"
      pid=$LAUNCHED_PID
      wait_ready "$h" "$pid" "abook.sqlite and global-messages-db.sqlite open" \
        locked_by "$prof" "$prof/abook.sqlite" "$prof/global-messages-db.sqlite"
      stop_app "$pid"
      for f in abook.sqlite global-messages-db.sqlite; do
        [ "$(py query "$prof/$f" "pragma integrity_check")" = ok ] || die "$prof/$f fails integrity_check after the visit"
      done
      after=$(py query "$prof/abook.sqlite" "$sql" | LC_ALL=C sort -u) || die "cannot read abook.sqlite after the visit"
      missing=$(LC_ALL=C comm -23 <(echo "$before") <(echo "$after"))
      [ -z "$missing" ] || die "abook.sqlite lost contact data: $(echo "$missing" | tr '\037\n' '= ')"
      ;;
    *) usage ;;
  esac
  corrupt_after=$(find "$prof" -name '*.corrupt' | sort)
  if [ "$corrupt_after" != "$corrupt_before" ]; then
    die "the app set aside a database it could not open: $(LC_ALL=C comm -13 <(echo "$corrupt_before") <(echo "$corrupt_after") | tr '\n' ' ')"
  fi
  if [ "$app" = thunderbird ]; then
    echo "visit: ok: all $(grep -c . <<<"$before") address book properties kept, abook.sqlite and global-messages-db.sqlite opened and pass integrity_check, no *.corrupt"
  else
    u=$(grep -c . <<<"$before")
    echo "visit: ok: all $u old URLs kept, $url added, integrity_check ok, no *.corrupt"
  fi
}

[ $# -ge 1 ] || usage
case $1 in
  start) [ $# -eq 4 ] || usage; start "$2" "$3" "$4" ;;
  stop) [ $# -eq 2 ] || usage; stop_app "$2" ;;
  app-env) shift; app_env "$@" ;; # internal: what `launch` runs in the new session
  visit) [ $# -eq 5 ] || usage; visit "$2" "$3" "$4" "$5" ;;
  *) usage ;;
esac
