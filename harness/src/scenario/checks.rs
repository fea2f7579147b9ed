//! Static checks over a parsed scenario: ids, actors, `${refs}`.
//!
//! - the `id` starts with `<protocol>.`;
//! - every actor a step names is declared (with a "did you mean");
//! - every `expect … ack: label` follows an `emit` that asked for an ack under that label;
//! - every `${name}` a step uses (patterns, `send` messages, `http` path, headers and JSON body,
//!   and an actor's `query`/`auth` at its `connect`) was captured by an EARLIER step, is a
//!   built-in ([`BUILTINS`], and [`ROUND`] inside a `repeat`) or a run variable (`var_<name>`, [`RUN_VARIABLE_PREFIX`], whose
//!   value comes from the profile or `--var` and is checked when the scenario runs). Captures of
//!   a step are visible from the next step on.
//!
//! Raw frames (`text`, `binary`, `raw_body`) are sent as written and are not checked.

use std::collections::BTreeSet;

use serde_json::Value;

use super::error::{ScenarioError, did_you_mean};
use super::model::{Action, Expectation, Outgoing, Scenario, Step};
use crate::matcher::{Pattern, references};

/// Names always defined: `run_id`.
pub const BUILTINS: [&str; 1] = ["run_id"];

/// The name defined inside a `repeat` only: its round, 1-based (the innermost `repeat`'s).
pub const ROUND: &str = "round";

/// References starting with this name run variables: `${var_token_a}` is the run's `token_a`.
pub const RUN_VARIABLE_PREFIX: &str = "var_";

/// Runs every check; every failure is returned, in step order. Names in `maybe_captured` count
/// as captured from the start (what steps that did not parse may capture).
pub fn check(scenario: &Scenario, maybe_captured: &BTreeSet<String>) -> Vec<ScenarioError> {
    let mut errors = Vec::new();
    let prefix = format!("{}.", scenario.protocol);
    if !scenario.id.starts_with(&prefix) || scenario.id.len() == prefix.len() {
        errors.push(ScenarioError::new(
            scenario.location.clone(),
            format!("the id \"{}\" must start with \"{prefix}\"", scenario.id),
        ));
    }
    let mut defined: BTreeSet<String> = BUILTINS.iter().map(|s| (*s).to_owned()).collect();
    defined.extend(maybe_captured.iter().cloned());
    let mut labels: BTreeSet<&str> = BTreeSet::new();
    check_steps(
        scenario,
        &scenario.steps,
        &mut defined,
        &mut labels,
        &mut errors,
    );
    errors
}

/// Checks `steps` in order (the steps of a `repeat` in place: what a round captures is defined
/// for the rest of the round and after it). A name used before any capture is reported once,
/// at its first use.
fn check_steps<'s>(
    scenario: &'s Scenario,
    steps: &'s [Step],
    defined: &mut BTreeSet<String>,
    labels: &mut BTreeSet<&'s str>,
    errors: &mut Vec<ScenarioError>,
) {
    for step in steps {
        if let Action::Repeat { steps, .. } = &step.action {
            let outermost = defined.insert(ROUND.to_owned());
            check_steps(scenario, steps, defined, labels, errors);
            if outermost {
                defined.remove(ROUND);
            }
            continue;
        }
        for actor in step_actors(&step.action) {
            errors.extend(check_actor(scenario, step, actor).err());
        }
        errors.extend(check_ack_label(step, labels).err());
        let mut used = Vec::new();
        let mut captured = Vec::new();
        uses(scenario, &step.action, &mut used, &mut captured);
        for name in used {
            if defined.contains(&name) || name.starts_with(RUN_VARIABLE_PREFIX) {
                continue;
            }
            let hint = did_you_mean(&name, defined.iter().map(String::as_str));
            errors.push(
                ScenarioError::new(
                    step.location.clone(),
                    format!("${{{name}}} is used before any step captures \"{name}\""),
                )
                .with_hint(hint),
            );
            defined.insert(name);
        }
        defined.extend(captured);
    }
}

/// The `${names}` a step uses, in file order (a `connect`: its actors' `query` and `auth`).
pub fn step_references(scenario: &Scenario, action: &Action) -> Vec<String> {
    let (mut used, mut captured) = (Vec::new(), Vec::new());
    uses(scenario, action, &mut used, &mut captured);
    used
}

/// The `${names}` an actor's connection uses (`query`, `auth`), in order.
pub fn actor_references(actor: &super::model::Actor) -> Vec<String> {
    let mut used: Vec<String> = Vec::new();
    for value in actor.query.values() {
        used.extend(references(value).map(str::to_owned));
    }
    if let Some(auth) = &actor.auth {
        value_refs(auth, &mut used);
    }
    used
}

/// An `expect … ack: label` names the label of an earlier emit.
fn check_ack_label<'s>(
    step: &'s Step,
    labels: &mut BTreeSet<&'s str>,
) -> Result<(), ScenarioError> {
    match &step.action {
        Action::Emit(emit) => {
            if let Some(label) = &emit.ack {
                labels.insert(label);
            }
        }
        Action::Expect {
            expectation: Expectation::Ack { label, .. },
            ..
        } if !labels.contains(label.as_str()) => {
            let hint = did_you_mean(label, labels.iter().copied());
            return Err(ScenarioError::new(
                step.location.clone(),
                format!("no earlier emit asks for an ack labelled \"{label}\""),
            )
            .with_hint(hint));
        }
        _ => {}
    }
    Ok(())
}

fn step_actors(action: &Action) -> Vec<&str> {
    match action {
        Action::Connect { actors, .. } | Action::Expect { actors, .. } => {
            actors.iter().map(String::as_str).collect()
        }
        Action::Emit(super::model::EmitStep { actor, .. })
        | Action::AckReply { actor, .. }
        | Action::Disconnect { actor }
        | Action::ExpectClose { actor, .. }
        | Action::Send { actor, .. } => vec![actor.as_str()],
        Action::Http(_) | Action::Sleep(_) | Action::Repeat { .. } => Vec::new(),
    }
}

fn check_actor(scenario: &Scenario, step: &Step, actor: &str) -> Result<(), ScenarioError> {
    if scenario.actors.iter().any(|a| a.name == actor) {
        return Ok(());
    }
    let hint = did_you_mean(actor, scenario.actors.iter().map(|a| a.name.as_str()));
    Err(
        ScenarioError::new(step.location.clone(), format!("unknown actor \"{actor}\""))
            .with_hint(hint),
    )
}

/// The references a step uses and the names it captures.
fn uses(scenario: &Scenario, action: &Action, used: &mut Vec<String>, captured: &mut Vec<String>) {
    let text = |t: &str, used: &mut Vec<String>| used.extend(references(t).map(str::to_owned));
    match action {
        Action::Connect { actors, .. } => {
            for a in scenario.actors.iter().filter(|a| actors.contains(&a.name)) {
                used.extend(actor_references(a));
            }
        }
        Action::Send {
            frame: Outgoing::Json(v),
            ..
        } => value_refs(v, used),
        Action::Http(http) => {
            text(&http.path, used);
            http.headers.values().for_each(|v| text(v, used));
            if let Some(Outgoing::Json(body)) = &http.body {
                value_refs(body, used);
            }
            if let Some(p) = &http.response {
                pattern_refs(p.pattern(), used, captured);
            }
        }
        Action::Emit(emit) => emit.args.iter().for_each(|v| value_refs(v, used)),
        Action::AckReply { to, args, .. } => {
            text(to, used);
            args.iter().for_each(|v| value_refs(v, used));
        }
        Action::Expect { expectation, .. } => match expectation {
            Expectation::Next(p)
            | Expectation::Eventually(p)
            | Expectation::Ack { args: p, .. } => pattern_refs(p, used, captured),
            Expectation::Unordered(ps) => ps.iter().for_each(|p| pattern_refs(p, used, captured)),
            Expectation::Absent { pattern, .. } => {
                pattern.iter().for_each(|p| pattern_refs(p, used, captured))
            }
        },
        Action::Send { .. }
        | Action::Disconnect { .. }
        | Action::ExpectClose { .. }
        | Action::Sleep(_)
        | Action::Repeat { .. } => {}
    }
}

fn value_refs(value: &Value, used: &mut Vec<String>) {
    match value {
        Value::String(s) => used.extend(references(s).map(str::to_owned)),
        Value::Array(items) => items.iter().for_each(|v| value_refs(v, used)),
        Value::Object(map) => map.values().for_each(|v| value_refs(v, used)),
        _ => {}
    }
}

/// The references and captures of a pattern, in file order.
pub fn pattern_refs(pattern: &Pattern, used: &mut Vec<String>, captured: &mut Vec<String>) {
    match pattern {
        Pattern::String(s) => used.extend(references(s).map(str::to_owned)),
        Pattern::Typed {
            capture: Some(name),
            ..
        } => captured.push(name.clone()),
        Pattern::Array(items) | Pattern::OneOf(items) | Pattern::Contains(items) => {
            items.iter().for_each(|p| pattern_refs(p, used, captured));
        }
        Pattern::Object { fields, .. } => fields
            .iter()
            .for_each(|(_, p)| pattern_refs(p, used, captured)),
        Pattern::Mentions { inner, .. } => pattern_refs(inner, used, captured),
        _ => {}
    }
}
