//! A session's transcript: every message sent and received and every connection event, in the
//! order the session saw them, kept as data and rendered to text only when a report needs it.
//!
//! Received messages are shared with the inbox ([`Received`] in an `Arc`), never copied.
//! Entries are numbered from 0 in order (their *sequence*); findings and flags refer to them by
//! it. [`TranscriptLimit`] bounds memory: a conformance run keeps everything up to a cap, a load
//! run only the tail. Rendering ([`Transcript::render`]) gives exactly the texts reports and
//! golden files show.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Instant;

use serde_json::{Value, json};

use super::plan::TranscriptLimit;
use crate::report::model::{Direction, TranscriptEntry};
use crate::transport::Utf8Bytes;
use crate::transport::socketio::packet::{encode_ack, encode_event};

/// A received message as patterns, schemas and the transcript see it.
#[derive(Debug)]
pub struct Received {
    /// The message as patterns match it (socket.io items in their inbox shape); `None` when a
    /// text frame is not JSON.
    pub json: Option<Value>,
    /// Binary attachments (socket.io) or the bytes of a binary frame, which `json` names by
    /// placeholders.
    pub attachments: Vec<Vec<u8>>,
    /// How the transcript shows it.
    pub shown: Shown,
    /// The frame as on the wire, where it differs from what is shown (socket.io).
    pub raw: Option<Utf8Bytes>,
}

/// How a received message is shown.
#[derive(Debug, Clone)]
pub enum Shown {
    /// The text frame as received.
    Frame(Utf8Bytes),
    /// `json`, serialised.
    Json,
    /// A binary frame, described.
    Binary,
}

/// Who an entry is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Party {
    /// An actor's connection (its index).
    Actor(usize),
    /// The session's HTTP requests.
    Http,
}

/// What an entry holds.
#[derive(Debug)]
pub enum Content {
    /// Text shown as is (`connect …`, `close 1000`, an HTTP line, a raw frame sent).
    Text(String),
    /// A JSON message sent as a text frame.
    Json(Value),
    /// A binary frame sent.
    Binary(Vec<u8>),
    /// A received message.
    Received(Arc<Received>),
    /// A socket.io emit: shown as `{"emit", "args", "ack"}`, with its Engine.IO frame.
    Emit {
        /// The event.
        event: Arc<str>,
        /// Its arguments.
        args: Arc<[Value]>,
        /// The label the scenario gave its ack, if it asked for one.
        label: Option<Arc<str>>,
        /// The ack id it carried.
        ack_id: Option<u64>,
    },
    /// A socket.io ack the session sent in answer to the server's event `id`.
    AckReply {
        /// The server's ack id.
        id: u64,
        /// The arguments.
        args: Arc<[Value]>,
    },
}

/// One transcript entry.
#[derive(Debug)]
pub struct Record {
    /// When it was sent or received.
    pub at: Instant,
    /// The connection (or HTTP) it is about.
    pub party: Party,
    /// Sent or received.
    pub direction: Direction,
    /// What it holds.
    pub content: Content,
    /// A step matched this received message.
    pub matched: bool,
    /// Another session's traffic on a shared target.
    pub foreign: bool,
}

/// The entries of one session, bounded by a [`TranscriptLimit`].
#[derive(Debug)]
pub struct Transcript {
    records: VecDeque<Record>,
    /// Sequence number of `records[0]`.
    first: usize,
    /// Entries not kept because the `Full` cap was reached.
    dropped: usize,
    limit: TranscriptLimit,
}

impl Transcript {
    /// An empty transcript.
    pub fn new(limit: TranscriptLimit) -> Transcript {
        Transcript {
            records: VecDeque::new(),
            first: 0,
            dropped: 0,
            limit,
        }
    }

    /// Appends an entry; returns its sequence number.
    pub fn push(&mut self, record: Record) -> usize {
        let seq = self.first + self.records.len() + self.dropped;
        match self.limit {
            TranscriptLimit::Full(cap) if self.records.len() >= cap => self.dropped += 1,
            TranscriptLimit::Tail(keep) => {
                if self.records.len() >= keep.max(1) {
                    self.records.pop_front();
                    self.first += 1;
                }
                self.records.push_back(record);
            }
            TranscriptLimit::Full(_) => self.records.push_back(record),
        }
        seq
    }

    /// The entry of sequence `seq`, if still kept.
    pub fn get_mut(&mut self, seq: usize) -> Option<&mut Record> {
        let index = seq.checked_sub(self.first)?;
        self.records.get_mut(index)
    }

    /// Entries not kept (beyond a `Full` cap, or before a `Tail`).
    pub fn missing(&self) -> usize {
        self.dropped + self.first
    }

    /// The sequence number of the first entry kept.
    pub fn first(&self) -> usize {
        self.first
    }

    /// The entries kept, in order.
    pub fn records(&self) -> impl Iterator<Item = &Record> {
        self.records.iter()
    }

    /// The entries as reports show them; `names` are the actors' names, `namespace` the
    /// socket.io namespace of the protocol (for the frames of emits and acks).
    pub fn render(
        &self,
        started: Instant,
        names: &[String],
        namespace: &str,
    ) -> Vec<TranscriptEntry> {
        self.records
            .iter()
            .map(|record| render(record, started, names, namespace))
            .collect()
    }
}

fn render(record: &Record, started: Instant, names: &[String], namespace: &str) -> TranscriptEntry {
    let actor = match record.party {
        Party::Actor(index) => names.get(index).cloned().unwrap_or_default(),
        Party::Http => "http".to_owned(),
    };
    let (text, raw) = text_of(&record.content, namespace);
    TranscriptEntry {
        at_ms: u64::try_from(record.at.saturating_duration_since(started).as_millis())
            .unwrap_or(u64::MAX),
        actor,
        direction: record.direction,
        text,
        raw,
        matched: record.matched,
        foreign: record.foreign,
    }
}

fn text_of(content: &Content, namespace: &str) -> (String, Option<String>) {
    match content {
        Content::Text(text) => (text.clone(), None),
        Content::Json(value) => (value.to_string(), None),
        Content::Binary(bytes) => (describe_binary(bytes), None),
        Content::Received(received) => {
            let text = match &received.shown {
                Shown::Frame(frame) => frame.as_str().to_owned(),
                Shown::Json => received
                    .json
                    .as_ref()
                    .map_or_else(String::new, Value::to_string),
                Shown::Binary => {
                    describe_binary(received.attachments.first().map_or(&[][..], Vec::as_slice))
                }
            };
            (text, received.raw.as_ref().map(|r| r.as_str().to_owned()))
        }
        Content::Emit {
            event,
            args,
            label,
            ack_id,
        } => {
            let mut shown = json!({ "emit": &**event, "args": &**args });
            if let Some(label) = label {
                shown["ack"] = Value::String(label.to_string());
            }
            let raw = encode_event(namespace, *ack_id, event, args, 0).ok();
            (shown.to_string(), raw)
        }
        Content::AckReply { id, args } => {
            let shown = json!({ "ack": id, "args": &**args });
            (shown.to_string(), encode_ack(namespace, *id, args, 0).ok())
        }
    }
}

/// `<binary N bytes: 0a0b…>`: the length and the first 16 bytes in hex.
pub fn describe_binary(bytes: &[u8]) -> String {
    let shown: String = bytes.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!(
        "<binary {} bytes: {shown}{}>",
        bytes.len(),
        if bytes.len() > 16 { "…" } else { "" }
    )
}
