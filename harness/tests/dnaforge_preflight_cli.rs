//! dnaforge's preflight (`fixtures/dnaforge/preflight/access-token.yaml`), end to end: an
//! `access_token` the embedded reference server refuses stops the run before any scenario, on
//! one line naming the run variable; the suite's default passes; a separately started
//! `wsconform serve` is checked with the `ACCESSTOKEN` it was given, and one with authentication
//! off (`ACCESSTOKEN` unset, dnaforge-N2) accepts any value.

use crate::support;

use std::time::Duration;

use support::cli::{Finished, Served, run_within, serve_dnaforge, wsconform};

/// Bound on one run of the binary in these tests.
const RUN_WITHIN: Duration = Duration::from_secs(60);

/// A short scenario of the suite, which the preflight must let run.
const SCENARIO: &str = "dnaforge.joblist.after_auth";

fn run(extra: &[&str]) -> Finished {
    let mut command = wsconform();
    command.args(["run", "--scenario", SCENARIO]).args(extra);
    run_within(command, RUN_WITHIN)
}

/// The `wsconform:` lines of a run: its problems.
fn problem_lines(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .filter(|l| l.starts_with("wsconform: "))
        .map(str::to_owned)
        .collect()
}

fn passed(finished: &Finished) {
    assert_eq!(finished.code(), Some(0), "{}", finished.shown());
    assert!(
        finished.stdout().contains(&format!("PASS  {SCENARIO}")),
        "{}",
        finished.shown()
    );
}

/// The run stopped before anything ran (exit 3) on exactly one problem line, returned.
fn the_one_problem(finished: &Finished) -> String {
    assert_eq!(finished.code(), Some(3), "{}", finished.shown());
    let stdout = finished.stdout();
    assert!(stdout.contains("nothing was run"), "{}", finished.shown());
    assert!(!stdout.contains("PASS "), "{}", finished.shown());
    let mut lines = problem_lines(&stdout);
    assert_eq!(lines.len(), 1, "{}", finished.shown());
    lines.remove(0)
}

#[test]
fn a_refused_access_token_is_one_line_naming_the_variable_and_nothing_runs() {
    let line = &the_one_problem(&run(&["--var", "access_token=not-the-server-s"]));
    assert!(
        line.starts_with("wsconform: dnaforge=embedded reference server: "),
        "{line}"
    );
    assert!(
        line.contains("HTTP status 401 where 200 was expected"),
        "{line}"
    );
    assert!(line.contains("preflight/access-token.yaml:"), "{line}");
    assert!(
        line.ends_with("--var access_token=<value>"),
        "the line names the variable and its fix: {line}"
    );
}

#[test]
fn the_suite_default_passes_the_preflight() {
    passed(&run(&[]));
}

fn target(served: &Served) -> String {
    format!("dnaforge={}", served.url)
}

#[test]
fn a_served_target_is_checked_with_its_access_token_from_the_environment() {
    let served = serve_dnaforge(Some("server-secret"));
    let refused = run(&["--target", &target(&served)]);
    let line = the_one_problem(&refused);
    assert!(
        line.starts_with(&format!("wsconform: {}: ", target(&served))),
        "{line}"
    );
    assert!(line.ends_with("--var access_token=<value>"), "{line}");
    passed(&run(&[
        "--target",
        &target(&served),
        "--var",
        "access_token=server-secret",
    ]));
}

#[test]
fn a_served_target_with_authentication_off_accepts_any_access_token() {
    let served = serve_dnaforge(None);
    passed(&run(&[
        "--target",
        &target(&served),
        "--var",
        "access_token=anything-at-all",
    ]));
}
