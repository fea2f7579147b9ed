//! Turning a hostile case into an ordinary [`Scenario`]: a bystander (a normal client opened
//! first), the hostile connection, the bad input, the reaction the protocol's rule requires,
//! then the bystander's probe and, where the hostile connection stays up, its own. A raw
//! kind's scenario has a bystander and a newcomer instead: the raw driver starts its bad input
//! between their openings ([`raw_hold`]), and both are probed after.
//!
//! The protocol's snippets (opening, probe, patterns) are scenario YAML, so the scenario is
//! written as text and parsed by the scenario parser, which checks it like any file. The bad
//! input itself is spliced in afterwards in place of a marker step: frames of megabytes or ten
//! thousand levels of nesting do not belong in YAML.

use std::path::Path;

use serde_json::Value;

use super::case::{Case, Input};
use super::spec::{HostileSpec, Reaction};
use crate::scenario::model::{Action, Outgoing, Scenario, Step};
use crate::scenario::{self, ScenarioError};

/// The bystander's actor name.
pub const BYSTANDER: &str = "bystander";
/// The hostile connection's actor name.
pub const HOSTILE: &str = "hostile";
/// A raw kind's second bystander, opened once the bad input is in place.
pub const NEWCOMER: &str = "newcomer";
/// The marker a step carries until the bad input takes its place.
const MARKER: &str = "@@hostile-input@@";
/// The ack label of a bad emit.
const ACK: &str = "bad";

/// Why a case could not become a scenario.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// The case's family has no reaction.
    #[error("no reaction for the family {0:?}")]
    NoReaction(String),
    /// The reaction gives replies by message type, none for this case's, and no `reply`.
    #[error("{case}: the reaction {family:?} has `replies`, none for {message:?}, and no `reply`")]
    NoReply {
        /// The case.
        case: String,
        /// Its family.
        family: String,
        /// Its message type.
        message: String,
    },
    /// The written scenario did not parse (a snippet of `hostile.yaml` is wrong).
    #[error("the scenario of {case} does not parse: {error}\n{text}")]
    Parse {
        /// The case.
        case: String,
        /// The first error.
        error: Box<ScenarioError>,
        /// The text written.
        text: String,
    },
}

/// The scenario of `case`; `file` is the hostile file, for locations.
pub fn scenario(
    case: &Case,
    spec: &HostileSpec,
    socketio: bool,
    file: &Path,
) -> Result<Scenario, BuildError> {
    let reaction = spec
        .reactions
        .get(&case.family)
        .ok_or_else(|| BuildError::NoReaction(case.family.clone()))?;
    let reply = reaction.reply_for(case.message.as_deref(), case.field.as_deref());
    if !reaction.replies.is_empty() && reply.is_none() {
        return Err(BuildError::NoReply {
            case: case.id.clone(),
            family: case.family.clone(),
            message: case.message.clone().unwrap_or_default(),
        });
    }
    let writer = Writer {
        spec,
        socketio,
        case,
        reaction,
    };
    let text = writer.text();
    let mut parsed = scenario::parse_str(&text, file).map_err(|error| BuildError::Parse {
        case: case.id.clone(),
        error: Box::new(error),
        text: text.clone(),
    })?;
    splice(&mut parsed.steps, &case.input);
    Ok(parsed)
}

struct Writer<'a> {
    spec: &'a HostileSpec,
    socketio: bool,
    case: &'a Case,
    reaction: &'a Reaction,
}

impl Writer<'_> {
    fn text(&self) -> String {
        let actors = self.actors();
        let mut out = String::new();
        out.push_str(&format!("id: {}\n", self.case.id));
        let title = format!("{} → {}", self.case.kind, self.case.reaction(self.spec));
        out.push_str(&format!("title: {}\n", quote(&title)));
        out.push_str(&format!("protocol: {}\n", self.spec.protocol));
        out.push_str(&format!("clause: {}\n", quote(&self.reaction.clause)));
        out.push_str(&format!(
            "level: {}\n",
            self.reaction.level.as_deref().unwrap_or("MUST")
        ));
        out.push_str(&format!("tags: [hostile, {}]\n", self.case.family));
        if !self.case.requires.is_empty() {
            out.push_str(&format!("requires: [{}]\n", self.case.requires.join(", ")));
        }
        out.push_str("timeout: 5s\nactors:\n");
        for actor in &actors {
            out.push_str(&format!("  {actor}: {}\n", self.spec.actor.trim()));
        }
        if !self.spec.ignore.is_empty() {
            out.push_str("ignore:\n");
            for pattern in &self.spec.ignore {
                out.push_str(&format!("  - {}\n", indent(pattern.trim(), 4)));
            }
        }
        out.push_str("steps:\n");
        out.push_str(&self.opening(&actors));
        let (input, hostile_stays) = self.input_steps();
        out.push_str(&input);
        // The bystander first: it must not have been disturbed.
        let mut alive: Vec<&str> = vec![BYSTANDER];
        if hostile_stays {
            alive.extend(
                actors
                    .iter()
                    .filter(|a| *a != BYSTANDER)
                    .map(String::as_str)
                    .next_back(),
            );
        }
        let open_ones: Vec<&str> = if hostile_stays {
            actors.iter().map(String::as_str).collect()
        } else {
            vec![BYSTANDER]
        };
        for probed in &alive {
            out.push_str(&self.snippet(&self.spec.probe, probed, probed));
            for other in open_ones.iter().filter(|o| *o != probed) {
                out.push_str(&self.snippet(&self.spec.after_probe, other, probed));
            }
        }
        out
    }

    /// The steps opening `actors`, the bystander first. The crowd of "many connections" opens
    /// at once: each one's steps before its connect, one `connect` step of all with
    /// `at_once: true`, then each one's steps after it (an `open` without a plain
    /// `connect: $ACTOR` step opens them one after the other).
    fn opening(&self, actors: &[String]) -> String {
        let open = &self.spec.open;
        let split = split_open(open);
        let crowd = match (&self.case.input, split) {
            (Input::Connections(_), Some(split)) => Some(split),
            _ => None,
        };
        let Some((before, after)) = crowd else {
            return actors.iter().map(|a| self.snippet(open, a, "")).collect();
        };
        let (first, rest) = actors
            .split_first()
            .map_or((None, &[][..]), |(f, r)| (Some(f), r));
        let mut out: String = first.map(|a| self.snippet(open, a, "")).unwrap_or_default();
        out.extend(rest.iter().map(|a| self.snippet(&before, a, "")));
        out.push_str(&format!(
            "  - connect: [{}]\n    at_once: true\n",
            rest.join(", ")
        ));
        out.extend(rest.iter().map(|a| self.snippet(&after, a, "")));
        out
    }

    fn actors(&self) -> Vec<String> {
        match &self.case.input {
            Input::Raw(_) => vec![BYSTANDER.to_owned(), NEWCOMER.to_owned()],
            Input::Connections(n) => std::iter::once(BYSTANDER.to_owned())
                .chain((1..=*n).map(|i| format!("h{i}")))
                .collect(),
            _ => vec![BYSTANDER.to_owned(), HOSTILE.to_owned()],
        }
    }

    /// A snippet of steps with its placeholders filled, indented as a step list.
    fn snippet(&self, text: &str, actor: &str, probed: &str) -> String {
        let filled = text.replace("$ACTOR", actor).replace("$PROBED", probed);
        let mut out = String::new();
        for line in filled.lines().filter(|l| !l.trim().is_empty()) {
            out.push_str("  ");
            out.push_str(line);
            out.push('\n');
        }
        out
    }

    fn reply(&self) -> Option<String> {
        let field = self.case.field.as_deref().unwrap_or("");
        self.reaction
            .reply_for(self.case.message.as_deref(), self.case.field.as_deref())
            .map(|r| indent(&r.trim().replace("$FIELD", field), 4))
    }

    /// The bad input and the reaction; whether the hostile connection stays up.
    fn input_steps(&self) -> (String, bool) {
        let window = &self.spec.window;
        let absent =
            |actor: &str| format!("  - expect: {actor}\n    mode: absent\n    within: {window}\n");
        let mut out = String::new();
        match &self.case.input {
            Input::Frame(_) => {
                out.push_str(&format!("  - send: {HOSTILE}\n    text: \"{MARKER}\"\n"));
                out.push_str(&self.reaction_steps(false));
            }
            Input::Emit { .. } => {
                out.push_str(&format!(
                    "  - emit: {HOSTILE}\n    event: \"{MARKER}\"\n    args: []\n    ack: {ACK}\n"
                ));
                out.push_str(&self.reaction_steps(true));
            }
            Input::Http { request, body } => {
                out.push_str(&format!("  - http: {request}\n    body: {body}\n"));
                if let Some(status) = self.reaction.status {
                    out.push_str(&format!("    status: {status}\n"));
                }
                if let Some(reply) = self.reply() {
                    out.push_str(&format!("    response: {reply}\n"));
                }
                out.push_str(&absent(HOSTILE));
            }
            Input::Connections(_) | Input::Raw(_) => {}
            Input::Flood(n) => out.push_str(&self.flood(*n, None)),
            Input::RateFlood(allowed) => {
                out.push_str(&self.flood(*allowed, self.reply()));
                // The probes come after the window: within it they would be refused too.
                if let Some(flood) = &self.spec.flood {
                    out.push_str(&format!("  - sleep: {}\n", flood.window));
                }
            }
        }
        // A raw kind's bad connections are the raw driver's; its scenario's second actor is a
        // newcomer, which stays.
        let raw = matches!(self.case.input, Input::Raw(_));
        (out, self.reaction.close.is_none() || raw)
    }

    /// Expectations of the reaction to one bad frame or emit.
    fn reaction_steps(&self, acked: bool) -> String {
        let mut out = String::new();
        match (self.reply(), acked) {
            (Some(reply), true) => {
                out.push_str(&format!(
                    "  - expect: {HOSTILE}\n    ack: {ACK}\n    args: {reply}\n"
                ));
            }
            (Some(reply), false) => {
                out.push_str(&format!("  - expect: {HOSTILE}\n    message: {reply}\n"));
            }
            (None, _) if self.reaction.close.is_none() => {
                out.push_str(&format!(
                    "  - expect: {HOSTILE}\n    mode: absent\n    within: {}\n",
                    self.spec.window
                ));
            }
            (None, _) => {}
        }
        if let Some(close) = &self.reaction.close {
            out.push_str(&format!("  - expect_close: {HOSTILE}\n"));
            if let Some(code) = close.code() {
                out.push_str(&format!("    code: {code}\n"));
            }
        }
        out
    }

    /// `count` requests sent without waiting, then their answers in order; with `last`, one
    /// more request whose answer is `last` (past a rate limit).
    fn flood(&self, count: u32, last: Option<String>) -> String {
        let request = &self.spec.request;
        let total = count + u32::from(last.is_some());
        let mut out = String::new();
        for i in 1..=total {
            if self.socketio {
                let event = request.event.as_deref().unwrap_or_default();
                let args = Value::Array(request.args.clone());
                out.push_str(&format!(
                    "  - emit: {HOSTILE}\n    event: {}\n    args: {args}\n    ack: f{i}\n",
                    quote(event)
                ));
            } else {
                let message = request.message.clone().unwrap_or(Value::Null);
                out.push_str(&format!("  - send: {HOSTILE}\n    message: {message}\n"));
            }
        }
        for i in 1..=total {
            let pattern = if i > count {
                last.clone()
            } else {
                request.answer.clone()
            };
            let Some(pattern) = pattern else { continue };
            let pattern = indent(pattern.trim(), 4);
            if self.socketio {
                out.push_str(&format!(
                    "  - expect: {HOSTILE}\n    ack: f{i}\n    args: {pattern}\n"
                ));
            } else {
                out.push_str(&format!("  - expect: {HOSTILE}\n    message: {pattern}\n"));
            }
        }
        if request.answer.is_none() {
            out.push_str(&format!(
                "  - expect: {HOSTILE}\n    mode: absent\n    within: {}\n",
                self.spec.window
            ));
        }
        out
    }
}

/// The steps of an `open` snippet before its `connect: $ACTOR` step and after it, or `None`
/// when it has no such step.
fn split_open(open: &str) -> Option<(String, String)> {
    let steps = steps_of(open);
    let is_connect = |step: &Vec<&str>| step.len() == 1 && step[0].trim() == "- connect: $ACTOR";
    let at = steps.iter().position(is_connect)?;
    let join = |steps: &[Vec<&str>]| -> String {
        steps.iter().flatten().map(|l| format!("{l}\n")).collect()
    };
    Some((join(&steps[..at]), join(&steps[at + 1..])))
}

/// The step a raw kind's scenario is held before while the raw driver starts its bad input
/// (1-based): the first after the bystander's opening, so the bystander is connected before the
/// bad input begins and the newcomer after; `None` for the other kinds.
pub fn raw_hold(case: &Case, spec: &HostileSpec) -> Option<usize> {
    matches!(case.input, Input::Raw(_)).then(|| steps_of(&spec.open).len() + 1)
}

/// The steps of a snippet: each a line at the snippet's least indentation starting with `- `,
/// and the lines under it.
fn steps_of(snippet: &str) -> Vec<Vec<&str>> {
    let lines: Vec<&str> = snippet.lines().filter(|l| !l.trim().is_empty()).collect();
    let depth = |l: &str| l.len() - l.trim_start().len();
    let Some(base) = lines.iter().map(|l| depth(l)).min() else {
        return Vec::new();
    };
    let mut steps: Vec<Vec<&str>> = Vec::new();
    for line in lines {
        match steps.last_mut() {
            Some(step) if !(depth(line) == base && line.trim_start().starts_with("- ")) => {
                step.push(line);
            }
            _ => steps.push(vec![line]),
        }
    }
    steps
}

/// Puts the bad input in place of the marker step.
fn splice(steps: &mut [Step], input: &Input) {
    for step in steps.iter_mut() {
        match (&mut step.action, input) {
            (Action::Send { frame, .. }, Input::Frame(bad))
                if *frame == Outgoing::Text(MARKER.to_owned()) =>
            {
                *frame = bad.clone();
            }
            (Action::Emit(emit), Input::Emit { event, args }) if emit.event == MARKER => {
                emit.event = event.clone();
                emit.args = args.clone();
            }
            _ => {}
        }
    }
}

/// A YAML double-quoted scalar (JSON string syntax is valid YAML).
fn quote(text: &str) -> String {
    Value::String(text.to_owned()).to_string()
}

/// Continuation lines of a multi-line snippet indented by `by` spaces.
fn indent(text: &str, by: usize) -> String {
    let pad = " ".repeat(by);
    text.lines().collect::<Vec<_>>().join(&format!("\n{pad}"))
}

#[cfg(test)]
#[path = "build_tests.rs"]
mod tests;
