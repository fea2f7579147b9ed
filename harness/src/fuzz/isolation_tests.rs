//! Isolation over hand-made transcripts: values kept from socket.io acks and from raw
//! WebSocket answers (an `expect` of a message) are both followed.

use serde_json::json;

use super::*;
use crate::fuzz::model::FuzzModel;
use crate::fuzz::render::{Pins, render};
use crate::fuzz::session::{GeneratedSession, OperationChoice};
use crate::report::model::TranscriptEntry;
use crate::report::test_support::result;

/// Two tenants over raw WebSocket: `make` answers `made` with an id kept in pool `item`, `look`
/// asks for any item.
const RAW_MODEL: &str = r#"
roles:
  a: {}
  b: {}
operations:
  make:
    request: |
      send: {{actor}}
      message: { type: make, n: {{n}} }
    answer: "{ type: made, id: !string {{keep:item}} }"
  look:
    request: |
      send: {{actor}}
      message: { type: look, id: {{pool:item}} }
    answer: "{ type: seen }"
probe: look
invariants:
  isolated_pools: [item]
"#;

fn op(actor: usize, operation: usize) -> OperationChoice {
    OperationChoice {
        actor,
        operation,
        invalid: false,
        pick: 0,
    }
}

fn received(actor: &str, message: Value) -> TranscriptEntry {
    TranscriptEntry {
        at_ms: 0,
        actor: actor.to_owned(),
        direction: Direction::Received,
        text: message.to_string(),
        raw: None,
        matched: true,
        foreign: false,
    }
}

/// a1 makes twice, b1 makes once (operations in name order: look 0, make 1); b1 then receives
/// `to_b`.
fn raw_leaks(to_b: Value) -> Vec<Leak> {
    let model = FuzzModel::parse(RAW_MODEL).expect("the model parses");
    let session = GeneratedSession {
        actors: 2,
        operations: vec![op(0, 1), op(0, 1), op(1, 1)],
    };
    let rendered = render(&model, "t", false, "t.fuzz", &session, &Pins::default());
    let scenario = crate::scenario::parse_str(&rendered.yaml, std::path::Path::new("t.yaml"))
        .unwrap_or_else(|e| panic!("{e}\n{}", rendered.yaml));
    let mut run = result("t.fuzz", crate::report::model::Verdict::Pass, None);
    run.transcript = vec![
        received("a1", json!({"type": "made", "id": "item-aaaa-0001"})),
        received("a1", json!({"type": "made", "id": "item-aaaa-0002"})),
        received("b1", json!({"type": "made", "id": "item-bbbb-0001"})),
        received("b1", to_b),
    ];
    leaks(&rendered, &scenario, &run, &model.invariants.isolated_pools)
}

#[test]
fn a_raw_answers_value_reaching_another_role_is_a_leak() {
    // The second of a1's answers, kept by the second `make`: found past the first.
    let found = raw_leaks(json!({"type": "seen", "other": "item-aaaa-0002"}));
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        (found[0].receiver.as_str(), found[0].owner.as_str()),
        ("b1", "a")
    );
    assert_eq!(found[0].capture, "item2");
    assert_eq!(found[0].in_answer_of, None);
}

#[test]
fn a_raw_answers_own_values_are_no_leak() {
    assert!(raw_leaks(json!({"type": "seen", "id": "item-bbbb-0001"})).is_empty());
}
