//! The emprops suite against a separately started `wsconform serve` (one hub shared by every
//! scenario, run one at a time): every scenario passes, except those that need a hub of their own
//! (`fresh_state`) or worker tokens, which are reported unsupported.
#![allow(clippy::unwrap_used)]

mod support;

use std::time::Duration;

use support::cli::{run_within, serve_emprops, wsconform};

#[test]
fn the_suite_passes_against_a_separately_served_hub() {
    let served = serve_emprops();
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("run.json");
    let mut command = wsconform();
    command
        .args(["run", "--target", &format!("emprops={}", served.url)])
        .args(["--report", &format!("json={}", json.display())]);
    let finished = run_within(command, Duration::from_secs(300));
    assert_eq!(finished.code(), Some(0), "{}", finished.shown());
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let summary = &report["summary"];
    assert_eq!(summary["failed"], 0, "{summary}");
    assert_eq!(summary["errors"], 0, "{summary}");
    assert!(summary["passed"].as_u64().unwrap() >= 55, "{summary}");
    let needs_own_hub: Vec<String> = support::scenarios("emprops")
        .into_iter()
        .filter(|s| {
            s.requires
                .iter()
                .any(|c| c == "fresh_state" || c == "worker_tokens")
        })
        .map(|s| s.id)
        .collect();
    let unsupported: Vec<&str> = report["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["verdict"] == "unsupported")
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        unsupported, needs_own_hub,
        "unsupported exactly where a hub of its own is needed"
    );
}
