//! Interop: the reference jobber server driven by an independent socket.io client,
//! `rust_socketio` 0.6 (sync API, websocket transport), over 127.0.0.1 with port 0.
//!
//! It proves the reference server speaks socket.io as a third-party client expects, not only as
//! the harness's own codec does: connect with an `auth` payload and get `client_ready`, refusal
//! as a `connect_error`, client-requested acks, server-emitted events, on both paths (J1).
//!
//! Limits of rust_socketio 0.6.0 (no release since 2024), measured, and why the harness does not
//! use it: ack ids are random in 0..999, so two acks in flight can collide and panic its callback
//! table, which is why every emit here waits for its ack before the next; it hands an ack's
//! argument array to the callback as a single value (`ack_arg` unwraps it); it cannot answer an ack
//! the server requests; it sends binary-with-ack as the wrong packet type. None of those paths is
//! exercised here. Its callbacks run on its own polling thread, so results cross to the test over
//! channels, each read with a deadline.

use crate::jobber_server;

use reference::jobber::DEV_TOKEN;
use rust_socketio::client::Client;
use rust_socketio::{ClientBuilder, Payload, RawClient, TransportType};
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(5);

/// What a client's callbacks saw, in arrival order.
#[derive(Debug)]
enum Seen {
    Event(String, Value),
    Error(String),
}

/// The first JSON argument of a payload (`Null` for binary or empty payloads).
fn first_arg(payload: Payload) -> Value {
    match payload {
        Payload::Text(mut args) if !args.is_empty() => args.swap_remove(0),
        _ => Value::Null,
    }
}

/// The first argument of an ack. rust_socketio 0.6 hands an ack's whole argument array to the
/// callback as one value (`Text([[arg, ...]])`), unlike events (`Text([arg, ...])`).
fn ack_arg(payload: Payload) -> Value {
    match first_arg(payload) {
        Value::Array(mut args) if !args.is_empty() => args.swap_remove(0),
        other => other,
    }
}

/// Connects a client on `path` with `auth`; every `names` event and every error goes to the
/// returned receiver.
fn connect(addr: SocketAddr, path: &str, auth: Value, names: &[&str]) -> (Client, Receiver<Seen>) {
    let (tx, rx) = channel();
    let mut builder = ClientBuilder::new(format!("http://{addr}{path}/"))
        .transport_type(TransportType::Websocket)
        .reconnect(false)
        .auth(auth);
    for name in names {
        let tx: Sender<Seen> = tx.clone();
        let owned = (*name).to_owned();
        builder = builder.on(*name, move |payload: Payload, _: RawClient| {
            let _ = tx.send(Seen::Event(owned.clone(), first_arg(payload)));
        });
    }
    let errors = tx.clone();
    builder = builder.on("error", move |payload: Payload, _: RawClient| {
        let text = match payload {
            Payload::Text(args) => Value::Array(args).to_string(),
            other => format!("{other:?}"),
        };
        let _ = errors.send(Seen::Error(text));
    });
    (builder.connect().unwrap(), rx)
}

/// Emits `event` with one argument and waits for the ack's first argument.
fn call(client: &Client, event: &str, arg: Value) -> Value {
    let (tx, rx) = channel();
    client
        .emit_with_ack(event, arg, WAIT, move |payload: Payload, _: RawClient| {
            let _ = tx.send(ack_arg(payload));
        })
        .unwrap();
    rx.recv_timeout(WAIT)
        .unwrap_or_else(|e| panic!("no ack to {event}: {e}"))
}

/// The next event named `name`, skipping others; panics on an error or at the deadline.
fn next_event(rx: &Receiver<Seen>, name: &str) -> Value {
    loop {
        match rx.recv_timeout(WAIT) {
            Ok(Seen::Event(n, arg)) if n == name => return arg,
            Ok(Seen::Event(..)) => {}
            Ok(Seen::Error(e)) => panic!("error while waiting for {name}: {e}"),
            Err(e) => panic!("no {name}: {e}"),
        }
    }
}

/// A whole job's life between two rust_socketio clients: ready, register, send, work_request,
/// complete, read back completed.
fn job_round_trip(addr: SocketAddr, path: &str) {
    let auth = json!({ "customerToken": DEV_TOKEN });
    let (worker, worker_rx) = connect(addr, path, auth.clone(), &["client_ready", "work_request"]);
    let (producer, producer_rx) = connect(addr, path, auth, &["client_ready"]);
    let ready = next_event(&worker_rx, "client_ready");
    assert!(ready.is_object(), "client_ready payload: {ready}");
    next_event(&producer_rx, "client_ready");

    assert_eq!(
        call(&worker, "register_worker", json!({ "jobName": "interop" })),
        json!({})
    );
    let sent = call(
        &producer,
        "send_job",
        json!({ "name": "interop", "data": { "n": 1 } }),
    );
    let job_id = sent["jobId"]
        .as_str()
        .unwrap_or_else(|| panic!("send_job ack: {sent}"));

    let work = next_event(&worker_rx, "work_request");
    assert_eq!(work["id"], job_id);
    assert_eq!(work["state"], "active");
    assert_eq!(work["data"], json!({ "n": 1 }));

    worker
        .emit(
            "job_completed",
            json!({ "jobId": job_id, "result": { "ok": true } }),
        )
        .unwrap();
    // Asked on the worker's own socket, so it is handled after job_completed.
    let got = call(&worker, "get_job", json!({ "jobId": job_id }));
    assert_eq!(got["job"]["state"], "completed", "get_job ack: {got}");

    worker.disconnect().unwrap();
    producer.disconnect().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rust_socketio_runs_a_job_on_both_paths() {
    let server = jobber_server::start().await;
    let addr = server.addr();
    for path in ["/socket.io", "/ws"] {
        tokio::task::spawn_blocking(move || job_round_trip(addr, path))
            .await
            .unwrap();
    }
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rust_socketio_sees_an_unknown_token_refused() {
    let server = jobber_server::start().await;
    let addr = server.addr();
    let seen = tokio::task::spawn_blocking(move || {
        let auth = json!({ "customerToken": "not-a-known-token" });
        let (client, rx) = connect(addr, "/socket.io", auth, &["client_ready"]);
        let seen = rx.recv_timeout(WAIT).unwrap();
        let _ = client.disconnect();
        seen
    })
    .await
    .unwrap();
    let Seen::Error(text) = seen else {
        panic!("expected a connect_error, got {seen:?}")
    };
    assert!(text.contains("ConnectError"), "{text}");
    assert!(text.contains("INVALID_TOKEN"), "{text}");
    server.shutdown().await;
}
