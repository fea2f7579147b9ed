//! The harness against a caas server that is not ours: a small implementation on the npm
//! `socket.io` server (`tests/data/caas_node_server/`, pinned with the interop clients and
//! installed by `.ci/install-interop-clients`), run as a separate process on 127.0.0.1, port 0,
//! and judged by the `wsconform` binary over a chosen list of caas scenarios.
//!
//! Without a fault every chosen scenario passes; with each planted fault (`--fault NAME`)
//! exactly the scenarios that exercise it fail, each at its expected step and JSON path, and
//! the rest still pass: the suite catches a foreign server's faults and nothing else.
#![allow(clippy::unwrap_used)]

mod support;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::Value;
use support::cli::{run_within, wsconform};

/// How long the Node server may take to print its port.
const READY_WITHIN: Duration = Duration::from_secs(30);

/// One run of the chosen scenarios, one at a time (the profile's default on a shared target).
const RUN_WITHIN: Duration = Duration::from_secs(240);

/// The typing timeout the suite expects (caas-N9: the suite's 500 ms).
const TYPING_TIMEOUT_MS: &str = "500";

/// The scenarios this small server implements correctly.
const CHOSEN: &[&str] = &[
    "caas.auth.invalid_token",
    "caas.conversation.join_ack",
    "caas.conversation.other_tenant_forbidden",
    "caas.message.send_ack",
    "caas.message.fanout",
    "caas.isolation.tenants",
    "caas.binary.relay",
];

/// Where a fault must make a scenario fail: its id, the failing step's `file:line` and the
/// start of the JSON path of the first mismatch (or of a schema finding).
struct Caught {
    scenario: &'static str,
    at: &'static str,
    path: &'static str,
}

/// Each fault and the scenarios it must fail; every other chosen scenario must pass.
const FAULTS: &[(&str, &[Caught])] = &[
    (
        "ack-shape",
        &[Caught {
            scenario: "caas.message.send_ack",
            at: "message-send-ack.yaml:",
            path: "$.args[0]",
        }],
    ),
    (
        "no-fanout",
        &[Caught {
            scenario: "caas.message.fanout",
            at: "message-fanout.yaml:",
            path: "",
        }],
    ),
    (
        "tenant-leak",
        &[Caught {
            scenario: "caas.isolation.tenants",
            at: "isolation-tenants.yaml:",
            path: "",
        }],
    ),
    (
        "corrupt-attachment",
        &[Caught {
            scenario: "caas.binary.relay",
            at: "binary-relay.yaml:",
            path: "$.args[0]",
        }],
    ),
];

/// The Node server, killed (by its pid) when dropped.
struct NodeServer {
    child: Child,
    url: String,
}

impl Drop for NodeServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn interop_node_modules() -> PathBuf {
    support::root().join("reference/tests/interop/node/node_modules")
}

/// Starts the server with `fault` planted (if any); returns once it printed its port.
fn start(fault: Option<&str>) -> NodeServer {
    let socket_io = interop_node_modules().join("socket.io");
    assert!(
        socket_io.exists(),
        "{} is missing: run .ci/install-interop-clients (socket.io from npm, pinned)",
        socket_io.display()
    );
    let script = support::root().join("harness/tests/data/caas_node_server/server.mjs");
    let mut command = Command::new("node");
    command
        .arg(script)
        .args(["--typing-timeout-ms", TYPING_TIMEOUT_MS]);
    if let Some(fault) = fault {
        command.args(["--fault", fault]);
    }
    let mut child = command.stdout(Stdio::piped()).spawn().unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    let line = rx
        .recv_timeout(READY_WITHIN)
        .expect("the Node server printed its port");
    let port: u16 = line
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("not a port: {line:?}"));
    NodeServer {
        child,
        url: format!("http://127.0.0.1:{port}"),
    }
}

/// Runs the chosen scenarios against `server`; returns each one's result from the JSON report.
fn judge(server: &NodeServer, report_dir: &Path) -> BTreeMap<String, Value> {
    let report = report_dir.join("report.json");
    let mut command = wsconform();
    command
        .arg("run")
        .args(["--target", &format!("caas={}", server.url)])
        .args(["--report", &format!("json={}", report.display())]);
    for id in CHOSEN {
        command.args(["--scenario", id]);
    }
    let finished = run_within(command, RUN_WITHIN);
    assert!(
        matches!(finished.code(), Some(0 | 4)),
        "{}",
        finished.shown()
    );
    let report: Value = serde_json::from_str(&std::fs::read_to_string(report).unwrap()).unwrap();
    let results: BTreeMap<String, Value> = report["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["id"].as_str().unwrap().to_owned(), s.clone()))
        .collect();
    let ran: Vec<&str> = results.keys().map(String::as_str).collect();
    let mut chosen = CHOSEN.to_vec();
    chosen.sort_unstable();
    assert_eq!(ran, chosen, "{}", finished.shown());
    results
}

/// The failure points of a failed scenario: each failed check's `at` and path, then each
/// finding's path (at the scenario's file).
fn failure_points(result: &Value) -> Vec<(String, String)> {
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    let empty = Vec::new();
    let checks = result["checks"].as_array().unwrap_or(&empty);
    let failed = checks.iter().filter(|c| c["verdict"] == "fail");
    let mut points: Vec<(String, String)> = failed.map(|c| (text(&c["at"]), text(&c["path"]))).collect();
    let findings = result["findings"].as_array().unwrap_or(&empty);
    points.extend(findings.iter().map(|f| (text(&result["file"]), text(&f["path"]))));
    points
}

/// Runs the server with `fault` and checks the verdicts are exactly those `caught` says.
fn assert_verdicts(fault: Option<&str>, caught: &[Caught]) {
    let server = start(fault);
    let dir = tempfile::tempdir().unwrap();
    let results = judge(&server, dir.path());
    for (id, result) in &results {
        let expected = caught.iter().find(|c| c.scenario == id);
        let shown = serde_json::to_string_pretty(result).unwrap();
        let Some(expected) = expected else {
            assert_eq!(result["verdict"], "pass", "{fault:?}: {shown}");
            continue;
        };
        assert_eq!(result["verdict"], "fail", "{fault:?}: {shown}");
        let points = failure_points(result);
        assert!(
            points
                .iter()
                .any(|(at, path)| at.contains(expected.at) && path.starts_with(expected.path)),
            "{fault:?}: {id} did not fail at {} {}: {points:?}\n{shown}",
            expected.at,
            expected.path
        );
    }
}

#[test]
fn without_a_fault_every_chosen_scenario_passes() {
    assert_verdicts(None, &[]);
}

#[test]
fn a_wrong_ack_shape_fails_exactly_the_scenarios_that_read_the_ack() {
    assert_verdicts(Some("ack-shape"), caught("ack-shape"));
}

#[test]
fn no_fan_out_fails_exactly_the_scenarios_where_another_member_must_hear() {
    assert_verdicts(Some("no-fanout"), caught("no-fanout"));
}

#[test]
fn a_tenant_leak_fails_exactly_the_isolation_scenarios() {
    assert_verdicts(Some("tenant-leak"), caught("tenant-leak"));
}

#[test]
fn a_corrupted_attachment_fails_exactly_the_binary_relay_scenarios() {
    assert_verdicts(Some("corrupt-attachment"), caught("corrupt-attachment"));
}

fn caught(fault: &str) -> &'static [Caught] {
    FAULTS
        .iter()
        .find(|(name, _)| *name == fault)
        .map(|(_, caught)| *caught)
        .unwrap()
}
