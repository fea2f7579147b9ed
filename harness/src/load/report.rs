//! The load report: one serialisable value per run (or per shard), built from the run's
//! [`Metrics`], merged exactly across shards ([`merge`]), rendered for people
//! ([`super::render`]) and judged by gates ([`super::gates`]).
//!
//! Latencies are kept as HdrHistogram buckets (`[value, count]` pairs, microseconds), so merged
//! reports add histograms, never average percentiles; every percentile shown is computed from
//! the histogram. Rates are counts divided by the phase's planned duration.

use std::collections::BTreeMap;

use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};

use super::metrics::{FailureKey, FindingKey, Metrics, PhaseStats, histogram};
use super::plan::{Gates, Model, Phase, Shard};
use crate::exec::unmet::Cause;
use crate::exec::{CheckKind, LatencyKind};
use crate::report::model::TranscriptEntry;

/// A whole load run, or one shard of it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LoadReport {
    /// The tool and its version.
    pub tool: String,
    /// The protocol loaded.
    pub protocol: String,
    /// The target (`jobber=http://…` or the embedded server).
    pub target: String,
    /// The arrival model.
    pub model: Model,
    /// The shards this report covers (one, or all of a merged run).
    pub shards: Vec<Shard>,
    /// The scenarios and their weights.
    pub scenarios: Vec<MixEntry>,
    /// Wall time of the run, seconds (the longest shard's, merged).
    pub duration_s: f64,
    /// Each phase.
    pub phases: Vec<PhaseReport>,
    /// Every phase together.
    pub total: PhaseReport,
    /// Transcripts of failing checks, a few per check.
    pub samples: Vec<SampleReport>,
    /// The gates the run was given (a merge judges the merged figures by them).
    #[serde(default)]
    pub limits: GateLimits,
    /// The gates and whether they held.
    pub gates: Vec<GateResult>,
    /// What the harness process used, per shard.
    pub process: Vec<ProcessFigures>,
}

/// A scenario of the mix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MixEntry {
    /// Its id.
    pub id: String,
    /// Its weight.
    pub weight: u32,
    /// Its file, for failure locations.
    pub file: String,
}

/// One phase's figures.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PhaseReport {
    /// The phase's name.
    pub name: String,
    /// Its planned duration, seconds.
    pub duration_s: f64,
    /// Users (closed) or arrivals per second (open) at its end.
    pub level: f64,
    /// Scenario runs.
    pub runs: RunsReport,
    /// Rates over the phase's duration.
    pub rates: Rates,
    /// Messages sent.
    pub sent: u64,
    /// Messages received, by type.
    pub received: BTreeMap<String, u64>,
    /// Latencies, by kind and subject.
    pub latency: Vec<LatencyReport>,
    /// Failed checks, grouped by step and cause, most frequent first.
    pub failures: Vec<FailureReport>,
    /// Schema findings, grouped by message type and path, most frequent first.
    pub findings: Vec<FindingReport>,
    /// Runs that did not pass, by the cause that stopped them.
    pub causes: BTreeMap<Cause, u64>,
    /// For causes that are errors of the run rather than failed checks (unreachable, scenario),
    /// the first message seen.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub cause_examples: BTreeMap<Cause, String>,
}

/// How scenario runs ended.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunsReport {
    /// Passed.
    pub passed: u64,
    /// Failed a check or broke a schema.
    pub failed: u64,
    /// Could not reach the target, or the scenario is wrong.
    pub errors: u64,
    /// Cut off when the run ended.
    pub interrupted: u64,
    /// Arrivals not started because too many runs were under way (open model).
    pub dropped_arrivals: u64,
}

/// Rates per second.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Rates {
    /// Scenario runs completed.
    pub scenarios: f64,
    /// Messages received (each one schema-checked).
    pub messages: f64,
    /// Messages sent.
    pub sent: f64,
    /// Round trips measured (acks, replies).
    pub round_trips: f64,
    /// Fan-out deliveries measured.
    pub deliveries: f64,
}

/// One latency histogram and its percentiles (milliseconds).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LatencyReport {
    /// What it measures.
    pub kind: LatencyKind,
    /// Of what (a message type, a request, a scenario).
    pub subject: String,
    /// Samples.
    pub count: u64,
    /// Mean.
    pub mean_ms: f64,
    /// Median.
    pub p50_ms: f64,
    /// 90th percentile.
    pub p90_ms: f64,
    /// 99th percentile.
    pub p99_ms: f64,
    /// 99.9th percentile.
    pub p999_ms: f64,
    /// Largest.
    pub max_ms: f64,
    /// The histogram: `[microseconds, count]` for every bucket that has samples.
    pub histogram: Vec<[u64; 2]>,
}

/// A failing check, grouped.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FailureReport {
    /// The scenario.
    pub scenario: String,
    /// The step's number.
    pub step: usize,
    /// The step's `file:line`.
    pub at: String,
    /// The kind of check.
    pub kind: CheckKind,
    /// Why.
    pub cause: Cause,
    /// The JSON path, if at one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// How often.
    pub count: u64,
    /// The first failure's message.
    pub message: String,
}

/// A schema finding, grouped.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FindingReport {
    /// The scenario.
    pub scenario: String,
    /// The message type.
    pub message_type: String,
    /// Where in the message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// How often.
    pub count: u64,
    /// The first finding's message.
    pub message: String,
}

/// A transcript of a failing check.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SampleReport {
    /// The scenario.
    pub scenario: String,
    /// The failing step.
    pub step: usize,
    /// Why.
    pub cause: Cause,
    /// The phase it happened in.
    pub phase: String,
    /// The failure's message.
    pub message: String,
    /// The tail of the session's transcript.
    pub transcript: Vec<TranscriptEntry>,
}

/// The gates a run was given, as a report keeps them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GateLimits {
    /// `max_p99`, milliseconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_p99_ms: Option<f64>,
    /// `min_rate`, messages per second.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_rate: Option<f64>,
    /// `max_failures`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_failures: Option<u64>,
}

impl From<&Gates> for GateLimits {
    fn from(gates: &Gates) -> GateLimits {
        GateLimits {
            max_p99_ms: gates.max_p99.map(|d| d.as_secs_f64() * 1000.0),
            min_rate: gates.min_rate,
            max_failures: gates.max_failures,
        }
    }
}

impl From<&GateLimits> for Gates {
    fn from(limits: &GateLimits) -> Gates {
        Gates {
            max_p99: limits
                .max_p99_ms
                .and_then(|ms| std::time::Duration::try_from_secs_f64(ms / 1000.0).ok()),
            min_rate: limits.min_rate,
            max_failures: limits.max_failures,
        }
    }
}

/// A gate and its verdict.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GateResult {
    /// `max_p99`, `min_rate` or `max_failures`.
    pub gate: String,
    /// The limit, as given.
    pub limit: String,
    /// What the run did.
    pub actual: String,
    /// Whether it held.
    pub passed: bool,
}

/// What the harness process used.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ProcessFigures {
    /// User CPU seconds.
    pub cpu_user_s: f64,
    /// System CPU seconds.
    pub cpu_system_s: f64,
    /// Resident memory before the run, KiB.
    pub rss_start_kib: u64,
    /// Peak resident memory, KiB.
    pub rss_peak_kib: u64,
    /// Most users (or concurrent runs) at once.
    pub peak_users: u64,
}

/// Everything a report is built from besides the metrics.
pub struct ReportContext<'a> {
    /// The protocol.
    pub protocol: &'a str,
    /// The target, as shown.
    pub target: &'a str,
    /// The model.
    pub model: Model,
    /// This process's shard.
    pub shard: Shard,
    /// The phases as planned.
    pub phases: &'a [Phase],
    /// The mix.
    pub scenarios: Vec<MixEntry>,
    /// Wall time of the run, seconds.
    pub duration_s: f64,
    /// Process figures.
    pub process: ProcessFigures,
}

impl LoadReport {
    /// The report of a finished run.
    pub fn build(context: ReportContext<'_>, metrics: &Metrics) -> LoadReport {
        let stats = metrics.snapshot();
        let files: BTreeMap<&str, &str> = context
            .scenarios
            .iter()
            .map(|m| (m.id.as_str(), m.file.as_str()))
            .collect();
        let phases: Vec<PhaseReport> = context
            .phases
            .iter()
            .zip(&stats)
            .map(|(phase, stats)| phase_report(phase, stats, &files))
            .collect();
        let samples = metrics
            .samples()
            .into_iter()
            .flat_map(|(key, kept)| {
                kept.into_iter().map(move |sample| SampleReport {
                    scenario: key.scenario.clone(),
                    step: key.step,
                    cause: key.cause,
                    phase: context
                        .phases
                        .get(sample.phase)
                        .map_or_else(String::new, |p| p.name.clone()),
                    message: sample.message,
                    transcript: sample.transcript,
                })
            })
            .collect();
        let mut report = LoadReport {
            tool: format!("wsconform {}", env!("CARGO_PKG_VERSION")),
            protocol: context.protocol.to_owned(),
            target: context.target.to_owned(),
            model: context.model,
            shards: vec![context.shard],
            scenarios: context.scenarios,
            duration_s: context.duration_s,
            total: PhaseReport::default(),
            phases,
            samples,
            limits: GateLimits::default(),
            gates: Vec::new(),
            process: vec![context.process],
        };
        report.total = total_of(&report.phases);
        report
    }

    /// Conformance failures of the whole run: failed checks and schema findings.
    pub fn conformance_failures(&self) -> u64 {
        let checks: u64 = self.total.failures.iter().map(|f| f.count).sum();
        let findings: u64 = self.total.findings.iter().map(|f| f.count).sum();
        checks + findings
    }

    /// Everything that kept the run from doing its work as asked: conformance failures, runs
    /// that ended in an error, runs cut off at the end, arrivals dropped (what `--max-failures`
    /// limits).
    pub fn failures(&self) -> u64 {
        let runs = &self.total.runs;
        self.conformance_failures() + runs.errors + runs.interrupted + runs.dropped_arrivals
    }

    /// The round-trip latency of every message type together.
    pub fn round_trips(&self) -> Histogram<u64> {
        let mut all = histogram();
        for latency in &self.total.latency {
            if latency.kind == LatencyKind::RoundTrip {
                let _ = all.add(histogram_of(&latency.histogram));
            }
        }
        all
    }
}

fn phase_report(phase: &Phase, stats: &PhaseStats, files: &BTreeMap<&str, &str>) -> PhaseReport {
    let latency = stats
        .latency
        .iter()
        .map(|((kind, subject), h)| latency_report(*kind, subject, h))
        .collect();
    let mut failures: Vec<FailureReport> = stats
        .failures
        .iter()
        .map(|(key, (count, message))| failure_report(key, *count, message, files))
        .collect();
    failures.sort_by_key(|f| std::cmp::Reverse(f.count));
    let mut findings: Vec<FindingReport> = stats
        .findings
        .iter()
        .map(|(key, (count, message))| finding_report(key, *count, message))
        .collect();
    findings.sort_by_key(|f| std::cmp::Reverse(f.count));
    let mut report = PhaseReport {
        name: phase.name.clone(),
        duration_s: phase.duration.as_secs_f64(),
        level: phase.level,
        runs: RunsReport {
            passed: stats.runs.passed,
            failed: stats.runs.failed,
            errors: stats.runs.errors,
            interrupted: stats.runs.interrupted,
            dropped_arrivals: stats.dropped_arrivals,
        },
        rates: Rates::default(),
        sent: stats.sent,
        received: stats.received.clone(),
        latency,
        failures,
        findings,
        causes: stats.causes.clone(),
        cause_examples: stats.cause_examples.clone(),
    };
    report.rates = rates_of(&report);
    report
}

fn failure_report(
    key: &FailureKey,
    count: u64,
    message: &str,
    files: &BTreeMap<&str, &str>,
) -> FailureReport {
    FailureReport {
        scenario: key.scenario.clone(),
        step: key.step,
        at: files
            .get(key.scenario.as_str())
            .map_or_else(String::new, |file| format!("{file} step {}", key.step)),
        kind: key.kind,
        cause: key.cause,
        path: key.path.clone(),
        count,
        message: message.to_owned(),
    }
}

fn finding_report(key: &FindingKey, count: u64, message: &str) -> FindingReport {
    FindingReport {
        scenario: key.scenario.clone(),
        message_type: key.message.clone(),
        path: key.path.clone(),
        count,
        message: message.to_owned(),
    }
}

/// The report of one histogram.
pub fn latency_report(kind: LatencyKind, subject: &str, h: &Histogram<u64>) -> LatencyReport {
    let ms = |micros: u64| micros as f64 / 1000.0;
    LatencyReport {
        kind,
        subject: subject.to_owned(),
        count: h.len(),
        mean_ms: h.mean() / 1000.0,
        p50_ms: ms(h.value_at_quantile(0.5)),
        p90_ms: ms(h.value_at_quantile(0.9)),
        p99_ms: ms(h.value_at_quantile(0.99)),
        p999_ms: ms(h.value_at_quantile(0.999)),
        max_ms: ms(h.max()),
        histogram: h
            .iter_recorded()
            .map(|v| [v.value_iterated_to(), v.count_at_value()])
            .collect(),
    }
}

/// A histogram rebuilt from its buckets (exactly: each bucket's value falls in its bucket).
pub fn histogram_of(buckets: &[[u64; 2]]) -> Histogram<u64> {
    let mut h = histogram();
    for [value, count] in buckets {
        let _ = h.record_n(*value, *count);
    }
    h
}

/// The rates of a phase report from its counts and duration.
pub fn rates_of(report: &PhaseReport) -> Rates {
    let seconds = report.duration_s.max(f64::MIN_POSITIVE);
    let count = |kind: LatencyKind| -> u64 {
        report
            .latency
            .iter()
            .filter(|l| l.kind == kind)
            .map(|l| l.count)
            .sum()
    };
    let received: u64 = report.received.values().sum();
    let completed = report.runs.passed + report.runs.failed + report.runs.errors;
    Rates {
        scenarios: completed as f64 / seconds,
        messages: received as f64 / seconds,
        sent: report.sent as f64 / seconds,
        round_trips: count(LatencyKind::RoundTrip) as f64 / seconds,
        deliveries: count(LatencyKind::FanOut) as f64 / seconds,
    }
}

/// Every phase together: counts added, histograms added, groups merged.
pub fn total_of(phases: &[PhaseReport]) -> PhaseReport {
    let mut total = PhaseReport {
        name: "total".into(),
        ..PhaseReport::default()
    };
    for phase in phases {
        add_phase(&mut total, phase);
        total.duration_s += phase.duration_s;
        total.level = total.level.max(phase.level);
    }
    total.rates = rates_of(&total);
    total
}

/// Adds `phase`'s counts, histograms and groups into `into` (rates are not recomputed).
pub fn add_phase(into: &mut PhaseReport, phase: &PhaseReport) {
    into.runs.passed += phase.runs.passed;
    into.runs.failed += phase.runs.failed;
    into.runs.errors += phase.runs.errors;
    into.runs.interrupted += phase.runs.interrupted;
    into.runs.dropped_arrivals += phase.runs.dropped_arrivals;
    into.sent += phase.sent;
    for (kind, count) in &phase.received {
        *into.received.entry(kind.clone()).or_default() += count;
    }
    for (cause, count) in &phase.causes {
        *into.causes.entry(*cause).or_default() += count;
    }
    for (cause, message) in &phase.cause_examples {
        into.cause_examples
            .entry(*cause)
            .or_insert_with(|| message.clone());
    }
    for latency in &phase.latency {
        match into
            .latency
            .iter_mut()
            .find(|l| l.kind == latency.kind && l.subject == latency.subject)
        {
            Some(existing) => {
                let mut h = histogram_of(&existing.histogram);
                let _ = h.add(histogram_of(&latency.histogram));
                *existing = latency_report(latency.kind, &latency.subject, &h);
            }
            None => into.latency.push(latency.clone()),
        }
    }
    for failure in &phase.failures {
        match into.failures.iter_mut().find(|f| {
            (&f.scenario, f.step, f.kind, f.cause, &f.path)
                == (
                    &failure.scenario,
                    failure.step,
                    failure.kind,
                    failure.cause,
                    &failure.path,
                )
        }) {
            Some(existing) => existing.count += failure.count,
            None => into.failures.push(failure.clone()),
        }
    }
    for finding in &phase.findings {
        match into.findings.iter_mut().find(|f| {
            (&f.scenario, &f.message_type, &f.path)
                == (&finding.scenario, &finding.message_type, &finding.path)
        }) {
            Some(existing) => existing.count += finding.count,
            None => into.findings.push(finding.clone()),
        }
    }
    into.latency
        .sort_by(|a, b| (a.kind, &a.subject).cmp(&(b.kind, &b.subject)));
    into.failures.sort_by_key(|f| std::cmp::Reverse(f.count));
    into.findings.sort_by_key(|f| std::cmp::Reverse(f.count));
}
