//! Client→server events, validated: the event name and its first argument become a
//! [`Request`] or an `INVALID_PAYLOAD` / `UNKNOWN_EVENT` error (J3, J17).
//!
//! Pure parsing; no state. Unknown fields are ignored (J17); `null` counts as absent for
//! optional fields.

use super::JobberError;
use super::options::{self, JobOptions, WorkOptions};
use serde_json::{Map, Value};

/// One job to create (`send_job`, a `BatchJob`, a schedule's template).
#[derive(Debug, Clone, PartialEq)]
pub struct NewJob {
    /// Non-empty name.
    pub name: String,
    /// The data (`null` when absent, jobber-N6).
    pub data: Value,
    /// The options.
    pub options: JobOptions,
}

/// A validated client event.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    /// `send_job`.
    SendJob(NewJob),
    /// `schedule_job` (the pattern is checked by the core).
    ScheduleJob {
        /// The cron pattern.
        cron_pattern: String,
        /// The job each tick creates.
        job: NewJob,
    },
    /// `register_worker`.
    RegisterWorker {
        /// The job name.
        job_name: String,
        /// Capacity.
        options: WorkOptions,
    },
    /// `send_batch`.
    SendBatch(Vec<NewJob>),
    /// `wait_for_batch`.
    WaitForBatch(String),
    /// `get_job`.
    GetJob(String),
    /// `cancel_job`.
    CancelJob(String),
    /// `get_queue_size`.
    GetQueueSize,
    /// `job_started`.
    JobStarted(String),
    /// `job_completed` (the result is accepted and not kept, jobber-N6).
    JobCompleted(String),
    /// `job_failed` with the worker's error text.
    JobFailed(String, String),
}

fn object<'a>(payload: &'a Value, event: &str) -> Result<&'a Map<String, Value>, JobberError> {
    payload
        .as_object()
        .ok_or_else(|| JobberError::payload(format!("the {event} payload must be an object")))
}

fn string(m: &Map<String, Value>, key: &str) -> Result<String, JobberError> {
    match m.get(key) {
        Some(Value::String(s)) if !s.is_empty() => Ok(s.clone()),
        _ => Err(JobberError::payload(format!(
            "{key} must be a non-empty string"
        ))),
    }
}

fn new_job(m: &Map<String, Value>, name_key: &str) -> Result<NewJob, JobberError> {
    Ok(NewJob {
        name: string(m, name_key)?,
        data: m.get("data").cloned().unwrap_or(Value::Null),
        options: options::job_options(m.get("options"))?,
    })
}

impl Request {
    /// Validates event `event` with first argument `payload` (`null` when the client sent
    /// none); `max_capacity` bounds a registration's capacity.
    pub fn parse(event: &str, payload: &Value, max_capacity: u32) -> Result<Self, JobberError> {
        match event {
            "get_queue_size" => Ok(Self::GetQueueSize),
            "send_job" => Ok(Self::SendJob(new_job(object(payload, event)?, "name")?)),
            "schedule_job" => {
                let m = object(payload, event)?;
                let cron_pattern = match m.get("cronPattern") {
                    Some(Value::String(s)) => s.clone(),
                    _ => return Err(JobberError::payload("cronPattern must be a string")),
                };
                Ok(Self::ScheduleJob {
                    cron_pattern,
                    job: new_job(m, "name")?,
                })
            }
            "register_worker" => {
                let m = object(payload, event)?;
                Ok(Self::RegisterWorker {
                    job_name: string(m, "jobName")?,
                    options: options::work_options(m.get("options"), max_capacity)?,
                })
            }
            "send_batch" => {
                let m = object(payload, event)?;
                let Some(Value::Array(jobs)) = m.get("jobs") else {
                    return Err(JobberError::payload("jobs must be an array"));
                };
                let parsed = jobs
                    .iter()
                    .enumerate()
                    .map(|(i, j)| {
                        let j = j.as_object().ok_or_else(|| {
                            JobberError::payload(format!("jobs[{i}] must be an object"))
                        })?;
                        new_job(j, "name").map_err(|e| match e {
                            JobberError::InvalidPayload(s) => {
                                JobberError::payload(format!("jobs[{i}].{s}"))
                            }
                            other => other,
                        })
                    })
                    .collect::<Result<_, _>>()?;
                Ok(Self::SendBatch(parsed))
            }
            "wait_for_batch" => Ok(Self::WaitForBatch(string(
                object(payload, event)?,
                "batchId",
            )?)),
            "get_job" => Ok(Self::GetJob(string(object(payload, event)?, "jobId")?)),
            "cancel_job" => Ok(Self::CancelJob(string(object(payload, event)?, "jobId")?)),
            "job_started" => Ok(Self::JobStarted(string(object(payload, event)?, "jobId")?)),
            "job_completed" => Ok(Self::JobCompleted(string(
                object(payload, event)?,
                "jobId",
            )?)),
            "job_failed" => {
                let m = object(payload, event)?;
                let error = match m.get("error") {
                    Some(Value::String(s)) => s.clone(),
                    _ => return Err(JobberError::payload("error must be a string")),
                };
                Ok(Self::JobFailed(string(m, "jobId")?, error))
            }
            other => Err(JobberError::UnknownEvent(other.to_owned())),
        }
    }
}
