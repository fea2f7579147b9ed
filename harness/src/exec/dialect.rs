//! The target's dialect applied to a session's traffic (see [`crate::dialect`]): received
//! messages lose the extra keys it declares, sent messages get the fields it needs, and an
//! accepted connection followed by the declared event stands for a refusal. Every use is
//! counted, so the report can show the scenario passed only with declared deviations.

use std::sync::Arc;

use serde_json::{Value, json};

use super::session::Session;
use super::transcript::Received;
use crate::dialect::refusal_from_event;

impl Session {
    /// `received` as the dialect has it seen, and the schema that then applies to it when that
    /// changes (a refusal event is checked as `connect_error`).
    pub(super) fn through_dialect(
        &mut self,
        actor: usize,
        received: Arc<Received>,
        is_ack: bool,
    ) -> (Arc<Received>, Option<&'static str>) {
        let Some(dialect) = self.dialect.clone() else {
            return (received, None);
        };
        let Some(json) = received.json.as_ref() else {
            return (received, None);
        };
        let mut changed = json.clone();
        let mut used = dialect.accept_received(&mut changed, is_ack);
        let mut schema = None;
        if self.actors[actor].refusal_pending
            && let Some((index, event)) = dialect.refusal_event()
            && changed.get("event").and_then(Value::as_str) == Some(event)
        {
            let args = changed
                .get("args")
                .and_then(Value::as_array)
                .map_or(&[][..], Vec::as_slice);
            changed = refusal_from_event(args);
            self.actors[actor].refusal_pending = false;
            schema = Some("connect_error");
            used.push(index);
        }
        if used.is_empty() {
            return (received, None);
        }
        self.count_deviations(&used);
        let received = match Arc::try_unwrap(received) {
            Ok(mut owned) => {
                owned.json = Some(changed);
                owned
            }
            Err(shared) => Received {
                json: Some(changed),
                attachments: shared.attachments.clone(),
                shown: shared.shown.clone(),
                raw: shared.raw.clone(),
            },
        };
        (Arc::new(received), schema)
    }

    /// An emit's arguments with the fields the dialect adds to its event.
    pub(super) fn dialect_emit(&mut self, event: &str, args: Arc<[Value]>) -> Arc<[Value]> {
        let Some(dialect) = self.dialect.clone() else {
            return args;
        };
        let mut message = json!({ "event": event, "args": &*args });
        let used = dialect.adjust_sent(&mut message, event);
        if used.is_empty() {
            return args;
        }
        self.count_deviations(&used);
        match message.get_mut("args").map(Value::take) {
            Some(Value::Array(items)) => items.into(),
            _ => args,
        }
    }

    /// A raw JSON message with the fields the dialect adds to its type.
    pub(super) fn dialect_send(&mut self, mut message: Value) -> Value {
        let Some(dialect) = self.dialect.clone() else {
            return message;
        };
        let pointer = &self.plan.suite.profile.type_pointer;
        let Some(kind) = message.pointer(pointer).and_then(Value::as_str) else {
            return message;
        };
        let kind = kind.to_owned();
        let used = dialect.adjust_sent(&mut message, &kind);
        self.count_deviations(&used);
        message
    }

    /// A connection the step expects refused was accepted: true if the dialect says this
    /// server refuses by an event and a disconnect (the event is then awaited as the refusal).
    pub(super) fn refusal_by_event(&mut self, actor: usize) -> bool {
        let Some(index) = self
            .dialect
            .as_ref()
            .and_then(|d| d.refusal_event())
            .map(|(index, _)| index)
        else {
            return false;
        };
        self.actors[actor].refusal_pending = true;
        self.count_deviations(&[index]);
        true
    }

    pub(super) fn count_deviations(&mut self, used: &[usize]) {
        for &index in used {
            if let Some(count) = self.deviation_uses.get_mut(index) {
                *count += 1;
            }
        }
    }
}
