//! Reports of a run: one result model ([`model`]) and pure renderers of it.
//!
//! Renderers turn a [`model::RunReport`] into text; they never run anything, never print, and
//! never decide verdicts.

pub mod baseline;
pub mod coverage;
pub mod diff;
pub mod golden;
pub mod html;
pub mod human;
pub mod junit;
pub mod markdown;
pub mod model;
pub mod root_causes;
#[cfg(test)]
pub(crate) mod test_support;
pub mod text;

use std::str::FromStr;

/// A report format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportKind {
    /// For people at a terminal.
    Human,
    /// The result model as JSON.
    Json,
    /// JUnit XML for CI systems.
    Junit,
    /// A Markdown summary for a pull-request comment or a CI job summary.
    Markdown,
    /// One self-contained offline HTML page, with filters.
    Html,
}

impl FromStr for ReportKind {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "human" => Ok(ReportKind::Human),
            "json" => Ok(ReportKind::Json),
            "junit" => Ok(ReportKind::Junit),
            "markdown" => Ok(ReportKind::Markdown),
            "html" => Ok(ReportKind::Html),
            other => Err(format!(
                "unknown report kind {other:?} (expected human, json, junit, markdown or html)"
            )),
        }
    }
}

/// Renders `report` in `kind`.
pub fn render(kind: ReportKind, report: &model::RunReport) -> String {
    match kind {
        ReportKind::Human => human::render(report, false),
        ReportKind::Json => serde_json::to_string_pretty(report)
            .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}")),
        ReportKind::Junit => junit::render(report),
        ReportKind::Markdown => markdown::render(report),
        ReportKind::Html => html::render(report),
    }
}
