#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Instant;

use serde_json::{Value, json};

use super::*;
use crate::exec::transcript::{Received, Shown};
use crate::matcher::Kind;

fn event(name: &str) -> Pattern {
    Pattern::Object {
        fields: vec![("event".into(), Pattern::String(name.into()))],
        exact: false,
    }
}

fn message(seq: usize, json: Option<Value>, ack_id: Option<u64>) -> InboxMessage {
    InboxMessage {
        seq,
        at: Instant::now(),
        received: Arc::new(Received {
            json,
            attachments: Vec::new(),
            shown: Shown::Json,
            raw: None,
        }),
        ack_id,
    }
}

fn inbox(messages: &[Value]) -> Inbox {
    let mut inbox = Inbox::default();
    for (seq, json) in messages.iter().enumerate() {
        inbox.push(message(seq, Some(json.clone()), None));
    }
    inbox
}

fn taken(inbox: &mut Inbox) -> Vec<usize> {
    inbox
        .take_marks()
        .filter_map(|m| match m {
            Mark::Matched(seq) => Some(seq),
            Mark::Foreign(_) => None,
        })
        .collect()
}

fn never_foreign(_: &Received) -> bool {
    false
}

/// Checks `want` with a fresh scan and no captures.
fn check(inbox: &mut Inbox, want: Want<'_>, clock: Clock) -> Progress {
    check_with(inbox, want, clock, &never_foreign)
}

fn check_with(
    inbox: &mut Inbox,
    want: Want<'_>,
    clock: Clock,
    foreign: &dyn Fn(&Received) -> bool,
) -> Progress {
    let captures = Captures::new();
    let ctx = MatchContext {
        captures: &captures,
        now_ms: 0,
        is_foreign: foreign,
    };
    inbox.check(want, &mut Scan::default(), &ctx, clock)
}

fn met(progress: &Progress) -> bool {
    matches!(progress, Progress::Met(_))
}

#[test]
fn next_takes_the_message_at_the_cursor() {
    let mut inbox = inbox(&[json!({"event": "a"}), json!({"event": "b"})]);
    assert!(met(&check(
        &mut inbox,
        Want::Next(&event("a")),
        Clock::Running
    )));
    assert!(met(&check(
        &mut inbox,
        Want::Next(&event("b")),
        Clock::Running
    )));
    assert_eq!(taken(&mut inbox), vec![0, 1]);
    assert!(inbox.is_empty(), "messages the cursor passed are dropped");
}

#[test]
fn next_fails_at_once_on_a_different_message_with_its_path() {
    let mut inbox = inbox(&[json!({"event": "b"})]);
    let Progress::Unmet(unmet) = check(&mut inbox, Want::Next(&event("a")), Clock::Running) else {
        panic!("a wrong next message must fail at once");
    };
    assert_eq!(unmet.path.as_deref(), Some("$.event"));
    assert_eq!(unmet.actual, Some(json!("b")));
}

#[test]
fn next_waits_for_a_message_then_fails_when_time_is_up() {
    let mut inbox = inbox(&[]);
    let a = event("a");
    assert!(matches!(
        check(&mut inbox, Want::Next(&a), Clock::Running),
        Progress::Waiting
    ));
    assert!(matches!(
        check(&mut inbox, Want::Next(&a), Clock::Expired),
        Progress::Unmet(_)
    ));
}

#[test]
fn eventually_skips_and_the_cursor_checks_order() {
    let mut inbox = inbox(&[
        json!({"event": "x"}),
        json!({"event": "b"}),
        json!({"event": "a"}),
    ]);
    assert!(met(&check(
        &mut inbox,
        Want::Eventually(&event("b")),
        Clock::Running
    )));
    assert!(met(&check(
        &mut inbox,
        Want::Eventually(&event("a")),
        Clock::Running
    )));
    // `b` came before `a`: expecting `b` again after `a` finds nothing.
    assert!(matches!(
        check(&mut inbox, Want::Eventually(&event("b")), Clock::Running),
        Progress::Waiting
    ));
    assert_eq!(taken(&mut inbox), vec![1, 2]);
}

#[test]
fn eventually_examines_each_message_once_per_step() {
    let mut inbox = inbox(&[json!({"event": "x"})]);
    let captures = Captures::new();
    let looked = std::cell::Cell::new(0);
    let counting = |_: &Received| {
        looked.set(looked.get() + 1);
        false
    };
    let ctx = MatchContext {
        captures: &captures,
        now_ms: 0,
        is_foreign: &counting,
    };
    let mut scan = Scan::default();
    let a = event("a");
    for _ in 0..3 {
        let progress = inbox.check(Want::Eventually(&a), &mut scan, &ctx, Clock::Running);
        assert!(matches!(progress, Progress::Waiting));
    }
    inbox.push(message(1, Some(json!({"event": "y"})), None));
    let progress = inbox.check(Want::Eventually(&a), &mut scan, &ctx, Clock::Running);
    assert!(matches!(progress, Progress::Waiting));
    // Re-checks look at nothing already examined: only the first mismatch was the closest so
    // far, so only it raised the foreignness question.
    assert_eq!(looked.get(), 1);
}

#[test]
fn eventually_reports_the_closest_mismatch_when_time_is_up() {
    let mut inbox = inbox(&[
        json!({"event": "b"}),
        json!({"event": "a", "data": {"n": 1}}),
    ]);
    let pattern = Pattern::Object {
        fields: vec![
            ("event".into(), Pattern::String("a".into())),
            (
                "data".into(),
                Pattern::Object {
                    fields: vec![("n".into(), Pattern::Number(2.into()))],
                    exact: false,
                },
            ),
        ],
        exact: false,
    };
    let Progress::Unmet(unmet) = check(&mut inbox, Want::Eventually(&pattern), Clock::Expired)
    else {
        panic!("nothing matches");
    };
    assert_eq!(unmet.path.as_deref(), Some("$.data.n"));
}

#[test]
fn unordered_takes_distinct_messages_in_any_order() {
    let mut inbox = inbox(&[
        json!({"event": "b"}),
        json!({"event": "a"}),
        json!({"event": "c"}),
    ]);
    let (a, b) = (event("a"), event("b"));
    assert!(met(&check(
        &mut inbox,
        Want::Unordered(&[&a, &b]),
        Clock::Running
    )));
    assert_eq!(taken(&mut inbox), vec![1, 0]);
    assert!(met(&check(
        &mut inbox,
        Want::Next(&event("c")),
        Clock::Running
    )));
}

#[test]
fn unordered_needs_one_message_per_pattern() {
    let mut inbox = inbox(&[json!({"event": "a"})]);
    let a = event("a");
    assert!(matches!(
        check(&mut inbox, Want::Unordered(&[&a, &a]), Clock::Running),
        Progress::Waiting
    ));
    assert!(matches!(
        check(&mut inbox, Want::Unordered(&[&a, &a]), Clock::Expired),
        Progress::Unmet(_)
    ));
}

#[test]
fn absent_holds_until_the_window_ends_and_fails_on_a_match() {
    let mut quiet = inbox(&[json!({"event": "b"})]);
    let a = event("a");
    assert!(matches!(
        check(&mut quiet, Want::Absent(Some(&a)), Clock::Running),
        Progress::Waiting
    ));
    assert!(met(&check(
        &mut quiet,
        Want::Absent(Some(&a)),
        Clock::Expired
    )));
    assert!(matches!(
        check(&mut quiet, Want::Absent(None), Clock::Running),
        Progress::Unmet(_)
    ));
}

#[test]
fn captures_come_back_as_new_bindings() {
    let mut inbox = inbox(&[json!({"id": "42"})]);
    let pattern = Pattern::Object {
        fields: vec![(
            "id".into(),
            Pattern::Typed {
                kind: Kind::String,
                capture: Some("id".into()),
            },
        )],
        exact: false,
    };
    let Progress::Met(met) = check(&mut inbox, Want::Next(&pattern), Clock::Running) else {
        panic!("must match");
    };
    assert_eq!(met.bindings.get("id"), Some(&json!("42")));
}

#[test]
fn a_non_json_message_is_a_mismatch_not_a_crash() {
    let mut inbox = Inbox::default();
    inbox.push(message(0, None, None));
    assert!(matches!(
        check(&mut inbox, Want::Next(&event("a")), Clock::Running),
        Progress::Unmet(_)
    ));
}

#[test]
fn foreign_messages_are_invisible_to_every_mode() {
    let other = |r: &Received| r.json.as_ref().is_some_and(|j| j["who"] == "other");
    let mut inbox = inbox(&[json!({"event": "x", "who": "other"}), json!({"event": "a"})]);
    assert!(met(&check_with(
        &mut inbox,
        Want::Next(&event("a")),
        Clock::Running,
        &other
    )));
    let marks: Vec<Mark> = inbox.take_marks().collect();
    assert!(marks.contains(&Mark::Foreign(0)), "{marks:?}");
    let mut quiet = self::inbox(&[json!({"event": "x", "who": "other"})]);
    let x = event("x");
    assert!(met(&check_with(
        &mut quiet,
        Want::Absent(Some(&x)),
        Clock::Expired,
        &other
    )));
}

fn ack(seq: usize, id: u64, n: i64) -> InboxMessage {
    message(seq, Some(json!({"ack": "l", "args": [{"n": n}]})), Some(id))
}

fn ack_args(n: i64) -> Pattern {
    Pattern::Object {
        fields: vec![(
            "args".into(),
            Pattern::Array(vec![Pattern::Object {
                fields: vec![("n".into(), Pattern::Number(n.into()))],
                exact: false,
            }]),
        )],
        exact: false,
    }
}

#[test]
fn acks_are_matched_by_id_whatever_their_place_and_hidden_from_other_modes() {
    let mut inbox = Inbox::default();
    inbox.push(ack(0, 2, 2));
    inbox.push(ack(1, 1, 1));
    inbox.push(message(2, Some(json!({"event": "a"})), None));
    let one = ack_args(1);
    let first = Want::Ack {
        id: 1,
        label: "first",
        pattern: &one,
    };
    assert!(met(&check(&mut inbox, first, Clock::Running)));
    // The event is the next message: acks do not stand in the way of `next`.
    assert!(met(&check(
        &mut inbox,
        Want::Next(&event("a")),
        Clock::Running
    )));
    let three = ack_args(3);
    let wrong = Want::Ack {
        id: 2,
        label: "second",
        pattern: &three,
    };
    let Progress::Unmet(unmet) = check(&mut inbox, wrong, Clock::Running) else {
        panic!("args differ")
    };
    assert_eq!(unmet.path.as_deref(), Some("$.args[0].n"));
    let missing = Want::Ack {
        id: 3,
        label: "third",
        pattern: &one,
    };
    assert!(matches!(
        check(&mut inbox, missing, Clock::Running),
        Progress::Waiting
    ));
    let Progress::Unmet(unmet) = check(&mut inbox, missing, Clock::Expired) else {
        panic!("no ack 3 arrived");
    };
    assert!(unmet.message.contains("\"third\""), "{}", unmet.message);
}

#[test]
fn an_ack_already_taken_does_not_break_a_later_absent() {
    let mut inbox = Inbox::default();
    inbox.push(message(
        0,
        Some(json!({"ack": "ok", "args": [{}]})),
        Some(0),
    ));
    // Untaken, the ack is traffic an `absent` must see.
    assert!(matches!(
        check(&mut inbox, Want::Absent(None), Clock::Running),
        Progress::Unmet(_)
    ));
    let empty = Pattern::Object {
        fields: vec![(
            "args".into(),
            Pattern::Array(vec![Pattern::Object {
                fields: vec![],
                exact: true,
            }]),
        )],
        exact: false,
    };
    let want = Want::Ack {
        id: 0,
        label: "ok",
        pattern: &empty,
    };
    assert!(met(&check(&mut inbox, want, Clock::Running)));
    assert!(met(&check(&mut inbox, Want::Absent(None), Clock::Expired)));
}

#[test]
fn a_long_session_keeps_its_inbox_small() {
    let mut inbox = Inbox::default();
    let a = event("a");
    let one = ack_args(1);
    for round in 0..1000u64 {
        let seq = usize::try_from(round).unwrap() * 2;
        inbox.push(message(seq, Some(json!({"event": "a"})), None));
        inbox.push(ack(seq + 1, round, 1));
        assert!(met(&check(&mut inbox, Want::Next(&a), Clock::Running)));
        let want = Want::Ack {
            id: round,
            label: "l",
            pattern: &one,
        };
        assert!(met(&check(&mut inbox, want, Clock::Running)));
        inbox.take_marks().for_each(drop);
    }
    assert!(inbox.len() <= 2, "{} messages held", inbox.len());
}

#[test]
fn a_retired_ack_no_longer_holds_the_inbox() {
    let mut inbox = Inbox::default();
    inbox.push(ack(0, 0, 1));
    inbox.retire_ack(0);
    for seq in 1..100 {
        inbox.push(message(seq, Some(json!({"event": "a"})), None));
        assert!(met(&check(
            &mut inbox,
            Want::Next(&event("a")),
            Clock::Running
        )));
    }
    assert!(inbox.len() <= 1, "{} messages held", inbox.len());
}
