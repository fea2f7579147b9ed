//! What every driver does the same way: serve an axum app on a bound listener (TCP_NODELAY on
//! each accepted socket), run the core's timer beside it, and stop both together; plus the wall
//! clock the cores are fed, and how a WebSocket read that broke the size limit is recognised.
//!
//! Holds no protocol logic: the app and the timer's work come from the driver. Drivers that
//! hold sockets of their own count them in [`LiveConnections`] to wait for them at shutdown.

use crate::ark::Timestamp;
use axum::Router;
use axum::serve::ListenerExt;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::net::TcpListener;
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;

/// How long a timer sleeps when its core has no deadline.
const IDLE_TIMER: Duration = Duration::from_secs(3600);

/// The wall clock as the cores see it (UTC milliseconds).
pub(crate) fn now() -> Timestamp {
    let ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0);
    Timestamp::from_unix_millis(ms)
}

/// A driver's shared state as its timer sees it.
pub(crate) trait Timed: Send + Sync + 'static {
    /// The core's next deadline, if any.
    fn deadline(&self) -> Option<Timestamp>;
    /// Runs the core's timeouts that are due and writes their outputs.
    fn on_due(&self);
    /// Notified when the deadline may have moved earlier.
    fn wake(&self) -> &Notify;
}

/// The connection tasks of a driver still running, and a wait until none is.
#[derive(Debug, Default)]
pub(crate) struct LiveConnections {
    count: AtomicUsize,
    all_ended: Notify,
}

impl LiveConnections {
    /// A connection task is starting.
    pub(crate) fn opened(&self) {
        self.count.fetch_add(1, Ordering::AcqRel);
    }

    /// A connection task ended.
    pub(crate) fn ended(&self) {
        if self.count.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.all_ended.notify_waiters();
        }
    }

    /// Returns once every connection task has ended, or after `grace`.
    pub(crate) async fn all_ended_within(&self, grace: Duration) {
        let all_gone = async {
            loop {
                let ended = self.all_ended.notified();
                if self.count.load(Ordering::Acquire) == 0 {
                    return;
                }
                ended.await;
            }
        };
        let _ = tokio::time::timeout(grace, all_gone).await;
    }
}

/// A driver's two tasks, the server and the timer, and the signal that stops both.
pub(crate) struct Tasks {
    stop: watch::Sender<bool>,
    server: Option<JoinHandle<()>>,
    timer: Option<JoinHandle<()>>,
}

impl Tasks {
    /// Serves `app` on `listener` and runs the timer of `timed`.
    pub(crate) fn start(
        protocol: &'static str,
        listener: TcpListener,
        app: Router,
        timed: Arc<impl Timed>,
    ) -> Self {
        let (stop, stopped) = watch::channel(false);
        let mut stop_serving = stopped.clone();
        let listener = listener.tap_io(move |tcp| {
            // Latency matters more than packet count for a message protocol.
            if let Err(e) = tcp.set_nodelay(true) {
                tracing::debug!("{protocol}: TCP_NODELAY not set: {e}");
            }
        });
        let serve = axum::serve(listener, app).with_graceful_shutdown(async move {
            let _ = stop_serving.wait_for(|s| *s).await;
        });
        let server = tokio::spawn(async move {
            if let Err(e) = serve.await {
                tracing::error!("{protocol}: server failed: {e}");
            }
        });
        let timer = tokio::spawn(run_timer(timed, stopped));
        Self {
            stop,
            server: Some(server),
            timer: Some(timer),
        }
    }

    /// Tells the listener and the timer to stop (idempotent).
    fn signal_stop(&self) {
        let _ = self.stop.send(true);
    }

    /// Stops both tasks; waits at most `grace` for open connections to finish.
    pub(crate) async fn shutdown(&mut self, grace: Duration) {
        self.signal_stop();
        if let Some(server) = self.server.take() {
            let abort = server.abort_handle();
            if tokio::time::timeout(grace, server).await.is_err() {
                abort.abort();
            }
        }
        if let Some(timer) = self.timer.take() {
            timer.abort();
            let _ = timer.await;
        }
    }
}

/// Dropped without [`Tasks::shutdown`]: stop at once, without waiting.
impl Drop for Tasks {
    fn drop(&mut self) {
        self.signal_stop();
        for task in [self.server.take(), self.timer.take()]
            .into_iter()
            .flatten()
        {
            task.abort();
        }
    }
}

/// The timer loop: sleeps until the core's deadline (or until woken because it changed), runs
/// what is due, until `stopped`.
async fn run_timer(timed: Arc<impl Timed>, mut stopped: watch::Receiver<bool>) {
    loop {
        let wait = timed.deadline().map_or(IDLE_TIMER, |d| d.since(now()));
        tokio::select! {
            () = tokio::time::sleep(wait) => timed.on_due(),
            () = timed.wake().notified() => {}
            _ = stopped.wait_for(|s| *s) => return,
        }
    }
}

/// Whether a WebSocket read failed because a frame or message broke the size limit (the
/// drivers answer that with 1009, any other read error ends the connection). axum wraps the
/// codec's error, so the chain is searched for tungstenite's `Capacity`, a few levels deep.
pub(crate) fn is_capacity(error: &axum::Error) -> bool {
    use std::error::Error as _;
    let mut source: Option<&(dyn std::error::Error + 'static)> = error.source();
    for _ in 0..8 {
        let Some(e) = source else {
            return false;
        };
        if let Some(tungstenite::Error::Capacity(_)) = e.downcast_ref::<tungstenite::Error>() {
            return true;
        }
        source = e.source();
    }
    false
}
