//! The fixtures themselves: every protocol's schemas compile, the documents' own examples pass
//! them, and examples with elided ids (`"..."`) do not, so the check is not vacuous.
#![allow(clippy::unwrap_used)]

mod support;

use std::path::Path;

fn json_files(dir: &Path) -> Vec<(String, serde_json::Value)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .map(|p| {
            (
                p.display().to_string(),
                serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap(),
            )
        })
        .collect();
    files.sort_by(|a, b| a.0.cmp(&b.0));
    files
}

#[test]
fn the_ark_documents_examples_pass_their_schemas() {
    let suite = support::suite("ark");
    let examples = json_files(&support::root().join("fixtures/ark/examples"));
    assert_eq!(examples.len(), 3, "ark.md §3 has three examples");
    for (file, example) in examples {
        assert_eq!(suite.schemas.check(&example), vec![], "{file}");
    }
}

#[test]
fn elided_examples_fail_their_schemas() {
    let suite = support::suite("ark");
    let elided = json_files(&support::root().join("fixtures/ark/examples/elided"));
    assert!(!elided.is_empty());
    for (file, example) in elided {
        assert!(
            !suite.schemas.check(&example).is_empty(),
            "{file} has \"...\" ids and must not validate"
        );
    }
}

#[test]
fn every_ark_event_of_the_decisions_table_has_a_schema() {
    let suite = support::suite("ark");
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
        let issues = suite
            .schemas
            .check(&serde_json::json!({"event": event, "data": {}}));
        assert!(
            issues
                .iter()
                .all(|i| !i.message.contains("unknown message type")),
            "{event} has no schema: {issues:?}"
        );
    }
}

#[test]
fn every_note_a_scenario_cites_exists() {
    let notes = std::fs::read_to_string(support::root().join("scenarios/ark/NOTES.md")).unwrap();
    for scenario in support::scenarios("ark") {
        for note in &scenario.notes {
            assert!(
                notes.contains(&format!("**{note}.")),
                "{} cites {note}, which NOTES.md lacks",
                scenario.id
            );
        }
    }
}
