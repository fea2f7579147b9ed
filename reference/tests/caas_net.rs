//! The caas driver over real sockets on 127.0.0.1 (port 0), with a raw WebSocket client
//! speaking Engine.IO v4 / socket.io v5 packets, binary attachments included: each auth refusal
//! as `connect_error` with the code as its message (C7), a join sent the moment CONNECT arrives,
//! a send acked and fanned out, a refusal answered by the ack when there is one and by an
//! `error` event when there is none (caas-N5), a binary frame relayed with its bytes intact and
//! not echoed (caas-N12), and a permessage-deflate offer declined (caas-N14).
//! Every wait has a deadline.

use futures_util::{SinkExt, StreamExt};
use reference::caas::{Settings, UserToken};
use reference::net::caas::CaasServer;
use serde_json::{Value, json};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

const WAIT: Duration = Duration::from_secs(5);

/// A socket.io packet seen by the client.
#[derive(Debug, PartialEq)]
enum Packet {
    Connect(Value),
    ConnectError(Value),
    Event(String, Value),
    BinaryEvent(String, Vec<u8>),
    Ack(u64, Value),
}

struct Client {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

impl Client {
    /// Opens the Engine.IO session; returns after the open packet.
    async fn open(addr: SocketAddr) -> Self {
        let url = format!("ws://{addr}/socket.io/?EIO=4&transport=websocket");
        let (ws, _) = tokio::time::timeout(WAIT, tokio_tungstenite::connect_async(url))
            .await
            .unwrap()
            .unwrap();
        let mut c = Self { ws };
        let open = c.text().await;
        assert!(open.starts_with("0{"), "{open}");
        c
    }

    /// Opens the session and connects to `/` with `token`, without waiting for CONNECT.
    async fn connect_with(addr: SocketAddr, auth: Value) -> Self {
        let mut c = Self::open(addr).await;
        c.send(format!("40{auth}")).await;
        c
    }

    async fn connected(addr: SocketAddr, token: &str) -> Self {
        let mut c = Self::connect_with(addr, json!({ "token": token })).await;
        assert!(matches!(c.packet().await, Packet::Connect(_)));
        c
    }

    async fn send(&mut self, text: String) {
        self.ws.send(Message::text(text)).await.unwrap();
    }

    async fn next(&mut self) -> Message {
        loop {
            let m = tokio::time::timeout(WAIT, self.ws.next())
                .await
                .unwrap()
                .unwrap()
                .unwrap();
            match &m {
                Message::Text(t) if t.as_str() == "2" => self.send("3".into()).await,
                Message::Text(_) | Message::Binary(_) => return m,
                _ => {}
            }
        }
    }

    async fn text(&mut self) -> String {
        match self.next().await {
            Message::Text(t) => t.to_string(),
            other => panic!("expected text, got {other:?}"),
        }
    }

    async fn packet(&mut self) -> Packet {
        let t = self.text().await;
        let (kind, rest) = t.split_at(2);
        match kind {
            "40" => Packet::Connect(serde_json::from_str(rest).unwrap()),
            "44" => Packet::ConnectError(serde_json::from_str(rest).unwrap()),
            "42" => {
                let v: Vec<Value> = serde_json::from_str(rest).unwrap();
                Packet::Event(v[0].as_str().unwrap().to_owned(), v[1].clone())
            }
            "43" => {
                let at = rest.find('[').unwrap();
                let v: Vec<Value> = serde_json::from_str(&rest[at..]).unwrap();
                Packet::Ack(rest[..at].parse().unwrap(), v[0].clone())
            }
            "45" => {
                assert!(rest.starts_with("1-"), "one attachment: {t}");
                let v: Vec<Value> = serde_json::from_str(&rest[2..]).unwrap();
                assert_eq!(v[1], json!({"_placeholder": true, "num": 0}), "{t}");
                let Message::Binary(bytes) = self.next().await else {
                    panic!("attachment expected after {t}");
                };
                Packet::BinaryEvent(v[0].as_str().unwrap().to_owned(), bytes.to_vec())
            }
            _ => panic!("unexpected packet {t}"),
        }
    }

    async fn emit(&mut self, event: &str, frame: Value, ack: Option<u64>) {
        let ack = ack.map(|a| a.to_string()).unwrap_or_default();
        self.send(format!("42{ack}{}", json!([event, frame]))).await;
    }
}

fn frame(id: &str, event: &str, conversation: &str, data: Value) -> Value {
    json!({
        "id": id, "type": event, "version": 1, "timestamp": 1_705_654_321_000_i64,
        "conversationId": conversation, "data": data
    })
}

fn settings() -> Settings {
    let users = [
        "tok-alice=alice:t1",
        "tok-bob=bob:t1",
        "tok-expired=dave:t1:2020-01-01T00:00:00Z",
    ];
    Settings {
        port: 0,
        users: users.iter().map(|u| UserToken::parse(u).unwrap()).collect(),
        ..Settings::default()
    }
}

async fn server() -> CaasServer {
    CaasServer::start(IpAddr::V4(Ipv4Addr::LOCALHOST), settings())
        .await
        .unwrap()
}

/// alice and bob (tenant t1) both in conversation `c1`.
async fn two_members(addr: SocketAddr) -> (Client, Client) {
    // Sent the moment CONNECT arrives, while socketioxide may still be running the connect
    // handler: the event handlers must already be registered (DESIGN.md pitfalls). Not before
    // CONNECT: socketioxide connects in a task of its own and closes a session whose event
    // comes before that task has added the socket, as real clients never do (they wait).
    let mut alice = Client::connected(addr, "tok-alice").await;
    alice
        .emit(
            "conversation:join",
            frame("j1", "conversation:join", "c1", json!({})),
            Some(1),
        )
        .await;
    let Packet::Ack(1, ack) = alice.packet().await else {
        panic!("join ack expected")
    };
    assert_eq!(ack["success"], json!(true), "{ack}");
    let mut bob = Client::connected(addr, "tok-bob").await;
    bob.emit(
        "conversation:join",
        frame("j2", "conversation:join", "c1", json!({})),
        Some(1),
    )
    .await;
    let Packet::Ack(1, ack) = bob.packet().await else {
        panic!("join ack expected")
    };
    assert_eq!(ack["success"], json!(true), "{ack}");
    (alice, bob)
}

#[tokio::test]
async fn every_auth_failure_is_a_connect_error_named_by_its_code() {
    let server = server().await;
    for (auth, code) in [
        (json!({}), "AUTH_REQUIRED"),
        (json!({"token": "no-such-token"}), "AUTH_INVALID"),
        (json!({"token": "tok-expired"}), "TOKEN_EXPIRED"),
    ] {
        let mut c = Client::connect_with(server.addr(), auth).await;
        assert_eq!(
            c.packet().await,
            Packet::ConnectError(json!({"message": code}))
        );
    }
    server.shutdown().await;
}

#[tokio::test]
async fn a_send_is_acked_and_reaches_every_member_and_a_refusal_without_ack_is_an_error_event() {
    let server = server().await;
    let (mut alice, mut bob) = two_members(server.addr()).await;
    let send = frame(
        "m1",
        "message:send",
        "c1",
        json!({"content": "hi", "type": "text"}),
    );
    alice.emit("message:send", send, Some(2)).await;
    // The sender gets the ack and its own copy; the document fixes no order between them.
    let (mut ack, mut own) = (None, None);
    for _ in 0..2 {
        match alice.packet().await {
            Packet::Ack(2, body) => ack = Some(body),
            Packet::Event(event, frame) if event == "message:new" => own = Some(frame),
            other => panic!("ack or message:new expected, got {other:?}"),
        }
    }
    let ack = ack.unwrap();
    assert_eq!(ack["success"], json!(true), "{ack}");
    let id = ack["messageId"].clone();
    let Packet::Event(event, theirs) = bob.packet().await else {
        panic!("message:new expected")
    };
    assert_eq!(event, "message:new");
    for new in [own.unwrap(), theirs] {
        assert_eq!(new["data"]["messageId"], id);
        assert_eq!(new["data"]["content"], json!("hi"));
        assert_eq!(new["data"]["senderId"], json!("alice"));
        assert_eq!(new["conversationId"], json!("c1"));
    }
    // Without an ack: the refusal comes as an `error` frame that names the refused frame.
    let bad = frame("m2", "message:send", "c1", json!({"type": "text"}));
    alice.emit("message:send", bad, None).await;
    let Packet::Event(event, error) = alice.packet().await else {
        panic!("error event expected")
    };
    assert_eq!(event, "error");
    assert_eq!(error["data"]["code"], json!("MISSING_FIELD"), "{error}");
    assert_eq!(error["replyTo"], json!("m2"), "{error}");
    server.shutdown().await;
}

/// The document's binary frame: 16-byte header, JSON header, payload (caas-N12).
fn binary_frame(conversation: &str, payload: &[u8]) -> Vec<u8> {
    let header = json!({
        "type": "audio", "conversationId": conversation, "chunkIndex": 0,
        "totalChunks": 1, "mimeType": "audio/ogg"
    })
    .to_string();
    let total = 16 + header.len() + payload.len();
    let mut bytes = Vec::with_capacity(total);
    for n in [total, header.len(), 1, 7] {
        bytes.extend_from_slice(&u32::try_from(n).unwrap().to_be_bytes());
    }
    bytes.extend_from_slice(header.as_bytes());
    bytes.extend_from_slice(payload);
    bytes
}

#[tokio::test]
async fn a_binary_frame_reaches_the_other_members_intact_and_is_acked() {
    let server = server().await;
    let (mut alice, mut bob) = two_members(server.addr()).await;
    let payload: Vec<u8> = (0..=255).collect();
    let bytes = binary_frame("c1", &payload);
    alice
        .send(r#"451-5["binary",{"_placeholder":true,"num":0}]"#.to_owned())
        .await;
    alice.ws.send(Message::binary(bytes.clone())).await.unwrap();
    let Packet::Ack(5, ack) = alice.packet().await else {
        panic!("binary ack expected")
    };
    assert_eq!(ack["success"], json!(true), "{ack}");
    assert_eq!(
        bob.packet().await,
        Packet::BinaryEvent("binary".into(), bytes)
    );
    // Not echoed to the sender: the next thing alice sees answers her next request.
    alice
        .emit(
            "presence:update",
            frame("p1", "presence:update", "c1", json!({"status": "away"})),
            Some(6),
        )
        .await;
    assert!(matches!(alice.packet().await, Packet::Ack(6, _)));
    server.shutdown().await;
}

#[tokio::test]
async fn a_permessage_deflate_offer_is_declined_and_the_session_goes_on() {
    let server = server().await;
    let url = format!(
        "ws://{}/socket.io/?EIO=4&transport=websocket",
        server.addr()
    );
    let mut request = url.into_client_request().unwrap();
    request.headers_mut().insert(
        "Sec-WebSocket-Extensions",
        "permessage-deflate; client_max_window_bits"
            .parse()
            .unwrap(),
    );
    let (ws, response) = tokio::time::timeout(WAIT, tokio_tungstenite::connect_async(request))
        .await
        .unwrap()
        .unwrap();
    assert!(
        response.headers().get("Sec-WebSocket-Extensions").is_none(),
        "no extension accepted (caas-N14): {:?}",
        response.headers()
    );
    let mut c = Client { ws };
    assert!(c.text().await.starts_with("0{"));
    c.send(format!("40{}", json!({"token": "tok-alice"}))).await;
    assert!(matches!(c.packet().await, Packet::Connect(_)));
    server.shutdown().await;
}
