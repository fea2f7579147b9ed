//! The reading side of a connection: the handshake, then the reader task.
//!
//! Both share one loop body ([`Reader::next_frame`]) that answers pings, reassembles binary
//! packets and turns packets into [`Inbound`] items for the session's feed. The reader waits for
//! the next frame at most until the ping deadline (`pingInterval + pingTimeout` after the open
//! packet or the last ping) and ends with exactly one [`Inbound::Closed`]. Text frames are kept
//! as tungstenite's buffer (the `raw` of each item), not copied.

use std::sync::Arc;
use std::time::Duration;

use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tokio::net::TcpStream;
use tokio::sync::Mutex;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use super::decode::{Decoded, Decoder};
use super::engine::{EnginePacket, OpenInfo};
use super::packet::{PacketKind, SocketPacket};
use crate::transport::ws::normal_close;
use crate::transport::{Feed, Inbound, Utf8Bytes};

pub(crate) type Stream = WebSocketStream<MaybeTlsStream<TcpStream>>;
pub(crate) type Sink = Arc<Mutex<SplitSink<Stream, Message>>>;

/// Bound on sending a pong or a close from the reader.
const WRITE_TIMEOUT: Duration = Duration::from_secs(5);

/// Why the handshake did not give a connection.
pub(crate) enum Failure {
    /// CONNECT_ERROR with its data.
    Refused(Value),
    /// Anything else.
    Broken(String),
}

/// A connection's reading half, from its WebSocket opening on.
pub(crate) struct Reader {
    stream: SplitStream<Stream>,
    sink: Sink,
    feed: Feed,
    decoder: Decoder,
    namespace: String,
    ping_window: Duration,
    ping_deadline: tokio::time::Instant,
    /// The text frame of a binary packet whose attachments are still arriving.
    header: Utf8Bytes,
}

/// What the namespace's CONNECT gave.
pub(crate) struct Accepted {
    pub(crate) open: OpenInfo,
    pub(crate) sid: Option<String>,
}

/// What one frame amounted to.
enum Step {
    /// Nothing for the session (a pong sent, an attachment awaited, a noop).
    Nothing,
    /// An item for the session.
    Item(Inbound),
    /// A socket.io packet, before it becomes an item, with its text frame.
    Packet(SocketPacket, Utf8Bytes),
    /// The connection ended.
    End(Inbound),
}

impl Reader {
    pub(crate) fn new(
        stream: SplitStream<Stream>,
        sink: Sink,
        feed: Feed,
        decoder: Decoder,
        namespace: String,
    ) -> Reader {
        Reader {
            stream,
            sink,
            feed,
            decoder,
            namespace,
            ping_window: Duration::from_secs(3600),
            ping_deadline: tokio::time::Instant::now() + Duration::from_secs(3600),
            header: Utf8Bytes::default(),
        }
    }

    /// Waits for the open packet, sends `connect` and waits for the namespace's answer; what
    /// arrives before it goes to the feed.
    pub(crate) async fn handshake(&mut self, connect: String) -> Result<Accepted, Failure> {
        let open = self.open_packet().await?;
        self.ping_window =
            Duration::from_millis(open.ping_interval.saturating_add(open.ping_timeout));
        self.ping_deadline = tokio::time::Instant::now() + self.ping_window;
        self.sink
            .lock()
            .await
            .send(Message::text(connect))
            .await
            .map_err(|e| Failure::Broken(format!("cannot send CONNECT: {e}")))?;
        loop {
            let item = match self.next_frame().await {
                Step::Nothing => continue,
                Step::End(Inbound::Closed { code, reason }) => {
                    return Err(Failure::Broken(format!(
                        "the connection ended before the namespace answered (code {code:?}): {reason}"
                    )));
                }
                Step::End(other) => return Err(Failure::Broken(format!("unexpected {other:?}"))),
                Step::Item(item) => item,
                Step::Packet(packet, _)
                    if packet.namespace == self.namespace && packet.kind == PacketKind::Connect =>
                {
                    let sid = packet.data.get("sid").and_then(Value::as_str);
                    let sid = sid.map(str::to_owned);
                    return Ok(Accepted { open, sid });
                }
                Step::Packet(packet, _)
                    if packet.namespace == self.namespace
                        && packet.kind == PacketKind::ConnectError =>
                {
                    self.send_close().await;
                    return Err(Failure::Refused(packet.data));
                }
                Step::Packet(packet, raw) => self.to_item(packet, raw),
            };
            if !self.feed.deliver(item).await {
                return Err(Failure::Broken("the session is gone".into()));
            }
        }
    }

    async fn open_packet(&mut self) -> Result<OpenInfo, Failure> {
        let first = self.stream.next().await;
        if let Some(Ok(Message::Text(text))) = &first
            && let Ok(EnginePacket::Open(open)) = EnginePacket::decode(text.as_str())
        {
            return Ok(open);
        }
        Err(Failure::Broken(match first {
            Some(Ok(Message::Text(text))) => format!(
                "expected the Engine.IO open packet, got {:?}",
                text.as_str()
            ),
            other => format!("expected the Engine.IO open packet, got {other:?}"),
        }))
    }

    /// The reader task: feeds the session until the connection ends, then sends `Closed`.
    pub(crate) async fn read(mut self) {
        let closed = loop {
            let item = match self.next_frame().await {
                Step::Nothing => continue,
                Step::Item(item) => item,
                Step::Packet(packet, raw) => self.to_item(packet, raw),
                Step::End(closed) => break closed,
            };
            if !self.feed.deliver(item).await {
                return; // the session is gone
            }
        };
        self.feed.deliver(closed).await;
    }

    async fn send_close(&self) {
        let _ = tokio::time::timeout(WRITE_TIMEOUT, async {
            let mut sink = self.sink.lock().await;
            sink.send(Message::Close(Some(normal_close()))).await
        })
        .await;
    }

    /// Reads and handles one frame, waiting at most until the ping deadline.
    async fn next_frame(&mut self) -> Step {
        let next = tokio::time::timeout_at(self.ping_deadline, self.stream.next()).await;
        let Ok(next) = next else {
            self.send_close().await;
            return Step::End(Inbound::Closed {
                code: None,
                reason: format!(
                    "no Engine.IO ping within {} ms (pingInterval + pingTimeout)",
                    self.ping_window.as_millis()
                ),
            });
        };
        match next {
            Some(Ok(Message::Text(text))) => self.on_text(text).await,
            Some(Ok(Message::Binary(bytes))) => {
                let len = bytes.len();
                match self.decoder.binary(bytes.into()) {
                    Ok(None) => Step::Nothing,
                    Ok(Some(packet)) => Step::Packet(packet, std::mem::take(&mut self.header)),
                    Err(error) => Step::Item(invalid(
                        error.to_string(),
                        format!("<binary frame of {len} bytes>"),
                    )),
                }
            }
            Some(Ok(Message::Close(frame))) => Step::End(Inbound::Closed {
                code: frame.as_ref().map(|f| u16::from(f.code)),
                reason: frame
                    .map(|f| f.reason.as_str().to_owned())
                    .unwrap_or_default(),
            }),
            Some(Ok(_)) => Step::Nothing, // WebSocket ping/pong: tungstenite answers
            Some(Err(error)) => Step::End(Inbound::Closed {
                code: None,
                reason: error.to_string(),
            }),
            None => Step::End(Inbound::Closed {
                code: None,
                reason: "the connection ended without a close frame".into(),
            }),
        }
    }

    async fn on_text(&mut self, text: Utf8Bytes) -> Step {
        let invalid = |reason: String, text: &str| Step::Item(invalid(reason, text.to_owned()));
        let decoded = match self.decoder.text(text.as_str()) {
            Ok(None) => {
                self.header = text;
                return Step::Nothing;
            }
            Ok(Some(Decoded::Socket(packet))) => return Step::Packet(packet, text),
            Ok(Some(Decoded::Engine(packet))) => packet,
            Err(error) => return invalid(error.to_string(), text.as_str()),
        };
        match decoded {
            EnginePacket::Ping(data) => {
                self.ping_deadline = tokio::time::Instant::now() + self.ping_window;
                let pong = EnginePacket::Pong(data).encode();
                let sent = tokio::time::timeout(WRITE_TIMEOUT, async {
                    self.sink.lock().await.send(Message::text(pong)).await
                })
                .await;
                match sent {
                    Ok(Ok(())) => Step::Nothing,
                    Ok(Err(error)) => invalid(format!("cannot answer a ping: {error}"), &text),
                    Err(_) => invalid("cannot answer a ping: the socket is stuck".into(), &text),
                }
            }
            EnginePacket::Noop => Step::Nothing,
            EnginePacket::Close => Step::End(Inbound::Closed {
                code: None,
                reason: "the server sent the Engine.IO close packet".into(),
            }),
            other => invalid(format!("unexpected Engine.IO packet {other:?}"), &text),
        }
    }

    /// The item for a packet received after the handshake.
    fn to_item(&self, packet: SocketPacket, raw: Utf8Bytes) -> Inbound {
        if packet.namespace != self.namespace {
            let reason = format!(
                "{} packet for namespace {:?} on a connection to {:?}",
                packet.kind, packet.namespace, self.namespace
            );
            return invalid(reason, raw.as_str().to_owned());
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
                Inbound::Event {
                    name,
                    args: items.collect(),
                    ack_id: packet.id,
                    attachments: packet.attachments,
                    raw,
                }
            }
            PacketKind::Ack | PacketKind::BinaryAck => Inbound::Ack {
                id: packet.id.unwrap_or_default(),
                args: args(packet.data),
                attachments: packet.attachments,
                raw,
            },
            PacketKind::ConnectError => Inbound::ConnectError {
                data: packet.data,
                raw,
            },
            PacketKind::Disconnect => Inbound::Disconnect { raw },
            PacketKind::Connect => invalid(
                "CONNECT on a namespace already connected".into(),
                raw.as_str().to_owned(),
            ),
        }
    }
}

/// An item for a frame that breaks the protocol, its reason saying so in socket.io's terms.
fn invalid(reason: String, raw: String) -> Inbound {
    Inbound::Invalid {
        reason: format!("not a valid socket.io packet: {reason}"),
        raw,
    }
}
