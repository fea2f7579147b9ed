//! Messages nobody asked for: a message of the session's own that no step took is a finding
//! when a later step took a message after it on the same connection (the server sent it in the
//! middle of the exchange: a duplicate, a notification to the wrong party, an event too many),
//! unless the scenario declares it may be ignored (`ignore:` patterns).
//!
//! A message of a type the target's dialect declares broadcast is a use of that deviation
//! instead (counted, shown as a declared deviation).
//!
//! What arrived after a connection's last taken message is left as information: whether it
//! arrives before the session ends is timing. Another session's traffic is never a finding of
//! this one. Only sessions that keep their whole transcript judge this.

use super::session::Session;
use super::transcript::{Content, Party};
use super::waits::message_type;
use crate::matcher;
use crate::report::model::{Direction, Finding};

impl Session {
    /// Adds a finding for every message of its own no step asked for (see the module doc).
    pub(super) fn find_unasked(&mut self) {
        let first = self.transcript.first();
        let records: Vec<_> = self.transcript.records().collect();
        let mut last_taken = vec![None; self.actors.len()];
        for (index, record) in records.iter().enumerate() {
            if let (Party::Actor(actor), true) = (record.party, record.matched)
                && let Some(slot) = last_taken.get_mut(actor)
            {
                *slot = Some(index);
            }
        }
        let mut found = Vec::new();
        let mut declared = Vec::new();
        for (index, record) in records.iter().enumerate() {
            let Party::Actor(actor) = record.party else {
                continue;
            };
            let Content::Received(received) = &record.content else {
                continue;
            };
            let before_taken = last_taken
                .get(actor)
                .copied()
                .flatten()
                .is_some_and(|last| index < last);
            let asked = record.matched || record.foreign || record.direction != Direction::Received;
            let Some(json) = received.json.as_ref().filter(|_| before_taken && !asked) else {
                continue;
            };
            let ignored = self.plan.scenario.ignore.iter().any(|pattern| {
                matcher::matches_at(pattern, json, &self.captures, self.started_unix_ms).is_ok()
            });
            if ignored {
                continue;
            }
            let kind = message_type(&self.plan.suite.schemas, received);
            if let Some(deviation) = self.dialect.as_ref().and_then(|d| d.broadcast_of(kind)) {
                declared.push(deviation);
                continue;
            }
            found.push(Finding {
                actor: self.party_name(Party::Actor(actor)),
                message_index: first + index,
                message: format!(
                    "no step asked for this {kind} message, and the scenario does not declare it \
                     may be ignored (`ignore:`): a duplicate, a message to the wrong party, or \
                     one too many"
                ),
                path: None,
            });
        }
        self.findings.extend(found);
        self.count_deviations(&declared);
    }
}
