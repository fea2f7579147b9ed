//! The whole `ark` suite against the embedded reference server (a fresh one per scenario, on
//! ephemeral loopback ports): every scenario must pass, and each one's normalised transcript
//! must equal its golden file in `fixtures/ark/transcripts/`.
#![allow(clippy::unwrap_used)]

mod support;

use std::collections::HashMap;

use harness::report::golden;
use harness::report::model::Verdict;
use harness::runner::RunOptions;
use harness::runner::suite::{SuitePlan, TargetSource, run_all};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_ark_scenario_passes_against_the_reference_server() {
    let scenarios = support::scenarios("ark");
    assert!(
        scenarios.len() >= 40,
        "the ark suite shrank to {} scenarios",
        scenarios.len()
    );
    let suites = HashMap::from([("ark".to_owned(), support::suite("ark"))]);
    let targets = HashMap::from([("ark".to_owned(), TargetSource::Embedded)]);
    let options = RunOptions {
        time_scale: time_scale(),
        ..RunOptions::default()
    };
    let rerun =
        |s: &harness::scenario::model::Scenario| format!("wsconform run --scenario {}", s.id);
    let plan = SuitePlan {
        scenarios: &scenarios,
        suites: &suites,
        targets: &targets,
        jobs: 4,
        options: &options,
        rerun: &rerun,
    };
    let results = run_all(&plan, |_| {}).await;

    let report = harness::report::model::RunReport {
        tool: "test".into(),
        targets: vec!["ark=embedded".into()],
        summary: harness::report::model::Summary::of(&results),
        scenarios: results.clone(),
        duration_ms: 0,
    };
    let not_passing: Vec<_> = results
        .iter()
        .filter(|r| r.verdict != Verdict::Pass)
        .collect();
    assert!(
        not_passing.is_empty(),
        "{}",
        harness::report::human::details(&report, false)
    );

    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../../fixtures/ark/transcripts");
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| {
        for result in &results {
            insta::assert_snapshot!(
                result.id.clone(),
                golden::normalise(result, result.run_id.as_deref())
            );
        }
    });
}

/// Slow machines can stretch every wait: `WSCONFORM_TIME_SCALE=3 cargo test`.
fn time_scale() -> f64 {
    std::env::var("WSCONFORM_TIME_SCALE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1.0)
}
