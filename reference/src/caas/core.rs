//! The caas state machine (sans-IO): users, sockets, conversations, messages, typists and
//! calls.
//!
//! Fed `(now, Input)` it returns an [`Output`]: acks and server frames addressed to connection
//! ids, in the order the changes happened. It never reads the clock, sleeps or touches a
//! socket; ids come from an injected [`IdSource`]. Typing timeouts and ring timeouts are driven
//! by [`Core::poll_deadline`] / [`Core::handle_timeout`]; every `handle` first runs the timeouts
//! due at `now`.
//!
//! A client event's way from JSON to effects is `dispatch.rs`; each concern has its file
//! (`conversations`, `messages`, `typing`, `presence`, `calls`, `binary`, `rate`).
//!
//! Invariants: a refused event changes nothing; nothing is ever addressed to a socket that is
//! not connected, nothing of one tenant reaches another, and a conversation's events reach only
//! the sockets of its members.

use super::frame::ServerFrame;
use super::state::{Call, Conn, Conversation, Timer, TimerKey, User, UserIx};
use super::{CaasError, Settings};
use crate::ark::{IdSource, Timestamp};
use crate::rate::RateWindow;
use serde_json::Value;
use std::collections::{BTreeSet, HashMap};

pub use super::state::{AckId, ConnId};

/// Something that happened to the core.
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    /// A socket.io connection to `/` whose auth [`Core::authenticate`] accepted.
    Connect {
        /// The driver's connection id.
        conn: ConnId,
        /// The handshake's `auth` (`{token}`).
        auth: Value,
    },
    /// The connection closed.
    Disconnect {
        /// The connection.
        conn: ConnId,
    },
    /// A client event: its name, its first argument (`null` if none), and the socket.io ack
    /// the client asked for, if it did.
    Event {
        /// The connection.
        conn: ConnId,
        /// The event name.
        event: String,
        /// The first argument (a `SocketMessage`, caas-N3).
        payload: Value,
        /// The ack the client asked for.
        ack: Option<AckId>,
    },
    /// A client event whose first argument was a binary attachment (`binary`, caas-N12).
    Binary {
        /// The connection.
        conn: ConnId,
        /// The event name.
        event: String,
        /// The attachment, as received.
        bytes: bytes::Bytes,
        /// The ack the client asked for.
        ack: Option<AckId>,
    },
}

/// What an emitted event carries.
#[derive(Debug, Clone, PartialEq)]
pub enum Payload {
    /// A whole server `SocketMessage` (caas-N3).
    Frame(Value),
    /// A relayed `binary` buffer, unchanged (caas-N12).
    Binary(bytes::Bytes),
}

/// One thing to write to a connection.
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    /// Answer ack `ack` of `conn` with `body` (`{success, …}`, caas-N4).
    Ack {
        /// The connection.
        conn: ConnId,
        /// The ack.
        ack: AckId,
        /// Its body.
        body: Value,
    },
    /// Emit `event` to `conn` alone.
    Emit {
        /// The connection.
        conn: ConnId,
        /// The event name.
        event: String,
        /// Its argument.
        payload: Payload,
    },
}

/// What one input produced, in order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Output {
    /// The messages, in the order they must be written.
    pub messages: Vec<Message>,
}

/// The caas server, in memory.
pub struct Core {
    pub(super) settings: Settings,
    pub(super) ids: Box<dyn IdSource>,
    pub(super) next_seq: u64,
    pub(super) users: Vec<User>,
    /// Token → its user and expiry.
    pub(super) tokens: HashMap<String, (UserIx, Option<Timestamp>)>,
    /// `(tenantId, userId)` → user.
    pub(super) by_name: HashMap<(String, String), UserIx>,
    pub(super) conns: HashMap<ConnId, Conn>,
    pub(super) conversations: HashMap<String, Conversation>,
    /// Kept message id → its conversation.
    pub(super) messages: HashMap<String, String>,
    pub(super) calls: HashMap<String, Call>,
    pub(super) timers: BTreeSet<(Timestamp, u64, Timer)>,
}

impl std::fmt::Debug for Core {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Core")
            .field("users", &self.users.len())
            .field("connections", &self.conns.len())
            .field("conversations", &self.conversations.len())
            .field("calls", &self.calls.len())
            .finish_non_exhaustive()
    }
}

impl Core {
    /// A core with the configured users (a token given twice keeps its first user) and no
    /// conversations.
    pub fn new(settings: Settings, ids: Box<dyn IdSource>) -> Self {
        let mut users = Vec::new();
        let mut by_name = HashMap::new();
        let mut tokens = HashMap::new();
        for t in settings.all_users() {
            let key = (t.tenant_id.clone(), t.user_id.clone());
            let user = *by_name.entry(key).or_insert_with(|| {
                users.push(User::new(t.user_id.clone(), t.tenant_id.clone()));
                users.len() - 1
            });
            tokens.entry(t.token).or_insert((user, t.expires_at));
        }
        Self {
            settings,
            ids,
            next_seq: 0,
            users,
            tokens,
            by_name,
            conns: HashMap::new(),
            conversations: HashMap::new(),
            messages: HashMap::new(),
            calls: HashMap::new(),
            timers: BTreeSet::new(),
        }
    }

    /// The settings in force.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Checks a handshake's `auth` at `now` (K1, caas-N2): `auth.token` missing (or empty) is
    /// `AUTH_REQUIRED`, not a configured token `AUTH_INVALID`, past its expiry
    /// `TOKEN_EXPIRED`.
    pub fn authenticate(&self, now: Timestamp, auth: &Value) -> Result<(), CaasError> {
        self.user_of(now, auth).map(|_| ())
    }

    fn user_of(&self, now: Timestamp, auth: &Value) -> Result<UserIx, CaasError> {
        let token = match auth.get("token") {
            None | Some(Value::Null) => return Err(CaasError::AuthRequired),
            Some(Value::String(s)) if s.is_empty() => return Err(CaasError::AuthRequired),
            Some(token) => token.as_str().ok_or(CaasError::AuthInvalid)?,
        };
        let &(user, expires_at) = self.tokens.get(token).ok_or(CaasError::AuthInvalid)?;
        if expires_at.is_some_and(|at| now >= at) {
            return Err(CaasError::TokenExpired);
        }
        Ok(user)
    }

    /// Handles one input at `now` (after the timeouts due at `now`).
    pub fn handle(&mut self, now: Timestamp, input: Input) -> Output {
        let mut out = self.handle_timeout(now);
        match input {
            Input::Connect { conn, auth } => self.connect(now, conn, &auth),
            Input::Disconnect { conn } => self.disconnect(now, conn, &mut out),
            Input::Event {
                conn,
                event,
                payload,
                ack,
            } => self.event(now, conn, &event, &payload, ack, &mut out),
            Input::Binary {
                conn,
                event,
                bytes,
                ack,
            } => self.binary_input(now, conn, &event, bytes, ack, &mut out),
        }
        out
    }

    /// The next instant at which [`Core::handle_timeout`] has something to do, if any.
    pub fn poll_deadline(&self) -> Option<Timestamp> {
        self.timers.first().map(|(t, _, _)| *t)
    }

    /// Runs every timer due at `now`, earliest first: typists stop (caas-N9), unanswered calls
    /// end (caas-N11).
    pub fn handle_timeout(&mut self, now: Timestamp) -> Output {
        let mut out = Output::default();
        while self.timers.first().is_some_and(|(at, _, _)| *at <= now) {
            let Some((at, seq, timer)) = self.timers.pop_first() else {
                break;
            };
            match timer {
                Timer::Typing { user, conversation } => {
                    self.typing_expired(now, user, &conversation, (at, seq), &mut out);
                }
                Timer::Ring { call } => self.ring_expired(now, &call, &mut out),
            }
        }
        out
    }

    /// A new timer at `at`.
    pub(super) fn add_timer(&mut self, at: Timestamp, timer: Timer) -> TimerKey {
        self.next_seq += 1;
        self.timers.insert((at, self.next_seq, timer));
        (at, self.next_seq)
    }

    /// Removes the timer `key` of `timer`.
    pub(super) fn cancel_timer(&mut self, key: TimerKey, timer: Timer) {
        self.timers.remove(&(key.0, key.1, timer));
    }

    /// Emits `frame` to each of `conns` (one server id for all: it is one event).
    pub(super) fn emit(
        &mut self,
        now: Timestamp,
        conns: &[ConnId],
        frame: &ServerFrame<'_>,
        out: &mut Output,
    ) {
        if conns.is_empty() {
            return;
        }
        let json = frame.to_json(self.ids.next_id(), now);
        for &conn in conns {
            out.messages.push(Message::Emit {
                conn,
                event: frame.event.to_owned(),
                payload: Payload::Frame(json.clone()),
            });
        }
    }

    /// The connected sockets of `users`, in user order.
    pub(super) fn sockets_of(&self, users: impl IntoIterator<Item = UserIx>) -> Vec<ConnId> {
        users
            .into_iter()
            .flat_map(|u| self.users[u].sockets.iter().copied())
            .collect()
    }

    /// The sockets of the members of `conversation`, but not those of `except`.
    pub(super) fn member_sockets(&self, conversation: &str, except: Option<UserIx>) -> Vec<ConnId> {
        let members = self
            .conversations
            .get(conversation)
            .map(|c| c.members.iter().copied().filter(|m| Some(*m) != except));
        members.map_or_else(Vec::new, |m| self.sockets_of(m.collect::<Vec<_>>()))
    }

    /// `Ok` when `user` is a member of `conversation` (K3): another tenant's conversation is
    /// `FORBIDDEN`, an unknown one or one not joined `NOT_MEMBER`.
    pub(super) fn access(&self, user: UserIx, conversation: &str) -> Result<(), CaasError> {
        match self.conversations.get(conversation) {
            Some(c) if c.tenant_id != self.users[user].tenant_id => Err(CaasError::Forbidden(
                format!("conversation {conversation:?} belongs to another tenant"),
            )),
            Some(c) if c.members.contains(&user) => Ok(()),
            _ => Err(CaasError::NotMember(conversation.to_owned())),
        }
    }

    /// Registers a socket of an accepted user (an unknown or refused auth registers nothing).
    fn connect(&mut self, now: Timestamp, conn: ConnId, auth: &Value) {
        let Ok(user) = self.user_of(now, auth) else {
            return;
        };
        if self.conns.contains_key(&conn) {
            return;
        }
        self.conns.insert(
            conn,
            Conn {
                user,
                rate: RateWindow::new(now),
            },
        );
        self.users[user].sockets.insert(conn);
    }

    /// The socket goes; with the user's last socket its typing stops (caas-N9), its calls end
    /// (caas-N11) and it goes `offline` (caas-N10).
    fn disconnect(&mut self, now: Timestamp, conn: ConnId, out: &mut Output) {
        let Some(c) = self.conns.remove(&conn) else {
            return;
        };
        let user = c.user;
        self.users[user].sockets.remove(&conn);
        if !self.users[user].sockets.is_empty() {
            return;
        }
        let conversations: Vec<String> = self.users[user].conversations.iter().cloned().collect();
        for conversation in conversations {
            self.stop_typing(now, user, &conversation, None, out);
        }
        let calls: Vec<String> = self.users[user].calls.iter().cloned().collect();
        for call in calls {
            self.end_call(now, &call, None, out);
        }
        self.announce_presence(now, user, "offline", None, out);
    }
}
