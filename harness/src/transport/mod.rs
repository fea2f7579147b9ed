//! Transports: the only place where the harness touches sockets.
//!
//! A connection delivers everything the target sends, from the moment it is open, into a
//! bounded channel of [`Incoming`] frames stamped with their arrival time; the runner reads that
//! channel as the actor's inbox. Transports never interpret messages: matching and schema checks
//! happen in the runner. Every wait here is bounded by the caller's deadline.

pub mod http;
pub mod socketio;
pub mod ws;

use std::time::Instant;

/// Transport limits, named and configurable.
#[derive(Debug, Clone)]
pub struct Limits {
    /// WebSocket read buffer per connection (bytes). Small, so thousands of connections are cheap.
    pub read_buffer_bytes: usize,
    /// Largest frame accepted from a target (bytes).
    pub max_frame_bytes: usize,
    /// Frames buffered per connection before the reader waits for the runner.
    pub inbox_capacity: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            read_buffer_bytes: 4096,
            max_frame_bytes: 16 << 20,
            inbox_capacity: 65_536,
        }
    }
}

/// One frame (or the end of the connection) received from a target.
#[derive(Debug, Clone, PartialEq)]
pub enum Frame {
    /// A text frame.
    Text(String),
    /// A binary frame.
    Binary(Vec<u8>),
    /// The connection ended: a close frame from the target (with its code), or the socket ended.
    Closed {
        /// The close code, if the target sent a close frame with one.
        code: Option<u16>,
        /// The close reason, or why the socket ended.
        reason: String,
    },
}

/// A frame with its arrival time.
#[derive(Debug, Clone)]
pub struct Incoming {
    /// When the transport read it.
    pub at: Instant,
    /// What arrived.
    pub frame: Frame,
}

/// Why a transport operation failed.
#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    /// The target URL is not usable.
    #[error("invalid target URL {url:?}: {reason}")]
    InvalidUrl {
        /// The URL.
        url: String,
        /// What is wrong.
        reason: String,
    },
    /// The target could not be reached.
    #[error("cannot connect to {url}: {reason}")]
    Unreachable {
        /// The URL.
        url: String,
        /// The underlying error.
        reason: String,
    },
    /// Sending failed (the connection is gone).
    #[error("cannot send: {0}")]
    Send(String),
    /// An HTTP exchange failed.
    #[error("HTTP {method} {url} failed: {reason}")]
    Http {
        /// The method.
        method: String,
        /// The URL.
        url: String,
        /// The underlying error.
        reason: String,
    },
    /// A socket.io handshake failed (no open packet, no namespace answer in time, connection lost).
    #[error("socket.io handshake with {url} failed: {reason}")]
    Handshake {
        /// The URL.
        url: String,
        /// What went wrong.
        reason: String,
    },
    /// The socket.io namespace refused the connection (CONNECT_ERROR) with this data.
    #[error("the namespace refused the connection: {data}")]
    Refused {
        /// The CONNECT_ERROR data (usually `{"message": …}`).
        data: serde_json::Value,
    },
    /// A socket.io packet could not be encoded.
    #[error("socket.io codec: {0}")]
    Codec(#[from] socketio::CodecError),
}
