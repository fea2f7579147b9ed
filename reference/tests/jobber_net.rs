//! The jobber driver over real sockets on 127.0.0.1 (port 0), with a raw WebSocket client
//! speaking Engine.IO v4 / socket.io v5 text packets: connect and `client_ready`, refusal with
//! `INVALID_TOKEN`, `send_job` acked with a `jobId`, a registered worker gets `work_request`,
//! both paths (`/socket.io/`, `/ws`), first emits sent before CONNECT arrives, acks in order,
//! a message far larger than the read buffer, a client too slow for its send buffer
//! disconnected rather than losing an ack.
//! Every wait has a deadline.

use crate::jobber_server;

use futures_util::{SinkExt, StreamExt};
use reference::jobber::DEV_TOKEN;
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

const WAIT: Duration = Duration::from_secs(5);

struct Client {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

/// A socket.io packet seen by the client.
#[derive(Debug, PartialEq)]
enum Packet {
    Connect(Value),
    ConnectError(Value),
    Event(String, Value),
    Ack(u64, Value),
}

impl Client {
    /// Opens the Engine.IO session on `path`; returns after the open packet.
    async fn open(addr: SocketAddr, path: &str) -> Self {
        let url = format!("ws://{addr}{path}/?EIO=4&transport=websocket");
        let (ws, _) = tokio::time::timeout(WAIT, tokio_tungstenite::connect_async(url))
            .await
            .unwrap()
            .unwrap();
        let mut c = Self { ws };
        let open = c.text().await;
        assert!(open.starts_with("0{"), "{open}");
        c
    }

    async fn send(&mut self, text: String) {
        self.ws.send(Message::text(text)).await.unwrap();
    }

    async fn text(&mut self) -> String {
        loop {
            let m = tokio::time::timeout(WAIT, self.ws.next())
                .await
                .unwrap()
                .unwrap()
                .unwrap();
            if let Message::Text(t) = m {
                if t.as_str() == "2" {
                    self.send("3".into()).await;
                    continue;
                }
                return t.to_string();
            }
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
                Packet::Event(
                    v[0].as_str().unwrap().to_owned(),
                    v.get(1).cloned().unwrap_or(Value::Null),
                )
            }
            "43" => {
                let at = rest.find('[').unwrap();
                let v: Vec<Value> = serde_json::from_str(&rest[at..]).unwrap();
                Packet::Ack(rest[..at].parse().unwrap(), v[0].clone())
            }
            _ => panic!("unexpected packet {t}"),
        }
    }

    async fn connect(&mut self, auth: &Value) {
        self.send(format!("40{auth}")).await;
    }

    async fn emit(&mut self, ack: Option<u64>, event: &str, payload: Value) {
        let id = ack.map(|a| a.to_string()).unwrap_or_default();
        self.send(format!("42{id}{}", json!([event, payload])))
            .await;
    }

    /// Connects with the dev token and waits for CONNECT and `client_ready`.
    async fn ready(addr: SocketAddr, path: &str) -> (Self, Value) {
        let mut c = Self::open(addr, path).await;
        c.connect(&json!({ "customerToken": DEV_TOKEN })).await;
        assert!(matches!(c.packet().await, Packet::Connect(_)));
        let Packet::Event(name, ready) = c.packet().await else {
            panic!()
        };
        assert_eq!(name, "client_ready");
        (c, ready)
    }
}

#[tokio::test]
async fn connect_gets_client_ready_on_both_paths() {
    let server = jobber_server::start().await;
    let (_a, ready_a) = Client::ready(server.addr(), "/socket.io").await;
    let (_b, ready_b) = Client::ready(server.addr(), "/ws").await;
    assert!(ready_a["id"].is_string());
    assert!(ready_a["customerId"].is_string());
    assert_eq!(ready_a["customerId"], ready_b["customerId"]);
    assert_ne!(ready_a["id"], ready_b["id"]);
    server.shutdown().await;
}

#[tokio::test]
async fn bad_or_missing_token_is_refused() {
    let server = jobber_server::start().await;
    for auth in [json!({"customerToken": "wrong"}), json!({})] {
        let mut c = Client::open(server.addr(), "/socket.io").await;
        c.connect(&auth).await;
        let Packet::ConnectError(e) = c.packet().await else {
            panic!("{auth}")
        };
        assert_eq!(e["message"], "INVALID_TOKEN");
    }
    let mut c = Client::open(server.addr(), "/ws").await;
    c.send("40".into()).await;
    assert!(matches!(c.packet().await, Packet::ConnectError(_)));
    server.shutdown().await;
}

#[tokio::test]
async fn send_job_is_acked_and_a_worker_gets_work_request() {
    let server = jobber_server::start().await;
    let (mut worker, _) = Client::ready(server.addr(), "/ws").await;
    worker
        .emit(None, "register_worker", json!({"jobName": "email"}))
        .await;
    // The sender emits right after CONNECT is requested, before it has seen it.
    let mut sender = Client::open(server.addr(), "/socket.io").await;
    sender.connect(&json!({ "customerToken": DEV_TOKEN })).await;
    sender
        .emit(
            Some(1),
            "send_job",
            json!({"name": "email", "data": {"to": "a@b"}}),
        )
        .await;
    let mut seen = Vec::new();
    let job_id = loop {
        match sender.packet().await {
            Packet::Ack(1, reply) => break reply["jobId"].as_str().unwrap().to_owned(),
            other => seen.push(other),
        }
    };
    assert!(matches!(seen[0], Packet::Connect(_)), "{seen:?}");
    let Packet::Event(name, job) = worker.packet().await else {
        panic!()
    };
    assert_eq!(name, "work_request");
    assert_eq!(job["id"], json!(job_id));
    assert_eq!(job["state"], "active");
    assert_eq!(job["data"], json!({"to": "a@b"}));
    worker
        .emit(Some(7), "job_completed", json!({"jobId": job_id}))
        .await;
    assert_eq!(worker.packet().await, Packet::Ack(7, json!({})));
    sender
        .emit(Some(2), "get_job", json!({"jobId": job_id}))
        .await;
    let Packet::Ack(2, reply) = sender.packet().await else {
        panic!()
    };
    assert_eq!(reply["job"]["state"], "completed");
    server.shutdown().await;
}

#[tokio::test]
async fn acks_leave_in_request_order() {
    let server = jobber_server::start().await;
    let (mut c, _) = Client::ready(server.addr(), "/socket.io").await;
    for i in 0..64 {
        c.emit(Some(i), "get_job", json!({"jobId": format!("j{i}")}))
            .await;
    }
    for i in 0..64 {
        let Packet::Ack(id, reply) = c.packet().await else {
            panic!()
        };
        assert_eq!(id, i);
        assert!(
            reply["error"]
                .as_str()
                .unwrap()
                .starts_with("JOB_NOT_FOUND: ")
        );
    }
    server.shutdown().await;
}

/// A message many times the WebSocket read buffer (`ws_read_buffer_bytes`, 1 KiB) arrives
/// whole, both ways.
#[tokio::test]
async fn a_message_larger_than_the_read_buffer_arrives_whole() {
    let server = jobber_server::start().await;
    let (mut c, _) = Client::ready(server.addr(), "/ws").await;
    let text = "x".repeat(200 * 1024);
    c.emit(
        Some(1),
        "send_job",
        json!({"name": "big", "data": {"text": text}}),
    )
    .await;
    let Packet::Ack(1, reply) = c.packet().await else {
        panic!()
    };
    let job_id = reply["jobId"].as_str().unwrap().to_owned();
    c.emit(Some(2), "get_job", json!({"jobId": job_id})).await;
    let Packet::Ack(2, reply) = c.packet().await else {
        panic!()
    };
    assert_eq!(
        reply["job"]["data"]["text"].as_str().map(str::len),
        Some(text.len())
    );
    assert_eq!(reply["job"]["data"]["text"], json!(text));
    server.shutdown().await;
}

/// A client that sends far more acked requests than its send buffer (`max_queued_packets`)
/// holds before reading anything: every ack arrives, in order, or the acks stop and the server
/// disconnects it. An ack is never skipped while the connection goes on (C4).
#[tokio::test]
async fn a_client_too_slow_for_its_send_buffer_is_disconnected_not_skipped() {
    let settings = reference::jobber::Settings {
        max_queued_packets: 4,
        ..reference::jobber::Settings::default()
    };
    let server = jobber_server::start_with(settings).await;
    let (mut c, _) = Client::ready(server.addr(), "/socket.io").await;
    const SENT: u64 = 2000;
    for i in 0..SENT {
        let packet = format!("42{i}{}", json!(["get_job", {"jobId": format!("j{i}")}]));
        if c.ws.send(Message::text(packet)).await.is_err() {
            break; // Already disconnected.
        }
    }
    let mut next = 0;
    let ended = loop {
        let message = tokio::time::timeout(WAIT, c.ws.next()).await.unwrap();
        let text = match message {
            Some(Ok(Message::Text(t))) => t.to_string(),
            Some(Ok(Message::Close(_)) | Err(_)) | None => break true,
            Some(Ok(_)) => continue,
        };
        if text == "41" || text.starts_with("41/") {
            break true;
        }
        if text == "2" {
            continue;
        }
        let at = text.find('[').unwrap();
        assert_eq!(&text[..2], "43", "{text}");
        assert_eq!(
            text[2..at].parse::<u64>().unwrap(),
            next,
            "an ack was skipped"
        );
        next += 1;
        if next == SENT {
            break false;
        }
    };
    assert!(ended || next == SENT, "{next} of {SENT} acks");
    assert!(
        ended,
        "a buffer of 4 did not fill: the test shows nothing ({next} acks)"
    );
    server.shutdown().await;
}
