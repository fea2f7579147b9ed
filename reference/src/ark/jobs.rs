//! The job half of the ark core: creation, progress, completion and the failures caused by an
//! agent going offline (ark-N8, ark-N10).
//!
//! Invariants: a job is created `QUEUED` with its first run; only its current run may report;
//! once `COMPLETED`, `FAILED` or `CANCELLED` it never changes again (`INVALID_STATE` 409).

use super::ApiError;
use super::core::{Body, Core, Reply, Seq};
use super::events::{Event, JobCancelled, JobCompleted, JobCreated, JobFailed, JobProgress};
use super::model::{Job, JobStatus, Timestamp};
use super::request::{Complete, CreateJob, Outcome, Progress};

/// The `error` of jobs failed because their agent went offline (ark-N8).
pub const AGENT_OFFLINE: &str = "AGENT_OFFLINE";

impl Core {
    pub(super) fn job(&self, id: &str) -> Result<&Job, ApiError> {
        self.jobs
            .get(id)
            .map(|s| &s.value)
            .ok_or_else(|| ApiError::NotFound(format!("there is no job {id:?}")))
    }

    /// The job a progress or completion report may change: it exists, the run is its current
    /// one, and it is not terminal.
    fn reportable(&mut self, job_id: &str, run_id: &str) -> Result<&mut Job, ApiError> {
        let job = self
            .jobs
            .get_mut(job_id)
            .map(|s| &mut s.value)
            .ok_or_else(|| ApiError::NotFound(format!("there is no job {job_id:?}")))?;
        if job.job_run_id != run_id {
            return Err(ApiError::field(
                "jobRunId",
                format!("{run_id:?} is not the current run of job {job_id:?}"),
            ));
        }
        if job.status.is_terminal() {
            return Err(ApiError::InvalidState(format!(
                "job {job_id:?} is already {}",
                job.status.as_str()
            )));
        }
        Ok(job)
    }

    pub(super) fn create_job(
        &mut self,
        now: Timestamp,
        c: CreateJob,
        events: &mut Vec<Event>,
    ) -> Result<Reply, ApiError> {
        if let Some(id) = &c.instance_id
            && !self.instances.contains_key(id)
        {
            return Err(ApiError::UnknownInstance(id.clone()));
        }
        let job = Job {
            job_id: self.ids.next_id(),
            job_type: c.job_type,
            instance_id: c.instance_id,
            parameters: c.parameters,
            priority: c.priority,
            status: JobStatus::Queued,
            job_run_id: self.ids.next_id(),
            created_at: now,
            updated_at: now,
            result: None,
            error: None,
        };
        let seq = self.seq();
        self.jobs.insert(
            job.job_id.clone(),
            Seq {
                seq,
                value: job.clone(),
            },
        );
        events.push(Event::JobCreated(JobCreated {
            job_id: job.job_id.clone(),
            job_type: job.job_type,
            instance_id: job.instance_id.clone(),
            created_at: now,
        }));
        Ok(Reply::created(Body::Job(job)))
    }

    pub(super) fn progress(
        &mut self,
        now: Timestamp,
        p: Progress,
        events: &mut Vec<Event>,
    ) -> Result<Reply, ApiError> {
        let job = self.reportable(&p.job_id, &p.job_run_id)?;
        if job.status != p.status {
            job.status = p.status;
            job.updated_at = now;
        }
        let reply = Reply::ok(Body::Job(job.clone()));
        events.push(Event::JobProgress(JobProgress {
            job_id: p.job_id,
            job_run_id: p.job_run_id,
            status: p.status,
            percent: p.percent,
            message: p.message,
            timestamp: now,
        }));
        Ok(reply)
    }

    pub(super) fn complete(
        &mut self,
        now: Timestamp,
        c: Complete,
        events: &mut Vec<Event>,
    ) -> Result<Reply, ApiError> {
        let job = self.reportable(&c.job_id, &c.job_run_id)?;
        job.updated_at = now;
        let (job_id, job_run_id) = (c.job_id, c.job_run_id);
        let event = match c.outcome {
            Outcome::Completed(result) => {
                job.status = JobStatus::Completed;
                job.result.clone_from(&result);
                Event::JobCompleted(JobCompleted {
                    job_id,
                    job_run_id,
                    result,
                    completed_at: now,
                })
            }
            Outcome::Failed(error) => {
                job.status = JobStatus::Failed;
                job.error = Some(error.clone());
                Event::JobFailed(JobFailed {
                    job_id,
                    job_run_id,
                    error,
                    failed_at: now,
                })
            }
            Outcome::Cancelled => {
                job.status = JobStatus::Cancelled;
                Event::JobCancelled(JobCancelled {
                    job_id,
                    job_run_id,
                    cancelled_at: now,
                })
            }
        };
        let reply = Reply::ok(Body::Job(job.clone()));
        events.push(event);
        Ok(reply)
    }

    /// Fails, in creation order, every `RUNNING` job on an instance of `agent_id`; returns
    /// their ids.
    pub(super) fn fail_running_jobs_of(
        &mut self,
        now: Timestamp,
        agent_id: &str,
        events: &mut Vec<Event>,
    ) -> Vec<String> {
        let mut hit: Vec<(u64, String)> = self
            .jobs
            .values()
            .filter(|s| self.runs_on(&s.value, agent_id))
            .map(|s| (s.seq, s.value.job_id.clone()))
            .collect();
        hit.sort();
        let mut ids = Vec::with_capacity(hit.len());
        for (_, id) in hit {
            let Some(entry) = self.jobs.get_mut(&id) else {
                continue;
            };
            let job = &mut entry.value;
            job.status = JobStatus::Failed;
            job.error = Some(AGENT_OFFLINE.to_owned());
            job.updated_at = now;
            events.push(Event::JobFailed(JobFailed {
                job_id: id.clone(),
                job_run_id: job.job_run_id.clone(),
                error: AGENT_OFFLINE.to_owned(),
                failed_at: now,
            }));
            ids.push(id);
        }
        ids
    }
}
