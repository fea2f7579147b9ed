//! Declared deviations: the ones a target profile's dialect accepted in this run, each with its
//! reason, the messages it concerned and the scenarios that met it (linked), and the badge a
//! scenario's one-line summary carries for each one it met. A pass with them is a pass in the
//! target's dialect, not in the document's, so the page never shows it as a plain pass.
//!
//! Invariants: ids and reasons come from the profile, so they are escaped; at most
//! [`MAX_DEVIATIONS`] deviations and [`MAX_DEVIATION_SCENARIOS`] scenarios per deviation are
//! listed, the rest counted. Absent when no scenario met one.

use std::fmt::Write;

use super::super::model::{DeviationUse, RunReport};
use super::{escape, scenario_links};

/// Deviations listed at most (a profile declares a handful; the rest are counted).
pub const MAX_DEVIATIONS: usize = 50;

/// Scenarios a deviation links by name at most.
pub const MAX_DEVIATION_SCENARIOS: usize = 20;

/// One deviation over the run.
struct Total<'a> {
    id: &'a str,
    reason: &'a str,
    messages: u64,
    scenarios: Vec<&'a str>,
}

/// The deviations of the run in the order scenarios first met them.
fn totals(report: &RunReport) -> Vec<Total<'_>> {
    let mut totals: Vec<Total<'_>> = Vec::new();
    for result in &report.scenarios {
        for used in &result.deviations {
            let at = match totals.iter().position(|t| t.id == used.id) {
                Some(at) => at,
                None => {
                    totals.push(Total {
                        id: &used.id,
                        reason: &used.reason,
                        messages: 0,
                        scenarios: Vec::new(),
                    });
                    totals.len() - 1
                }
            };
            let total = &mut totals[at];
            total.messages = total.messages.saturating_add(used.count);
            if !total.scenarios.contains(&result.id.as_str()) {
                total.scenarios.push(&result.id);
            }
        }
    }
    totals
}

/// Writes the section, if any scenario met a declared deviation.
pub fn deviations(out: &mut String, report: &RunReport) {
    let totals = totals(report);
    if totals.is_empty() {
        return;
    }
    out.push_str(
        "<section id=\"deviations\">\n<h2>Declared deviations</h2>\n<p class=\"note\">Accepted \
         as the target profile's dialect says, not as the document does: each is tested past and \
         shown here, never silently passed.</p>\n<table class=\"deviations\">\n<thead><tr>\
         <th>deviation</th><th>reason</th><th>messages</th><th>scenarios</th></tr></thead>\n<tbody>\n",
    );
    for total in totals.iter().take(MAX_DEVIATIONS) {
        let links = scenario_links(&total.scenarios, MAX_DEVIATION_SCENARIOS);
        let _ = writeln!(
            out,
            "<tr class=\"deviation\"><td><code>{}</code></td><td>{}</td><td class=\"num\">{}</td>\
             <td>{} ({})</td></tr>",
            escape(total.id),
            escape(total.reason),
            total.messages,
            total.scenarios.len(),
            links
        );
    }
    out.push_str("</tbody>\n</table>\n");
    if totals.len() > MAX_DEVIATIONS {
        let _ = writeln!(
            out,
            "<p class=\"more\">… and {} more deviations: the JSON report has every one.</p>",
            totals.len() - MAX_DEVIATIONS
        );
    }
    out.push_str("</section>\n");
}

/// The badges of a scenario's summary line, one per deviation it met: `declared: id ×count`,
/// the reason as a tooltip. Empty when it met none.
pub fn badges(uses: &[DeviationUse]) -> String {
    uses.iter()
        .map(|used| {
            format!(
                " <span class=\"declared\" title=\"{}\">declared: {} ×{}</span>",
                escape(&used.reason),
                escape(&used.id),
                used.count
            )
        })
        .collect()
}
