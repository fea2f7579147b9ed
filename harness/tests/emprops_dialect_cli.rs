//! A dialect and a baseline work for emprops as for the others: a hub that stamps every message
//! with a key the document does not have fails `!exact` expectations without a dialect and passes
//! with one declaring it; a deep bug besides (a cancelled job reported as `canceled`) is recorded
//! in a baseline, which then holds (exit 0) until the bug is fixed (exit 4, "fixed").
#![allow(clippy::unwrap_used)]

mod support;

use std::path::Path;
use std::time::Duration;

use serde_json::Value;
use support::cli::run_scenarios;
use support::faulty_proxy::{Fault, FaultyProxy};

const WITHIN: Duration = Duration::from_secs(120);

const SELECTION: [&str; 4] = [
    "emprops.submit.accepted",
    "emprops.cancel.queued",
    "emprops.status.query",
    "emprops.error.invalid_json",
];

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

fn profile(dir: &Path, proxy: &FaultyProxy, baseline: Option<&str>) -> String {
    let baseline = baseline.map_or_else(String::new, |b| format!("baseline: {b}\n"));
    let text = format!(
        r#"targets:
  emprops:
    url: {}
    dialect:
      - id: hub-version-stamp
        reason: every message of the hub carries its version
        accept: extra_keys
        in: messages
        keys: [hub]
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
    let server = support::embedded("emprops").await;
    let upstream = server.target("emprops").unwrap().url;
    let dir = tempfile::tempdir().unwrap();
    let buggy = support::faulty_proxy::start(&upstream, stamped(true)).await;

    // Without a dialect the stamp fails every scenario.
    let target = format!("emprops={}", buggy.url);
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
    assert!(stdout.contains("FAIL  emprops.cancel.queued"), "{stdout}");
    assert!(stdout.contains("hub-version-stamp"), "{stdout}");

    // Nothing changed: 0.
    let finished = run(vec![
        "--profile".into(),
        profile(dir.path(), &buggy, Some("baseline.json")),
    ])
    .await;
    assert_eq!(finished.code(), Some(0), "{}", finished.shown());

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
