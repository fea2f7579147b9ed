//! The dnaforge driver: one axum server on one port answering `GET /auth` (and every other HTTP
//! request) through the core, and the WebSocket upgrade of `/`; one task per socket, and a
//! timer task for the runner's steps.
//!
//! Thin by design. HTTP requests and frames go to the sans-IO core under one lock, in the
//! order received, and its outputs are queued under the same lock: one total order. Each socket
//! has a bounded send queue (`send_queue`, dnaforge-N20): a socket whose queue is full is closed
//! with 1008 and the core told it closed. A frame over `max_message_bytes` closes its socket
//! with 1009. The driver owns the clock (wall time), the token source (UUID v4) and socket
//! numbering.

mod connection;

use super::serving::{LiveConnections, Tasks, Timed, now};
use crate::dnaforge::{
    ConnId, Core, HttpReply, HttpRequest, Input, Output, Settings, Timestamp, UuidV4Ids,
};
use axum::Router;
use axum::extract::State;
use axum::extract::ws::{Utf8Bytes, WebSocketUpgrade, rejection::WebSocketUpgradeRejection};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use std::collections::{HashMap, VecDeque};
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use tokio::sync::{Notify, mpsc, oneshot};

/// The close a queue-full socket gets (dnaforge-N20).
const LAGGED: (u16, &str) = (1008, "send queue full");
/// The close every socket gets at shutdown.
const GOING_AWAY: (u16, &str) = (1001, "server shutting down");

/// A socket as the core side sees it: its queue and the way to close it at once.
struct ConnTx {
    items: mpsc::Sender<Utf8Bytes>,
    abort: oneshot::Sender<(u16, &'static str)>,
}

/// The core and the sockets it writes to, always changed together.
struct Locked {
    core: Core,
    conns: HashMap<ConnId, ConnTx>,
    next_conn: ConnId,
}

/// State shared by the handlers, the socket tasks and the timer.
struct Shared {
    settings: Settings,
    locked: Mutex<Locked>,
    /// Wakes the timer when the earliest deadline may have moved.
    wake: Notify,
    /// Socket tasks running, and the signal that the last one ended.
    live: LiveConnections,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Locked> {
        self.locked.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Feeds `input` to the core at the wall clock's now, queues what it sends and returns its
    /// HTTP reply, if any.
    fn feed(&self, input: Input<'_>) -> Option<HttpReply> {
        let mut locked = self.lock();
        let before = locked.core.poll_deadline();
        let now = now();
        let outputs = locked.core.handle(now, input);
        let reply = locked.deliver(now, outputs);
        if locked.core.poll_deadline() != before {
            self.wake.notify_one();
        }
        reply
    }

    /// A new socket: its number, queue and abort signal; the core is told it opened.
    fn open(
        &self,
    ) -> (
        ConnId,
        mpsc::Receiver<Utf8Bytes>,
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

    /// The socket ended (or is being closed with `close`): the core forgets it, its queue's
    /// sender is dropped so the writer finishes what is queued.
    fn close(&self, conn: ConnId, close: Option<(u16, &'static str)>) {
        let tx = self.lock().conns.remove(&conn);
        if let (Some(tx), Some(close)) = (tx, close) {
            let _ = tx.abort.send(close);
        }
        self.feed(Input::Close(conn));
    }

    /// Closes every socket with 1001 (shutdown).
    fn close_all(&self) {
        let conns: Vec<ConnTx> = self.lock().conns.drain().map(|(_, tx)| tx).collect();
        for tx in conns {
            let _ = tx.abort.send(GOING_AWAY);
        }
    }

    /// A socket task ended.
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
    /// Queues the core's texts and returns its HTTP reply. A socket whose queue is full is
    /// closed with 1008 and the core told it closed.
    fn deliver(&mut self, now: Timestamp, outputs: Vec<Output>) -> Option<HttpReply> {
        let mut reply = None;
        let mut pending = VecDeque::from(outputs);
        while let Some(output) = pending.pop_front() {
            match output {
                Output::Http(r) => reply = Some(r),
                Output::Send { conn, text } => {
                    let Some(tx) = self.conns.get(&conn) else {
                        continue;
                    };
                    if tx.items.try_send(Utf8Bytes::from(text)).is_err() {
                        if let Some(tx) = self.conns.remove(&conn) {
                            let _ = tx.abort.send(LAGGED);
                        }
                        pending.extend(self.core.handle(now, Input::Close(conn)));
                    }
                }
            }
        }
        reply
    }
}

/// A running dnaforge server.
pub struct DnaforgeServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    tasks: Tasks,
}

impl std::fmt::Debug for DnaforgeServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DnaforgeServer")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl DnaforgeServer {
    /// Binds `host:settings.port` and starts serving; the address is bound when this returns.
    pub async fn start(host: IpAddr, settings: Settings) -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind((host, settings.port)).await?;
        let addr = listener.local_addr()?;
        let core = Core::new(&settings, Box::new(UuidV4Ids));
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
            .fallback(handler)
            .with_state(Arc::clone(&shared));
        let tasks = Tasks::start("dnaforge", listener, app, Arc::clone(&shared));
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

    /// Closes every socket with 1001, waits at most `close_grace` for them to go, then stops
    /// the tasks.
    pub async fn shutdown(mut self) {
        let grace = self.shared.settings.close_grace;
        self.shared.close_all();
        self.shared.live.all_ended_within(grace).await;
        self.tasks.shutdown(grace).await;
    }
}

/// Dropping a server without [`DnaforgeServer::shutdown`] still closes the sockets; the tasks
/// stop with their own drop, without waiting.
impl Drop for DnaforgeServer {
    fn drop(&mut self) {
        self.shared.close_all();
    }
}

/// Every request: the WebSocket upgrade of `/`, or HTTP answered by the core (dnaforge-N1).
async fn handler(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    if uri.path() == "/"
        && let Ok(upgrade) = upgrade
    {
        return upgrade_socket(shared, upgrade);
    }
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let request = HttpRequest {
        method: method.as_str(),
        path: uri.path(),
        authorization,
    };
    let Some(reply) = shared.feed(Input::Http(request)) else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let status = StatusCode::from_u16(reply.status.code()).unwrap_or(StatusCode::NOT_FOUND);
    if reply.body.is_empty() {
        return status.into_response();
    }
    let mut response = (status, reply.body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

fn upgrade_socket(shared: Arc<Shared>, upgrade: WebSocketUpgrade) -> Response {
    let max = shared.settings.max_message_bytes;
    shared.live.opened();
    upgrade
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
