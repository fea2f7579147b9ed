//! The coverage section: per protocol, the share of its document the run exercised, overall and
//! per category (exercised over counted, percent, excluded), then the items never exercised and
//! the excluded ones with their reasons, folded (a full suite has none of the first and a few of
//! the second; a partial run has many).
//!
//! Invariants: item names and reasons come from the fixtures and the run, so they are escaped
//! like everything else; at most [`Limits::coverage_items`] items are listed per protocol, the
//! rest counted (the JSON report's `coverage` has every one). Absent when the run measured no
//! coverage.

use std::fmt::Write;

use super::super::model::RunReport;
use super::{Limits, escape};
use crate::report::coverage::{CategoryCoverage, ProtocolCoverage};

/// Writes the section, if the run measured coverage.
pub fn coverage(out: &mut String, report: &RunReport, limits: &Limits) {
    let Some(protocols) = &report.coverage else {
        return;
    };
    out.push_str("<section id=\"coverage\">\n<h2>Coverage of the specification</h2>\n");
    if protocols.is_empty() {
        out.push_str("<p class=\"none\">No protocol was measured.</p>\n</section>\n");
        return;
    }
    for protocol in protocols {
        protocol_block(out, protocol, limits);
    }
    out.push_str("</section>\n");
}

/// One protocol: its figure, its category table, its folded item lists.
fn protocol_block(out: &mut String, protocol: &ProtocolCoverage, limits: &Limits) {
    let _ = writeln!(
        out,
        "<div class=\"coverage\" data-protocol=\"{}\">\n<h3><code>{}</code> {} \
         <span class=\"figure\">{:.1} % of the document exercised ({} of {} items)</span></h3>",
        escape(&protocol.protocol),
        escape(&protocol.protocol),
        bar(protocol.percent),
        protocol.percent,
        protocol.exercised,
        protocol.reachable
    );
    out.push_str(
        "<table class=\"coverage\">\n<thead><tr><th>category</th><th>exercised</th>\
         <th>%</th><th></th><th>excluded</th></tr></thead>\n<tbody>\n",
    );
    for category in &protocol.categories {
        category_row(out, category);
    }
    out.push_str("</tbody>\n</table>\n");
    item_lists(out, protocol, limits);
    out.push_str("</div>\n");
}

fn category_row(out: &mut String, category: &CategoryCoverage) {
    let short = if category.percent < 100.0 {
        " class=\"short\""
    } else {
        ""
    };
    let _ = writeln!(
        out,
        "<tr{short}><td>{}</td><td class=\"num\">{}/{}</td><td class=\"num\">{:.1} %</td>\
         <td>{}</td><td class=\"num\">{}</td></tr>",
        category.category.name(),
        category.exercised,
        category.total - category.excluded,
        category.percent,
        bar(category.percent),
        category.excluded
    );
}

/// A bar `percent` wide (the width is a number the page computes, never text from the run).
fn bar(percent: f64) -> String {
    let width = percent.clamp(0.0, 100.0);
    format!("<span class=\"bar\"><span style=\"width:{width:.1}%\"></span></span>")
}

/// The items never exercised, then the excluded ones with their reasons, each list folded; at
/// most `limits.coverage_items` items over both.
fn item_lists(out: &mut String, protocol: &ProtocolCoverage, limits: &Limits) {
    let never: Vec<(&str, &str, Option<&str>)> = protocol
        .categories
        .iter()
        .flat_map(|c| {
            c.never
                .iter()
                .map(|item| (c.category.name(), item.as_str(), None))
        })
        .collect();
    let excluded: Vec<(&str, &str, Option<&str>)> = protocol
        .categories
        .iter()
        .flat_map(|c| {
            c.excluded_items
                .iter()
                .map(|e| (c.category.name(), e.item.as_str(), Some(e.reason.as_str())))
        })
        .collect();
    let mut room = limits.coverage_items;
    let lists = [
        ("never", "Never exercised", never),
        ("excluded", "Excluded (unreachable)", excluded),
    ];
    for (class, title, items) in lists {
        item_list(
            out,
            (class, title),
            &items,
            &mut room,
            limits.coverage_items,
        );
    }
}

/// One folded list of `(category, item, reason)`, taking from `room` (what is left of `limit`
/// for this protocol); what does not fit is counted.
fn item_list(
    out: &mut String,
    (class, title): (&str, &str),
    items: &[(&str, &str, Option<&str>)],
    room: &mut usize,
    limit: usize,
) {
    if items.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "<details class=\"items {class}\">\n<summary>{title} ({})</summary>\n<ul>",
        items.len()
    );
    let shown = items.len().min(*room);
    for (category, item, reason) in &items[..shown] {
        let reason = reason.map_or(String::new(), |r| format!(" — {}", escape(r)));
        let _ = writeln!(
            out,
            "<li><span class=\"tag\">{category}</span> <code>{}</code>{reason}</li>",
            escape(item)
        );
    }
    out.push_str("</ul>\n");
    if shown < items.len() {
        let _ = writeln!(
            out,
            "<p class=\"more\">… and {} more (at most {} items listed per protocol): the JSON \
             report's <code>coverage</code> has every one.</p>",
            items.len() - shown,
            limit
        );
    }
    *room -= shown;
    out.push_str("</details>\n");
}
