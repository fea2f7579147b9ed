//! A test double of a broken server: a proxy in front of the reference server that rewrites
//! what the server pushes (per connection, with state) and, optionally, what clients send (a
//! server that ignores part of a request), and passes HTTP through unchanged (its
//! `Authorization` and `Content-Type` headers, the answer's status, body and `Content-Type`).
//! WebSockets are proxied on `/`, `/ws` and `/socket.io/` (socket.io frames pass as the text
//! they are); a plain request to one of those paths is passed through like any other.
//! It proves the harness catches misbehaviour: a harness that passes everything is worthless.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{Message as AxumMessage, WebSocket, WebSocketUpgrade};
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::serve::ListenerExt as _;
use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::Message;

/// Rewrites one pushed text frame into the frames to send instead (none, one, several).
pub type Rewrite = Box<dyn FnMut(String) -> Vec<String> + Send>;

/// Makes a fresh rewrite for each connection.
pub type Fault = Arc<dyn Fn() -> Rewrite + Send + Sync>;

#[derive(Clone)]
struct Proxy {
    upstream: String,
    fault: Fault,
    up: Option<Fault>,
    client: reqwest::Client,
    echo: Option<Echo>,
}

/// A server that also sends some frames to every other connected socket (a broadcast where the
/// document wants one recipient).
#[derive(Clone)]
struct Echo {
    /// Which frames (after the fault) go to everyone.
    matches: fn(&str) -> bool,
    /// (sending connection, frame).
    hub: tokio::sync::broadcast::Sender<(u64, String)>,
    next: Arc<std::sync::atomic::AtomicU64>,
}

/// A running proxy; dropped, it stops.
pub struct FaultyProxy {
    /// Its base URL.
    pub url: String,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for FaultyProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Starts a proxy to `upstream` (`http://host:port`) on an ephemeral loopback port; `fault`
/// rewrites what the server sends.
pub async fn start(upstream: &str, fault: Fault) -> FaultyProxy {
    start_with(upstream, fault, None).await
}

/// Like [`start`], and `up` (if any) rewrites what clients send before the server sees it.
pub async fn start_with(upstream: &str, fault: Fault, up: Option<Fault>) -> FaultyProxy {
    serve(Proxy {
        upstream: upstream.trim_end_matches('/').to_owned(),
        fault,
        up,
        client: reqwest::Client::new(),
        echo: None,
    })
    .await
}

/// A rewrite of a stateful double: the shared state, the connection's number (in the order
/// connections open) and a frame, giving the frames to pass on instead.
pub type StatefulRewrite<S> = fn(&mut S, usize, String) -> Vec<String>;

/// Like [`start_with`], for a double whose rewrites in both directions share `state` and know
/// which connection a frame is on (a bug that needs a sequence of requests, or two connections).
pub async fn start_stateful<S: Send + 'static>(
    upstream: &str,
    state: S,
    up: StatefulRewrite<S>,
    down: StatefulRewrite<S>,
) -> FaultyProxy {
    // (state, connections opened upstream, connections opened downstream)
    let shared = Arc::new(std::sync::Mutex::new((state, 0usize, 0usize)));
    let numbered = |upward: bool, rewrite: StatefulRewrite<S>| -> Fault {
        let shared = Arc::clone(&shared);
        Arc::new(move || {
            let shared = Arc::clone(&shared);
            let index = {
                let mut s = shared.lock().unwrap();
                let counter = if upward { &mut s.1 } else { &mut s.2 };
                *counter += 1;
                *counter - 1
            };
            Box::new(move |text: String| rewrite(&mut shared.lock().unwrap().0, index, text))
        })
    };
    start_with(upstream, numbered(false, down), Some(numbered(true, up))).await
}

/// Like [`start`], and every frame `matches` accepts also goes to every other socket.io socket
/// connected through the proxy (once its namespace is connected).
pub async fn start_broadcasting(
    upstream: &str,
    fault: Fault,
    matches: fn(&str) -> bool,
) -> FaultyProxy {
    let (hub, _) = tokio::sync::broadcast::channel(1024);
    serve(Proxy {
        upstream: upstream.trim_end_matches('/').to_owned(),
        fault,
        up: None,
        client: reqwest::Client::new(),
        echo: Some(Echo {
            matches,
            hub,
            next: Arc::default(),
        }),
    })
    .await
}

async fn serve(proxy: Proxy) -> FaultyProxy {
    let app = Router::new()
        .route("/", get(upgrade))
        .route("/ws", get(upgrade))
        .route("/socket.io/", get(upgrade))
        .fallback(forward)
        .with_state(proxy);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        // Without TCP_NODELAY every relayed frame can wait for a delayed ACK (tens of ms).
        let listener = listener.tap_io(|tcp| {
            let _ = tcp.set_nodelay(true);
        });
        let _ = axum::serve(listener, app).await;
    });
    FaultyProxy { url, task }
}

async fn upgrade(
    State(proxy): State<Proxy>,
    uri: Uri,
    headers: HeaderMap,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    let Ok(ws) = ws else {
        // Not an upgrade (dnaforge answers a plain GET / itself, dnaforge-N1).
        return forward(State(proxy), Method::GET, uri, headers, Bytes::new()).await;
    };
    let path = uri.path_and_query().map_or("/ws", |p| p.as_str());
    // The server side is open before the client's upgrade completes: a client that acts as soon
    // as it is connected (an HTTP request whose event it awaits) must not outrun the proxy.
    let url = format!("{}{path}", proxy.upstream.replacen("http", "ws", 1));
    let Ok((server, _)) = tokio_tungstenite::connect_async_with_config(url, None, true).await
    else {
        return StatusCode::BAD_GATEWAY.into_response();
    };
    ws.on_upgrade(move |socket| bridge(proxy, server, socket))
}

/// The upstream connection as `tokio_tungstenite` opens it.
type Upstream =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn bridge(proxy: Proxy, server: Upstream, client: WebSocket) {
    let (mut to_server, mut from_server) = server.split();
    let (mut to_client, mut from_client) = client.split();
    let mut rewrite = (proxy.fault)();
    let mut rewrite_up = proxy.up.as_ref().map(|up| up());
    let (out, mut outbox) = tokio::sync::mpsc::unbounded_channel::<String>();
    let me = proxy.echo.as_ref().map_or(0, |e| {
        e.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    });
    let connected = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let write = async move {
        while let Some(frame) = outbox.recv().await {
            if to_client.send(AxumMessage::text(frame)).await.is_err() {
                return;
            }
        }
    };
    let echo = proxy.echo.clone();
    let (down_out, seen) = (out.clone(), Arc::clone(&connected));
    let down = async move {
        while let Some(Ok(message)) = from_server.next().await {
            if let Message::Text(text) = message {
                for frame in rewrite(text.as_str().to_owned()) {
                    if frame.starts_with("40") {
                        seen.store(true, std::sync::atomic::Ordering::Relaxed);
                    }
                    if let Some(echo) = echo.as_ref().filter(|e| (e.matches)(&frame)) {
                        let _ = echo.hub.send((me, frame.clone()));
                    }
                    if down_out.send(frame).is_err() {
                        return;
                    }
                }
            }
        }
    };
    let mut heard = proxy.echo.as_ref().map(|e| e.hub.subscribe());
    let others = async move {
        let Some(heard) = heard.as_mut() else {
            return std::future::pending().await;
        };
        while let Ok((from, frame)) = heard.recv().await {
            if from != me
                && connected.load(std::sync::atomic::Ordering::Relaxed)
                && out.send(frame).is_err()
            {
                return;
            }
        }
    };
    let up = async move {
        while let Some(Ok(message)) = from_client.next().await {
            let forwarded = match message {
                AxumMessage::Text(text) => match rewrite_up.as_mut() {
                    Some(rewrite) => rewrite(text.as_str().to_owned()),
                    None => vec![text.as_str().to_owned()],
                }
                .into_iter()
                .map(Message::text)
                .collect(),
                AxumMessage::Binary(bytes) => vec![Message::binary(bytes)],
                AxumMessage::Close(_) => break,
                _ => continue,
            };
            for message in forwarded {
                if to_server.send(message).await.is_err() {
                    return;
                }
            }
        }
    };
    tokio::select! { _ = write => {}, _ = down => {}, _ = others => {}, _ = up => {} }
}

async fn forward(
    State(proxy): State<Proxy>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/json");
    let mut request = proxy
        .client
        .request(method, format!("{}{path}", proxy.upstream))
        .header("content-type", content_type)
        .body(body);
    // Credentials pass (dnaforge's GET /auth is judged by its Authorization header, D1).
    if let Some(authorization) = headers.get(header::AUTHORIZATION) {
        request = request.header("authorization", authorization.as_bytes());
    }
    match request.send().await {
        Ok(answer) => {
            let status = StatusCode::from_u16(answer.status().as_u16()).unwrap();
            let content_type = answer.headers().get("content-type").cloned();
            let body = answer.bytes().await.unwrap_or_default();
            let mut response = (status, body).into_response();
            // As upstream said, or none (axum labels bare bytes application/octet-stream).
            match content_type.and_then(|v| v.to_str().ok()?.parse().ok()) {
                Some(value) => response.headers_mut().insert(header::CONTENT_TYPE, value),
                None => response.headers_mut().remove(header::CONTENT_TYPE),
            };
            response
        }
        Err(error) => (StatusCode::BAD_GATEWAY, error.to_string()).into_response(),
    }
}

/// A fault that rewrites every message of type `event` with `change`.
pub fn rewrite_event(event: &'static str, change: fn(&mut serde_json::Value)) -> Fault {
    Arc::new(move || {
        Box::new(move |text: String| {
            let Ok(mut value) = serde_json::from_str::<serde_json::Value>(&text) else {
                return vec![text];
            };
            if value["event"] == event {
                change(&mut value);
            }
            vec![value.to_string()]
        })
    })
}

/// A fault that drops every message of type `event`.
pub fn drop_event(event: &'static str) -> Fault {
    Arc::new(move || {
        Box::new(move |text: String| {
            if text.contains(&format!("\"event\":\"{event}\"")) {
                vec![]
            } else {
                vec![text]
            }
        })
    })
}

/// A fault that rewrites every message whose `type` field is `kind` (the raw WebSocket
/// protocols that type their messages so: emprops, dnaforge) with `change`.
pub fn rewrite_type(kind: &'static str, change: fn(&mut serde_json::Value)) -> Fault {
    Arc::new(move || {
        Box::new(move |text: String| {
            let Ok(mut value) = serde_json::from_str::<serde_json::Value>(&text) else {
                return vec![text];
            };
            if value["type"] == kind {
                change(&mut value);
            }
            vec![value.to_string()]
        })
    })
}

/// A fault that drops every message whose `type` field is `kind`.
pub fn drop_type(kind: &'static str) -> Fault {
    Arc::new(move || {
        Box::new(move |text: String| {
            let dropped =
                serde_json::from_str::<serde_json::Value>(&text).is_ok_and(|v| v["type"] == kind);
            if dropped { vec![] } else { vec![text] }
        })
    })
}

/// A fault that drops every socket.io EVENT packet named `event`.
pub fn drop_socketio_event(event: &'static str) -> Fault {
    Arc::new(move || {
        Box::new(move |text: String| {
            if text.starts_with(&format!("42[\"{event}\"")) {
                vec![]
            } else {
                vec![text]
            }
        })
    })
}

/// A fault that swaps every two consecutive messages on a connection.
pub fn swap_pairs() -> Fault {
    Arc::new(|| {
        let mut held: Option<String> = None;
        Box::new(move |text: String| match held.take() {
            Some(first) => vec![text, first],
            None => {
                held = Some(text);
                vec![]
            }
        })
    })
}

/// A fault on socket.io frames: `change` gets each socket.io message of Engine.IO type 4 as
/// `(packet type digit, ack id, JSON data)` and may edit the data; other frames pass unchanged.
/// Only the main namespace's text packets (`4<type><id?><json>`) are seen.
pub fn rewrite_socketio(change: fn(char, Option<u64>, &mut serde_json::Value)) -> Fault {
    Arc::new(move || {
        Box::new(move |text: String| {
            let Some((kind, id, mut data)) = socketio_packet(&text) else {
                return vec![text];
            };
            change(kind, id, &mut data);
            let id = id.map_or_else(String::new, |id| id.to_string());
            vec![format!("4{kind}{id}{data}")]
        })
    })
}

/// A main-namespace socket.io text packet (`4<type><ack id?><json>`) as `(packet type digit,
/// ack id, JSON data)`; none for any other frame (Engine.IO pings, other namespaces).
pub fn socketio_packet(text: &str) -> Option<(char, Option<u64>, serde_json::Value)> {
    let rest = text.strip_prefix('4')?;
    let kind = rest.chars().next().filter(char::is_ascii_digit)?;
    let rest = &rest[1..];
    let digits = rest.chars().take_while(char::is_ascii_digit).count();
    let data = serde_json::from_str(&rest[digits..]).ok()?;
    Some((kind, rest[..digits].parse().ok(), data))
}

/// Adds `status: "ok"` to the first argument of every ack the server sends (a real server's
/// ack wrapper), leaving every other frame as it is.
pub fn wrap_acks() -> Fault {
    rewrite_socketio(|kind, _, data| {
        if kind == '3'
            && let Some(answer) = data.get_mut(0).and_then(|a| a.as_object_mut())
        {
            answer.insert("status".into(), "ok".into());
        }
    })
}

/// Like a real server: acks wrapped, and a refused connection accepted first, then told by an
/// `error` event and disconnected (instead of `connect_error`).
pub fn deviating_server() -> Fault {
    Arc::new(|| {
        let mut acks = wrap_acks()();
        Box::new(move |text: String| {
            if text.starts_with("44") {
                return vec![
                    r#"40{"sid":"accepted-anyway"}"#.to_owned(),
                    r#"42["error","Invalid customer token"]"#.to_owned(),
                    "41".to_owned(),
                ];
            }
            acks(text)
        })
    })
}

/// [`deviating_server`] with one deep behavioural bug besides: it never sends `job_retrying`
/// (reached only by scenarios that get past the acks).
pub fn deviating_server_without_retries() -> Fault {
    Arc::new(|| {
        let mut deviating = deviating_server()();
        Box::new(move |text: String| {
            if text.starts_with(r#"42["job_retrying""#) {
                return Vec::new();
            }
            deviating(text)
        })
    })
}
