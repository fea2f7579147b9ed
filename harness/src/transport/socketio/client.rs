//! The socket.io client connection (websocket transport, one namespace).
//!
//! [`connect`] opens the WebSocket, waits for the Engine.IO open packet, sends the namespace
//! CONNECT with the auth payload and returns once the namespace answers: CONNECT gives the
//! connection and its inbox, CONNECT_ERROR gives [`TransportError::Refused`] with the server's
//! data. The whole handshake is bounded by [`ConnectOptions::handshake_timeout`]. Anything the
//! server sends before its answer is kept in the inbox.
//!
//! After the handshake a reader task feeds the inbox (bounded, [`Limits::inbox_capacity`]),
//! answers Engine.IO pings, and ends the connection with one [`SioItem::Closed`] when the socket
//! ends or no ping came within `pingInterval + pingTimeout`. Ack ids are sequential per connection
//! from 0, so any number of acks can be in flight; the caller correlates [`SioItem::Ack`] by id.
//! Frames that break the protocol become [`SioItem::Invalid`] items, never panics.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use futures_util::stream::SplitSink;
use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tokio::net::TcpStream;
use tokio::sync::{Mutex, mpsc};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use super::decode::{DEFAULT_MAX_ATTACHMENTS, Decoder};
use super::engine::OpenInfo;
use super::packet::{SocketPacket, check_placeholders, encode_ack, encode_event};
use super::reader::{self, Handshake};
use crate::transport::{Limits, TransportError};

pub(crate) type Stream = WebSocketStream<MaybeTlsStream<TcpStream>>;
pub(crate) type Sink = Arc<Mutex<SplitSink<Stream, Message>>>;

/// How to connect.
#[derive(Debug, Clone)]
pub struct ConnectOptions {
    /// The Engine.IO path (`/socket.io`).
    pub path: String,
    /// The namespace (`/` for the main one).
    pub namespace: String,
    /// The CONNECT auth payload (an object), if any.
    pub auth: Option<Value>,
    /// Extra query parameters of the handshake request.
    pub query: Vec<(String, String)>,
    /// Socket and inbox limits.
    pub limits: Limits,
    /// Bound on the whole handshake: WebSocket, open packet, namespace answer.
    pub handshake_timeout: Duration,
    /// Most binary attachments accepted per packet.
    pub max_attachments: usize,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        ConnectOptions {
            path: "/socket.io".into(),
            namespace: "/".into(),
            auth: None,
            query: Vec::new(),
            limits: Limits::default(),
            handshake_timeout: Duration::from_secs(10),
            max_attachments: DEFAULT_MAX_ATTACHMENTS,
        }
    }
}

/// Something received, with its arrival time and the text frame it came from.
#[derive(Debug, Clone)]
pub struct SioIncoming {
    /// When the last frame of it was read.
    pub at: Instant,
    /// What arrived.
    pub item: SioItem,
    /// The text frame as received (for a binary packet, its header frame; empty for `Closed`).
    pub raw: String,
}

/// What the server sent on the connection's namespace.
#[derive(Debug, Clone, PartialEq)]
pub enum SioItem {
    /// An event; with `ack_id` the server asks for an ack ([`SioConnection::ack`]).
    Event {
        /// The event name.
        name: String,
        /// The arguments (placeholders in place of binary values).
        args: Vec<Value>,
        /// The id to answer, if the server wants an ack.
        ack_id: Option<u64>,
        /// Binary attachments (BINARY_EVENT), in placeholder order.
        attachments: Vec<Vec<u8>>,
    },
    /// The ack of one of our emits.
    Ack {
        /// The id [`SioConnection::emit`] returned.
        id: u64,
        /// The arguments (placeholders in place of binary values).
        args: Vec<Value>,
        /// Binary attachments (BINARY_ACK), in placeholder order.
        attachments: Vec<Vec<u8>>,
    },
    /// A CONNECT_ERROR after the connection was accepted.
    ConnectError {
        /// Its data.
        data: Value,
    },
    /// The server disconnected the namespace (DISCONNECT).
    Disconnect,
    /// A frame that breaks the protocol: malformed, another namespace, or out of place.
    Invalid {
        /// What is wrong.
        reason: String,
    },
    /// The connection ended; always the last item.
    Closed {
        /// The WebSocket close code, if the server sent one.
        code: Option<u16>,
        /// The close reason, or why the connection ended.
        reason: String,
    },
}

/// The sending half of a connected socket.io client.
pub struct SioConnection {
    sink: Sink,
    namespace: String,
    open: OpenInfo,
    sid: Option<String>,
    next_ack: AtomicU64,
    reader: tokio::task::JoinHandle<()>,
}

/// Builds the handshake URL: `base` (`ws`, `wss`, `http` or `https`, its own query kept) plus
/// `path`, `query`, then `EIO=4&transport=websocket`.
pub fn engine_url(
    base: &str,
    path: &str,
    query: &[(String, String)],
) -> Result<String, TransportError> {
    let invalid = |reason: &str| TransportError::InvalidUrl {
        url: base.to_owned(),
        reason: reason.to_owned(),
    };
    let mut url = url::Url::parse(base).map_err(|e| invalid(&e.to_string()))?;
    let scheme = match url.scheme() {
        "ws" | "http" => "ws",
        "wss" | "https" => "wss",
        _ => return Err(invalid("the scheme must be ws, wss, http or https")),
    };
    url.set_scheme(scheme)
        .map_err(|()| invalid("cannot use a WebSocket scheme"))?;
    let full_path = format!(
        "{}/{}/",
        url.path().trim_end_matches('/'),
        path.trim_matches('/')
    )
    .replace("//", "/");
    url.set_path(&full_path);
    {
        let mut pairs = url.query_pairs_mut();
        for (key, value) in query {
            pairs.append_pair(key, value);
        }
        pairs
            .append_pair("EIO", "4")
            .append_pair("transport", "websocket");
    }
    Ok(url.into())
}

/// Connects to the socket.io server at `base` (see [`engine_url`]) and its namespace.
pub async fn connect(
    base: &str,
    options: &ConnectOptions,
) -> Result<(SioConnection, mpsc::Receiver<SioIncoming>), TransportError> {
    let url = engine_url(base, &options.path, &options.query)?;
    let failed = |reason: String| TransportError::Handshake {
        url: url.clone(),
        reason,
    };
    let config = WebSocketConfig::default()
        .read_buffer_size(options.limits.read_buffer_bytes)
        .max_message_size(Some(options.limits.max_frame_bytes))
        .max_frame_size(Some(options.limits.max_frame_bytes));
    let deadline = tokio::time::Instant::now() + options.handshake_timeout;
    let (stream, _response) = tokio::time::timeout_at(
        deadline,
        tokio_tungstenite::connect_async_with_config(url.as_str(), Some(config), true),
    )
    .await
    .map_err(|_| failed("timed out opening the WebSocket".into()))?
    .map_err(|error| TransportError::Unreachable {
        url: url.clone(),
        reason: error.to_string(),
    })?;
    let (sink, stream) = stream.split();
    let sink: Sink = Arc::new(Mutex::new(sink));
    let (tx, rx) = mpsc::channel(options.limits.inbox_capacity.max(1));
    let handshake = Handshake {
        stream,
        sink: sink.clone(),
        tx,
        decoder: Decoder::new(options.max_attachments),
        namespace: options.namespace.clone(),
    };
    let connect = SocketPacket::connect(&options.namespace, options.auth.clone()).encode_text()?;
    let accepted = tokio::time::timeout_at(deadline, handshake.run(connect))
        .await
        .map_err(|_| {
            failed(format!(
                "no namespace answer within {:?}",
                options.handshake_timeout
            ))
        })?
        .map_err(|outcome| match outcome {
            reader::Failure::Refused(data) => TransportError::Refused { data },
            reader::Failure::Broken(reason) => failed(reason),
        })?;
    let open = accepted.open.clone();
    let sid = accepted.sid.clone();
    let reader = tokio::spawn(accepted.read());
    Ok((
        SioConnection {
            sink,
            namespace: options.namespace.clone(),
            open,
            sid,
            next_ack: AtomicU64::new(0),
            reader,
        },
        rx,
    ))
}

impl SioConnection {
    /// The Engine.IO handshake data.
    pub fn open_info(&self) -> &OpenInfo {
        &self.open
    }

    /// The socket id the namespace's CONNECT gave, if any.
    pub fn sid(&self) -> Option<&str> {
        self.sid.as_deref()
    }

    /// The namespace.
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    fn take_ack_id(&self, want_ack: bool) -> Option<u64> {
        want_ack.then(|| self.next_ack.fetch_add(1, Ordering::Relaxed))
    }

    /// Emits `name(args…)`; with `want_ack`, returns the ack id the answer will carry.
    pub async fn emit(
        &self,
        name: &str,
        args: &[Value],
        want_ack: bool,
    ) -> Result<Option<u64>, TransportError> {
        let id = self.take_ack_id(want_ack);
        let text = encode_event(&self.namespace, id, name, args, 0)?;
        self.send_frames(text, Vec::new()).await?;
        Ok(id)
    }

    /// Emits a BINARY_EVENT: `args` hold placeholders ([`placeholder`](super::placeholder))
    /// naming `attachments`, which go out as binary frames after the text frame.
    pub async fn emit_binary(
        &self,
        name: &str,
        args: &[Value],
        attachments: Vec<Vec<u8>>,
        want_ack: bool,
    ) -> Result<Option<u64>, TransportError> {
        check_binary(args, &attachments)?;
        let id = self.take_ack_id(want_ack);
        let text = encode_event(&self.namespace, id, name, args, attachments.len())?;
        self.send_frames(text, attachments).await?;
        Ok(id)
    }

    /// Answers the server's event `id` (an [`SioItem::Event`] `ack_id`) with `args`.
    pub async fn ack(&self, id: u64, args: &[Value]) -> Result<(), TransportError> {
        let text = encode_ack(&self.namespace, id, args, 0)?;
        self.send_frames(text, Vec::new()).await
    }

    /// Answers the server's event `id` with a BINARY_ACK (see [`emit_binary`](Self::emit_binary)).
    pub async fn ack_binary(
        &self,
        id: u64,
        args: &[Value],
        attachments: Vec<Vec<u8>>,
    ) -> Result<(), TransportError> {
        check_binary(args, &attachments)?;
        let text = encode_ack(&self.namespace, id, args, attachments.len())?;
        self.send_frames(text, attachments).await
    }

    /// Sends frames exactly as given (for scenarios that test a server's handling of bad input):
    /// `text` (unless empty), then each binary frame.
    pub async fn send_raw(&self, text: String, binary: Vec<Vec<u8>>) -> Result<(), TransportError> {
        self.send_frames(text, binary).await
    }

    /// Leaves the namespace (DISCONNECT), then closes the WebSocket (1000). The inbox then
    /// ends with [`SioItem::Closed`].
    pub async fn close(&self) -> Result<(), TransportError> {
        let disconnect = SocketPacket {
            kind: super::PacketKind::Disconnect,
            namespace: self.namespace.clone(),
            id: None,
            data: Value::Null,
            attachments: Vec::new(),
        }
        .encode_text()?;
        let mut sink = self.sink.lock().await;
        sink.send(Message::text(disconnect))
            .await
            .map_err(|e| TransportError::Send(e.to_string()))?;
        sink.send(Message::Close(Some(reader::normal_close())))
            .await
            .map_err(|e| TransportError::Send(e.to_string()))
    }

    /// Sends a text frame and its binary frames back to back (no other frame between them).
    async fn send_frames(&self, text: String, binary: Vec<Vec<u8>>) -> Result<(), TransportError> {
        let error = |e: tokio_tungstenite::tungstenite::Error| TransportError::Send(e.to_string());
        let mut sink = self.sink.lock().await;
        // An empty text is no frame: `send_raw` may send binary frames alone.
        if !text.is_empty() {
            sink.feed(Message::text(text)).await.map_err(error)?;
        }
        for bytes in binary {
            sink.feed(Message::binary(bytes)).await.map_err(error)?;
        }
        sink.flush().await.map_err(error)
    }
}

impl Drop for SioConnection {
    fn drop(&mut self) {
        self.reader.abort();
    }
}

fn check_binary(args: &[Value], attachments: &[Vec<u8>]) -> Result<(), TransportError> {
    if attachments.is_empty() {
        return Err(super::CodecError::BadAttachmentCount.into());
    }
    args.iter()
        .try_for_each(|arg| check_placeholders(arg, attachments.len()))
        .map_err(Into::into)
}
