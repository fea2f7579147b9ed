//! `fixtures/<protocol>/hostile.yaml`: how a protocol meets hostile input, as data.
//!
//! The file says how to open a normal client (an actor declaration and the steps that connect
//! and authenticate it), how to probe a connection's liveness, which reaction each family of bad
//! input requires (with the clause that requires it), and the limits to test at and past.
//! Snippets of steps and patterns are scenario YAML held as text: the case builder splices
//! them into scenario files, so they mean exactly what they mean in `scenarios/`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// One protocol's hostile-input data.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HostileSpec {
    /// The protocol id (the folder's name).
    pub protocol: String,
    /// The actor declaration of a normal client (flow YAML: `{}`, `{ auth: {…} }`).
    pub actor: String,
    /// Steps opening a normal client; `$ACTOR` is its name.
    pub open: String,
    /// Steps checking that `$ACTOR`'s connection is served (a request and its answer).
    pub probe: String,
    /// Steps every other open actor (`$ACTOR`) runs after `$PROBED`'s probe, for protocols whose
    /// probe reaches everyone (a broadcast), so the next probe starts from a known place.
    #[serde(default)]
    pub after_probe: String,
    /// Patterns (flow YAML) of messages the cases may receive without a step asking for them.
    #[serde(default)]
    pub ignore: Vec<String>,
    /// The window in which nothing may arrive where the reaction is "ignored".
    #[serde(default = "default_window")]
    pub window: String,
    /// One request with a known answer, for the kinds that pad or repeat a valid message.
    pub request: Request,
    /// socket.io: an event that reads its argument, for the "not an object" kinds (default: the
    /// request's).
    #[serde(default)]
    pub payload_event: Option<String>,
    /// Valid messages by type, the bases of the field faults (else `examples/client/<type>.json`).
    #[serde(default)]
    pub messages: BTreeMap<String, serde_json::Value>,
    /// Client message types (schema stems) left out of the field faults, each with its reason.
    #[serde(default)]
    pub skip_types: BTreeMap<String, String>,
    /// Fields left out of the field faults (`<type>.<field>`, or `*.<field>` for every type),
    /// each with its reason (a field the protocol accepts and ignores has no wrong value).
    #[serde(default)]
    pub skip_fields: BTreeMap<String, String>,
    /// The reaction each family of bad input requires.
    pub reactions: BTreeMap<String, Reaction>,
    /// Limits to test at and past.
    #[serde(default)]
    pub limits: Vec<Limit>,
    /// A flood past a rate limit, where the protocol has one.
    #[serde(default)]
    pub flood: Option<Flood>,
    /// How many connections the "many connections" kind opens at once.
    #[serde(default = "default_connections")]
    pub connections: u32,
    /// HTTP requests whose JSON bodies get field faults (protocols with an HTTP API).
    #[serde(default)]
    pub http: Vec<HttpRequest>,
    /// The raw driver's view of the protocol (half-open, invalid UTF-8, never-reading kinds).
    #[serde(default)]
    pub raw: Raw,
}

fn default_window() -> String {
    "300ms".to_owned()
}

fn default_connections() -> u32 {
    50
}

/// A request with a known answer.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Request {
    /// Raw WebSocket: the message.
    #[serde(default)]
    pub message: Option<serde_json::Value>,
    /// socket.io: the event.
    #[serde(default)]
    pub event: Option<String>,
    /// socket.io: the arguments.
    #[serde(default)]
    pub args: Vec<serde_json::Value>,
    /// The answer's pattern (raw WebSocket: the message; socket.io: the ack's argument list);
    /// none: the protocol does not answer it.
    #[serde(default)]
    pub answer: Option<String>,
}

/// The reaction a family of bad input requires.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reaction {
    /// The clause (document, DECISIONS, NOTES) that requires it.
    pub clause: String,
    /// A reply's pattern (raw WebSocket: the next message; socket.io: the ack's arguments when
    /// the bad input asked for one, else the next message); `$FIELD` is the faulty field.
    #[serde(default)]
    pub reply: Option<String>,
    /// Replies by the bad message's type, for a reaction whose answer is the message's own (a
    /// null optional field read as absent: each type answers as it does without the field).
    /// Keys: `<type>.<field>`, `*.<field>` or `<type>`, tried in that order, then `reply`.
    #[serde(default)]
    pub replies: BTreeMap<String, String>,
    /// The connection is closed, with this code (`any`: whatever the code).
    #[serde(default)]
    pub close: Option<Close>,
    /// The HTTP status required (HTTP bodies); `reply` is then the body's pattern.
    #[serde(default)]
    pub status: Option<u16>,
    /// The level of the clause (default MUST).
    #[serde(default)]
    pub level: Option<String>,
}

/// A required close.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum Close {
    /// This code.
    Code(u16),
    /// Any code (`any`).
    Any(String),
}

impl Close {
    /// The code required, if one is.
    pub fn code(&self) -> Option<u16> {
        match self {
            Close::Code(code) => Some(*code),
            Close::Any(_) => None,
        }
    }
}

impl Reaction {
    /// The reply pattern required of a case whose bad message is of type `message` (field
    /// faults) with the fault in `field`: the most specific of `replies`, else `reply`.
    pub fn reply_for(&self, message: Option<&str>, field: Option<&str>) -> Option<&str> {
        let keys = [
            message.zip(field).map(|(m, f)| format!("{m}.{f}")),
            field.map(|f| format!("*.{f}")),
            message.map(str::to_owned),
        ];
        keys.iter()
            .flatten()
            .find_map(|key| self.replies.get(key))
            .or(self.reply.as_ref())
            .map(String::as_str)
    }

    /// The reaction required of a message type and field (see [`Self::reply_for`]), in a few
    /// words, for the verdict line.
    pub fn describe(&self, message: Option<&str>, field: Option<&str>) -> String {
        let reply = self.reply_for(message, field);
        let mut parts = Vec::new();
        if let Some(reply) = reply {
            parts.push(format!("reply {}", one_line(reply)));
        }
        match &self.close {
            Some(Close::Code(code)) => parts.push(format!("close {code}")),
            Some(Close::Any(_)) => parts.push("close".to_owned()),
            None if reply.is_none() => parts.push("ignored".to_owned()),
            None => {}
        }
        parts.join(", then ")
    }
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A limit to test at and past.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limit {
    /// The setting's name (`max_message_bytes`); `--var limit_<name>=N` overrides `bytes`.
    pub name: String,
    /// Its value in bytes.
    pub bytes: usize,
    /// A raw frame holding `$PAD`, padded to the exact size.
    pub frame: String,
    /// The family of the reaction at the limit.
    pub at: String,
    /// The family of the reaction one byte past it.
    pub past: String,
}

/// A flood past a rate limit.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Flood {
    /// The capability under which the limit is known.
    pub requires: String,
    /// Requests the window allows.
    pub allowed: u32,
    /// How long to wait after the flood before the probes, so a new window has begun.
    pub window: String,
}

/// An HTTP request whose body gets field faults.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpRequest {
    /// `POST /agents/register`.
    pub request: String,
    /// A valid body.
    pub body: serde_json::Value,
    /// The body's fields and their JSON types (`string`, `integer`, `object`, …; `?` after the
    /// type: optional).
    pub fields: BTreeMap<String, String>,
}

/// What the raw driver needs.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Raw {
    /// Text frames a never-reading client sends right after the upgrade (socket.io: the
    /// namespace CONNECT with auth), `${var_…}` resolved.
    #[serde(default)]
    pub hello: Vec<String>,
    /// The frame a never-reading client sends over and over.
    #[serde(default)]
    pub flood: Option<String>,
    /// How many times.
    #[serde(default)]
    pub flood_count: u32,
    /// The close code required of a text frame that is not UTF-8 (none: any close).
    #[serde(default)]
    pub invalid_utf8_close: Option<u16>,
    /// Its clause.
    #[serde(default)]
    pub invalid_utf8_clause: String,
}

/// Why a hostile file could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum SpecError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not a valid hostile file.
    #[error("invalid hostile file {path}: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

impl HostileSpec {
    /// Loads `<fixtures>/<protocol>/hostile.yaml`.
    pub fn load(fixtures: &Path, protocol: &str) -> Result<HostileSpec, SpecError> {
        let path = fixtures.join(protocol).join("hostile.yaml");
        let text = std::fs::read_to_string(&path).map_err(|source| SpecError::Read {
            path: path.clone(),
            source,
        })?;
        let spec: HostileSpec =
            serde_saphyr::from_str(&text).map_err(|error| SpecError::Invalid {
                path: path.clone(),
                message: error.to_string(),
            })?;
        if spec.protocol != protocol {
            return Err(SpecError::Invalid {
                path,
                message: format!("`protocol` is {:?}, the folder {protocol:?}", spec.protocol),
            });
        }
        Ok(spec)
    }
}

#[cfg(test)]
#[path = "spec_tests.rs"]
mod tests;
