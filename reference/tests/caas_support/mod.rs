//! Test support: the caas core with a manual clock, sequential ids and the suite's users
//! (alice and bob of t1, carol of t2, dave of t1 with an expired token), and its outputs as
//! `(conn, event, frame)` per socket.
#![allow(clippy::unwrap_used, dead_code)]

use reference::caas::{
    AckId, ConnId, Core, Input, Message, Output, Payload, SequentialIds, Settings, Timestamp,
    UserToken,
};
use serde_json::{Value, json};
use std::time::Duration;

/// 2024-01-15T10:30:00.000Z
pub const T0: i64 = 1_705_314_600_000;

/// The suite's users (caas-N2), plus a second token of alice.
pub fn users() -> Vec<UserToken> {
    [
        "tok-alice=alice:t1",
        "tok-alice2=alice:t1",
        "tok-bob=bob:t1",
        "tok-carol=carol:t2",
        "tok-expired=dave:t1:2020-01-01T00:00:00Z",
        "tok-erin=erin:t1",
    ]
    .iter()
    .map(|t| UserToken::parse(t).unwrap())
    .collect()
}

/// The suite's settings: its users, 500 ms typing, 1 s ring.
pub fn settings() -> Settings {
    Settings {
        users: users(),
        typing_timeout: Duration::from_millis(500),
        call_ring_timeout: Duration::from_secs(1),
        ..Settings::default()
    }
}

/// What one input produced.
#[derive(Debug, Default)]
pub struct Got {
    /// Acks as `(conn, ack, body)`.
    pub acks: Vec<(ConnId, AckId, Value)>,
    /// Frames as `(conn, event, frame)`.
    pub frames: Vec<(ConnId, String, Value)>,
    /// Binary relays as `(conn, bytes)`.
    pub binaries: Vec<(ConnId, Vec<u8>)>,
}

impl Got {
    pub fn from(out: Output) -> Self {
        let mut got = Self::default();
        for m in out.messages {
            match m {
                Message::Ack { conn, ack, body } => got.acks.push((conn, ack, body)),
                Message::Emit {
                    conn,
                    event,
                    payload: Payload::Frame(frame),
                } => {
                    assert_eq!(frame["type"], event.as_str(), "type is the event name");
                    got.frames.push((conn, event, frame));
                }
                Message::Emit {
                    conn,
                    event,
                    payload: Payload::Binary(bytes),
                } => {
                    assert_eq!(event, "binary");
                    got.binaries.push((conn, bytes.to_vec()));
                }
            }
        }
        got
    }

    /// The frames to `conn`, in order.
    pub fn to(&self, conn: ConnId) -> Vec<Value> {
        self.frames
            .iter()
            .filter(|(c, _, _)| *c == conn)
            .map(|(_, _, f)| f.clone())
            .collect()
    }

    /// The events to `conn`, in order.
    pub fn events(&self, conn: ConnId) -> Vec<String> {
        self.frames
            .iter()
            .filter(|(c, _, _)| *c == conn)
            .map(|(_, e, _)| e.clone())
            .collect()
    }

    /// The one frame to `conn`.
    pub fn one(&self, conn: ConnId) -> Value {
        let to = self.to(conn);
        assert_eq!(to.len(), 1, "{:#?}", self.frames);
        to.into_iter().next().unwrap()
    }

    /// The sockets that got a frame of `event`, sorted.
    pub fn receivers(&self, event: &str) -> Vec<ConnId> {
        let mut r: Vec<_> = self
            .frames
            .iter()
            .filter(|(_, e, _)| e == event)
            .map(|(c, _, _)| *c)
            .collect();
        r.sort_unstable();
        r.dedup();
        r
    }

    pub fn is_empty(&self) -> bool {
        self.acks.is_empty() && self.frames.is_empty() && self.binaries.is_empty()
    }
}

/// A core, its clock and the next frame and ack numbers.
pub struct Caas {
    pub core: Core,
    pub now: i64,
    next_frame: u64,
    next_ack: AckId,
}

impl Caas {
    pub fn new() -> Self {
        Self::with(|_| {})
    }

    pub fn with(change: impl FnOnce(&mut Settings)) -> Self {
        let mut settings = settings();
        change(&mut settings);
        Self {
            core: Core::new(settings, Box::new(SequentialIds::default())),
            now: T0,
            next_frame: 0,
            next_ack: 0,
        }
    }

    pub fn t(&self) -> Timestamp {
        Timestamp::from_unix_millis(self.now)
    }

    pub fn input(&mut self, input: Input) -> Got {
        Got::from(self.core.handle(self.t(), input))
    }

    /// Moves the clock `ms` on and runs the timers due.
    pub fn advance(&mut self, ms: i64) -> Got {
        self.now += ms;
        Got::from(self.core.handle_timeout(self.t()))
    }

    /// Connects `conn` with `token` (which must be accepted).
    pub fn connect(&mut self, conn: ConnId, token: &str) -> Got {
        let auth = json!({ "token": token });
        self.core.authenticate(self.t(), &auth).unwrap();
        self.input(Input::Connect { conn, auth })
    }

    pub fn disconnect(&mut self, conn: ConnId) -> Got {
        self.input(Input::Disconnect { conn })
    }

    /// A fresh frame id.
    pub fn frame_id(&mut self) -> String {
        self.next_frame += 1;
        format!("f{}", self.next_frame)
    }

    /// A well-formed frame of `event` (with a conversation when `conversation` is not empty).
    pub fn frame(&mut self, event: &str, conversation: &str, data: Value) -> Value {
        let mut frame = json!({
            "id": self.frame_id(),
            "type": event,
            "version": 1,
            "timestamp": self.now,
            "data": data,
        });
        if !conversation.is_empty() {
            frame["conversationId"] = conversation.into();
        }
        frame
    }

    /// Sends `payload` as `event` with an ack: the ack's body and everything else.
    pub fn call_raw(&mut self, conn: ConnId, event: &str, payload: Value) -> (Value, Got) {
        self.next_ack += 1;
        let ack = self.next_ack;
        let input = Input::Event {
            conn,
            event: event.to_owned(),
            payload,
            ack: Some(ack),
        };
        let got = self.input(input);
        let body = got
            .acks
            .iter()
            .find(|(c, a, _)| *c == conn && *a == ack)
            .map(|(_, _, b)| b.clone())
            .unwrap_or(Value::Null);
        (body, got)
    }

    /// Sends a well-formed frame of `event` with an ack.
    pub fn call(
        &mut self,
        conn: ConnId,
        event: &str,
        conversation: &str,
        data: Value,
    ) -> (Value, Got) {
        let frame = self.frame(event, conversation, data);
        self.call_raw(conn, event, frame)
    }

    /// As [`Caas::call`], asserting success.
    pub fn ok(&mut self, conn: ConnId, event: &str, conversation: &str, data: Value) -> Got {
        let (body, got) = self.call(conn, event, conversation, data);
        assert_eq!(body["success"], true, "{event}: {body}");
        got
    }

    /// As [`Caas::call`], expecting a refusal: its `error` object.
    pub fn refused(&mut self, conn: ConnId, event: &str, conversation: &str, data: Value) -> Value {
        let (body, got) = self.call(conn, event, conversation, data);
        assert_eq!(body["success"], false, "{event}: {body}");
        assert!(got.frames.is_empty(), "a refusal emits nothing: {got:#?}");
        body["error"].clone()
    }

    /// Sends `payload` as `event` without an ack.
    pub fn send_raw(&mut self, conn: ConnId, event: &str, payload: Value) -> Got {
        let input = Input::Event {
            conn,
            event: event.to_owned(),
            payload,
            ack: None,
        };
        self.input(input)
    }

    /// A binary attachment as `event`, with an ack.
    pub fn binary(&mut self, conn: ConnId, event: &str, bytes: Vec<u8>) -> (Value, Got) {
        self.next_ack += 1;
        let ack = self.next_ack;
        let input = Input::Binary {
            conn,
            event: event.to_owned(),
            bytes: bytes.into(),
            ack: Some(ack),
        };
        let got = self.input(input);
        let body = got
            .acks
            .iter()
            .find(|(c, a, _)| *c == conn && *a == ack)
            .map(|(_, _, b)| b.clone())
            .unwrap_or(Value::Null);
        (body, got)
    }

    /// `conn` joins `conversation`.
    pub fn join(&mut self, conn: ConnId, conversation: &str) {
        let data = json!({ "conversationId": conversation });
        self.ok(conn, "conversation:join", "", data);
    }

    /// `conn` sends a text message: its id and what it produced.
    pub fn say(&mut self, conn: ConnId, conversation: &str, content: &str) -> (String, Got) {
        let data = json!({ "content": content, "type": "text" });
        let got = self.ok(conn, "message:send", conversation, data);
        let body = &got.acks[0].2;
        (body["messageId"].as_str().unwrap().to_owned(), got)
    }
}

/// The `code` of an error object.
pub fn code(error: &Value) -> &str {
    error["code"].as_str().unwrap_or_default()
}

/// The `details.field` of an error object.
pub fn field(error: &Value) -> &str {
    error["details"]["field"].as_str().unwrap_or_default()
}
