//! Raw WebSocket connections (tokio-tungstenite) with small read buffers.
//!
//! [`WsConnector`] opens the socket and splits it: the sending half is a [`Link`], the receiving
//! half an [`Incoming`] stream of frames that ends with exactly one [`Inbound::Closed`], whatever
//! the cause. Pings are answered by tungstenite itself (while the stream is polled). Text frames
//! keep tungstenite's buffer: no copy.

use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::future::BoxFuture;
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{FutureExt, SinkExt, Stream, StreamExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, WebSocketConfig};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use super::address;
use super::{
    Accepted, ConnectOutcome, ConnectRequest, Connected, Connector, Inbound, Limits, Link,
    Outbound, TransportError,
};

type WsStream = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Opens raw WebSocket connections to `<target><path>?<query>`.
#[derive(Debug, Clone, Copy, Default)]
pub struct WsConnector;

impl Connector for WsConnector {
    fn connect(&self, request: ConnectRequest) -> BoxFuture<'static, ConnectOutcome> {
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
            let opened = tokio::time::timeout(request.timeout, connect(&url, &request.limits))
                .await
                .unwrap_or_else(|_| {
                    Err(TransportError::Unreachable {
                        url: url.clone(),
                        reason: format!("no WebSocket handshake within {:?}", request.timeout),
                    })
                });
            ConnectOutcome {
                description: format!("connect {url}"),
                result: opened.map(|(link, frames)| Connected {
                    link: Box::new(link),
                    incoming: Box::pin(frames),
                    accepted: Accepted::default(),
                }),
            }
        }
        .boxed()
    }
}

/// The sending half of an open WebSocket connection.
pub struct WsConnection {
    sink: SplitSink<WsStream, Message>,
}

/// The receiving half: every frame, then one `Closed`.
pub struct WsFrames {
    stream: SplitStream<WsStream>,
    done: bool,
}

/// Opens a WebSocket to `url` (`ws://` or `wss://`).
pub async fn connect(
    url: &str,
    limits: &Limits,
) -> Result<(WsConnection, WsFrames), TransportError> {
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
    Ok((
        WsConnection { sink },
        WsFrames {
            stream,
            done: false,
        },
    ))
}

impl Link for WsConnection {
    fn send(&mut self, message: Outbound) -> BoxFuture<'_, Result<(), TransportError>> {
        let frame = match message {
            Outbound::Text(text) => Message::text(text),
            Outbound::Binary(bytes) => Message::binary(bytes),
            other => {
                let error = TransportError::Unsupported(other.kind());
                return futures_util::future::ready(Err(error)).boxed();
            }
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

/// The close frame of a normal close (1000, no reason).
pub(crate) fn normal_close() -> CloseFrame {
    CloseFrame {
        code: CloseCode::Normal,
        reason: "".into(),
    }
}

impl Stream for WsFrames {
    type Item = Inbound;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Inbound>> {
        let this = self.get_mut();
        if this.done {
            return Poll::Ready(None);
        }
        loop {
            let next = match this.stream.poll_next_unpin(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(next) => next,
            };
            let item = match next {
                Some(Ok(Message::Text(text))) => Inbound::Text(text),
                Some(Ok(Message::Binary(bytes))) => Inbound::Binary(bytes.into()),
                Some(Ok(Message::Close(frame))) => Inbound::Closed {
                    code: frame.as_ref().map(|f| u16::from(f.code)),
                    reason: frame
                        .map(|f| f.reason.as_str().to_owned())
                        .unwrap_or_default(),
                },
                Some(Ok(_)) => continue, // ping, pong: handled by tungstenite
                Some(Err(error)) => Inbound::Closed {
                    code: None,
                    reason: error.to_string(),
                },
                None => Inbound::Closed {
                    code: None,
                    reason: "the connection ended without a close frame".into(),
                },
            };
            this.done = matches!(item, Inbound::Closed { .. });
            return Poll::Ready(Some(item));
        }
    }
}
