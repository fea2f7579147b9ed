//! `properties:`, what a scenario asserts over its whole transcript rather than at one step:
//! the states a key may move between, and keys only one connection may hold at a time.
//!
//! `wsconform fuzz` writes them into every generated session (a protocol's model declares them),
//! so a shrunk failure reproduces with `wsconform run`; a hand-written scenario may declare them
//! too. Only parsing lives here; the executor checks them when a session ends
//! (`exec/properties.rs`). Keys and states are found by JSON pointer in messages a pattern
//! selects, so no protocol is named.
//!
//! ```yaml
//! properties:
//!   transitions:
//!     - name: a job's state only moves forward
//!       messages: [ { match: { type: JobUpdate }, key: /jobId, state: /job/status } ]
//!       moves: { NEW: [RUNNING, CANCELLED], RUNNING: [DONE, CANCELLED] }
//!   one_holder:
//!     - name: a job is with one worker at a time
//!       taken: { match: { event: work_request }, key: /args/0/id }
//!       released: [ { sent: { emit: job_completed }, key: /args/0/jobId } ]
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use super::error::ScenarioError;
use super::fields::{MapView, error, string_list, text};
use super::patterns::to_pattern;
use super::yaml::Node;
use crate::matcher::Pattern;

/// Everything a scenario's `properties:` declares (empty when it declares none).
#[derive(Debug, Clone, Default)]
pub struct Properties {
    /// Keys whose state may only take the declared moves.
    pub transitions: Vec<Transitions>,
    /// Keys one connection at a time may hold.
    pub one_holder: Vec<OneHolder>,
}

impl Properties {
    /// Whether nothing is declared.
    pub fn is_empty(&self) -> bool {
        self.transitions.is_empty() && self.one_holder.is_empty()
    }
}

/// A key's state, as each connection receives it, only takes allowed moves. Staying in a state
/// is always allowed; a state with no entry in `moves` is final.
#[derive(Debug, Clone)]
pub struct Transitions {
    /// What the property says, for reports.
    pub name: String,
    /// The received messages that carry a key's state.
    pub messages: Vec<StateSource>,
    /// From each state, the states it may move to.
    pub moves: BTreeMap<String, Vec<String>>,
}

/// Messages matching `pattern` carry the state at `state` of the key at `key` (JSON pointers).
#[derive(Debug, Clone)]
pub struct StateSource {
    /// Which received messages.
    pub pattern: Pattern,
    /// The key's pointer.
    pub key: String,
    /// The state's pointer.
    pub state: String,
}

/// A key one connection holds from a message that gives it until a release: a second connection
/// given it meanwhile breaks the property. A connection that closes releases what it held.
#[derive(Debug, Clone)]
pub struct OneHolder {
    /// What the property says, for reports.
    pub name: String,
    /// The received message that gives the key to its receiver.
    pub taken: Keyed,
    /// Messages, of any connection, that release the key.
    pub released: Vec<Release>,
}

/// A pattern and the pointer of the key inside the messages it matches.
#[derive(Debug, Clone)]
pub struct Keyed {
    /// Which messages.
    pub pattern: Pattern,
    /// The key's pointer.
    pub key: String,
}

/// Whether a release is a message sent to the target or received from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// Sent by a connection of the scenario (a worker's report).
    Sent,
    /// Received by a connection of the scenario (a notice that the key moved on).
    Received,
}

/// A message that releases a key.
#[derive(Debug, Clone)]
pub struct Release {
    /// Sent or received.
    pub flow: Flow,
    /// Which messages, and where their key is.
    pub keyed: Keyed,
}

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
