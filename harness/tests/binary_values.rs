//! Binary values through the scenario machine, with a manual clock and no sockets: a `!binary`
//! argument goes out as a socket.io attachment, and a received attachment is matched and
//! schema-checked through its decoded view. The protocol is a test one,
//! `tests/data/binframes` (16 bytes of u32 fields, a JSON header, a payload).

use crate::support;

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use harness::exec::{Command, Input, Outcome, RunOptions, ScenarioPlan, Session, Unobserved};
use harness::transport::{Accepted, Arrival, Inbound, Outbound, Utf8Bytes};
use serde_json::json;

/// A session of `tests/data/binframes/relay.yaml` on the test protocol, connected.
fn connected() -> (Session, Instant) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let scenario = harness::scenario::parse_file(&root.join("binframes/relay.yaml")).unwrap();
    let plan = Arc::new(ScenarioPlan::new(
        scenario,
        Arc::new(support::suite_in(&root, "binframes")),
        "http://127.0.0.1:9".to_owned(),
        Arc::new(RunOptions::default()),
    ));
    let now = Instant::now();
    let mut session = Session::new(plan, now, 1_700_000_000_000, None);
    session.start(now, &mut Unobserved);
    let Some(Command::Connect { conn, .. }) = session.poll_command() else {
        panic!("a connect first");
    };
    let accepted = Accepted {
        socket_id: Some("s1".into()),
        answer: Some("connected"),
        early: Vec::new(),
    };
    let input = Input::Connected {
        conn,
        description: "test".into(),
        result: Ok(accepted),
    };
    session.handle(now, input, &mut Unobserved);
    (session, now)
}

/// `{type}` as the 16-byte framing, the JSON header, then `payload`.
fn framed(header: &str, message_type: u32, sequence: u32, payload: &[u8]) -> Vec<u8> {
    let total = 16 + header.len() + payload.len();
    let mut bytes = Vec::with_capacity(total);
    for field in [
        total,
        header.len(),
        message_type as usize,
        sequence as usize,
    ] {
        bytes.extend_from_slice(&u32::try_from(field).unwrap().to_be_bytes());
    }
    bytes.extend_from_slice(header.as_bytes());
    bytes.extend_from_slice(payload);
    bytes
}

/// Runs the scenario with the server relaying `relayed`; returns the outcome.
fn relay(relayed: Vec<u8>) -> Outcome {
    let (mut session, now) = connected();
    let Some(Command::Send { conn, message }) = session.poll_command() else {
        panic!("the emit");
    };
    let Outbound::Event {
        args, attachments, ..
    } = message
    else {
        panic!("an event");
    };
    assert_eq!(attachments, vec![vec![0x00, 0x01, 0xff]]);
    assert_eq!(args[1], json!({"_placeholder": true, "num": 0}));
    let arrive = |inbound| {
        Input::Arrival(Arrival {
            conn,
            at: now,
            inbound,
        })
    };
    session.handle(
        now,
        Input::Sent {
            conn,
            result: Ok(()),
        },
        &mut Unobserved,
    );
    let ack = Inbound::Ack {
        id: 0,
        args: vec![json!({"received": 3})],
        attachments: Vec::new(),
        raw: Utf8Bytes::from_static("430[…]"),
    };
    session.handle(now, arrive(ack), &mut Unobserved);
    let media = Inbound::Event {
        name: "media".into(),
        args: vec![json!({"_placeholder": true, "num": 0})],
        ack_id: None,
        attachments: vec![relayed],
        raw: Utf8Bytes::from_static("451-[…]"),
    };
    session.handle(now, arrive(media), &mut Unobserved);
    assert!(session.is_finished());
    session.finish(now)
}

#[test]
fn an_attachment_is_matched_by_its_decoded_fields_and_header() {
    let outcome = relay(framed(r#"{"type":"audio"}"#, 2, 7, b"abc"));
    support::assert_passed(&outcome);
}

#[test]
fn a_wrong_field_fails_at_its_path_inside_the_view() {
    let outcome = relay(framed(r#"{"type":"audio"}"#, 3, 7, b"abc"));
    let failure = outcome.failure.expect("a failure");
    assert_eq!(failure.step, Some(4));
    assert_eq!(
        failure.unmet.path.as_deref(),
        Some(r#"$.args[0]["$binary"].fields.messageType"#)
    );
}

#[test]
fn a_header_the_schema_refuses_is_a_finding_at_its_path() {
    let outcome = relay(framed(r#"{"type":"hologram"}"#, 2, 7, b"abc"));
    assert!(!outcome.passed());
    let paths: Vec<Option<&str>> = outcome.findings.iter().map(|f| f.path.as_deref()).collect();
    assert_eq!(
        paths,
        vec![Some("$.args[0].$binary.header.type")],
        "{:?}",
        outcome.findings
    );
}

#[test]
fn bytes_that_break_the_framing_are_shown_as_malformed() {
    // The header length field claims more bytes than there are.
    let mut bytes = framed(r#"{"type":"audio"}"#, 2, 7, b"");
    bytes[7] = 200;
    let outcome = relay(bytes);
    let failure = outcome.failure.as_ref().expect("a failure");
    assert_eq!(failure.step, Some(4));
    assert_eq!(
        failure.unmet.path.as_deref(),
        Some(r#"$.args[0]["$binary"].header"#)
    );
    let shown = support::transcript_texts(&outcome);
    assert!(
        shown.iter().any(|t| t.contains("runs past the end")),
        "the view says why: {shown:#?}"
    );
}
