//! The human summary of a load report: a table per phase, the latencies, the conformance
//! failures grouped by check (most frequent first), the errors and the gates. Pure text.

use std::fmt::Write;

use super::plan::Model;
use super::report::{LoadReport, PhaseReport};
use crate::report::text::{at_path, shorten};

/// Failure groups shown; the JSON report has them all.
const MAX_GROUPS_SHOWN: usize = 20;

/// The summary of `report`.
pub fn summary(report: &LoadReport) -> String {
    let mut out = String::new();
    let level = match report.model {
        Model::Closed => "users",
        Model::Open => "rate/s",
    };
    let shards = match report.shards.as_slice() {
        [one] if one.count == 1 => String::new(),
        all => format!(
            ", {} of {} shards",
            all.len(),
            all.first().map_or(0, |s| s.count)
        ),
    };
    let _ = writeln!(
        out,
        "\n{} load of {} ({} model{shards}), {:.1} s",
        report.tool,
        report.target,
        model_name(report.model),
        report.duration_s
    );
    let _ = writeln!(
        out,
        "{:<10} {:>7} {:>8} {:>11} {:>11} {:>12} {:>9} {:>9} {:>9}",
        "phase",
        "time",
        level,
        "scenarios/s",
        "messages/s",
        "round trips",
        "p50",
        "p99",
        "failures"
    );
    for phase in report.phases.iter().chain(std::iter::once(&report.total)) {
        phase_line(&mut out, phase);
    }
    latencies(&mut out, &report.total);
    failures(&mut out, report);
    errors(&mut out, &report.total);
    for gate in &report.gates {
        let mark = if gate.passed { "held" } else { "MISSED" };
        let _ = writeln!(
            out,
            "gate {}: limit {}, actual {} — {mark}",
            gate.gate, gate.limit, gate.actual
        );
    }
    out
}

fn model_name(model: Model) -> &'static str {
    match model {
        Model::Closed => "closed",
        Model::Open => "open",
    }
}

fn phase_line(out: &mut String, phase: &PhaseReport) {
    let round_trips = phase
        .latency
        .iter()
        .filter(|l| l.kind == crate::exec::LatencyKind::RoundTrip);
    let mut merged = super::metrics::histogram();
    for latency in round_trips {
        let _ = merged.add(super::report::histogram_of(&latency.histogram));
    }
    let percentile = |q: f64| {
        if merged.is_empty() {
            "-".to_owned()
        } else {
            format!("{:.2}ms", merged.value_at_quantile(q) as f64 / 1000.0)
        }
    };
    let failures: u64 = phase.failures.iter().map(|f| f.count).sum::<u64>()
        + phase.findings.iter().map(|f| f.count).sum::<u64>();
    let _ = writeln!(
        out,
        "{:<10} {:>6.1}s {:>8.0} {:>11.1} {:>11.1} {:>12.1} {:>9} {:>9} {:>9}",
        phase.name,
        phase.duration_s,
        phase.level,
        phase.rates.scenarios,
        phase.rates.messages,
        phase.rates.round_trips,
        percentile(0.5),
        percentile(0.99),
        failures
    );
}

fn latencies(out: &mut String, total: &PhaseReport) {
    if total.latency.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\n{:<44} {:>10} {:>9} {:>9} {:>9} {:>9} {:>9}",
        "latency (ms)", "count", "p50", "p90", "p99", "p99.9", "max"
    );
    for l in &total.latency {
        let name = format!("{} {}", l.kind.as_str(), l.subject);
        let _ = writeln!(
            out,
            "{:<44} {:>10} {:>9.3} {:>9.3} {:>9.3} {:>9.3} {:>9.3}",
            shorten(&name, 44),
            l.count,
            l.p50_ms,
            l.p90_ms,
            l.p99_ms,
            l.p999_ms,
            l.max_ms
        );
    }
}

fn failures(out: &mut String, report: &LoadReport) {
    let total = &report.total;
    if total.failures.is_empty() && total.findings.is_empty() {
        let _ = writeln!(
            out,
            "\nconformance: every received message checked, no failure"
        );
        return;
    }
    let _ = writeln!(out, "\nconformance failures, grouped by check:");
    for f in total.failures.iter().take(MAX_GROUPS_SHOWN) {
        let path = at_path(f.path.as_deref());
        let _ = writeln!(
            out,
            "  {:>8} × {} step {} ({}), {}{path}: {}",
            f.count,
            f.scenario,
            f.step,
            f.at,
            f.cause.as_str(),
            shorten(&f.message, 200)
        );
        let phases: Vec<String> = report
            .phases
            .iter()
            .filter_map(|p| {
                let n: u64 = p
                    .failures
                    .iter()
                    .filter(|g| {
                        (&g.scenario, g.step, g.cause, &g.path)
                            == (&f.scenario, f.step, f.cause, &f.path)
                    })
                    .map(|g| g.count)
                    .sum();
                (n > 0).then(|| format!("{} {n}", p.name))
            })
            .collect();
        let _ = writeln!(out, "             by phase: {}", phases.join(", "));
    }
    for f in total.findings.iter().take(MAX_GROUPS_SHOWN) {
        let path = at_path(f.path.as_deref());
        let _ = writeln!(
            out,
            "  {:>8} × schema of {} in {}{path}: {}",
            f.count,
            f.message_type,
            f.scenario,
            shorten(&f.message, 200)
        );
    }
    let shown =
        total.failures.len().min(MAX_GROUPS_SHOWN) + total.findings.len().min(MAX_GROUPS_SHOWN);
    let all = total.failures.len() + total.findings.len();
    if all > shown {
        let _ = writeln!(out, "  … {} more groups in the JSON report", all - shown);
    }
}

fn errors(out: &mut String, total: &PhaseReport) {
    let runs = &total.runs;
    let _ = writeln!(
        out,
        "\nscenario runs: {} passed, {} failed, {} errors, {} interrupted, {} arrivals dropped",
        runs.passed, runs.failed, runs.errors, runs.interrupted, runs.dropped_arrivals
    );
    if runs.passed + runs.failed + runs.errors == 0 && runs.interrupted > 0 {
        let _ = writeln!(
            out,
            "no scenario run ended: every one was still waiting when the graceful stop ran out"
        );
    }
    if !total.causes.is_empty() {
        let causes: Vec<String> = total
            .causes
            .iter()
            .map(|(cause, n)| format!("{} {n}", cause.as_str()))
            .collect();
        let _ = writeln!(out, "failed runs by cause: {}", causes.join(", "));
        for (cause, message) in &total.cause_examples {
            let _ = writeln!(out, "  {}: {}", cause.as_str(), shorten(message, 160));
        }
    }
}
