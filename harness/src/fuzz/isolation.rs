//! The isolation property over a run's transcript: no value kept by one role's actor (a job id
//! another customer's request returned) reaches an actor of another role.
//!
//! The values are found again from the file itself, in operation order, so nothing here depends
//! on the executor's internals: a socket.io answer's pattern (the `expect … ack` step) is matched
//! against the ack the transcript holds; another answer's (an `expect` of a message) against the
//! first message of its actor that no earlier answer took and that gives the capture. Only
//! strings of [`MIN_VALUE_LEN`] characters or more count: a short value can occur by chance.

use serde_json::Value;

use super::render::Rendered;
use crate::matcher::{self, Captures, Pattern};
use crate::report::model::{Direction, ScenarioResult};
use crate::scenario::model::{Action, Expectation, Scenario};

/// Shorter values are not tracked ("ok", small numbers).
pub const MIN_VALUE_LEN: usize = 8;

/// A value of one role that reached another.
#[derive(Debug, Clone, PartialEq)]
pub struct Leak {
    /// The actor that received it.
    pub receiver: String,
    /// That actor's role.
    pub receiver_role: String,
    /// The capture that holds the value (`job3`).
    pub capture: String,
    /// The value.
    pub value: Value,
    /// The role it belongs to.
    pub owner: String,
    /// The operation whose answer carried it to the receiver, when it came as an answer, and
    /// that answer's number of arguments.
    pub in_answer_of: Option<(usize, usize)>,
    /// The message, as received.
    pub message: String,
}

/// Every leak in `result`, the run of `scenario` as `rendered` describes it; `pools` are the
/// isolated pools.
pub fn leaks(
    rendered: &Rendered,
    scenario: &Scenario,
    result: &ScenarioResult,
    pools: &[String],
) -> Vec<Leak> {
    let received = received(result);
    let values = kept_values(rendered, scenario, &received, pools);
    let mut found = Vec::new();
    for (actor, message) in &received {
        let Some(receiver_role) = role_of(rendered, actor) else {
            continue;
        };
        for (capture, owner, value) in &values {
            let shared = values
                .iter()
                .any(|(_, role, v)| role == receiver_role && v == value);
            // A value the receiver itself sent (asking for another party's job) may come back.
            let own = rendered
                .sent
                .iter()
                .any(|(a, c)| a == actor && c == capture);
            if owner == receiver_role || shared || own || !mentions(message, value) {
                continue;
            }
            found.push(Leak {
                receiver: actor.clone(),
                receiver_role: receiver_role.clone(),
                capture: capture.clone(),
                value: value.clone(),
                owner: owner.clone(),
                in_answer_of: answer_number(message).map(|n| (n, argument_count(message))),
                message: message.to_string(),
            });
        }
    }
    found
}

/// Every message received, in order, with its actor.
fn received(result: &ScenarioResult) -> Vec<(String, Value)> {
    result
        .transcript
        .iter()
        .filter(|e| e.direction == Direction::Received)
        .filter_map(|e| Some((e.actor.clone(), serde_json::from_str(&e.text).ok()?)))
        .collect()
}

fn role_of<'r>(rendered: &'r Rendered, actor: &str) -> Option<&'r String> {
    rendered
        .roles
        .iter()
        .find(|(name, _)| name == actor)
        .map(|(_, role)| role)
}

/// (capture, role, value) of every kept value of an isolated pool that is long enough.
fn kept_values(
    rendered: &Rendered,
    scenario: &Scenario,
    received: &[(String, Value)],
    pools: &[String],
) -> Vec<(String, String, Value)> {
    let mut known = Captures::new();
    let mut taken = vec![false; received.len()];
    let mut out = Vec::new();
    for kept in &rendered.kept {
        let label = format!("op{}", kept.operation);
        let made = match answer_step(scenario, &label) {
            Some((actor, pattern)) => ack_captures(received, &actor, &label, pattern, &known),
            None => message_captures(scenario, received, &mut taken, &kept.capture, &known),
        };
        let Some(made) = made else { continue };
        known.extend(made);
        let Some(value) = known.get(&kept.capture).cloned() else {
            continue;
        };
        let long = value.as_str().is_some_and(|s| s.len() >= MIN_VALUE_LEN);
        if long && pools.contains(&kept.pool) {
            out.push((kept.capture.clone(), kept.role.clone(), value));
        }
    }
    out
}

/// The captures of the ack labelled `label` that `actor` received, matched with `pattern`.
fn ack_captures(
    received: &[(String, Value)],
    actor: &str,
    label: &str,
    pattern: &Pattern,
    known: &Captures,
) -> Option<Captures> {
    let (_, message) = received
        .iter()
        .find(|(a, m)| a == actor && m.get("ack").and_then(Value::as_str) == Some(label))?;
    let args = message.get("args").cloned().unwrap_or(Value::Null);
    matcher::matches(pattern, &args, known).ok()
}

/// The captures of the first message not yet `taken` that an `expect` step's pattern matches,
/// for its actor, giving `capture`; that message is taken.
fn message_captures(
    scenario: &Scenario,
    received: &[(String, Value)],
    taken: &mut [bool],
    capture: &str,
    known: &Captures,
) -> Option<Captures> {
    for (actor, pattern) in message_steps(scenario) {
        for (index, (a, message)) in received.iter().enumerate() {
            if taken[index] || *a != actor {
                continue;
            }
            let Ok(made) = matcher::matches(pattern, message, known) else {
                continue;
            };
            if made.get(capture).is_some() {
                taken[index] = true;
                return Some(made);
            }
        }
    }
    None
}

/// The actor and pattern of the `expect … ack: label` step.
fn answer_step<'s>(scenario: &'s Scenario, label: &str) -> Option<(String, &'s Pattern)> {
    scenario
        .numbered_steps()
        .into_iter()
        .find_map(|step| match &step.action {
            Action::Expect {
                actors,
                expectation: Expectation::Ack { label: l, args },
                ..
            } if l == label => Some((actors.first()?.clone(), args)),
            _ => None,
        })
}

/// The actor and pattern of every step that expects one message (`next` or `eventually`).
fn message_steps(scenario: &Scenario) -> Vec<(String, &Pattern)> {
    scenario
        .numbered_steps()
        .into_iter()
        .filter_map(|step| match &step.action {
            Action::Expect {
                actors,
                expectation: Expectation::Next(pattern) | Expectation::Eventually(pattern),
                ..
            } => Some((actors.first()?.clone(), pattern)),
            _ => None,
        })
        .collect()
}

/// The operation whose ack this message is (`{"ack": "op3", …}` → 3).
fn answer_number(message: &Value) -> Option<usize> {
    message
        .get("ack")?
        .as_str()?
        .strip_prefix("op")?
        .parse()
        .ok()
}

fn argument_count(message: &Value) -> usize {
    message
        .get("args")
        .and_then(Value::as_array)
        .map_or(1, Vec::len)
}

/// Whether `value` is anywhere inside `message`, as `!mentions` sees it (equal values).
fn mentions(message: &Value, value: &Value) -> bool {
    match (message, value) {
        (Value::Array(items), _) => items.iter().any(|m| mentions(m, value)),
        (Value::Object(map), _) => map.values().any(|m| mentions(m, value)),
        (m, v) => m == v,
    }
}

#[cfg(test)]
#[path = "isolation_tests.rs"]
mod tests;
