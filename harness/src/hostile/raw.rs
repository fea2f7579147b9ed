//! The raw driver: the hostile kinds a scenario cannot express, on loopback sockets of its own.
//! TCP connections that never send a byte, half an HTTP upgrade request, a text frame that is
//! not UTF-8, and a client that sends many requests and never reads. Each is started in the
//! middle of the case's scenario (after its bystander connected, before a newcomer connects and
//! both are probed) and held while the rest runs ([`Held`]), then judged. Every wait is
//! bounded; nothing here interprets the protocol beyond the frames `hostile.yaml` gives.

use std::collections::BTreeMap;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::frame::Frame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{Data, OpCode};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use super::case::RawKind;
use super::spec::Raw;
use crate::profile::{Profile, TransportKind};

/// Connections of the silent and half-upgrade kinds.
const CROWD: usize = 20;
/// The bound on every connect, handshake and wait here.
const WAIT: Duration = Duration::from_secs(5);

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// What a raw kind holds open while the bystander runs.
pub enum Held {
    /// Plain TCP sockets.
    Sockets(Vec<TcpStream>),
    /// A WebSocket that sent its frame(s) and is not read until judged.
    Socket(Box<Ws>, usize),
    /// The kind could not even start (the target is unreachable): why.
    Failed(String),
}

/// Where to connect: `host:port`, and the WebSocket URL of the protocol's endpoint.
pub struct Endpoint {
    /// `127.0.0.1:3000`.
    pub authority: String,
    /// `ws://127.0.0.1:3000/socket.io/?EIO=4&transport=websocket`.
    pub ws_url: String,
    /// The path of that URL, for a hand-written upgrade request.
    pub path: String,
}

impl Endpoint {
    /// The endpoint of `profile` on the target at `base`.
    pub fn of(base: &str, profile: &Profile) -> Result<Endpoint, String> {
        let url = url::Url::parse(base).map_err(|e| format!("invalid target URL {base}: {e}"))?;
        let host = url.host_str().unwrap_or("127.0.0.1");
        let port = url.port_or_known_default().unwrap_or(80);
        let authority = format!("{host}:{port}");
        let query = match profile.transport {
            TransportKind::Socketio => vec![
                ("EIO".to_owned(), "4".to_owned()),
                ("transport".to_owned(), "websocket".to_owned()),
            ],
            TransportKind::Websocket => Vec::new(),
        };
        let (base, path) = match profile.transport {
            TransportKind::Socketio => {
                crate::transport::address::socketio_endpoint(base, profile.connect_path())
            }
            TransportKind::Websocket => (base.to_owned(), profile.connect_path().to_owned()),
        };
        let ws_url = crate::transport::address::ws_url(&base, &path, &query)
            .map_err(|e| format!("invalid target URL {base}: {e}"))?;
        Ok(Endpoint {
            authority,
            ws_url,
            path,
        })
    }
}

/// Starts `kind` and returns what it holds.
pub async fn start(
    kind: RawKind,
    at: &Endpoint,
    raw: &Raw,
    vars: &BTreeMap<String, String>,
) -> Held {
    match tokio::time::timeout(WAIT * 2, start_unbounded(kind, at, raw, vars)).await {
        Ok(held) => held,
        Err(_) => Held::Failed(format!(
            "{} did not start within {:?}",
            kind.name(),
            WAIT * 2
        )),
    }
}

async fn start_unbounded(
    kind: RawKind,
    at: &Endpoint,
    raw: &Raw,
    vars: &BTreeMap<String, String>,
) -> Held {
    match kind {
        RawKind::TcpSilent | RawKind::HalfUpgrade => {
            let mut sockets = Vec::with_capacity(CROWD);
            for _ in 0..CROWD {
                let mut socket = match TcpStream::connect(&at.authority).await {
                    Ok(s) => s,
                    Err(e) => {
                        return Held::Failed(format!("cannot connect to {}: {e}", at.authority));
                    }
                };
                if kind == RawKind::HalfUpgrade {
                    let half = format!(
                        "GET {} HTTP/1.1\r\nHost: {}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n",
                        at.path, at.authority
                    );
                    if let Err(e) = socket.write_all(half.as_bytes()).await {
                        return Held::Failed(format!("cannot write half an upgrade: {e}"));
                    }
                }
                sockets.push(socket);
            }
            Held::Sockets(sockets)
        }
        RawKind::InvalidUtf8 => {
            let mut ws = match connect(at).await {
                Ok(ws) => ws,
                Err(e) => return Held::Failed(e),
            };
            let bytes: Vec<u8> = b"{\"type\":\"\xff\xfe\xc3\x28\"}".to_vec();
            let frame = Frame::message(bytes, OpCode::Data(Data::Text), true);
            if let Err(e) = ws.send(Message::Frame(frame)).await {
                return Held::Failed(format!("cannot send the frame: {e}"));
            }
            Held::Socket(Box::new(ws), 1)
        }
        RawKind::NeverReads => {
            let mut ws = match connect(at).await {
                Ok(ws) => ws,
                Err(e) => return Held::Failed(e),
            };
            let fill = |t: &str| {
                vars.iter().fold(t.to_owned(), |t, (k, v)| {
                    t.replace(&format!("${{var_{k}}}"), v)
                })
            };
            for hello in &raw.hello {
                if ws.send(Message::text(fill(hello))).await.is_err() {
                    return Held::Socket(Box::new(ws), 0);
                }
            }
            let Some(flood) = &raw.flood else {
                return Held::Failed("hostile.yaml gives no raw.flood frame".to_owned());
            };
            let flood = fill(flood);
            let mut sent = 0;
            for _ in 0..raw.flood_count {
                // The server may stop reading (or close); the send is bounded then.
                match tokio::time::timeout(WAIT, ws.feed(Message::text(flood.clone()))).await {
                    Ok(Ok(())) => sent += 1,
                    _ => break,
                }
            }
            let _ = tokio::time::timeout(WAIT, ws.flush()).await;
            Held::Socket(Box::new(ws), sent)
        }
    }
}

async fn connect(at: &Endpoint) -> Result<Ws, String> {
    match tokio::time::timeout(WAIT, tokio_tungstenite::connect_async(&at.ws_url)).await {
        Ok(Ok((ws, _))) => Ok(ws),
        Ok(Err(e)) => Err(format!("cannot open {}: {e}", at.ws_url)),
        Err(_) => Err(format!("opening {} took over {WAIT:?}", at.ws_url)),
    }
}

/// What became of a held raw kind: `Ok` with what was seen, or the failure.
pub async fn judge(kind: RawKind, held: Held, raw: &Raw) -> Result<String, String> {
    match held {
        Held::Failed(why) => Err(why),
        Held::Sockets(sockets) => Ok(format!(
            "{} connection(s) held while the bystander and the newcomer were probed",
            sockets.len()
        )),
        Held::Socket(ws, sent) => {
            // A socket that must close is given the whole bound (a server may finish its queue
            // first); one that may stay open is read until it goes quiet.
            let quiet = (kind != RawKind::InvalidUtf8).then_some(Duration::from_secs(1));
            let (messages, close) = drain(*ws, quiet).await;
            match kind {
                RawKind::InvalidUtf8 => match (close, raw.invalid_utf8_close) {
                    (Some(Some(code)), Some(want)) if code == want => {
                        Ok(format!("closed with {code}"))
                    }
                    (Some(code), None) => Ok(format!("closed ({code:?})")),
                    (Some(code), Some(want)) => {
                        Err(format!("closed with {code:?}, but {want} is required"))
                    }
                    (None, _) => Err(format!(
                        "not closed within {WAIT:?} after a text frame that is not UTF-8 \
                         ({messages} message(s) received)"
                    )),
                },
                _ => Ok(format!(
                    "{sent} frame(s) sent unread; then {messages} message(s) were waiting, {}",
                    match close {
                        Some(code) => format!("and the server closed the socket ({code:?})"),
                        None => "and the socket was still open".to_owned(),
                    }
                )),
            }
        }
    }
}

/// Reads what a held socket has waiting, until it closes, goes `quiet` for that long (if
/// given) or [`WAIT`] has passed: the number of messages, and the close (`Some(None)`: closed
/// without a code).
async fn drain(mut ws: Ws, quiet: Option<Duration>) -> (usize, Option<Option<u16>>) {
    let mut messages = 0;
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let quiet = quiet.map_or(deadline, |q| {
            (tokio::time::Instant::now() + q).min(deadline)
        });
        let next = tokio::time::timeout_at(quiet, ws.next()).await;
        match next {
            Ok(Some(Ok(Message::Close(frame)))) => {
                return (messages, Some(frame.map(|f| u16::from(f.code))));
            }
            Ok(Some(Ok(_))) => messages += 1,
            Ok(Some(Err(_)) | None) => return (messages, Some(None)),
            Err(_) => return (messages, None),
        }
        // A socket that keeps sending is not drained forever.
        if messages > 1_000_000 {
            return (messages, None);
        }
    }
}
