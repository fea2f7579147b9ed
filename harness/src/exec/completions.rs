//! What the session does when a command it asked for ends: a connect (accepted, refused or
//! failed), a send, a close, an HTTP exchange.
//!
//! A completion that does not belong to the current wait (a stale connection) is ignored.

use std::sync::Arc;
use std::time::Instant;

use serde_json::{Value, json};

use super::observer::{LatencyKind, Observer};
use super::outcome::CheckKind;
use super::session::{Link, Session, Wait};
use super::transcript::{Content, Party, Received, Shown};
use super::unmet::{Cause, Unmet};
use crate::matcher::{self, Pattern};
use crate::report::model::Direction;
use crate::scenario::model::{Action, BodyPattern, HttpStep};
use crate::transport::http::HttpReply;
use crate::transport::{Accepted, TransportError};

impl Session {
    pub(super) fn on_connected(
        &mut self,
        now: Instant,
        conn: usize,
        description: String,
        result: Result<Accepted, TransportError>,
        observer: &mut dyn Observer,
    ) {
        let Some(actor) = self.conns.get(conn).copied().flatten() else {
            return;
        };
        let Wait::Connect {
            pending,
            refused,
            since,
            ..
        } = &self.wait
        else {
            return;
        };
        if !pending.contains(&actor) {
            return;
        }
        let (refused, since) = (*refused, *since);
        let party = Party::Actor(actor);
        self.record(since, party, Direction::Sent, Content::Text(description));
        let name = self.party_name(party);
        match result {
            Ok(accepted) => {
                if let Some(answer) = accepted.answer {
                    let seq = self.record(
                        now,
                        party,
                        Direction::Received,
                        Content::Text(answer.into()),
                    );
                    // The connect step took the target's answer.
                    if let Some(record) = self.transcript.get_mut(seq) {
                        record.matched = true;
                    }
                }
                self.socket_ids.extend(accepted.socket_id);
                self.actors[actor].link = Link::Open(conn);
                observer.latency(
                    LatencyKind::Connect,
                    &name,
                    now.saturating_duration_since(since),
                );
                if refused && self.refusal_by_event(actor) {
                    // The declared refusal event (and a disconnect) will follow.
                    self.check(now, since, Some(actor), CheckKind::Connect, None, observer);
                    self.connect_next(now, actor);
                    return;
                }
                if refused {
                    let unmet = Unmet::new("the target accepted the connection")
                        .with(None, Some("connect_error".to_owned()), None)
                        .because(Cause::Unexpected);
                    self.fail_check(now, since, Some(actor), CheckKind::Connect, unmet, observer);
                    return;
                }
                self.check(now, since, Some(actor), CheckKind::Connect, None, observer);
                self.connect_next(now, actor);
            }
            Err(TransportError::Refused { data }) => {
                self.conns[conn] = None;
                let message = json!({ "connect_error": data });
                self.actors[actor].link =
                    Link::Closed(None, "the target refused the connection".to_owned());
                self.take_in_refusal(now, actor, message.clone(), observer);
                if refused {
                    self.check(now, since, Some(actor), CheckKind::Connect, None, observer);
                    self.connect_next(now, actor);
                    return;
                }
                let unmet = Unmet::new("the target refused the connection")
                    .with(None, Some("a connection".to_owned()), Some(message))
                    .because(Cause::Refused);
                self.fail_check(now, since, Some(actor), CheckKind::Connect, unmet, observer);
            }
            Err(error) => {
                self.conns[conn] = None;
                let unmet = Unmet::new(error.to_string()).because(Cause::Unreachable);
                self.check(
                    now,
                    since,
                    Some(actor),
                    CheckKind::Connect,
                    Some(unmet.clone()),
                    observer,
                );
                self.fail(&name, unmet, true);
            }
        }
    }

    /// `actor`'s connect ended well: once none of the step's is pending, goes on with the next
    /// actor of the current `connect` step (or the next step).
    fn connect_next(&mut self, now: Instant, actor: usize) {
        let Wait::Connect { pending, next, .. } = &mut self.wait else {
            return;
        };
        if let Some(at) = pending.iter().position(|a| *a == actor) {
            pending.remove(at);
        }
        if !pending.is_empty() {
            return;
        }
        let next = *next;
        let plan = Arc::clone(&self.plan);
        match self.current.and_then(|i| plan.program.get(i)) {
            Some(super::plan::Instruction::Step(planned)) => match &planned.step.action {
                Action::Connect {
                    actors,
                    refused,
                    at_once,
                } => {
                    self.connect(now, actors, next, *refused, *at_once);
                }
                _ => self.wait = Wait::Ready,
            },
            _ => self.wait = Wait::Ready,
        }
    }

    /// A refusal's `connect_error` goes to the inbox (for an `expect`), checked against the
    /// protocol's `connect_error` schema.
    fn take_in_refusal(
        &mut self,
        now: Instant,
        actor: usize,
        message: Value,
        observer: &mut dyn Observer,
    ) {
        let received = Arc::new(Received {
            json: Some(message),
            attachments: Vec::new(),
            shown: Shown::Json,
            raw: None,
        });
        self.file_received(now, actor, received, Some("connect_error"), None, observer);
    }

    pub(super) fn on_sent(
        &mut self,
        now: Instant,
        conn: usize,
        result: Result<(), TransportError>,
        observer: &mut dyn Observer,
    ) {
        let Wait::Send { actor, .. } = self.wait else {
            return;
        };
        if self.conns.get(conn).copied().flatten() != Some(actor) {
            return;
        }
        let Wait::Send { record, since, .. } = std::mem::replace(&mut self.wait, Wait::Ready)
        else {
            return;
        };
        let name = self.party_name(Party::Actor(actor));
        match result {
            Ok(()) => {
                if let Some(content) = record {
                    self.record(now, Party::Actor(actor), Direction::Sent, content);
                }
                observer.sent();
                self.last_cause = since;
                self.check(now, since, Some(actor), CheckKind::Send, None, observer);
            }
            Err(TransportError::Unsupported(what)) => self.fail_scenario(
                &name,
                format!("{what} cannot be sent: this protocol's transport does not carry it"),
            ),
            Err(error) => {
                let unmet = Unmet::new(format!("the connection is gone: {error}"))
                    .because(Cause::ConnectionLost);
                self.fail_check(now, since, Some(actor), CheckKind::Send, unmet, observer);
            }
        }
    }

    pub(super) fn on_closed(&mut self, now: Instant, conn: usize) {
        let Wait::Close { actor } = self.wait else {
            return;
        };
        if self.conns.get(conn).copied().flatten() != Some(actor) {
            return;
        }
        self.conns[conn] = None;
        let close = Content::Text("close 1000".to_owned());
        self.record(now, Party::Actor(actor), Direction::Sent, close);
        self.actors[actor].link = Link::Closed(None, "the connection ended".to_owned());
        self.wait = Wait::Ready;
    }

    pub(super) fn on_http(
        &mut self,
        now: Instant,
        result: Result<HttpReply, TransportError>,
        observer: &mut dyn Observer,
    ) {
        let Wait::Http { since } = self.wait else {
            return;
        };
        let plan = Arc::clone(&self.plan);
        let step = match self.current.and_then(|i| plan.program.get(i)) {
            Some(super::plan::Instruction::Step(planned)) => match &planned.step.action {
                Action::Http(step) => step,
                _ => return,
            },
            _ => return,
        };
        let reply = match result {
            Ok(reply) => reply,
            Err(error) => {
                let unreachable = matches!(&error, TransportError::Http { reason, .. }
                    if reason.starts_with("connection refused"));
                let cause = if unreachable {
                    Cause::Unreachable
                } else {
                    Cause::ConnectionLost
                };
                let unmet = Unmet::new(error.to_string()).because(cause);
                self.check(
                    now,
                    since,
                    None,
                    CheckKind::Http,
                    Some(unmet.clone()),
                    observer,
                );
                self.fail("http", unmet, unreachable);
                return;
            }
        };
        let line = format!("{} {}", reply.status, reply.body)
            .trim_end()
            .to_owned();
        let seq = self.record(now, Party::Http, Direction::Received, Content::Text(line));
        self.check_http_body(step, &reply, seq);
        let subject = format!("{} {}", step.method, step.path);
        observer.latency(
            LatencyKind::Http,
            &subject,
            now.saturating_duration_since(since),
        );
        match judge_reply(step, &reply, &self.captures, self.unix_ms(now)) {
            Ok(bindings) => {
                self.keep(bindings);
                self.check(now, since, None, CheckKind::Http, None, observer);
                self.wait = Wait::Ready;
            }
            Err(unmet) => match self.salvage_reply(step, &reply, now, &unmet) {
                Some(bindings) => {
                    self.deviate(now, since, None, CheckKind::Http, unmet, observer);
                    self.keep(bindings);
                    self.wait = Wait::Ready;
                }
                None => self.fail_check(now, since, None, CheckKind::Http, unmet, observer),
            },
        }
    }

    /// The answer's body against the schema its endpoint and status give (see
    /// [`super::http_bodies`]); each violation is a finding about the answer.
    fn check_http_body(&mut self, step: &HttpStep, reply: &HttpReply, seq: usize) {
        let Some(http) = self.plan.suite.http.as_ref() else {
            return;
        };
        let issues = http.check(&step.method, &step.path, reply.status, reply.json.as_ref());
        for issue in issues {
            self.findings.push(crate::report::model::Finding {
                actor: "http".to_owned(),
                message_index: seq,
                message: issue.message,
                path: issue.path,
            });
        }
    }

    /// After an HTTP answer failed its step: the captures to go on with, if the body still
    /// holds what later steps need (its salvage matches, whatever the status), or the step
    /// captures nothing.
    fn salvage_reply(
        &self,
        step: &HttpStep,
        reply: &HttpReply,
        now: Instant,
        unmet: &Unmet,
    ) -> Option<matcher::Captures> {
        if !self.may_go_on(unmet) {
            return None;
        }
        let Some(expected) = step
            .response
            .as_ref()
            .filter(|p| matcher::has_captures(p.pattern()))
        else {
            return Some(matcher::Captures::new());
        };
        let type_path = crate::schema::pointer_tokens(&self.plan.suite.profile.type_pointer);
        let salvage = matcher::salvage(expected.pattern(), &type_path);
        let body = body_as(expected, reply)?;
        matcher::matches_at(&salvage, &body, &self.captures, self.unix_ms(now)).ok()
    }
}

/// The status and body of an HTTP answer against the step; the new captures if they hold.
fn judge_reply(
    step: &HttpStep,
    reply: &HttpReply,
    captures: &matcher::Captures,
    now_ms: i64,
) -> Result<matcher::Captures, Unmet> {
    if let Some(want) = step.status
        && reply.status != want
    {
        return Err(Unmet::new(format!(
            "HTTP status {} where {want} was expected (body: {})",
            reply.status, reply.body
        ))
        .with(
            Some("status".to_owned()),
            Some(want.to_string()),
            Some(Value::from(reply.status)),
        ));
    }
    let Some(expected) = &step.response else {
        return Ok(matcher::Captures::new());
    };
    let Some(body) = body_as(expected, reply) else {
        return Err(not_json(expected.pattern(), &reply.body));
    };
    matcher::matches_at(expected.pattern(), &body, captures, now_ms)
        .map_err(|error| Unmet::from_match("response body", error))
}

/// The body as the step reads it: its JSON (`None` when it is not JSON), or its text as one
/// JSON string.
fn body_as(expected: &BodyPattern, reply: &HttpReply) -> Option<Value> {
    match expected {
        BodyPattern::Json(_) => reply.json.clone(),
        BodyPattern::Text(_) => Some(Value::String(reply.body.clone())),
    }
}

fn not_json(pattern: &Pattern, body: &str) -> Unmet {
    Unmet::new(format!("the response body is not JSON: {body:?}")).with(
        Some("$".to_owned()),
        Some(matcher::describe(pattern)),
        None,
    )
}
