//! Writing the core's messages to sockets, in the core's order, including to a socket that
//! socketioxide has not yet marked connected.
//!
//! socketioxide 0.18 sends a socket's CONNECT packet and only then marks the socket connected;
//! until it does, `emit` on that socket fails with `Closed` (an ack does not). A client that has
//! read its CONNECT may already have caused an event for that socket through another one (a
//! second member's message), and with several worker threads the window is real: the suite lost
//! one event in a few runs that way. So a socket's messages wait here until its connect handler
//! has run ([`Outbox::connected`]), and then leave in the order the core made them, acks
//! included, so that none overtakes another.
//!
//! Invariant: for each connection, messages are written in the order they were given.

use super::super::overflow;
use super::wire::Attachment;
use crate::caas::{AckId, ConnId, Message, Payload};
use serde_json::Value;
use socketioxide::extract::{AckSender, SocketRef};
use std::collections::{HashMap, HashSet};
use std::time::Duration;

/// One message for one connection.
enum Outgoing {
    Emit(String, Payload),
    Ack(AckId, Value),
}

/// The sockets the core writes to, and what waits for a socket to be connected.
#[derive(Default)]
pub(super) struct Outbox {
    sockets: HashMap<ConnId, SocketRef>,
    acks: HashMap<(ConnId, AckId), AckSender>,
    /// Connections whose connect handler has run.
    connected: HashSet<ConnId>,
    /// Messages for connections not yet connected, in order.
    waiting: HashMap<ConnId, Vec<Outgoing>>,
    /// How long a socket whose send buffer is full may take to be disconnected.
    close_grace: Duration,
}

impl Outbox {
    /// An empty outbox; a socket whose send buffer fills is disconnected within `close_grace`.
    pub(super) fn new(close_grace: Duration) -> Self {
        Self {
            close_grace,
            ..Self::default()
        }
    }

    /// A socket that passed the auth middleware; it is not connected yet.
    pub(super) fn add(&mut self, conn: ConnId, socket: SocketRef) {
        self.sockets.insert(conn, socket);
    }

    /// Keeps the way to answer ack `ack` of `conn`.
    pub(super) fn keep_ack(&mut self, conn: ConnId, ack: AckId, sender: AckSender) {
        self.acks.insert((conn, ack), sender);
    }

    /// `conn`'s connect handler ran: what waited for it leaves now.
    pub(super) fn connected(&mut self, conn: ConnId) {
        if !self.sockets.contains_key(&conn) {
            return;
        }
        self.connected.insert(conn);
        for outgoing in self.waiting.remove(&conn).unwrap_or_default() {
            self.write(conn, outgoing);
        }
    }

    /// Forgets a closed connection and everything for it.
    pub(super) fn remove(&mut self, conn: ConnId) {
        self.sockets.remove(&conn);
        self.connected.remove(&conn);
        self.waiting.remove(&conn);
        self.acks.retain(|(c, _), _| *c != conn);
    }

    /// Writes the core's messages, in order.
    pub(super) fn deliver(&mut self, messages: Vec<Message>) {
        for m in messages {
            let (conn, outgoing) = match m {
                Message::Emit {
                    conn,
                    event,
                    payload,
                } => (conn, Outgoing::Emit(event, payload)),
                Message::Ack { conn, ack, body } => (conn, Outgoing::Ack(ack, body)),
            };
            if self.connected.contains(&conn) {
                self.write(conn, outgoing);
            } else if self.sockets.contains_key(&conn) {
                self.waiting.entry(conn).or_default().push(outgoing);
            }
        }
    }

    fn write(&mut self, conn: ConnId, outgoing: Outgoing) {
        match outgoing {
            Outgoing::Emit(event, payload) => {
                let Some(s) = self.sockets.get(&conn) else {
                    return;
                };
                let sent = match &payload {
                    Payload::Frame(frame) => s.emit(event.as_str(), frame),
                    Payload::Binary(bytes) => s.emit(event.as_str(), &Attachment(bytes)),
                };
                if let Err(e) = sent {
                    self.not_sent(conn, &e);
                }
            }
            Outgoing::Ack(ack, body) => {
                if let Some(sender) = self.acks.remove(&(conn, ack))
                    && let Err(e) = sender.send(&body)
                {
                    self.not_sent(conn, &e);
                }
            }
        }
    }
}

impl Outbox {
    /// A packet for `conn` could not be written: a full send buffer disconnects the socket
    /// (C4, `max_queued_packets`); a closed one needs nothing.
    fn not_sent(&self, conn: ConnId, error: &socketioxide::SendError) {
        tracing::debug!("caas: packet to {conn} not sent: {error}");
        if let Some(s) = self.sockets.get(&conn).filter(|_| overflow::is_full(error)) {
            overflow::disconnect_full(s.clone(), self.close_grace);
        }
    }
}
