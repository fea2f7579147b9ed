//! The hub's refusals (emprops-N5): one typed error per `error_code`, with the sentence, the
//! code and the `details` object the `error` message carries.
//!
//! Invariant: a refused message changes nothing; only `MessageTooLarge` ends the connection
//! (the core adds the close, not this type).

use super::state::Status;
use serde_json::{Value, json};

/// A refused message.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum HubError {
    /// The text is not JSON (`INVALID_JSON`).
    #[error("Invalid JSON")]
    InvalidJson,
    /// A field is missing, mistyped or out of range (`INVALID_PARAMETERS`); `field` is dotted.
    #[error("Invalid parameters")]
    InvalidParameters {
        /// The dotted path of the field (`requirements.hardware.gpu_memory_gb`).
        field: String,
        /// What is wrong, one sentence.
        message: String,
        /// The value given, when there was one.
        provided: Option<Value>,
    },
    /// The frame is larger than `max_message_bytes` (`MESSAGE_TOO_LARGE`).
    #[error("Message too large")]
    MessageTooLarge,
    /// `register_worker` without an accepted token (`AUTH_FAILED`, E11).
    #[error("Authentication failed")]
    AuthFailed {
        /// The worker that tried.
        worker_id: String,
    },
    /// No job has this id (`JOB_NOT_FOUND`).
    #[error("Job not found")]
    JobNotFound {
        /// The id given.
        job_id: String,
    },
    /// A worker message for a worker not registered on this connection (`NOT_REGISTERED`).
    #[error("Worker not registered on this connection")]
    NotRegistered {
        /// The `worker_id` given.
        worker_id: String,
    },
    /// The job's state does not allow the message (`INVALID_STATE`).
    #[error("Invalid job state")]
    InvalidState {
        /// The job.
        job_id: String,
        /// Its status now.
        status: Status,
    },
    /// A complete chunk set whose bytes do not have the announced hash (`CHUNK_HASH_MISMATCH`).
    #[error("Chunk hash mismatch")]
    ChunkHashMismatch {
        /// The set.
        chunk_id: String,
    },
    /// `submit_job` while `max_queued_jobs` jobs wait (`QUEUE_FULL`, C4, emprops-N34).
    #[error("Queue full")]
    QueueFull {
        /// The limit.
        limit: usize,
    },
    /// A chunk set not complete within `chunk_timeout` (`CHUNK_MISSING`).
    #[error("Chunks missing")]
    ChunkMissing {
        /// The set.
        chunk_id: String,
        /// The indices that never arrived, ascending.
        missing: Vec<u32>,
    },
}

impl HubError {
    /// An `INVALID_PARAMETERS` error about `field`.
    pub fn invalid(field: &str, message: &str, provided: Option<&Value>) -> Self {
        Self::InvalidParameters {
            field: field.to_owned(),
            message: message.to_owned(),
            provided: provided.cloned(),
        }
    }

    /// The `error_code`.
    pub const fn code(&self) -> &'static str {
        match self {
            Self::InvalidJson => "INVALID_JSON",
            Self::InvalidParameters { .. } => "INVALID_PARAMETERS",
            Self::MessageTooLarge => "MESSAGE_TOO_LARGE",
            Self::AuthFailed { .. } => "AUTH_FAILED",
            Self::JobNotFound { .. } => "JOB_NOT_FOUND",
            Self::NotRegistered { .. } => "NOT_REGISTERED",
            Self::InvalidState { .. } => "INVALID_STATE",
            Self::ChunkHashMismatch { .. } => "CHUNK_HASH_MISMATCH",
            Self::ChunkMissing { .. } => "CHUNK_MISSING",
            Self::QueueFull { .. } => "QUEUE_FULL",
        }
    }

    /// The `details` object, when the code has one (emprops-N5).
    pub fn details(&self) -> Option<Value> {
        Some(match self {
            Self::InvalidJson | Self::MessageTooLarge => return None,
            Self::InvalidParameters {
                field,
                message,
                provided,
            } => {
                let mut details = json!({"field": field, "message": message});
                if let Some(value) = provided {
                    details["provided_value"] = value.clone();
                }
                details
            }
            Self::AuthFailed { worker_id } => {
                json!({"reason": "Invalid worker token", "worker_id": worker_id})
            }
            Self::JobNotFound { job_id } => json!({"job_id": job_id}),
            Self::NotRegistered { worker_id } => json!({"worker_id": worker_id}),
            Self::InvalidState { job_id, status } => {
                json!({"job_id": job_id, "status": status.as_str()})
            }
            Self::ChunkHashMismatch { chunk_id } => json!({"chunk_id": chunk_id}),
            Self::ChunkMissing { chunk_id, missing } => {
                json!({"chunk_id": chunk_id, "missing": missing})
            }
            Self::QueueFull { limit } => json!({"limit": limit}),
        })
    }
}
