//! The page's coverage and declared-deviation sections.

use super::super::*;
use super::EVIL;
use crate::report::coverage::ExcludedItem;
use crate::report::coverage::{Category, CategoryCoverage, ProtocolCoverage};
use crate::report::model::{DeviationUse, Summary};
use crate::report::test_support::{extra_status_key, report, result};

fn category(
    category: Category,
    (exercised, total): (usize, usize),
    never: &[&str],
    excluded: &[(&str, &str)],
) -> CategoryCoverage {
    let counted = total - excluded.len();
    CategoryCoverage {
        category,
        total,
        exercised,
        excluded: excluded.len(),
        percent: (exercised * 1000 / counted) as f64 / 10.0,
        never: never.iter().map(|s| (*s).to_owned()).collect(),
        excluded_items: excluded
            .iter()
            .map(|(item, reason)| ExcludedItem {
                item: (*item).to_owned(),
                reason: (*reason).to_owned(),
            })
            .collect(),
    }
}

/// jobber with one hole and one exclusion, ark complete.
fn measured() -> Vec<ProtocolCoverage> {
    let jobber = ProtocolCoverage {
        protocol: "jobber".into(),
        exercised: 11,
        reachable: 12,
        percent: 91.6,
        categories: vec![
            category(Category::MessagesReceived, (4, 4), &[], &[]),
            category(
                Category::Fields,
                (7, 9),
                &["job_failed.retryable"],
                &[("worker.hostname", "no server can be made to send it")],
            ),
        ],
    };
    let ark = ProtocolCoverage {
        protocol: "ark".into(),
        exercised: 3,
        reachable: 3,
        percent: 100.0,
        categories: vec![category(Category::EnumValues, (3, 3), &[], &[])],
    };
    vec![jobber, ark]
}

fn with_coverage(coverage: Vec<ProtocolCoverage>) -> RunReport {
    let failing = result("jobber.s1", Verdict::Fail, Some(extra_status_key("job-1")));
    let mut run = report(vec![failing, result("jobber.ok", Verdict::Pass, None)]);
    run.coverage = Some(coverage);
    run
}

/// The text of the element opened at `marker` up to the next `end`.
fn part<'a>(page: &'a str, marker: &str, end: &str) -> &'a str {
    let start = page.find(marker).unwrap_or_else(|| panic!("no {marker}"));
    let rest = &page[start..];
    &rest[..rest.find(end).unwrap_or(rest.len())]
}

#[test]
fn coverage_comes_after_the_root_causes_with_each_protocol_and_category() {
    let page = render(&with_coverage(measured()));
    let causes = page.find("id=\"causes\"").expect("causes");
    let coverage = page.find("id=\"coverage\"").expect("coverage");
    let scenarios = page.find("id=\"scenarios\"").expect("scenarios");
    assert!(causes < coverage && coverage < scenarios);
    assert!(page.contains("<h2>Coverage of the specification</h2>"));
    let jobber = part(
        &page,
        "<div class=\"coverage\" data-protocol=\"jobber\">",
        "</div>",
    );
    assert!(
        jobber.contains("91.6 % of the document exercised (11 of 12 items)"),
        "{jobber}"
    );
    assert!(jobber.contains("<span style=\"width:91.6%\">"));
    assert!(
        jobber.contains("<tr class=\"short\"><td>fields</td><td class=\"num\">7/8</td><td class=\"num\">87.5 %</td>"),
        "{jobber}"
    );
    assert!(jobber.contains(
        "<tr><td>messages_received</td><td class=\"num\">4/4</td><td class=\"num\">100.0 %</td>"
    ));
    assert!(
        part(
            &page,
            "<div class=\"coverage\" data-protocol=\"ark\">",
            "</div>"
        )
        .contains("100.0 % of the document exercised (3 of 3 items)")
    );
}

#[test]
fn items_never_exercised_and_excluded_ones_are_folded_with_their_reasons() {
    let page = render(&with_coverage(measured()));
    let jobber = part(
        &page,
        "<div class=\"coverage\" data-protocol=\"jobber\">",
        "</div>",
    );
    assert!(
        jobber.contains(
            "<details class=\"items never\">\n<summary>Never exercised (1)</summary>\n<ul>\n\
             <li><span class=\"tag\">fields</span> <code>job_failed.retryable</code></li>"
        ),
        "{jobber}"
    );
    assert!(jobber.contains(
        "<details class=\"items excluded\">\n<summary>Excluded (unreachable) (1)</summary>\n<ul>\n\
         <li><span class=\"tag\">fields</span> <code>worker.hostname</code> — no server can be made to send it</li>"
    ));
    let ark = part(
        &page,
        "<div class=\"coverage\" data-protocol=\"ark\">",
        "</div>",
    );
    assert!(!ark.contains("<details"), "nothing to list: {ark}");
    let coverage = part(&page, "id=\"coverage\"", "</section>");
    assert!(!coverage.contains("<details open"), "folded by default");
}

#[test]
fn coverage_items_are_escaped_and_bounded_by_the_limit() {
    let never: Vec<String> = (0..40).map(|i| format!("{EVIL}.field{i}")).collect();
    let never: Vec<&str> = never.iter().map(String::as_str).collect();
    let protocol = ProtocolCoverage {
        protocol: EVIL.into(),
        exercised: 0,
        reachable: 41,
        percent: 0.0,
        categories: vec![category(Category::Fields, (0, 41), &never, &[("x", EVIL)])],
    };
    let limits = Limits {
        coverage_items: 25,
        ..Limits::default()
    };
    let page = render_with(&with_coverage(vec![protocol]), &limits);
    assert_eq!(
        page.matches("<script").count(),
        1,
        "only the page's own script"
    );
    assert_eq!(
        page.matches("<li><span class=\"tag\">fields</span>")
            .count(),
        25
    );
    assert!(page.contains("<summary>Never exercised (40)</summary>"));
    assert!(page.contains("… and 15 more (at most 25 items listed per protocol)"));
    assert!(page.contains("<summary>Excluded (unreachable) (1)</summary>"));
    assert!(page.contains("… and 1 more (at most 25 items listed per protocol)"));
    assert!(page.contains("<code>&lt;script&gt;alert(1)&lt;/script&gt;</code>"));
}

#[test]
fn without_coverage_there_is_no_section_and_an_empty_one_says_so() {
    let mut run = with_coverage(Vec::new());
    assert!(render(&run).contains("<p class=\"none\">No protocol was measured.</p>"));
    run.coverage = None;
    assert!(!render(&run).contains("id=\"coverage\""));
}

fn deviation(id: &str, count: u64) -> DeviationUse {
    DeviationUse {
        id: id.into(),
        reason: format!("the reason of {id}"),
        count,
    }
}

/// Two passes with the ack wrapper (one also with the refusal), a plain pass and a failure.
fn with_deviations() -> RunReport {
    let mut wrapped = result("jobber.a", Verdict::Pass, None);
    wrapped.deviations = vec![deviation("ack-status-wrapper", 3)];
    let mut both = result("jobber.b", Verdict::Pass, None);
    both.deviations = vec![
        deviation("ack-status-wrapper", 2),
        deviation("refusal-by-error-event", 1),
    ];
    let plain = result("jobber.c", Verdict::Pass, None);
    let failing = result("jobber.d", Verdict::Fail, Some(extra_status_key("job-1")));
    report(vec![wrapped, both, plain, failing])
}

#[test]
fn the_counts_say_how_many_passes_needed_declared_deviations() {
    let run = with_deviations();
    assert_eq!(run.summary.passed_with_deviations, 2);
    let page = render(&run);
    assert!(
        page.contains(
            "<li class=\"v-pass\"><b>3</b> passed, <b>2</b> of them with \
         <a href=\"#deviations\">declared deviations</a></li>"
        ),
        "{page}"
    );
    let plain = render(&report(vec![result("jobber.c", Verdict::Pass, None)]));
    assert!(plain.contains("<li class=\"v-pass\"><b>1</b> passed</li>"));
    assert!(!plain.contains("id=\"deviations\"") && !plain.contains("class=\"declared\""));
}

#[test]
fn each_deviation_is_listed_with_its_reason_messages_and_scenarios() {
    let page = render(&with_deviations());
    let section = part(&page, "<section id=\"deviations\">", "</section>");
    assert!(page.find("id=\"causes\"") < page.find("id=\"deviations\""));
    assert!(page.find("id=\"deviations\"") < page.find("id=\"scenarios\""));
    assert!(section.contains(
        "<tr class=\"deviation\"><td><code>ack-status-wrapper</code></td>\
         <td>the reason of ack-status-wrapper</td><td class=\"num\">5</td><td>2 \
         (<a href=\"#s-jobber.a\"><code>jobber.a</code></a>, <a href=\"#s-jobber.b\"><code>jobber.b</code></a>)</td></tr>"
    ), "{section}");
    assert!(section.contains(
        "<td><code>refusal-by-error-event</code></td><td>the reason of refusal-by-error-event</td>\
         <td class=\"num\">1</td><td>1 (<a href=\"#s-jobber.b\">"
    ));
}

#[test]
fn a_scenario_that_met_deviations_carries_a_badge_for_each() {
    let page = render(&with_deviations());
    let b = part(&page, "id=\"s-jobber.b\"", "</summary>");
    assert!(
        b.contains(
            "<span class=\"title\">the title of jobber.b</span> <span class=\"declared\" \
         title=\"the reason of ack-status-wrapper\">declared: ack-status-wrapper ×2</span> \
         <span class=\"declared\" title=\"the reason of refusal-by-error-event\">declared: \
         refusal-by-error-event ×1</span>"
        ),
        "{b}"
    );
    assert!(!part(&page, "id=\"s-jobber.c\"", "</summary>").contains("declared"));
}

#[test]
fn deviation_ids_and_reasons_are_escaped_and_scenarios_bounded() {
    let scenarios: Vec<ScenarioResult> = (0..30)
        .map(|i| {
            let mut r = result(&format!("p.s{i}"), Verdict::Pass, None);
            r.deviations = vec![DeviationUse {
                id: EVIL.into(),
                reason: format!("\" onmouseover=\"{EVIL}"),
                count: 1,
            }];
            r
        })
        .collect();
    let run = report(scenarios);
    assert_eq!(
        run.summary,
        Summary {
            total: 30,
            passed: 30,
            passed_with_deviations: 30,
            ..Summary::default()
        }
    );
    let page = render(&run);
    assert_eq!(
        page.matches("<script").count(),
        1,
        "only the page's own script"
    );
    assert!(!page.contains("\" onmouseover"), "attributes stay closed");
    let section = part(&page, "<section id=\"deviations\">", "</section>");
    assert!(section.contains("<td class=\"num\">30</td><td>30 ("));
    assert_eq!(
        section.matches("<a href=\"#s-p.s").count(),
        deviations::MAX_DEVIATION_SCENARIOS
    );
    assert!(section.contains(", and 10 more)"));
}
