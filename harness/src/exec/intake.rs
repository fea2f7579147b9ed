//! Intake: what a connection received, into the transcript, the schema check and the actor's
//! inbox — every received item passes here exactly once, in the order its connection
//! delivered it.
//!
//! socket.io items become the inbox shapes patterns match (`{event, args, ackId?}`,
//! `{ack, args}`, `{connect_error}`); an ack is matched to the emit that asked for it by id and
//! checked against that event's ack schema. Nothing here is specific to one protocol.

use std::sync::Arc;
use std::time::Instant;

use serde_json::{Map, Value, json};

use super::attachments::resolve;
use super::inbox::InboxMessage;
use super::observer::{LatencyKind, Observer};
use super::session::{Link, Session};
use super::transcript::{Content, Party, Received, Shown};
use super::waits::message_type;
use crate::binary;
use crate::report::model::{Direction, Finding};
use crate::schema::SchemaIssue;
use crate::transport::{Arrival, Inbound, Utf8Bytes};

impl Session {
    pub(super) fn take_in(&mut self, arrival: Arrival, observer: &mut dyn Observer) {
        let Some(actor) = self.conns.get(arrival.conn).copied().flatten() else {
            return; // a connection the session has let go
        };
        let at = arrival.at;
        match arrival.inbound {
            Inbound::Text(frame) => {
                let json = serde_json::from_str::<Value>(frame.as_str()).ok();
                let received = received(json, Vec::new(), Shown::Frame(frame), None);
                self.file_received(at, actor, received, None, None, observer);
            }
            Inbound::Binary(bytes) => {
                let view = binary::view(&bytes, &self.plan.suite.profile.binary);
                let received = received(Some(view), vec![bytes], Shown::Binary, None);
                let seq = self.record_received(at, actor, &received);
                let text = "a binary frame, where the protocol sends JSON text frames";
                self.finding(actor, seq, text.to_owned(), None, None, observer);
                self.push_inbox(actor, seq, at, received, None);
            }
            Inbound::Event {
                name,
                mut args,
                ack_id,
                attachments,
                raw,
            } => {
                if !attachments.is_empty() {
                    resolve(&mut args, &attachments, &self.plan.suite.profile.binary);
                }
                let mut message = Map::with_capacity(4);
                message.insert("event".into(), Value::String(name));
                message.insert("args".into(), Value::Array(args));
                if let Some(id) = ack_id {
                    message.insert("ackId".into(), Value::from(id));
                }
                if !attachments.is_empty() {
                    message.insert("attachments".into(), Value::from(attachments.len()));
                }
                let received = received(
                    Some(Value::Object(message)),
                    attachments,
                    Shown::Json,
                    Some(raw),
                );
                self.file_received(at, actor, received, None, None, observer);
            }
            Inbound::Ack {
                id,
                args,
                attachments,
                raw,
            } => self.take_in_ack(at, actor, id, args, attachments, raw, observer),
            Inbound::ConnectError { data, raw } => {
                let raw = (!raw.is_empty()).then_some(raw);
                let message = json!({ "connect_error": data });
                let received = received(Some(message), Vec::new(), Shown::Json, raw);
                self.file_received(at, actor, received, Some("connect_error"), None, observer);
            }
            Inbound::Disconnect { raw } => {
                let text = "disconnect (the server closed the namespace)".to_owned();
                self.record_with_raw(at, actor, text, raw);
                self.closed_by_target(actor, None, "the server disconnected the socket".into());
            }
            Inbound::Invalid { reason, raw } => {
                let seq = self.record(
                    at,
                    Party::Actor(actor),
                    Direction::Received,
                    Content::Text(raw),
                );
                self.finding(actor, seq, reason, None, None, observer);
            }
            Inbound::Closed { code, reason } => {
                let shown = format!(
                    "close {} {reason}",
                    code.map_or_else(|| "(no code)".to_owned(), |c| c.to_string())
                );
                let content = Content::Text(shown.trim_end().to_owned());
                self.record(at, Party::Actor(actor), Direction::Received, content);
                self.closed_by_target(actor, code, reason);
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn take_in_ack(
        &mut self,
        at: Instant,
        actor: usize,
        id: u64,
        args: Vec<Value>,
        attachments: Vec<Vec<u8>>,
        raw: Utf8Bytes,
        observer: &mut dyn Observer,
    ) {
        let mut args = args;
        if !attachments.is_empty() {
            resolve(&mut args, &attachments, &self.plan.suite.profile.binary);
        }
        let awaiting = &mut self.actors[actor].awaiting;
        let found = awaiting.iter().position(|a| a.id == id);
        let Some(awaited) = found.map(|at| awaiting.swap_remove(at)) else {
            let message = json!({ "ackId": id, "args": args });
            let received = received(Some(message), attachments, Shown::Json, Some(raw));
            let seq = self.record_received(at, actor, &received);
            let text = format!("an ack with id {id}, which no emit awaits (unknown or repeated)");
            self.finding(actor, seq, text, None, None, observer);
            return;
        };
        let message = json!({ "ack": &*awaited.label, "args": args });
        let schema = awaited.schema;
        observer.latency(
            LatencyKind::RoundTrip,
            &schema,
            at.saturating_duration_since(awaited.sent_at),
        );
        let received = received(Some(message), attachments, Shown::Json, Some(raw));
        self.file_received(at, actor, received, Some(&schema), Some(id), observer);
    }

    /// Records a received message, checks it against its schema (`schema`, or the one its type
    /// names) and puts it in the actor's inbox (`ack_id` for the ack of one of our emits).
    pub(super) fn file_received(
        &mut self,
        at: Instant,
        actor: usize,
        received: Arc<Received>,
        schema: Option<&str>,
        ack_id: Option<u64>,
        observer: &mut dyn Observer,
    ) {
        let (received, dialect_schema) = self.through_dialect(actor, received, ack_id.is_some());
        let schema = dialect_schema.or(schema);
        let seq = self.record_received(at, actor, &received);
        let schemas = &self.plan.suite.schemas;
        let kind = schema.unwrap_or_else(|| message_type(schemas, &received));
        observer.received(Some(kind));
        let issues = match (&received.json, schema) {
            (None, _) => vec![SchemaIssue {
                message: "the message is not JSON".to_owned(),
                path: None,
            }],
            (Some(json), Some(stem)) => schemas.check_as(stem, json),
            (Some(json), None) => schemas.check(json),
        };
        for issue in issues {
            self.finding(actor, seq, issue.message, issue.path, Some(kind), observer);
        }
        self.push_inbox(actor, seq, at, received, ack_id);
    }

    fn record_received(&mut self, at: Instant, actor: usize, received: &Arc<Received>) -> usize {
        let content = Content::Received(Arc::clone(received));
        self.record(at, Party::Actor(actor), Direction::Received, content)
    }

    fn record_with_raw(&mut self, at: Instant, actor: usize, text: String, raw: Utf8Bytes) {
        // Shown as text, with the frame it came in.
        let received = received(
            None,
            Vec::new(),
            Shown::Frame(Utf8Bytes::from(text)),
            Some(raw),
        );
        self.record_received(at, actor, &received);
    }

    fn push_inbox(
        &mut self,
        actor: usize,
        seq: usize,
        at: Instant,
        received: Arc<Received>,
        ack_id: Option<u64>,
    ) {
        self.actors[actor].inbox.push(InboxMessage {
            seq,
            at,
            received,
            ack_id,
        });
    }

    fn finding(
        &mut self,
        actor: usize,
        seq: usize,
        message: String,
        path: Option<String>,
        kind: Option<&str>,
        observer: &mut dyn Observer,
    ) {
        let finding = Finding {
            actor: self.party_name(Party::Actor(actor)),
            message_index: seq,
            message,
            path,
        };
        observer.finding(&finding, kind);
        self.findings.push(finding);
    }

    /// The target closed (or the connection ended): nothing more can be sent or received. A
    /// close without a code after an earlier reason keeps the earlier reason.
    fn closed_by_target(&mut self, actor: usize, code: Option<u16>, reason: String) {
        let state = &mut self.actors[actor];
        let (code, reason) = match &state.link {
            Link::Closed(None, earlier) if code.is_none() => (None, earlier.clone()),
            _ => (code, reason),
        };
        state.link = Link::Closed(code, reason);
    }
}

fn received(
    json: Option<Value>,
    attachments: Vec<Vec<u8>>,
    shown: Shown,
    raw: Option<Utf8Bytes>,
) -> Arc<Received> {
    Arc::new(Received {
        json,
        attachments,
        shown,
        raw,
    })
}
