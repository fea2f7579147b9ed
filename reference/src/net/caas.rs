//! The caas driver: socketioxide 0.18 mounted in axum, socket.io on `/socket.io/`, namespace `/`
//! (caas-N1), plus a timer task for the core's deadlines (typing stops, unanswered calls, rate
//! windows).
//!
//! Thin by design, as the jobber driver: every client event goes to the sans-IO core under one
//! lock, synchronously in the handler call socketioxide makes from its receive loop, so events of
//! one socket are never reordered and acks leave in request order. Handlers are registered in
//! the auth middleware, before the client is told it is connected. The core's outputs are
//! written under the same lock: one total order. The driver owns the clock (wall time), the id
//! source (UUID v4), connection and ack numbering, and what socketioxide needs to know: whether
//! an event asked for an ack (caas-N5) and whether its argument was binary (caas-N12).
//! Messages for a socket that socketioxide has not yet marked connected wait in `outbox`.
//!
//! Not here: permessage-deflate. Neither socketioxide nor tungstenite can negotiate it
//! (caas-N14); an offer of it is left unanswered, which RFC 7692 allows, and the connection
//! goes on uncompressed.

mod outbox;
mod wire;

use super::owned_head;
use super::refused::Refused;
use super::serving::{Tasks, Timed, now};
use crate::caas::{AckId, ConnId, Core, Input, Settings, Timestamp, UuidV4Ids};
use axum::Router;
use outbox::Outbox;
use serde_json::Value;
use socketioxide::SocketIo;
use socketioxide::extract::{AckSender, Event, SocketRef, TryData};
use socketioxide::handler::ConnectHandler;
use socketioxide::socket::Sid;
use std::collections::HashMap;
use std::future::{Ready, ready};
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;
use tokio::sync::Notify;
use wire::{AskedAck, FirstArg};

/// The socket.io path served (caas-N1).
pub const PATH: &str = "/socket.io";

/// The core and the sockets it writes to, always changed together.
struct Locked {
    core: Core,
    outbox: Outbox,
    conns: HashMap<Sid, ConnId>,
    next_conn: ConnId,
    next_ack: AckId,
}

/// State shared by the handlers and the timer.
struct Shared {
    locked: Mutex<Locked>,
    /// Wakes the timer when the earliest deadline changed.
    wake: Notify,
}

impl Timed for Shared {
    fn deadline(&self) -> Option<Timestamp> {
        self.lock().core.poll_deadline()
    }

    fn on_due(&self) {
        let mut locked = self.lock();
        self.run(&mut locked, None);
    }

    fn wake(&self) -> &Notify {
        &self.wake
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Locked> {
        self.locked.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Feeds one input to the core, writes its outputs and wakes the timer if needed.
    fn run(&self, locked: &mut Locked, input: Option<Input>) {
        let before = locked.core.poll_deadline();
        let out = match input {
            Some(input) => locked.core.handle(now(), input),
            None => locked.core.handle_timeout(now()),
        };
        locked.outbox.deliver(out.messages);
        if locked.core.poll_deadline() != before {
            self.wake.notify_one();
        }
    }

    /// The auth middleware (K1, caas-N2, C7): refuses a missing, unknown or expired token;
    /// otherwise registers the connection and its handlers before socketioxide answers CONNECT.
    fn authenticate(self: &Arc<Self>, s: &SocketRef, auth: Value) -> Result<(), Refused> {
        let mut locked = self.lock();
        locked
            .core
            .authenticate(now(), &auth)
            .map_err(|e| Refused(e.code().as_str()))?;
        let conn = locked.next_conn;
        locked.next_conn += 1;
        locked.conns.insert(s.id, conn);
        locked.outbox.add(conn, s.clone());
        self.run(&mut locked, Some(Input::Connect { conn, auth }));
        drop(locked);
        let shared = Arc::clone(self);
        s.on_fallback(
            move |s: SocketRef,
                  Event(event): Event,
                  TryData(arg): TryData<FirstArg>,
                  AskedAck(asked): AskedAck,
                  ack: AckSender|
                  -> Ready<()> {
                let arg = arg.unwrap_or(FirstArg::Json(Value::Null));
                shared.on_event(&s, event, arg, asked.then_some(ack));
                ready(())
            },
        );
        let shared = Arc::clone(self);
        s.on_disconnect(move |s: SocketRef| -> Ready<()> {
            shared.on_disconnect(&s);
            ready(())
        });
        Ok(())
    }

    /// socketioxide marked the socket connected: what waited for it is written (`outbox`).
    fn on_connected(&self, s: &SocketRef) {
        let mut locked = self.lock();
        if let Some(&conn) = locked.conns.get(&s.id) {
            locked.outbox.connected(conn);
        }
    }

    fn on_event(&self, s: &SocketRef, event: String, arg: FirstArg, ack: Option<AckSender>) {
        let mut locked = self.lock();
        let Some(&conn) = locked.conns.get(&s.id) else {
            return;
        };
        let ack = ack.map(|sender| {
            let id = locked.next_ack;
            locked.next_ack += 1;
            locked.outbox.keep_ack(conn, id, sender);
            id
        });
        let input = match arg {
            FirstArg::Binary(bytes) => Input::Binary {
                conn,
                event,
                bytes: bytes.into(),
                ack,
            },
            FirstArg::Json(payload) => Input::Event {
                conn,
                event,
                payload,
                ack,
            },
        };
        self.run(&mut locked, Some(input));
    }

    fn on_disconnect(&self, s: &SocketRef) {
        let mut locked = self.lock();
        let Some(conn) = locked.conns.remove(&s.id) else {
            return;
        };
        locked.outbox.remove(conn);
        self.run(&mut locked, Some(Input::Disconnect { conn }));
    }
}

/// A running caas server.
pub struct CaasServer {
    addr: SocketAddr,
    close_grace: Duration,
    tasks: Tasks,
}

impl std::fmt::Debug for CaasServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CaasServer")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

/// The socket.io instance on [`PATH`], namespace `/`, wired to `shared`.
fn socket_io(shared: &Arc<Shared>, settings: &Settings) -> socketioxide::layer::SocketIoLayer {
    let ws_limit = usize::try_from(settings.max_message_bytes).unwrap_or(usize::MAX);
    let (layer, io) = SocketIo::builder()
        .req_path(PATH)
        .max_payload(settings.max_message_bytes)
        // max_payload bounds HTTP long-polling only; a WebSocket message needs its own bound
        // (C4: past the limit the connection is closed, never read whole).
        .ws_max_message_size(ws_limit)
        .ws_max_frame_size(ws_limit)
        .ws_read_buffer_size(settings.ws_read_buffer_bytes)
        .max_buffer_size(settings.max_queued_packets)
        .build_layer();
    let on_auth = Arc::clone(shared);
    let on_connect = Arc::clone(shared);
    let handler = move |s: SocketRef| -> Ready<()> {
        on_connect.on_connected(&s);
        ready(())
    };
    io.ns(
        "/",
        handler.with(move |s: SocketRef, TryData(auth): TryData<Value>| {
            ready(on_auth.authenticate(&s, auth.unwrap_or(Value::Null)))
        }),
    );
    layer
}

impl CaasServer {
    /// Binds `host:settings.port` and starts serving; the address is bound when this returns.
    pub async fn start(host: IpAddr, settings: Settings) -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind((host, settings.port)).await?;
        let addr = listener.local_addr()?;
        let close_grace = settings.close_grace;
        let shared = Arc::new(Shared {
            locked: Mutex::new(Locked {
                core: Core::new(settings.clone(), Box::new(UuidV4Ids)),
                outbox: Outbox::new(close_grace),
                conns: HashMap::new(),
                next_conn: 1,
                next_ack: 1,
            }),
            wake: Notify::new(),
        });
        let app = Router::new()
            .layer(socket_io(&shared, &settings))
            // Outermost, so it runs first: engineioxide keeps each session's request head.
            .layer(axum::middleware::map_request(owned_head::own_head));
        let tasks = Tasks::start("caas", listener, app, shared);
        Ok(Self {
            addr,
            close_grace,
            tasks,
        })
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting and stops the tasks; waits at most `close_grace` for open connections.
    pub async fn shutdown(mut self) {
        self.tasks.shutdown(self.close_grace).await;
    }
}
