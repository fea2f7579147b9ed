//! The emprops hub core, the rules beyond the main flow: reconnects (emprops-N8), registering
//! again (N7), `job_available` only to idle capable subscribed workers (N11), `max_jobs`,
//! `worker_status` changing matching (N21), each notification filter (N18), `subscribe_job`
//! refusals (N17), relays to monitors (N20), `request_job_status` fields (N16), tokens (N27).

use crate::emprops_support;

use emprops_support::{Hub, T0, comfy};
use reference::emprops::Input;
use serde_json::{Value, json};

#[test]
fn a_worker_reconnecting_keeps_its_jobs_and_the_old_connection_is_no_longer_it() {
    let mut hub = Hub::new();
    hub.client(1);
    hub.worker(2, "w", comfy());
    let job = hub.submit(1, json!({}));
    hub.claim(2, "w");
    hub.worker(3, "w", comfy());
    let got = hub.send(
        3,
        json!({"type": "update_job_progress", "job_id": job, "worker_id": "w", "progress": 10}),
    );
    assert_eq!(
        got.one(1)["status"],
        "in_progress",
        "the job stayed the worker's"
    );
    let got = hub.send(2, json!({"type": "worker_heartbeat", "worker_id": "w"}));
    assert_eq!(got.one(2)["error_code"], "NOT_REGISTERED");
    let got = hub.input(Input::Close(2));
    assert!(
        got.messages.is_empty(),
        "closing the old connection requeues nothing"
    );
    let got = hub.input(Input::Close(3));
    assert_eq!(got.one(1)["status"], "queued");
}

#[test]
fn registering_again_replaces_kind_and_id() {
    let mut hub = Hub::new();
    hub.client(1);
    hub.monitor(2);
    let got = hub.send(2, json!({"type": "register_client", "client_type": "job_client", "client_id": "now-a-client"}));
    assert_eq!(got.one(2)["client_id"], "now-a-client");
    hub.monitor(4);
    hub.worker(3, "w", comfy());
    // A silent worker's offline alert goes to monitors only: connection 2 is one no more.
    let got = hub.advance(std::time::Duration::from_secs(90));
    assert_eq!(got.one(4)["category"], "worker_offline");
    assert!(got.to(2).is_empty());
}

#[test]
fn job_available_goes_to_idle_capable_subscribed_workers_only() {
    let mut hub = Hub::new();
    hub.client(1);
    hub.worker(2, "idle", comfy());
    hub.worker(
        3,
        "small",
        json!({"services": ["comfyui"], "hardware": {"gpu_memory_gb": 4}}),
    );
    hub.open(4);
    hub.send(4, json!({"type": "register_worker", "worker_id": "quiet", "capabilities": comfy(), "subscribe_to_jobs": false}));
    hub.open(5);
    hub.send(5, json!({"type": "register_worker", "worker_id": "busy", "capabilities": comfy(), "status": "busy"}));
    let got = hub.send(1, json!({"type": "submit_job", "job_type": "t", "requirements": {"service_type": "comfyui", "hardware": {"gpu_memory_gb": 8}}}));
    assert_eq!(got.one(1)["notified_workers"], 1);
    assert_eq!(got.one(2)["type"], "job_available");
    for conn in [3, 4, 5] {
        assert!(got.to(conn).is_empty(), "{conn}");
    }
    let got = hub.send(1, json!({"type": "submit_job", "job_type": "t"}));
    assert_eq!(
        got.one(1)["notified_workers"],
        2,
        "no requirements: every idle subscribed worker"
    );
    assert_eq!(got.one(2)["requirements_summary"], json!({}));
}

#[test]
fn max_jobs_takes_several_and_worker_status_changes_matching() {
    let mut hub = Hub::new();
    hub.client(1);
    hub.worker(2, "w", json!({"services": ["comfyui"]}));
    let a1111 = hub.submit(1, json!({"requirements": {"service_type": "a1111"}}));
    let first = hub.submit(1, json!({}));
    let second = hub.submit(1, json!({}));
    let got = hub.send(
        2,
        json!({"type": "claim_job", "worker_id": "w", "max_jobs": 5}),
    );
    let ids: Vec<_> = got.to(2).iter().map(|m| m["job_id"].clone()).collect();
    assert_eq!(ids, [json!(first), json!(second)]);
    let got = hub.send(2, json!({"type": "worker_status", "worker_id": "w", "status": "idle", "capabilities": {"services": ["a1111"]}, "current_job_id": null, "id": "s1"}));
    assert_eq!(
        got.one(2)["type"],
        "ack",
        "no specific reply; an id gets an ack"
    );
    assert_eq!(hub.claim(2, "w").one(2)["job_id"], a1111);
}

/// A `submit_job` with `extra` fields.
fn submit_with(extra: &Value) -> Value {
    let mut message = json!({"type": "submit_job", "job_type": "t"});
    for (k, v) in extra.as_object().unwrap() {
        message[k] = v.clone();
    }
    message
}

#[test]
fn each_notification_filter() {
    let mut hub = Hub::new();
    hub.client(1);
    let cases = [
        (
            json!({"customer_id": "c1"}),
            json!({"customer_id": "c1"}),
            json!({"customer_id": "c2"}),
        ),
        (
            json!({"job_types": ["upscale"]}),
            json!({"job_type": "upscale"}),
            json!({"job_type": "t"}),
        ),
        (
            json!({"priority_min": 70}),
            json!({"priority": 70}),
            json!({"priority": 69}),
        ),
        (json!({"status": ["in_progress"]}), json!({}), json!({})),
    ];
    for (i, (filters, matching, other)) in cases.into_iter().enumerate() {
        let watcher = 10 + i as u64;
        hub.open(watcher);
        let got = hub.send(
            watcher,
            json!({"type": "subscribe_job_notifications", "filters": filters.clone()}),
        );
        assert_eq!(got.one(watcher)["filters_applied"], filters);
        let seen = |got: &emprops_support::Got| got.to(watcher).len();
        let got = hub.send(1, submit_with(&matching));
        let queued_visible = i < 3;
        assert_eq!(
            seen(&got),
            usize::from(queued_visible),
            "filter {i} on a matching job"
        );
        let got = hub.send(1, submit_with(&other));
        assert_eq!(seen(&got), 0, "filter {i} on another job");
        let got = hub.send(
            watcher,
            json!({"type": "subscribe_job_notifications", "enabled": false}),
        );
        assert_eq!(got.one(watcher)["filters_applied"], json!({}));
    }
}

#[test]
fn subscribe_job_needs_a_known_job_and_an_unregistered_connection_may_submit() {
    let mut hub = Hub::new();
    hub.open(1);
    let got = hub.send(
        1,
        json!({"type": "subscribe_job", "job_id": "job-none", "id": "s"}),
    );
    let error = got.one(1);
    assert_eq!(
        (error["error_code"].clone(), error["request_id"].clone()),
        (json!("JOB_NOT_FOUND"), json!("s"))
    );
    let job = hub.submit(1, json!({}));
    let got = hub.send(1, json!({"type": "request_job_status", "job_id": job}));
    assert_eq!(
        got.one(1),
        json!({"type": "response_job_status", "job_id": job, "status": "queued", "timestamp": T0.unix_millis()})
    );
}

#[test]
fn service_requests_and_connector_status_are_relayed_to_monitors() {
    let mut hub = Hub::new();
    hub.monitor(1);
    hub.client(2);
    hub.worker(3, "w", comfy());
    let request = json!({"type": "service_request", "job_id": "job-x", "worker_id": "w", "service_type": "comfyui", "endpoint": "/api", "method": "POST", "url": "http://localhost:8188/api", "payload": {"steps": 30}, "timestamp": 5});
    let got = hub.send(3, request.clone());
    let mut relayed = request;
    relayed["timestamp"] = json!(T0.unix_millis());
    assert_eq!(got.one(1), relayed);
    assert!(got.to(2).is_empty() && got.to(3).is_empty());
    let got = hub.send(3, json!({"type": "connector_ws_status", "worker_id": "w", "connector_type": "comfyui", "status": "connected", "id": "c"}));
    assert_eq!(got.one(1)["status"], "connected");
    assert_eq!(got.one(3)["type"], "ack");
}

#[test]
fn worker_tokens_when_configured() {
    let mut hub = Hub::with(|s| s.worker_tokens = vec!["tok-w".into()]);
    hub.open(1);
    let got = hub.send(
        1,
        json!({"type": "register_worker", "worker_id": "w", "capabilities": comfy()}),
    );
    assert_eq!(got.one(1)["error_code"], "AUTH_FAILED");
    let got = hub.send(1, json!({"type": "register_worker", "worker_id": "w", "capabilities": comfy(), "token": "tok-w"}));
    assert_eq!(got.one(1)["type"], "worker_registered");
}

#[test]
fn chunk_limits_bound_what_a_connection_can_leave_waiting() {
    let mut hub = Hub::with(|s| {
        s.max_chunks = 4;
        s.max_chunked_bytes = 300;
    });
    hub.open(1);
    let chunk = |id: &str, index: u64, total: u64, data: &str| json!({"type": "chunked_message", "chunk_id": id, "chunk_index": index, "total_chunks": total, "data": data, "data_hash": "00"});
    let got = hub.send(1, chunk("huge", 0, 4_000_000_000, "AA=="));
    assert_eq!(got.one(1)["details"]["field"], "total_chunks");
    // 100 bytes of data (base64 of 100 zero bytes) + 64 of bookkeeping per chunk.
    let data = "A".repeat(134) + "==";
    assert!(hub.send(1, chunk("a", 0, 4, &data)).messages.is_empty());
    let got = hub.send(1, chunk("b", 0, 4, &data));
    let error = got.one(1);
    assert_eq!(
        error["error_code"], "INVALID_PARAMETERS",
        "164 + 164 bytes waiting > 300"
    );
    assert_eq!(error["details"]["field"], "data");
    assert!(
        hub.send(1, chunk("b", 0, 4, "AA==")).messages.is_empty(),
        "a small one still fits"
    );
}

#[test]
fn a_full_queue_refuses_submit_job_with_queue_full_and_changes_nothing() {
    let mut hub = Hub::with(|s| s.max_queued_jobs = 2);
    hub.client(1);
    hub.submit(1, json!({}));
    hub.submit(1, json!({}));
    let got = hub.send(
        1,
        json!({"type": "submit_job", "job_type": "x", "id": "third"}),
    );
    let refused = got.one(1);
    assert_eq!(refused["type"], "error");
    assert_eq!(refused["error_code"], "QUEUE_FULL");
    assert_eq!(refused["details"], json!({"limit": 2}));
    assert_eq!(refused["request_id"], "third");
    let stats = hub.send(1, json!({"type": "request_stats"})).one(1);
    assert_eq!(stats["pending_jobs"], 2, "nothing was queued");
}
