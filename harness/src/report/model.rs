//! The result model of a run: one value that every report renderer reads.
//!
//! Built by the runner, serialised as the JSON report, rendered by the human and JUnit
//! renderers. Pure data; renderers never run anything. Invariant: `Summary` counts equal the
//! verdicts in `scenarios`.

use serde::{Deserialize, Serialize};

use super::coverage::ProtocolCoverage;

/// The verdict of one scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Every step held and every message passed its schema.
    Pass,
    /// The target broke an expectation or sent a message failing its schema.
    Fail,
    /// The target lacks a capability the scenario requires.
    Unsupported,
    /// The scenario could not be carried out (target unreachable, bad reference, harness fault).
    Error,
}

/// What kind of step made a check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckKind {
    /// A connection was opened (or refused, as the step required).
    Connect,
    /// A message was sent on an open connection.
    Send,
    /// An HTTP request was answered with the status and body required.
    Http,
    /// Messages were (or were not) received as an `expect` step required.
    Expect,
    /// The target closed a connection as required.
    Close,
}

/// The judgement of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckVerdict {
    /// The target did what the step required.
    Pass,
    /// The target did not.
    Fail,
    /// The step was not reached.
    NotRun,
}

/// One check of one step (in one round of its loops), as reports show it.
#[derive(Debug, Clone, Serialize)]
pub struct CheckResult {
    /// The step's 1-based number in its scenario file.
    pub step: usize,
    /// The step's `file:line`.
    pub at: String,
    /// What kind of step.
    pub kind: CheckKind,
    /// The judgement.
    pub verdict: CheckVerdict,
    /// The actor concerned, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    /// JSON path of the mismatch, when it failed at one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Why it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// What was expected at `path`, described, when it failed at one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    /// What was there instead, when it failed (`None`: missing or no message).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actual: Option<serde_json::Value>,
    /// Milliseconds the step took to decide.
    pub took_ms: f64,
}

/// Why a scenario did not pass, pointing at the step.
#[derive(Debug, Clone, Serialize)]
pub struct Failure {
    /// What went wrong, one sentence.
    pub message: String,
    /// The scenario file and line of the failing step (`file:line`), if a step failed.
    pub at: Option<String>,
    /// The 1-based index of the failing step.
    pub step: Option<usize>,
    /// The actor whose connection it was about, if any.
    pub actor: Option<String>,
    /// JSON path of the first mismatch (`$.data.jobId`), if it was a mismatch.
    pub path: Option<String>,
    /// What was expected there, described.
    pub expected: Option<String>,
    /// What was there instead (`None`: missing).
    pub actual: Option<serde_json::Value>,
    /// True when the target could not be reached at all.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub unreachable: bool,
    /// True when no step failed and this headline stands for the scenario's schema findings
    /// (every FAIL has a headline; root causes count the findings themselves, not this).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub from_findings: bool,
}

impl Failure {
    /// A failure with only a message (no step, path or values).
    pub fn new(message: String) -> Failure {
        Failure {
            message,
            at: None,
            step: None,
            actor: None,
            path: None,
            expected: None,
            actual: None,
            unreachable: false,
            from_findings: false,
        }
    }
}

/// A problem with a message no step needs to have asked for (schema violation, unknown type).
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// The actor that received the message.
    pub actor: String,
    /// Index of the message in the transcript.
    pub message_index: usize,
    /// What is wrong, one sentence.
    pub message: String,
    /// JSON path inside the message, if the problem is at a path.
    pub path: Option<String>,
}

/// A message of one scenario that another scenario's connection received, on a protocol that
/// does not broadcast: reported under the scenario that caused it, never the bystander.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Leak {
    /// The message's type, where the profile finds one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The message as the bystander received it.
    pub text: String,
    /// Who received it: `scenario id (actor)`, each once.
    pub heard_by: Vec<String>,
}

/// A deviation the target's profile declares, as one scenario met it: accepted, tested past,
/// and shown (never silently passed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviationUse {
    /// The deviation's id in the profile.
    pub id: String,
    /// Why the target does this, as the profile says.
    pub reason: String,
    /// How many messages it concerned.
    pub count: u64,
}

/// Direction of a transcript entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// From the harness to the target.
    Sent,
    /// From the target to the harness.
    Received,
}

/// One thing that crossed the wire (or a connection event), in order.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TranscriptEntry {
    /// Milliseconds since the scenario started.
    pub at_ms: u64,
    /// The actor (connection) or `http`.
    pub actor: String,
    /// Sent or received.
    pub direction: Direction,
    /// The message, readable: JSON text, `HTTP POST /jobs`, `close 1000`, ...
    pub text: String,
    /// The frame as on the wire, where it differs from `text` (socket.io: the Engine.IO frame).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw: Option<String>,
    /// Whether a step matched this received message.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub matched: bool,
    /// Another session's traffic on a shared target (invisible to expectations).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub foreign: bool,
}

/// The outcome of one scenario.
#[derive(Debug, Clone, Serialize)]
pub struct ScenarioResult {
    /// Scenario id.
    pub id: String,
    /// Scenario title.
    pub title: String,
    /// Protocol id.
    pub protocol: String,
    /// Specification clause.
    pub clause: String,
    /// `MUST`, `SHOULD` or `MAY`.
    pub level: String,
    /// Scenario file and line of its `id`.
    pub file: String,
    /// The verdict.
    pub verdict: Verdict,
    /// Wall time the scenario took.
    pub duration_ms: u64,
    /// Why it did not pass.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<Failure>,
    /// Problems with individual messages (each also makes the verdict `fail`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<Finding>,
    /// The target's declared deviations this scenario met (a pass with them is a pass in the
    /// target's dialect, not in the document's).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub deviations: Vec<DeviationUse>,
    /// Messages of this scenario that reached other scenarios' connections on a protocol that
    /// does not broadcast (each also makes the verdict `fail`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub leaks: Vec<Leak>,
    /// Received messages no step matched (information).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unmatched: Vec<TranscriptEntry>,
    /// Every check the scenario's steps made, in order. A failed check does not end the
    /// scenario while later steps still have what they need; the steps after one that did:
    /// not run.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<CheckResult>,
    /// Everything that crossed the wire.
    pub transcript: Vec<TranscriptEntry>,
    /// The command that re-runs exactly this scenario against the same target.
    pub rerun: String,
    /// The value `${run_id}` had in this run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run_id: Option<String>,
    /// The socket ids the target gave this run's socket.io connections (volatile, like ids).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub socket_ids: Vec<String>,
}

/// One failed check of a scenario (or, when no check failed, what made it fail or error), as
/// root causes, baselines and renderers see it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FailurePoint<'a> {
    /// The step's number, if a step failed.
    pub step: Option<usize>,
    /// The step's `file:line`.
    pub at: Option<&'a str>,
    /// The actor concerned.
    pub actor: Option<&'a str>,
    /// JSON path of the mismatch.
    pub path: Option<&'a str>,
    /// What went wrong, one sentence.
    pub message: &'a str,
    /// What was expected there.
    pub expected: Option<&'a str>,
    /// What was there instead.
    pub actual: Option<&'a serde_json::Value>,
}

impl ScenarioResult {
    /// Every failed check in order; without any, the headline failure unless it only stands
    /// for schema findings (findings are counted as findings).
    pub fn failure_points(&self) -> Vec<FailurePoint<'_>> {
        let checks: Vec<FailurePoint<'_>> = self
            .checks
            .iter()
            .filter(|c| c.verdict == CheckVerdict::Fail)
            .map(|c| FailurePoint {
                step: Some(c.step),
                at: Some(c.at.as_str()).filter(|at| !at.is_empty()),
                actor: c.actor.as_deref(),
                path: c.path.as_deref(),
                message: c.message.as_deref().unwrap_or("the check failed"),
                expected: c.expected.as_deref(),
                actual: c.actual.as_ref(),
            })
            .collect();
        if !checks.is_empty() {
            return checks;
        }
        self.failure
            .iter()
            .filter(|f| !f.from_findings)
            .map(|f| FailurePoint {
                step: f.step,
                at: f.at.as_deref(),
                actor: f.actor.as_deref(),
                path: f.path.as_deref(),
                message: &f.message,
                expected: f.expected.as_deref(),
                actual: f.actual.as_ref(),
            })
            .collect()
    }
}

/// Verdict counts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Scenarios run.
    pub total: usize,
    /// Passed.
    pub passed: usize,
    /// Failed.
    pub failed: usize,
    /// Unsupported by the target.
    pub unsupported: usize,
    /// Could not be carried out.
    pub errors: usize,
    /// Failed scenarios of level MUST.
    pub failed_must: usize,
    /// Passed, but only with deviations the target's profile declares.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub passed_with_deviations: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// A whole run.
#[derive(Debug, Clone, Serialize)]
pub struct RunReport {
    /// The tool and its version.
    pub tool: String,
    /// Targets, `protocol=url`.
    pub targets: Vec<String>,
    /// Verdict counts.
    pub summary: Summary,
    /// One result per scenario, in run order.
    pub scenarios: Vec<ScenarioResult>,
    /// Wall time of the run.
    pub duration_ms: u64,
    /// Per protocol, what of its document the run exercised (`wsconform run` always measures
    /// it; absent when it could not be).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub coverage: Option<Vec<ProtocolCoverage>>,
}

impl Summary {
    /// Counts the verdicts of `results`.
    pub fn of(results: &[ScenarioResult]) -> Summary {
        let mut summary = Summary {
            total: results.len(),
            ..Summary::default()
        };
        for result in results {
            match result.verdict {
                Verdict::Pass => {
                    summary.passed += 1;
                    if !result.deviations.is_empty() {
                        summary.passed_with_deviations += 1;
                    }
                }
                Verdict::Fail => {
                    summary.failed += 1;
                    if result.level == "MUST" {
                        summary.failed_must += 1;
                    }
                }
                Verdict::Unsupported => summary.unsupported += 1,
                Verdict::Error => summary.errors += 1,
            }
        }
        summary
    }
}
