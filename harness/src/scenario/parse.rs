//! The YAML node tree of one file to a [`Scenario`]: metadata, actors, then steps.
//!
//! Reads the top-level map (unknown keys are errors with a hint; required keys missing are
//! errors at the map), the actors, and hands each step to [`super::steps`]. The static checks
//! over the whole scenario are in [`super::checks`]. Collects what it can: every unknown
//! top-level key and every broken step is its own error; the metadata and the actors stop at
//! their first.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::Duration;

use super::error::{ScenarioError, did_you_mean};
use super::fields::{MapView, duration, error, string_list, text};
use super::model::{Actor, Level, Scenario};
use super::steps::step;
use super::values::to_json;
use super::yaml::{Content, Node};

const TOP_KEYS: [&str; 13] = [
    "id",
    "title",
    "protocol",
    "clause",
    "level",
    "tags",
    "requires",
    "notes",
    "timeout",
    "actors",
    "ignore",
    "properties",
    "steps",
];

/// The default wait of expectations.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(2);

/// What parsing one file gave: the scenario if its metadata and actors parsed (with the steps
/// that parsed), and every error found on the way.
pub struct Parsed {
    /// The scenario, unless its metadata or actors are wrong.
    pub scenario: Option<Scenario>,
    /// Every error, in the order found.
    pub errors: Vec<ScenarioError>,
    /// Names a step that did not parse may capture (the text of its tagged scalars): the
    /// reference checks count them as captured, so one broken step does not make its
    /// captures' later uses errors too.
    pub maybe_captured: BTreeSet<String>,
}

/// The scenario in a root node (static checks not included). Unknown top-level keys and each
/// broken step are separate errors; a wrong field of the metadata or an actor stops at the
/// first error of its part.
pub fn scenario(root: &Node, file: &Path) -> Parsed {
    let mut parsed = Parsed {
        scenario: None,
        errors: Vec::new(),
        maybe_captured: BTreeSet::new(),
    };
    let map = match MapView::new(root, file, "a scenario") {
        Ok(map) => map,
        Err(error) => {
            parsed.errors.push(error);
            return parsed;
        }
    };
    parsed
        .errors
        .extend(map.unknown_keys(&TOP_KEYS, "a scenario"));
    let head = metadata(&map, file).map_err(|error| parsed.errors.push(error));
    let steps = steps(&map, file, &mut parsed);
    if let (Ok(head), Some(steps)) = (head, steps) {
        parsed.scenario = Some(Scenario { steps, ..head });
    }
    parsed
}

/// Everything but the steps (left empty).
fn metadata(map: &MapView<'_>, file: &Path) -> Result<Scenario, ScenarioError> {
    let id_node = map.require("id")?;
    let required = |key: &str| map.require(key).and_then(|n| text(n, file, key));
    let id = required("id")?;
    let title = required("title")?;
    let protocol = required("protocol")?;
    let clause = required("clause")?;
    let level = level(map.require("level")?, file)?;
    let actors = actors(map.require("actors")?, file)?;
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
    let ignore = match map.get("ignore") {
        Some(node) => ignore_list(node, file)?,
        None => Vec::new(),
    };
    let properties = match map.get("properties") {
        Some(node) => super::parse_properties::properties(node, file)?,
        None => Default::default(),
    };
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
        ignore,
        properties,
        steps: Vec::new(),
        location: map
            .entries
            .iter()
            .find(|(k, _)| k.scalar() == Some("id"))
            .map_or_else(|| id_node.location(file), |(k, _)| k.location(file)),
    })
}

/// `ignore:`, a list of patterns.
fn ignore_list(node: &Node, file: &Path) -> Result<Vec<super::Pattern>, ScenarioError> {
    let Some(items) = node.seq().filter(|_| node.tag.is_none()) else {
        return Err(error(
            node,
            file,
            "\"ignore\" must be a list of message patterns",
        ));
    };
    items
        .iter()
        .map(|item| super::patterns::to_pattern(item, file))
        .collect()
}

/// The steps that parse; each one that does not is an error in `parsed` (`None`: no list).
fn steps(map: &MapView<'_>, file: &Path, parsed: &mut Parsed) -> Option<Vec<super::model::Step>> {
    let steps_node = match map.require("steps") {
        Ok(node) => node,
        Err(error) => {
            parsed.errors.push(error);
            return None;
        }
    };
    let Some(items) = steps_node.seq().filter(|_| steps_node.tag.is_none()) else {
        let message = "\"steps\" must be a list of steps";
        parsed.errors.push(error(steps_node, file, message));
        return None;
    };
    if items.is_empty() {
        parsed
            .errors
            .push(error(steps_node, file, "\"steps\" is empty"));
        return None;
    }
    let mut steps = Vec::with_capacity(items.len());
    for item in items {
        match step(item, file) {
            Ok(step) => steps.push(step),
            Err(error) => {
                parsed.errors.push(error);
                tagged_words(item, &mut parsed.maybe_captured);
            }
        }
    }
    Some(steps)
}

/// Every word of every tagged scalar under `node` (`!uuid job` gives `job`).
fn tagged_words(node: &Node, out: &mut BTreeSet<String>) {
    match &node.content {
        Content::Scalar { text, .. } if node.tag.is_some() => {
            out.extend(text.split_whitespace().map(str::to_owned));
        }
        Content::Scalar { .. } => {}
        Content::Seq(items) => items.iter().for_each(|n| tagged_words(n, out)),
        Content::Map(entries) => entries.iter().for_each(|(_, v)| tagged_words(v, out)),
    }
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
