//! The echo server: a tokio-tungstenite accept loop on an ephemeral loopback port that sends back
//! every text and binary frame it receives, on the connection it came from.
//!
//! It serves until [`EchoServer::stop`] or until dropped; both abort the accept loop and every
//! connection task (they live in one `JoinSet`), so nothing outlives a run.

use std::net::SocketAddr;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

use super::EchoError;

/// Pause after a failed `accept` before the next one.
const ACCEPT_ERROR_BACKOFF: Duration = Duration::from_millis(10);

/// A running echo server.
pub(super) struct EchoServer {
    address: SocketAddr,
    tasks: JoinSet<()>,
}

impl EchoServer {
    /// Binds 127.0.0.1:0 and starts accepting.
    pub(super) async fn start(read_buffer_bytes: usize) -> Result<Self, EchoError> {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(EchoError::Listen)?;
        let address = listener.local_addr().map_err(EchoError::Listen)?;
        let mut tasks = JoinSet::new();
        tasks.spawn(accept_loop(listener, read_buffer_bytes));
        Ok(Self { address, tasks })
    }

    /// Where clients connect.
    pub(super) fn address(&self) -> SocketAddr {
        self.address
    }

    /// Stops accepting and drops every connection.
    pub(super) fn stop(mut self) {
        self.tasks.abort_all();
    }
}

/// Accepts until aborted; each connection gets its own task, owned by this loop's `JoinSet` so
/// aborting the loop drops them all.
async fn accept_loop(listener: TcpListener, read_buffer_bytes: usize) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((tcp, _peer)) => {
                    connections.spawn(echo_connection(tcp, read_buffer_bytes));
                }
                // Out of file descriptors and the like: back off instead of spinning; the
                // clients' connect timeout reports connections that never open.
                Err(_) => tokio::time::sleep(ACCEPT_ERROR_BACKOFF).await,
            },
            // Reap finished connections so the set does not grow with closed ones.
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

/// Echoes one connection until it closes or fails.
async fn echo_connection(tcp: TcpStream, read_buffer_bytes: usize) {
    // Without it every echo waits on Nagle's algorithm for the client's delayed ACK.
    if tcp.set_nodelay(true).is_err() {
        return;
    }
    let config = WebSocketConfig::default().read_buffer_size(read_buffer_bytes);
    let Ok(mut socket) = tokio_tungstenite::accept_async_with_config(tcp, Some(config)).await
    else {
        return;
    };
    while let Some(Ok(message)) = socket.next().await {
        let echo = match message {
            Message::Text(_) | Message::Binary(_) => message,
            // tungstenite answers pings and closes itself; nothing to send back here.
            Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => continue,
            Message::Close(_) => break,
        };
        if socket.send(echo).await.is_err() {
            break;
        }
    }
}
