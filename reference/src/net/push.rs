//! One push-only WebSocket connection: sends the frames of its [`Subscription`] in order and
//! ignores everything the client sends (ark-N11, A3).
//!
//! Closes: a client frame over the size limit → 1009; a client that fell behind → 1008;
//! server shutdown → 1001; a protocol violation → 1002; invalid UTF-8 in a text frame → 1007.
//! Pings are answered by the codec. Every wait at closing time is bounded by `close_grace`.

use super::hub::{CloseReason, Subscription};
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket};
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

/// Most frames written before one flush.
const BATCH: usize = 64;

/// How a connection ends.
#[derive(Debug, Clone, PartialEq, Eq)]
enum End {
    /// The client sent a close frame (the codec answers it).
    PeerClosed,
    /// The transport is gone; nothing more can be sent.
    Gone,
    /// The server closes with this code and reason; `linger` keeps the socket open for
    /// `close_grace` afterwards (the client may still be sending an over-size frame).
    Close {
        code: u16,
        reason: &'static str,
        linger: bool,
    },
}

/// Serves one upgraded connection until it ends; `on_end` runs once it has left the hub's
/// concern (to unsubscribe).
pub async fn serve_client(
    socket: WebSocket,
    subscription: Subscription,
    close_grace: Duration,
    on_end: impl FnOnce(u64),
) {
    let Subscription {
        id,
        mut frames,
        mut close,
    } = subscription;
    let (mut sink, mut stream) = socket.split();
    let end = tokio::select! {
        end = read_side(&mut stream) => end,
        end = write_side(&mut sink, &mut frames, &mut close) => end,
    };
    on_end(id);
    drop(frames);
    match end {
        End::Gone => {}
        End::PeerClosed => {
            let _ = tokio::time::timeout(close_grace, sink.close()).await;
        }
        End::Close {
            code,
            reason,
            linger,
        } => {
            let frame = CloseFrame {
                code,
                reason: Utf8Bytes::from_static(reason),
            };
            let sent = tokio::time::timeout(close_grace, sink.send(Message::Close(Some(frame))));
            if matches!(sent.await, Ok(Ok(()))) {
                if linger {
                    tokio::time::sleep(close_grace).await;
                } else {
                    // Wait (bounded) for the client's close answer to end the handshake.
                    let _ = tokio::time::timeout(close_grace, drain(&mut stream)).await;
                }
            }
        }
    }
}

async fn drain(stream: &mut SplitStream<WebSocket>) {
    while let Some(Ok(_)) = stream.next().await {}
}

/// Reads and ignores client frames until the connection ends or a frame breaks a limit.
async fn read_side(stream: &mut SplitStream<WebSocket>) -> End {
    loop {
        match stream.next().await {
            None => return End::Gone,
            Some(Ok(Message::Close(_))) => return End::PeerClosed,
            Some(Ok(_)) => {}
            Some(Err(e)) => return classify(e),
        }
    }
}

/// Maps a read error to the close it calls for.
fn classify(error: axum::Error) -> End {
    use tungstenite::Error as E;
    let close = |code, reason| End::Close {
        code,
        reason,
        linger: code == 1009,
    };
    match error.into_inner().downcast::<E>() {
        Ok(e) => match *e {
            E::Capacity(_) => close(1009, "frame too large"),
            E::Protocol(_) => close(1002, "protocol error"),
            E::Utf8(_) => close(1007, "invalid UTF-8"),
            _ => End::Gone,
        },
        Err(_) => End::Gone,
    }
}

/// Sends queued frames, in order, until told to close or the transport fails.
async fn write_side(
    sink: &mut SplitSink<WebSocket, Message>,
    frames: &mut mpsc::Receiver<Utf8Bytes>,
    close: &mut oneshot::Receiver<CloseReason>,
) -> End {
    loop {
        let first = tokio::select! {
            biased;
            reason = &mut *close => return closing(reason.ok()),
            frame = frames.recv() => match frame {
                Some(frame) => frame,
                None => return closing(None),
            },
        };
        let send = async {
            sink.feed(Message::Text(first)).await?;
            for _ in 1..BATCH {
                match frames.try_recv() {
                    Ok(frame) => sink.feed(Message::Text(frame)).await?,
                    Err(_) => break,
                }
            }
            sink.flush().await
        };
        tokio::select! {
            biased;
            reason = &mut *close => return closing(reason.ok()),
            sent = send => if sent.is_err() { return End::Gone },
        }
    }
}

fn closing(reason: Option<CloseReason>) -> End {
    match reason {
        Some(CloseReason::Lagged) => End::Close {
            code: 1008,
            reason: "client fell too far behind",
            linger: false,
        },
        Some(CloseReason::Shutdown) | None => End::Close {
            code: 1001,
            reason: "server shutting down",
            linger: false,
        },
    }
}
