//! Reading typed fields out of YAML maps, with errors at the right place.
//!
//! [`MapView`] looks keys up in a map node, reports missing required keys at the map's place and
//! unknown keys at the key's place (with a "did you mean"). The free functions read one scalar
//! field as text, a list of strings, a duration, a status/close code. Nothing here knows what a
//! scenario is.

use std::path::Path;
use std::time::Duration;

use super::error::{ScenarioError, did_you_mean};
use super::parse_duration;
use super::values::resolve_scalar;
use super::yaml::{Content, Node};

/// A map node being read.
pub struct MapView<'a> {
    /// The map node itself.
    pub node: &'a Node,
    /// Its entries.
    pub entries: &'a [(Node, Node)],
    /// The file, for locations.
    pub file: &'a Path,
}

impl<'a> MapView<'a> {
    /// Views `node` as a map; `what` names it in the error if it is not one.
    pub fn new(node: &'a Node, file: &'a Path, what: &str) -> Result<Self, ScenarioError> {
        match &node.content {
            Content::Map(entries) if node.tag.is_none() => Ok(MapView {
                node,
                entries,
                file,
            }),
            _ => Err(error(
                node,
                file,
                format!("{what} must be a map, not {}", node.kind_name()),
            )),
        }
    }

    /// The value of `key`, if present.
    pub fn get(&self, key: &str) -> Option<&'a Node> {
        self.entries
            .iter()
            .find(|(k, _)| k.scalar() == Some(key))
            .map(|(_, v)| v)
    }

    /// The value of `key`; missing is an error at the map's place.
    pub fn require(&self, key: &str) -> Result<&'a Node, ScenarioError> {
        self.get(key).ok_or_else(|| {
            error(
                self.node,
                self.file,
                format!("missing required field \"{key}\""),
            )
        })
    }

    /// Every key must be one of `allowed`; `what` names the map in the error (the first
    /// unknown key).
    pub fn check_keys(&self, allowed: &[&str], what: &str) -> Result<(), ScenarioError> {
        match self.unknown_keys(allowed, what).into_iter().next() {
            Some(error) => Err(error),
            None => Ok(()),
        }
    }

    /// An error for every key that is not one of `allowed`, in file order.
    pub fn unknown_keys(&self, allowed: &[&str], what: &str) -> Vec<ScenarioError> {
        let mut errors = Vec::new();
        for (key, _) in self.entries {
            let name = key.scalar().unwrap_or_default();
            if !allowed.contains(&name) {
                let hint = did_you_mean(name, allowed.iter().copied());
                errors.push(
                    error(
                        key,
                        self.file,
                        format!("unknown field \"{name}\" in {what}"),
                    )
                    .with_hint(hint),
                );
            }
        }
        errors
    }
}

/// An error at a node.
pub fn error(node: &Node, file: &Path, message: impl Into<String>) -> ScenarioError {
    ScenarioError::new(node.location(file), message)
}

/// The text of an untagged, non-empty scalar (numbers and booleans as written).
pub fn text(node: &Node, file: &Path, what: &str) -> Result<String, ScenarioError> {
    match &node.content {
        Content::Scalar { text, .. } if node.tag.is_none() && !text.is_empty() => Ok(text.clone()),
        Content::Scalar { .. } if node.tag.is_none() => {
            Err(error(node, file, format!("\"{what}\" is empty")))
        }
        _ => Err(error(
            node,
            file,
            format!("\"{what}\" must be a string, not {}", describe(node)),
        )),
    }
}

fn describe(node: &Node) -> &'static str {
    match node.tag {
        Some(_) => "a tagged value",
        None => node.kind_name(),
    }
}

/// A list of strings (a single string is a one-item list).
pub fn string_list(node: &Node, file: &Path, what: &str) -> Result<Vec<String>, ScenarioError> {
    match &node.content {
        Content::Seq(items) if node.tag.is_none() => {
            items.iter().map(|i| text(i, file, what)).collect()
        }
        _ => Ok(vec![text(node, file, what)?]),
    }
}

/// A duration such as `250ms`, `2s`, `1.5s`, `1m`.
pub fn duration(node: &Node, file: &Path, what: &str) -> Result<Duration, ScenarioError> {
    let written = text(node, file, what)?;
    parse_duration(&written).ok_or_else(|| {
        error(
            node,
            file,
            format!("\"{what}\" is not a duration: \"{written}\""),
        )
        .with_hint(Some("write it like 250ms, 2s, 1.5s or 1m".into()))
    })
}

/// An integer within `range` (a status or close code).
pub fn integer<T>(
    node: &Node,
    file: &Path,
    what: &str,
    range: std::ops::RangeInclusive<T>,
) -> Result<T, ScenarioError>
where
    T: TryFrom<u64> + PartialOrd + std::fmt::Display + Copy,
{
    let value = match &node.content {
        Content::Scalar { text, plain } if node.tag.is_none() => {
            resolve_scalar(node, text, *plain, file)?
        }
        _ => serde_json::Value::Null,
    };
    value
        .as_u64()
        .and_then(|v| T::try_from(v).ok())
        .filter(|v| range.contains(v))
        .ok_or_else(|| {
            let (lo, hi) = (range.start(), range.end());
            error(
                node,
                file,
                format!("\"{what}\" must be an integer from {lo} to {hi}"),
            )
        })
}
