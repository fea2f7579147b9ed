//! socket.io v5 packets and their encoding into WebSocket frames.
//!
//! Wire form of one packet (inside an Engine.IO message, so the text frame starts with `4`):
//! `<type>[<attachments>-][<namespace>,][<ack id>][<JSON data>]`, followed for binary packets by
//! one binary frame per attachment. The namespace is written only when it is not `/`.
//!
//! Invariants, checked by [`SocketPacket::validate`] on encode and by the decoder: CONNECT data is
//! absent or an object; DISCONNECT has no data; EVENT data is a non-empty array whose first item is
//! the event name (a string); ACK data is an array and ACK has an id; CONNECT_ERROR data is an
//! object or a string; only EVENT and ACK kinds carry ids; binary kinds carry at least one
//! attachment and every placeholder names one of them; other kinds carry none. Absent data is
//! [`Value::Null`].

use std::fmt;
use std::io::Write as _;

use serde_json::Value;

use super::CodecError;

/// The socket.io packet type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PacketKind {
    /// `0`: connect to a namespace (client, with auth) or its acceptance (server, with `sid`).
    Connect,
    /// `1`: leave a namespace.
    Disconnect,
    /// `2`: an event.
    Event,
    /// `3`: the acknowledgement of an event.
    Ack,
    /// `4`: the namespace refused the connection.
    ConnectError,
    /// `5`: an event with binary attachments.
    BinaryEvent,
    /// `6`: an acknowledgement with binary attachments.
    BinaryAck,
}

impl PacketKind {
    /// The kind for a type digit.
    pub fn from_digit(digit: u8) -> Option<Self> {
        Some(match digit {
            b'0' => PacketKind::Connect,
            b'1' => PacketKind::Disconnect,
            b'2' => PacketKind::Event,
            b'3' => PacketKind::Ack,
            b'4' => PacketKind::ConnectError,
            b'5' => PacketKind::BinaryEvent,
            b'6' => PacketKind::BinaryAck,
            _ => return None,
        })
    }

    /// The type digit.
    pub fn digit(self) -> u8 {
        b'0' + self as u8
    }

    /// Whether the kind carries binary attachments.
    pub fn is_binary(self) -> bool {
        matches!(self, PacketKind::BinaryEvent | PacketKind::BinaryAck)
    }
}

impl fmt::Display for PacketKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PacketKind::Connect => "CONNECT",
            PacketKind::Disconnect => "DISCONNECT",
            PacketKind::Event => "EVENT",
            PacketKind::Ack => "ACK",
            PacketKind::ConnectError => "CONNECT_ERROR",
            PacketKind::BinaryEvent => "BINARY_EVENT",
            PacketKind::BinaryAck => "BINARY_ACK",
        })
    }
}

/// One socket.io packet, attachments included.
#[derive(Debug, Clone, PartialEq)]
pub struct SocketPacket {
    /// The packet type.
    pub kind: PacketKind,
    /// The namespace (`/` for the main one).
    pub namespace: String,
    /// The ack id (EVENT: an ack is requested; ACK: the event it answers).
    pub id: Option<u64>,
    /// The JSON data with placeholders in place of binary values; `Null` when absent.
    pub data: Value,
    /// The binary attachments, in placeholder order.
    pub attachments: Vec<Vec<u8>>,
}

/// The placeholder for attachment `num`: `{"_placeholder":true,"num":num}`.
pub fn placeholder(num: usize) -> Value {
    let mut map = serde_json::Map::with_capacity(2);
    map.insert("_placeholder".into(), Value::Bool(true));
    map.insert("num".into(), Value::from(num));
    Value::Object(map)
}

/// The attachment index of `value` if it is a placeholder object (`Err` if it claims to be one
/// but its `num` is not an index).
fn placeholder_num(value: &serde_json::Map<String, Value>) -> Option<Result<usize, u64>> {
    if value.get("_placeholder") != Some(&Value::Bool(true)) {
        return None;
    }
    Some(match value.get("num").and_then(Value::as_u64) {
        Some(num) => usize::try_from(num).map_err(|_| num),
        None => Err(u64::MAX),
    })
}

/// Checks that every placeholder in `data` names one of `count` attachments.
pub(crate) fn check_placeholders(data: &Value, count: usize) -> Result<(), CodecError> {
    match data {
        Value::Array(items) => items.iter().try_for_each(|v| check_placeholders(v, count)),
        Value::Object(map) => match placeholder_num(map) {
            Some(Ok(num)) if num < count => Ok(()),
            Some(Ok(num)) => Err(CodecError::BadPlaceholder {
                num: num as u64,
                count,
            }),
            Some(Err(num)) => Err(CodecError::BadPlaceholder { num, count }),
            None => map.values().try_for_each(|v| check_placeholders(v, count)),
        },
        _ => Ok(()),
    }
}

/// Replaces every valid placeholder in `data` by `render(bytes)` of its attachment; placeholders
/// naming no attachment are left as they are.
pub fn resolve_placeholders(
    data: &mut Value,
    attachments: &[Vec<u8>],
    render: &mut impl FnMut(&[u8]) -> Value,
) {
    match data {
        Value::Array(items) => items
            .iter_mut()
            .for_each(|v| resolve_placeholders(v, attachments, render)),
        Value::Object(map) => match placeholder_num(map) {
            Some(Ok(num)) => {
                if let Some(bytes) = attachments.get(num) {
                    *data = render(bytes);
                }
            }
            Some(Err(_)) => {}
            None => map
                .values_mut()
                .for_each(|v| resolve_placeholders(v, attachments, render)),
        },
        _ => {}
    }
}

/// Checks the shape rules of the module doc, except placeholders.
pub(crate) fn check_shape(
    kind: PacketKind,
    id: Option<u64>,
    data: &Value,
) -> Result<(), CodecError> {
    let bad = |reason| Err(CodecError::BadShape { kind, reason });
    match kind {
        PacketKind::Connect if !matches!(data, Value::Null | Value::Object(_)) => {
            bad("data must be absent or an object")
        }
        PacketKind::Disconnect if !data.is_null() => bad("data must be absent"),
        PacketKind::ConnectError if !matches!(data, Value::Object(_) | Value::String(_)) => {
            bad("data must be an object or a string")
        }
        PacketKind::Connect | PacketKind::Disconnect | PacketKind::ConnectError if id.is_some() => {
            bad("only EVENT and ACK packets carry an id")
        }
        PacketKind::Event | PacketKind::BinaryEvent => match data {
            Value::Array(items) if matches!(items.first(), Some(Value::String(_))) => Ok(()),
            _ => bad("data must be an array starting with the event name"),
        },
        PacketKind::Ack | PacketKind::BinaryAck if id.is_none() => bad("an ack needs an id"),
        PacketKind::Ack | PacketKind::BinaryAck if !data.is_array() => bad("data must be an array"),
        _ => Ok(()),
    }
}

/// Checks a namespace: `/` or `/name` without `,`.
pub(crate) fn check_namespace(namespace: &str) -> Result<(), CodecError> {
    if namespace.starts_with('/') && !namespace.contains(',') {
        Ok(())
    } else {
        Err(CodecError::BadNamespace(namespace.to_owned()))
    }
}

/// Writes `4<type>[<n>-][<ns>,][<id>]` into `buf`.
pub(crate) fn write_header(
    buf: &mut Vec<u8>,
    kind: PacketKind,
    attachments: usize,
    namespace: &str,
    id: Option<u64>,
) {
    buf.push(b'4');
    buf.push(kind.digit());
    // Writing into a Vec cannot fail.
    if kind.is_binary() {
        let _ = write!(buf, "{attachments}-");
    }
    if namespace != "/" {
        buf.extend_from_slice(namespace.as_bytes());
        buf.push(b',');
    }
    if let Some(id) = id {
        let _ = write!(buf, "{id}");
    }
}

/// Turns an encoded buffer (ASCII header plus serde_json output) into a `String`.
pub(crate) fn into_text(buf: Vec<u8>) -> String {
    // Both parts are UTF-8 by construction; the fallback is unreachable but never panics.
    String::from_utf8(buf).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Encodes an EVENT (or BINARY_EVENT, with `attachments > 0`) from its name and arguments
/// without building a `Value` array: the client's hot path. Placeholders are not checked here.
pub fn encode_event(
    namespace: &str,
    id: Option<u64>,
    name: &str,
    args: &[Value],
    attachments: usize,
) -> Result<String, CodecError> {
    check_namespace(namespace)?;
    let kind = if attachments > 0 {
        PacketKind::BinaryEvent
    } else {
        PacketKind::Event
    };
    let mut buf = Vec::with_capacity(32 + namespace.len() + name.len() + 64 * args.len());
    write_header(&mut buf, kind, attachments, namespace, id);
    write_array(&mut buf, Some(name), args)?;
    Ok(into_text(buf))
}

/// Encodes an ACK (or BINARY_ACK, with `attachments > 0`) from its arguments.
pub fn encode_ack(
    namespace: &str,
    id: u64,
    args: &[Value],
    attachments: usize,
) -> Result<String, CodecError> {
    check_namespace(namespace)?;
    let kind = if attachments > 0 {
        PacketKind::BinaryAck
    } else {
        PacketKind::Ack
    };
    let mut buf = Vec::with_capacity(32 + namespace.len() + 64 * args.len());
    write_header(&mut buf, kind, attachments, namespace, Some(id));
    write_array(&mut buf, None, args)?;
    Ok(into_text(buf))
}

fn write_array(buf: &mut Vec<u8>, first: Option<&str>, rest: &[Value]) -> Result<(), CodecError> {
    let json = |e: serde_json::Error| CodecError::BadJson(e.to_string());
    buf.push(b'[');
    let mut comma = false;
    if let Some(first) = first {
        serde_json::to_writer(&mut *buf, first).map_err(json)?;
        comma = true;
    }
    for value in rest {
        if comma {
            buf.push(b',');
        }
        serde_json::to_writer(&mut *buf, value).map_err(json)?;
        comma = true;
    }
    buf.push(b']');
    Ok(())
}

impl SocketPacket {
    /// A CONNECT to `namespace`, with the auth payload if any.
    pub fn connect(namespace: &str, auth: Option<Value>) -> Self {
        SocketPacket {
            kind: PacketKind::Connect,
            namespace: namespace.to_owned(),
            id: None,
            data: auth.unwrap_or(Value::Null),
            attachments: Vec::new(),
        }
    }

    /// Checks the invariants of the module doc.
    pub fn validate(&self) -> Result<(), CodecError> {
        check_namespace(&self.namespace)?;
        check_shape(self.kind, self.id, &self.data)?;
        if self.kind.is_binary() {
            if self.attachments.is_empty() {
                return Err(CodecError::BadAttachmentCount);
            }
            check_placeholders(&self.data, self.attachments.len())
        } else if !self.attachments.is_empty() {
            Err(CodecError::BadShape {
                kind: self.kind,
                reason: "only binary packets carry attachments",
            })
        } else {
            Ok(())
        }
    }

    /// The text frame (with its Engine.IO `4` prefix), after [`validate`](Self::validate).
    pub fn encode_text(&self) -> Result<String, CodecError> {
        self.validate()?;
        let mut buf = Vec::with_capacity(32 + self.namespace.len());
        write_header(
            &mut buf,
            self.kind,
            self.attachments.len(),
            &self.namespace,
            self.id,
        );
        if !self.data.is_null() {
            serde_json::to_writer(&mut buf, &self.data)
                .map_err(|e| CodecError::BadJson(e.to_string()))?;
        }
        Ok(into_text(buf))
    }

    /// The text frame and the binary frames that follow it, in order.
    pub fn into_frames(self) -> Result<(String, Vec<Vec<u8>>), CodecError> {
        let text = self.encode_text()?;
        Ok((text, self.attachments))
    }
}
