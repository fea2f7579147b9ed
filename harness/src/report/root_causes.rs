//! Failures grouped by root cause: the same check failing the same way in many scenarios is one
//! group, with a count and its scenarios, so a report can show the few causes first instead of
//! repeating one sentence per scenario.
//!
//! Every failed check counts, not only a scenario's first. Two failures share a cause when their JSON path and expectation are the same and their
//! sentences are the same once volatile pieces (ids, numbers, quoted values) are masked. Schema
//! findings group the same way. Pure: reads a [`RunReport`], decides nothing about verdicts.

use std::collections::HashMap;

use super::model::{RunReport, Verdict};

/// One root cause and where it was seen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RootCause {
    /// The first sentence seen of the group, as it was written.
    pub headline: String,
    /// The JSON path, if the failures were at one.
    pub path: Option<String>,
    /// Failed checks and findings in the group (a scenario that went on past a deviation may
    /// fail the same way more than once).
    pub count: usize,
    /// The scenarios, in run order, each once.
    pub scenarios: Vec<String>,
    /// Whether these are schema findings rather than failed steps.
    pub finding: bool,
}

/// The root causes of `report`'s failed and errored scenarios, most frequent first (ties: the
/// first seen first).
pub fn root_causes(report: &RunReport) -> Vec<RootCause> {
    let mut groups: Vec<RootCause> = Vec::new();
    let mut index: HashMap<(bool, Option<String>, String), usize> = HashMap::new();
    let mut add = |finding: bool, headline: &str, path: Option<&str>, extra: &str, id: &str| {
        let key = (
            finding,
            path.map(str::to_owned),
            format!("{}|{extra}", mask(headline)),
        );
        let at = *index.entry(key).or_insert_with(|| {
            groups.push(RootCause {
                headline: headline.to_owned(),
                path: path.map(str::to_owned),
                count: 0,
                scenarios: Vec::new(),
                finding,
            });
            groups.len() - 1
        });
        let group = &mut groups[at];
        group.count += 1;
        if !group.scenarios.iter().any(|s| s == id) {
            group.scenarios.push(id.to_owned());
        }
    };
    for result in &report.scenarios {
        if !matches!(result.verdict, Verdict::Fail | Verdict::Error) {
            continue;
        }
        for point in result.failure_points() {
            let expected = point.expected.unwrap_or_default();
            add(false, point.message, point.path, expected, &result.id);
        }
        for finding in &result.findings {
            add(
                true,
                &finding.message,
                finding.path.as_deref(),
                "",
                &result.id,
            );
        }
    }
    // A stable sort keeps first-seen order among equal counts.
    groups.sort_by_key(|g| std::cmp::Reverse(g.count));
    groups
}

/// `text` with its volatile pieces masked: quoted values become `"…"`, and every word that holds
/// a digit (ids, numbers, times, indexes) becomes `#`. Words are runs of letters, digits, `_`
/// and `-`.
pub fn mask(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut word = String::new();
    let mut quoted = false;
    for c in text.chars() {
        if quoted {
            quoted = c != '"';
            continue;
        }
        if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
            word.push(c);
            continue;
        }
        flush_word(&mut word, &mut out);
        if c == '"' {
            out.push_str("\"…\"");
            quoted = true;
        } else {
            out.push(c);
        }
    }
    flush_word(&mut word, &mut out);
    out
}

fn flush_word(word: &mut String, out: &mut String) {
    if word.chars().any(|c| c.is_ascii_digit()) {
        out.push('#');
    } else {
        out.push_str(word);
    }
    word.clear();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::model::{Failure, Finding};
    use crate::report::test_support::{report, result};

    #[test]
    fn a_headline_standing_for_findings_is_not_counted_twice() {
        let mut failed = result("p.x", Verdict::Fail, None);
        failed.findings.push(Finding {
            actor: "a".into(),
            message_index: 0,
            message: "e schema: bad".into(),
            path: None,
        });
        failed.failure = Some(Failure {
            from_findings: true,
            ..Failure::new("message #1 to a: e schema: bad".into())
        });
        let causes = root_causes(&report(vec![failed]));
        assert_eq!(causes.len(), 1, "{causes:?}");
        assert!(causes[0].finding);
    }

    #[test]
    fn volatile_pieces_are_masked_and_words_are_kept() {
        assert_eq!(
            mask(r#"ack of send_job: expected "3f2a-1" at $.args[0], got 12 keys"#),
            r#"ack of send_job: expected "…" at $.args[#], got # keys"#
        );
        assert_eq!(mask("job 3f2a5b1c-0d4e-4f6a expired"), "job # expired");
        assert_eq!(mask("job f3a5b1c-0d4e expired"), "job # expired");
        assert_eq!(mask("after 250ms, ack.send_job"), "after #, ack.send_job");
    }

    #[test]
    fn every_failed_check_counts_not_only_the_headline() {
        use crate::report::model::{CheckKind, CheckResult, CheckVerdict};
        let check = |step: usize, path: &str, verdict: CheckVerdict| CheckResult {
            step,
            at: format!("x.yaml:{step}"),
            kind: CheckKind::Expect,
            verdict,
            actor: Some("p".into()),
            path: Some(path.into()),
            message: Some(format!("the message at {path}: wrong")),
            expected: Some("exactly the keys jobId".into()),
            actual: None,
            took_ms: 1.0,
        };
        let mut failed = result("p.x", Verdict::Fail, Some(Failure::new("first".into())));
        failed.checks = vec![
            check(1, "$.args[0]", CheckVerdict::Fail),
            check(2, "$.args[0]", CheckVerdict::Pass),
            check(3, "$.data.state", CheckVerdict::Fail),
        ];
        let causes = root_causes(&report(vec![failed]));
        let paths: Vec<_> = causes.iter().map(|c| c.path.as_deref()).collect();
        assert_eq!(paths, vec![Some("$.args[0]"), Some("$.data.state")]);
        assert!(causes.iter().all(|c| c.count == 1 && !c.finding));
    }
}
