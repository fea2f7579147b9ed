//! The `binary` event (K8, caas-N12): one binary attachment made of a 16-byte big-endian
//! header (total length, JSON header length, message type, sequence number), the JSON header
//! `{type, conversationId, chunkIndex, totalChunks, mimeType}` and the payload.
//!
//! The server checks the lengths, the JSON header and membership, then relays the buffer,
//! unchanged, to the sockets of the conversation's other members. Every fault but membership
//! is `INVALID_PAYLOAD` with `details.field` one of `total_length`, `header_length`,
//! `message_type`, `header`, `chunkIndex`.

use super::CaasError;
use super::core::{Core, Message, Output, Payload};
use super::dispatch::Success;
use super::fields::Fields;
use super::state::UserIx;
use serde_json::Value;

/// Length of the fixed header.
pub const FIXED_HEADER_BYTES: usize = 16;

/// The message types of the fixed header and the JSON header, numbered 1, 2, 3.
const MESSAGE_TYPES: [&str; 3] = ["audio", "video", "file_chunk"];

impl Core {
    /// A `binary` buffer from `user`: checked, then relayed to the other members.
    pub(super) fn binary(
        &mut self,
        user: UserIx,
        bytes: bytes::Bytes,
        out: &mut Output,
    ) -> Result<Success, CaasError> {
        let conversation = check(&bytes, self.settings.max_binary_bytes)?;
        self.access(user, &conversation)?;
        for conn in self.member_sockets(&conversation, Some(user)) {
            out.messages.push(Message::Emit {
                conn,
                event: "binary".to_owned(),
                payload: Payload::Binary(bytes.clone()),
            });
        }
        Ok(Success::default())
    }
}

/// Checks a `binary` buffer (caas-N12); `Ok` with the conversation it is for.
pub fn check(bytes: &[u8], max_bytes: usize) -> Result<String, CaasError> {
    let len = bytes.len();
    if len > max_bytes {
        return Err(fault(
            "total_length",
            format!("{len} bytes, more than {max_bytes}"),
        ));
    }
    let (Some(fixed), Some(body)) = (
        bytes.get(..FIXED_HEADER_BYTES),
        bytes.get(FIXED_HEADER_BYTES..),
    ) else {
        return Err(fault(
            "total_length",
            format!("{len} bytes, shorter than the 16-byte header"),
        ));
    };
    let word = |i: usize| {
        let mut be = [0; 4];
        be.copy_from_slice(&fixed[4 * i..4 * i + 4]);
        u32::from_be_bytes(be)
    };
    let (total, header_len, kind) = (word(0), word(1), word(2));
    if usize::try_from(total).ok() != Some(len) {
        return Err(fault(
            "total_length",
            format!("says {total} bytes, the buffer has {len}"),
        ));
    }
    let header = usize::try_from(header_len)
        .ok()
        .and_then(|n| body.get(..n))
        .ok_or_else(|| {
            let room = len - FIXED_HEADER_BYTES;
            fault(
                "header_length",
                format!("says {header_len} bytes, {room} follow the header"),
            )
        })?;
    let kind = usize::try_from(kind)
        .ok()
        .and_then(|k| k.checked_sub(1))
        .and_then(|k| MESSAGE_TYPES.get(k))
        .ok_or_else(|| fault("message_type", format!("{kind} is not 1, 2 or 3")))?;
    json_header(header, kind)
}

/// Checks the JSON header of a buffer whose numeric type is `kind`.
fn json_header(header: &[u8], kind: &str) -> Result<String, CaasError> {
    let value: Value = serde_json::from_slice(header)
        .map_err(|e| fault("header", format!("the JSON header does not parse: {e}")))?;
    let Some(map) = value.as_object() else {
        return Err(fault("header", "the JSON header is not an object"));
    };
    let fields = Fields::new(map, "header");
    let in_header = |e: CaasError| fault("header", e.to_string());
    let named = fields.text("type").map_err(in_header)?;
    if !MESSAGE_TYPES.contains(&named) {
        return Err(fault(
            "header",
            format!("header.type {named:?} is not audio, video or file_chunk"),
        ));
    }
    if named != kind {
        return Err(fault(
            "message_type",
            format!("the header says {named}, the type number {kind}"),
        ));
    }
    let conversation = fields.id("conversationId").map_err(in_header)?;
    let index = fields.count("chunkIndex").map_err(in_header)?;
    let total = fields.count("totalChunks").map_err(in_header)?;
    fields.text("mimeType").map_err(in_header)?;
    if index >= total {
        return Err(fault(
            "chunkIndex",
            format!("chunkIndex {index} is not below totalChunks {total}"),
        ));
    }
    Ok(conversation.to_owned())
}

/// `INVALID_PAYLOAD` about one part of a binary frame.
fn fault(field: &str, why: impl Into<String>) -> CaasError {
    CaasError::invalid(field, why)
}

/// A well-formed `binary` buffer (for tests and clients of the crate): the fixed header, then
/// `header` as JSON, then `payload`.
pub fn encode(message_type: u32, sequence: u32, header: &Value, payload: &[u8]) -> Vec<u8> {
    let header = header.to_string().into_bytes();
    let total = FIXED_HEADER_BYTES + header.len() + payload.len();
    let mut out = Vec::with_capacity(total);
    for word in [
        u32::try_from(total).unwrap_or(u32::MAX),
        u32::try_from(header.len()).unwrap_or(u32::MAX),
        message_type,
        sequence,
    ] {
        out.extend_from_slice(&word.to_be_bytes());
    }
    out.extend_from_slice(&header);
    out.extend_from_slice(payload);
    out
}
