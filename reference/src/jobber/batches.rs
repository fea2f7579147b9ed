//! Batches (J11) and worker registrations (J5, J15) in the core.
//!
//! Invariant: a batch's `remaining` is the number of its jobs not yet terminal; its waiters
//! are answered `{}` exactly once, when it reaches 0 (or at once if it already is).

use super::JobberError;
use super::core::{AckId, ConnId, Core, Output};
use super::model::Reply;
use super::options::WorkOptions;
use super::request::NewJob;
use super::state::{Batch, Registration};
use crate::ark::Timestamp;
use std::collections::BTreeSet;

impl Core {
    /// `send_batch`: all jobs are checked first, then created (all or nothing). Jobs a
    /// singleton or an existing id skipped are not part of the batch (jobber-N10).
    pub(super) fn send_batch(
        &mut self,
        now: Timestamp,
        customer: usize,
        conn: ConnId,
        jobs: Vec<NewJob>,
        out: &mut Output,
    ) -> Result<String, JobberError> {
        let max = self.settings.max_batch_jobs;
        if jobs.len() > max {
            return Err(JobberError::LimitExceeded(format!(
                "a batch may hold at most {max} jobs"
            )));
        }
        self.check_new(customer, &jobs)?;
        let id = self.ids.next_id();
        let retained = self.settings.retained_batches;
        let forgotten = self.customers[customer].add_batch(id.clone(), Batch::default(), retained);
        for (old, waiters) in forgotten {
            for (conn, ack) in waiters {
                let error = JobberError::BatchNotFound(old.clone());
                self.ack(out, conn, Some(ack), Reply::Error(error));
            }
        }
        for job in jobs {
            if let Some(b) = self.customers[customer].batches.get_mut(&id) {
                b.remaining += 1;
            }
            let made = self.create(now, customer, Some(conn), job, Some(&id), out);
            if let (None, Some(b)) = (made, self.customers[customer].batches.get_mut(&id)) {
                b.remaining -= 1;
            }
        }
        Ok(id)
    }

    /// `wait_for_batch`: `Ok(true)` if the batch is already done (ack now), `Ok(false)` if the
    /// ack is held until it is (J11).
    pub(super) fn wait_for_batch(
        &mut self,
        customer: usize,
        conn: ConnId,
        ack: Option<AckId>,
        id: &str,
    ) -> Result<bool, JobberError> {
        let batch = self.customers[customer]
            .batches
            .get_mut(id)
            .ok_or_else(|| JobberError::BatchNotFound(id.to_owned()))?;
        if batch.remaining == 0 {
            return Ok(true);
        }
        if let Some(ack) = ack {
            batch.waiters.push((conn, ack));
        }
        Ok(false)
    }

    /// `register_worker`: a new registration of `conn` for `name` (jobber-N11), then dispatch.
    pub(super) fn register(
        &mut self,
        now: Timestamp,
        customer: usize,
        conn: ConnId,
        name: String,
        options: WorkOptions,
        out: &mut Output,
    ) -> Result<(), JobberError> {
        let max = self.settings.max_registrations_per_connection;
        let Some(c) = self.conns.get_mut(&conn) else {
            return Ok(());
        };
        if c.regs.len() >= max {
            return Err(JobberError::LimitExceeded(format!(
                "a connection may hold at most {max} registrations"
            )));
        }
        let reg = self.next_seq + 1;
        self.next_seq = reg;
        c.regs.push(reg);
        let capacity = usize::try_from(options.team_size)
            .unwrap_or(usize::MAX)
            .saturating_mul(usize::try_from(options.team_concurrency).unwrap_or(usize::MAX));
        self.regs.insert(
            reg,
            Registration {
                conn,
                name: name.clone(),
                capacity,
                active: BTreeSet::new(),
            },
        );
        self.customers[customer]
            .workers
            .entry(name.clone())
            .or_default()
            .regs
            .push(reg);
        self.dispatch(now, customer, &name, out);
        Ok(())
    }
}
