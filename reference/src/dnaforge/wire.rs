//! Server messages (dnaforge-N7): PascalCase `type`, camelCase fields, nulls written.
//!
//! Encoding only; what is sent when is the core's. Invariant: each message has exactly the
//! fields the notes list.

use super::model::Job;
use serde::Serialize;

/// One server-to-client message.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type")]
pub enum ServerMessage<'a> {
    /// The answer to `WebSocketAuth` (D2).
    WebSocketAuthResponse {
        /// Whether the socket is now authenticated.
        success: bool,
    },
    /// Every job, after a successful auth (D3, dnaforge-N10).
    JobList {
        /// In increasing id.
        jobs: Vec<&'a Job>,
    },
    /// One job changed; `job` is `None` (written `null`) after a delete (D5).
    JobUpdate {
        /// The job's id.
        #[serde(rename = "jobId")]
        job_id: u64,
        /// The job now.
        job: Option<&'a Job>,
    },
    /// A step of the subscribed job (D5, dnaforge-N19).
    DetailedUpdate {
        /// The job after the step.
        job: &'a Job,
        /// Its configuration, oxDNA `.dat` text.
        conf: &'a str,
    },
}

/// The `GET /auth` body (D1).
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type")]
pub enum HttpMessage<'a> {
    /// A new bearer token.
    AuthResponse {
        /// The token.
        #[serde(rename = "bearerToken")]
        bearer_token: &'a str,
    },
}

impl ServerMessage<'_> {
    /// The JSON text.
    pub fn encode(&self) -> String {
        // Plain data with string keys: serializing cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }
}

impl HttpMessage<'_> {
    /// The JSON text.
    pub fn encode(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}
