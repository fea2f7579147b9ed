//! Parses a scenario's `properties:` (see `properties.rs` for what they mean) into
//! [`Properties`]. Kept apart from the types so that the scenario model, which holds
//! `Properties`, does not depend on the parser's helpers (that made an import circle).

use std::collections::BTreeMap;
use std::path::Path;

use super::error::ScenarioError;
use super::fields::{MapView, error, string_list, text};
use super::patterns::to_pattern;
use super::properties::{Flow, Keyed, OneHolder, Properties, Release, StateSource, Transitions};
use super::yaml::Node;

/// `properties:`.
pub fn properties(node: &Node, file: &Path) -> Result<Properties, ScenarioError> {
    let map = MapView::new(node, file, "properties")?;
    map.check_keys(&["transitions", "one_holder"], "properties")?;
    let mut out = Properties::default();
    for item in list(map.get("transitions"), file, "transitions")? {
        out.transitions.push(transitions(item, file)?);
    }
    for item in list(map.get("one_holder"), file, "one_holder")? {
        out.one_holder.push(one_holder(item, file)?);
    }
    Ok(out)
}

fn list<'n>(node: Option<&'n Node>, file: &Path, what: &str) -> Result<&'n [Node], ScenarioError> {
    match node {
        None => Ok(&[]),
        Some(node) => node
            .seq()
            .filter(|_| node.tag.is_none())
            .ok_or_else(|| error(node, file, format!("\"{what}\" must be a list"))),
    }
}

fn transitions(node: &Node, file: &Path) -> Result<Transitions, ScenarioError> {
    let map = MapView::new(node, file, "a transitions property")?;
    map.check_keys(&["name", "messages", "moves"], "a transitions property")?;
    let name = text(map.require("name")?, file, "name")?;
    let mut messages = Vec::new();
    for item in list(Some(map.require("messages")?), file, "messages")? {
        let source = MapView::new(item, file, "a state source")?;
        source.check_keys(&["match", "key", "state"], "a state source")?;
        messages.push(StateSource {
            pattern: to_pattern(source.require("match")?, file)?,
            key: pointer(source.require("key")?, file, "key")?,
            state: pointer(source.require("state")?, file, "state")?,
        });
    }
    let moves_node = map.require("moves")?;
    let moves_map = MapView::new(moves_node, file, "moves")?;
    let mut moves = BTreeMap::new();
    for (from, to) in moves_map.entries {
        let from = text(from, file, "a state")?;
        moves.insert(from, string_list(to, file, "the states it may move to")?);
    }
    Ok(Transitions {
        name,
        messages,
        moves,
    })
}

fn one_holder(node: &Node, file: &Path) -> Result<OneHolder, ScenarioError> {
    let map = MapView::new(node, file, "a one_holder property")?;
    map.check_keys(&["name", "taken", "released"], "a one_holder property")?;
    let name = text(map.require("name")?, file, "name")?;
    let taken_node = map.require("taken")?;
    let taken_map = MapView::new(taken_node, file, "taken")?;
    taken_map.check_keys(&["match", "key"], "taken")?;
    let taken = keyed(&taken_map, "match", file)?;
    let mut released = Vec::new();
    for item in list(map.get("released"), file, "released")? {
        let release = MapView::new(item, file, "a release")?;
        release.check_keys(&["sent", "received", "key"], "a release")?;
        let flow = match (release.get("sent"), release.get("received")) {
            (Some(_), None) => Flow::Sent,
            (None, Some(_)) => Flow::Received,
            _ => {
                let message = "a release names exactly one of \"sent\" and \"received\"";
                return Err(error(item, file, message));
            }
        };
        let word = if flow == Flow::Sent {
            "sent"
        } else {
            "received"
        };
        released.push(Release {
            flow,
            keyed: keyed(&release, word, file)?,
        });
    }
    Ok(OneHolder {
        name,
        taken,
        released,
    })
}

fn keyed(map: &MapView<'_>, pattern_key: &str, file: &Path) -> Result<Keyed, ScenarioError> {
    Ok(Keyed {
        pattern: to_pattern(map.require(pattern_key)?, file)?,
        key: pointer(map.require("key")?, file, "key")?,
    })
}

/// A JSON pointer (`/job/status`; `""` is the whole message).
fn pointer(node: &Node, file: &Path, what: &str) -> Result<String, ScenarioError> {
    let written = text(node, file, what)?;
    if written.is_empty() || written.starts_with('/') {
        Ok(written)
    } else {
        let message = format!("\"{what}\" must be a JSON pointer such as /job/status");
        Err(error(node, file, message))
    }
}
