//! The jobber server's settings: every limit is named here with its default (C4,
//! `scenarios/jobber/NOTES.md` jobber-N2).

use std::time::Duration;

/// The token every default configuration accepts (jobber-N1): a development token, documented
/// so that conformance runs and local clients can connect without configuration.
pub const DEV_TOKEN: &str = "dev-token";

pub use crate::rate::RateLimit;

/// Settings of the jobber server (port, customers, limits).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// TCP port of the socket.io server (`/socket.io/` and `/ws`); 0 picks an ephemeral port.
    /// Default 3000.
    pub port: u16,
    /// The accepted `auth.customerToken` values, one customer each (J2). Default
    /// `[DEV_TOKEN]` (jobber-N1).
    pub tokens: Vec<String>,
    /// Per-connection rate limit (J14). Default off.
    pub rate_limit: Option<RateLimit>,
    /// Largest socket.io packet accepted; a larger one closes that connection (engine.io
    /// `max_payload`). Default 1 MiB.
    pub max_message_bytes: u64,
    /// Largest `data` of one job, as JSON; larger is `LIMIT_EXCEEDED`. Default 256 KiB.
    pub max_data_bytes: usize,
    /// Jobs per customer not yet terminal; one more is `LIMIT_EXCEEDED`. Default 100 000.
    pub max_jobs_per_customer: usize,
    /// Terminal jobs kept per customer for `get_job`; the oldest are forgotten first.
    /// Default 10 000.
    pub retained_terminal_jobs: usize,
    /// Jobs in one `send_batch`; more is `LIMIT_EXCEEDED`. Default 1000.
    pub max_batch_jobs: usize,
    /// Batches kept per customer for `wait_for_batch`; the oldest are forgotten first.
    /// Default 10 000.
    pub retained_batches: usize,
    /// Schedules per customer; one more is `LIMIT_EXCEEDED`. Default 100.
    pub max_schedules_per_customer: usize,
    /// Registrations per connection; one more is `LIMIT_EXCEEDED`. Default 100.
    pub max_registrations_per_connection: usize,
    /// Largest `teamSize × teamConcurrency` of one registration; more is `INVALID_PAYLOAD`.
    /// Default 1000.
    pub max_worker_capacity: u32,
    /// Default `expireIn` (J7). 15 minutes.
    pub default_expire_in: Duration,
    /// How long shutdown waits for open connections. Default 1 s.
    pub close_grace: Duration,
    /// Bytes a WebSocket connection reads at a time, allocated for the connection's life
    /// (engineioxide `ws_read_buffer_size`); a larger message takes several reads. Default 1024:
    /// most events fit, and an idle connection costs 3 KiB less than with the library's 4096.
    pub ws_read_buffer_bytes: usize,
    /// Packets one socket may have waiting to be written (engineioxide `max_buffer_size`); an
    /// emit or ack beyond it is not sent (logged). Default 128. Lowering it saves no memory:
    /// the queue's first 32 slots are allocated whatever the bound.
    pub max_queued_packets: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            port: 3000,
            tokens: vec![DEV_TOKEN.to_owned()],
            rate_limit: None,
            max_message_bytes: 1024 * 1024,
            max_data_bytes: 256 * 1024,
            max_jobs_per_customer: 100_000,
            retained_terminal_jobs: 10_000,
            max_batch_jobs: 1000,
            retained_batches: 10_000,
            max_schedules_per_customer: 100,
            max_registrations_per_connection: 100,
            max_worker_capacity: 1000,
            default_expire_in: Duration::from_secs(15 * 60),
            close_grace: Duration::from_secs(1),
            ws_read_buffer_bytes: 1024,
            max_queued_packets: 1024,
        }
    }
}
