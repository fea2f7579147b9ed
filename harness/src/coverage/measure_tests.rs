//! Measuring small transcripts against the inventory of `model_tests`.

use super::*;
use crate::coverage::model::tests::inventory;

fn entry(actor: &str, direction: Direction, text: &str) -> TranscriptEntry {
    TranscriptEntry {
        at_ms: 0,
        actor: actor.to_owned(),
        direction,
        text: text.to_owned(),
        raw: None,
        matched: false,
        foreign: false,
    }
}

fn seen(entries: &[TranscriptEntry]) -> Vec<String> {
    measure(&inventory(), "/type", [entries])
        .into_iter()
        .map(|i| format!("{}: {}", i.category.name(), i.text))
        .collect()
}

#[test]
fn a_received_event_marks_its_type_fields_and_enum_values() {
    let entries = [entry(
        "a",
        Direction::Received,
        r#"{"type":"thing:changed","state":"on"}"#,
    )];
    assert_eq!(
        seen(&entries),
        [
            "messages_received: thing:changed",
            "fields: ← thing:changed $.state",
            "fields: ← thing:changed $.type",
            "enum_values: state = on",
        ]
    );
}

#[test]
fn an_ack_is_the_ack_of_the_emit_that_carried_its_label_and_yields_its_error_code() {
    let entries = [
        entry(
            "a",
            Direction::Sent,
            r#"{"emit":"go","args":[{"options":{"fast":true}}],"ack":"l1"}"#,
        ),
        entry(
            "a",
            Direction::Received,
            r#"{"ack":"l1","args":[{"error":"BAD: no"}]}"#,
        ),
    ];
    assert_eq!(
        seen(&entries),
        [
            "messages_received: ack.go",
            "messages_sent: go",
            "fields: ← ack.go $.ack",
            "fields: ← ack.go $.args",
            "fields: ← ack.go $.args[0].error",
            "fields: → go $.options",
            "error_codes: BAD",
            "options: Opts.fast",
        ]
    );
}

#[test]
fn an_ack_on_another_connection_is_not_matched_to_the_emit() {
    let entries = [
        entry(
            "a",
            Direction::Sent,
            r#"{"emit":"go","args":[{}],"ack":"l1"}"#,
        ),
        entry("b", Direction::Received, r#"{"ack":"l1","args":[{}]}"#),
    ];
    assert!(!seen(&entries).iter().any(|s| s.contains("ack.go")));
}

#[test]
fn an_http_answer_marks_its_endpoint_status_and_body() {
    let entries = [
        entry("http", Direction::Sent, "GET /things/42?full=1"),
        entry("http", Direction::Received, r#"404 {"error":"GONE"}"#),
        entry("http", Direction::Sent, "GET /elsewhere"),
        entry("http", Direction::Received, r#"404 {"error":"BAD"}"#),
    ];
    assert_eq!(
        seen(&entries),
        [
            "fields: ← rest/error $.error",
            "error_codes: GONE",
            "http: GET /things/{id} → 404",
        ]
    );
}

#[test]
fn foreign_traffic_and_text_that_is_not_json_exercise_nothing() {
    let mut foreign = entry("a", Direction::Received, r#"{"type":"thing:changed"}"#);
    foreign.foreign = true;
    let entries = [foreign, entry("a", Direction::Received, "connected")];
    assert!(seen(&entries).is_empty());
}

#[test]
fn the_summary_counts_exclusions_out_and_lists_the_holes() {
    let entries = [entry(
        "a",
        Direction::Received,
        r#"{"type":"thing:changed","state":"on"}"#,
    )];
    let inventory = inventory();
    let seen = measure(&inventory, "/type", [&entries[..]]);
    let figures = crate::coverage::ProtocolCoverage::of("p", &inventory, &seen);
    let options = figures
        .categories
        .iter()
        .find(|c| c.category == Category::Options)
        .expect("options");
    assert_eq!(
        (options.total, options.excluded, options.exercised),
        (2, 1, 0)
    );
    assert_eq!(options.never, ["Opts.fast"]);
    assert_eq!(options.percent, 0.0);
    let enums = figures
        .categories
        .iter()
        .find(|c| c.category == Category::EnumValues)
        .expect("enums");
    assert_eq!(enums.percent, 50.0);
    assert_eq!(enums.never, ["state = off"]);
}

#[test]
fn an_emitted_event_with_a_colon_finds_its_client_schema_and_its_ack_schema_by_stem() {
    let mut docs = crate::coverage::model::tests::docs();
    docs.insert(
        "ack.thing.do.json".to_owned(),
        serde_json::json!({"properties": {"ack": {}, "args": {}}}),
    );
    docs.insert(
        "client/thing.do.json".to_owned(),
        serde_json::json!({"properties": {"level": {"type": "integer"}}}),
    );
    let declared = crate::coverage::model::tests::declared();
    let inventory =
        Inventory::build(&docs, Some("envelope.json"), "/type", &declared).expect("inventory");
    let entries = [
        entry(
            "a",
            Direction::Sent,
            r#"{"emit":"thing:do","args":[{"level":3}],"ack":"l1"}"#,
        ),
        entry("a", Direction::Received, r#"{"ack":"l1","args":[{}]}"#),
    ];
    let seen: Vec<String> = measure(&inventory, "/type", [&entries[..]])
        .into_iter()
        .map(|i| format!("{}: {}", i.category.name(), i.text))
        .collect();
    assert!(
        seen.contains(&"messages_sent: thing.do".to_owned()),
        "{seen:?}"
    );
    assert!(
        seen.contains(&"fields: → thing.do $.level".to_owned()),
        "{seen:?}"
    );
    assert!(
        seen.contains(&"messages_received: ack.thing.do".to_owned()),
        "{seen:?}"
    );
}
