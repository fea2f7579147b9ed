//! Plans: what a session needs that does not change while it runs, built once and shared (in an
//! `Arc`) by every session of a scenario — one per virtual user under load.
//!
//! A [`ScenarioPlan`] is the scenario flattened into a program (`repeat` becomes loop
//! instructions), each expectation's patterns with their "has references" flag decided, the
//! actors, the protocol ([`ProtocolSuite`]: profile and compiled schemas), the target and the
//! run's options. Nothing here does I/O or reads a clock.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use crate::matcher::{self, ListTemplate, Pattern, Template};
use crate::profile::Profile;
use crate::report::model::CheckKind;
use crate::scenario::model::{Action, Actor, Expectation, Scenario, Step};
use crate::schema::{SchemaSet, schema_stem};
use crate::transport::Limits;

/// What the harness knows of one protocol: its profile and compiled schemas.
pub struct ProtocolSuite {
    /// How to talk to it.
    pub profile: Profile,
    /// Its message schemas.
    pub schemas: SchemaSet,
    /// The body schemas of its HTTP API, if it declares them.
    pub http: Option<super::http_bodies::HttpBodies>,
}

/// How much of a session's transcript is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TranscriptLimit {
    /// Everything, up to this many entries (later ones are counted, not kept).
    Full(usize),
    /// Only the last this many entries (under load: enough to show a failure's context).
    Tail(usize),
}

/// Options of a run, shared by its sessions.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Every timeout, window and sleep is multiplied by this (slow CI machines stretch it).
    pub time_scale: f64,
    /// Transport limits.
    pub limits: Limits,
    /// Run variables (`--var name=value`), overriding the profile's defaults.
    pub vars: BTreeMap<String, String>,
    /// How much transcript each session keeps.
    pub transcript: TranscriptLimit,
    /// Whether a session goes on after a check failed.
    pub on_deviation: OnDeviation,
    /// Per protocol, the deviations its target declares (a target profile's dialect).
    pub dialects: BTreeMap<String, Arc<crate::dialect::Dialect>>,
}

/// What a session does when a check of the target fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OnDeviation {
    /// Records the failed check and goes on while later steps still have what they need (the
    /// failed message's salvage held, or the step captured nothing): one deviation does not
    /// hide the rest of the scenario.
    #[default]
    GoOn,
    /// Stops at the first failed check.
    Stop,
}

/// The most transcript entries a conformance session keeps.
pub const MAX_TRANSCRIPT_ENTRIES: usize = 100_000;

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            time_scale: 1.0,
            limits: Limits::default(),
            vars: BTreeMap::new(),
            transcript: TranscriptLimit::Full(MAX_TRANSCRIPT_ENTRIES),
            on_deviation: OnDeviation::GoOn,
            dialects: BTreeMap::new(),
        }
    }
}

/// A server to run scenarios against.
#[derive(Debug, Clone)]
pub struct Target {
    /// Base URL (`http://host:port`).
    pub url: String,
    /// Optional capabilities it declares.
    pub capabilities: BTreeSet<String>,
}

/// One instruction of a scenario's program.
#[derive(Debug)]
pub enum Instruction {
    /// Carry out a step.
    Step(PlannedStep),
    /// Start of a `repeat`: `times` rounds of the instructions up to `end` (its `LoopEnd`).
    LoopStart {
        /// Rounds.
        times: u32,
        /// Index of the matching [`Instruction::LoopEnd`].
        end: usize,
    },
    /// End of a round: back to `start` (the `LoopStart`) if rounds remain.
    LoopEnd {
        /// Index of the matching [`Instruction::LoopStart`].
        start: usize,
    },
}

/// A step with what the executor decided about it once.
#[derive(Debug)]
pub struct PlannedStep {
    /// The step as parsed.
    pub step: Step,
    /// Its 1-based number in the file (steps of a `repeat` numbered after it, in order).
    pub number: usize,
    /// The patterns of its expectation, shared.
    pub patterns: Vec<Arc<Pattern>>,
    /// What the message an expectation failed on must still hold for the scenario to go on
    /// (`next`, `eventually` and `ack` only; see [`crate::matcher::salvage`]).
    pub salvage: Option<Arc<Pattern>>,
    /// Whether the expectation captures anything later steps may need.
    pub captures: bool,
    /// The indices of the actors it names, in order (undeclared names are left out; the
    /// scenario checks refuse them).
    pub actors: Vec<usize>,
    /// What it sends, ready to fill in.
    pub sends: Option<Sends>,
}

/// What a sending step sends, prepared once.
#[derive(Debug)]
pub enum Sends {
    /// A JSON message (raw WebSocket `send`).
    Json(Template),
    /// A socket.io emit.
    Emit(EmitPlan),
    /// A socket.io ack of the server's event.
    Ack(ListTemplate),
}

/// An emit, prepared once.
#[derive(Debug)]
pub struct EmitPlan {
    /// The event.
    pub event: Arc<str>,
    /// Its arguments.
    pub args: ListTemplate,
    /// The label of its ack, if it asks for one.
    pub label: Option<Arc<str>>,
    /// The schema its ack is checked against: `ack.<event>` (the event's schema stem, `:` and
    /// `/` written `.`, as for received events), or `ack.unknown_event` for an event the
    /// protocol does not define (where the protocol has one).
    pub ack_schema: Arc<str>,
    /// Its arguments hold `$binary` values, sent as attachments.
    pub binary: bool,
}

/// The ack schema of events the protocol does not define.
pub const UNKNOWN_EVENT_ACK: &str = "ack.unknown_event";

/// A scenario ready to run against one target.
pub struct ScenarioPlan {
    /// The scenario.
    pub scenario: Scenario,
    /// Its protocol.
    pub suite: Arc<ProtocolSuite>,
    /// The target's base URL.
    pub target_url: String,
    /// The run's options.
    pub options: Arc<RunOptions>,
    /// The flattened steps.
    pub program: Vec<Instruction>,
}

impl ScenarioPlan {
    /// Plans `scenario` against `target_url`.
    pub fn new(
        scenario: Scenario,
        suite: Arc<ProtocolSuite>,
        target_url: String,
        options: Arc<RunOptions>,
    ) -> ScenarioPlan {
        let mut program = Vec::new();
        let mut number = 0;
        let type_path = crate::schema::pointer_tokens(&suite.profile.type_pointer);
        flatten(&scenario.steps, &mut program, &mut number);
        for instruction in &mut program {
            if let Instruction::Step(planned) = instruction {
                planned.actors = actor_indices(&scenario, &planned.step.action);
                planned.sends = sends_of(&suite.schemas, &planned.step.action);
                planned.captures = planned.patterns.iter().any(|p| matcher::has_captures(p));
                planned.salvage = salvage_of(&planned.step.action, &planned.patterns, &type_path);
            }
        }
        ScenarioPlan {
            scenario,
            suite,
            target_url,
            options,
            program,
        }
    }

    /// The declared actor of index `index`.
    pub fn actor(&self, index: usize) -> Option<&Actor> {
        self.scenario.actors.get(index)
    }

    /// The index of the actor named `name`.
    pub fn actor_index(&self, name: &str) -> Option<usize> {
        self.scenario.actors.iter().position(|a| a.name == name)
    }

    /// `duration` stretched by the run's time scale.
    pub fn scaled(&self, duration: Duration) -> Duration {
        duration.mul_f64(self.options.time_scale)
    }

    /// The longest one pass may take: every step's own bound (its timeout, window or sleep,
    /// else the scenario's timeout), rounds counted, scaled, plus a margin for connects and
    /// closes. The driver gives up past it, so a transport that hangs cannot hang a run.
    pub fn budget(&self) -> Duration {
        let mut total = Duration::ZERO;
        let mut rounds: Vec<u32> = Vec::new();
        for instruction in &self.program {
            match instruction {
                Instruction::LoopStart { times, .. } => rounds.push(*times),
                Instruction::LoopEnd { .. } => {
                    rounds.pop();
                }
                Instruction::Step(planned) => {
                    let factor: u32 = rounds.iter().product();
                    total = total.saturating_add(self.step_bound(&planned.step) * factor);
                }
            }
        }
        self.scaled(total) + Duration::from_secs(10)
    }

    fn step_bound(&self, step: &Step) -> Duration {
        let scenario_timeout = self.scenario.timeout;
        match &step.action {
            Action::Sleep(duration) => *duration,
            Action::Expect {
                expectation: Expectation::Absent { within, .. },
                ..
            } => *within,
            Action::Expect { timeout, .. } | Action::ExpectClose { timeout, .. } => {
                timeout.unwrap_or(scenario_timeout)
            }
            _ => scenario_timeout,
        }
    }
}

fn flatten(steps: &[Step], program: &mut Vec<Instruction>, number: &mut usize) {
    for step in steps {
        *number += 1;
        if let Action::Repeat { times, steps } = &step.action {
            let start = program.len();
            program.push(Instruction::LoopStart {
                times: *times,
                end: 0,
            });
            flatten(steps, program, number);
            let end = program.len();
            program.push(Instruction::LoopEnd { start });
            program[start] = Instruction::LoopStart { times: *times, end };
            continue;
        }
        program.push(Instruction::Step(PlannedStep {
            patterns: patterns_of(&step.action),
            salvage: None,
            captures: false,
            step: step.clone(),
            number: *number,
            actors: Vec::new(),
            sends: None,
        }));
    }
}

/// The patterns an expectation matches with, in order (an ack's argument list wrapped as the
/// inbox shows acks: `{args: [...]}`).
fn patterns_of(action: &Action) -> Vec<Arc<Pattern>> {
    let Action::Expect { expectation, .. } = action else {
        return Vec::new();
    };
    let patterns: Vec<Pattern> = match expectation {
        Expectation::Next(p) | Expectation::Eventually(p) => vec![p.clone()],
        Expectation::Unordered(ps) => ps.clone(),
        Expectation::Absent { pattern, .. } => pattern.iter().cloned().collect(),
        Expectation::Ack { args, .. } => vec![Pattern::Object {
            fields: vec![("args".to_owned(), args.clone())],
            exact: false,
        }],
    };
    patterns.into_iter().map(Arc::new).collect()
}

/// The salvage of an expectation that fails on one message (`next`, `eventually`, `ack`).
fn salvage_of(
    action: &Action,
    patterns: &[Arc<Pattern>],
    type_path: &[String],
) -> Option<Arc<Pattern>> {
    let Action::Expect { expectation, .. } = action else {
        return None;
    };
    match (expectation, patterns) {
        (Expectation::Next(_) | Expectation::Eventually(_) | Expectation::Ack { .. }, [one]) => {
            Some(Arc::new(matcher::salvage(one, type_path)))
        }
        _ => None,
    }
}

fn actor_indices(scenario: &Scenario, action: &Action) -> Vec<usize> {
    let names: Vec<&String> = match action {
        Action::Connect { actors, .. } | Action::Expect { actors, .. } => actors.iter().collect(),
        Action::Emit(emit) => vec![&emit.actor],
        Action::AckReply { actor, .. }
        | Action::Disconnect { actor }
        | Action::ExpectClose { actor, .. }
        | Action::Send { actor, .. } => vec![actor],
        Action::Http(_) | Action::Sleep(_) | Action::Repeat { .. } => Vec::new(),
    };
    names
        .into_iter()
        .filter_map(|name| scenario.actors.iter().position(|a| &a.name == name))
        .collect()
}

fn sends_of(schemas: &SchemaSet, action: &Action) -> Option<Sends> {
    match action {
        Action::Send {
            frame: crate::scenario::model::Outgoing::Json(value),
            ..
        } => Some(Sends::Json(Template::new(value))),
        Action::Emit(emit) => {
            let own = format!("ack.{}", schema_stem(&emit.event));
            let ack_schema = if schemas.has(&own) || !schemas.has(UNKNOWN_EVENT_ACK) {
                own
            } else {
                UNKNOWN_EVENT_ACK.to_owned()
            };
            Some(Sends::Emit(EmitPlan {
                event: Arc::from(emit.event.as_str()),
                args: ListTemplate::new(&emit.args),
                label: emit.ack.as_deref().map(Arc::from),
                ack_schema: Arc::from(ack_schema),
                binary: super::attachments::mentions_binary(&emit.args),
            }))
        }
        Action::AckReply { args, .. } => Some(Sends::Ack(ListTemplate::new(args))),
        _ => None,
    }
}

/// The kind of check a step makes, if it judges the target at all (`sleep` does not).
pub fn check_kind(action: &Action) -> Option<CheckKind> {
    match action {
        Action::Connect { .. } => Some(CheckKind::Connect),
        Action::Emit(_) | Action::AckReply { .. } | Action::Send { .. } => Some(CheckKind::Send),
        Action::Http(_) => Some(CheckKind::Http),
        Action::Expect { .. } => Some(CheckKind::Expect),
        Action::ExpectClose { .. } => Some(CheckKind::Close),
        Action::Disconnect { .. } | Action::Sleep(_) | Action::Repeat { .. } => None,
    }
}
