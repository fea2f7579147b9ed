//! socket.io steps and intake: connecting with `auth` (or expecting a refusal), emits with acks
//! correlated by id, replies to acks the server asks for, and the translation of received
//! packets into the inbox messages patterns match (`scenarios/README.md`, "socket.io protocols").
//!
//! Transcripts show packets as those inbox messages; each keeps its Engine.IO frame as `raw`.

use std::collections::HashMap;
use std::time::Instant;

use serde_json::{Value, json};

use super::Session;
use super::link::{AwaitingAck, Feed, Link, SioLink};
use super::{ActorState, StepFailure, bounded};
use crate::matcher;
use crate::report::model::Direction;
use crate::runner::inbox::Unmet;
use crate::runner::target;
use crate::scenario::model::EmitStep;
use crate::transport::TransportError;
use crate::transport::socketio::packet::{encode_ack, encode_event};
use crate::transport::socketio::{self, ConnectOptions, SioIncoming, SioItem};

/// The ack schema of events the protocol does not define.
const UNKNOWN_EVENT_ACK: &str = "ack.unknown_event";

impl Session<'_> {
    /// Connects `actor`; with `refused`, the target must answer `connect_error`, which goes to
    /// the inbox as `{connect_error: payload}`.
    pub(super) async fn connect_sio(
        &mut self,
        actor: &str,
        refused: bool,
    ) -> Result<(), StepFailure> {
        let (base, options) = self.sio_options(actor)?;
        let url = socketio::engine_url(&base, &options.path, &options.query)
            .map_err(|e| StepFailure::unreachable(actor, e.to_string()))?;
        let auth = options
            .auth
            .as_ref()
            .map_or_else(String::new, |a| format!(" auth {a}"));
        self.record(
            actor,
            Direction::Sent,
            Instant::now(),
            format!("connect {url} namespace {}{auth}", options.namespace),
        );
        match socketio::connect(&base, &options).await {
            Ok((connection, items)) => {
                let now = Instant::now();
                let index = self.record(actor, Direction::Received, now, "connected".into());
                // The connect step took the namespace's answer.
                self.transcript[index].matched = true;
                self.socket_ids.extend(connection.sid().map(str::to_owned));
                self.actors.insert(
                    actor.to_owned(),
                    ActorState {
                        link: Some(Link::Sio(SioLink {
                            connection,
                            awaiting_ack: HashMap::new(),
                        })),
                        feed: Some(Feed::Sio(items)),
                        ..ActorState::default()
                    },
                );
                if refused {
                    return Err(StepFailure::unmet(
                        actor,
                        Unmet::new("the target accepted the connection".to_owned()).with(
                            None,
                            Some("connect_error".to_owned()),
                            None,
                        ),
                    ));
                }
                Ok(())
            }
            Err(TransportError::Refused { data }) => {
                let message = json!({ "connect_error": data });
                self.actors.insert(
                    actor.to_owned(),
                    ActorState {
                        closed: Some((None, "the target refused the connection".to_owned())),
                        ..ActorState::default()
                    },
                );
                self.take_in_message(actor, Instant::now(), message.clone(), None, None);
                if refused {
                    return Ok(());
                }
                Err(StepFailure::unmet(
                    actor,
                    Unmet::new("the target refused the connection".to_owned()).with(
                        None,
                        Some("a connection".to_owned()),
                        Some(message),
                    ),
                ))
            }
            Err(error) => Err(StepFailure::unreachable(actor, error.to_string())),
        }
    }

    /// The base URL to connect to and the options of `actor`'s connection.
    fn sio_options(&self, actor: &str) -> Result<(String, ConnectOptions), StepFailure> {
        let declared = self.scenario.actors.iter().find(|a| a.name == actor);
        let bad = |e: matcher::MatchError| StepFailure::scenario(actor, e.to_string());
        let mut query = Vec::new();
        for (name, value) in declared.map(|a| &a.query).into_iter().flatten() {
            query.push((
                name.clone(),
                matcher::interpolate(value, &self.captures).map_err(bad)?,
            ));
        }
        let auth = match declared.and_then(|a| a.auth.as_ref()) {
            Some(auth) => Some(matcher::resolve_value(auth, &self.captures).map_err(bad)?),
            None => None,
        };
        let profile = &self.suite.profile;
        let defaults = ConnectOptions::default();
        let default_path = profile.socketio_path.as_deref().unwrap_or(&defaults.path);
        let (base, path) = target::socketio_endpoint(self.target_url, default_path);
        let options = ConnectOptions {
            path,
            namespace: profile.namespace.clone().unwrap_or(defaults.namespace),
            auth,
            query,
            limits: self.options.limits.clone(),
            handshake_timeout: self.scaled(self.scenario.timeout),
            max_attachments: defaults.max_attachments,
        };
        Ok((base, options))
    }

    /// Emits an event; with a label, asks for an ack and remembers its id under the label.
    pub(super) async fn emit(&mut self, emit: &EmitStep) -> Result<(), StepFailure> {
        let actor = emit.actor.as_str();
        let args = emit
            .args
            .iter()
            .map(|a| matcher::resolve_value(a, &self.captures))
            .collect::<Result<Vec<Value>, _>>()
            .map_err(|e| StepFailure::scenario(actor, e.to_string()))?;
        let wait = self.scaled(self.scenario.timeout);
        let link = self.sio_link(actor)?;
        let emitted = link.connection.emit(&emit.event, &args, emit.ack.is_some());
        let sent = bounded(wait, emitted).await;
        let namespace = link.connection.namespace().to_owned();
        let id = sent.map_err(|e| gone(actor, &e))?;
        if let (Some(id), Some(label)) = (id, &emit.ack) {
            link.awaiting_ack.insert(
                id,
                AwaitingAck {
                    label: label.clone(),
                    event: emit.event.clone(),
                },
            );
        }
        let mut shown = json!({ "emit": emit.event, "args": args });
        if let Some(label) = &emit.ack {
            shown["ack"] = Value::String(label.clone());
        }
        let raw = encode_event(&namespace, id, &emit.event, &args, 0).ok();
        self.record_sent_packet(actor, &shown, raw);
        Ok(())
    }

    /// Answers the ack the server asked for with id `to` (usually a captured `ackId`).
    pub(super) async fn ack_reply(
        &mut self,
        actor: &str,
        to: &str,
        args: &[Value],
    ) -> Result<(), StepFailure> {
        let bad = |message: String| StepFailure::scenario(actor, message);
        let text = matcher::interpolate(to, &self.captures).map_err(|e| bad(e.to_string()))?;
        let id: u64 = text
            .trim()
            .parse()
            .map_err(|_| bad(format!("`to` must be an ack id (a number), got {text:?}")))?;
        let args = args
            .iter()
            .map(|a| matcher::resolve_value(a, &self.captures))
            .collect::<Result<Vec<Value>, _>>()
            .map_err(|e| bad(e.to_string()))?;
        let wait = self.scaled(self.scenario.timeout);
        let link = self.sio_link(actor)?;
        let namespace = link.connection.namespace().to_owned();
        bounded(wait, link.connection.ack(id, &args))
            .await
            .map_err(|e| gone(actor, &e))?;
        let shown = json!({ "ack": id, "args": args });
        let raw = encode_ack(&namespace, id, &args, 0).ok();
        self.record_sent_packet(actor, &shown, raw);
        Ok(())
    }

    /// Records a packet sent: as the transcript shows it, with its Engine.IO frame.
    fn record_sent_packet(&mut self, actor: &str, shown: &Value, raw: Option<String>) {
        let text = shown.to_string();
        self.record_raw(actor, Direction::Sent, Instant::now(), text, raw);
    }

    fn sio_link(&mut self, actor: &str) -> Result<&mut SioLink, StepFailure> {
        match self.actor_mut(actor)?.link.as_mut() {
            Some(Link::Sio(link)) => Ok(link),
            Some(Link::Ws(_)) => Err(StepFailure::scenario(
                actor,
                format!("{actor} is not a socket.io connection"),
            )),
            None => Err(StepFailure::unmet(
                actor,
                Unmet::new(format!("{actor}'s connection is closed")),
            )),
        }
    }

    /// One received socket.io item into transcript, schema check and inbox.
    pub(super) fn take_in_sio(&mut self, actor: &str, incoming: SioIncoming) {
        let SioIncoming { at, item, raw } = incoming;
        match item {
            SioItem::Event {
                name,
                args,
                ack_id,
                attachments,
            } => {
                let mut message = json!({ "event": name, "args": args });
                if let Some(id) = ack_id {
                    message["ackId"] = Value::from(id);
                }
                if !attachments.is_empty() {
                    message["attachments"] = Value::from(attachments.len());
                }
                self.take_in_message(actor, at, message, Some(raw), None);
            }
            SioItem::Ack { id, args, .. } => self.take_in_ack(actor, at, id, args, raw),
            SioItem::ConnectError { data } => {
                let message = json!({ "connect_error": data });
                self.take_in_message(actor, at, message, Some(raw), None);
            }
            SioItem::Disconnect => {
                let text = "disconnect (the server closed the namespace)".to_owned();
                self.record_raw(actor, Direction::Received, at, text, Some(raw));
                self.mark_closed(actor, None, "the server disconnected the socket".into());
            }
            SioItem::Invalid { reason } => {
                let index = self.record(actor, Direction::Received, at, raw.clone());
                let message = format!("not a valid socket.io packet: {reason}");
                self.finding(actor, index, message, None);
            }
            SioItem::Closed { code, reason } => {
                let shown = format!(
                    "close {} {reason}",
                    code.map_or_else(|| "(no code)".to_owned(), |c| c.to_string())
                );
                self.record(actor, Direction::Received, at, shown.trim_end().to_owned());
                let already = self.actors.get(actor).and_then(|a| a.closed.clone());
                let (code, reason) = match already {
                    Some((None, earlier)) if code.is_none() => (None, earlier),
                    _ => (code, reason),
                };
                self.mark_closed(actor, code, reason);
            }
        }
    }

    fn take_in_ack(&mut self, actor: &str, at: Instant, id: u64, args: Vec<Value>, raw: String) {
        let awaited = self.actors.get_mut(actor).and_then(|a| match &mut a.link {
            Some(Link::Sio(link)) => link.awaiting_ack.remove(&id),
            _ => None,
        });
        match awaited {
            Some(AwaitingAck { label, event }) => {
                let message = json!({ "ack": label, "args": args });
                // An event the protocol does not define has no ack schema of its own; its
                // answer is checked against `ack.unknown_event` where the protocol has one.
                let own = format!("ack.{event}");
                let schema =
                    if self.suite.schemas.has(&own) || !self.suite.schemas.has(UNKNOWN_EVENT_ACK) {
                        own
                    } else {
                        UNKNOWN_EVENT_ACK.to_owned()
                    };
                self.take_in_message(actor, at, message, Some(raw), Some((label, schema)));
            }
            None => {
                let message = json!({ "ackId": id, "args": args });
                let index = self.record_raw(
                    actor,
                    Direction::Received,
                    at,
                    message.to_string(),
                    Some(raw),
                );
                let text =
                    format!("an ack with id {id}, which no emit awaits (unknown or repeated)");
                self.finding(actor, index, text, None);
            }
        }
    }

    /// Records `message`, checks it against its schema (the ack's, when `ack` gives a label and
    /// schema) and puts it in the inbox.
    fn take_in_message(
        &mut self,
        actor: &str,
        at: Instant,
        message: Value,
        raw: Option<String>,
        ack: Option<(String, String)>,
    ) {
        let text = message.to_string();
        let index = self.record_raw(actor, Direction::Received, at, text.clone(), raw);
        let (label, issues) = match ack {
            Some((label, schema)) => (Some(label), self.suite.schemas.check_as(&schema, &message)),
            None if message.get("connect_error").is_some() => {
                (None, self.suite.schemas.check_as("connect_error", &message))
            }
            None => (None, self.suite.schemas.check(&message)),
        };
        for issue in issues {
            self.finding(actor, index, issue.message, issue.path);
        }
        self.push_inbox_labelled(actor, index, Some(message), text, label);
    }
}

fn gone(actor: &str, error: &TransportError) -> StepFailure {
    StepFailure::unmet(
        actor,
        Unmet::new(format!("the connection is gone: {error}")),
    )
}
