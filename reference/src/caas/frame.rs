//! The `SocketMessage` frame (K2, caas-N3): checking a client's ([`Frame::parse`]) and writing
//! the server's ([`ServerFrame`]).
//!
//! A client frame needs `id` (a non-empty string), `type` equal to the event's name,
//! `version` 1 and `data` (an object); `timestamp`, `tenantId` (ignored: the token says the
//! tenant), `conversationId`, `ack` and `replyTo` are optional but typed when present. Other
//! fields are ignored (C6). The server writes `{id, type, version: 1, timestamp,
//! conversationId?, data, replyTo?}` and never `tenantId` or `ack`.

use super::CaasError;
use super::fields::Fields;
use crate::ark::Timestamp;
use serde_json::{Map, Value};

/// The protocol version every frame carries.
pub const VERSION: u64 = 1;

/// A client frame that passed caas-N3.
#[derive(Debug, Clone)]
pub(super) struct Frame<'a> {
    /// The client's id of the frame (the `replyTo` of what it causes).
    pub(super) id: &'a str,
    /// The frame's `conversationId`, authoritative (K2).
    pub(super) conversation_id: Option<&'a str>,
    /// The event's payload.
    pub(super) data: Fields<'a>,
    /// The frame's `replyTo` (a message's `replyTo`, caas-N7).
    pub(super) reply_to: Option<&'a str>,
}

impl<'a> Frame<'a> {
    /// Checks `payload` as the frame of `event` (a known event name), field by field in the
    /// frame's order; the first fault answers.
    pub(super) fn parse(event: &str, payload: &'a Value) -> Result<Self, CaasError> {
        let Some(map) = payload.as_object() else {
            return Err(CaasError::InvalidPayload {
                field: None,
                message: format!("the argument of {event} must be a SocketMessage object"),
            });
        };
        let frame = Fields::new(map, "");
        let id = frame.id("id")?;
        if frame.text("type")? != event {
            return Err(frame.invalid("type", format!("must be the event's name, {event}")));
        }
        let version = frame.required("version")?;
        if version.as_f64() != Some(1.0) {
            return Err(frame.invalid("version", format!("must be {VERSION}")));
        }
        frame.check("timestamp", Value::is_number, "a number")?;
        frame.check("tenantId", Value::is_string, "a string")?;
        let conversation_id = frame.optional_id("conversationId")?;
        let data = frame.required("data")?;
        let Some(data) = data.as_object() else {
            return Err(frame.invalid("data", "must be an object"));
        };
        frame.check("ack", Value::is_boolean, "a boolean")?;
        let reply_to = frame.optional_id("replyTo")?;
        Ok(Self {
            id,
            conversation_id,
            data: Fields::new(data, "data"),
            reply_to,
        })
    }

    /// The conversation the event is about: the frame's `conversationId`, else (for events
    /// whose payload names one, K2) `data.conversationId`.
    pub(super) fn conversation_in_data(&self) -> Result<&'a str, CaasError> {
        match self.conversation_id {
            Some(id) => Ok(id),
            None => self.data.id("conversationId"),
        }
    }

    /// The frame's `conversationId`, required.
    pub(super) fn conversation(&self) -> Result<&'a str, CaasError> {
        self.conversation_id
            .ok_or_else(|| CaasError::missing("conversationId"))
    }
}

/// The `id` of a client frame, if it has a usable one: the `replyTo` of its refusal (caas-N5).
pub(super) fn id_of(payload: &Value) -> Option<&str> {
    payload
        .get("id")
        .and_then(Value::as_str)
        .filter(|id| !id.is_empty())
}

/// A frame the server writes.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct ServerFrame<'a> {
    /// The event name (`type`).
    pub(super) event: &'static str,
    /// The conversation it is about, if any.
    pub(super) conversation_id: Option<&'a str>,
    /// The payload.
    pub(super) data: Value,
    /// The client frame that caused it, if one did.
    pub(super) reply_to: Option<&'a str>,
}

impl ServerFrame<'_> {
    /// The frame as JSON, with the server's `id` and `timestamp` (Unix ms, C1).
    pub(super) fn to_json(&self, id: String, now: Timestamp) -> Value {
        let mut frame = Map::new();
        frame.insert("id".into(), id.into());
        frame.insert("type".into(), self.event.into());
        frame.insert("version".into(), VERSION.into());
        frame.insert("timestamp".into(), now.unix_millis().into());
        if let Some(conversation) = self.conversation_id {
            frame.insert("conversationId".into(), conversation.into());
        }
        frame.insert("data".into(), self.data.clone());
        if let Some(reply_to) = self.reply_to {
            frame.insert("replyTo".into(), reply_to.into());
        }
        Value::Object(frame)
    }
}
