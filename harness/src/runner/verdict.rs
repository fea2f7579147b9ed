//! From a finished session to a [`ScenarioResult`]: the verdict and the evidence for it.
//!
//! Fail when a step's expectation is unmet or any received message has a finding; error when
//! the target was unreachable or the scenario itself is wrong; pass otherwise.

use super::StepFailure;
use super::session::Session;
use crate::report::model::{Direction, Failure, ScenarioResult, Verdict};
use crate::scenario::model::Scenario;

/// The result of a scenario the target cannot run.
pub fn unsupported(scenario: &Scenario, missing: &[&String], rerun: String) -> ScenarioResult {
    let names: Vec<&str> = missing.iter().map(|s| s.as_str()).collect();
    let message = format!(
        "the target does not declare the capability {}",
        names.join(", ")
    );
    let mut result = empty(scenario, Verdict::Unsupported, rerun);
    result.failure = Some(Failure::new(message));
    result
}

/// The result of a scenario the harness could not carry out (no target, no server).
pub fn error(scenario: &Scenario, message: String, rerun: String) -> ScenarioResult {
    let mut result = empty(scenario, Verdict::Error, rerun);
    result.failure = Some(Failure::new(message));
    result
}

/// Judges a finished session.
pub fn judge(
    session: Session<'_>,
    failure: Option<(usize, StepFailure)>,
    rerun: String,
) -> ScenarioResult {
    let scenario = session.scenario;
    let verdict = match &failure {
        Some((_, f)) if f.unreachable || f.unmet.scenario_error => Verdict::Error,
        Some(_) => Verdict::Fail,
        None if !session.findings.is_empty() => Verdict::Fail,
        None => Verdict::Pass,
    };
    let mut result = empty(scenario, verdict, rerun);
    result.duration_ms = u64::try_from(session.started.elapsed().as_millis()).unwrap_or(u64::MAX);
    result.failure = failure.map(|(index, f)| Failure {
        message: f.unmet.message,
        at: scenario
            .steps
            .get(index)
            .map(|s| format!("{}:{}", s.location.file.display(), s.location.line)),
        step: Some(index + 1),
        actor: Some(f.actor),
        path: f.unmet.path,
        expected: f.unmet.expected,
        actual: f.unmet.actual,
        unreachable: f.unreachable,
    });
    result.unmatched = session
        .transcript
        .iter()
        .filter(|e| {
            e.direction == Direction::Received
                && !e.matched
                && !e.foreign
                && e.actor != "http"
                && !e.text.starts_with("close")
        })
        .cloned()
        .collect();
    result.run_id = session
        .captures
        .get("run_id")
        .and_then(|v| v.as_str())
        .map(str::to_owned);
    result.socket_ids = session.socket_ids;
    result.findings = session.findings;
    result.transcript = session.transcript;
    result
}

fn empty(scenario: &Scenario, verdict: Verdict, rerun: String) -> ScenarioResult {
    ScenarioResult {
        id: scenario.id.clone(),
        title: scenario.title.clone(),
        protocol: scenario.protocol.clone(),
        clause: scenario.clause.clone(),
        level: scenario.level.as_str().to_owned(),
        file: format!(
            "{}:{}",
            scenario.location.file.display(),
            scenario.location.line
        ),
        verdict,
        duration_ms: 0,
        failure: None,
        findings: Vec::new(),
        unmatched: Vec::new(),
        transcript: Vec::new(),
        rerun,
        run_id: None,
        socket_ids: Vec::new(),
    }
}
