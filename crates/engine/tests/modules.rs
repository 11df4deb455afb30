//! The floors inside the crates, checked rather than hoped for (docs/ARCHITECTURE.md): the
//! modules of a crate import each other in one direction only. Read from the code: every
//! `crate::name` a file of a module names (outside comments and its unit tests) is an arrow
//! from its top-level module to `name`'s.
//!
//! The CLI and the desktop shell have no import circle. The engine still has one knot, the
//! modules listed in [`ENGINE_KNOT`]: the list may only shrink (a module leaving it is taken
//! off; a module joining it fails), and the modules outside it never join one.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The engine's modules still tied in one import circle (#24 unties it by moving the format,
/// store and schedule floors into crates of their own).
const ENGINE_KNOT: &[&str] =
    &["catalog", "commands", "engine", "folder", "legacy", "snapshot", "sources", "space"];

/// Modules that must import nothing else of their crate (a floor of their own).
const ENGINE_ALONE: &[&str] = &["schedule"];

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
    let mut out = BTreeSet::new();
    for (at, _) in code.match_indices("crate::") {
        let rest = &code[at + "crate::".len()..];
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
    assert!(all.len() > 5, "the sources of {}", src.display());
    let mut arrows: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in all {
        let rel = file.strip_prefix(src).unwrap();
        let first = rel.components().next().unwrap().as_os_str().to_string_lossy().into_owned();
        let module = first.trim_end_matches(".rs").to_owned();
        let to = arrows.entry(module.clone()).or_default();
        for name in named(&code(&std::fs::read_to_string(&file).unwrap())) {
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

#[test]
fn the_cli_and_the_shell_have_no_import_circle() {
    for src in ["crates/cli/src", "src-tauri/src"] {
        let arrows = arrows(&workspace().join(src));
        assert!(arrows.len() > 8, "{src}: {arrows:?}");
        assert_eq!(circles(&arrows), Vec::<BTreeSet<String>>::new(), "{src}: {arrows:#?}");
    }
}

#[test]
fn the_engines_knot_only_shrinks_and_its_floors_stay_alone() {
    let arrows = arrows(&workspace().join("crates/engine/src"));
    let knot: BTreeSet<String> = ENGINE_KNOT.iter().map(|m| (*m).to_owned()).collect();
    for circle in circles(&arrows) {
        let joined: Vec<&String> = circle.difference(&knot).collect();
        assert!(joined.is_empty(), "modules joined an import circle: {joined:?} in {circle:?}");
    }
    let tied: BTreeSet<String> = circles(&arrows).into_iter().flatten().collect();
    let left: Vec<&String> = knot.difference(&tied).collect();
    assert!(left.is_empty(), "untied, take them off ENGINE_KNOT: {left:?}");
    for m in ENGINE_ALONE {
        assert_eq!(arrows[*m], BTreeSet::new(), "{m} imports from the engine");
    }
}

#[test]
fn an_arrow_is_read_from_use_lines_groups_and_paths_but_not_comments() {
    let code = code(
        "use crate::a::X;\nuse crate::{b, c::{D, E}, f::G};\n// crate::h\nfn x() { crate::i::j(); }\n\
         #[cfg(test)]\nmod tests { use crate::k; }",
    );
    let names: Vec<String> = named(&code).into_iter().collect();
    assert_eq!(names, ["a", "b", "c", "f", "i"]);
    let arrows: BTreeMap<String, BTreeSet<String>> = [
        ("a".to_owned(), ["b".to_owned()].into()),
        ("b".to_owned(), ["a".to_owned()].into()),
        ("c".to_owned(), ["a".to_owned()].into()),
    ]
    .into();
    assert_eq!(circles(&arrows), vec![BTreeSet::from(["a".to_owned(), "b".to_owned()])]);
}
