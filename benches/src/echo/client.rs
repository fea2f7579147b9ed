//! The echo clients: open `connections` WebSockets, then run each in lock-step (one frame out,
//! wait for its echo, repeat) until the measured window ends.
//!
//! Each connection task owns its socket, its counter and its histogram: nothing is shared on the
//! hot path, and the figures are merged once at the end.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use hdrhistogram::Histogram;
use tokio::net::TcpStream;
use tokio::task::JoinSet;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{Message, Utf8Bytes};

use super::{EchoError, EchoOptions, new_histogram};

/// An open client WebSocket.
pub(super) type Socket = WebSocketStream<TcpStream>;

/// Why a connection stopped before the end of the run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConnectionFailure {
    /// No echo (or the send did not complete) within the reply timeout.
    #[error("connection {connection}: no echo within {timeout:?}")]
    ReplyTimeout {
        /// Which connection (0-based).
        connection: usize,
        /// The reply timeout that elapsed.
        timeout: Duration,
    },
    /// The server closed the connection.
    #[error("connection {connection}: closed by the server")]
    Closed {
        /// Which connection (0-based).
        connection: usize,
    },
    /// The socket failed.
    #[error("connection {connection}: {reason}")]
    Transport {
        /// Which connection (0-based).
        connection: usize,
        /// The WebSocket error.
        reason: String,
    },
    /// The frame that came back is not the one sent.
    #[error("connection {connection}: the echo differs from the frame sent")]
    WrongEcho {
        /// Which connection (0-based).
        connection: usize,
    },
    /// The connection's task panicked (a bug here, not in the server).
    #[error("a connection task panicked: {0}")]
    Panicked(String),
}

/// Opens every connection concurrently, all within `options.connect_timeout`.
pub(super) async fn connect_all(
    address: SocketAddr,
    options: &EchoOptions,
) -> Result<Vec<Socket>, EchoError> {
    let config = WebSocketConfig::default().read_buffer_size(options.read_buffer_bytes);
    let mut connecting = JoinSet::new();
    for index in 0..options.connections {
        connecting.spawn(async move { (index, connect_one(address, config).await) });
    }
    let all_open = async {
        let mut sockets = Vec::with_capacity(options.connections);
        while let Some(joined) = connecting.join_next().await {
            let (index, opened) =
                joined.map_err(|join_error| EchoError::ConnectPanicked(join_error.to_string()))?;
            sockets.push(opened.map_err(|reason| EchoError::Connect { index, reason })?);
        }
        Ok(sockets)
    };
    // On timeout `connecting` is dropped with the future, which aborts the stragglers.
    tokio::time::timeout(options.connect_timeout, all_open)
        .await
        .map_err(|_| EchoError::ConnectTimeout(options.connect_timeout))?
}

async fn connect_one(address: SocketAddr, config: WebSocketConfig) -> Result<Socket, String> {
    let tcp = TcpStream::connect(address)
        .await
        .map_err(|e| e.to_string())?;
    tcp.set_nodelay(true).map_err(|e| e.to_string())?;
    let url = format!("ws://{address}/");
    let (socket, _response) = tokio_tungstenite::client_async_with_config(url, tcp, Some(config))
        .await
        .map_err(|e| e.to_string())?;
    Ok(socket)
}

/// The measured window: round trips completed in `[start, end)` count.
#[derive(Debug, Clone, Copy)]
pub(super) struct Window {
    pub(super) start: Instant,
    pub(super) end: Instant,
}

/// What one connection measured.
pub(super) struct Outcome {
    pub(super) round_trips: u64,
    pub(super) latencies: Histogram<u64>,
    pub(super) failure: Option<ConnectionFailure>,
}

/// One connection in lock-step.
pub(super) struct LockStep {
    socket: Socket,
    payload: Utf8Bytes,
    window: Window,
    bounds: Bounds,
}

/// How long one connection may wait, apart from its socket so a wait can borrow both.
#[derive(Debug, Clone, Copy)]
struct Bounds {
    connection: usize,
    reply_timeout: Duration,
    window_end: Instant,
}

impl LockStep {
    pub(super) fn new(
        connection: usize,
        socket: Socket,
        payload: &str,
        window: Window,
        reply_timeout: Duration,
    ) -> Self {
        Self {
            socket,
            payload: Utf8Bytes::from(payload),
            window,
            bounds: Bounds {
                connection,
                reply_timeout,
                window_end: window.end,
            },
        }
    }

    /// Runs until the window ends or the connection fails.
    pub(super) async fn run(mut self) -> Outcome {
        let mut outcome = Outcome {
            round_trips: 0,
            latencies: new_histogram(),
            failure: None,
        };
        outcome.failure = self.round_trips(&mut outcome).await.err();
        outcome
    }

    async fn round_trips(&mut self, outcome: &mut Outcome) -> Result<(), ConnectionFailure> {
        loop {
            let sent_at = Instant::now();
            if sent_at >= self.window.end {
                return Ok(());
            }
            // Cloning the payload bumps a reference count; no allocation per frame.
            let frame = Message::Text(self.payload.clone());
            let bounds = self.bounds;
            let Some(sent) = bounds.bounded(self.socket.send(frame)).await? else {
                return Ok(());
            };
            sent.map_err(|e| bounds.transport(e))?;
            if bounds.bounded(self.echo()).await?.transpose()?.is_none() {
                return Ok(());
            }
            let done = Instant::now();
            if done >= self.window.end {
                return Ok(());
            }
            if done >= self.window.start {
                outcome.round_trips += 1;
                let micros = u64::try_from(done.duration_since(sent_at).as_micros());
                outcome
                    .latencies
                    .saturating_record(micros.unwrap_or(u64::MAX));
            }
        }
    }

    /// Reads the echo of the frame just sent.
    async fn echo(&mut self) -> Result<(), ConnectionFailure> {
        let connection = self.bounds.connection;
        loop {
            match self.socket.next().await {
                Some(Ok(Message::Text(text))) if text == self.payload => return Ok(()),
                Some(Ok(Message::Text(_) | Message::Binary(_))) => {
                    return Err(ConnectionFailure::WrongEcho { connection });
                }
                Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_))) => continue,
                Some(Ok(Message::Close(_))) | None => {
                    return Err(ConnectionFailure::Closed { connection });
                }
                Some(Err(e)) => return Err(self.bounds.transport(e)),
            }
        }
    }
}

impl Bounds {
    /// Bounds `wait` by the reply timeout and by the end of the window. `Ok(None)`: the window
    /// ended first, a normal end. `Err`: the reply timeout elapsed inside the window.
    async fn bounded<T>(
        &self,
        wait: impl Future<Output = T>,
    ) -> Result<Option<T>, ConnectionFailure> {
        let deadline = (Instant::now() + self.reply_timeout).min(self.window_end);
        match tokio::time::timeout_at(deadline.into(), wait).await {
            Ok(value) => Ok(Some(value)),
            Err(_) if Instant::now() >= self.window_end => Ok(None),
            Err(_) => Err(ConnectionFailure::ReplyTimeout {
                connection: self.connection,
                timeout: self.reply_timeout,
            }),
        }
    }

    fn transport(&self, error: tokio_tungstenite::tungstenite::Error) -> ConnectionFailure {
        ConnectionFailure::Transport {
            connection: self.connection,
            reason: error.to_string(),
        }
    }
}
