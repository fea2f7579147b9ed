//! Fuzzing the reference's decoders of client input with proptest at scale (issue 12): what
//! turns received text or bytes into a request or an error, for each protocol.
//!
//! - jobber: `Request::parse` of an event and its argument, and the handshake's `authenticate`;
//! - caas: the `SocketMessage` frame (caas-N3) through the core (connected with the dev token),
//!   the `binary` media frame header (`binary::check`, caas-N12), and `authenticate`;
//! - emprops: a text frame through the core (its JSON parse and message checks);
//! - dnaforge: `Request::parse` of a text frame;
//! - ark: `rest::parse` of a method, a path and a body.
//!
//! Property: no input panics or takes more than `SLOW_CASE`; every answer is a request or a
//! typed error. Inputs: arbitrary bytes and text, and mostly structure-aware mutations of valid
//! client messages (`fixtures/<protocol>/examples/client/`, and for ark and dnaforge, whose
//! fixtures have none, the bodies below); an event-based input is `<event>\n<JSON argument>`
//! and an ark input `<METHOD> <path>\n<body>`, so mutations reach the event and route too.
//!
//! Cases per decoder: `WSCONFORM_FUZZ_CASES` (default small); the full run is
//! `WSCONFORM_FUZZ_CASES=1000000 cargo test --release -p reference --test fuzz_decoders -- --nocapture`.
#![allow(clippy::unwrap_used)]

#[path = "../../harness/tests/fuzz_support/mod.rs"]
mod fuzz_support;

use std::path::{Path, PathBuf};

use fuzz_support::{Input, files, fuzz, input, write_seeds};
use reference::ark::rest;
use reference::{caas, dnaforge, emprops, jobber};
use serde_json::{Value, json};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// 2024-01-15T10:30:00.000Z
const T0: caas::Timestamp = caas::Timestamp::from_unix_millis(1_705_314_600_000);

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

/// Splits `<event>\n<argument>`; an argument that is not JSON is passed as a string, and an
/// absent one as `null` (what the drivers hand over when the client sent none).
fn event_and_payload(text: &str) -> (&str, Value) {
    match text.split_once('\n') {
        Some((event, rest)) => (
            event,
            serde_json::from_str(rest).unwrap_or_else(|_| Value::String(rest.to_owned())),
        ),
        None => (text, Value::Null),
    }
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
    let settings = jobber::Settings::default();
    let core = jobber::Core::new(settings, Box::new(jobber::SequentialIds::default()));
    fuzz("jobber request", file!(), input(), |input: Input| {
        let text = input.text(&corpus);
        let (event, payload) = event_and_payload(&text);
        let _ = core.authenticate(&payload);
        jobber::Request::parse(event, &payload, 64).is_ok()
    });
}

#[test]
fn caas_frames_never_panic() {
    let corpus = event_corpus("caas");
    fuzz("caas frame", file!(), input(), |input: Input| {
        let text = input.text(&corpus);
        let (event, payload) = event_and_payload(&text);
        let mut core = caas::Core::new(
            caas::Settings::default(),
            Box::new(caas::SequentialIds::default()),
        );
        let _ = core.authenticate(T0, &payload);
        let auth = json!({"token": "dev-token"});
        core.handle(T0, caas::Input::Connect { conn: 1, auth });
        let event = caas::Input::Event {
            conn: 1,
            event: event.to_owned(),
            payload,
            ack: Some(7),
        };
        let out = core.handle(T0, event);
        out.messages
            .iter()
            .any(|m| matches!(m, caas::Message::Ack { body, .. } if body["success"] == json!(true)))
    });
}

#[test]
fn caas_binary_frames_never_panic() {
    let corpus = caas_binary_corpus();
    fuzz("caas binary frame", file!(), input(), |input: Input| {
        caas::binary::check(&input.bytes(&corpus), 1 << 20).is_ok()
    });
}

#[test]
fn emprops_messages_never_panic() {
    let corpus: Vec<Vec<u8>> = client_examples("emprops")
        .iter()
        .map(|(_, v)| serde_json::to_vec_pretty(v).unwrap())
        .collect();
    fuzz("emprops message", file!(), input(), |input: Input| {
        let text = input.text(&corpus);
        let mut core = emprops::Core::new(
            emprops::Settings::default(),
            Box::new(emprops::SequentialIds::default()),
        );
        core.handle(T0, emprops::Input::Open(1));
        let out = core.handle(T0, emprops::Input::Text(1, &text));
        !out.iter().any(|o| {
            matches!(o, emprops::Output::Send { text, .. } if text.contains(r#""type":"error""#))
        })
    });
}

#[test]
fn dnaforge_requests_never_panic() {
    let corpus = dnaforge_corpus();
    fuzz("dnaforge request", file!(), input(), |input: Input| {
        dnaforge::Request::parse(&input.text(&corpus)).is_ok()
    });
}

#[test]
fn ark_requests_never_panic() {
    let corpus = ark_corpus();
    fuzz("ark request", file!(), input(), |input: Input| {
        let bytes = input.bytes(&corpus);
        let (line, body) = match bytes.iter().position(|b| *b == b'\n') {
            Some(at) => (&bytes[..at], &bytes[at + 1..]),
            None => (&bytes[..], &[][..]),
        };
        let line = String::from_utf8_lossy(line);
        let (method, path) = line.split_once(' ').unwrap_or((&line, "/"));
        rest::parse(method, path, body, 1 << 20).is_ok()
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
    let emprops: Vec<Vec<u8>> = client_examples("emprops")
        .iter()
        .map(|(_, v)| serde_json::to_vec_pretty(v).unwrap())
        .collect();
    write_seeds(&seeds.join("emprops"), &emprops);
    write_seeds(&seeds.join("dnaforge"), &dnaforge_corpus());
    write_seeds(&seeds.join("ark"), &ark_corpus());
}
