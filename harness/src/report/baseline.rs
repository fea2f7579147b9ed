//! Known-failure baselines: the failures a team knows its target has, each with a reason, so a
//! CI run fails only when results change — a new failure, or a known one that now passes.
//!
//! A baseline is a JSON file (`--write-baseline` writes the current failures for people to
//! annotate). A failed scenario is known when an entry names its id and, where the entry gives
//! them, the same failing step and JSON path. Pure: compares a [`RunReport`] with a
//! [`Baseline`]; deciding the exit code is the caller's.

use serde::{Deserialize, Serialize};

use super::model::{RunReport, ScenarioResult, Verdict};

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
    /// Failed scenarios no entry knows.
    pub new: Vec<String>,
    /// Entries whose scenario ran and did not fail as known: fixed.
    pub fixed: Vec<KnownFailure>,
    /// Failed scenarios an entry knows.
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
        let known = failed(report)
            .map(|result| {
                let failure = result.failure.as_ref();
                KnownFailure {
                    scenario: result.id.clone(),
                    step: failure.and_then(|f| f.step),
                    path: failure.and_then(|f| f.path.clone()),
                    reason: REASON_TO_WRITE.to_owned(),
                }
            })
            .collect();
        Baseline { known }
    }

    /// How `report` differs from the baseline. Entries of scenarios the run did not include
    /// are neither fixed nor new.
    pub fn compare(&self, report: &RunReport) -> Changes {
        let mut changes = Changes::default();
        for result in failed(report) {
            if self.known.iter().any(|k| k.matches(result)) {
                changes.known.push(result.id.clone());
            } else {
                changes.new.push(result.id.clone());
            }
        }
        for entry in &self.known {
            let ran = report.scenarios.iter().find(|r| r.id == entry.scenario);
            if ran.is_some_and(|r| !(r.verdict == Verdict::Fail && entry.matches(r))) {
                changes.fixed.push(entry.clone());
            }
        }
        changes
    }
}

impl KnownFailure {
    fn matches(&self, result: &ScenarioResult) -> bool {
        let failure = result.failure.as_ref();
        self.scenario == result.id
            && self
                .step
                .is_none_or(|s| failure.and_then(|f| f.step) == Some(s))
            && self
                .path
                .as_ref()
                .is_none_or(|p| failure.and_then(|f| f.path.as_ref()) == Some(p))
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
        assert_eq!(changes.new, vec!["c"]);
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
        assert_eq!(changes.new, vec!["a"], "step 9 is not the known step 3");
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
    fn a_baseline_reads_back_and_refuses_unknown_keys() {
        let baseline = Baseline::of(&run(&["a"], &[]));
        let text = serde_json::to_string_pretty(&baseline).expect("json");
        assert_eq!(serde_json::from_str::<Baseline>(&text).ok(), Some(baseline));
        let typo = r#"{"known": [{"scenario": "a", "reson": "x"}]}"#;
        assert!(serde_json::from_str::<Baseline>(typo).is_err());
    }
}
