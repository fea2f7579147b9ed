//! The fan-out of push frames to WebSocket clients, with a bounded queue per client.
//!
//! The hub lives under the same lock as the protocol core, so frames published in one call
//! order reach every client in that order (one total order). A client whose queue is full is
//! removed and told to close with [`CloseReason::Lagged`]; nothing is ever skipped silently and
//! nothing is buffered beyond the bound. No sockets here.

use axum::extract::ws::Utf8Bytes;
use std::collections::HashMap;
use tokio::sync::{mpsc, oneshot};

/// Why the server closes a push connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseReason {
    /// The client fell too far behind (1008).
    Lagged,
    /// The server is shutting down (1001).
    Shutdown,
}

/// One client's entry in the hub.
#[derive(Debug)]
struct Client {
    frames: mpsc::Sender<Utf8Bytes>,
    close: oneshot::Sender<CloseReason>,
}

/// What a client task receives: its frames in order, and the signal to close.
#[derive(Debug)]
pub struct Subscription {
    /// The client's id in the hub (for [`Hub::unsubscribe`]).
    pub id: u64,
    /// Frames to send, in the total order.
    pub frames: mpsc::Receiver<Utf8Bytes>,
    /// Fires when the hub drops this client; a dropped sender means shutdown.
    pub close: oneshot::Receiver<CloseReason>,
}

/// All connected push clients.
#[derive(Debug)]
pub struct Hub {
    clients: HashMap<u64, Client>,
    next_id: u64,
    queue: usize,
    shut_down: bool,
}

impl Hub {
    /// A hub whose clients may each have `queue` frames waiting (at least 1).
    pub fn new(queue: usize) -> Self {
        Self {
            clients: HashMap::new(),
            next_id: 0,
            queue: queue.max(1),
            shut_down: false,
        }
    }

    /// Adds a client; it receives every frame published from now on. `None` after shutdown.
    pub fn subscribe(&mut self) -> Option<Subscription> {
        if self.shut_down {
            return None;
        }
        self.next_id += 1;
        let (frames_tx, frames) = mpsc::channel(self.queue);
        let (close_tx, close) = oneshot::channel();
        let client = Client {
            frames: frames_tx,
            close: close_tx,
        };
        self.clients.insert(self.next_id, client);
        Some(Subscription {
            id: self.next_id,
            frames,
            close,
        })
    }

    /// Removes a client (its task is ending).
    pub fn unsubscribe(&mut self, id: u64) {
        self.clients.remove(&id);
    }

    /// Queues `frame` for every client. A client with a full queue is removed and told
    /// [`CloseReason::Lagged`]; one whose task is gone is removed.
    pub fn publish(&mut self, frame: &Utf8Bytes) {
        let mut dropped = Vec::new();
        for (id, client) in &self.clients {
            match client.frames.try_send(frame.clone()) {
                Ok(()) => {}
                Err(mpsc::error::TrySendError::Full(_)) => dropped.push((*id, true)),
                Err(mpsc::error::TrySendError::Closed(_)) => dropped.push((*id, false)),
            }
        }
        for (id, lagged) in dropped {
            if let Some(client) = self.clients.remove(&id)
                && lagged
            {
                // The task may have ended meanwhile; then there is nobody to tell.
                let _ = client.close.send(CloseReason::Lagged);
            }
        }
    }

    /// Tells every client to close with [`CloseReason::Shutdown`] and refuses new ones.
    pub fn shutdown(&mut self) {
        self.shut_down = true;
        for (_, client) in self.clients.drain() {
            let _ = client.close.send(CloseReason::Shutdown);
        }
    }

    /// The number of connected clients.
    pub fn len(&self) -> usize {
        self.clients.len()
    }

    /// True when no client is connected.
    pub fn is_empty(&self) -> bool {
        self.clients.is_empty()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn frame(i: usize) -> Utf8Bytes {
        Utf8Bytes::from(i.to_string())
    }

    #[test]
    fn every_client_gets_every_frame_in_order() {
        let mut hub = Hub::new(8);
        let mut a = hub.subscribe().unwrap();
        let mut b = hub.subscribe().unwrap();
        for i in 0..8 {
            hub.publish(&frame(i));
        }
        for sub in [&mut a, &mut b] {
            let got: Vec<String> = (0..8)
                .map(|_| sub.frames.try_recv().unwrap().to_string())
                .collect();
            assert_eq!(got, ["0", "1", "2", "3", "4", "5", "6", "7"]);
        }
    }

    #[test]
    fn a_full_client_is_dropped_and_told_lagged_others_keep_going() {
        let mut hub = Hub::new(2);
        let mut slow = hub.subscribe().unwrap();
        let mut fast = hub.subscribe().unwrap();
        for i in 0..2 {
            hub.publish(&frame(i));
            assert_eq!(fast.frames.try_recv().unwrap().as_str(), i.to_string());
        }
        assert_eq!(
            slow.close.try_recv(),
            Err(oneshot::error::TryRecvError::Empty)
        );
        hub.publish(&frame(2));
        assert_eq!(slow.close.try_recv(), Ok(CloseReason::Lagged));
        assert_eq!(hub.len(), 1);
        assert_eq!(fast.frames.try_recv().unwrap().as_str(), "2");
        // The laggard keeps its gap-free prefix; nothing after the cut.
        assert_eq!(slow.frames.try_recv().unwrap().as_str(), "0");
        assert_eq!(slow.frames.try_recv().unwrap().as_str(), "1");
        assert!(slow.frames.try_recv().is_err());
    }

    #[test]
    fn gone_clients_are_removed_and_shutdown_tells_everyone() {
        let mut hub = Hub::new(4);
        let gone = hub.subscribe().unwrap();
        let mut stays = hub.subscribe().unwrap();
        drop(gone);
        hub.publish(&frame(0));
        assert_eq!(hub.len(), 1);
        hub.shutdown();
        assert!(hub.is_empty());
        assert_eq!(stays.close.try_recv(), Ok(CloseReason::Shutdown));
        assert!(hub.subscribe().is_none());
    }
}
