//! What a protocol declares about its coverage beyond its schemas: `fixtures/<protocol>/coverage.yaml`.
//!
//! The schemas give message types, fields and enum values. Some parts of a document are not
//! enums in them — jobber's error codes live inside error sentences, ark's REST endpoints are not
//! schemas at all — so the file names them: the error codes and where they are read, the option
//! objects (`$defs` whose keys are options), the HTTP endpoints with their statuses and body
//! schemas, and the items the suite cannot reach, each with its reason (the protocol's
//! `NOTES.md`, section "Coverage", says why). The file is optional; without it only the schemas
//! count. Unknown keys are errors.

use std::path::{Path, PathBuf};

use serde::Deserialize;

/// The name of the file, in `fixtures/<protocol>/`.
pub const FILE_NAME: &str = "coverage.yaml";

/// The contents of `coverage.yaml`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Declared {
    /// The folder under `schemas/` holding the messages a client sends (default `client`).
    #[serde(default = "default_sent_folder")]
    pub sent_folder: String,
    /// The document's error codes and where they are read.
    #[serde(default)]
    pub error_codes: Option<ErrorCodes>,
    /// Names of `$defs` whose properties are the document's options (`JobOptions`).
    #[serde(default)]
    pub options: Vec<String>,
    /// The HTTP API, when the document has one.
    #[serde(default)]
    pub http: Option<HttpApi>,
    /// Items the suite cannot reach.
    #[serde(default)]
    pub excluded: Vec<Exclusion>,
}

fn default_sent_folder() -> String {
    "client".to_owned()
}

/// The error codes of a document.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorCodes {
    /// The codes, listed (when the schemas do not enumerate them).
    #[serde(default)]
    pub codes: Vec<String>,
    /// The name of a `$defs` enum whose values are the codes (instead of, or beside, `codes`);
    /// its values then count as error codes, not as enum values.
    #[serde(default)]
    pub enum_def: Option<String>,
    /// Where a code is read.
    pub at: Vec<CodeSite>,
}

/// One place error codes appear.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CodeSite {
    /// The message kinds (schema stems, e.g. `connect_error`, `rest/error`); a trailing `*`
    /// makes a prefix (`ack.*`).
    pub kind: String,
    /// JSON pointer to the string holding the code.
    pub pointer: String,
    /// A regular expression whose first group is the code (default: the whole string).
    #[serde(default)]
    pub pattern: Option<String>,
}

/// An HTTP API.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpApi {
    /// The schema (stem under `schemas/`, e.g. `rest/error`) of every non-2xx body.
    #[serde(default)]
    pub error_body: Option<String>,
    /// The endpoints.
    pub endpoints: Vec<Endpoint>,
}

/// One endpoint.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Endpoint {
    /// `METHOD /path`, with `{name}` for a path segment (`GET /jobs/{jobId}`).
    pub request: String,
    /// The statuses the document gives it.
    pub statuses: Vec<u16>,
    /// The schema of its 2xx body, if it has one.
    #[serde(default)]
    pub body: Option<String>,
}

/// An item the suite cannot reach.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exclusion {
    /// The item's category (`fields`, `error_codes`, …, as reports name them).
    pub category: String,
    /// The item, as reports show it (`← work_request $.ackId`).
    pub item: String,
    /// Why it cannot be reached (one sentence; the notes say more).
    pub reason: String,
}

/// Why `coverage.yaml` could not be read.
#[derive(Debug, thiserror::Error)]
pub enum DeclaredError {
    /// The file exists but could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not a valid declaration.
    #[error("invalid {path}: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

impl Declared {
    /// Reads `<protocol_dir>/coverage.yaml`; the default (nothing declared) when it is absent.
    pub fn load(protocol_dir: &Path) -> Result<Declared, DeclaredError> {
        let path = protocol_dir.join(FILE_NAME);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Declared {
                    sent_folder: default_sent_folder(),
                    ..Declared::default()
                });
            }
            Err(source) => return Err(DeclaredError::Read { path, source }),
        };
        Declared::parse(&text).map_err(|message| DeclaredError::Invalid { path, message })
    }

    /// Parses the text of a `coverage.yaml`.
    pub fn parse(text: &str) -> Result<Declared, String> {
        serde_saphyr::from_str(text).map_err(|error| error.to_string())
    }
}
