//! The transport-neutral message model: what a connection delivers ([`Inbound`]), what a step
//! asks a connection to send ([`Outbound`]), and the tagged, time-stamped [`Arrival`] a driver
//! hands to its session.
//!
//! Every transport produces a subset of [`Inbound`] (a raw WebSocket never produces a socket.io
//! event) and accepts a subset of [`Outbound`] (anything else is [`TransportError::Unsupported`]).
//! Binary data is carried as bytes all the way: raw binary frames and socket.io attachments, so
//! patterns and schemas can check them. Text frames keep the transport's buffer (no copy).
//!
//! [`TransportError::Unsupported`]: super::TransportError::Unsupported

use std::sync::Arc;
use std::time::Instant;

use serde_json::Value;
pub use tokio_tungstenite::tungstenite::Utf8Bytes;

/// What arrived on a connection.
#[derive(Debug, Clone, PartialEq)]
pub enum Inbound {
    /// A text frame (raw WebSocket), exactly as received.
    Text(Utf8Bytes),
    /// A binary frame (raw WebSocket).
    Binary(Vec<u8>),
    /// A socket.io event; with `ack_id` the server asks for an ack.
    Event {
        /// The event name.
        name: String,
        /// The arguments, with `{"_placeholder":true,"num":k}` in place of binary values.
        args: Vec<Value>,
        /// The ack id the server wants answered.
        ack_id: Option<u64>,
        /// The binary attachments, in placeholder order.
        attachments: Vec<Vec<u8>>,
        /// The Engine.IO text frame it came in.
        raw: Utf8Bytes,
    },
    /// The socket.io ack of one of our emits.
    Ack {
        /// The id the emit carried.
        id: u64,
        /// The arguments (placeholders in place of binary values).
        args: Vec<Value>,
        /// The binary attachments, in placeholder order.
        attachments: Vec<Vec<u8>>,
        /// The Engine.IO text frame it came in.
        raw: Utf8Bytes,
    },
    /// A socket.io CONNECT_ERROR (at connect time, or later on an accepted connection).
    ConnectError {
        /// Its data.
        data: Value,
        /// The Engine.IO text frame it came in (empty when the handshake reported it).
        raw: Utf8Bytes,
    },
    /// The server left the socket.io namespace (DISCONNECT).
    Disconnect {
        /// The Engine.IO text frame it came in.
        raw: Utf8Bytes,
    },
    /// A frame that breaks the transport's protocol (malformed packet, wrong namespace, …).
    Invalid {
        /// What is wrong.
        reason: String,
        /// The frame as received (binary frames described).
        raw: String,
    },
    /// The connection ended; always the last item of a connection.
    Closed {
        /// The WebSocket close code, if the peer sent one.
        code: Option<u16>,
        /// The close reason, or why the connection ended.
        reason: String,
    },
}

/// What a step sends on a connection.
#[derive(Debug, Clone, PartialEq)]
pub enum Outbound {
    /// One text frame exactly as given (socket.io: one Engine.IO frame, e.g. `42[…]`).
    Text(String),
    /// One binary frame exactly as given.
    Binary(Vec<u8>),
    /// A socket.io event (BINARY_EVENT when it has attachments).
    Event {
        /// The event name.
        name: Arc<str>,
        /// The arguments (placeholders naming `attachments`), shared with the transcript.
        args: Arc<[Value]>,
        /// The ack id to ask for, if any.
        ack_id: Option<u64>,
        /// Binary attachments.
        attachments: Vec<Vec<u8>>,
    },
    /// A socket.io ack of the server's event `id`.
    Ack {
        /// The id the server's event carried.
        id: u64,
        /// The arguments, shared with the transcript.
        args: Arc<[Value]>,
    },
}

impl Outbound {
    /// The step name of this kind of message, for "not supported by this transport" errors.
    pub fn kind(&self) -> &'static str {
        match self {
            Outbound::Text(_) => "a text frame",
            Outbound::Binary(_) => "a binary frame",
            Outbound::Event { .. } => "a socket.io emit",
            Outbound::Ack { .. } => "a socket.io ack",
        }
    }
}

/// Something a connection received, with the connection's tag and its arrival time.
#[derive(Debug, Clone)]
pub struct Arrival {
    /// The tag the session gave the connection.
    pub conn: usize,
    /// When it was read.
    pub at: Instant,
    /// What arrived.
    pub inbound: Inbound,
}
