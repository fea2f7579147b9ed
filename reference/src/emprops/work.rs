//! The worker side of a job: `claim_job` → `job_assigned` (emprops-N12), claim timeouts,
//! `job_accepted_by_worker` and `update_job_progress` (N13, N14), `complete_job` and `fail_job`
//! with retries (N14, N15).
//!
//! Invariants: a job is assigned only to a capable worker (E3) and held by at most one; only
//! its holder may accept, report, complete or fail it; a stale timer (the job was requeued,
//! reassigned or finished since) does nothing.

use super::HubError;
use super::core::{Core, Emit, Replied};
use super::request::Request;
use super::state::{ConnId, Role, Status, Timer};
use super::wire::{Out, seconds};
use std::time::Duration;

impl Core {
    /// `NOT_REGISTERED` unless `worker_id` is the worker registered on `conn`.
    pub(super) fn check_worker(&self, conn: ConnId, worker_id: &str) -> Result<(), HubError> {
        match self.conns.get(&conn).map(|c| &c.role) {
            Some(Role::Worker(w)) if w == worker_id && self.workers.contains_key(w) => Ok(()),
            _ => Err(HubError::NotRegistered {
                worker_id: worker_id.to_owned(),
            }),
        }
    }

    /// The job `job_id` held by `worker_id`, the worker registered on `conn`: `NOT_REGISTERED`,
    /// `JOB_NOT_FOUND` or `INVALID_STATE` otherwise.
    fn held(&self, conn: ConnId, worker_id: &str, job_id: &str) -> Result<u64, HubError> {
        self.check_worker(conn, worker_id)?;
        let seq = self.job_seq(job_id)?;
        match self.jobs.get(&seq) {
            Some(job) if job.worker.as_deref() == Some(worker_id) => Ok(seq),
            Some(job) => Err(HubError::InvalidState {
                job_id: job_id.to_owned(),
                status: job.status,
            }),
            None => Err(HubError::JobNotFound {
                job_id: job_id.to_owned(),
            }),
        }
    }

    pub(super) fn claim(
        &mut self,
        e: &mut Emit,
        conn: ConnId,
        worker_id: &str,
        max_jobs: u64,
        claim_timeout: u64,
        id: Option<&str>,
    ) -> Result<Replied, HubError> {
        self.check_worker(conn, worker_id)?;
        let Some(worker) = self.workers.get(worker_id) else {
            return Ok(Replied::Yes);
        };
        let limit = usize::try_from(max_jobs).unwrap_or(usize::MAX);
        let taken: Vec<u64> = self
            .queue
            .iter()
            .map(|&(_, seq)| seq)
            .filter(|seq| {
                let job = self.jobs.get(seq);
                job.is_some_and(|j| worker.capabilities.can_run(&j.requirements))
            })
            .take(limit)
            .collect();
        if taken.is_empty() {
            let ack = Out::Ack {
                message_id: id,
                original_type: "claim_job",
                status: "no_job",
            };
            e.send(conn, &ack);
            return Ok(Replied::Yes);
        }
        for seq in taken {
            self.assign(e, conn, worker_id, seq, claim_timeout);
        }
        self.check_queue_alert(e);
        Ok(Replied::Yes)
    }

    fn assign(&mut self, e: &mut Emit, conn: ConnId, worker_id: &str, seq: u64, timeout: u64) {
        self.set_status(seq, Status::Assigned);
        if let Some(w) = self.workers.get_mut(worker_id) {
            w.jobs.push(seq);
        }
        let Some(job) = self.jobs.get_mut(&seq) else {
            return;
        };
        job.worker = Some(worker_id.to_owned());
        job.accepted = false;
        job.epoch += 1;
        let epoch = job.epoch;
        let assigned = Out::JobAssigned {
            job_id: &job.id,
            worker_id,
            job_type: &job.job_type,
            priority: job.priority,
            payload: &job.payload,
            requirements: job.requirements.raw.as_deref(),
            claim_timeout: timeout,
        };
        e.send(conn, &assigned);
        let at = e.now.plus(Duration::from_millis(timeout));
        self.arm(at, Timer::Claim(seq, epoch));
    }

    /// A claim not accepted in time: the job goes back to the queue (emprops-N12).
    pub(super) fn claim_expired(&mut self, e: &mut Emit, seq: u64, epoch: u64) {
        let due = self.jobs.get(&seq).is_some_and(|j| {
            j.epoch == epoch && j.status == Status::Assigned && j.worker.is_some() && !j.accepted
        });
        if due {
            self.requeue(e, seq);
        }
    }

    /// `job_accepted_by_worker` and `update_job_progress`.
    pub(super) fn work(
        &mut self,
        e: &mut Emit,
        conn: ConnId,
        request: Request<'_>,
    ) -> Result<Replied, HubError> {
        match request {
            Request::AcceptJob {
                job_id,
                worker_id,
                estimated_completion,
            } => {
                let seq = self.held(conn, &worker_id, &job_id)?;
                let Some(job) = self.jobs.get_mut(&seq) else {
                    return Ok(Replied::No);
                };
                if estimated_completion.is_some() {
                    job.estimated_completion = estimated_completion;
                }
                if !job.accepted && job.status == Status::Assigned {
                    job.accepted = true;
                    job.started_at.get_or_insert(e.now);
                    self.job_update(e, seq, Some(Status::Queued), true);
                }
                Ok(Replied::No)
            }
            Request::Progress {
                job_id,
                worker_id,
                progress,
                message,
                estimated_completion,
            } => {
                let seq = self.held(conn, &worker_id, &job_id)?;
                let Some(job) = self.jobs.get_mut(&seq) else {
                    return Ok(Replied::No);
                };
                let previous = job.status;
                job.accepted = true;
                job.started_at.get_or_insert(e.now);
                job.progress = progress.or(job.progress.take());
                job.message = message;
                if estimated_completion.is_some() {
                    job.estimated_completion = estimated_completion;
                }
                self.set_status(seq, Status::InProgress);
                self.job_update(e, seq, Some(previous), true);
                Ok(Replied::No)
            }
            _ => Ok(Replied::No),
        }
    }

    /// `complete_job` and `fail_job`.
    pub(super) fn finish(
        &mut self,
        e: &mut Emit,
        conn: ConnId,
        request: Request<'_>,
    ) -> Result<Replied, HubError> {
        match request {
            Request::Complete {
                job_id,
                worker_id,
                processing_time,
                result,
            } => {
                let seq = self.held(conn, &worker_id, &job_id)?;
                self.release(seq);
                self.set_status(seq, Status::Completed);
                self.count_completion(e.now);
                let ack = Out::JobCompletedAck {
                    job_id: &job_id,
                    worker_id: &worker_id,
                };
                e.send(conn, &ack);
                self.job_completed(e, seq, &worker_id, processing_time.as_ref(), &result);
                self.retire(seq);
                Ok(Replied::Yes)
            }
            Request::Fail {
                job_id,
                worker_id,
                error,
                retry,
            } => {
                let seq = self.held(conn, &worker_id, &job_id)?;
                self.fail(e, conn, seq, &worker_id, error.as_deref(), retry);
                Ok(Replied::Yes)
            }
            _ => Ok(Replied::No),
        }
    }

    fn fail(
        &mut self,
        e: &mut Emit,
        conn: ConnId,
        seq: u64,
        worker_id: &str,
        error: Option<&str>,
        retry: bool,
    ) {
        let Some(job) = self.jobs.get_mut(&seq) else {
            return;
        };
        let scheduled = retry && job.retries < job.max_retries;
        if scheduled {
            job.retries += 1;
        }
        let previous = job.status;
        self.release(seq);
        let delay = self.settings.retry_delay;
        let Some(job) = self.jobs.get(&seq) else {
            return;
        };
        let ack = Out::JobFailedAck {
            job_id: &job.id,
            worker_id,
            retry_scheduled: scheduled,
            retry_delay: scheduled.then(|| seconds(delay)),
        };
        e.send(conn, &ack);
        if scheduled {
            // The job waits, held by nobody, in the status it had; then it is queued again.
            let epoch = job.epoch;
            if delay.is_zero() {
                self.retry_due(e, seq, epoch);
            } else {
                self.arm(e.now.plus(delay), Timer::Retry(seq, epoch));
            }
            return;
        }
        if let Some(job) = self.jobs.get_mut(&seq) {
            job.message = error.map(str::to_owned);
        }
        self.set_status(seq, Status::Failed);
        self.job_update(e, seq, Some(previous), true);
        self.retire(seq);
    }

    /// A retry delay is over: the job is queued again, unless it was cancelled meanwhile.
    pub(super) fn retry_due(&mut self, e: &mut Emit, seq: u64, epoch: u64) {
        let due = self
            .jobs
            .get(&seq)
            .is_some_and(|j| j.epoch == epoch && j.worker.is_none() && !j.status.is_final());
        if due {
            self.requeue(e, seq);
        }
    }
}
