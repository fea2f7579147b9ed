//! The scenario's `properties:` (see [`crate::scenario::properties`]) checked over its whole
//! transcript when the session ends: every break is a finding at the message that broke it.
//!
//! Pure: [`broken`] reads a list of [`Seen`] entries in transcript order, so the rules are
//! tested without a session. Ordering across connections is the harness's: a message a
//! connection sent is recorded before the target can act on it, so a release sent is always
//! seen before what the target does after it, and no break is reported that did not happen.
//! Another session's traffic and HTTP exchanges are not read.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::session::Session;
use super::transcript::{Content, Party};
use crate::matcher::{self, Pattern};
use crate::report::model::{Direction, Finding};
use crate::scenario::properties::{Flow, Keyed, OneHolder, Properties, Transitions};
use crate::schema::pointer_to_path;

/// One transcript entry as the properties read it.
#[derive(Debug, Clone, Copy)]
pub struct Seen<'a> {
    /// Its number in the transcript (reports count from it).
    pub at: usize,
    /// The connection (actor index).
    pub actor: usize,
    /// Sent or received.
    pub flow: Flow,
    /// The message: received JSON, or a sent one as the transcript shows it.
    pub json: Option<&'a Value>,
    /// The connection closed here (either side).
    pub closed: bool,
}

/// A break: the index of the entry (in the list given), what broke, and where in the message.
#[derive(Debug, Clone, PartialEq)]
pub struct Broken {
    /// Index into the entries.
    pub index: usize,
    /// One sentence.
    pub message: String,
    /// The JSON path inside the message.
    pub path: Option<String>,
}

/// Every break of `properties` in `seen`; `matches` tells whether a pattern matches a message,
/// `names` are the connections' names (by actor index).
pub fn broken(
    properties: &Properties,
    seen: &[Seen<'_>],
    matches: &dyn Fn(&Pattern, &Value) -> bool,
    names: &[String],
) -> Vec<Broken> {
    let mut out = Vec::new();
    for rule in &properties.transitions {
        out.extend(transitions(rule, seen, matches));
    }
    for rule in &properties.one_holder {
        out.extend(one_holder(rule, seen, matches, names));
    }
    out.sort_by_key(|b| b.index);
    out
}

fn transitions(
    rule: &Transitions,
    seen: &[Seen<'_>],
    matches: &dyn Fn(&Pattern, &Value) -> bool,
) -> Vec<Broken> {
    let mut last: BTreeMap<(usize, String), String> = BTreeMap::new();
    let mut out = Vec::new();
    for (index, entry) in seen.iter().enumerate() {
        let Some(json) = entry.json.filter(|_| entry.flow == Flow::Received) else {
            continue;
        };
        for source in &rule.messages {
            if !matches(&source.pattern, json) {
                continue;
            }
            let (Some(key), Some(state)) = (key_at(json, &source.key), key_at(json, &source.state))
            else {
                continue;
            };
            let slot = (entry.actor, key.clone());
            if let Some(before) = last.get(&slot).filter(|b| **b != state) {
                let allowed = rule.moves.get(before);
                if !allowed.is_some_and(|to| to.contains(&state)) {
                    let allowed =
                        allowed.map_or("none (a final state)".to_owned(), |to| to.join(", "));
                    out.push(Broken {
                        index,
                        message: format!(
                            "property \"{}\": {key} went from {before} to {state} on this \
                             connection, a move the scenario's properties do not allow (from \
                             {before}: {allowed})",
                            rule.name
                        ),
                        path: Some(pointer_to_path(&source.state)),
                    });
                }
            }
            last.insert(slot, state);
            break;
        }
    }
    out
}

fn one_holder(
    rule: &OneHolder,
    seen: &[Seen<'_>],
    matches: &dyn Fn(&Pattern, &Value) -> bool,
    names: &[String],
) -> Vec<Broken> {
    // The key's holder and the transcript number of the message that gave it.
    let mut holders: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut out = Vec::new();
    for (index, entry) in seen.iter().enumerate() {
        if entry.closed {
            holders.retain(|_, (actor, _)| *actor != entry.actor);
            continue;
        }
        let Some(json) = entry.json else { continue };
        for release in rule.released.iter().filter(|r| r.flow == entry.flow) {
            if let Some(key) = keyed(&release.keyed, json, matches) {
                holders.remove(&key);
            }
        }
        if entry.flow != Flow::Received {
            continue;
        }
        let Some(key) = keyed(&rule.taken, json, matches) else {
            continue;
        };
        if let Some((holder, since)) = holders.get(&key).filter(|(a, _)| *a != entry.actor) {
            out.push(Broken {
                index,
                message: format!(
                    "property \"{}\": {key} was given to this connection while {} still held \
                     it (given at message {since}, not released since)",
                    rule.name,
                    names
                        .get(*holder)
                        .map_or("another connection", String::as_str)
                ),
                path: Some(pointer_to_path(&rule.taken.key)),
            });
        }
        holders.insert(key, (entry.actor, entry.at));
    }
    out
}

/// The key of a message `keyed` selects.
fn keyed(
    keyed: &Keyed,
    json: &Value,
    matches: &dyn Fn(&Pattern, &Value) -> bool,
) -> Option<String> {
    if matches(&keyed.pattern, json) {
        key_at(json, &keyed.key)
    } else {
        None
    }
}

/// A key or a state as text (`"a"` and `7` alike); none where absent or null.
fn key_at(json: &Value, pointer: &str) -> Option<String> {
    match json.pointer(pointer)? {
        Value::Null => None,
        Value::String(text) => Some(text.clone()),
        other => Some(other.to_string()),
    }
}

impl Session {
    /// Adds a finding for every break of the scenario's `properties:`.
    pub(super) fn find_broken_properties(&mut self) {
        if self.plan.scenario.properties.is_empty() {
            return;
        }
        let first = self.transcript.first();
        // (transcript number, actor, flow, message, closed), owned: a sent emit is shown as the
        // transcript shows it, `{"emit", "args"}`.
        let entries: Vec<(usize, usize, Flow, Option<Value>, bool)> = self
            .transcript
            .records()
            .enumerate()
            .filter(|(_, r)| !r.foreign)
            .filter_map(|(i, r)| {
                let Party::Actor(actor) = r.party else {
                    return None;
                };
                let flow = match r.direction {
                    Direction::Sent => Flow::Sent,
                    Direction::Received => Flow::Received,
                };
                let (json, closed) = match &r.content {
                    Content::Received(received) => (received.json.clone(), false),
                    Content::Json(value) => (Some(value.clone()), false),
                    Content::Emit { event, args, .. } => {
                        (Some(json!({ "emit": &**event, "args": &**args })), false)
                    }
                    Content::Text(text) => (None, text.starts_with("close")),
                    _ => (None, false),
                };
                Some((first + i, actor, flow, json, closed))
            })
            .collect();
        let seen: Vec<Seen<'_>> = entries
            .iter()
            .map(|(at, actor, flow, json, closed)| Seen {
                at: *at,
                actor: *actor,
                flow: *flow,
                json: json.as_ref(),
                closed: *closed,
            })
            .collect();
        let (captures, started) = (&self.captures, self.started_unix_ms);
        let matches = |p: &Pattern, v: &Value| matcher::matches_at(p, v, captures, started).is_ok();
        let names: Vec<String> = (0..self.actors.len())
            .map(|a| self.party_name(Party::Actor(a)))
            .collect();
        let broken = broken(&self.plan.scenario.properties, &seen, &matches, &names);
        let found: Vec<Finding> = broken
            .into_iter()
            .filter_map(|b| {
                let entry = seen.get(b.index)?;
                Some(Finding {
                    actor: self.party_name(Party::Actor(entry.actor)),
                    message_index: entry.at,
                    message: b.message,
                    path: b.path,
                })
            })
            .collect();
        self.findings.extend(found);
    }
}

#[cfg(test)]
#[path = "properties_tests.rs"]
mod tests;
