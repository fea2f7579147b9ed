//! Client messages as the hub understands them: the typed, validated [`Request`] of each type
//! a client may send (emprops-N7…N27; `parse.rs` and `fast.rs` make them), their defaults,
//! and [`is_client_type`]: any other type is `unknown` (emprops-N6).
//!
//! Validation only: no state is read when a request is made, so `NOT_REGISTERED`,
//! `JOB_NOT_FOUND` and `INVALID_STATE` come later, from the core.

use super::fields::Obj;
use super::state::{Capabilities, Filters, Requirements};
use serde_json::value::RawValue;
use serde_json::{Number, Value};
use std::borrow::Cow;

/// Default `claim_timeout` of `claim_job`, ms (emprops-N12).
pub const DEFAULT_CLAIM_TIMEOUT_MS: u64 = 30_000;
/// Default `priority` of `submit_job` (emprops-N10).
pub const DEFAULT_PRIORITY: u8 = 50;
/// Default `max_retries` of `submit_job` (E6).
pub const DEFAULT_MAX_RETRIES: u32 = 3;
/// Default stats interval, seconds (emprops-N19).
pub const DEFAULT_STATS_INTERVAL_SECONDS: f64 = 5.0;

/// The types a client may send (the document's client-to-hub messages).
const CLIENT_TYPES: [&str; 21] = [
    "register_client",
    "register_worker",
    "submit_job",
    "request_job_status",
    "cancel_job",
    "claim_job",
    "job_accepted_by_worker",
    "update_job_progress",
    "complete_job",
    "fail_job",
    "worker_heartbeat",
    "worker_status",
    "subscribe_job",
    "subscribe_job_notifications",
    "subscribe_stats",
    "request_stats",
    "service_request",
    "connector_ws_status",
    "chunked_message",
    "ping",
    "disconnect",
];

/// Whether `kind` is a type a client may send; others are `unknown` (emprops-N6).
pub fn is_client_type(kind: &str) -> bool {
    CLIENT_TYPES.contains(&kind)
}

/// The client type `kind` as a static string, if it is one.
pub fn client_type(kind: &str) -> Option<&'static str> {
    CLIENT_TYPES.iter().copied().find(|t| *t == kind)
}

/// `register_client`'s `client_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientKind {
    /// `job_client`.
    JobClient,
    /// `monitor`.
    Monitor,
}

/// A validated `submit_job` (emprops-N10).
#[derive(Debug, Clone)]
pub struct NewJob {
    /// `job_type`.
    pub job_type: String,
    /// `priority`, 0–100.
    pub priority: u8,
    /// `payload`, `{}` by default, as its JSON text.
    pub payload: Box<RawValue>,
    /// `customer_id`.
    pub customer_id: Option<String>,
    /// `requirements`.
    pub requirements: Requirements,
    /// `max_retries`.
    pub max_retries: u32,
}

/// A validated `chunked_message` (emprops-N23).
#[derive(Debug, Clone)]
pub struct Chunk {
    /// `chunk_id`.
    pub chunk_id: String,
    /// `chunk_index`, 0-based.
    pub index: u32,
    /// `total_chunks`.
    pub total: u32,
    /// `data`, still base64.
    pub data: String,
    /// `data_hash`.
    pub data_hash: String,
}

/// A client message of a known type, validated.
#[derive(Debug, Clone)]
pub enum Request<'a> {
    /// `register_client`.
    RegisterClient {
        /// Job client or monitor.
        kind: ClientKind,
        /// `client_id`.
        client_id: String,
    },
    /// `register_worker`.
    RegisterWorker {
        /// `worker_id`.
        worker_id: String,
        /// `capabilities`.
        capabilities: Capabilities,
        /// `status`, `idle` by default.
        status: String,
        /// `subscribe_to_jobs`, true by default.
        subscribe_to_jobs: bool,
        /// `token` (E11).
        token: Option<String>,
    },
    /// `submit_job`.
    SubmitJob(NewJob),
    /// `request_job_status`.
    JobStatus(String),
    /// `cancel_job`.
    CancelJob(String),
    /// `claim_job`.
    ClaimJob {
        /// `worker_id`.
        worker_id: Cow<'a, str>,
        /// `max_jobs`, 1 by default.
        max_jobs: u64,
        /// `claim_timeout`, ms.
        claim_timeout: u64,
    },
    /// `job_accepted_by_worker`.
    AcceptJob {
        /// `job_id`.
        job_id: Cow<'a, str>,
        /// `worker_id`.
        worker_id: Cow<'a, str>,
        /// `estimated_completion`.
        estimated_completion: Option<String>,
    },
    /// `update_job_progress`.
    Progress {
        /// `job_id`.
        job_id: Cow<'a, str>,
        /// `worker_id`.
        worker_id: Cow<'a, str>,
        /// `progress`, 0–100.
        progress: Option<Number>,
        /// `message`.
        message: Option<String>,
        /// `estimated_completion`.
        estimated_completion: Option<String>,
    },
    /// `complete_job`.
    Complete {
        /// `job_id`.
        job_id: Cow<'a, str>,
        /// `worker_id`.
        worker_id: Cow<'a, str>,
        /// `processing_time`.
        processing_time: Option<Number>,
        /// `result`, `{}` by default, as its JSON text.
        result: Box<RawValue>,
    },
    /// `fail_job`.
    Fail {
        /// `job_id`.
        job_id: Cow<'a, str>,
        /// `worker_id`.
        worker_id: Cow<'a, str>,
        /// `error`.
        error: Option<String>,
        /// `retry`, false by default.
        retry: bool,
    },
    /// `worker_heartbeat`.
    Heartbeat {
        /// `worker_id`.
        worker_id: Cow<'a, str>,
        /// `status`.
        status: Option<String>,
    },
    /// `worker_status`: the fields given replace those held.
    WorkerStatus {
        /// `worker_id`.
        worker_id: String,
        /// `status`.
        status: Option<String>,
        /// `capabilities.services`.
        services: Option<Vec<String>>,
        /// `capabilities.components`.
        components: Option<Vec<String>>,
        /// `capabilities.hardware.gpu_memory_gb`.
        gpu_memory_gb: Option<f64>,
    },
    /// `subscribe_job`.
    SubscribeJob(String),
    /// `subscribe_job_notifications`.
    SubscribeNotifications {
        /// `enabled`, true by default.
        enabled: bool,
        /// The filters understood.
        filters: Filters,
        /// The same, as `filters_applied` shows them.
        applied: Value,
    },
    /// `subscribe_stats`.
    SubscribeStats {
        /// `enabled`, true by default.
        enabled: bool,
        /// `interval_seconds`.
        interval_seconds: f64,
    },
    /// `request_stats`.
    RequestStats,
    /// `service_request` or `connector_ws_status`, relayed to monitors as received.
    Relay(Obj),
    /// `chunked_message`.
    Chunk(Chunk),
    /// `ping`.
    Ping,
    /// `disconnect`.
    Disconnect,
}
