#!/usr/bin/env bash
# `keepsake find` over a home folder of 200,000 files against what a user would script instead,
# in the same run (the last part of `make bench`; alone: scripts/bench_find.sh).
#   keepsake: `keepsake find --home H --json` with budgets far above the home (600 s, 10,000,000
#             entries), so it never stops early (checked).
#   baseline: find H -type f -size +511c -print0 | xargs -0 head -c 16 -q | grep -a -o 'SQLite format 3' | wc -l
#             The same header test on the same files (regular files of 512 bytes or more, links
#             not followed), in its fairest form: xargs packs thousands of paths into each `head`,
#             so the pipeline costs one exec per batch, not per file, and runs its four stages on
#             both cores at once. Each file gives exactly 16 bytes to the stream, so every match is
#             one file's header (the NUL that ends it is not tested: no file of this home starts
#             with the text without it). A shell loop or `-exec head {} \;` per file would time
#             200,000 process starts, not the header test.
# Both read the whole tree's metadata from a warm page cache (nothing is dropped: no root): each
# runs once to warm, then 3 times, alternating, and the median time is kept; peak RSS is the
# highest of the 3 (for the pipeline, of its largest single process, as GNU time reports it).
#
# The home (generated once, kept in target/bench/find-home; BENCH_FIND_FRESH=1 to make it again)
# is spread like a real one: browser and build caches under ~/.cache (flat cache folders and
# nested hex folders), ~/.local/share (a Flatpak repository), ~/.config, ~/.var/app/<id>,
# ~/snap/<name>, ~/.mozilla, ~/.thunderbird, a few thousand files in ~/Documents, ~/Pictures,
# ~/Downloads, ~/Music, and deep project trees (~/src/project-N/..., ~/Zotero/storage/...,
# ~/Pictures/2021/...). Sizes vary from a few bytes to megabytes (sparse past a random head of at
# most 128 bytes: making it takes 15-20 s, longer right after deleting an earlier one, and about
# 1 GB of disk, a block per file and folder).
# ~50 real SQLite databases (three made by Python's sqlite3, one in WAL mode) sit in app-like places, and
# 5 in deep folders of the home's own (a project's dev database, a 2023 budget filed away):
# `find` walks every folder, `keepsake find` by design only the places apps keep data and the
# home's top levels (files in ~ and in its direct subfolders), so the baseline counts those 5 and
# keepsake does not. The script checks both counts against what the generator put there.
#
# Knobs: BENCH_FIND_FILES (default 200000 regular files), BENCH_FIND_FRESH=1 (generate again),
# BENCH_FIND_RUNS (timed runs of each, default 3), KEEPSAKE_BIN (default the release binary).
# Results: a "## keepsake find" section appended to target/bench/results.md.
set -euo pipefail
cd "$(dirname "$0")/.."
# GNU time for wall time and peak RSS.
if [ ! -x /usr/bin/time ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends time >/dev/null
fi

W=target/bench
BIN=${KEEPSAKE_BIN:-target/release/keepsake}
FILES=${BENCH_FIND_FILES:-200000}
RUNS=${BENCH_FIND_RUNS:-3}
H="$PWD/$W/find-home"
MANIFEST="$W/find-home.json"
RESULTS="$W/results.md"
mkdir -p "$W"
export NO_COLOR=1
# This run's own installation records, not the user's (bench.sh sets its own).
export KEEPSAKE_STATE_DIR="${KEEPSAKE_STATE_DIR:-$PWD/$W/state}"
"$BIN" find --help >/dev/null 2>&1 || { echo "$BIN has no \`find\` verb (an old build?): set KEEPSAKE_BIN" >&2; exit 1; }

# --- The home ---------------------------------------------------------------------------------
# Made again when asked, or when the cached one was made for another file count.
GEN_VERSION=2
cached=$(python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); print(m["files"], m["version"])' "$MANIFEST" 2>/dev/null || true)
if [ "${BENCH_FIND_FRESH:-0}" = 1 ] || [ "$cached" != "$FILES $GEN_VERSION" ] || [ ! -d "$H" ]; then
  rm -rf "$H" "$MANIFEST"
  gen_start=$(date +%s.%N)
  python3 - "$H" "$FILES" "$MANIFEST" "$GEN_VERSION" <<'EOF'
import json, os, random, sqlite3, sys, tempfile

home, total, manifest, version = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
rng = random.Random(20261207)
pool = os.urandom(1 << 20)  # file heads are slices of this: one urandom call, not 200,000
made_dirs = set()
count = {"files": 0, "files_512": 0}

def mkfile(rel, size, data=None):
    path = os.path.join(home, rel)
    d = os.path.dirname(path)
    if d not in made_dirs:
        os.makedirs(d, exist_ok=True)
        made_dirs.add(d)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    if data is None:
        head = min(size, 128)
        at = rng.randrange(len(pool) - head)
        data = pool[at:at + head]
    os.write(fd, data)
    if size > len(data):
        os.ftruncate(fd, size)  # the rest is a hole: no disk, no time
    os.close(fd)
    count["files"] += 1
    count["files_512"] += max(size, len(data)) >= 512

def size(median, sigma=1.6, lo=0, hi=64 << 20):
    return max(lo, min(hi, int(rng.lognormvariate(0, sigma) * median)))

hx = lambda n: "%0*x" % (n, rng.getrandbits(4 * n))
pools = {}
def one_of(key, n, make):  # one of n names made once (a profile's 150 sites, not one per file)
    if key not in pools:
        pools[key] = [make() for _ in range(n)]
    return rng.choice(pools[key])

# Real SQLite databases: a small one in rollback mode, a bigger one in WAL mode, a 2 MB one.
tmp = tempfile.mkdtemp()
templates = []
for name, rows, wal in (("small", 20, False), ("wal", 400, True), ("big", 4000, False)):
    p = os.path.join(tmp, name)
    db = sqlite3.connect(p)
    if wal:
        db.execute("PRAGMA journal_mode=WAL")
    db.execute("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT, title TEXT, visits INTEGER)")
    db.executemany("INSERT INTO moz_places (url, title, visits) VALUES (?, ?, ?)",
                   ((f"https://example.org/{i}", "t" * (i % 400), i) for i in range(rows)))
    db.commit()
    db.close()
    templates.append(open(p, "rb").read())
    for f in os.listdir(tmp):
        os.remove(os.path.join(tmp, f))
os.rmdir(tmp)

# Where `keepsake find` looks (the places apps keep data, the home's top levels)...
seen = [
    ".mozilla/firefox/x1b2c3d4.default-release/" + f for f in
    ("places.sqlite", "cookies.sqlite", "formhistory.sqlite", "favicons.sqlite", "permissions.sqlite",
     "content-prefs.sqlite", "webappsstore.sqlite", "storage.sqlite", "key4.db", "cert9.db",
     "storage/permanent/chrome/idb/3870112724rsegmnoittet-es.sqlite",
     "storage/default/https+++www.example.org/idb/1451318868ntouromlalnodry--epcr.sqlite")
] + [
    ".config/chromium/Default/" + f for f in
    ("History", "Cookies", "Favicons", "Login Data", "Top Sites", "Web Data", "Shortcuts")
] + [
    ".config/google-chrome/Profile 1/History", ".config/google-chrome/Profile 1/Cookies",
    ".local/share/Anki2/User 1/collection.anki2", ".local/share/Anki2/prefs21.db",
    ".local/share/evolution/addressbook/system/contacts.db", ".local/share/shotwell/data/photo.db",
    ".local/share/zeitgeist/activity.sqlite", ".local/share/lutris/pga.db",
    ".config/joplin-desktop/database.sqlite", ".config/Mailspring/edgehill.db",
    ".config/darktable/library.db", ".config/darktable/data.db",
    ".thunderbird/k9x8y7z6.default-release/global-messages-db.sqlite",
    ".thunderbird/k9x8y7z6.default-release/places.sqlite",
    ".thunderbird/k9x8y7z6.default-release/abook.sqlite",
    ".thunderbird/k9x8y7z6.default-release/calendar-data/local.sqlite",
    ".var/app/org.mozilla.firefox/.mozilla/firefox/q1w2e3r4.default-release/places.sqlite",
    ".var/app/org.mozilla.firefox/.mozilla/firefox/q1w2e3r4.default-release/cookies.sqlite",
    ".var/app/org.gnome.Shotwell/data/shotwell/data/photo.db",
    ".var/app/org.gnome.Epiphany/data/epiphany/ephy-history.db",
    "snap/firefox/common/.mozilla/firefox/a9s8d7f6.default/places.sqlite",
    "snap/firefox/common/.mozilla/firefox/a9s8d7f6.default/favicons.sqlite",
    "snap/chromium/common/chromium/Default/History",
    ".cache/tracker3/files/meta.db",
    ".cache/tracker3/files/http%3A%2F%2Ftracker.api.gnome.org%2Fontology%2Fv3%2Ftracker%23FileSystem.db",
    "Zotero/zotero.sqlite", "Zotero/better-bibtex.sqlite", "Calibre Library/metadata.db",
    "Documents/household.mmb", "Documents/accounts.gnucash", "Documents/notes.db",
    "Pictures/digikam4.db", "Pictures/thumbnails-digikam.db", "todo.sqlite",
]
# ...and below the home's top levels, outside them: only `find` walks there.
unseen = [
    "src/project-3/db/development.sqlite3", "src/project-7/instance/app.db",
    "src/project-12/tests/fixtures/sample.db", "Documents/Finance/2023/budget-2023.mmb",
    "Downloads/old/archive/chinook.db",
]
sqlite_paths = []
for i, rel in enumerate(seen + unseen):
    t = templates[0] if i % 7 else templates[1 + (i // 7) % 2]
    mkfile(rel, len(t), t)
    sqlite_paths.append({"path": rel, "seen": rel in seen})
    if t is templates[1]:  # a WAL database's companions: no header of their own
        mkfile(rel + "-wal", size(40000, 1.0, 1000))
        mkfile(rel + "-shm", 32768)
# Empty databases (Firefox leaves some): under 512 bytes, opened by neither.
for rel in (".mozilla/firefox/x1b2c3d4.default-release/protections.sqlite",
            ".config/chromium/Default/Network Action Predictor"):
    mkfile(rel, 0, b"")

# The rest of the home: (share, generator of (path, size)).
def ff_cache(root):
    return lambda: (f"{root}/cache2/entries/{hx(40).upper()}", size(6000, 1.8))
def chromium_cache(root):
    return lambda: (f"{root}/Cache/Cache_Data/{hx(16)}_0", size(8000, 1.8))
buckets = [
    # ~/.cache: flat browser caches and nested hex folders, most of the home.
    (13, ff_cache(".cache/mozilla/firefox/x1b2c3d4.default-release")),
    (9, chromium_cache(".cache/chromium/Default")),
    (3, lambda: (f".cache/chromium/Default/Code Cache/js/{hx(16)}_0", size(3000))),
    (11, lambda: (f".cache/go-build/{hx(2)}/{hx(64)}-d", size(1500, 2.0))),
    (1.5, lambda: (".cache/pip/http-v2/" + "/".join(hx(1) for _ in range(5)) + f"/{hx(56)}.body", size(20000))),
    (6, lambda: (f".cache/thumbnails/normal/{hx(32)}.png", size(12000, 0.8))),
    (4, lambda: (f".cache/mesa_shader_cache/{hx(2)}/{hx(38)}", size(2000))),
    (1, lambda: (f".cache/fontconfig/{hx(32)}-le64.cache-7", size(3000))),
    # ~/.local/share: a Flatpak repository's objects, games, the trash.
    (8, lambda: (f".local/share/flatpak/repo/objects/{hx(2)}/{hx(62)}.file", size(9000, 2.0))),
    (2, lambda: (f".local/share/flatpak/repo/objects/{hx(2)}/{hx(62)}.dirtree", size(400, 1.0))),
    (3, lambda: (f".local/share/Steam/steamapps/common/Game{rng.randrange(6)}/data/{hx(2)}/{hx(12)}.pak", size(50000, 2.0))),
    (1, lambda: (f".local/share/Trash/files/old-{rng.randrange(40)}/{hx(10)}.txt", size(2000))),
    (1, lambda: (f".local/share/gnome-shell/extensions/ext{rng.randrange(12)}@x/{hx(8)}.js", size(1500))),
    # ~/.config: browser profiles' many small files, editors.
    (3, lambda: (f".config/chromium/Default/Extensions/{one_of('ext', 60, lambda: hx(32))}/1.{rng.randrange(3)}_0/{hx(6)}.js", size(4000))),
    (1, lambda: (f".config/chromium/Default/IndexedDB/https_{one_of('idb', 40, lambda: hx(6))}.indexeddb.leveldb/{rng.randrange(999999):06d}.ldb", size(30000))),
    (2, lambda: (f".config/Code/User/workspaceStorage/{one_of('ws', 80, lambda: hx(32))}/{hx(8)}.json", size(600, 1.2))),
    (1, lambda: (f".config/libreoffice/4/user/{one_of('lo', 10, lambda: hx(6))}/{hx(8)}.xcu", size(900))),
    # Flatpak apps and snaps.
    (3, lambda: (f".var/app/com.spotify.Client/cache/spotify/Data/{hx(2)}/{hx(32)}.file", size(60000, 1.5))),
    (2, ff_cache(".var/app/org.mozilla.firefox/cache/mozilla/firefox/q1w2e3r4.default-release")),
    (2, lambda: (f".var/app/org.mozilla.firefox/.mozilla/firefox/q1w2e3r4.default-release/storage/default/https+++{one_of('fsites', 150, lambda: hx(6))}.com/cache/morgue/{rng.randrange(64)}/{{{hx(8)}}}.final", size(5000))),
    (1, lambda: (f".var/app/org.telegram.desktop/data/TelegramDesktop/tdata/user_data/media_cache/{hx(2)}/{hx(14)}", size(30000))),
    (2, ff_cache("snap/firefox/common/.cache/mozilla/firefox/a9s8d7f6.default")),
    (2, chromium_cache("snap/chromium/common/.cache/chromium/Default")),
    (1, lambda: (f"snap/code/{rng.choice(('current', 'common'))}/.vscode/extensions/ext{rng.randrange(30)}/out/{hx(8)}.js", size(5000))),
    # Firefox's and Thunderbird's own profiles.
    (2, lambda: (f".mozilla/firefox/x1b2c3d4.default-release/storage/default/https+++{one_of('sites', 150, lambda: hx(6))}.org/cache/morgue/{rng.randrange(64)}/{{{hx(8)}}}.final", size(5000))),
    (1, lambda: (f".mozilla/firefox/x1b2c3d4.default-release/datareporting/archived/2026-{rng.randrange(1, 13):02d}/{hx(12)}.main.jsonlz4", size(8000))),
    (1, lambda: (f".thunderbird/k9x8y7z6.default-release/ImapMail/imap.example.org/{hx(6)}.msf", size(20000))),
    # The home's own folders: top levels that keepsake looks at, deeper ones it does not.
    (0.6, lambda: (f"Documents/{hx(6)}.{rng.choice(('odt', 'pdf', 'txt', 'ods'))}", size(60000))),
    (0.8, lambda: (f"Pictures/IMG_{rng.randrange(10**6):06d}.jpg", size(2_000_000, 0.6))),
    (0.4, lambda: (f"Downloads/{hx(8)}.{rng.choice(('zip', 'pdf', 'deb', 'tar.gz'))}", size(500_000, 2.0))),
    (0.3, lambda: (f"Music/{hx(8)}.flac", size(20_000_000, 0.5))),
    (0.5, lambda: (f"Pictures/{rng.choice((2019, 2020, 2021, 2022))}/{rng.choice(('Holidays', 'Family', 'Misc'))}/IMG_{rng.randrange(10**6):06d}.jpg", size(2_000_000, 0.6))),
    (0.4, lambda: (f"Documents/{rng.choice(('Finance', 'Work', 'School'))}/{rng.randrange(2015, 2026)}/{hx(6)}.pdf", size(100000))),
    (1.5, lambda: (f"Zotero/storage/{hx(8).upper()}/{hx(10)}.pdf", size(400000, 1.2))),
    # Project trees: source, node_modules, git objects; only `find` walks them.
    (4, lambda: (f"src/project-{rng.randrange(20)}/node_modules/pkg-{rng.randrange(300)}/{rng.choice(('lib', 'dist', 'src'))}/{hx(6)}.js", size(2500))),
    (3, lambda: (f"src/project-{rng.randrange(20)}/.git/objects/{hx(2)}/{hx(38)}", size(900, 1.5))),
    (2, lambda: (f"src/project-{rng.randrange(20)}/src/mod{rng.randrange(30)}/{hx(6)}.{rng.choice(('rs', 'py', 'ts', 'c'))}", size(4000))),
]
left = total - count["files"] - 30
weights = sum(w for w, _ in buckets)
for k, (w, gen) in enumerate(buckets):
    n = round(left * w / weights) if k < len(buckets) - 1 else total - 30 - count["files"]
    made = 0
    while made < n:
        rel, sz = gen()
        if os.path.lexists(os.path.join(home, rel)):
            continue  # a rare repeated name: drawn again
        mkfile(rel, sz)
        made += 1
# Dotfiles and a few files in ~ itself.
for i in range(30):
    mkfile(f".{rng.choice(('bash', 'zsh', 'vim', 'git', 'npm', 'wget'))}rc-{i}" if i < 20 else f"notes-{i}.txt", size(700, 1.0))
# Links are followed by neither.
os.symlink("../.mozilla/firefox/x1b2c3d4.default-release/places.sqlite", os.path.join(home, "Documents/places-link.sqlite"))
os.symlink("192.168.1.2:+12345", os.path.join(home, ".mozilla/firefox/x1b2c3d4.default-release/lock"))
os.symlink("../src", os.path.join(home, ".config/src-link"))
folders = set()
for d in made_dirs:
    while d != home and d not in folders:
        folders.add(d)
        d = os.path.dirname(d)
json.dump({"version": version, "files": count["files"], "files_512": count["files_512"],
           "folders": len(folders), "sqlite": sqlite_paths}, open(manifest, "w"), indent=1)
EOF
  echo "made $H in $(awk "BEGIN{printf \"%.1f\", $(date +%s.%N) - $gen_start}") s" >&2
fi
read -r M_FILES M_512 M_DBS M_SEEN <<<"$(python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); print(m["files"], m["files_512"], len(m["sqlite"]), sum(s["seen"] for s in m["sqlite"]))' "$MANIFEST")"

# --- The runs ---------------------------------------------------------------------------------
KS_OUT="$W/find-out.json"
measure() { # measure OUT NAME CMD... -> appends "SECS RSS_KB" to $W/find-NAME.times
  local out=$1 name=$2; shift 2
  /usr/bin/time -f "%e %M" -o "$W/time.txt" "$@" >"$out" 2>"$W/err.txt" || { cat "$W/err.txt" >&2; exit 1; }
  tail -1 "$W/time.txt" >>"$W/find-$name.times"
}
KEEPSAKE=("$BIN" find --home "$H" --json --max-seconds 600 --max-entries 10000000)
# shellcheck disable=SC2016 # $1 is the inner shell's
BASELINE=(sh -c 'find "$1" -type f -size +511c -print0 | xargs -0 head -c 16 -q 2>/dev/null | grep -a -o "SQLite format 3" | wc -l' _ "$H")
rm -f "$W/find-keepsake.times" "$W/find-baseline.times"
measure "$KS_OUT" keepsake "${KEEPSAKE[@]}" # warm: both see the same page cache
measure "$W/find-base.txt" baseline "${BASELINE[@]}"
rm -f "$W/find-keepsake.times" "$W/find-baseline.times"
for _ in $(seq "$RUNS"); do
  measure "$KS_OUT" keepsake "${KEEPSAKE[@]}"
  measure "$W/find-base.txt" baseline "${BASELINE[@]}"
done
median() { cut -d' ' -f1 "$1" | sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
peak_mib() { cut -d' ' -f2 "$1" | sort -n | tail -1 | awk '{printf "%.1f", $1/1024}'; }
ks_s=$(median "$W/find-keepsake.times"); ks_rss=$(peak_mib "$W/find-keepsake.times")
base_s=$(median "$W/find-baseline.times"); base_rss=$(peak_mib "$W/find-baseline.times")
ks_all=$(cut -d' ' -f1 "$W/find-keepsake.times" | paste -sd' '); base_all=$(cut -d' ' -f1 "$W/find-baseline.times" | paste -sd' ')
# Debug-build note: the binary's own profile, as a reader of the table should know it.
profile=release; case $BIN in *debug*) profile="debug build, not a release figure" ;; esac

# --- The check: both against what the generator put there ----------------------------------------
read -r ks_dbs ks_files ks_folders ks_stopped missing extra <<<"$(python3 - "$KS_OUT" "$MANIFEST" "$H" <<'EOF'
import json, os, sys
out, m, home = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), sys.argv[3]
found = {os.path.relpath(f["path"], home) for a in out["apps"] for f in a["files"]}
found |= {os.path.relpath(f["path"], home) for f in out["unknown"]}
seen = {s["path"] for s in m["sqlite"] if s["seen"]}
missing, extra = sorted(seen - found), sorted(found - seen)
for p in missing: print("keepsake missed:", p, file=sys.stderr)
for p in extra: print("keepsake found one not put there:", p, file=sys.stderr)
c = out["counts"]
print(c["databases"], c["files"], c["folders"], out["stopped"] or "none", len(missing), len(extra))
EOF
)"
base_dbs=$(tr -d ' ' <"$W/find-base.txt")
ok=yes
[ "$ks_stopped" = none ] || { echo "keepsake find stopped early ($ks_stopped): raise its budgets" >&2; ok=no; }
[ "$ks_dbs" = "$M_SEEN" ] && [ "$missing" = 0 ] && [ "$extra" = 0 ] || { echo "keepsake found $ks_dbs databases, $M_SEEN are in its places" >&2; ok=no; }
[ "$base_dbs" = "$M_DBS" ] || { echo "the baseline counted $base_dbs SQLite headers, $M_DBS were put in the home" >&2; ok=no; }

ratio() { awk "BEGIN{printf \"%.2fx\", $1/$2}"; }
SECTION="$W/find-section.md"
{
  echo
  echo "## keepsake find ($profile; $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores)"
  echo
  echo "A generated home of $M_FILES regular files ($M_512 of 512 bytes or more) in $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["folders"])' "$MANIFEST") folders, $M_DBS SQLite databases."
  echo "Warm page cache; median of $RUNS runs each, alternating (keepsake: $ks_all s; baseline: $base_all s); peak RSS the highest of them."
  echo
  echo "| tool | median s | peak RSS MiB | databases found | files looked at |"
  echo "|---|---|---|---|---|"
  echo "| \`keepsake find --json\` | $ks_s | $ks_rss | $ks_dbs | $ks_files (in $ks_folders folders) |"
  echo "| \`find -type f -size +511c -print0 \| xargs -0 head -c 16 -q \| grep -a -o 'SQLite format 3' \| wc -l\` | $base_s | $base_rss | $base_dbs | $M_FILES |"
  echo "| keepsake / baseline | $(ratio "$ks_s" "$base_s") | $(ratio "$ks_rss" "$base_rss") | | |"
  echo
  echo "Both apply the same test (the first 16 bytes of each regular file of 512 bytes or more; links not followed)."
  echo "The baseline walks the whole home; keepsake, by design, the places apps keep data and the home's top levels only:"
  echo "the $((M_DBS - M_SEEN)) databases below the home's own folders (~/src/project-N/..., ~/Documents/Finance/2023/, ~/Downloads/old/archive/)"
  echo "are the baseline's alone. Checked: keepsake found exactly the $M_SEEN in its places ($( [ $ok = yes ] && echo agreed || echo "DID NOT AGREE" ))."
} >"$SECTION"
[ -f "$RESULTS" ] || echo "# scripts/bench_find.sh, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores" >"$RESULTS"
cat "$SECTION" >>"$RESULTS"
cat "$SECTION"
[ $ok = yes ] || exit 1
