#![allow(clippy::unwrap_used)]
use serde_json::json;

use super::*;
use crate::mutate::message::Framing;

fn message(index: u64) -> ServerMessage {
    let body = json!({"event": "tick", "n": index});
    ServerMessage {
        channel: Channel::Socket(0),
        framing: Framing::WsJson,
        frames: vec![Frame::Text(body.to_string())],
        body,
    }
}

fn mutant(operator: Operator, index: usize, site: &str) -> Mutant {
    Mutant {
        scenario: "s".into(),
        channel: Channel::Socket(0),
        index,
        signature: "tick".into(),
        operator,
        site: site.into(),
    }
}

fn texts(frames: &[Frame]) -> Vec<String> {
    frames
        .iter()
        .map(|f| match f {
            Frame::Text(t) => t.clone(),
            Frame::Binary(_) => "<binary>".into(),
        })
        .collect()
}

/// Feeds messages 0..n at one instant; the frames forwarded, in order.
fn feed(tap: &Tap, n: u64) -> (Vec<String>, ChannelMutator) {
    let mut mutator = ChannelMutator::new(Channel::Socket(0));
    let now = Instant::now();
    let mut out = Vec::new();
    for i in 0..n {
        out.extend(texts(&mutator.on_message(tap, now, message(i))));
    }
    (out, mutator)
}

#[test]
fn recording_forwards_everything_unchanged_and_keeps_it() {
    let tap = Tap::recording("/event");
    let (out, _) = feed(&tap, 3);
    assert_eq!(out.len(), 3);
    assert_eq!(tap.recorded().len(), 3);
    assert_eq!(tap.applied(), Applied::NotReached);
}

#[test]
fn a_sealed_tap_neither_records_nor_mutates_what_comes_after_the_scenario() {
    let recording = Tap::recording("/event");
    recording.seal();
    let (out, _) = feed(&recording, 2);
    assert_eq!(out.len(), 2);
    assert!(recording.recorded().is_empty());
    let dropping = Tap::mutating(mutant(Operator::Drop, 0, ""), "/event", Timing::default());
    dropping.seal();
    let (out, _) = feed(&dropping, 2);
    assert_eq!(out.len(), 2, "nothing dropped");
    assert_eq!(dropping.applied(), Applied::NotReached);
}

#[test]
fn a_reordered_message_follows_the_next_one() {
    let tap = Tap::mutating(
        mutant(Operator::Reorder, 0, ""),
        "/event",
        Timing::default(),
    );
    let (out, mut mutator) = feed(&tap, 3);
    assert_eq!(
        out,
        [
            r#"{"event":"tick","n":1}"#,
            r#"{"event":"tick","n":0}"#,
            r#"{"event":"tick","n":2}"#
        ]
    );
    assert!(mutator.flush(&tap).is_empty());
    assert!(matches!(tap.applied(), Applied::Applied(_)));
}

#[test]
fn a_delayed_message_waits_for_its_deadline_while_later_ones_pass() {
    let timing = Timing::default();
    let tap = Tap::mutating(mutant(Operator::Delay, 1, ""), "/event", timing);
    let (out, mut mutator) = feed(&tap, 3);
    assert_eq!(out.len(), 2);
    let deadline = mutator.deadline().unwrap();
    assert!(
        mutator
            .due(&tap, deadline - Duration::from_millis(1))
            .is_empty()
    );
    assert_eq!(
        texts(&mutator.due(&tap, deadline)),
        [r#"{"event":"tick","n":1}"#]
    );
    assert_eq!(mutator.deadline(), None);
    assert!(matches!(tap.applied(), Applied::Applied(_)));
}

#[test]
fn a_held_message_nothing_passed_was_only_late() {
    let tap = Tap::mutating(mutant(Operator::Delay, 2, ""), "/event", Timing::default());
    let (out, mut mutator) = feed(&tap, 3);
    assert_eq!(out.len(), 2);
    assert_eq!(texts(&mutator.flush(&tap)), [r#"{"event":"tick","n":2}"#]);
    assert!(matches!(tap.applied(), Applied::OnlyLate(_)));
}

#[test]
fn drop_duplicate_and_field_mutants_change_only_their_message() {
    let tap = Tap::mutating(
        mutant(Operator::Duplicate, 2, ""),
        "/event",
        Timing::default(),
    );
    assert_eq!(feed(&tap, 3).0.len(), 4);
    let tap = Tap::mutating(mutant(Operator::Drop, 0, ""), "/event", Timing::default());
    assert_eq!(feed(&tap, 3).0.len(), 2);
    let tap = Tap::mutating(
        mutant(Operator::ChangeValue, 1, "/n"),
        "/event",
        Timing::default(),
    );
    let (out, _) = feed(&tap, 3);
    assert_eq!(out[1], r#"{"event":"tick","n":2}"#);
    assert_eq!(out[2], r#"{"event":"tick","n":2}"#);
}

#[test]
fn a_message_of_another_signature_is_left_alone_and_noted() {
    let mut wrong = mutant(Operator::Drop, 1, "");
    wrong.signature = "tock".into();
    let tap = Tap::mutating(wrong, "/event", Timing::default());
    assert_eq!(feed(&tap, 3).0.len(), 3);
    assert_eq!(tap.applied(), Applied::Mismatch("found tick".into()));
}
