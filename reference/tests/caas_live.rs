//! The caas core with a manual clock, live features: typing and its timeout (caas-N9),
//! presence (caas-N10), calls with their ring timeout and duration (caas-N11), binary frames
//! and each malformed kind (caas-N12), the rate limit (caas-N13), a user's last socket closing,
//! and tenant isolation.

use crate::caas_support;

use caas_support::{Caas, Got, T0, code, field};
use reference::caas::binary::encode;
use reference::caas::{RateLimit, Timestamp};
use serde_json::{Value, json};
use std::time::Duration;

// Sockets: alice 1 and 2, bob 3, carol (t2) 4, erin 5.
const A: u64 = 1;
const A2: u64 = 2;
const B: u64 = 3;
const C: u64 = 4;
const E: u64 = 5;

/// Alice (two sockets), bob, carol and erin connected; alice and bob in `room`.
fn room() -> Caas {
    room_with(|_| {})
}

fn room_with(change: impl FnOnce(&mut reference::caas::Settings)) -> Caas {
    let mut caas = Caas::with(change);
    caas.connect(A, "tok-alice");
    caas.connect(A2, "tok-alice2");
    caas.connect(B, "tok-bob");
    caas.connect(C, "tok-carol");
    caas.connect(E, "tok-erin");
    caas.join(A, "room");
    caas.join(B, "room");
    caas
}

fn typing(got: &Got, conn: u64) -> Vec<bool> {
    got.to(conn)
        .iter()
        .filter(|f| f["type"] == "typing:update")
        .map(|f| f["data"]["typing"].as_bool().unwrap())
        .collect()
}

#[test]
fn typing_goes_to_the_other_members_and_stops_by_itself() {
    let mut caas = room();
    let (ack, got) = caas.call(A, "typing:start", "", json!({"conversationId": "room"}));
    assert_eq!(ack, json!({"success": true, "timestamp": T0}));
    assert_eq!(
        got.receivers("typing:update"),
        [B],
        "not the typist's own sockets"
    );
    let update = got.one(B);
    assert_eq!(
        update["data"],
        json!({"userId": "alice", "conversationId": "room", "typing": true})
    );
    assert_eq!(update["conversationId"], "room");
    assert!(update["replyTo"].is_string());
    assert_eq!(
        caas.core.poll_deadline(),
        Some(Timestamp::from_unix_millis(T0 + 500))
    );
    // Another start restarts the timer and says nothing.
    assert!(caas.advance(400).frames.is_empty());
    let got = caas.ok(A2, "typing:start", "room", json!({}));
    assert!(got.frames.is_empty(), "{got:#?}");
    assert!(caas.advance(400).frames.is_empty(), "restarted at +400");
    let got = caas.advance(100);
    assert_eq!(typing(&got, B), [false]);
    assert!(got.one(B).get("replyTo").is_none(), "the server's own stop");
    assert_eq!(caas.core.poll_deadline(), None);
    // An explicit stop; a stop while not typing says nothing.
    caas.ok(B, "typing:start", "room", json!({}));
    let got = caas.ok(B, "typing:stop", "room", json!({}));
    assert_eq!(typing(&got, A), [false]);
    assert_eq!(typing(&got, A2), [false]);
    assert!(got.to(B).is_empty());
    assert!(
        caas.ok(B, "typing:stop", "room", json!({}))
            .frames
            .is_empty()
    );
    assert!(caas.advance(10_000).frames.is_empty());
}

#[test]
fn typing_needs_membership_and_stops_with_leave_or_the_last_socket() {
    let mut caas = room();
    let error = caas.refused(E, "typing:start", "room", json!({}));
    assert_eq!(code(&error), "NOT_MEMBER");
    let error = caas.refused(C, "typing:stop", "", json!({"conversationId": "room"}));
    assert_eq!(code(&error), "FORBIDDEN");
    let error = caas.refused(A, "typing:start", "", json!({}));
    assert_eq!(
        (code(&error), field(&error)),
        ("MISSING_FIELD", "data.conversationId")
    );
    caas.ok(A, "typing:start", "room", json!({}));
    let got = caas.ok(A, "conversation:leave", "room", json!({}));
    assert_eq!(typing(&got, B), [false]);
    assert_eq!(caas.core.poll_deadline(), None);

    caas.join(A, "room");
    caas.ok(A, "typing:start", "room", json!({}));
    assert!(
        caas.disconnect(A).frames.is_empty(),
        "alice still has a socket"
    );
    let got = caas.disconnect(A2);
    assert_eq!(typing(&got, B), [false]);
    assert_eq!(caas.core.poll_deadline(), None);
}

#[test]
fn presence_goes_to_users_sharing_a_conversation() {
    let mut caas = room();
    caas.join(C, "t2-room");
    let data = json!({"status": "away", "customMessage": "lunch"});
    let (ack, got) = caas.call(A, "presence:update", "", data);
    assert_eq!(ack, json!({"success": true, "timestamp": T0}));
    assert_eq!(
        got.receivers("presence:update"),
        [B],
        "not alice's sockets, erin or carol"
    );
    let update = got.one(B);
    assert_eq!(update["data"], json!({"userId": "alice", "status": "away"}));
    assert!(update.get("conversationId").is_none());
    for status in ["online", "busy", "offline"] {
        caas.ok(A, "presence:update", "", json!({"status": status}));
    }
    let error = caas.refused(A, "presence:update", "", json!({"status": "gone"}));
    assert_eq!(
        (code(&error), field(&error)),
        ("INVALID_PAYLOAD", "data.status")
    );
    let error = caas.refused(A, "presence:update", "", json!({}));
    assert_eq!(
        (code(&error), field(&error)),
        ("MISSING_FIELD", "data.status")
    );
    let long = json!({"status": "away", "customMessage": "x".repeat(141)});
    let error = caas.refused(A, "presence:update", "", long);
    assert_eq!(
        (code(&error), field(&error)),
        ("INVALID_PAYLOAD", "data.customMessage")
    );
    caas.ok(
        A,
        "presence:update",
        "",
        json!({"status": "away", "customMessage": "x".repeat(140)}),
    );
    // The last socket closing says offline, to the same users.
    assert!(caas.disconnect(A2).frames.is_empty());
    let got = caas.disconnect(A);
    assert_eq!(got.receivers("presence:update"), [B]);
    assert_eq!(
        got.one(B)["data"],
        json!({"userId": "alice", "status": "offline"})
    );
}

/// Alice calls bob: the call id and what it produced.
fn ring(caas: &mut Caas) -> (String, Got) {
    let (ack, got) = caas.call(
        A,
        "call:initiate",
        "",
        json!({"targetUserId": "bob", "type": "video"}),
    );
    assert_eq!(ack["success"], true, "{ack}");
    (ack["callId"].as_str().unwrap().to_owned(), got)
}

fn ended(got: &Got) -> Vec<(u64, i64)> {
    got.frames
        .iter()
        .filter(|(_, e, _)| e == "call:ended")
        .map(|(c, _, f)| (*c, f["data"]["duration"].as_i64().unwrap()))
        .collect()
}

#[test]
fn a_call_rings_is_answered_and_ends_once_with_its_duration() {
    let mut caas = room();
    caas.connect(6, "tok-bob");
    let (call, got) = ring(&mut caas);
    assert_eq!(got.receivers("call:incoming"), [B, 6]);
    assert_eq!(
        got.one(B)["data"],
        json!({"callId": call, "callerId": "alice", "type": "video"})
    );
    assert!(got.one(B).get("conversationId").is_none());
    let id = json!({"callId": call});
    assert_eq!(
        code(&caas.refused(A, "call:answer", "", id.clone())),
        "FORBIDDEN",
        "the caller"
    );
    assert_eq!(
        code(&caas.refused(E, "call:answer", "", id.clone())),
        "FORBIDDEN",
        "no party"
    );
    assert_eq!(
        code(&caas.refused(E, "call:end", "", id.clone())),
        "FORBIDDEN"
    );
    assert_eq!(
        code(&caas.refused(C, "call:end", "", id.clone())),
        "NOT_FOUND",
        "another tenant"
    );
    caas.now += 300;
    let (ack, got) = caas.call(6, "call:answer", "", id.clone());
    assert_eq!(ack, json!({"success": true, "timestamp": T0 + 300}));
    assert_eq!(got.receivers("call:answered"), [A, A2]);
    assert_eq!(got.one(A)["data"], id);
    assert_eq!(
        caas.core.poll_deadline(),
        None,
        "no ring timer once answered"
    );
    assert_eq!(
        code(&caas.refused(B, "call:answer", "", id.clone())),
        "NOT_FOUND",
        "not ringing"
    );
    assert_eq!(
        code(&caas.refused(B, "call:reject", "", id.clone())),
        "NOT_FOUND"
    );
    caas.now += 2999;
    let got = caas.ok(B, "call:end", "", id.clone());
    assert_eq!(ended(&got), [(A, 2), (A2, 2), (B, 2), (6, 2)]);
    for event in ["call:end", "call:answer", "call:reject"] {
        assert_eq!(
            code(&caas.refused(A, event, "", id.clone())),
            "NOT_FOUND",
            "{event}"
        );
    }
}

#[test]
fn rejected_or_unanswered_calls_end_with_duration_zero() {
    let mut caas = room();
    let (call, _) = ring(&mut caas);
    assert_eq!(
        code(&caas.refused(A, "call:reject", "", json!({"callId": call}))),
        "FORBIDDEN"
    );
    let got = caas.ok(B, "call:reject", "", json!({"callId": call}));
    assert_eq!(ended(&got), [(A, 0), (A2, 0), (B, 0)]);
    assert_eq!(caas.core.poll_deadline(), None);

    let (call, _) = ring(&mut caas);
    assert_eq!(
        caas.core.poll_deadline(),
        Some(Timestamp::from_unix_millis(T0 + 1000))
    );
    assert!(caas.advance(999).is_empty());
    let got = caas.advance(1);
    assert_eq!(ended(&got), [(A, 0), (A2, 0), (B, 0)]);
    assert!(got.one(B).get("replyTo").is_none());
    assert_eq!(
        code(&caas.refused(B, "call:answer", "", json!({"callId": call}))),
        "NOT_FOUND"
    );

    // The caller may end a ringing call.
    let (call, _) = ring(&mut caas);
    let got = caas.ok(A2, "call:end", "", json!({"callId": call}));
    assert_eq!(ended(&got), [(A, 0), (A2, 0), (B, 0)]);
    assert!(caas.advance(5000).is_empty());
}

#[test]
fn a_call_needs_another_connected_user_of_the_tenant() {
    let mut caas = room();
    let target = |t: &str| json!({"targetUserId": t, "type": "audio"});
    let error = caas.refused(A, "call:initiate", "", target("carol"));
    assert_eq!(code(&error), "NOT_FOUND", "another tenant's user");
    assert_eq!(
        code(&caas.refused(A, "call:initiate", "", target("zed"))),
        "NOT_FOUND"
    );
    assert_eq!(
        code(&caas.refused(A, "call:initiate", "", target("dave"))),
        "UNAVAILABLE"
    );
    let error = caas.refused(A, "call:initiate", "", target("alice"));
    assert_eq!(
        (code(&error), field(&error)),
        ("INVALID_PAYLOAD", "data.targetUserId")
    );
    let error = caas.refused(
        A,
        "call:initiate",
        "",
        json!({"targetUserId": "bob", "type": "fax"}),
    );
    assert_eq!(
        (code(&error), field(&error)),
        ("INVALID_PAYLOAD", "data.type")
    );
    let error = caas.refused(A, "call:initiate", "", json!({"type": "audio"}));
    assert_eq!(
        (code(&error), field(&error)),
        ("MISSING_FIELD", "data.targetUserId")
    );
    let error = caas.refused(A, "call:answer", "", json!({}));
    assert_eq!(
        (code(&error), field(&error)),
        ("MISSING_FIELD", "data.callId")
    );
    // Naming a conversation: the caller must be a member, and the call's frames name it.
    assert_eq!(
        code(&caas.refused(E, "call:initiate", "room", target("bob"))),
        "NOT_MEMBER"
    );
    let (ack, got) = caas.call(A, "call:initiate", "room", target("erin"));
    assert_eq!(got.one(E)["conversationId"], "room");
    let got = caas.ok(E, "call:end", "", json!({"callId": ack["callId"]}));
    assert_eq!(got.one(E)["conversationId"], "room");
    assert_eq!(caas.core.poll_deadline(), None);
}

#[test]
fn a_partys_last_socket_closing_ends_its_calls() {
    let mut caas = room();
    let (call, _) = ring(&mut caas);
    caas.ok(B, "call:answer", "", json!({"callId": call}));
    caas.now += 4500;
    assert!(
        caas.disconnect(A).frames.is_empty(),
        "alice still has a socket"
    );
    let got = caas.disconnect(A2);
    assert_eq!(ended(&got), [(B, 4)]);
    assert_eq!(
        code(&caas.refused(B, "call:end", "", json!({"callId": call}))),
        "NOT_FOUND"
    );
}

#[test]
fn calls_per_user_are_limited() {
    let mut caas = room_with(|s| s.max_calls_per_user = 2);
    ring(&mut caas);
    let (second, _) = ring(&mut caas);
    let error = caas.refused(
        A,
        "call:initiate",
        "",
        json!({"targetUserId": "bob", "type": "audio"}),
    );
    assert_eq!(code(&error), "INVALID_PAYLOAD");
    // Bob may still call alice; once a call ends alice may call again.
    caas.ok(
        B,
        "call:initiate",
        "",
        json!({"targetUserId": "alice", "type": "audio"}),
    );
    caas.ok(A, "call:end", "", json!({"callId": second}));
    ring(&mut caas);
}

fn header(kind: &str, conversation: &str, index: u64, total: u64) -> Value {
    json!({"type": kind, "conversationId": conversation, "chunkIndex": index,
           "totalChunks": total, "mimeType": "audio/ogg"})
}

#[test]
fn a_good_binary_frame_is_relayed_unchanged_to_the_other_members() {
    let mut caas = room();
    caas.join(E, "room");
    let bytes = encode(1, 7, &header("audio", "room", 0, 2), b"\x00\x01\xffpayload");
    let (ack, got) = caas.binary(A, "binary", bytes.clone());
    assert_eq!(ack, json!({"success": true, "timestamp": T0}));
    let to: Vec<_> = got.binaries.iter().map(|(c, _)| *c).collect();
    assert_eq!(to, [B, E], "not the sender's sockets");
    assert!(got.binaries.iter().all(|(_, b)| *b == bytes));
    assert!(got.frames.is_empty());
    for (kind, n) in [("video", 2), ("file_chunk", 3)] {
        let bytes = encode(n, 0, &header(kind, "room", 4, 5), b"");
        assert_eq!(caas.binary(B, "binary", bytes).0["success"], true, "{kind}");
    }
}

#[test]
fn every_malformed_binary_frame_names_its_fault() {
    let mut caas = room_with(|s| s.max_binary_bytes = 4096);
    let good = encode(1, 0, &header("audio", "room", 0, 1), b"data");
    let with = |f: &dyn Fn(&mut Vec<u8>)| {
        let mut b = good.clone();
        f(&mut b);
        b
    };
    let set = |b: &mut Vec<u8>, word: usize, value: u32| {
        b[4 * word..4 * word + 4].copy_from_slice(&value.to_be_bytes());
    };
    let len = u32::try_from(good.len()).unwrap();
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (vec![0; 15], "total_length"),
        (Vec::new(), "total_length"),
        (
            encode(1, 0, &header("audio", "room", 0, 1), &[0; 4096]),
            "total_length",
        ),
        (with(&|b| set(b, 0, len + 1)), "total_length"),
        (with(&|b| set(b, 0, len - 1)), "total_length"),
        (with(&|b| b.push(0)), "total_length"),
        (with(&|b| set(b, 1, len - 15)), "header_length"),
        (with(&|b| set(b, 1, u32::MAX)), "header_length"),
        (with(&|b| set(b, 2, 0)), "message_type"),
        (with(&|b| set(b, 2, 4)), "message_type"),
        (
            encode(2, 0, &header("audio", "room", 0, 1), b""),
            "message_type",
        ),
        (encode(1, 0, &header("speech", "room", 0, 1), b""), "header"),
        (with(&|b| set(b, 1, 3)), "header"),
        (encode(1, 0, &json!([1, 2]), b""), "header"),
        (
            encode(
                1,
                0,
                &json!({"type": "audio", "chunkIndex": 0, "totalChunks": 1, "mimeType": "a"}),
                b"",
            ),
            "header",
        ),
        (
            encode(
                1,
                0,
                &header("audio", "room", 0, 1)
                    .as_object()
                    .unwrap()
                    .iter()
                    .filter(|(k, _)| *k != "mimeType")
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
                b"",
            ),
            "header",
        ),
        (
            encode(
                1,
                0,
                &json!({"type": "audio", "conversationId": "room", "chunkIndex": -1, "totalChunks": 1, "mimeType": "a"}),
                b"",
            ),
            "header",
        ),
        (
            encode(1, 0, &header("audio", "room", 1, 1), b""),
            "chunkIndex",
        ),
        (
            encode(1, 0, &header("audio", "room", 0, 0), b""),
            "chunkIndex",
        ),
    ];
    for (i, (bytes, want)) in cases.into_iter().enumerate() {
        let (ack, got) = caas.binary(A, "binary", bytes);
        assert_eq!(
            (code(&ack["error"]), field(&ack["error"])),
            ("INVALID_PAYLOAD", want),
            "case {i}: {ack}"
        );
        assert!(got.binaries.is_empty() && got.frames.is_empty(), "case {i}");
    }
    let (ack, _) = caas.binary(E, "binary", good.clone());
    assert_eq!(code(&ack["error"]), "NOT_MEMBER");
    let (ack, _) = caas.binary(C, "binary", good.clone());
    assert_eq!(code(&ack["error"]), "FORBIDDEN");
    // `binary` needs a buffer, and frame events need a frame.
    let frame = caas.frame("binary", "room", json!({}));
    let (ack, _) = caas.call_raw(A, "binary", frame);
    assert_eq!(
        (code(&ack["error"]), field(&ack["error"])),
        ("INVALID_PAYLOAD", "total_length")
    );
    let (ack, _) = caas.binary(A, "message:send", good.clone());
    assert_eq!(code(&ack["error"]), "INVALID_PAYLOAD");
    let (ack, _) = caas.binary(A, "nonsense", good);
    assert_eq!(field(&ack["error"]), "type");
    // Without an ack: an error frame, without replyTo (a buffer has no frame id).
    let got = caas.input(reference::caas::Input::Binary {
        conn: A,
        event: "binary".into(),
        bytes: vec![1, 2, 3].into(),
        ack: None,
    });
    let error = got.one(A);
    assert_eq!(error["data"]["details"], json!({"field": "total_length"}));
    assert!(error.get("replyTo").is_none());
}

#[test]
fn the_rate_limit_refuses_the_event_over_it_per_socket() {
    let limit = RateLimit {
        events: 10,
        window: Duration::from_secs(1),
    };
    let mut caas = room_with(|s| s.rate_limit = Some(limit));
    caas.now += 1000; // past the window of the joins

    for i in 0..10 {
        caas.say(A, "room", &format!("m{i}"));
    }
    caas.now += 250;
    let (ack, got) = caas.call(
        A,
        "message:send",
        "room",
        json!({"content": "x", "type": "text"}),
    );
    assert_eq!(code(&ack["error"]), "RATE_LIMITED");
    assert_eq!(ack["error"]["retryAfter"], 750);
    assert!(got.frames.is_empty(), "not processed");
    // Another socket of the same user has its own window.
    caas.say(A2, "room", "other socket");
    // Without an ack: an error frame with retryAfter; invalid events count too.
    caas.now += 500;
    let got = caas.send_raw(A, "message:send", json!("garbage"));
    assert_eq!(got.one(A)["data"]["code"], "RATE_LIMITED");
    assert_eq!(got.one(A)["data"]["retryAfter"], 250);
    caas.now += 250;
    caas.say(A, "room", "new window");
}

#[test]
fn nothing_of_one_tenant_reaches_another() {
    let mut caas = room();
    caas.join(C, "t2-room");
    let mut all = Vec::new();
    all.push(caas.ok(A, "presence:update", "", json!({"status": "busy"})));
    all.push(caas.ok(A, "typing:start", "room", json!({})));
    all.push(caas.say(B, "room", "secret").1);
    all.push(
        caas.binary(
            A,
            "binary",
            encode(3, 0, &header("file_chunk", "room", 0, 1), b"x"),
        )
        .1,
    );
    all.push(ring(&mut caas).1);
    all.push(caas.advance(2000));
    all.push(caas.disconnect(A));
    all.push(caas.disconnect(A2));
    for got in &all {
        assert!(got.to(C).is_empty(), "{got:#?}");
        assert!(got.binaries.iter().all(|(c, _)| *c != C));
    }
    // And carol's own events reach only t2.
    let got = caas.ok(C, "presence:update", "", json!({"status": "away"}));
    assert!(got.frames.is_empty());
    let (_, got) = caas.say(C, "t2-room", "hi");
    assert_eq!(got.receivers("message:new"), [C]);
}

#[test]
fn an_input_first_runs_the_timers_due_at_its_time() {
    let mut caas = room();
    caas.ok(A, "typing:start", "room", json!({}));
    caas.now += 500;
    // No handle_timeout call: the next input stops the typing before its own effects.
    let (_, got) = caas.say(B, "room", "late");
    let to_b: Vec<_> = got
        .to(B)
        .iter()
        .map(|f| f["type"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(to_b, ["typing:update", "message:new"]);
    assert!(
        caas.disconnect(99).is_empty(),
        "an unknown socket closing changes nothing"
    );
    let again = caas.input(reference::caas::Input::Connect {
        conn: A,
        auth: json!({"token": "tok-bob"}),
    });
    assert!(again.is_empty());
    let (_, got) = caas.say(A, "room", "still alice");
    assert_eq!(
        got.one(B)["data"]["senderId"],
        "alice",
        "a connected socket keeps its user"
    );
}
