//! Test doubles of servers that stop cooperating, for load runs that must still end on time:
//! one that accepts TCP and never answers, one that completes the WebSocket handshake and
//! closes at once, and one that completes the socket.io handshake and then says nothing more.
//! Loopback only, ephemeral port; dropped, it stops with every connection it holds.

use futures_util::{SinkExt, StreamExt};
use tokio::io::AsyncReadExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;
use tokio_tungstenite::tungstenite::Message;

/// The Engine.IO open packet the silent server sends: pings far apart, so the client's ping
/// deadline never comes into a short test.
const ENGINE_OPEN: &str =
    r#"0{"sid":"stub","upgrades":[],"pingInterval":60000,"pingTimeout":60000}"#;

/// How the server treats each connection.
#[derive(Debug, Clone, Copy)]
pub enum Behaviour {
    /// Accepts the TCP connection, reads whatever comes and never answers.
    NeverHandshakes,
    /// Completes the WebSocket handshake, then closes the connection at once.
    ClosesAtOnce,
    /// Completes the WebSocket and socket.io handshakes (namespace `/` accepted), then reads
    /// everything and answers nothing.
    SilentAfterSocketIo,
}

/// A running stub; dropped, it stops.
pub struct StubServer {
    /// Its base URL.
    pub url: String,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for StubServer {
    fn drop(&mut self) {
        // The connections live in the accept task's JoinSet: aborting it drops them all.
        self.task.abort();
    }
}

/// Starts a stub server behaving as `behaviour`.
pub async fn start(behaviour: Behaviour) -> StubServer {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        let mut connections = JoinSet::new();
        while let Ok((stream, _)) = listener.accept().await {
            connections.spawn(serve(stream, behaviour));
            while connections.try_join_next().is_some() {}
        }
    });
    StubServer { url, task }
}

async fn serve(mut stream: TcpStream, behaviour: Behaviour) {
    match behaviour {
        Behaviour::NeverHandshakes => {
            let mut buffer = [0u8; 1024];
            while matches!(stream.read(&mut buffer).await, Ok(n) if n > 0) {}
        }
        Behaviour::ClosesAtOnce => {
            if let Ok(mut ws) = tokio_tungstenite::accept_async(stream).await {
                let _ = ws.close(None).await;
            }
        }
        Behaviour::SilentAfterSocketIo => {
            let Ok(mut ws) = tokio_tungstenite::accept_async(stream).await else {
                return;
            };
            if ws.send(Message::text(ENGINE_OPEN)).await.is_err() {
                return;
            }
            // The client's CONNECT to a namespace (`40…`) is accepted; then nothing more.
            while let Some(Ok(message)) = ws.next().await {
                if let Message::Text(text) = &message
                    && text.as_str().starts_with("40")
                {
                    let _ = ws.send(Message::text(r#"40{"sid":"stub-socket"}"#)).await;
                }
            }
        }
    }
}
