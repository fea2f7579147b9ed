//! The YAML node tree of one file to a [`Scenario`]: metadata, actors, then steps.
//!
//! Reads the top-level map (unknown keys are errors with a hint; required keys missing are
//! errors at the map), the actors, and hands each step to [`super::steps`]. The static checks
//! over the whole scenario are in [`super::checks`]. Stops at the first error.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use super::error::{ScenarioError, did_you_mean};
use super::fields::{MapView, duration, error, string_list, text};
use super::model::{Actor, Level, Scenario};
use super::steps::step;
use super::values::to_json;
use super::yaml::{Content, Node};

const TOP_KEYS: [&str; 11] = [
    "id", "title", "protocol", "clause", "level", "tags", "requires", "notes", "timeout", "actors",
    "steps",
];

/// The default wait of expectations.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(2);

/// The scenario in a root node (static checks not included).
pub fn scenario(root: &Node, file: &Path) -> Result<Scenario, ScenarioError> {
    let map = MapView::new(root, file, "a scenario")?;
    map.check_keys(&TOP_KEYS, "a scenario")?;
    let id_node = map.require("id")?;
    let required = |key: &str| map.require(key).and_then(|n| text(n, file, key));
    let id = required("id")?;
    let title = required("title")?;
    let protocol = required("protocol")?;
    let clause = required("clause")?;
    let level = level(map.require("level")?, file)?;
    let actors = actors(map.require("actors")?, file)?;
    let steps_node = map.require("steps")?;
    let list = |key: &str| {
        map.get(key)
            .map(|n| string_list(n, file, key))
            .transpose()
            .map(Option::unwrap_or_default)
    };
    let (tags, requires, notes) = (list("tags")?, list("requires")?, list("notes")?);
    let timeout = match map.get("timeout") {
        Some(node) => duration(node, file, "timeout")?,
        None => DEFAULT_TIMEOUT,
    };
    let Some(items) = steps_node.seq().filter(|_| steps_node.tag.is_none()) else {
        return Err(error(steps_node, file, "\"steps\" must be a list of steps"));
    };
    if items.is_empty() {
        return Err(error(steps_node, file, "\"steps\" is empty"));
    }
    let steps = items
        .iter()
        .map(|item| step(item, file))
        .collect::<Result<_, _>>()?;
    Ok(Scenario {
        id,
        title,
        protocol,
        clause,
        level,
        tags,
        requires,
        notes,
        timeout,
        actors,
        steps,
        location: map
            .entries
            .iter()
            .find(|(k, _)| k.scalar() == Some("id"))
            .map_or_else(|| id_node.location(file), |(k, _)| k.location(file)),
    })
}

fn level(node: &Node, file: &Path) -> Result<Level, ScenarioError> {
    let written = text(node, file, "level")?;
    let levels = [Level::Must, Level::Should, Level::May];
    levels
        .into_iter()
        .find(|l| l.as_str() == written)
        .ok_or_else(|| {
            error(node, file, format!("unknown level \"{written}\""))
                .with_hint(did_you_mean(&written, levels.iter().map(|l| l.as_str())))
        })
}

fn actors(node: &Node, file: &Path) -> Result<Vec<Actor>, ScenarioError> {
    let map = MapView::new(node, file, "\"actors\"")?;
    if map.entries.is_empty() {
        return Err(error(node, file, "\"actors\" is empty"));
    }
    map.entries
        .iter()
        .map(|(name, value)| actor(name, value, file))
        .collect()
}

fn actor(name: &Node, value: &Node, file: &Path) -> Result<Actor, ScenarioError> {
    let name = text(name, file, "actor name")?;
    let mut actor = Actor {
        name,
        query: BTreeMap::new(),
        auth: None,
    };
    if matches!(&value.content, Content::Scalar { text, plain: true } if text.is_empty() || text == "~" || text == "null")
        && value.tag.is_none()
    {
        return Ok(actor);
    }
    let map = MapView::new(value, file, "an actor")?;
    map.check_keys(&["query", "auth"], "an actor")?;
    if let Some(query) = map.get("query") {
        let query = MapView::new(query, file, "\"query\"")?;
        for (key, value) in query.entries {
            let key = text(key, file, "query parameter")?;
            let value = match value.scalar() {
                Some(text) if value.tag.is_none() => text.to_owned(),
                _ => text(value, file, &key)?,
            };
            actor.query.insert(key, value);
        }
    }
    actor.auth = map
        .get("auth")
        .map(|auth| to_json(auth, file))
        .transpose()?;
    Ok(actor)
}
