//! A dialect and a baseline work for dnaforge as for the others: a server that stamps every
//! WebSocket message with a key the document does not have fails `!exact` expectations without a
//! dialect and passes with one declaring it; a deep bug besides (a cancelled job's status spelt
//! `CANCELLED`) is recorded in a baseline, which then holds (exit 0) until the bug is fixed
//! (exit 4, "fixed"). `GET /auth` passes the proxy unchanged.

use crate::support;

use serde_json::Value;
use support::dialect::{DialectCase, baseline_holds_the_deep_bug_until_fixed};
use support::faulty_proxy::Fault;

/// Every server message gets `"server": "forge-2"`; with `misspelt`, a cancelled job's status
/// is `CANCELLED`.
fn stamped(misspelt: bool) -> Fault {
    std::sync::Arc::new(move || {
        Box::new(move |text: String| {
            let Ok(mut value) = serde_json::from_str::<Value>(&text) else {
                return vec![text];
            };
            value["server"] = "forge-2".into();
            if misspelt && value["job"]["status"] == "CANCELED" {
                value["job"]["status"] = "CANCELLED".into();
            }
            vec![value.to_string()]
        })
    })
}

const DIALECT: &str = "      - id: server-version-stamp
        reason: every message of the server carries its version
        accept: extra_keys
        in: messages
        keys: [server]
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dialect_accepts_the_stamp_and_a_baseline_holds_the_deep_bug_until_fixed() {
    baseline_holds_the_deep_bug_until_fixed(DialectCase {
        protocol: "dnaforge",
        selection: &[
            "dnaforge.ws.auth_retry",
            "dnaforge.job.cancel_running",
            "dnaforge.job.life_two_clients",
            "dnaforge.job.delete",
        ],
        dialect: DIALECT,
        deep_bug_fails: "dnaforge.job.cancel_running",
        shown_with_dialect: &["server-version-stamp", "CANCELLED"],
        buggy: stamped(true),
        fixed: stamped(false),
    })
    .await;
}
