use super::*;
use crate::report::model::{Failure, Finding};
use crate::report::test_support::{extra_status_key, report, result};

#[test]
fn one_deviation_in_many_scenarios_is_one_root_cause_shown_first() {
    let mut scenarios: Vec<ScenarioResult> = (0..33)
        .map(|i| {
            let job = format!("3f2a5b1c-0d4e-4f6a-8b7c-{i:012}");
            result(
                &format!("jobber.s{i}"),
                Verdict::Fail,
                Some(extra_status_key(&job)),
            )
        })
        .collect();
    let mut other = result(
        "jobber.batch.wait",
        Verdict::Fail,
        Some(Failure::new(
            "wait_for_batch answered before the batch ended".into(),
        )),
    );
    other.findings.push(Finding {
        actor: "p".into(),
        message_index: 4,
        message: "job_cancelled: \"reason\" is a required property".into(),
        path: Some("$.args[0]".into()),
    });
    scenarios.push(other);
    scenarios.push(result("jobber.ok", Verdict::Pass, None));
    let report = report(scenarios);
    let causes = root_causes(&report);
    assert_eq!(causes.len(), 3, "{causes:#?}");
    assert_eq!((causes[0].count, causes[0].scenarios.len()), (33, 33));
    assert!(causes[2].finding);
    let text = render(&report);
    let table = text.find("### Root causes").expect("the causes table");
    let details = text
        .find("### Scenarios that did not pass")
        .expect("the details");
    assert!(table < details, "causes come first");
    assert!(
        text.contains("| 33 | ack of send_job: unexpected key \"status\""),
        "{text}"
    );
    assert!(
        text.contains("and 28 more"),
        "five scenarios are named, the rest counted"
    );
    assert!(text.contains("## ❌ wsconform: 1 of 35 passed"), "{text}");
    assert!(text.contains("wsconform run --scenario jobber.batch.wait"));
    assert!(
        !text.contains("jobber.ok`"),
        "a passing scenario has no block"
    );
}

#[test]
fn a_huge_run_stays_within_a_pull_request_comment() {
    let scenarios: Vec<ScenarioResult> = (0..5000)
        .map(|i| {
            let mut failure = Failure::new(format!("failure number {i}: {}", "x".repeat(400)));
            failure.actual = Some(serde_json::json!({"big": "y".repeat(5000)}));
            result(&format!("jobber.s{i}"), Verdict::Fail, Some(failure))
        })
        .collect();
    let text = render(&report(scenarios));
    assert!(text.chars().count() <= MAX_CHARS, "{} chars", text.len());
    assert!(text.contains("more: the JSON report"), "the cut is said");
}

#[test]
fn table_cells_cannot_break_the_table_or_inject_markup() {
    let failure = Failure::new("a | b\nc <script>".into());
    let text = render(&report(vec![result("p.x", Verdict::Error, Some(failure))]));
    assert!(text.contains("a \\| b c &lt;script&gt;"), "{text}");
    assert!(!text.contains("<script>"));
}
