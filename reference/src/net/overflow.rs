//! What the socket.io drivers (jobber, caas) do when a socket's send buffer is full
//! (`max_queued_packets`): the packet cannot be written, and losing it silently would break C4.
//! The socket is disconnected instead, so the client knows it fell behind.
//!
//! socketioxide's `disconnect` itself needs room for its DISCONNECT packet, so it is retried
//! until the client has read enough or `grace` has passed (then the engine.io heartbeat closes
//! a client that reads nothing). Runs in its own task: the drivers call this under their core's
//! lock, and the disconnect handler takes that lock.

use std::time::Duration;

use socketioxide::extract::SocketRef;
use socketioxide::{SendError, SocketError};

/// How long to wait between attempts to disconnect a full socket.
const RETRY: Duration = Duration::from_millis(10);

/// Whether a failed send means the socket's buffer is full.
pub(crate) fn is_full(error: &SendError) -> bool {
    matches!(error, SendError::Socket(SocketError::InternalChannelFull))
}

/// Disconnects `socket`, whose send buffer is full, as soon as its DISCONNECT fits, for at most
/// `grace`.
pub(crate) fn disconnect_full(socket: SocketRef, grace: Duration) {
    tokio::spawn(async move {
        let attempts = (grace.as_millis() / RETRY.as_millis()).max(1);
        for _ in 0..attempts {
            match socket.clone().disconnect() {
                Err(SocketError::InternalChannelFull) => tokio::time::sleep(RETRY).await,
                _ => return,
            }
        }
    });
}
