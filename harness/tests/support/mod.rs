//! Shared pieces of the harness's integration tests.
#![allow(dead_code, clippy::unwrap_used)]

pub mod browser;
pub mod cli;
pub mod dialect;
pub mod faulty_proxy;
pub mod fuzzing;
pub mod load_report;
pub mod stub_server;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use harness::embedded::EmbeddedFactory;
use harness::exec::markers::MarkerIndex;
use harness::report::golden;
use harness::report::model::{RunReport, ScenarioResult, Summary, Verdict};
use harness::runner::suite::{SuitePlan, TargetSource, run_all};
use harness::runner::{
    ProtocolSuite, RunOptions, RunningTarget, Target, TargetFactory, run_scenario,
};
use harness::scenario::model::Scenario;

/// A fresh embedded reference server serving `protocol`.
pub async fn embedded(protocol: &str) -> Box<dyn RunningTarget> {
    EmbeddedFactory
        .start(vec![protocol.to_owned()], Vec::new())
        .await
        .unwrap()
}

/// Runs scenario `id` of `protocol` against a fresh embedded reference server behind a faulty
/// proxy: `down` rewrites what the server sends, `up` (if any) what clients send.
pub async fn run_behind_proxy(
    protocol: &str,
    id: &str,
    down: faulty_proxy::Fault,
    up: Option<faulty_proxy::Fault>,
) -> ScenarioResult {
    let server = embedded(protocol).await;
    let served = server.target(protocol).unwrap();
    let proxy = faulty_proxy::start_with(&served.url, down, up).await;
    // The server was started for this scenario alone.
    let mut capabilities = served.capabilities;
    capabilities.insert(harness::runner::suite::FRESH_STATE.to_owned());
    let target = Target {
        url: proxy.url.clone(),
        capabilities,
    };
    let result = run_scenario(
        &scenario(protocol, id),
        &Arc::new(suite(protocol)),
        &target,
        &Arc::new(RunOptions::default()),
        &Arc::new(MarkerIndex::default()),
        String::new(),
    )
    .await;
    server.stop().await;
    result
}

/// The repository root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Every scenario of `protocol`, parsed (a parse error fails the test).
pub fn scenarios(protocol: &str) -> Vec<Scenario> {
    let (scenarios, errors) = harness::scenario::load_dir(&root().join("scenarios").join(protocol));
    assert!(errors.is_empty(), "scenario files have errors: {errors:#?}");
    scenarios
}

/// One scenario by id.
pub fn scenario(protocol: &str, id: &str) -> Scenario {
    scenarios(protocol)
        .into_iter()
        .find(|s| s.id == id)
        .unwrap_or_else(|| panic!("no scenario {id}"))
}

/// The profile and schemas of `protocol`.
pub fn suite(protocol: &str) -> ProtocolSuite {
    suite_in(&root().join("fixtures"), protocol)
}

/// Runs every scenario of `protocol` against the embedded reference server (a fresh one per
/// scenario), four at a time; fails if the suite has fewer than `at_least` scenarios.
pub async fn run_embedded_suite(protocol: &str, at_least: usize) -> Vec<ScenarioResult> {
    let scenarios = scenarios(protocol);
    assert!(
        scenarios.len() >= at_least,
        "the {protocol} suite shrank to {} scenarios",
        scenarios.len()
    );
    let suites = HashMap::from([(protocol.to_owned(), Arc::new(suite(protocol)))]);
    let factory: Arc<dyn TargetFactory> = Arc::new(EmbeddedFactory);
    let targets = HashMap::from([(protocol.to_owned(), TargetSource::Fresh(factory))]);
    let options = RunOptions {
        time_scale: time_scale(),
        ..RunOptions::default()
    };
    let plan = SuitePlan {
        scenarios,
        suites,
        targets,
        jobs: 4,
        options: Arc::new(options),
        rerun: Arc::new(|s: &Scenario| format!("wsconform run --scenario {}", s.id)),
    };
    run_all(plan, |_| {}).await
}

/// Every result passes, except the ids in `unsupported`, which must be exactly `unsupported`
/// (known gaps of the reference server, each explained in the protocol's NOTES.md).
pub fn assert_all_pass(results: &[ScenarioResult], unsupported: &[&str]) {
    let report = RunReport {
        tool: "test".into(),
        targets: vec!["embedded".into()],
        summary: Summary::of(results),
        scenarios: results.to_vec(),
        duration_ms: 0,
        coverage: None,
    };
    let wrong: Vec<&ScenarioResult> = results
        .iter()
        .filter(|r| {
            let want = if unsupported.contains(&r.id.as_str()) {
                Verdict::Unsupported
            } else {
                Verdict::Pass
            };
            r.verdict != want
        })
        .collect();
    assert!(
        wrong.is_empty(),
        "{}",
        harness::report::human::details(&report, false)
    );
}

/// Each result's normalised transcript equals its golden file in
/// `fixtures/<protocol>/transcripts/` (record with `INSTA_UPDATE=always`), except the ids in
/// `skipped` (transcripts holding a number of messages that depends on timing, or hundreds of
/// rounds of one exchange) and the load scenarios (tag `load`), whose transcripts are thousands
/// of lines of one round repeated.
pub fn assert_golden_transcripts(protocol: &str, results: &[ScenarioResult], skipped: &[&str]) {
    let load: Vec<String> = scenarios(protocol)
        .into_iter()
        .filter(|s| s.tags.iter().any(|t| t == "load"))
        .map(|s| s.id)
        .collect();
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(root().join("fixtures").join(protocol).join("transcripts"));
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| {
        for result in results {
            if skipped.contains(&result.id.as_str()) || load.contains(&result.id) {
                continue;
            }
            insta::assert_snapshot!(
                result.id.clone(),
                golden::normalise(result, result.run_id.as_deref())
            );
        }
    });
}

/// Slow machines can stretch every wait: `WSCONFORM_TIME_SCALE=3 cargo test`.
pub fn time_scale() -> f64 {
    std::env::var("WSCONFORM_TIME_SCALE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1.0)
}

/// The suite of `protocol` from the fixtures under `fixtures` (test protocols live in
/// `tests/data`).
pub fn suite_in(fixtures: &Path, protocol: &str) -> ProtocolSuite {
    harness::runner::protocol::load_protocol(fixtures, protocol).unwrap()
}

/// The text of each entry of a finished session's transcript, in order.
pub fn transcript_texts(outcome: &harness::exec::Outcome) -> Vec<String> {
    outcome
        .transcript
        .render(outcome.started, &outcome.actors, "/")
        .into_iter()
        .map(|e| e.text)
        .collect()
}

/// Fails the test, showing why, unless the session passed.
pub fn assert_passed(outcome: &harness::exec::Outcome) {
    assert!(
        outcome.passed(),
        "{:?} {:?}",
        outcome.failure,
        outcome.findings
    );
}
