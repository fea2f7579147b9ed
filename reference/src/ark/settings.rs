//! The ark server's settings: every limit is named here with its default (C4).

use std::time::Duration;

/// Settings of the ark server (port, timing, limits, optional token).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// TCP port of `/ws` and the REST API; 0 picks an ephemeral port. Default 3003.
    pub port: u16,
    /// Expected agent heartbeat interval; an agent silent for 3 intervals is offline (ark-N7).
    /// Default 30 s.
    pub heartbeat_interval: Duration,
    /// Largest accepted REST body; larger is `PAYLOAD_TOO_LARGE` 413. Default 1 MiB.
    pub max_body_bytes: usize,
    /// Largest accepted client WebSocket frame or message; larger closes that connection with
    /// 1009 (ark-N11). Default 64 KiB.
    pub max_client_frame_bytes: usize,
    /// Events a push client may have waiting; one more closes it with 1008 (ark-N11).
    /// Default 4096.
    pub client_queue_events: usize,
    /// Log entries kept per instance for `GET /instances/:id/logs`; the oldest go first.
    /// Default 1000.
    pub max_logs_per_instance: usize,
    /// How long a closing push connection may take to deliver its close frame (and, after an
    /// over-size frame, how long the socket lingers) before it is dropped. Default 1 s.
    pub close_grace: Duration,
    /// Bytes a push connection reads at a time, allocated for the connection's life; a larger
    /// client frame takes several reads. Default 1024: clients of the push stream send next to
    /// nothing, and an idle connection costs 3 KiB less than with 4096.
    pub ws_read_buffer_bytes: usize,
    /// When set, `/ws` requires `?token=<token>` (ark-N12). Default off.
    pub token: Option<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            port: 3003,
            heartbeat_interval: Duration::from_secs(30),
            max_body_bytes: 1024 * 1024,
            max_client_frame_bytes: 64 * 1024,
            client_queue_events: 4096,
            max_logs_per_instance: 1000,
            close_grace: Duration::from_secs(1),
            ws_read_buffer_bytes: 1024,
            token: None,
        }
    }
}
