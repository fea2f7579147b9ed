//! A dialect and a baseline work for emprops as for the others: a hub that stamps every message
//! with a key the document does not have fails `!exact` expectations without a dialect and passes
//! with one declaring it; a deep bug besides (a cancelled job reported as `canceled`) is recorded
//! in a baseline, which then holds (exit 0) until the bug is fixed (exit 4, "fixed").

use crate::support;

use serde_json::Value;
use support::dialect::{DialectCase, baseline_holds_the_deep_bug_until_fixed};
use support::faulty_proxy::Fault;

/// Every hub message gets `"hub": "v2"`; with `misspelt`, a cancellation's status is `canceled`.
fn stamped(misspelt: bool) -> Fault {
    std::sync::Arc::new(move || {
        Box::new(move |text: String| {
            let Ok(mut value) = serde_json::from_str::<Value>(&text) else {
                return vec![text];
            };
            value["hub"] = "v2".into();
            if misspelt && value["type"] == "job_cancelled" {
                value["status"] = "canceled".into();
            }
            vec![value.to_string()]
        })
    })
}

const DIALECT: &str = "      - id: hub-version-stamp
        reason: every message of the hub carries its version
        accept: extra_keys
        in: messages
        keys: [hub]
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dialect_accepts_the_stamp_and_a_baseline_holds_the_deep_bug_until_fixed() {
    baseline_holds_the_deep_bug_until_fixed(DialectCase {
        protocol: "emprops",
        selection: &[
            "emprops.submit.accepted",
            "emprops.cancel.queued",
            "emprops.status.query",
            "emprops.error.invalid_json",
        ],
        dialect: DIALECT,
        deep_bug_fails: "emprops.cancel.queued",
        shown_with_dialect: &["hub-version-stamp"],
        buggy: stamped(true),
        fixed: stamped(false),
    })
    .await;
}
