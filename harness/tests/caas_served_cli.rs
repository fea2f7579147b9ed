//! The caas suite against a separately started `wsconform serve --suite-settings` (one server
//! shared by every scenario, run one at a time): every scenario passes, the load fan-out
//! included (the suite settings make its 100 members), except those that require a capability
//! the served target does not declare, which are reported unsupported.

use crate::support;

use support::cli::{run_served_suite, serve_caas, unsupported_ids};

/// What the served target declares: nothing (`--target` names no capability, and the server
/// runs with the suite settings only: no rate limit, state shared, no `connect_error` data, no
/// compression).
const DECLARED: [&str; 0] = [];

#[test]
fn the_suite_passes_against_a_separately_served_caas_server() {
    let served = serve_caas();
    let report = run_served_suite("caas", &served.url);
    let summary = &report["summary"];
    let scenarios = support::scenarios("caas");
    let mut needs_undeclared: Vec<String> = scenarios
        .iter()
        .filter(|s| s.requires.iter().any(|c| !DECLARED.contains(&c.as_str())))
        .map(|s| s.id.clone())
        .collect();
    needs_undeclared.sort_unstable();
    assert!(
        scenarios.len() >= 40 && !needs_undeclared.is_empty(),
        "the caas suite shrank: {} scenarios, {needs_undeclared:?} unsupported",
        scenarios.len()
    );
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
