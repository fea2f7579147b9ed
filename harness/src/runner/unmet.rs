//! [`Unmet`]: why an expectation or step failed, with the evidence a report shows.

use serde_json::Value;

use crate::matcher::MatchError;

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
    /// The failure is the scenario's fault (a reference to a name never captured).
    pub scenario_error: bool,
}

impl Unmet {
    /// A failure of the target with only a sentence.
    pub fn new(message: impl Into<String>) -> Unmet {
        Unmet {
            message: message.into(),
            path: None,
            expected: None,
            actual: None,
            scenario_error: false,
        }
    }

    /// A failure of the scenario itself (not of the target).
    pub fn scenario(message: impl Into<String>) -> Unmet {
        Unmet {
            scenario_error: true,
            ..Unmet::new(message)
        }
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
