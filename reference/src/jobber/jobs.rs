//! Job lifecycle in the core: creation (`send_job`, J9 singletons), dispatch (J5), the
//! worker's reports (J6), expiry (J7), cancellation (J12) and lost workers (J13), with the
//! notifications of J8.
//!
//! Invariant: every change of a job's state goes through `Customer::set_state`, every job that
//! leaves `active` leaves its registration and loses its expiry timer, and every job that
//! becomes terminal goes through [`Core::finish`].

use super::JobberError;
use super::core::{ConnId, Core, Output};
use super::model::{Job, JobState, ServerEvent};
use super::options::StartAfter;
use super::request::NewJob;
use super::state::{JobEntry, Timer};
use crate::ark::Timestamp;
use std::time::Duration;

/// The serialized size of `value` (for `max_data_bytes`).
fn json_len(value: &serde_json::Value) -> usize {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0 += b.len();
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut c = Count(0);
    let _ = serde_json::to_writer(&mut c, value);
    c.0
}

impl Core {
    /// Checks a new job against the limits (all-or-nothing for batches, J11).
    pub(super) fn check_new(&self, customer: usize, jobs: &[NewJob]) -> Result<(), JobberError> {
        let max = self.settings.max_data_bytes;
        if let Some(i) = jobs.iter().position(|j| json_len(&j.data) > max) {
            return Err(JobberError::LimitExceeded(format!(
                "the data of job {i} is larger than {max} bytes"
            )));
        }
        let live = self.customers[customer].live();
        if live + jobs.len() > self.settings.max_jobs_per_customer {
            return Err(JobberError::LimitExceeded(format!(
                "at most {} jobs may wait or run per customer",
                self.settings.max_jobs_per_customer
            )));
        }
        Ok(())
    }

    /// `send_job`: the new job's id, or `None` when a singleton or an existing `options.id`
    /// made nothing (J9, jobber-N7).
    pub(super) fn send_job(
        &mut self,
        now: Timestamp,
        customer: usize,
        sender: Option<ConnId>,
        job: NewJob,
        batch: Option<&str>,
        out: &mut Output,
    ) -> Result<Option<String>, JobberError> {
        self.check_new(customer, std::slice::from_ref(&job))?;
        Ok(self.create(now, customer, sender, job, batch, out))
    }

    /// Creates a checked job; `None` if a singleton or id conflict made nothing.
    pub(super) fn create(
        &mut self,
        now: Timestamp,
        customer: usize,
        sender: Option<ConnId>,
        job: NewJob,
        batch: Option<&str>,
        out: &mut Output,
    ) -> Option<String> {
        let o = job.options;
        let c = &self.customers[customer];
        if let Some(key) = &o.singleton_key
            && c.singletons.contains_key(&(job.name.clone(), key.clone()))
        {
            return None;
        }
        if o.id.as_ref().is_some_and(|id| c.jobs.contains_key(id)) {
            return None;
        }
        let id = o.id.unwrap_or_else(|| self.ids.next_id());
        let seq = self.seq();
        let name = job.name;
        let entry = JobEntry {
            job: Job {
                id: id.clone(),
                name: name.clone(),
                data: job.data,
                state: JobState::Created,
                retry_count: 0,
                priority: o.priority,
                created_at: now,
                started_at: None,
                completed_at: None,
                failed_at: None,
            },
            seq,
            expire_in: o.expire_in.unwrap_or(self.settings.default_expire_in),
            retry_limit: o.retry_limit,
            retry_delay: o.retry_delay,
            retry_backoff: o.retry_backoff,
            singleton_key: o.singleton_key.clone(),
            sender,
            holder: None,
            batch: batch.map(str::to_owned),
            timer: None,
        };
        let c = &mut self.customers[customer];
        if let Some(key) = o.singleton_key {
            c.singletons.insert((name.clone(), key), id.clone());
        }
        c.jobs.insert(id.clone(), entry);
        c.counts[JobState::Created.index()] += 1;
        let start = match o.start_after {
            Some(StartAfter::At(t)) => t,
            Some(StartAfter::In(d)) => now.plus(d),
            None => now,
        };
        self.wait_until(now, customer, &id, start, out);
        Some(id)
    }

    /// Makes a waiting job dispatchable at `at` (now, or by a release timer).
    fn wait_until(
        &mut self,
        now: Timestamp,
        customer: usize,
        id: &str,
        at: Timestamp,
        out: &mut Output,
    ) {
        if at <= now {
            self.customers[customer].make_ready(id);
            if let Some(name) = self.customers[customer]
                .jobs
                .get(id)
                .map(|e| e.job.name.clone())
            {
                self.dispatch(now, customer, &name, out);
            }
        } else {
            let job = id.to_owned();
            self.set_timer(customer, id, at, Timer::Release { customer, job });
        }
    }

    fn set_timer(&mut self, customer: usize, id: &str, at: Timestamp, timer: Timer) {
        let seq = self.seq();
        if let Some(e) = self.customers[customer].jobs.get_mut(id) {
            e.timer = Some((at, seq));
            self.timers.insert((at, seq, timer));
        }
    }

    /// Cancels a job's pending release or expiry timer.
    fn clear_timer(&mut self, customer: usize, id: &str) {
        let Some(e) = self.customers[customer].jobs.get_mut(id) else {
            return;
        };
        if let Some((at, seq)) = e.timer.take() {
            let job = id.to_owned();
            let timer = if e.job.state == JobState::Active {
                Timer::Expire { customer, job }
            } else {
                Timer::Release { customer, job }
            };
            self.timers.remove(&(at, seq, timer));
        }
    }

    /// Hands ready jobs of `name` to registrations with room, round-robin (J5).
    pub(super) fn dispatch(
        &mut self,
        now: Timestamp,
        customer: usize,
        name: &str,
        out: &mut Output,
    ) {
        loop {
            let c = &mut self.customers[customer];
            let (Some(ready), Some(workers)) = (c.ready.get_mut(name), c.workers.get_mut(name))
            else {
                return;
            };
            let n = workers.regs.len();
            let Some(reg) = (0..n)
                .map(|i| workers.regs[(workers.next + i) % n])
                .find(|r| {
                    self.regs
                        .get(r)
                        .is_some_and(|r| r.active.len() < r.capacity)
                })
            else {
                return;
            };
            let Some(pos) = workers.regs.iter().position(|r| *r == reg) else {
                return;
            };
            workers.next = (pos + 1) % n;
            let Some((_, _, id)) = ready.pop_first() else {
                return;
            };
            if ready.is_empty() {
                c.ready.remove(name);
            }
            self.activate(now, customer, &id, reg, out);
        }
    }

    fn activate(&mut self, now: Timestamp, customer: usize, id: &str, reg: u64, out: &mut Output) {
        let Some(r) = self.regs.get_mut(&reg) else {
            return;
        };
        r.active.insert(id.to_owned());
        let conn = r.conn;
        let c = &mut self.customers[customer];
        c.set_state(id, JobState::Active);
        let Some(e) = c.jobs.get_mut(id) else {
            return;
        };
        e.holder = Some((reg, conn));
        let (expire, job) = (now.plus(e.expire_in), e.job.clone());
        let timer = Timer::Expire {
            customer,
            job: id.to_owned(),
        };
        self.set_timer(customer, id, expire, timer);
        self.emit(out, conn, ServerEvent::WorkRequest(job));
    }

    /// Takes an active job off its registration and its expiry timer; the freed
    /// registration's name is dispatched by the caller. Returns the holder's connection.
    fn release_active(&mut self, customer: usize, id: &str) -> Option<ConnId> {
        self.clear_timer(customer, id);
        let e = self.customers[customer].jobs.get_mut(id)?;
        let (reg, conn) = e.holder.take()?;
        if let Some(r) = self.regs.get_mut(&reg) {
            r.active.remove(id);
        }
        Some(conn)
    }

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
            self.ack(out, conn, Some(ack), super::model::Reply::Empty);
        }
    }
}
