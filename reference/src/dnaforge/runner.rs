//! The simulated job runner (D6, dnaforge-N18): one job at a time, lowest `NEW` id first, one
//! step per `configs` entry, each `step_duration` long on the injected clock.
//!
//! Steps end at their scheduled instants whatever time the timer fires: a late
//! [`Core::handle_timeout`] completes every step due, in order, each stamped by its own end.

use super::Timestamp;
use super::core::{Core, Output, Run};
use super::model::Status;

impl Core {
    /// When the running job's current step ends, if a job runs.
    pub fn poll_deadline(&self) -> Option<Timestamp> {
        self.running.map(|r| r.step_ends)
    }

    /// Completes every step due at `now` (starting the next job after each finished one) and
    /// returns the updates, in order.
    pub fn handle_timeout(&mut self, now: Timestamp) -> Vec<Output> {
        let mut out = Vec::new();
        while let Some(run) = self.running.filter(|r| r.step_ends <= now) {
            self.step(run, &mut out);
        }
        out
    }

    /// Starts the lowest `NEW` job at `at` when none runs.
    pub(super) fn start_next(&mut self, at: Timestamp, out: &mut Vec<Output>) {
        if self.running.is_some() {
            return;
        }
        let next = self.jobs.values_mut().find(|e| e.job.status == Status::New);
        let Some(entry) = next else {
            return;
        };
        entry.job.status = Status::Running;
        let job = entry.job.id;
        self.running = Some(Run {
            job,
            step_ends: at.plus(self.step_duration),
        });
        self.update(job, out);
    }

    /// Ends the current step of `run`: `JobUpdate`, then `DetailedUpdate` to subscribers; after
    /// the last step the job is `DONE` and the next one starts at the same instant.
    fn step(&mut self, run: Run, out: &mut Vec<Output>) {
        let Some(entry) = self.jobs.get_mut(&run.job) else {
            self.running = None;
            return;
        };
        entry.job.complete_step();
        let done = entry.job.status == Status::Done;
        self.update(run.job, out);
        self.detailed(run.job, out);
        if done {
            self.running = None;
            self.start_next(run.step_ends, out);
        } else {
            self.running = Some(Run {
                job: run.job,
                step_ends: run.step_ends.plus(self.step_duration),
            });
        }
    }
}
