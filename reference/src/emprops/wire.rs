//! The hub's messages as they go on the wire (`encode.rs` writes them): one JSON object with
//! `type` first and the hub's `timestamp` (Unix ms) last (E1, emprops-N2).
//!
//! Invariants: optional fields without a value are omitted, never `null` (C6); numbers given by
//! clients (progress, processing time, GPU memory) keep the form they were given in.

use super::HubError;
use super::state::Status;
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};
use serde_json::value::RawValue;
use serde_json::{Number, Value};
use std::time::Duration;

/// The `message` of `connection_established` (E1).
pub const WELCOME: &str = "Connected to EmProps Job Queue Hub";
/// The `server_version` of `connection_established`.
pub const SERVER_VERSION: &str = "1.0.0";

/// `requirements_summary` of `job_available` (emprops-N11).
#[derive(Debug, Serialize)]
pub(super) struct Summary<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) service_type: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) component: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) gpu_memory_min: Option<&'a Number>,
}

/// One hub message, without its timestamp.
#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(super) enum Out<'a> {
    ConnectionEstablished {
        message: &'a str,
        server_version: &'a str,
    },
    ClientRegistered {
        client_id: &'a str,
        status: &'a str,
        assigned_connection_id: &'a str,
    },
    WorkerRegistered {
        worker_id: &'a str,
        status: &'a str,
        assigned_connection_id: &'a str,
    },
    JobAccepted {
        job_id: &'a str,
        status: Status,
        position: usize,
        notified_workers: usize,
    },
    ResponseJobStatus {
        job_id: &'a str,
        status: Status,
        #[serde(skip_serializing_if = "Option::is_none")]
        progress: Option<&'a Number>,
        #[serde(skip_serializing_if = "Option::is_none")]
        worker_id: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        started_at: Option<i64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        estimated_completion: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        message: Option<&'a str>,
    },
    JobCancelled {
        job_id: &'a str,
        status: Status,
        cancelled_at: i64,
    },
    JobAssigned {
        job_id: &'a str,
        worker_id: &'a str,
        job_type: &'a str,
        priority: u8,
        payload: &'a RawValue,
        /// `{}` when the job has none.
        #[serde(serialize_with = "object_or_empty")]
        requirements: Option<&'a RawValue>,
        claim_timeout: u64,
    },
    JobCompletedAck {
        job_id: &'a str,
        worker_id: &'a str,
    },
    JobFailedAck {
        job_id: &'a str,
        worker_id: &'a str,
        retry_scheduled: bool,
        #[serde(skip_serializing_if = "Option::is_none")]
        retry_delay: Option<Number>,
    },
    WorkerHeartbeatAck {
        worker_id: &'a str,
        status: &'a str,
        next_heartbeat_expected: i64,
    },
    JobNotificationsSubscribed {
        subscription_id: &'a str,
        filters_applied: &'a Value,
    },
    SubscriptionConfirmed {
        subscription_type: &'a str,
        update_interval: Number,
        #[serde(skip_serializing_if = "Option::is_none")]
        next_broadcast: Option<i64>,
    },
    SystemStatus {
        active_workers: usize,
        pending_jobs: usize,
        active_jobs: usize,
        completed_jobs_last_hour: usize,
        system_health: &'a str,
        alerts: &'a [String],
    },
    SystemAlert {
        severity: &'a str,
        category: &'a str,
        message: &'a str,
        details: &'a Value,
        #[serde(skip_serializing_if = "Option::is_none")]
        actions_recommended: Option<&'a [&'a str]>,
    },
    JobAvailable {
        job_id: &'a str,
        job_type: &'a str,
        priority: u8,
        requirements_summary: Summary<'a>,
    },
    JobUpdate {
        job_id: &'a str,
        status: Status,
        #[serde(skip_serializing_if = "Option::is_none")]
        previous_status: Option<Status>,
        #[serde(skip_serializing_if = "Option::is_none")]
        worker_id: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        progress: Option<&'a Number>,
        #[serde(skip_serializing_if = "Option::is_none")]
        message: Option<&'a str>,
    },
    JobCompleted {
        job_id: &'a str,
        status: Status,
        worker_id: &'a str,
        priority: u8,
        #[serde(skip_serializing_if = "Option::is_none")]
        processing_time: Option<&'a Number>,
        result: &'a RawValue,
    },
    Error {
        error: String,
        error_code: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        details: Option<Value>,
        #[serde(skip_serializing_if = "Option::is_none")]
        request_id: Option<&'a str>,
    },
    Ack {
        #[serde(skip_serializing_if = "Option::is_none")]
        message_id: Option<&'a str>,
        original_type: &'a str,
        status: &'a str,
    },
    Unknown {
        content: &'a str,
        original_message: &'a str,
    },
    ChunkedMessageComplete {
        chunk_id: &'a str,
        total_size: usize,
        assembled_message: &'a Value,
    },
    Pong,
    ServerDisconnect {
        reason: &'a str,
    },
}

impl<'a> Out<'a> {
    /// The `error` message of `error` (emprops-N5), answering the request `request_id`.
    pub(super) fn error(error: &HubError, request_id: Option<&'a str>) -> Self {
        Self::Error {
            error: error.to_string(),
            error_code: error.code(),
            details: error.details(),
            request_id,
        }
    }
}

/// The raw object, or `{}`.
fn object_or_empty<S: Serializer>(raw: &Option<&RawValue>, s: S) -> Result<S::Ok, S::Error> {
    match raw {
        Some(raw) => raw.serialize(s),
        None => s.serialize_map(Some(0))?.end(),
    }
}

/// A number of seconds as JSON: an integer when whole (`15`), else a fraction (`0.25`).
pub(super) fn seconds(d: Duration) -> Number {
    if d.subsec_nanos() == 0 {
        Number::from(d.as_secs())
    } else {
        Number::from_f64(d.as_secs_f64()).unwrap_or_else(|| Number::from(0))
    }
}
