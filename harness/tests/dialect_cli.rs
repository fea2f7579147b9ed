//! A server that deviates like a real one (acks wrapped in `status: "ok"`, job events broadcast
//! to every socket, refusals by an `error` event and a disconnect) with one deep behavioural bug
//! besides (no `job_retrying`):
//! without a dialect, the report names the few root causes first and still reaches the deep
//! bug; with a dialect profile and a baseline, the run exits 0 while nothing changes, and 4 on
//! a new failure or a fixed one.

use crate::support;

use std::path::Path;
use std::time::Duration;

use support::cli::run_scenarios;

const WITHIN: Duration = Duration::from_secs(240);

/// The wrapper in many scenarios, a refusal, a cancellation (broadcast), and the deep bug in the
/// retry scenarios.
const SELECTION: [&str; 7] = [
    "jobber.cancel.active",
    "jobber.retry.immediate",
    "jobber.retry.delay",
    "jobber.job.lifecycle_completed",
    "jobber.job.send_and_get",
    "jobber.worker.register_ack",
    "jobber.connect.unknown_token_refused",
];

fn profile(dir: &Path, url: &str, baseline: Option<&str>) -> std::path::PathBuf {
    let baseline = baseline.map_or_else(String::new, |b| format!("baseline: {b}\n"));
    let text = format!(
        r#"targets:
  jobber:
    url: {url}
    dialect:
      - id: ack-status-wrapper
        reason: every ack carries status ok
        accept: extra_keys
        in: acks
        at: /args/0
        keys: [status]
      - id: refusal-by-error-event
        reason: bad tokens get an error event and a disconnect
        accept: refusal_by_event
        event: error
      - id: job-events-to-everyone
        reason: job events go to every connected socket
        accept: broadcasts
        types: [job_cancelled, job_retrying, job_expired]
jobs: 2
{baseline}reports:
  json: run.json
"#
    );
    let path = dir.join("target.yaml");
    std::fs::write(&path, text).unwrap();
    path
}

fn job_event(frame: &str) -> bool {
    frame.starts_with(r#"42["job_"#)
}

/// The double: `fault` on every frame, and job events echoed to every other socket.
async fn double(
    upstream: &str,
    fault: support::faulty_proxy::Fault,
) -> support::faulty_proxy::FaultyProxy {
    support::faulty_proxy::start_broadcasting(upstream, fault, job_event).await
}

async fn run(args: Vec<String>) -> support::cli::Finished {
    run_scenarios(args, &SELECTION, WITHIN).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_dialect_the_root_causes_come_first_and_the_deep_bug_is_still_reached() {
    let server = support::embedded("jobber").await;
    let upstream = server.target("jobber").unwrap().url;
    let proxy = double(
        &upstream,
        support::faulty_proxy::deviating_server_without_retries(),
    )
    .await;
    let target = format!("jobber={}", proxy.url);
    let finished = run(vec!["--target".into(), target, "--jobs".into(), "2".into()]).await;
    assert_eq!(finished.code(), Some(4), "{}", finished.shown());
    let stdout = finished.stdout();
    let causes = stdout.find("root causes").expect("root causes");
    let first_detail = stdout.find("\nFAIL").unwrap_or(stdout.len());
    assert!(causes < first_detail, "{stdout}");
    let block = &stdout[causes..first_detail];
    assert!(
        block.contains("status"),
        "the wrapper is a root cause: {block}"
    );
    assert!(
        block.contains("job_retrying"),
        "the deep bug is reached and named: {block}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_a_dialect_and_a_baseline_only_changes_break_the_run() {
    let server = support::embedded("jobber").await;
    let upstream = server.target("jobber").unwrap().url;
    let deviating = double(
        &upstream,
        support::faulty_proxy::deviating_server_without_retries(),
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let profile_at = |url: &str, baseline: Option<&str>| {
        profile(dir.path(), url, baseline).display().to_string()
    };

    // The dialect accepts the wrapper and the refusal; only the deep bug fails. Record it.
    let written = dir.path().join("baseline.json");
    let finished = run(vec![
        "--profile".into(),
        profile_at(&deviating.url, None),
        "--write-baseline".into(),
        written.display().to_string(),
    ])
    .await;
    assert_eq!(finished.code(), Some(4), "{}", finished.shown());
    let stdout = finished.stdout();
    assert!(stdout.contains("declared deviations"), "{stdout}");
    assert!(stdout.contains("ack-status-wrapper"), "{stdout}");
    assert!(stdout.contains("refusal-by-error-event"), "{stdout}");
    assert!(stdout.contains("job-events-to-everyone"), "{stdout}");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("run.json")).unwrap())
            .unwrap();
    let mut failed: Vec<&str> = report["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["verdict"] == "fail")
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    failed.sort_unstable();
    // The refusal's text differs from the document's code: a deviation the dialect does not
    // declare, so it stays a failure (and goes into the baseline).
    assert_eq!(
        failed,
        vec![
            "jobber.connect.unknown_token_refused",
            "jobber.retry.delay",
            "jobber.retry.immediate"
        ],
        "{}",
        finished.shown()
    );
    assert!(
        report["summary"]["passed_with_deviations"]
            .as_u64()
            .unwrap()
            >= 3,
        "{}",
        report["summary"]
    );

    // Nothing changed: exit 0.
    let finished = run(vec![
        "--profile".into(),
        profile_at(&deviating.url, Some("baseline.json")),
    ])
    .await;
    assert_eq!(finished.code(), Some(0), "{}", finished.shown());
    assert!(
        finished.stdout().contains("still fail as known"),
        "{}",
        finished.shown()
    );

    // The deep bug fixed (the same deviations, retries sent): 4, "fixed".
    let fixed = double(&upstream, support::faulty_proxy::deviating_server()).await;
    let finished = run(vec![
        "--profile".into(),
        profile_at(&fixed.url, Some("baseline.json")),
    ])
    .await;
    assert_eq!(finished.code(), Some(4), "{}", finished.shown());
    assert!(
        finished.stdout().contains("baseline: fixed:"),
        "{}",
        finished.shown()
    );

    // A new failure (acks no longer carry the job id): 4, "new failure".
    let broken = support::faulty_proxy::start(
        &upstream,
        support::faulty_proxy::rewrite_socketio(|kind, _, data| {
            if kind == '3'
                && let Some(answer) = data.get_mut(0).and_then(|a| a.as_object_mut())
            {
                answer.insert("status".into(), "ok".into());
                if answer.remove("jobId").is_some() {
                    answer.insert("id".into(), "moved".into());
                }
            }
        }),
    )
    .await;
    let finished = run(vec![
        "--profile".into(),
        profile_at(&broken.url, Some("baseline.json")),
    ])
    .await;
    assert_eq!(finished.code(), Some(4), "{}", finished.shown());
    assert!(
        finished.stdout().contains("baseline: new failure:"),
        "{}",
        finished.shown()
    );
}
