//! What a load run measures, per phase: scenario runs by verdict, messages by type, latencies
//! in HdrHistograms (round trips per message type, fan-out deliveries, connects, HTTP, whole
//! scenario runs), conformance failures per check, schema findings, errors by cause.
//!
//! Virtual users never share a lock per message: each records into its own [`Recorder`]
//! (buffers of raw samples and counts) and flushes it into the shared [`Metrics`] every
//! [`FLUSH_EVERY`] samples, at the end of each scenario run and when the phase changes. The
//! histograms live only in [`Metrics`], so a user costs a few small buffers, not histograms.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use hdrhistogram::Histogram;

use crate::exec::unmet::Cause;
use crate::exec::{CheckKind, CheckRecord, CheckVerdict, LatencyKind, Observer};
use crate::report::model::{Finding, TranscriptEntry};

/// Samples a recorder buffers before it flushes.
pub const FLUSH_EVERY: usize = 512;

/// Latencies are recorded in microseconds, from 1 µs to an hour, to 3 significant digits.
pub const HISTOGRAM_MAX_MICROS: u64 = 3_600_000_000;
/// Significant digits of every histogram.
pub const HISTOGRAM_SIGFIG: u8 = 3;

/// A new, empty latency histogram.
pub fn histogram() -> Histogram<u64> {
    // The bounds are constants that hdrhistogram accepts.
    Histogram::new_with_bounds(1, HISTOGRAM_MAX_MICROS, HISTOGRAM_SIGFIG)
        .unwrap_or_else(|_| Histogram::new(HISTOGRAM_SIGFIG).unwrap_or_else(|_| unreachable!()))
}

/// A failing check, as failures are grouped: the same step failing the same way.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FailureKey {
    /// The scenario.
    pub scenario: String,
    /// The step's number in its file.
    pub step: usize,
    /// The kind of check.
    pub kind: CheckKind,
    /// Why.
    pub cause: Cause,
    /// The JSON path of the mismatch, if any.
    pub path: Option<String>,
}

/// A schema finding, as findings are grouped.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FindingKey {
    /// The scenario whose session received the message.
    pub scenario: String,
    /// The message's type.
    pub message: String,
    /// Where in the message.
    pub path: Option<String>,
}

/// How scenario runs ended.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunCounts {
    /// Passed: every check held, no finding.
    pub passed: u64,
    /// A check failed or a message broke its schema.
    pub failed: u64,
    /// The target could not be reached, or the scenario itself is wrong.
    pub errors: u64,
    /// Still running when the run ended (cut off after the graceful stop).
    pub interrupted: u64,
}

impl RunCounts {
    /// Runs that ended (interrupted ones excluded).
    pub fn completed(&self) -> u64 {
        self.passed + self.failed + self.errors
    }
}

/// One phase's measurements.
#[derive(Debug, Clone, Default)]
pub struct PhaseStats {
    /// Scenario runs by how they ended.
    pub runs: RunCounts,
    /// Open model: arrivals not started because `max_users` runs were under way.
    pub dropped_arrivals: u64,
    /// Messages sent.
    pub sent: u64,
    /// Messages received, by type.
    pub received: BTreeMap<String, u64>,
    /// Latencies by kind and subject, in microseconds.
    pub latency: BTreeMap<(LatencyKind, String), Histogram<u64>>,
    /// Failed checks, grouped, with the first message of each group.
    pub failures: BTreeMap<FailureKey, (u64, String)>,
    /// Schema findings, grouped, with the first message of each group.
    pub findings: BTreeMap<FindingKey, (u64, String)>,
    /// Runs that did not pass, by the cause that stopped them.
    pub causes: BTreeMap<Cause, u64>,
    /// The first message seen of each cause that is not a failed check (an unreachable target,
    /// a scenario the target cannot run): what the user needs to fix their setup.
    pub cause_examples: BTreeMap<Cause, String>,
}

/// A transcript kept as an example of a failing check.
#[derive(Debug, Clone)]
pub struct Sample {
    /// The phase it happened in.
    pub phase: usize,
    /// Why the run failed.
    pub message: String,
    /// The tail of the session's transcript.
    pub transcript: Vec<TranscriptEntry>,
}

#[derive(Debug, Default)]
struct Aggregate {
    phases: Vec<PhaseStats>,
    samples: BTreeMap<FailureKey, Vec<Sample>>,
}

/// Totals of one phase so far, for a progress display.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Progress {
    /// Scenario runs completed.
    pub completed: u64,
    /// Messages received.
    pub received: u64,
    /// Failed checks and schema findings.
    pub failures: u64,
    /// Median round trip so far, milliseconds.
    pub p50_ms: Option<f64>,
    /// 99th percentile round trip so far, milliseconds.
    pub p99_ms: Option<f64>,
}

/// The measurements of a whole run, shared by its users.
#[derive(Debug)]
pub struct Metrics {
    inner: Mutex<Aggregate>,
    /// The phase under way, set by the scheduler, read by recorders.
    phase: AtomicUsize,
    samples_per_check: usize,
}

impl Metrics {
    /// Empty measurements for `phases` phases.
    pub fn new(phases: usize, samples_per_check: usize) -> Metrics {
        Metrics {
            inner: Mutex::new(Aggregate {
                phases: vec![PhaseStats::default(); phases.max(1)],
                samples: BTreeMap::new(),
            }),
            phase: AtomicUsize::new(0),
            samples_per_check,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Aggregate> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The phase under way.
    pub fn phase(&self) -> usize {
        self.phase.load(Ordering::Relaxed)
    }

    /// Moves to phase `phase`.
    pub fn set_phase(&self, phase: usize) {
        self.phase.store(phase, Ordering::Relaxed);
    }

    /// Totals of `phase` so far (what recorders have flushed).
    pub fn progress(&self, phase: usize) -> Progress {
        let inner = self.lock();
        let Some(stats) = inner.phases.get(phase) else {
            return Progress::default();
        };
        let mut round_trips = histogram();
        for ((kind, _), h) in &stats.latency {
            if *kind == LatencyKind::RoundTrip {
                let _ = round_trips.add(h);
            }
        }
        let quantile = |q: f64| {
            (!round_trips.is_empty()).then(|| round_trips.value_at_quantile(q) as f64 / 1000.0)
        };
        Progress {
            completed: stats.runs.completed(),
            received: stats.received.values().sum(),
            failures: stats.failures.values().map(|(n, _)| n).sum::<u64>()
                + stats.findings.values().map(|(n, _)| n).sum::<u64>(),
            p50_ms: quantile(0.5),
            p99_ms: quantile(0.99),
        }
    }

    /// A copy of every phase's measurements.
    pub fn snapshot(&self) -> Vec<PhaseStats> {
        self.lock().phases.clone()
    }

    /// The transcripts kept per failing check.
    pub fn samples(&self) -> BTreeMap<FailureKey, Vec<Sample>> {
        self.lock().samples.clone()
    }

    /// Counts an arrival that could not start.
    pub fn drop_arrival(&self) {
        let phase = self.phase();
        if let Some(stats) = self.lock().phases.get_mut(phase) {
            stats.dropped_arrivals += 1;
        }
    }

    /// Counts a run cut off at the end.
    pub fn interrupt(&self, phase: usize) {
        if let Some(stats) = self.lock().phases.get_mut(phase) {
            stats.runs.interrupted += 1;
        }
    }

    /// Whether another sample of `key` is wanted (so a transcript is worth rendering).
    pub fn wants_sample(&self, key: &FailureKey) -> bool {
        self.lock()
            .samples
            .get(key)
            .is_none_or(|kept| kept.len() < self.samples_per_check)
    }

    /// Keeps a sample of `key`, if fewer than the limit are kept.
    pub fn keep_sample(&self, key: FailureKey, sample: Sample) {
        let limit = self.samples_per_check;
        let mut inner = self.lock();
        let kept = inner.samples.entry(key).or_default();
        if kept.len() < limit {
            kept.push(sample);
        }
    }
}

/// One user's unflushed measurements; it is the [`Observer`] of the user's sessions.
#[derive(Debug)]
pub struct Recorder {
    metrics: Arc<Metrics>,
    phase: usize,
    scenario: Arc<str>,
    pending: usize,
    sent: u64,
    received: HashMap<Box<str>, u64>,
    /// Samples by kind (indexed as [`LatencyKind::ALL`]) and subject.
    latency: Vec<HashMap<Box<str>, Vec<u64>>>,
    failures: HashMap<FailureKey, (u64, String)>,
    findings: HashMap<FindingKey, (u64, String)>,
    runs: RunCounts,
    causes: HashMap<Cause, u64>,
    cause_examples: HashMap<Cause, String>,
}

impl Recorder {
    /// A recorder flushing into `metrics`.
    pub fn new(metrics: Arc<Metrics>) -> Recorder {
        let phase = metrics.phase();
        Recorder {
            metrics,
            phase,
            scenario: Arc::from(""),
            pending: 0,
            sent: 0,
            received: HashMap::new(),
            latency: vec![HashMap::new(); LatencyKind::ALL.len()],
            failures: HashMap::new(),
            findings: HashMap::new(),
            runs: RunCounts::default(),
            causes: HashMap::new(),
            cause_examples: HashMap::new(),
        }
    }

    /// The measurements shared by every recorder of the run.
    pub fn metrics(&self) -> &Arc<Metrics> {
        &self.metrics
    }

    /// The phase the recorder counts into.
    pub fn phase(&self) -> usize {
        self.phase
    }

    /// The next samples belong to a run of `scenario`; a phase change flushes first.
    pub fn begin(&mut self, scenario: &Arc<str>) {
        self.follow_phase();
        self.scenario = Arc::clone(scenario);
    }

    /// A run ended: `cause` is `None` when it passed, else why it failed; `error` when it was
    /// an error rather than a failure. Its whole duration goes to the `scenario` latency.
    pub fn end(&mut self, cause: Option<Cause>, error: bool, took: Duration) {
        match cause {
            None => self.runs.passed += 1,
            Some(cause) => {
                if error {
                    self.runs.errors += 1;
                } else {
                    self.runs.failed += 1;
                }
                *self.causes.entry(cause).or_default() += 1;
            }
        }
        let subject = Arc::clone(&self.scenario);
        self.record_latency(LatencyKind::Scenario, &subject, took);
        self.flush();
    }

    fn record_latency(&mut self, kind: LatencyKind, subject: &str, took: Duration) {
        let micros = u64::try_from(took.as_micros()).unwrap_or(u64::MAX).max(1);
        let Some(by_subject) = self.latency.get_mut(kind as usize) else {
            return;
        };
        match by_subject.get_mut(subject) {
            Some(samples) => samples.push(micros),
            None => {
                by_subject.insert(Box::from(subject), vec![micros]);
            }
        }
        self.tick();
    }

    fn tick(&mut self) {
        self.pending += 1;
        if self.pending >= FLUSH_EVERY {
            self.flush();
        }
        self.follow_phase();
    }

    fn follow_phase(&mut self) {
        let now = self.metrics.phase();
        if now != self.phase {
            self.flush();
            self.phase = now;
        }
    }

    /// Moves everything buffered into the shared metrics.
    pub fn flush(&mut self) {
        let mut inner = self.metrics.lock();
        let Some(stats) = inner.phases.get_mut(self.phase) else {
            return;
        };
        stats.sent += std::mem::take(&mut self.sent);
        for (kind, count) in self.received.iter_mut() {
            *stats.received.entry(kind.to_string()).or_default() += std::mem::take(count);
        }
        for (kind, by_subject) in LatencyKind::ALL.iter().zip(self.latency.iter_mut()) {
            for (subject, samples) in by_subject.iter_mut() {
                if samples.is_empty() {
                    continue;
                }
                let histogram = stats
                    .latency
                    .entry((*kind, subject.to_string()))
                    .or_insert_with(histogram);
                for micros in samples.drain(..) {
                    histogram.saturating_record(micros);
                }
            }
        }
        for (key, (count, message)) in self.failures.drain() {
            let entry = stats.failures.entry(key).or_insert((0, message));
            entry.0 += count;
        }
        for (key, (count, message)) in self.findings.drain() {
            let entry = stats.findings.entry(key).or_insert((0, message));
            entry.0 += count;
        }
        let runs = std::mem::take(&mut self.runs);
        stats.runs.passed += runs.passed;
        stats.runs.failed += runs.failed;
        stats.runs.errors += runs.errors;
        for (cause, count) in self.causes.drain() {
            *stats.causes.entry(cause).or_default() += count;
        }
        for (cause, message) in self.cause_examples.drain() {
            stats.cause_examples.entry(cause).or_insert(message);
        }
        self.pending = 0;
    }
}

impl Observer for Recorder {
    fn sent(&mut self) {
        self.sent += 1;
        self.tick();
    }

    fn received(&mut self, kind: Option<&str>) {
        let kind = kind.unwrap_or("(untyped)");
        match self.received.get_mut(kind) {
            Some(count) => *count += 1,
            None => {
                self.received.insert(Box::from(kind), 1);
            }
        }
        self.tick();
    }

    fn latency(&mut self, kind: LatencyKind, subject: &str, took: Duration) {
        self.record_latency(kind, subject, took);
    }

    fn check(&mut self, check: &CheckRecord) {
        if check.verdict != CheckVerdict::Fail {
            return;
        }
        let Some(unmet) = &check.unmet else {
            return;
        };
        // An unreachable target or a wrong scenario is an error of the run, not a way the
        // target broke the specification: counted by cause, not as a failed check.
        if matches!(unmet.cause, Cause::Unreachable | Cause::Scenario) {
            self.cause_examples
                .entry(unmet.cause)
                .or_insert_with(|| unmet.message.clone());
            return;
        }
        let key = FailureKey {
            scenario: self.scenario.to_string(),
            step: check.step,
            kind: check.kind,
            cause: unmet.cause,
            path: unmet.path.clone(),
        };
        let entry = self
            .failures
            .entry(key)
            .or_insert((0, unmet.message.clone()));
        entry.0 += 1;
        self.tick();
    }

    fn finding(&mut self, finding: &Finding, kind: Option<&str>) {
        let key = FindingKey {
            scenario: self.scenario.to_string(),
            message: kind.unwrap_or("(untyped)").to_owned(),
            path: finding.path.clone(),
        };
        let entry = self
            .findings
            .entry(key)
            .or_insert((0, finding.message.clone()));
        entry.0 += 1;
        self.tick();
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        self.flush();
    }
}
