//! The mutating proxy: a loopback server in front of one target that forwards WebSocket
//! connections (raw or socket.io) and HTTP requests, and lets its [`Tap`] record or corrupt what
//! the target sends back.
//!
//! Every request is forwarded to the same path and query upstream; a WebSocket upgrade opens the
//! upstream connection first, so a client that acts as soon as it is connected cannot outrun the
//! proxy. Client→server traffic passes unchanged. The proxy stops when dropped. It knows no
//! protocol: framing comes from the profile's transport ([`Framer`]).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{
    CloseFrame as AxumClose, Message as AxumMessage, WebSocket, WebSocketUpgrade,
};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::serve::ListenerExt as _;
use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;

use super::framer::{Framer, Piece};
use super::message::{Channel, Frame, Framing, ServerMessage};
use super::mutator::{ChannelMutator, Tap};
use crate::profile::TransportKind;
use crate::transport::address::http_base;

/// A running proxy; dropped, it stops.
pub struct MutatingProxy {
    url: String,
    task: tokio::task::JoinHandle<()>,
}

impl MutatingProxy {
    /// The target URL to give clients: the upstream URL with the proxy's address.
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl Drop for MutatingProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Why a proxy could not start.
#[derive(Debug, thiserror::Error)]
pub enum ProxyError {
    /// The upstream URL is not usable.
    #[error("invalid upstream URL {0:?}")]
    Upstream(String),
    /// No loopback port could be bound.
    #[error("cannot bind the proxy: {0}")]
    Bind(#[from] std::io::Error),
}

#[derive(Clone)]
struct Shared {
    upstream: String,
    transport: TransportKind,
    tap: Arc<Tap>,
    sockets: Arc<AtomicUsize>,
    http: Arc<tokio::sync::Mutex<ChannelMutator>>,
    client: reqwest::Client,
}

/// Starts a proxy to `upstream` (a target URL) on an ephemeral loopback port.
pub async fn start(
    upstream: &str,
    transport: TransportKind,
    tap: Arc<Tap>,
) -> Result<MutatingProxy, ProxyError> {
    let base = http_base(upstream).map_err(|_| ProxyError::Upstream(upstream.to_owned()))?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = proxied_url(upstream, listener.local_addr()?)
        .ok_or_else(|| ProxyError::Upstream(upstream.to_owned()))?;
    let shared = Shared {
        upstream: base,
        transport,
        tap,
        sockets: Arc::new(AtomicUsize::new(0)),
        http: Arc::new(tokio::sync::Mutex::new(ChannelMutator::new(Channel::Http))),
        client: reqwest::Client::new(),
    };
    let app = Router::new().fallback(handle).with_state(shared);
    let task = tokio::spawn(async move {
        // Without TCP_NODELAY every relayed frame can wait for a delayed ACK (tens of ms).
        let listener = listener.tap_io(|tcp| {
            let _ = tcp.set_nodelay(true);
        });
        let _ = axum::serve(listener, app).await;
    });
    Ok(MutatingProxy { url, task })
}

/// `upstream` with the proxy's address in place of its host and port, its path kept as written.
fn proxied_url(upstream: &str, address: std::net::SocketAddr) -> Option<String> {
    let mut url = url::Url::parse(upstream).ok()?;
    url.set_ip_host(address.ip()).ok()?;
    url.set_port(Some(address.port())).ok()?;
    let bare = url.path() == "/" && url.query().is_none() && !upstream.ends_with('/');
    let mut text = String::from(url);
    if bare {
        // `Url` writes a bare authority with a `/`; keep the URL as the target gave it.
        text.pop();
    }
    Some(text)
}

async fn handle(
    State(shared): State<Shared>,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path_and_query().map_or("/", |p| p.as_str()).to_owned();
    match upgrade {
        Ok(upgrade) => open_socket(shared, upgrade, &path).await,
        Err(_) => forward_http(shared, method, &path, headers, body).await,
    }
}

async fn open_socket(shared: Shared, upgrade: WebSocketUpgrade, path: &str) -> Response {
    let channel = Channel::Socket(shared.sockets.fetch_add(1, Ordering::SeqCst));
    let url = format!("{}{path}", shared.upstream.replacen("http", "ws", 1));
    let Ok((server, _)) = tokio_tungstenite::connect_async_with_config(url, None, true).await
    else {
        return StatusCode::BAD_GATEWAY.into_response();
    };
    upgrade.on_upgrade(move |client| bridge(shared, channel, server, client))
}

type Upstream =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn bridge(shared: Shared, channel: Channel, server: Upstream, client: WebSocket) {
    let (mut to_server, mut from_server) = server.split();
    let (mut to_client, mut from_client) = client.split();
    let up = async move {
        while let Some(Ok(message)) = from_client.next().await {
            let message = match message {
                AxumMessage::Text(text) => Message::text(text.as_str()),
                AxumMessage::Binary(bytes) => Message::binary(bytes),
                AxumMessage::Close(frame) => Message::Close(frame.map(|f| CloseFrame {
                    code: f.code.into(),
                    reason: f.reason.as_str().into(),
                })),
                _ => continue,
            };
            if to_server.send(message).await.is_err() {
                return;
            }
        }
    };
    let down = async move {
        let mut framer = Framer::new(channel, shared.transport);
        let mut mutator = ChannelMutator::new(channel);
        loop {
            let deadline = mutator.deadline();
            let due = async move {
                match deadline {
                    Some(at) => tokio::time::sleep_until(at.into()).await,
                    None => std::future::pending().await,
                }
            };
            let frames = tokio::select! {
                next = from_server.next() => match next {
                    Some(Ok(Message::Text(text))) => framer.text(text.as_str().to_owned()),
                    Some(Ok(Message::Binary(bytes))) => framer.binary(bytes.into()),
                    Some(Ok(Message::Close(frame))) => {
                        let mut frames = to_axum(mutator.flush(&shared.tap));
                        frames.push(AxumMessage::Close(frame.map(|f| AxumClose {
                            code: f.code.into(),
                            reason: f.reason.as_str().into(),
                        })));
                        let _ = send_all(&mut to_client, frames).await;
                        return;
                    }
                    Some(Ok(_)) => None,
                    _ => {
                        let _ = send_all(&mut to_client, to_axum(mutator.flush(&shared.tap))).await;
                        return;
                    }
                }
                .map(|piece| match piece {
                    Piece::Pass(frames) => frames,
                    Piece::Message(message) => {
                        mutator.on_message(&shared.tap, Instant::now(), message)
                    }
                })
                .unwrap_or_default(),
                () = due => mutator.due(&shared.tap, Instant::now()),
            };
            if send_all(&mut to_client, to_axum(frames)).await.is_err() {
                return;
            }
        }
    };
    tokio::select! { () = up => {}, () = down => {} }
}

fn to_axum(frames: Vec<Frame>) -> Vec<AxumMessage> {
    frames
        .into_iter()
        .map(|frame| match frame {
            Frame::Text(text) => AxumMessage::text(text),
            Frame::Binary(bytes) => AxumMessage::binary(bytes),
        })
        .collect()
}

async fn send_all(
    sink: &mut futures_util::stream::SplitSink<WebSocket, AxumMessage>,
    messages: Vec<AxumMessage>,
) -> Result<(), axum::Error> {
    for message in messages {
        sink.feed(message).await?;
    }
    sink.flush().await
}

/// Request headers not passed upstream: the client's connection, not the request.
const HOP_HEADERS: [&str; 4] = ["host", "content-length", "connection", "transfer-encoding"];

async fn forward_http(
    shared: Shared,
    method: Method,
    path: &str,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut request = shared
        .client
        .request(method, format!("{}{path}", shared.upstream))
        .body(body);
    for (name, value) in &headers {
        if !HOP_HEADERS.contains(&name.as_str()) {
            request = request.header(name.as_str(), value.as_bytes());
        }
    }
    let answer = match request.send().await {
        Ok(answer) => answer,
        Err(error) => return (StatusCode::BAD_GATEWAY, error.to_string()).into_response(),
    };
    let status = answer.status().as_u16();
    let content_type = answer
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let mut body = answer.bytes().await.unwrap_or_default().to_vec();
    if let Ok(json) = serde_json::from_slice(&body) {
        let message = ServerMessage {
            channel: Channel::Http,
            framing: Framing::Http { status },
            body: json,
            frames: vec![Frame::Text(String::from_utf8_lossy(&body).into_owned())],
        };
        let frames = shared
            .http
            .lock()
            .await
            .on_message(&shared.tap, Instant::now(), message);
        if let Some(Frame::Text(text)) = frames.into_iter().next() {
            body = text.into_bytes();
        }
    }
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
    let mut response = (status, body).into_response();
    if let Some(value) = content_type.and_then(|v| v.parse().ok()) {
        response.headers_mut().insert("content-type", value);
    }
    response
}
