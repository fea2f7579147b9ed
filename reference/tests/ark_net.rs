//! The ark server over real sockets on 127.0.0.1, port 0: one total order for every push
//! client, client frames ignored, over-size frames closed with 1009, a lagging client closed
//! with 1008 after a gap-free prefix, other clients undisturbed. Every wait has a deadline.

use futures_util::{SinkExt, StreamExt};
use reference::ark::Settings;
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
    // Every protocol is served (one process, C5), each on a free port.
    for protocol in reference::protocols::protocols() {
        config.set(protocol.id, "port", "0").unwrap();
    }
    change(&mut config.ark);
    let running = reference::start(config).await.unwrap();
    let endpoints = running.endpoints();
    let ark = endpoints.iter().find(|e| e.protocol == "ark").unwrap();
    assert_ne!(ark.addr.port(), 0);
    assert_eq!(ark.url, format!("http://{}", ark.addr));
    let url = ark.url.clone();
    (running, url)
}

async fn connect(base: &str) -> Ws {
    let url = format!("{}/ws", base.replace("http://", "ws://"));
    let (ws, _) = tokio::time::timeout(WAIT, tokio_tungstenite::connect_async(url))
        .await
        .unwrap()
        .unwrap();
    ws
}

fn http() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}

async fn post(client: &reqwest::Client, base: &str, path: &str, body: Value) -> (u16, Value) {
    let send = client
        .post(format!("{base}{path}"))
        .header("content-type", "application/json")
        .body(body.to_string())
        .send();
    let response = tokio::time::timeout(WAIT, send).await.unwrap().unwrap();
    let status = response.status().as_u16();
    let bytes = tokio::time::timeout(WAIT, response.bytes())
        .await
        .unwrap()
        .unwrap();
    (status, serde_json::from_slice(&bytes).unwrap())
}

/// The next text frame (pings/pongs skipped).
async fn next_text(ws: &mut Ws) -> String {
    loop {
        let msg = tokio::time::timeout(WAIT, ws.next())
            .await
            .expect("a frame within the deadline")
            .expect("the connection is open")
            .unwrap();
        match msg {
            Message::Text(t) => return t.to_string(),
            Message::Ping(_) | Message::Pong(_) => {}
            other => panic!("expected a text frame, got {other:?}"),
        }
    }
}

/// Reads until a close frame; returns its code and the text frames before it.
async fn until_close(ws: &mut Ws) -> (Option<CloseCode>, Vec<String>) {
    let mut texts = Vec::new();
    loop {
        let next = tokio::time::timeout(WAIT, ws.next())
            .await
            .expect("a frame within the deadline");
        match next {
            Some(Ok(Message::Text(t))) => texts.push(t.to_string()),
            Some(Ok(Message::Close(frame))) => return (frame.map(|f| f.code), texts),
            Some(Ok(_)) => {}
            Some(Err(e)) => panic!("connection failed before a close frame: {e}"),
            None => panic!("connection ended without a close frame"),
        }
    }
}

/// Causes 7 events: register, instance, job, progress, log, complete… returns their count.
async fn cause_events(client: &reqwest::Client, base: &str) -> usize {
    let (s, _) = post(
        client,
        base,
        "/agents/register",
        json!({"agentId": "a1", "hostname": "h", "version": "1"}),
    )
    .await;
    assert_eq!(s, 201);
    let (s, inst) = post(
        client,
        base,
        "/instances",
        json!({"name": "n", "gameType": "ASA", "agentId": "a1"}),
    )
    .await;
    assert_eq!(s, 201);
    let id = inst["instanceId"].as_str().unwrap();
    let (s, job) = post(
        client,
        base,
        "/jobs",
        json!({"jobType": "START_INSTANCE", "instanceId": id, "parameters": {}}),
    )
    .await;
    assert_eq!(s, 201);
    let ids = json!({"jobId": job["jobId"], "jobRunId": job["jobRunId"]});
    let mut progress = ids.clone();
    progress["message"] = json!("half");
    progress["percent"] = json!(50);
    assert_eq!(post(client, base, "/jobs/progress", progress).await.0, 200);
    let log = json!({"level": "INFO", "message": "started"});
    let path = format!("/instances/{id}/logs");
    assert_eq!(post(client, base, &path, log).await.0, 201);
    let mut done = ids;
    done["status"] = json!("COMPLETED");
    assert_eq!(post(client, base, "/jobs/complete", done).await.0, 200);
    let (s, _) = post(
        client,
        base,
        "/agents/heartbeat",
        json!({"agentId": "a1", "status": "ok"}),
    )
    .await;
    assert_eq!(s, 200);
    7
}

#[tokio::test]
async fn clients_share_one_order_ignore_garbage_and_oversize_closes_1009() {
    // The frame limit is above the 1 KiB read buffer, so a frame under it can take several reads.
    let (running, base) = start(|s| s.max_client_frame_bytes = 4096).await;
    let mut a = connect(&base).await;
    let mut b = connect(&base).await;
    let mut c = connect(&base).await;
    let client = http();

    // Garbage from `a`: it stays connected and keeps receiving.
    a.send(Message::text("not json at all")).await.unwrap();
    a.send(Message::binary(vec![0u8, 159, 146, 150]))
        .await
        .unwrap();
    a.send(Message::text(r#"{"event":"job:created","data":{}}"#))
        .await
        .unwrap();
    a.send(Message::text("z".repeat(3000))).await.unwrap();
    a.send(Message::Ping(vec![1, 2, 3].into())).await.unwrap();
    // Pings are answered; nothing else is sent (nothing on connect, nothing for garbage).
    let pong = tokio::time::timeout(WAIT, a.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(pong, Message::Pong(vec![1, 2, 3].into()));

    let n = cause_events(&client, &base).await;
    let mut seen_a = Vec::new();
    let mut seen_b = Vec::new();
    for _ in 0..n {
        seen_a.push(next_text(&mut a).await);
        seen_b.push(next_text(&mut b).await);
    }
    assert_eq!(seen_a, seen_b, "one total order for every client");
    let names: Vec<String> = seen_a
        .iter()
        .map(|t| {
            serde_json::from_str::<Value>(t).unwrap()["event"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(
        names,
        [
            "agent:registered",
            "instance:created",
            "job:created",
            "job:progress",
            "instance:log",
            "job:completed",
            "agent:heartbeat"
        ]
    );

    // An over-size frame closes `c` with 1009; `a` and `b` still receive.
    c.send(Message::text("x".repeat(5000))).await.unwrap();
    let (code, _) = until_close(&mut c).await;
    assert_eq!(code, Some(CloseCode::Size));
    let (s, _) = post(
        &client,
        &base,
        "/agents/heartbeat",
        json!({"agentId": "a1", "status": "after"}),
    )
    .await;
    assert_eq!(s, 200);
    for ws in [&mut a, &mut b] {
        let v: Value = serde_json::from_str(&next_text(ws).await).unwrap();
        assert_eq!(v["event"], "agent:heartbeat");
        assert_eq!(v["data"]["status"], "after");
    }
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
async fn a_lagging_client_gets_a_gap_free_prefix_then_1008_and_others_get_all() {
    let (running, base) = start(|s| {
        s.client_queue_events = 4;
        s.close_grace = Duration::from_secs(30);
    })
    .await;
    // The laggard has a tiny receive buffer and does not read while events are made.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let addr = base.trim_start_matches("http://").parse().unwrap();
    let stream = tokio::time::timeout(WAIT, socket.connect(addr))
        .await
        .unwrap()
        .unwrap();
    let url = format!("{}/ws", base.replace("http://", "ws://"));
    let (mut slow, _) = tokio::time::timeout(
        WAIT,
        tokio_tungstenite::client_async(url, MaybeTlsStream::Plain(stream)),
    )
    .await
    .unwrap()
    .unwrap();
    let mut fast = connect(&base).await;
    let client = http();
    post(
        &client,
        &base,
        "/agents/register",
        json!({"agentId": "a1", "hostname": "h", "version": "1"}),
    )
    .await;
    let (_, inst) = post(
        &client,
        &base,
        "/instances",
        json!({"name": "n", "gameType": "ASA", "agentId": "a1"}),
    )
    .await;
    let path = format!("/instances/{}/logs", inst["instanceId"].as_str().unwrap());
    // Enough bytes to fill the server's largest TCP send buffer (read from the system, so the
    // test holds on machines with tuned buffers) plus the client's, then the queue.
    let message = 128 * 1024;
    let filler = "y".repeat(message);
    let total = (max_send_buffer() + (1 << 20)) / message + 64 + 16;
    let reader = tokio::spawn(async move {
        let mut got = Vec::new();
        while got.len() < total + 2 {
            got.push(next_text(&mut fast).await);
        }
        got
    });
    for i in 0..total {
        let body = json!({"level": "INFO", "message": format!("{i} {filler}")});
        assert_eq!(post(&client, &base, &path, body).await.0, 201);
    }
    let all = tokio::time::timeout(WAIT, reader).await.unwrap().unwrap();
    assert_eq!(all.len(), total + 2, "the fast client got every event");

    let (code, prefix) = until_close(&mut slow).await;
    assert_eq!(code, Some(CloseCode::Policy));
    assert!(prefix.len() < all.len(), "the slow client was cut off");
    assert_eq!(prefix[..], all[..prefix.len()], "a gap-free prefix");
    running.shutdown().await;
}

#[tokio::test]
async fn rest_errors_have_the_ark_body_and_ws_needs_an_upgrade() {
    let (running, base) = start(|s| s.max_body_bytes = 100).await;
    let client = http();
    let (s, body) = post(&client, &base, "/jobs", json!({"jobType": "NOPE"})).await;
    assert_eq!(
        (s, body["error"].as_str()),
        (400, Some("VALIDATION_FAILED"))
    );
    let big = json!({"agentId": "a", "hostname": "x".repeat(200), "version": "1"});
    let (s, body) = post(&client, &base, "/agents/register", big).await;
    assert_eq!(
        (s, body["error"].as_str()),
        (413, Some("PAYLOAD_TOO_LARGE"))
    );
    let get = |path: &str| client.get(format!("{base}{path}")).send();
    let r = tokio::time::timeout(WAIT, get("/ws"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    let r = tokio::time::timeout(WAIT, get("/nowhere"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(r.status().as_u16(), 404);
    let body: Value = serde_json::from_slice(&r.bytes().await.unwrap()).unwrap();
    assert_eq!(body["error"], "NOT_FOUND");
    running.shutdown().await;
}

#[tokio::test]
async fn the_optional_token_guards_the_push_stream() {
    let (running, base) = start(|s| s.token = Some("s3cret".to_owned())).await;
    let ws_base = base.replace("http://", "ws://");
    let refused = tokio::time::timeout(
        WAIT,
        tokio_tungstenite::connect_async(format!("{ws_base}/ws")),
    )
    .await
    .unwrap();
    match refused {
        Err(tokio_tungstenite::tungstenite::Error::Http(r)) => assert_eq!(r.status().as_u16(), 401),
        other => panic!("expected 401, got {other:?}"),
    }
    let ok = tokio::time::timeout(
        WAIT,
        tokio_tungstenite::connect_async(format!("{ws_base}/ws?token=s3cret")),
    )
    .await
    .unwrap();
    assert!(ok.is_ok());
    running.shutdown().await;
}

#[tokio::test]
async fn shutdown_closes_push_clients_with_1001() {
    let (running, base) = start(|_| {}).await;
    let mut ws = connect(&base).await;
    let shutdown = tokio::spawn(running.shutdown());
    let (code, _) = until_close(&mut ws).await;
    assert_eq!(code, Some(CloseCode::Away));
    tokio::time::timeout(WAIT, shutdown).await.unwrap().unwrap();
}

#[tokio::test]
async fn the_timer_pushes_agent_offline_and_a_heartbeat_brings_it_back() {
    let (running, base) = start(|s| s.heartbeat_interval = Duration::from_millis(50)).await;
    let mut ws = connect(&base).await;
    let client = http();
    let started = std::time::Instant::now();
    let (s, agent) = post(
        &client,
        &base,
        "/agents/register",
        json!({"agentId": "a1", "hostname": "h", "version": "1"}),
    )
    .await;
    assert_eq!(s, 201);
    let registered: Value = serde_json::from_str(&next_text(&mut ws).await).unwrap();
    assert_eq!(registered["event"], "agent:registered");
    let offline: Value = serde_json::from_str(&next_text(&mut ws).await).unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(150),
        "not before 3 intervals"
    );
    assert_eq!(offline["event"], "agent:offline");
    assert_eq!(offline["data"]["lastSeenAt"], agent["registeredAt"]);
    let (s, _) = post(
        &client,
        &base,
        "/agents/heartbeat",
        json!({"agentId": "a1", "status": "ok"}),
    )
    .await;
    assert_eq!(s, 200);
    let back: Value = serde_json::from_str(&next_text(&mut ws).await).unwrap();
    assert_eq!(back["event"], "agent:heartbeat");
    let again: Value = serde_json::from_str(&next_text(&mut ws).await).unwrap();
    assert_eq!(again["event"], "agent:offline", "the clock started again");
    running.shutdown().await;
}
