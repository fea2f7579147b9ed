//! Runs one scenario's steps against one target: connections, sends, HTTP, expectations.
//!
//! This is the I/O shell around [`super::inbox`]: it moves frames from each connection's channel
//! into the transcript (schema-checking every one) and into the actor's inbox, and waits, always
//! with a deadline, until the inbox decides. It does not decide verdicts ([`super::verdict`]
//! does) and knows no protocol beyond the profile.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde_json::Value;

mod intake;
mod link;
mod socketio;

use intake::describe_binary;
use link::{Feed, Link};

use super::inbox::{Clock, Inbox, Progress, Unmet};
use super::noise::Markers;
use super::{ProtocolSuite, RunOptions, StepFailure, target};
use crate::matcher::{self, Captures};
use crate::profile::TransportKind;
use crate::report::model::{Direction, Finding, TranscriptEntry};
use crate::scenario::checks::RUN_VARIABLE_PREFIX;
use crate::scenario::model::{Action, Expectation, Outgoing, Scenario, Step};
use crate::transport::{TransportError, ws};

/// One connection of a running scenario.
#[derive(Default)]
struct ActorState {
    /// The sending half; `None` once closed (or never opened: a refused connect).
    link: Option<Link>,
    /// What the target sends; `None` once the connection's reader has ended.
    feed: Option<Feed>,
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
    /// socket.io socket ids given by the target, in connection order.
    pub(super) socket_ids: Vec<String>,
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
        let vars = suite.profile.vars.iter().chain(&options.vars);
        for (name, value) in vars {
            let name = format!("{RUN_VARIABLE_PREFIX}{name}");
            captures.insert(name, Value::String(value.clone()));
        }
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
            socket_ids: Vec::new(),
        }
    }

    /// Carries out one step.
    pub async fn step(&mut self, step: &Step) -> Result<(), StepFailure> {
        match &step.action {
            Action::Connect { actor, refused } if self.is_socketio() => {
                self.connect_sio(actor, *refused).await
            }
            Action::Connect {
                actor,
                refused: false,
            } => self.connect(actor).await,
            Action::Connect {
                actor,
                refused: true,
            } => Err(not_socketio(actor, "a refused connect")),
            Action::Emit(emit) if self.is_socketio() => self.emit(emit).await,
            Action::Emit(emit) => Err(not_socketio(&emit.actor, "emit")),
            Action::AckReply { actor, to, args } if self.is_socketio() => {
                self.ack_reply(actor, to, args).await
            }
            Action::AckReply { actor, .. } => Err(not_socketio(actor, "ack")),
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
                // One window for every actor named: `absent` on two actors for 600 ms means the
                // same 600 ms, not 1.2 s.
                let wait = match expectation {
                    Expectation::Absent { within, .. } => *within,
                    _ => timeout.unwrap_or(self.scenario.timeout),
                };
                let deadline = Instant::now() + self.scaled(wait);
                for actor in actors {
                    self.expect(actor, expectation, deadline).await?;
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

    fn is_socketio(&self) -> bool {
        self.suite.profile.transport == TransportKind::Socketio
    }

    pub(super) fn scaled(&self, duration: Duration) -> Duration {
        duration.mul_f64(self.options.time_scale)
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
                link: Some(Link::Ws(connection)),
                feed: Some(Feed::Ws(frames)),
                ..ActorState::default()
            },
        );
        Ok(())
    }

    async fn disconnect(&mut self, actor: &str) -> Result<(), StepFailure> {
        let wait = self.scaled(self.scenario.timeout);
        let state = self.actor_mut(actor)?;
        if let Some(mut link) = state.link.take() {
            let _ = bounded(wait, link.close()).await;
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
            state.feed = None;
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
                        Unmet::new(format!(
                            "the connection closed with code {got:?} ({reason}), expected {want}"
                        ))
                        .with(
                            None,
                            Some(format!("close code {want}")),
                            got.map(Value::from),
                        ),
                    )),
                    _ => Ok(()),
                };
            }
            if Instant::now() >= deadline {
                return Err(StepFailure::unmet(
                    actor,
                    Unmet::new(
                        "the target did not close the connection before the deadline".to_owned(),
                    )
                    .with(
                        None,
                        Some(
                            code.map_or_else(
                                || "a close".to_owned(),
                                |c| format!("close code {c}"),
                            ),
                        ),
                        None,
                    ),
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
        let wait = self.scaled(self.scenario.timeout);
        let state = self.actor_mut(actor)?;
        let Some(connection) = state.link.as_mut() else {
            return Err(StepFailure::scenario(
                actor,
                format!("{actor} is not connected"),
            ));
        };
        let sent = match (text, bytes) {
            (Some(text), _) => bounded(wait, connection.send_text(text)).await,
            (None, bytes) => bounded(wait, connection.send_binary(bytes.unwrap_or_default())).await,
        };
        sent.map_err(|error| {
            StepFailure::unmet(
                actor,
                Unmet::new(format!("the connection is gone: {error}")),
            )
        })
    }

    async fn expect(
        &mut self,
        actor: &str,
        expectation: &Expectation,
        deadline: Instant,
    ) -> Result<(), StepFailure> {
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
}

/// socket.io steps on a protocol whose transport is raw WebSocket.
fn not_socketio(actor: &str, what: &str) -> StepFailure {
    StepFailure::scenario(
        actor,
        format!("{what} is a socket.io step, and this protocol's transport is a raw WebSocket"),
    )
}

/// Bounds one send or close: a target that stops reading must not hang the run.
pub(super) async fn bounded<T>(
    wait: Duration,
    op: impl Future<Output = Result<T, TransportError>>,
) -> Result<T, TransportError> {
    tokio::time::timeout(wait, op).await.unwrap_or_else(|_| {
        Err(TransportError::Send(format!(
            "the target accepted nothing for {wait:?}"
        )))
    })
}

fn run_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..10].to_owned()
}
