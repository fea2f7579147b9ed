//! The result model of a differential run: per scenario its status and first divergences,
//! serialised as the JSON report and read by the text renderer. Pure data. Invariant: the
//! summary's counts equal the statuses in `scenarios`.

use serde::Serialize;

use super::Change;
use crate::report::model::Verdict;

/// How a scenario's target transcript compares with the reference's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Every connection exchanged the same messages (after normalisation).
    Same,
    /// The target departed from the reference somewhere.
    Diverge,
    /// The reference's own transcript varies from run to run, so a difference proves nothing.
    Nondeterministic,
    /// One side cannot run it (a capability the target does not declare or the reference
    /// lacks): nothing to compare.
    Unsupported,
}

/// Where one connection's transcript first departs from the reference's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Divergence {
    /// The actor (connection) or `http`.
    pub actor: String,
    /// The 1-based position of the entry in that connection's normalised transcript.
    pub index: usize,
    /// The reference's entry there (`None`: the reference had no more entries).
    pub reference: Option<String>,
    /// The target's entry there (`None`: the target had no more entries).
    pub target: Option<String>,
    /// The JSON path of the first difference inside the entry, when both carry JSON after the
    /// same text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// How it differs (at `path`, or the whole entry).
    pub change: Change,
    /// The entries just before it, the same on both sides.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub context: Vec<String>,
}

/// One scenario of a differential run.
#[derive(Debug, Clone, Serialize)]
pub struct ScenarioDiff {
    /// Scenario id.
    pub id: String,
    /// Scenario title.
    pub title: String,
    /// Protocol id.
    pub protocol: String,
    /// How the target compares.
    pub status: Status,
    /// The verdict against the target.
    pub target_verdict: Verdict,
    /// The verdict against the reference (`None`: not run, the target could not run it).
    pub reference_verdict: Option<Verdict>,
    /// Why it is unsupported.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The first divergence of each connection that diverges.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub divergences: Vec<Divergence>,
    /// For `nondeterministic`: where one reference run departed from another.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reference_varies: Vec<Divergence>,
}

/// Status counts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DiffSummary {
    /// Scenarios compared or skipped.
    pub total: usize,
    /// The same on the target.
    pub same: usize,
    /// Diverging.
    pub diverge: usize,
    /// Varying on the reference itself.
    pub nondeterministic: usize,
    /// Not run on one side.
    pub unsupported: usize,
}

impl DiffSummary {
    /// Counts the statuses of `scenarios`.
    pub fn of(scenarios: &[ScenarioDiff]) -> DiffSummary {
        let count = |status| scenarios.iter().filter(|s| s.status == status).count();
        DiffSummary {
            total: scenarios.len(),
            same: count(Status::Same),
            diverge: count(Status::Diverge),
            nondeterministic: count(Status::Nondeterministic),
            unsupported: count(Status::Unsupported),
        }
    }
}

/// A whole differential run.
#[derive(Debug, Clone, Serialize)]
pub struct DiffReport {
    /// The tool and its version.
    pub tool: String,
    /// Targets, `protocol=url`.
    pub targets: Vec<String>,
    /// Status counts.
    pub summary: DiffSummary,
    /// One entry per scenario, in run order.
    pub scenarios: Vec<ScenarioDiff>,
    /// Wall time of the run.
    pub duration_ms: u64,
}
