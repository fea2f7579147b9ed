//! Frame intake: moves what the target sent from each connection's channel into the transcript
//! (schema-checking every message) and into the actor's inbox.
//!
//! Every received frame passes here exactly once, in the order its connection delivered it.

use std::time::Instant;

use serde_json::Value;

use super::Session;
use super::link::{Feed, Received};
use crate::report::model::{Direction, Finding, TranscriptEntry};
use crate::runner::inbox::InboxMessage;
use crate::transport::{Frame, Incoming};

impl Session<'_> {
    /// Waits for one frame on `actor`'s connection until `deadline`; false if none can come.
    pub(super) async fn wait_for_frame(&mut self, actor: &str, deadline: Instant) -> bool {
        let Some(feed) = self.actors.get_mut(actor).and_then(|a| a.feed.as_mut()) else {
            tokio::time::sleep_until(deadline.into()).await;
            return false;
        };
        match tokio::time::timeout_at(deadline.into(), feed.recv()).await {
            Ok(Some(incoming)) => {
                self.take_in(actor, incoming);
                true
            }
            Ok(None) => {
                self.mark_ended(actor);
                false
            }
            Err(_) => false,
        }
    }

    /// Moves every frame already received, on every connection, into transcript and inboxes.
    pub(super) fn drain_all(&mut self) {
        let names: Vec<String> = self.actors.keys().cloned().collect();
        for name in names {
            while let Some(incoming) = self
                .actors
                .get_mut(&name)
                .and_then(|a| a.feed.as_mut())
                .and_then(Feed::try_recv)
            {
                self.take_in(&name, incoming);
            }
        }
    }

    pub(super) fn mark_ended(&mut self, actor: &str) {
        if let Some(state) = self.actors.get_mut(actor) {
            state.feed = None;
            state
                .closed
                .get_or_insert((None, "the connection ended".to_owned()));
        }
    }

    pub(super) fn take_in(&mut self, actor: &str, received: Received) {
        match received {
            Received::Ws(incoming) => self.take_in_frame(actor, incoming),
            Received::Sio(incoming) => self.take_in_sio(actor, incoming),
        }
    }

    fn take_in_frame(&mut self, actor: &str, incoming: Incoming) {
        match incoming.frame {
            Frame::Text(text) => {
                let json = serde_json::from_str::<Value>(&text).ok();
                let index = self.record(actor, Direction::Received, incoming.at, text.clone());
                self.check_schema(actor, index, json.as_ref());
                self.push_inbox(actor, index, json, text);
            }
            Frame::Binary(bytes) => {
                let index = self.record(
                    actor,
                    Direction::Received,
                    incoming.at,
                    describe_binary(&bytes),
                );
                self.finding(
                    actor,
                    index,
                    "a binary frame, where the protocol sends JSON text frames".to_owned(),
                    None,
                );
                self.push_inbox(actor, index, None, String::new());
            }
            Frame::Closed { code, reason } => {
                let shown = format!(
                    "close {} {reason}",
                    code.map_or_else(|| "(no code)".to_owned(), |c| c.to_string())
                );
                self.record(
                    actor,
                    Direction::Received,
                    incoming.at,
                    shown.trim_end().to_owned(),
                );
                self.mark_closed(actor, code, reason);
            }
        }
    }

    /// The target closed (or the connection ended): nothing more can be sent or received.
    pub(super) fn mark_closed(&mut self, actor: &str, code: Option<u16>, reason: String) {
        if let Some(state) = self.actors.get_mut(actor) {
            state.closed = Some((code, reason));
            state.link = None;
        }
    }

    pub(super) fn push_inbox(
        &mut self,
        actor: &str,
        transcript_index: usize,
        json: Option<Value>,
        text: String,
    ) {
        self.push_inbox_labelled(actor, transcript_index, json, text, None);
    }

    pub(super) fn push_inbox_labelled(
        &mut self,
        actor: &str,
        transcript_index: usize,
        json: Option<Value>,
        text: String,
        ack_label: Option<String>,
    ) {
        if let Some(state) = self.actors.get_mut(actor) {
            state.inbox.push(InboxMessage {
                transcript_index,
                json,
                text,
                ack_label,
            });
        }
    }

    pub(super) fn check_schema(&mut self, actor: &str, index: usize, json: Option<&Value>) {
        let Some(json) = json else {
            self.finding(actor, index, "the message is not JSON".to_owned(), None);
            return;
        };
        for issue in self.suite.schemas.check(json) {
            self.finding(actor, index, issue.message, issue.path);
        }
    }

    pub(super) fn finding(
        &mut self,
        actor: &str,
        message_index: usize,
        message: String,
        path: Option<String>,
    ) {
        self.findings.push(Finding {
            actor: actor.to_owned(),
            message_index,
            message,
            path,
        });
    }

    /// Hides other sessions' traffic from this session's expectations.
    pub(super) fn mark_foreign(&mut self) {
        if !self.suite.profile.broadcast {
            return;
        }
        let (markers, run_id) = (&self.markers, &self.run_id);
        for state in self.actors.values_mut() {
            state
                .inbox
                .mark_foreign(|m| markers.is_foreign(run_id, &m.text));
        }
    }

    pub(in crate::runner) fn record(
        &mut self,
        actor: &str,
        direction: Direction,
        at: Instant,
        text: String,
    ) -> usize {
        self.record_raw(actor, direction, at, text, None)
    }

    /// Records an entry whose wire form (`raw`) differs from its readable text.
    pub(in crate::runner) fn record_raw(
        &mut self,
        actor: &str,
        direction: Direction,
        at: Instant,
        text: String,
        raw: Option<String>,
    ) -> usize {
        self.transcript.push(TranscriptEntry {
            at_ms: u64::try_from(at.saturating_duration_since(self.started).as_millis())
                .unwrap_or(u64::MAX),
            actor: actor.to_owned(),
            direction,
            text,
            raw,
            matched: false,
            foreign: false,
        });
        self.transcript.len() - 1
    }
}

pub(super) fn describe_binary(bytes: &[u8]) -> String {
    let shown: String = bytes.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!(
        "<binary {} bytes: {shown}{}>",
        bytes.len(),
        if bytes.len() > 16 { "…" } else { "" }
    )
}
