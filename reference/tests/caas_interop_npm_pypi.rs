//! Interop: the reference caas server driven by the socket.io clients people actually use,
//! socket.io-client (npm) and python-socketio (PyPI), over 127.0.0.1 with port 0, with the
//! suite's users (caas-N2: alice and bob of tenant t1, carol of t2).
//!
//! Each client runs one scripted session (`tests/interop/<client>/caas_client.*`): a refused
//! connect (`AUTH_INVALID`), alice and bob join one conversation, carol of another tenant is
//! refused it (`FORBIDDEN`), alice's `message:send` is acked with its `messageId` and reaches
//! both as `message:new`, and a binary attachment (caas-N12) reaches bob byte for byte. The
//! script checks every frame and ack exactly and exits non-zero at the first mismatch; it prints
//! the checks it passed, which this test compares. The clients are installed, pinned, by
//! `.ci/install-interop-clients`; a test without them fails and says so.

use crate::interop_support;

use interop_support::{interop, json_output, require};
use reference::net::caas::CaasServer;
use reference::serve::Config;
use serde_json::{Value, json};
use std::time::Duration;
use tokio::process::Command;

/// The scripts give up after 30 s (3 × their 10 s wait); this bounds the process too.
const WAIT: Duration = Duration::from_secs(40);

/// What `.ci/install-interop-clients` installs for this test.
const CLIENTS: &str = "socket.io-client from npm and python-socketio from PyPI";

/// Starts a fresh server with the suite's settings (its users) on port 0, runs `command` with
/// its base URL and returns the JSON line the session printed.
async fn session(mut command: Command) -> Value {
    let mut config = Config::default();
    config.apply_suite_settings("caas").unwrap();
    let settings = reference::caas::Settings {
        port: 0,
        ..config.caas
    };
    let server = CaasServer::start(config.host, settings).await.unwrap();
    command.arg(format!("http://{}", server.addr()));
    let seen = json_output(command, WAIT).await;
    server.shutdown().await;
    seen
}

/// What every client's session must have passed, in order.
fn assert_session(seen: &Value) {
    let passed = [
        "auth_invalid",
        "join",
        "forbidden",
        "message",
        "binary",
        "nothing_else",
    ];
    assert_eq!(seen["passed"], json!(passed), "{seen}");
    assert!(seen["messageId"].is_string(), "{seen}");
    assert!(seen["binaryLength"].as_u64().unwrap() > 316, "{seen}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn socket_io_client_from_npm_sends_messages_and_a_binary_attachment() {
    require("node/node_modules/socket.io-client", CLIENTS);
    let mut node = Command::new("node");
    node.arg(interop("node/caas_client.mjs"));
    assert_session(&session(node).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_socketio_from_pypi_sends_messages_and_a_binary_attachment() {
    require("python/site/socketio", CLIENTS);
    let mut python = Command::new("python3");
    python
        .arg(interop("python/caas_client.py"))
        .env("PYTHONPATH", interop("python/site"));
    assert_session(&session(python).await);
}
