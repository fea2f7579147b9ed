//! Fuzzing the reference's decoders of client input with proptest at scale (issue 12): what
//! turns received text or bytes into a request or an error, for each protocol.
//!
//! - jobber: `authenticate`, then the event through the core (`Request::parse`, a schedule's
//!   cron pattern) and its first timer;
//! - caas: the `SocketMessage` frame (caas-N3) through the core (connected with the dev token),
//!   the `binary` media frame header (`binary::check`, caas-N12), and `authenticate`;
//! - emprops: text frames through the core, in order on one connection (JSON parse, message
//!   checks, chunk sets);
//! - dnaforge: `Request::parse` of a text frame;
//! - ark: `rest::parse` of a method, a path and a body.
//!
//! Property: no input panics or takes more than `SLOW_CASE`; every answer is a request or a
//! typed error. Inputs: arbitrary bytes and text, and mostly structure-aware mutations of valid
//! client messages (`fixtures/<protocol>/examples/client/`, and for ark and dnaforge, whose
//! fixtures have none, the bodies below). The input forms are `checks.rs`'s.
//!
//! Cases per decoder: `WSCONFORM_FUZZ_CASES` (default small); the full run is
//! `WSCONFORM_FUZZ_CASES=1000000 cargo test --release -p reference --test integration
//! fuzz_decoders:: -- --nocapture`.

#[path = "../fuzz/checks.rs"]
mod checks;
#[path = "../../harness/tests/fuzz_support/mod.rs"]
mod fuzz_support;

use std::path::{Path, PathBuf};

use fuzz_support::{Input, files, fuzz, input, write_seeds};
use serde_json::{Value, json};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The client examples of `protocol`: event name (the frame's `type` where it has one, as in
/// caas, else the file name's first part) and argument.
fn client_examples(protocol: &str) -> Vec<(String, Value)> {
    let dir = root()
        .join("fixtures")
        .join(protocol)
        .join("examples/client");
    let out: Vec<(String, Value)> = files(&dir, &[".json"])
        .iter()
        .map(|path| {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let value: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
            let event = match value.get("type").and_then(Value::as_str) {
                Some(kind) => kind.to_owned(),
                None => name.split('.').next().unwrap().to_owned(),
            };
            (event, value)
        })
        .collect();
    assert!(
        out.len() >= 10,
        "the client examples of {protocol} are the seeds"
    );
    out
}

/// `<event>\n<argument>` seeds of a socket.io protocol (binary arguments left out).
fn event_corpus(protocol: &str) -> Vec<Vec<u8>> {
    client_examples(protocol)
        .into_iter()
        .filter(|(_, v)| v.get("$binary").is_none())
        .map(|(event, v)| {
            format!("{event}\n{}", serde_json::to_string_pretty(&v).unwrap()).into_bytes()
        })
        .collect()
}

/// The emprops client messages, each alone and all in one session (registrations, chunk
/// sets and jobs build up).
fn emprops_corpus() -> Vec<Vec<u8>> {
    let mut corpus: Vec<Vec<u8>> = client_examples("emprops")
        .iter()
        .map(|(_, v)| serde_json::to_vec_pretty(v).unwrap())
        .collect();
    let session = corpus.join(&checks::MESSAGE_BREAK);
    corpus.push(session);
    corpus
}

/// The binary media frames of the caas examples (valid and malformed).
fn caas_binary_corpus() -> Vec<Vec<u8>> {
    let mut corpus = Vec::new();
    for path in files(&root().join("fixtures/caas/examples"), &[".json"]) {
        let value: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
        let hex = value
            .pointer("/$binary/hex")
            .or_else(|| value.pointer("/args/0/$binary/hex"))
            .and_then(Value::as_str);
        if let Some(hex) = hex {
            corpus.push(unhex(hex));
        }
    }
    assert!(corpus.len() >= 3);
    corpus
}

fn unhex(hex: &str) -> Vec<u8> {
    (0..hex.len() / 2)
        .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

/// dnaforge client messages (its fixtures have no examples): every request type of the
/// document, with every step config and simulation type.
fn dnaforge_corpus() -> Vec<Vec<u8>> {
    let manual = |sim: Value| {
        json!({"type": "ManualConfig", "steps": 2000, "dt": 0.005, "temperature": 30.0,
            "maxBackboneForce": 5.0, "maxBackboneForceFar": 10.0, "verletSkin": 0.15,
            "externalForces": true, "printInterval": 100, "simType": sim})
    };
    let configs = json!([
        {"type": "FileConfig", "content": "steps = 1000\ndt = 0.005\n"},
        manual(json!({"type": "MinConfig"})),
        manual(json!({"type": "McConfig", "deltaTranslation": 0.1, "deltaRotation": 0.2,
            "interactionType": "DNA", "thermostat": "john"})),
        manual(json!({"type": "MdConfig", "interactionType": "DNA2", "thermostat": "brownian"})),
    ]);
    [
        json!({"type": "WebSocketAuth", "bearerToken": "token-1"}),
        json!({"type": "JobNew", "configs": configs, "top": "2 1\n1 A -1 1\n1 T 0 -1\n",
            "dat": "t = 0\nb = 10 10 10\n", "forces": null}),
        json!({"type": "JobNew", "configs": [configs[0]], "top": "t", "dat": "d", "forces": "f"}),
        json!({"type": "JobCancel", "jobId": 3}),
        json!({"type": "JobDelete", "jobId": 0}),
        json!({"type": "JobSubscribe", "jobId": 1}),
        json!({"type": "JobSubscribe", "jobId": null}),
    ]
    .iter()
    .map(|v| serde_json::to_vec(v).unwrap())
    .collect()
}

/// ark requests (its fixtures have no client examples): every route, with a body where it
/// takes one.
fn ark_corpus() -> Vec<Vec<u8>> {
    let body = |v: Value| serde_json::to_string(&v).unwrap();
    [
        (
            "POST /agents/register",
            body(json!({"agentId": "agent-1", "hostname": "h1",
            "capabilities": {"gpu": true}, "version": "1.0.0"})),
        ),
        (
            "POST /agents/heartbeat",
            body(json!({"agentId": "agent-1", "status": "ONLINE",
            "activeJobIds": ["j1"]})),
        ),
        ("GET /agents", String::new()),
        ("GET /agents/agent-1", String::new()),
        (
            "POST /instances",
            body(json!({"name": "island", "gameType": "ASA",
            "agentId": "agent-1", "config": {"map": "TheIsland"}})),
        ),
        ("GET /instances?status=RUNNING", String::new()),
        (
            "PUT /instances/i1",
            body(json!({"name": "n", "config": {}, "status": "RUNNING"})),
        ),
        ("DELETE /instances/i1", String::new()),
        (
            "POST /instances/i1/logs",
            body(json!({"level": "INFO", "message": "started"})),
        ),
        ("GET /instances/i1/logs", String::new()),
        (
            "POST /jobs",
            body(json!({"jobType": "START_INSTANCE", "instanceId": "i1",
            "parameters": {}, "priority": 5})),
        ),
        ("GET /jobs/j1", String::new()),
        (
            "POST /jobs/progress",
            body(json!({"jobId": "j1", "jobRunId": "r1",
            "status": "RUNNING", "percent": 50, "message": "half"})),
        ),
        (
            "POST /jobs/complete",
            body(json!({"jobId": "j1", "jobRunId": "r1",
            "status": "FAILED", "result": {}, "error": "boom"})),
        ),
    ]
    .iter()
    .map(|(line, body)| format!("{line}\n{body}").into_bytes())
    .collect()
}

#[test]
fn jobber_requests_never_panic() {
    let corpus = event_corpus("jobber");
    fuzz("jobber request", file!(), input(), |i: Input| {
        checks::jobber(&i.bytes(&corpus))
    });
}

#[test]
fn caas_frames_never_panic() {
    let corpus = event_corpus("caas");
    fuzz("caas frame", file!(), input(), |i: Input| {
        checks::caas(&i.bytes(&corpus))
    });
}

#[test]
fn caas_binary_frames_never_panic() {
    let corpus = caas_binary_corpus();
    fuzz("caas binary frame", file!(), input(), |i: Input| {
        checks::caas_binary(&i.bytes(&corpus))
    });
}

#[test]
fn emprops_messages_never_panic() {
    let corpus = emprops_corpus();
    fuzz("emprops message", file!(), input(), |i: Input| {
        checks::emprops(&i.bytes(&corpus))
    });
}

#[test]
fn dnaforge_requests_never_panic() {
    let corpus = dnaforge_corpus();
    fuzz("dnaforge request", file!(), input(), |i: Input| {
        checks::dnaforge(&i.bytes(&corpus))
    });
}

#[test]
fn ark_requests_never_panic() {
    let corpus = ark_corpus();
    fuzz("ark request", file!(), input(), |i: Input| {
        checks::ark(&i.bytes(&corpus))
    });
}

/// Writes the corpora as seed files of the cargo-fuzz targets (`reference/fuzz/seeds/`).
#[test]
#[ignore = "writes files; run by hand before cargo fuzz"]
fn write_fuzz_seeds() {
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds");
    write_seeds(&seeds.join("jobber"), &event_corpus("jobber"));
    write_seeds(&seeds.join("caas"), &event_corpus("caas"));
    write_seeds(&seeds.join("caas_binary"), &caas_binary_corpus());
    write_seeds(&seeds.join("emprops"), &emprops_corpus());
    write_seeds(&seeds.join("dnaforge"), &dnaforge_corpus());
    write_seeds(&seeds.join("ark"), &ark_corpus());
}
