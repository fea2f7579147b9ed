//! From a finished session to a [`ScenarioResult`]: the verdict and the evidence for it.
//!
//! Fail when a step's check failed or any received message has a finding; error when the target
//! was unreachable or the scenario itself is wrong; pass otherwise.

use crate::exec::{CheckRecord, Outcome};
use crate::profile::Profile;
use crate::report::model::{CheckResult, Direction, Failure, Finding, ScenarioResult, Verdict};
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
    scenario: &Scenario,
    profile: &Profile,
    outcome: Outcome,
    rerun: String,
) -> ScenarioResult {
    let verdict = match &outcome.failure {
        Some(f) if f.unreachable || f.unmet.is_scenario_error() => Verdict::Error,
        Some(_) => Verdict::Fail,
        None if !outcome.findings.is_empty() => Verdict::Fail,
        None => Verdict::Pass,
    };
    let steps = scenario.numbered_steps();
    let at = |number: usize| {
        number
            .checked_sub(1)
            .and_then(|i| steps.get(i))
            .map(|s| format!("{}:{}", s.location.file.display(), s.location.line))
    };
    let mut result = empty(scenario, verdict, rerun);
    result.duration_ms = millis(outcome.finished.saturating_duration_since(outcome.started));
    result.failure = outcome.failure.map(|f| Failure {
        message: f.unmet.message,
        at: f.step.and_then(at),
        step: f.step,
        actor: Some(f.actor),
        path: f.unmet.path,
        expected: f.unmet.expected,
        actual: f.unmet.actual,
        unreachable: f.unreachable,
        from_findings: false,
    });
    result.checks = outcome
        .checks
        .iter()
        .map(|check| check_result(check, &outcome.actors, at(check.step)))
        .collect();
    let namespace = profile.namespace.as_deref().unwrap_or("/");
    let transcript = outcome
        .transcript
        .render(outcome.started, &outcome.actors, namespace);
    let first = outcome.transcript.first();
    result.unmatched = transcript
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
    result.run_id = Some(outcome.run_id);
    result.deviations = outcome.deviations;
    result.socket_ids = outcome.socket_ids;
    // A finding about another session's message belongs to the scenario that caused it (which
    // gets its own copy on a broadcast server), not to this bystander.
    result.findings = outcome
        .findings
        .into_iter()
        .map(|mut finding| {
            finding.message_index = finding.message_index.saturating_sub(first);
            finding
        })
        .filter(|finding| {
            !transcript
                .get(finding.message_index)
                .is_some_and(|entry| entry.foreign)
        })
        .collect();
    result.transcript = transcript;
    if result.failure.is_none() {
        result.failure = findings_headline(&result.findings);
    }
    result
}

/// The headline of a scenario that failed only by its findings (a schema broken, a message no
/// step asked for, a property broken): the first of them.
fn findings_headline(findings: &[Finding]) -> Option<Failure> {
    let first = findings.first()?;
    let more = match findings.len() {
        1 => String::new(),
        n => format!(" (and {} more findings)", n - 1),
    };
    Some(Failure {
        actor: Some(first.actor.clone()),
        path: first.path.clone(),
        from_findings: true,
        ..Failure::new(format!(
            "message #{} to {}: {}{more}",
            first.message_index + 1,
            first.actor,
            first.message
        ))
    })
}

fn check_result(check: &CheckRecord, actors: &[String], at: Option<String>) -> CheckResult {
    CheckResult {
        step: check.step,
        at: at.unwrap_or_default(),
        kind: check.kind,
        verdict: check.verdict,
        actor: check.actor.and_then(|a| actors.get(a).cloned()),
        path: check.unmet.as_ref().and_then(|u| u.path.clone()),
        message: check.unmet.as_ref().map(|u| u.message.clone()),
        expected: check.unmet.as_ref().and_then(|u| u.expected.clone()),
        actual: check.unmet.as_ref().and_then(|u| u.actual.clone()),
        took_ms: check.took.as_secs_f64() * 1000.0,
    }
}

fn millis(duration: std::time::Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
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
        deviations: Vec::new(),
        leaks: Vec::new(),
        unmatched: Vec::new(),
        checks: Vec::new(),
        transcript: Vec::new(),
        rerun,
        run_id: None,
        socket_ids: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scenario_failed_by_findings_alone_still_has_a_headline() {
        let finding = |message: &str| Finding {
            actor: "worker".into(),
            message_index: 2,
            message: message.into(),
            path: Some("$.args[0].reason".into()),
        };
        assert!(findings_headline(&[]).is_none());
        let headline = findings_headline(&[
            finding("job_cancelled schema: \"reason\" is not a string"),
            finding("job_cancelled schema: another"),
        ])
        .expect("a headline");
        assert_eq!(
            headline.message,
            "message #3 to worker: job_cancelled schema: \"reason\" is not a string (and 1 more findings)"
        );
        assert_eq!(headline.path.as_deref(), Some("$.args[0].reason"));
        assert!(headline.from_findings);
    }
}
