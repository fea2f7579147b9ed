//! The socket.io steps: `emit` (optionally asking for an ack under a label), `ack` (answering
//! an ack the target asked for) and the `ack:` form of `expect`.
//!
//! Only shapes are checked here; whether labels and actors exist is [`super::checks`]' job.

use std::path::Path;

use serde_json::Value;

use super::error::ScenarioError;
use super::fields::{MapView, duration, error, text};
use super::model::{Action, EmitStep, Expectation};
use super::patterns::to_pattern;
use super::values::to_json;
use super::yaml::Node;

/// `- emit: A` with `event`, `args?`, `ack?`.
pub fn emit(map: &MapView<'_>, value: &Node) -> Result<Action, ScenarioError> {
    let file = map.file;
    map.check_keys(&["emit", "event", "args", "ack"], "an emit step")?;
    Ok(Action::Emit(EmitStep {
        actor: text(value, file, "emit")?,
        event: text(map.require("event")?, file, "event")?,
        args: args(map, file)?,
        ack: map.get("ack").map(|n| text(n, file, "ack")).transpose()?,
    }))
}

/// `- ack: A` with `to` and `args?`.
pub fn ack_reply(map: &MapView<'_>, value: &Node) -> Result<Action, ScenarioError> {
    let file = map.file;
    map.check_keys(&["ack", "to", "args"], "an ack step")?;
    Ok(Action::AckReply {
        actor: text(value, file, "ack")?,
        to: text(map.require("to")?, file, "to")?,
        args: args(map, file)?,
    })
}

/// `- expect: A` with `ack: label`, `args` and `timeout?`.
pub fn expect_ack(map: &MapView<'_>, actors: Vec<String>) -> Result<Action, ScenarioError> {
    let file = map.file;
    map.check_keys(
        &["expect", "ack", "args", "timeout"],
        "an expect step with \"ack\"",
    )?;
    let args = map.require("args")?;
    if args.seq().is_none() || args.tag.is_some() {
        return Err(error(
            args,
            file,
            "\"args\" of an ack is the list of its arguments",
        ));
    }
    Ok(Action::Expect {
        actors,
        expectation: Expectation::Ack {
            label: text(map.require("ack")?, file, "ack")?,
            args: to_pattern(args, file)?,
        },
        timeout: map
            .get("timeout")
            .map(|n| duration(n, file, "timeout"))
            .transpose()?,
    })
}

fn args(map: &MapView<'_>, file: &Path) -> Result<Vec<Value>, ScenarioError> {
    match map.get("args") {
        None => Ok(Vec::new()),
        Some(node) => match to_json(node, file)? {
            Value::Array(items) => Ok(items),
            _ => Err(error(
                node,
                file,
                "\"args\" must be a list of the event's arguments",
            )),
        },
    }
}
