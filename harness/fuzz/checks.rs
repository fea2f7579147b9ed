//! The properties of the harness's parsers, checked by the proptest tests
//! (`harness/tests/fuzz_parsers.rs`, through `#[path]`) and by the cargo-fuzz targets beside
//! this file alike: each function takes one input, panics if a property fails, and says whether
//! the parser accepted the input.
//!
//! - scenario YAML: `parse_str_all` and `parse_pattern_str` return, whatever the text;
//! - socket.io: an input is frames separated by [`FRAME_BREAK`] (a frame starting with `\0` is
//!   binary); one decoder takes them in order; every Engine.IO packet and every complete
//!   socket.io packet it returns encodes to frames that decode to it again;
//! - binary view: `view` returns, its `length` is the input's and its `hex` the shown bytes.
//!
//! Not here: inputs (the tests' strategies, the fuzzers' mutations).
#![allow(dead_code, clippy::unwrap_used)]

use std::path::Path;

use harness::binary::{Field, Layout, unhex, view};
use harness::scenario::{parse_pattern_str, parse_str_all};
use harness::transport::socketio::{Decoded, Decoder, EnginePacket, SocketPacket};
use serde_json::json;

/// Separates frames in one socket.io input; a frame starting with `\0` is binary.
pub const FRAME_BREAK: &[u8] = b"\xff\n";

/// The scenario parser on `bytes` (invalid UTF-8 replaced, as a file read lossily would be).
pub fn scenario(bytes: &[u8]) -> bool {
    let text = String::from_utf8_lossy(bytes);
    let _ = parse_pattern_str(&text, Path::new("fuzz.yaml"));
    parse_str_all(&text, Path::new("fuzz.yaml")).is_ok()
}

/// The socket.io decoder on the frames of `bytes`.
pub fn socketio(bytes: &[u8]) -> bool {
    decode_frames(frames(bytes)) > 0
}

/// Splits a socket.io input into its frames: `Ok` text, `Err` binary.
pub fn frames(bytes: &[u8]) -> Vec<Result<String, Vec<u8>>> {
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
pub fn decode_frames(frames: Vec<Result<String, Vec<u8>>>) -> usize {
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
pub fn round_trip(packet: &SocketPacket) -> SocketPacket {
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

/// The caas media frame layout (`fixtures/caas/profile.yaml`).
pub fn caas_layout(hex_limit: usize) -> Layout {
    Layout {
        fields: ["totalLength", "headerLength", "messageType", "sequence"]
            .map(|name| Field {
                name: name.into(),
                size: 4,
            })
            .to_vec(),
        json_header: Some("headerLength".into()),
        hex_limit,
    }
}

/// The binary view of `bytes` under `layout`; accepted when not malformed.
pub fn binary_view(bytes: &[u8], layout: &Layout) -> bool {
    let view = view(bytes, layout);
    let inner = &view["$binary"];
    assert_eq!(inner["length"], json!(bytes.len()));
    let shown = unhex(inner["hex"].as_str().unwrap()).unwrap();
    assert_eq!(shown, bytes[..bytes.len().min(layout.hex_limit)]);
    let _ = unhex(&String::from_utf8_lossy(bytes));
    inner.get("malformed").is_none()
}
