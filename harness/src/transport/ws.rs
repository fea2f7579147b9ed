//! Raw WebSocket connections (tokio-tungstenite) with small read buffers.
//!
//! [`connect`] returns the writing half and a channel fed by a reader task from the moment the
//! socket is open, so nothing the target sends is missed while the runner is busy elsewhere.
//! Pings are answered by tungstenite itself. The reader ends with exactly one
//! [`Frame::Closed`], whatever the cause.

use std::time::Instant;

use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use super::{Frame, Incoming, Limits, TransportError};

type Stream = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// The sending half of an open WebSocket connection.
pub struct WsConnection {
    sink: SplitSink<Stream, Message>,
    reader: tokio::task::JoinHandle<()>,
}

/// Opens a WebSocket to `url` (`ws://` or `wss://`).
pub async fn connect(
    url: &str,
    limits: &Limits,
) -> Result<(WsConnection, mpsc::Receiver<Incoming>), TransportError> {
    let config = WebSocketConfig::default()
        .read_buffer_size(limits.read_buffer_bytes)
        .max_message_size(Some(limits.max_frame_bytes))
        .max_frame_size(Some(limits.max_frame_bytes));
    let (stream, _response) = tokio_tungstenite::connect_async_with_config(url, Some(config), true)
        .await
        .map_err(|error| TransportError::Unreachable {
            url: url.to_owned(),
            reason: error.to_string(),
        })?;
    let (sink, stream) = stream.split();
    let (tx, rx) = mpsc::channel(limits.inbox_capacity);
    let reader = tokio::spawn(read_frames(stream, tx));
    Ok((WsConnection { sink, reader }, rx))
}

impl WsConnection {
    /// Sends a text frame.
    pub async fn send_text(&mut self, text: String) -> Result<(), TransportError> {
        self.send(Message::text(text)).await
    }

    /// Sends a binary frame.
    pub async fn send_binary(&mut self, bytes: Vec<u8>) -> Result<(), TransportError> {
        self.send(Message::binary(bytes)).await
    }

    /// Starts a normal close (1000). The reader reports the target's answer as `Closed`.
    pub async fn close(&mut self) -> Result<(), TransportError> {
        self.send(Message::Close(Some(
            tokio_tungstenite::tungstenite::protocol::CloseFrame {
                code: CloseCode::Normal,
                reason: "".into(),
            },
        )))
        .await
    }

    async fn send(&mut self, message: Message) -> Result<(), TransportError> {
        self.sink
            .send(message)
            .await
            .map_err(|error| TransportError::Send(error.to_string()))
    }
}

impl Drop for WsConnection {
    fn drop(&mut self) {
        self.reader.abort();
    }
}

async fn read_frames(mut stream: SplitStream<Stream>, tx: mpsc::Sender<Incoming>) {
    let closed = loop {
        let frame = match stream.next().await {
            Some(Ok(Message::Text(text))) => Frame::Text(text.as_str().to_owned()),
            Some(Ok(Message::Binary(bytes))) => Frame::Binary(bytes.to_vec()),
            Some(Ok(Message::Close(frame))) => {
                break Frame::Closed {
                    code: frame.as_ref().map(|f| u16::from(f.code)),
                    reason: frame
                        .map(|f| f.reason.as_str().to_owned())
                        .unwrap_or_default(),
                };
            }
            Some(Ok(_)) => continue, // ping, pong: handled by tungstenite
            Some(Err(error)) => {
                break Frame::Closed {
                    code: None,
                    reason: error.to_string(),
                };
            }
            None => {
                break Frame::Closed {
                    code: None,
                    reason: "the connection ended without a close frame".into(),
                };
            }
        };
        if tx
            .send(Incoming {
                at: Instant::now(),
                frame,
            })
            .await
            .is_err()
        {
            return; // the runner is gone
        }
    };
    let _ = tx
        .send(Incoming {
            at: Instant::now(),
            frame: closed,
        })
        .await;
}
