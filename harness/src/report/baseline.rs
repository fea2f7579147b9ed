//! Known-failure baselines: the failures a team knows its target has, each with a reason, so a
//! CI run fails only when results change — a new failure, or a known one that now passes.
//!
//! A baseline is a JSON file (`--write-baseline` writes the current failures for people to
//! annotate), one entry per failed check: a scenario that went on past a deviation can fail
//! several. A failure is known when an entry names its scenario and, where the entry gives
//! them, the same failing step and JSON path. Pure: compares a [`RunReport`] with a
//! [`Baseline`]; deciding the exit code is the caller's.

use serde::{Deserialize, Serialize};

use super::model::{FailurePoint, RunReport, ScenarioResult, Verdict};

/// The failures known on a target.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    /// One entry per known failure.
    pub known: Vec<KnownFailure>,
}

/// One known failure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KnownFailure {
    /// The scenario id.
    pub scenario: String,
    /// The failing step's number, if the entry is that precise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<usize>,
    /// The JSON path of the mismatch, if the entry is that precise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Why it is known to fail (for people; `--write-baseline` leaves it to be written).
    #[serde(default)]
    pub reason: String,
}

/// What a run changed against a baseline.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    /// Failures no entry knows: `scenario (step N, path)`.
    pub new: Vec<String>,
    /// Entries whose scenario ran and did not fail as known: fixed.
    pub fixed: Vec<KnownFailure>,
    /// Failed scenarios whose every failure an entry knows.
    pub known: Vec<String>,
}

impl Changes {
    /// Nothing changed.
    pub fn unchanged(&self) -> bool {
        self.new.is_empty() && self.fixed.is_empty()
    }
}

/// The text written by `--write-baseline` for a reason still to be given.
pub const REASON_TO_WRITE: &str = "why it fails: to be written";

impl Baseline {
    /// The failures of `report`, as a baseline to annotate.
    pub fn of(report: &RunReport) -> Baseline {
        let mut known = Vec::new();
        for result in failed(report) {
            for point in points(result) {
                let entry = KnownFailure {
                    scenario: result.id.clone(),
                    step: point.step,
                    path: point.path.map(str::to_owned),
                    reason: REASON_TO_WRITE.to_owned(),
                };
                if !known.contains(&entry) {
                    known.push(entry);
                }
            }
        }
        Baseline { known }
    }

    /// How `report` differs from the baseline. Entries of scenarios the run did not include
    /// are neither fixed nor new.
    pub fn compare(&self, report: &RunReport) -> Changes {
        let mut changes = Changes::default();
        for result in failed(report) {
            let mut all_known = true;
            for point in points(result) {
                if !self.known.iter().any(|k| k.matches(&result.id, &point)) {
                    all_known = false;
                    changes.new.push(describe(&result.id, &point));
                }
            }
            if all_known {
                changes.known.push(result.id.clone());
            }
        }
        for entry in &self.known {
            let Some(ran) = report.scenarios.iter().find(|r| r.id == entry.scenario) else {
                continue;
            };
            let still = ran.verdict == Verdict::Fail
                && points(ran).iter().any(|p| entry.matches(&ran.id, p));
            if !still {
                changes.fixed.push(entry.clone());
            }
        }
        changes
    }
}

impl KnownFailure {
    fn matches(&self, scenario: &str, point: &FailurePoint<'_>) -> bool {
        self.scenario == scenario
            && self.step.is_none_or(|s| point.step == Some(s))
            && self.path.as_deref().is_none_or(|p| point.path == Some(p))
    }
}

/// A failed scenario's failures; one without a failed check (schema findings only) counts once,
/// at the path of its first finding.
fn points(result: &ScenarioResult) -> Vec<FailurePoint<'_>> {
    let points = result.failure_points();
    if !points.is_empty() {
        return points;
    }
    let path = result.findings.first().and_then(|f| f.path.as_deref());
    let message = result.failure.as_ref().map_or("", |f| f.message.as_str());
    vec![FailurePoint {
        step: None,
        at: None,
        actor: None,
        path,
        message,
        expected: None,
        actual: None,
    }]
}

fn describe(scenario: &str, point: &FailurePoint<'_>) -> String {
    match (point.step, point.path) {
        (Some(step), Some(path)) => format!("{scenario} (step {step}, {path})"),
        (Some(step), None) => format!("{scenario} (step {step})"),
        (None, Some(path)) => format!("{scenario} ({path})"),
        (None, None) => scenario.to_owned(),
    }
}

fn failed(report: &RunReport) -> impl Iterator<Item = &ScenarioResult> {
    report
        .scenarios
        .iter()
        .filter(|r| r.verdict == Verdict::Fail)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::model::Failure;
    use crate::report::test_support::{extra_status_key, report, result};

    fn run(failing: &[&str], passing: &[&str]) -> RunReport {
        let mut scenarios: Vec<ScenarioResult> = failing
            .iter()
            .map(|id| result(id, Verdict::Fail, Some(extra_status_key("j"))))
            .collect();
        scenarios.extend(passing.iter().map(|id| result(id, Verdict::Pass, None)));
        report(scenarios)
    }

    #[test]
    fn nothing_changes_while_the_known_failures_fail_as_known() {
        let baseline = Baseline::of(&run(&["a", "b"], &["c"]));
        assert_eq!(baseline.known.len(), 2);
        assert_eq!(baseline.known[0].step, Some(3));
        assert_eq!(baseline.known[0].path.as_deref(), Some("$.args[0]"));
        let changes = baseline.compare(&run(&["a", "b"], &["c"]));
        assert!(changes.unchanged(), "{changes:?}");
        assert_eq!(changes.known, vec!["a", "b"]);
    }

    #[test]
    fn a_new_failure_and_a_fixed_one_are_changes() {
        let baseline = Baseline::of(&run(&["a", "b"], &["c"]));
        let changes = baseline.compare(&run(&["a", "c"], &["b"]));
        assert_eq!(changes.new, vec!["c (step 3, $.args[0])"]);
        assert_eq!(changes.fixed.len(), 1);
        assert_eq!(changes.fixed[0].scenario, "b");
    }

    #[test]
    fn failing_elsewhere_than_known_is_new_and_an_unrun_entry_is_neither() {
        let baseline = Baseline::of(&run(&["a", "b"], &[]));
        let mut other = run(&["a"], &[]);
        other.scenarios[0].failure = Some(Failure {
            step: Some(9),
            ..Failure::new("late".into())
        });
        let changes = baseline.compare(&other);
        assert_eq!(
            changes.new,
            vec!["a (step 9)"],
            "step 9 is not the known step 3"
        );
        assert_eq!(
            changes
                .fixed
                .iter()
                .map(|k| k.scenario.as_str())
                .collect::<Vec<_>>(),
            vec!["a"],
            "the known failure of a no longer happens; b did not run"
        );
    }

    #[test]
    fn each_failed_check_of_a_scenario_that_went_on_is_its_own_entry() {
        use crate::report::model::{CheckKind, CheckResult, CheckVerdict};
        let check = |step: usize, path: &str| CheckResult {
            step,
            at: String::new(),
            kind: CheckKind::Expect,
            verdict: CheckVerdict::Fail,
            actor: None,
            path: Some(path.into()),
            message: Some("wrong".into()),
            expected: None,
            actual: None,
            took_ms: 0.0,
        };
        let mut two = run(&["a"], &[]);
        two.scenarios[0].checks = vec![check(3, "$.args[0]"), check(7, "$.data.state")];
        let baseline = Baseline::of(&two);
        assert_eq!(baseline.known.len(), 2);
        assert!(baseline.compare(&two).unchanged());
        let mut one = baseline.clone();
        one.known.pop();
        let changes = one.compare(&two);
        assert_eq!(changes.new, vec!["a (step 7, $.data.state)"]);
        assert!(changes.known.is_empty());
        let mut three = two.clone();
        three.scenarios[0].checks.pop();
        let fixed = baseline.compare(&three).fixed;
        assert_eq!(fixed.len(), 1);
        assert_eq!(fixed[0].step, Some(7));
    }

    #[test]
    fn a_baseline_reads_back_and_refuses_unknown_keys() {
        let baseline = Baseline::of(&run(&["a"], &[]));
        let text = serde_json::to_string_pretty(&baseline).expect("json");
        assert_eq!(serde_json::from_str::<Baseline>(&text).ok(), Some(baseline));
        let typo = r#"{"known": [{"scenario": "a", "reson": "x"}]}"#;
        assert!(serde_json::from_str::<Baseline>(typo).is_err());
    }
}
