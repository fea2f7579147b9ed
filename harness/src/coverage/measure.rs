//! Measures what a run exercised: walks its transcripts (both directions, HTTP too) against a
//! protocol's [`Inventory`] and returns the items met. Pure.
//!
//! How an entry's kind is found, as the harness records messages:
//! - received, at the profile's type pointer (`/event`): that type's schema stem;
//! - received `{"ack": label, "args": …}` (socket.io): `ack.<event>` of the emit that carried the
//!   label on the same connection (or the protocol's unknown-event ack schema);
//! - received `{"<stem>": …}`, one key naming a received kind (`connect_error`);
//! - sent `{"emit": event, "args": [payload, …]}`: the sent kind `event`, fields read from the
//!   payload; sent JSON frames: the type at the type pointer, fields read from the whole frame;
//! - HTTP (`http` party): the request line `METHOD /path …` then the answer `STATUS body`;
//!   the endpoint is the declared one whose template matches, the body kind its `body` (2xx) or
//!   the `error_body`.
//!
//! Another session's traffic (`foreign`) is not this run's doing and is skipped. Text that is not
//! JSON exercises nothing.

use std::collections::{BTreeSet, HashMap};

use serde_json::Value;

use super::model::{
    Category, Inventory, Item, Kind, enum_text, field_category, field_text, http_text,
};
use super::walk::{Segment, value_text};
use crate::exec::plan::UNKNOWN_EVENT_ACK;
use crate::report::model::{Direction, TranscriptEntry};
use crate::schema::schema_stem;

/// The party name of HTTP entries in transcripts.
const HTTP_PARTY: &str = "http";

/// Every item of `inventory` that `transcripts` (one per scenario) exercised.
pub fn measure<'a>(
    inventory: &Inventory,
    type_pointer: &str,
    transcripts: impl IntoIterator<Item = &'a [TranscriptEntry]>,
) -> BTreeSet<Item> {
    let mut meter = Meter {
        inventory,
        type_pointer,
        seen: BTreeSet::new(),
    };
    for transcript in transcripts {
        meter.transcript(transcript);
    }
    meter.seen
}

struct Meter<'a> {
    inventory: &'a Inventory,
    type_pointer: &'a str,
    seen: BTreeSet<Item>,
}

impl Meter<'_> {
    fn transcript(&mut self, entries: &[TranscriptEntry]) {
        // (actor, ack label) → the emitted event it answers.
        let mut labels: HashMap<(&str, String), String> = HashMap::new();
        let mut request: Option<&str> = None;
        for entry in entries.iter().filter(|e| !e.foreign) {
            if entry.actor == HTTP_PARTY {
                match entry.direction {
                    Direction::Sent => request = Some(&entry.text),
                    Direction::Received => self.http_answer(request.take(), &entry.text),
                }
                continue;
            }
            let Ok(message) = serde_json::from_str::<Value>(&entry.text) else {
                continue;
            };
            match entry.direction {
                Direction::Sent => {
                    if let (Some(event), Some(label)) = (
                        message.get("emit").and_then(Value::as_str),
                        message.get("ack").and_then(Value::as_str),
                    ) {
                        labels.insert((&entry.actor, label.to_owned()), event.to_owned());
                    }
                    self.sent(&message);
                }
                Direction::Received => {
                    let stem = self.received_stem(&message, |label| {
                        labels
                            .get(&(entry.actor.as_str(), label.to_owned()))
                            .cloned()
                    });
                    if let Some(stem) = stem {
                        self.received(&stem, &message);
                    }
                }
            }
        }
    }

    fn sent(&mut self, message: &Value) {
        let (name, payload) = match message.get("emit").and_then(Value::as_str) {
            Some(event) => (event.to_owned(), message.pointer("/args/0")),
            None => match message.pointer(self.type_pointer).and_then(Value::as_str) {
                Some(kind) => (kind.to_owned(), Some(message)),
                None => return,
            },
        };
        let inventory = self.inventory;
        let Some(kind) = inventory.sent.get(&schema_stem(&name)) else {
            return;
        };
        self.mark(Category::MessagesSent, kind.name.clone());
        if let Some(payload) = payload {
            self.fields("→", &name, kind, payload);
        }
    }

    fn received_stem(
        &self,
        message: &Value,
        emitted: impl Fn(&str) -> Option<String>,
    ) -> Option<String> {
        if let Some(kind) = message.pointer(self.type_pointer).and_then(Value::as_str) {
            return Some(schema_stem(kind));
        }
        if let Some(label) = message.get("ack").and_then(Value::as_str) {
            let own = format!("ack.{}", schema_stem(&emitted(label)?));
            let known = self.inventory.received.contains_key(&own);
            return Some(if known {
                own
            } else {
                UNKNOWN_EVENT_ACK.to_owned()
            });
        }
        match message.as_object() {
            Some(map) if map.len() == 1 => map.keys().next().cloned(),
            _ => None,
        }
    }

    fn received(&mut self, stem: &str, message: &Value) {
        let inventory = self.inventory;
        let Some(kind) = inventory.received.get(stem) else {
            return;
        };
        self.mark(Category::MessagesReceived, kind.name.clone());
        self.fields("←", stem, kind, message);
    }

    fn http_answer(&mut self, request: Option<&str>, answer: &str) {
        let Some(request) = request else { return };
        let (status, body) = answer.split_once(' ').unwrap_or((answer, ""));
        let Ok(status) = status.parse::<u16>() else {
            return;
        };
        let mut words = request.splitn(3, ' ');
        let (Some(method), Some(target)) = (words.next(), words.next()) else {
            return;
        };
        let path = target.split(['?', '#']).next().unwrap_or(target);
        let inventory = self.inventory;
        let Some(endpoint) = inventory
            .endpoints
            .iter()
            .find(|e| template_matches(&e.request, method, path))
        else {
            return;
        };
        if endpoint.statuses.contains(&status) {
            self.mark(Category::Http, http_text(&endpoint.request, status));
        }
        let schema = if (200..300).contains(&status) {
            endpoint.body.as_ref()
        } else {
            inventory.error_body.as_ref()
        };
        let (Some(stem), Ok(body)) = (schema, serde_json::from_str::<Value>(body)) else {
            return;
        };
        if let Some(kind) = inventory.bodies.get(stem) {
            self.fields("←", stem, kind, &body);
        }
    }

    /// Marks the fields, enum values, options and error codes `message` of `kind` holds.
    fn fields(&mut self, arrow: &str, stem: &str, kind: &Kind, message: &Value) {
        for field in &kind.fields {
            let values = values_at(message, &field.path);
            if values.is_empty() {
                continue;
            }
            self.mark(field_category(field), field_text(arrow, &kind.name, field));
            if let Some(key) = &field.enum_key {
                for value in values {
                    self.mark(Category::EnumValues, enum_text(key, &value_text(value)));
                }
            }
        }
        self.codes(stem, message);
    }

    fn codes(&mut self, stem: &str, message: &Value) {
        let inventory = self.inventory;
        for site in &inventory.code_sites {
            let applies = if site.prefix {
                stem.starts_with(&site.kind)
            } else {
                stem == site.kind
            };
            let Some(text) = message.pointer(&site.pointer).and_then(Value::as_str) else {
                continue;
            };
            let code = match &site.pattern {
                Some(pattern) => pattern
                    .captures(text)
                    .and_then(|c| c.get(1))
                    .map(|m| m.as_str()),
                None => Some(text),
            };
            if let Some(code) = code.filter(|c| applies && inventory.codes.contains(*c)) {
                self.mark(Category::ErrorCodes, code.to_owned());
            }
        }
    }

    /// Marks an item, if the inventory has it (the only way an item enters `seen`).
    fn mark(&mut self, category: Category, text: String) {
        let item = Item { category, text };
        if self.inventory.items.contains(&item) {
            self.seen.insert(item);
        }
    }
}

/// The values at `path` in `message` (every element for `[*]`).
fn values_at<'v>(message: &'v Value, path: &[Segment]) -> Vec<&'v Value> {
    let mut at = vec![message];
    for segment in path {
        at = at
            .into_iter()
            .flat_map(|value| -> Vec<&Value> {
                match (segment, value) {
                    (Segment::Key(key), Value::Object(map)) => map.get(key).into_iter().collect(),
                    (Segment::Index(i), Value::Array(items)) => items.get(*i).into_iter().collect(),
                    (Segment::Each, Value::Array(items)) => items.iter().collect(),
                    _ => Vec::new(),
                }
            })
            .collect();
    }
    at
}

/// Whether `METHOD /path` matches the template `METHOD /a/{x}/b`.
fn template_matches(template: &str, method: &str, path: &str) -> bool {
    let Some((want_method, want_path)) = template.split_once(' ') else {
        return false;
    };
    let wanted: Vec<&str> = want_path.trim_matches('/').split('/').collect();
    let got: Vec<&str> = path.trim_matches('/').split('/').collect();
    want_method == method
        && wanted.len() == got.len()
        && wanted
            .iter()
            .zip(&got)
            .all(|(w, g)| (w.starts_with('{') && w.ends_with('}') && !g.is_empty()) || w == g)
}

#[cfg(test)]
#[path = "measure_tests.rs"]
mod tests;
