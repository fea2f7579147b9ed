//! `wsconform diff` end to end: the reference server as its own target is the same in every
//! scenario (normalisation hides only what changes from run to run), and a server that wraps
//! its acks diverges at the first wrapped ack, at the extra key's path; one that broadcasts job
//! traffic, or never sends `job_retrying`, diverges at the first message that shows it.

use crate::support;

use std::time::Duration;

use support::cli::{run_within, serve_with, wsconform};

/// How long a diff of a handful of scenarios may take (both sides, with re-runs).
const DIFF_WITHIN: Duration = Duration::from_secs(120);

/// Scenarios of both protocols: HTTP and broadcasts (ark), acks, events to two actors, workers,
/// batches and tokens (jobber).
const SCENARIOS: [&str; 10] = [
    "ark.agent.heartbeat",
    "ark.agent.registered",
    "ark.instance.created",
    "ark.instance.status_changed",
    "ark.instance.create_missing_field",
    "jobber.connect.client_ready",
    "jobber.job.lifecycle_completed",
    "jobber.worker.register_ack",
    "jobber.batch.wait_cancelled",
    "jobber.isolation.jobs",
];

fn json_report(dir: &tempfile::TempDir) -> serde_json::Value {
    let text = std::fs::read_to_string(dir.path().join("diff.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn the_reference_served_separately_is_the_same_in_every_scenario() {
    // The target accepts other tokens than the reference: its `--var` values appear in its
    // transcript, the profile defaults in the reference's; both become `<var:token_a>`.
    let served = serve_with(&["--jobber-token", "secret-token-a"]);
    let dir = tempfile::tempdir().unwrap();
    let mut command = wsconform();
    command
        .args(["diff", "--target", &format!("ark={}", served.url)])
        .args(["--target", &format!("jobber={}", served.jobber)])
        .args(["--var", "token_a=secret-token-a"])
        .args([
            "--report",
            &format!("json={}", dir.path().join("diff.json").display()),
        ]);
    for id in SCENARIOS {
        command.args(["--scenario", id]);
    }
    let finished = run_within(command, DIFF_WITHIN);
    assert_eq!(finished.code(), Some(0), "{}", finished.shown());
    let stdout = finished.stdout();
    for id in SCENARIOS {
        assert!(
            stdout.contains(&format!("SAME     {id}\n")),
            "{id}: {stdout}"
        );
    }
    assert!(
        stdout.contains("10 scenarios: 10 same, 0 diverge"),
        "{stdout}"
    );
    let report = json_report(&dir);
    assert_eq!(report["summary"]["same"], 10);
    assert_eq!(report["scenarios"][0]["status"], "same");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deviating_server_diverges_at_its_first_wrapped_ack_and_at_its_refusal() {
    let server = support::embedded("jobber").await;
    let upstream = server.target("jobber").unwrap().url;
    let proxy =
        support::faulty_proxy::start(&upstream, support::faulty_proxy::deviating_server()).await;
    let dir = tempfile::tempdir().unwrap();
    let mut command = wsconform();
    command
        .args(["diff", "--target", &format!("jobber={}", proxy.url)])
        .args(["--scenario", "jobber.worker.register_ack"])
        .args(["--scenario", "jobber.connect.client_ready"])
        .args(["--scenario", "jobber.connect.unknown_token_refused"])
        .args([
            "--report",
            &format!("json={}", dir.path().join("diff.json").display()),
        ]);
    let finished = tokio::task::spawn_blocking(move || run_within(command, DIFF_WITHIN))
        .await
        .unwrap();
    let stdout = finished.stdout();
    assert_eq!(finished.code(), Some(4), "{}", finished.shown());
    assert!(
        stdout.contains("DIVERGE  jobber.worker.register_ack"),
        "{stdout}"
    );
    assert!(
        stdout.contains("DIVERGE  jobber.connect.unknown_token_refused"),
        "{stdout}"
    );
    assert!(
        stdout.contains("SAME     jobber.connect.client_ready"),
        "a scenario with no ack is the same: {stdout}"
    );
    assert!(
        stdout.contains("differs at $.args[0].status: only in the target"),
        "{stdout}"
    );
    let report = json_report(&dir);
    assert_eq!(report["summary"]["diverge"], 2, "{stdout}");
    let scenarios = report["scenarios"].as_array().unwrap();
    let scenario = scenarios
        .iter()
        .find(|s| s["id"] == "jobber.worker.register_ack")
        .unwrap();
    assert_eq!(scenario["status"], "diverge");
    let divergence = &scenario["divergences"][0];
    assert_eq!(divergence["path"], "$.args[0].status");
    assert_eq!(divergence["change"], "only_in_target");
    let (reference, target) = (
        divergence["reference"].as_str().unwrap(),
        divergence["target"].as_str().unwrap(),
    );
    assert!(reference.starts_with("← {\"ack\":"), "{reference}");
    assert!(!reference.contains("status"), "{reference}");
    assert!(target.contains("\"status\":\"ok\""), "{target}");
    assert_eq!(
        reference.split("\"args\"").next(),
        target.split("\"args\"").next(),
        "the same ack on both sides"
    );
    let refused = scenarios
        .iter()
        .find(|s| s["id"] == "jobber.connect.unknown_token_refused")
        .unwrap();
    let divergence = &refused["divergences"][0];
    assert_eq!(
        (divergence["actor"].as_str(), divergence["index"].as_u64()),
        (Some("mallory"), Some(2))
    );
    assert!(
        divergence["reference"]
            .as_str()
            .unwrap()
            .contains("connect_error"),
        "{stdout}"
    );
    assert_eq!(divergence["target"], "← connected", "{stdout}");
    server.stop().await;
}

/// The first divergence of `scenario` in a diff against a double that has one deviation alone.
async fn divergences_of(
    fault_proxy: support::faulty_proxy::FaultyProxy,
    scenario: &str,
) -> Vec<serde_json::Value> {
    let dir = tempfile::tempdir().unwrap();
    let mut command = wsconform();
    command
        .args(["diff", "--target", &format!("jobber={}", fault_proxy.url)])
        .args(["--scenario", scenario])
        .args([
            "--report",
            &format!("json={}", dir.path().join("diff.json").display()),
        ]);
    let finished = tokio::task::spawn_blocking(move || run_within(command, DIFF_WITHIN))
        .await
        .unwrap();
    assert_eq!(finished.code(), Some(4), "{}", finished.shown());
    let report = json_report(&dir);
    report["scenarios"][0]["divergences"]
        .as_array()
        .unwrap()
        .clone()
}

fn job_traffic(frame: &str) -> bool {
    frame.starts_with(r#"42["job_"#) || frame.starts_with(r#"42["work_request""#)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broadcast_and_a_missing_event_each_diverge_at_their_first_message() {
    let server = support::embedded("jobber").await;
    let upstream = server.target("jobber").unwrap().url;
    let identity: support::faulty_proxy::Fault =
        std::sync::Arc::new(|| Box::new(|text: String| vec![text]));
    // Broadcasting job traffic: the other customer's connection receives the job first.
    let broadcasting =
        support::faulty_proxy::start_broadcasting(&upstream, identity, job_traffic).await;
    let divergences = divergences_of(broadcasting, "jobber.isolation.jobs").await;
    let other = divergences.iter().find(|d| d["actor"] == "other").unwrap();
    assert!(
        other["target"]
            .as_str()
            .unwrap()
            .starts_with("← {\"event\":\"work_request\""),
        "{other}"
    );
    assert!(
        !other["reference"]
            .as_str()
            .unwrap()
            .contains("work_request"),
        "{other}"
    );
    // The deep bug: no job_retrying, where the reference sends one to worker and producer.
    let silent = support::faulty_proxy::start(
        &upstream,
        support::faulty_proxy::drop_socketio_event("job_retrying"),
    )
    .await;
    let divergences = divergences_of(silent, "jobber.retry.immediate").await;
    for actor in ["worker", "producer"] {
        let divergence = divergences.iter().find(|d| d["actor"] == actor).unwrap();
        assert!(
            divergence["reference"]
                .as_str()
                .unwrap()
                .contains("job_retrying"),
            "{divergence}"
        );
    }
    server.stop().await;
}

#[test]
fn an_unreachable_target_exits_3_and_a_diff_without_target_is_a_usage_error() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let mut command = wsconform();
    command.args(["diff", "--target", &format!("jobber={url}")]);
    let finished = run_within(command, DIFF_WITHIN);
    assert_eq!(finished.code(), Some(3), "{}", finished.shown());
    assert!(finished.stdout().contains("is the server running"));
    let mut command = wsconform();
    command.args(["diff", "--protocol", "jobber"]);
    let finished = run_within(command, DIFF_WITHIN);
    assert_eq!(finished.code(), Some(1), "{}", finished.shown());
}
