//! HTTP steps driven by hand, no sockets, a manual clock: the session asks for a request, the
//! test answers it, and the outcome says what the step and the protocol's declared HTTP API
//! (dnaforge's `GET /auth`, `fixtures/dnaforge/coverage.yaml`) made of the answer.

use crate::support;

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use harness::exec::{Command, Input, Outcome, RunOptions, ScenarioPlan, Session, Unobserved};
use harness::transport::http::HttpReply;

fn scenario(step: &str) -> String {
    format!(
        "id: dnaforge.test.http\ntitle: T\nprotocol: dnaforge\nclause: c\nlevel: MUST\n\
         actors:\n  alice: {{}}\nsteps:\n{step}"
    )
}

/// Runs a scenario of HTTP steps, answering each request with the next reply.
fn answer(yaml: &str, replies: &[(u16, &str)]) -> Outcome {
    let scenario = harness::scenario::parse_str(yaml, Path::new("test.yaml")).unwrap();
    let plan = Arc::new(ScenarioPlan::new(
        scenario,
        Arc::new(support::suite("dnaforge")),
        "http://127.0.0.1:9".to_owned(),
        Arc::new(RunOptions::default()),
    ));
    let now = Instant::now();
    let mut session = Session::new(plan, now, 1_700_000_000_000, None);
    session.start(now, &mut Unobserved);
    for (status, body) in replies {
        let Some(Command::Http(request)) = session.poll_command() else {
            panic!("an HTTP request");
        };
        assert_eq!(request.url, "http://127.0.0.1:9/auth");
        let reply = HttpReply {
            status: *status,
            body: (*body).to_owned(),
            json: serde_json::from_str(body).ok(),
        };
        session.handle(now, Input::Http(Ok(reply)), &mut Unobserved);
    }
    assert!(session.is_finished(), "every request was answered");
    session.finish(now)
}

const REFUSED: &str = "  - http: GET /auth\n    headers: { Authorization: wrong }\n    status: 401\n    response_text: \"\"\n";

#[test]
fn response_text_checks_an_empty_body() {
    let outcome = answer(&scenario(REFUSED), &[(401, "")]);
    support::assert_passed(&outcome);
}

#[test]
fn response_text_fails_on_a_body_that_should_be_empty() {
    let outcome = answer(&scenario(REFUSED), &[(401, "Unauthorized")]);
    let failure = outcome.failure.expect("the step fails");
    assert_eq!(failure.step, Some(1));
    assert_eq!(failure.unmet.path.as_deref(), Some("$"));
    assert_eq!(
        failure.unmet.actual,
        Some(serde_json::json!("Unauthorized"))
    );
}

#[test]
fn response_text_takes_any_pattern_and_captures() {
    let step = "  - http: GET /auth\n    status: 200\n    response_text: !regex '^\\{.*bearerToken'\n  - http: GET /auth\n    response_text: !capture raw\n";
    let body = r#"{"type":"AuthResponse","bearerToken":"t-1"}"#;
    let outcome = answer(&scenario(step), &[(200, body), (200, body)]);
    support::assert_passed(&outcome);
}

#[test]
fn a_success_body_that_is_not_json_breaks_its_declared_schema() {
    // The step asks only for the status; the declared API still wants an AuthResponse.
    let step = "  - http: GET /auth\n    status: 200\n";
    let outcome = answer(&scenario(step), &[(200, "a-token")]);
    let finding = outcome.findings.first().expect("a finding about the body");
    assert_eq!(finding.actor, "http");
    assert_eq!(finding.path.as_deref(), Some("$"));
    assert!(finding.message.contains("not JSON"), "{}", finding.message);
}

#[test]
fn a_success_body_with_a_key_too_many_breaks_its_declared_schema() {
    let step = "  - http: GET /auth\n    status: 200\n    response: { bearerToken: !string t }\n";
    let body = r#"{"type":"AuthResponse","bearerToken":"t-1","expires":60}"#;
    let outcome = answer(&scenario(step), &[(200, body)]);
    assert_eq!(outcome.findings.len(), 1, "{:?}", outcome.findings);
    assert!(
        outcome.findings[0].message.contains("expires"),
        "{}",
        outcome.findings[0].message
    );
}

#[test]
fn response_and_response_text_together_are_a_scenario_error() {
    let step = "  - http: GET /auth\n    response: {}\n    response_text: \"\"\n";
    let error = harness::scenario::parse_str(&scenario(step), Path::new("t.yaml")).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("takes \"response\" or \"response_text\", not both"),
        "{error}"
    );
}
