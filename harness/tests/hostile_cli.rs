//! `wsconform fuzz`'s hostile cases: the fast subset (the first case of every family) of every
//! protocol against the embedded reference server, with exact case counts; and a hub behind a
//! faulty proxy that drops its INVALID_JSON error fails exactly that case.

use crate::support;

use std::sync::Arc;
use std::time::Duration;

use harness::hostile::run::{prepare, run_cases};
use harness::hostile::{self, HostileSpec};
use harness::report::model::Verdict;
use harness::runner::suite::TargetSource;
use harness::runner::{RunOptions, Target};
use support::cli::{run_within, wsconform};

/// The fast subset of `protocol`: its cases run, and the ids that fail.
fn fast(protocol: &str) -> (Option<i32>, String) {
    let mut command = wsconform();
    command.args([
        "fuzz",
        "--protocol",
        protocol,
        "--fast",
        "--no-sessions",
        "--jobs",
        "4",
    ]);
    let finished = run_within(command, Duration::from_secs(120));
    (finished.code(), finished.stdout())
}

fn failing(stdout: &str) -> Vec<&str> {
    stdout
        .lines()
        .filter(|l| l.starts_with("FAIL") || l.starts_with("ERROR"))
        .filter_map(|l| l.split_whitespace().nth(1))
        .collect()
}

#[test]
fn the_fast_subset_passes_against_the_embedded_server() {
    // (protocol, cases in the subset, cases that fail on the reference server today)
    let expected: [(&str, usize, &[&str]); 5] = [
        ("ark", 21, &[]),
        ("emprops", 21, &[]),
        ("dnaforge", 20, &[]),
        // A websocket packet past max_message_bytes closes the connection (C4, jobber-N2,
        // caas-N15); until socketioxide 0.18.9's ws_max_message_size, it was read whole.
        ("jobber", 21, &[]),
        ("caas", 21, &[]),
    ];
    for (protocol, count, fails) in expected {
        let (code, stdout) = fast(protocol);
        assert!(
            stdout.contains(&format!("{protocol}: {count} case(s) run")),
            "{protocol}: {stdout}"
        );
        assert_eq!(failing(&stdout), fails, "{protocol}: {stdout}");
        assert_eq!(code, Some(if fails.is_empty() { 0 } else { 4 }), "{stdout}");
        assert!(!stdout.contains("panicked"), "{stdout}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hub_that_drops_its_invalid_json_error_fails_that_case() {
    let fixtures = support::root().join("fixtures");
    let suite = harness::runner::protocol::load_protocol(&fixtures, "emprops").unwrap();
    let spec = HostileSpec::load(&fixtures, "emprops").unwrap();
    let generated = hostile::generate(
        &spec,
        &suite.profile,
        &fixtures,
        &hostile::fields::Files,
        &Default::default(),
    );
    let wanted = [
        "emprops.hostile.invalid_json.unterminated",
        "emprops.hostile.unknown_type.no_such_type",
    ];
    let cases: Vec<_> = generated
        .cases
        .into_iter()
        .filter(|c| wanted.contains(&c.id.as_str()))
        .collect();
    assert_eq!(cases.len(), 2);
    let file = fixtures.join("emprops/hostile.yaml");
    let prepared = prepare(Arc::new(spec), Arc::new(suite), cases, file).unwrap();
    let server = support::embedded("emprops").await;
    let served = server.target("emprops").unwrap();
    let drop_invalid_json: support::faulty_proxy::Fault = Arc::new(|| {
        Box::new(|text: String| {
            if text.contains("INVALID_JSON") {
                vec![]
            } else {
                vec![text]
            }
        })
    });
    let proxy = support::faulty_proxy::start(&served.url, drop_invalid_json).await;
    let target = Target {
        url: proxy.url.clone(),
        capabilities: served.capabilities,
    };
    let results = run_cases(
        prepared,
        TargetSource::External(target),
        Arc::new(RunOptions::default()),
        2,
        Arc::new(|c: &hostile::Case| c.id.clone()),
        |_, _| {},
    )
    .await;
    server.stop().await;
    let verdicts: Vec<(&str, Verdict)> =
        results.iter().map(|r| (r.id.as_str(), r.verdict)).collect();
    assert_eq!(
        verdicts,
        [
            ("emprops.hostile.invalid_json.unterminated", Verdict::Fail),
            ("emprops.hostile.unknown_type.no_such_type", Verdict::Pass),
        ]
    );
    let failure = results[0].failure_points();
    assert!(
        failure[0].message.contains("no message arrived"),
        "{:?}",
        failure[0]
    );
}
