//! The dnaforge server's settings: every limit is named here with its default (C4,
//! dnaforge-N20).

use std::time::Duration;

/// Settings of the dnaforge server (port, access token, runner timing, limits).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// TCP port of `GET /auth` and the WebSocket on `/`; 0 picks an ephemeral port. Default 8080.
    pub port: u16,
    /// The access token `GET /auth` expects in `Authorization` (dnaforge-N2). `None`, empty or
    /// only whitespace: authentication is off. Default `None`; the serve layer sets it from
    /// `ACCESSTOKEN`.
    pub access_token: Option<String>,
    /// How long one job step takes (D6, dnaforge-N18). Default 100 ms.
    pub step_duration: Duration,
    /// Largest accepted WebSocket frame or message; larger closes that socket with 1009
    /// (dnaforge-N20). Default 1 MiB.
    pub max_message_bytes: usize,
    /// Jobs kept, whatever their status; a further `JobNew` is ignored (dnaforge-N12).
    /// Default 1000.
    pub max_jobs: usize,
    /// Most `configs` entries of one `JobNew`; more is ignored (dnaforge-N12). Default 100.
    pub max_configs_per_job: usize,
    /// Issued tokens not yet bound to a socket that are kept; one more forgets the oldest
    /// (dnaforge-N4). Default 10000.
    pub max_unbound_tokens: usize,
    /// Messages a socket may have waiting; one more closes it with 1008 (dnaforge-N20).
    /// Default 4096.
    pub send_queue: usize,
    /// How long a closing socket may take to deliver its close frame, and shutdown waits for
    /// open connections. Default 1 s.
    pub close_grace: Duration,
}

impl Settings {
    /// Whether `GET /auth` accepts anything (no access token, or a blank one; dnaforge-N2).
    pub fn open_access(&self) -> bool {
        self.access_token
            .as_deref()
            .is_none_or(|t| t.trim().is_empty())
    }
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            port: 8080,
            access_token: None,
            step_duration: Duration::from_millis(100),
            max_message_bytes: 1024 * 1024,
            max_jobs: 1000,
            max_configs_per_job: 100,
            max_unbound_tokens: 10_000,
            send_queue: 4096,
            close_grace: Duration::from_secs(1),
        }
    }
}
