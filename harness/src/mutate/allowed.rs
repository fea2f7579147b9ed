//! Mutants the specification allows, as data: `fixtures/<protocol>/mutants.yaml`.
//!
//! A surviving mutant is a hole in the suite unless the protocol's document allows the change
//! (an opaque id that no client can check, a field the document does not fix). Such mutants are
//! declared with the reason, and reported as *allowed* instead of survived; they leave the
//! share's denominator, like equivalent mutants. Each entry names an operator and may narrow it
//! by scenario id, message signature and site, each a pattern where `*` matches any run of
//! characters. A missing file declares nothing.
//!
//! ```yaml
//! allowed:
//!   - operator: change_value
//!     message: "EVENT client_ready"
//!     site: /1/id
//!     reason: "the id is opaque (J16): any string is conformant"
//! ```

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::mutator::Mutant;
use super::operators::Operator;

/// The file name in a protocol's fixtures.
pub const FILE_NAME: &str = "mutants.yaml";

/// One declared kind of allowed mutant.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AllowedMutant {
    /// The operator.
    pub operator: Operator,
    /// Scenario ids it applies to (pattern; all when absent).
    #[serde(default)]
    pub scenario: Option<String>,
    /// Message signatures it applies to (pattern; all when absent).
    #[serde(default)]
    pub message: Option<String>,
    /// Sites it applies to (pattern; all when absent).
    #[serde(default)]
    pub site: Option<String>,
    /// Why the specification allows it.
    pub reason: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AllowedFile {
    allowed: Vec<AllowedMutant>,
}

/// A protocol's allowed mutants.
#[derive(Debug, Clone, Default)]
pub struct AllowList {
    entries: Vec<AllowedMutant>,
}

/// Why the allow-list could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum AllowError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not a valid allow-list.
    #[error("invalid allowed-mutant list {path}: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

impl AllowList {
    /// A list of these entries.
    pub fn new(entries: Vec<AllowedMutant>) -> AllowList {
        AllowList { entries }
    }

    /// Loads `<fixtures>/<protocol>/mutants.yaml`; empty when there is none.
    pub fn load(fixtures: &Path, protocol: &str) -> Result<AllowList, AllowError> {
        let path = fixtures.join(protocol).join(FILE_NAME);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                return Ok(AllowList::default());
            }
            Err(source) => return Err(AllowError::Read { path, source }),
        };
        let file: AllowedFile =
            serde_saphyr::from_str(&text).map_err(|error| AllowError::Invalid {
                path: path.clone(),
                message: error.to_string(),
            })?;
        Ok(AllowList::new(file.allowed))
    }

    /// The reason the first matching entry gives, if `mutant` is allowed.
    pub fn reason(&self, mutant: &Mutant) -> Option<&str> {
        let fits = |pattern: &Option<String>, text: &str| {
            pattern.as_deref().is_none_or(|pattern| glob(pattern, text))
        };
        self.entries
            .iter()
            .find(|entry| {
                entry.operator == mutant.operator
                    && fits(&entry.scenario, &mutant.scenario)
                    && fits(&entry.message, &mutant.signature)
                    && fits(&entry.site, &mutant.site)
            })
            .map(|entry| entry.reason.as_str())
    }
}

/// Whether `text` matches `pattern`, where `*` matches any run of characters.
pub fn glob(pattern: &str, text: &str) -> bool {
    let mut parts = pattern.split('*');
    let Some(first) = parts.next() else {
        return text.is_empty();
    };
    let Some(mut rest) = text.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else {
        return rest.is_empty();
    };
    for part in middle {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mutate::message::Channel;

    fn mutant(site: &str) -> Mutant {
        Mutant {
            scenario: "jobber.connect.client_ready".into(),
            channel: Channel::Socket(0),
            index: 1,
            signature: "EVENT client_ready".into(),
            operator: Operator::ChangeValue,
            site: site.into(),
        }
    }

    #[test]
    fn globs_match_runs_of_characters() {
        assert!(glob("*", ""));
        assert!(glob("/1/*/createdAt", "/1/job/createdAt"));
        assert!(glob("EVENT job_*", "EVENT job_started"));
        assert!(!glob("EVENT job_*", "ACK"));
        assert!(!glob("a*b*c", "acb"));
        assert!(glob("a*b*c", "aXbYc"));
        assert!(!glob("ab*ba", "aba"));
    }

    #[test]
    fn an_entry_allows_only_what_all_its_patterns_match() {
        let list = AllowList::new(vec![AllowedMutant {
            operator: Operator::ChangeValue,
            scenario: Some("jobber.*".into()),
            message: Some("EVENT client_ready".into()),
            site: Some("/1/id".into()),
            reason: "opaque".into(),
        }]);
        assert_eq!(list.reason(&mutant("/1/id")), Some("opaque"));
        assert_eq!(list.reason(&mutant("/1/customerId")), None);
        let mut other = mutant("/1/id");
        other.operator = Operator::DropField;
        assert_eq!(list.reason(&other), None);
    }
}
