//! One scenario's section: verdict, id, title, a badge per declared deviation it met,
//! protocol, level, clause, file; the failure headline (file:line, step, actor, JSON path,
//! expected, actual); every check; the findings; the transcript; the re-run command. Failed and errored scenarios are open, the rest folded.

use std::fmt::Write;

use super::super::model::{
    CheckKind, CheckResult, CheckVerdict, Failure, Finding, Leak, ScenarioResult, Verdict,
};
use super::super::text::{at_path, shorten};
use super::transcript::{entry_anchor, transcript};
use super::{Limits, anchor, deviations, escape, verdict_badge, verdict_name};

/// Characters of the failure's sentence in a section's one-line summary.
const MAX_REASON_CHARS: usize = 200;

/// Writes the section of `result`.
pub fn section(out: &mut String, result: &ScenarioResult, limits: &Limits) {
    let open = if matches!(result.verdict, Verdict::Fail | Verdict::Error) {
        " open"
    } else {
        ""
    };
    // A folded section still says why it did not pass.
    let reason = result.failure.as_ref().map_or(String::new(), |f| {
        format!(
            "<br><span class=\"reason\">{}</span>",
            escape(&shorten(&f.message, MAX_REASON_CHARS))
        )
    });
    let _ = writeln!(
        out,
        "<section class=\"scenario\" id=\"{}\" {}>\n<details{open}>\n<summary>{} <code class=\"id\">{}</code> \
         <span class=\"level\">{}</span> <span class=\"title\">{}</span>{}{reason}</summary>",
        escape(&anchor(&result.id)),
        filter_attributes(result),
        verdict_badge(result.verdict),
        escape(&result.id),
        escape(&result.level),
        escape(&result.title),
        deviations::badges(&result.deviations)
    );
    let _ = writeln!(
        out,
        "<dl class=\"meta\"><dt>protocol</dt><dd>{}</dd><dt>level</dt><dd>{}</dd>\
         <dt>clause</dt><dd>{}</dd><dt>file</dt><dd><code>{}</code></dd><dt>took</dt><dd>{} ms</dd></dl>",
        escape(&result.protocol),
        escape(&result.level),
        escape(&result.clause),
        escape(&result.file),
        result.duration_ms
    );
    if let Some(failure) = &result.failure {
        failure_block(out, failure, limits);
    }
    checks(out, &result.checks, limits);
    findings(out, &result.id, &result.findings);
    leaks(out, &result.leaks);
    transcript(out, result, limits);
    let _ = writeln!(
        out,
        "<p class=\"rerun\">re-run: <code>{}</code></p>\n</details>\n</section>",
        escape(&result.rerun)
    );
}

/// The attributes the filters read: `data-protocol`, `data-verdict`, `data-level`.
fn filter_attributes(result: &ScenarioResult) -> String {
    format!(
        "data-protocol=\"{}\" data-verdict=\"{}\" data-level=\"{}\"",
        escape(&result.protocol),
        verdict_name(result.verdict),
        escape(&result.level)
    )
}

/// The headline of a scenario that did not pass, with the mismatch.
fn failure_block(out: &mut String, failure: &Failure, limits: &Limits) {
    out.push_str("<div class=\"failure\">\n");
    let _ = writeln!(
        out,
        "<p class=\"headline\">{}</p>",
        escape(&failure.message)
    );
    if let Some(at) = &failure.at {
        let mut place = Vec::new();
        if let Some(step) = failure.step {
            place.push(format!("step {step}"));
        }
        if let Some(actor) = &failure.actor {
            place.push(escape(actor));
        }
        let place = if place.is_empty() {
            String::new()
        } else {
            format!(" ({})", place.join(", "))
        };
        let _ = writeln!(
            out,
            "<p class=\"at\">at <code>{}</code>{place}</p>",
            escape(at)
        );
    }
    let has_values = failure.expected.is_some() || failure.actual.is_some();
    if failure.path.is_some() || has_values {
        out.push_str("<table class=\"mismatch\">\n");
        if let Some(path) = &failure.path {
            let _ = writeln!(
                out,
                "<tr><th>path</th><td><code class=\"path\">{}</code></td></tr>",
                escape(path)
            );
        }
        if let Some(expected) = &failure.expected {
            let _ = writeln!(
                out,
                "<tr><th>expected</th><td class=\"expected\">{}</td></tr>",
                escape(expected)
            );
        }
        if has_values {
            let actual = failure.actual.as_ref().map_or_else(
                || "(missing)".to_owned(),
                |v| shorten(&v.to_string(), limits.text_chars),
            );
            let _ = writeln!(
                out,
                "<tr><th>actual</th><td><code class=\"actual\">{}</code></td></tr>",
                escape(&actual)
            );
        }
        out.push_str("</table>\n");
    }
    out.push_str("</div>\n");
}

/// Every check the steps made, failed ones always, the others up to the limit.
fn checks(out: &mut String, checks: &[CheckResult], limits: &Limits) {
    if checks.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "<h4>Checks ({})</h4>\n<table class=\"checks\">\n<thead><tr><th>step</th><th>at</th>\
         <th>kind</th><th>verdict</th><th>actor</th><th>path</th><th>message</th><th>ms</th></tr></thead>\n<tbody>",
        checks.len()
    );
    let mut shown = 0;
    for check in checks {
        if shown >= limits.checks && check.verdict != CheckVerdict::Fail {
            continue;
        }
        shown += 1;
        let (class, verdict) = match check.verdict {
            CheckVerdict::Pass => ("pass", "pass"),
            CheckVerdict::Fail => ("fail", "FAIL"),
            CheckVerdict::NotRun => ("not-run", "not run"),
        };
        let _ = writeln!(
            out,
            "<tr class=\"check c-{class}\"><td class=\"num\">{}</td><td><code>{}</code></td><td>{}</td>\
             <td>{verdict}</td><td>{}</td><td><code class=\"path\">{}</code></td><td>{}</td><td class=\"num\">{:.1}</td></tr>",
            check.step,
            escape(&check.at),
            kind_name(check.kind),
            escape(check.actor.as_deref().unwrap_or("")),
            escape(check.path.as_deref().unwrap_or("")),
            check_message(check, limits),
            check.took_ms
        );
    }
    out.push_str("</tbody>\n</table>\n");
    if shown < checks.len() {
        let _ = writeln!(
            out,
            "<p class=\"more\">{} more checks that passed or did not run are not listed: the JSON report has every one.</p>",
            checks.len() - shown
        );
    }
}

/// The kind of a check as the JSON report spells it.
fn kind_name(kind: CheckKind) -> &'static str {
    match kind {
        CheckKind::Connect => "connect",
        CheckKind::Send => "send",
        CheckKind::Http => "http",
        CheckKind::Expect => "expect",
        CheckKind::Close => "close",
    }
}

/// This scenario's messages that other scenarios' connections received.
fn leaks(out: &mut String, leaks: &[Leak]) {
    if leaks.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "<h4>Received by other scenarios ({})</h4>\n<ul class=\"findings\">",
        leaks.len()
    );
    for leak in leaks {
        let _ = writeln!(
            out,
            "<li>{}: <code>{}</code></li>",
            escape(&leak.heard_by.join(", ")),
            escape(&leak.text)
        );
    }
    out.push_str("</ul>\n");
}

/// The problems with single messages, each linked to its transcript entry.
fn findings(out: &mut String, id: &str, findings: &[Finding]) {
    if findings.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "<h4>Findings ({})</h4>\n<ul class=\"findings\">",
        findings.len()
    );
    for finding in findings {
        let _ = writeln!(
            out,
            "<li><a href=\"#{}\">message #{}</a> to {}{}: {}</li>",
            escape(&entry_anchor(id, finding.message_index)),
            finding.message_index + 1,
            escape(&finding.actor),
            escape(&at_path(finding.path.as_deref())),
            escape(&finding.message)
        );
    }
    out.push_str("</ul>\n");
}

/// A check's message, with what was expected and what was there when it failed at a path.
fn check_message(check: &CheckResult, limits: &Limits) -> String {
    let mut cell = escape(&shorten(
        check.message.as_deref().unwrap_or(""),
        limits.text_chars,
    ));
    if let Some(expected) = &check.expected {
        let _ = write!(
            cell,
            "<br><span class=\"label\">expected</span> <code>{}</code>",
            escape(&shorten(expected, limits.text_chars))
        );
    }
    if let Some(actual) = &check.actual {
        let _ = write!(
            cell,
            "<br><span class=\"label\">actual</span> <code>{}</code>",
            escape(&shorten(&actual.to_string(), limits.text_chars))
        );
    }
    cell
}
