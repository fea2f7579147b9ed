//! Lines of a failed preflight scenario: the variables a step uses, found in its data.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::json;

use super::*;
use crate::report::model::Failure;
use crate::scenario::parse_str;

use crate::report::test_support::result;

const PREFLIGHT: &str = r#"id: proto.preflight
title: t
protocol: proto
clause: c
level: MUST
actors:
  a: { auth: { token: "${var_token_a}" } }
  b: { query: { key: "${var_token_b}" } }
  c: {}
steps:
  - connect: [a, b, c]
  - expect: a
    message: { event: ready, who: "${var_user}" }
  - expect: c
    message: { event: ready }
"#;

fn scenario() -> Scenario {
    parse_str(PREFLIGHT, Path::new("fixtures/proto/preflight.yaml")).expect("parses")
}

fn failed(step: usize, kind: CheckKind, actor: &str, message: &str, actual: Value) -> CheckResult {
    CheckResult {
        step,
        at: format!("fixtures/proto/preflight.yaml:{}", 10 + step),
        kind,
        verdict: CheckVerdict::Fail,
        actor: Some(actor.into()),
        path: None,
        message: Some(message.into()),
        expected: None,
        actual: Some(actual),
        took_ms: 1.0,
    }
}

#[test]
fn a_step_uses_its_actors_variables_and_its_own() {
    let scenario = scenario();
    assert_eq!(step_variables(&scenario, 1, Some("a")), ["token_a"]);
    assert_eq!(step_variables(&scenario, 1, Some("b")), ["token_b"]);
    assert!(step_variables(&scenario, 1, Some("c")).is_empty());
    assert_eq!(step_variables(&scenario, 2, Some("a")), ["token_a", "user"]);
    assert!(step_variables(&scenario, 9, Some("a")).is_empty());
}

#[test]
fn each_actor_s_first_failing_step_is_one_line_naming_its_variables() {
    let scenario = scenario();
    let refused = "the target refused the connection";
    let mut outcome = result("proto.preflight", Verdict::Fail, None);
    outcome.checks = vec![
        failed(
            1,
            CheckKind::Connect,
            "a",
            refused,
            json!({"connect_error": {"message": "INVALID_TOKEN"}}),
        ),
        failed(2, CheckKind::Expect, "a", "not connected", json!(null)),
        failed(
            3,
            CheckKind::Expect,
            "c",
            "the message does not match",
            json!({"event": "error", "args": ["bad"]}),
        ),
    ];
    let given = BTreeMap::from([("token_a".to_owned(), "x".to_owned())]);
    assert_eq!(
        lines(&scenario, &outcome, &given),
        [
            "the target refused the connection of actor a, which uses ${var_token_a} \
             (connect_error {\"message\":\"INVALID_TOKEN\"}); give a value the target \
             accepts: --var token_a=<value>",
            "actor c: the message does not match at fixtures/proto/preflight.yaml:13 \
             ({\"event\":\"error\",\"args\":[\"bad\"]}); see fixtures/proto/preflight.yaml:13",
        ]
    );
    outcome.checks = vec![failed(2, CheckKind::Expect, "a", "no message", json!(null))];
    assert_eq!(
        lines(&scenario, &outcome, &BTreeMap::new()),
        [
            "actor a, which uses ${var_token_a} (the profile's default) and ${var_user} (the \
             profile's default): no message at fixtures/proto/preflight.yaml:12 (null); give \
             values the target accepts: --var token_a=<value> --var user=<value>"
        ]
    );
}

#[test]
fn a_pass_or_findings_alone_say_nothing_and_an_error_says_its_reason() {
    let scenario = scenario();
    let given = BTreeMap::new();
    assert!(lines(&scenario, &result("p", Verdict::Pass, None), &given).is_empty());
    assert!(lines(&scenario, &result("p", Verdict::Fail, None), &given).is_empty());
    let error = result(
        "p",
        Verdict::Error,
        Some(Failure::new("cannot start".into())),
    );
    assert_eq!(lines(&scenario, &error, &given), ["cannot start"]);
}
