//! `idle_connections`: the reference server's memory per idle connection.
//!
//! Starts the reference server alone in a child process (this binary re-run with `--serve`),
//! reads its URL from the child's stdout, samples the child's `VmRSS`, opens `--connections`
//! idle connections from this process (at most `--concurrency` handshakes at once), samples
//! again once the value is stable, and prints the growth per connection. Linux only (`/proc`).
//!
//! ```sh
//! cargo run --release -p benches --bin idle_connections -- --protocol jobber --connections 10000
//! ```
//!
//! The child serves one protocol on 127.0.0.1:0 with the suite's settings
//! (`Protocol::suite_settings`) and any `--setting name=value`. Each connection holds one file
//! descriptor in each process, so `--connections` must stay below `ulimit -n`.

mod clients;
mod rss;
mod server;

use anyhow::{Context, bail};
use clap::Parser;
use clients::Client;
use futures_util::StreamExt;
use rss::{Reading, Settle};
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::io::AsyncBufReadExt;
use tokio::process::{Child, Command};
use tokio::time::Instant;

/// Measures the reference server's RSS per idle connection.
#[derive(Debug, Parser)]
struct Args {
    /// The protocol to serve and connect to (`ark`, `jobber`).
    #[arg(long)]
    protocol: String,
    /// Idle connections to open.
    #[arg(long, default_value_t = 10_000)]
    connections: usize,
    /// Handshakes in flight at once.
    #[arg(long, default_value_t = 64)]
    concurrency: usize,
    /// A server setting, `<name>=<value>` (e.g. `max_message_bytes=65536`); repeatable.
    #[arg(long = "setting", value_name = "NAME=VALUE")]
    settings: Vec<String>,
    /// Deadline of one connection's handshake, in seconds.
    #[arg(long, default_value_t = 10)]
    connect_timeout_secs: u64,
    /// Deadline for the server to print its URL, and to exit at the end, in seconds.
    #[arg(long, default_value_t = 30)]
    server_timeout_secs: u64,
    /// Time between two RSS samples, in milliseconds.
    #[arg(long, default_value_t = 500)]
    sample_every_ms: u64,
    /// Consecutive samples within 1 % of each other that make a stable reading.
    #[arg(long, default_value_t = 4)]
    stable_samples: usize,
    /// Longest wait for a stable reading, in seconds.
    #[arg(long, default_value_t = 60)]
    settle_timeout_secs: u64,
    /// Run the server under this program (e.g. `heaptrack`, to see what holds the memory);
    /// the RSS figures are then the wrapper's process, not the server alone.
    #[arg(long, value_name = "PROGRAM")]
    server_wrapper: Option<String>,
    /// Internal: be the server process.
    #[arg(long, hide = true)]
    serve: bool,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if args.serve {
        return server::run(&args.protocol, &args.settings);
    }
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    runtime.block_on(measure(&args))
}

async fn measure(args: &Args) -> anyhow::Result<()> {
    let server_timeout = Duration::from_secs(args.server_timeout_secs);
    let (mut child, url) = spawn_server(args, server_timeout).await?;
    let pid = child.id().context("the server exited")?;
    let client = Client::for_protocol(&args.protocol, &url)?;
    let settle = Settle {
        every: Duration::from_millis(args.sample_every_ms),
        samples: args.stable_samples.max(2),
        tolerance: 0.01,
        timeout: Duration::from_secs(args.settle_timeout_secs),
    };
    let before = rss::settle(pid, settle).await?;
    let closed = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let (idle, failures) = open(args, &client, &closed).await;
    let connect_time = started.elapsed();
    let after = rss::settle(pid, settle).await?;
    let open_now = idle.len() - closed.load(Ordering::Relaxed);
    report(
        args,
        &url,
        before,
        after,
        idle.len(),
        open_now,
        connect_time,
    );
    if let Some(first) = failures.first() {
        println!("{} failed to connect; the first: {first:#}", failures.len());
    }
    for task in &idle {
        task.abort();
    }
    drop(child.stdin.take());
    if tokio::time::timeout(server_timeout, child.wait())
        .await
        .is_err()
    {
        child.kill().await.context("stopping the server")?;
    }
    if idle.is_empty() {
        bail!("no connection was established");
    }
    Ok(())
}

/// Starts this binary as the server; returns it and the URL it printed.
async fn spawn_server(args: &Args, timeout: Duration) -> anyhow::Result<(Child, String)> {
    let exe = std::env::current_exe().context("finding this executable")?;
    let mut command = match &args.server_wrapper {
        Some(wrapper) => {
            let mut command = Command::new(wrapper);
            command.arg(exe);
            command
        }
        None => Command::new(exe),
    };
    command.args(["--serve", "--protocol", &args.protocol]);
    for setting in &args.settings {
        command.args(["--setting", setting]);
    }
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .context("starting the server process")?;
    let stdout = child.stdout.take().context("no server stdout")?;
    let mut lines = tokio::io::BufReader::new(stdout).lines();
    // A wrapper may print lines of its own first.
    let url = tokio::time::timeout(timeout, async {
        loop {
            let line = lines.next_line().await?.context("the server exited")?;
            if let Some(url) = line.strip_prefix("listening ") {
                return anyhow::Ok(url.to_owned());
            }
        }
    })
    .await
    .context("the server printed no URL in time")??;
    Ok((child, url))
}

/// Opens the connections, `args.concurrency` at a time; each established one is kept by an
/// idle task. Returns the tasks and the failures.
async fn open(
    args: &Args,
    client: &Client,
    closed: &Arc<AtomicUsize>,
) -> (Vec<tokio::task::JoinHandle<()>>, Vec<anyhow::Error>) {
    let timeout = Duration::from_secs(args.connect_timeout_secs);
    let mut attempts = futures_util::stream::iter(0..args.connections)
        .map(|_| client.connect(timeout))
        .buffer_unordered(args.concurrency.max(1));
    let mut idle = Vec::with_capacity(args.connections);
    let mut failures = Vec::new();
    while let Some(attempt) = attempts.next().await {
        match attempt {
            Ok(ws) => idle.push(tokio::spawn(clients::idle(ws, Arc::clone(closed)))),
            Err(e) => failures.push(e),
        }
    }
    (idle, failures)
}

fn report(
    args: &Args,
    url: &str,
    before: Reading,
    after: Reading,
    established: usize,
    open_now: usize,
    connect_time: Duration,
) {
    let mib = |bytes: u64| bytes as f64 / (1024.0 * 1024.0);
    let stable = |r: Reading| if r.stable { "stable" } else { "NOT stable" };
    println!(
        "{} at {url}: {established} of {} connections established in {:.1} s, {open_now} \
         still open at the last sample",
        args.protocol,
        args.connections,
        connect_time.as_secs_f64(),
    );
    println!(
        "server VmRSS: {:.1} MiB before ({}), {:.1} MiB after ({}); settings: {}",
        mib(before.bytes),
        stable(before),
        mib(after.bytes),
        stable(after),
        if args.settings.is_empty() {
            "suite defaults".to_owned()
        } else {
            args.settings.join(" ")
        },
    );
    if established > 0 {
        let growth = after.bytes.saturating_sub(before.bytes);
        let per = growth as f64 / established as f64;
        println!(
            "per idle connection: {:.1} KiB ({per:.0} bytes)",
            per / 1024.0
        );
    }
}
