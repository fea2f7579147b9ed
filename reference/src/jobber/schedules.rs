//! Cron schedules (J10) in the core, with `croner`: 5 fields, or 6 with seconds first; UTC.
//!
//! Driven by the injected clock only: each schedule has one timer at its next tick; a tick
//! creates one job from the schedule's template and sets the timer to the tick after, so every
//! tick fires once, in order, however late `handle_timeout` is called (jobber-N12).

use super::JobberError;
use super::core::{Core, Output};
use super::request::NewJob;
use super::state::{Schedule, Timer};
use crate::ark::Timestamp;
use chrono::{DateTime, Utc};
use croner::parser::{CronParser, Seconds, Year};

/// Parses a pattern as J10 allows: 5 fields, or 6 with seconds; no year field.
pub fn parse_cron(pattern: &str) -> Result<croner::Cron, JobberError> {
    CronParser::builder()
        .seconds(Seconds::Optional)
        .year(Year::Disallowed)
        .build()
        .parse(pattern)
        .map_err(|e| JobberError::InvalidCronPattern(format!("{pattern:?}: {e}")))
}

/// The first tick strictly after `t`.
fn next_tick(cron: &croner::Cron, t: Timestamp) -> Option<Timestamp> {
    let at = DateTime::<Utc>::from_timestamp_millis(t.unix_millis())?;
    let next = cron.find_next_occurrence(&at, false).ok()?;
    Some(Timestamp::from_unix_millis(next.timestamp_millis()))
}

impl Core {
    /// `schedule_job`: the schedule's id.
    pub(super) fn schedule(
        &mut self,
        now: Timestamp,
        customer: usize,
        pattern: &str,
        mut job: NewJob,
    ) -> Result<String, JobberError> {
        let cron = parse_cron(pattern)?;
        let max = self.settings.max_schedules_per_customer;
        if self.customers[customer].schedules.len() >= max {
            return Err(JobberError::LimitExceeded(format!(
                "a customer may hold at most {max} schedules"
            )));
        }
        self.check_new(customer, &[])?;
        // A fixed id would collide from the second tick on (jobber-N12).
        job.options.id = None;
        let id = self.ids.next_id();
        if let Some(at) = next_tick(&cron, now) {
            let seq = self.seq();
            let schedule = id.clone();
            self.timers
                .insert((at, seq, Timer::Cron { customer, schedule }));
        }
        self.customers[customer]
            .schedules
            .insert(id.clone(), Schedule { cron, job });
        Ok(id)
    }

    /// A schedule's tick due at `at`: one job, then the timer for the next tick.
    pub(super) fn tick(
        &mut self,
        now: Timestamp,
        at: Timestamp,
        customer: usize,
        schedule: &str,
        out: &mut Output,
    ) {
        let Some(s) = self.customers[customer].schedules.get(schedule) else {
            return;
        };
        let job = s.job.clone();
        let next = next_tick(&s.cron, at);
        if self.check_new(customer, std::slice::from_ref(&job)).is_ok() {
            self.create(now, customer, None, job, None, out);
        }
        if let Some(next) = next {
            let seq = self.seq();
            let schedule = schedule.to_owned();
            self.timers
                .insert((next, seq, Timer::Cron { customer, schedule }));
        }
    }
}
