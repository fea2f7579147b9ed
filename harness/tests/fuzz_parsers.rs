//! Fuzzing the harness's parsers with proptest at scale (issue 12): the scenario YAML parser,
//! the Engine.IO / socket.io codec and the binary view decoder.
//!
//! Properties: no input makes a parser panic or take more than `SLOW_CASE`; the socket.io codec
//! round-trips (a decoded packet encodes to frames that decode to it again; a generated valid
//! packet decodes to itself); a binary view's `length` and `hex` give the bytes back.
//! Inputs are arbitrary bytes and text, and mostly structure-aware mutations of valid ones: the
//! shipped scenario files, socket.io frames built from `fixtures/<protocol>/examples/`, and the
//! binary examples (see `fuzz_support`).
//!
//! Cases per parser: `WSCONFORM_FUZZ_CASES` (default small, for `cargo test`); the full run is
//! `WSCONFORM_FUZZ_CASES=1000000 cargo test --release -p harness --test fuzz_parsers -- --nocapture`.
//! `cargo test -p harness --test fuzz_parsers -- --ignored write_fuzz_seeds` writes the same
//! corpora as seed files for the coverage-guided targets under `harness/fuzz/`.
#![allow(clippy::unwrap_used)]

mod fuzz_support;

use std::path::{Path, PathBuf};

use fuzz_support::{Input, files, fuzz, input, write_seeds};
use harness::binary::{Field, Layout, unhex, view};
use harness::scenario::{parse_pattern_str, parse_str_all};
use harness::transport::socketio::{
    Decoded, Decoder, EnginePacket, PacketKind, SocketPacket, placeholder,
};
use proptest::prelude::*;
use serde_json::{Value, json};

/// Separates frames in one socket.io input; a frame starting with `\0` is binary.
const FRAME_BREAK: &[u8] = b"\xff\n";

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

/// Splits a socket.io input into its frames: `Ok` text, `Err` binary.
fn frames(bytes: &[u8]) -> Vec<Result<String, Vec<u8>>> {
    let mut out = Vec::new();
    let mut rest = bytes;
    loop {
        let end = rest
            .windows(FRAME_BREAK.len())
            .position(|w| w == FRAME_BREAK)
            .unwrap_or(rest.len());
        let frame = &rest[..end];
        out.push(match frame.split_first() {
            Some((0, binary)) => Err(binary.to_vec()),
            _ => Ok(String::from_utf8_lossy(frame).into_owned()),
        });
        if end == rest.len() {
            return out;
        }
        rest = &rest[end + FRAME_BREAK.len()..];
    }
}

/// Decodes `frames` with one decoder; every complete packet must round-trip. Returns how many
/// packets were decoded.
fn decode_frames(frames: Vec<Result<String, Vec<u8>>>) -> usize {
    let mut decoder = Decoder::default();
    let mut decoded = 0;
    for frame in frames {
        let packet = match frame {
            Ok(text) => match decoder.text(&text) {
                Ok(Some(Decoded::Socket(packet))) => packet,
                Ok(Some(Decoded::Engine(engine))) => {
                    let encoded = engine.encode();
                    let again = EnginePacket::decode(&encoded).unwrap();
                    assert_eq!(again, engine, "Engine.IO round trip of {text:?}");
                    decoded += 1;
                    continue;
                }
                Ok(None) | Err(_) => continue,
            },
            Err(bytes) => match decoder.binary(bytes) {
                Ok(Some(packet)) => packet,
                Ok(None) | Err(_) => continue,
            },
        };
        assert_eq!(round_trip(&packet), packet, "decode ∘ encode of {packet:?}");
        decoded += 1;
    }
    decoded
}

/// Encodes `packet` and decodes the frames with a new decoder.
fn round_trip(packet: &SocketPacket) -> SocketPacket {
    let (text, binary) = packet.clone().into_frames().unwrap();
    let mut decoder = Decoder::new(packet.attachments.len().max(1));
    let mut done = match decoder.text(&text).unwrap() {
        Some(Decoded::Socket(packet)) => Some(packet),
        Some(Decoded::Engine(other)) => panic!("{text:?} decoded as {other:?}"),
        None => None,
    };
    for bytes in binary {
        assert!(done.is_none(), "complete before its attachments");
        done = decoder.binary(bytes).unwrap();
    }
    done.expect("complete after its attachments")
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
    let caas = || {
        ["totalLength", "headerLength", "messageType", "sequence"]
            .map(|name| Field {
                name: name.into(),
                size: 4,
            })
            .to_vec()
    };
    prop_oneof![
        (0usize..300).prop_map(|hex_limit| Layout {
            hex_limit,
            ..Layout::default()
        }),
        (0usize..5000).prop_map(move |hex_limit| Layout {
            fields: caas(),
            json_header: Some("headerLength".into()),
            hex_limit,
        }),
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
        let text = input.text(&corpus);
        let _ = parse_pattern_str(&text, Path::new("fuzz.yaml"));
        parse_str_all(&text, Path::new("fuzz.yaml")).is_ok()
    });
}

#[test]
fn socketio_decoder_never_panics_and_round_trips() {
    let corpus = socketio_corpus();
    fuzz("socket.io decoder", file!(), input(), |input: Input| {
        decode_frames(frames(&input.bytes(&corpus))) > 0
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
            true
        },
    );
}

#[test]
fn binary_view_never_panics_and_keeps_the_bytes() {
    let corpus = binary_corpus();
    let strategy = (input(), layout());
    fuzz("binary view", file!(), strategy, |(input, layout)| {
        let bytes = input.bytes(&corpus);
        let view = view(&bytes, &layout);
        let inner = &view["$binary"];
        assert_eq!(inner["length"], json!(bytes.len()));
        let shown = unhex(inner["hex"].as_str().unwrap()).unwrap();
        assert_eq!(shown, bytes[..bytes.len().min(layout.hex_limit)]);
        let _ = unhex(&String::from_utf8_lossy(&bytes));
        inner.get("malformed").is_none()
    });
}

/// Writes the corpora as seed files of the cargo-fuzz targets (`harness/fuzz/seeds/`).
#[test]
#[ignore = "writes files; run by hand before cargo fuzz"]
fn write_fuzz_seeds() {
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds");
    write_seeds(&seeds.join("scenario"), &scenario_corpus());
    write_seeds(&seeds.join("socketio"), &socketio_corpus());
    write_seeds(&seeds.join("binary_view"), &binary_corpus());
}
