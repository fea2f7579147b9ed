//! The emprops suite against a separately started `wsconform serve` (one hub shared by every
//! scenario, run one at a time): every scenario passes, except those that need a hub of their own
//! (`fresh_state`) or worker tokens, which are reported unsupported.

use crate::support;

use support::cli::{run_served_suite, serve_emprops, unsupported_ids};

#[test]
fn the_suite_passes_against_a_separately_served_hub() {
    let served = serve_emprops();
    let report = run_served_suite("emprops", &served.url);
    let summary = &report["summary"];
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
    let unsupported = unsupported_ids(&report);
    assert_eq!(
        unsupported, needs_own_hub,
        "unsupported exactly where a hub of its own is needed"
    );
}
