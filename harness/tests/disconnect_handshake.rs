//! A `disconnect` step completes the WebSocket closing handshake before the next step: against
//! a server that takes its time to answer a close (and only then counts the socket closed), the
//! next step already sees it closed. Without the wait, an HTTP request right after the
//! disconnect would overtake the close (a dnaforge token must be dead once its socket closed,
//! D7, and a scenario checks that with the very next connection).

use crate::support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::response::Response;
use axum::routing::get;
use harness::exec::Target;
use harness::exec::markers::MarkerIndex;
use harness::report::model::Verdict;
use harness::runner::{RunOptions, run_scenario};

/// How long the stub takes to answer a close.
const SLOW_CLOSE: Duration = Duration::from_millis(300);

const SCENARIO: &str = r#"
id: dnaforge.test.disconnect
title: the close is answered before the next step
protocol: dnaforge
clause: c
level: MUST
actors:
  alice: {}
steps:
  - connect: alice
  - disconnect: alice
  - http: GET /closed
    status: 200
    response_text: "1"
"#;

/// A WebSocket on `/` that answers a close after [`SLOW_CLOSE`], counting it closed first, and
/// `GET /closed`, the count.
async fn slow_closer() -> (String, tokio::task::JoinHandle<()>) {
    let closed = Arc::new(AtomicUsize::new(0));
    let app = Router::new()
        .route("/", get(upgrade))
        .route(
            "/closed",
            get(|State(closed): State<Arc<AtomicUsize>>| async move {
                closed.load(Ordering::SeqCst).to_string()
            }),
        )
        .with_state(closed);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (url, task)
}

async fn upgrade(State(closed): State<Arc<AtomicUsize>>, ws: WebSocketUpgrade) -> Response {
    ws.on_upgrade(move |socket| serve(socket, closed))
}

async fn serve(mut socket: WebSocket, closed: Arc<AtomicUsize>) {
    // Bounded: the test's client closes within a few steps.
    let read = tokio::time::timeout(Duration::from_secs(10), socket.recv()).await;
    if let Ok(Some(Ok(Message::Close(_)))) = read {
        tokio::time::sleep(SLOW_CLOSE).await;
        closed.fetch_add(1, Ordering::SeqCst);
        // The close answer goes out when the socket is flushed or dropped, after the count.
        let _ = socket.send(Message::Close(None)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_next_step_meets_a_target_that_has_answered_the_close() {
    let (url, server) = slow_closer().await;
    let scenario = harness::scenario::parse_str(SCENARIO, std::path::Path::new("t.yaml")).unwrap();
    let target = Target {
        url,
        capabilities: Default::default(),
    };
    let result = run_scenario(
        &scenario,
        &Arc::new(support::suite("dnaforge")),
        &target,
        &Arc::new(RunOptions::default()),
        &Arc::new(MarkerIndex::default()),
        String::new(),
    )
    .await;
    server.abort();
    assert_eq!(result.verdict, Verdict::Pass, "{result:#?}");
}
