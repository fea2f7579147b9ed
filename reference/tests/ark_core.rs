//! Unit tests of the ark sans-IO stack (`rest::parse` → `Core` → `rest::render`) with a manual
//! clock and sequential ids: every event's exact payload, the REST errors, agents, offline
//! detection, instances and the job lifecycle.

use crate::common;

use common::{Ark, T0, keys, observed_capabilities};
use serde_json::json;
use std::time::Duration;

#[test]
fn register_answers_201_and_pushes_agent_registered() {
    let mut ark = Ark::new();
    let (status, body, events) = ark.register("a1");
    assert_eq!(status, 201);
    assert_eq!(
        keys(&body),
        [
            "agentId",
            "capabilities",
            "hostname",
            "lastSeenAt",
            "online",
            "registeredAt",
            "status",
            "version"
        ]
    );
    assert_eq!(body["online"], json!(true));
    assert_eq!(body["capabilities"], observed_capabilities());
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["event"], "agent:registered");
    assert_eq!(keys(&events[0]), ["data", "event"]);
    assert_eq!(
        keys(&events[0]["data"]),
        ["agentId", "hostname", "registeredAt"]
    );
    assert_eq!(events[0]["data"]["agentId"], "a1");
    assert_eq!(events[0]["data"]["hostname"], "host-a1");
    assert_eq!(
        events[0]["data"]["registeredAt"],
        "2024-01-15T10:30:00.000Z"
    );
}

#[test]
fn re_registration_emits_again_with_a_new_time() {
    let mut ark = Ark::new();
    ark.register("a1");
    ark.advance(Duration::from_millis(1500));
    let (status, body, events) = ark.register("a1");
    assert_eq!(status, 201);
    assert_eq!(body["registeredAt"], "2024-01-15T10:30:01.500Z");
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["event"], "agent:registered");
    assert_eq!(
        events[0]["data"]["registeredAt"],
        "2024-01-15T10:30:01.500Z"
    );
    let (_, list, _) = ark.call("GET", "/agents", json!(null));
    assert_eq!(list.as_array().unwrap().len(), 1);
}

#[test]
fn heartbeat_echoes_status_and_pushes_agent_heartbeat() {
    let mut ark = Ark::new();
    ark.register("a1");
    ark.advance(Duration::from_secs(5));
    let (status, body, events) = ark.call(
        "POST",
        "/agents/heartbeat",
        json!({"agentId": "a1", "status": "busy", "activeJobIds": []}),
    );
    assert_eq!(status, 200);
    assert_eq!(body["status"], "busy");
    assert_eq!(body["lastSeenAt"], "2024-01-15T10:30:05.000Z");
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["event"], "agent:heartbeat");
    assert_eq!(keys(&events[0]["data"]), ["agentId", "status", "timestamp"]);
    assert_eq!(events[0]["data"]["status"], "busy");
    assert_eq!(events[0]["data"]["timestamp"], "2024-01-15T10:30:05.000Z");
}

#[test]
fn heartbeat_of_unknown_agent_is_404() {
    let mut ark = Ark::new();
    let (status, body, events) = ark.call(
        "POST",
        "/agents/heartbeat",
        json!({"agentId": "ghost", "status": "ok"}),
    );
    assert_eq!((status, body["error"].as_str()), (404, Some("NOT_FOUND")));
    assert!(events.is_empty());
}

#[test]
fn agent_goes_offline_after_three_intervals_once_and_comes_back() {
    let mut ark = Ark::new();
    ark.register("a1");
    let interval = ark.settings.heartbeat_interval;
    assert_eq!(ark.core.poll_deadline(), Some(T0.plus(interval * 3)));
    ark.advance(interval * 3 - Duration::from_millis(1));
    assert!(ark.timeout().is_empty());
    ark.advance(Duration::from_millis(1));
    let events = ark.timeout();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["event"], "agent:offline");
    assert_eq!(keys(&events[0]["data"]), ["agentId", "lastSeenAt"]);
    assert_eq!(events[0]["data"]["lastSeenAt"], "2024-01-15T10:30:00.000Z");
    assert_eq!(ark.core.poll_deadline(), None);
    ark.advance(interval * 10);
    assert!(ark.timeout().is_empty(), "offline is emitted once");
    let (_, agent, _) = ark.call("GET", "/agents/a1", json!(null));
    assert_eq!(agent["online"], json!(false));

    let (status, body, events) = ark.call(
        "POST",
        "/agents/heartbeat",
        json!({"agentId": "a1", "status": "ok"}),
    );
    assert_eq!(status, 200);
    assert_eq!(body["online"], json!(true));
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["event"], "agent:heartbeat");
    let back = ark.now;
    assert_eq!(ark.core.poll_deadline(), Some(back.plus(interval * 3)));
    ark.advance(interval * 3);
    assert_eq!(ark.timeout()[0]["event"], "agent:offline");
}

#[test]
fn heartbeats_keep_an_agent_online() {
    let mut ark = Ark::new();
    ark.register("a1");
    let interval = ark.settings.heartbeat_interval;
    for _ in 0..10 {
        ark.advance(interval * 2);
        let (_, _, events) = ark.call(
            "POST",
            "/agents/heartbeat",
            json!({"agentId": "a1", "status": "ok"}),
        );
        assert_eq!(events.len(), 1);
        assert_eq!(events[0]["event"], "agent:heartbeat");
    }
}

#[test]
fn a_request_after_a_missed_deadline_sees_the_offline_first() {
    let mut ark = Ark::new();
    ark.register("a1");
    ark.advance(ark.settings.heartbeat_interval * 4);
    let (_, _, events) = ark.call(
        "POST",
        "/agents/heartbeat",
        json!({"agentId": "a1", "status": "ok"}),
    );
    let names: Vec<_> = events.iter().map(|e| e["event"].clone()).collect();
    assert_eq!(names, [json!("agent:offline"), json!("agent:heartbeat")]);
}

#[test]
fn offline_agent_fails_its_running_jobs_then_system_error() {
    let mut ark = Ark::new();
    ark.register("a1");
    ark.register("a2");
    let i1 = ark.instance("a1");
    let i2 = ark.instance("a2");
    let (j1, r1) = ark.job(Some(&i1));
    let (queued, _) = ark.job(Some(&i1));
    let (other, r_other) = ark.job(Some(&i2));
    let (j2, r2) = ark.job(Some(&i1));
    for (j, r) in [(&j2, &r2), (&j1, &r1), (&other, &r_other)] {
        let (s, _, _) = ark.progress(j, r, json!({}));
        assert_eq!(s, 200);
    }
    ark.advance(ark.settings.heartbeat_interval);
    ark.call(
        "POST",
        "/agents/heartbeat",
        json!({"agentId": "a2", "status": "ok"}),
    );
    ark.advance(ark.settings.heartbeat_interval * 2);
    let events = ark.timeout();
    let names: Vec<_> = events
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["agent:offline", "job:failed", "job:failed", "system:error"]
    );
    assert_eq!(events[0]["data"]["agentId"], "a1");
    for (event, (job, run)) in events[1..3].iter().zip([(&j1, &r1), (&j2, &r2)]) {
        assert_eq!(
            keys(&event["data"]),
            ["error", "failedAt", "jobId", "jobRunId"]
        );
        assert_eq!(event["data"]["jobId"], json!(job));
        assert_eq!(event["data"]["jobRunId"], json!(run));
        assert_eq!(event["data"]["error"], "AGENT_OFFLINE");
    }
    let sys = &events[3]["data"];
    assert_eq!(keys(sys), ["context", "error", "timestamp"]);
    assert_eq!(sys["error"], "AGENT_OFFLINE");
    assert_eq!(sys["context"], json!({"agentId": "a1", "jobIds": [j1, j2]}));
    let (_, job, _) = ark.call("GET", &format!("/jobs/{j1}"), json!(null));
    assert_eq!(
        (job["status"].as_str(), job["error"].as_str()),
        (Some("FAILED"), Some("AGENT_OFFLINE"))
    );
    let (_, job, _) = ark.call("GET", &format!("/jobs/{queued}"), json!(null));
    assert_eq!(job["status"], "QUEUED");
    let (status, body, _) = ark.progress(&j1, &r1, json!({}));
    assert_eq!(
        (status, body["error"].as_str()),
        (409, Some("INVALID_STATE"))
    );
}

#[test]
fn offline_without_running_jobs_has_no_system_error() {
    let mut ark = Ark::new();
    ark.register("a1");
    let i1 = ark.instance("a1");
    ark.job(Some(&i1));
    ark.advance(ark.settings.heartbeat_interval * 3);
    let events = ark.timeout();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["event"], "agent:offline");
}

#[test]
fn create_instance_answers_201_and_pushes_instance_created() {
    let mut ark = Ark::new();
    ark.register("a1");
    let (status, body, events) = ark.call(
        "POST",
        "/instances",
        json!({"name": "Island", "gameType": "ASA", "agentId": "a1", "extra": 1}),
    );
    assert_eq!(status, 201);
    assert_eq!(
        keys(&body),
        [
            "agentId",
            "config",
            "createdAt",
            "gameType",
            "instanceId",
            "name",
            "status",
            "updatedAt"
        ]
    );
    assert_eq!(body["status"], "STOPPED");
    assert_eq!(body["config"], json!({}));
    assert_eq!(body["instanceId"], "00000000-0000-4000-8000-000000000001");
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["event"], "instance:created");
    assert_eq!(
        keys(&events[0]["data"]),
        ["createdAt", "gameType", "instanceId", "name"]
    );
    assert_eq!(events[0]["data"]["gameType"], "ASA");
    assert_eq!(events[0]["data"]["name"], "Island");
}

#[test]
fn create_instance_for_unknown_agent_is_unknown_agent() {
    let mut ark = Ark::new();
    let (status, body, events) = ark.call(
        "POST",
        "/instances",
        json!({"name": "x", "gameType": "ASE", "agentId": "nobody"}),
    );
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("UNKNOWN_AGENT"))
    );
    assert!(events.is_empty());
}

#[test]
fn put_emits_updated_then_status_changed_only_on_real_changes() {
    let mut ark = Ark::new();
    ark.register("a1");
    let id = ark.instance("a1");
    let path = format!("/instances/{id}");
    ark.advance(Duration::from_secs(1));
    let (status, body, events) = ark.call(
        "PUT",
        &path,
        json!({"name": "New", "config": {"map": "x"}, "status": "STARTING"}),
    );
    assert_eq!(status, 200);
    assert_eq!(body["name"], "New");
    assert_eq!(body["status"], "STARTING");
    assert_eq!(body["updatedAt"], "2024-01-15T10:30:01.000Z");
    let names: Vec<_> = events
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["instance:updated", "instance:status_changed"]);
    assert_eq!(keys(&events[0]["data"]), ["instanceId", "updatedAt"]);
    assert_eq!(
        keys(&events[1]["data"]),
        ["changedAt", "instanceId", "status"]
    );
    assert_eq!(events[1]["data"]["status"], "STARTING");

    let (status, _, events) = ark.call(
        "PUT",
        &path,
        json!({"name": "New", "config": {"map": "x"}, "status": "STARTING"}),
    );
    assert_eq!(status, 200);
    assert!(events.is_empty(), "no change, no event: {events:?}");
    let (_, _, events) = ark.call("PUT", &path, json!({}));
    assert!(events.is_empty());

    let (_, _, events) = ark.call("PUT", &path, json!({"status": "RUNNING"}));
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["event"], "instance:status_changed");
    let (_, _, events) = ark.call("PUT", &path, json!({"config": {"map": "y"}}));
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["event"], "instance:updated");

    let (status, body, _) = ark.call("PUT", "/instances/nope", json!({"name": "x"}));
    assert_eq!((status, body["error"].as_str()), (404, Some("NOT_FOUND")));
}

#[test]
fn delete_answers_and_pushes_instance_deleted() {
    let mut ark = Ark::new();
    ark.register("a1");
    let id = ark.instance("a1");
    let path = format!("/instances/{id}");
    let (status, body, events) = ark.call("DELETE", &path, json!(null));
    assert_eq!(status, 200);
    assert_eq!(keys(&body), ["deletedAt", "instanceId"]);
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["event"], "instance:deleted");
    assert_eq!(keys(&events[0]["data"]), ["deletedAt", "instanceId"]);
    let (status, _, events) = ark.call("DELETE", &path, json!(null));
    assert_eq!(status, 404);
    assert!(events.is_empty());
    let (status, _, _) = ark.call("GET", &path, json!(null));
    assert_eq!(status, 404);
}

#[test]
fn logs_are_pushed_with_the_server_time_and_kept() {
    let mut ark = Ark::new();
    ark.register("a1");
    let id = ark.instance("a1");
    let path = format!("/instances/{id}/logs");
    let (status, body, events) = ark.call(
        "POST",
        &path,
        json!({"level": "WARN", "message": "low disk", "timestamp": "ignored"}),
    );
    assert_eq!(status, 201);
    assert_eq!(keys(&body), ["instanceId", "level", "message", "timestamp"]);
    assert_eq!(body["timestamp"], "2024-01-15T10:30:00.000Z");
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["event"], "instance:log");
    assert_eq!(
        keys(&events[0]["data"]),
        ["instanceId", "level", "message", "timestamp"]
    );
    assert_eq!(events[0]["data"]["level"], "WARN");
    let (status, logs, _) = ark.call("GET", &path, json!(null));
    assert_eq!(status, 200);
    assert_eq!(logs.as_array().unwrap().len(), 1);
    let (status, _, _) = ark.call(
        "POST",
        "/instances/nope/logs",
        json!({"level": "INFO", "message": "m"}),
    );
    assert_eq!(status, 404);
}

#[test]
fn logs_keep_only_the_newest() {
    let mut ark = Ark::with_settings(|s| s.max_logs_per_instance = 2);
    ark.register("a1");
    let id = ark.instance("a1");
    let path = format!("/instances/{id}/logs");
    for m in ["one", "two", "three"] {
        ark.call("POST", &path, json!({"level": "INFO", "message": m}));
    }
    let (_, logs, _) = ark.call("GET", &path, json!(null));
    let messages: Vec<_> = logs
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["message"].clone())
        .collect();
    assert_eq!(messages, [json!("two"), json!("three")]);
}

#[test]
fn put_with_the_same_config_in_another_key_order_changes_nothing() {
    let mut ark = Ark::new();
    ark.register("a1");
    let (_, inst, _) = ark.call(
        "POST",
        "/instances",
        json!({"name": "n", "gameType": "ASE", "agentId": "a1", "config": {"a": 1, "b": [2]}}),
    );
    let path = format!("/instances/{}", inst["instanceId"].as_str().unwrap());
    let reordered: serde_json::Value =
        serde_json::from_str(r#"{"config": {"b": [2], "a": 1}}"#).unwrap();
    let (status, body, events) = ark.call("PUT", &path, reordered);
    assert_eq!(status, 200);
    assert!(events.is_empty(), "{events:?}");
    assert_eq!(body["updatedAt"], inst["updatedAt"]);
}

#[test]
fn extreme_heartbeat_intervals_do_not_panic() {
    for interval in [Duration::ZERO, Duration::MAX] {
        let mut ark = Ark::with_settings(|s| s.heartbeat_interval = interval);
        ark.register("a1");
        ark.advance(Duration::from_secs(1));
        let offline = ark.timeout().len();
        assert_eq!(offline, usize::from(interval.is_zero()));
        let (status, _, _) = ark.call(
            "POST",
            "/agents/heartbeat",
            json!({"agentId": "a1", "status": "ok"}),
        );
        assert_eq!(status, 200);
    }
}
