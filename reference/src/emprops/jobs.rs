//! Jobs: submission with queue position and `job_available` (emprops-N10, N11), status queries
//! and cancellation (N16), and the bookkeeping every status change goes through — the queue,
//! the per-status counts, requeues and the retention of finished jobs.
//!
//! Invariant: a job is in `queue` exactly when its status is `queued` and no retry delay is
//! pending; `counts` always equals the number of kept jobs per status.

use super::HubError;
use super::core::{Core, Emit, Replied};
use super::request::NewJob;
use super::state::{ConnId, Job, Status};
use super::wire::{Out, Summary};
use std::cmp::Reverse;

impl Core {
    /// The kept job with this id.
    pub(super) fn job_seq(&self, job_id: &str) -> Result<u64, HubError> {
        self.job_ids
            .get(job_id)
            .copied()
            .ok_or_else(|| HubError::JobNotFound {
                job_id: job_id.to_owned(),
            })
    }

    pub(super) fn submit(&mut self, e: &mut Emit, conn: ConnId, new: NewJob) -> Replied {
        let seq = self.seq();
        let id = self.new_id("job");
        let job = Job {
            id: id.clone(),
            job_type: new.job_type,
            priority: new.priority,
            payload: new.payload,
            customer_id: new.customer_id,
            requirements: new.requirements,
            max_retries: new.max_retries,
            retries: 0,
            status: Status::Queued,
            worker: None,
            accepted: false,
            epoch: 0,
            submitter: conn,
            watchers: Vec::new(),
            progress: None,
            message: None,
            estimated_completion: None,
            started_at: None,
        };
        self.counts[Status::Queued.index()] += 1;
        self.queue.insert((Reverse(job.priority), seq));
        self.job_ids.insert(id, seq);
        self.jobs.insert(seq, job);
        let notified = self.announce(e, seq);
        let position = self.position(seq);
        if let Some(job) = self.jobs.get(&seq) {
            let accepted = Out::JobAccepted {
                job_id: &job.id,
                status: Status::Queued,
                position,
                notified_workers: notified,
            };
            e.send(conn, &accepted);
        }
        self.job_update(e, seq, None, false);
        self.check_queue_alert(e);
        Replied::Yes
    }

    /// The 1-based place of queued job `seq` in queue order.
    fn position(&self, seq: u64) -> usize {
        let Some(job) = self.jobs.get(&seq) else {
            return 0;
        };
        self.queue.range(..=(Reverse(job.priority), seq)).count()
    }

    /// Sends `job_available` to every idle capable worker that wants it; returns how many.
    fn announce(&mut self, e: &mut Emit, seq: u64) -> usize {
        let Some(job) = self.jobs.get(&seq) else {
            return 0;
        };
        let mut conns: Vec<ConnId> = self
            .workers
            .values()
            .filter(|w| w.subscribe_to_jobs && w.is_idle())
            .filter(|w| w.capabilities.can_run(&job.requirements))
            .map(|w| w.conn)
            .collect();
        conns.sort_unstable();
        let needs = &job.requirements;
        let available = Out::JobAvailable {
            job_id: &job.id,
            job_type: &job.job_type,
            priority: job.priority,
            requirements_summary: Summary {
                service_type: needs.service_type.as_deref(),
                component: needs.component.as_deref(),
                gpu_memory_min: needs.gpu_memory_gb.as_ref(),
            },
        };
        e.send_all(&conns, &available);
        conns.len()
    }

    pub(super) fn job_status(
        &mut self,
        e: &mut Emit,
        conn: ConnId,
        job_id: &str,
    ) -> Result<Replied, HubError> {
        let seq = self.job_seq(job_id)?;
        let Some(job) = self.jobs.get(&seq) else {
            return Err(HubError::JobNotFound {
                job_id: job_id.to_owned(),
            });
        };
        let status = Out::ResponseJobStatus {
            job_id: &job.id,
            status: job.status,
            progress: job.progress.as_ref(),
            worker_id: job.worker.as_deref(),
            started_at: job.started_at.map(|t| t.unix_millis()),
            estimated_completion: job.estimated_completion.as_deref(),
            message: job.message.as_deref(),
        };
        e.send(conn, &status);
        Ok(Replied::Yes)
    }

    pub(super) fn cancel(
        &mut self,
        e: &mut Emit,
        conn: ConnId,
        job_id: &str,
    ) -> Result<Replied, HubError> {
        let seq = self.job_seq(job_id)?;
        let (previous, holder) = match self.jobs.get(&seq) {
            Some(job) if job.status.is_final() => {
                return Err(HubError::InvalidState {
                    job_id: job_id.to_owned(),
                    status: job.status,
                });
            }
            Some(job) => (job.status, job.worker.clone()),
            None => return Ok(Replied::Yes),
        };
        self.release(seq);
        self.set_status(seq, Status::Cancelled);
        let holder_conn = holder.and_then(|w| self.workers.get(&w).map(|w| w.conn));
        if let Some(job) = self.jobs.get(&seq) {
            let cancelled = Out::JobCancelled {
                job_id: &job.id,
                status: Status::Cancelled,
                cancelled_at: e.now.unix_millis(),
            };
            let mut to = vec![conn];
            to.extend(holder_conn.filter(|&c| c != conn));
            e.send_all(&to, &cancelled);
        }
        self.job_update(e, seq, Some(previous), true);
        self.retire(seq);
        self.check_queue_alert(e);
        Ok(Replied::Yes)
    }

    /// Changes job `seq`'s status, keeping the queue and the counts in step. Leaving `queued`
    /// takes it out of the queue; entering `queued` puts it in.
    pub(super) fn set_status(&mut self, seq: u64, status: Status) {
        let Some(job) = self.jobs.get_mut(&seq) else {
            return;
        };
        let key = (Reverse(job.priority), seq);
        self.counts[job.status.index()] -= 1;
        self.counts[status.index()] += 1;
        if job.status == Status::Queued {
            self.queue.remove(&key);
        }
        if status == Status::Queued {
            self.queue.insert(key);
        }
        job.status = status;
    }

    /// Takes job `seq` from the worker holding it, if any (the worker may go idle).
    pub(super) fn release(&mut self, seq: u64) {
        let Some(job) = self.jobs.get_mut(&seq) else {
            return;
        };
        job.accepted = false;
        job.epoch += 1;
        if let Some(worker) = job.worker.take()
            && let Some(w) = self.workers.get_mut(&worker)
        {
            w.jobs.retain(|&s| s != seq);
        }
    }

    /// Puts job `seq` back in the queue (a claim timeout, a retry, a worker gone): its
    /// progress is cleared and its watchers get `job_update` `queued` (emprops-N13).
    pub(super) fn requeue(&mut self, e: &mut Emit, seq: u64) {
        let Some(previous) = self.jobs.get(&seq).map(|j| j.status) else {
            return;
        };
        if previous.is_final() || previous == Status::Queued {
            return;
        }
        self.release(seq);
        if let Some(job) = self.jobs.get_mut(&seq) {
            job.progress = None;
            job.message = None;
            job.estimated_completion = None;
            job.started_at = None;
        }
        self.set_status(seq, Status::Queued);
        self.job_update(e, seq, Some(previous), true);
        self.check_queue_alert(e);
    }

    /// Job `seq` is final: it is kept for status queries until `retained_finished_jobs`
    /// newer finished jobs push it out.
    pub(super) fn retire(&mut self, seq: u64) {
        self.finished.push_back(seq);
        while self.finished.len() > self.settings.retained_finished_jobs {
            let Some(oldest) = self.finished.pop_front() else {
                break;
            };
            if let Some(job) = self.jobs.remove(&oldest) {
                self.counts[job.status.index()] -= 1;
                self.job_ids.remove(&job.id);
            }
        }
    }
}
