//! caas errors (K2, caas-N5): the document's error codes ([`ErrorCode`]) and one typed error
//! per refusal ([`CaasError`]), written as the document's `ErrorPayload`
//! `{code, message, details?, retryAfter?}` ([`CaasError::to_json`]).
//!
//! Invariant: an event refused with an error changes nothing and emits nothing but its answer.

use serde_json::{Map, Value, json};

/// The document's `ErrorCode`, as written on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// `auth.token` missing (K1).
    AuthRequired,
    /// `auth.token` not configured (K1).
    AuthInvalid,
    /// `auth.token` past its `expiresAt` (K1).
    TokenExpired,
    /// Not allowed: another tenant's conversation, another author's message, not a call's party.
    Forbidden,
    /// Not a member of the conversation (K3).
    NotMember,
    /// A field of the wrong type or value, an unknown event, a malformed binary frame.
    InvalidPayload,
    /// A required field is missing (caas-N3).
    MissingField,
    /// Over the rate limit (K9).
    RateLimited,
    /// No such message, call or user.
    NotFound,
    /// A `message:send` frame id already used by its user (caas-N7).
    AlreadyExists,
    /// Never sent by the reference server (caas-N5).
    InternalError,
    /// The call's target is not connected (caas-N11).
    Unavailable,
}

impl ErrorCode {
    /// Every code, in the document's order.
    pub const ALL: [ErrorCode; 12] = [
        Self::AuthRequired,
        Self::AuthInvalid,
        Self::TokenExpired,
        Self::Forbidden,
        Self::NotMember,
        Self::InvalidPayload,
        Self::MissingField,
        Self::RateLimited,
        Self::NotFound,
        Self::AlreadyExists,
        Self::InternalError,
        Self::Unavailable,
    ];

    /// The wire name (`AUTH_REQUIRED`, …).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::AuthRequired => "AUTH_REQUIRED",
            Self::AuthInvalid => "AUTH_INVALID",
            Self::TokenExpired => "TOKEN_EXPIRED",
            Self::Forbidden => "FORBIDDEN",
            Self::NotMember => "NOT_MEMBER",
            Self::InvalidPayload => "INVALID_PAYLOAD",
            Self::MissingField => "MISSING_FIELD",
            Self::RateLimited => "RATE_LIMITED",
            Self::NotFound => "NOT_FOUND",
            Self::AlreadyExists => "ALREADY_EXISTS",
            Self::InternalError => "INTERNAL_ERROR",
            Self::Unavailable => "UNAVAILABLE",
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A refused connection or event; its `Display` is the human `message`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaasError {
    /// No `auth.token` (K1, C7).
    #[error("auth.token is required")]
    AuthRequired,
    /// `auth.token` names no configured user (K1, C7).
    #[error("auth.token is not valid")]
    AuthInvalid,
    /// `auth.token` has expired (K1, C7).
    #[error("auth.token has expired")]
    TokenExpired,
    /// Not allowed (K3, K4, caas-N8, caas-N11).
    #[error("{0}")]
    Forbidden(String),
    /// Not a member of the conversation (K3).
    #[error("not a member of conversation {0:?}")]
    NotMember(String),
    /// A field of the wrong type or value (caas-N3); `field` is dotted (`data.content`).
    #[error("{message}")]
    InvalidPayload {
        /// The field at fault, when one is.
        field: Option<String>,
        /// What is wrong.
        message: String,
    },
    /// A required field is missing (caas-N3).
    #[error("{field} is required")]
    MissingField {
        /// The missing field, dotted.
        field: String,
    },
    /// Over the rate limit; the event was not processed (caas-N13).
    #[error("rate limit exceeded: retry after {retry_after_ms} ms")]
    RateLimited {
        /// Milliseconds until the window ends.
        retry_after_ms: u64,
    },
    /// No such message, call or user (caas-N8, caas-N11).
    #[error("{0}")]
    NotFound(String),
    /// The frame id was already used for the message `message_id` (caas-N7).
    #[error("this frame id was already sent as message {message_id}")]
    AlreadyExists {
        /// The message the first send created.
        message_id: String,
    },
    /// The call's target is not connected (caas-N11).
    #[error("{0}")]
    Unavailable(String),
}

impl CaasError {
    /// The error code.
    pub const fn code(&self) -> ErrorCode {
        match self {
            Self::AuthRequired => ErrorCode::AuthRequired,
            Self::AuthInvalid => ErrorCode::AuthInvalid,
            Self::TokenExpired => ErrorCode::TokenExpired,
            Self::Forbidden(_) => ErrorCode::Forbidden,
            Self::NotMember(_) => ErrorCode::NotMember,
            Self::InvalidPayload { .. } => ErrorCode::InvalidPayload,
            Self::MissingField { .. } => ErrorCode::MissingField,
            Self::RateLimited { .. } => ErrorCode::RateLimited,
            Self::NotFound(_) => ErrorCode::NotFound,
            Self::AlreadyExists { .. } => ErrorCode::AlreadyExists,
            Self::Unavailable(_) => ErrorCode::Unavailable,
        }
    }

    /// `INVALID_PAYLOAD` about `field`.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::InvalidPayload {
            field: Some(field.into()),
            message: message.into(),
        }
    }

    /// `MISSING_FIELD` for `field`.
    pub fn missing(field: impl Into<String>) -> Self {
        Self::MissingField {
            field: field.into(),
        }
    }

    /// The document's `details`, if the error has any: `{field}` or `{messageId}`.
    pub fn details(&self) -> Option<Value> {
        match self {
            Self::InvalidPayload {
                field: Some(field), ..
            }
            | Self::MissingField { field } => Some(json!({ "field": field })),
            Self::AlreadyExists { message_id } => Some(json!({ "messageId": message_id })),
            _ => None,
        }
    }

    /// The document's `retryAfter` (ms), for `RATE_LIMITED`.
    pub const fn retry_after(&self) -> Option<u64> {
        match self {
            Self::RateLimited { retry_after_ms } => Some(*retry_after_ms),
            _ => None,
        }
    }

    /// The `ErrorPayload` `{code, message, details?, retryAfter?}` (C6: absent ones omitted).
    /// For a refused connection it is `connect_error`'s `data` `{code, message}` (C7).
    pub fn to_json(&self) -> Value {
        let mut payload = Map::new();
        payload.insert("code".into(), self.code().as_str().into());
        payload.insert("message".into(), self.to_string().into());
        if let Some(details) = self.details() {
            payload.insert("details".into(), details);
        }
        if let Some(ms) = self.retry_after() {
            payload.insert("retryAfter".into(), ms.into());
        }
        Value::Object(payload)
    }
}
