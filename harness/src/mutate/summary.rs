//! The result of a campaign: tallies per operator and overall, the share caught, every
//! survivor; as JSON ([`MutationReport`] serializes) and as text ([`render`]).
//!
//! The share is caught / (caught + survived): allowed mutants (the specification allows the
//! change) and mutants not applied (their message did not come as recorded) are not in it.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use super::campaign::{MutantRun, Status};
use super::operators::Operator;
use crate::report::model::Verdict;

/// Counts of mutants by what became of them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    /// Caught.
    pub caught: usize,
    /// Survived.
    pub survived: usize,
    /// Allowed by the specification.
    pub allowed: usize,
    /// Not applied.
    pub not_applied: usize,
}

impl Tally {
    /// Counts one run.
    pub fn add(&mut self, status: Status) {
        match status {
            Status::Caught => self.caught += 1,
            Status::Survived => self.survived += 1,
            Status::Allowed => self.allowed += 1,
            Status::NotApplied => self.not_applied += 1,
        }
    }

    /// The share caught in percent, of the mutants caught or survived (100 when none).
    pub fn share(&self) -> f64 {
        let judged = self.caught + self.survived;
        if judged == 0 {
            100.0
        } else {
            self.caught as f64 * 100.0 / judged as f64
        }
    }
}

/// A scenario that was not mutated because its recording run did not pass.
#[derive(Debug, Clone, Serialize)]
pub struct NotRecorded {
    /// The scenario id.
    pub scenario: String,
    /// Its verdict without mutation.
    pub verdict: Verdict,
    /// Why, if it says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub headline: Option<String>,
}

/// The sample a run drew, when it did not run every mutant.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Sample {
    /// Mutants drawn.
    pub size: usize,
    /// The seed.
    pub seed: u64,
}

/// A campaign's result.
#[derive(Debug, Clone, Serialize)]
pub struct MutationReport {
    /// The tool and version.
    pub tool: String,
    /// The protocol.
    pub protocol: String,
    /// Scenarios recorded.
    pub scenarios: usize,
    /// Scenarios whose recording did not pass (not mutated).
    pub not_recorded: Vec<NotRecorded>,
    /// Mutants enumerated.
    pub enumerated: usize,
    /// The sample, if one was drawn.
    pub sample: Option<Sample>,
    /// Every operator's tally.
    pub operators: BTreeMap<Operator, Tally>,
    /// The tally of all runs.
    pub total: Tally,
    /// The share caught (percent).
    pub share: f64,
    /// The share required.
    pub min_share: f64,
    /// Every mutant run, in enumeration order.
    pub runs: Vec<MutantRun>,
    /// Wall time.
    pub duration_ms: u64,
}

impl MutationReport {
    /// Tallies `runs`.
    pub fn tally(runs: &[MutantRun]) -> (BTreeMap<Operator, Tally>, Tally) {
        let mut operators = BTreeMap::new();
        let mut total = Tally::default();
        for run in runs {
            operators
                .entry(run.mutant.operator)
                .or_insert_with(Tally::default)
                .add(run.status);
            total.add(run.status);
        }
        (operators, total)
    }

    /// Whether the share meets the minimum.
    pub fn meets_minimum(&self) -> bool {
        self.share >= self.min_share
    }
}

/// The longest mutated frame shown in the text report (characters).
pub const SHOWN_FRAME_CHARS: usize = 240;

/// One line per operator, the total, then every survivor and the allowed mutants by reason.
pub fn render(report: &MutationReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\n{:<16} {:>7} {:>8} {:>7} {:>11} {:>7}",
        "operator", "caught", "survived", "allowed", "not applied", "share"
    );
    let mut line = |name: &str, tally: &Tally| {
        let _ = writeln!(
            out,
            "{name:<16} {:>7} {:>8} {:>7} {:>11} {:>6.1}%",
            tally.caught,
            tally.survived,
            tally.allowed,
            tally.not_applied,
            tally.share()
        );
    };
    for (operator, tally) in &report.operators {
        line(operator.name(), tally);
    }
    line("all", &report.total);
    for run in report.runs.iter().filter(|r| r.status == Status::Survived) {
        let _ = writeln!(out, "\nSURVIVED {}", describe(run));
        let _ = writeln!(out, "  sent: {}", shorten(&run.mutated));
        if run.unmatched > 0 {
            let _ = writeln!(
                out,
                "  ({} received message(s) no step matched)",
                run.unmatched
            );
        }
    }
    let mut reasons: BTreeMap<&str, usize> = BTreeMap::new();
    for run in report.runs.iter().filter(|r| r.status == Status::Allowed) {
        *reasons
            .entry(run.reason.as_deref().unwrap_or(""))
            .or_default() += 1;
    }
    for (reason, count) in reasons {
        let _ = writeln!(out, "allowed ×{count}: {reason}");
    }
    for skipped in &report.not_recorded {
        let _ = writeln!(
            out,
            "not mutated: {} ({:?} without mutation{})",
            skipped.scenario,
            skipped.verdict,
            skipped
                .headline
                .as_deref()
                .map_or_else(String::new, |h| format!(": {h}"))
        );
    }
    let sample = report.sample.map_or_else(String::new, |s| {
        format!(", a sample of {} (seed {})", s.size, s.seed)
    });
    let _ = writeln!(
        out,
        "\n{} mutant(s) of {} scenario(s) ({} enumerated{sample}): {:.1}% caught ({} caught, {} survived, {} allowed, {} not applied; minimum {}%) in {:.1} s",
        report.runs.len(),
        report.scenarios,
        report.enumerated,
        report.share,
        report.total.caught,
        report.total.survived,
        report.total.allowed,
        report.total.not_applied,
        report.min_share,
        report.duration_ms as f64 / 1000.0
    );
    out
}

/// `scenario  connection 0 #3 EVENT job  drop_field /1/priority`.
pub fn describe(run: &MutantRun) -> String {
    let m = &run.mutant;
    let site = if m.site.is_empty() {
        String::new()
    } else {
        format!(" {}", m.site)
    };
    format!(
        "{}  {} #{} {}  {}{site}",
        m.scenario,
        m.channel,
        m.index,
        m.signature,
        m.operator.name()
    )
}

fn shorten(text: &str) -> String {
    if text.chars().count() <= SHOWN_FRAME_CHARS {
        return text.to_owned();
    }
    let mut short: String = text.chars().take(SHOWN_FRAME_CHARS).collect();
    short.push('…');
    short
}
