//! Jobs in the core up to their dispatch: limits, creation (`send_job`, J9 singletons, client
//! ids), delayed starts, timers and dispatch (J5). The rest of a job's life is `lifecycle.rs`.
//!
//! Invariant: every change of a job's state goes through `Customer::set_state`; a job is in a
//! ready set or has a release timer or is active or is terminal, never two of these.

use super::JobberError;
use super::core::{ConnId, Core, Output};
use super::model::{Job, JobState, ServerEvent};
use super::options::StartAfter;
use super::request::NewJob;
use super::state::{JobEntry, Timer};
use crate::ark::Timestamp;

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
    pub(super) fn wait_until(
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

    pub(super) fn set_timer(&mut self, customer: usize, id: &str, at: Timestamp, timer: Timer) {
        let seq = self.seq();
        if let Some(e) = self.customers[customer].jobs.get_mut(id) {
            e.timer = Some((at, seq));
            self.timers.insert((at, seq, timer));
        }
    }

    /// Cancels a job's pending release or expiry timer.
    pub(super) fn clear_timer(&mut self, customer: usize, id: &str) {
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

    pub(super) fn activate(
        &mut self,
        now: Timestamp,
        customer: usize,
        id: &str,
        reg: u64,
        out: &mut Output,
    ) {
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
    pub(super) fn release_active(&mut self, customer: usize, id: &str) -> Option<ConnId> {
        self.clear_timer(customer, id);
        let e = self.customers[customer].jobs.get_mut(id)?;
        let (reg, conn) = e.holder.take()?;
        if let Some(r) = self.regs.get_mut(&reg) {
            r.active.remove(id);
        }
        Some(conn)
    }
}
