//! The socket.io codec against the protocol documents' literal wire strings, and property tests:
//! encode → decode is the identity, and no input makes the decoder panic.

use harness::transport::socketio::{
    CodecError, Decoded, Decoder, EnginePacket, OpenInfo, PacketKind, SocketPacket, placeholder,
    resolve_placeholders,
};
use proptest::prelude::*;
use serde_json::{Value, json};

fn packet(kind: PacketKind, ns: &str, id: Option<u64>, data: Value) -> SocketPacket {
    SocketPacket {
        kind,
        namespace: ns.into(),
        id,
        data,
        attachments: Vec::new(),
    }
}

/// Decodes one text frame (and its attachments) into a socket.io packet.
fn decode(text: &str, binary: &[&[u8]]) -> Result<SocketPacket, CodecError> {
    let mut decoder = Decoder::default();
    match decoder.text(text)? {
        Some(Decoded::Socket(packet)) => {
            assert!(binary.is_empty(), "attachments left over");
            Ok(packet)
        }
        Some(Decoded::Engine(other)) => panic!("engine packet {other:?}"),
        None => {
            for (i, bytes) in binary.iter().enumerate() {
                let done = decoder.binary(bytes.to_vec())?;
                if i + 1 == binary.len() {
                    return Ok(done.expect("complete after the last attachment"));
                }
                assert!(done.is_none());
            }
            panic!("attachments missing");
        }
    }
}

/// Literal pairs from the socket.io v5 protocol document ("Packet encoding"), with the Engine.IO
/// message prefix `4`.
#[test]
fn literal_packets_from_the_protocol_document() {
    let cases = [
        ("40", packet(PacketKind::Connect, "/", None, Value::Null)),
        (
            r#"40{"sid":"wZX3oN0bSVIhsaknAAAI"}"#,
            packet(
                PacketKind::Connect,
                "/",
                None,
                json!({"sid": "wZX3oN0bSVIhsaknAAAI"}),
            ),
        ),
        (
            "40/admin,",
            packet(PacketKind::Connect, "/admin", None, Value::Null),
        ),
        (
            r#"40/admin,{"token":"123"}"#,
            packet(PacketKind::Connect, "/admin", None, json!({"token": "123"})),
        ),
        (
            r#"44{"message":"Not authorized"}"#,
            packet(
                PacketKind::ConnectError,
                "/",
                None,
                json!({"message": "Not authorized"}),
            ),
        ),
        (
            r#"42["foo"]"#,
            packet(PacketKind::Event, "/", None, json!(["foo"])),
        ),
        (
            r#"42/admin,["bar"]"#,
            packet(PacketKind::Event, "/admin", None, json!(["bar"])),
        ),
        (
            r#"4212["foo"]"#,
            packet(PacketKind::Event, "/", Some(12), json!(["foo"])),
        ),
        ("4312[]", packet(PacketKind::Ack, "/", Some(12), json!([]))),
        (
            r#"42/admin,13["foo"]"#,
            packet(PacketKind::Event, "/admin", Some(13), json!(["foo"])),
        ),
        (
            r#"43/admin,13["bar"]"#,
            packet(PacketKind::Ack, "/admin", Some(13), json!(["bar"])),
        ),
        ("41", packet(PacketKind::Disconnect, "/", None, Value::Null)),
        (
            "41/admin,",
            packet(PacketKind::Disconnect, "/admin", None, Value::Null),
        ),
    ];
    for (wire, expected) in cases {
        assert_eq!(decode(wire, &[]).as_ref(), Ok(&expected), "decoding {wire}");
        assert_eq!(
            expected.encode_text().as_deref(),
            Ok(wire),
            "encoding {wire}"
        );
    }
}

#[test]
fn literal_binary_packets_from_the_protocol_document() {
    let ph = |k| placeholder(k);
    let cases: [(&str, &[&[u8]], SocketPacket); 4] = [
        (
            r#"451-["baz",{"_placeholder":true,"num":0}]"#,
            &[&[1, 2, 3, 4]],
            SocketPacket {
                attachments: vec![vec![1, 2, 3, 4]],
                ..packet(PacketKind::BinaryEvent, "/", None, json!(["baz", ph(0)]))
            },
        ),
        (
            r#"452-/admin,["baz",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]"#,
            &[&[1, 2], &[3, 4]],
            SocketPacket {
                attachments: vec![vec![1, 2], vec![3, 4]],
                ..packet(
                    PacketKind::BinaryEvent,
                    "/admin",
                    None,
                    json!(["baz", ph(0), ph(1)]),
                )
            },
        ),
        (
            r#"451-14["foo",{"_placeholder":true,"num":0}]"#,
            &[&[1, 2, 3, 4]],
            SocketPacket {
                attachments: vec![vec![1, 2, 3, 4]],
                ..packet(
                    PacketKind::BinaryEvent,
                    "/",
                    Some(14),
                    json!(["foo", ph(0)]),
                )
            },
        ),
        (
            r#"461-15["bar",{"_placeholder":true,"num":0}]"#,
            &[&[1, 2, 3, 4]],
            SocketPacket {
                attachments: vec![vec![1, 2, 3, 4]],
                ..packet(PacketKind::BinaryAck, "/", Some(15), json!(["bar", ph(0)]))
            },
        ),
    ];
    for (wire, binary, expected) in cases {
        assert_eq!(
            decode(wire, binary).as_ref(),
            Ok(&expected),
            "decoding {wire}"
        );
        let (text, frames) = expected.clone().into_frames().expect("valid");
        assert_eq!(text, wire);
        assert_eq!(
            frames,
            binary.iter().map(|b| b.to_vec()).collect::<Vec<_>>()
        );
    }
    // The sample session's BINARY_ACK on a namespace.
    let acked = decode(r#"461-/admin,1[{"_placeholder":true,"num":0}]"#, &[b"xyz"]).expect("valid");
    assert_eq!(
        (acked.kind, acked.namespace.as_str(), acked.id),
        (PacketKind::BinaryAck, "/admin", Some(1))
    );
    let mut data = acked.data.clone();
    resolve_placeholders(&mut data, &acked.attachments, &mut |b| json!(b.len()));
    assert_eq!(data, json!([3]));
}

#[test]
fn engine_packets_from_the_protocol_document() {
    let open = r#"0{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":5000,"maxPayload":1000000}"#;
    let info = OpenInfo {
        sid: "lv_VI97HAXpY6yYWAAAC".into(),
        upgrades: vec!["websocket".into()],
        ping_interval: 25000,
        ping_timeout: 5000,
        max_payload: Some(1_000_000),
    };
    assert_eq!(
        EnginePacket::decode(open),
        Ok(EnginePacket::Open(info.clone()))
    );
    assert_eq!(EnginePacket::Open(info).encode(), open);
    for (wire, expected) in [
        ("1", EnginePacket::Close),
        ("2", EnginePacket::Ping("")),
        ("2probe", EnginePacket::Ping("probe")),
        ("3", EnginePacket::Pong("")),
        ("3probe", EnginePacket::Pong("probe")),
        ("4hello", EnginePacket::Message("hello")),
        ("5", EnginePacket::Upgrade),
        ("6", EnginePacket::Noop),
    ] {
        assert_eq!(EnginePacket::decode(wire), Ok(expected.clone()));
        assert_eq!(expected.encode(), wire);
    }
    // A ping between a binary packet and its attachment passes through.
    let mut decoder = Decoder::default();
    assert_eq!(
        decoder.text(r#"451-["a",{"_placeholder":true,"num":0}]"#),
        Ok(None)
    );
    assert_eq!(
        decoder.text("2"),
        Ok(Some(Decoded::Engine(EnginePacket::Ping(""))))
    );
    assert_eq!(decoder.awaiting(), 1);
    assert!(decoder.binary(vec![9]).expect("valid").is_some());
}

#[test]
fn malformed_input_is_a_typed_error() {
    let mut decoder = Decoder::default();
    let cases: [(&str, CodecError); 12] = [
        ("", CodecError::Empty),
        ("9", CodecError::UnknownEngineType('9')),
        ("é", CodecError::UnknownEngineType('é')),
        ("4", CodecError::Empty),
        ("47", CodecError::UnknownSocketType('7')),
        ("45[\"a\"]", CodecError::BadAttachmentCount),
        ("450-[\"a\"]", CodecError::BadAttachmentCount),
        (
            "4511-[\"a\"]",
            CodecError::TooManyAttachments { count: 11, max: 10 },
        ),
        ("4299999999999999999999[\"a\"]", CodecError::AckIdOverflow),
        (
            "43[]",
            CodecError::BadShape {
                kind: PacketKind::Ack,
                reason: "an ack needs an id",
            },
        ),
        (
            "42[]",
            CodecError::BadShape {
                kind: PacketKind::Event,
                reason: "data must be an array starting with the event name",
            },
        ),
        (
            r#"451-["a",{"_placeholder":true,"num":1}]"#,
            CodecError::BadPlaceholder { num: 1, count: 1 },
        ),
    ];
    for (wire, expected) in cases {
        assert_eq!(decoder.text(wire), Err(expected), "{wire:?}");
    }
    assert!(matches!(
        decoder.text("42[oops"),
        Err(CodecError::BadJson(_))
    ));
    assert!(matches!(decoder.text("0{}"), Err(CodecError::BadOpen(_))));
    assert_eq!(decoder.binary(vec![1]), Err(CodecError::UnexpectedBinary));
    assert_eq!(
        decoder.text(r#"452-["a",{"_placeholder":true,"num":1}]"#),
        Ok(None)
    );
    assert_eq!(
        decoder.text(r#"42["b"]"#),
        Err(CodecError::UnexpectedText { missing: 2 })
    );
    // Ready again after an error.
    assert!(matches!(
        decoder.text(r#"42["b"]"#),
        Ok(Some(Decoded::Socket(_)))
    ));
    // Encoding refuses what decoding would refuse.
    let mut bad = packet(
        PacketKind::BinaryEvent,
        "/",
        None,
        json!(["x", placeholder(0)]),
    );
    assert_eq!(bad.encode_text(), Err(CodecError::BadAttachmentCount));
    bad.namespace = "admin".into();
    assert_eq!(
        bad.encode_text(),
        Err(CodecError::BadNamespace("admin".into()))
    );
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        ".{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec(("[a-z_]{0,6}", inner), 0..6)
                .prop_map(|entries| Value::Object(entries.into_iter().collect())),
        ]
    })
}

fn namespace() -> impl Strategy<Value = String> {
    prop_oneof![Just("/".to_owned()), "/[a-zA-Z0-9_.~-]{1,10}"]
}

fn object() -> impl Strategy<Value = Value> {
    prop::collection::vec(("[a-z]{1,6}", json_value()), 0..4)
        .prop_map(|entries| Value::Object(entries.into_iter().collect()))
}

/// Valid packets of every kind, binary ones with placeholders at random depths.
fn socket_packet() -> impl Strategy<Value = SocketPacket> {
    let args = prop::collection::vec(json_value(), 0..5);
    let attachments = prop::collection::vec(prop::collection::vec(any::<u8>(), 0..40), 1..5);
    (
        0u8..7,
        namespace(),
        any::<u64>(),
        any::<bool>(),
        ".{0,10}",
        args,
        attachments,
        object(),
    )
        .prop_map(
            |(kind, namespace, id, with_id, name, mut args, attachments, object)| {
                let kind = PacketKind::from_digit(b'0' + kind).expect("0..7");
                let mut packet = SocketPacket {
                    kind,
                    namespace,
                    id: None,
                    data: Value::Null,
                    attachments: Vec::new(),
                };
                let event = |args: Vec<Value>| {
                    let mut items = vec![Value::String(name.clone())];
                    items.extend(args);
                    Value::Array(items)
                };
                match kind {
                    PacketKind::Connect => packet.data = if with_id { object } else { Value::Null },
                    PacketKind::Disconnect => {}
                    PacketKind::ConnectError => {
                        packet.data = if with_id {
                            object
                        } else {
                            Value::String(name.clone())
                        }
                    }
                    PacketKind::Event | PacketKind::Ack => {
                        packet.id = (with_id || kind == PacketKind::Ack).then_some(id);
                        packet.data = if kind == PacketKind::Event {
                            event(args)
                        } else {
                            Value::Array(args)
                        };
                    }
                    PacketKind::BinaryEvent | PacketKind::BinaryAck => {
                        packet.id = (with_id || kind == PacketKind::BinaryAck).then_some(id);
                        for k in 0..attachments.len() {
                            let slot = (id as usize).wrapping_add(k) % (args.len() + 1);
                            if k % 2 == 0 || args.is_empty() {
                                args.insert(slot, placeholder(k));
                            } else {
                                let len = args.len();
                                args[slot % len] = json!({ "nested": [placeholder(k)] });
                            }
                        }
                        packet.data = if kind == PacketKind::BinaryEvent {
                            event(args)
                        } else {
                            Value::Array(args)
                        };
                        packet.attachments = attachments;
                    }
                }
                packet
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn encode_then_decode_is_the_identity(packet in socket_packet()) {
        // Overwriting an arg can drop an earlier placeholder; that is still valid (unused attachment).
        let (text, frames) = packet.clone().into_frames().expect("generated packets are valid");
        let mut decoder = Decoder::default();
        let mut decoded = match decoder.text(&text).expect("decodes") {
            Some(Decoded::Socket(p)) => Some(p),
            Some(Decoded::Engine(e)) => panic!("engine packet {e:?}"),
            None => None,
        };
        for frame in frames {
            prop_assert!(decoded.is_none());
            decoded = decoder.binary(frame).expect("attachment accepted");
        }
        prop_assert_eq!(decoded, Some(packet));
        prop_assert_eq!(decoder.awaiting(), 0);
    }

    #[test]
    fn arbitrary_frames_never_panic(frames in prop::collection::vec(
        prop_oneof![
            ".{0,40}".prop_map(Ok),
            "4[0-6][0-9]{0,3}-?(/[a-z]{0,3},)?[0-9]{0,3}\\[.{0,20}".prop_map(Ok),
            prop::collection::vec(any::<u8>(), 0..20).prop_map(Err),
        ], 0..12)
    ) {
        let mut decoder = Decoder::new(3);
        for frame in frames {
            let _ = match frame {
                Ok(text) => decoder.text(&text).map(|_| ()),
                Err(bytes) => decoder.binary(bytes).map(|_| ()),
            };
        }
    }

    #[test]
    fn arbitrary_valid_json_payloads_never_panic(kind in 0u8..7, data in json_value(), ns in namespace()) {
        let text = format!("4{kind}{}{}", if ns == "/" { String::new() } else { format!("{ns},") }, data);
        let _ = Decoder::default().text(&text);
        let _ = Decoder::default().text(&format!("4{kind}2-{data}"));
    }
}
