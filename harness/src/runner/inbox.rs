//! An actor's inbox and the expectation modes, without I/O.
//!
//! The runner pushes every received frame here and asks [`Inbox::check`] whether an expectation
//! is met, still waiting, or failed; it never matches messages itself. Invariants: the cursor
//! only moves forward; a message is taken by at most one expectation; messages before the cursor
//! that no expectation took are "unmatched" for the report.

use serde_json::Value;

pub use super::unmet::Unmet;
use crate::matcher::{self, Captures, Pattern};
use crate::scenario::model::Expectation;

/// A received message as the inbox sees it.
#[derive(Debug, Clone)]
pub struct InboxMessage {
    /// Where the message is in the scenario's transcript.
    pub transcript_index: usize,
    /// The message parsed as JSON, if it is JSON.
    pub json: Option<Value>,
    /// The message as received.
    pub text: String,
    /// For the reply to an emit (socket.io ack), the emit's label. Acks are matched only by
    /// `Expectation::Ack`, by label, whatever their place in the inbox.
    pub ack_label: Option<String>,
}

/// Whether time is up for the expectation being checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    /// More messages may still arrive before the deadline.
    Running,
    /// The deadline has passed (or the connection is closed): decide now.
    Expired,
}

/// The state of an expectation after a check.
#[derive(Debug, Clone, PartialEq)]
pub enum Progress {
    /// Met; these are the new captures.
    Met(Captures),
    /// Not yet decided: wait for more messages or the deadline.
    Waiting,
    /// Failed.
    Unmet(Unmet),
}

/// Messages received on one connection, with a cursor.
#[derive(Debug, Default)]
pub struct Inbox {
    messages: Vec<InboxMessage>,
    taken: Vec<bool>,
    foreign: Vec<bool>,
    cursor: usize,
}

impl Inbox {
    /// Adds a received message at the end.
    pub fn push(&mut self, message: InboxMessage) {
        self.messages.push(message);
        self.taken.push(false);
        self.foreign.push(false);
    }

    /// Marks the messages from the cursor on that `is_foreign` says belong to another session.
    pub fn mark_foreign(&mut self, is_foreign: impl Fn(&InboxMessage) -> bool) {
        for index in self.cursor..self.messages.len() {
            if !self.taken[index] && !self.foreign[index] && is_foreign(&self.messages[index]) {
                self.foreign[index] = true;
            }
        }
    }

    /// Transcript indices of the messages marked foreign.
    pub fn foreign(&self) -> impl Iterator<Item = usize> + '_ {
        self.messages
            .iter()
            .zip(&self.foreign)
            .filter(|(_, foreign)| **foreign)
            .map(|(message, _)| message.transcript_index)
    }

    /// Indices of the messages from the cursor on that expectations can see: never another
    /// session's, never one already taken (an ack taken by label stays behind no cursor); acks
    /// only where asked (`absent` sees them, `next` and its kin do not).
    fn visible(&self, with_acks: bool) -> Vec<usize> {
        (self.cursor..self.messages.len())
            .filter(|&i| {
                !self.foreign[i]
                    && !self.taken[i]
                    && (with_acks || self.messages[i].ack_label.is_none())
            })
            .collect()
    }

    /// Transcript indices of the messages an expectation took.
    pub fn taken(&self) -> impl Iterator<Item = usize> + '_ {
        self.messages
            .iter()
            .zip(&self.taken)
            .filter(|(_, taken)| **taken)
            .map(|(message, _)| message.transcript_index)
    }

    /// Checks `expectation` against the messages from the cursor on.
    pub fn check(
        &mut self,
        expectation: &Expectation,
        captures: &Captures,
        clock: Clock,
    ) -> Progress {
        match expectation {
            Expectation::Next(pattern) => self.next(pattern, captures, clock),
            Expectation::Eventually(pattern) => self.eventually(pattern, captures, clock),
            Expectation::Unordered(patterns) => self.unordered(patterns, captures, clock),
            Expectation::Absent { pattern, .. } => self.absent(pattern.as_ref(), captures, clock),
            Expectation::Ack { label, args } => self.ack(label, args, captures, clock),
        }
    }

    fn next(&mut self, pattern: &Pattern, captures: &Captures, clock: Clock) -> Progress {
        let Some(&index) = self.visible(false).first() else {
            return match clock {
                Clock::Running => Progress::Waiting,
                Clock::Expired => Progress::Unmet(nothing_arrived(pattern)),
            };
        };
        match try_match(pattern, &self.messages[index], captures) {
            Ok(bindings) => {
                self.take(index);
                Progress::Met(bindings)
            }
            Err(unmet) => Progress::Unmet(unmet),
        }
    }

    fn eventually(&mut self, pattern: &Pattern, captures: &Captures, clock: Clock) -> Progress {
        let mut closest: Option<Unmet> = None;
        for index in self.visible(false) {
            match try_match(pattern, &self.messages[index], captures) {
                Ok(bindings) => {
                    self.take(index);
                    return Progress::Met(bindings);
                }
                Err(unmet) if unmet.scenario_error => return Progress::Unmet(unmet),
                Err(unmet) => closest = Some(closer(closest, unmet)),
            }
        }
        match (clock, closest) {
            (Clock::Running, _) => Progress::Waiting,
            (Clock::Expired, None) => Progress::Unmet(nothing_arrived(pattern)),
            (Clock::Expired, Some(unmet)) => Progress::Unmet(Unmet {
                message: format!(
                    "no message matched {} before the deadline; the closest: {}",
                    matcher::describe(pattern),
                    unmet.message
                ),
                ..unmet
            }),
        }
    }

    fn unordered(&mut self, patterns: &[Pattern], captures: &Captures, clock: Clock) -> Progress {
        let candidates = self.visible(false);
        let mut chosen = Vec::with_capacity(patterns.len());
        let mut bindings = Captures::new();
        if self.assign(patterns, &candidates, captures, &mut chosen, &mut bindings) {
            for &index in &chosen {
                self.take_without_moving(index);
            }
            self.cursor = chosen.iter().max().map_or(self.cursor, |last| last + 1);
            return Progress::Met(bindings);
        }
        match clock {
            Clock::Running => Progress::Waiting,
            Clock::Expired => Progress::Unmet(Unmet::new(format!(
                "the {} expected messages did not all arrive (in any order) before the deadline; expected: {}",
                patterns.len(),
                patterns
                    .iter()
                    .map(matcher::describe)
                    .collect::<Vec<_>>()
                    .join("; ")
            ))),
        }
    }

    /// Backtracking search for distinct messages, one per pattern, in pattern order.
    fn assign(
        &self,
        patterns: &[Pattern],
        candidates: &[usize],
        captures: &Captures,
        chosen: &mut Vec<usize>,
        bindings: &mut Captures,
    ) -> bool {
        let Some((pattern, rest)) = patterns.split_first() else {
            return true;
        };
        for &index in candidates {
            if chosen.contains(&index) {
                continue;
            }
            if let Ok(found) = try_match(pattern, &self.messages[index], captures) {
                chosen.push(index);
                let before = bindings.clone();
                bindings.extend(found);
                if self.assign(rest, candidates, captures, chosen, bindings) {
                    return true;
                }
                *bindings = before;
                chosen.pop();
            }
        }
        false
    }

    fn absent(&self, pattern: Option<&Pattern>, captures: &Captures, clock: Clock) -> Progress {
        for message in self.visible(true).into_iter().map(|i| &self.messages[i]) {
            let hit = match pattern {
                None => true,
                Some(pattern) => match try_match(pattern, message, captures) {
                    Ok(_) => true,
                    Err(unmet) if unmet.scenario_error => return Progress::Unmet(unmet),
                    Err(_) => false,
                },
            };
            if hit {
                return Progress::Unmet(
                    Unmet::new(match pattern {
                        Some(p) => format!(
                            "a message matching {} arrived, but none should",
                            matcher::describe(p)
                        ),
                        None => "a message arrived, but none should".to_owned(),
                    })
                    .with(
                        None,
                        Some("no such message".to_owned()),
                        message.json.clone(),
                    ),
                );
            }
        }
        match clock {
            Clock::Running => Progress::Waiting,
            Clock::Expired => Progress::Met(Captures::new()),
        }
    }

    fn ack(&mut self, label: &str, args: &Pattern, captures: &Captures, clock: Clock) -> Progress {
        let found = (0..self.messages.len())
            .find(|&i| !self.taken[i] && self.messages[i].ack_label.as_deref() == Some(label));
        let Some(index) = found else {
            return match clock {
                Clock::Running => Progress::Waiting,
                Clock::Expired => Progress::Unmet(Unmet::new(format!(
                    "no ack arrived for the emit labelled \"{label}\" before the deadline"
                ))),
            };
        };
        let pattern = Pattern::Object {
            fields: vec![("args".to_owned(), args.clone())],
            exact: false,
        };
        match try_match(&pattern, &self.messages[index], captures) {
            Ok(bindings) => {
                self.take_without_moving(index);
                Progress::Met(bindings)
            }
            Err(unmet) => Progress::Unmet(unmet),
        }
    }

    fn take(&mut self, index: usize) {
        self.take_without_moving(index);
        self.cursor = index + 1;
    }

    fn take_without_moving(&mut self, index: usize) {
        self.taken[index] = true;
    }
}

fn try_match(
    pattern: &Pattern,
    message: &InboxMessage,
    captures: &Captures,
) -> Result<Captures, Unmet> {
    let Some(json) = &message.json else {
        return Err(Unmet::new("the message is not JSON").with(
            Some("$".to_owned()),
            Some(matcher::describe(pattern)),
            None,
        ));
    };
    matcher::matches(pattern, json, captures)
        .map_err(|error| Unmet::from_match("the message", error))
}

fn nothing_arrived(pattern: &Pattern) -> Unmet {
    let expected = matcher::describe(pattern);
    Unmet::new(format!(
        "no message arrived before the deadline; expected {expected}"
    ))
    .with(None, Some(expected), None)
}

/// The more specific of two mismatches: the one deeper in the message.
fn closer(current: Option<Unmet>, candidate: Unmet) -> Unmet {
    let depth = |u: &Unmet| {
        u.path
            .as_deref()
            .map_or(0, |p| p.matches(['.', '[']).count())
    };
    match current {
        Some(current) if depth(&current) >= depth(&candidate) => current,
        _ => candidate,
    }
}

#[cfg(test)]
mod tests;
