//! Idle clients: each opens one connection, completes the protocol's handshake, then only keeps
//! it alive (answers pings) until aborted. Written directly on tokio-tungstenite so that the
//! client side is small and independent of the harness.
//!
//! Raw WebSocket (`ark`): the upgrade of `/ws`; the codec answers pings. socket.io (`jobber`):
//! Engine.IO v4 over WebSocket on `/socket.io/`, the server's open packet `0{…}`, then
//! `40<auth>` and the server's `40{"sid":…}`; afterwards every Engine.IO ping `2` is answered `3`.

use anyhow::{Context, bail};
use futures_util::{SinkExt, StreamExt};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Client read buffer: small, so 10 000 clients fit in the measuring process.
const CLIENT_READ_BUFFER: usize = 4096;

/// How a client speaks to the server.
#[derive(Debug, Clone)]
pub enum Client {
    /// A plain WebSocket at this URL.
    RawWebSocket { url: String },
    /// socket.io v5 over Engine.IO v4 WebSocket at this URL, authenticating with `auth` (JSON).
    SocketIo { url: String, auth: String },
}

impl Client {
    /// The client of `protocol` served at `base` (`http://host:port`).
    pub fn for_protocol(protocol: &str, base: &str) -> anyhow::Result<Self> {
        let ws = base.replacen("http://", "ws://", 1);
        let declared = reference::protocol(protocol).context("unknown protocol")?;
        match protocol {
            "ark" => Ok(Self::RawWebSocket {
                url: format!("{ws}/ws"),
            }),
            "jobber" => {
                // The first customer token the suite's settings configure.
                let token = declared
                    .suite_settings
                    .iter()
                    .find(|(name, _)| *name == "token")
                    .map(|(_, value)| *value)
                    .context("jobber declares no suite token")?;
                Ok(Self::SocketIo {
                    url: format!("{ws}/socket.io/?EIO=4&transport=websocket"),
                    auth: format!(r#"{{"customerToken":"{token}"}}"#),
                })
            }
            other => bail!("no idle client for {other}"),
        }
    }

    /// Opens one connection and completes its handshake within `timeout`.
    pub async fn connect(&self, timeout: Duration) -> anyhow::Result<Ws> {
        tokio::time::timeout(timeout, self.handshake())
            .await
            .context("handshake timed out")?
    }

    async fn handshake(&self) -> anyhow::Result<Ws> {
        let config = WebSocketConfig::default().read_buffer_size(CLIENT_READ_BUFFER);
        let url = match self {
            Self::RawWebSocket { url } | Self::SocketIo { url, .. } => url,
        };
        let (mut ws, _) =
            tokio_tungstenite::connect_async_with_config(url.as_str(), Some(config), true).await?;
        if let Self::SocketIo { auth, .. } = self {
            let open = next_text(&mut ws).await?;
            if !open.starts_with('0') {
                bail!("expected an Engine.IO open packet, got {open:?}");
            }
            ws.send(Message::text(format!("40{auth}"))).await?;
            loop {
                let packet = next_text(&mut ws).await?;
                if packet.starts_with("40") {
                    break;
                }
                if packet.starts_with("44") {
                    bail!("connection refused: {packet}");
                }
            }
        }
        Ok(ws)
    }
}

async fn next_text(ws: &mut Ws) -> anyhow::Result<String> {
    loop {
        match ws.next().await.context("closed during the handshake")?? {
            Message::Text(text) => return Ok(text.as_str().to_owned()),
            Message::Close(frame) => bail!("closed during the handshake: {frame:?}"),
            _ => {}
        }
    }
}

/// Keeps `ws` open: answers Engine.IO pings (`2` → `3`); the codec answers WebSocket pings.
/// Counts the connection in `closed` if the server ends it.
pub async fn idle(mut ws: Ws, closed: Arc<AtomicUsize>) {
    while let Some(message) = ws.next().await {
        match message {
            Ok(Message::Text(text)) if text.as_str() == "2" => {
                if ws.send(Message::text("3")).await.is_err() {
                    break;
                }
            }
            Ok(Message::Close(_)) | Err(_) => break,
            Ok(_) => {}
        }
    }
    closed.fetch_add(1, Ordering::Relaxed);
}
