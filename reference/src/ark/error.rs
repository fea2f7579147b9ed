//! ark REST errors (ark-N2): one typed error per code, with its HTTP status and its JSON body
//! `{"error": CODE, "message": sentence, "field"?: name}`.
//!
//! Invariant: every non-2xx answer of the ark server is one of these; a request answered with
//! an error changes nothing and emits no event.

use serde::Serialize;

/// A rejected ark request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// The body is not JSON (400 `INVALID_JSON`).
    #[error("the body is not valid JSON: {0}")]
    InvalidJson(String),
    /// A field is missing, of the wrong type or out of range (400 `VALIDATION_FAILED`);
    /// `field` is `None` only when the body as a whole is wrong (not an object).
    #[error("{message}")]
    Validation {
        /// The dotted field name.
        field: Option<String>,
        /// What is wrong, one sentence.
        message: String,
    },
    /// The body names an agent that does not exist (400 `UNKNOWN_AGENT`).
    #[error("there is no agent {0:?}")]
    UnknownAgent(String),
    /// The body names an instance that does not exist (400 `UNKNOWN_INSTANCE`).
    #[error("there is no instance {0:?}")]
    UnknownInstance(String),
    /// The URL's resource or route does not exist (404 `NOT_FOUND`).
    #[error("{0}")]
    NotFound(String),
    /// The route exists but not with this method (405 `METHOD_NOT_ALLOWED`).
    #[error("method {method} is not allowed on {path}")]
    MethodNotAllowed {
        /// The method used.
        method: String,
        /// The path requested.
        path: String,
    },
    /// The change is not allowed in the resource's state (409 `INVALID_STATE`).
    #[error("{0}")]
    InvalidState(String),
    /// The body is larger than `max_body_bytes` (413 `PAYLOAD_TOO_LARGE`).
    #[error("the body is larger than the limit of {limit} bytes")]
    PayloadTooLarge {
        /// The configured limit.
        limit: usize,
    },
    /// `/ws` without the configured token (401 `UNAUTHORIZED`, ark-N12).
    #[error("a valid token is required: /ws?token=<token>")]
    Unauthorized,
}

impl ApiError {
    /// A `VALIDATION_FAILED` error about `field`.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        Self::Validation {
            field: Some(field.to_owned()),
            message: message.into(),
        }
    }

    /// The error code of ark-N2.
    pub const fn code(&self) -> &'static str {
        match self {
            Self::InvalidJson(_) => "INVALID_JSON",
            Self::Validation { .. } => "VALIDATION_FAILED",
            Self::UnknownAgent(_) => "UNKNOWN_AGENT",
            Self::UnknownInstance(_) => "UNKNOWN_INSTANCE",
            Self::NotFound(_) => "NOT_FOUND",
            Self::MethodNotAllowed { .. } => "METHOD_NOT_ALLOWED",
            Self::InvalidState(_) => "INVALID_STATE",
            Self::PayloadTooLarge { .. } => "PAYLOAD_TOO_LARGE",
            Self::Unauthorized => "UNAUTHORIZED",
        }
    }

    /// The HTTP status of ark-N2.
    pub const fn status(&self) -> u16 {
        match self {
            Self::InvalidJson(_)
            | Self::Validation { .. }
            | Self::UnknownAgent(_)
            | Self::UnknownInstance(_) => 400,
            Self::Unauthorized => 401,
            Self::NotFound(_) => 404,
            Self::MethodNotAllowed { .. } => 405,
            Self::InvalidState(_) => 409,
            Self::PayloadTooLarge { .. } => 413,
        }
    }

    /// The field the error is about, if any.
    pub fn field_name(&self) -> Option<&str> {
        match self {
            Self::Validation { field, .. } => field.as_deref(),
            Self::UnknownAgent(_) => Some("agentId"),
            Self::UnknownInstance(_) => Some("instanceId"),
            _ => None,
        }
    }

    /// The JSON body of ark-N2.
    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            error: self.code(),
            message: self.to_string(),
            field: self.field_name().map(str::to_owned),
        }
    }
}

/// The JSON body of every ark error answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorBody {
    /// The code, e.g. `VALIDATION_FAILED`.
    pub error: &'static str,
    /// A human sentence.
    pub message: String,
    /// The field at fault, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}
