//! The echo baseline: how many WebSocket round trips per second this machine can do at all.
//!
//! A raw tokio-tungstenite echo server and `connections` clients in the same process, each client
//! in lock-step (send one text frame of `message_bytes`, wait for its echo, repeat). Its round
//! trips per second are the "physical limit" that `wsconform load` figures are compared with: no
//! protocol, no JSON, no schema checks, only the sockets and the WebSocket codec.
//!
//! What it does not do: check anything but that each echo is the frame sent, or measure a server
//! other than its own.
//!
//! Invariants:
//! - Every wait is bounded: connecting by [`EchoOptions::connect_timeout`], each echo by
//!   [`EchoOptions::reply_timeout`] and by the end of the run, so the run ends on time even with
//!   a stuck connection (reported in [`EchoFigures::failures`]).
//! - Only round trips *completed* inside the measured window (after the warm-up) are counted and
//!   timed, so [`EchoFigures::elapsed`] is the window's length.
//! - It runs inside the caller's tokio runtime (any flavour) and leaves no task behind.
//! - Sockets as the project's servers use them: TCP_NODELAY and a 4 KiB read buffer on both
//!   sides (DESIGN.md pitfalls).

mod client;
mod server;

use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use tokio::task::JoinSet;

pub use client::ConnectionFailure;

/// What to run. [`Default`] is the reference configuration the load figures are compared with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EchoOptions {
    /// Concurrent connections, each in lock-step. Default 100.
    pub connections: usize,
    /// The measured window, after the warm-up. Default 10 s.
    pub duration: Duration,
    /// Run but not counted, first (connections settle, caches warm). Default 1 s.
    pub warm_up: Duration,
    /// Bytes of each text frame. Default 100.
    pub message_bytes: usize,
    /// Longest wait for all connections to open. Default 10 s.
    pub connect_timeout: Duration,
    /// Longest wait for one echo (or one send) before the connection counts as failed.
    /// Default 5 s.
    pub reply_timeout: Duration,
    /// Read buffer of each WebSocket, both sides. Default 4096 (tungstenite's own is 128 KiB).
    pub read_buffer_bytes: usize,
}

impl Default for EchoOptions {
    fn default() -> Self {
        Self {
            connections: 100,
            duration: Duration::from_secs(10),
            warm_up: Duration::from_secs(1),
            message_bytes: 100,
            connect_timeout: Duration::from_secs(10),
            reply_timeout: Duration::from_secs(5),
            read_buffer_bytes: 4096,
        }
    }
}

/// What one run measured.
#[derive(Debug, Clone)]
pub struct EchoFigures {
    /// Connections that ran.
    pub connections: usize,
    /// Round trips completed inside the measured window.
    pub round_trips: u64,
    /// Length of the measured window.
    pub elapsed: Duration,
    /// `round_trips / elapsed`.
    pub round_trips_per_second: f64,
    /// Median round-trip time (send to echo received), microsecond resolution.
    pub latency_p50: Duration,
    /// 99th percentile round-trip time.
    pub latency_p99: Duration,
    /// Slowest round trip counted.
    pub latency_max: Duration,
    /// Connections that stopped early, and why (empty in a clean run).
    pub failures: Vec<ConnectionFailure>,
}

/// Why a run could not take place at all.
#[derive(Debug, thiserror::Error)]
pub enum EchoError {
    /// The options cannot describe a run.
    #[error("invalid echo options: {0}")]
    InvalidOptions(&'static str),
    /// The echo server could not listen on loopback.
    #[error("echo server could not listen on 127.0.0.1: {0}")]
    Listen(#[source] std::io::Error),
    /// A client connection could not be opened.
    #[error("echo client connection {index} could not open: {reason}")]
    Connect {
        /// Which connection (0-based).
        index: usize,
        /// What went wrong.
        reason: String,
    },
    /// A task opening a client connection panicked (a bug here, not in the sockets).
    #[error("an echo client connection task panicked: {0}")]
    ConnectPanicked(String),
    /// Not every connection was open within `connect_timeout`.
    #[error("echo clients not all connected within {0:?}")]
    ConnectTimeout(Duration),
}

/// Largest round trip the histogram records, in microseconds (longer ones saturate to it).
/// One minute is far above any sane `reply_timeout`.
const LATENCY_CEILING_MICROS: u64 = 60_000_000;

/// Runs the echo baseline once; see the module documentation.
pub async fn echo_baseline(options: EchoOptions) -> Result<EchoFigures, EchoError> {
    validate(&options)?;
    let echo_server = server::EchoServer::start(options.read_buffer_bytes).await?;
    let sockets = client::connect_all(echo_server.address(), &options).await?;

    let window_start = Instant::now() + options.warm_up;
    let window = client::Window {
        start: window_start,
        end: window_start + options.duration,
    };
    let payload = "x".repeat(options.message_bytes);
    let mut runs = JoinSet::new();
    for (index, socket) in sockets.into_iter().enumerate() {
        let run = client::LockStep::new(index, socket, &payload, window, options.reply_timeout);
        runs.spawn(run.run());
    }
    let figures = collect(runs, &options).await;
    echo_server.stop();
    Ok(figures)
}

fn validate(options: &EchoOptions) -> Result<(), EchoError> {
    if options.connections == 0 {
        return Err(EchoError::InvalidOptions("connections must be at least 1"));
    }
    if options.duration.is_zero() {
        return Err(EchoError::InvalidOptions("duration must be above zero"));
    }
    if options.reply_timeout.is_zero() || options.connect_timeout.is_zero() {
        return Err(EchoError::InvalidOptions("timeouts must be above zero"));
    }
    Ok(())
}

/// Waits for every lock-step task and merges their counts and histograms.
async fn collect(mut runs: JoinSet<client::Outcome>, options: &EchoOptions) -> EchoFigures {
    let mut latencies = new_histogram();
    let mut round_trips = 0_u64;
    let mut failures = Vec::new();
    // Every task ends by the window's end plus at most one reply timeout, so this is bounded.
    while let Some(joined) = runs.join_next().await {
        match joined {
            Ok(outcome) => {
                round_trips += outcome.round_trips;
                // Same bounds on both sides, so adding cannot fail.
                let _ = latencies.add(&outcome.latencies);
                failures.extend(outcome.failure);
            }
            Err(join_error) => failures.push(ConnectionFailure::Panicked(join_error.to_string())),
        }
    }
    let micros = |value: u64| Duration::from_micros(value);
    EchoFigures {
        connections: options.connections,
        round_trips,
        elapsed: options.duration,
        round_trips_per_second: round_trips as f64 / options.duration.as_secs_f64(),
        latency_p50: micros(latencies.value_at_quantile(0.50)),
        latency_p99: micros(latencies.value_at_quantile(0.99)),
        latency_max: micros(latencies.max()),
        failures,
    }
}

/// A microsecond histogram, 3 significant digits, 1 µs to [`LATENCY_CEILING_MICROS`].
fn new_histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, LATENCY_CEILING_MICROS, 3)
        .expect("constant bounds are valid: low >= 1, high >= 2 * low, sigfig <= 5")
}
