//! The engine's dependency rule (docs/ARCHITECTURE.md), checked rather than hoped for: nothing
//! the engine depends on, directly or not, is a GUI toolkit, an argument parser, an async
//! runtime or a terminal library. Read from Cargo.lock, the resolved graph.
#![allow(clippy::unwrap_used)]

use std::collections::{BTreeSet, HashMap};

/// Crates the engine must never pull in.
const FORBIDDEN: &[&str] = &["tauri", "clap", "tokio", "async-std", "smol", "indicatif", "crossterm", "wry"];

#[test]
fn the_engine_depends_on_no_gui_cli_or_async_crate() {
    let lock = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../Cargo.lock")).unwrap();
    let lock: toml::Table = lock.parse().unwrap();
    let packages = lock["package"].as_array().unwrap();
    // name -> the names of its dependencies (a lock entry may say "name version" when two
    // versions of a crate are locked; either version is followed).
    let mut deps: HashMap<String, Vec<String>> = HashMap::new();
    for p in packages {
        let name = p["name"].as_str().unwrap().to_owned();
        let list = p.get("dependencies").and_then(|d| d.as_array()).cloned().unwrap_or_default();
        let entry = deps.entry(name).or_default();
        for d in list {
            entry.push(d.as_str().unwrap().split(' ').next().unwrap().to_owned());
        }
    }
    let mut seen = BTreeSet::new();
    let mut todo = vec!["keepsake-engine".to_owned()];
    while let Some(name) = todo.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        todo.extend(deps.get(&name).cloned().unwrap_or_default());
    }
    assert!(seen.len() > 20, "the walk found the engine's dependencies: {seen:?}");
    for f in FORBIDDEN {
        assert!(!seen.contains(*f), "the engine depends on {f} (through {seen:?})");
    }
    assert!(!seen.iter().any(|n| n.starts_with("tauri")), "a tauri crate in the engine's graph");
    assert!(!seen.contains("keepsake-cli") && !seen.contains("keepsake-app"));
}
