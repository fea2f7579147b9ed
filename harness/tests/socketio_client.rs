//! The socket.io client against a tiny socket.io server written here over tokio-tungstenite on
//! 127.0.0.1 port 0. The server builds and parses its frames by hand (not with the harness's
//! codec), so a codec bug cannot pass on both sides. Every wait is bounded.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use harness::transport::socketio::{
    ConnectOptions, SioConnection, SioIncoming, connect, engine_url, placeholder,
};
use harness::transport::{Inbound, TransportError};
use serde_json::{Value, json};
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};

const WAIT: Duration = Duration::from_secs(10);

/// Starts the server; returns its base URL.
async fn server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            tokio::spawn(serve(tcp));
        }
    });
    format!("ws://{addr}")
}

/// One parsed client packet: socket.io type, namespace prefix (`/admin,` or empty), id, JSON.
struct Parsed {
    kind: u8,
    ns: String,
    id: Option<u64>,
    data: Value,
}

fn parse(text: &str) -> Parsed {
    let rest = text.strip_prefix('4').expect("an Engine.IO message");
    let kind = rest.as_bytes()[0] - b'0';
    let mut rest = &rest[1..];
    if kind >= 5 {
        rest = rest.split_once('-').expect("attachment count").1;
    }
    let mut ns = String::new();
    if rest.starts_with('/') {
        let (name, tail) = rest.split_once(',').unwrap_or((rest, ""));
        ns = format!("{name},");
        rest = tail;
    }
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    let id = (digits > 0).then(|| rest[..digits].parse().expect("id"));
    let data = if rest[digits..].is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&rest[digits..]).expect("json")
    };
    Parsed { kind, ns, id, data }
}

async fn serve(tcp: TcpStream) {
    tcp.set_nodelay(true).expect("nodelay");
    let mut target = String::new();
    let callback = |request: &Request, response: Response| {
        target = request.uri().to_string();
        Ok(response)
    };
    let Ok(mut ws) = tokio_tungstenite::accept_hdr_async(tcp, callback).await else {
        return;
    };
    assert!(target.starts_with("/socket.io/?"), "{target}");
    assert!(target.ends_with("EIO=4&transport=websocket"), "{target}");
    let mode = target
        .split(['?', '&'])
        .find_map(|p| p.strip_prefix("mode="))
        .unwrap_or("");
    let text = |s: String| Message::text(s);
    match mode {
        "mute" => {
            // Never opens: hold the socket until the client gives up.
            while ws.next().await.is_some() {}
            return;
        }
        "silent" => {
            let open = r#"0{"sid":"eio1","upgrades":[],"pingInterval":100,"pingTimeout":100,"maxPayload":1000000}"#;
            ws.send(text(open.into())).await.expect("send");
        }
        _ => {
            let open = r#"0{"sid":"eio1","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}"#;
            ws.send(text(open.into())).await.expect("send");
        }
    }
    let mut work: Vec<(u64, Value)> = Vec::new();
    let mut pending_binary: Option<Parsed> = None;
    while let Some(Ok(message)) = ws.next().await {
        let frame = match message {
            Message::Text(frame) => frame.as_str().to_owned(),
            Message::Binary(bytes) => {
                // The attachment of a "bin" BINARY_EVENT: answer with a BINARY_ACK of the reversed
                // bytes and a BINARY_EVENT back.
                let parsed = pending_binary.take().expect("a binary packet announced it");
                let mut reversed = bytes.to_vec();
                reversed.reverse();
                let ns = &parsed.ns;
                let id = parsed.id.expect("ack requested");
                let len = bytes.len();
                ws.feed(text(format!(
                    r#"461-{ns}{id}[{{"_placeholder":true,"num":0}},{len}]"#
                )))
                .await
                .expect("send");
                ws.feed(Message::binary(reversed)).await.expect("send");
                ws.feed(text(format!(r#"452-{ns}["bin_back",{{"_placeholder":true,"num":1}},{{"x":{{"_placeholder":true,"num":0}}}}]"#))).await.expect("send");
                ws.feed(Message::binary(b"first".to_vec()))
                    .await
                    .expect("send");
                ws.feed(Message::binary(b"second".to_vec()))
                    .await
                    .expect("send");
                ws.flush().await.expect("flush");
                continue;
            }
            _ => continue,
        };
        if frame == "3" {
            ws.send(text(r#"42["ponged"]"#.into())).await.expect("send");
            continue;
        }
        let packet = parse(&frame);
        let ns = packet.ns.clone();
        match (packet.kind, packet.data.get(0).and_then(Value::as_str)) {
            (0, _) => {
                if packet.data.get("token") == Some(&json!("good")) {
                    if mode == "early" {
                        ws.feed(text(format!(r#"42{ns}["too_soon"]"#)))
                            .await
                            .expect("send");
                    }
                    let content = match mode {
                        "nosid" => "{}",
                        "emptysid" => r#"{"sid":""}"#,
                        "numsid" => r#"{"sid":1}"#,
                        _ => r#"{"sid":"sock1"}"#,
                    };
                    ws.feed(text(format!("40{ns}{content}")))
                        .await
                        .expect("send");
                    // An event right after CONNECT: the client must not lose it.
                    ws.feed(text(format!(r#"42{ns}["welcome",1]"#)))
                        .await
                        .expect("send");
                    if mode == "ping" {
                        ws.feed(text("2".into())).await.expect("send");
                    }
                    ws.flush().await.expect("flush");
                } else {
                    ws.send(text(format!(r#"44{ns}{{"message":"bad token"}}"#)))
                        .await
                        .expect("send");
                }
            }
            (1, _) => {
                ws.send(text(r#"42["bye"]"#.into())).await.ok();
            }
            (2, Some("echo")) => {
                let args = &packet.data.as_array().expect("array")[1..];
                let body = args
                    .iter()
                    .map(Value::to_string)
                    .collect::<Vec<_>>()
                    .join(",");
                ws.send(text(format!(r#"42{ns}["echo",{body}]"#)))
                    .await
                    .expect("send");
            }
            (2, Some("ask")) => {
                ws.send(text(format!(r#"42{ns}77["question","q"]"#)))
                    .await
                    .expect("send");
            }
            (3, _) => {
                assert_eq!(packet.id, Some(77));
                // The exact wire form of the client's ACK.
                assert_eq!(frame, format!(r#"43{ns}77["yes",2]"#));
                let args = packet.data.to_string();
                let args = &args[1..args.len() - 1];
                ws.send(text(format!(r#"42{ns}["answered",{args}]"#)))
                    .await
                    .expect("send");
            }
            (2, Some("work")) => {
                work.push((packet.id.expect("ack requested"), packet.data[1].clone()));
                if work.len() == 1000 {
                    // All acks at once, in reverse order.
                    for (id, k) in work.drain(..).rev() {
                        let double = k.as_u64().expect("k") * 2;
                        ws.feed(text(format!(
                            r#"43{ns}{id}[{{"k":{k},"double":{double}}}]"#
                        )))
                        .await
                        .expect("send");
                    }
                    ws.flush().await.expect("flush");
                }
            }
            (5, Some("bin")) => pending_binary = Some(packet),
            other => panic!("unexpected packet {other:?}: {frame}"),
        }
    }
}

fn options(namespace: &str, token: &str, mode: &str) -> ConnectOptions {
    ConnectOptions {
        namespace: namespace.into(),
        auth: Some(json!({ "token": token })),
        query: vec![("mode".into(), mode.into())],
        ..ConnectOptions::default()
    }
}

/// What a connection received: the items before its acceptance, then its stream.
struct Received {
    early: std::collections::VecDeque<Inbound>,
    incoming: SioIncoming,
}

impl Received {
    async fn recv(&mut self) -> Option<Inbound> {
        match self.early.pop_front() {
            Some(item) => Some(item),
            None => self.incoming.next().await,
        }
    }
}

async fn next(rx: &mut Received) -> Inbound {
    tokio::time::timeout(WAIT, rx.recv())
        .await
        .expect("an item within the wait")
        .expect("the stream is open")
}

async fn event(rx: &mut Received) -> (String, Vec<Value>, Option<u64>, String) {
    match next(rx).await {
        Inbound::Event {
            name,
            args,
            ack_id,
            raw,
            ..
        } => (name, args, ack_id, raw.as_str().to_owned()),
        other => panic!("expected an event, got {other:?}"),
    }
}

async fn open(base: &str, options: &ConnectOptions) -> Result<SioConnection, TransportError> {
    connect(base, options)
        .await
        .map(|(connection, _, _)| connection)
}

async fn connected(namespace: &str, mode: &str) -> (SioConnection, Received) {
    let base = server().await;
    let (conn, incoming, early) = connect(&base, &options(namespace, "good", mode))
        .await
        .expect("connects");
    let mut rx = Received {
        early: early.into(),
        incoming,
    };
    assert_eq!(conn.sid(), Some("sock1"));
    assert_eq!(conn.open_info().sid, "eio1");
    let (name, args, _, _) = event(&mut rx).await;
    assert_eq!((name.as_str(), args), ("welcome", vec![json!(1)]));
    (conn, rx)
}

#[test]
fn urls_are_built_from_base_path_and_query() {
    let query = [("mode".to_owned(), "a b".to_owned())];
    assert_eq!(
        engine_url("http://h:1", "/socket.io", &query).expect("valid"),
        "ws://h:1/socket.io/?mode=a+b&EIO=4&transport=websocket"
    );
    assert_eq!(
        engine_url("wss://h/base/?x=1", "socket.io/", &[]).expect("valid"),
        "wss://h/base/socket.io/?x=1&EIO=4&transport=websocket"
    );
    assert!(matches!(
        engine_url("ftp://h", "/", &[]),
        Err(TransportError::InvalidUrl { .. })
    ));
}

#[tokio::test]
async fn accepted_auth_echo_and_the_first_event_is_kept() {
    let (conn, mut rx) = connected("/", "").await;
    conn.emit("echo", &[json!("hi"), json!({"n": 1})], None)
        .await
        .expect("sent");
    let (name, args, ack_id, raw) = event(&mut rx).await;
    assert_eq!(
        (name.as_str(), args, ack_id),
        ("echo", vec![json!("hi"), json!({"n": 1})], None)
    );
    assert_eq!(raw, r#"42["echo","hi",{"n":1}]"#);
}

#[tokio::test]
async fn an_event_before_connect_is_a_finding_and_still_delivered() {
    let base = server().await;
    let (_conn, _incoming, early) = connect(&base, &options("/", "good", "early"))
        .await
        .expect("connects");
    match &early[..] {
        [
            Inbound::Invalid { reason, raw },
            Inbound::Event { name, .. },
            ..,
        ] => {
            assert!(
                reason.contains("EVENT before the namespace's CONNECT"),
                "{reason}"
            );
            assert_eq!(raw, r#"42["too_soon"]"#);
            assert_eq!(name, "too_soon");
        }
        other => panic!("expected the finding, then the event: {other:?}"),
    }
}

#[tokio::test]
async fn a_connect_without_a_non_empty_string_sid_is_a_finding() {
    let base = server().await;
    for (mode, frame) in [
        ("nosid", "40{}"),
        ("emptysid", r#"40{"sid":""}"#),
        ("numsid", r#"40{"sid":1}"#),
    ] {
        let (conn, _incoming, early) = connect(&base, &options("/", "good", mode))
            .await
            .expect("connects");
        assert_eq!(conn.sid(), None, "{mode}");
        match early.first() {
            Some(Inbound::Invalid { reason, raw }) => {
                assert!(reason.contains("\"sid\": <a non-empty string>"), "{reason}");
                assert_eq!(raw, frame);
            }
            other => panic!("{mode}: expected a finding, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn refused_auth_is_a_distinct_outcome() {
    let base = server().await;
    match open(&base, &options("/", "bad", "")).await {
        Err(TransportError::Refused { data }) => assert_eq!(data, json!({"message": "bad token"})),
        Err(other) => panic!("expected a refusal, got {other}"),
        Ok(_) => panic!("a refused connection returned Ok"),
    }
    match open(&base, &options("/admin", "bad", "")).await {
        Err(TransportError::Refused { data }) => assert_eq!(data, json!({"message": "bad token"})),
        _ => panic!("expected a refusal on /admin"),
    }
}

#[tokio::test]
async fn the_server_can_request_an_ack_on_a_namespace() {
    let (conn, mut rx) = connected("/admin", "").await;
    conn.emit("ask", &[], None).await.expect("sent");
    let (name, args, ack_id, raw) = event(&mut rx).await;
    assert_eq!(
        (name.as_str(), args, ack_id),
        ("question", vec![json!("q")], Some(77))
    );
    assert_eq!(raw, r#"42/admin,77["question","q"]"#);
    conn.ack(77, &[json!("yes"), json!(2)]).await.expect("sent");
    let (name, args, _, _) = event(&mut rx).await;
    assert_eq!(
        (name.as_str(), args),
        ("answered", vec![json!("yes"), json!(2)])
    );
}

#[tokio::test]
async fn a_thousand_pipelined_acks_are_correlated_by_id() {
    let (conn, mut rx) = connected("/", "").await;
    let mut sent = std::collections::HashMap::new();
    for k in 0..1000u64 {
        let id = k * 7 + 1;
        conn.emit("work", &[json!(k)], Some(id))
            .await
            .expect("sent");
        assert!(sent.insert(id, k).is_none(), "ack id {id} reused");
    }
    let mut order = Vec::new();
    for _ in 0..1000 {
        match next(&mut rx).await {
            Inbound::Ack {
                id,
                args,
                attachments,
                ..
            } => {
                let k = sent.remove(&id).expect("an id we sent, answered once");
                assert_eq!(args, vec![json!({"k": k, "double": 2 * k})]);
                assert!(attachments.is_empty());
                order.push(id);
            }
            other => panic!("expected an ack, got {other:?}"),
        }
    }
    assert!(sent.is_empty());
    assert!(
        order.windows(2).all(|w| w[0] > w[1]),
        "the server answered in reverse order"
    );
}

#[tokio::test]
async fn binary_attachments_both_ways() {
    let (conn, mut rx) = connected("/admin", "").await;
    let id = 5;
    conn.emit_binary("bin", &[placeholder(0)], vec![vec![1, 2, 3, 4]], Some(id))
        .await
        .expect("sent");
    let Inbound::Ack {
        id: answered,
        args,
        attachments,
        raw,
    } = next(&mut rx).await
    else {
        panic!("expected the binary ack");
    };
    assert_eq!(
        raw.as_str(),
        format!(r#"461-/admin,{id}[{{"_placeholder":true,"num":0}},4]"#)
    );
    assert_eq!(answered, id);
    assert_eq!(args, vec![placeholder(0), json!(4)]);
    assert_eq!(attachments, vec![vec![4, 3, 2, 1]]);
    match next(&mut rx).await {
        Inbound::Event {
            name,
            args,
            ack_id,
            attachments,
            ..
        } => {
            assert_eq!((name.as_str(), ack_id), ("bin_back", None));
            assert_eq!(args, vec![placeholder(1), json!({"x": placeholder(0)})]);
            assert_eq!(attachments, vec![b"first".to_vec(), b"second".to_vec()]);
        }
        other => panic!("expected the binary event, got {other:?}"),
    }
    // Placeholders must name an attachment.
    assert!(
        conn.emit_binary("bin", &[placeholder(1)], vec![vec![0]], None)
            .await
            .is_err()
    );
    assert!(conn.emit_binary("bin", &[], vec![], None).await.is_err());
}

#[tokio::test]
async fn pings_are_answered() {
    let (_conn, mut rx) = connected("/", "ping").await;
    let (name, _, _, _) = event(&mut rx).await;
    assert_eq!(name, "ponged");
}

#[tokio::test]
async fn missing_pings_close_the_connection() {
    let (_conn, mut rx) = connected("/", "silent").await;
    match next(&mut rx).await {
        Inbound::Closed { code: None, reason } => assert!(
            reason.contains("no Engine.IO ping within 200 ms"),
            "{reason}"
        ),
        other => panic!("expected Closed, got {other:?}"),
    }
    // The stream is over after its one `Closed`.
    assert!(
        tokio::time::timeout(WAIT, rx.recv())
            .await
            .expect("ends")
            .is_none()
    );
}

#[tokio::test]
async fn close_disconnects_then_closes() {
    let (conn, mut rx) = connected("/", "").await;
    conn.close().await.expect("closed");
    loop {
        match next(&mut rx).await {
            Inbound::Closed { code, .. } => {
                assert_eq!(code, Some(1000));
                break;
            }
            Inbound::Event { name, .. } => assert_eq!(name, "bye"),
            other => panic!("unexpected {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_server_that_never_opens_fails_the_handshake_in_time() {
    let base = server().await;
    let options = ConnectOptions {
        handshake_timeout: Duration::from_millis(300),
        ..options("/", "good", "mute")
    };
    let started = std::time::Instant::now();
    match open(&base, &options).await {
        Err(TransportError::Handshake { reason, .. }) => {
            assert!(reason.contains("no namespace answer"), "{reason}")
        }
        Err(other) => panic!("expected a handshake failure, got {other}"),
        Ok(_) => panic!("connected to a server that never opened"),
    }
    assert!(started.elapsed() < WAIT);
}

#[tokio::test]
async fn unreachable_targets_are_reported() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    drop(listener);
    let result = open(&format!("ws://{addr}"), &ConnectOptions::default()).await;
    assert!(
        matches!(result, Err(TransportError::Unreachable { .. })),
        "{:?}",
        result.err()
    );
}
