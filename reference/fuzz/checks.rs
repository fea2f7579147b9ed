//! The properties of the reference's decoders of client input, checked by the proptest tests
//! (`reference/tests/fuzz_decoders.rs`, through `#[path]`) and by the cargo-fuzz targets beside
//! this file alike: each function takes one input's bytes, panics if the decoder does (no other
//! property: every answer is a request or a typed error), and says whether it was accepted.
//!
//! Input forms, chosen so that mutations reach every part the decoder reads: a socket.io event
//! is `<event>\n<JSON argument>` (an argument that is not JSON is passed as a string, an absent
//! one as `null`, as the drivers do); an ark request is `<METHOD> <path>\n<body>`; an emprops
//! input is messages separated by a 0xFF byte; a dnaforge message and a caas media frame are
//! the bytes themselves.
//!
//! Not here: inputs (the tests' strategies, the fuzzers' mutations).
#![allow(dead_code, clippy::unwrap_used)]

use reference::ark::rest;
use reference::{caas, dnaforge, emprops, jobber};
use serde_json::{Value, json};

/// 2024-01-15T10:30:00.000Z
const T0: caas::Timestamp = caas::Timestamp::from_unix_millis(1_705_314_600_000);

/// Splits `<event>\n<argument>`.
pub fn event_and_payload(text: &str) -> (&str, Value) {
    match text.split_once('\n') {
        Some((event, rest)) => (
            event,
            serde_json::from_str(rest).unwrap_or_else(|_| Value::String(rest.to_owned())),
        ),
        None => (text, Value::Null),
    }
}

/// jobber: `authenticate` of the argument, then the event from a connection of the dev
/// customer through a new core (`Request::parse`, and a schedule's cron pattern, J10), then the
/// core's first timer (a cron tick). Accepted: `Request::parse` took it.
pub fn jobber(bytes: &[u8]) -> bool {
    let text = String::from_utf8_lossy(bytes);
    let (event, payload) = event_and_payload(&text);
    let mut core = jobber::Core::new(
        jobber::Settings::default(),
        Box::new(jobber::SequentialIds::default()),
    );
    let _ = core.authenticate(&payload);
    let accepted = jobber::Request::parse(event, &payload, 64).is_ok();
    let auth = json!({"customerToken": jobber::DEV_TOKEN});
    let sid = "sid-1".to_owned();
    core.handle(T0, jobber::Input::Connect { conn: 1, sid, auth });
    let event = jobber::Input::Event {
        conn: 1,
        event: event.to_owned(),
        payload,
        ack: Some(7),
    };
    core.handle(T0, event);
    if let Some(at) = core.poll_deadline() {
        core.handle_timeout(at);
    }
    accepted
}

/// caas: `authenticate` of the argument, then the event from a connection of the dev user
/// through a new core (the frame check, caas-N3, is private to it). Accepted: the frame passed
/// its checks (the request may still fail on state, such as a conversation that does not exist).
pub fn caas(bytes: &[u8]) -> bool {
    let text = String::from_utf8_lossy(bytes);
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
    out.messages.iter().any(|m| {
        matches!(m, caas::Message::Ack { body, .. }
            if !matches!(body["error"]["code"].as_str(), Some("INVALID_PAYLOAD" | "MISSING_FIELD")))
    })
}

/// caas: the `binary` media frame's header (caas-N12).
pub fn caas_binary(bytes: &[u8]) -> bool {
    caas::binary::check(bytes, 1 << 20).is_ok()
}

/// Separates the messages of one emprops input (0xFF is never in UTF-8).
pub const MESSAGE_BREAK: u8 = 0xff;

/// emprops: the text frames of the input (split at [`MESSAGE_BREAK`]), in order, on one
/// connection of a new core, so chunk sets and registrations build up. Accepted: no error
/// answered.
pub fn emprops(bytes: &[u8]) -> bool {
    let mut core = emprops::Core::new(
        emprops::Settings::default(),
        Box::new(emprops::SequentialIds::default()),
    );
    core.handle(T0, emprops::Input::Open(1));
    let mut accepted = true;
    for message in bytes.split(|b| *b == MESSAGE_BREAK) {
        let text = String::from_utf8_lossy(message);
        let out = core.handle(T0, emprops::Input::Text(1, &text));
        accepted &= !out.iter().any(|o| {
            matches!(o, emprops::Output::Send { text, .. } if text.contains(r#""type":"error""#))
        });
    }
    accepted
}

/// dnaforge: `Request::parse` of a text frame.
pub fn dnaforge(bytes: &[u8]) -> bool {
    dnaforge::Request::parse(&String::from_utf8_lossy(bytes)).is_ok()
}

/// ark: `rest::parse` of `<METHOD> <path>\n<body>`.
pub fn ark(bytes: &[u8]) -> bool {
    let (line, body) = match bytes.iter().position(|b| *b == b'\n') {
        Some(at) => (&bytes[..at], &bytes[at + 1..]),
        None => (bytes, &[][..]),
    };
    let line = String::from_utf8_lossy(line);
    let (method, path) = line.split_once(' ').unwrap_or((&line, "/"));
    rest::parse(method, path, body, 1 << 20).is_ok()
}
