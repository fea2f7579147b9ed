//! Cutting one connection's server frames into [`ServerMessage`]s (sans-IO).
//!
//! Raw WebSocket: every data frame is one message (JSON text, or opaque). socket.io: every
//! socket.io packet is one message, a binary packet together with its attachment frames;
//! Engine.IO packets other than messages (open, ping, noop, close) and frames the codec refuses
//! pass through untouched and are not counted, so message indices mean the same in every run.

use serde_json::Value;

use super::message::{Channel, Frame, Framing, ServerMessage};
use crate::profile::TransportKind;
use crate::transport::socketio::{Decoded, Decoder, SocketPacket};

/// What a frame amounted to.
#[derive(Debug, Clone, PartialEq)]
pub enum Piece {
    /// Frames to forward as they are (not a message).
    Pass(Vec<Frame>),
    /// A complete message.
    Message(ServerMessage),
}

/// One connection's frame decoder.
#[derive(Debug)]
pub struct Framer {
    channel: Channel,
    socketio: Option<Decoder>,
    /// The frames of a binary socket.io packet still awaiting attachments.
    pending: Vec<Frame>,
}

impl Framer {
    /// A framer for one connection of `transport`.
    pub fn new(channel: Channel, transport: TransportKind) -> Framer {
        Framer {
            channel,
            socketio: (transport == TransportKind::Socketio).then(Decoder::default),
            pending: Vec::new(),
        }
    }

    /// Takes a text frame; `None` while a binary packet awaits its attachments.
    pub fn text(&mut self, text: String) -> Option<Piece> {
        let Some(decoder) = self.socketio.as_mut() else {
            let (framing, body) = match serde_json::from_str::<Value>(&text) {
                Ok(body) => (Framing::WsJson, body),
                Err(_) => (Framing::WsOpaque, Value::Null),
            };
            return Some(self.message(framing, body, vec![Frame::Text(text)]));
        };
        let decoded = decoder.text(&text);
        let packet = match decoded {
            Ok(Some(Decoded::Socket(packet))) => packet,
            Ok(Some(Decoded::Engine(_))) => return Some(Piece::Pass(vec![Frame::Text(text)])),
            Ok(None) => {
                self.pending = vec![Frame::Text(text)];
                return None;
            }
            Err(_) => {
                let mut frames = std::mem::take(&mut self.pending);
                frames.push(Frame::Text(text));
                return Some(Piece::Pass(frames));
            }
        };
        Some(self.packet(packet, vec![Frame::Text(text)]))
    }

    /// Takes a binary frame; `None` while a binary packet awaits more attachments.
    pub fn binary(&mut self, bytes: Vec<u8>) -> Option<Piece> {
        let Some(decoder) = self.socketio.as_mut() else {
            return Some(self.message(Framing::WsOpaque, Value::Null, vec![Frame::Binary(bytes)]));
        };
        match decoder.binary(bytes.clone()) {
            Ok(None) => {
                self.pending.push(Frame::Binary(bytes));
                None
            }
            Ok(Some(packet)) => {
                let mut frames = std::mem::take(&mut self.pending);
                frames.push(Frame::Binary(bytes));
                Some(self.packet(packet, frames))
            }
            Err(_) => Some(Piece::Pass(vec![Frame::Binary(bytes)])),
        }
    }

    fn packet(&self, packet: SocketPacket, frames: Vec<Frame>) -> Piece {
        let framing = Framing::Socket {
            kind: packet.kind,
            namespace: packet.namespace,
            id: packet.id,
            attachments: packet.attachments,
        };
        self.message(framing, packet.data, frames)
    }

    fn message(&self, framing: Framing, body: Value, frames: Vec<Frame>) -> Piece {
        Piece::Message(ServerMessage {
            channel: self.channel,
            framing,
            body,
            frames,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use serde_json::json;

    use super::*;
    use crate::transport::socketio::PacketKind;

    #[test]
    fn engine_packets_pass_and_socketio_packets_are_messages() {
        let mut framer = Framer::new(Channel::Socket(0), TransportKind::Socketio);
        let open = r#"0{"sid":"s","upgrades":[],"pingInterval":25000,"pingTimeout":20000}"#;
        assert!(matches!(framer.text(open.into()), Some(Piece::Pass(_))));
        assert!(matches!(framer.text("2".into()), Some(Piece::Pass(_))));
        let Some(Piece::Message(message)) = framer.text(r#"42["hi",{"a":1}]"#.into()) else {
            panic!("an EVENT is a message");
        };
        assert_eq!(message.body, json!(["hi", {"a": 1}]));
        assert_eq!(message.signature("/event"), "EVENT hi");
    }

    #[test]
    fn a_binary_packet_is_one_message_with_its_attachments() {
        let mut framer = Framer::new(Channel::Socket(0), TransportKind::Socketio);
        let header = r#"451-["clip",{"_placeholder":true,"num":0}]"#;
        assert_eq!(framer.text(header.into()), None);
        let Some(Piece::Message(message)) = framer.binary(vec![1, 2]) else {
            panic!("the last attachment completes the packet");
        };
        assert_eq!(message.frames.len(), 2);
        assert!(matches!(
            message.framing,
            Framing::Socket {
                kind: PacketKind::BinaryEvent,
                ..
            }
        ));
        assert_eq!(message.encode(), message.frames);
    }

    #[test]
    fn raw_websocket_frames_are_json_or_opaque_messages() {
        let mut framer = Framer::new(Channel::Socket(2), TransportKind::Websocket);
        let Some(Piece::Message(json)) = framer.text(r#"{"event":"x"}"#.into()) else {
            panic!("a text frame is a message");
        };
        assert_eq!(json.framing, Framing::WsJson);
        let Some(Piece::Message(text)) = framer.text("not json".into()) else {
            panic!("a text frame is a message");
        };
        assert_eq!(text.framing, Framing::WsOpaque);
    }
}
