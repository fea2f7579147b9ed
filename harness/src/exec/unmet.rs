//! [`Unmet`]: why an expectation or step failed, with the evidence a report shows, and its
//! [`Cause`], which load runs count failures by.

use serde_json::Value;

use crate::matcher::MatchError;

/// What kind of failure it is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Cause {
    /// A message (or an HTTP answer) did not have the shape or values required.
    Mismatch,
    /// Nothing (or not everything) required arrived before the deadline.
    Timeout,
    /// A message arrived that must not (`absent`), or a connection was accepted that must not.
    Unexpected,
    /// The target refused a connection (socket.io `connect_error`).
    Refused,
    /// The target closed the connection (or closed it with the wrong code, or not at all).
    Closed,
    /// A send failed: the connection is gone or stuck.
    ConnectionLost,
    /// The target could not be reached.
    Unreachable,
    /// The scenario itself is wrong (a reference to a name never captured, …).
    Scenario,
}

impl Cause {
    /// The name reports use.
    pub fn as_str(self) -> &'static str {
        match self {
            Cause::Mismatch => "mismatch",
            Cause::Timeout => "timeout",
            Cause::Unexpected => "unexpected",
            Cause::Refused => "refused",
            Cause::Closed => "closed",
            Cause::ConnectionLost => "connection_lost",
            Cause::Unreachable => "unreachable",
            Cause::Scenario => "scenario",
        }
    }
}

/// Why an expectation failed, ready for the report.
#[derive(Debug, Clone, PartialEq)]
pub struct Unmet {
    /// One sentence.
    pub message: String,
    /// JSON path of the mismatch, if any.
    pub path: Option<String>,
    /// The expected value, described.
    pub expected: Option<String>,
    /// The actual value (`None`: missing or no message).
    pub actual: Option<Value>,
    /// What kind of failure.
    pub cause: Cause,
}

impl Unmet {
    /// A failure of the target with only a sentence.
    pub fn new(message: impl Into<String>) -> Unmet {
        Unmet {
            message: message.into(),
            path: None,
            expected: None,
            actual: None,
            cause: Cause::Mismatch,
        }
    }

    /// A failure of the scenario itself (not of the target).
    pub fn scenario(message: impl Into<String>) -> Unmet {
        Unmet::new(message).because(Cause::Scenario)
    }

    /// The same failure with its cause set.
    pub fn because(mut self, cause: Cause) -> Unmet {
        self.cause = cause;
        self
    }

    /// The failure is the scenario's fault, not the target's.
    pub fn is_scenario_error(&self) -> bool {
        self.cause == Cause::Scenario
    }

    /// Adds the path, the expected description and the actual value.
    pub fn with(
        mut self,
        path: Option<String>,
        expected: Option<String>,
        actual: Option<Value>,
    ) -> Unmet {
        self.path = path;
        self.expected = expected;
        self.actual = actual;
        self
    }

    /// From a matcher error; `subject` names what was matched ("the message", "response body").
    pub fn from_match(subject: &str, error: MatchError) -> Unmet {
        match error {
            MatchError::Mismatch(mismatch) => {
                let actual = mismatch
                    .actual
                    .as_ref()
                    .map_or_else(|| "nothing (missing)".to_owned(), Value::to_string);
                Unmet::new(format!(
                    "{subject} at {}: expected {}, got {actual}",
                    mismatch.path, mismatch.expected
                ))
                .with(
                    Some(mismatch.path),
                    Some(mismatch.expected),
                    mismatch.actual,
                )
            }
            MatchError::UnknownReference(name) => Unmet::scenario(format!(
                "the scenario refers to ${{{name}}}, which no earlier step captured"
            )),
        }
    }
}
