//! The harness catches a server that breaks the specification: a proxy in front of the
//! reference server rewrites, drops or reorders what it pushes, and the scenarios that check
//! those behaviours must fail, pointing at the exact step and JSON path.

use crate::support;

use harness::report::model::{ScenarioResult, Verdict};
use support::faulty_proxy::{self, Fault};

async fn run_through(fault: Fault, id: &str) -> ScenarioResult {
    support::run_behind_proxy("ark", id, fault, None).await
}

#[tokio::test]
async fn the_unproxied_scenarios_pass_so_the_faults_below_are_what_fails() {
    let result = run_through(
        std::sync::Arc::new(|| Box::new(|text| vec![text])),
        "ark.job.created",
    )
    .await;
    assert_eq!(result.verdict, Verdict::Pass, "{result:#?}");
}

#[tokio::test]
async fn a_timestamp_of_the_wrong_type_fails_at_its_path_and_breaks_the_schema() {
    let fault = faulty_proxy::rewrite_event("job:created", |v| {
        v["data"]["createdAt"] = 1_700_000_000_000u64.into()
    });
    let result = run_through(fault, "ark.job.created").await;
    assert_eq!(result.verdict, Verdict::Fail);
    let failure = result.failure.unwrap();
    assert_eq!(failure.path.as_deref(), Some("$.data.createdAt"));
    assert_eq!(failure.actual, Some(1_700_000_000_000u64.into()));
    assert!(
        failure.at.unwrap().contains("job-created.yaml:"),
        "the failing step's file:line is reported"
    );
    assert!(
        result
            .findings
            .iter()
            .any(|f| f.path.as_deref() == Some("$.data.createdAt")),
        "{:?}",
        result.findings
    );
}

#[tokio::test]
async fn an_extra_payload_field_is_a_schema_finding_even_if_no_step_looks_at_it() {
    let fault = faulty_proxy::rewrite_event("job:created", |v| v["data"]["debug"] = true.into());
    let result = run_through(fault, "ark.job.created").await;
    assert_eq!(result.verdict, Verdict::Fail);
    assert!(
        result.findings.iter().any(|f| f.message.contains("debug")),
        "{:?}",
        result.findings
    );
}

#[tokio::test]
async fn a_missing_event_fails_after_the_deadline() {
    let result = run_through(faulty_proxy::drop_event("job:progress"), "ark.job.progress").await;
    assert_eq!(result.verdict, Verdict::Fail);
    assert!(
        result
            .failure
            .unwrap()
            .message
            .contains("before the deadline")
    );
}

#[tokio::test]
async fn events_out_of_order_fail_the_ordering_scenario() {
    let result = run_through(faulty_proxy::swap_pairs(), "ark.stream.same_order").await;
    assert_eq!(result.verdict, Verdict::Fail, "{result:#?}");
}

#[tokio::test]
async fn an_unknown_event_type_is_a_finding() {
    let fault = faulty_proxy::rewrite_event("job:created", |v| v["event"] = "job:made".into());
    let result = run_through(fault, "ark.job.created").await;
    assert_eq!(result.verdict, Verdict::Fail);
    assert!(
        result
            .findings
            .iter()
            .any(|f| f.message.contains("unknown message type \"job:made\"")),
        "{:?}",
        result.findings
    );
}
