//! Telling a session's own messages from other sessions' traffic on a shared target.
//!
//! Some protocols push every event to every client (ark), so a session on a shared server also
//! receives what earlier or parallel sessions caused (an agent registered three scenarios ago
//! goes offline now). Each session has [`SessionMarkers`]: its `${run_id}` and every string it
//! captures (server ids), cut into *tokens* (runs of letters and digits of at least
//! [`MIN_TOKEN_LEN`] characters). A message is *foreign* when one of its string values holds a
//! token of another live or recently ended session and none of this session's. A message that
//! names nobody's token is never foreign, so an `absent` check still catches an event the target
//! should not have sent.
//!
//! Another wsconform process on the same server (a run a moment ago whose agent goes offline now)
//! has no entry in this run's index, so run ids have a shape of their own ([`new_run_id`]:
//! `wc` and 8 hex digits, which no UUID or hex id contains) and a token holding one that is not
//! this session's counts as another session's.
//!
//! The [`MarkerIndex`] maps tokens to the sessions that own them and is shared by a run's
//! sessions; lookups are by token (a hash lookup per token of the message), never a scan of all
//! markers. A session's tokens are its own until it ends, then linger for
//! [`MarkerIndex::linger`] (events it caused may still arrive) and are removed.
//!
//! A session may be labelled with its scenario's id, so that a message found foreign can be
//! traced back to the sessions whose tokens it holds ([`MarkerIndex::owners_of_text`]); the
//! index also keeps the run's ledger of such messages ([`Overheard`]), which the runner turns
//! into leaks of the scenarios that caused them.

use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::report::model::DeviationUse;

/// Tokens shorter than this are too likely to occur by chance ("ASA", "agent", "ok").
pub const MIN_TOKEN_LEN: usize = 8;

/// How long an ended session's tokens still mark its traffic, by default.
pub const DEFAULT_LINGER: Duration = Duration::from_secs(30);

/// What a run id starts with; not a hex digit, so no hex id (a UUID's parts) holds it.
const RUN_ID_PREFIX: &str = "wc";

/// Hex digits after [`RUN_ID_PREFIX`].
const RUN_ID_DIGITS: usize = 8;

/// A fresh value for `${run_id}`: `wc` and 8 random hex digits.
pub fn new_run_id() -> String {
    let random = uuid::Uuid::new_v4().simple().to_string();
    format!("{RUN_ID_PREFIX}{}", &random[..RUN_ID_DIGITS])
}

/// The parts of `token` shaped like a run id (of any run, this one's included).
fn run_ids_in(token: &str) -> impl Iterator<Item = &str> {
    let width = RUN_ID_PREFIX.len() + RUN_ID_DIGITS;
    (0..(token.len() + 1).saturating_sub(width))
        .filter_map(move |start| token.get(start..start + width))
        .filter(|window| {
            window.starts_with(RUN_ID_PREFIX)
                && window[RUN_ID_PREFIX.len()..]
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        })
}

/// The tokens of every session of a run.
#[derive(Debug)]
pub struct MarkerIndex {
    state: RwLock<IndexState>,
    linger: Duration,
    overheard: Mutex<Vec<Overheard>>,
}

/// A message one session received that named another session's tokens: on a protocol that does
/// not broadcast, a message delivered to the wrong connection, which the run reports under the
/// session that caused it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overheard {
    /// The label of the session the message belongs to.
    pub owner: String,
    /// The label of the session that received it.
    pub heard_by: String,
    /// The receiving session's actor (connection).
    pub actor: String,
    /// The message's type, where the profile finds one.
    pub kind: Option<String>,
    /// The message as the receiving session's transcript shows it.
    pub text: String,
    /// The target's declared deviation that sends such messages to every connection, if any:
    /// the copy is then a use of it, not a leak.
    pub declared: Option<DeviationUse>,
}

#[derive(Debug, Default)]
struct IndexState {
    owners: HashMap<Box<str>, Vec<u64>>,
    /// What each labelled session is called (a scenario id), until its tokens go.
    labels: HashMap<u64, Box<str>>,
    next_session: u64,
    /// Ended sessions whose tokens go at the given time.
    ended: VecDeque<(Instant, u64, Vec<Box<str>>)>,
}

impl Default for MarkerIndex {
    fn default() -> Self {
        MarkerIndex::new(DEFAULT_LINGER)
    }
}

impl MarkerIndex {
    /// An empty index whose ended sessions' tokens linger for `linger`.
    pub fn new(linger: Duration) -> MarkerIndex {
        MarkerIndex {
            state: RwLock::new(IndexState::default()),
            linger,
            overheard: Mutex::new(Vec::new()),
        }
    }

    /// How long an ended session's tokens linger.
    pub fn linger(&self) -> Duration {
        self.linger
    }

    /// Markers for a new session without a label.
    pub fn session(self: &Arc<Self>) -> SessionMarkers {
        self.session_labelled("")
    }

    /// Markers for a new session called `label` (its scenario's id), so that messages naming its
    /// tokens can be traced back to it ([`owners_of_text`](Self::owners_of_text)).
    pub fn session_labelled(self: &Arc<Self>, label: &str) -> SessionMarkers {
        let id = match self.state.write() {
            Ok(mut state) => {
                state.next_session += 1;
                let id = state.next_session;
                if !label.is_empty() {
                    state.labels.insert(id, label.into());
                }
                id
            }
            Err(_) => 0,
        };
        SessionMarkers {
            index: Arc::clone(self),
            id,
            own: HashSet::new(),
        }
    }

    /// The labels of the sessions other than `except` whose tokens `text` holds.
    pub fn owners_of_text(&self, text: &str, except: u64) -> BTreeSet<String> {
        let Ok(state) = self.state.read() else {
            return BTreeSet::new();
        };
        tokens(text)
            .filter_map(|token| state.owners.get(token))
            .flatten()
            .filter(|&&owner| owner != except)
            .filter_map(|owner| state.labels.get(owner))
            .map(|label| label.to_string())
            .collect()
    }

    /// Notes a message delivered to the wrong session.
    pub fn record_overheard(&self, overheard: Overheard) {
        if let Ok(mut ledger) = self.overheard.lock() {
            ledger.push(overheard);
        }
    }

    /// Every message noted by [`record_overheard`](Self::record_overheard) so far, in the order
    /// noted; the ledger is left empty.
    pub fn take_overheard(&self) -> Vec<Overheard> {
        self.overheard
            .lock()
            .map(|mut ledger| std::mem::take(&mut *ledger))
            .unwrap_or_default()
    }

    /// Tokens indexed (for tests and diagnostics).
    pub fn len(&self) -> usize {
        self.state.read().map_or(0, |s| s.owners.len())
    }

    /// True when no token is indexed.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn add(&self, session: u64, token: &str) {
        if let Ok(mut state) = self.state.write() {
            let owners = state.owners.entry(token.into()).or_default();
            if !owners.contains(&session) {
                owners.push(session);
            }
        }
    }

    /// Whether `token` belongs to a session other than `session`.
    fn owned_by_other(&self, session: u64, token: &str) -> bool {
        self.state.read().is_ok_and(|state| {
            state
                .owners
                .get(token)
                .is_some_and(|owners| owners.iter().any(|&o| o != session))
        })
    }

    fn end(&self, session: u64, tokens: Vec<Box<str>>, now: Instant) {
        let Ok(mut state) = self.state.write() else {
            return;
        };
        state.ended.push_back((now + self.linger, session, tokens));
        while state.ended.front().is_some_and(|(at, _, _)| *at <= now) {
            let Some((_, gone, tokens)) = state.ended.pop_front() else {
                break;
            };
            state.labels.remove(&gone);
            for token in tokens {
                if let Some(owners) = state.owners.get_mut(&token) {
                    owners.retain(|&o| o != gone);
                    if owners.is_empty() {
                        state.owners.remove(&token);
                    }
                }
            }
        }
    }
}

/// One session's markers.
#[derive(Debug)]
pub struct SessionMarkers {
    index: Arc<MarkerIndex>,
    id: u64,
    own: HashSet<Box<str>>,
}

impl SessionMarkers {
    /// This session's number in its index.
    pub fn id(&self) -> u64 {
        self.id
    }

    /// Makes the tokens of `value` this session's.
    pub fn add(&mut self, value: &str) {
        for token in tokens(value) {
            if self.own.insert(token.into()) {
                self.index.add(self.id, token);
            }
        }
    }

    /// Whether `message` is another session's traffic (see the module documentation).
    pub fn is_foreign(&self, message: &Value) -> bool {
        let mut others = false;
        let mine = visit_strings(message, &mut |text| {
            for token in tokens(text) {
                if self.own.contains(token) {
                    return true;
                }
                others = others || self.is_others(token);
            }
            false
        });
        !mine && others
    }

    /// Like [`is_foreign`](Self::is_foreign), for a message that is not JSON.
    pub fn is_foreign_text(&self, text: &str) -> bool {
        let mut others = false;
        for token in tokens(text) {
            if self.own.contains(token) {
                return false;
            }
            others = others || self.is_others(token);
        }
        others
    }

    /// Whether `token` (not this session's) marks another session: one of this run's, or any
    /// run's by its run id's shape.
    fn is_others(&self, token: &str) -> bool {
        run_ids_in(token).any(|run_id| !self.own.contains(run_id))
            || self.index.owned_by_other(self.id, token)
    }
}

impl Drop for SessionMarkers {
    fn drop(&mut self) {
        let tokens = std::mem::take(&mut self.own).into_iter().collect();
        self.index.end(self.id, tokens, Instant::now());
    }
}

/// Calls `found` on every string value of `value` until it returns true; returns whether it did.
fn visit_strings(value: &Value, found: &mut impl FnMut(&str) -> bool) -> bool {
    match value {
        Value::String(text) => found(text),
        Value::Array(items) => items.iter().any(|v| visit_strings(v, found)),
        Value::Object(map) => map.values().any(|v| visit_strings(v, found)),
        _ => false,
    }
}

/// The runs of ASCII letters and digits of `text` that are long enough to be markers.
fn tokens(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|t| t.len() >= MIN_TOKEN_LEN)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_message_is_foreign_only_if_it_names_another_session_and_not_this_one() {
        let index = Arc::new(MarkerIndex::default());
        let mut a = index.session();
        let mut b = index.session();
        a.add("aaaaaa1234");
        a.add("11111111-aaaa");
        b.add("bbbbbb1234");
        b.add("ASA"); // too short to be a marker
        assert!(b.is_foreign(&json!({"jobId": "11111111-aaaa"})));
        assert!(!a.is_foreign(&json!({"jobId": "11111111-aaaa"})));
        assert!(!b.is_foreign(&json!({"jobId": "11111111-aaaa", "agentId": "agent-bbbbbb1234"})));
        assert!(!b.is_foreign(&json!({"gameType": "ASA", "jobId": "unknown-origin"})));
        assert!(b.is_foreign_text("agent-aaaaaa1234 went away"));
    }

    #[test]
    fn another_process_run_id_marks_its_traffic_as_foreign() {
        let index = Arc::new(MarkerIndex::default());
        let mut mine = index.session();
        let run_id = new_run_id();
        assert_eq!(run_id.len(), 10);
        mine.add(&run_id);
        // Another process's agent, unknown to this index, going offline now.
        assert!(mine.is_foreign(
            &json!({"event": "agent:offline", "data": {"agentId": "agent-wc0facd7d0"}})
        ));
        assert!(mine.is_foreign_text("agent-wc0facd7d0 went away"));
        // Its own run id, server UUIDs and other hex ids are not another run's.
        assert!(!mine.is_foreign(
            &json!({"agentId": format!("agent-{run_id}"), "other": "agent-wc0facd7d0"})
        ));
        assert!(!mine.is_foreign(&json!({"jobId": "146ae454-7b20-44df-9a83-c57e78b29167"})));
        assert!(!mine.is_foreign(&json!({"id": "0facd7d06b", "name": "wcx0facd7d0"})));
        // Its run id inside a longer token is still its own.
        assert!(!mine.is_foreign(&json!({"name": format!("job{run_id}")})));
    }

    #[test]
    fn an_ended_sessions_tokens_linger_then_go() {
        let index = Arc::new(MarkerIndex::new(Duration::ZERO));
        let mut a = index.session();
        a.add("agent-aaaaaa1234");
        let b = index.session();
        assert!(b.is_foreign(&json!({"agentId": "agent-aaaaaa1234"})));
        drop(a);
        // With no linger, the next ending session's bookkeeping removes them.
        drop(index.session());
        assert!(!b.is_foreign(&json!({"agentId": "agent-aaaaaa1234"})));
        assert!(index.is_empty());
    }

    #[test]
    fn a_message_names_the_labelled_sessions_whose_tokens_it_holds() {
        let index = Arc::new(MarkerIndex::default());
        let mut a = index.session_labelled("scenario.a");
        let b = index.session_labelled("scenario.b");
        a.add("11111111-aaaa");
        let text = r#"{"event":"job_cancelled","args":[{"id":"11111111-aaaa"}]}"#;
        assert_eq!(
            index.owners_of_text(text, b.id()),
            BTreeSet::from(["scenario.a".to_owned()])
        );
        assert!(index.owners_of_text(text, a.id()).is_empty(), "not its own");
        assert!(index.owners_of_text("nobody's", b.id()).is_empty());
    }
}
