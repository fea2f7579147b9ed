//! The HTML report: one self-contained file a browser opens offline. It has no external resource
//! at all (no CDN, no fonts, no images by URL; its Content-Security-Policy forbids loading any),
//! its CSS and script are inline, and without JavaScript it still shows everything.
//!
//! Order: the run's header and counts (passes with declared deviations counted apart), the root
//! causes (grouped findings, [`super::root_causes`]), the declared deviations the run met, the
//! coverage of the specification (per protocol and category, the items never exercised and the
//! excluded ones folded), then one section per scenario, the ones that did not pass first and
//! open, the others folded to one line: verdict, id, title, protocol, level, clause, file, the
//! badges of the declared deviations it met, the failure headline with path, expected and
//! actual, every check, the findings, the transcript
//! (raw frames folded) and the re-run command. The inline script adds filters by protocol,
//! verdict and level (also read from the URL hash, `#verdict=fail&protocol=ark`).
//!
//! Invariants: every text that comes from the run (and so from the target: frames, messages,
//! values, ids) is escaped by [`escape::escape`] before it enters the page; data never enters
//! the script. The file is bounded per scenario and per protocol's coverage by [`Limits`] (the
//! JSON report holds everything). Pure: renders a [`RunReport`], decides nothing.

mod causes;
mod coverage;
mod deviations;
mod escape;
mod scenario;
mod transcript;

use std::fmt::Write;

use super::model::{RunReport, ScenarioResult, Verdict};
use escape::escape;

/// Transcript entries shown per scenario, at most: the first and last halves, the middle
/// counted (a scenario stops near its failure, so its last messages matter).
pub const MAX_TRANSCRIPT_ENTRIES: usize = 200;

/// Characters of one transcript text, raw frame or actual value shown, at most.
pub const MAX_TEXT_CHARS: usize = 4_000;

/// Checks listed per scenario, at most (loops can repeat a step many times); failed checks
/// are always listed.
pub const MAX_CHECKS: usize = 500;

/// Coverage items (never exercised, then excluded) listed per protocol, at most: a partial run
/// of a large document can leave hundreds of fields unexercised.
pub const MAX_COVERAGE_ITEMS: usize = 300;

/// How much of each scenario the page shows; the defaults are the constants above.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Transcript entries per scenario ([`MAX_TRANSCRIPT_ENTRIES`]).
    pub transcript_entries: usize,
    /// Characters per text ([`MAX_TEXT_CHARS`]).
    pub text_chars: usize,
    /// Checks per scenario ([`MAX_CHECKS`]).
    pub checks: usize,
    /// Coverage items listed per protocol ([`MAX_COVERAGE_ITEMS`]).
    pub coverage_items: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            transcript_entries: MAX_TRANSCRIPT_ENTRIES,
            text_chars: MAX_TEXT_CHARS,
            checks: MAX_CHECKS,
            coverage_items: MAX_COVERAGE_ITEMS,
        }
    }
}

/// The page's style and filter script, inline.
const CSS: &str = include_str!("html/page.css");
const SCRIPT: &str = include_str!("html/page.js");

/// Nothing may be loaded from anywhere: only the inline style and script run.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; \
     script-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

/// Renders `report` with the default [`Limits`].
pub fn render(report: &RunReport) -> String {
    render_with(report, &Limits::default())
}

/// Renders `report`, showing at most what `limits` allow of each scenario.
pub fn render_with(report: &RunReport, limits: &Limits) -> String {
    let mut out = String::with_capacity(64 * 1024);
    let title = format!(
        "wsconform: {} of {} passed",
        report.summary.passed, report.summary.total
    );
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{CONTENT_SECURITY_POLICY}\">\n\
         <title>{}</title>\n<style>\n{CSS}</style>\n</head>\n<body>\n",
        escape(&title)
    );
    header(&mut out, report, &title);
    out.push_str("<main>\n");
    causes::causes(&mut out, report);
    deviations::deviations(&mut out, report);
    coverage::coverage(&mut out, report, limits);
    out.push_str("<section id=\"scenarios\">\n<h2>Scenarios</h2>\n");
    for result in ordered(report) {
        scenario::section(&mut out, result, limits);
    }
    out.push_str("</section>\n</main>\n");
    let _ = write!(out, "<script>\n{SCRIPT}</script>\n</body>\n</html>\n");
    out
}

/// The run: tool, targets, duration and the verdict counts.
fn header(out: &mut String, report: &RunReport, title: &str) {
    let s = &report.summary;
    let state = if s.failed == 0 && s.errors == 0 {
        "pass"
    } else {
        "fail"
    };
    let _ = writeln!(
        out,
        "<header class=\"run {state}\">\n<h1>{}</h1>",
        escape(title)
    );
    let targets: Vec<String> = report
        .targets
        .iter()
        .map(|t| format!("<code>{}</code>", escape(t)))
        .collect();
    let targets = if targets.is_empty() {
        "none".to_owned()
    } else {
        targets.join(", ")
    };
    let _ = writeln!(
        out,
        "<p class=\"facts\">{} against {targets}, {:.1} s</p>",
        escape(&report.tool),
        report.duration_ms as f64 / 1000.0
    );
    out.push_str("<ul class=\"counts\">\n");
    let passed = match s.passed_with_deviations {
        0 => "passed".to_owned(),
        n => format!(
            "passed, <b>{n}</b> of them with <a href=\"#deviations\">declared deviations</a>"
        ),
    };
    let counts = [
        ("pass", s.passed, passed.as_str()),
        ("fail", s.failed, "failed"),
        ("unsupported", s.unsupported, "unsupported"),
        ("error", s.errors, "errors"),
        ("fail", s.failed_must, "failed MUST"),
    ];
    for (class, count, name) in counts {
        let _ = writeln!(out, "<li class=\"v-{class}\"><b>{count}</b> {name}</li>");
    }
    let _ = writeln!(out, "<li><b>{}</b> scenarios</li>\n</ul>", s.total);
    out.push_str(
        "<noscript><p>Filters need JavaScript; every scenario is shown.</p></noscript>\n</header>\n",
    );
}

/// The scenarios in the order the page shows them: failed, errors, unsupported, passed; run
/// order within each.
fn ordered(report: &RunReport) -> Vec<&ScenarioResult> {
    let rank = |verdict: Verdict| match verdict {
        Verdict::Fail => 0,
        Verdict::Error => 1,
        Verdict::Unsupported => 2,
        Verdict::Pass => 3,
    };
    let mut ordered: Vec<&ScenarioResult> = report.scenarios.iter().collect();
    ordered.sort_by_key(|r| rank(r.verdict));
    ordered
}

/// The verdict as the JSON report and the filters spell it.
fn verdict_name(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Pass => "pass",
        Verdict::Fail => "fail",
        Verdict::Unsupported => "unsupported",
        Verdict::Error => "error",
    }
}

/// The verdict as a badge: `<span class="verdict v-fail">FAIL</span>`.
fn verdict_badge(verdict: Verdict) -> String {
    let name = verdict_name(verdict);
    format!(
        "<span class=\"verdict v-{name}\">{}</span>",
        name.to_uppercase()
    )
}

/// The anchor of a scenario's section.
fn anchor(id: &str) -> String {
    format!("s-{id}")
}

/// Links to the sections of the first `max` of `ids`, comma-separated, the rest counted.
fn scenario_links(ids: &[impl AsRef<str>], max: usize) -> String {
    let mut links: Vec<String> = ids
        .iter()
        .take(max)
        .map(|id| {
            let id = id.as_ref();
            format!(
                "<a href=\"#{}\"><code>{}</code></a>",
                escape(&anchor(id)),
                escape(id)
            )
        })
        .collect();
    if ids.len() > max {
        links.push(format!("and {} more", ids.len() - max));
    }
    links.join(", ")
}

#[cfg(test)]
mod tests;
