//! The lifecycle of a dispatched job in the core: the worker's reports (J6), retries, expiry
//! (J7), cancellation (J12), lost workers (J13), the notifications of J8 and the end of a job.
//!
//! Invariant: every job that leaves `active` leaves its registration and loses its expiry timer
//! (`release_active`); every job that becomes terminal goes through [`Core::finish`].

use super::JobberError;
use super::core::{ConnId, Core, Output};
use super::model::{JobState, Reply, ServerEvent};
use super::state::Timer;
use crate::ark::Timestamp;
use std::time::Duration;

impl Core {
    fn active(&self, customer: usize, id: &str, what: &str) -> Result<String, JobberError> {
        let e = self.customers[customer].job(id)?;
        if e.job.state != JobState::Active {
            return Err(JobberError::InvalidState(format!(
                "job {id:?} is {}, not active: it cannot be {what}",
                e.job.state.as_str()
            )));
        }
        Ok(e.job.name.clone())
    }

    /// `job_started` (J6): sets `startedAt` if unset.
    pub(super) fn started(
        &mut self,
        now: Timestamp,
        customer: usize,
        id: &str,
    ) -> Result<(), JobberError> {
        self.active(customer, id, "started")?;
        let e = self.customers[customer].job_mut(id)?;
        e.job.started_at.get_or_insert(now);
        Ok(())
    }

    /// `job_completed` (J6).
    pub(super) fn completed(
        &mut self,
        now: Timestamp,
        customer: usize,
        id: &str,
        out: &mut Output,
    ) -> Result<(), JobberError> {
        let name = self.active(customer, id, "completed")?;
        self.release_active(customer, id);
        if let Some(e) = self.customers[customer].jobs.get_mut(id) {
            e.job.completed_at = Some(now);
        }
        self.finish(customer, id, JobState::Completed, out);
        self.dispatch(now, customer, &name, out);
        Ok(())
    }

    /// `job_failed` (J6): `retry` while retries remain, else `failed`.
    pub(super) fn failed(
        &mut self,
        now: Timestamp,
        customer: usize,
        conn: ConnId,
        id: &str,
        out: &mut Output,
    ) -> Result<(), JobberError> {
        let name = self.active(customer, id, "failed")?;
        let holder = self.release_active(customer, id);
        self.retry_or(
            now,
            customer,
            id,
            JobState::Failed,
            [Some(conn), holder],
            out,
        );
        self.dispatch(now, customer, &name, out);
        Ok(())
    }

    /// After a failure or an expiry: `retry` (+ `job_retrying` to `notify` and the sender) if
    /// retries remain, else the terminal `otherwise`.
    fn retry_or(
        &mut self,
        now: Timestamp,
        customer: usize,
        id: &str,
        otherwise: JobState,
        notify: [Option<ConnId>; 2],
        out: &mut Output,
    ) {
        let Some(e) = self.customers[customer].jobs.get_mut(id) else {
            return;
        };
        if e.job.retry_count >= e.retry_limit {
            if otherwise == JobState::Failed {
                e.job.failed_at = Some(now);
            }
            self.finish(customer, id, otherwise, out);
            return;
        }
        e.job.retry_count += 1;
        let delay = if e.retry_backoff {
            let doublings = (e.job.retry_count - 1).min(32);
            e.retry_delay.saturating_mul(1u32 << doublings.min(31))
        } else {
            e.retry_delay
        };
        let sender = e.sender;
        self.customers[customer].set_state(id, JobState::Retry);
        if let Some(job) = self.customers[customer].jobs.get(id).map(|e| e.job.clone()) {
            self.notify(
                out,
                customer,
                [notify[0], notify[1], sender],
                &ServerEvent::JobRetrying(job),
            );
        }
        self.wait_until(
            now,
            customer,
            id,
            now.plus(delay.min(Duration::from_secs(1 << 40))),
            out,
        );
    }

    /// Emits `event` once to each distinct connection of `to` still connected as `customer`.
    fn notify(
        &self,
        out: &mut Output,
        customer: usize,
        to: [Option<ConnId>; 3],
        event: &ServerEvent,
    ) {
        let mut sent: Vec<ConnId> = Vec::with_capacity(3);
        for conn in to.into_iter().flatten() {
            let same = self
                .conns
                .get(&conn)
                .is_some_and(|c| c.customer == customer);
            if same && !sent.contains(&conn) {
                sent.push(conn);
                self.emit(out, conn, event.clone());
            }
        }
    }

    /// `cancel_job` (J12).
    pub(super) fn cancel(
        &mut self,
        now: Timestamp,
        customer: usize,
        id: &str,
        out: &mut Output,
    ) -> Result<(), JobberError> {
        let e = self.customers[customer].job(id)?;
        let (state, name, sender) = (e.job.state, e.job.name.clone(), e.sender);
        if state.is_terminal() {
            return Err(JobberError::InvalidState(format!(
                "job {id:?} is already {}",
                state.as_str()
            )));
        }
        let holder = if state == JobState::Active {
            self.release_active(customer, id)
        } else {
            self.clear_timer(customer, id);
            self.customers[customer].unready(id);
            None
        };
        self.finish(customer, id, JobState::Cancelled, out);
        if let Some(job) = self.customers[customer].jobs.get(id).map(|e| e.job.clone()) {
            self.notify(
                out,
                customer,
                [holder, sender, None],
                &ServerEvent::JobCancelled(job),
            );
        }
        if holder.is_some() {
            self.dispatch(now, customer, &name, out);
        }
        Ok(())
    }

    /// J13: an active job of a closed connection returns to `retry`, same count.
    pub(super) fn requeue_lost(&mut self, customer: usize, id: &str) {
        self.clear_timer(customer, id);
        let c = &mut self.customers[customer];
        if let Some(e) = c.jobs.get_mut(id) {
            e.holder = None;
            c.set_state(id, JobState::Retry);
            c.make_ready(id);
        }
    }

    /// A timer fired at `now` (it was due at `at`).
    pub(super) fn fire(&mut self, now: Timestamp, at: Timestamp, timer: Timer, out: &mut Output) {
        match timer {
            Timer::Release { customer, job } => {
                if let Some(e) = self.customers[customer].jobs.get_mut(&job) {
                    e.timer = None;
                    let name = e.job.name.clone();
                    self.customers[customer].make_ready(&job);
                    self.dispatch(now, customer, &name, out);
                }
            }
            Timer::Expire { customer, job } => self.expire(now, customer, &job, out),
            Timer::Cron { customer, schedule } => self.tick(now, at, customer, &schedule, out),
        }
    }

    /// J7: an active job past `expireIn` is `expired` (`job_expired` to holder and sender),
    /// then retried like a failure if retries remain (jobber-N9).
    fn expire(&mut self, now: Timestamp, customer: usize, id: &str, out: &mut Output) {
        let Some(e) = self.customers[customer].jobs.get_mut(id) else {
            return;
        };
        e.timer = None;
        let (name, sender) = (e.job.name.clone(), e.sender);
        let holder = self.release_active(customer, id);
        let c = &mut self.customers[customer];
        c.set_state(id, JobState::Expired);
        if let Some(job) = c.jobs.get(id).map(|e| e.job.clone()) {
            self.notify(
                out,
                customer,
                [holder, sender, None],
                &ServerEvent::JobExpired(job),
            );
        }
        // `retry_or` moves it on from `expired` (to `retry`, or leaves it terminal).
        self.retry_or(now, customer, id, JobState::Expired, [holder, None], out);
        self.dispatch(now, customer, &name, out);
    }

    /// Moves a job to a terminal state: singleton freed, batch counted, kept for `get_job`.
    pub(super) fn finish(&mut self, customer: usize, id: &str, state: JobState, out: &mut Output) {
        let retained = self.settings.retained_terminal_jobs;
        let c = &mut self.customers[customer];
        c.set_state(id, state);
        let Some(e) = c.jobs.get(id) else {
            return;
        };
        if let Some(key) = &e.singleton_key {
            let k = (e.job.name.clone(), key.clone());
            if c.singletons.get(&k).is_some_and(|j| j == id) {
                c.singletons.remove(&k);
            }
        }
        let batch = e.batch.clone();
        c.retire(id, retained);
        let mut done = Vec::new();
        if let Some(b) = batch.and_then(|b| c.batches.get_mut(&b)) {
            b.remaining = b.remaining.saturating_sub(1);
            if b.remaining == 0 {
                done = std::mem::take(&mut b.waiters);
            }
        }
        for (conn, ack) in done {
            self.ack(out, conn, Some(ack), Reply::Empty);
        }
    }
}
