//! The ark REST errors (ark-N2, ark-N5): every validation rule, the routing errors and the
//! error body shape; a rejected request emits no event and changes nothing.

use crate::common;

use common::{Ark, keys};
use serde_json::{Value, json};

/// `(method, path, body, status, code, field)`; `{job}`, `{run}`, `{instance}` are replaced.
type Case = (
    &'static str,
    &'static str,
    Value,
    u16,
    &'static str,
    Option<&'static str>,
);

fn cases() -> Vec<Case> {
    let reg = |patch: Value| {
        let mut b = json!({"agentId": "a", "hostname": "h", "version": "1"});
        merge(&mut b, patch);
        b
    };
    let inst = |patch: Value| {
        let mut b = json!({"name": "n", "gameType": "ASA", "agentId": "a1"});
        merge(&mut b, patch);
        b
    };
    let job = |patch: Value| {
        let mut b = json!({"jobType": "SYNC_MODS", "parameters": {}});
        merge(&mut b, patch);
        b
    };
    let prog = |patch: Value| {
        let mut b = json!({"jobId": "{job}", "jobRunId": "{run}", "message": "m"});
        merge(&mut b, patch);
        b
    };
    let done = |patch: Value| {
        let mut b = json!({"jobId": "{job}", "jobRunId": "{run}", "status": "COMPLETED"});
        merge(&mut b, patch);
        b
    };
    const V: &str = "VALIDATION_FAILED";
    vec![
        ("POST", "/agents/register", json!([1]), 400, V, None),
        (
            "POST",
            "/agents/register",
            reg(json!({"agentId": null})),
            400,
            V,
            Some("agentId"),
        ),
        (
            "POST",
            "/agents/register",
            reg(json!({"agentId": ""})),
            400,
            V,
            Some("agentId"),
        ),
        (
            "POST",
            "/agents/register",
            reg(json!({"hostname": 3})),
            400,
            V,
            Some("hostname"),
        ),
        (
            "POST",
            "/agents/register",
            reg(json!({"version": ""})),
            400,
            V,
            Some("version"),
        ),
        (
            "POST",
            "/agents/register",
            reg(json!({"capabilities": ["ASA"]})),
            400,
            V,
            Some("capabilities"),
        ),
        (
            "POST",
            "/agents/register",
            reg(json!({"capabilities": []})),
            400,
            V,
            Some("capabilities"),
        ),
        (
            "POST",
            "/agents/register",
            reg(json!({"capabilities": "x"})),
            400,
            V,
            Some("capabilities"),
        ),
        (
            "POST",
            "/agents/register",
            reg(json!({"capabilities": null})),
            400,
            V,
            Some("capabilities"),
        ),
        (
            "POST",
            "/agents/register",
            reg(json!({"capabilities": 3})),
            400,
            V,
            Some("capabilities"),
        ),
        (
            "POST",
            "/agents/register",
            reg(json!({"capabilities": true})),
            400,
            V,
            Some("capabilities"),
        ),
        (
            "POST",
            "/agents/heartbeat",
            json!({"agentId": "a1"}),
            400,
            V,
            Some("status"),
        ),
        (
            "POST",
            "/agents/heartbeat",
            json!({"agentId": "a1", "status": ""}),
            400,
            V,
            Some("status"),
        ),
        (
            "POST",
            "/agents/heartbeat",
            json!({"agentId": "a1", "status": "ok", "activeJobIds": [2]}),
            400,
            V,
            Some("activeJobIds"),
        ),
        (
            "POST",
            "/instances",
            inst(json!({"name": ""})),
            400,
            V,
            Some("name"),
        ),
        (
            "POST",
            "/instances",
            inst(json!({"gameType": "ASB"})),
            400,
            V,
            Some("gameType"),
        ),
        (
            "POST",
            "/instances",
            inst(json!({"gameType": null})),
            400,
            V,
            Some("gameType"),
        ),
        (
            "POST",
            "/instances",
            inst(json!({"agentId": 7})),
            400,
            V,
            Some("agentId"),
        ),
        (
            "POST",
            "/instances",
            inst(json!({"config": []})),
            400,
            V,
            Some("config"),
        ),
        (
            "POST",
            "/instances",
            inst(json!({"agentId": "ghost"})),
            400,
            "UNKNOWN_AGENT",
            Some("agentId"),
        ),
        (
            "PUT",
            "/instances/{instance}",
            json!({"status": "PAUSED"}),
            400,
            V,
            Some("status"),
        ),
        (
            "PUT",
            "/instances/{instance}",
            json!({"name": ""}),
            400,
            V,
            Some("name"),
        ),
        (
            "PUT",
            "/instances/{instance}",
            json!({"config": "x"}),
            400,
            V,
            Some("config"),
        ),
        ("PUT", "/instances/{instance}", json!("x"), 400, V, None),
        (
            "POST",
            "/instances/{instance}/logs",
            json!({"level": "FATAL", "message": "m"}),
            400,
            V,
            Some("level"),
        ),
        (
            "POST",
            "/instances/{instance}/logs",
            json!({"level": "INFO"}),
            400,
            V,
            Some("message"),
        ),
        (
            "POST",
            "/jobs",
            job(json!({"jobType": "DANCE"})),
            400,
            V,
            Some("jobType"),
        ),
        (
            "POST",
            "/jobs",
            json!({"jobType": "SYNC_MODS"}),
            400,
            V,
            Some("parameters"),
        ),
        (
            "POST",
            "/jobs",
            job(json!({"parameters": [1]})),
            400,
            V,
            Some("parameters"),
        ),
        (
            "POST",
            "/jobs",
            job(json!({"priority": 1.5})),
            400,
            V,
            Some("priority"),
        ),
        (
            "POST",
            "/jobs",
            job(json!({"priority": "high"})),
            400,
            V,
            Some("priority"),
        ),
        (
            "POST",
            "/jobs",
            job(json!({"instanceId": 5})),
            400,
            V,
            Some("instanceId"),
        ),
        (
            "POST",
            "/jobs",
            job(json!({"instanceId": "ghost"})),
            400,
            "UNKNOWN_INSTANCE",
            Some("instanceId"),
        ),
        (
            "POST",
            "/jobs/progress",
            prog(json!({"percent": 101})),
            400,
            V,
            Some("percent"),
        ),
        (
            "POST",
            "/jobs/progress",
            prog(json!({"percent": -1})),
            400,
            V,
            Some("percent"),
        ),
        (
            "POST",
            "/jobs/progress",
            prog(json!({"percent": "50"})),
            400,
            V,
            Some("percent"),
        ),
        (
            "POST",
            "/jobs/progress",
            prog(json!({"status": "COMPLETED"})),
            400,
            V,
            Some("status"),
        ),
        (
            "POST",
            "/jobs/progress",
            prog(json!({"message": ""})),
            400,
            V,
            Some("message"),
        ),
        (
            "POST",
            "/jobs/progress",
            json!({"jobRunId": "{run}", "message": "m"}),
            400,
            V,
            Some("jobId"),
        ),
        (
            "POST",
            "/jobs/progress",
            json!({"jobId": "{job}", "message": "m"}),
            400,
            V,
            Some("jobRunId"),
        ),
        (
            "POST",
            "/jobs/progress",
            prog(json!({"jobRunId": "other"})),
            400,
            V,
            Some("jobRunId"),
        ),
        (
            "POST",
            "/jobs/progress",
            prog(json!({"jobId": "ghost"})),
            404,
            "NOT_FOUND",
            None,
        ),
        (
            "POST",
            "/jobs/complete",
            done(json!({"status": "RUNNING"})),
            400,
            V,
            Some("status"),
        ),
        (
            "POST",
            "/jobs/complete",
            done(json!({"status": null})),
            400,
            V,
            Some("status"),
        ),
        (
            "POST",
            "/jobs/complete",
            done(json!({"result": "ok"})),
            400,
            V,
            Some("result"),
        ),
        (
            "POST",
            "/jobs/complete",
            done(json!({"status": "FAILED"})),
            400,
            V,
            Some("error"),
        ),
        (
            "POST",
            "/jobs/complete",
            done(json!({"status": "FAILED", "error": ""})),
            400,
            V,
            Some("error"),
        ),
        ("GET", "/nowhere", json!(null), 404, "NOT_FOUND", None),
        ("GET", "/", json!(null), 404, "NOT_FOUND", None),
        ("GET", "/jobs/", json!(null), 404, "NOT_FOUND", None),
        ("GET", "/agents/ghost", json!(null), 404, "NOT_FOUND", None),
        (
            "GET",
            "/instances/ghost",
            json!(null),
            404,
            "NOT_FOUND",
            None,
        ),
        (
            "GET",
            "/instances/ghost/logs",
            json!(null),
            404,
            "NOT_FOUND",
            None,
        ),
        ("GET", "/jobs/ghost", json!(null), 404, "NOT_FOUND", None),
        (
            "DELETE",
            "/instances/ghost",
            json!(null),
            404,
            "NOT_FOUND",
            None,
        ),
        (
            "DELETE",
            "/jobs",
            json!(null),
            405,
            "METHOD_NOT_ALLOWED",
            None,
        ),
        (
            "GET",
            "/agents/register",
            json!(null),
            405,
            "METHOD_NOT_ALLOWED",
            None,
        ),
        (
            "PUT",
            "/agents",
            json!(null),
            405,
            "METHOD_NOT_ALLOWED",
            None,
        ),
        (
            "POST",
            "/instances/{instance}",
            json!({}),
            405,
            "METHOD_NOT_ALLOWED",
            None,
        ),
        (
            "PATCH",
            "/jobs/progress",
            json!({}),
            405,
            "METHOD_NOT_ALLOWED",
            None,
        ),
        (
            "DELETE",
            "/instances/{instance}/logs",
            json!(null),
            405,
            "METHOD_NOT_ALLOWED",
            None,
        ),
    ]
}

fn merge(into: &mut Value, patch: Value) {
    for (k, v) in patch.as_object().unwrap() {
        into[k] = v.clone();
    }
}

fn fill(text: &str, job: &str, run: &str, instance: &str) -> String {
    text.replace("{job}", job)
        .replace("{run}", run)
        .replace("{instance}", instance)
}

/// A core with agent `a1`, an instance and a job, and its state as JSON.
fn setup() -> (Ark, String, String, String) {
    let mut ark = Ark::new();
    ark.register("a1");
    let instance = ark.instance("a1");
    let (job, run) = ark.job(Some(&instance));
    (ark, job, run, instance)
}

fn snapshot(ark: &mut Ark) -> Vec<Value> {
    ["/agents", "/instances", "/jobs"]
        .iter()
        .map(|p| ark.call("GET", p, json!(null)).1)
        .collect()
}

#[test]
fn every_rejection_has_its_code_status_and_field_and_changes_nothing() {
    for (method, path, body, status, code, field) in cases() {
        let (mut ark, job, run, instance) = setup();
        let before = snapshot(&mut ark);
        let path = fill(path, &job, &run, &instance);
        let body: Value =
            serde_json::from_str(&fill(&body.to_string(), &job, &run, &instance)).unwrap();
        let (got_status, got, events) = ark.call(method, &path, body.clone());
        let what = format!("{method} {path} {body}: {got}");
        assert_eq!(got_status, status, "{what}");
        assert_eq!(got["error"], code, "{what}");
        assert_eq!(got["field"].as_str(), field, "{what}");
        assert!(
            got["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{what}"
        );
        let expected_keys = if field.is_some() {
            vec!["error", "field", "message"]
        } else {
            vec!["error", "message"]
        };
        assert_eq!(keys(&got), expected_keys, "{what}");
        assert!(events.is_empty(), "{what}: {events:?}");
        assert_eq!(snapshot(&mut ark), before, "{what}");
    }
}

#[test]
fn a_body_that_is_not_json_is_invalid_json() {
    let mut ark = Ark::new();
    for bytes in [&b"{not json"[..], b"", b"\xff\xfe", b"{\"agentId\": 1,}"] {
        let (status, body, events) = ark.raw("POST", "/agents/register", bytes);
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("INVALID_JSON"))
        );
        assert!(body.get("field").is_none());
        assert!(events.is_empty());
    }
}

#[test]
fn a_body_over_the_limit_is_payload_too_large() {
    let mut ark = Ark::with_settings(|s| s.max_body_bytes = 64);
    let big = json!({"agentId": "a", "hostname": "x".repeat(100), "version": "1"});
    let (status, body, events) = ark.call("POST", "/agents/register", big);
    assert_eq!(
        (status, body["error"].as_str()),
        (413, Some("PAYLOAD_TOO_LARGE"))
    );
    assert!(events.is_empty());
}

#[test]
fn unknown_fields_are_ignored_and_the_query_string_too() {
    let mut ark = Ark::new();
    let (status, _, events) = ark.call(
        "POST",
        "/agents/register?x=1",
        json!({"agentId": "a", "hostname": "h", "version": "1", "colour": "blue"}),
    );
    assert_eq!(status, 201);
    assert_eq!(events.len(), 1);
}

#[test]
fn timestamps_are_iso8601_utc_with_milliseconds() {
    use reference::ark::Timestamp;
    assert_eq!(
        Timestamp::from_unix_millis(0).to_iso8601().as_deref(),
        Some("1970-01-01T00:00:00.000Z")
    );
    assert_eq!(
        Timestamp::from_unix_millis(1_705_314_600_007)
            .to_iso8601()
            .as_deref(),
        Some("2024-01-15T10:30:00.007Z")
    );
    let at = |ms: i64| Timestamp::from_unix_millis(ms).to_iso8601();
    assert_eq!(at(-1).as_deref(), Some("1969-12-31T23:59:59.999Z"));
    // 0000-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z are the ends of the format.
    let first = -62_167_219_200_000;
    let last = 253_402_300_799_999;
    assert_eq!(at(first).as_deref(), Some("0000-01-01T00:00:00.000Z"));
    assert_eq!(at(last).as_deref(), Some("9999-12-31T23:59:59.999Z"));
    assert_eq!((at(first - 1), at(last + 1)), (None, None));
    let json = serde_json::to_string(&Timestamp::from_unix_millis(1_705_314_600_007)).unwrap();
    assert_eq!(json, r#""2024-01-15T10:30:00.007Z""#);
}
