//! Engine.IO v4 packets as carried by WebSocket text frames.
//!
//! A text frame is one packet: a type digit (`0` open … `6` noop) and its data. Binary frames
//! carry no type: over the websocket transport each one is a binary `message` (for socket.io,
//! an attachment), so they never pass through this module. Decoding borrows from the frame;
//! it never panics and never allocates except for the open packet's handshake data.

use serde::{Deserialize, Serialize};

use super::CodecError;

/// The handshake data of the open packet (`0{"sid":…,"pingInterval":…,…}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OpenInfo {
    /// The Engine.IO session id.
    pub sid: String,
    /// Transports the session may upgrade to (empty over websocket).
    #[serde(default)]
    pub upgrades: Vec<String>,
    /// Milliseconds between the server's pings.
    pub ping_interval: u64,
    /// Milliseconds the server waits for a pong (and the client, beyond the interval, for a ping).
    pub ping_timeout: u64,
    /// Largest payload the server accepts (bytes), when announced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_payload: Option<u64>,
}

/// One Engine.IO packet from a text frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnginePacket<'a> {
    /// `0` with the handshake data.
    Open(OpenInfo),
    /// `1`: the session is closing.
    Close,
    /// `2` with an optional payload (`probe` during upgrades).
    Ping(&'a str),
    /// `3` with the payload of the ping it answers.
    Pong(&'a str),
    /// `4` with the message (for socket.io, an encoded socket.io packet).
    Message(&'a str),
    /// `5`: transport upgrade.
    Upgrade,
    /// `6`: no operation.
    Noop,
}

impl<'a> EnginePacket<'a> {
    /// Decodes a text frame. Trailing data after `1`, `5` and `6` is ignored.
    pub fn decode(frame: &'a str) -> Result<Self, CodecError> {
        let Some(&first) = frame.as_bytes().first() else {
            return Err(CodecError::Empty);
        };
        if !first.is_ascii() {
            let c = frame.chars().next().unwrap_or(char::REPLACEMENT_CHARACTER);
            return Err(CodecError::UnknownEngineType(c));
        }
        // The first byte is ASCII, so 1 is a character boundary.
        let rest = &frame[1..];
        Ok(match first {
            b'0' => EnginePacket::Open(
                serde_json::from_str(rest).map_err(|e| CodecError::BadOpen(e.to_string()))?,
            ),
            b'1' => EnginePacket::Close,
            b'2' => EnginePacket::Ping(rest),
            b'3' => EnginePacket::Pong(rest),
            b'4' => EnginePacket::Message(rest),
            b'5' => EnginePacket::Upgrade,
            b'6' => EnginePacket::Noop,
            other => return Err(CodecError::UnknownEngineType(char::from(other))),
        })
    }

    /// Encodes the packet as a text frame.
    pub fn encode(&self) -> String {
        let (digit, data) = match self {
            EnginePacket::Open(info) => {
                let mut out = String::from("0");
                // Serializing a struct of strings and integers cannot fail.
                out.push_str(&serde_json::to_string(info).unwrap_or_default());
                return out;
            }
            EnginePacket::Close => ('1', ""),
            EnginePacket::Ping(data) => ('2', *data),
            EnginePacket::Pong(data) => ('3', *data),
            EnginePacket::Message(data) => ('4', *data),
            EnginePacket::Upgrade => ('5', ""),
            EnginePacket::Noop => ('6', ""),
        };
        let mut out = String::with_capacity(1 + data.len());
        out.push(digit);
        out.push_str(data);
        out
    }
}
