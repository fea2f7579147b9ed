use std::collections::BTreeMap;

use super::model::{DiffSummary, ScenarioDiff, Status};
use super::*;
use crate::report::model::{Direction, TranscriptEntry, Verdict};
use crate::report::test_support::result;

fn connection(actor: &str, lines: &[&str]) -> Connection {
    Connection {
        actor: actor.into(),
        lines: lines.iter().map(|l| (*l).to_owned()).collect(),
    }
}

const READY: &str = r#"← {"event":"client_ready","args":[{"id":"<socket-1>"}]}"#;
const REG: &str = r#"→ {"emit":"register_worker","args":[{"jobName":"j"}],"ack":"reg"}"#;
const ACK: &str = r#"← {"ack":"reg","args":[{}]}"#;
const WRAPPED_ACK: &str = r#"← {"ack":"reg","args":[{"status":"ok"}]}"#;

fn worker(lines: &[&str]) -> Vec<Connection> {
    let mut all = vec!["→ connect", "← connected", READY];
    all.extend_from_slice(lines);
    vec![connection("worker", &all)]
}

#[test]
fn equal_transcripts_are_the_same() {
    let reference = worker(&[REG, ACK]);
    assert_eq!(first_divergences(&reference, &reference.clone(), 3), vec![]);
    let (status, divergences, varied) = judge(&reference, std::slice::from_ref(&reference), 3);
    assert_eq!(status, Status::Same);
    assert!(divergences.is_empty() && varied.is_empty());
}

#[test]
fn a_field_that_differs_is_named_by_its_path_with_context() {
    let found = first_divergences(&worker(&[REG, ACK]), &worker(&[REG, WRAPPED_ACK]), 2);
    assert_eq!(found.len(), 1, "{found:?}");
    let d = &found[0];
    assert_eq!((d.actor.as_str(), d.index), ("worker", 5));
    assert_eq!(d.path.as_deref(), Some("$.args[0].status"));
    assert_eq!(d.change, Change::OnlyInTarget);
    assert_eq!(d.reference.as_deref(), Some(ACK));
    assert_eq!(d.target.as_deref(), Some(WRAPPED_ACK));
    assert_eq!(d.context, vec![READY.to_owned(), REG.to_owned()]);
}

#[test]
fn a_changed_value_and_a_key_left_out_are_told_apart() {
    let changed = json::compare_lines(r#"← 201 {"a":{"b":1}}"#, r#"← 201 {"a":{"b":2}}"#);
    assert_eq!(changed, Some(Some(("$.a.b".into(), Change::Changed))));
    let left_out = json::compare_lines(r#"← {"a":[1,2],"c":3}"#, r#"← {"a":[1]}"#);
    assert_eq!(
        left_out,
        Some(Some(("$.a[1]".into(), Change::OnlyInReference)))
    );
    let odd_key = json::compare_lines(r#"← {"a-b":1}"#, r#"← {"a-b":true}"#);
    assert_eq!(odd_key, Some(Some((r#"$["a-b"]"#.into(), Change::Changed))));
    // Different text before the JSON (another status code): the whole entry differs.
    assert_eq!(
        json::compare_lines(r#"← 201 {"a":1}"#, r#"← 200 {"a":1}"#),
        Some(None)
    );
    // Key order and spacing are not behaviour.
    assert_eq!(
        json::compare_lines(r#"← {"a":1,"b":2}"#, r#"← {"b": 2, "a": 1}"#),
        None
    );
}

#[test]
fn an_extra_message_on_the_target_is_one_divergence_with_no_reference_entry() {
    let found = first_divergences(&worker(&[REG, ACK]), &worker(&[REG, ACK, ACK]), 3);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].index, 6);
    assert_eq!(found[0].reference, None);
    assert_eq!(found[0].target.as_deref(), Some(ACK));
    assert_eq!(found[0].change, Change::OnlyInTarget);
}

#[test]
fn a_missing_message_and_a_missing_connection_are_divergences() {
    let reference = [worker(&[REG, ACK]), vec![connection("http", &["→ GET /x"])]].concat();
    let found = first_divergences(&reference, &worker(&[REG]), 1);
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!((found[0].index, found[0].target.as_deref()), (5, None));
    assert_eq!(found[0].change, Change::OnlyInReference);
    assert_eq!(found[1].actor, "http");
    assert_eq!((found[1].index, found[1].context.len()), (1, 0));
}

#[test]
fn messages_reordered_across_connections_are_the_same() {
    let entry = |actor: &str, text: &str| TranscriptEntry {
        at_ms: 0,
        actor: actor.into(),
        direction: Direction::Received,
        text: text.into(),
        raw: None,
        matched: true,
        foreign: false,
    };
    let mut reference = result("s", Verdict::Pass, None);
    reference.transcript = vec![entry("a", "1"), entry("b", "2"), entry("a", "3")];
    let mut target = reference.clone();
    target.transcript = vec![entry("b", "2"), entry("a", "1"), entry("a", "3")];
    let none = BTreeMap::new();
    let (reference, target) = (normalise(&reference, &none), normalise(&target, &none));
    assert_eq!(first_divergences(&reference, &target, 3), vec![]);
    // Within one connection, order is behaviour.
    let swapped = vec![connection("a", &["← 3", "← 1"]), connection("b", &["← 2"])];
    assert_eq!(first_divergences(&reference, &swapped, 3).len(), 1);
}

#[test]
fn run_variables_stamps_and_foreign_traffic_are_normalised_away() {
    let entry = |text: &str, foreign: bool| TranscriptEntry {
        at_ms: 7,
        actor: "w".into(),
        direction: Direction::Sent,
        text: text.into(),
        raw: None,
        matched: false,
        foreign,
    };
    let side = |token: &str, stamp: &str| {
        let mut r = result("s", Verdict::Pass, None);
        r.transcript = vec![
            entry(
                &format!(r#"connect auth {{"customerToken":"{token}"}}"#),
                false,
            ),
            entry(&format!(r#"{{"timestamp":{stamp},"n":12}}"#), false),
            entry("someone else's event", token == "secret-a"),
        ];
        let vars = BTreeMap::from([("token_a".to_owned(), token.to_owned())]);
        normalise(&r, &vars)
    };
    let reference = side("tok-a", "1712345678901");
    let target = side("secret-a", "1712345679999");
    assert_eq!(
        target[0].lines[..2],
        [
            r#"→ connect auth {"customerToken":"<var:token_a>"}"#,
            r#"→ {"timestamp":<unix-ms>,"n":12}"#
        ]
    );
    let found = first_divergences(&reference, &target, 0);
    assert_eq!(
        found.len(),
        1,
        "only the foreign entry is missing: {found:?}"
    );
    assert_eq!(
        found[0].reference.as_deref(),
        Some("→ someone else's event")
    );
    // A value too short to stand for its variable is left alone.
    let vars = BTreeMap::from([("n".to_owned(), "12".to_owned())]);
    let mut r = result("s", Verdict::Pass, None);
    r.transcript = vec![entry(r#"{"n":12}"#, false)];
    assert_eq!(normalise(&r, &vars)[0].lines, [r#"→ {"n":12}"#]);
}

#[test]
fn a_reference_that_varies_makes_the_scenario_nondeterministic_not_diverging() {
    let target = worker(&[REG, WRAPPED_ACK]);
    let first = worker(&[REG, ACK]);
    let (status, divergences, varied) =
        judge(&target, &[first.clone(), worker(&[REG, ACK, ACK])], 3);
    assert_eq!(status, Status::Nondeterministic);
    assert_eq!(divergences.len(), 1);
    assert_eq!(varied[0].index, 6);
    // A re-run that agrees with the first: the target diverges.
    let (status, _, varied) = judge(&target, &[first.clone(), first.clone()], 3);
    assert_eq!((status, varied.len()), (Status::Diverge, 0));
    // A re-run equal to the target: the target behaves as the reference can.
    let (status, ..) = judge(&target, &[first, target.clone()], 3);
    assert_eq!(status, Status::Same);
}

#[test]
fn the_side_by_side_view_marks_the_entry_and_wraps_long_lines() {
    let found = first_divergences(&worker(&[REG, ACK]), &worker(&[REG, WRAPPED_ACK]), 1);
    let diff = ScenarioDiff {
        id: "jobber.worker.register".into(),
        title: "A worker registers".into(),
        protocol: "jobber".into(),
        status: Status::Diverge,
        target_verdict: Verdict::Fail,
        reference_verdict: Some(Verdict::Pass),
        reason: None,
        divergences: found,
        reference_varies: Vec::new(),
    };
    let text = render::scenario(&diff, 30);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "DIVERGE  jobber.worker.register");
    assert!(
        lines[1].contains("verdicts: reference pass, target fail"),
        "{text}"
    );
    assert_eq!(
        lines[2],
        "  [worker] entry 5 differs at $.args[0].status: only in the target"
    );
    assert!(lines[4].starts_with("       4 → {\"emit\""), "{text}");
    assert!(
        lines[5].starts_with("     > 5 ← {\"ack\":\"reg\",\"args\":[{}]}"),
        "{text}"
    );
    assert!(
        lines[5].ends_with("│ ← {\"ack\":\"reg\",\"args\":[{\"statu"),
        "{text}"
    );
    assert!(lines[6].ends_with("│ s\":\"ok\"}]}"), "{text}");
    let summary = DiffSummary::of(&[diff]);
    assert_eq!((summary.total, summary.diverge, summary.same), (1, 1, 0));
}
