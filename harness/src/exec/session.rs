//! The scenario machine: one execution of a scenario, sans-IO.
//!
//! A [`Session`] is fed `(now, input)` — what a connection received, the completion of a
//! command it asked for (a connect, a send, a close, an HTTP exchange), or only the passing of
//! time — and answers with [`Command`]s for its driver ([`Session::poll_command`]), the next
//! moment it must be woken ([`Session::poll_deadline`]), and, once [`Session::is_finished`], its
//! [`Outcome`]. It never reads a clock, never sleeps and never touches a socket, so tests drive it
//! with a manual clock and no sockets, and `run`, `load` and `fuzz` share it.
//!
//! Invariants: at most one command is outstanding (a scenario's steps are sequential), except
//! the connects of an `at_once` step, asked for together and all outstanding at once; inputs
//! about connections the session has let go are ignored; every wait has a deadline, and the
//! session's budget bounds the whole execution.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::inbox::{Inbox, Mark, Scan};
use super::markers::SessionMarkers;
use super::observer::Observer;
use super::outcome::{CheckKind, CheckRecord, CheckVerdict, Outcome, StepFailure};
use super::plan::{Instruction, ScenarioPlan, TranscriptLimit};
use super::transcript::{Content, Party, Record, Transcript};
use super::unmet::Unmet;
use crate::matcher::Captures;
use crate::report::model::DeviationUse;
use crate::report::model::{Direction, Finding};
use crate::scenario::checks::{ROUND, RUN_VARIABLE_PREFIX};
use crate::transport::http::Body;
use crate::transport::{Accepted, Arrival, ConnectRequest, Outbound, TransportError};

/// What the session asks its driver to do.
#[derive(Debug)]
pub enum Command {
    /// Open connection `conn` (a tag the session chose; the driver tags its arrivals with it).
    Connect {
        /// The connection's tag.
        conn: usize,
        /// Where and how.
        request: ConnectRequest,
    },
    /// Send on connection `conn`.
    Send {
        /// The connection's tag.
        conn: usize,
        /// What to send.
        message: Outbound,
    },
    /// Close connection `conn` normally and let it go.
    Close {
        /// The connection's tag.
        conn: usize,
    },
    /// One HTTP request.
    Http(HttpRequest),
}

/// An HTTP request to make.
#[derive(Debug, Clone)]
pub struct HttpRequest {
    /// Method, upper case.
    pub method: String,
    /// The whole URL.
    pub url: String,
    /// Headers.
    pub headers: std::collections::BTreeMap<String, String>,
    /// The body.
    pub body: Option<Body>,
    /// Bound on the exchange.
    pub timeout: Duration,
}

/// What happened, for the session.
#[derive(Debug)]
pub enum Input {
    /// Something arrived on a connection.
    Arrival(Arrival),
    /// A [`Command::Connect`] ended.
    Connected {
        /// The connection's tag.
        conn: usize,
        /// How the attempt reads in a transcript (`connect ws://…`).
        description: String,
        /// What the target said, or why there is no connection.
        result: Result<Accepted, TransportError>,
    },
    /// A [`Command::Send`] ended.
    Sent {
        /// The connection's tag.
        conn: usize,
        /// Whether it was written.
        result: Result<(), TransportError>,
    },
    /// A [`Command::Close`] ended; the connection is let go.
    Closed {
        /// The connection's tag.
        conn: usize,
    },
    /// A [`Command::Http`] ended.
    Http(Result<crate::transport::http::HttpReply, TransportError>),
    /// Only time passed.
    Tick,
}

/// A connection's state as the session sees it.
#[derive(Debug)]
pub(super) enum Link {
    /// Not connected yet (or the connect is under way).
    Idle,
    /// Open, as connection `conn`.
    Open(usize),
    /// Closed: by the target (its code and reason) or by the session.
    Closed(Option<u16>, String),
}

/// An emit whose ack has not arrived yet.
#[derive(Debug)]
pub(super) struct AwaitingAck {
    pub(super) id: u64,
    pub(super) label: Arc<str>,
    /// The schema its ack is checked against.
    pub(super) schema: Arc<str>,
    pub(super) sent_at: Instant,
}

/// One actor of the running scenario.
#[derive(Debug)]
pub(super) struct ActorState {
    pub(super) link: Link,
    pub(super) inbox: Inbox,
    pub(super) next_ack_id: u64,
    /// Emits awaiting their ack (a few at a time: a short list beats a map).
    pub(super) awaiting: Vec<AwaitingAck>,
    /// Ack label → the id of the latest emit that asked for it.
    pub(super) labels: Vec<(Arc<str>, u64)>,
    /// Accepted where a refusal was expected; the dialect's refusal event is awaited.
    pub(super) refusal_pending: bool,
}

impl ActorState {
    pub(super) fn new() -> ActorState {
        ActorState {
            link: Link::Idle,
            inbox: Inbox::default(),
            next_ack_id: 0,
            awaiting: Vec::new(),
            labels: Vec::new(),
            refusal_pending: false,
        }
    }

    pub(super) fn is_closed(&self) -> bool {
        matches!(self.link, Link::Closed(..))
    }
}

/// What the session waits for.
#[derive(Debug)]
pub(super) enum Wait {
    /// Nothing: carry out the next instruction.
    Ready,
    /// The connects under way of a `connect` step: `pending` its actors whose handshake has not
    /// ended (one, or all of an `at_once` step), `next` the position of its next actor to start.
    Connect {
        pending: Vec<usize>,
        next: usize,
        refused: bool,
        since: Instant,
    },
    /// A send on `actor`'s connection; `record` is what the transcript gets once it is sent.
    Send {
        actor: usize,
        record: Option<Content>,
        since: Instant,
    },
    /// A close of `actor`'s connection.
    Close { actor: usize },
    /// An HTTP exchange.
    Http { since: Instant },
    /// An `expect` step.
    Expect(Box<ExpectWait>),
    /// An `expect_close` step.
    TargetClose {
        actor: usize,
        code: Option<u16>,
        deadline: Instant,
        since: Instant,
    },
    /// A `sleep` step.
    Sleep { until: Instant },
    /// Held before a step until its driver releases it ([`Session::hold_before`]).
    Held,
    /// The session is over.
    Done,
}

/// What an `expect` step wants, decided when it starts.
#[derive(Debug, Clone)]
pub(super) enum WantKind {
    Next,
    Eventually,
    Unordered,
    Absent,
    Ack(Arc<str>),
}

/// An `expect` step under way: its actors in order, each checked within one window.
#[derive(Debug)]
pub(super) struct ExpectWait {
    pub(super) want: WantKind,
    pub(super) actors: Vec<usize>,
    pub(super) current: usize,
    pub(super) deadline: Instant,
    pub(super) scan: Scan,
    pub(super) since: Instant,
}

/// A `repeat` under way.
#[derive(Debug)]
struct LoopFrame {
    start: usize,
    rounds_left: u32,
    /// The round under way, 1-based: `${round}`.
    round: u64,
    /// The capture names bound when the loop started; a new round forgets the others.
    names: Vec<String>,
}

/// One execution of a scenario (see the module documentation).
pub struct Session {
    pub(super) plan: Arc<ScenarioPlan>,
    pub(super) started: Instant,
    pub(super) started_unix_ms: i64,
    pub(super) run_id: String,
    pub(super) captures: Captures,
    pub(super) actors: Vec<ActorState>,
    /// Connection tag → actor, `None` once let go.
    pub(super) conns: Vec<Option<usize>>,
    pc: usize,
    /// The step being carried out (its instruction index).
    pub(super) current: Option<usize>,
    loops: Vec<LoopFrame>,
    pub(super) wait: Wait,
    pub(super) commands: VecDeque<Command>,
    pub(super) transcript: Transcript,
    pub(super) findings: Vec<Finding>,
    checks: Vec<CheckRecord>,
    /// The first failed check (or what ended the session): the scenario's headline.
    failure: Option<StepFailure>,
    /// The session stopped before its last step.
    ended_early: bool,
    pub(super) markers: Option<SessionMarkers>,
    /// When the latest send, emit, request or connect left: what an expectation's message
    /// answers, for latencies.
    pub(super) last_cause: Instant,
    pub(super) socket_ids: Vec<String>,
    budget_deadline: Instant,
    /// The target's declared deviations, if any, and how often each was used.
    pub(super) dialect: Option<Arc<crate::dialect::Dialect>>,
    pub(super) deviation_uses: Vec<u64>,
    /// The step number to hold before, until released (see [`super::hold`]).
    pub(super) hold: Option<usize>,
}

impl Session {
    /// A session of `plan` starting at `now` (`unix_ms`: the wall clock then, for
    /// `!unix_millis`); `markers` tell foreign traffic apart on broadcast targets.
    pub fn new(
        plan: Arc<ScenarioPlan>,
        now: Instant,
        unix_ms: i64,
        markers: Option<SessionMarkers>,
    ) -> Session {
        let run_id = super::markers::new_run_id();
        let mut captures = Captures::new();
        captures.insert("run_id".to_owned(), Value::String(run_id.clone()));
        for (name, value) in plan.suite.profile.vars.iter().chain(&plan.options.vars) {
            let name = format!("{RUN_VARIABLE_PREFIX}{name}");
            captures.insert(name, Value::String(value.clone()));
        }
        let mut markers = markers;
        if let Some(markers) = markers.as_mut() {
            markers.add(&run_id);
        }
        let actors = plan
            .scenario
            .actors
            .iter()
            .map(|_| ActorState::new())
            .collect();
        let budget_deadline = now + plan.budget();
        let dialect = plan.options.dialects.get(&plan.scenario.protocol).cloned();
        let deviation_uses = vec![0; dialect.as_ref().map_or(0, |d| d.deviations.len())];
        Session {
            transcript: Transcript::new(plan.options.transcript),
            plan,
            started: now,
            started_unix_ms: unix_ms,
            run_id,
            captures,
            actors,
            conns: Vec::new(),
            pc: 0,
            current: None,
            loops: Vec::new(),
            wait: Wait::Ready,
            commands: VecDeque::new(),
            findings: Vec::new(),
            checks: Vec::new(),
            failure: None,
            ended_early: false,
            markers,
            last_cause: now,
            socket_ids: Vec::new(),
            budget_deadline,
            dialect,
            deviation_uses,
            hold: None,
        }
    }

    /// The plan the session runs.
    pub fn plan(&self) -> &Arc<ScenarioPlan> {
        &self.plan
    }

    /// The value of `${run_id}` in this session.
    pub fn run_id(&self) -> &str {
        &self.run_id
    }

    /// Starts the session: carries out steps until the first wait.
    pub fn start(&mut self, now: Instant, observer: &mut dyn Observer) {
        self.advance(now, observer);
    }

    /// Takes one input and carries out steps until the next wait.
    pub fn handle(&mut self, now: Instant, input: Input, observer: &mut dyn Observer) {
        if matches!(self.wait, Wait::Done) {
            // What was already on its way is still recorded and schema-checked.
            if let Input::Arrival(arrival) = input {
                self.take_in(arrival, observer);
            }
            return;
        }
        match input {
            Input::Arrival(arrival) => self.take_in(arrival, observer),
            Input::Connected {
                conn,
                description,
                result,
            } => self.on_connected(now, conn, description, result, observer),
            Input::Sent { conn, result } => self.on_sent(now, conn, result, observer),
            Input::Closed { conn } => self.on_closed(now, conn),
            Input::Http(result) => self.on_http(now, result, observer),
            Input::Tick => {}
        }
        self.advance(now, observer);
    }

    /// The next command for the driver.
    pub fn poll_command(&mut self) -> Option<Command> {
        self.commands.pop_front()
    }

    /// The next command if it is a connect: a driver that took a connect takes the others
    /// asked for with it (an `at_once` step) and opens them together.
    pub fn poll_connect(&mut self) -> Option<Command> {
        match self.commands.front() {
            Some(Command::Connect { .. }) => self.commands.pop_front(),
            _ => None,
        }
    }

    /// When the session must be woken if nothing arrives: its current wait's deadline, or its
    /// budget.
    pub fn poll_deadline(&self) -> Option<Instant> {
        let wait = match &self.wait {
            Wait::Expect(expect) => Some(expect.deadline),
            Wait::TargetClose { deadline, .. } => Some(*deadline),
            Wait::Sleep { until } => Some(*until),
            Wait::Done => return None,
            _ => None,
        };
        Some(wait.map_or(self.budget_deadline, |d| d.min(self.budget_deadline)))
    }

    /// Whether the session is over.
    pub fn is_finished(&self) -> bool {
        matches!(self.wait, Wait::Done)
    }

    /// The moment the whole execution must be over.
    pub fn budget_deadline(&self) -> Instant {
        self.budget_deadline
    }

    /// Moves the budget's deadline later by `by` (the time a driver held the session).
    pub(super) fn extend_budget(&mut self, by: Duration) {
        self.budget_deadline += by;
    }

    /// "Now" in Unix milliseconds.
    pub(super) fn unix_ms(&self, now: Instant) -> i64 {
        let elapsed = i64::try_from(now.saturating_duration_since(self.started).as_millis());
        self.started_unix_ms
            .saturating_add(elapsed.unwrap_or(i64::MAX))
    }

    /// Carries out instructions and re-examines the current wait until the session must wait.
    fn advance(&mut self, now: Instant, observer: &mut dyn Observer) {
        loop {
            if !matches!(self.wait, Wait::Done) && now >= self.budget_deadline {
                self.over_budget();
            }
            let progressed = match &self.wait {
                Wait::Done => return,
                Wait::Ready => {
                    self.next_instruction(now);
                    true
                }
                Wait::Expect(_) => self.poll_expect(now, observer),
                Wait::TargetClose { .. } => self.poll_target_close(now, observer),
                Wait::Sleep { until } if now >= *until => {
                    self.wait = Wait::Ready;
                    true
                }
                _ => false,
            };
            if !progressed {
                return;
            }
        }
    }

    fn next_instruction(&mut self, now: Instant) {
        let plan = Arc::clone(&self.plan);
        let Some(instruction) = plan.program.get(self.pc) else {
            self.wait = Wait::Done;
            return;
        };
        match instruction {
            Instruction::LoopStart { times, end } => {
                if *times == 0 {
                    self.pc = end + 1;
                    return;
                }
                let names = self.captures.names().map(str::to_owned).collect();
                self.loops.push(LoopFrame {
                    start: self.pc,
                    rounds_left: times - 1,
                    round: 1,
                    names,
                });
                self.captures.insert(ROUND.to_owned(), Value::from(1));
                self.pc += 1;
            }
            Instruction::LoopEnd { .. } => self.end_round(),
            Instruction::Step(planned) if self.hold == Some(planned.number) => {
                self.wait = Wait::Held;
            }
            Instruction::Step(planned) => {
                self.current = Some(self.pc);
                self.pc += 1;
                self.start_step(now, planned);
            }
        }
    }

    fn end_round(&mut self) {
        let Some(frame) = self.loops.last_mut() else {
            self.pc += 1;
            return;
        };
        if frame.rounds_left == 0 {
            self.loops.pop();
            self.pc += 1;
            // The enclosing repeat's round again, or none outside every repeat.
            match self.loops.last() {
                Some(outer) => self
                    .captures
                    .insert(ROUND.to_owned(), Value::from(outer.round)),
                None => self.captures.retain(|name| name != ROUND),
            }
            return;
        }
        frame.rounds_left -= 1;
        frame.round += 1;
        self.pc = frame.start + 1;
        let names = &frame.names;
        self.captures.retain(|name| names.iter().any(|n| n == name));
        let round = Value::from(frame.round);
        self.captures.insert(ROUND.to_owned(), round);
    }

    /// The current step's 1-based number.
    pub(super) fn step_number(&self) -> Option<usize> {
        match self.current.and_then(|i| self.plan.program.get(i)) {
            Some(Instruction::Step(planned)) => Some(planned.number),
            _ => None,
        }
    }

    /// Records a check of the current step.
    pub(super) fn check(
        &mut self,
        now: Instant,
        since: Instant,
        actor: Option<usize>,
        kind: CheckKind,
        unmet: Option<Unmet>,
        observer: &mut dyn Observer,
    ) {
        let record = CheckRecord {
            step: self.step_number().unwrap_or(0),
            actor,
            kind,
            verdict: if unmet.is_some() {
                CheckVerdict::Fail
            } else {
                CheckVerdict::Pass
            },
            unmet,
            took: now.saturating_duration_since(since),
        };
        observer.check(&record);
        if self.keeps_checks() {
            self.checks.push(record);
        }
    }

    fn keeps_checks(&self) -> bool {
        matches!(self.plan.options.transcript, TranscriptLimit::Full(_))
    }

    /// Ends the session at the current step because of `unmet` (the headline, unless an earlier
    /// check already failed).
    pub(super) fn fail(&mut self, actor: &str, unmet: Unmet, unreachable: bool) {
        self.note_failure(actor, None, unmet, unreachable);
        self.end_early();
    }

    fn end_early(&mut self) {
        self.ended_early = true;
        self.wait = Wait::Done;
    }

    fn note_failure(
        &mut self,
        actor: &str,
        kind: Option<CheckKind>,
        unmet: Unmet,
        unreachable: bool,
    ) {
        if self.failure.is_none() {
            self.failure = Some(StepFailure {
                step: self.step_number(),
                kind,
                actor: actor.to_owned(),
                unmet,
                unreachable,
            });
        }
    }

    /// Records a failed check of the target and goes on (the caller decided later steps still
    /// have what they need).
    pub(super) fn deviate(
        &mut self,
        now: Instant,
        since: Instant,
        actor: Option<usize>,
        kind: CheckKind,
        unmet: Unmet,
        observer: &mut dyn Observer,
    ) {
        let name = self.party_name(actor.map_or(Party::Http, Party::Actor));
        self.check(now, since, actor, kind, Some(unmet.clone()), observer);
        self.note_failure(&name, Some(kind), unmet, false);
    }

    /// Whether the session may go on after a check failed with `unmet`: the run allows it, the
    /// target answered (a mismatch, a timeout or an unexpected message, not a closed or lost
    /// connection) and the scenario itself is sound.
    pub(super) fn may_go_on(&self, unmet: &Unmet) -> bool {
        self.plan.options.on_deviation == super::plan::OnDeviation::GoOn
            && matches!(
                unmet.cause,
                super::unmet::Cause::Mismatch
                    | super::unmet::Cause::Timeout
                    | super::unmet::Cause::Unexpected
            )
    }

    /// Ends the session at the current step because the scenario itself is wrong.
    pub(super) fn fail_scenario(&mut self, actor: &str, message: String) {
        self.fail(actor, Unmet::scenario(message), false);
    }

    /// Ends the session because a check of the target failed (recorded as such).
    pub(super) fn fail_check(
        &mut self,
        now: Instant,
        since: Instant,
        actor: Option<usize>,
        kind: CheckKind,
        unmet: Unmet,
        observer: &mut dyn Observer,
    ) {
        self.deviate(now, since, actor, kind, unmet, observer);
        self.end_early();
    }

    fn over_budget(&mut self) {
        let budget = self.plan.budget();
        self.fail(
            "harness",
            Unmet::new(format!(
                "the scenario did not finish within its budget of {budget:?}: a send or close to the target hung"
            ))
            .because(super::unmet::Cause::ConnectionLost),
            true,
        );
    }

    /// The name of an actor (or `http`).
    pub(super) fn party_name(&self, party: Party) -> String {
        match party {
            Party::Actor(index) => self
                .plan
                .actor(index)
                .map_or_else(String::new, |a| a.name.clone()),
            Party::Http => "http".to_owned(),
        }
    }

    /// Appends a transcript entry; returns its sequence number.
    pub(super) fn record(
        &mut self,
        at: Instant,
        party: Party,
        direction: Direction,
        content: Content,
    ) -> usize {
        self.transcript.push(Record {
            at,
            party,
            direction,
            content,
            matched: false,
            foreign: false,
        })
    }

    /// Applies an inbox's marks to the transcript.
    pub(super) fn apply_marks(&mut self, actor: usize) {
        let Some(state) = self.actors.get_mut(actor) else {
            return;
        };
        for mark in state.inbox.take_marks() {
            let (seq, matched) = match mark {
                Mark::Matched(seq) => (seq, true),
                Mark::Foreign(seq) => (seq, false),
            };
            if let Some(record) = self.transcript.get_mut(seq) {
                if matched {
                    record.matched = true;
                } else {
                    record.foreign = true;
                }
            }
        }
    }

    /// Keeps new captures, and makes them markers of this session's traffic.
    pub(super) fn keep(&mut self, bindings: Captures) {
        if let Some(markers) = self.markers.as_mut() {
            for (_, value) in bindings.iter() {
                if let Value::String(text) = value {
                    markers.add(text);
                }
            }
        }
        self.captures.extend(bindings);
    }

    /// Ends the session and hands over what it amounts to.
    pub fn finish(mut self, now: Instant) -> Outcome {
        for actor in 0..self.actors.len() {
            let markers = self.markers.as_ref();
            let is_foreign = |r: &super::transcript::Received| is_foreign(markers, r);
            let ctx = super::inbox::MatchContext {
                captures: &self.captures,
                now_ms: 0,
                is_foreign: &is_foreign,
            };
            if let Some(state) = self.actors.get_mut(actor) {
                state.inbox.finish(&ctx);
            }
            self.apply_marks(actor);
        }
        if self.keeps_checks() {
            self.not_run();
            self.find_unasked();
            self.find_broken_properties();
        }
        let actors = self.plan.scenario.actors.iter().map(|a| a.name.clone());
        let deviations = self
            .dialect
            .iter()
            .flat_map(|d| d.deviations.iter())
            .zip(&self.deviation_uses)
            .filter(|(_, count)| **count > 0)
            .map(|(deviation, count)| DeviationUse {
                id: deviation.id.clone(),
                reason: deviation.reason.clone(),
                count: *count,
            })
            .collect();
        Outcome {
            failure: self.failure,
            checks: self.checks,
            findings: self.findings,
            transcript: self.transcript,
            started: self.started,
            finished: now,
            run_id: self.run_id,
            socket_ids: self.socket_ids,
            actors: actors.collect(),
            deviations,
        }
    }

    /// Records the steps after the one the session stopped at as not run.
    fn not_run(&mut self) {
        if !self.ended_early {
            return;
        }
        let after = self.current.map_or(0, |c| c + 1).max(self.pc);
        for instruction in self.plan.program.iter().skip(after) {
            if let Instruction::Step(planned) = instruction
                && let Some(kind) = super::plan::check_kind(&planned.step.action)
            {
                self.checks.push(CheckRecord {
                    step: planned.number,
                    actor: None,
                    kind,
                    verdict: CheckVerdict::NotRun,
                    unmet: None,
                    took: Duration::ZERO,
                });
            }
        }
    }
}

/// Whether a received message is another session's traffic.
pub(super) fn is_foreign(
    markers: Option<&SessionMarkers>,
    received: &super::transcript::Received,
) -> bool {
    let Some(markers) = markers else {
        return false;
    };
    match (&received.json, &received.shown) {
        (Some(json), _) => markers.is_foreign(json),
        (None, super::transcript::Shown::Frame(text)) => markers.is_foreign_text(text),
        (None, _) => false,
    }
}
