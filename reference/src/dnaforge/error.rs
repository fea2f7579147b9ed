//! Why a client message is garbage (D7, dnaforge-N17). The protocol has no error message: the
//! core ignores every [`ParseError`]; the type exists so tests and logs can say why.

/// Why a WebSocket text was not a valid client message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// The text is not JSON.
    #[error("not JSON")]
    NotJson,
    /// The JSON value is not an object.
    #[error("not a JSON object")]
    NotObject,
    /// No string `type`.
    #[error("no string \"type\"")]
    NoType,
    /// A `type` no client message has (server types included).
    #[error("unknown message type {0:?}")]
    UnknownType(String),
    /// A required field is missing.
    #[error("{0} is missing")]
    Missing(String),
    /// A field has the wrong JSON type or is out of range.
    #[error("{0} is not valid")]
    Invalid(String),
}

impl ParseError {
    /// The field error at `path` under `prefix` (`configs[1].simType.type`).
    pub(super) fn within(self, prefix: &str) -> Self {
        match self {
            Self::Missing(p) => Self::Missing(format!("{prefix}.{p}")),
            Self::Invalid(p) => Self::Invalid(format!("{prefix}.{p}")),
            other => other,
        }
    }
}
