//! One server→client message as the mutating proxy sees it: where it travelled (its
//! [`Channel`]), how it was framed ([`Framing`]), its JSON body, and the frames it came in.
//!
//! The proxy forwards the original frames of a message it does not mutate, byte for byte; only a
//! mutated message is encoded again ([`ServerMessage::encode`]). Framing is the transport's own
//! (a raw WebSocket frame, a socket.io packet, an HTTP answer's body); nothing here knows a
//! protocol beyond the profile's `type_pointer`.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::transport::socketio::PacketKind;
use crate::transport::socketio::packet::{into_text, write_header};

/// One WebSocket frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    /// A text frame.
    Text(String),
    /// A binary frame.
    Binary(Vec<u8>),
}

/// Where a server message travelled in one scenario run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// The n-th WebSocket connection the run opened (0-based, in the order the proxy saw them).
    Socket(usize),
    /// The run's HTTP answers, in order.
    Http,
}

impl std::fmt::Display for Channel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Channel::Socket(n) => write!(f, "connection {n}"),
            Channel::Http => f.write_str("http"),
        }
    }
}

/// How a message was framed.
#[derive(Debug, Clone, PartialEq)]
pub enum Framing {
    /// A raw WebSocket text frame holding JSON (the body).
    WsJson,
    /// A raw WebSocket frame that is not JSON (binary, or text that does not parse): only the
    /// message-level operators apply.
    WsOpaque,
    /// A socket.io packet; the body is its data (`Null` when absent).
    Socket {
        /// The packet type.
        kind: PacketKind,
        /// Its namespace.
        namespace: String,
        /// Its ack id.
        id: Option<u64>,
        /// Its binary attachments.
        attachments: Vec<Vec<u8>>,
    },
    /// An HTTP answer whose body is JSON.
    Http {
        /// The status code.
        status: u16,
    },
}

/// One server→client message.
#[derive(Debug, Clone, PartialEq)]
pub struct ServerMessage {
    /// Where it travelled.
    pub channel: Channel,
    /// How it was framed.
    pub framing: Framing,
    /// Its JSON body (`Null` when it has none).
    pub body: Value,
    /// The frames it came in, as received.
    pub frames: Vec<Frame>,
}

impl ServerMessage {
    /// What kind of message it is, to tell whether a later run met the same message at the same
    /// place: the value at `type_pointer` (raw WebSocket), the packet type and event name
    /// (socket.io), the status (HTTP).
    pub fn signature(&self, type_pointer: &str) -> String {
        match &self.framing {
            Framing::WsJson => match self.body.pointer(type_pointer) {
                Some(Value::String(name)) => name.clone(),
                Some(other) => other.to_string(),
                None => "<json>".to_owned(),
            },
            Framing::WsOpaque => match self.frames.first() {
                Some(Frame::Binary(_)) => "<binary>".to_owned(),
                _ => "<text>".to_owned(),
            },
            Framing::Socket { kind, .. } => match self.event_name() {
                Some(name) => format!("{kind} {name}"),
                None => kind.to_string(),
            },
            Framing::Http { status } => format!("HTTP {status}"),
        }
    }

    /// The event name of a socket.io EVENT.
    pub fn event_name(&self) -> Option<&str> {
        match &self.framing {
            Framing::Socket {
                kind: PacketKind::Event | PacketKind::BinaryEvent,
                ..
            } => self.body.get(0).and_then(Value::as_str),
            _ => None,
        }
    }

    /// The frames of the message as it is now (after a mutation of its body or framing).
    pub fn encode(&self) -> Vec<Frame> {
        match &self.framing {
            Framing::WsJson | Framing::Http { .. } => vec![Frame::Text(self.body.to_string())],
            Framing::WsOpaque => self.frames.clone(),
            Framing::Socket {
                kind,
                namespace,
                id,
                attachments,
            } => {
                let mut buf = Vec::with_capacity(64);
                write_header(&mut buf, *kind, attachments.len(), namespace, *id);
                if !self.body.is_null() {
                    // Writing a `Value` into a Vec cannot fail.
                    let _ = serde_json::to_writer(&mut buf, &self.body);
                }
                let mut frames = vec![Frame::Text(into_text(buf))];
                frames.extend(attachments.iter().cloned().map(Frame::Binary));
                frames
            }
        }
    }

    /// The message's first frame as text, for reports (binary frames described).
    pub fn shown(frames: &[Frame]) -> String {
        match frames.first() {
            Some(Frame::Text(text)) => text.clone(),
            Some(Frame::Binary(bytes)) => format!("<binary frame of {} bytes>", bytes.len()),
            None => "<nothing>".to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use serde_json::json;

    use super::*;

    fn event(body: Value, id: Option<u64>) -> ServerMessage {
        ServerMessage {
            channel: Channel::Socket(0),
            framing: Framing::Socket {
                kind: PacketKind::Event,
                namespace: "/".into(),
                id,
                attachments: Vec::new(),
            },
            body,
            frames: Vec::new(),
        }
    }

    #[test]
    fn socketio_packets_encode_as_the_codec_writes_them() {
        let message = event(json!(["job", {"id": 1}]), Some(7));
        assert_eq!(
            message.encode(),
            vec![Frame::Text(r#"427["job",{"id":1}]"#.into())]
        );
        assert_eq!(message.signature("/event"), "EVENT job");
    }

    #[test]
    fn raw_websocket_signatures_read_the_type_pointer() {
        let message = ServerMessage {
            channel: Channel::Socket(1),
            framing: Framing::WsJson,
            body: json!({"event": "job:created"}),
            frames: Vec::new(),
        };
        assert_eq!(message.signature("/event"), "job:created");
        assert_eq!(message.signature("/type"), "<json>");
    }
}
