//! The ark driver: one axum server with the push WebSocket at `/ws` and the REST API on every
//! other path, plus a timer task for offline detection.
//!
//! Thin by design: REST requests go through `ark::rest` to the core under one lock, and the
//! core's events are published to the hub under that same lock (one total order). The driver
//! owns the clock (wall time, UTC) and the id source (UUID v4).

use super::hub::Hub;
use super::push;
use super::serving::{Tasks, Timed, now};
use crate::ark::{ApiError, Core, Event, Settings, Timestamp, UuidV4Ids, rest};
use axum::Router;
use axum::body::Body;
use axum::extract::ws::{Utf8Bytes, WebSocketUpgrade, rejection::WebSocketUpgradeRejection};
use axum::extract::{Query, State, rejection::QueryRejection};
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use tokio::sync::Notify;

/// The core and the hub, always changed together.
struct Locked {
    core: Core,
    hub: Hub,
}

/// State shared by the handlers and the timer.
struct Shared {
    settings: Settings,
    locked: Mutex<Locked>,
    /// Wakes the timer when the earliest deadline changed.
    wake: Notify,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Locked> {
        self.locked.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Timed for Shared {
    fn deadline(&self) -> Option<Timestamp> {
        self.lock().core.poll_deadline()
    }

    fn on_due(&self) {
        let mut locked = self.lock();
        let events = locked.core.handle_timeout(now());
        locked.publish(&events);
    }

    fn wake(&self) -> &Notify {
        &self.wake
    }
}

impl Locked {
    fn publish(&mut self, events: &[Event]) {
        for event in events {
            match serde_json::to_string(event) {
                Ok(text) => self.hub.publish(&Utf8Bytes::from(text)),
                Err(e) => tracing::error!("ark: event {} not encodable: {e}", event.name()),
            }
        }
    }
}

/// A running ark server.
pub struct ArkServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    tasks: Tasks,
}

impl std::fmt::Debug for ArkServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ArkServer")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl ArkServer {
    /// Binds `host:settings.port` and starts serving; the address is bound when this returns.
    pub async fn start(host: IpAddr, settings: Settings) -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind((host, settings.port)).await?;
        let addr = listener.local_addr()?;
        let core = Core::new(&settings, Box::new(UuidV4Ids));
        let hub = Hub::new(settings.client_queue_events);
        let shared = Arc::new(Shared {
            settings,
            locked: Mutex::new(Locked { core, hub }),
            wake: Notify::new(),
        });
        let app = Router::new()
            .route("/ws", any(ws_handler))
            .fallback(rest_handler)
            .with_state(Arc::clone(&shared));
        let tasks = Tasks::start("ark", listener, app, Arc::clone(&shared));
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

    /// Stops accepting, closes every push connection (1001) and stops the tasks; waits at most
    /// `close_grace` for open HTTP connections to finish.
    pub async fn shutdown(mut self) {
        self.shared.lock().hub.shutdown();
        let grace = self.shared.settings.close_grace;
        self.tasks.shutdown(grace).await;
    }
}

/// Dropping a server without [`ArkServer::shutdown`] still stops it (the tasks stop with their
/// own drop), without waiting.
impl Drop for ArkServer {
    fn drop(&mut self) {
        self.shared.lock().hub.shutdown();
    }
}

fn json_response((status, body): rest::Rendered) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (status, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

fn error_response(error: &ApiError) -> Response {
    json_response(rest::render_error(error))
}

/// Every path but `/ws`: the REST API.
async fn rest_handler(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    body: Body,
) -> Response {
    let limit = shared.settings.max_body_bytes;
    let bytes = match axum::body::to_bytes(body, limit).await {
        Ok(bytes) => bytes,
        Err(_) => {
            let error = rest::parse(method.as_str(), uri.path(), &[], limit)
                .err()
                .filter(|e| matches!(e.status(), 404 | 405))
                .unwrap_or(ApiError::PayloadTooLarge { limit });
            return error_response(&error);
        }
    };
    let request = match rest::parse(method.as_str(), uri.path(), &bytes, limit) {
        Ok(request) => request,
        Err(error) => return error_response(&error),
    };
    let output = {
        let mut locked = shared.lock();
        let before = locked.core.poll_deadline();
        let output = locked.core.handle(now(), request);
        locked.publish(&output.events);
        if locked.core.poll_deadline() != before {
            shared.wake.notify_one();
        }
        output
    };
    json_response(rest::render(&output.reply))
}

/// `/ws`: the push stream (ark-N11, ark-N12).
async fn ws_handler(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    if method != Method::GET {
        return error_response(&ApiError::MethodNotAllowed {
            method: method.to_string(),
            path: uri.path().to_owned(),
        });
    }
    if let Some(token) = &shared.settings.token {
        let given = query.ok().and_then(|Query(q)| q.get("token").cloned());
        if given.as_deref() != Some(token.as_str()) {
            return error_response(&ApiError::Unauthorized);
        }
    }
    let Ok(upgrade) = upgrade else {
        return error_response(&ApiError::Validation {
            field: None,
            message: "/ws needs a WebSocket upgrade request".to_owned(),
        });
    };
    // Subscribe before answering 101, so the client sees every event made after its upgrade.
    let Some(subscription) = shared.lock().hub.subscribe() else {
        return error_response(&ApiError::NotFound(
            "the server is shutting down".to_owned(),
        ));
    };
    let max = shared.settings.max_client_frame_bytes;
    let grace = shared.settings.close_grace;
    upgrade
        .read_buffer_size(shared.settings.ws_read_buffer_bytes)
        .max_message_size(max)
        .max_frame_size(max)
        .on_upgrade(move |socket| async move {
            let done = Arc::clone(&shared);
            push::serve_client(socket, subscription, grace, move |id| {
                done.lock().hub.unsubscribe(id);
            })
            .await;
        })
}
