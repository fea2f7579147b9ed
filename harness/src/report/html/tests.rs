use super::*;
use crate::report::model::{
    CheckKind, CheckResult, CheckVerdict, Direction, Failure, Finding, ScenarioResult,
    TranscriptEntry,
};
use crate::report::test_support::{extra_status_key, report, result};

mod sections;

const EVIL: &str = "<script>alert(1)</script>";

fn received(text: &str, raw: Option<&str>) -> TranscriptEntry {
    TranscriptEntry {
        at_ms: 7,
        actor: "worker".into(),
        direction: Direction::Received,
        text: text.into(),
        raw: raw.map(str::to_owned),
        matched: false,
        foreign: false,
    }
}

fn check(step: usize, verdict: CheckVerdict, path: Option<&str>) -> CheckResult {
    CheckResult {
        step,
        at: format!("scenarios/jobber/x.yaml:{}", 10 + step),
        kind: CheckKind::Expect,
        verdict,
        actor: Some("worker".into()),
        path: path.map(str::to_owned),
        message: path.map(|_| "ack of send_job: unexpected key".to_owned()),
        expected: path.map(|_| "exactly the keys jobId".to_owned()),
        actual: path.map(|_| serde_json::json!({"status": "ok"})),
        took_ms: 1.5,
    }
}

/// A failing scenario with a check, a finding and a transcript, and a passing one.
fn mixed_report() -> RunReport {
    let mut failing = result("jobber.s1", Verdict::Fail, Some(extra_status_key("job-1")));
    failing.checks = vec![
        check(1, CheckVerdict::Pass, None),
        check(3, CheckVerdict::Fail, Some("$.args[0]")),
        check(4, CheckVerdict::NotRun, None),
    ];
    failing.transcript = vec![received(r#"{"event":"x"}"#, Some("42[\"x\"]"))];
    failing.findings.push(Finding {
        actor: "worker".into(),
        message_index: 0,
        message: "x: \"reason\" is a required property".into(),
        path: Some("$.args[0]".into()),
    });
    let mut passing = result("ark.ok", Verdict::Pass, None);
    passing.protocol = "ark".into();
    passing.level = "SHOULD".into();
    report(vec![passing, failing])
}

#[test]
fn everything_from_the_target_is_escaped() {
    let mut evil = result(EVIL, Verdict::Fail, None);
    evil.title = EVIL.into();
    evil.protocol = "x\" onmouseover=\"alert(1)".into();
    evil.level = EVIL.into();
    evil.clause = EVIL.into();
    evil.file = EVIL.into();
    evil.rerun = EVIL.into();
    evil.failure = Some(Failure {
        at: Some(EVIL.into()),
        actor: Some(EVIL.into()),
        path: Some(EVIL.into()),
        expected: Some(EVIL.into()),
        actual: Some(serde_json::json!({ "jobType": EVIL })),
        ..Failure::new(EVIL.into())
    });
    evil.transcript = vec![received(EVIL, Some(EVIL))];
    evil.findings.push(Finding {
        actor: EVIL.into(),
        message_index: 0,
        message: EVIL.into(),
        path: Some(EVIL.into()),
    });
    let mut evil_check = check(1, CheckVerdict::Fail, Some(EVIL));
    evil_check.actor = Some(EVIL.into());
    evil_check.message = Some(EVIL.into());
    evil.checks.push(evil_check);
    let mut run = report(vec![evil]);
    run.tool = EVIL.into();
    run.targets = vec![EVIL.into()];
    let page = render(&run);
    assert_eq!(
        page.matches("<script").count(),
        1,
        "only the page's own script"
    );
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!page.contains("\" onmouseover"), "attributes stay closed");
    assert!(page.contains("data-protocol=\"x&quot; onmouseover=&quot;alert(1)\""));
}

#[test]
fn the_page_loads_nothing_from_anywhere() {
    let page = render(&mixed_report());
    for external in ["src=", "<link", "@import", "url(", "https://", "@font-face"] {
        assert!(!page.contains(external), "{external} in the page");
    }
    assert!(page.contains("Content-Security-Policy\" content=\"default-src 'none'"));
}

#[test]
fn every_scenario_section_carries_the_filters_data() {
    let page = render(&mixed_report());
    let attributes = [
        "data-protocol=\"jobber\" data-verdict=\"fail\" data-level=\"MUST\"",
        "data-protocol=\"ark\" data-verdict=\"pass\" data-level=\"SHOULD\"",
    ];
    for attributes in attributes {
        assert_eq!(page.matches(attributes).count(), 1, "{attributes}");
    }
    assert!(page.contains("<section class=\"scenario\" id=\"s-ark.ok\""));
    assert!(page.contains("document.documentElement.dataset.filters"));
}

#[test]
fn root_causes_come_first_then_failing_scenarios_before_passing_ones() {
    let scenarios: Vec<ScenarioResult> = (0..4)
        .map(|i| {
            let job = format!("job-{i}");
            result(
                &format!("jobber.s{i}"),
                Verdict::Fail,
                Some(extra_status_key(&job)),
            )
        })
        .collect();
    let mut run = report(scenarios);
    run.scenarios
        .insert(0, result("jobber.ok", Verdict::Pass, None));
    let page = render(&run);
    let causes = page.find("id=\"causes\"").expect("causes");
    assert!(causes < page.find("id=\"scenarios\"").expect("scenarios"));
    assert!(
        page.contains("<td class=\"num\">4×</td><td>ack of send_job: unexpected key &quot;status&quot; beside jobId job-0</td><td><code>$.args[0]</code></td>"),
        "{page}"
    );
    let failing = page.find("id=\"s-jobber.s0\"").expect("failing section");
    let passing = page.find("id=\"s-jobber.ok\"").expect("passing section");
    assert!(failing < passing, "not passing first");
    assert!(page.contains("<details open>\n<summary><span class=\"verdict v-fail\">FAIL"));
    assert!(page.contains("<details>\n<summary><span class=\"verdict v-pass\">PASS"));
}

#[test]
fn a_failure_shows_its_place_path_expected_actual_checks_and_rerun() {
    let page = render(&mixed_report());
    assert!(page.contains("at <code>scenarios/jobber/x.yaml:12</code> (step 3)"));
    assert!(page.contains("<code class=\"path\">$.args[0]</code>"));
    assert!(page.contains("<td class=\"expected\">exactly the keys jobId</td>"));
    assert!(page.contains(
        "<code class=\"actual\">{&quot;status&quot;:&quot;ok&quot;,&quot;jobId&quot;:&quot;job-1&quot;}</code>"
    ), "{page}");
    assert!(page.contains(
        "<tr class=\"check c-fail\"><td class=\"num\">3</td><td><code>scenarios/jobber/x.yaml:13</code></td><td>expect</td>\
         <td>FAIL</td><td>worker</td><td><code class=\"path\">$.args[0]</code></td><td>ack of send_job: unexpected key\
         <br><span class=\"label\">expected</span> <code>exactly the keys jobId</code>\
         <br><span class=\"label\">actual</span> <code>{&quot;status&quot;:&quot;ok&quot;}</code></td>"
    ), "{page}");
    assert!(page.contains("<td>not run</td>"));
    assert!(page.contains("<a href=\"#s-jobber.s1-m1\">message #1</a> to worker at $.args[0]"));
    assert!(page.contains("<tr id=\"s-jobber.s1-m1\" class=\"received unmatched finding\">"));
    assert!(page.contains("<summary>raw frame</summary><pre>42[&quot;x&quot;]</pre>"));
    assert!(page.contains("re-run: <code>wsconform run --scenario jobber.s1</code>"));
}

#[test]
fn a_long_transcript_shows_its_first_and_last_entries_within_the_limit() {
    let mut long = result("p.long", Verdict::Fail, None);
    long.transcript = (0..1000)
        .map(|i| received(&format!("frame {i} {}", "y".repeat(10_000)), None))
        .collect();
    let limits = Limits {
        transcript_entries: 10,
        text_chars: 100,
        checks: 5,
        ..Limits::default()
    };
    let page = render_with(&report(vec![long]), &limits);
    assert_eq!(page.matches("<tr id=\"s-p.long-m").count(), 10);
    assert!(page.contains("s-p.long-m5\"") && page.contains("s-p.long-m996\""));
    assert!(!page.contains("s-p.long-m6\""));
    assert!(page.contains("… 990 entries not shown (at most 10 per scenario)"));
    assert!(page.len() < 20_000, "{} bytes", page.len());
}

#[test]
fn failed_checks_are_listed_past_the_limit_and_the_rest_counted() {
    let mut many = result("p.loop", Verdict::Fail, None);
    many.checks = (1..=20)
        .map(|i| check(i, CheckVerdict::Pass, None))
        .collect();
    many.checks
        .push(check(21, CheckVerdict::Fail, Some("$.late")));
    let limits = Limits {
        checks: 5,
        ..Limits::default()
    };
    let page = render_with(&report(vec![many]), &limits);
    assert_eq!(page.matches("<tr class=\"check ").count(), 6);
    assert!(page.contains("$.late"));
    assert!(page.contains("15 more checks that passed or did not run are not listed"));
}
