//! Interop: the reference jobber server driven by the socket.io clients people actually use,
//! socket.io-client (npm, the reference implementation) and python-socketio (PyPI), over
//! 127.0.0.1 with port 0, on both paths (J1).
//!
//! Each client runs one scripted session (`tests/interop/<client>/jobber_session.*`): a refused
//! connect, `client_ready`, register a worker, send a job, get it as `work_request`, complete it,
//! read it back, and (socket.io-client) 100 `send_job` acks in flight at once. The script prints
//! what it saw as one JSON object and these tests judge it. The clients are installed, pinned, by
//! `.ci/install-interop-clients`; a test without them fails and says so.

use crate::interop_support;
use crate::jobber_server;

use interop_support::{interop, json_output, require};
use reference::jobber::DEV_TOKEN;
use reference::net::jobber::PATHS;
use serde_json::{Value, json};
use std::collections::HashSet;
use std::time::Duration;
use tokio::process::Command;

/// The scripts give up after 10 s (30 s for python's whole run); this bounds the process too.
const WAIT: Duration = Duration::from_secs(40);

/// What `.ci/install-interop-clients` installs for this test.
const CLIENTS: &str = "socket.io-client from npm and python-socketio from PyPI";

/// The `send_job` emits socket.io-client keeps in flight at once.
const PIPELINED: usize = 100;

/// Starts a fresh server, runs `command` with `<base url> <path> <token>` and returns the JSON
/// the session printed.
async fn session(mut command: Command, path: &str) -> Value {
    let server = jobber_server::start().await;
    let base = format!("http://{}", server.addr());
    command.args([base.as_str(), &format!("{path}/"), DEV_TOKEN]);
    let seen = json_output(command, WAIT).await;
    server.shutdown().await;
    seen
}

/// What every client's session must have seen.
fn assert_job_round_trip(seen: &Value) {
    assert_eq!(seen["refused"]["message"], "INVALID_TOKEN", "{seen}");
    assert!(seen["ready"]["customerId"].is_string(), "{seen}");
    assert_eq!(seen["register"], json!({}), "{seen}");
    let job_id = seen["send"]["jobId"]
        .as_str()
        .expect("send_job acked a jobId");
    assert_eq!(seen["work"]["id"], job_id, "{seen}");
    assert_eq!(seen["work"]["state"], "active", "{seen}");
    assert_eq!(seen["work"]["data"], json!({ "n": 1 }), "{seen}");
    assert_eq!(seen["get"]["job"]["id"], job_id, "{seen}");
    assert_eq!(seen["get"]["job"]["state"], "completed", "{seen}");
    assert!(seen["get"]["job"]["completedAt"].is_string(), "{seen}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn socket_io_client_from_npm_runs_a_session_on_both_paths() {
    require("node/node_modules/socket.io-client", CLIENTS);
    for path in PATHS {
        let mut node = Command::new("node");
        node.arg(interop("node/jobber_session.mjs"));
        let seen = session(node, path).await;
        assert_job_round_trip(&seen);
        let ids: Vec<&str> = seen["pipelined"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
            .collect();
        assert_eq!(ids.len(), PIPELINED, "{seen}");
        assert_eq!(
            ids.iter().collect::<HashSet<_>>().len(),
            PIPELINED,
            "{seen}"
        );
        assert_eq!(seen["size"]["queueSize"]["waiting"], PIPELINED, "{seen}");
        assert_eq!(seen["size"]["queueSize"]["completed"], 1, "{seen}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_socketio_from_pypi_runs_a_session_on_both_paths() {
    require("python/site/socketio", CLIENTS);
    for path in PATHS {
        let mut python = Command::new("python3");
        python
            .arg(interop("python/jobber_session.py"))
            .env("PYTHONPATH", interop("python/site"));
        let seen = session(python, path).await;
        assert_job_round_trip(&seen);
        let size = json!({ "waiting": 0, "active": 0, "completed": 1, "failed": 0 });
        assert_eq!(seen["size"]["queueSize"], size, "{seen}");
    }
}
