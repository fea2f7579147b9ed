//! socket.io client: Engine.IO v4 / socket.io v5 over the websocket transport only.
//!
//! - [`codec`]-level modules ([`engine`], [`packet`], [`decode`]) are sans-IO: they turn frames
//!   into typed packets and back, never touch a socket, never panic on malformed input (every
//!   defect is a [`CodecError`]).
//! - [`client`] is the connection: handshake (open, namespace CONNECT with auth), ping/pong,
//!   a reader task feeding the session from connect time; ack ids are the caller's.
//! - [`connector`] offers it to the executor as a [`Connector`](crate::transport::Connector).
//!
//! Not here: HTTP long-polling, transport upgrades, reconnection, several namespaces on one
//! Engine.IO session, interpretation of events (the runner matches them).
//!
//! Binary attachments are kept as on the wire: the JSON data holds
//! `{"_placeholder":true,"num":k}` objects and `attachments[k]` holds the bytes. The decoder
//! checks every placeholder against the attachment count; [`resolve_placeholders`] replaces them
//! by whatever JSON form a caller wants.

pub mod client;
mod connector;
pub mod decode;
pub mod engine;
pub mod packet;
mod reader;

pub use client::{ConnectOptions, SioConnection, SioIncoming, connect, engine_url};
pub use connector::SioConnector;
pub use decode::{Decoded, Decoder, decode_socket};
pub use engine::{EnginePacket, OpenInfo};
pub use packet::{PacketKind, SocketPacket, placeholder, resolve_placeholders};

/// Why a frame could not be decoded or a packet encoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodecError {
    /// The frame (or the socket.io part of a message) is empty.
    #[error("empty packet")]
    Empty,
    /// The first character is not an Engine.IO packet type (`0`..`6`).
    #[error("unknown Engine.IO packet type {0:?}")]
    UnknownEngineType(char),
    /// The Engine.IO open packet's handshake data is not valid.
    #[error("invalid Engine.IO open packet: {0}")]
    BadOpen(String),
    /// The first character of a message is not a socket.io packet type (`0`..`6`).
    #[error("unknown socket.io packet type {0:?}")]
    UnknownSocketType(char),
    /// The `<n>-` attachment count of a binary packet is missing, zero or not a number.
    #[error("invalid binary attachment count")]
    BadAttachmentCount,
    /// More binary attachments than the decoder accepts.
    #[error("{count} binary attachments exceed the limit of {max}")]
    TooManyAttachments {
        /// Attachments announced.
        count: usize,
        /// The decoder's limit.
        max: usize,
    },
    /// A namespace does not start with `/` or contains `,`.
    #[error("invalid namespace {0:?}")]
    BadNamespace(String),
    /// The ack id does not fit in 64 bits.
    #[error("ack id out of range")]
    AckIdOverflow,
    /// The payload is not JSON.
    #[error("invalid JSON payload: {0}")]
    BadJson(String),
    /// The payload does not have the shape the packet type requires.
    #[error("invalid {kind} packet: {reason}")]
    BadShape {
        /// The packet type.
        kind: PacketKind,
        /// What is wrong.
        reason: &'static str,
    },
    /// A binary frame arrived while no binary packet awaited attachments.
    #[error("binary frame with no binary packet awaiting attachments")]
    UnexpectedBinary,
    /// A socket.io message arrived while a binary packet still awaited attachments.
    #[error("socket.io packet while {missing} binary attachment(s) were still awaited")]
    UnexpectedText {
        /// Attachments still missing from the abandoned packet.
        missing: usize,
    },
    /// A placeholder is malformed or refers to an attachment that does not exist.
    #[error("placeholder {num} refers to none of the {count} attachment(s)")]
    BadPlaceholder {
        /// The placeholder's `num` (`u64::MAX` when it is not a number).
        num: u64,
        /// Attachments in the packet.
        count: usize,
    },
}
