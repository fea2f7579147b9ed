//! The scenario model: what a parsed scenario file is.
//!
//! Plain data, built by [`super::parse`] and read by the runner. It holds no I/O and no protocol
//! knowledge. Invariant: every [`Step`] carries the [`Location`] of its YAML node, so every error
//! about it can point at `file:line`.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use crate::matcher::Pattern;

/// A place in a scenario file (1-based line and column).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Location {
    /// The scenario file.
    pub file: PathBuf,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.file.display(), self.line, self.column)
    }
}

/// How binding a requirement is (RFC 2119 levels of the clause a scenario checks).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// A failure breaks the run.
    Must,
    /// A failure is reported but does not break the run unless `--strict`.
    Should,
    /// Informational.
    May,
}

impl Level {
    /// The level as written in scenario files and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Must => "MUST",
            Level::Should => "SHOULD",
            Level::May => "MAY",
        }
    }
}

/// One scenario file.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// Unique dotted id, starting with the protocol id.
    pub id: String,
    /// One sentence: what behaviour is checked.
    pub title: String,
    /// The protocol id (`ark`, `jobber`, ...).
    pub protocol: String,
    /// The specification clause checked.
    pub clause: String,
    /// The clause's level.
    pub level: Level,
    /// Free tags for filtering.
    pub tags: Vec<String>,
    /// Target capabilities the scenario needs; a target lacking one makes it unsupported.
    pub requires: Vec<String>,
    /// Protocol notes (`NOTES.md`) the scenario depends on.
    pub notes: Vec<String>,
    /// Default wait of expectations, before the run's time scale.
    pub timeout: Duration,
    /// Named connections, in declaration order.
    pub actors: Vec<Actor>,
    /// Messages the scenario may receive without a step asking for them (any actor). Any other
    /// message of the scenario's own that no step took, and that arrived before a message a
    /// later step took on the same connection, is a finding.
    pub ignore: Vec<Pattern>,
    /// What the whole transcript must hold to (`properties:`), checked when the session ends.
    pub properties: super::properties::Properties,
    /// The steps, in order.
    pub steps: Vec<Step>,
    /// Where the scenario's `id` key is.
    pub location: Location,
}

impl Scenario {
    /// Every step in file order, the steps of a `repeat` right after it: the step numbered `n`
    /// (1-based, as reports number them) is at index `n - 1`.
    pub fn numbered_steps(&self) -> Vec<&Step> {
        fn walk<'s>(steps: &'s [Step], out: &mut Vec<&'s Step>) {
            for step in steps {
                out.push(step);
                if let Action::Repeat { steps, .. } = &step.action {
                    walk(steps, out);
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.steps, &mut out);
        out
    }
}

/// A named connection of a scenario.
#[derive(Debug, Clone)]
pub struct Actor {
    /// The actor's name, used by steps.
    pub name: String,
    /// Query parameters added to the connection URL (values may hold `${refs}`).
    pub query: BTreeMap<String, String>,
    /// Authentication payload (socket.io `auth`), if any.
    pub auth: Option<serde_json::Value>,
}

/// One step with its place in the file.
#[derive(Debug, Clone)]
pub struct Step {
    /// What the step does.
    pub action: Action,
    /// Where the step starts.
    pub location: Location,
}

/// A frame a step sends.
#[derive(Debug, Clone, PartialEq)]
pub enum Outgoing {
    /// A JSON message sent as a text frame (`${refs}` resolved before sending).
    Json(serde_json::Value),
    /// A raw text frame, sent as written.
    Text(String),
    /// A binary frame with these bytes.
    Binary(Vec<u8>),
}

/// How an `expect` step matches the actor's inbox.
#[derive(Debug, Clone, PartialEq)]
pub enum Expectation {
    /// The oldest unmatched message must match.
    Next(Pattern),
    /// The oldest unmatched message that matches is taken, others stay.
    Eventually(Pattern),
    /// Each pattern takes a distinct message, in any order.
    Unordered(Vec<Pattern>),
    /// The reply to the emit labelled `label` (socket.io), correlated by ack id, not by order.
    Ack {
        /// The label the emit step gave its ack.
        label: String,
        /// The pattern of the ack's argument list.
        args: Pattern,
    },
    /// No message matching the pattern (`None`: any message) arrives within the window.
    Absent {
        /// The pattern that must not match; `None` means any message.
        pattern: Option<Pattern>,
        /// The window, before the run's time scale.
        within: Duration,
    },
}

/// An HTTP request step.
#[derive(Debug, Clone)]
pub struct HttpStep {
    /// Method, upper case.
    pub method: String,
    /// Path and query (may hold `${refs}`).
    pub path: String,
    /// Request headers (values may hold `${refs}`).
    pub headers: BTreeMap<String, String>,
    /// The body to send.
    pub body: Option<Outgoing>,
    /// The expected status code.
    pub status: Option<u16>,
    /// A pattern for the response body (captures are kept).
    pub response: Option<BodyPattern>,
}

/// What an HTTP step expects of the response body.
#[derive(Debug, Clone, PartialEq)]
pub enum BodyPattern {
    /// `response`: the body is JSON and matches the pattern.
    Json(Pattern),
    /// `response_text`: the body, whatever it holds, as one JSON string, matches the pattern
    /// (`""`: an empty body; `!regex '…'`: text).
    Text(Pattern),
}

impl BodyPattern {
    /// The pattern, whichever way it reads the body.
    pub fn pattern(&self) -> &Pattern {
        match self {
            BodyPattern::Json(p) | BodyPattern::Text(p) => p,
        }
    }
}

/// A socket.io emit.
#[derive(Debug, Clone)]
pub struct EmitStep {
    /// The actor.
    pub actor: String,
    /// The event name.
    pub event: String,
    /// The arguments (`${refs}` resolved before sending).
    pub args: Vec<serde_json::Value>,
    /// With a label, the emit asks for an ack, expected later by `expect … ack: label`.
    pub ack: Option<String>,
}

/// What a step does.
#[derive(Debug, Clone)]
pub enum Action {
    /// Open actors' connections, one after the other (each handshake awaited before the next
    /// starts), or all at once.
    Connect {
        /// The actors, in order.
        actors: Vec<String>,
        /// The target must refuse them (socket.io `connect_error`, kept in the inbox).
        refused: bool,
        /// Start every handshake before awaiting any (`at_once: true`): the target meets them
        /// pending together.
        at_once: bool,
    },
    /// Emit a socket.io event.
    Emit(EmitStep),
    /// Answer an ack the target asked for (socket.io).
    AckReply {
        /// The actor.
        actor: String,
        /// The ack id, usually a reference to a captured `ackId` (`"${req}"`).
        to: String,
        /// The reply's arguments (`${refs}` resolved before sending).
        args: Vec<serde_json::Value>,
    },
    /// Close an actor's connection normally.
    Disconnect {
        /// The actor.
        actor: String,
    },
    /// The server closes the actor's connection.
    ExpectClose {
        /// The actor.
        actor: String,
        /// The close code required, if any.
        code: Option<u16>,
        /// The wait, if not the scenario's default.
        timeout: Option<Duration>,
    },
    /// Send a frame on an actor's connection.
    Send {
        /// The actor.
        actor: String,
        /// The frame.
        frame: Outgoing,
    },
    /// An HTTP request to the target.
    Http(HttpStep),
    /// Expect messages on one or more actors' connections.
    Expect {
        /// The actors (the same expectation is checked on each, in order).
        actors: Vec<String>,
        /// What to expect.
        expectation: Expectation,
        /// The wait, if not the scenario's default.
        timeout: Option<Duration>,
    },
    /// Wait (protocols about time only).
    Sleep(Duration),
    /// Carry out `steps` `times` times over; captures made inside are forgotten at the start of
    /// each round, so every round captures afresh.
    Repeat {
        /// How many rounds.
        times: u32,
        /// The steps of one round.
        steps: Vec<Step>,
    },
}
