//! Fuzzing the harness's parsers with proptest at scale (issue 12): the scenario YAML parser,
//! the Engine.IO / socket.io codec and the binary view decoder.
//!
//! Properties: no input makes a parser panic or take more than `SLOW_CASE`; the socket.io codec
//! round-trips (a decoded packet encodes to frames that decode to it again; a generated valid
//! packet decodes to itself, and the client's hot-path `encode_event` / `encode_ack` write what
//! `encode_text` writes); a binary view's `length` and `hex` give the bytes back.
//! Inputs are arbitrary bytes and text, and mostly structure-aware mutations of valid ones: the
//! shipped scenario files, socket.io frames built from `fixtures/<protocol>/examples/`, and the
//! binary examples (see `fuzz_support`).
//!
//! Cases per parser: `WSCONFORM_FUZZ_CASES` (default small, for `cargo test`); the full run is
//! `WSCONFORM_FUZZ_CASES=1000000 cargo test --release -p harness --test integration
//! fuzz_parsers:: -- --nocapture`. `cargo test -p harness --test integration -- --ignored
//! fuzz_parsers::write_fuzz_seeds` writes the same corpora as seed files for the coverage-guided
//! targets under `harness/fuzz/`.

#[path = "../fuzz/checks.rs"]
mod checks;
use crate::fuzz_support;

use std::path::{Path, PathBuf};

use checks::{FRAME_BREAK, caas_layout, round_trip};
use fuzz_support::{Input, files, fuzz, input, write_seeds};
use harness::binary::{Field, Layout, unhex};
use harness::transport::socketio::packet::{encode_ack, encode_event};
use harness::transport::socketio::{CodecError, PacketKind, SocketPacket, placeholder};
use proptest::prelude::*;
use serde_json::{Value, json};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn read_all(paths: Vec<PathBuf>) -> Vec<Vec<u8>> {
    paths.iter().map(|p| std::fs::read(p).unwrap()).collect()
}

/// Every shipped scenario file and example suite.
fn scenario_corpus() -> Vec<Vec<u8>> {
    let mut paths = files(&root().join("scenarios"), &[".yaml", ".yml"]);
    paths.extend(files(&root().join("examples"), &[".yaml", ".yml"]));
    let corpus = read_all(paths);
    assert!(corpus.len() > 100, "the shipped scenarios are the seeds");
    corpus
}

/// The hex of the first binary value in `value`.
fn find_hex(value: &Value) -> Option<&str> {
    match value {
        Value::Object(map) => match map.get("$binary").and_then(|b| b.get("hex")) {
            Some(hex) => hex.as_str(),
            None => map.values().find_map(find_hex),
        },
        Value::Array(items) => items.iter().find_map(find_hex),
        _ => None,
    }
}

/// The JSON examples of the socket.io protocols as event names and arguments (client examples
/// are one argument named by the file; server examples are `{event, args}`).
fn socketio_examples() -> Vec<(String, Vec<Value>)> {
    let mut out = Vec::new();
    for protocol in ["jobber", "caas"] {
        for path in files(
            &root().join("fixtures").join(protocol).join("examples"),
            &[".json"],
        ) {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let event = name.split('.').next().unwrap().to_owned();
            let value: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
            match (
                value.get("event").and_then(Value::as_str),
                value.get("args"),
            ) {
                (Some(event), Some(Value::Array(args))) => {
                    out.push((event.to_owned(), args.clone()))
                }
                _ => out.push((event, vec![value])),
            }
        }
    }
    assert!(out.len() > 50, "the examples are the seeds");
    out
}

/// socket.io inputs: Engine.IO packets, and every example as an event, an event with an ack id
/// in a namespace, an ack, and (binary ones) a binary event with its attachment.
fn socketio_corpus() -> Vec<Vec<u8>> {
    let mut corpus: Vec<Vec<u8>> = [
        r#"0{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}"#,
        "1", "2", "3", "2probe", "3probe", "5", "6", "40", r#"40{"sid":"wZX3oN0bSVIhsaknAAAI"}"#,
        r#"40/admin,{"token":"123"}"#, "41", "41/admin,", r#"44{"message":"Not authorized"}"#,
        r#"44"Not authorized""#,
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect();
    for (event, args) in socketio_examples() {
        let ack = serde_json::to_string(&args).unwrap();
        let mut event_args = vec![Value::String(event.clone())];
        event_args.extend(args.iter().cloned());
        let data = serde_json::to_string(&event_args).unwrap();
        if let Some(hex) = args.iter().find_map(find_hex) {
            let mut frames = format!(r#"451-["{event}",{}]"#, placeholder(0)).into_bytes();
            frames.extend_from_slice(FRAME_BREAK);
            frames.push(0);
            frames.extend(unhex(hex).unwrap());
            corpus.push(frames);
            continue;
        }
        corpus.push(format!("42{data}").into_bytes());
        corpus.push(format!("42/chat,17{data}").into_bytes());
        corpus.push(format!("4317{ack}").into_bytes());
    }
    corpus
}

/// The binary examples' bytes.
fn binary_corpus() -> Vec<Vec<u8>> {
    let corpus: Vec<Vec<u8>> = socketio_examples()
        .iter()
        .filter_map(|(_, args)| args.iter().find_map(find_hex))
        .map(|hex| unhex(hex).unwrap())
        .collect();
    assert!(corpus.len() >= 3);
    corpus
}

/// Valid packets of every kind, with placeholders in binary ones.
fn valid_packet() -> impl Strategy<Value = SocketPacket> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        any::<String>().prop_map(Value::from),
    ];
    let value = leaf.prop_recursive(4, 32, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::btree_map(any::<String>(), inner, 0..5)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    });
    let namespace = prop_oneof![Just("/".to_owned()), "/[^,]{1,12}"];
    let args = prop::collection::vec(value, 0..4);
    let attachments = prop::collection::vec(prop::collection::vec(any::<u8>(), 0..64), 1..4);
    (
        0u8..7,
        namespace,
        any::<u64>(),
        any::<String>(),
        args,
        attachments,
    )
        .prop_map(|(kind, namespace, id, name, mut args, attachments)| {
            let kind = PacketKind::from_digit(b'0' + kind).unwrap();
            let (id, data, attachments) = match kind {
                PacketKind::Connect => (None, json!({"token": name}), Vec::new()),
                PacketKind::Disconnect => (None, Value::Null, Vec::new()),
                PacketKind::ConnectError => (None, json!({"message": name}), Vec::new()),
                PacketKind::Event | PacketKind::Ack => {
                    if kind == PacketKind::Event {
                        args.insert(0, Value::String(name));
                    }
                    (Some(id), Value::Array(args), Vec::new())
                }
                PacketKind::BinaryEvent | PacketKind::BinaryAck => {
                    if kind == PacketKind::BinaryEvent {
                        args.insert(0, Value::String(name));
                    }
                    args.extend((0..attachments.len()).map(placeholder));
                    (Some(id), Value::Array(args), attachments)
                }
            };
            SocketPacket {
                kind,
                namespace,
                id,
                data,
                attachments,
            }
        })
}

/// Binary layouts: none, the caas media frame, and arbitrary fields and headers.
fn layout() -> impl Strategy<Value = Layout> {
    let field = (0u8..4, "[a-z]{1,3}").prop_map(|(size, name)| Field {
        name,
        size: 1 << size,
    });
    prop_oneof![
        (0usize..300).prop_map(|hex_limit| Layout {
            hex_limit,
            ..Layout::default()
        }),
        (0usize..5000).prop_map(caas_layout),
        (
            prop::collection::vec(field, 0..6),
            any::<bool>(),
            0usize..5000
        )
            .prop_map(|(fields, header, hex_limit)| Layout {
                json_header: header
                    .then(|| fields.first().map(|f| f.name.clone()))
                    .flatten(),
                fields,
                hex_limit,
            }),
    ]
}

#[test]
fn scenario_parser_never_panics() {
    let corpus = scenario_corpus();
    fuzz("scenario YAML", file!(), input(), |input: Input| {
        checks::scenario(&input.bytes(&corpus))
    });
}

#[test]
fn socketio_decoder_never_panics_and_round_trips() {
    let corpus = socketio_corpus();
    fuzz("socket.io decoder", file!(), input(), |input: Input| {
        checks::socketio(&input.bytes(&corpus))
    });
}

#[test]
fn socketio_packets_round_trip() {
    fuzz(
        "socket.io encode → decode",
        file!(),
        valid_packet(),
        |packet| {
            assert_eq!(round_trip(&packet), packet);
            assert_eq!(fast_encoding(&packet), packet.encode_text());
            true
        },
    );
}

/// The client's hot-path encoding of an event or ack (`encode_event`, `encode_ack`), which
/// must write what `encode_text` writes; other kinds have none (`encode_text` itself).
fn fast_encoding(packet: &SocketPacket) -> Result<String, CodecError> {
    let (ns, n) = (packet.namespace.as_str(), packet.attachments.len());
    match (&packet.data, packet.kind) {
        (Value::Array(items), PacketKind::Event | PacketKind::BinaryEvent) => {
            let name = items[0].as_str().unwrap();
            encode_event(ns, packet.id, name, &items[1..], n)
        }
        (Value::Array(items), PacketKind::Ack | PacketKind::BinaryAck) => {
            encode_ack(ns, packet.id.unwrap(), items, n)
        }
        _ => packet.encode_text(),
    }
}

#[test]
fn binary_view_never_panics_and_keeps_the_bytes() {
    let corpus = binary_corpus();
    let strategy = (input(), layout());
    fuzz("binary view", file!(), strategy, |(input, layout)| {
        checks::binary_view(&input.bytes(&corpus), &layout)
    });
}

/// Writes the corpora as seed files of the cargo-fuzz targets (`harness/fuzz/seeds/`).
#[test]
#[ignore = "writes files; run by hand before cargo fuzz"]
fn write_fuzz_seeds() {
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds");
    write_seeds(&seeds.join("scenario"), &scenario_corpus());
    write_seeds(&seeds.join("socketio"), &socketio_corpus());
    // The target's first byte picks the layout: 254, the caas one with 4064 bytes of hex.
    let framed: Vec<Vec<u8>> = binary_corpus()
        .iter()
        .map(|b| [&[254], &b[..]].concat())
        .collect();
    write_seeds(&seeds.join("binary_view"), &framed);
}

/// Found while fuzzing: aliases of aliases ("billion laughs") expanded exponentially, so this
/// 450-byte file took minutes and gigabytes (7 levels: killed for memory). Now refused at
/// once, like any file past `MAX_NODES` nodes.
#[test]
fn an_alias_bomb_is_refused_at_once() {
    let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for level in 1..=9 {
        let aliases = vec![format!("*a{}", level - 1); 10].join(", ");
        text.push_str(&format!("a{level}: &a{level} [{aliases}]\n"));
    }
    let start = std::time::Instant::now();
    let errors = harness::scenario::parse_str_all(&text, Path::new("bomb.yaml")).unwrap_err();
    assert!(
        start.elapsed() < std::time::Duration::from_secs(2),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(errors.len(), 1);
    assert!(
        errors[0]
            .to_string()
            .contains("more than 100000 YAML nodes"),
        "{}",
        errors[0]
    );
}
