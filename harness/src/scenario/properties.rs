//! `properties:`, what a scenario asserts over its whole transcript rather than at one step:
//! the states a key may move between, and keys only one connection may hold at a time.
//!
//! `wsconform fuzz` writes them into every generated session (a protocol's model declares them),
//! so a shrunk failure reproduces with `wsconform run`; a hand-written scenario may declare them
//! too. Only the types live here: `parse_properties.rs` parses them, and the executor checks
//! them when a session ends (`exec/properties.rs`). Keys and states are found by JSON pointer in
//! messages a pattern selects, so no protocol is named.
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
