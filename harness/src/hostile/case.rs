//! A hostile case: one kind of bad input, the family of reaction it requires, and where it
//! came from. Plain data; [`super::cases`] makes them, [`super::build`] turns them into
//! scenarios, [`super::raw`] carries out those a scenario cannot express.

use serde_json::Value;

use crate::scenario::model::Outgoing;

/// One case.
#[derive(Debug, Clone)]
pub struct Case {
    /// `<protocol>.hostile.<family>.<detail>`.
    pub id: String,
    /// The kind of bad input, in a few words.
    pub kind: String,
    /// The reaction family (a key of the protocol's `reactions`).
    pub family: String,
    /// The faulty field's dotted path, for field faults (`$FIELD` in the reaction).
    pub field: Option<String>,
    /// The bad message's type (event name, or the type field's value), for field faults: the
    /// key of the reaction's `replies`.
    pub message: Option<String>,
    /// What the hostile connection does.
    pub input: Input,
    /// Capabilities the target needs (a rate limit to flood past).
    pub requires: Vec<String>,
}

/// What a case's hostile connection does.
#[derive(Debug, Clone)]
pub enum Input {
    /// Sends one frame (raw WebSocket: a message; socket.io: an Engine.IO frame as written).
    Frame(Outgoing),
    /// Emits one socket.io event asking for an ack.
    Emit {
        /// The event name.
        event: String,
        /// Its arguments.
        args: Vec<Value>,
    },
    /// An HTTP request with a bad body (`POST /path`).
    Http {
        /// Method and path.
        request: String,
        /// The body.
        body: Value,
    },
    /// Opens this many connections at once (each a normal client), then probes the last.
    Connections(u32),
    /// Sends the protocol's request this many times without waiting, then takes every answer.
    Flood(u32),
    /// Sends the request `allowed + 1` times within the rate limit's window: the last one gets
    /// the `rate_limited` reaction.
    RateFlood(u32),
    /// Something the scenario model cannot express, done by the raw driver.
    Raw(RawKind),
}

/// The raw driver's kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RawKind {
    /// TCP connections that never send a byte.
    TcpSilent,
    /// Connections that send half an HTTP upgrade request and stop.
    HalfUpgrade,
    /// A text frame whose payload is not UTF-8.
    InvalidUtf8,
    /// A client that sends many requests and never reads.
    NeverReads,
}

impl RawKind {
    /// Its name in case ids.
    pub fn name(self) -> &'static str {
        match self {
            RawKind::TcpSilent => "tcp_silent",
            RawKind::HalfUpgrade => "half_upgrade",
            RawKind::InvalidUtf8 => "invalid_utf8",
            RawKind::NeverReads => "never_reads",
        }
    }
}

impl Case {
    /// The reaction `spec` requires of this case, in a few words (empty without a rule).
    pub fn reaction(&self, spec: &super::HostileSpec) -> String {
        spec.reactions
            .get(&self.family)
            .map(|r| r.describe(self.message.as_deref(), self.field.as_deref()))
            .unwrap_or_default()
    }

    /// Whether `filter` selects the case: an id, a prefix ending in `*`, or a family name.
    pub fn selected_by(&self, filter: &str) -> bool {
        match filter.strip_suffix('*') {
            Some(prefix) => self.id.starts_with(prefix),
            None => self.id == filter || self.family == filter,
        }
    }
}
