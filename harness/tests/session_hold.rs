//! The scenario machine by hand (no sockets, a manual clock) for two things the hostile cases
//! use: a session held before a step waits there, asking for nothing, until released, and the
//! time held does not count against its budget; a `connect` step `at_once` asks for every
//! connection before any has answered, and ends once all have, in whatever order.

use crate::support;

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use harness::exec::{Command, Input, RunOptions, ScenarioPlan, Session, Unobserved};
use harness::transport::Accepted;

fn session(yaml: &str) -> (Session, Instant) {
    let scenario = harness::scenario::parse_str(yaml, Path::new("test.yaml")).unwrap();
    let plan = Arc::new(ScenarioPlan::new(
        scenario,
        Arc::new(support::suite("dnaforge")),
        "http://127.0.0.1:9".to_owned(),
        Arc::new(RunOptions::default()),
    ));
    let now = Instant::now();
    (Session::new(plan, now, 1_700_000_000_000, None), now)
}

fn connected(conn: usize) -> Input {
    Input::Connected {
        conn,
        description: format!("connect {conn}"),
        result: Ok(Accepted {
            socket_id: None,
            answer: None,
            early: Vec::new(),
        }),
    }
}

fn connects(session: &mut Session) -> Vec<usize> {
    std::iter::from_fn(|| session.poll_command())
        .map(|command| match command {
            Command::Connect { conn, .. } => conn,
            _ => panic!("only connects were asked for"),
        })
        .collect()
}

const TWO_STEPS: &str = "id: dnaforge.test.hold\ntitle: t\nprotocol: dnaforge\nclause: c\n\
    level: MUST\ntimeout: 1s\nactors:\n  a: {}\n  b: {}\nsteps:\n  - connect: a\n  - connect: b\n";

#[test]
fn a_held_session_waits_for_its_release_and_the_hold_costs_no_budget() {
    let (mut session, mut now) = session(TWO_STEPS);
    session.hold_before(2);
    session.start(now, &mut Unobserved);
    let first = connects(&mut session);
    assert_eq!(first, [0]);
    session.handle(now, connected(0), &mut Unobserved);
    assert!(session.is_held());
    assert!(
        session.poll_command().is_none(),
        "nothing of step 2 started"
    );
    // Held far past the budget: released, it goes on as if no time had passed.
    let held = session.budget_deadline() - now + Duration::from_secs(60);
    now += held;
    session.release(now, held, &mut Unobserved);
    assert!(!session.is_held());
    assert_eq!(connects(&mut session), [1]);
    session.handle(now, connected(1), &mut Unobserved);
    assert!(session.is_finished());
    let outcome = session.finish(now);
    assert!(outcome.failure.is_none(), "{:?}", outcome.failure);
}

#[test]
fn a_session_not_held_runs_through() {
    let (mut session, now) = session(TWO_STEPS);
    session.start(now, &mut Unobserved);
    assert_eq!(connects(&mut session), [0]);
    session.handle(now, connected(0), &mut Unobserved);
    assert!(!session.is_held());
    assert_eq!(connects(&mut session), [1]);
}

#[test]
fn connects_at_once_are_all_asked_for_before_any_answer() {
    let yaml = "id: dnaforge.test.at_once\ntitle: t\nprotocol: dnaforge\nclause: c\nlevel: MUST\n\
        actors:\n  a: {}\n  b: {}\n  c: {}\nsteps:\n  - connect: [a, b, c]\n    at_once: true\n";
    let (mut session, now) = session(yaml);
    session.start(now, &mut Unobserved);
    assert_eq!(connects(&mut session), [0, 1, 2]);
    for conn in [2, 0] {
        session.handle(now, connected(conn), &mut Unobserved);
        assert!(!session.is_finished(), "one is still pending");
    }
    session.handle(now, connected(1), &mut Unobserved);
    assert!(session.is_finished());
    let outcome = session.finish(now);
    assert!(outcome.failure.is_none(), "{:?}", outcome.failure);
    assert_eq!(outcome.checks.len(), 3, "one connect check per actor");
}

#[test]
fn connects_one_after_the_other_ask_for_the_next_once_the_last_answered() {
    let yaml = "id: dnaforge.test.in_turn\ntitle: t\nprotocol: dnaforge\nclause: c\nlevel: MUST\n\
        actors:\n  a: {}\n  b: {}\nsteps:\n  - connect: [a, b]\n";
    let (mut session, now) = session(yaml);
    session.start(now, &mut Unobserved);
    assert_eq!(connects(&mut session), [0]);
    session.handle(now, connected(0), &mut Unobserved);
    assert_eq!(connects(&mut session), [1]);
}
