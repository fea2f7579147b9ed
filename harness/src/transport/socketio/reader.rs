//! The reading side of a connection: the handshake, then a [`Stream`] of what the namespace
//! sends.
//!
//! Both share one step ([`Reader::poll_step`]) that answers pings, reassembles binary packets and
//! turns packets into [`Inbound`] items. The reader gives up when no ping came within
//! `pingInterval + pingTimeout` of the open packet or the last ping (one timer, moved on each
//! ping), and its stream ends with exactly one [`Inbound::Closed`]. There is no task of its own:
//! the session's driver polls it, so nothing is read while nobody is waiting for it (the kernel
//! keeps it) and an idle connection costs no task. Text frames are kept as tungstenite's buffer.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, Stream, StreamExt};
use serde_json::Value;
use tokio::net::TcpStream;
use tokio::sync::Mutex;
use tokio::time::Sleep;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use super::decode::{Decoded, Decoder};
use super::engine::{EnginePacket, OpenInfo};
use super::packet::{PacketKind, SocketPacket};
use crate::transport::ws::normal_close;
use crate::transport::{Inbound, Utf8Bytes};

pub(crate) type WsStream = WebSocketStream<MaybeTlsStream<TcpStream>>;
pub(crate) type Sink = Arc<Mutex<SplitSink<WsStream, Message>>>;

/// Bound on sending a pong or a close from the reader.
const WRITE_TIMEOUT: Duration = Duration::from_secs(5);

/// Why the handshake did not give a connection.
pub(crate) enum Failure {
    /// CONNECT_ERROR with its data.
    Refused(Value),
    /// Anything else.
    Broken(String),
}

/// A connection's reading half, from its WebSocket opening on: after the handshake, the stream
/// of what the namespace sends (`SioIncoming`).
pub struct Reader {
    stream: SplitStream<WsStream>,
    sink: Sink,
    decoder: Decoder,
    namespace: String,
    ping_window: Duration,
    ping_timer: Pin<Box<Sleep>>,
    /// The text frame of a binary packet whose attachments are still arriving.
    header: Utf8Bytes,
    /// `Closed` was given: the stream is over.
    done: bool,
}

/// What the namespace's CONNECT gave.
pub(crate) struct Accepted {
    pub(crate) open: OpenInfo,
    pub(crate) sid: Option<String>,
    /// What arrived before the namespace's answer.
    pub(crate) early: Vec<Inbound>,
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
        stream: SplitStream<WsStream>,
        sink: Sink,
        decoder: Decoder,
        namespace: String,
    ) -> Reader {
        let long = Duration::from_secs(3600);
        Reader {
            stream,
            sink,
            decoder,
            namespace,
            ping_window: long,
            ping_timer: Box::pin(tokio::time::sleep(long)),
            header: Utf8Bytes::default(),
            done: false,
        }
    }

    /// Waits for the open packet, sends `connect` and waits for the namespace's answer.
    pub(crate) async fn handshake(&mut self, connect: String) -> Result<Accepted, Failure> {
        let open = self.open_packet().await?;
        self.ping_window =
            Duration::from_millis(open.ping_interval.saturating_add(open.ping_timeout));
        self.rearm();
        self.sink
            .lock()
            .await
            .send(Message::text(connect))
            .await
            .map_err(|e| Failure::Broken(format!("cannot send CONNECT: {e}")))?;
        let mut early = Vec::new();
        loop {
            let step = std::future::poll_fn(|cx| self.poll_step(cx)).await;
            let item = match step {
                Step::Nothing => continue,
                Step::End(Inbound::Closed { code, reason }) => {
                    return Err(Failure::Broken(format!(
                        "the connection ended before the namespace answered (code {code:?}): {reason}"
                    )));
                }
                Step::End(other) => return Err(Failure::Broken(format!("unexpected {other:?}"))),
                Step::Item(item) => item,
                Step::Packet(packet, raw)
                    if packet.namespace == self.namespace && packet.kind == PacketKind::Connect =>
                {
                    let sid = packet.data.get("sid").and_then(Value::as_str);
                    let sid = sid.filter(|sid| !sid.is_empty()).map(str::to_owned);
                    if sid.is_none() {
                        early.push(invalid(
                            "the namespace's CONNECT must carry {\"sid\": <a non-empty string>} \
                             (socket.io v5)"
                                .into(),
                            raw.as_str().to_owned(),
                        ));
                    }
                    return Ok(Accepted { open, sid, early });
                }
                Step::Packet(packet, _)
                    if packet.namespace == self.namespace
                        && packet.kind == PacketKind::ConnectError =>
                {
                    self.close_soon();
                    return Err(Failure::Refused(packet.data));
                }
                Step::Packet(packet, raw) => {
                    if packet.namespace == self.namespace {
                        // The namespace has not accepted the connection yet: nothing of it may
                        // arrive (the item still follows, as a client would deliver it).
                        early.push(invalid(
                            format!("{} before the namespace's CONNECT", packet.kind),
                            raw.as_str().to_owned(),
                        ));
                    }
                    self.to_item(packet, raw)
                }
            };
            early.push(item);
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

    fn rearm(&mut self) {
        let deadline = tokio::time::Instant::now() + self.ping_window;
        self.ping_timer.as_mut().reset(deadline);
    }

    /// Sends a close without waiting for it (the reader has no task of its own to wait in).
    fn close_soon(&self) {
        self.write_soon(Message::Close(Some(normal_close())));
    }

    fn write_soon(&self, message: Message) {
        let sink = Arc::clone(&self.sink);
        tokio::spawn(async move {
            let _ = tokio::time::timeout(WRITE_TIMEOUT, async {
                sink.lock().await.send(message).await
            })
            .await;
        });
    }

    /// Reads and handles one frame.
    fn poll_step(&mut self, cx: &mut Context<'_>) -> Poll<Step> {
        if self.ping_timer.as_mut().poll(cx).is_ready() {
            self.close_soon();
            return Poll::Ready(Step::End(Inbound::Closed {
                code: None,
                reason: format!(
                    "no Engine.IO ping within {} ms (pingInterval + pingTimeout)",
                    self.ping_window.as_millis()
                ),
            }));
        }
        let next = match self.stream.poll_next_unpin(cx) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(next) => next,
        };
        Poll::Ready(match next {
            Some(Ok(Message::Text(text))) => self.on_text(text),
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
        })
    }

    fn on_text(&mut self, text: Utf8Bytes) -> Step {
        let decoded = match self.decoder.text(text.as_str()) {
            Ok(None) => {
                self.header = text;
                return Step::Nothing;
            }
            Ok(Some(Decoded::Socket(packet))) => return Step::Packet(packet, text),
            Ok(Some(Decoded::Engine(packet))) => packet,
            Err(error) => return Step::Item(invalid(error.to_string(), text.as_str().to_owned())),
        };
        match decoded {
            EnginePacket::Ping(data) => {
                self.rearm();
                self.write_soon(Message::text(EnginePacket::Pong(data).encode()));
                Step::Nothing
            }
            EnginePacket::Noop => Step::Nothing,
            EnginePacket::Close => Step::End(Inbound::Closed {
                code: None,
                reason: "the server sent the Engine.IO close packet".into(),
            }),
            other => Step::Item(invalid(
                format!("unexpected Engine.IO packet {other:?}"),
                text.as_str().to_owned(),
            )),
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

impl Stream for Reader {
    type Item = Inbound;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Inbound>> {
        let this = self.get_mut();
        if this.done {
            return Poll::Ready(None);
        }
        loop {
            let step = match this.poll_step(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(step) => step,
            };
            return Poll::Ready(Some(match step {
                Step::Nothing => continue,
                Step::Item(item) => item,
                Step::Packet(packet, raw) => this.to_item(packet, raw),
                Step::End(closed) => {
                    this.done = true;
                    closed
                }
            }));
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
