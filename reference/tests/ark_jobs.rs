//! Unit tests of the ark job lifecycle (ark-N10) through the sans-IO stack, manual clock.

use crate::common;

use common::{Ark, keys};
use serde_json::json;

#[test]
fn create_job_answers_201_queued_with_its_first_run() {
    let mut ark = Ark::new();
    ark.register("a1");
    let instance = ark.instance("a1");
    let (status, body, events) = ark.call(
        "POST",
        "/jobs",
        json!({"jobType": "INSTALL_SERVER", "instanceId": instance, "parameters": {"build": 1}}),
    );
    assert_eq!(status, 201);
    assert_eq!(
        keys(&body),
        [
            "createdAt",
            "instanceId",
            "jobId",
            "jobRunId",
            "jobType",
            "parameters",
            "priority",
            "status",
            "updatedAt"
        ]
    );
    assert_eq!(body["status"], "QUEUED");
    assert_eq!(body["priority"], 0);
    assert_ne!(body["jobId"], body["jobRunId"]);
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["event"], "job:created");
    assert_eq!(
        keys(&events[0]["data"]),
        ["createdAt", "instanceId", "jobId", "jobType"]
    );
    assert_eq!(events[0]["data"]["jobId"], body["jobId"]);
    assert_eq!(events[0]["data"]["jobType"], "INSTALL_SERVER");
    let (status, got, _) = ark.call(
        "GET",
        &format!("/jobs/{}", body["jobId"].as_str().unwrap()),
        json!(null),
    );
    assert_eq!(status, 200);
    assert_eq!(got, body);
}

#[test]
fn job_without_instance_omits_instance_id() {
    let mut ark = Ark::new();
    let (status, body, events) = ark.call(
        "POST",
        "/jobs",
        json!({"jobType": "PRUNE_BACKUPS", "parameters": {}, "priority": -3}),
    );
    assert_eq!(status, 201);
    assert_eq!(body["priority"], -3);
    assert!(body.get("instanceId").is_none());
    assert_eq!(keys(&events[0]["data"]), ["createdAt", "jobId", "jobType"]);
}

#[test]
fn job_for_unknown_instance_is_unknown_instance() {
    let mut ark = Ark::new();
    let (status, body, events) = ark.call(
        "POST",
        "/jobs",
        json!({"jobType": "SYNC_MODS", "instanceId": "nope", "parameters": {}}),
    );
    assert_eq!(status, 400);
    assert_eq!(body["error"], "UNKNOWN_INSTANCE");
    assert_eq!(body["field"], "instanceId");
    assert!(events.is_empty());
}

#[test]
fn progress_pushes_job_progress_and_sets_the_status() {
    let mut ark = Ark::new();
    let (job, run) = ark.job(None);
    let (status, body, events) = ark.progress(&job, &run, json!({"percent": 45}));
    assert_eq!(status, 200);
    assert_eq!(body["status"], "RUNNING");
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["event"], "job:progress");
    assert_eq!(
        keys(&events[0]["data"]),
        [
            "jobId",
            "jobRunId",
            "message",
            "percent",
            "status",
            "timestamp"
        ]
    );
    assert_eq!(events[0]["data"]["percent"], 45);
    assert_eq!(events[0]["data"]["status"], "RUNNING");
    assert_eq!(events[0]["data"]["message"], "working");

    let (_, body, events) = ark.progress(&job, &run, json!({"status": "QUEUED"}));
    assert_eq!(body["status"], "QUEUED");
    assert_eq!(
        keys(&events[0]["data"]),
        ["jobId", "jobRunId", "message", "status", "timestamp"]
    );
    assert_eq!(events[0]["data"]["status"], "QUEUED");
    let (_, _, events) = ark.progress(&job, &run, json!({"percent": 12.5}));
    assert_eq!(events[0]["data"]["percent"], 12.5);
}

#[test]
fn progress_with_a_wrong_run_or_job_is_rejected() {
    let mut ark = Ark::new();
    let (job, _) = ark.job(None);
    let (status, body, events) = ark.progress(&job, "other-run", json!({}));
    assert_eq!(status, 400);
    assert_eq!(body["error"], "VALIDATION_FAILED");
    assert_eq!(body["field"], "jobRunId");
    assert!(events.is_empty());
    let (status, body, _) = ark.progress("no-such-job", "r", json!({}));
    assert_eq!((status, body["error"].as_str()), (404, Some("NOT_FOUND")));
    let (status, body, _) = ark.complete(&job, "other-run", json!({"status": "COMPLETED"}));
    assert_eq!((status, body["field"].as_str()), (400, Some("jobRunId")));
}

#[test]
fn completed_with_and_without_result() {
    let mut ark = Ark::new();
    let (job, run) = ark.job(None);
    ark.progress(&job, &run, json!({}));
    let (status, body, events) = ark.complete(
        &job,
        &run,
        json!({"status": "COMPLETED", "result": {"buildId": "12345678"}}),
    );
    assert_eq!(status, 200);
    assert_eq!(body["status"], "COMPLETED");
    assert_eq!(body["result"], json!({"buildId": "12345678"}));
    assert_eq!(events[0]["event"], "job:completed");
    assert_eq!(
        keys(&events[0]["data"]),
        ["completedAt", "jobId", "jobRunId", "result"]
    );
    let (job, run) = ark.job(None);
    let (_, body, events) = ark.complete(&job, &run, json!({"status": "COMPLETED"}));
    assert!(body.get("result").is_none());
    assert_eq!(
        keys(&events[0]["data"]),
        ["completedAt", "jobId", "jobRunId"]
    );
}

#[test]
fn failed_needs_an_error() {
    let mut ark = Ark::new();
    let (job, run) = ark.job(None);
    let (status, body, events) = ark.complete(&job, &run, json!({"status": "FAILED"}));
    assert_eq!((status, body["field"].as_str()), (400, Some("error")));
    assert!(events.is_empty());
    let (status, body, events) = ark.complete(
        &job,
        &run,
        json!({"status": "FAILED", "error": "disk full"}),
    );
    assert_eq!(status, 200);
    assert_eq!(body["error"], "disk full");
    assert_eq!(events[0]["event"], "job:failed");
    assert_eq!(
        keys(&events[0]["data"]),
        ["error", "failedAt", "jobId", "jobRunId"]
    );
    assert_eq!(events[0]["data"]["error"], "disk full");
}

#[test]
fn cancelled_pushes_job_cancelled() {
    let mut ark = Ark::new();
    let (job, run) = ark.job(None);
    let (status, body, events) = ark.complete(&job, &run, json!({"status": "CANCELLED"}));
    assert_eq!(status, 200);
    assert_eq!(body["status"], "CANCELLED");
    assert_eq!(events[0]["event"], "job:cancelled");
    assert_eq!(
        keys(&events[0]["data"]),
        ["cancelledAt", "jobId", "jobRunId"]
    );
}

#[test]
fn terminal_jobs_reject_progress_and_completion() {
    for end in [
        json!({"status": "COMPLETED"}),
        json!({"status": "FAILED", "error": "x"}),
        json!({"status": "CANCELLED"}),
    ] {
        let mut ark = Ark::new();
        let (job, run) = ark.job(None);
        assert_eq!(ark.complete(&job, &run, end.clone()).0, 200);
        let (status, body, events) = ark.progress(&job, &run, json!({}));
        assert_eq!(
            (status, body["error"].as_str()),
            (409, Some("INVALID_STATE"))
        );
        assert!(events.is_empty());
        let (status, body, events) = ark.complete(&job, &run, json!({"status": "COMPLETED"}));
        assert_eq!(
            (status, body["error"].as_str()),
            (409, Some("INVALID_STATE"))
        );
        assert!(events.is_empty());
        let (_, got, _) = ark.call("GET", &format!("/jobs/{job}"), json!(null));
        assert_eq!(got["status"], end["status"]);
    }
}

#[test]
fn lists_are_in_creation_order() {
    let mut ark = Ark::new();
    let ids: Vec<String> = (0..5).map(|_| ark.job(None).0).collect();
    let (status, list, _) = ark.call("GET", "/jobs", json!(null));
    assert_eq!(status, 200);
    let got: Vec<String> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["jobId"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(got, ids);
}
