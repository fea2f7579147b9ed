//! Interop: the reference dnaforge server driven by the plain WebSocket clients people actually
//! use, ws (npm, with Node's fetch for HTTP) and websockets (PyPI, with urllib), over 127.0.0.1
//! with port 0.
//!
//! Each client runs the document's flow (`tests/interop/<client>/dnaforge_flow.*`): `GET /auth`
//! refused (wrong and missing `Authorization`: 401, empty body) then granted; a socket whose
//! `JobNew` before auth is ignored and whose wrong bearer token is refused before the right one
//! succeeds with an empty `JobList`; a second client; a `JobNew` of three configs (a
//! `FileConfig`, a `ManualConfig` with `MinConfig`, one with `McConfig` from Python or
//! `MdConfig` from Node) whose `JobUpdate`s both sockets see from NEW to DONE while only the
//! subscriber gets each step's `DetailedUpdate`; its delete seen by both; and the closed
//! socket's token refused on a new socket. The script checks every message exactly against
//! `scenarios/dnaforge/NOTES.md` and exits non-zero at the first mismatch; it prints one JSON line
//! with the steps it checked, the message types each socket received and the jobs of its
//! `JobUpdate`s, which this test compares with the flow. The clients are installed, pinned, by
//! `.ci/install-interop-clients`; a test without them fails and says so.

use crate::interop_support;

use interop_support::{interop, json_output, require};
use reference::dnaforge::Settings;
use reference::net::dnaforge::DnaforgeServer;
use serde_json::{Value, json};
use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;
use tokio::process::Command;

/// The scripts give up after 30 s (3 × their 10 s wait); this bounds the process too.
const WAIT: Duration = Duration::from_secs(40);

/// What `.ci/install-interop-clients` installs for this test.
const CLIENTS: &str = "ws from npm and websockets from PyPI";

/// The access token `GET /auth` expects (dnaforge-N2).
const ACCESS_TOKEN: &str = "dnaforge-interop-access";

/// Starts a fresh server (authentication on, 20 ms steps, port 0), runs `command` with its
/// `http://` URL and the access token and returns the JSON line the flow printed.
async fn flow(mut command: Command) -> Value {
    let settings = Settings {
        port: 0,
        access_token: Some(ACCESS_TOKEN.to_owned()),
        step_duration: Duration::from_millis(20),
        ..Settings::default()
    };
    let server = DnaforgeServer::start(IpAddr::V4(Ipv4Addr::LOCALHOST), settings)
        .await
        .unwrap();
    command.args([format!("http://{}", server.addr()).as_str(), ACCESS_TOKEN]);
    let seen = json_output(command, WAIT).await;
    server.shutdown().await;
    seen
}

/// What every client's flow must have checked and received, in order.
fn assert_document_flow(seen: &Value) {
    let steps = [
        "auth refused: 401, empty body",
        "auth granted: AuthResponse",
        "wrong bearer token: success false",
        "right bearer token: success true, JobList empty",
        "second client: success true, JobList empty",
        "job 0 NEW to DONE seen by both, DetailedUpdate to the subscriber",
        "job 0 deleted: job null to both",
        "closed socket's token: success false",
    ];
    assert_eq!(seen["steps"], json!(steps), "{seen}");
    let update = "JobUpdate";
    let detail = "DetailedUpdate";
    let mut first = vec!["WebSocketAuthResponse", "WebSocketAuthResponse", "JobList"];
    first.extend([
        update, update, update, detail, update, detail, update, detail, update,
    ]);
    let mut second = vec!["WebSocketAuthResponse", "JobList"];
    second.extend([update; 6]);
    let expected = json!({ "first": first, "second": second, "again": ["WebSocketAuthResponse"] });
    assert_eq!(seen["seen"], expected, "{seen}");
    let run = [
        "NEW 0/3",
        "RUNNING 0/3",
        "RUNNING 1/3",
        "RUNNING 2/3",
        "DONE 3/3",
        "deleted",
    ];
    assert_eq!(
        seen["jobs"],
        json!({ "first": run, "second": run }),
        "{seen}"
    );
    let summary = seen["summary"].as_str().unwrap();
    assert!(
        summary.contains("passed, 21 messages checked on 3 sockets"),
        "{seen}"
    );
    println!("{summary}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ws_from_npm_runs_the_document_flow() {
    require("node/node_modules/ws", CLIENTS);
    let mut node = Command::new("node");
    node.arg(interop("node/dnaforge_flow.mjs"));
    assert_document_flow(&flow(node).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn websockets_from_pypi_runs_the_document_flow() {
    require("python/site/websockets", CLIENTS);
    let mut python = Command::new("python3");
    python
        .arg(interop("python/dnaforge_flow.py"))
        .env("PYTHONPATH", interop("python/site"));
    assert_document_flow(&flow(python).await);
}
