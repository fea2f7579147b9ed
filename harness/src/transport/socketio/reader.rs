//! The reading side of a connection: the handshake, then the reader task.
//!
//! Both share one loop body ([`Session::next_frame`]) that answers pings, reassembles binary
//! packets and turns packets into inbox items. The reader waits for the next frame at most until
//! the ping deadline (`pingInterval + pingTimeout` after the open packet or the last ping) and
//! ends with exactly one [`SioItem::Closed`].

use std::time::{Duration, Instant};

use futures_util::stream::SplitStream;
use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

use super::client::{Sink, SioIncoming, SioItem, Stream};
use super::decode::{Decoded, Decoder};
use super::engine::{EnginePacket, OpenInfo};
use super::packet::{PacketKind, SocketPacket};

/// Bound on sending a pong or a close from the reader.
const WRITE_TIMEOUT: Duration = Duration::from_secs(5);

pub(crate) fn normal_close() -> CloseFrame {
    CloseFrame {
        code: CloseCode::Normal,
        reason: "".into(),
    }
}

/// A connection between its WebSocket opening and the namespace's answer.
pub(crate) struct Handshake {
    pub(crate) stream: SplitStream<Stream>,
    pub(crate) sink: Sink,
    pub(crate) tx: mpsc::Sender<SioIncoming>,
    pub(crate) decoder: Decoder,
    pub(crate) namespace: String,
}

/// Why the handshake did not give a connection.
pub(crate) enum Failure {
    /// CONNECT_ERROR with its data.
    Refused(Value),
    /// Anything else.
    Broken(String),
}

/// A connection whose namespace accepted it.
pub(crate) struct Session {
    stream: SplitStream<Stream>,
    sink: Sink,
    tx: mpsc::Sender<SioIncoming>,
    decoder: Decoder,
    namespace: String,
    pub(crate) open: OpenInfo,
    pub(crate) sid: Option<String>,
    ping_window: Duration,
    ping_deadline: tokio::time::Instant,
    header: String,
}

/// What one frame amounted to.
enum Step {
    /// Nothing for the inbox (a pong sent, an attachment awaited, a noop).
    Nothing,
    /// An item for the inbox (its raw text frame included).
    Item(SioItem, String),
    /// A socket.io packet, before it becomes an item.
    Packet(SocketPacket, String),
    /// The connection ended.
    End(SioItem),
}

impl Handshake {
    /// Waits for the open packet, sends `connect` and waits for the namespace's answer.
    pub(crate) async fn run(mut self, connect: String) -> Result<Session, Failure> {
        let open = match self.stream.next().await {
            Some(Ok(Message::Text(text))) => match EnginePacket::decode(text.as_str()) {
                Ok(EnginePacket::Open(open)) => open,
                _ => {
                    return Err(Failure::Broken(format!(
                        "expected the Engine.IO open packet, got {:?}",
                        text.as_str()
                    )));
                }
            },
            other => {
                return Err(Failure::Broken(format!(
                    "expected the Engine.IO open packet, got {other:?}"
                )));
            }
        };
        let ping_window =
            Duration::from_millis(open.ping_interval.saturating_add(open.ping_timeout));
        let mut session = Session {
            stream: self.stream,
            sink: self.sink,
            tx: self.tx,
            decoder: self.decoder,
            namespace: self.namespace,
            open,
            sid: None,
            ping_window,
            ping_deadline: tokio::time::Instant::now() + ping_window,
            header: String::new(),
        };
        session
            .sink
            .lock()
            .await
            .send(Message::text(connect))
            .await
            .map_err(|e| Failure::Broken(format!("cannot send CONNECT: {e}")))?;
        loop {
            match session.next_frame().await {
                Step::Nothing => {}
                Step::End(SioItem::Closed { code, reason }) => {
                    return Err(Failure::Broken(format!(
                        "the connection ended before the namespace answered (code {code:?}): {reason}"
                    )));
                }
                Step::End(other) => {
                    return Err(Failure::Broken(format!("unexpected {other:?}")));
                }
                Step::Item(item, raw) => session.deliver(item, raw).await?,
                Step::Packet(packet, raw) if packet.namespace == session.namespace => {
                    match packet.kind {
                        PacketKind::Connect => {
                            session.sid = packet
                                .data
                                .get("sid")
                                .and_then(Value::as_str)
                                .map(str::to_owned);
                            return Ok(session);
                        }
                        PacketKind::ConnectError => {
                            let _ = tokio::time::timeout(WRITE_TIMEOUT, async {
                                session
                                    .sink
                                    .lock()
                                    .await
                                    .send(Message::Close(Some(normal_close())))
                                    .await
                            })
                            .await;
                            return Err(Failure::Refused(packet.data));
                        }
                        _ => {
                            let item = session.to_item(packet);
                            session.deliver(item, raw).await?;
                        }
                    }
                }
                Step::Packet(packet, raw) => {
                    let item = session.to_item(packet);
                    session.deliver(item, raw).await?;
                }
            }
        }
    }
}

impl Session {
    async fn deliver(&self, item: SioItem, raw: String) -> Result<(), Failure> {
        self.tx
            .send(SioIncoming {
                at: Instant::now(),
                item,
                raw,
            })
            .await
            .map_err(|_| Failure::Broken("the inbox was dropped".into()))
    }

    /// The reader task: feeds the inbox until the connection ends, then sends `Closed`.
    pub(crate) async fn read(mut self) {
        let closed = loop {
            let (item, raw) = match self.next_frame().await {
                Step::Nothing => continue,
                Step::Item(item, raw) => (item, raw),
                Step::Packet(packet, raw) => (self.to_item(packet), raw),
                Step::End(closed) => break closed,
            };
            if self.deliver(item, raw).await.is_err() {
                return; // the runner is gone
            }
        };
        let _ = self.deliver(closed, String::new()).await;
    }

    /// Reads and handles one frame, waiting at most until the ping deadline.
    async fn next_frame(&mut self) -> Step {
        let next = match tokio::time::timeout_at(self.ping_deadline, self.stream.next()).await {
            Ok(next) => next,
            Err(_) => {
                let _ = tokio::time::timeout(WRITE_TIMEOUT, async {
                    self.sink
                        .lock()
                        .await
                        .send(Message::Close(Some(normal_close())))
                        .await
                })
                .await;
                return Step::End(SioItem::Closed {
                    code: None,
                    reason: format!(
                        "no Engine.IO ping within {} ms (pingInterval + pingTimeout)",
                        self.ping_window.as_millis()
                    ),
                });
            }
        };
        match next {
            Some(Ok(Message::Text(text))) => self.on_text(text.as_str()).await,
            Some(Ok(Message::Binary(bytes))) => {
                let len = bytes.len();
                match self.decoder.binary(bytes.into()) {
                    Ok(None) => Step::Nothing,
                    Ok(Some(packet)) => Step::Packet(packet, std::mem::take(&mut self.header)),
                    Err(error) => Step::Item(
                        SioItem::Invalid {
                            reason: error.to_string(),
                        },
                        format!("<binary frame of {len} bytes>"),
                    ),
                }
            }
            Some(Ok(Message::Close(frame))) => Step::End(SioItem::Closed {
                code: frame.as_ref().map(|f| u16::from(f.code)),
                reason: frame
                    .map(|f| f.reason.as_str().to_owned())
                    .unwrap_or_default(),
            }),
            Some(Ok(_)) => Step::Nothing, // WebSocket ping/pong: tungstenite answers
            Some(Err(error)) => Step::End(SioItem::Closed {
                code: None,
                reason: error.to_string(),
            }),
            None => Step::End(SioItem::Closed {
                code: None,
                reason: "the connection ended without a close frame".into(),
            }),
        }
    }

    async fn on_text(&mut self, text: &str) -> Step {
        let invalid = |reason: String| Step::Item(SioItem::Invalid { reason }, text.to_owned());
        match self.decoder.text(text) {
            Ok(None) => {
                text.clone_into(&mut self.header);
                Step::Nothing
            }
            Ok(Some(Decoded::Socket(packet))) => Step::Packet(packet, text.to_owned()),
            Ok(Some(Decoded::Engine(EnginePacket::Ping(data)))) => {
                self.ping_deadline = tokio::time::Instant::now() + self.ping_window;
                let pong = EnginePacket::Pong(data).encode();
                let sent = tokio::time::timeout(WRITE_TIMEOUT, async {
                    self.sink.lock().await.send(Message::text(pong)).await
                })
                .await;
                match sent {
                    Ok(Ok(())) => Step::Nothing,
                    Ok(Err(error)) => invalid(format!("cannot answer a ping: {error}")),
                    Err(_) => invalid("cannot answer a ping: the socket is stuck".into()),
                }
            }
            Ok(Some(Decoded::Engine(EnginePacket::Noop))) => Step::Nothing,
            Ok(Some(Decoded::Engine(EnginePacket::Close))) => Step::End(SioItem::Closed {
                code: None,
                reason: "the server sent the Engine.IO close packet".into(),
            }),
            Ok(Some(Decoded::Engine(other))) => {
                invalid(format!("unexpected Engine.IO packet {other:?}"))
            }
            Err(error) => invalid(error.to_string()),
        }
    }

    /// The inbox item for a packet received after the handshake.
    pub(crate) fn to_item(&self, packet: SocketPacket) -> SioItem {
        if packet.namespace != self.namespace {
            return SioItem::Invalid {
                reason: format!(
                    "{} packet for namespace {:?} on a connection to {:?}",
                    packet.kind, packet.namespace, self.namespace
                ),
            };
        }
        let args = |data: Value| match data {
            Value::Array(items) => items,
            _ => Vec::new(), // the decoder only lets arrays through
        };
        match packet.kind {
            PacketKind::Event | PacketKind::BinaryEvent => {
                let mut items = args(packet.data).into_iter();
                let name = match items.next() {
                    Some(Value::String(name)) => name,
                    _ => String::new(), // the decoder only lets named events through
                };
                SioItem::Event {
                    name,
                    args: items.collect(),
                    ack_id: packet.id,
                    attachments: packet.attachments,
                }
            }
            PacketKind::Ack | PacketKind::BinaryAck => SioItem::Ack {
                id: packet.id.unwrap_or_default(),
                args: args(packet.data),
                attachments: packet.attachments,
            },
            PacketKind::ConnectError => SioItem::ConnectError { data: packet.data },
            PacketKind::Disconnect => SioItem::Disconnect,
            PacketKind::Connect => SioItem::Invalid {
                reason: "CONNECT on a namespace already connected".into(),
            },
        }
    }
}
