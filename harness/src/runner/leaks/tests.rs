use super::*;
use crate::report::model::{Failure, Verdict};
use crate::report::test_support::result;

fn heard(owner: &str, by: &str, actor: &str, text: &str) -> Overheard {
    Overheard {
        owner: owner.into(),
        heard_by: by.into(),
        actor: actor.into(),
        kind: Some("job_cancelled".into()),
        text: text.into(),
        declared: None,
    }
}

#[test]
fn a_leak_is_reported_once_under_its_owner_with_every_bystander() {
    let mut results = vec![
        result("owner", Verdict::Pass, None),
        result("bystander", Verdict::Pass, None),
    ];
    let text = r#"{"event":"job_cancelled"}"#;
    attribute(
        &mut results,
        vec![
            heard("owner", "bystander", "worker", text),
            heard("owner", "bystander", "worker", text),
            heard("owner", "other", "producer", text),
        ],
    );
    let owner = &results[0];
    assert_eq!(owner.verdict, Verdict::Fail);
    assert_eq!(owner.leaks.len(), 1);
    assert_eq!(
        owner.leaks[0].heard_by,
        ["bystander (worker)", "other (producer)"]
    );
    let headline = owner.failure.as_ref().expect("a headline");
    assert!(
        headline
            .message
            .contains("job_cancelled also reached a connection of another scenario"),
        "{}",
        headline.message
    );
    assert!(!headline.from_findings, "a root cause of its own");
    assert_eq!(
        results[1].verdict,
        Verdict::Pass,
        "the bystander is not blamed"
    );
    assert!(results[1].leaks.is_empty());
}

#[test]
fn a_failed_owner_keeps_its_headline_and_gains_the_leak() {
    let failure = Failure::new("step 3 failed".into());
    let mut results = vec![result("owner", Verdict::Fail, Some(failure))];
    attribute(
        &mut results,
        vec![heard("owner", "b", "w", "1"), heard("owner", "b", "w", "2")],
    );
    assert_eq!(
        results[0].failure.as_ref().expect("kept").message,
        "step 3 failed"
    );
    assert_eq!(results[0].leaks.len(), 2);
}

#[test]
fn leaks_of_scenarios_outside_the_run_are_dropped() {
    let mut results = vec![result("a", Verdict::Pass, None)];
    attribute(&mut results, vec![heard("gone", "a", "w", "x")]);
    assert_eq!(results[0].verdict, Verdict::Pass);
}

#[test]
fn a_declared_broadcast_is_a_deviation_use_of_its_owner_not_a_leak() {
    let mut results = vec![result("owner", Verdict::Pass, None)];
    let declared = |by: &str| Overheard {
        declared: Some(DeviationUse {
            id: "broadcasts-job-events".into(),
            reason: "every socket gets job events".into(),
            count: 1,
        }),
        ..heard("owner", by, "worker", "x")
    };
    attribute(&mut results, vec![declared("a"), declared("b")]);
    assert_eq!(results[0].verdict, Verdict::Pass);
    assert!(results[0].leaks.is_empty());
    assert_eq!(results[0].deviations.len(), 1);
    assert_eq!(results[0].deviations[0].count, 2);
}
