//! Runs one scenario's steps against one target: connections, sends, HTTP, expectations.
//!
//! This is the I/O shell around [`super::inbox`]: it moves frames from each connection's channel
//! into the transcript (schema-checking every one) and into the actor's inbox, and waits, always
//! with a deadline, until the inbox decides. It does not decide verdicts ([`super::verdict`]
//! does) and knows no protocol beyond the profile.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::sync::mpsc;

use super::inbox::{Clock, Inbox, InboxMessage, Progress, Unmet};
use super::noise::Markers;
use super::{ProtocolSuite, RunOptions, StepFailure, target};
use crate::matcher::{self, Captures};
use crate::report::model::{Direction, Finding, TranscriptEntry};
use crate::scenario::model::{Action, Expectation, Outgoing, Scenario, Step};
use crate::transport::ws::{self, WsConnection};
use crate::transport::{Frame, Incoming};

/// One connection of a running scenario.
#[derive(Default)]
struct ActorState {
    connection: Option<WsConnection>,
    frames: Option<mpsc::Receiver<Incoming>>,
    inbox: Inbox,
    closed: Option<(Option<u16>, String)>,
}

/// Everything a running scenario holds.
pub struct Session<'a> {
    pub(super) scenario: &'a Scenario,
    pub(super) suite: &'a ProtocolSuite,
    pub(super) options: &'a RunOptions,
    pub(super) target_url: &'a str,
    pub(super) started: Instant,
    pub(super) captures: Captures,
    run_id: String,
    markers: Markers,
    actors: BTreeMap<String, ActorState>,
    pub(super) transcript: Vec<TranscriptEntry>,
    pub(super) findings: Vec<Finding>,
}

impl<'a> Session<'a> {
    /// A session with no connection open yet.
    pub fn new(
        scenario: &'a Scenario,
        suite: &'a ProtocolSuite,
        options: &'a RunOptions,
        target_url: &'a str,
        markers: Markers,
    ) -> Session<'a> {
        let run_id = run_id();
        let mut captures = Captures::new();
        captures.insert("run_id".to_owned(), Value::String(run_id.clone()));
        markers.add(&run_id, &run_id);
        Session {
            run_id,
            markers,
            scenario,
            suite,
            options,
            target_url,
            started: Instant::now(),
            captures,
            actors: BTreeMap::new(),
            transcript: Vec::new(),
            findings: Vec::new(),
        }
    }

    /// Carries out one step.
    pub async fn step(&mut self, step: &Step) -> Result<(), StepFailure> {
        match &step.action {
            Action::Connect { actor } => self.connect(actor).await,
            Action::Disconnect { actor } => self.disconnect(actor).await,
            Action::ExpectClose {
                actor,
                code,
                timeout,
            } => self.expect_close(actor, *code, *timeout).await,
            Action::Send { actor, frame } => self.send(actor, frame).await,
            Action::Http(http) => super::http_step::run(self, http).await,
            Action::Expect {
                actors,
                expectation,
                timeout,
            } => {
                for actor in actors {
                    self.expect(actor, expectation, *timeout).await?;
                }
                Ok(())
            }
            Action::Sleep(duration) => {
                tokio::time::sleep(self.scaled(*duration)).await;
                Ok(())
            }
        }
    }

    /// Ends the session: records what is still buffered and closes every connection.
    pub fn finish(&mut self) {
        self.drain_all();
        self.mark_foreign();
        let taken: Vec<usize> = self.actors.values().flat_map(|a| a.inbox.taken()).collect();
        for index in taken {
            self.transcript[index].matched = true;
        }
        let foreign: Vec<usize> = self
            .actors
            .values()
            .flat_map(|a| a.inbox.foreign())
            .collect();
        for index in foreign {
            self.transcript[index].foreign = true;
        }
        self.actors.clear();
    }

    /// Keeps new captures, and makes them markers of this session's traffic.
    pub(super) fn keep(&mut self, bindings: Captures) {
        self.markers.add_captures(&self.run_id, &bindings);
        self.captures.extend(bindings);
    }

    /// Hides other sessions' traffic from this session's expectations.
    fn mark_foreign(&mut self) {
        let (markers, run_id) = (&self.markers, &self.run_id);
        for state in self.actors.values_mut() {
            state
                .inbox
                .mark_foreign(|m| markers.is_foreign(run_id, &m.text));
        }
    }

    pub(super) fn scaled(&self, duration: Duration) -> Duration {
        duration.mul_f64(self.options.time_scale)
    }

    pub(super) fn record(
        &mut self,
        actor: &str,
        direction: Direction,
        at: Instant,
        text: String,
    ) -> usize {
        self.transcript.push(TranscriptEntry {
            at_ms: u64::try_from(at.saturating_duration_since(self.started).as_millis())
                .unwrap_or(u64::MAX),
            actor: actor.to_owned(),
            direction,
            text,
            matched: false,
            foreign: false,
        });
        self.transcript.len() - 1
    }

    async fn connect(&mut self, actor: &str) -> Result<(), StepFailure> {
        let declared = self.scenario.actors.iter().find(|a| a.name == actor);
        let mut query = Vec::new();
        for (name, value) in declared.map(|a| &a.query).into_iter().flatten() {
            let value = matcher::interpolate(value, &self.captures)
                .map_err(|e| StepFailure::scenario(actor, e.to_string()))?;
            query.push((name.clone(), value));
        }
        let url = target::ws_url(self.target_url, &self.suite.profile.ws_path, &query)
            .map_err(|e| StepFailure::unreachable(actor, e.to_string()))?;
        self.record(
            actor,
            Direction::Sent,
            Instant::now(),
            format!("connect {url}"),
        );
        let wait = self.scaled(self.scenario.timeout);
        let (connection, frames) =
            match tokio::time::timeout(wait, ws::connect(&url, &self.options.limits)).await {
                Ok(Ok(open)) => open,
                Ok(Err(error)) => return Err(StepFailure::unreachable(actor, error.to_string())),
                Err(_) => {
                    return Err(StepFailure::unreachable(
                        actor,
                        format!("no WebSocket handshake from {url} within {wait:?}"),
                    ));
                }
            };
        self.actors.insert(
            actor.to_owned(),
            ActorState {
                connection: Some(connection),
                frames: Some(frames),
                ..ActorState::default()
            },
        );
        Ok(())
    }

    async fn disconnect(&mut self, actor: &str) -> Result<(), StepFailure> {
        let state = self.actor_mut(actor)?;
        if let Some(mut connection) = state.connection.take() {
            let _ = connection.close().await;
        }
        self.record(
            actor,
            Direction::Sent,
            Instant::now(),
            "close 1000".to_owned(),
        );
        // The target's answer is recorded if it comes quickly; its absence is not a failure.
        let deadline = Instant::now() + self.scaled(Duration::from_millis(500));
        while self.actors.get(actor).is_some_and(|a| a.closed.is_none())
            && Instant::now() < deadline
        {
            if !self.wait_for_frame(actor, deadline).await {
                break;
            }
        }
        if let Some(state) = self.actors.get_mut(actor) {
            state.frames = None;
        }
        Ok(())
    }

    async fn expect_close(
        &mut self,
        actor: &str,
        code: Option<u16>,
        timeout: Option<Duration>,
    ) -> Result<(), StepFailure> {
        let deadline = Instant::now() + self.scaled(timeout.unwrap_or(self.scenario.timeout));
        loop {
            self.drain_all();
            if let Some((got, reason)) = self.actor_mut(actor)?.closed.clone() {
                return match code {
                    Some(want) if got != Some(want) => Err(StepFailure::unmet(
                        actor,
                        Unmet {
                            message: format!(
                                "the connection closed with code {got:?} ({reason}), expected {want}"
                            ),
                            path: None,
                            expected: Some(format!("close code {want}")),
                            actual: got.map(Value::from),
                            scenario_error: false,
                        },
                    )),
                    _ => Ok(()),
                };
            }
            if Instant::now() >= deadline {
                return Err(StepFailure::unmet(
                    actor,
                    Unmet {
                        message: "the target did not close the connection before the deadline"
                            .to_owned(),
                        path: None,
                        expected: Some(
                            code.map_or_else(
                                || "a close".to_owned(),
                                |c| format!("close code {c}"),
                            ),
                        ),
                        actual: None,
                        scenario_error: false,
                    },
                ));
            }
            self.wait_for_frame(actor, deadline).await;
        }
    }

    async fn send(&mut self, actor: &str, frame: &Outgoing) -> Result<(), StepFailure> {
        let (text, bytes) = match frame {
            Outgoing::Json(value) => {
                let value = matcher::resolve_value(value, &self.captures)
                    .map_err(|e| StepFailure::scenario(actor, e.to_string()))?;
                (Some(value.to_string()), None)
            }
            Outgoing::Text(text) => (Some(text.clone()), None),
            Outgoing::Binary(bytes) => (None, Some(bytes.clone())),
        };
        let shown = text
            .clone()
            .unwrap_or_else(|| describe_binary(bytes.as_deref().unwrap_or_default()));
        self.record(actor, Direction::Sent, Instant::now(), shown);
        let state = self.actor_mut(actor)?;
        let Some(connection) = state.connection.as_mut() else {
            return Err(StepFailure::scenario(
                actor,
                format!("{actor} is not connected"),
            ));
        };
        let sent = match (text, bytes) {
            (Some(text), _) => connection.send_text(text).await,
            (None, bytes) => connection.send_binary(bytes.unwrap_or_default()).await,
        };
        sent.map_err(|error| {
            StepFailure::unmet(
                actor,
                Unmet {
                    message: format!("the connection is gone: {error}"),
                    path: None,
                    expected: None,
                    actual: None,
                    scenario_error: false,
                },
            )
        })
    }

    async fn expect(
        &mut self,
        actor: &str,
        expectation: &Expectation,
        timeout: Option<Duration>,
    ) -> Result<(), StepFailure> {
        let wait = match expectation {
            Expectation::Absent { within, .. } => *within,
            _ => timeout.unwrap_or(self.scenario.timeout),
        };
        let deadline = Instant::now() + self.scaled(wait);
        loop {
            self.drain_all();
            self.mark_foreign();
            let captures = self.captures.clone();
            let state = self.actor_mut(actor)?;
            let ended = state.closed.is_some() || Instant::now() >= deadline;
            let clock = if ended {
                Clock::Expired
            } else {
                Clock::Running
            };
            match state.inbox.check(expectation, &captures, clock) {
                Progress::Met(bindings) => {
                    self.keep(bindings);
                    return Ok(());
                }
                Progress::Unmet(mut unmet) => {
                    if let Some((code, reason)) = &state.closed {
                        unmet.message = format!(
                            "{} (the connection was closed: code {code:?}, {reason})",
                            unmet.message
                        );
                    }
                    return Err(StepFailure::unmet(actor, unmet));
                }
                Progress::Waiting => {
                    self.wait_for_frame(actor, deadline).await;
                }
            }
        }
    }

    fn actor_mut(&mut self, actor: &str) -> Result<&mut ActorState, StepFailure> {
        self.actors.get_mut(actor).ok_or_else(|| {
            StepFailure::scenario(
                actor,
                format!("{actor} is not connected (add `- connect: {actor}` before this step)"),
            )
        })
    }

    /// Waits for one frame on `actor`'s connection until `deadline`; false if none can come.
    async fn wait_for_frame(&mut self, actor: &str, deadline: Instant) -> bool {
        let Some(frames) = self.actors.get_mut(actor).and_then(|a| a.frames.as_mut()) else {
            tokio::time::sleep_until(deadline.into()).await;
            return false;
        };
        match tokio::time::timeout_at(deadline.into(), frames.recv()).await {
            Ok(Some(incoming)) => {
                self.take_in(actor, incoming);
                true
            }
            Ok(None) => {
                self.mark_ended(actor);
                false
            }
            Err(_) => false,
        }
    }

    /// Moves every frame already received, on every connection, into transcript and inboxes.
    fn drain_all(&mut self) {
        let names: Vec<String> = self.actors.keys().cloned().collect();
        for name in names {
            while let Some(incoming) = self
                .actors
                .get_mut(&name)
                .and_then(|a| a.frames.as_mut())
                .and_then(|f| f.try_recv().ok())
            {
                self.take_in(&name, incoming);
            }
        }
    }

    fn mark_ended(&mut self, actor: &str) {
        if let Some(state) = self.actors.get_mut(actor) {
            state.frames = None;
            state
                .closed
                .get_or_insert((None, "the connection ended".to_owned()));
        }
    }

    fn take_in(&mut self, actor: &str, incoming: Incoming) {
        match incoming.frame {
            Frame::Text(text) => {
                let json = serde_json::from_str::<Value>(&text).ok();
                let index = self.record(actor, Direction::Received, incoming.at, text.clone());
                self.check_schema(actor, index, json.as_ref());
                self.push_inbox(actor, index, json, text);
            }
            Frame::Binary(bytes) => {
                let index = self.record(
                    actor,
                    Direction::Received,
                    incoming.at,
                    describe_binary(&bytes),
                );
                self.finding(
                    actor,
                    index,
                    "a binary frame, where the protocol sends JSON text frames".to_owned(),
                    None,
                );
                self.push_inbox(actor, index, None, String::new());
            }
            Frame::Closed { code, reason } => {
                let shown = format!(
                    "close {} {reason}",
                    code.map_or_else(|| "(no code)".to_owned(), |c| c.to_string())
                );
                self.record(
                    actor,
                    Direction::Received,
                    incoming.at,
                    shown.trim_end().to_owned(),
                );
                if let Some(state) = self.actors.get_mut(actor) {
                    state.closed = Some((code, reason));
                    state.connection = None;
                }
            }
        }
    }

    fn push_inbox(
        &mut self,
        actor: &str,
        transcript_index: usize,
        json: Option<Value>,
        text: String,
    ) {
        if let Some(state) = self.actors.get_mut(actor) {
            state.inbox.push(InboxMessage {
                transcript_index,
                json,
                text,
            });
        }
    }

    fn check_schema(&mut self, actor: &str, index: usize, json: Option<&Value>) {
        let Some(json) = json else {
            self.finding(actor, index, "the message is not JSON".to_owned(), None);
            return;
        };
        for issue in self.suite.schemas.check(json) {
            self.finding(actor, index, issue.message, issue.path);
        }
    }

    fn finding(
        &mut self,
        actor: &str,
        message_index: usize,
        message: String,
        path: Option<String>,
    ) {
        self.findings.push(Finding {
            actor: actor.to_owned(),
            message_index,
            message,
            path,
        });
    }
}

fn describe_binary(bytes: &[u8]) -> String {
    let shown: String = bytes.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!(
        "<binary {} bytes: {shown}{}>",
        bytes.len(),
        if bytes.len() > 16 { "…" } else { "" }
    )
}

fn run_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..10].to_owned()
}
