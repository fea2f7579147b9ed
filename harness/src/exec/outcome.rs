//! What a finished session amounts to: the failure that stopped it (if any), every check it made,
//! the schema findings and the transcript. Plain data; the runner turns it into a report entry,
//! a load run into counts.
//!
//! A check is one judgement of the target by one step (a connect, a send, an HTTP exchange, an
//! expectation, an expected close). A session goes on past a failed check while later steps
//! still have what they need (`RunOptions::on_deviation`); when it stops, the steps it did not
//! reach are recorded as [`CheckVerdict::NotRun`].

use std::time::{Duration, Instant};

use super::transcript::Transcript;
use super::unmet::Unmet;
pub use crate::report::model::{CheckKind, CheckVerdict};
use crate::report::model::{DeviationUse, Finding};

/// One check of one step, in one round of its loops.
#[derive(Debug, Clone)]
pub struct CheckRecord {
    /// The step's 1-based number in its scenario file.
    pub step: usize,
    /// The actor concerned (its index), if any.
    pub actor: Option<usize>,
    /// What kind of step.
    pub kind: CheckKind,
    /// The judgement.
    pub verdict: CheckVerdict,
    /// Why it failed.
    pub unmet: Option<Unmet>,
    /// How long the step took to decide.
    pub took: Duration,
}

/// The first failed check of a session, or what ended it before its end.
#[derive(Debug, Clone)]
pub struct StepFailure {
    /// The failing step's 1-based number, if a step failed (not the budget).
    pub step: Option<usize>,
    /// The kind of check that failed, if a check of the target failed.
    pub kind: Option<CheckKind>,
    /// The connection (or `http`, or `harness`) concerned.
    pub actor: String,
    /// What went wrong.
    pub unmet: Unmet,
    /// The target could not be reached.
    pub unreachable: bool,
}

/// A finished session.
#[derive(Debug)]
pub struct Outcome {
    /// Its first failed check (the headline), whether it went on past it or not, or what
    /// ended it early.
    pub failure: Option<StepFailure>,
    /// Every check, in order (kept when the transcript is kept in full).
    pub checks: Vec<CheckRecord>,
    /// Problems with received messages.
    pub findings: Vec<Finding>,
    /// What crossed the wire.
    pub transcript: Transcript,
    /// When it started (the intended start, under an arrival-rate load).
    pub started: Instant,
    /// When it ended.
    pub finished: Instant,
    /// The value `${run_id}` had.
    pub run_id: String,
    /// The socket ids the target gave its socket.io connections, in connection order.
    pub socket_ids: Vec<String>,
    /// The actors' names, by index.
    pub actors: Vec<String>,
    /// The target's declared deviations this session met, with counts.
    pub deviations: Vec<DeviationUse>,
}

impl Outcome {
    /// Whether the session passed: no failure, no finding.
    pub fn passed(&self) -> bool {
        self.failure.is_none() && self.findings.is_empty()
    }
}
