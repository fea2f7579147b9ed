//! Tests of writing a case's scenario: the "many connections" crowd opens with one `connect`
//! step of every crowd actor, `at_once`, after the bystander is open and between each one's
//! steps before and after its connect; an `open` snippet splits around its connect step.

#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use super::{BYSTANDER, scenario, split_open};
use crate::hostile::{HostileSpec, Input, fields, generate};
use crate::scenario::model::{Action, Scenario, Step};

#[test]
fn an_open_snippet_splits_around_its_connect_step() {
    let open = "- http: GET /auth\n  status: 200\n- connect: $ACTOR\n- send: $ACTOR\n  message: {}\n- expect: $ACTOR\n  message: {}\n";
    let (before, after) = split_open(open).unwrap();
    assert_eq!(before, "- http: GET /auth\n  status: 200\n");
    assert_eq!(
        after,
        "- send: $ACTOR\n  message: {}\n- expect: $ACTOR\n  message: {}\n"
    );
    assert_eq!(
        split_open("- connect: $ACTOR\n").unwrap(),
        (String::new(), String::new())
    );
    assert!(split_open("- connect: [$ACTOR]\n").is_none());
}

/// The "many connections" scenario of `protocol`, and how many it opens.
fn crowd(protocol: &str) -> (Scenario, u32) {
    let fixtures = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures");
    let suite = crate::runner::protocol::load_protocol(&fixtures, protocol).unwrap();
    let spec = HostileSpec::load(&fixtures, protocol).unwrap();
    let generated = generate(
        &spec,
        &suite.profile,
        &fixtures,
        &fields::Files,
        &Default::default(),
    );
    let case = generated
        .cases
        .into_iter()
        .find(|c| matches!(c.input, Input::Connections(_)))
        .unwrap();
    let socketio = suite.profile.transport == crate::profile::TransportKind::Socketio;
    let file = fixtures.join(protocol).join("hostile.yaml");
    (
        scenario(&case, &spec, socketio, &file).unwrap(),
        spec.connections,
    )
}

#[test]
fn many_connections_open_in_one_step_at_once_after_the_bystander() {
    // dnaforge opens with steps before and after its connect, jobber with a step after.
    for protocol in ["dnaforge", "jobber", "emprops"] {
        let (scenario, n) = crowd(protocol);
        let connects: Vec<(usize, &Vec<String>, bool)> = scenario
            .steps
            .iter()
            .enumerate()
            .filter_map(|(i, s)| match &s.action {
                Action::Connect {
                    actors, at_once, ..
                } => Some((i, actors, *at_once)),
                _ => None,
            })
            .collect();
        assert_eq!(connects.len(), 2, "{protocol}: {connects:?}");
        let (first, bystander, alone) = connects[0];
        assert_eq!(
            (bystander.as_slice(), alone),
            ([BYSTANDER.to_owned()].as_slice(), false)
        );
        let (at, crowd, at_once) = connects[1];
        let names: Vec<String> = (1..=n).map(|i| format!("h{i}")).collect();
        assert_eq!((crowd, at_once), (&names, true), "{protocol}");
        assert!(first < at, "{protocol}: the bystander opens first");
    }
}

/// The actor a step is about, if it names one.
fn actor_of(action: &Action) -> Option<&str> {
    match action {
        Action::Connect { actors, .. } => actors.first().map(String::as_str),
        Action::Send { actor, .. } | Action::Disconnect { actor } => Some(actor),
        Action::Emit(emit) => Some(&emit.actor),
        Action::Expect { actors, .. } => actors.first().map(String::as_str),
        _ => None,
    }
}

#[test]
fn a_raw_kind_holds_after_the_bystander_opened_and_before_the_newcomer() {
    use super::{NEWCOMER, raw_hold};
    // dnaforge opens with an HTTP step first, jobber with a step after its connect.
    for protocol in ["dnaforge", "jobber", "ark"] {
        let fixtures = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures");
        let suite = crate::runner::protocol::load_protocol(&fixtures, protocol).unwrap();
        let spec = HostileSpec::load(&fixtures, protocol).unwrap();
        let generated = generate(
            &spec,
            &suite.profile,
            &fixtures,
            &fields::Files,
            &Default::default(),
        );
        let socketio = suite.profile.transport == crate::profile::TransportKind::Socketio;
        let file = fixtures.join(protocol).join("hostile.yaml");
        for case in generated.cases {
            let hold = raw_hold(&case, &spec);
            if !matches!(case.input, Input::Raw(_)) {
                assert_eq!(hold, None);
                continue;
            }
            let built = scenario(&case, &spec, socketio, &file).unwrap();
            let hold = hold.unwrap();
            let (before, after) = built.steps.split_at(hold - 1);
            let actors = |steps: &[Step]| -> Vec<String> {
                steps
                    .iter()
                    .filter_map(|s| actor_of(&s.action))
                    .map(str::to_owned)
                    .collect()
            };
            let (before, after) = (actors(before), actors(after));
            assert!(
                before.iter().all(|a| a == BYSTANDER),
                "{}: {before:?}",
                case.id
            );
            assert!(!before.is_empty(), "{}", case.id);
            // The newcomer opens first after the hold; the bystander is probed after it.
            assert_eq!(
                after.first().map(String::as_str),
                Some(NEWCOMER),
                "{}",
                case.id
            );
            assert!(
                after.iter().any(|a| a == BYSTANDER),
                "{}: {after:?}",
                case.id
            );
        }
    }
}
