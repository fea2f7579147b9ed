//! The caas core with a manual clock: authentication (K1, caas-N2), the frame and its errors
//! (caas-N3), acks and `error` frames (caas-N4, N5), conversations (caas-N6) and messages
//! (caas-N7, N8, N15). Typing, presence, calls, binary frames, the rate limit and isolation are
//! in `caas_live.rs`.

use crate::caas_support;

use caas_support::{Caas, T0, code, field};
use reference::caas::{CaasError, ErrorCode, Input, Timestamp, UserToken};
use serde_json::{Value, json};

// Sockets: alice 1 and 2, bob 3, carol (t2) 4, erin 5.
const A: u64 = 1;
const A2: u64 = 2;
const B: u64 = 3;
const C: u64 = 4;
const E: u64 = 5;

/// Alice (two sockets), bob, carol and erin connected; alice and bob in `room`.
fn room() -> Caas {
    let mut caas = Caas::new();
    caas.connect(A, "tok-alice");
    caas.connect(A2, "tok-alice2");
    caas.connect(B, "tok-bob");
    caas.connect(C, "tok-carol");
    caas.connect(E, "tok-erin");
    caas.join(A, "room");
    caas.join(B, "room");
    caas
}

fn is_uuid_v4(id: &Value) -> bool {
    let id = id.as_str().unwrap_or_default();
    uuid::Uuid::parse_str(id).is_ok_and(|u| u.get_version_num() == 4)
}

#[test]
fn auth_token_missing_unknown_or_expired_is_refused() {
    let caas = Caas::new();
    let now = caas.t();
    let auth = |v: Value| caas.core.authenticate(now, &v);
    for missing in [
        json!({}),
        Value::Null,
        json!({"token": null}),
        json!({"token": ""}),
    ] {
        assert_eq!(
            auth(missing.clone()),
            Err(CaasError::AuthRequired),
            "{missing}"
        );
    }
    for unknown in [
        json!({"token": "nope"}),
        json!({"token": 42}),
        json!({"customerToken": 1, "token": "tok-alice "}),
    ] {
        assert_eq!(
            auth(unknown.clone()),
            Err(CaasError::AuthInvalid),
            "{unknown}"
        );
    }
    assert_eq!(
        auth(json!({"token": "tok-expired"})),
        Err(CaasError::TokenExpired)
    );
    assert_eq!(auth(json!({"token": "tok-alice", "extra": 1})), Ok(()));
    let codes: Vec<_> = [
        CaasError::AuthRequired,
        CaasError::AuthInvalid,
        CaasError::TokenExpired,
    ]
    .iter()
    .map(|e| {
        (
            e.code().as_str(),
            e.to_json()["code"].clone(),
            e.to_json().as_object().unwrap().len(),
        )
    })
    .collect();
    assert_eq!(
        codes,
        [
            ("AUTH_REQUIRED", json!("AUTH_REQUIRED"), 2),
            ("AUTH_INVALID", json!("AUTH_INVALID"), 2),
            ("TOKEN_EXPIRED", json!("TOKEN_EXPIRED"), 2),
        ]
    );
    assert!(
        CaasError::TokenExpired.to_json()["message"]
            .as_str()
            .unwrap()
            .len()
            > 5
    );
}

#[test]
fn a_token_expires_at_its_instant() {
    let expiry = T0 + 1000;
    let date = Timestamp::from_unix_millis(expiry).to_iso8601().unwrap();
    let token = UserToken::parse(&format!("tok-soon=sam:t1:{date}")).unwrap();
    let mut caas = Caas::with(|s| s.users.push(token));
    let auth = json!({"token": "tok-soon"});
    assert_eq!(caas.core.authenticate(caas.t(), &auth), Ok(()));
    caas.now = expiry - 1;
    assert_eq!(caas.core.authenticate(caas.t(), &auth), Ok(()));
    caas.now = expiry;
    assert_eq!(
        caas.core.authenticate(caas.t(), &auth),
        Err(CaasError::TokenExpired)
    );
}

#[test]
fn a_refused_connect_registers_nothing_and_connecting_sends_nothing() {
    let mut caas = Caas::new();
    let got = caas.input(Input::Connect {
        conn: 9,
        auth: json!({"token": "tok-expired"}),
    });
    assert!(got.is_empty());
    let (body, got) = caas.call(9, "conversation:join", "x", json!({}));
    assert_eq!(body, Value::Null, "an unknown socket gets no answer");
    assert!(got.is_empty());
    assert!(
        caas.connect(A, "tok-alice").is_empty(),
        "nothing on connect (caas-N10)"
    );
}

#[test]
fn every_error_code_has_its_wire_name() {
    let names: Vec<_> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
    assert_eq!(
        names,
        [
            "AUTH_REQUIRED",
            "AUTH_INVALID",
            "TOKEN_EXPIRED",
            "FORBIDDEN",
            "NOT_MEMBER",
            "INVALID_PAYLOAD",
            "MISSING_FIELD",
            "RATE_LIMITED",
            "NOT_FOUND",
            "ALREADY_EXISTS",
            "INTERNAL_ERROR",
            "UNAVAILABLE",
        ]
    );
}

/// A well-formed `message:send` frame into `room`, changed by `change`.
fn send_frame(change: impl FnOnce(&mut Value)) -> Value {
    let mut frame = json!({
        "id": "m1", "type": "message:send", "version": 1, "timestamp": T0,
        "conversationId": "room", "data": {"content": "hi", "type": "text"},
    });
    change(&mut frame);
    frame
}

/// `value`, or the text `s` repeated `n` times for `{"$repeat": [s, n]}`.
fn expand(value: &Value) -> Value {
    match value
        .get("$repeat")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
    {
        Some([s, n]) => json!(
            s.as_str()
                .unwrap()
                .repeat(usize::try_from(n.as_u64().unwrap()).unwrap())
        ),
        _ => value.clone(),
    }
}

/// The object holding dotted `path`'s last field, and that field's name.
fn parent<'a>(
    frame: &'a mut Value,
    path: &'a str,
) -> (&'a mut serde_json::Map<String, Value>, &'a str) {
    let (parent, name) = path.rsplit_once('.').unwrap_or(("", path));
    let mut at = frame;
    for step in parent.split('.').filter(|s| !s.is_empty()) {
        at = &mut at[step];
    }
    (at.as_object_mut().unwrap(), name)
}

/// Each case of `caas_cases/frame_faults.json`: a well-formed `message:send` frame with one
/// field removed or set, refused with its code and `details.field` (caas-N3).
#[test]
fn frame_faults_are_missing_field_or_invalid_payload_with_the_field() {
    let cases: Vec<Value> =
        serde_json::from_str(include_str!("caas_cases/frame_faults.json")).unwrap();
    let mut caas = room();
    for case in &cases {
        let name = &case["case"];
        let mut frame = send_frame(|_| {});
        if let Some(path) = case["remove"].as_str() {
            let (object, field) = parent(&mut frame, path);
            assert!(object.remove(field).is_some(), "{name}");
        }
        for (path, value) in case["set"].as_object().into_iter().flatten() {
            let (object, field) = parent(&mut frame, path);
            object.insert(field.to_owned(), expand(value));
        }
        let (body, got) = caas.call_raw(A, "message:send", frame);
        let error = &body["error"];
        assert_eq!(body["success"], false, "{name}");
        let want = (
            case["code"].as_str().unwrap(),
            case["field"].as_str().unwrap(),
        );
        assert_eq!((code(error), field(error)), want, "{name}: {error}");
        assert!(got.frames.is_empty(), "{name}: a refusal emits nothing");
        assert!(
            error["message"].as_str().unwrap().contains(want.1),
            "{name}: {error}"
        );
    }
    assert!(cases.len() > 25);
    // Nothing was sent: m1 is still free.
    let (body, _) = caas.call_raw(A, "message:send", send_frame(|_| {}));
    assert_eq!(body["success"], true, "{body}");
}

#[test]
fn lenient_where_the_frame_allows() {
    let mut caas = room();
    let frame = send_frame(|f| {
        f["version"] = json!(1.0);
        f["tenantId"] = json!("t2");
        f["ack"] = json!(true);
        f["extra"] = json!({"ignored": true});
        f["data"]["extra"] = json!(1);
        f["data"]["content"] = json!("é".repeat(4000));
        f.as_object_mut().unwrap().remove("timestamp");
    });
    let (body, got) = caas.call_raw(A, "message:send", frame);
    assert_eq!(body["success"], true, "{body}");
    let new = &got.one(B);
    assert!(new["data"].get("extra").is_none());
    assert!(new.get("tenantId").is_none() && new.get("ack").is_none());
}

#[test]
fn non_frames_and_unknown_events_are_invalid_payload() {
    let mut caas = room();
    for payload in [json!("hello"), Value::Null, json!([1]), json!(3)] {
        let (body, _) = caas.call_raw(A, "message:send", payload.clone());
        assert_eq!(code(&body["error"]), "INVALID_PAYLOAD", "{payload}");
        assert!(body["error"].get("details").is_none(), "{body}");
    }
    let frame = caas.frame("message:shout", "room", json!({}));
    let (body, _) = caas.call_raw(A, "message:shout", frame);
    assert_eq!(
        (code(&body["error"]), field(&body["error"])),
        ("INVALID_PAYLOAD", "type")
    );
    let frame = caas.frame("message:new", "room", json!({}));
    let (body, _) = caas.call_raw(A, "message:new", frame);
    assert_eq!(
        field(&body["error"]),
        "type",
        "server events are not client events"
    );
}

#[test]
fn without_an_ack_a_refusal_is_an_error_frame_and_a_success_is_silent() {
    let mut caas = room();
    let frame = send_frame(|f| f["data"]["type"] = json!("gif"));
    let got = caas.send_raw(A, "message:send", frame);
    assert!(got.acks.is_empty());
    let error = got.one(A);
    assert_eq!(error["type"], "error");
    assert_eq!(error["replyTo"], "m1");
    assert_eq!(error["version"], 1);
    assert_eq!(error["timestamp"], T0);
    assert!(is_uuid_v4(&error["id"]));
    assert!(error.get("conversationId").is_none());
    assert_eq!(error["data"]["code"], "INVALID_PAYLOAD");
    assert_eq!(error["data"]["details"], json!({"field": "data.type"}));
    let keys: Vec<_> = error["data"].as_object().unwrap().keys().cloned().collect();
    assert_eq!(keys, ["code", "message", "details"]);
    let got = caas.send_raw(A, "message:send", json!({"type": "message:send"}));
    let error = got.one(A);
    assert!(error.get("replyTo").is_none(), "no id, no replyTo: {error}");
    assert_eq!(error["data"]["code"], "MISSING_FIELD");
    let got = caas.send_raw(A, "message:send", send_frame(|_| {}));
    assert!(got.acks.is_empty());
    assert_eq!(got.receivers("message:new"), [A, A2, B]);
    assert!(got.receivers("error").is_empty());
}

#[test]
fn server_frames_have_exactly_the_documented_fields() {
    let mut caas = room();
    caas.now += 1234;
    let frame = send_frame(|f| f["replyTo"] = json!("m0"));
    let (ack, got) = caas.call_raw(A, "message:send", frame);
    let new = got.one(B);
    let keys: Vec<_> = new.as_object().unwrap().keys().cloned().collect();
    assert_eq!(
        keys,
        [
            "id",
            "type",
            "version",
            "timestamp",
            "conversationId",
            "data",
            "replyTo"
        ]
    );
    assert!(is_uuid_v4(&new["id"]));
    assert_eq!(new["timestamp"], T0 + 1234);
    assert_eq!(new["conversationId"], "room");
    assert_eq!(new["replyTo"], "m1", "the frame that caused it");
    let message_id = ack["messageId"].clone();
    assert!(is_uuid_v4(&message_id));
    assert_ne!(message_id, new["id"]);
    assert_eq!(
        new["data"],
        json!({
            "messageId": message_id, "conversationId": "room", "senderId": "alice",
            "content": "hi", "type": "text", "createdAt": T0 + 1234, "replyTo": "m0",
        })
    );
    assert_eq!(
        ack,
        json!({"success": true, "messageId": message_id, "timestamp": T0 + 1234})
    );
    assert_eq!(got.to(A), got.to(A2));
    assert_eq!(
        got.to(A),
        vec![new.clone()],
        "one event: the same frame everywhere"
    );
}

#[test]
fn join_creates_in_the_joiners_tenant_and_leave_forgets_the_empty() {
    let mut caas = room();
    let (ack, got) = caas.call(
        E,
        "conversation:join",
        "",
        json!({"conversationId": "room"}),
    );
    assert_eq!(ack, json!({"success": true, "timestamp": T0}));
    assert!(got.frames.is_empty(), "joining announces nothing");
    caas.ok(E, "conversation:join", "room", json!({}));
    let error = caas.refused(
        C,
        "conversation:join",
        "",
        json!({"conversationId": "room"}),
    );
    assert_eq!(code(&error), "FORBIDDEN");
    let error = caas.refused(C, "conversation:leave", "room", json!({}));
    assert_eq!(code(&error), "FORBIDDEN");
    let error = caas.refused(C, "conversation:join", "", json!({}));
    assert_eq!(
        (code(&error), field(&error)),
        ("MISSING_FIELD", "data.conversationId")
    );
    let error = caas.refused(C, "conversation:join", "", json!({"conversationId": 5}));
    assert_eq!(
        (code(&error), field(&error)),
        ("INVALID_PAYLOAD", "data.conversationId")
    );
    let long = "c".repeat(129);
    let error = caas.refused(C, "conversation:join", &long, json!({}));
    assert_eq!(
        (code(&error), field(&error)),
        ("INVALID_PAYLOAD", "conversationId")
    );
    caas.ok(C, "conversation:join", &"c".repeat(128), json!({}));
    // The frame's conversationId wins over data's.
    caas.ok(
        C,
        "conversation:join",
        "t2-room",
        json!({"conversationId": "room"}),
    );
    let (_, got) = caas.say(C, "t2-room", "hello");
    assert_eq!(got.receivers("message:new"), [C]);
    let error = caas.refused(
        C,
        "conversation:leave",
        "",
        json!({"conversationId": "nowhere"}),
    );
    assert_eq!(code(&error), "NOT_MEMBER");
    caas.ok(C, "conversation:leave", "t2-room", json!({}));
    let error = caas.refused(C, "conversation:leave", "t2-room", json!({}));
    assert_eq!(code(&error), "NOT_MEMBER");
    // Everyone leaves `room`: it is forgotten, and carol may create it in t2.
    for conn in [A, B, E] {
        caas.ok(conn, "conversation:leave", "room", json!({}));
    }
    caas.ok(C, "conversation:join", "room", json!({}));
    let error = caas.refused(A, "conversation:join", "room", json!({}));
    assert_eq!(code(&error), "FORBIDDEN");
}

#[test]
fn members_are_users_and_the_conversation_limit_holds() {
    let mut caas = Caas::with(|s| s.max_conversations_per_user = 2);
    caas.connect(A, "tok-alice");
    caas.join(A, "one");
    caas.join(A, "two");
    caas.ok(A, "conversation:join", "two", json!({}));
    let error = caas.refused(A, "conversation:join", "three", json!({}));
    assert_eq!(
        (code(&error), field(&error)),
        ("INVALID_PAYLOAD", "conversationId")
    );
    // A refused join created nothing: bob creates `three`, alone in it.
    caas.connect(B, "tok-bob");
    caas.join(B, "three");
    let (_, got) = caas.say(B, "three", "alone");
    assert_eq!(got.receivers("message:new"), [B]);
    caas.ok(A, "conversation:leave", "one", json!({}));
    caas.join(A, "three");
    // Membership is the user's: a socket connected later gets the events.
    caas.connect(A2, "tok-alice2");
    let (_, got) = caas.say(B, "three", "all of alice");
    assert_eq!(got.receivers("message:new"), [A, A2, B]);
    // ... and outlives its sockets.
    caas.disconnect(A);
    caas.disconnect(A2);
    caas.connect(7, "tok-alice");
    let (_, got) = caas.say(B, "three", "back");
    assert_eq!(got.receivers("message:new"), [B, 7]);
}

#[test]
fn sending_needs_membership_and_the_tenants_conversation() {
    let mut caas = room();
    let data = json!({"content": "x", "type": "text"});
    let error = caas.refused(E, "message:send", "room", data.clone());
    assert_eq!(code(&error), "NOT_MEMBER");
    let error = caas.refused(E, "message:send", "unknown", data.clone());
    assert_eq!(code(&error), "NOT_MEMBER");
    let error = caas.refused(C, "message:send", "room", data.clone());
    assert_eq!(code(&error), "FORBIDDEN");
    let error = caas.refused(C, "message:send", "room", json!({"content": ""}));
    assert_eq!(code(&error), "INVALID_PAYLOAD", "syntax first: {error}");
}

#[test]
fn every_member_socket_gets_every_message_with_its_attachments() {
    let mut caas = room();
    let attachments = json!([
        {"url": "https://x/a.png", "name": "a.png", "mimeType": "image/png", "size": 10, "extra": 1},
    ]);
    let data = json!({"content": "look", "type": "image", "attachments": attachments});
    let got = caas.ok(B, "message:send", "room", data);
    assert_eq!(got.receivers("message:new"), [A, A2, B]);
    assert_eq!(
        got.one(A)["data"]["attachments"],
        json!([{"url": "https://x/a.png", "name": "a.png", "mimeType": "image/png", "size": 10}])
    );
    assert!(got.one(A)["data"].get("replyTo").is_none());
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(
            caas.say(if i % 2 == 0 { A } else { B }, "room", &format!("m{i}"))
                .0,
        );
    }
    assert_eq!(
        ids.iter().collect::<std::collections::BTreeSet<_>>().len(),
        5
    );
}

#[test]
fn a_retried_send_is_already_exists_and_creates_nothing() {
    let mut caas = room();
    let frame = send_frame(|_| {});
    let (first, _) = caas.call_raw(A, "message:send", frame.clone());
    let (again, got) = caas.call_raw(A2, "message:send", frame.clone());
    assert_eq!(code(&again["error"]), "ALREADY_EXISTS");
    assert_eq!(
        again["error"]["details"],
        json!({"messageId": first["messageId"]})
    );
    assert!(got.frames.is_empty());
    // Another conversation, same user: still the same frame id.
    caas.join(A, "other");
    let (again, _) = caas.call_raw(
        A,
        "message:send",
        send_frame(|f| f["conversationId"] = json!("other")),
    );
    assert_eq!(code(&again["error"]), "ALREADY_EXISTS");
    // Another user may use the id.
    let (bob, _) = caas.call_raw(B, "message:send", frame);
    assert_eq!(bob["success"], true);
}

#[test]
fn only_the_author_edits_or_deletes_a_kept_message() {
    let mut caas = room();
    let (id, _) = caas.say(A, "room", "frist");
    let edit = json!({"messageId": id, "content": "first"});
    let error = caas.refused(B, "message:edit", "", edit.clone());
    assert_eq!(code(&error), "FORBIDDEN");
    let error = caas.refused(B, "message:delete", "", json!({"messageId": id}));
    assert_eq!(code(&error), "FORBIDDEN");
    let error = caas.refused(C, "message:edit", "", edit.clone());
    assert_eq!(
        code(&error),
        "NOT_FOUND",
        "another tenant's message does not exist for carol"
    );
    let error = caas.refused(E, "message:edit", "", edit.clone());
    assert_eq!(code(&error), "NOT_MEMBER");
    let error = caas.refused(A, "message:edit", "elsewhere", edit.clone());
    assert_eq!(code(&error), "NOT_FOUND", "not in the frame's conversation");
    let error = caas.refused(
        A,
        "message:edit",
        "",
        json!({"messageId": "nope", "content": "x"}),
    );
    assert_eq!(code(&error), "NOT_FOUND");
    let error = caas.refused(A, "message:edit", "", json!({"messageId": id}));
    assert_eq!(
        (code(&error), field(&error)),
        ("MISSING_FIELD", "data.content")
    );
    let error = caas.refused(A, "message:delete", "", json!({}));
    assert_eq!(
        (code(&error), field(&error)),
        ("MISSING_FIELD", "data.messageId")
    );

    let (ack, got) = caas.call(A2, "message:edit", "room", edit);
    assert_eq!(
        ack,
        json!({"success": true, "messageId": id, "timestamp": T0})
    );
    assert_eq!(got.receivers("message:updated"), [A, A2, B]);
    let updated = got.one(B);
    assert_eq!(updated["conversationId"], "room");
    assert_eq!(
        updated["data"],
        json!({"messageId": id, "content": "first"})
    );

    let (ack, got) = caas.call(A, "message:delete", "", json!({"messageId": id}));
    assert_eq!(ack["messageId"], id.as_str());
    assert_eq!(got.receivers("message:deleted"), [A, A2, B]);
    assert_eq!(got.one(B)["data"], json!({"messageId": id}));
    assert_eq!(got.one(B)["conversationId"], "room");
    for event in ["message:edit", "message:delete"] {
        let error = caas.refused(A, event, "", json!({"messageId": id, "content": "x"}));
        assert_eq!(code(&error), "NOT_FOUND", "{event} of a deleted message");
    }
    // An author who left cannot change what it wrote there.
    let (id, _) = caas.say(B, "room", "bye");
    caas.ok(B, "conversation:leave", "room", json!({}));
    let error = caas.refused(B, "message:delete", "", json!({"messageId": id}));
    assert_eq!(code(&error), "NOT_MEMBER");
}

#[test]
fn the_oldest_messages_are_forgotten_past_the_limit() {
    let mut caas = Caas::with(|s| s.max_messages_kept = 3);
    caas.connect(A, "tok-alice");
    caas.join(A, "room");
    let frames: Vec<Value> = (0..4)
        .map(|i| {
            json!({"id": format!("s{i}"), "type": "message:send", "version": 1,
               "conversationId": "room", "data": {"content": "x", "type": "text"}})
        })
        .collect();
    let ids: Vec<String> = frames
        .iter()
        .map(|f| {
            caas.call_raw(A, "message:send", f.clone()).0["messageId"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    let error = caas.refused(A, "message:delete", "", json!({"messageId": ids[0]}));
    assert_eq!(code(&error), "NOT_FOUND", "forgotten");
    caas.ok(A, "message:delete", "", json!({"messageId": ids[1]}));
    // The forgotten message's frame id is free again; the kept one's is not.
    let (body, _) = caas.call_raw(A, "message:send", frames[0].clone());
    assert_eq!(body["success"], true);
    let (body, _) = caas.call_raw(A, "message:send", frames[3].clone());
    assert_eq!(code(&body["error"]), "ALREADY_EXISTS");
}
