//! Telling a scenario's own messages from other sessions' traffic on a shared target.
//!
//! Some protocols push every event to every client (ark), so a scenario run against a shared
//! server also receives what earlier or parallel scenarios caused (an agent registered three
//! scenarios ago goes offline now). Each session registers its markers: its `${run_id}` and every
//! string it captures (server ids). A message is *foreign* when it mentions another session's
//! marker and none of this session's. Foreign messages are still recorded and schema-checked,
//! but expectations do not see them. A message that mentions nobody's marker is never foreign,
//! so an `absent` check still catches an event the target should not have sent.

use std::sync::{Arc, RwLock};

use serde_json::Value;

use crate::matcher::Captures;

/// Markers shorter than this are too likely to occur by chance ("ASA", "ok").
const MIN_MARKER_LEN: usize = 8;

/// The markers of every session of a run, shared between them.
#[derive(Debug, Clone, Default)]
pub struct Markers(Arc<RwLock<Vec<(String, String)>>>);

impl Markers {
    /// Registers `value` as a marker of the session `owner` (its run id).
    pub fn add(&self, owner: &str, value: &str) {
        if value.len() < MIN_MARKER_LEN {
            return;
        }
        if let Ok(mut markers) = self.0.write()
            && !markers.iter().any(|(o, m)| o == owner && m == value)
        {
            markers.push((owner.to_owned(), value.to_owned()));
        }
    }

    /// Registers every string value of `captures` as markers of `owner`.
    pub fn add_captures(&self, owner: &str, captures: &Captures) {
        for (_, value) in captures.iter() {
            if let Value::String(text) = value {
                self.add(owner, text);
            }
        }
    }

    /// Whether `text` belongs to another session than `owner`.
    pub fn is_foreign(&self, owner: &str, text: &str) -> bool {
        let Ok(markers) = self.0.read() else {
            return false;
        };
        let mut others = false;
        for (session, marker) in markers.iter() {
            if text.contains(marker.as_str()) {
                if session == owner {
                    return false;
                }
                others = true;
            }
        }
        others
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_is_foreign_only_if_it_names_another_session_and_not_this_one() {
        let markers = Markers::default();
        markers.add("run-aaaaaa", "run-aaaaaa");
        markers.add("run-aaaaaa", "11111111-aaaa");
        markers.add("run-bbbbbb", "run-bbbbbb");
        markers.add("run-bbbbbb", "ASA"); // too short to be a marker
        assert!(markers.is_foreign("run-bbbbbb", r#"{"jobId":"11111111-aaaa"}"#));
        assert!(!markers.is_foreign("run-aaaaaa", r#"{"jobId":"11111111-aaaa"}"#));
        assert!(!markers.is_foreign(
            "run-bbbbbb",
            r#"{"jobId":"11111111-aaaa","agentId":"agent-run-bbbbbb"}"#
        ));
        assert!(!markers.is_foreign(
            "run-bbbbbb",
            r#"{"gameType":"ASA","jobId":"unknown-origin"}"#
        ));
    }
}
