//! The floors inside the crates, checked rather than hoped for (docs/ARCHITECTURE.md): the
//! modules of a crate import each other in one direction only. Read from the code: every
//! `crate::name` a file of a module names (outside comments and its unit tests) is an arrow
//! from its top-level module to `name`'s; inside a folder, every `super::name` or
//! `crate::folder::name` is an arrow between the two files.
//!
//! Each crate's top-level modules are written below on floors, top first: an arrow goes to the
//! same floor or one below, never up, no module is left off the list, and no two modules (or
//! two files of one folder) import each other, directly or round a circle.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The engine's floors, top first.
const ENGINE: &[&[&str]] = &[
    // Hosts: the scheduler's loop body, one engine per folder, the weekly report.
    &["scheduler", "engines", "report"],
    // The verbs, each an `impl Engine` room.
    &["folder", "commands", "chain", "legacy", "space"],
    // The engine itself: a store, its catalog, the installation, the seams.
    &["engine"],
    // Records and settings: the catalog, the installation's folder, page lists, names, sources.
    &["catalog", "installation", "manifest", "names", "sources"],
    // Pure rules over records (and where a folder is: this disk, another, synced).
    &["retention", "watch", "places"],
    // Test fixtures, the process's hardening (records, errors and seams are the model crate's,
    // below).
    &["testing", "hardening"],
];

/// The model crate's floors, top first.
const MODEL: &[&[&str]] = &[&["destinations"], &["model", "seams"], &["error"]];

/// The store crate's floors, top first.
const STORE: &[&[&str]] = &[&["store", "lock"], &["durable"]];

/// The format crate's floors, top first.
const FORMAT: &[&[&str]] = &[&["snapshot", "held"], &["format", "pipeline"]];

/// The discover crate's floors, top first: the scan reads the catalogue.
const DISCOVER: &[&[&str]] = &[&["scan"], &["catalogue"]];

/// The schedule crate's floors, top first (its root, `lib.rs`, holds the schedule's types).
const SCHEDULE: &[&[&str]] = &[&["decide", "slots", "tests"], &["cron"], &["phrase", "error"]];

/// The CLI's floors, top first.
const CLI: &[&[&str]] = &[
    // The verbs, one file each, and their table.
    &["commands"],
    // What they share: the settings, the password's sources.
    &["config", "secret"],
    &["output", "sources"],
    &["env", "interrupt", "error"],
    &["hints"],
    &["words", "args", "mail", "progress"],
];

/// The desktop shell's floors, top first.
const SHELL: &[&[&str]] = &[
    // The IPC surface and the hosts (the scheduler thread, the tray).
    &["scheduler", "commands", "tray"],
    // The actions they share, and the copier.
    &["copier", "service"],
    // Sinks and read models.
    &["notify", "demo", "platform", "view"],
    // The app's state, and the window's contract.
    &["contract", "state"],
    // The bottom: events, settings, jobs, the thread control, the keyring, errors.
    &["jobs", "settings", "control", "keyring", "error", "events", "logging"],
];

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every `.rs` file under `dir`.
fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The code of a file without its comments and its `#[cfg(test)] mod tests`.
fn code(text: &str) -> String {
    let text = text.split("#[cfg(test)]\nmod tests").next().unwrap_or_default();
    text.lines().map(|l| l.split("//").next().unwrap_or_default()).collect::<Vec<_>>().join("\n")
}

fn ident(s: &str) -> &str {
    let end = s.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(s.len());
    &s[..end]
}

/// The top-level modules a piece of code names through `crate::`.
fn named(code: &str) -> BTreeSet<String> {
    named_after(code, "crate::")
}

/// The first name after each `prefix` (`crate::`, `super::`) in a piece of code, also in groups.
fn named_after(code: &str, prefix: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (at, _) in code.match_indices(prefix) {
        let rest = &code[at + prefix.len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // `use crate::{a, b::c, d::{e, f}}`: the first name of each item at depth 0.
            let mut depth = 0;
            let mut item_start = true;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => item_start = true,
                    c if item_start && (c.is_ascii_alphanumeric() || c == '_') => {
                        out.insert(ident(&group[i..]).to_owned());
                        item_start = false;
                    }
                    _ => {}
                }
            }
        } else {
            out.insert(ident(rest).to_owned());
        }
    }
    out
}

/// The arrows between the top-level modules of the crate whose sources are in `src`.
fn arrows(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut all = Vec::new();
    files(src, &mut all);
    assert!(all.len() > 2, "the sources of {}", src.display());
    let mut arrows: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in all {
        let rel = file.strip_prefix(src).unwrap();
        let first = rel.components().next().unwrap().as_os_str().to_string_lossy().into_owned();
        let module = first.trim_end_matches(".rs").to_owned();
        let to = arrows.entry(module.clone()).or_default();
        let text = code(&std::fs::read_to_string(&file).unwrap());
        let mut names = named(&text);
        // In a file at the crate's root, `super::` is the crate.
        if rel.components().count() == 1 {
            names.extend(named_after(&text, "super::"));
        }
        for name in names {
            if name != module {
                to.insert(name);
            }
        }
    }
    // Only arrows to modules of this crate (not `crate::` in a string, a macro's own path).
    let modules: BTreeSet<String> = arrows.keys().cloned().collect();
    for to in arrows.values_mut() {
        to.retain(|m| modules.contains(m));
    }
    arrows
}

/// The arrows between the files of each folder under `src` (`super::name`, `crate::dir::name`),
/// by folder.
fn sibling_arrows(src: &Path) -> BTreeMap<PathBuf, BTreeMap<String, BTreeSet<String>>> {
    let mut all = Vec::new();
    files(src, &mut all);
    let mut out: BTreeMap<PathBuf, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
    for file in &all {
        let dir = file.parent().unwrap();
        if dir == src {
            continue;
        }
        let folder = dir.strip_prefix(src).unwrap();
        let path: Vec<String> =
            folder.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
        let me = file.file_stem().unwrap().to_string_lossy().into_owned();
        let text = code(&std::fs::read_to_string(file).unwrap());
        let mut to = named_after(&text, "super::");
        to.extend(named_after(&text, &format!("crate::{}::", path.join("::"))));
        to.remove(&me);
        out.entry(folder.to_path_buf()).or_default().insert(me, to);
    }
    for arrows in out.values_mut() {
        let files: BTreeSet<String> = arrows.keys().cloned().collect();
        for to in arrows.values_mut() {
            to.retain(|f| files.contains(f));
        }
    }
    out
}

/// The modules in an import circle (strongly connected with another), each circle once.
fn circles(arrows: &BTreeMap<String, BTreeSet<String>>) -> Vec<BTreeSet<String>> {
    let reach = |from: &str| {
        let mut seen = BTreeSet::new();
        let mut todo: Vec<&str> = arrows[from].iter().map(String::as_str).collect();
        while let Some(m) = todo.pop() {
            if seen.insert(m.to_owned()) {
                todo.extend(arrows.get(m).into_iter().flatten().map(String::as_str));
            }
        }
        seen
    };
    let reached: BTreeMap<&str, BTreeSet<String>> = arrows.keys().map(|m| (m.as_str(), reach(m))).collect();
    let mut out: Vec<BTreeSet<String>> = Vec::new();
    for m in arrows.keys() {
        if !reached[m.as_str()].contains(m) || out.iter().any(|c| c.contains(m)) {
            continue;
        }
        let circle: BTreeSet<String> = arrows
            .keys()
            .filter(|o| *o == m || (reached[m.as_str()].contains(*o) && reached[o.as_str()].contains(m)))
            .cloned()
            .collect();
        out.push(circle);
    }
    out
}

/// Checks the crate in `src` against its `floors`.
fn check_floors(src: &str, floors: &[&[&str]]) {
    let arrows = arrows(&workspace().join(src));
    let floor_of: BTreeMap<&str, usize> =
        floors.iter().enumerate().flat_map(|(i, f)| f.iter().map(move |m| (*m, i))).collect();
    for (from, to) in &arrows {
        if from == "lib" || from == "main" {
            continue;
        }
        let Some(&mine) = floor_of.get(from.as_str()) else {
            panic!("{src}: the module {from} is on no floor: put it on one in tests/modules.rs")
        };
        for m in to {
            let Some(&theirs) = floor_of.get(m.as_str()) else { continue };
            assert!(theirs >= mine, "{src}: {from} imports {m}, which is on a floor above it");
        }
    }
    for floor in floors {
        for m in *floor {
            assert!(arrows.contains_key(*m), "{src}: no module {m} any more: take it off its floor");
        }
    }
    assert_eq!(circles(&arrows), Vec::<BTreeSet<String>>::new(), "{src}: import circles: {arrows:#?}");
    for (folder, files) in sibling_arrows(&workspace().join(src)) {
        assert_eq!(
            circles(&files),
            Vec::<BTreeSet<String>>::new(),
            "{src}/{}: files importing each other: {files:#?}",
            folder.display()
        );
    }
}

#[test]
fn the_engines_modules_stand_on_their_floors() {
    check_floors("crates/engine/src", ENGINE);
}

#[test]
fn the_models_modules_stand_on_their_floors() {
    check_floors("crates/model/src", MODEL);
}

#[test]
fn the_stores_modules_stand_on_their_floors() {
    check_floors("crates/store/src", STORE);
}

#[test]
fn the_formats_modules_stand_on_their_floors() {
    check_floors("crates/format/src", FORMAT);
}

#[test]
fn the_discover_crates_modules_stand_on_their_floors() {
    check_floors("crates/discover/src", DISCOVER);
}

#[test]
fn the_schedules_modules_stand_on_their_floors() {
    check_floors("crates/schedule/src", SCHEDULE);
}

#[test]
fn the_clis_modules_stand_on_their_floors() {
    check_floors("crates/cli/src", CLI);
}

#[test]
fn the_shells_modules_stand_on_their_floors() {
    check_floors("src-tauri/src", SHELL);
}

#[test]
fn an_arrow_is_read_from_use_lines_groups_and_paths_but_not_comments() {
    let code = code(
        "use crate::a::X;\nuse crate::{b, c::{D, E}, f::G};\n// crate::h\nfn x() { crate::i::j(); }\n\
         #[cfg(test)]\nmod tests { use crate::k; }",
    );
    let names: Vec<String> = named(&code).into_iter().collect();
    assert_eq!(names, ["a", "b", "c", "f", "i"]);
    let siblings: Vec<String> =
        named_after("use super::{gzip::{self, Run}, Header};", "super::").into_iter().collect();
    assert_eq!(siblings, ["Header", "gzip"]);
    let arrows: BTreeMap<String, BTreeSet<String>> = [
        ("a".to_owned(), ["b".to_owned()].into()),
        ("b".to_owned(), ["a".to_owned()].into()),
        ("c".to_owned(), ["a".to_owned()].into()),
    ]
    .into();
    assert_eq!(circles(&arrows), vec![BTreeSet::from(["a".to_owned(), "b".to_owned()])]);
}
