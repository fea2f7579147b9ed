//! The fixtures themselves, for every protocol found in `fixtures/` (a folder with a
//! `profile.yaml`; none is named here): schemas compile, the examples pass the schema they are
//! named after, the variants that must fail do (so the schemas are not vacuous), and every note a
//! scenario cites exists.
//!
//! Folders of `fixtures/<p>/examples/` and what each file must do:
//! - `.`, `acks/`: pass the schema its name gives in `schemas/`; one with a type at the profile's
//!   type pointer also passes the full check of a received message (the envelope, then the schema
//!   of its type), so its type and its file name agree;
//! - `client/`: pass its schema in `schemas/client/`;
//! - `rest/`: pass its schema in `schemas/rest/` (the bodies of the HTTP API);
//! - `document/`, `document/client/`: the protocol document's own examples, verbatim; one whose
//!   name holds `.contradicts` (a decision of the notes overrides the document) must fail its
//!   schema, every other one must pass;
//! - `invalid/`: fail its schema (`client__x.y.json` means `client/x`, `rest__x.y.json` `rest/x`);
//! - `elided/`: fail the full check (the document elides values the schemas require).
//!
//! Naming: an example's schema is the longest dot-separated prefix of its file name that names a
//! schema (`ack.get_job.error.json` → `ack.get_job`).

use crate::support;

use std::path::{Path, PathBuf};

use harness::profile::Profile;
use harness::schema::SchemaSet;

/// Marks a document example that a decision of the protocol's notes contradicts.
const CONTRADICTED: &str = ".contradicts";

/// The folders of `schemas/` besides the top one whose examples are checked: what a client
/// sends, and the bodies of the HTTP API.
const FOLDERS: [&str; 2] = ["client", "rest"];

/// The protocols of `fixtures/`: every folder there, each of which must have a profile.
fn protocols() -> Vec<String> {
    let mut found: Vec<String> = std::fs::read_dir(support::root().join("fixtures"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .map(|p| {
            assert!(
                p.join("profile.yaml").is_file(),
                "{} has no profile.yaml",
                p.display()
            );
            p.file_name().unwrap().to_str().unwrap().to_owned()
        })
        .collect();
    found.sort();
    assert!(found.len() >= 2, "fixtures/ holds {found:?}");
    found
}

fn json_files(dir: &Path) -> Vec<(PathBuf, serde_json::Value)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<_> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .map(|p| {
            let value = serde_json::from_str(&std::fs::read_to_string(&p).unwrap())
                .unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            (p, value)
        })
        .collect();
    files.sort_by(|a, b| a.0.cmp(&b.0));
    files
}

fn file_name(path: &Path) -> &str {
    path.file_name().unwrap().to_str().unwrap()
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

/// One protocol's compiled schemas: received (`schemas/`), and those of each of [`FOLDERS`] it
/// has (`schemas/client/`, sent; `schemas/rest/`, the HTTP API's bodies).
struct Sets {
    examples: PathBuf,
    top: SchemaSet,
    folders: Vec<(&'static str, SchemaSet)>,
}

impl Sets {
    fn of(protocol: &str) -> Sets {
        let dir = support::root().join("fixtures").join(protocol);
        let profile = Profile::load(&support::root().join("fixtures"), protocol).unwrap();
        let top = SchemaSet::load(&dir, &profile).unwrap();
        let folders = FOLDERS
            .into_iter()
            .filter(|folder| dir.join("schemas").join(folder).is_dir())
            .map(|folder| {
                let set = SchemaSet::load_folder(&dir, folder, &profile).unwrap();
                (folder, set)
            })
            .collect();
        Sets {
            examples: dir.join("examples"),
            top,
            folders,
        }
    }

    /// The schemas of `schemas/<folder>/`, which the example at `path` needs.
    fn folder(&self, folder: &str, path: &Path) -> &SchemaSet {
        self.folders
            .iter()
            .find(|(name, _)| *name == folder)
            .map(|(_, set)| set)
            .unwrap_or_else(|| panic!("{} has no schemas/{folder}", path.display()))
    }

    fn client(&self, path: &Path) -> &SchemaSet {
        self.folder("client", path)
    }

    /// The problems of `example` against the schema `name` gives, in `set`.
    fn issues(set: &SchemaSet, name: &str, example: &serde_json::Value) -> usize {
        set.check_as(&stem_of(name, set), example).len()
    }
}

#[test]
fn every_example_passes_the_schema_it_is_named_after() {
    for protocol in protocols() {
        let sets = Sets::of(&protocol);
        let mut checked = 0;
        for folder in ["", "acks"] {
            for (path, example) in json_files(&sets.examples.join(folder)) {
                let stem = stem_of(file_name(&path), &sets.top);
                assert_eq!(
                    sets.top.check_as(&stem, &example),
                    vec![],
                    "{}",
                    path.display()
                );
                if sets.top.type_of(&example).is_some() {
                    assert_eq!(sets.top.check(&example), vec![], "{}", path.display());
                }
                checked += 1;
            }
        }
        for folder in FOLDERS {
            for (path, example) in json_files(&sets.examples.join(folder)) {
                let set = sets.folder(folder, &path);
                let issues = set.check_as(&stem_of(file_name(&path), set), &example);
                assert_eq!(issues, vec![], "{}", path.display());
                checked += 1;
            }
        }
        assert!(checked >= 3, "{protocol} has {checked} examples");
    }
}

#[test]
fn document_examples_pass_unless_named_contradicted() {
    for protocol in protocols() {
        let sets = Sets::of(&protocol);
        let document = sets.examples.join("document");
        let top = json_files(&document).into_iter().map(|f| (f, &sets.top));
        let client = json_files(&document.join("client"))
            .into_iter()
            .map(|f| (f.clone(), sets.client(&f.0)));
        for ((path, example), set) in top.chain(client) {
            let name = file_name(&path);
            let issues = Sets::issues(set, name, &example);
            if name.contains(CONTRADICTED) {
                assert!(
                    issues > 0,
                    "{} is contradicted and must fail",
                    path.display()
                );
            } else {
                assert_eq!(issues, 0, "{} must pass", path.display());
            }
        }
    }
}

#[test]
fn every_invalid_variant_fails_its_schema() {
    for protocol in protocols() {
        let sets = Sets::of(&protocol);
        for (path, example) in json_files(&sets.examples.join("invalid")) {
            let name = file_name(&path);
            let (set, name) = match name.split_once("__") {
                Some((folder, rest)) => (sets.folder(folder, &path), rest),
                None => (&sets.top, name),
            };
            assert!(
                Sets::issues(set, name, &example) > 0,
                "{} must fail",
                path.display()
            );
        }
    }
}

#[test]
fn elided_examples_fail_their_schemas() {
    let mut seen = 0;
    for protocol in protocols() {
        let sets = Sets::of(&protocol);
        for (path, example) in json_files(&sets.examples.join("elided")) {
            assert!(
                !sets.top.check(&example).is_empty(),
                "{} elides required values and must not validate",
                path.display()
            );
            seen += 1;
        }
    }
    assert!(seen > 0, "no elided examples at all");
}

/// `coverage.yaml` fits the schemas (its exclusions name items of the document, its error-code
/// enum exists) and `mutants.yaml` parses, for every protocol: both are read only by
/// `wsconform coverage` and `wsconform mutate`, which no other test runs on every protocol.
#[test]
fn coverage_and_allowed_mutants_load() {
    let fixtures = support::root().join("fixtures");
    for protocol in protocols() {
        let profile = Profile::load(&fixtures, &protocol).unwrap();
        let inventory = harness::coverage::load_inventory(&fixtures.join(&protocol), &profile)
            .unwrap_or_else(|e| panic!("{protocol}: {e}"));
        assert!(
            !inventory.received.is_empty(),
            "{protocol} receives nothing"
        );
        for (stem, kind) in &inventory.received {
            assert_eq!(
                harness::schema::schema_stem(&kind.name),
                *stem,
                "{protocol}: the schema {stem}.json fixes another type"
            );
        }
        harness::mutate::allowed::AllowList::load(&fixtures, &protocol)
            .unwrap_or_else(|e| panic!("{protocol}: {e}"));
    }
}

#[test]
fn every_ark_event_of_the_decisions_table_has_a_schema() {
    let sets = Sets::of("ark");
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
            sets.top.has(&harness::schema::schema_stem(event)),
            "{event} has no schema"
        );
    }
}

#[test]
fn every_note_a_scenario_cites_exists() {
    for protocol in protocols() {
        let folder = support::root().join("scenarios").join(&protocol);
        if !folder.is_dir() {
            continue; // a protocol whose suite is not written yet cites nothing
        }
        let notes = std::fs::read_to_string(folder.join("NOTES.md")).unwrap_or_default();
        for scenario in support::scenarios(&protocol) {
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
