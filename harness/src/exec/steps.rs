//! Starting each kind of step: what it sends, asks the driver for, or waits for.
//!
//! `${refs}` are resolved here, once per step; a reference to a name never captured, or a step
//! about a connection that is not open, is the scenario's fault, not the target's.

use std::sync::Arc;
use std::time::Instant;

use super::attachments::take_attachments;
use super::plan::{PlannedStep, Sends};
use super::session::{
    AwaitingAck, Command, ExpectWait, HttpRequest, Link, Session, Wait, WantKind,
};
use super::transcript::{Content, Party};
use crate::matcher::{self, MatchError};
use crate::report::model::Direction;
use crate::scenario::model::{Action, Expectation, HttpStep, Outgoing};
use crate::transport::address::http_base;
use crate::transport::http::Body;
use crate::transport::{ConnectRequest, Outbound};

impl Session {
    pub(super) fn start_step(&mut self, now: Instant, planned: &PlannedStep) {
        match &planned.step.action {
            Action::Connect {
                actors,
                refused,
                at_once,
            } => self.connect(now, actors, 0, *refused, *at_once),
            Action::Disconnect { actor } => self.disconnect(now, actor),
            Action::ExpectClose {
                actor,
                code,
                timeout,
            } => {
                let Some(index) = self.known_actor(actor) else {
                    return;
                };
                let wait = timeout.unwrap_or(self.plan.scenario.timeout);
                self.wait = Wait::TargetClose {
                    actor: index,
                    code: *code,
                    deadline: now + self.plan.scaled(wait),
                    since: now,
                };
            }
            Action::Send { actor, frame } => self.send(now, planned, actor, frame),
            Action::Emit(emit) => self.emit(now, planned, &emit.actor),
            Action::AckReply { actor, to, .. } => self.ack_reply(now, planned, actor, to),
            Action::Http(http) => self.http(now, http),
            Action::Expect {
                actors,
                expectation,
                timeout,
            } => self.expect(now, actors, expectation, *timeout),
            Action::Sleep(duration) => {
                self.wait = Wait::Sleep {
                    until: now + self.plan.scaled(*duration),
                }
            }
            // Flattened into loop instructions by the plan.
            Action::Repeat { .. } => {}
        }
    }

    /// The index of a declared actor whose connection exists (open or closed since); otherwise
    /// the scenario is wrong and the session ends.
    fn known_actor(&mut self, actor: &str) -> Option<usize> {
        let index = self.plan.actor_index(actor);
        match index.and_then(|i| self.actors.get(i)) {
            Some(state) if !matches!(state.link, Link::Idle) => index,
            _ => {
                self.fail_scenario(
                    actor,
                    format!("{actor} is not connected (add `- connect: {actor}` before this step)"),
                );
                None
            }
        }
    }

    /// The open connection of `actor`: its index and tag. A connection the target closed
    /// cannot carry the step: that is the target's doing.
    fn open_link(&mut self, actor: &str) -> Option<(usize, usize)> {
        let index = self.known_actor(actor)?;
        match self.actors[index].link {
            Link::Open(conn) => Some((index, conn)),
            _ => {
                let unmet = super::unmet::Unmet::new(format!("{actor}'s connection is closed"))
                    .because(super::unmet::Cause::Closed);
                self.fail(actor, unmet, false);
                None
            }
        }
    }

    fn resolved<T>(&mut self, actor: &str, value: Result<T, MatchError>) -> Option<T> {
        match value {
            Ok(value) => Some(value),
            Err(error) => {
                self.fail_scenario(actor, error.to_string());
                None
            }
        }
    }

    /// Connects the `position`th of `actors` (`at_once`: it and every later one, each
    /// handshake under way before any ends); once every one is connected, the step is done.
    pub(super) fn connect(
        &mut self,
        now: Instant,
        actors: &[String],
        position: usize,
        refused: bool,
        at_once: bool,
    ) {
        let end = if at_once { actors.len() } else { position + 1 };
        let batch = actors.get(position..end.min(actors.len())).unwrap_or(&[]);
        if batch.is_empty() {
            self.wait = Wait::Ready;
            return;
        }
        let mut pending = Vec::with_capacity(batch.len());
        for actor in batch {
            let Some(index) = self.start_connect(actor) else {
                return;
            };
            pending.push(index);
        }
        self.last_cause = now;
        self.wait = Wait::Connect {
            pending,
            next: position + batch.len(),
            refused,
            since: now,
        };
    }

    /// Asks the driver to open `actor`'s connection: its index, or `None` when the scenario
    /// cannot (the session is then over).
    fn start_connect(&mut self, actor: &str) -> Option<usize> {
        let plan = Arc::clone(&self.plan);
        let Some(index) = plan.actor_index(actor) else {
            self.fail_scenario(actor, format!("unknown actor {actor}"));
            return None;
        };
        let declared = &plan.scenario.actors[index];
        let mut query = Vec::new();
        for (name, value) in &declared.query {
            let value = matcher::interpolate(value, &self.captures);
            let value = self.resolved(actor, value)?;
            query.push((name.clone(), value));
        }
        let auth = match &declared.auth {
            Some(auth) => {
                let auth = matcher::resolve_value(auth, &self.captures);
                Some(self.resolved(actor, auth)?)
            }
            None => None,
        };
        let profile = &plan.suite.profile;
        let conn = self.conns.len();
        self.conns.push(Some(index));
        self.actors[index] = super::session::ActorState::new();
        self.commands.push_back(Command::Connect {
            conn,
            request: ConnectRequest {
                target: plan.target_url.clone(),
                path: profile.connect_path().to_owned(),
                namespace: profile.namespace.clone().unwrap_or_else(|| "/".to_owned()),
                query,
                auth,
                timeout: plan.scaled(plan.scenario.timeout),
                limits: plan.options.limits.clone(),
            },
        });
        Some(index)
    }

    fn disconnect(&mut self, now: Instant, actor: &str) {
        let Some(index) = self.known_actor(actor) else {
            return;
        };
        match self.actors[index].link {
            Link::Open(conn) => {
                self.commands.push_back(Command::Close { conn });
                self.wait = Wait::Close { actor: index };
            }
            _ => {
                let close = Content::Text("close 1000".to_owned());
                self.record(now, Party::Actor(index), Direction::Sent, close);
            }
        }
    }

    fn send(&mut self, now: Instant, planned: &PlannedStep, actor: &str, frame: &Outgoing) {
        let (message, content) = match (frame, &planned.sends) {
            (_, Some(Sends::Json(template))) => {
                let value = template.fill(&self.captures);
                let Some(value) = self.resolved(actor, value) else {
                    return;
                };
                let value = self.dialect_send(value);
                (Outbound::Text(value.to_string()), Content::Json(value))
            }
            (Outgoing::Text(text), _) => {
                (Outbound::Text(text.clone()), Content::Text(text.clone()))
            }
            (Outgoing::Binary(bytes), _) => (
                Outbound::Binary(bytes.clone()),
                Content::Binary(bytes.clone()),
            ),
            (Outgoing::Json(_), _) => return,
        };
        // Raw frames are recorded as they leave, before the target can answer them.
        let party = self
            .plan
            .actor_index(actor)
            .map_or(Party::Http, Party::Actor);
        self.record(now, party, Direction::Sent, content);
        let Some((index, conn)) = self.open_link(actor) else {
            return;
        };
        self.commands.push_back(Command::Send { conn, message });
        self.wait = Wait::Send {
            actor: index,
            record: None,
            since: now,
        };
    }

    fn emit(&mut self, now: Instant, planned: &PlannedStep, actor: &str) {
        let Some(Sends::Emit(emit)) = &planned.sends else {
            return;
        };
        let args = emit.args.fill(&self.captures);
        let Some(args) = self.resolved(actor, args) else {
            return;
        };
        let mut args = self.dialect_emit(&emit.event, args);
        let mut attachments = Vec::new();
        if emit.binary {
            let mut owned = args.to_vec();
            match take_attachments(&mut owned) {
                Ok(taken) => (args, attachments) = (owned.into(), taken),
                Err(message) => return self.fail_scenario(actor, message),
            }
        }
        let Some((index, conn)) = self.open_link(actor) else {
            return;
        };
        let state = &mut self.actors[index];
        let ack_id = emit.label.as_ref().map(|label| {
            let id = state.next_ack_id;
            state.next_ack_id += 1;
            state.awaiting.push(AwaitingAck {
                id,
                label: Arc::clone(label),
                schema: Arc::clone(&emit.ack_schema),
                sent_at: now,
            });
            match state.labels.iter_mut().find(|(l, _)| l == label) {
                Some((_, latest)) => {
                    let earlier = std::mem::replace(latest, id);
                    state.inbox.retire_ack(earlier);
                }
                None => state.labels.push((Arc::clone(label), id)),
            }
            id
        });
        self.commands.push_back(Command::Send {
            conn,
            message: Outbound::Event {
                name: Arc::clone(&emit.event),
                args: Arc::clone(&args),
                ack_id,
                attachments,
            },
        });
        self.wait = Wait::Send {
            actor: index,
            record: Some(Content::Emit {
                event: Arc::clone(&emit.event),
                args,
                label: emit.label.clone(),
                ack_id,
            }),
            since: now,
        };
    }

    fn ack_reply(&mut self, now: Instant, planned: &PlannedStep, actor: &str, to: &str) {
        let text = matcher::interpolate(to, &self.captures);
        let Some(text) = self.resolved(actor, text) else {
            return;
        };
        let Ok(id) = text.trim().parse::<u64>() else {
            self.fail_scenario(
                actor,
                format!("`to` must be an ack id (a number), got {text:?}"),
            );
            return;
        };
        let Some(Sends::Ack(template)) = &planned.sends else {
            return;
        };
        let args = template.fill(&self.captures);
        let Some(args) = self.resolved(actor, args) else {
            return;
        };
        let Some((index, conn)) = self.open_link(actor) else {
            return;
        };
        self.commands.push_back(Command::Send {
            conn,
            message: Outbound::Ack {
                id,
                args: Arc::clone(&args),
            },
        });
        self.wait = Wait::Send {
            actor: index,
            record: Some(Content::AckReply { id, args }),
            since: now,
        };
    }

    fn http(&mut self, now: Instant, step: &HttpStep) {
        const ACTOR: &str = "http";
        let path = matcher::interpolate(&step.path, &self.captures);
        let Some(path) = self.resolved(ACTOR, path) else {
            return;
        };
        let mut headers = std::collections::BTreeMap::new();
        for (name, value) in &step.headers {
            let value = matcher::interpolate(value, &self.captures);
            let Some(value) = self.resolved(ACTOR, value) else {
                return;
            };
            headers.insert(name.clone(), value);
        }
        let body = match &step.body {
            Some(Outgoing::Json(value)) => {
                let value = matcher::resolve_value(value, &self.captures);
                let Some(value) = self.resolved(ACTOR, value) else {
                    return;
                };
                Some(Body::Json(value))
            }
            Some(Outgoing::Text(text)) => Some(Body::Text(text.clone())),
            Some(Outgoing::Binary(bytes)) => {
                Some(Body::Text(String::from_utf8_lossy(bytes).into_owned()))
            }
            None => None,
        };
        let shown_body = match &body {
            Some(Body::Json(value)) => format!(" {value}"),
            Some(Body::Text(text)) => format!(" {text}"),
            None => String::new(),
        };
        let line = format!("{} {path}{shown_body}", step.method);
        self.record(now, Party::Http, Direction::Sent, Content::Text(line));
        let base = match http_base(&self.plan.target_url) {
            Ok(base) => base,
            Err(error) => {
                let message = format!("invalid target URL {:?}: {error}", self.plan.target_url);
                let unmet =
                    super::unmet::Unmet::new(message).because(super::unmet::Cause::Unreachable);
                self.fail(ACTOR, unmet, true);
                return;
            }
        };
        self.commands.push_back(Command::Http(HttpRequest {
            method: step.method.clone(),
            url: format!("{base}{path}"),
            headers,
            body,
            timeout: self.plan.scaled(self.plan.scenario.timeout),
        }));
        self.last_cause = now;
        self.wait = Wait::Http { since: now };
    }

    fn expect(
        &mut self,
        now: Instant,
        actors: &[String],
        expectation: &Expectation,
        timeout: Option<std::time::Duration>,
    ) {
        // One window for every actor named: `absent` on two actors for 600 ms means the same
        // 600 ms, not 1.2 s.
        // `--time-scale` loosens waits for what must arrive; an `absent` window is not
        // stretched: a longer one would be stricter, and outlast the target's own timers (a job
        // that must not expire within 700 ms of a 1 s expiry).
        let window = match expectation {
            Expectation::Absent { within, .. } => *within,
            _ => self
                .plan
                .scaled(timeout.unwrap_or(self.plan.scenario.timeout)),
        };
        let mut indices = Vec::with_capacity(actors.len());
        for actor in actors {
            let Some(index) = self.known_actor(actor) else {
                return;
            };
            indices.push(index);
        }
        let want = match expectation {
            Expectation::Next(_) => WantKind::Next,
            Expectation::Eventually(_) => WantKind::Eventually,
            Expectation::Unordered(_) => WantKind::Unordered,
            Expectation::Absent { .. } => WantKind::Absent,
            Expectation::Ack { label, .. } => WantKind::Ack(Arc::from(label.as_str())),
        };
        self.wait = Wait::Expect(Box::new(ExpectWait {
            want,
            actors: indices,
            current: 0,
            deadline: now + window,
            scan: Default::default(),
            since: now,
        }));
    }
}
