//! dnaforge wire data: the `Job` (D6, dnaforge-N8) and its status.
//!
//! Pure data with serde; nulls are written (C6: dnaforge's own encoding). Invariant:
//! `progress == completed_steps / steps` and `completed_steps <= steps`, kept by the
//! constructors here.

use serde::Serialize;

/// A job's status (D6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Status {
    /// Waiting to run.
    New,
    /// Running its steps.
    Running,
    /// Every step done.
    Done,
    /// Cancelled before the end.
    Canceled,
}

impl Status {
    /// Whether the job can change no more (apart from being deleted).
    pub const fn is_final(self) -> bool {
        matches!(self, Self::Done | Self::Canceled)
    }
}

/// A job as every message shows it: exactly `{id, steps, completedSteps, status, progress,
/// error}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Job {
    /// Integer id from 0 (dnaforge-N9).
    pub id: u64,
    /// One per entry of the job's `configs` (≥ 1).
    pub steps: u32,
    /// Steps done, `0..=steps`.
    pub completed_steps: u32,
    /// The status.
    pub status: Status,
    /// `completed_steps / steps`.
    pub progress: f64,
    /// Always `None` in the reference server (its work never fails).
    pub error: Option<String>,
}

impl Job {
    /// A new job of `steps` steps.
    pub fn new(id: u64, steps: u32) -> Self {
        Self {
            id,
            steps,
            completed_steps: 0,
            status: Status::New,
            progress: 0.0,
            error: None,
        }
    }

    /// One more step done; `Done` after the last.
    pub(super) fn complete_step(&mut self) {
        self.completed_steps = (self.completed_steps + 1).min(self.steps);
        self.progress = f64::from(self.completed_steps) / f64::from(self.steps.max(1));
        if self.completed_steps == self.steps {
            self.status = Status::Done;
        }
    }
}
