//! The jobber driver: socketioxide 0.18 mounted in axum, socket.io served on `/socket.io/` and
//! on `/ws` (J1), namespace `/`, plus a timer task for the core's deadlines.
//!
//! Thin by design. Every client event goes to the sans-IO core under one lock, in the order the
//! socket received it: the work is done synchronously in the handler call that socketioxide
//! makes from its receive loop (before it spawns the handler's future), so events of one socket
//! are never reordered and acks leave in request order. Handlers are registered in the auth
//! middleware, before the client is told it is connected (DESIGN.md pitfalls). The core's
//! outputs are written under the same lock: one total order. The driver owns the clock (wall
//! time, UTC), the id source (UUID v4), connection and ack numbering.

use super::overflow;
use super::owned_head;
use super::refused::Refused;
use super::serving::{Tasks, Timed, now};
use crate::jobber::{
    AckId, ConnId, Core, Input, Message, ServerEvent, Settings, Timestamp, UuidV4Ids,
};
use axum::Router;
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

/// The socket.io paths served (J1).
pub const PATHS: [&str; 2] = ["/socket.io", "/ws"];

/// The core and the sockets it writes to, always changed together.
struct Locked {
    core: Core,
    sockets: HashMap<ConnId, SocketRef>,
    conns: HashMap<Sid, ConnId>,
    acks: HashMap<(ConnId, AckId), AckSender>,
    /// `client_ready` made at auth time, sent once the socket is connected (J16).
    pending_ready: HashMap<ConnId, Value>,
    next_conn: ConnId,
    next_ack: AckId,
    /// How long a socket whose send buffer is full may take to be disconnected.
    close_grace: Duration,
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
        locked.deliver(out.messages);
        if locked.core.poll_deadline() != before {
            self.wake.notify_one();
        }
    }

    /// The auth middleware (J2, C7): refuses a bad token; otherwise registers the connection
    /// and its handlers before socketioxide answers CONNECT.
    fn authenticate(self: &Arc<Self>, s: &SocketRef, auth: Value) -> Result<(), Refused> {
        let mut locked = self.lock();
        locked
            .core
            .authenticate(&auth)
            .map_err(|e| Refused(e.code()))?;
        let conn = locked.next_conn;
        locked.next_conn += 1;
        locked.conns.insert(s.id, conn);
        locked.sockets.insert(conn, s.clone());
        let sid = s.id.to_string();
        self.run(&mut locked, Some(Input::Connect { conn, sid, auth }));
        drop(locked);
        let shared = Arc::clone(self);
        s.on_fallback(
            move |s: SocketRef,
                  Event(event): Event,
                  TryData(data): TryData<Value>,
                  ack: AckSender|
                  -> Ready<()> {
                shared.on_event(&s, event, data.unwrap_or(Value::Null), ack);
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

    fn on_connected(&self, s: &SocketRef) {
        let mut locked = self.lock();
        if let Some(&conn) = locked.conns.get(&s.id) {
            locked.flush_ready(conn);
        }
    }

    fn on_event(&self, s: &SocketRef, event: String, payload: Value, ack: AckSender) {
        let mut locked = self.lock();
        let Some(&conn) = locked.conns.get(&s.id) else {
            return;
        };
        let id = locked.next_ack;
        locked.next_ack += 1;
        locked.acks.insert((conn, id), ack);
        let input = Input::Event {
            conn,
            event,
            payload,
            ack: Some(id),
        };
        self.run(&mut locked, Some(input));
    }

    fn on_disconnect(&self, s: &SocketRef) {
        let mut locked = self.lock();
        let Some(conn) = locked.conns.remove(&s.id) else {
            return;
        };
        locked.sockets.remove(&conn);
        locked.pending_ready.remove(&conn);
        locked.acks.retain(|(c, _), _| *c != conn);
        self.run(&mut locked, Some(Input::Disconnect { conn }));
    }
}

impl Locked {
    /// A packet for `conn` could not be written: a full send buffer disconnects the socket
    /// (C4, `max_queued_packets`); a closed one needs nothing.
    fn not_sent(&self, conn: ConnId, error: &socketioxide::SendError) {
        tracing::debug!("jobber: packet to {conn} not sent: {error}");
        if let Some(s) = self.sockets.get(&conn).filter(|_| overflow::is_full(error)) {
            overflow::disconnect_full(s.clone(), self.close_grace);
        }
    }

    /// Sends a connection's `client_ready` if it is still pending.
    fn flush_ready(&mut self, conn: ConnId) {
        let Some(payload) = self.pending_ready.remove(&conn) else {
            return;
        };
        if let Some(s) = self.sockets.get(&conn)
            && s.emit("client_ready", &payload).is_err()
        {
            // Not connected yet: the connect handler sends it.
            self.pending_ready.insert(conn, payload);
        }
    }

    fn deliver(&mut self, messages: Vec<Message>) {
        for m in messages {
            match m {
                Message::Emit {
                    conn,
                    event: ServerEvent::ClientReady { id, customer_id },
                } => {
                    let payload = serde_json::json!({ "id": id, "customerId": customer_id });
                    self.pending_ready.insert(conn, payload);
                }
                Message::Emit { conn, event } => {
                    self.flush_ready(conn);
                    if let Some(s) = self.sockets.get(&conn)
                        && let Err(e) = s.emit(event.name(), &event.payload())
                    {
                        self.not_sent(conn, &e);
                    }
                }
                Message::Ack { conn, ack, reply } => {
                    self.flush_ready(conn);
                    if let Some(sender) = self.acks.remove(&(conn, ack))
                        && let Err(e) = sender.send(&reply.to_json())
                    {
                        self.not_sent(conn, &e);
                    }
                }
                Message::Refuse { conn, error } => {
                    tracing::debug!("jobber: connection {conn} refused: {error}");
                }
            }
        }
    }
}

/// A running jobber server.
pub struct JobberServer {
    addr: SocketAddr,
    close_grace: Duration,
    tasks: Tasks,
}

impl std::fmt::Debug for JobberServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JobberServer")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

/// One socket.io instance on `path`, namespace `/`, wired to `shared`.
fn socket_io(
    shared: &Arc<Shared>,
    settings: &Settings,
    path: &'static str,
) -> socketioxide::layer::SocketIoLayer {
    let ws_limit = usize::try_from(settings.max_message_bytes).unwrap_or(usize::MAX);
    let (layer, io) = SocketIo::builder()
        .req_path(path)
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

impl JobberServer {
    /// Binds `host:settings.port` and starts serving; the address is bound when this returns.
    pub async fn start(host: IpAddr, settings: Settings) -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind((host, settings.port)).await?;
        let addr = listener.local_addr()?;
        let close_grace = settings.close_grace;
        let shared = Arc::new(Shared {
            locked: Mutex::new(Locked {
                core: Core::new(settings.clone(), Box::new(UuidV4Ids)),
                sockets: HashMap::new(),
                conns: HashMap::new(),
                acks: HashMap::new(),
                pending_ready: HashMap::new(),
                next_conn: 1,
                next_ack: 1,
                close_grace,
            }),
            wake: Notify::new(),
        });
        let app = Router::new()
            .layer(socket_io(&shared, &settings, PATHS[1]))
            .layer(socket_io(&shared, &settings, PATHS[0]))
            // Outermost, so it runs first: engineioxide keeps each session's request head.
            .layer(axum::middleware::map_request(owned_head::own_head));
        let tasks = Tasks::start("jobber", listener, app, shared);
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
