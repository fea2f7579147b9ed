//! State-machine property test of the caas core against a model: random sessions of connects,
//! disconnects, joins, leaves, sends (and retried sends), edits, deletes, typing, presence,
//! calls and clock advances, with and without socket.io acks.
//!
//! After every step the core's answer (ack or `error` frame) and every frame it emitted, to
//! whom, must be exactly what the model predicts. So: no message reaches a non-member or
//! another tenant, every member socket gets every message of a conversation in the order the
//! server accepted them, only authors edit or delete, a call ends once (checked again per
//! socket), and typing always stops: after the run, one more timeout leaves no typist, and the
//! model's stops were all sent.

use proptest::prelude::*;
use reference::caas::{
    Core, Input, Message, Payload, SequentialIds, Settings, Timestamp, UserToken,
};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

/// `(userId, tenant)`; socket slot `s` is user `s % 4`.
const USERS: [(&str, usize); 4] = [("alice", 0), ("bob", 0), ("erin", 0), ("carol", 1)];
const CONVS: [&str; 3] = ["c0", "c1", "c2"];
const SLOTS: u64 = 6;
const TYPING_MS: i64 = 500;
const RING_MS: i64 = 1000;
const MAX_CONVERSATIONS: usize = 2;
const MAX_KEPT: usize = 3;
const MAX_CALLS: usize = 2;
/// The model's name for the id the core is about to make.
const NEW: &str = "NEW";

#[derive(Debug, Clone)]
enum Op {
    Connect(u64),
    Disconnect(u64),
    Join(u64, usize, bool),
    Leave(u64, usize, bool),
    Send(u64, usize, bool),
    Resend(u64, usize, bool),
    Edit(u64, usize, bool),
    Delete(u64, usize, bool),
    Typing(u64, usize, bool, bool),
    Presence(u64, bool),
    Initiate(u64, usize, bool),
    Call(u64, usize, &'static str, bool),
    Advance(i64),
}

fn op() -> impl Strategy<Value = Op> {
    let slot = 0..SLOTS;
    let conv = 0..CONVS.len();
    let ack = any::<bool>();
    prop_oneof![
        1 => slot.clone().prop_map(Op::Connect),
        1 => slot.clone().prop_map(Op::Disconnect),
        4 => (slot.clone(), conv.clone(), ack).prop_map(|(s, c, a)| Op::Join(s, c, a)),
        1 => (slot.clone(), conv.clone(), ack).prop_map(|(s, c, a)| Op::Leave(s, c, a)),
        5 => (slot.clone(), conv.clone(), ack).prop_map(|(s, c, a)| Op::Send(s, c, a)),
        2 => (slot.clone(), any::<usize>(), ack).prop_map(|(s, i, a)| Op::Resend(s, i, a)),
        2 => (slot.clone(), any::<usize>(), ack).prop_map(|(s, m, a)| Op::Edit(s, m, a)),
        1 => (slot.clone(), any::<usize>(), ack).prop_map(|(s, m, a)| Op::Delete(s, m, a)),
        3 => (slot.clone(), conv, any::<bool>(), ack).prop_map(|(s, c, t, a)| Op::Typing(s, c, t, a)),
        1 => (slot.clone(), ack).prop_map(|(s, a)| Op::Presence(s, a)),
        2 => (slot.clone(), 0..USERS.len(), ack).prop_map(|(s, u, a)| Op::Initiate(s, u, a)),
        4 => (slot, any::<usize>(), prop_oneof![Just("call:answer"), Just("call:reject"), Just("call:end")], ack)
            .prop_map(|(s, c, e, a)| Op::Call(s, c, e, a)),
        3 => (0i64..700).prop_map(Op::Advance),
    ]
}

#[derive(Debug, Clone)]
struct MMsg {
    id: String,
    conv: String,
    author: usize,
    frame: Value,
    deleted: bool,
    kept: bool,
}

#[derive(Debug, Clone)]
struct MCall {
    caller: usize,
    callee: usize,
    answered: Option<i64>,
    ring: Option<i64>,
}

/// What the model expects one step to produce.
type Expected = Vec<(u64, String)>;

#[derive(Default)]
struct Model {
    now: i64,
    /// Connected socket → user.
    conns: BTreeMap<u64, usize>,
    /// Conversation → (tenant, members).
    convs: BTreeMap<String, (usize, BTreeSet<usize>)>,
    msgs: Vec<MMsg>,
    /// The `message:send` frames each user sent successfully.
    sent_frames: BTreeMap<usize, Vec<Value>>,
    typists: BTreeMap<(usize, String), i64>,
    calls: BTreeMap<String, MCall>,
    call_ids: Vec<String>,
}

impl Model {
    fn sockets(&self, users: impl IntoIterator<Item = usize>) -> Vec<u64> {
        let users: BTreeSet<usize> = users.into_iter().collect();
        self.conns
            .iter()
            .filter(|(_, u)| users.contains(u))
            .map(|(c, _)| *c)
            .collect()
    }

    fn members(&self, conv: &str) -> BTreeSet<usize> {
        self.convs
            .get(conv)
            .map(|(_, m)| m.clone())
            .unwrap_or_default()
    }

    fn access(&self, user: usize, conv: &str) -> Result<(), &'static str> {
        match self.convs.get(conv) {
            Some((tenant, _)) if *tenant != USERS[user].1 => Err("FORBIDDEN"),
            Some((_, members)) if members.contains(&user) => Ok(()),
            _ => Err("NOT_MEMBER"),
        }
    }

    fn emit(&self, out: &mut Expected, to: Vec<u64>, what: String) {
        out.extend(to.into_iter().map(|c| (c, what.clone())));
    }

    fn stop_typing(&mut self, user: usize, conv: &str, out: &mut Expected) {
        if self.typists.remove(&(user, conv.to_owned())).is_some() {
            let others = self.members(conv).into_iter().filter(|m| *m != user);
            let to = self.sockets(others);
            self.emit(out, to, format!("typing {} {conv} false", USERS[user].0));
        }
    }

    fn end_call(&mut self, id: &str, out: &mut Expected) {
        let Some(call) = self.calls.remove(id) else {
            return;
        };
        let duration = call.answered.map_or(0, |at| (self.now - at) / 1000);
        let to = self.sockets([call.caller, call.callee]);
        self.emit(out, to, format!("ended {id} {duration}"));
    }

    /// Runs the timers due at `now`.
    fn expire(&mut self, out: &mut Expected) {
        let due: Vec<_> = self
            .typists
            .iter()
            .filter(|(_, at)| **at <= self.now)
            .map(|(k, _)| k.clone())
            .collect();
        for (user, conv) in due {
            self.stop_typing(user, &conv, out);
        }
        let rung: Vec<_> = self
            .calls
            .iter()
            .filter(|(_, c)| c.ring.is_some_and(|at| at <= self.now))
            .map(|(id, _)| id.clone())
            .collect();
        for id in rung {
            self.end_call(&id, out);
        }
    }

    fn co_members(&self, user: usize) -> BTreeSet<usize> {
        self.convs
            .values()
            .filter(|(_, m)| m.contains(&user))
            .flat_map(|(_, m)| m.iter().copied())
            .filter(|m| *m != user)
            .collect()
    }

    fn conv_count(&self, user: usize) -> usize {
        self.convs
            .values()
            .filter(|(_, m)| m.contains(&user))
            .count()
    }

    fn keep(&mut self, msg: MMsg) {
        let conv = msg.conv.clone();
        self.msgs.push(msg);
        let kept: Vec<usize> = (0..self.msgs.len())
            .filter(|&i| self.msgs[i].kept && self.msgs[i].conv == conv)
            .collect();
        if kept.len() > MAX_KEPT {
            self.msgs[kept[0]].kept = false;
        }
    }

    fn forget_conv(&mut self, conv: &str) {
        self.convs.remove(conv);
        for m in self.msgs.iter_mut().filter(|m| m.conv == conv) {
            m.kept = false;
        }
    }

    fn rename(&mut self, id: &str) {
        for m in self.msgs.iter_mut().filter(|m| m.id == NEW) {
            m.id = id.to_owned();
        }
        if let Some(call) = self.calls.remove(NEW) {
            self.calls.insert(id.to_owned(), call);
            self.call_ids.push(id.to_owned());
        }
    }
}

struct Run {
    core: Core,
    model: Model,
    gens: BTreeMap<u64, u64>,
    next_ack: u64,
    next_frame: u64,
    /// Call ids each socket got `call:ended` for.
    ended: BTreeSet<(u64, String)>,
}

impl Run {
    fn conn(&self, slot: u64) -> u64 {
        slot * 1000 + self.gens.get(&slot).copied().unwrap_or(0)
    }

    fn t(&self) -> Timestamp {
        Timestamp::from_unix_millis(self.model.now)
    }

    fn frame(&mut self, event: &str, conv: Option<&str>, data: Value) -> Value {
        self.next_frame += 1;
        let mut frame = json!({"id": format!("f{}", self.next_frame), "type": event, "version": 1, "data": data});
        if let Some(conv) = conv {
            frame["conversationId"] = conv.into();
        }
        frame
    }

    /// Sends `frame` as `event` from `conn`, then checks the answer and every emitted frame
    /// against the model's `result` and `expected` (`NEW` standing for the id the core made).
    #[allow(clippy::needless_pass_by_value)]
    fn check(
        &mut self,
        conn: u64,
        event: &str,
        frame: Value,
        ack: bool,
        result: Result<(), &'static str>,
        mut expected: Expected,
    ) -> Result<(), TestCaseError> {
        self.next_ack += 1;
        let ack = ack.then_some(self.next_ack);
        let input = Input::Event {
            conn,
            event: event.to_owned(),
            payload: frame,
            ack,
        };
        let messages = self.core.handle(self.t(), input).messages;
        let mut got = Vec::new();
        let mut answered = None;
        for m in &messages {
            match m {
                Message::Ack {
                    conn: c,
                    ack: a,
                    body,
                } if *c == conn && Some(*a) == ack => answered = Some(body.clone()),
                Message::Ack { .. } => return Err(TestCaseError::fail(format!("stray ack {m:?}"))),
                Message::Emit {
                    conn,
                    payload: Payload::Frame(f),
                    ..
                } => got.push((*conn, summary(f))),
                Message::Emit { .. } => {
                    return Err(TestCaseError::fail("binary without binary input"));
                }
            }
        }
        if ack.is_some() {
            let body = answered.ok_or_else(|| TestCaseError::fail("no ack"))?;
            let code = body["error"]["code"].as_str();
            prop_assert_eq!(result.err(), code, "{} answered {}", event, body);
        } else if let Err(code) = result {
            expected.push((conn, format!("error {code}")));
        }
        if result.is_ok() && expected.iter().any(|(_, w)| w.contains(NEW)) {
            let id = new_id(&messages).ok_or_else(|| TestCaseError::fail("no new id"))?;
            self.model.rename(&id);
            for (_, w) in &mut expected {
                *w = w.replace(NEW, &id);
            }
        }
        self.compare(expected, got)
    }

    fn compare(&mut self, mut expected: Expected, mut got: Expected) -> Result<(), TestCaseError> {
        expected.sort();
        got.sort();
        prop_assert_eq!(&got, &expected);
        for (conn, what) in got {
            if let Some(id) = what
                .strip_prefix("ended ")
                .and_then(|w| w.split(' ').next())
            {
                prop_assert!(
                    self.ended.insert((conn, id.to_owned())),
                    "call {} ended twice at {}",
                    id,
                    conn
                );
            }
        }
        Ok(())
    }

    fn step(&mut self, op: Op) -> Result<(), TestCaseError> {
        let mut timers = Vec::new();
        if let Op::Advance(ms) = op {
            self.model.now += ms;
            self.model.expire(&mut timers);
            let out = self.core.handle_timeout(self.t()).messages;
            return self.compare(timers, frames(&out));
        }
        self.model.expire(&mut timers);
        let (slot, user) = match &op {
            Op::Connect(s)
            | Op::Disconnect(s)
            | Op::Join(s, ..)
            | Op::Leave(s, ..)
            | Op::Send(s, ..)
            | Op::Resend(s, ..)
            | Op::Edit(s, ..)
            | Op::Delete(s, ..)
            | Op::Typing(s, ..)
            | Op::Presence(s, ..)
            | Op::Initiate(s, ..)
            | Op::Call(s, ..) => (*s, usize::try_from(*s).unwrap() % USERS.len()),
            Op::Advance(_) => unreachable!(),
        };
        let conn = self.conn(slot);
        let connected = self.model.conns.contains_key(&conn);
        match op {
            Op::Connect(_) => {
                if connected {
                    return Ok(());
                }
                *self.gens.entry(slot).or_default() += 1;
                let conn = self.conn(slot);
                let auth = json!({"token": format!("tok-{}", USERS[user].0)});
                prop_assert!(self.core.authenticate(self.t(), &auth).is_ok());
                self.model.conns.insert(conn, user);
                let out = self
                    .core
                    .handle(self.t(), Input::Connect { conn, auth })
                    .messages;
                self.compare(timers, frames(&out))
            }
            Op::Disconnect(_) => {
                if !connected {
                    return Ok(());
                }
                let mut expected = timers;
                self.model.conns.remove(&conn);
                if self.model.sockets([user]).is_empty() {
                    let convs: Vec<String> = self
                        .model
                        .convs
                        .iter()
                        .filter(|(_, (_, m))| m.contains(&user))
                        .map(|(c, _)| c.clone())
                        .collect();
                    for conv in convs {
                        self.model.stop_typing(user, &conv, &mut expected);
                    }
                    let calls: Vec<String> = self
                        .model
                        .calls
                        .iter()
                        .filter(|(_, c)| c.caller == user || c.callee == user)
                        .map(|(id, _)| id.clone())
                        .collect();
                    for id in calls {
                        self.model.end_call(&id, &mut expected);
                    }
                    let to = self.model.sockets(self.model.co_members(user));
                    self.model.emit(
                        &mut expected,
                        to,
                        format!("presence {} offline", USERS[user].0),
                    );
                }
                let out = self
                    .core
                    .handle(self.t(), Input::Disconnect { conn })
                    .messages;
                self.compare(expected, frames(&out))
            }
            _ if !connected => Ok(()),
            op => self.event(conn, user, op, timers),
        }
    }

    fn event(
        &mut self,
        conn: u64,
        user: usize,
        op: Op,
        mut expected: Expected,
    ) -> Result<(), TestCaseError> {
        let m = &mut self.model;
        let name = USERS[user].0;
        match op {
            Op::Join(_, c, ack) => {
                let conv = CONVS[c];
                let result = match m.convs.get(conv) {
                    Some((tenant, _)) if *tenant != USERS[user].1 => Err("FORBIDDEN"),
                    Some((_, members)) if members.contains(&user) => Ok(()),
                    _ if m.conv_count(user) >= MAX_CONVERSATIONS => Err("INVALID_PAYLOAD"),
                    _ => {
                        m.convs
                            .entry(conv.to_owned())
                            .or_insert((USERS[user].1, BTreeSet::new()))
                            .1
                            .insert(user);
                        Ok(())
                    }
                };
                let frame = self.frame("conversation:join", None, json!({"conversationId": conv}));
                self.check(conn, "conversation:join", frame, ack, result, expected)
            }
            Op::Leave(_, c, ack) => {
                let conv = CONVS[c];
                let result = m.access(user, conv);
                if result.is_ok() {
                    m.stop_typing(user, conv, &mut expected);
                    let members = &mut m.convs.get_mut(conv).unwrap().1;
                    members.remove(&user);
                    if members.is_empty() {
                        m.forget_conv(conv);
                    }
                }
                let frame = self.frame("conversation:leave", Some(conv), json!({}));
                self.check(conn, "conversation:leave", frame, ack, result, expected)
            }
            Op::Send(_, c, ack) => {
                let conv = CONVS[c];
                let frame = self.frame(
                    "message:send",
                    Some(conv),
                    json!({"content": "x", "type": "text"}),
                );
                self.send(conn, user, conv, frame, ack, expected)
            }
            Op::Resend(_, i, ack) => {
                let frames = m.sent_frames.get(&user).cloned().unwrap_or_default();
                let Some(frame) = frames.get(i % frames.len().max(1)).cloned() else {
                    return Ok(());
                };
                let conv = frame["conversationId"].as_str().unwrap().to_owned();
                self.send(conn, user, &conv, frame, ack, expected)
            }
            Op::Edit(_, i, ack) | Op::Delete(_, i, ack) => {
                if m.msgs.is_empty() {
                    return Ok(());
                }
                let deleting = matches!(op, Op::Delete(..));
                let i = i % m.msgs.len();
                let msg = m.msgs[i].clone();
                let result = if !msg.kept || msg.deleted || m.convs[&msg.conv].0 != USERS[user].1 {
                    Err("NOT_FOUND")
                } else {
                    m.access(user, &msg.conv).and(if msg.author == user {
                        Ok(())
                    } else {
                        Err("FORBIDDEN")
                    })
                };
                if result.is_ok() {
                    let to = m.sockets(m.members(&msg.conv));
                    let what = if deleting {
                        format!("del {}", msg.id)
                    } else {
                        format!("upd {} y", msg.id)
                    };
                    m.emit(&mut expected, to, what);
                    if deleting {
                        m.msgs[i].deleted = true;
                    }
                }
                let (event, data) = if deleting {
                    ("message:delete", json!({"messageId": msg.id}))
                } else {
                    ("message:edit", json!({"messageId": msg.id, "content": "y"}))
                };
                let frame = self.frame(event, None, data);
                self.check(conn, event, frame, ack, result, expected)
            }
            Op::Typing(_, c, start, ack) => {
                let conv = CONVS[c];
                let result = m.access(user, conv);
                if result.is_ok() {
                    let key = (user, conv.to_owned());
                    if !start {
                        m.stop_typing(user, conv, &mut expected);
                    } else if m.typists.insert(key, m.now + TYPING_MS).is_none() {
                        let to = m.sockets(m.members(conv).into_iter().filter(|o| *o != user));
                        m.emit(&mut expected, to, format!("typing {name} {conv} true"));
                    }
                }
                let event = if start { "typing:start" } else { "typing:stop" };
                let frame = self.frame(event, Some(conv), json!({}));
                self.check(conn, event, frame, ack, result, expected)
            }
            Op::Presence(_, ack) => {
                let to = m.sockets(m.co_members(user));
                m.emit(&mut expected, to, format!("presence {name} busy"));
                let frame = self.frame("presence:update", None, json!({"status": "busy"}));
                self.check(conn, "presence:update", frame, ack, Ok(()), expected)
            }
            Op::Initiate(_, target, ack) => {
                let started = m.calls.values().filter(|c| c.caller == user).count();
                let result = if USERS[target].1 != USERS[user].1 {
                    Err("NOT_FOUND")
                } else if target == user {
                    Err("INVALID_PAYLOAD")
                } else if m.sockets([target]).is_empty() {
                    Err("UNAVAILABLE")
                } else if started >= MAX_CALLS {
                    Err("INVALID_PAYLOAD")
                } else {
                    let call = MCall {
                        caller: user,
                        callee: target,
                        answered: None,
                        ring: Some(m.now + RING_MS),
                    };
                    m.calls.insert(NEW.to_owned(), call);
                    let to = m.sockets([target]);
                    m.emit(&mut expected, to, format!("incoming {NEW} {name}"));
                    Ok(())
                };
                let frame = self.frame(
                    "call:initiate",
                    None,
                    json!({"targetUserId": USERS[target].0, "type": "audio"}),
                );
                self.check(conn, "call:initiate", frame, ack, result, expected)
            }
            Op::Call(_, i, event, ack) => {
                if m.call_ids.is_empty() {
                    return Ok(());
                }
                // Mostly a live call; sometimes any call ever made (ended ones are NOT_FOUND).
                let live: Vec<&String> = m.calls.keys().collect();
                let id = if i % 4 != 0 && !live.is_empty() {
                    live[i / 4 % live.len()].clone()
                } else {
                    m.call_ids[i % m.call_ids.len()].clone()
                };
                let result = match m.calls.get(&id) {
                    None => Err("NOT_FOUND"),
                    Some(c) if USERS[c.caller].1 != USERS[user].1 => Err("NOT_FOUND"),
                    Some(c) if c.caller != user && c.callee != user => Err("FORBIDDEN"),
                    Some(c) if event != "call:end" && c.callee != user => Err("FORBIDDEN"),
                    Some(c) if event != "call:end" && c.ring.is_none() => Err("NOT_FOUND"),
                    Some(_) => Ok(()),
                };
                if result.is_ok() {
                    if event == "call:answer" {
                        let now = m.now;
                        let call = m.calls.get_mut(&id).unwrap();
                        call.answered = Some(now);
                        call.ring = None;
                        let caller = call.caller;
                        let to = m.sockets([caller]);
                        m.emit(&mut expected, to, format!("answered {id}"));
                    } else {
                        m.end_call(&id, &mut expected);
                    }
                }
                let frame = self.frame(event, None, json!({"callId": id}));
                self.check(conn, event, frame, ack, result, expected)
            }
            Op::Connect(_) | Op::Disconnect(_) | Op::Advance(_) => unreachable!(),
        }
    }

    fn send(
        &mut self,
        conn: u64,
        user: usize,
        conv: &str,
        frame: Value,
        ack: bool,
        mut expected: Expected,
    ) -> Result<(), TestCaseError> {
        let m = &mut self.model;
        let retried = m
            .msgs
            .iter()
            .any(|x| x.author == user && x.kept && x.frame["id"] == frame["id"]);
        let result = m.access(user, conv).and(if retried {
            Err("ALREADY_EXISTS")
        } else {
            Ok(())
        });
        if result.is_ok() {
            let to = m.sockets(m.members(conv));
            m.emit(
                &mut expected,
                to,
                format!("new {NEW} {conv} {}", USERS[user].0),
            );
            m.keep(MMsg {
                id: NEW.to_owned(),
                conv: conv.to_owned(),
                author: user,
                frame: frame.clone(),
                deleted: false,
                kept: true,
            });
            m.sent_frames.entry(user).or_default().push(frame.clone());
        }
        self.check(conn, "message:send", frame, ack, result, expected)
    }

    /// After the run: one more typing timeout and ring timeout stop every typist and ringing
    /// call, as the model says.
    fn finish(&mut self) -> Result<(), TestCaseError> {
        self.step(Op::Advance(RING_MS.max(TYPING_MS)))?;
        prop_assert!(self.model.typists.is_empty());
        prop_assert!(self.model.calls.values().all(|c| c.ring.is_none()));
        prop_assert_eq!(self.core.poll_deadline(), None);
        Ok(())
    }
}

/// Every message of an input without a client event, as the model writes it.
fn frames(messages: &[Message]) -> Expected {
    messages
        .iter()
        .map(|m| match m {
            Message::Emit {
                conn,
                payload: Payload::Frame(f),
                ..
            } => (*conn, summary(f)),
            other => (0, format!("{other:?}")),
        })
        .collect()
}

/// A server frame as the model writes it.
fn summary(f: &Value) -> String {
    let d = &f["data"];
    let s = |v: &Value| v.as_str().unwrap_or("?").to_owned();
    match f["type"].as_str().unwrap_or_default() {
        "message:new" => {
            assert_eq!(f["conversationId"], d["conversationId"]);
            format!(
                "new {} {} {}",
                s(&d["messageId"]),
                s(&d["conversationId"]),
                s(&d["senderId"])
            )
        }
        "message:updated" => format!("upd {} {}", s(&d["messageId"]), s(&d["content"])),
        "message:deleted" => format!("del {}", s(&d["messageId"])),
        "typing:update" => format!(
            "typing {} {} {}",
            s(&d["userId"]),
            s(&d["conversationId"]),
            d["typing"]
        ),
        "presence:update" => format!("presence {} {}", s(&d["userId"]), s(&d["status"])),
        "call:incoming" => format!("incoming {} {}", s(&d["callId"]), s(&d["callerId"])),
        "call:answered" => format!("answered {}", s(&d["callId"])),
        "call:ended" => format!("ended {} {}", s(&d["callId"]), d["duration"]),
        "error" => format!("error {}", s(&d["code"])),
        other => format!("unexpected {other}"),
    }
}

/// The id the core made in this step: the ack's `messageId`/`callId`, else the new message's or
/// the incoming call's.
fn new_id(messages: &[Message]) -> Option<String> {
    messages.iter().find_map(|m| match m {
        Message::Ack { body, .. } => body
            .get("messageId")
            .or_else(|| body.get("callId"))
            .and_then(Value::as_str)
            .map(str::to_owned),
        Message::Emit {
            payload: Payload::Frame(f),
            ..
        } => match f["type"].as_str() {
            Some("message:new") => f["data"]["messageId"].as_str().map(str::to_owned),
            Some("call:incoming") => f["data"]["callId"].as_str().map(str::to_owned),
            _ => None,
        },
        Message::Emit { .. } => None,
    })
}

fn settings() -> Settings {
    Settings {
        users: USERS
            .iter()
            .map(|(u, t)| UserToken::parse(&format!("tok-{u}={u}:t{t}")).unwrap())
            .collect(),
        typing_timeout: Duration::from_millis(TYPING_MS.unsigned_abs()),
        call_ring_timeout: Duration::from_millis(RING_MS.unsigned_abs()),
        max_conversations_per_user: MAX_CONVERSATIONS,
        max_messages_kept: MAX_KEPT,
        max_calls_per_user: MAX_CALLS,
        ..Settings::default()
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]
    #[test]
    fn core_matches_model(ops in proptest::collection::vec(op(), 1..200)) {
        let mut run = Run {
            core: Core::new(settings(), Box::new(SequentialIds::default())),
            model: Model { now: 1_700_000_000_000, ..Model::default() },
            gens: BTreeMap::new(),
            next_ack: 0,
            next_frame: 0,
            ended: BTreeSet::new(),
        };
        for slot in 0..SLOTS {
            run.step(Op::Connect(slot))?;
        }
        for op in ops {
            run.step(op)?;
        }
        run.finish()?;
    }
}
