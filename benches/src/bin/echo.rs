//! `echo`: runs the echo baseline (see `benches::echo`) on a 2-worker multi-thread runtime and
//! prints its figures.
//!
//! `cargo run --release -p benches --bin echo -- --connections 100 --duration 10s`
//!
//! Exit status: 0 a clean run, 1 a connection failed during the run (figures still printed),
//! 2 usage, 3 the run could not start.

use std::process::ExitCode;
use std::time::Duration;

use benches::echo::{EchoFigures, EchoOptions, echo_baseline};
use clap::Parser;
use harness::scenario::parse_duration;

/// Raw WebSocket echo round trips per second on this machine: server and lock-step clients in
/// one process, the "physical limit" that load figures are compared with.
#[derive(Debug, Parser)]
#[command(name = "echo")]
struct Arguments {
    /// Concurrent connections, each in lock-step (send, wait for the echo, repeat).
    #[arg(long, default_value_t = 100)]
    connections: usize,
    /// Measured window (`10s`, `500ms`).
    #[arg(long, default_value = "10s", value_parser = duration)]
    duration: Duration,
    /// Run first but not counted.
    #[arg(long, default_value = "1s", value_parser = duration)]
    warm_up: Duration,
    /// Bytes of each text frame.
    #[arg(long, default_value_t = 100)]
    message_bytes: usize,
    /// Longest wait for all connections to open.
    #[arg(long, default_value = "10s", value_parser = duration)]
    connect_timeout: Duration,
    /// Longest wait for one echo before its connection counts as failed.
    #[arg(long, default_value = "5s", value_parser = duration)]
    reply_timeout: Duration,
    /// Read buffer of each WebSocket, both sides.
    #[arg(long, default_value_t = 4096)]
    read_buffer_bytes: usize,
    /// Tokio worker threads (the reference figure uses 2, the machine's cores).
    #[arg(long, default_value_t = 2)]
    worker_threads: usize,
}

fn duration(text: &str) -> Result<Duration, String> {
    parse_duration(text).ok_or_else(|| format!("`{text}` is not a duration like `10s` or `500ms`"))
}

fn main() -> ExitCode {
    let arguments = Arguments::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(arguments.worker_threads.max(1))
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("echo: cannot build the tokio runtime: {e}");
            return ExitCode::from(3);
        }
    };
    let options = EchoOptions {
        connections: arguments.connections,
        duration: arguments.duration,
        warm_up: arguments.warm_up,
        message_bytes: arguments.message_bytes,
        connect_timeout: arguments.connect_timeout,
        reply_timeout: arguments.reply_timeout,
        read_buffer_bytes: arguments.read_buffer_bytes,
    };
    match runtime.block_on(echo_baseline(options)) {
        Ok(figures) => {
            print!("{}", render(&figures, &arguments));
            if figures.failures.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(e) => {
            eprintln!("echo: {e}");
            ExitCode::from(3)
        }
    }
}

/// The figures as one block, one figure a line.
fn render(figures: &EchoFigures, arguments: &Arguments) -> String {
    let mut block = format!(
        "echo baseline: {} connections in lock-step, {} B text frames, {} worker threads\n\
         round trips      {}\n\
         elapsed          {:.3} s (after {:.3} s warm-up)\n\
         round trips/s    {:.0}\n\
         latency p50      {} µs\n\
         latency p99      {} µs\n\
         latency max      {} µs\n\
         failures         {}\n",
        figures.connections,
        arguments.message_bytes,
        arguments.worker_threads,
        figures.round_trips,
        figures.elapsed.as_secs_f64(),
        arguments.warm_up.as_secs_f64(),
        figures.round_trips_per_second,
        figures.latency_p50.as_micros(),
        figures.latency_p99.as_micros(),
        figures.latency_max.as_micros(),
        figures.failures.len(),
    );
    for failure in &figures.failures {
        block.push_str(&format!("  {failure}\n"));
    }
    block
}
