//! The transcript properties over hand-made transcripts: a break is found at the message that
//! broke it, and what the rules allow (staying, declared moves, releases, closes) is not.

use std::path::Path;

use serde_json::{Value, json};

use super::{Broken, Seen, broken};
use crate::matcher::{self, Captures, Pattern};
use crate::scenario::properties::{Flow, Properties};

const SCENARIO: &str = r#"
id: p.properties
title: t
protocol: p
clause: c
level: MUST
actors: { w1: {}, w2: {} }
properties:
  transitions:
    - name: a job only moves forward
      messages:
        - { match: { type: JobUpdate }, key: /jobId, state: /job/status }
        - { match: { event: work_request }, key: /args/0/id, state: /args/0/state }
      moves: { NEW: [RUNNING, CANCELLED], RUNNING: [DONE, CANCELLED] }
  one_holder:
    - name: a job is with one worker at a time
      taken: { match: { event: work_request }, key: /args/0/id }
      released:
        - { sent: { emit: job_completed }, key: /args/0/jobId }
        - { received: { event: job_cancelled }, key: /args/0/id }
steps:
  - connect: w1
"#;

fn properties() -> Properties {
    crate::scenario::parse_str(SCENARIO, Path::new("p.yaml"))
        .expect("parses")
        .properties
}

fn check(entries: &[(usize, Flow, Option<Value>, bool)]) -> Vec<Broken> {
    let seen: Vec<Seen<'_>> = entries
        .iter()
        .enumerate()
        .map(|(at, (actor, flow, json, closed))| Seen {
            at,
            actor: *actor,
            flow: *flow,
            json: json.as_ref(),
            closed: *closed,
        })
        .collect();
    let captures = Captures::new();
    let matches = |p: &Pattern, v: &Value| matcher::matches(p, v, &captures).is_ok();
    broken(&properties(), &seen, &matches, &["w1".into(), "w2".into()])
}

fn update(actor: usize, id: u64, status: &str) -> (usize, Flow, Option<Value>, bool) {
    let message = json!({ "type": "JobUpdate", "jobId": id, "job": { "status": status } });
    (actor, Flow::Received, Some(message), false)
}

fn work(actor: usize, id: &str) -> (usize, Flow, Option<Value>, bool) {
    let message = json!({ "event": "work_request", "args": [ { "id": id, "state": "RUNNING" } ] });
    (actor, Flow::Received, Some(message), false)
}

#[test]
fn declared_moves_and_staying_are_allowed() {
    let entries = [
        update(0, 1, "NEW"),
        update(0, 1, "RUNNING"),
        update(0, 1, "RUNNING"),
        update(1, 1, "DONE"),
        update(0, 1, "DONE"),
        update(0, 2, "NEW"),
        update(0, 2, "CANCELLED"),
    ];
    assert_eq!(check(&entries), []);
}

#[test]
fn a_move_back_is_found_at_its_message_and_path() {
    let entries = [
        update(0, 1, "NEW"),
        update(0, 1, "DONE"),
        update(0, 1, "RUNNING"),
    ];
    let found = check(&entries);
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!(found[0].index, 1);
    assert_eq!(found[0].path.as_deref(), Some("$.job.status"));
    assert!(
        found[0].message.contains("1 went from NEW to DONE"),
        "{}",
        found[0].message
    );
    assert!(found[0].message.contains("from NEW: RUNNING, CANCELLED"));
    assert_eq!(found[1].index, 2);
    assert!(found[1].message.contains("none (a final state)"));
}

#[test]
fn states_are_followed_per_connection_across_message_kinds() {
    // w2 sees RUNNING first (work_request), then the broadcast NEW: a move back on w2 only.
    let entries = [
        update(0, 7, "NEW"),
        work(1, "7"),
        update(1, 7, "NEW"),
        update(0, 7, "RUNNING"),
    ];
    let found = check(&entries);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].index, 2);
}

#[test]
fn a_key_given_to_a_second_holder_is_found() {
    let found = check(&[work(0, "j"), work(1, "j")]);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].index, 1);
    assert_eq!(found[0].path.as_deref(), Some("$.args[0].id"));
    assert!(
        found[0]
            .message
            .contains("while w1 still held it (given at message 0")
    );
}

#[test]
fn releases_and_closes_free_a_key() {
    let completed = json!({ "emit": "job_completed", "args": [ { "jobId": "j" } ] });
    let cancelled = json!({ "event": "job_cancelled", "args": [ { "id": "k" } ] });
    let entries = [
        work(0, "j"),
        (1, Flow::Sent, Some(completed.clone()), false),
        work(1, "j"),
        work(0, "k"),
        (0, Flow::Received, Some(cancelled), false),
        work(1, "k"),
        work(0, "m"),
        (0, Flow::Sent, None, true),
        work(1, "m"),
        // The same holder given its key again is no second holder.
        work(1, "m"),
        // A release must flow the declared way: the completion received is no release.
        work(0, "n"),
        (
            1,
            Flow::Received,
            Some(json!({ "emit": "job_completed", "args": [ { "jobId": "n" } ] })),
            false,
        ),
    ];
    assert_eq!(check(&entries), []);
    let mut unreleased = entries.to_vec();
    unreleased.push(work(1, "n"));
    let found = check(&unreleased);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].index, entries.len());
}

#[test]
fn a_malformed_property_is_an_error_at_its_line() {
    let broken = SCENARIO.replace("key: /jobId", "key: jobId");
    let error = crate::scenario::parse_str(&broken, Path::new("p.yaml")).expect_err("refused");
    assert!(error.to_string().contains("JSON pointer"), "{error}");
    let both = SCENARIO.replace(
        "- { sent: { emit: job_completed }, key: /args/0/jobId }",
        "- { sent: { emit: job_completed }, received: {}, key: /args/0/jobId }",
    );
    let error = crate::scenario::parse_str(&both, Path::new("p.yaml")).expect_err("refused");
    assert!(error.to_string().contains("exactly one of"), "{error}");
}
