//! A `connect` step with `at_once: true` starts every handshake before awaiting any: against a
//! gate that completes no WebSocket handshake until [`CROWD`] connections are pending (and drops
//! them all if they are not within [`GATE`]), the step passes; the same step opening its
//! actors one after the other (each handshake awaited before the next starts) cannot, which is
//! what the hostile "many connections at once" kind relies on.

use crate::support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use harness::exec::Target;
use harness::exec::markers::MarkerIndex;
use harness::report::model::Verdict;
use harness::runner::{RunOptions, run_scenario};
use tokio::net::TcpListener;

/// Connections the gate waits for.
const CROWD: usize = 5;
/// How long the gate waits for them.
const GATE: Duration = Duration::from_secs(2);

fn scenario(at_once: bool) -> String {
    let actors: String = (1..=CROWD).map(|i| format!("  a{i}: {{}}\n")).collect();
    let names: Vec<String> = (1..=CROWD).map(|i| format!("a{i}")).collect();
    format!(
        "id: dnaforge.test.connect_at_once\ntitle: t\nprotocol: dnaforge\nclause: c\nlevel: MUST\n\
         timeout: 5s\nactors:\n{actors}steps:\n  - connect: [{}]\n    at_once: {at_once}\n",
        names.join(", ")
    )
}

/// A loopback server that accepts TCP connections and completes their handshakes only once
/// [`CROWD`] are pending; if they are not within [`GATE`], it drops them unanswered.
async fn gate() -> (String, tokio::task::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        let deadline = tokio::time::Instant::now() + GATE;
        let mut pending = Vec::new();
        while pending.len() < CROWD {
            match tokio::time::timeout_at(deadline, listener.accept()).await {
                Ok(Ok((socket, _))) => pending.push(socket),
                // Too few in time: every pending handshake fails.
                _ => return,
            }
        }
        let mut open = Vec::new();
        for socket in pending {
            if let Ok(ws) = tokio_tungstenite::accept_async(socket).await {
                open.push(ws);
            }
        }
        // Held (bounded) until the client closes them.
        for mut ws in open {
            let _ = tokio::time::timeout(Duration::from_secs(5), ws.next()).await;
        }
    });
    (url, task)
}

async fn run(at_once: bool) -> (Verdict, Duration, String) {
    let (url, server) = gate().await;
    let text = scenario(at_once);
    let scenario = harness::scenario::parse_str(&text, std::path::Path::new("t.yaml")).unwrap();
    let target = Target {
        url,
        capabilities: Default::default(),
    };
    let started = Instant::now();
    let result = run_scenario(
        &scenario,
        &Arc::new(support::suite("dnaforge")),
        &target,
        &Arc::new(RunOptions::default()),
        &Arc::new(MarkerIndex::default()),
        String::new(),
    )
    .await;
    server.abort();
    (result.verdict, started.elapsed(), format!("{result:#?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_opened_at_once_are_all_pending_together() {
    let (verdict, took, result) = run(true).await;
    assert_eq!(verdict, Verdict::Pass, "{result}");
    assert!(took < GATE, "{took:?}: the gate waited for them");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_opened_one_after_the_other_never_pass_the_gate() {
    let (verdict, _, result) = run(false).await;
    assert_ne!(verdict, Verdict::Pass, "{result}");
    assert!(
        result.contains("connect"),
        "the connect step is what failed: {result}"
    );
}
