//! The socket.io client connection (websocket transport, one namespace).
//!
//! [`connect`] opens the WebSocket, waits for the Engine.IO open packet, sends the namespace
//! CONNECT with the auth payload and returns once the namespace answers: CONNECT gives the
//! connection, CONNECT_ERROR gives [`TransportError::Refused`] with the server's data. The whole
//! handshake is bounded by [`ConnectOptions::handshake_timeout`]. Anything the server sent
//! before its answer is returned with the connection.
//!
//! The receiving half ([`SioIncoming`], a stream polled by its owner) answers Engine.IO pings
//! and ends with one [`Inbound::Closed`] when the socket ends or no ping came within
//! `pingInterval + pingTimeout`. Ack ids are the caller's: it correlates [`Inbound::Ack`] by the
//! id it chose. Frames that break the protocol become [`Inbound::Invalid`] items, never panics.

use std::sync::Arc;
use std::time::Duration;

use futures_util::future::BoxFuture;
use futures_util::{FutureExt, SinkExt, StreamExt};
use serde_json::Value;
use tokio::sync::Mutex;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

use super::decode::{DEFAULT_MAX_ATTACHMENTS, Decoder};
use super::engine::OpenInfo;
use super::packet::{SocketPacket, check_placeholders, encode_ack, encode_event};
use super::reader::{Failure, Reader, Sink};
use crate::transport::ws::normal_close;
use crate::transport::{Inbound, Limits, Link, Outbound, TransportError};

/// The receiving half of a socket.io connection: what the namespace sends, then one `Closed`.
pub use super::reader::Reader as SioIncoming;

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
    /// Socket and buffer limits.
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

/// The sending half of a connected socket.io client.
pub struct SioConnection {
    sink: Sink,
    namespace: String,
    open: OpenInfo,
    sid: Option<String>,
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

/// Connects to the socket.io server at `base` (see [`engine_url`]) and its namespace: the
/// connection, its receiving half, and what the server sent before it accepted.
pub async fn connect(
    base: &str,
    options: &ConnectOptions,
) -> Result<(SioConnection, SioIncoming, Vec<Inbound>), TransportError> {
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
    let decoder = Decoder::new(options.max_attachments);
    let namespace = options.namespace.clone();
    let mut reader = Reader::new(stream, sink.clone(), decoder, namespace);
    let connect = SocketPacket::connect(&options.namespace, options.auth.clone()).encode_text()?;
    let accepted = tokio::time::timeout_at(deadline, reader.handshake(connect))
        .await
        .map_err(|_| {
            failed(format!(
                "no namespace answer within {:?}",
                options.handshake_timeout
            ))
        })?
        .map_err(|outcome| match outcome {
            Failure::Refused(data) => TransportError::Refused { data },
            Failure::Broken(reason) => failed(reason),
        })?;
    let connection = SioConnection {
        sink,
        namespace: options.namespace.clone(),
        open: accepted.open,
        sid: accepted.sid,
    };
    Ok((connection, reader, accepted.early))
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

    /// Emits `name(args…)`, asking for an ack with id `ack` if given.
    pub async fn emit(
        &self,
        name: &str,
        args: &[Value],
        ack: Option<u64>,
    ) -> Result<(), TransportError> {
        let text = encode_event(&self.namespace, ack, name, args, 0)?;
        self.send_frames(text, Vec::new()).await
    }

    /// Emits a BINARY_EVENT: `args` hold placeholders ([`placeholder`](super::placeholder))
    /// naming `attachments`, which go out as binary frames after the text frame.
    pub async fn emit_binary(
        &self,
        name: &str,
        args: &[Value],
        attachments: Vec<Vec<u8>>,
        ack: Option<u64>,
    ) -> Result<(), TransportError> {
        check_binary(args, &attachments)?;
        let text = encode_event(&self.namespace, ack, name, args, attachments.len())?;
        self.send_frames(text, attachments).await
    }

    /// Answers the server's event `id` (an [`Inbound::Event`] `ack_id`) with `args`.
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

    /// Leaves the namespace (DISCONNECT), then closes the WebSocket (1000). The receiving half
    /// then ends with [`Inbound::Closed`].
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
        sink.send(Message::Close(Some(normal_close())))
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

    async fn send_outbound(&self, message: Outbound) -> Result<(), TransportError> {
        match message {
            Outbound::Text(text) => self.send_raw(text, Vec::new()).await,
            Outbound::Binary(bytes) => self.send_raw(String::new(), vec![bytes]).await,
            Outbound::Event {
                name,
                args,
                ack_id,
                attachments,
            } if attachments.is_empty() => self.emit(&name, &args, ack_id).await,
            Outbound::Event {
                name,
                args,
                ack_id,
                attachments,
            } => self.emit_binary(&name, &args, attachments, ack_id).await,
            Outbound::Ack { id, args } => self.ack(id, &args).await,
        }
    }
}

impl Link for SioConnection {
    fn send(&mut self, message: Outbound) -> BoxFuture<'_, Result<(), TransportError>> {
        self.send_outbound(message).boxed()
    }

    fn close(&mut self) -> BoxFuture<'_, Result<(), TransportError>> {
        SioConnection::close(self).boxed()
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
