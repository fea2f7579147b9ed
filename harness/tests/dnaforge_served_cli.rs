//! The dnaforge suite against a separately started `wsconform serve` (one server shared by every
//! scenario, run one at a time), run the two ways D1 allows: with `ACCESSTOKEN` set (the run
//! gives it as `--var access_token` and declares `checked_access`) and unset (any value is
//! accepted; the run declares `open_access`). Every scenario passes except those that require a
//! capability the served target does not declare (`fresh_state`, the other access mode), which
//! are reported unsupported.

use crate::support;

use support::cli::{run_served_suite_with, serve_dnaforge, unsupported_ids};

/// Runs the suite against `serve` with `ACCESSTOKEN` = `access_token` (or unset), the run
/// declaring `capability`, and checks the verdicts.
fn suite_passes_served(access_token: Option<&str>, capability: &str) {
    let served = serve_dnaforge(access_token);
    let var = format!(
        "access_token={}",
        access_token.unwrap_or("any-value-will-do")
    );
    let extra = ["--var", var.as_str(), "--capability", capability];
    let report = run_served_suite_with("dnaforge", &served.url, &extra);
    let scenarios = support::scenarios("dnaforge");
    let mut needs_undeclared: Vec<String> = scenarios
        .iter()
        .filter(|s| s.requires.iter().any(|c| c != capability))
        .map(|s| s.id.clone())
        .collect();
    needs_undeclared.sort_unstable();
    let other_mode = if capability == "open_access" {
        "dnaforge.auth.wrong_token"
    } else {
        "dnaforge.auth.open_access"
    };
    assert!(
        scenarios.len() >= 15 && needs_undeclared.iter().any(|id| id == other_mode),
        "the dnaforge suite shrank: {} scenarios, {needs_undeclared:?} unsupported",
        scenarios.len()
    );
    let summary = &report["summary"];
    assert_eq!(
        summary["passed"].as_u64().unwrap(),
        (scenarios.len() - needs_undeclared.len()) as u64,
        "{summary}"
    );
    let mut unsupported = unsupported_ids(&report);
    unsupported.sort_unstable();
    assert_eq!(
        unsupported, needs_undeclared,
        "unsupported exactly where a capability the served target lacks is required"
    );
}

#[test]
fn the_suite_passes_against_a_served_dnaforge_server_with_an_access_token() {
    suite_passes_served(Some("served-access-7f3e"), "checked_access");
}

#[test]
fn the_suite_passes_against_a_served_dnaforge_server_without_an_access_token() {
    suite_passes_served(None, "open_access");
}
