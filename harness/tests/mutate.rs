//! `wsconform mutate` against the embedded reference server: a mutant of a message the suite
//! checks is caught, a mutant of a value the document leaves open survives (or is reported as
//! allowed when declared so), and the command line runs a small seeded sample.

use crate::support;

use std::sync::Arc;

use harness::embedded::EmbeddedFactory;
use harness::mutate::allowed::{AllowList, AllowedMutant};
use harness::mutate::campaign::enumerate;
use harness::mutate::message::Channel;
use harness::mutate::{Campaign, Mutant, Operator, Status, Timing};
use harness::report::model::Verdict;
use harness::runner::RunOptions;

use support::cli::wsconform;

const SCENARIO: &str = "jobber.connect.client_ready";

fn campaign(allowed: AllowList) -> Campaign {
    Campaign {
        suite: Arc::new(support::suite("jobber")),
        factory: Arc::new(EmbeddedFactory),
        options: Arc::new(RunOptions::default()),
        timing: Timing::default(),
        allowed: Arc::new(allowed),
    }
}

/// The recorded mutant of `operator` at `site` of `channel`'s client_ready.
fn client_ready_mutant(
    mutants: &[Mutant],
    channel: usize,
    operator: Operator,
    site: &str,
) -> Mutant {
    mutants
        .iter()
        .find(|m| {
            m.channel == Channel::Socket(channel)
                && m.signature == "EVENT client_ready"
                && m.operator == operator
                && m.site == site
        })
        .cloned()
        .unwrap_or_else(|| panic!("no {operator:?} mutant at {site} on connection {channel}"))
}

#[tokio::test]
async fn a_checked_value_is_caught_and_a_value_the_document_leaves_open_survives() {
    let scenario = support::scenario("jobber", SCENARIO);
    let plain = campaign(AllowList::default());
    let recording = plain.record(&scenario).await;
    assert_eq!(recording.verdict, Verdict::Pass);
    let mutants = enumerate(SCENARIO, &recording.messages, "/event");
    // a2's customerId must equal a1's (J16): changing it is caught.
    let checked = client_ready_mutant(&mutants, 1, Operator::ChangeValue, "/1/customerId");
    let run = plain.run(&scenario, checked).await;
    assert_eq!(run.status, Status::Caught, "{run:?}");
    assert_eq!(run.verdict, Verdict::Fail);
    // client_ready's `id` is any string (J16 fixes no value): a changed id passes.
    let open = client_ready_mutant(&mutants, 0, Operator::ChangeValue, "/1/id");
    let run = plain.run(&scenario, open.clone()).await;
    assert_eq!(run.status, Status::Survived, "{run:?}");
    assert!(
        run.mutated.starts_with(r#"42["client_ready""#),
        "{}",
        run.mutated
    );
    // Declared allowed, the same survivor is reported as allowed, with its reason.
    let allowed = campaign(AllowList::new(vec![AllowedMutant {
        operator: Operator::ChangeValue,
        scenario: None,
        message: Some("EVENT client_ready".into()),
        site: Some("/1/id".into()),
        reason: "opaque".into(),
    }]));
    let run = allowed.run(&scenario, open).await;
    assert_eq!(run.status, Status::Allowed, "{run:?}");
    assert_eq!(run.reason.as_deref(), Some("opaque"));
}

#[test]
fn the_command_line_runs_a_seeded_sample_and_exits_on_the_minimum() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mutate.json");
    let run = |min: &str| {
        wsconform()
            .args(["mutate", "--protocol", "jobber", "--scenario", SCENARIO])
            .args(["--sample", "6", "--seed", "7", "--min", min])
            .arg("--report")
            .arg(format!("json={}", path.display()))
            .output()
            .unwrap()
    };
    let output = run("0");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("a sample of 6 (seed 7)"), "{stdout}");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let runs = report["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 6);
    let drawn = |runs: &[serde_json::Value]| -> Vec<serde_json::Value> {
        runs.iter()
            .map(|r| serde_json::json!([r["channel"], r["index"], r["operator"], r["site"]]))
            .collect()
    };
    let first = drawn(runs);
    // The same seed draws the same sample; an unmeetable minimum exits 4.
    let again = run("101");
    assert_eq!(again.status.code(), Some(4));
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(first, drawn(report["runs"].as_array().unwrap()));
}
