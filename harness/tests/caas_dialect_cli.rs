//! A dialect and a baseline work for caas as for the others: a server that stamps every frame
//! and every ack with a key the document does not have (`build`) fails the suite's `!exact`
//! frames and acks without a dialect and passes with one declaring it; a deep bug besides
//! (`message:updated` without the `replyTo` of the edit that caused it, caas-N3) is recorded in
//! a baseline, which then holds (exit 0) until the bug is fixed (exit 4, "fixed").
#![allow(clippy::unwrap_used)]

mod support;

use std::path::Path;
use std::time::Duration;

use serde_json::Value;
use support::cli::run_scenarios;
use support::faulty_proxy::{Fault, FaultyProxy, rewrite_socketio};

const WITHIN: Duration = Duration::from_secs(120);

/// Events and acks in each; only `caas.message.edit` gets as far as a `message:updated`.
const SELECTION: [&str; 4] = [
    "caas.message.send",
    "caas.message.edit",
    "caas.message.not_found",
    "caas.typing.start_stop",
];

/// The frame of a socket.io EVENT (`42["name", frame]`) or the answer of an ACK (`43<id>[answer]`).
fn frame(kind: char, data: &mut Value) -> Option<&mut serde_json::Map<String, Value>> {
    let at = match kind {
        '2' => 1,
        '3' => 0,
        _ => return None,
    };
    data.get_mut(at).and_then(Value::as_object_mut)
}

/// Every frame and ack gets `"build": "caas-2"`.
fn stamp(kind: char, _: Option<u64>, data: &mut Value) {
    if let Some(frame) = frame(kind, data) {
        frame.insert("build".into(), "caas-2".into());
    }
}

/// [`stamp`], and `message:updated` forgets the edit it replies to.
fn stamp_forgetting_replies(kind: char, id: Option<u64>, data: &mut Value) {
    let updated = kind == '2' && data[0] == "message:updated";
    stamp(kind, id, data);
    if let Some(frame) = frame(kind, data).filter(|_| updated) {
        frame.remove("replyTo");
    }
}

/// The double: the reference server behind a proxy that stamps, with or without the deep bug.
fn stamped(buggy: bool) -> Fault {
    if buggy {
        rewrite_socketio(stamp_forgetting_replies)
    } else {
        rewrite_socketio(stamp)
    }
}

fn profile(dir: &Path, proxy: &FaultyProxy, baseline: Option<&str>) -> String {
    let baseline = baseline.map_or_else(String::new, |b| format!("baseline: {b}\n"));
    let text = format!(
        r#"targets:
  caas:
    url: {}
    dialect:
      - id: build-stamp
        reason: every frame and ack of the server names its build
        accept: extra_keys
        in: all
        at: /args/0
        keys: [build]
{baseline}"#,
        proxy.url
    );
    let path = dir.join("target.yaml");
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

async fn run(args: Vec<String>) -> support::cli::Finished {
    run_scenarios(args, &SELECTION, WITHIN).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dialect_accepts_the_stamp_and_a_baseline_holds_the_deep_bug_until_fixed() {
    let server = support::embedded("caas").await;
    let upstream = server.target("caas").unwrap().url;
    let dir = tempfile::tempdir().unwrap();
    let buggy = support::faulty_proxy::start(&upstream, stamped(true)).await;

    // Without a dialect the stamp fails every scenario.
    let target = format!("caas={}", buggy.url);
    let finished = run(vec!["--target".into(), target]).await;
    assert_eq!(finished.code(), Some(4), "{}", finished.shown());
    assert!(
        finished.stdout().contains("0 passed, 4 failed"),
        "{}",
        finished.shown()
    );

    // With it, only the deep bug fails; record it.
    let baseline = dir.path().join("baseline.json").display().to_string();
    let finished = run(vec![
        "--profile".into(),
        profile(dir.path(), &buggy, None),
        "--write-baseline".into(),
        baseline.clone(),
    ])
    .await;
    assert_eq!(finished.code(), Some(4), "{}", finished.shown());
    let stdout = finished.stdout();
    assert!(
        stdout.contains("3 passed (3 with declared deviations), 1 failed"),
        "{stdout}"
    );
    assert!(stdout.contains("FAIL  caas.message.edit"), "{stdout}");
    assert!(stdout.contains("replyTo"), "{stdout}");
    assert!(stdout.contains("build-stamp"), "{stdout}");

    // Nothing changed: 0.
    let finished = run(vec![
        "--profile".into(),
        profile(dir.path(), &buggy, Some("baseline.json")),
    ])
    .await;
    assert_eq!(finished.code(), Some(0), "{}", finished.shown());
    assert!(
        finished.stdout().contains("still fail as known"),
        "{}",
        finished.shown()
    );

    // The bug fixed: 4, "fixed".
    let fixed = support::faulty_proxy::start(&upstream, stamped(false)).await;
    let finished = run(vec![
        "--profile".into(),
        profile(dir.path(), &fixed, Some("baseline.json")),
    ])
    .await;
    assert_eq!(finished.code(), Some(4), "{}", finished.shown());
    assert!(
        finished.stdout().contains("baseline: fixed:"),
        "{}",
        finished.shown()
    );
    server.stop().await;
}
