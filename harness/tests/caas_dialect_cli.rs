//! A dialect and a baseline work for caas as for the others: a server that stamps every frame
//! and every ack with a key the document does not have (`build`) fails the suite's `!exact`
//! frames and acks without a dialect and passes with one declaring it; a deep bug besides
//! (`message:updated` without the `replyTo` of the edit that caused it, caas-N3) is recorded in
//! a baseline, which then holds (exit 0) until the bug is fixed (exit 4, "fixed").

use crate::support;

use serde_json::Value;
use support::dialect::{DialectCase, baseline_holds_the_deep_bug_until_fixed};
use support::faulty_proxy::{Fault, rewrite_socketio};

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

const DIALECT: &str = "      - id: build-stamp
        reason: every frame and ack of the server names its build
        accept: extra_keys
        in: all
        at: /args/0
        keys: [build]
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dialect_accepts_the_stamp_and_a_baseline_holds_the_deep_bug_until_fixed() {
    baseline_holds_the_deep_bug_until_fixed(DialectCase {
        protocol: "caas",
        selection: &SELECTION,
        dialect: DIALECT,
        deep_bug_fails: "caas.message.edit",
        shown_with_dialect: &["replyTo", "build-stamp"],
        buggy: stamped(true),
        fixed: stamped(false),
    })
    .await;
}
