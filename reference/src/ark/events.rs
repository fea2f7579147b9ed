//! The 14 ark push events and their payloads (DECISIONS.md ark table), serialised as the
//! envelope `{"event": name, "data": {...}}`.
//!
//! Pure data. Invariants: each payload has exactly the fields of the table (plus `context` of
//! `system:error`, ark-N8); optional fields are omitted when absent, never `null`.

use super::model::{GameType, InstanceStatus, JobStatus, JobType, LogEntry, Timestamp};
use serde::Serialize;
use serde_json::{Map, Number, Value};

/// One push event; serialises as `{"event": "<name>", "data": {...}}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "event", content = "data")]
pub enum Event {
    /// `job:created`
    #[serde(rename = "job:created")]
    JobCreated(JobCreated),
    /// `job:progress`
    #[serde(rename = "job:progress")]
    JobProgress(JobProgress),
    /// `job:completed`
    #[serde(rename = "job:completed")]
    JobCompleted(JobCompleted),
    /// `job:failed`
    #[serde(rename = "job:failed")]
    JobFailed(JobFailed),
    /// `job:cancelled`
    #[serde(rename = "job:cancelled")]
    JobCancelled(JobCancelled),
    /// `instance:created`
    #[serde(rename = "instance:created")]
    InstanceCreated(InstanceCreated),
    /// `instance:updated`
    #[serde(rename = "instance:updated")]
    InstanceUpdated(InstanceUpdated),
    /// `instance:status_changed`
    #[serde(rename = "instance:status_changed")]
    InstanceStatusChanged(InstanceStatusChanged),
    /// `instance:deleted`
    #[serde(rename = "instance:deleted")]
    InstanceDeleted(InstanceDeletedEvent),
    /// `instance:log`
    #[serde(rename = "instance:log")]
    InstanceLog(LogEntry),
    /// `agent:registered`
    #[serde(rename = "agent:registered")]
    AgentRegistered(AgentRegistered),
    /// `agent:heartbeat`
    #[serde(rename = "agent:heartbeat")]
    AgentHeartbeat(AgentHeartbeat),
    /// `agent:offline`
    #[serde(rename = "agent:offline")]
    AgentOffline(AgentOffline),
    /// `system:error`
    #[serde(rename = "system:error")]
    SystemError(SystemError),
}

impl Event {
    /// The event name, e.g. `job:created`.
    pub const fn name(&self) -> &'static str {
        match self {
            Self::JobCreated(_) => "job:created",
            Self::JobProgress(_) => "job:progress",
            Self::JobCompleted(_) => "job:completed",
            Self::JobFailed(_) => "job:failed",
            Self::JobCancelled(_) => "job:cancelled",
            Self::InstanceCreated(_) => "instance:created",
            Self::InstanceUpdated(_) => "instance:updated",
            Self::InstanceStatusChanged(_) => "instance:status_changed",
            Self::InstanceDeleted(_) => "instance:deleted",
            Self::InstanceLog(_) => "instance:log",
            Self::AgentRegistered(_) => "agent:registered",
            Self::AgentHeartbeat(_) => "agent:heartbeat",
            Self::AgentOffline(_) => "agent:offline",
            Self::SystemError(_) => "system:error",
        }
    }
}

/// `job:created` data.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JobCreated {
    /// The job.
    pub job_id: String,
    /// Its type.
    pub job_type: JobType,
    /// Its instance, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance_id: Option<String>,
    /// Creation time.
    pub created_at: Timestamp,
}

/// `job:progress` data.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JobProgress {
    /// The job.
    pub job_id: String,
    /// Its current run.
    pub job_run_id: String,
    /// `QUEUED` or `RUNNING`.
    pub status: JobStatus,
    /// 0–100, as the agent sent it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub percent: Option<Number>,
    /// What is happening.
    pub message: String,
    /// When the server received it.
    pub timestamp: Timestamp,
}

/// `job:completed` data.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JobCompleted {
    /// The job.
    pub job_id: String,
    /// Its current run.
    pub job_run_id: String,
    /// The result, if the agent sent one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<Map<String, Value>>,
    /// Completion time.
    pub completed_at: Timestamp,
}

/// `job:failed` data.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JobFailed {
    /// The job.
    pub job_id: String,
    /// Its current run.
    pub job_run_id: String,
    /// Why it failed (`AGENT_OFFLINE` when its agent went offline, ark-N8).
    pub error: String,
    /// Failure time.
    pub failed_at: Timestamp,
}

/// `job:cancelled` data.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JobCancelled {
    /// The job.
    pub job_id: String,
    /// Its current run.
    pub job_run_id: String,
    /// Cancellation time.
    pub cancelled_at: Timestamp,
}

/// `instance:created` data.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InstanceCreated {
    /// The instance.
    pub instance_id: String,
    /// Its name.
    pub name: String,
    /// ASA or ASE.
    pub game_type: GameType,
    /// Creation time.
    pub created_at: Timestamp,
}

/// `instance:updated` data.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InstanceUpdated {
    /// The instance.
    pub instance_id: String,
    /// Update time.
    pub updated_at: Timestamp,
}

/// `instance:status_changed` data.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InstanceStatusChanged {
    /// The instance.
    pub instance_id: String,
    /// The new status.
    pub status: InstanceStatus,
    /// Change time.
    pub changed_at: Timestamp,
}

/// `instance:deleted` data.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InstanceDeletedEvent {
    /// The instance.
    pub instance_id: String,
    /// Deletion time.
    pub deleted_at: Timestamp,
}

/// `agent:registered` data.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AgentRegistered {
    /// The agent.
    pub agent_id: String,
    /// Its host name.
    pub hostname: String,
    /// Registration time.
    pub registered_at: Timestamp,
}

/// `agent:heartbeat` data.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AgentHeartbeat {
    /// The agent.
    pub agent_id: String,
    /// The status it reported, as given.
    pub status: String,
    /// When the server received it.
    pub timestamp: Timestamp,
}

/// `agent:offline` data.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AgentOffline {
    /// The agent.
    pub agent_id: String,
    /// Its last registration or heartbeat.
    pub last_seen_at: Timestamp,
}

/// `system:error` data.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SystemError {
    /// What failed (`AGENT_OFFLINE`, ark-N8).
    pub error: String,
    /// When it was detected.
    pub timestamp: Timestamp,
    /// Details (`{agentId, jobIds}` for `AGENT_OFFLINE`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub context: Option<Map<String, Value>>,
}
