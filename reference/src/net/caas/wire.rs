//! What the caas driver reads off and writes onto socket.io packets, beyond what socketioxide's
//! own extractors give: whether the client asked for an ack, a first argument that may be a
//! binary attachment, and bytes written as an attachment.
//!
//! socketioxide's `AckSender` answers an ack but does not say whether one was asked for; caas
//! answers a refusal through the ack when there is one and with an `error` event otherwise
//! (caas-N5), so [`AskedAck`] reads the packet's ack id itself. Its `TryData<serde_json::Value>`
//! fails on a binary attachment, which the `binary` event carries (caas-N12), so [`FirstArg`]
//! takes either. Holds no protocol logic.

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Serialize, Serializer};
use serde_json::Value;
use socketioxide::adapter::Adapter;
use socketioxide::handler::{FromMessageParts, Value as PacketValue};
use socketioxide::socket::Socket;
use std::convert::Infallible;
use std::fmt;
use std::sync::Arc;

/// Whether the client sent the event with a socket.io ack id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct AskedAck(pub(crate) bool);

impl<A: Adapter> FromMessageParts<A> for AskedAck {
    type Error = Infallible;

    fn from_message_parts(
        _: &Arc<Socket<A>>,
        _: &mut PacketValue,
        ack_id: &Option<i64>,
    ) -> Result<Self, Infallible> {
        Ok(Self(ack_id.is_some()))
    }
}

/// An event's first argument: a binary attachment, or JSON.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum FirstArg {
    /// A binary attachment (its placeholder resolved by the parser).
    Binary(Vec<u8>),
    /// Anything else.
    Json(Value),
}

impl<'de> Deserialize<'de> for FirstArg {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(FirstArgVisitor)
    }
}

/// Bytes become [`FirstArg::Binary`]; every other value is read as JSON.
struct FirstArgVisitor;

impl<'de> Visitor<'de> for FirstArgVisitor {
    type Value = FirstArg;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value or a binary attachment")
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<FirstArg, E> {
        Ok(FirstArg::Binary(v.to_vec()))
    }

    fn visit_byte_buf<E: de::Error>(self, v: Vec<u8>) -> Result<FirstArg, E> {
        Ok(FirstArg::Binary(v))
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<FirstArg, E> {
        Ok(FirstArg::Json(Value::Bool(v)))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<FirstArg, E> {
        Ok(FirstArg::Json(Value::from(v)))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<FirstArg, E> {
        Ok(FirstArg::Json(Value::from(v)))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<FirstArg, E> {
        Ok(FirstArg::Json(
            serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number),
        ))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<FirstArg, E> {
        Ok(FirstArg::Json(Value::String(v.to_owned())))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<FirstArg, E> {
        Ok(FirstArg::Json(Value::String(v)))
    }

    fn visit_unit<E: de::Error>(self) -> Result<FirstArg, E> {
        Ok(FirstArg::Json(Value::Null))
    }

    fn visit_none<E: de::Error>(self) -> Result<FirstArg, E> {
        Ok(FirstArg::Json(Value::Null))
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<FirstArg, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_seq<S: SeqAccess<'de>>(self, seq: S) -> Result<FirstArg, S::Error> {
        Value::deserialize(de::value::SeqAccessDeserializer::new(seq)).map(FirstArg::Json)
    }

    fn visit_map<M: MapAccess<'de>>(self, map: M) -> Result<FirstArg, M::Error> {
        Value::deserialize(de::value::MapAccessDeserializer::new(map)).map(FirstArg::Json)
    }
}

/// Bytes that socketioxide writes as one binary attachment.
pub(crate) struct Attachment<'a>(pub(crate) &'a [u8]);

impl Serialize for Attachment<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(self.0)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn json_arguments_are_read_as_json() {
        let arg: FirstArg = serde_json::from_str(r#"{"id":"a","data":[1,{"b":null}]}"#).unwrap();
        assert_eq!(
            arg,
            FirstArg::Json(serde_json::json!({"id": "a", "data": [1, {"b": null}]}))
        );
        let arg: FirstArg = serde_json::from_str("[1,2]").unwrap();
        assert_eq!(arg, FirstArg::Json(serde_json::json!([1, 2])));
    }
}
