//! The harness catches a dnaforge server that breaks the specification: a proxy in front of the
//! reference server (HTTP `GET /auth` passed through, the WebSocket on `/` rewritten) changes or
//! drops what it sends, and the scenario that checks each behaviour fails at its first wrong
//! step and JSON path (D2, D3, D5, D6; dnaforge-N5, N8, N15). Through an honest proxy the same
//! scenarios pass.
//!
//! The steps are the 1-based numbers of the scenario files' steps (comments do not move them):
//! a scenario rewritten so that its checks move must update its constant here.

use crate::support;

use harness::report::model::{CheckKind, CheckResult, CheckVerdict, ScenarioResult, Verdict};
use serde_json::Value;
use support::faulty_proxy::{Fault, drop_type, rewrite_type};

/// Fails the first `WebSocketAuth` (an unknown token), then succeeds with a good one.
const AUTH_RETRY: &str = "dnaforge.ws.auth_retry";
/// The `expect` of the answer to the unknown token (`success: false`).
const AUTH_RETRY_REFUSED_STEP: usize = 3;

/// A job of three configs, from `NEW` to `DONE`, seen by two sockets.
const LIFE: &str = "dnaforge.job.life_two_clients";
/// The `expect` (both actors) of the `JobUpdate` that starts the job: `RUNNING`, progress 0.
const LIFE_STARTED_STEP: usize = 14;

/// A job deleted: `JobUpdate {jobId, job: null}`.
const DELETE: &str = "dnaforge.job.delete";
/// The `expect` (both actors) of the first delete's `JobUpdate` (of the running job).
const DELETE_UPDATE_STEP: usize = 25;

/// `JobList` right after a successful `WebSocketAuthResponse`: alice's (empty or not) first, then
/// bob's, holding the jobs alice made meanwhile.
const JOBLIST: &str = "dnaforge.joblist.after_auth";
/// The `expect` of alice's `JobList`.
const JOBLIST_STEP: usize = 7;
/// The `expect` of bob's `JobList`, the one the scenario is about.
const JOBLIST_LATER_STEP: usize = 24;

async fn run_through(fault: Fault, id: &str) -> ScenarioResult {
    support::run_behind_proxy("dnaforge", id, fault, None).await
}

/// The first failed check of a failed `result`, in step order (later ones may fail too).
fn first_failure(result: &ScenarioResult) -> &CheckResult {
    assert_eq!(result.verdict, Verdict::Fail, "{result:#?}");
    result
        .checks
        .iter()
        .filter(|c| c.verdict == CheckVerdict::Fail)
        .min_by_key(|c| c.step)
        .unwrap_or_else(|| panic!("no failed check: {result:#?}"))
}

/// `check` is the `expect` of step `step` for `actor`, wrong at `path`, where it got `actual`
/// (`None`: nothing there).
fn failed_expect(
    check: &CheckResult,
    step: usize,
    actor: &str,
    path: Option<&str>,
    actual: Option<Value>,
) {
    assert_eq!(check.kind, CheckKind::Expect, "{check:#?}");
    assert_eq!(check.step, step, "{check:#?}");
    assert_eq!(check.actor.as_deref(), Some(actor), "{check:#?}");
    assert_eq!(check.path.as_deref(), path, "{check:#?}");
    assert_eq!(check.actual, actual, "{check:#?}");
}

#[tokio::test]
async fn through_an_honest_proxy_the_scenarios_below_pass() {
    let unchanged: Fault = std::sync::Arc::new(|| Box::new(|text| vec![text]));
    for id in [AUTH_RETRY, LIFE, DELETE, JOBLIST] {
        let result = run_through(unchanged.clone(), id).await;
        assert_eq!(result.verdict, Verdict::Pass, "{id}: {result:#?}");
    }
}

/// The proxy's HTTP is the server's (dnaforge-N1, N2): `GET /auth` judged by the
/// `Authorization` passed through, its answer's status, body and type unchanged, and a plain
/// request to the WebSocket's path answered by the server.
#[tokio::test]
async fn the_proxy_passes_get_auth_and_plain_requests_through() {
    let server = support::embedded("dnaforge").await;
    let served = server.target("dnaforge").unwrap();
    let unchanged: Fault = std::sync::Arc::new(|| Box::new(|text| vec![text]));
    let proxy = support::faulty_proxy::start(&served.url, unchanged).await;
    let client = reqwest::Client::new();
    let auth = |token: &'static str| {
        client
            .get(format!("{}/auth", proxy.url))
            .header("authorization", token)
            .send()
    };
    let accepted = auth("dnaforge-suite-access").await.unwrap();
    assert_eq!(accepted.status(), 200);
    assert_eq!(accepted.headers()["content-type"], "application/json");
    let body: Value = serde_json::from_str(&accepted.text().await.unwrap()).unwrap();
    assert_eq!(body["type"], "AuthResponse", "{body}");
    let refused = auth("wrong").await.unwrap();
    assert_eq!(refused.status(), 401);
    assert_eq!(refused.text().await.unwrap(), "");
    let plain = client.get(format!("{}/", proxy.url)).send().await.unwrap();
    assert_eq!(plain.status(), 426);
    server.stop().await;
}

#[tokio::test]
async fn an_auth_that_always_succeeds_fails_at_the_refused_token() {
    let result = run_through(
        rewrite_type("WebSocketAuthResponse", |v| v["success"] = true.into()),
        AUTH_RETRY,
    )
    .await;
    let check = first_failure(&result);
    failed_expect(
        check,
        AUTH_RETRY_REFUSED_STEP,
        "alice",
        Some("$.success"),
        Some(true.into()),
    );
}

#[tokio::test]
async fn a_progress_that_is_not_completed_over_steps_fails_at_the_job_s_start() {
    // Half done on every RUNNING update: wrong from the start (completedSteps 0), whatever the
    // job's size.
    let result = run_through(
        rewrite_type("JobUpdate", |v| {
            if v["job"]["status"] == "RUNNING" {
                v["job"]["progress"] = 0.5.into();
            }
        }),
        LIFE,
    )
    .await;
    let check = first_failure(&result);
    failed_expect(
        check,
        LIFE_STARTED_STEP,
        "alice",
        Some("$.job.progress"),
        Some(0.5.into()),
    );
    let both: Vec<_> = result
        .checks
        .iter()
        .filter(|c| c.step == LIFE_STARTED_STEP && c.verdict == CheckVerdict::Fail)
        .filter_map(|c| c.actor.as_deref())
        .collect();
    assert_eq!(both, ["alice", "bob"], "both sockets see it: {result:#?}");
}

#[tokio::test]
async fn a_delete_without_its_null_job_fails_at_the_update_and_breaks_the_schema() {
    let result = run_through(
        rewrite_type("JobUpdate", |v| {
            if v["job"].is_null() {
                v.as_object_mut().unwrap().remove("job");
            }
        }),
        DELETE,
    )
    .await;
    let check = first_failure(&result);
    failed_expect(check, DELETE_UPDATE_STEP, "alice", Some("$.job"), None);
    assert!(
        result
            .findings
            .iter()
            .any(|f| f.message.starts_with("JobUpdate schema") && f.message.contains("\"job\"")),
        "JobUpdate's schema requires job: {:#?}",
        result.findings
    );
}

#[tokio::test]
async fn a_job_list_never_sent_fails_at_the_step_that_awaits_it() {
    let result = run_through(drop_type("JobList"), JOBLIST).await;
    let check = first_failure(&result);
    failed_expect(check, JOBLIST_STEP, "alice", None, None);
    let later = result
        .checks
        .iter()
        .find(|c| c.step == JOBLIST_LATER_STEP)
        .unwrap_or_else(|| panic!("no check of step {JOBLIST_LATER_STEP}: {result:#?}"));
    // What bob gets instead is the running job's next JobUpdate ($.type), or nothing: timing.
    assert_eq!(later.verdict, CheckVerdict::Fail, "{later:#?}");
    assert_eq!(later.kind, CheckKind::Expect, "{later:#?}");
    assert_eq!(later.actor.as_deref(), Some("bob"), "{later:#?}");
}
