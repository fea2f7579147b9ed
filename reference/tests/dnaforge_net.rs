//! The dnaforge server over real sockets on 127.0.0.1, port 0: `GET /auth` then the WebSocket
//! auth then a job to `DONE` seen by two sockets, 401 with an empty body, open access, other
//! paths, garbage ignored, over-size frames closed with 1009, a token dead with its socket,
//! a socket that does not read closed with 1008 (the server going on), shutdown closing every socket with 1001.
//! Every wait has a deadline; readiness is the bound address, never a sleep.

use futures_util::{SinkExt, StreamExt};
use reference::dnaforge::Settings;
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
    config.serve_only(&["dnaforge"]).unwrap();
    config.dnaforge.port = 0;
    config.dnaforge.step_duration = Duration::from_millis(20);
    change(&mut config.dnaforge);
    let running = reference::start(config).await.unwrap();
    let endpoints = running.endpoints();
    assert_eq!(endpoints.len(), 1);
    assert_eq!(endpoints[0].protocol, "dnaforge");
    assert_ne!(endpoints[0].addr.port(), 0);
    let url = endpoints[0].url.clone();
    (running, url)
}

fn http() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}

/// `method path` with this `Authorization`: status, content type and body.
async fn request(
    base: &str,
    method: reqwest::Method,
    path: &str,
    authorization: Option<&str>,
) -> (u16, Option<String>, String) {
    let mut builder = http().request(method, format!("{base}{path}"));
    if let Some(value) = authorization {
        builder = builder.header("authorization", value);
    }
    let response = tokio::time::timeout(WAIT, builder.send())
        .await
        .unwrap()
        .unwrap();
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned());
    let body = tokio::time::timeout(WAIT, response.text())
        .await
        .unwrap()
        .unwrap();
    (status, content_type, body)
}

async fn token(base: &str, authorization: Option<&str>) -> String {
    let (status, content_type, body) =
        request(base, reqwest::Method::GET, "/auth", authorization).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(content_type.as_deref(), Some("application/json"));
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["type"], "AuthResponse");
    body["bearerToken"].as_str().unwrap().to_owned()
}

async fn connect(base: &str) -> Ws {
    let url = format!("{}/", base.replace("http://", "ws://"));
    let (ws, _) = tokio::time::timeout(WAIT, tokio_tungstenite::connect_async(url))
        .await
        .unwrap()
        .unwrap();
    ws
}

async fn send(ws: &mut Ws, message: Value) {
    ws.send(Message::text(message.to_string())).await.unwrap();
}

/// The next text frame as JSON (pings and pongs skipped).
async fn next(ws: &mut Ws) -> Value {
    loop {
        let msg = tokio::time::timeout(WAIT, ws.next())
            .await
            .expect("a frame within the deadline")
            .expect("the connection is open")
            .unwrap();
        match msg {
            Message::Text(t) => return serde_json::from_str(&t).unwrap(),
            Message::Ping(_) | Message::Pong(_) => {}
            other => panic!("expected a text frame, got {other:?}"),
        }
    }
}

/// Connects and authenticates with a new token; returns the socket and its `JobList` jobs.
async fn login(base: &str, authorization: Option<&str>) -> (Ws, Value) {
    let token = token(base, authorization).await;
    let mut ws = connect(base).await;
    send(
        &mut ws,
        json!({"type": "WebSocketAuth", "bearerToken": token}),
    )
    .await;
    assert_eq!(
        next(&mut ws).await,
        json!({"type": "WebSocketAuthResponse", "success": true})
    );
    let list = next(&mut ws).await;
    assert_eq!(list["type"], "JobList");
    (ws, list["jobs"].clone())
}

fn job_new(steps: usize) -> Value {
    let config = json!({"type": "FileConfig", "content": "steps = 10\n"});
    json!({"type": "JobNew", "configs": vec![config; steps], "top": "top", "dat": "dat",
        "forces": null})
}

#[tokio::test]
async fn http_auth_then_websocket_auth_then_a_job_to_done_seen_by_two_sockets() {
    let (running, base) = start(|s| s.access_token = Some("secret".into())).await;
    for wrong in [Some("wrong"), None] {
        let (status, _, body) = request(&base, reqwest::Method::GET, "/auth", wrong).await;
        assert_eq!((status, body.as_str()), (401, ""), "{wrong:?}");
    }
    let (mut a, jobs) = login(&base, Some("secret")).await;
    assert_eq!(jobs, json!([]));
    let (mut b, _) = login(&base, Some("secret")).await;
    // Subscribe and submit on one socket: the subscription is in place before the first step.
    send(&mut b, json!({"type": "JobSubscribe", "jobId": 0})).await;
    send(&mut b, job_new(2)).await;
    let mut seen_by_a = Vec::new();
    for _ in 0..4 {
        let update = next(&mut a).await;
        assert_eq!(update["type"], "JobUpdate");
        seen_by_a.push(update);
    }
    let statuses: Vec<&Value> = seen_by_a.iter().map(|u| &u["job"]["status"]).collect();
    assert_eq!(statuses, ["NEW", "RUNNING", "RUNNING", "DONE"]);
    assert_eq!(seen_by_a[3]["job"]["progress"], 1.0);
    let mut seen_by_b = Vec::new();
    for _ in 0..6 {
        seen_by_b.push(next(&mut b).await);
    }
    let types: Vec<&Value> = seen_by_b.iter().map(|u| &u["type"]).collect();
    assert_eq!(
        types,
        [
            "JobUpdate",
            "JobUpdate",
            "JobUpdate",
            "DetailedUpdate",
            "JobUpdate",
            "DetailedUpdate"
        ]
    );
    assert_eq!(seen_by_b[5]["conf"], "dat");
    assert_eq!(seen_by_b[5]["job"], seen_by_a[3]["job"]);
    running.shutdown().await;
}

#[tokio::test]
async fn open_access_other_paths_and_methods() {
    let (running, base) = start(|_| {}).await;
    token(&base, None).await;
    token(&base, Some("anything")).await;
    let cases = [
        (reqwest::Method::POST, "/auth", 405),
        (reqwest::Method::GET, "/", 426),
        (reqwest::Method::GET, "/jobs", 404),
    ];
    for (method, path, expected) in cases {
        let (status, _, body) = request(&base, method, path, None).await;
        assert_eq!((status, body.as_str()), (expected, ""), "{path}");
    }
    running.shutdown().await;
}

#[tokio::test]
async fn garbage_and_messages_before_auth_are_ignored_then_retry_succeeds() {
    let (running, base) = start(|_| {}).await;
    let mut ws = connect(&base).await;
    ws.send(Message::text("not json")).await.unwrap();
    ws.send(Message::binary(vec![1, 2, 3])).await.unwrap();
    send(&mut ws, job_new(1)).await;
    send(
        &mut ws,
        json!({"type": "WebSocketAuth", "bearerToken": "nope"}),
    )
    .await;
    // The first answer is to the failed auth: everything before it was ignored.
    assert_eq!(next(&mut ws).await["success"], false);
    let token = token(&base, None).await;
    send(
        &mut ws,
        json!({"type": "WebSocketAuth", "bearerToken": token}),
    )
    .await;
    assert_eq!(next(&mut ws).await["success"], true);
    assert_eq!(next(&mut ws).await, json!({"type": "JobList", "jobs": []}));
    ws.send(Message::text("[]")).await.unwrap();
    send(&mut ws, job_new(1)).await;
    assert_eq!(next(&mut ws).await["jobId"], 0);
    running.shutdown().await;
}

#[tokio::test]
async fn a_token_does_not_outlive_its_socket() {
    let (running, base) = start(|_| {}).await;
    let token = token(&base, None).await;
    let mut first = connect(&base).await;
    send(
        &mut first,
        json!({"type": "WebSocketAuth", "bearerToken": &token}),
    )
    .await;
    assert_eq!(next(&mut first).await["success"], true);
    first.close(None).await.unwrap();
    // Bounded: read until the server's close answer.
    for _ in 0..16 {
        match tokio::time::timeout(WAIT, first.next()).await.unwrap() {
            Some(Ok(Message::Close(_)) | Err(_)) | None => break,
            Some(Ok(_)) => {}
        }
    }
    let mut second = connect(&base).await;
    send(
        &mut second,
        json!({"type": "WebSocketAuth", "bearerToken": &token}),
    )
    .await;
    assert_eq!(next(&mut second).await["success"], false);
    running.shutdown().await;
}

#[tokio::test]
async fn an_over_size_frame_closes_the_socket_with_1009() {
    let (running, base) = start(|s| s.max_message_bytes = 1024).await;
    let (mut big, _) = login(&base, None).await;
    let (mut other, _) = login(&base, None).await;
    big.send(Message::text("x".repeat(4096))).await.unwrap();
    let mut code = None;
    for _ in 0..16 {
        match tokio::time::timeout(WAIT, big.next()).await.unwrap() {
            Some(Ok(Message::Close(frame))) => {
                code = frame.map(|f| f.code);
                break;
            }
            Some(Ok(_)) => {}
            Some(Err(_)) | None => break,
        }
    }
    assert_eq!(code, Some(CloseCode::Size));
    send(&mut other, job_new(1)).await;
    assert_eq!(next(&mut other).await["job"]["status"], "NEW");
    running.shutdown().await;
}

#[tokio::test]
async fn shutdown_closes_every_socket_with_1001() {
    let (running, base) = start(|_| {}).await;
    let (mut ws, _) = login(&base, None).await;
    let mut unauthenticated = connect(&base).await;
    tokio::time::timeout(WAIT, running.shutdown())
        .await
        .unwrap();
    for socket in [&mut ws, &mut unauthenticated] {
        let mut code = None;
        for _ in 0..16 {
            match tokio::time::timeout(WAIT, socket.next()).await.unwrap() {
                Some(Ok(Message::Close(frame))) => {
                    code = frame.map(|f| f.code);
                    break;
                }
                Some(Ok(_)) => {}
                Some(Err(_)) | None => break,
            }
        }
        assert_eq!(code, Some(CloseCode::Away));
    }
}

#[tokio::test]
async fn a_socket_that_does_not_read_is_closed_with_1008_and_the_server_goes_on() {
    let (running, base) = start(|s| {
        s.send_queue = 4;
        s.step_duration = Duration::from_millis(1);
        s.close_grace = Duration::from_secs(5);
    })
    .await;
    // The laggard has a tiny receive buffer and reads nothing while the job runs.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let addr = base.trim_start_matches("http://").parse().unwrap();
    let stream = tokio::time::timeout(WAIT, socket.connect(addr))
        .await
        .unwrap()
        .unwrap();
    let url = format!("{}/", base.replace("http://", "ws://"));
    let client = tokio_tungstenite::client_async(url, MaybeTlsStream::Plain(stream));
    let (mut slow, _) = tokio::time::timeout(WAIT, client).await.unwrap().unwrap();
    let slow_token = token(&base, None).await;
    send(
        &mut slow,
        json!({"type": "WebSocketAuth", "bearerToken": slow_token}),
    )
    .await;
    assert_eq!(next(&mut slow).await["success"], true);
    assert_eq!(next(&mut slow).await["type"], "JobList");
    // 100 detailed updates of 900 KB each (90 MB) to the laggard: far more than any buffer.
    let config = json!({"type": "FileConfig", "content": "x"});
    let steps = 100;
    let job = json!({"type": "JobNew", "configs": vec![config; steps], "top": "t",
        "dat": "y".repeat(900 * 1024), "forces": null});
    send(&mut slow, json!({"type": "JobSubscribe", "jobId": 0})).await;
    send(&mut slow, job).await;
    let mut prefix = 0;
    let mut code = None;
    for _ in 0..=steps * 2 + 2 {
        match tokio::time::timeout(WAIT, slow.next()).await.unwrap() {
            Some(Ok(Message::Close(frame))) => {
                code = frame.map(|f| f.code);
                break;
            }
            Some(Ok(Message::Text(_))) => prefix += 1,
            Some(Ok(_)) => {}
            Some(Err(_)) | None => break,
        }
    }
    assert_eq!(code, Some(CloseCode::Policy));
    assert!(
        prefix < steps * 2 + 2,
        "the laggard was cut off after {prefix}"
    );
    running.shutdown().await;
}
