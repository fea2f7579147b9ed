//! Typed ark REST requests and their validation from a JSON body (ark-N5).
//!
//! Each body type has `from_json`, which checks the fields in the document's order and returns
//! the first problem as `VALIDATION_FAILED` naming the field. Fields not listed are ignored (C6).
//! Whether referenced ids exist is the core's business, not this module's.

use super::error::ApiError;
use super::fields::Body;
use super::model::{GameType, InstanceStatus, JobStatus, JobType, LogLevel};
use serde_json::{Map, Number, Value};

/// One REST request, validated.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    /// `POST /agents/register`
    RegisterAgent(RegisterAgent),
    /// `POST /agents/heartbeat`
    Heartbeat(Heartbeat),
    /// `GET /agents`
    ListAgents,
    /// `GET /agents/:id`
    GetAgent(String),
    /// `POST /instances`
    CreateInstance(CreateInstance),
    /// `GET /instances`
    ListInstances,
    /// `GET /instances/:id`
    GetInstance(String),
    /// `PUT /instances/:id`
    UpdateInstance(String, UpdateInstance),
    /// `DELETE /instances/:id`
    DeleteInstance(String),
    /// `POST /instances/:id/logs`
    AddLog(String, AddLog),
    /// `GET /instances/:id/logs`
    ListLogs(String),
    /// `POST /jobs`
    CreateJob(CreateJob),
    /// `GET /jobs`
    ListJobs,
    /// `GET /jobs/:id`
    GetJob(String),
    /// `POST /jobs/progress`
    Progress(Progress),
    /// `POST /jobs/complete`
    Complete(Complete),
}

/// `POST /agents/register {agentId, hostname, capabilities?, version}`
#[derive(Debug, Clone, PartialEq)]
pub struct RegisterAgent {
    /// Agent id (non-empty).
    pub agent_id: String,
    /// Host name (non-empty).
    pub hostname: String,
    /// Capabilities: whatever JSON object the agent sent, kept as given (default `{}`, A1).
    pub capabilities: Map<String, Value>,
    /// Version (non-empty).
    pub version: String,
}

/// `POST /agents/heartbeat {agentId, status, activeJobIds?}`
#[derive(Debug, Clone, PartialEq)]
pub struct Heartbeat {
    /// Agent id.
    pub agent_id: String,
    /// Reported status, echoed as given.
    pub status: String,
    /// Jobs the agent says it runs (validated, not used).
    pub active_job_ids: Vec<String>,
}

/// `POST /instances {name, gameType, agentId, config?}`
#[derive(Debug, Clone, PartialEq)]
pub struct CreateInstance {
    /// Name.
    pub name: String,
    /// ASA or ASE.
    pub game_type: GameType,
    /// Hosting agent.
    pub agent_id: String,
    /// Configuration (default `{}`).
    pub config: Map<String, Value>,
}

/// `PUT /instances/:id {name?, config?, status?}`
#[derive(Debug, Clone, PartialEq, Default)]
pub struct UpdateInstance {
    /// New name.
    pub name: Option<String>,
    /// New configuration.
    pub config: Option<Map<String, Value>>,
    /// New status.
    pub status: Option<InstanceStatus>,
}

/// `POST /instances/:id/logs {level, message}`
#[derive(Debug, Clone, PartialEq)]
pub struct AddLog {
    /// Level.
    pub level: LogLevel,
    /// Text (non-empty).
    pub message: String,
}

/// `POST /jobs {jobType, instanceId?, parameters, priority?}`
#[derive(Debug, Clone, PartialEq)]
pub struct CreateJob {
    /// Job type.
    pub job_type: JobType,
    /// Instance concerned.
    pub instance_id: Option<String>,
    /// Parameters object.
    pub parameters: Map<String, Value>,
    /// Priority (default 0).
    pub priority: i64,
}

/// `POST /jobs/progress {jobId, jobRunId, status?, percent?, message}`
#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    /// Job.
    pub job_id: String,
    /// Run the agent works on.
    pub job_run_id: String,
    /// `QUEUED` or `RUNNING` (default `RUNNING`).
    pub status: JobStatus,
    /// 0–100.
    pub percent: Option<Number>,
    /// What is happening (non-empty).
    pub message: String,
}

/// How a job run ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// `COMPLETED`, with the result if given.
    Completed(Option<Map<String, Value>>),
    /// `FAILED`, with its error.
    Failed(String),
    /// `CANCELLED`.
    Cancelled,
}

/// `POST /jobs/complete {jobId, jobRunId, status, result?, error?}`
#[derive(Debug, Clone, PartialEq)]
pub struct Complete {
    /// Job.
    pub job_id: String,
    /// Run the agent worked on.
    pub job_run_id: String,
    /// How it ended.
    pub outcome: Outcome,
}

impl RegisterAgent {
    /// Validates a register body.
    pub fn from_json(value: &Value) -> Result<Self, ApiError> {
        let b = Body::new(value)?;
        Ok(Self {
            agent_id: b.text("agentId")?,
            hostname: b.text("hostname")?,
            capabilities: b.opt_object("capabilities")?.unwrap_or_default(),
            version: b.text("version")?,
        })
    }
}

impl Heartbeat {
    /// Validates a heartbeat body.
    pub fn from_json(value: &Value) -> Result<Self, ApiError> {
        let b = Body::new(value)?;
        Ok(Self {
            agent_id: b.text("agentId")?,
            status: b.text("status")?,
            active_job_ids: b.strings("activeJobIds")?,
        })
    }
}

impl CreateInstance {
    /// Validates a create-instance body.
    pub fn from_json(value: &Value) -> Result<Self, ApiError> {
        let b = Body::new(value)?;
        Ok(Self {
            name: b.text("name")?,
            game_type: b.choice("gameType", GameType::parse, GameType::ALL, GameType::as_str)?,
            agent_id: b.text("agentId")?,
            config: b.opt_object("config")?.unwrap_or_default(),
        })
    }
}

impl UpdateInstance {
    /// Validates an update-instance body.
    pub fn from_json(value: &Value) -> Result<Self, ApiError> {
        let b = Body::new(value)?;
        Ok(Self {
            name: b.opt_text("name")?,
            config: b.opt_object("config")?,
            status: b.opt_choice(
                "status",
                InstanceStatus::parse,
                InstanceStatus::ALL,
                InstanceStatus::as_str,
            )?,
        })
    }
}

impl AddLog {
    /// Validates a log body.
    pub fn from_json(value: &Value) -> Result<Self, ApiError> {
        let b = Body::new(value)?;
        Ok(Self {
            level: b.choice("level", LogLevel::parse, LogLevel::ALL, LogLevel::as_str)?,
            message: b.text("message")?,
        })
    }
}

impl CreateJob {
    /// Validates a create-job body.
    pub fn from_json(value: &Value) -> Result<Self, ApiError> {
        let b = Body::new(value)?;
        let job_type = b.choice("jobType", JobType::parse, JobType::ALL, JobType::as_str)?;
        let instance_id = b.opt_text("instanceId")?;
        let parameters = b.object("parameters")?;
        let priority = match b.opt("priority") {
            None => 0,
            Some(v) => v
                .as_i64()
                .ok_or_else(|| ApiError::field("priority", "priority must be an integer"))?,
        };
        Ok(Self {
            job_type,
            instance_id,
            parameters,
            priority,
        })
    }
}

fn run_status(s: &str) -> Option<JobStatus> {
    JobStatus::parse(s).filter(|s| matches!(s, JobStatus::Queued | JobStatus::Running))
}

fn end_status(s: &str) -> Option<JobStatus> {
    JobStatus::parse(s).filter(|s| s.is_terminal())
}

impl Progress {
    /// Validates a progress body.
    pub fn from_json(value: &Value) -> Result<Self, ApiError> {
        let b = Body::new(value)?;
        let job_id = b.text("jobId")?;
        let job_run_id = b.text("jobRunId")?;
        let status = b
            .opt_choice(
                "status",
                run_status,
                &[JobStatus::Queued, JobStatus::Running],
                JobStatus::as_str,
            )?
            .unwrap_or(JobStatus::Running);
        let percent = match b.opt("percent") {
            None => None,
            Some(Value::Number(n)) if n.as_f64().is_some_and(|p| (0.0..=100.0).contains(&p)) => {
                Some(n.clone())
            }
            Some(_) => {
                return Err(ApiError::field(
                    "percent",
                    "percent must be a number from 0 to 100",
                ));
            }
        };
        Ok(Self {
            job_id,
            job_run_id,
            status,
            percent,
            message: b.text("message")?,
        })
    }
}

impl Complete {
    /// Validates a completion body.
    pub fn from_json(value: &Value) -> Result<Self, ApiError> {
        let b = Body::new(value)?;
        let job_id = b.text("jobId")?;
        let job_run_id = b.text("jobRunId")?;
        let ends = [
            JobStatus::Completed,
            JobStatus::Failed,
            JobStatus::Cancelled,
        ];
        let status = b.choice("status", end_status, &ends, JobStatus::as_str)?;
        let result = b.opt_object("result")?;
        let error = b.opt_text("error")?;
        let outcome = match status {
            JobStatus::Failed => Outcome::Failed(error.ok_or_else(|| {
                ApiError::field("error", "error is required when status is FAILED")
            })?),
            JobStatus::Cancelled => Outcome::Cancelled,
            _ => Outcome::Completed(result),
        };
        Ok(Self {
            job_id,
            job_run_id,
            outcome,
        })
    }
}
