//! The emprops driver: one axum server answering a WebSocket upgrade on any path
//! (emprops-N1), one task per connection, and a timer task for the hub's deadlines.
//!
//! Thin by design. Every frame goes to the sans-IO hub core under one lock, in the order the
//! connection received it, and the core's outputs are queued under the same lock: one total
//! order. Each connection has a bounded send queue (`send_queue`, emprops-N26): a connection
//! whose queue is full is closed with 1008 and the hub forgets it (a worker's jobs are
//! requeued), so a client that stops reading cannot grow the server's memory. The driver owns
//! the clock (wall time, UTC), the id source (UUID v4) and connection numbering.

mod connection;

use super::serving::{LiveConnections, Tasks, Timed, now};
use crate::emprops::{ConnId, Core, Input, Output, Settings, Timestamp, UuidV4Ids};
use axum::Router;
use axum::extract::State;
use axum::extract::ws::{Utf8Bytes, WebSocketUpgrade, rejection::WebSocketUpgradeRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use std::collections::{HashMap, VecDeque};
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use tokio::sync::{Notify, mpsc, oneshot};

/// The close a queue-full connection gets (emprops-N26).
const LAGGED: (u16, &str) = (1008, "send queue full");

/// What a connection task writes, in order.
#[derive(Debug)]
enum Item {
    /// One hub message.
    Text(Utf8Bytes),
    /// Close with this code and reason, after everything queued before.
    Close(u16, &'static str),
}

/// A connection as the hub side sees it: its queue and the way to close it at once.
struct ConnTx {
    items: mpsc::Sender<Item>,
    /// Closes without waiting for the queue (it is full, or the server stops).
    abort: oneshot::Sender<(u16, &'static str)>,
}

/// The core and the connections it writes to, always changed together.
struct Locked {
    core: Core,
    conns: HashMap<ConnId, ConnTx>,
    next_conn: ConnId,
}

/// State shared by the connection tasks and the timer.
struct Shared {
    settings: Settings,
    locked: Mutex<Locked>,
    /// Wakes the timer when the earliest deadline may have moved.
    wake: Notify,
    /// Connection tasks running, and the signal that the last one ended.
    live: LiveConnections,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Locked> {
        self.locked.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Feeds `input` to the core at the wall clock's now and queues what it answers.
    fn feed(&self, input: Input<'_>) {
        let mut locked = self.lock();
        if let Input::Close(conn) = input {
            // The connection is gone: dropping its sender ends its writer at once (and the map
            // does not keep an entry per connection ever opened).
            locked.conns.remove(&conn);
        }
        let before = locked.core.poll_deadline();
        let now = now();
        let outputs = locked.core.handle(now, input);
        locked.deliver(now, outputs);
        if locked.core.poll_deadline() != before {
            self.wake.notify_one();
        }
    }

    /// A new connection: its number, queue and abort signal; the core is told it opened.
    fn open(
        &self,
    ) -> (
        ConnId,
        mpsc::Receiver<Item>,
        oneshot::Receiver<(u16, &'static str)>,
    ) {
        let (items_tx, items) = mpsc::channel(self.settings.send_queue.max(1));
        let (abort_tx, abort) = oneshot::channel();
        let conn = {
            let mut locked = self.lock();
            locked.next_conn += 1;
            let conn = locked.next_conn;
            let tx = ConnTx {
                items: items_tx,
                abort: abort_tx,
            };
            locked.conns.insert(conn, tx);
            conn
        };
        self.feed(Input::Open(conn));
        (conn, items, abort)
    }

    /// A connection task ended.
    fn ended(&self) {
        self.live.ended();
    }
}

impl Timed for Shared {
    fn deadline(&self) -> Option<Timestamp> {
        self.lock().core.poll_deadline()
    }

    fn on_due(&self) {
        let mut locked = self.lock();
        let now = now();
        let outputs = locked.core.handle_timeout(now);
        locked.deliver(now, outputs);
    }

    fn wake(&self) -> &Notify {
        &self.wake
    }
}

impl Locked {
    /// Queues the core's outputs. A connection whose queue is full is closed with 1008 and the
    /// core told it closed; what that produces is delivered too, in order.
    fn deliver(&mut self, now: Timestamp, outputs: Vec<Output>) {
        let mut pending = VecDeque::from(outputs);
        while let Some(output) = pending.pop_front() {
            match output {
                Output::Send { conn, text } => {
                    let Some(tx) = self.conns.get(&conn) else {
                        continue;
                    };
                    if tx
                        .items
                        .try_send(Item::Text(Utf8Bytes::from(text)))
                        .is_err()
                    {
                        if let Some(tx) = self.conns.remove(&conn) {
                            let _ = tx.abort.send(LAGGED);
                        }
                        pending.extend(self.core.handle(now, Input::Close(conn)));
                    }
                }
                Output::Close { conn, code, reason } => {
                    if let Some(tx) = self.conns.remove(&conn)
                        && tx.items.try_send(Item::Close(code, reason)).is_err()
                    {
                        let _ = tx.abort.send((code, reason));
                    }
                }
            }
        }
    }
}

/// A running emprops hub.
pub struct EmpropsServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    tasks: Tasks,
}

impl std::fmt::Debug for EmpropsServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmpropsServer")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl EmpropsServer {
    /// Binds `host:settings.port` and starts serving; the address is bound when this returns.
    pub async fn start(host: IpAddr, settings: Settings) -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind((host, settings.port)).await?;
        let addr = listener.local_addr()?;
        let core = Core::new(settings.clone(), Box::new(UuidV4Ids));
        let shared = Arc::new(Shared {
            settings,
            locked: Mutex::new(Locked {
                core,
                conns: HashMap::new(),
                next_conn: 0,
            }),
            wake: Notify::new(),
            live: LiveConnections::default(),
        });
        let app = Router::new()
            .fallback(ws_handler)
            .with_state(Arc::clone(&shared));
        let tasks = Tasks::start("emprops", listener, app, Arc::clone(&shared));
        Ok(Self {
            addr,
            shared,
            tasks,
        })
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Graceful shutdown (E12, emprops-N25): every connection gets `server_disconnect` then a
    /// close with 1001; waits at most `close_grace` for them to go, then stops the tasks.
    pub async fn shutdown(mut self) {
        let grace = self.shared.settings.close_grace;
        self.shared.feed(Input::Shutdown);
        self.shared.live.all_ended_within(grace).await;
        self.tasks.shutdown(grace).await;
    }
}

/// Dropping a server without [`EmpropsServer::shutdown`] still tells the hub, so the
/// connections close; the tasks stop with their own drop, without waiting.
impl Drop for EmpropsServer {
    fn drop(&mut self) {
        self.shared.feed(Input::Shutdown);
    }
}

/// Every path: a WebSocket upgrade to the hub, anything else 426.
async fn ws_handler(
    State(shared): State<Arc<Shared>>,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    let Ok(upgrade) = upgrade else {
        let text = "the emprops hub speaks WebSocket only, on any path";
        return (StatusCode::UPGRADE_REQUIRED, text).into_response();
    };
    let max = shared.settings.max_message_bytes;
    shared.live.opened();
    upgrade
        .read_buffer_size(shared.settings.ws_read_buffer_bytes)
        .max_message_size(max)
        .max_frame_size(max)
        .on_failed_upgrade({
            let shared = Arc::clone(&shared);
            move |_| shared.ended()
        })
        .on_upgrade(move |socket| async move {
            connection::serve(socket, &shared).await;
            shared.ended();
        })
}
