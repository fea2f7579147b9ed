//! The top of the page after the header: the root causes (grouped findings), most frequent
//! first, each linked to its scenarios' sections.

use std::fmt::Write;

use super::super::model::RunReport;
use super::super::root_causes::root_causes;
use super::super::text::shorten;
use super::{escape, scenario_links};

/// Root causes listed at most (the rest are counted).
pub const MAX_CAUSES: usize = 50;

/// Scenarios a cause links by name at most.
pub const MAX_CAUSE_SCENARIOS: usize = 20;

/// Characters of a cause's sentence shown.
const MAX_CAUSE_CHARS: usize = 400;

/// The root causes of the failed and errored scenarios, one table row each.
pub fn causes(out: &mut String, report: &RunReport) {
    out.push_str("<section id=\"causes\">\n<h2>Root causes, most frequent first</h2>\n");
    let causes = root_causes(report);
    if causes.is_empty() {
        out.push_str("<p class=\"none\">No scenario failed.</p>\n</section>\n");
        return;
    }
    out.push_str(
        "<table class=\"causes\">\n<thead><tr><th>count</th><th>cause</th><th>path</th>\
         <th>scenarios</th></tr></thead>\n<tbody>\n",
    );
    for cause in causes.iter().take(MAX_CAUSES) {
        let links = scenario_links(&cause.scenarios, MAX_CAUSE_SCENARIOS);
        let kind = if cause.finding {
            "<span class=\"tag\">schema</span> "
        } else {
            ""
        };
        let path = cause
            .path
            .as_deref()
            .map_or(String::new(), |p| format!("<code>{}</code>", escape(p)));
        let _ = writeln!(
            out,
            "<tr class=\"cause\"><td class=\"num\">{}×</td><td>{kind}{}</td><td>{path}</td>\
             <td>{}</td></tr>",
            cause.count,
            escape(&shorten(&cause.headline, MAX_CAUSE_CHARS)),
            links
        );
    }
    out.push_str("</tbody>\n</table>\n");
    if causes.len() > MAX_CAUSES {
        let _ = writeln!(
            out,
            "<p class=\"more\">… and {} more causes: the JSON report (<code>--report json=…</code>) has every failure.</p>",
            causes.len() - MAX_CAUSES
        );
    }
    out.push_str("</section>\n");
}
