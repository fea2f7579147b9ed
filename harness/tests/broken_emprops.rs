//! The harness catches an emprops hub that breaks the specification: a proxy in front of the
//! reference hub rewrites or drops what it sends, and the scenarios that check those behaviours
//! fail at the exact step and JSON path (emprops-N5, N10, N13 and E4, E9).

use crate::support;

use harness::report::model::{ScenarioResult, Verdict};
use serde_json::Value;
use support::faulty_proxy::{Fault, drop_type, rewrite_type};

async fn run_through(fault: Fault, id: &str) -> ScenarioResult {
    support::run_behind_proxy("emprops", id, fault, None).await
}

/// The failed check of `result` at `file:line` (a later check may fail too).
fn failed_at<'a>(result: &'a ScenarioResult, at: &str) -> &'a harness::report::model::CheckResult {
    result
        .checks
        .iter()
        .find(|c| c.verdict == harness::report::model::CheckVerdict::Fail && c.at.ends_with(at))
        .unwrap_or_else(|| panic!("no failed check at {at}: {result:#?}"))
}

#[tokio::test]
async fn through_an_honest_proxy_the_scenarios_below_pass() {
    let unchanged: Fault = std::sync::Arc::new(|| Box::new(|text| vec![text]));
    for id in [
        "emprops.flow.complete",
        "emprops.queue.positions",
        "emprops.error.invalid_json",
    ] {
        let result = run_through(unchanged.clone(), id).await;
        assert_eq!(result.verdict, Verdict::Pass, "{id}: {result:#?}");
    }
}

#[tokio::test]
async fn a_queue_position_off_by_one_fails_at_the_first_acceptance_and_its_path() {
    let result = run_through(
        rewrite_type("job_accepted", |v| {
            v["position"] = Value::from(v["position"].as_u64().unwrap() + 1);
        }),
        "emprops.queue.positions",
    )
    .await;
    assert_eq!(result.verdict, Verdict::Fail);
    let check = failed_at(&result, "queue-positions.yaml:17");
    assert_eq!(check.path.as_deref(), Some("$.position"), "{check:#?}");
    assert_eq!(check.actual, Some(Value::from(2)));
}

#[tokio::test]
async fn a_wrong_error_code_fails_at_its_path_and_breaks_the_error_schema() {
    let result = run_through(
        rewrite_type("error", |v| v["error_code"] = "BAD_JSON".into()),
        "emprops.error.invalid_json",
    )
    .await;
    assert_eq!(result.verdict, Verdict::Fail);
    let check = failed_at(&result, "error-invalid-json.yaml:18");
    assert_eq!(check.path.as_deref(), Some("$.error_code"), "{check:#?}");
    assert!(
        result
            .findings
            .iter()
            .any(|f| f.path.as_deref() == Some("$.error_code")),
        "the error schema names its codes: {:#?}",
        result.findings
    );
}

#[tokio::test]
async fn a_missing_completion_fails_at_the_step_that_awaits_it() {
    let result = run_through(drop_type("job_completed"), "emprops.flow.complete").await;
    assert_eq!(result.verdict, Verdict::Fail);
    let check = failed_at(&result, "flow-complete.yaml:121");
    assert_eq!(check.actor.as_deref(), Some("client"), "{check:#?}");
    assert!(
        result
            .checks
            .iter()
            .all(|c| c.verdict == harness::report::model::CheckVerdict::Pass
                || c.at.ends_with("flow-complete.yaml:121")),
        "only the awaited completion fails: {:#?}",
        result.checks
    );
}
