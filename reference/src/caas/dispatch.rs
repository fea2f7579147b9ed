//! A client event's way from its JSON to its effects and its answer: the rate limit
//! (caas-N13), the event name, the frame (caas-N3), the request's `data`, then the concern's
//! own checks and changes; the answer is the ack (caas-N4) or, without one, an `error` frame
//! (caas-N5).
//!
//! Checks run in that order and the first failure answers: syntax before the conversation
//! (`FORBIDDEN`, `NOT_MEMBER`), the conversation before the state (`NOT_FOUND`,
//! `ALREADY_EXISTS`, `UNAVAILABLE`). Nothing changes before every check has passed.

use super::CaasError;
use super::core::{AckId, ConnId, Core, Message, Output};
use super::frame::{self, Frame, ServerFrame};
use super::request::{ClientEvent, Request};
use super::state::UserIx;
use crate::ark::Timestamp;
use serde_json::{Map, Value, json};

/// What a successful event's ack carries besides `success` and `timestamp` (caas-N4).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Success {
    /// `messageId` of `message:send`, `message:edit` and `message:delete`.
    pub(super) message_id: Option<String>,
    /// `callId` of `call:initiate`.
    pub(super) call_id: Option<String>,
}

impl Success {
    pub(super) fn message(id: String) -> Self {
        Self {
            message_id: Some(id),
            call_id: None,
        }
    }

    pub(super) fn call(id: String) -> Self {
        Self {
            message_id: None,
            call_id: Some(id),
        }
    }
}

impl Core {
    pub(super) fn event(
        &mut self,
        now: Timestamp,
        conn: ConnId,
        event: &str,
        payload: &Value,
        ack: Option<AckId>,
        out: &mut Output,
    ) {
        let Some(user) = self.conns.get(&conn).map(|c| c.user) else {
            return;
        };
        let result = self
            .count_event(now, conn)
            .and_then(|()| self.apply_event(now, user, event, payload, out));
        self.answer(now, conn, ack, frame::id_of(payload), result, out);
    }

    pub(super) fn binary_input(
        &mut self,
        now: Timestamp,
        conn: ConnId,
        event: &str,
        bytes: bytes::Bytes,
        ack: Option<AckId>,
        out: &mut Output,
    ) {
        let Some(user) = self.conns.get(&conn).map(|c| c.user) else {
            return;
        };
        let result = self.count_event(now, conn).and_then(|()| {
            match ClientEvent::parse(event) {
                Some(ClientEvent::Binary) => self.binary(user, bytes, out),
                // A frame event given a buffer rather than a frame.
                Some(_) => self.apply_event(now, user, event, &Value::Null, out),
                None => Err(unknown_event(event)),
            }
        });
        self.answer(now, conn, ack, None, result, out);
    }

    fn apply_event(
        &mut self,
        now: Timestamp,
        user: UserIx,
        event: &str,
        payload: &Value,
        out: &mut Output,
    ) -> Result<Success, CaasError> {
        let kind = ClientEvent::parse(event).ok_or_else(|| unknown_event(event))?;
        let frame = Frame::parse(event, payload)?;
        let request = Request::parse(kind, &frame, self.settings.max_content_chars)?;
        let cause = Some(frame.id);
        match request {
            Request::Send(message) => self.send_message(now, user, &frame, message, out),
            Request::Edit {
                message_id,
                content,
            } => self.edit_message(now, user, &frame, message_id, Some(content), out),
            Request::Delete { message_id } => {
                self.edit_message(now, user, &frame, message_id, None, out)
            }
            Request::Typing {
                conversation,
                typing,
            } => self.typing(now, user, conversation, typing, cause, out),
            Request::Presence { status } => {
                self.announce_presence(now, user, status, cause, out);
                Ok(Success::default())
            }
            Request::Join(conversation) => self.join(user, conversation),
            Request::Leave(conversation) => self.leave(now, user, conversation, cause, out),
            Request::Initiate { target, kind } => {
                self.initiate(now, user, &frame, target, kind, out)
            }
            Request::Call(action, call) => self.call_action(now, user, action, call, cause, out),
        }
    }

    /// Answers an event: its ack when the client asked for one, else an `error` frame for a
    /// refusal (caas-N5) and nothing for a success.
    fn answer(
        &mut self,
        now: Timestamp,
        conn: ConnId,
        ack: Option<AckId>,
        frame_id: Option<&str>,
        result: Result<Success, CaasError>,
        out: &mut Output,
    ) {
        if !self.conns.contains_key(&conn) {
            return;
        }
        match (ack, result) {
            (Some(ack), result) => {
                let body = match result {
                    Ok(success) => success_body(now, success),
                    Err(e) => json!({ "success": false, "error": e.to_json() }),
                };
                out.messages.push(Message::Ack { conn, ack, body });
            }
            (None, Err(e)) => {
                let frame = ServerFrame {
                    event: "error",
                    conversation_id: None,
                    data: e.to_json(),
                    reply_to: frame_id,
                };
                self.emit(now, &[conn], &frame, out);
            }
            (None, Ok(_)) => {}
        }
    }
}

/// `{success: true, messageId?, callId?, timestamp}` (caas-N4).
fn success_body(now: Timestamp, success: Success) -> Value {
    let mut body = Map::new();
    body.insert("success".into(), true.into());
    if let Some(id) = success.message_id {
        body.insert("messageId".into(), id.into());
    }
    if let Some(id) = success.call_id {
        body.insert("callId".into(), id.into());
    }
    body.insert("timestamp".into(), now.unix_millis().into());
    Value::Object(body)
}

/// An event the document does not define (caas-N5).
fn unknown_event(event: &str) -> CaasError {
    CaasError::invalid("type", format!("no event {event:?} in the caas protocol"))
}
