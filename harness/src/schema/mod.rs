//! Per-message schema validation: every frame a target sends is checked against the JSON Schema
//! of its message type, found in `fixtures/<protocol>/schemas/`.
//!
//! Schemas are compiled once per protocol ([`SchemaSet::load`]) and shared by every scenario and
//! virtual user. A message's type is read at the profile's `type_pointer`; its schema is the file
//! named by the type with `:` and `/` replaced by `.` (`job:created` → `job.created.json`).
//! A message of a type with no schema is itself a finding. Relative `$ref`s between schema files
//! resolve through [`retriever::LocalSchemas`]; nothing is fetched from the network.

mod retriever;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use jsonschema::Validator;
use serde_json::Value;

use crate::profile::Profile;
use retriever::LocalSchemas;

/// One problem with one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaIssue {
    /// What is wrong, one sentence.
    pub message: String,
    /// Where in the message (`$.data.jobId`), if at a path.
    pub path: Option<String>,
}

/// Why a protocol's schemas could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    /// A file could not be read.
    #[error("cannot read schema {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A file is not JSON.
    #[error("schema {path} is not JSON: {source}")]
    Json {
        /// The file.
        path: PathBuf,
        /// The parse error.
        source: serde_json::Error,
    },
    /// A file is not a valid schema.
    #[error("schema {path} does not compile: {message}")]
    Compile {
        /// The file.
        path: PathBuf,
        /// The compiler's message.
        message: String,
    },
}

/// The stem of the file of shared definitions (`defs.json`), which other schemas `$ref`: it
/// describes no message, so no message type is checked against it.
pub const DEFINITIONS: &str = "defs";

/// The compiled schemas of one protocol.
pub struct SchemaSet {
    type_pointer: String,
    /// The pointer's tokens, unescaped once (a message's type is read for every message).
    type_path: Vec<String>,
    envelope: Option<Validator>,
    by_stem: HashMap<String, Validator>,
}

impl SchemaSet {
    /// Compiles every `*.json` directly in `<protocol_dir>/schemas/`: the messages a target
    /// sends.
    pub fn load(protocol_dir: &Path, profile: &Profile) -> Result<SchemaSet, SchemaError> {
        SchemaSet::load_folder(protocol_dir, "", profile)
    }

    /// Compiles every `*.json` directly in `<protocol_dir>/schemas/<folder>/` (e.g. `client`,
    /// the messages a client sends); references may point anywhere under `schemas/`.
    pub fn load_folder(
        protocol_dir: &Path,
        folder: &str,
        profile: &Profile,
    ) -> Result<SchemaSet, SchemaError> {
        let dir = protocol_dir.join("schemas");
        let local = LocalSchemas::load(&dir)?;
        let mut by_stem = HashMap::new();
        for (path, document) in local.files_in(&dir.join(folder)) {
            let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else {
                continue;
            };
            if stem == DEFINITIONS {
                continue;
            }
            by_stem.insert(stem.to_owned(), compile(path, document, &local)?);
        }
        let envelope = match &profile.envelope {
            Some(name) if folder.is_empty() => {
                let stem = name.trim_end_matches(".json");
                Some(by_stem.remove(stem).ok_or_else(|| SchemaError::Compile {
                    path: dir.join(name),
                    message: "the profile's envelope schema does not exist".into(),
                })?)
            }
            _ => None,
        };
        Ok(SchemaSet {
            type_pointer: profile.type_pointer.clone(),
            type_path: pointer_tokens(&profile.type_pointer),
            envelope,
            by_stem,
        })
    }

    /// Whether a schema of this stem exists.
    pub fn has(&self, stem: &str) -> bool {
        self.by_stem.contains_key(stem)
    }

    /// The message's type, read at the profile's type pointer.
    pub fn type_of<'a>(&self, message: &'a Value) -> Option<&'a str> {
        let mut at = message;
        for token in &self.type_path {
            at = match at {
                Value::Object(map) => map.get(token.as_str())?,
                Value::Array(items) => items.get(token.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        at.as_str()
    }

    /// Every problem of `message`: envelope violations, an unknown type, or violations of its
    /// type's schema. Empty when the message conforms.
    pub fn check(&self, message: &Value) -> Vec<SchemaIssue> {
        if let Some(envelope) = &self.envelope {
            let issues = violations(envelope, message, "envelope");
            if !issues.is_empty() {
                return issues;
            }
        }
        let Some(kind) = self.type_of(message) else {
            return vec![SchemaIssue {
                message: format!("message has no type at {}", self.type_pointer),
                path: None,
            }];
        };
        match self.validator_of(kind) {
            Some(validator) => violations(validator, message, kind),
            None => vec![SchemaIssue {
                message: format!(
                    "unknown message type {kind:?}: the protocol defines no such message"
                ),
                path: Some(pointer_to_path(&self.type_pointer)),
            }],
        }
    }
}

impl SchemaSet {
    /// The validator of a message type, found without allocating: the type is turned into its
    /// file stem in a stack buffer (`job:created` → `job.created`).
    fn validator_of(&self, kind: &str) -> Option<&Validator> {
        if !kind.contains([':', '/']) {
            return self.by_stem.get(kind);
        }
        let mut buffer = [0u8; 128];
        let bytes = kind.as_bytes();
        let stem = buffer.get_mut(..bytes.len())?;
        for (to, &from) in stem.iter_mut().zip(bytes) {
            *to = if from == b':' || from == b'/' {
                b'.'
            } else {
                from
            };
        }
        // ASCII ':' and '/' were replaced by ASCII '.', so the bytes are still UTF-8.
        let stem = std::str::from_utf8(stem).ok()?;
        self.by_stem.get(stem)
    }

    /// Checks `message` against the schema named `stem` (e.g. `ack.send_job`), for messages whose
    /// kind is known from context rather than from a type field (socket.io acks, connect errors).
    pub fn check_as(&self, stem: &str, message: &Value) -> Vec<SchemaIssue> {
        match self.by_stem.get(stem) {
            Some(validator) => violations(validator, message, stem),
            None => vec![SchemaIssue {
                message: format!("no schema {stem}.json: the protocol defines no such message"),
                path: None,
            }],
        }
    }
}

/// The schema file stem of a message type.
pub fn schema_stem(kind: &str) -> String {
    kind.replace([':', '/'], ".")
}

fn compile(path: &Path, document: &Value, local: &LocalSchemas) -> Result<Validator, SchemaError> {
    jsonschema::options()
        .should_validate_formats(true)
        .with_retriever(local.clone())
        .with_base_uri(local.base_uri_of(path))
        .build(document)
        .map_err(|error| SchemaError::Compile {
            path: path.to_owned(),
            message: error.to_string(),
        })
}

fn violations(validator: &Validator, message: &Value, schema: &str) -> Vec<SchemaIssue> {
    // Conforming messages are the common case: answer them without collecting errors.
    if validator.is_valid(message) {
        return Vec::new();
    }
    validator
        .iter_errors(message)
        .map(|error| {
            let (text, path) = describe(&error);
            SchemaIssue {
                message: format!("{schema} schema: {text} (at {path})"),
                path: Some(path),
            }
        })
        .collect()
}

/// One sentence for `error` and the path it names. A `oneOf`/`anyOf` that no branch matched is
/// described by the branch that came closest (fewest errors; the first of equals), down to the
/// key that branch trips on, instead of "not valid under any of the schemas listed".
pub(crate) fn describe(error: &jsonschema::ValidationError<'_>) -> (String, String) {
    use jsonschema::error::ValidationErrorKind;
    let here = pointer_to_path(error.instance_path().as_str());
    let (keyword, branches) = match error.kind() {
        ValidationErrorKind::OneOfNotValid { context } => ("oneOf", context),
        ValidationErrorKind::AnyOf { context } => ("anyOf", context),
        _ => return (error.to_string(), here),
    };
    let closest = branches
        .iter()
        .enumerate()
        .filter(|(_, errors)| !errors.is_empty())
        .min_by_key(|(_, errors)| errors.len());
    let Some((index, errors)) = closest else {
        return (error.to_string(), here);
    };
    let (inner, path) = describe(&errors[0]);
    let others = match errors.len() {
        1 => String::new(),
        n => format!(" and {} more", n - 1),
    };
    let text = format!(
        "matches none of the {} {keyword} branches at {here}; the closest, branch {}, fails at {path}: {inner}{others}",
        branches.len(),
        index + 1
    );
    (text, path)
}

/// The unescaped tokens of a JSON pointer (`/a~1b/c` → `["a/b", "c"]`).
pub(crate) fn pointer_tokens(pointer: &str) -> Vec<String> {
    pointer
        .split('/')
        .skip(1)
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect()
}

/// Turns a JSON pointer (`/data/items/0`) into a readable path (`$.data.items[0]`).
pub fn pointer_to_path(pointer: &str) -> String {
    let mut path = String::from("$");
    for segment in pointer.split('/').skip(1) {
        let segment = segment.replace("~1", "/").replace("~0", "~");
        if !segment.is_empty() && segment.bytes().all(|b| b.is_ascii_digit()) {
            path.push_str(&format!("[{segment}]"));
        } else {
            path.push('.');
            path.push_str(&segment);
        }
    }
    path
}

#[cfg(test)]
mod tests;
