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

/// The engine's floors as crates: each depends only on the Keepsake crates below it (read from
/// Cargo.lock), so the model, the store, the format and the schedule can be built and tested
/// without the engine.
#[test]
fn each_floor_crate_depends_only_on_the_floors_below_it() {
    let lock = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../Cargo.lock")).unwrap();
    let lock: toml::Table = lock.parse().unwrap();
    let ours = |name: &str| -> BTreeSet<String> {
        let p =
            lock["package"].as_array().unwrap().iter().find(|p| p["name"].as_str() == Some(name)).unwrap();
        p.get("dependencies")
            .and_then(|d| d.as_array())
            .into_iter()
            .flatten()
            .map(|d| d.as_str().unwrap().split(' ').next().unwrap().to_owned())
            // Keepsake's crates; the engine's own tests depend on it (with its fixtures).
            .filter(|d| d.starts_with("keepsake-") && d != name)
            .collect()
    };
    let allowed: &[(&str, &[&str])] = &[
        ("keepsake-model", &[]),
        ("keepsake-schedule", &[]),
        ("keepsake-discover", &["keepsake-model"]),
        ("keepsake-store", &["keepsake-model"]),
        ("keepsake-format", &["keepsake-model", "keepsake-store"]),
        (
            "keepsake-engine",
            &[
                "keepsake-model",
                "keepsake-store",
                "keepsake-format",
                "keepsake-schedule",
                "keepsake-discover",
            ],
        ),
    ];
    for (name, below) in allowed {
        let below: BTreeSet<String> = below.iter().map(|b| (*b).to_owned()).collect();
        let has = ours(name);
        let beyond: Vec<&String> = has.difference(&below).collect();
        assert!(beyond.is_empty(), "{name} depends on {beyond:?}, beyond {below:?}");
    }
}

/// The remote stores stand on the storage seam and the records, not on the engine (its normal
/// dependencies in Cargo.toml; the engine is a dev-dependency of its tests only): a change to
/// the engine's verbs never rebuilds them, and a store cannot reach past the seam.
#[test]
fn the_remote_stores_depend_on_the_store_and_the_model_not_the_engine() {
    let manifest =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../remote/Cargo.toml")).unwrap();
    let manifest: toml::Table = manifest.parse().unwrap();
    let ours: Vec<&str> = manifest["dependencies"]
        .as_table()
        .unwrap()
        .keys()
        .map(String::as_str)
        .filter(|d| d.starts_with("keepsake-"))
        .collect();
    assert_eq!(ours, ["keepsake-model", "keepsake-store"]);
}
