//! The dialect-and-baseline story every protocol's `*_dialect_cli.rs` test tells, once: a server
//! (the embedded reference behind a faulty proxy) stamps every message with a key the document
//! does not have and has one deep bug besides.
//!
//! 1. Without a dialect, the stamp fails every selected scenario (exit 4).
//! 2. With a dialect declaring the stamp, all but the deep bug's scenario pass with declared
//!    deviations; that failure is written to a baseline (exit 4).
//! 3. With the baseline, nothing changed: exit 0, "still fail as known".
//! 4. Behind a proxy without the bug, the baseline reports the scenario "fixed" (exit 4).

use std::path::Path;
use std::time::Duration;

use super::cli::{Finished, run_scenarios};
use super::faulty_proxy::{self, Fault};

const WITHIN: Duration = Duration::from_secs(120);

/// One protocol's case.
pub struct DialectCase<'a> {
    /// The protocol.
    pub protocol: &'a str,
    /// The scenarios run; exactly one of them meets the deep bug.
    pub selection: &'a [&'a str],
    /// The dialect entries under the target (YAML list items, indented by six spaces).
    pub dialect: &'a str,
    /// The scenario the deep bug fails.
    pub deep_bug_fails: &'a str,
    /// Texts the run with the dialect prints besides (the dialect's id, the broken field).
    pub shown_with_dialect: &'a [&'a str],
    /// The stamp and the deep bug.
    pub buggy: Fault,
    /// The stamp alone.
    pub fixed: Fault,
}

/// Tells the story of the module's documentation for `case`.
pub async fn baseline_holds_the_deep_bug_until_fixed(case: DialectCase<'_>) {
    let server = super::embedded(case.protocol).await;
    let upstream = server.target(case.protocol).unwrap().url;
    let dir = tempfile::tempdir().unwrap();
    let buggy = faulty_proxy::start(&upstream, case.buggy.clone()).await;
    let count = case.selection.len();
    let run = |args: Vec<String>| run_scenarios(args, case.selection, WITHIN);
    let profile = |url: &str, baseline: Option<&str>| profile(dir.path(), &case, url, baseline);

    let target = format!("{}={}", case.protocol, buggy.url);
    let finished = run(vec!["--target".into(), target]).await;
    expect(&finished, 4, &[&format!("0 passed, {count} failed")]);

    let baseline = dir.path().join("baseline.json").display().to_string();
    let args = vec![
        "--profile".into(),
        profile(&buggy.url, None),
        "--write-baseline".into(),
        baseline,
    ];
    let finished = run(args).await;
    let passed = count - 1;
    let summary = format!("{passed} passed ({passed} with declared deviations), 1 failed");
    let failed = format!("FAIL  {}", case.deep_bug_fails);
    let mut shown = vec![summary.as_str(), failed.as_str()];
    shown.extend(case.shown_with_dialect);
    expect(&finished, 4, &shown);

    let finished = run(vec![
        "--profile".into(),
        profile(&buggy.url, Some("baseline.json")),
    ])
    .await;
    expect(&finished, 0, &["still fail as known"]);

    let fixed = faulty_proxy::start(&upstream, case.fixed.clone()).await;
    let finished = run(vec![
        "--profile".into(),
        profile(&fixed.url, Some("baseline.json")),
    ])
    .await;
    expect(&finished, 4, &["baseline: fixed:"]);
    server.stop().await;
}

fn expect(finished: &Finished, code: i32, texts: &[&str]) {
    assert_eq!(finished.code(), Some(code), "{}", finished.shown());
    let stdout = finished.stdout();
    for text in texts {
        assert!(
            stdout.contains(text),
            "{text:?} not in:\n{}",
            finished.shown()
        );
    }
}

/// A target profile of the proxy at `url` with the case's dialect, and a baseline if given.
fn profile(dir: &Path, case: &DialectCase<'_>, url: &str, baseline: Option<&str>) -> String {
    let baseline = baseline.map_or_else(String::new, |b| format!("baseline: {b}\n"));
    let text = format!(
        "targets:\n  {}:\n    url: {url}\n    dialect:\n{}{baseline}",
        case.protocol, case.dialect
    );
    let path = dir.join("target.yaml");
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}
