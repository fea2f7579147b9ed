//! The harness against a caas server that is not ours: a small implementation on the npm
//! `socket.io` server (`tests/data/caas_node_server/`, pinned with the interop clients and
//! installed by `.ci/install-interop-clients`), run as a separate process on 127.0.0.1, port 0,
//! and judged by the `wsconform` binary over a chosen list of caas scenarios.
//!
//! Without a fault every chosen scenario passes; with each planted fault (`--fault NAME`)
//! exactly the scenarios that exercise it fail, each at its expected step and JSON path, and
//! the rest still pass: the suite catches a foreign server's faults and nothing else.

use crate::support;

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

/// The largest media frame the suite expects (caas-N12: the suite's 65,536 bytes).
const MAX_BINARY_BYTES: &str = "65536";

/// The scenarios this small server implements correctly (it has no calls and no rate limit).
const CHOSEN: &[&str] = &[
    "caas.connect.auth_invalid",
    "caas.connect.auth_required",
    "caas.connect.token_expired",
    "caas.conversation.join_leave",
    "caas.message.send",
    "caas.error.unknown_event",
    "caas.typing.start_stop",
    "caas.presence.update",
    "caas.isolation.tenant",
    "caas.binary.relay",
    "caas.binary.malformed",
    "caas.binary.not_member",
    "caas.binary.oversize",
];

/// Where a fault must make a scenario fail first: the scenario, the failing step's
/// `file:line`, the actor, and the JSON path of the mismatch (`None`: nothing arrived, or
/// something arrived that must not).
struct Caught {
    scenario: &'static str,
    at: &'static str,
    actor: &'static str,
    path: Option<&'static str>,
}

const fn caught(
    scenario: &'static str,
    at: &'static str,
    actor: &'static str,
    path: Option<&'static str>,
) -> Caught {
    Caught {
        scenario,
        at,
        actor,
        path,
    }
}

/// The `message:send` ack read as `{success, messageId, timestamp}`.
const SEND_ACK: Option<&str> = Some("$.args[0].success");

/// Each fault and the scenarios it must fail; every other chosen scenario must pass.
const FAULTS: &[(&str, &[Caught])] = &[
    (
        "ack-shape",
        &[
            caught(
                "caas.conversation.join_leave",
                "conversation-join-leave.yaml:45",
                "alice",
                SEND_ACK,
            ),
            caught(
                "caas.message.send",
                "message-send.yaml:37",
                "alice",
                SEND_ACK,
            ),
            caught(
                "caas.isolation.tenant",
                "isolation-tenant.yaml:71",
                "alice",
                SEND_ACK,
            ),
        ],
    ),
    (
        "no-fanout",
        &[
            caught(
                "caas.conversation.join_leave",
                "conversation-join-leave.yaml:48",
                "bob",
                None,
            ),
            caught("caas.message.send", "message-send.yaml:40", "bob", None),
            caught(
                "caas.isolation.tenant",
                "isolation-tenant.yaml:74",
                "bob",
                None,
            ),
        ],
    ),
    (
        "tenant-leak",
        // carol's `absent` expectation: alice's message reached her.
        &[caught(
            "caas.isolation.tenant",
            "isolation-tenant.yaml:164",
            "carol",
            None,
        )],
    ),
    (
        "corrupt-attachment",
        &[
            caught(
                "caas.binary.relay",
                "binary-relay.yaml:45",
                "bob",
                Some(HEX),
            ),
            caught(
                "caas.binary.malformed",
                "binary-malformed.yaml:131",
                "bob",
                Some(HEX),
            ),
            // Its one frame under the limit, relayed after the refused one.
            caught(
                "caas.binary.oversize",
                "binary-oversize.yaml:1080",
                "bob",
                Some(HEX),
            ),
        ],
    ),
];

/// The relayed bytes, as the binary view shows them.
const HEX: &str = r#"$.args[0]["$binary"].hex"#;

/// The Node server (the child this test started), killed when dropped.
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
        .args(["--typing-timeout-ms", TYPING_TIMEOUT_MS])
        .args(["--max-binary-bytes", MAX_BINARY_BYTES]);
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

/// Runs the chosen scenarios against `server`, which must exit `code`; returns each one's
/// result from the JSON report.
fn judge(server: &NodeServer, report_dir: &Path, code: i32) -> BTreeMap<String, Value> {
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
    assert_eq!(finished.code(), Some(code), "{}", finished.shown());
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

/// Runs the server with `fault` and checks the verdicts are exactly those `caught` says: the
/// scenarios it names fail first where it says, every other chosen one passes.
fn assert_verdicts(fault: Option<&str>, caught: &[Caught]) {
    let server = start(fault);
    let dir = tempfile::tempdir().unwrap();
    let code = if caught.is_empty() { 0 } else { 4 };
    let results = judge(&server, dir.path(), code);
    for (id, result) in &results {
        let shown = serde_json::to_string_pretty(result).unwrap();
        let Some(expected) = caught.iter().find(|c| c.scenario == id) else {
            assert_eq!(result["verdict"], "pass", "{fault:?}: {shown}");
            continue;
        };
        assert_eq!(result["verdict"], "fail", "{fault:?}: {shown}");
        let failure = &result["failure"];
        let at = failure["at"].as_str().unwrap_or_default();
        assert!(
            at.ends_with(&format!("/{}", expected.at)),
            "{fault:?}: {id} failed first at {at}, not {}\n{shown}",
            expected.at
        );
        assert_eq!(failure["actor"], expected.actor, "{fault:?}: {shown}");
        assert_eq!(
            failure["path"].as_str(),
            expected.path,
            "{fault:?}: {shown}"
        );
    }
}

#[test]
fn without_a_fault_every_chosen_scenario_passes() {
    assert_verdicts(None, &[]);
}

#[test]
fn a_wrong_ack_shape_fails_exactly_the_scenarios_that_read_the_ack() {
    assert_verdicts(Some("ack-shape"), caught_by("ack-shape"));
}

#[test]
fn no_fan_out_fails_exactly_the_scenarios_where_another_member_must_hear() {
    assert_verdicts(Some("no-fanout"), caught_by("no-fanout"));
}

#[test]
fn a_tenant_leak_fails_exactly_the_isolation_scenarios() {
    assert_verdicts(Some("tenant-leak"), caught_by("tenant-leak"));
}

#[test]
fn a_corrupted_attachment_fails_exactly_the_binary_relay_scenarios() {
    assert_verdicts(Some("corrupt-attachment"), caught_by("corrupt-attachment"));
}

fn caught_by(fault: &str) -> &'static [Caught] {
    FAULTS
        .iter()
        .find(|(name, _)| *name == fault)
        .map(|(_, caught)| *caught)
        .unwrap()
}
