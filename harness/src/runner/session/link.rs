//! An actor's connection, whichever transport the protocol uses: the sending half ([`Link`]) and
//! the feed of what the target sent ([`Feed`]).
//!
//! Only this file and the transport-specific intake know there are two transports; the rest of
//! the session sees "send a frame", "close", "the next thing received".

use std::collections::HashMap;

use tokio::sync::mpsc;

use crate::transport::socketio::{SioConnection, SioIncoming};
use crate::transport::ws::WsConnection;
use crate::transport::{Incoming, TransportError};

/// The sending half of an actor's connection.
pub enum Link {
    /// A raw WebSocket.
    Ws(WsConnection),
    /// A socket.io client on the profile's namespace.
    Sio(SioLink),
}

/// A socket.io connection and the emits still awaiting their ack.
pub struct SioLink {
    /// The connection.
    pub connection: SioConnection,
    /// Ack id → (the emit's label, the emitted event), for every emit that asked for an ack.
    pub awaiting_ack: HashMap<u64, AwaitingAck>,
}

/// An emit whose ack has not arrived yet.
#[derive(Debug, Clone)]
pub struct AwaitingAck {
    /// The scenario's label of the emit.
    pub label: String,
    /// The event emitted (its ack is checked against `schemas/ack.<event>.json`).
    pub event: String,
}

impl Link {
    /// Closes the connection normally (socket.io: DISCONNECT, then WebSocket close 1000).
    pub async fn close(&mut self) -> Result<(), TransportError> {
        match self {
            Link::Ws(connection) => connection.close().await,
            Link::Sio(link) => link.connection.close().await,
        }
    }

    /// Sends one text frame exactly as given (socket.io: an Engine.IO frame, e.g. `42[…]`).
    pub async fn send_text(&mut self, text: String) -> Result<(), TransportError> {
        match self {
            Link::Ws(connection) => connection.send_text(text).await,
            Link::Sio(link) => link.connection.send_raw(text, Vec::new()).await,
        }
    }

    /// Sends one binary frame exactly as given.
    pub async fn send_binary(&mut self, bytes: Vec<u8>) -> Result<(), TransportError> {
        match self {
            Link::Ws(connection) => connection.send_binary(bytes).await,
            Link::Sio(link) => link.connection.send_raw(String::new(), vec![bytes]).await,
        }
    }
}

/// What the target sent on one connection.
pub enum Received {
    /// A raw WebSocket frame.
    Ws(Incoming),
    /// A decoded socket.io item.
    Sio(SioIncoming),
}

/// The receiving half of an actor's connection.
pub enum Feed {
    /// Raw WebSocket frames.
    Ws(mpsc::Receiver<Incoming>),
    /// socket.io items.
    Sio(mpsc::Receiver<SioIncoming>),
}

impl Feed {
    /// The next thing received; `None` once the connection's reader has ended.
    pub async fn recv(&mut self) -> Option<Received> {
        match self {
            Feed::Ws(frames) => frames.recv().await.map(Received::Ws),
            Feed::Sio(items) => items.recv().await.map(Received::Sio),
        }
    }

    /// The next thing already received, if any.
    pub fn try_recv(&mut self) -> Option<Received> {
        match self {
            Feed::Ws(frames) => frames.try_recv().ok().map(Received::Ws),
            Feed::Sio(items) => items.try_recv().ok().map(Received::Sio),
        }
    }
}
