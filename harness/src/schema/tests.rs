#![allow(clippy::unwrap_used)]

use serde_json::json;

use super::*;
use crate::profile::{Profile, TransportKind};

fn write(dir: &Path, name: &str, value: Value) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, serde_json::to_string_pretty(&value).unwrap()).unwrap();
}

/// A two-message protocol whose event schema uses a relative `$ref` into `defs.json`.
fn fixture() -> (tempfile::TempDir, SchemaSet) {
    let dir = tempfile::tempdir().unwrap();
    let schemas = dir.path().join("schemas");
    write(
        &schemas,
        "envelope.json",
        json!({
            "$id": "https://example.test/p/envelope.json",
            "type": "object", "required": ["event", "data"],
            "properties": {"event": {"type": "string"}, "data": {"type": "object"}},
            "additionalProperties": false
        }),
    );
    write(
        &schemas,
        "defs.json",
        json!({
            "$id": "https://example.test/p/defs.json",
            "$defs": {"time": {"type": "string", "format": "date-time"}}
        }),
    );
    write(
        &schemas,
        "thing.made.json",
        json!({
            "$id": "https://example.test/p/thing.made.json",
            "type": "object",
            "properties": {"data": {
                "type": "object", "required": ["at"],
                "properties": {"at": {"$ref": "defs.json#/$defs/time"}},
                "additionalProperties": false
            }}
        }),
    );
    write(
        &schemas,
        "thing.chosen.json",
        json!({
            "type": "object",
            "properties": {"data": {"oneOf": [
                {"type": "object", "required": ["jobId"], "additionalProperties": false,
                 "properties": {"jobId": {"type": "string"}}},
                {"type": "object", "required": ["error"], "properties": {"error": {
                    "type": "object", "required": ["code", "message"]}}}
            ]}}
        }),
    );
    let profile = Profile {
        protocol: "p".into(),
        transport: TransportKind::Websocket,
        ws_path: "/ws".into(),
        socketio_path: None,
        namespace: None,
        default_port: 1,
        type_pointer: "/event".into(),
        envelope: Some("envelope.json".into()),
        broadcast: Default::default(),
        vars: Default::default(),
        binary: Default::default(),
    };
    let set = SchemaSet::load(dir.path(), &profile).unwrap();
    (dir, set)
}

#[test]
fn a_conforming_message_has_no_issue() {
    let (_dir, set) = fixture();
    let message = json!({"event": "thing:made", "data": {"at": "2024-01-15T10:30:00.000Z"}});
    assert_eq!(set.check(&message), vec![]);
}

#[test]
fn a_bad_format_through_a_relative_ref_is_found_at_its_path() {
    let (_dir, set) = fixture();
    let issues = set.check(&json!({"event": "thing:made", "data": {"at": "yesterday"}}));
    assert_eq!(issues.len(), 1, "{issues:?}");
    assert_eq!(issues[0].path.as_deref(), Some("$.data.at"));
}

#[test]
fn an_extra_field_and_a_missing_field_are_both_found() {
    let (_dir, set) = fixture();
    let issues = set.check(&json!({"event": "thing:made", "data": {"other": 1}}));
    assert_eq!(issues.len(), 2, "{issues:?}");
}

#[test]
fn an_unknown_type_is_a_finding() {
    let (_dir, set) = fixture();
    let issues = set.check(&json!({"event": "thing:lost", "data": {}}));
    assert_eq!(issues.len(), 1);
    assert!(
        issues[0]
            .message
            .contains("unknown message type \"thing:lost\"")
    );
    assert_eq!(issues[0].path.as_deref(), Some("$.event"));
}

#[test]
fn the_shared_definitions_are_no_message_type() {
    let (_dir, set) = fixture();
    assert!(!set.has("defs"));
    let issues = set.check(&json!({"event": "defs", "data": {}}));
    assert!(
        issues[0].message.contains("unknown message type \"defs\""),
        "{issues:?}"
    );
}

#[test]
fn an_envelope_violation_is_reported_before_the_type() {
    let (_dir, set) = fixture();
    let issues = set.check(&json!({"event": "thing:made"}));
    assert!(
        issues[0].message.starts_with("envelope schema"),
        "{issues:?}"
    );
}

#[test]
fn pointers_become_readable_paths() {
    assert_eq!(pointer_to_path(""), "$");
    assert_eq!(pointer_to_path("/data/items/0/a~1b"), "$.data.items[0].a/b");
}

#[test]
fn a_schema_can_be_named_explicitly() {
    let (_dir, set) = fixture();
    let message = json!({"data": {"at": "2024-01-15T10:30:00Z"}});
    assert_eq!(set.check_as("thing.made", &message), vec![]);
    assert_eq!(set.check_as("thing.made", &json!({"data": {}})).len(), 1);
    assert!(
        set.check_as("no.such", &message)[0]
            .message
            .contains("no schema no.such.json")
    );
}

#[test]
fn a_oneof_names_the_closest_branch_and_the_key_it_trips_on() {
    let (_dir, set) = fixture();
    let message = json!({"event": "thing:chosen", "data": {"error": {"code": "X"}}});
    let issues = set.check(&message);
    assert_eq!(issues.len(), 1, "{issues:?}");
    assert_eq!(issues[0].path.as_deref(), Some("$.data.error"));
    let text = &issues[0].message;
    assert!(
        text.contains("matches none of the 2 oneOf branches at $.data; the closest, branch 2, fails at $.data.error: \"message\" is a required property"),
        "{text}"
    );
}
