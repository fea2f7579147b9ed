//! jobber errors (J3): one typed error per code; on the wire an ack's `error` is
//! `"CODE: sentence"` ([`JobberError::wire`]).
//!
//! Invariant: a request answered with an error changes nothing and emits nothing.

/// A rejected jobber request or connection.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JobberError {
    /// `auth.customerToken` missing or not configured (J2, C7).
    #[error("the customer token is missing or not valid")]
    InvalidToken,
    /// The connection exceeded its rate limit (J14).
    #[error("more than {events} events in {window_ms} ms")]
    RateLimitExceeded {
        /// The configured events per window.
        events: u32,
        /// The window in milliseconds.
        window_ms: u128,
    },
    /// No job with this id for this customer (J2, J12).
    #[error("no job {0:?}")]
    JobNotFound(String),
    /// No batch with this id for this customer (J11).
    #[error("no batch {0:?}")]
    BatchNotFound(String),
    /// `cronPattern` does not parse (J10).
    #[error("{0}")]
    InvalidCronPattern(String),
    /// A field is missing, of the wrong type or out of range (J3).
    #[error("{0}")]
    InvalidPayload(String),
    /// The job is not in a state that allows the change (J12, jobber-N8).
    #[error("{0}")]
    InvalidState(String),
    /// A configured limit would be exceeded (C4, jobber-N2).
    #[error("{0}")]
    LimitExceeded(String),
    /// An event the document does not define (jobber-N4).
    #[error("no event {0:?} in the jobber protocol")]
    UnknownEvent(String),
}

impl JobberError {
    /// The error code.
    pub const fn code(&self) -> &'static str {
        match self {
            Self::InvalidToken => "INVALID_TOKEN",
            Self::RateLimitExceeded { .. } => "RATE_LIMIT_EXCEEDED",
            Self::JobNotFound(_) => "JOB_NOT_FOUND",
            Self::BatchNotFound(_) => "BATCH_NOT_FOUND",
            Self::InvalidCronPattern(_) => "INVALID_CRON_PATTERN",
            Self::InvalidPayload(_) => "INVALID_PAYLOAD",
            Self::InvalidState(_) => "INVALID_STATE",
            Self::LimitExceeded(_) => "LIMIT_EXCEEDED",
            Self::UnknownEvent(_) => "UNKNOWN_EVENT",
        }
    }

    /// The ack's `error` string: `"CODE: sentence"` (J3).
    pub fn wire(&self) -> String {
        format!("{}: {self}", self.code())
    }

    /// An `INVALID_PAYLOAD` error.
    pub fn payload(message: impl Into<String>) -> Self {
        Self::InvalidPayload(message.into())
    }
}
