//! Decoding socket.io packets from frames, reassembling binary attachments.
//!
//! [`decode_socket`] parses the socket.io part of one Engine.IO message. [`Decoder`] takes
//! WebSocket frames one by one: a text frame is an Engine.IO packet (non-message packets are
//! returned as they are, even between a binary packet and its attachments); a socket.io packet
//! with `n` attachments is returned after the `n`th following binary frame. Malformed input is a
//! [`CodecError`], never a panic; after an error the decoder is ready for the next packet.

use serde_json::Value;

use super::CodecError;
use super::engine::EnginePacket;
use super::packet::{PacketKind, SocketPacket, check_placeholders, check_shape};

/// The default limit on attachments per packet (as socket.io-parser's default).
pub const DEFAULT_MAX_ATTACHMENTS: usize = 10;

/// Parses the socket.io packet in an Engine.IO message (without its `4`). Returns the packet,
/// still without its attachments, and how many attachments follow.
pub fn decode_socket(
    message: &str,
    max_attachments: usize,
) -> Result<(SocketPacket, usize), CodecError> {
    let bytes = message.as_bytes();
    let Some(&first) = bytes.first() else {
        return Err(CodecError::Empty);
    };
    let kind = PacketKind::from_digit(first).ok_or_else(|| {
        CodecError::UnknownSocketType(
            message
                .chars()
                .next()
                .unwrap_or(char::REPLACEMENT_CHARACTER),
        )
    })?;
    // Every index below advances over ASCII bytes only, so each is a character boundary.
    let mut at = 1;
    let mut attachments = 0;
    if kind.is_binary() {
        let digits = count_digits(&bytes[at..]);
        if digits == 0 || bytes.get(at + digits) != Some(&b'-') {
            return Err(CodecError::BadAttachmentCount);
        }
        attachments = message[at..at + digits]
            .parse::<usize>()
            .map_err(|_| CodecError::BadAttachmentCount)?;
        if attachments == 0 {
            return Err(CodecError::BadAttachmentCount);
        }
        if attachments > max_attachments {
            return Err(CodecError::TooManyAttachments {
                count: attachments,
                max: max_attachments,
            });
        }
        at += digits + 1;
    }
    let namespace = if bytes.get(at) == Some(&b'/') {
        match message[at..].find(',') {
            Some(comma) => {
                let namespace = &message[at..at + comma];
                at += comma + 1;
                namespace
            }
            None => {
                let namespace = &message[at..];
                at = message.len();
                namespace
            }
        }
    } else {
        "/"
    };
    let digits = count_digits(&bytes[at..]);
    let id = if digits > 0 {
        let id = message[at..at + digits]
            .parse::<u64>()
            .map_err(|_| CodecError::AckIdOverflow)?;
        at += digits;
        Some(id)
    } else {
        None
    };
    let rest = &message[at..];
    let data = if rest.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(rest).map_err(|e| CodecError::BadJson(e.to_string()))?
    };
    check_shape(kind, id, &data)?;
    if kind.is_binary() {
        check_placeholders(&data, attachments)?;
    }
    let packet = SocketPacket {
        kind,
        namespace: namespace.to_owned(),
        id,
        data,
        attachments: Vec::with_capacity(attachments),
    };
    Ok((packet, attachments))
}

fn count_digits(bytes: &[u8]) -> usize {
    bytes.iter().take_while(|b| b.is_ascii_digit()).count()
}

/// What one frame completed.
#[derive(Debug, Clone, PartialEq)]
pub enum Decoded<'a> {
    /// An Engine.IO packet other than a message (open, close, ping, pong, upgrade, noop).
    Engine(EnginePacket<'a>),
    /// A complete socket.io packet, attachments included.
    Socket(SocketPacket),
}

/// Frame-by-frame decoder of one connection.
#[derive(Debug)]
pub struct Decoder {
    pending: Option<(SocketPacket, usize)>,
    max_attachments: usize,
}

impl Default for Decoder {
    fn default() -> Self {
        Decoder::new(DEFAULT_MAX_ATTACHMENTS)
    }
}

impl Decoder {
    /// A decoder accepting at most `max_attachments` attachments per packet.
    pub fn new(max_attachments: usize) -> Self {
        Decoder {
            pending: None,
            max_attachments,
        }
    }

    /// Attachments the pending binary packet still awaits (0 when none is pending).
    pub fn awaiting(&self) -> usize {
        self.pending
            .as_ref()
            .map_or(0, |(packet, n)| n - packet.attachments.len())
    }

    /// Takes a text frame. `Ok(None)` means a binary packet now awaits its attachments.
    pub fn text<'a>(&mut self, frame: &'a str) -> Result<Option<Decoded<'a>>, CodecError> {
        let message = match EnginePacket::decode(frame)? {
            EnginePacket::Message(message) => message,
            other => return Ok(Some(Decoded::Engine(other))),
        };
        if self.pending.is_some() {
            let missing = self.awaiting();
            self.pending = None;
            return Err(CodecError::UnexpectedText { missing });
        }
        let (packet, attachments) = decode_socket(message, self.max_attachments)?;
        if attachments == 0 {
            Ok(Some(Decoded::Socket(packet)))
        } else {
            self.pending = Some((packet, attachments));
            Ok(None)
        }
    }

    /// Takes a binary frame. Returns the packet it completes, if it is the last attachment.
    pub fn binary(&mut self, frame: Vec<u8>) -> Result<Option<SocketPacket>, CodecError> {
        let Some((packet, expected)) = self.pending.as_mut() else {
            return Err(CodecError::UnexpectedBinary);
        };
        packet.attachments.push(frame);
        if packet.attachments.len() < *expected {
            return Ok(None);
        }
        Ok(self.pending.take().map(|(packet, _)| packet))
    }
}
