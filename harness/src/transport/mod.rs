//! Transports: the only place where the harness touches sockets.
//!
//! A [`Connector`] opens one connection of its transport (raw WebSocket, socket.io) and returns
//! its sending half, a [`Link`], and its receiving half, an [`Incoming`] stream of what the
//! target sends ([`message`]), which the session's driver polls: no task per connection. HTTP is
//! a plain client ([`http`]). Transports never interpret messages beyond their own framing:
//! matching and schema checks happen in the executor. Every wait here is bounded.

pub mod address;
pub mod http;
pub mod message;
pub mod probe;
pub mod socketio;
pub mod ws;

use std::sync::Arc;
use std::time::Duration;

use futures_util::Stream;
use futures_util::future::BoxFuture;
use serde_json::Value;

pub use message::{Arrival, Inbound, Outbound, Utf8Bytes};

use crate::profile::TransportKind;

/// Transport limits, named and configurable.
#[derive(Debug, Clone)]
pub struct Limits {
    /// WebSocket read buffer per connection (bytes). Small, so thousands of connections are cheap.
    pub read_buffer_bytes: usize,
    /// Largest frame accepted from a target (bytes).
    pub max_frame_bytes: usize,
    /// Items buffered per session (all its connections) before readers wait for it.
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

/// How to open one connection: the target and what the step's actor declares.
#[derive(Debug, Clone)]
pub struct ConnectRequest {
    /// The target's base URL as the user gave it (`http://host:port`, maybe with a path).
    pub target: String,
    /// The protocol's path (the profile's WebSocket or socket.io path).
    pub path: String,
    /// The socket.io namespace, for socket.io.
    pub namespace: String,
    /// Query parameters added to the connection URL.
    pub query: Vec<(String, String)>,
    /// The socket.io `auth` payload, if any.
    pub auth: Option<Value>,
    /// Bound on the whole handshake.
    pub timeout: Duration,
    /// Socket and buffer limits.
    pub limits: Limits,
}

/// What a connection receives, in order; it ends after [`Inbound::Closed`]. Dropping it (with
/// its [`Link`]) closes the socket.
pub type Incoming = std::pin::Pin<Box<dyn Stream<Item = Inbound> + Send>>;

/// An open connection.
pub struct Connected {
    /// Its sending half.
    pub link: Box<dyn Link>,
    /// Its receiving half.
    pub incoming: Incoming,
    /// What the target said when it accepted, and sent before.
    pub accepted: Accepted,
}

/// What a target said when it accepted a connection.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Accepted {
    /// The socket id the server gave it (socket.io), if any.
    pub socket_id: Option<String>,
    /// How the target's acceptance reads in a transcript, for transports whose handshake has
    /// an answer of its own (socket.io: `connected`, the namespace's CONNECT).
    pub answer: Option<&'static str>,
    /// What the target sent before it accepted (socket.io: events before the namespace's
    /// answer), in order.
    pub early: Vec<Inbound>,
}

/// The outcome of a connect: how the attempt reads in a transcript, and the connection or why
/// there is none.
pub struct ConnectOutcome {
    /// `connect ws://…` or `connect ws://…/socket.io/?… namespace / auth {…}`.
    pub description: String,
    /// The connection, or why not (a socket.io refusal is [`TransportError::Refused`]).
    pub result: Result<Connected, TransportError>,
}

/// Opens connections of one transport.
pub trait Connector: Send + Sync {
    /// Connects as `request` says.
    fn connect(&self, request: ConnectRequest) -> BoxFuture<'static, ConnectOutcome>;
}

/// The sending half of an open connection.
pub trait Link: Send {
    /// Sends one message; a message this transport cannot carry is
    /// [`TransportError::Unsupported`].
    fn send(&mut self, message: Outbound) -> BoxFuture<'_, Result<(), TransportError>>;
    /// Starts a normal close (socket.io: DISCONNECT, then close 1000); the reader reports the
    /// target's answer as [`Inbound::Closed`].
    fn close(&mut self) -> BoxFuture<'_, Result<(), TransportError>>;
}

/// The connector of a transport.
pub fn connector(kind: TransportKind) -> Arc<dyn Connector> {
    match kind {
        TransportKind::Websocket => Arc::new(ws::WsConnector),
        TransportKind::Socketio => Arc::new(socketio::SioConnector),
    }
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
        data: Value,
    },
    /// The transport cannot carry this kind of message (an emit on a raw WebSocket).
    #[error("{0} cannot be sent over this protocol's transport")]
    Unsupported(&'static str),
    /// A socket.io packet could not be encoded.
    #[error("socket.io codec: {0}")]
    Codec(#[from] socketio::CodecError),
}
