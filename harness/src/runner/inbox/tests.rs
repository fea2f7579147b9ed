#![allow(clippy::unwrap_used)]

use std::time::Duration;

use serde_json::json;

use super::*;
use crate::matcher::Kind;

fn event(name: &str) -> Pattern {
    Pattern::Object {
        fields: vec![("event".into(), Pattern::String(name.into()))],
        exact: false,
    }
}

fn inbox(messages: &[Value]) -> Inbox {
    let mut inbox = Inbox::default();
    for (index, message) in messages.iter().enumerate() {
        inbox.push(InboxMessage {
            transcript_index: index,
            json: Some(message.clone()),
            text: message.to_string(),
            ack_label: None,
        });
    }
    inbox
}

fn taken(inbox: &Inbox) -> Vec<usize> {
    inbox.taken().collect()
}

#[test]
fn next_takes_the_message_at_the_cursor() {
    let mut inbox = inbox(&[json!({"event": "a"}), json!({"event": "b"})]);
    let none = Captures::new();
    assert!(matches!(
        inbox.check(&Expectation::Next(event("a")), &none, Clock::Running),
        Progress::Met(_)
    ));
    assert!(matches!(
        inbox.check(&Expectation::Next(event("b")), &none, Clock::Running),
        Progress::Met(_)
    ));
    assert_eq!(taken(&inbox), vec![0, 1]);
}

#[test]
fn next_fails_at_once_on_a_different_message_with_its_path() {
    let mut inbox = inbox(&[json!({"event": "b"})]);
    let Progress::Unmet(unmet) = inbox.check(
        &Expectation::Next(event("a")),
        &Captures::new(),
        Clock::Running,
    ) else {
        panic!("a wrong next message must fail at once");
    };
    assert_eq!(unmet.path.as_deref(), Some("$.event"));
    assert_eq!(unmet.actual, Some(json!("b")));
}

#[test]
fn next_waits_for_a_message_then_fails_when_time_is_up() {
    let mut inbox = inbox(&[]);
    let expectation = Expectation::Next(event("a"));
    assert_eq!(
        inbox.check(&expectation, &Captures::new(), Clock::Running),
        Progress::Waiting
    );
    assert!(matches!(
        inbox.check(&expectation, &Captures::new(), Clock::Expired),
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
    let none = Captures::new();
    assert!(matches!(
        inbox.check(&Expectation::Eventually(event("b")), &none, Clock::Running),
        Progress::Met(_)
    ));
    assert!(matches!(
        inbox.check(&Expectation::Eventually(event("a")), &none, Clock::Running),
        Progress::Met(_)
    ));
    // `b` came before `a`: expecting `b` again after `a` finds nothing.
    assert_eq!(
        inbox.check(&Expectation::Eventually(event("b")), &none, Clock::Running),
        Progress::Waiting
    );
    assert_eq!(taken(&inbox), vec![1, 2]);
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
    let Progress::Unmet(unmet) = inbox.check(
        &Expectation::Eventually(pattern),
        &Captures::new(),
        Clock::Expired,
    ) else {
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
    let expectation = Expectation::Unordered(vec![event("a"), event("b")]);
    assert!(matches!(
        inbox.check(&expectation, &Captures::new(), Clock::Running),
        Progress::Met(_)
    ));
    assert_eq!(taken(&inbox), vec![0, 1]);
    assert!(matches!(
        inbox.check(
            &Expectation::Next(event("c")),
            &Captures::new(),
            Clock::Running
        ),
        Progress::Met(_)
    ));
}

#[test]
fn unordered_needs_one_message_per_pattern() {
    let mut inbox = inbox(&[json!({"event": "a"})]);
    let expectation = Expectation::Unordered(vec![event("a"), event("a")]);
    assert_eq!(
        inbox.check(&expectation, &Captures::new(), Clock::Running),
        Progress::Waiting
    );
    assert!(matches!(
        inbox.check(&expectation, &Captures::new(), Clock::Expired),
        Progress::Unmet(_)
    ));
}

#[test]
fn absent_holds_until_the_window_ends_and_fails_on_a_match() {
    let absent = |pattern| Expectation::Absent {
        pattern,
        within: Duration::from_millis(10),
    };
    let mut quiet = inbox(&[json!({"event": "b"})]);
    assert_eq!(
        quiet.check(&absent(Some(event("a"))), &Captures::new(), Clock::Running),
        Progress::Waiting
    );
    assert!(matches!(
        quiet.check(&absent(Some(event("a"))), &Captures::new(), Clock::Expired),
        Progress::Met(_)
    ));
    assert!(matches!(
        quiet.check(&absent(None), &Captures::new(), Clock::Running),
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
    let Progress::Met(bindings) = inbox.check(
        &Expectation::Next(pattern),
        &Captures::new(),
        Clock::Running,
    ) else {
        panic!("must match");
    };
    assert_eq!(bindings.get("id"), Some(&json!("42")));
}

#[test]
fn a_non_json_message_is_a_mismatch_not_a_crash() {
    let mut inbox = Inbox::default();
    inbox.push(InboxMessage {
        transcript_index: 0,
        json: None,
        text: "not json".into(),
        ack_label: None,
    });
    assert!(matches!(
        inbox.check(
            &Expectation::Next(event("a")),
            &Captures::new(),
            Clock::Running
        ),
        Progress::Unmet(_)
    ));
}

#[test]
fn foreign_messages_are_invisible_to_every_mode() {
    let mut inbox = inbox(&[json!({"event": "x", "who": "other"}), json!({"event": "a"})]);
    inbox.mark_foreign(|m| m.text.contains("other"));
    let none = Captures::new();
    assert!(matches!(
        inbox.check(&Expectation::Next(event("a")), &none, Clock::Running),
        Progress::Met(_)
    ));
    assert_eq!(inbox.foreign().collect::<Vec<_>>(), vec![0]);
    let absent = Expectation::Absent {
        pattern: Some(event("x")),
        within: Duration::from_millis(1),
    };
    let mut quiet = inbox_with_foreign_x();
    assert!(matches!(
        quiet.check(&absent, &none, Clock::Expired),
        Progress::Met(_)
    ));
}

fn inbox_with_foreign_x() -> Inbox {
    let mut inbox = inbox(&[json!({"event": "x", "who": "other"})]);
    inbox.mark_foreign(|m| m.text.contains("other"));
    inbox
}

#[test]
fn acks_are_matched_by_label_whatever_their_place_and_hidden_from_other_modes() {
    let mut inbox = Inbox::default();
    let ack = |label: &str, n: i64| InboxMessage {
        transcript_index: 0,
        json: Some(json!({"ack": label, "args": [{"n": n}]})),
        text: String::new(),
        ack_label: Some(label.to_owned()),
    };
    inbox.push(ack("second", 2));
    inbox.push(ack("first", 1));
    inbox.push(InboxMessage {
        transcript_index: 2,
        json: Some(json!({"event": "a"})),
        text: String::new(),
        ack_label: None,
    });
    let none = Captures::new();
    let args = |n: i64| {
        Pattern::Array(vec![Pattern::Object {
            fields: vec![("n".into(), Pattern::Number(n.into()))],
            exact: false,
        }])
    };
    let first = Expectation::Ack {
        label: "first".into(),
        args: args(1),
    };
    assert!(matches!(
        inbox.check(&first, &none, Clock::Running),
        Progress::Met(_)
    ));
    // The event is the next message: acks do not stand in the way of `next`.
    assert!(matches!(
        inbox.check(&Expectation::Next(event("a")), &none, Clock::Running),
        Progress::Met(_)
    ));
    let wrong = Expectation::Ack {
        label: "second".into(),
        args: args(3),
    };
    let Progress::Unmet(unmet) = inbox.check(&wrong, &none, Clock::Running) else {
        panic!("args differ")
    };
    assert_eq!(unmet.path.as_deref(), Some("$.args[0].n"));
    let missing = Expectation::Ack {
        label: "third".into(),
        args: args(1),
    };
    assert_eq!(
        inbox.check(&missing, &none, Clock::Running),
        Progress::Waiting
    );
    assert!(matches!(
        inbox.check(&missing, &none, Clock::Expired),
        Progress::Unmet(_)
    ));
}

#[test]
fn an_ack_already_taken_does_not_break_a_later_absent() {
    let mut inbox = Inbox::default();
    inbox.push(InboxMessage {
        transcript_index: 0,
        json: Some(json!({"ack": "ok", "args": [{}]})),
        text: String::new(),
        ack_label: Some("ok".to_owned()),
    });
    let none = Captures::new();
    let anything = Expectation::Absent {
        pattern: None,
        within: Duration::from_millis(1),
    };
    // Untaken, the ack is traffic an `absent` must see.
    assert!(matches!(
        inbox.check(&anything, &none, Clock::Running),
        Progress::Unmet(_)
    ));
    let ack = Expectation::Ack {
        label: "ok".into(),
        args: Pattern::Array(vec![Pattern::Object {
            fields: vec![],
            exact: true,
        }]),
    };
    assert!(matches!(
        inbox.check(&ack, &none, Clock::Running),
        Progress::Met(_)
    ));
    assert!(matches!(
        inbox.check(&anything, &none, Clock::Expired),
        Progress::Met(_)
    ));
}
