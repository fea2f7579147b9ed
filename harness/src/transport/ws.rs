//! Raw WebSocket connections (tokio-tungstenite) with small read buffers.
//!
//! [`WsConnector`] opens the socket and spawns a reader that delivers every frame into the
//! session's feed from the moment the socket is open, so nothing the target sends is missed
//! while the session is busy elsewhere. Pings are answered by tungstenite itself. The reader
//! ends with exactly one [`Inbound::Closed`], whatever the cause. Text frames keep tungstenite's
//! buffer: no copy.

use futures_util::future::BoxFuture;
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{FutureExt, SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, WebSocketConfig};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use super::address;
use super::{
    Accepted, ConnectOutcome, ConnectRequest, Connected, Connector, Feed, Inbound, Limits, Link,
    Outbound, TransportError,
};

type Stream = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Opens raw WebSocket connections to `<target><path>?<query>`.
#[derive(Debug, Clone, Copy, Default)]
pub struct WsConnector;

impl Connector for WsConnector {
    fn connect(&self, request: ConnectRequest, feed: Feed) -> BoxFuture<'static, ConnectOutcome> {
        async move {
            let url = match address::ws_url(&request.target, &request.path, &request.query) {
                Ok(url) => url,
                Err(error) => {
                    return ConnectOutcome {
                        description: format!("connect {}", request.target),
                        result: Err(TransportError::InvalidUrl {
                            url: request.target.clone(),
                            reason: error.to_string(),
                        }),
                    };
                }
            };
            let opened =
                tokio::time::timeout(request.timeout, connect(&url, &request.limits, feed))
                    .await
                    .unwrap_or_else(|_| {
                        Err(TransportError::Unreachable {
                            url: url.clone(),
                            reason: format!("no WebSocket handshake within {:?}", request.timeout),
                        })
                    });
            ConnectOutcome {
                description: format!("connect {url}"),
                result: opened.map(|link| Connected {
                    link: Box::new(link),
                    accepted: Accepted::default(),
                }),
            }
        }
        .boxed()
    }
}

/// The sending half of an open WebSocket connection.
pub struct WsConnection {
    sink: SplitSink<Stream, Message>,
    reader: tokio::task::JoinHandle<()>,
}

/// Opens a WebSocket to `url` (`ws://` or `wss://`); its frames go to `feed`.
pub async fn connect(
    url: &str,
    limits: &Limits,
    feed: Feed,
) -> Result<WsConnection, TransportError> {
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
    let reader = tokio::spawn(read_frames(stream, feed));
    Ok(WsConnection { sink, reader })
}

impl Link for WsConnection {
    fn send(&mut self, message: Outbound) -> BoxFuture<'_, Result<(), TransportError>> {
        let frame = match message {
            Outbound::Text(text) => Message::text(text),
            Outbound::Binary(bytes) => Message::binary(bytes),
            other => return futures_util::future::ready(Err(unsupported(&other))).boxed(),
        };
        self.write(frame).boxed()
    }

    fn close(&mut self) -> BoxFuture<'_, Result<(), TransportError>> {
        self.write(Message::Close(Some(normal_close()))).boxed()
    }
}

impl WsConnection {
    async fn write(&mut self, message: Message) -> Result<(), TransportError> {
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

fn unsupported(message: &Outbound) -> TransportError {
    TransportError::Unsupported(message.kind())
}

/// The close frame of a normal close (1000, no reason).
pub(crate) fn normal_close() -> CloseFrame {
    CloseFrame {
        code: CloseCode::Normal,
        reason: "".into(),
    }
}

async fn read_frames(mut stream: SplitStream<Stream>, feed: Feed) {
    let closed = loop {
        let inbound = match stream.next().await {
            Some(Ok(Message::Text(text))) => Inbound::Text(text),
            Some(Ok(Message::Binary(bytes))) => Inbound::Binary(bytes.into()),
            Some(Ok(Message::Close(frame))) => {
                break Inbound::Closed {
                    code: frame.as_ref().map(|f| u16::from(f.code)),
                    reason: frame
                        .map(|f| f.reason.as_str().to_owned())
                        .unwrap_or_default(),
                };
            }
            Some(Ok(_)) => continue, // ping, pong: handled by tungstenite
            Some(Err(error)) => {
                break Inbound::Closed {
                    code: None,
                    reason: error.to_string(),
                };
            }
            None => {
                break Inbound::Closed {
                    code: None,
                    reason: "the connection ended without a close frame".into(),
                };
            }
        };
        if !feed.deliver(inbound).await {
            return; // the session is gone
        }
    };
    feed.deliver(closed).await;
}
