//! Inventories of small inline schemas.

use super::*;
use serde_json::json;

/// A protocol with one event, one ack, one client message, shared enums, an option object, an
/// HTTP body and an envelope.
pub(crate) fn docs() -> BTreeMap<String, Value> {
    let mut docs = BTreeMap::new();
    docs.insert(
        "defs.json".to_owned(),
        json!({"$defs": {
            "state": {"enum": ["on", "off"]},
            "code": {"enum": ["BAD", "GONE"]},
            "Opts": {"properties": {"fast": {"type": "boolean"}, "slow": {}}}
        }}),
    );
    docs.insert(
        "envelope.json".to_owned(),
        json!({"type": "object", "properties": {"type": {}}}),
    );
    docs.insert(
        "thing.changed.json".to_owned(),
        json!({"properties": {
            "type": {"const": "thing:changed"},
            "state": {"$ref": "defs.json#/$defs/state"},
            "note": {"type": "string"}
        }}),
    );
    docs.insert(
        "ack.go.json".to_owned(),
        json!({"properties": {"ack": {}, "args": {"prefixItems": [{"properties": {"error": {}}}]}}}),
    );
    docs.insert(
        "client/go.json".to_owned(),
        json!({"properties": {"options": {"$ref": "../defs.json#/$defs/Opts"}}}),
    );
    docs.insert(
        "rest/error.json".to_owned(),
        json!({"properties": {"error": {"$ref": "../defs.json#/$defs/code"}}}),
    );
    docs
}

pub(crate) fn declared() -> Declared {
    Declared::parse(
        r#"
options: [Opts]
error_codes:
  enum_def: code
  codes: [SLOW]
  at:
    - { kind: "ack.*", pointer: /args/0/error, pattern: "^([A-Z_]+): " }
    - { kind: rest/error, pointer: /error }
http:
  error_body: rest/error
  endpoints:
    - { request: "GET /things/{id}", statuses: [200, 404] }
excluded:
  - { category: options, item: Opts.slow, reason: "nobody sends it" }
"#,
    )
    .expect("valid declaration")
}

pub(crate) fn inventory() -> Inventory {
    Inventory::build(&docs(), Some("envelope.json"), "/type", &declared()).expect("inventory")
}

fn texts(inventory: &Inventory, category: Category) -> Vec<String> {
    inventory
        .items
        .iter()
        .filter(|i| i.category == category)
        .map(|i| i.text.clone())
        .collect()
}

#[test]
fn messages_are_every_schema_but_the_envelope_and_the_definitions() {
    let inventory = inventory();
    assert_eq!(
        texts(&inventory, Category::MessagesReceived),
        ["ack.go", "thing:changed"]
    );
    assert_eq!(texts(&inventory, Category::MessagesSent), ["go"]);
}

#[test]
fn fields_carry_their_direction_and_kind() {
    assert_eq!(
        texts(&inventory(), Category::Fields),
        [
            "← ack.go $.ack",
            "← ack.go $.args",
            "← ack.go $.args[0].error",
            "← rest/error $.error",
            "← thing:changed $.note",
            "← thing:changed $.state",
            "← thing:changed $.type",
            "→ go $.options",
        ]
    );
}

#[test]
fn the_error_code_enum_counts_as_error_codes_not_enum_values() {
    let inventory = inventory();
    assert_eq!(
        texts(&inventory, Category::EnumValues),
        ["state = off", "state = on"]
    );
    assert_eq!(
        texts(&inventory, Category::ErrorCodes),
        ["BAD", "GONE", "SLOW"]
    );
}

#[test]
fn options_http_statuses_and_exclusions_come_from_the_declaration() {
    let inventory = inventory();
    assert_eq!(
        texts(&inventory, Category::Options),
        ["Opts.fast", "Opts.slow"]
    );
    assert_eq!(
        texts(&inventory, Category::Http),
        ["GET /things/{id} → 200", "GET /things/{id} → 404"]
    );
    assert_eq!(inventory.excluded.len(), 1);
}

#[test]
fn an_exclusion_of_no_item_is_an_error() {
    let mut declared = declared();
    declared.excluded[0].item = "Opts.gone".to_owned();
    let error = Inventory::build(&docs(), Some("envelope.json"), "/type", &declared)
        .expect_err("stale exclusion");
    assert!(error.to_string().contains("Opts.gone"), "{error}");
}

#[test]
fn a_declared_body_schema_must_exist() {
    let mut declared = declared();
    if let Some(http) = declared.http.as_mut() {
        http.endpoints[0].body = Some("rest/thing".to_owned());
    }
    let error = Inventory::build(&docs(), None, "/type", &declared).expect_err("no schema");
    assert!(matches!(error, InventoryError::NoSchema(ref s) if s == "rest/thing"));
}

#[test]
fn unknown_keys_in_the_declaration_are_errors() {
    assert!(Declared::parse("optionz: [Opts]\n").is_err());
}
