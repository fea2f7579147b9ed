//! Why a match failed: [`Mismatch`] (path, expected, actual) and [`MatchError`].
//!
//! Plain data with readable `Display`: `at $.data.jobId: expected a UUID, got "x"`. Paths are
//! JSONPath-like: `$`, `.key` for identifier keys, `["odd key"]` otherwise, `[i]` for elements.

use serde_json::Value;

/// Where and how a value failed its pattern.
#[derive(Debug, Clone, PartialEq)]
pub struct Mismatch {
    /// JSON path of the value: `$`, `$.data.jobId`, `$.items[2]`.
    pub path: String,
    /// What the pattern wanted, for humans.
    pub expected: String,
    /// The value found; `None` when it is missing.
    pub actual: Option<Value>,
}

impl std::fmt::Display for Mismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.actual {
            Some(actual) => write!(
                f,
                "at {}: expected {}, got {actual}",
                self.path, self.expected
            ),
            None => write!(
                f,
                "at {}: expected {}, got nothing (missing)",
                self.path, self.expected
            ),
        }
    }
}

/// Why a match failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MatchError {
    /// The value does not match.
    #[error("{0}")]
    Mismatch(Mismatch),
    /// The pattern refers to `${name}` and nothing was captured as `name`.
    #[error("reference to ${{{0}}}, which was never captured")]
    UnknownReference(String),
}

impl MatchError {
    /// For a string with references, says what it resolved to.
    pub(super) fn with_resolved(self, resolved: &Value, text: &str) -> Self {
        match self {
            MatchError::Mismatch(mut m) if text.contains("${") => {
                m.expected = format!("{resolved} (from {})", Value::String(text.to_owned()));
                MatchError::Mismatch(m)
            }
            other => other,
        }
    }
}
