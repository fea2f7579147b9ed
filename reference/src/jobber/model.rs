//! jobber wire types: `Job`, its state, `QueueSize`, the acks and the server→client events,
//! exactly as the document lists them (J4, C6).
//!
//! Pure data; no state and no validation (that is `request.rs`). Invariants: optional fields
//! are omitted when absent, never `null` (C6); dates are ISO-8601 UTC with milliseconds (C1).

use super::JobberError;
use crate::ark::Timestamp;
use serde::Serialize;
use serde_json::{Value, json};

/// A job's state (the document's `Job.state`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum JobState {
    /// Waiting for its first dispatch.
    Created,
    /// Waiting to be dispatched again (J6, J7, J13).
    Retry,
    /// Held by one worker.
    Active,
    /// Completed by a worker (terminal).
    Completed,
    /// Expired with no retries left (terminal).
    Expired,
    /// Cancelled (terminal).
    Cancelled,
    /// Failed with no retries left (terminal).
    Failed,
}

impl JobState {
    /// Every state, in the document's order.
    pub const ALL: [JobState; 7] = [
        Self::Created,
        Self::Retry,
        Self::Active,
        Self::Completed,
        Self::Expired,
        Self::Cancelled,
        Self::Failed,
    ];

    /// `completed`, `failed`, `cancelled` or `expired` (J11).
    pub const fn is_terminal(self) -> bool {
        matches!(
            self,
            Self::Completed | Self::Expired | Self::Cancelled | Self::Failed
        )
    }

    /// The wire name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Retry => "retry",
            Self::Active => "active",
            Self::Completed => "completed",
            Self::Expired => "expired",
            Self::Cancelled => "cancelled",
            Self::Failed => "failed",
        }
    }

    pub(super) const fn index(self) -> usize {
        self as usize
    }
}

/// The document's `Job`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Job {
    /// Opaque id (UUID v4, or the client's `options.id`).
    pub id: String,
    /// The job name workers register for.
    pub name: String,
    /// The client's data, as sent (`null` when absent, jobber-N6).
    pub data: Value,
    /// The state.
    pub state: JobState,
    /// Retries so far (J6).
    pub retry_count: u32,
    /// Higher first (J5).
    pub priority: i64,
    /// When the job was created.
    pub created_at: Timestamp,
    /// When a worker first reported `job_started` (J6).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub started_at: Option<Timestamp>,
    /// When the job completed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<Timestamp>,
    /// When the job failed for good.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failed_at: Option<Timestamp>,
}

/// The document's `QueueSize` (J4): `waiting` = `created` + `retry`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct QueueSize {
    /// Jobs `created` or `retry`.
    pub waiting: usize,
    /// Jobs `active`.
    pub active: usize,
    /// Jobs `completed` (kept ones, jobber-N2).
    pub completed: usize,
    /// Jobs `failed` (kept ones, jobber-N2).
    pub failed: usize,
}

/// The body of an ack.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// `{}`.
    Empty,
    /// `{jobId}` (`send_job`).
    JobId(String),
    /// `{scheduleId}` (`schedule_job`).
    ScheduleId(String),
    /// `{batchId}` (`send_batch`).
    BatchId(String),
    /// `{job}` (`get_job`).
    Job(Job),
    /// `{queueSize}` (`get_queue_size`).
    QueueSize(QueueSize),
    /// `{error: "CODE: sentence"}`.
    Error(JobberError),
}

impl Reply {
    /// The ack's JSON object.
    pub fn to_json(&self) -> Value {
        match self {
            Self::Empty => json!({}),
            Self::JobId(id) => json!({ "jobId": id }),
            Self::ScheduleId(id) => json!({ "scheduleId": id }),
            Self::BatchId(id) => json!({ "batchId": id }),
            Self::Job(job) => json!({ "job": job }),
            Self::QueueSize(q) => json!({ "queueSize": q }),
            Self::Error(e) => json!({ "error": e.wire() }),
        }
    }
}

impl From<Result<Reply, JobberError>> for Reply {
    fn from(r: Result<Reply, JobberError>) -> Self {
        r.unwrap_or_else(Self::Error)
    }
}

/// A server→client event.
#[derive(Debug, Clone, PartialEq)]
pub enum ServerEvent {
    /// `client_ready {id, customerId}` after connect (J16).
    ClientReady {
        /// The socket id.
        id: String,
        /// The customer of the token.
        customer_id: String,
    },
    /// `work_request` with the job in state `active` (J5).
    WorkRequest(Job),
    /// `job_retrying` with the job in state `retry` (J6, J8).
    JobRetrying(Job),
    /// `job_expired` with the job in state `expired` (J7, J8).
    JobExpired(Job),
    /// `job_cancelled` with the job in state `cancelled` (J8, J12).
    JobCancelled(Job),
}

impl ServerEvent {
    /// The event name.
    pub const fn name(&self) -> &'static str {
        match self {
            Self::ClientReady { .. } => "client_ready",
            Self::WorkRequest(_) => "work_request",
            Self::JobRetrying(_) => "job_retrying",
            Self::JobExpired(_) => "job_expired",
            Self::JobCancelled(_) => "job_cancelled",
        }
    }

    /// The event's single argument.
    pub fn payload(&self) -> Value {
        match self {
            Self::ClientReady { id, customer_id } => json!({ "id": id, "customerId": customer_id }),
            Self::WorkRequest(j)
            | Self::JobRetrying(j)
            | Self::JobExpired(j)
            | Self::JobCancelled(j) => serde_json::to_value(j).unwrap_or(Value::Null),
        }
    }

    /// The job carried, if any.
    pub fn job(&self) -> Option<&Job> {
        match self {
            Self::ClientReady { .. } => None,
            Self::WorkRequest(j)
            | Self::JobRetrying(j)
            | Self::JobExpired(j)
            | Self::JobCancelled(j) => Some(j),
        }
    }
}
