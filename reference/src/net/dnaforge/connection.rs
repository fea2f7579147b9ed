//! One dnaforge socket: frames go to the core in the order they arrive; the socket's queue is
//! written in order until it ends or is closed.
//!
//! Closes: 1008 when the queue is full, 1009 after an over-size frame, 1001 at shutdown, and the
//! client's. Every wait at closing time is bounded by `close_grace`.

use super::super::serving::is_capacity;
use super::Shared;
use crate::dnaforge::{ConnId, Input};
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket};
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use std::pin::pin;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

/// The close an over-size frame gets (dnaforge-N20).
const TOO_BIG: (u16, &str) = (1009, "message too big");

/// Why the read side stopped.
#[derive(Debug, PartialEq, Eq)]
enum ReadEnd {
    /// The client closed or the transport is gone.
    Gone,
    /// A frame over the limit.
    Oversize,
}

/// Serves one upgraded socket until it ends.
pub(super) async fn serve(socket: WebSocket, shared: &Shared) {
    let grace = shared.settings.close_grace;
    let (conn, mut items, mut abort) = shared.open();
    let (mut sink, mut stream) = socket.split();
    let mut writer = pin!(write_side(&mut sink, &mut items, &mut abort, grace));
    let mut reader = pin!(read_side(&mut stream, shared, conn));
    tokio::select! {
        end = &mut reader => {
            let close = (end == ReadEnd::Oversize).then_some(TOO_BIG);
            shared.close(conn, close);
            let _ = tokio::time::timeout(grace, &mut writer).await;
            if close.is_some() {
                // Linger so the client reads the close before the reset.
                tokio::time::sleep(grace).await;
            }
        }
        () = &mut writer => {
            // Closed by the server (or the transport failed): the core forgets the socket, then
            // wait, bounded, for the client's close answer.
            shared.close(conn, None);
            let _ = tokio::time::timeout(grace, &mut reader).await;
        }
    }
}

/// Feeds frames to the core until the socket ends or a frame breaks the size limit.
async fn read_side(stream: &mut SplitStream<WebSocket>, shared: &Shared, conn: ConnId) -> ReadEnd {
    loop {
        match stream.next().await {
            Some(Ok(Message::Text(text))) => {
                shared.feed(Input::Text(conn, text.as_str()));
            }
            Some(Ok(Message::Binary(_))) => {
                shared.feed(Input::Binary(conn));
            }
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
            Some(Err(e)) if is_capacity(&e) => return ReadEnd::Oversize,
            Some(Err(_) | Ok(Message::Close(_))) | None => return ReadEnd::Gone,
        }
    }
}

/// Writes queued texts in order until an abort (then the close frame) or the queue's end.
async fn write_side(
    sink: &mut SplitSink<WebSocket, Message>,
    items: &mut mpsc::Receiver<Utf8Bytes>,
    abort: &mut oneshot::Receiver<(u16, &'static str)>,
    grace: Duration,
) {
    // A dropped abort sender is no abort: the queue's end says when to stop.
    let abort = async {
        match abort.await {
            Ok(close) => close,
            Err(_) => std::future::pending().await,
        }
    };
    let mut abort = pin!(abort);
    let close = loop {
        let text = tokio::select! {
            biased;
            close = &mut abort => break Some(close),
            item = items.recv() => match item {
                Some(text) => text,
                None => break None,
            },
        };
        let written = tokio::select! {
            biased;
            close = &mut abort => break Some(close),
            written = write(sink, items, text) => written,
        };
        if written.is_err() {
            break None;
        }
    };
    if let Some((code, reason)) = close {
        let frame = CloseFrame {
            code,
            reason: Utf8Bytes::from_static(reason),
        };
        let _ = tokio::time::timeout(grace, sink.send(Message::Close(Some(frame)))).await;
    }
}

/// Writes `first` and what else is queued now, then flushes.
async fn write(
    sink: &mut SplitSink<WebSocket, Message>,
    items: &mut mpsc::Receiver<Utf8Bytes>,
    first: Utf8Bytes,
) -> Result<(), axum::Error> {
    sink.feed(Message::Text(first)).await?;
    // Bounded: at most a queue's worth per flush.
    for _ in 0..64 {
        let Ok(text) = items.try_recv() else {
            break;
        };
        sink.feed(Message::Text(text)).await?;
    }
    sink.flush().await
}
