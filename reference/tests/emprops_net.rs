//! The emprops hub over real sockets on 127.0.0.1, port 0: `connection_established` on open,
//! the document's job flow end to end, an over-size frame answered and closed with 1009, a
//! client that never reads closed with 1008 once its send queue is full while another client
//! is undisturbed, and shutdown sending `server_disconnect` then 1001. Every wait has a
//! deadline.

use futures_util::{SinkExt, StreamExt};
use reference::emprops::Settings;
use reference::{Config, Running};
use serde_json::{Value, json};
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

const WAIT: Duration = Duration::from_secs(10);

async fn start(change: impl FnOnce(&mut Settings)) -> (Running, String) {
    let mut config = Config::default();
    config.serve_only(&["emprops"]).unwrap();
    config.emprops.port = 0;
    change(&mut config.emprops);
    let running = reference::start(config).await.unwrap();
    let endpoints = running.endpoints();
    assert_eq!(endpoints.len(), 1);
    assert_eq!(endpoints[0].protocol, "emprops");
    assert_ne!(endpoints[0].addr.port(), 0);
    let url = endpoints[0].url.replace("http://", "ws://");
    (running, url)
}

/// Connects on `path` (any path is the hub) and reads `connection_established`.
async fn connect(url: &str, path: &str) -> Ws {
    let connect = tokio_tungstenite::connect_async(format!("{url}{path}"));
    let (mut ws, _) = tokio::time::timeout(WAIT, connect).await.unwrap().unwrap();
    let welcome = next(&mut ws).await;
    assert_eq!(welcome["type"], "connection_established");
    assert_eq!(welcome["message"], "Connected to EmProps Job Queue Hub");
    assert!(welcome["timestamp"].is_u64());
    ws
}

async fn send(ws: &mut Ws, message: Value) {
    let send = ws.send(Message::text(message.to_string()));
    tokio::time::timeout(WAIT, send).await.unwrap().unwrap();
}

/// The next message, parsed (pings/pongs skipped).
async fn next(ws: &mut Ws) -> Value {
    loop {
        let msg = tokio::time::timeout(WAIT, ws.next())
            .await
            .expect("a frame within the deadline")
            .expect("the connection is open")
            .unwrap();
        match msg {
            Message::Text(t) => return serde_json::from_str(t.as_str()).unwrap(),
            Message::Ping(_) | Message::Pong(_) => {}
            other => panic!("expected a text frame, got {other:?}"),
        }
    }
}

/// Reads until a close frame; returns its code and the messages before it.
async fn until_close(ws: &mut Ws) -> (Option<CloseCode>, Vec<Value>) {
    let mut texts = Vec::new();
    loop {
        let frame = tokio::time::timeout(WAIT, ws.next()).await.unwrap();
        match frame {
            Some(Ok(Message::Text(t))) => texts.push(serde_json::from_str(t.as_str()).unwrap()),
            Some(Ok(Message::Close(frame))) => return (frame.map(|f| f.code), texts),
            Some(Ok(_)) => {}
            Some(Err(e)) => panic!("connection failed before a close frame: {e}"),
            None => panic!("connection ended without a close frame"),
        }
    }
}

#[tokio::test]
async fn the_complete_job_flow_over_sockets() {
    let (running, url) = start(|_| {}).await;
    let mut client = connect(&url, "/").await;
    let mut worker = connect(&url, "/any/path?x=1").await;
    let mut monitor = connect(&url, "/monitor").await;
    send(
        &mut client,
        json!({"type": "register_client", "client_type": "job_client", "client_id": "app"}),
    )
    .await;
    assert_eq!(next(&mut client).await["type"], "client_registered");
    send(
        &mut monitor,
        json!({"type": "register_client", "client_type": "monitor", "client_id": "dash"}),
    )
    .await;
    assert_eq!(next(&mut monitor).await["type"], "client_registered");
    send(
        &mut monitor,
        json!({"type": "subscribe_job_notifications", "filters": {"job_types": ["text_to_image"]}}),
    )
    .await;
    assert_eq!(
        next(&mut monitor).await["type"],
        "job_notifications_subscribed"
    );
    send(&mut worker, json!({"type": "register_worker", "worker_id": "w1", "capabilities": {"services": ["comfyui"]}})).await;
    assert_eq!(next(&mut worker).await["type"], "worker_registered");

    send(&mut client, json!({"type": "submit_job", "job_type": "text_to_image", "priority": 75, "payload": {"prompt": "x"}, "requirements": {"service_type": "comfyui"}})).await;
    let accepted = next(&mut client).await;
    assert_eq!(
        (accepted["type"].clone(), accepted["position"].clone()),
        (json!("job_accepted"), json!(1))
    );
    let job = accepted["job_id"].as_str().unwrap().to_owned();
    assert_eq!(next(&mut worker).await["type"], "job_available");
    assert_eq!(next(&mut monitor).await["status"], "queued");
    send(&mut worker, json!({"type": "claim_job", "worker_id": "w1"})).await;
    assert_eq!(next(&mut worker).await["job_id"], job);
    send(
        &mut worker,
        json!({"type": "job_accepted_by_worker", "job_id": job, "worker_id": "w1"}),
    )
    .await;
    assert_eq!(next(&mut client).await["status"], "assigned");
    for progress in [25, 50, 75] {
        send(&mut worker, json!({"type": "update_job_progress", "job_id": job, "worker_id": "w1", "progress": progress})).await;
        let update = next(&mut client).await;
        assert_eq!(
            (update["type"].clone(), update["progress"].clone()),
            (json!("job_update"), json!(progress))
        );
    }
    send(&mut worker, json!({"type": "complete_job", "job_id": job, "worker_id": "w1", "result": {"success": true}})).await;
    assert_eq!(next(&mut worker).await["type"], "job_completed_ack");
    let completed = next(&mut client).await;
    assert_eq!(
        (completed["type"].clone(), completed["result"].clone()),
        (json!("job_completed"), json!({"success": true}))
    );
    let monitor_saw: Vec<Value> = [
        next(&mut monitor).await,
        next(&mut monitor).await,
        next(&mut monitor).await,
        next(&mut monitor).await,
        next(&mut monitor).await,
    ]
    .iter()
    .map(|m| m["status"].clone())
    .collect();
    assert_eq!(
        monitor_saw,
        [
            "assigned",
            "in_progress",
            "in_progress",
            "in_progress",
            "completed"
        ]
    );
    // A binary frame is read as its UTF-8 text (emprops-N1).
    let ping = tokio::time::timeout(
        WAIT,
        client.send(Message::binary(br#"{"type":"ping"}"#.to_vec())),
    );
    ping.await.unwrap().unwrap();
    assert_eq!(next(&mut client).await["type"], "pong");
    running.shutdown().await;
}

#[tokio::test]
async fn an_oversize_frame_is_answered_then_closed_with_1009() {
    let (running, url) = start(|s| s.max_message_bytes = 1024).await;
    let mut ws = connect(&url, "/").await;
    let mut other = connect(&url, "/").await;
    let big = json!({"type": "ping", "pad": "x".repeat(2000)});
    send(&mut ws, big).await;
    let (code, before) = until_close(&mut ws).await;
    assert_eq!(code, Some(CloseCode::Size));
    assert_eq!(before.len(), 1);
    assert_eq!(before[0]["error_code"], "MESSAGE_TOO_LARGE");
    send(&mut other, json!({"type": "ping"})).await;
    assert_eq!(
        next(&mut other).await["type"],
        "pong",
        "the other connection is untouched"
    );
    running.shutdown().await;
}

/// The largest TCP send buffer the kernel may grow to (Linux `tcp_wmem`), else 4 MiB.
fn max_send_buffer() -> usize {
    std::fs::read_to_string("/proc/sys/net/ipv4/tcp_wmem")
        .ok()
        .and_then(|s| s.split_whitespace().nth(2)?.parse().ok())
        .unwrap_or(4 << 20)
}

#[tokio::test]
async fn a_client_that_never_reads_is_closed_with_1008_others_undisturbed() {
    let send_queue = 8;
    let (running, url) = start(|s| {
        s.send_queue = send_queue;
        s.close_grace = Duration::from_secs(30);
    })
    .await;
    // The laggard has a tiny receive buffer and never reads while its replies pile up.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let addr = url.trim_start_matches("ws://").parse().unwrap();
    let stream = tokio::time::timeout(WAIT, socket.connect(addr))
        .await
        .unwrap()
        .unwrap();
    let (mut slow, _) = tokio::time::timeout(
        WAIT,
        tokio_tungstenite::client_async(format!("{url}/"), MaybeTlsStream::Plain(stream)),
    )
    .await
    .unwrap()
    .unwrap();
    let mut fast = connect(&url, "/").await;
    // Each unknown message is echoed back in full (emprops-N6): 256 KiB replies.
    let message = 256 * 1024;
    let text = json!({"type": "echo_me", "pad": "y".repeat(message)}).to_string();
    let total = (max_send_buffer() + (1 << 20)) / message + send_queue + 16;
    let mut closed = false;
    for i in 0..total {
        let sent = tokio::time::timeout(WAIT, slow.send(Message::text(text.clone())))
            .await
            .unwrap();
        if sent.is_err() {
            closed = true;
            break;
        }
        if i % 8 == 0 {
            send(&mut fast, json!({"type": "ping", "id": format!("p{i}")})).await;
            assert_eq!(
                next(&mut fast).await["type"],
                "pong",
                "the reader is undisturbed"
            );
        }
    }
    let (code, prefix) = until_close(&mut slow).await;
    assert_eq!(code, Some(CloseCode::Policy));
    assert!(
        prefix.len() < total,
        "cut off after its queue filled ({} of {total})",
        prefix.len()
    );
    let types: Vec<&Value> = prefix.iter().map(|m| &m["type"]).collect();
    assert_eq!(types[0], "connection_established");
    assert!(types[1..].iter().all(|t| *t == "unknown"), "{types:?}");
    let _ = closed;
    send(&mut fast, json!({"type": "request_stats"})).await;
    assert_eq!(next(&mut fast).await["type"], "system_status");
    // Neither client answers closes any more: gone, so shutdown need not wait for them.
    drop((slow, fast));
    running.shutdown().await;
}

#[tokio::test]
async fn shutdown_sends_server_disconnect_then_1001() {
    let (running, url) = start(|_| {}).await;
    let mut readers = Vec::new();
    for _ in 0..3 {
        let mut ws = connect(&url, "/").await;
        readers.push(tokio::spawn(async move { until_close(&mut ws).await }));
    }
    tokio::time::timeout(WAIT, running.shutdown())
        .await
        .unwrap();
    for reader in readers {
        let (code, before) = tokio::time::timeout(WAIT, reader).await.unwrap().unwrap();
        assert_eq!(code, Some(CloseCode::Away));
        assert_eq!(before.len(), 1);
        assert_eq!(before[0]["type"], "server_disconnect");
        assert_eq!(before[0]["reason"], "Server shutting down");
    }
}

#[tokio::test]
async fn a_plain_http_request_is_told_to_upgrade() {
    let (running, url) = start(|_| {}).await;
    let base = url.replace("ws://", "http://");
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let response = tokio::time::timeout(WAIT, client.get(format!("{base}/x")).send())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(response.status().as_u16(), 426);
    running.shutdown().await;
}

/// A client's close ends its connection at once, whatever the hub's `close_grace` (here far
/// longer than the wait): the hub forgets the connection, so its writer has nothing to wait
/// for. (It used to keep an entry per connection ever opened and wait the grace out.)
#[tokio::test]
async fn a_client_close_ends_the_connection_without_waiting_the_grace() {
    let (running, url) = start(|s| s.close_grace = Duration::from_secs(600)).await;
    let mut ws = connect(&url, "/").await;
    tokio::time::timeout(WAIT, ws.send(Message::Close(None)))
        .await
        .unwrap()
        .unwrap();
    loop {
        match tokio::time::timeout(WAIT, ws.next()).await {
            Ok(Some(Ok(Message::Close(_))) | Some(Err(_)) | None) => break,
            Ok(Some(Ok(_))) => {}
            Err(_) => panic!("the connection was still open {WAIT:?} after the client's close"),
        }
    }
    drop(running);
}
