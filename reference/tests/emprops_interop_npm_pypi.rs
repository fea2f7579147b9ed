//! Interop: the reference emprops hub driven by the plain WebSocket clients people actually use,
//! ws (npm) and websockets (PyPI), over 127.0.0.1 with port 0.
//!
//! Each client runs the document's complete job flow (`tests/interop/<client>/emprops_flow.*`)
//! with three connections, a job client, a worker and a monitor: registrations, the monitor's
//! stats and notification subscriptions, `submit_job` → `job_available` → `claim_job` →
//! `job_assigned` → `job_accepted_by_worker` → progress 25/50/75 → `complete_job`, then the
//! job's status, the hub's stats, a `ping` and a `disconnect`. The script checks every message
//! it receives against `scenarios/emprops/NOTES.md` (type, fixed fields, no field the notes do
//! not name) and exits non-zero at the first mismatch; it prints one JSON line with the message
//! types each connection received, which this test compares with the flow. The clients are
//! installed, pinned, by `.ci/install-interop-clients`; a test without them fails and says so.

use crate::interop_support;

use interop_support::{interop, json_output, require};
use reference::emprops::Settings;
use reference::net::emprops::EmpropsServer;
use serde_json::{Value, json};
use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;
use tokio::process::Command;

/// The scripts give up after 30 s (3 × their 10 s wait); this bounds the process too.
const WAIT: Duration = Duration::from_secs(40);

/// What `.ci/install-interop-clients` installs for this test.
const CLIENTS: &str = "ws from npm and websockets from PyPI";

/// Starts a fresh hub (default settings, port 0), runs `command` with its `ws://` URL and
/// returns the JSON line the flow printed.
async fn flow(mut command: Command) -> Value {
    let settings = Settings {
        port: 0,
        ..Settings::default()
    };
    let server = EmpropsServer::start(IpAddr::V4(Ipv4Addr::LOCALHOST), settings)
        .await
        .unwrap();
    command.arg(format!("ws://{}/", server.addr()));
    let seen = json_output(command, WAIT).await;
    server.shutdown().await;
    seen
}

/// What every client's flow must have received, per connection, in order.
fn assert_complete_flow(seen: &Value) {
    let progress = ["job_update", "job_update", "job_update"];
    let mut client = vec![
        "connection_established",
        "client_registered",
        "job_accepted",
    ];
    client.push("job_update"); // assigned
    client.extend(progress);
    client.extend(["job_completed", "response_job_status", "pong"]);
    let mut monitor = vec![
        "connection_established",
        "client_registered",
        "subscription_confirmed",
        "job_notifications_subscribed",
        "job_update", // queued
        "job_update", // assigned
    ];
    monitor.extend(progress);
    monitor.extend(["job_completed", "system_status", "subscription_confirmed"]);
    let worker = [
        "connection_established",
        "worker_registered",
        "job_available",
        "job_assigned",
        "ack",
        "job_completed_ack",
    ];
    let expected = json!({ "client": client, "monitor": monitor, "worker": worker });
    assert_eq!(seen["seen"], expected, "{seen}");
    assert!(
        seen["job_id"].as_str().unwrap().starts_with("job-"),
        "{seen}"
    );
    let summary = seen["summary"].as_str().unwrap();
    assert!(summary.contains("passed, 28 messages checked"), "{seen}");
    println!("{summary}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ws_from_npm_runs_the_complete_job_flow() {
    require("node/node_modules/ws", CLIENTS);
    let mut node = Command::new("node");
    node.arg(interop("node/emprops_flow.mjs"));
    assert_complete_flow(&flow(node).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn websockets_from_pypi_runs_the_complete_job_flow() {
    require("python/site/websockets", CLIENTS);
    let mut python = Command::new("python3");
    python
        .arg(interop("python/emprops_flow.py"))
        .env("PYTHONPATH", interop("python/site"));
    assert_complete_flow(&flow(python).await);
}
