//! One emprops WebSocket connection: frames go to the hub core in the order they arrive;
//! the connection's queue is written in order until the hub closes it.
//!
//! Closes: the hub's own (1000 after `disconnect`, 1001 at shutdown, 1009 after an over-size
//! frame, written after everything queued before), 1008 when the queue is full, and the
//! client's. Every wait at closing time is bounded by `close_grace`.

use super::super::serving::is_capacity;
use super::{Item, Shared};
use crate::emprops::{ConnId, Input};
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket};
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use std::pin::pin;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

/// Most frames written before one flush.
const BATCH: usize = 64;

/// Why the read side stopped.
#[derive(Debug, PartialEq, Eq)]
enum ReadEnd {
    /// The client closed or the transport is gone.
    Gone,
    /// A frame over the limit: the hub answered and will close with 1009.
    Oversize,
}

/// Serves one upgraded connection until it ends.
pub(super) async fn serve(socket: WebSocket, shared: &Shared) {
    let grace = shared.settings.close_grace;
    let (conn, mut items, mut abort) = shared.open();
    let (mut sink, mut stream) = socket.split();
    let mut writer = pin!(write_side(&mut sink, &mut items, &mut abort, grace));
    let mut reader = pin!(read_side(&mut stream, shared, conn));
    tokio::select! {
        end = &mut reader => {
            // Gone: the hub has forgotten the connection and its queue's sender is dropped,
            // so the writer finishes what is queued. Oversize: the error and the 1009 close are
            // queued; the socket then lingers so the client reads them before the reset.
            let _ = tokio::time::timeout(grace, &mut writer).await;
            if end == ReadEnd::Oversize {
                tokio::time::sleep(grace).await;
            }
        }
        () = &mut writer => {
            // The hub closed the connection (or the transport failed): wait, bounded, for the
            // client's close answer.
            let _ = tokio::time::timeout(grace, &mut reader).await;
        }
    }
}

/// Feeds frames to the hub until the connection ends or a frame breaks the size limit.
async fn read_side(stream: &mut SplitStream<WebSocket>, shared: &Shared, conn: ConnId) -> ReadEnd {
    loop {
        match stream.next().await {
            Some(Ok(Message::Text(text))) => shared.feed(Input::Text(conn, text.as_str())),
            Some(Ok(Message::Binary(bytes))) => {
                let text = String::from_utf8_lossy(&bytes);
                shared.feed(Input::Text(conn, &text));
            }
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
            Some(Err(e)) if is_capacity(&e) => {
                shared.feed(Input::Oversize(conn));
                return ReadEnd::Oversize;
            }
            Some(Err(_)) => {
                shared.feed(Input::Close(conn));
                return ReadEnd::Gone;
            }
            Some(Ok(Message::Close(_))) | None => {
                shared.feed(Input::Close(conn));
                return ReadEnd::Gone;
            }
        }
    }
}

/// Writes queued items in order until a close (queued or at once) or the queue's end. A
/// write blocked on a client that does not read still sees the abort.
async fn write_side(
    sink: &mut SplitSink<WebSocket, Message>,
    items: &mut mpsc::Receiver<Item>,
    abort: &mut oneshot::Receiver<(u16, &'static str)>,
    grace: Duration,
) {
    // A dropped abort sender (the hub forgot the connection after a queued close) is no
    // abort: wait forever on that branch rather than poll a finished receiver again.
    let abort = async {
        match abort.await {
            Ok(close) => close,
            Err(_) => std::future::pending().await,
        }
    };
    let mut abort = pin!(abort);
    let end = loop {
        let first = tokio::select! {
            biased;
            close = &mut abort => break Some(close),
            item = items.recv() => match item {
                Some(item) => item,
                None => break None,
            },
        };
        let batch = write_batch(sink, items, first);
        let written = tokio::select! {
            biased;
            close = &mut abort => break Some(close),
            written = batch => written,
        };
        match written {
            Ok(None) => {}
            Ok(Some(close)) => break Some(close),
            Err(_) => break None,
        }
    };
    if let Some((code, reason)) = end {
        let frame = CloseFrame {
            code,
            reason: Utf8Bytes::from_static(reason),
        };
        let _ = tokio::time::timeout(grace, sink.send(Message::Close(Some(frame)))).await;
    }
}

/// Writes `first` and what else is queued (at most [`BATCH`]), then flushes; returns the close
/// met on the way, if any.
async fn write_batch(
    sink: &mut SplitSink<WebSocket, Message>,
    items: &mut mpsc::Receiver<Item>,
    first: Item,
) -> Result<Option<(u16, &'static str)>, axum::Error> {
    let mut next = Some(first);
    let mut written = 0;
    while let Some(item) = next.take() {
        match item {
            Item::Text(text) => sink.feed(Message::Text(text)).await?,
            Item::Close(code, reason) => {
                sink.flush().await?;
                return Ok(Some((code, reason)));
            }
        }
        written += 1;
        if written < BATCH {
            next = items.try_recv().ok();
        }
    }
    sink.flush().await?;
    Ok(None)
}
