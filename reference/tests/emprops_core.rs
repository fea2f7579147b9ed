//! The emprops hub core driven with a manual clock: the document's complete job flow with a
//! client, a worker and a monitor, every error code, retries, timeouts, offline workers, stats,
//! alerts, chunks, unknown types and acks (emprops-N1…N28).

use crate::emprops_support;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use emprops_support::{Hub, T0, comfy, keys};
use reference::emprops::Input;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::time::Duration;

const CLIENT: u64 = 1;
const WORKER: u64 = 2;
const MONITOR: u64 = 3;

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

#[test]
fn the_documents_complete_job_flow() {
    let mut hub = Hub::new();
    let got = hub.input(Input::Open(CLIENT));
    let welcome = got.one(CLIENT);
    assert_eq!(welcome["message"], "Connected to EmProps Job Queue Hub");
    assert_eq!(welcome["server_version"], "1.0.0");
    assert_eq!(welcome["timestamp"], T0.unix_millis());
    let got = hub.send(CLIENT, json!({"type": "register_client", "client_type": "job_client", "client_id": "my-app-v1.0", "version": "1.0.0", "timestamp": 1}));
    let registered = got.one(CLIENT);
    assert_eq!(
        keys(&registered),
        [
            "assigned_connection_id",
            "client_id",
            "status",
            "timestamp",
            "type"
        ]
    );
    assert_eq!(registered["client_id"], "my-app-v1.0");
    assert!(
        registered["assigned_connection_id"]
            .as_str()
            .unwrap()
            .starts_with("conn-")
    );
    hub.monitor(MONITOR);
    let got = hub.send(MONITOR, json!({"type": "subscribe_job_notifications", "enabled": true, "filters": {"customer_id": "customer-123", "bogus": 1}}));
    let subscribed = got.one(MONITOR);
    assert_eq!(subscribed["type"], "job_notifications_subscribed");
    assert!(
        subscribed["subscription_id"]
            .as_str()
            .unwrap()
            .starts_with("sub-")
    );
    assert_eq!(
        subscribed["filters_applied"],
        json!({"customer_id": "customer-123"})
    );
    hub.open(WORKER);
    let got = hub.send(WORKER, json!({"type": "register_worker", "worker_id": "worker-gpu-01", "capabilities": comfy(), "subscribe_to_jobs": true, "status": "idle"}));
    let registered = got.one(WORKER);
    assert_eq!(registered["worker_id"], "worker-gpu-01");
    assert!(
        registered["assigned_connection_id"]
            .as_str()
            .unwrap()
            .starts_with("worker-conn-")
    );

    let got = hub.send(CLIENT, json!({"type": "submit_job", "job_type": "text_to_image", "priority": 75, "payload": {"prompt": "mountains"}, "customer_id": "customer-123", "requirements": {"service_type": "comfyui", "component": "text-to-image-xl", "hardware": {"gpu_memory_gb": 8}}}));
    let accepted = got.one(CLIENT);
    assert_eq!(
        keys(&accepted),
        [
            "job_id",
            "notified_workers",
            "position",
            "status",
            "timestamp",
            "type"
        ]
    );
    assert_eq!(
        (
            accepted["status"].clone(),
            accepted["position"].clone(),
            accepted["notified_workers"].clone()
        ),
        (json!("queued"), json!(1), json!(1))
    );
    let job = accepted["job_id"].as_str().unwrap().to_owned();
    assert!(job.starts_with("job-"));
    let available = got.one(WORKER);
    assert_eq!(
        available,
        json!({"type": "job_available", "job_id": job, "job_type": "text_to_image", "priority": 75, "requirements_summary": {"service_type": "comfyui", "component": "text-to-image-xl", "gpu_memory_min": 8}, "timestamp": T0.unix_millis()})
    );
    assert_eq!(
        got.one(MONITOR),
        json!({"type": "job_update", "job_id": job, "status": "queued", "timestamp": T0.unix_millis()})
    );

    let got = hub.send(WORKER, json!({"type": "claim_job", "worker_id": "worker-gpu-01", "max_jobs": 1, "claim_timeout": 30000}));
    let assigned = got.one(WORKER);
    assert_eq!(assigned["type"], "job_assigned");
    assert_eq!(assigned["payload"], json!({"prompt": "mountains"}));
    assert_eq!(assigned["requirements"]["hardware"]["gpu_memory_gb"], 8);
    assert_eq!(assigned["claim_timeout"], 30000);
    assert!(
        got.to(CLIENT).is_empty(),
        "no update before the worker accepts"
    );

    let got = hub.send(
        WORKER,
        json!({"type": "job_accepted_by_worker", "job_id": job, "worker_id": "worker-gpu-01"}),
    );
    assert!(got.to(WORKER).is_empty(), "no reply without an id");
    let update = got.one(CLIENT);
    assert_eq!(
        update,
        json!({"type": "job_update", "job_id": job, "status": "assigned", "previous_status": "queued", "worker_id": "worker-gpu-01", "timestamp": T0.unix_millis()})
    );
    assert_eq!(got.one(MONITOR), update);

    let mut previous = "assigned";
    for progress in [25, 50, 75] {
        let got = hub.send(WORKER, json!({"type": "update_job_progress", "job_id": job, "worker_id": "worker-gpu-01", "progress": progress, "status": "in_progress", "message": format!("{progress}%")}));
        let update = got.one(CLIENT);
        assert_eq!(update["status"], "in_progress");
        assert_eq!(update["previous_status"], previous);
        assert_eq!(update["progress"], progress);
        assert_eq!(update["message"], format!("{progress}%"));
        previous = "in_progress";
    }
    let got = hub.send(CLIENT, json!({"type": "request_job_status", "job_id": job}));
    let status = got.one(CLIENT);
    assert_eq!(
        (
            status["status"].clone(),
            status["progress"].clone(),
            status["worker_id"].clone()
        ),
        (json!("in_progress"), json!(75), json!("worker-gpu-01"))
    );
    assert_eq!(status["started_at"], T0.unix_millis());

    hub.advance(secs(2));
    let got = hub.send(WORKER, json!({"type": "complete_job", "job_id": job, "worker_id": "worker-gpu-01", "processing_time": 67.5, "result": {"success": true}}));
    assert_eq!(
        got.one(WORKER),
        json!({"type": "job_completed_ack", "job_id": job, "worker_id": "worker-gpu-01", "timestamp": hub.now.unix_millis()})
    );
    let completed = got.one(CLIENT);
    assert_eq!(
        completed,
        json!({"type": "job_completed", "job_id": job, "status": "completed", "worker_id": "worker-gpu-01", "priority": 75, "processing_time": 67.5, "result": {"success": true}, "timestamp": hub.now.unix_millis()})
    );
    assert_eq!(got.one(MONITOR), completed);
    let got = hub.send(CLIENT, json!({"type": "request_stats"}));
    let stats = got.one(CLIENT);
    assert_eq!(
        stats,
        json!({"type": "system_status", "active_workers": 1, "pending_jobs": 0, "active_jobs": 0, "completed_jobs_last_hour": 1, "system_health": "healthy", "alerts": [], "timestamp": hub.now.unix_millis()})
    );
}

fn error_of(got: &emprops_support::Got, conn: u64) -> Value {
    let error = got.one(conn);
    assert_eq!(error["type"], "error", "{error}");
    error
}

#[test]
fn every_error_code() {
    let mut hub = Hub::with(|s| s.worker_tokens = vec!["tok-w".into()]);
    hub.open(CLIENT);
    let e = error_of(&hub.text(CLIENT, "{not json"), CLIENT);
    assert_eq!(e["error_code"], "INVALID_JSON");
    assert!(e.get("request_id").is_none());

    let got = hub.send(CLIENT, json!({"type": "submit_job", "id": "req-abc123", "job_type": "t", "requirements": {"hardware": {"gpu_memory_gb": -1}}}));
    let e = error_of(&got, CLIENT);
    assert_eq!(e["error_code"], "INVALID_PARAMETERS");
    assert_eq!(e["details"]["field"], "requirements.hardware.gpu_memory_gb");
    assert_eq!(e["details"]["provided_value"], -1);
    assert_eq!(e["request_id"], "req-abc123");
    for (bad, field) in [
        (json!([1]), "type"),
        (json!({"x": 1}), "type"),
        (json!({"type": 7}), "type"),
        (json!({"type": "submit_job"}), "job_type"),
        (
            json!({"type": "submit_job", "job_type": "t", "priority": 101}),
            "priority",
        ),
        (
            json!({"type": "register_client", "client_type": "robot", "client_id": "c"}),
            "client_type",
        ),
        (
            json!({"type": "register_worker", "worker_id": "w", "capabilities": {"services": "comfyui"}}),
            "capabilities.services",
        ),
    ] {
        let e = error_of(&hub.send(CLIENT, bad.clone()), CLIENT);
        assert_eq!(e["error_code"], "INVALID_PARAMETERS", "{bad}");
        assert_eq!(e["details"]["field"], field, "{bad}");
    }

    let got = hub.send(CLIENT, json!({"type": "register_worker", "worker_id": "w1", "capabilities": comfy(), "token": "wrong"}));
    let e = error_of(&got, CLIENT);
    assert_eq!(e["error_code"], "AUTH_FAILED");
    assert_eq!(
        e["details"],
        json!({"reason": "Invalid worker token", "worker_id": "w1"})
    );
    let got = hub.send(CLIENT, json!({"type": "claim_job", "worker_id": "w1"}));
    let e = error_of(&got, CLIENT);
    assert_eq!(
        (e["error_code"].clone(), e["details"].clone()),
        (json!("NOT_REGISTERED"), json!({"worker_id": "w1"}))
    );
    let got = hub.send(CLIENT, json!({"type": "register_worker", "worker_id": "w1", "capabilities": comfy(), "token": "tok-w"}));
    assert_eq!(got.one(CLIENT)["type"], "worker_registered");

    let e = error_of(
        &hub.send(
            CLIENT,
            json!({"type": "request_job_status", "job_id": "job-nope"}),
        ),
        CLIENT,
    );
    assert_eq!(
        (e["error_code"].clone(), e["details"].clone()),
        (json!("JOB_NOT_FOUND"), json!({"job_id": "job-nope"}))
    );
    let job = hub.submit(CLIENT, json!({}));
    hub.send(CLIENT, json!({"type": "cancel_job", "job_id": job}));
    let e = error_of(
        &hub.send(CLIENT, json!({"type": "cancel_job", "job_id": job})),
        CLIENT,
    );
    assert_eq!(
        (e["error_code"].clone(), e["details"].clone()),
        (
            json!("INVALID_STATE"),
            json!({"job_id": job, "status": "cancelled"})
        )
    );
    let e = error_of(
        &hub.send(
            CLIENT,
            json!({"type": "complete_job", "job_id": job, "worker_id": "w1"}),
        ),
        CLIENT,
    );
    assert_eq!(e["error_code"], "INVALID_STATE");

    let got = hub.input(Input::Oversize(CLIENT));
    assert_eq!(error_of(&got, CLIENT)["error_code"], "MESSAGE_TOO_LARGE");
    assert_eq!(got.closes, [(CLIENT, 1009)]);
    assert!(
        hub.send(CLIENT, json!({"type": "ping"}))
            .messages
            .is_empty(),
        "the connection is gone"
    );
}

#[test]
fn unknown_types_ids_and_acks() {
    let mut hub = Hub::new();
    hub.open(CLIENT);
    let text = r#"{"type":"invalid_type","x":1}"#;
    let got = hub.text(CLIENT, text);
    assert_eq!(
        got.one(CLIENT),
        json!({"type": "unknown", "content": "Received unrecognized message type", "original_message": text, "timestamp": T0.unix_millis()})
    );
    assert_eq!(
        hub.send(CLIENT, json!({"type": "job_accepted"}))
            .one(CLIENT)["type"],
        "unknown"
    );
    let job = hub.submit(CLIENT, json!({}));
    let got = hub.send(
        CLIENT,
        json!({"type": "subscribe_job", "job_id": job, "id": "msg-abc123"}),
    );
    assert_eq!(
        got.one(CLIENT),
        json!({"type": "ack", "message_id": "msg-abc123", "original_type": "subscribe_job", "status": "processed", "timestamp": T0.unix_millis()})
    );
    assert!(
        hub.send(CLIENT, json!({"type": "subscribe_job", "job_id": job}))
            .messages
            .is_empty()
    );
    let got = hub.send(CLIENT, json!({"type": "ping", "id": "p1"}));
    assert_eq!(
        got.types(CLIENT),
        ["pong"],
        "a specific reply, never an extra ack"
    );
    let got = hub.send(CLIENT, json!({"type": "disconnect", "reason": "bye"}));
    assert_eq!(got.closes, [(CLIENT, 1000)]);
}

#[test]
fn priority_then_fifo_capabilities_and_nothing_to_claim() {
    let mut hub = Hub::new();
    hub.client(CLIENT);
    hub.worker(
        WORKER,
        "w",
        json!({"services": ["comfyui"], "hardware": {"gpu_memory_gb": 8}}),
    );
    let got = hub.claim(WORKER, "w");
    assert_eq!(
        got.one(WORKER),
        json!({"type": "ack", "original_type": "claim_job", "status": "no_job", "timestamp": T0.unix_millis()})
    );
    let low = hub.submit(CLIENT, json!({"priority": 10}));
    let first = hub.submit(CLIENT, json!({"priority": 90}));
    let second = hub.submit(CLIENT, json!({"priority": 90}));
    let big = hub.submit(
        CLIENT,
        json!({"priority": 100, "requirements": {"hardware": {"gpu_memory_gb": 24}}}),
    );
    let other = hub.submit(
        CLIENT,
        json!({"priority": 100, "requirements": {"service_type": "a1111"}}),
    );
    let component = hub.submit(
        CLIENT,
        json!({"priority": 100, "requirements": {"component": "upscaling"}}),
    );
    let got = hub.send(
        CLIENT,
        json!({"type": "submit_job", "job_type": "t", "priority": 90}),
    );
    assert_eq!(
        got.one(CLIENT)["position"],
        6,
        "after the three 100s and two earlier 90s"
    );
    let got = hub.send(
        WORKER,
        json!({"type": "claim_job", "worker_id": "w", "max_jobs": 2, "id": "c1"}),
    );
    let ids: Vec<Value> = got.to(WORKER).iter().map(|m| m["job_id"].clone()).collect();
    assert_eq!(ids, [json!(first), json!(second)]);
    let _ = (low, big, other, component);
}

#[test]
fn retries_until_exhausted() {
    let mut hub = Hub::new();
    hub.client(CLIENT);
    hub.worker(WORKER, "w", comfy());
    let job = hub.submit(CLIENT, json!({"max_retries": 2}));
    for attempt in 1..=3 {
        hub.claim(WORKER, "w");
        let got = hub.send(WORKER, json!({"type": "fail_job", "job_id": job, "worker_id": "w", "error": "Service connection timeout", "retry": true}));
        let ack = got.one(WORKER);
        if attempt < 3 {
            assert_eq!(
                ack,
                json!({"type": "job_failed_ack", "job_id": job, "worker_id": "w", "retry_scheduled": true, "retry_delay": 15, "timestamp": hub.now.unix_millis()})
            );
            assert!(
                got.to(CLIENT).is_empty(),
                "queued again only after the delay"
            );
            assert_eq!(hub.claim(WORKER, "w").one(WORKER)["status"], "no_job");
            let got = hub.advance(secs(15));
            let update = got.one(CLIENT);
            assert_eq!(
                (update["status"].clone(), update["previous_status"].clone()),
                (json!("queued"), json!("assigned"))
            );
        } else {
            assert_eq!(ack["retry_scheduled"], false);
            assert!(ack.get("retry_delay").is_none());
            let update = got.one(CLIENT);
            assert_eq!(
                (update["status"].clone(), update["message"].clone()),
                (json!("failed"), json!("Service connection timeout"))
            );
        }
    }
}

#[test]
fn an_unaccepted_claim_times_out_and_the_job_keeps_its_place() {
    let mut hub = Hub::new();
    hub.client(CLIENT);
    hub.worker(WORKER, "w", comfy());
    let job = hub.submit(CLIENT, json!({"priority": 80}));
    hub.send(
        WORKER,
        json!({"type": "claim_job", "worker_id": "w", "claim_timeout": 1000}),
    );
    let later = hub.submit(CLIENT, json!({"priority": 80}));
    assert!(hub.advance(Duration::from_millis(999)).messages.is_empty());
    let got = hub.advance(Duration::from_millis(1));
    let update = got.one(CLIENT);
    assert_eq!(
        (
            update["job_id"].clone(),
            update["status"].clone(),
            update["previous_status"].clone()
        ),
        (json!(job), json!("queued"), json!("assigned"))
    );
    let got = hub.claim(WORKER, "w");
    assert_eq!(
        got.one(WORKER)["job_id"],
        job,
        "before {later}, submitted later"
    );
    hub.send(
        WORKER,
        json!({"type": "job_accepted_by_worker", "job_id": job, "worker_id": "w"}),
    );
    assert!(
        hub.advance(secs(60)).to(CLIENT).is_empty(),
        "an accepted claim does not time out"
    );
}

#[test]
fn a_silent_worker_goes_offline_its_jobs_requeued_and_monitors_alerted() {
    let mut hub = Hub::new();
    hub.client(CLIENT);
    hub.monitor(MONITOR);
    hub.worker(WORKER, "w", comfy());
    let job = hub.submit(CLIENT, json!({}));
    hub.claim(WORKER, "w");
    hub.send(
        WORKER,
        json!({"type": "job_accepted_by_worker", "job_id": job, "worker_id": "w"}),
    );
    hub.advance(secs(20));
    let got = hub.send(
        WORKER,
        json!({"type": "worker_heartbeat", "worker_id": "w", "status": "busy"}),
    );
    assert_eq!(
        got.one(WORKER),
        json!({"type": "worker_heartbeat_ack", "worker_id": "w", "status": "acknowledged", "next_heartbeat_expected": hub.now.unix_millis() + 30_000, "timestamp": hub.now.unix_millis()})
    );
    assert!(
        hub.advance(secs(89)).messages.is_empty(),
        "silent for less than 3 intervals"
    );
    let got = hub.advance(secs(1));
    let update = got.one(CLIENT);
    assert_eq!(
        (update["status"].clone(), update["previous_status"].clone()),
        (json!("queued"), json!("assigned"))
    );
    let alert = got.one(MONITOR);
    assert_eq!(alert["type"], "system_alert");
    assert_eq!(alert["category"], "worker_offline");
    assert_eq!(
        alert["details"],
        json!({"worker_id": "w", "requeued_jobs": [job]})
    );
    let stats = hub
        .send(MONITOR, json!({"type": "request_stats"}))
        .one(MONITOR);
    assert_eq!(
        (
            stats["active_workers"].clone(),
            stats["pending_jobs"].clone()
        ),
        (json!(0), json!(1))
    );
    hub.send(
        WORKER,
        json!({"type": "worker_status", "worker_id": "w", "status": "idle"}),
    );
    assert_eq!(
        hub.claim(WORKER, "w").one(WORKER)["job_id"],
        job,
        "heard from again, matched again"
    );
}

#[test]
fn a_worker_that_leaves_has_its_jobs_requeued_at_once() {
    let mut hub = Hub::new();
    hub.client(CLIENT);
    hub.worker(WORKER, "w", comfy());
    let job = hub.submit(CLIENT, json!({}));
    hub.claim(WORKER, "w");
    let got = hub.input(Input::Close(WORKER));
    assert_eq!(got.one(CLIENT)["status"], "queued");
    hub.worker(4, "w2", comfy());
    assert_eq!(hub.claim(4, "w2").one(4)["job_id"], job);
}

#[test]
fn stats_arrive_on_their_interval_until_disabled() {
    let mut hub = Hub::with(|s| s.min_stats_interval = Duration::from_millis(100));
    hub.monitor(MONITOR);
    let got = hub.send(MONITOR, json!({"type": "subscribe_stats", "enabled": true, "interval_seconds": 5, "include_sections": ["jobs"]}));
    assert_eq!(
        got.one(MONITOR),
        json!({"type": "subscription_confirmed", "subscription_type": "stats", "update_interval": 5, "next_broadcast": T0.unix_millis() + 5000, "timestamp": T0.unix_millis()})
    );
    assert!(hub.advance(Duration::from_millis(4999)).messages.is_empty());
    for _ in 0..3 {
        let got = hub.advance(Duration::from_millis(1));
        assert_eq!(got.one(MONITOR)["type"], "system_status");
        hub.advance(Duration::from_millis(4999));
    }
    let got = hub.send(
        MONITOR,
        json!({"type": "subscribe_stats", "interval_seconds": 0.01}),
    );
    assert_eq!(
        got.one(MONITOR)["update_interval"],
        0.1,
        "raised to min_stats_interval"
    );
    hub.send(
        MONITOR,
        json!({"type": "subscribe_stats", "enabled": false}),
    );
    assert!(hub.advance(secs(60)).messages.is_empty());
}

#[test]
fn the_queue_depth_alert_is_sent_once_per_crossing() {
    let mut hub = Hub::with(|s| s.queue_alert_threshold = 2);
    hub.client(CLIENT);
    hub.monitor(MONITOR);
    hub.worker(WORKER, "w", comfy());
    hub.submit(CLIENT, json!({}));
    hub.submit(CLIENT, json!({}));
    let got = hub.send(CLIENT, json!({"type": "submit_job", "job_type": "t"}));
    let alert = got.one(MONITOR);
    assert_eq!(alert["category"], "resource_constraint");
    assert_eq!(alert["message"], "Queue depth exceeding normal capacity");
    assert_eq!(
        alert["details"],
        json!({"current_queue_depth": 3, "normal_threshold": 2, "available_workers": 1})
    );
    assert!(
        hub.send(CLIENT, json!({"type": "submit_job", "job_type": "t"}))
            .to(MONITOR)
            .is_empty()
    );
    let stats = hub
        .send(MONITOR, json!({"type": "request_stats"}))
        .one(MONITOR);
    assert_eq!(stats["system_health"], "degraded");
    assert_eq!(
        stats["alerts"],
        json!(["Queue depth exceeding normal capacity"])
    );
    hub.send(
        WORKER,
        json!({"type": "claim_job", "worker_id": "w", "max_jobs": 2}),
    );
    let got = hub.send(CLIENT, json!({"type": "submit_job", "job_type": "t"}));
    assert_eq!(
        got.one(MONITOR)["category"],
        "resource_constraint",
        "back at the threshold, then over again"
    );
}

fn chunk(id: &str, index: usize, total: usize, data: &[u8], hash: &str) -> Value {
    json!({"type": "chunked_message", "chunk_id": id, "chunk_index": index, "total_chunks": total, "data": STANDARD.encode(data), "data_hash": hash, "original_type": "submit_job"})
}

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn chunked_messages_valid_out_of_order_bad_hash_and_missing() {
    let mut hub = Hub::with(|s| s.chunk_timeout = secs(1));
    hub.open(CLIENT);
    let whole = br#"{"type":"submit_job","job_type":"big","payload":{"x":"0123456789"}}"#;
    let parts: Vec<&[u8]> = whole.chunks(20).collect();
    let hash = sha256(whole);
    let n = parts.len();
    for i in (1..n).rev() {
        assert!(
            hub.send(CLIENT, chunk("c1", i, n, parts[i], &hash))
                .messages
                .is_empty()
        );
    }
    let got = hub.send(CLIENT, chunk("c1", 0, n, parts[0], &hash));
    let types = got.types(CLIENT);
    assert_eq!(types, ["chunked_message_complete", "job_accepted"]);
    let complete = &got.to(CLIENT)[0];
    assert_eq!(complete["total_size"], whole.len());
    assert_eq!(complete["assembled_message"]["job_type"], "big");

    for (i, part) in parts.iter().enumerate() {
        let got = hub.send(CLIENT, chunk("c2", i, n, part, &sha256(b"other")));
        if i + 1 == n {
            let e = error_of(&got, CLIENT);
            assert_eq!(
                (e["error_code"].clone(), e["details"].clone()),
                (json!("CHUNK_HASH_MISMATCH"), json!({"chunk_id": "c2"}))
            );
        }
    }
    hub.send(CLIENT, chunk("c3", 0, 3, b"ab", &hash));
    hub.send(CLIENT, chunk("c3", 2, 3, b"cd", &hash));
    let e = error_of(&hub.send(CLIENT, chunk("c3", 0, 3, b"ab", &hash)), CLIENT);
    assert_eq!(e["details"]["field"], "chunk_index");
    let e = error_of(&hub.send(CLIENT, chunk("c3", 1, 4, b"ab", &hash)), CLIENT);
    assert_eq!(e["details"]["field"], "total_chunks");
    let e = error_of(&hub.send(CLIENT, chunk("c4", 5, 3, b"ab", &hash)), CLIENT);
    assert_eq!(e["details"]["field"], "chunk_index");
    let got = hub.advance(secs(1));
    let e = error_of(&got, CLIENT);
    assert_eq!(
        (e["error_code"].clone(), e["details"].clone()),
        (
            json!("CHUNK_MISSING"),
            json!({"chunk_id": "c3", "missing": [1]})
        )
    );
}

#[test]
fn cancellation_while_queued_and_while_assigned() {
    let mut hub = Hub::new();
    hub.client(CLIENT);
    hub.worker(WORKER, "w", comfy());
    let queued = hub.submit(CLIENT, json!({}));
    let got = hub.send(
        CLIENT,
        json!({"type": "cancel_job", "job_id": queued, "reason": "User requested cancellation"}),
    );
    assert_eq!(got.types(CLIENT), ["job_cancelled", "job_update"]);
    assert_eq!(
        got.to(CLIENT)[0],
        json!({"type": "job_cancelled", "job_id": queued, "status": "cancelled", "cancelled_at": T0.unix_millis(), "timestamp": T0.unix_millis()})
    );
    let assigned = hub.submit(CLIENT, json!({}));
    hub.claim(WORKER, "w");
    let got = hub.send(CLIENT, json!({"type": "cancel_job", "job_id": assigned}));
    assert_eq!(
        got.one(WORKER)["type"],
        "job_cancelled",
        "the worker holding it is told"
    );
    assert_eq!(got.to(CLIENT)[1]["previous_status"], "assigned");
    let e = error_of(&hub.send(WORKER, json!({"type": "update_job_progress", "job_id": assigned, "worker_id": "w", "progress": 5})), WORKER);
    assert_eq!(e["error_code"], "INVALID_STATE");
}

#[test]
fn clients_never_see_each_others_jobs_unless_they_subscribe() {
    let mut hub = Hub::new();
    hub.client(1);
    hub.client(4);
    hub.worker(WORKER, "w", comfy());
    let job = hub.submit(1, json!({}));
    let got = hub.claim(WORKER, "w");
    assert!(got.to(4).is_empty());
    let got = hub.send(
        WORKER,
        json!({"type": "job_accepted_by_worker", "job_id": job, "worker_id": "w"}),
    );
    assert!(got.to(4).is_empty());
    assert_eq!(got.to(1).len(), 1);
    hub.send(4, json!({"type": "subscribe_job", "job_id": job}));
    let got = hub.send(
        WORKER,
        json!({"type": "update_job_progress", "job_id": job, "worker_id": "w", "progress": 10}),
    );
    assert_eq!(got.to(4).len(), 1);
    assert_eq!(got.to(1), got.to(4));
}

#[test]
fn shutdown_tells_everyone_then_closes_with_1001() {
    let mut hub = Hub::new();
    hub.client(CLIENT);
    hub.worker(WORKER, "w", comfy());
    let got = hub.input(Input::Shutdown);
    for conn in [CLIENT, WORKER] {
        assert_eq!(
            got.one(conn),
            json!({"type": "server_disconnect", "reason": "Server shutting down", "timestamp": T0.unix_millis()})
        );
    }
    assert_eq!(got.closes, [(CLIENT, 1001), (WORKER, 1001)]);
}

#[test]
fn a_disconnect_is_answered_by_the_close_and_a_stopped_stats_subscription_by_interval_0() {
    let mut hub = Hub::new();
    hub.client(CLIENT);
    let got = hub.send(
        CLIENT,
        json!({"type": "subscribe_stats", "enabled": true, "interval_seconds": 5}),
    );
    let confirmed = got.one(CLIENT);
    assert_eq!(confirmed["update_interval"], 5);
    assert!(confirmed["next_broadcast"].is_number());
    let got = hub.send(CLIENT, json!({"type": "subscribe_stats", "enabled": false}));
    let stopped = got.one(CLIENT);
    assert_eq!(stopped["update_interval"], 0);
    assert!(stopped.get("next_broadcast").is_none(), "{stopped}");
    assert!(
        hub.advance(secs(30)).to(CLIENT).is_empty(),
        "no stats after stopping"
    );
    let got = hub.send(
        CLIENT,
        json!({"type": "disconnect", "id": "bye-1", "reason": "Client shutdown"}),
    );
    assert!(got.to(CLIENT).is_empty(), "no ack: {:?}", got.to(CLIENT));
    assert_eq!(got.closes, [(CLIENT, 1000)]);
}
