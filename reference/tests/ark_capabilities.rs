//! An agent's `capabilities` (DECISIONS A1, ark-N4, ark-N5): whatever JSON object the agent
//! registers with is kept exactly, nested values included, and shown as given by every answer
//! that carries the agent (register 201, heartbeat 200, `GET /agents/:id`, `GET /agents`); an
//! absent one is `{}`; a re-registration replaces it. Values that are not objects are rejected in
//! `ark_rest.rs` with the other validation rules.

use crate::common;

use common::{Ark, observed_capabilities};
use serde_json::{Value, json};

/// An object with every kind of JSON value, nested, and keys the server has no reason to know.
fn arbitrary_capabilities() -> Value {
    json!({
        "supportsHardlinks": false,
        "maxConcurrentJobs": 16,
        "supportedGameTypes": ["ASA", "ASE", "SOMETHING_ELSE"],
        "ratio": 0.25,
        "big": 9_007_199_254_740_993_u64,
        "negative": -3,
        "nothing": null,
        "empty": {},
        "emptyList": [],
        "nested": {"deeper": {"list": [1, "two", {"three": [3.5, true, null]}]}},
        "unicode": "café 🦖",
        "": "empty key"
    })
}

fn register_with(ark: &mut Ark, agent_id: &str, capabilities: Value) -> (u16, Value) {
    let (status, body, events) = ark.call(
        "POST",
        "/agents/register",
        json!({"agentId": agent_id, "hostname": "h", "capabilities": capabilities, "version": "1"}),
    );
    assert_eq!(events.len(), 1, "{body}");
    (status, body)
}

/// The agent's capabilities in every answer that carries it, after registration.
fn capabilities_everywhere(ark: &mut Ark, agent_id: &str) -> Vec<Value> {
    let (status, heartbeat, _) = ark.call(
        "POST",
        "/agents/heartbeat",
        json!({"agentId": agent_id, "status": "ok"}),
    );
    assert_eq!(status, 200, "{heartbeat}");
    let (status, one, _) = ark.call("GET", &format!("/agents/{agent_id}"), Value::Null);
    assert_eq!(status, 200, "{one}");
    let (status, all, _) = ark.call("GET", "/agents", Value::Null);
    assert_eq!(status, 200, "{all}");
    let listed = all
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["agentId"] == agent_id)
        .unwrap();
    vec![
        heartbeat["capabilities"].clone(),
        one["capabilities"].clone(),
        listed["capabilities"].clone(),
    ]
}

#[test]
fn the_observed_shape_is_kept_and_shown_as_given() {
    let mut ark = Ark::new();
    let (status, body, _) = ark.register("a1");
    assert_eq!(status, 201);
    assert_eq!(body["capabilities"], observed_capabilities());
    for shown in capabilities_everywhere(&mut ark, "a1") {
        assert_eq!(shown, observed_capabilities());
    }
}

#[test]
fn an_arbitrary_object_is_kept_exactly_with_its_nested_values() {
    let mut ark = Ark::new();
    let (status, body) = register_with(&mut ark, "a1", arbitrary_capabilities());
    assert_eq!(status, 201);
    assert_eq!(body["capabilities"], arbitrary_capabilities());
    for shown in capabilities_everywhere(&mut ark, "a1") {
        assert_eq!(shown, arbitrary_capabilities());
    }
}

#[test]
fn keys_come_back_in_the_order_they_were_sent() {
    // Object key order carries no meaning in JSON; keeping it anyway makes the answer the
    // agent's own object byte for byte, which is what "kept as given" reads as to a client.
    let mut ark = Ark::new();
    let sent = r#"{"agentId":"a1","hostname":"h","version":"1","capabilities":{"z":1,"a":{"y":2,"b":3},"m":[]}}"#;
    let (status, body, _) = ark.raw("POST", "/agents/register", sent.as_bytes());
    assert_eq!(status, 201);
    assert_eq!(
        serde_json::to_string(&body["capabilities"]).unwrap(),
        r#"{"z":1,"a":{"y":2,"b":3},"m":[]}"#
    );
}

#[test]
fn absent_capabilities_are_an_empty_object() {
    let mut ark = Ark::new();
    let (status, body, _) = ark.call(
        "POST",
        "/agents/register",
        json!({"agentId": "a1", "hostname": "h", "version": "1"}),
    );
    assert_eq!(status, 201);
    assert_eq!(body["capabilities"], json!({}));
    for shown in capabilities_everywhere(&mut ark, "a1") {
        assert_eq!(shown, json!({}));
    }
}

#[test]
fn an_empty_object_is_kept() {
    let mut ark = Ark::new();
    let (status, body) = register_with(&mut ark, "a1", json!({}));
    assert_eq!(status, 201);
    assert_eq!(body["capabilities"], json!({}));
}

#[test]
fn re_registering_replaces_the_capabilities() {
    let mut ark = Ark::new();
    register_with(&mut ark, "a1", arbitrary_capabilities());
    let (status, body) = register_with(&mut ark, "a1", json!({"maxConcurrentJobs": 1}));
    assert_eq!(status, 201);
    assert_eq!(body["capabilities"], json!({"maxConcurrentJobs": 1}));
    for shown in capabilities_everywhere(&mut ark, "a1") {
        assert_eq!(shown, json!({"maxConcurrentJobs": 1}));
    }
}
