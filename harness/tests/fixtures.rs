//! The fixtures themselves, for every protocol: schemas compile, the examples in
//! `fixtures/<p>/examples/` pass the schema they are named after, the variants in
//! `examples/invalid/` fail theirs (so the schemas are not vacuous), and every note a scenario
//! cites exists.
//!
//! Naming: an example's schema is the longest dot-separated prefix of its file name that names a
//! schema (`ack.get_job.error.json` → `ack.get_job`); `examples/client/` pairs with
//! `schemas/client/`; an invalid variant `client__x.y.json` means `client/x`.
#![allow(clippy::unwrap_used)]

mod support;

use std::path::{Path, PathBuf};

use harness::profile::Profile;
use harness::schema::SchemaSet;

const PROTOCOLS: [&str; 2] = ["ark", "jobber"];

fn json_files(dir: &Path) -> Vec<(PathBuf, serde_json::Value)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<_> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .map(|p| {
            let value = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
            (p, value)
        })
        .collect();
    files.sort_by(|a, b| a.0.cmp(&b.0));
    files
}

/// The schema stem an example file is named after, in `set`.
fn stem_of(name: &str, set: &SchemaSet) -> String {
    let parts: Vec<&str> = name.trim_end_matches(".json").split('.').collect();
    (1..=parts.len())
        .rev()
        .map(|n| parts[..n].join("."))
        .find(|stem| set.has(stem))
        .unwrap_or_else(|| panic!("no schema names the example {name}"))
}

fn sets(protocol: &str) -> (SchemaSet, Option<SchemaSet>) {
    let dir = support::root().join("fixtures").join(protocol);
    let profile = Profile::load(&support::root().join("fixtures"), protocol).unwrap();
    let top = SchemaSet::load(&dir, &profile).unwrap();
    let client = dir
        .join("schemas/client")
        .is_dir()
        .then(|| SchemaSet::load_folder(&dir, "client", &profile).unwrap());
    (top, client)
}

#[test]
fn every_example_passes_the_schema_it_is_named_after() {
    for protocol in PROTOCOLS {
        let (top, client) = sets(protocol);
        let examples = support::root()
            .join("fixtures")
            .join(protocol)
            .join("examples");
        let mut checked = 0;
        for (folder, set) in [
            ("", Some(&top)),
            ("acks", Some(&top)),
            ("client", client.as_ref()),
        ] {
            for (path, example) in json_files(&examples.join(folder)) {
                let set =
                    set.unwrap_or_else(|| panic!("{} has no schemas/{folder}", path.display()));
                let name = path.file_name().unwrap().to_str().unwrap();
                let issues = set.check_as(&stem_of(name, set), &example);
                assert_eq!(issues, vec![], "{}", path.display());
                checked += 1;
            }
        }
        assert!(checked >= 3, "{protocol} has {checked} examples");
    }
}

#[test]
fn every_invalid_variant_fails_its_schema() {
    for protocol in PROTOCOLS {
        let (top, client) = sets(protocol);
        let folder = support::root()
            .join("fixtures")
            .join(protocol)
            .join("examples/invalid");
        for (path, example) in json_files(&folder) {
            let name = path.file_name().unwrap().to_str().unwrap();
            let (set, name) = match name.strip_prefix("client__") {
                Some(rest) => (client.as_ref().unwrap(), rest),
                None => (&top, name),
            };
            assert!(
                !set.check_as(&stem_of(name, set), &example).is_empty(),
                "{} must fail",
                path.display()
            );
        }
    }
}

#[test]
fn elided_ark_examples_fail_their_schemas() {
    let (top, _) = sets("ark");
    let elided = json_files(&support::root().join("fixtures/ark/examples/elided"));
    assert!(!elided.is_empty());
    for (path, example) in elided {
        assert!(
            !top.check(&example).is_empty(),
            "{} has \"...\" ids and must not validate",
            path.display()
        );
    }
}

#[test]
fn every_ark_event_of_the_decisions_table_has_a_schema() {
    let (top, _) = sets("ark");
    let events = [
        "job:created",
        "job:progress",
        "job:completed",
        "job:failed",
        "job:cancelled",
        "instance:created",
        "instance:updated",
        "instance:status_changed",
        "instance:deleted",
        "instance:log",
        "agent:registered",
        "agent:heartbeat",
        "agent:offline",
        "system:error",
    ];
    for event in events {
        assert!(
            top.has(&harness::schema::schema_stem(event)),
            "{event} has no schema"
        );
    }
}

#[test]
fn every_note_a_scenario_cites_exists() {
    for protocol in PROTOCOLS {
        let folder = support::root().join("scenarios").join(protocol);
        if !folder.is_dir() {
            continue; // a protocol whose suite is not written yet cites nothing
        }
        let notes = std::fs::read_to_string(folder.join("NOTES.md")).unwrap_or_default();
        for scenario in support::scenarios(protocol) {
            for note in &scenario.notes {
                assert!(
                    notes.contains(&format!("**{note}.")),
                    "{} cites {note}, which NOTES.md lacks",
                    scenario.id
                );
            }
        }
    }
}
