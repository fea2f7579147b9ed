//! Carrying out a load plan: virtual users (closed model) or arrivals (open model) over the
//! phases, each scenario run a [`Session`] driven to its end by the same driver `run` uses, every
//! message checked, measured by a per-user [`Recorder`].
//!
//! One task per virtual user (closed) or per arrival (open). The controller only starts users
//! and arrivals on time and moves the phase; users leave when the level drops below them.
//! After the last phase, running scenarios get the graceful stop to finish, then are cut off and
//! counted as interrupted: the run always ends on time.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use tokio::task::JoinSet;

use super::metrics::{FailureKey, Metrics, Recorder, Sample};
use super::plan::{LoadPlan, Model, Shard};
use super::schedule::{Mix, Timeline, shard_arrival};
use crate::drive::Driver;
use crate::exec::markers::MarkerIndex;
use crate::exec::unmet::Cause;
use crate::exec::{Outcome, ScenarioPlan, Session};
use crate::transport::Connector;

/// How often the controller looks at the clock (starts users, moves the phase, reports).
pub const CONTROL_TICK: Duration = Duration::from_millis(50);

/// The causes that make a user pause before its next run.
const ERROR_PAUSE_CAUSES: [Cause; 4] = [
    Cause::Unreachable,
    Cause::Refused,
    Cause::Closed,
    Cause::ConnectionLost,
];

/// What a load run needs.
pub struct LoadSetup {
    /// The plan.
    pub plan: LoadPlan,
    /// The scenarios of the mix, planned against the target, with their weights.
    pub scenarios: Vec<(Arc<ScenarioPlan>, u32)>,
    /// Opens the protocol's connections.
    pub connector: Arc<dyn Connector>,
    /// Whether the protocol broadcasts (sessions then tell their traffic apart by markers).
    pub broadcast: bool,
}

/// What the controller reports while it runs.
#[derive(Debug, Clone)]
pub struct Tick {
    /// Time since the start.
    pub elapsed: Duration,
    /// The plan's whole duration.
    pub total: Duration,
    /// The phase under way.
    pub phase: usize,
    /// Users (or runs) under way.
    pub active: usize,
}

/// A finished load run.
pub struct LoadRun {
    /// What it measured.
    pub metrics: Arc<Metrics>,
    /// Wall time, graceful stop included.
    pub elapsed: Duration,
    /// Most users (or runs) at once.
    pub peak_active: u64,
}

/// What every user shares.
struct Shared {
    plans: Vec<Arc<ScenarioPlan>>,
    names: Vec<Arc<str>>,
    mix: Mix,
    timeline: Timeline,
    shard: Shard,
    error_pause: Duration,
    start: Instant,
    connector: Arc<dyn Connector>,
    markers: Option<Arc<MarkerIndex>>,
    metrics: Arc<Metrics>,
    active: AtomicUsize,
    peak: AtomicU64,
}

impl Shared {
    fn enter(&self) -> ActiveGuard<'_> {
        let now = self.active.fetch_add(1, Ordering::Relaxed) + 1;
        self.peak.fetch_max(now as u64, Ordering::Relaxed);
        ActiveGuard(self)
    }
}

struct ActiveGuard<'a>(&'a Shared);

impl Drop for ActiveGuard<'_> {
    fn drop(&mut self) {
        self.0.active.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Runs `setup`; `on_tick` sees the progress every [`CONTROL_TICK`].
pub async fn run(setup: LoadSetup, mut on_tick: impl FnMut(&Tick, &Metrics)) -> LoadRun {
    let plan = setup.plan;
    let weights: Vec<super::plan::Weighted> = setup
        .scenarios
        .iter()
        .map(|(p, weight)| super::plan::Weighted {
            selector: p.scenario.id.clone(),
            weight: *weight,
        })
        .collect();
    let metrics = Arc::new(Metrics::new(
        plan.phases.len(),
        plan.limits.samples_per_check,
    ));
    let shared = Arc::new(Shared {
        names: setup
            .scenarios
            .iter()
            .map(|(p, _)| Arc::from(p.scenario.id.as_str()))
            .collect(),
        plans: setup.scenarios.into_iter().map(|(p, _)| p).collect(),
        mix: Mix::new(&weights),
        timeline: Timeline::new(&plan.phases),
        shard: plan.shard,
        error_pause: plan.limits.error_pause,
        start: Instant::now(),
        connector: setup.connector,
        markers: setup.broadcast.then(|| Arc::new(MarkerIndex::default())),
        metrics: Arc::clone(&metrics),
        active: AtomicUsize::new(0),
        peak: AtomicU64::new(0),
    });
    let mut tasks = JoinSet::new();
    match plan.model {
        Model::Closed => closed(&shared, &mut tasks, &mut on_tick).await,
        Model::Open => open(&shared, &plan, &mut tasks, &mut on_tick).await,
    }
    let grace = plan.limits.graceful_stop;
    let drained =
        tokio::time::timeout(grace, async { while tasks.join_next().await.is_some() {} }).await;
    if drained.is_err() {
        // Cut off: each unfinished run counts as interrupted (its guard sees it go).
        let cut = shared.active.load(Ordering::Relaxed);
        tasks.abort_all();
        while tasks.join_next().await.is_some() {}
        let last = plan.phases.len().saturating_sub(1);
        for _ in 0..cut {
            metrics.interrupt(last);
        }
    }
    LoadRun {
        elapsed: shared.start.elapsed(),
        peak_active: shared.peak.load(Ordering::Relaxed),
        metrics,
    }
}

fn tick(shared: &Shared, on_tick: &mut impl FnMut(&Tick, &Metrics)) -> Duration {
    let elapsed = shared.start.elapsed();
    let phase = shared.timeline.phase_at(elapsed);
    shared.metrics.set_phase(phase);
    on_tick(
        &Tick {
            elapsed,
            total: shared.timeline.total(),
            phase,
            active: shared.active.load(Ordering::Relaxed),
        },
        &shared.metrics,
    );
    elapsed
}

/// Closed model: keeps the users the level asks for running; each loops its scenarios.
async fn closed(
    shared: &Arc<Shared>,
    tasks: &mut JoinSet<()>,
    on_tick: &mut impl FnMut(&Tick, &Metrics),
) {
    let peak = shared.timeline.peak_users(shared.shard);
    let alive: Arc<Vec<std::sync::atomic::AtomicBool>> =
        Arc::new((0..peak).map(|_| Default::default()).collect());
    loop {
        let elapsed = tick(shared, on_tick);
        if elapsed >= shared.timeline.total() {
            return;
        }
        for local in 0..peak {
            let wanted = shared.timeline.user_runs(shared.shard, local, elapsed);
            if wanted && !alive[local].load(Ordering::Relaxed) {
                alive[local].store(true, Ordering::Relaxed);
                let (shared, alive) = (Arc::clone(shared), Arc::clone(&alive));
                tasks.spawn(async move {
                    user(&shared, local).await;
                    alive[local].store(false, Ordering::Relaxed);
                });
            }
        }
        while tasks.try_join_next().is_some() {}
        tokio::time::sleep(CONTROL_TICK).await;
    }
}

/// One closed-model user: runs scenarios of the mix for as long as the level includes it.
async fn user(shared: &Shared, local: usize) {
    let mut driver = Driver::new(Arc::clone(&shared.connector));
    let mut recorder = Recorder::new(Arc::clone(&shared.metrics));
    // Each user starts at its place in the whole run (shards included), so shards together run
    // the mix exactly as one process would.
    let shard = shared.shard;
    let mut round = local as u64 * u64::from(shard.count) + u64::from(shard.index);
    while shared
        .timeline
        .user_runs(shared.shard, local, shared.start.elapsed())
    {
        let Some(scenario) = shared.mix.pick(round) else {
            return;
        };
        round += 1;
        let cause = run_once(shared, scenario, Instant::now(), &mut driver, &mut recorder).await;
        if cause.is_some_and(|c| ERROR_PAUSE_CAUSES.contains(&c)) {
            tokio::time::sleep(shared.error_pause).await;
        }
    }
}

/// Open model: starts one run per arrival at its intended time, whatever the target's pace.
async fn open(
    shared: &Arc<Shared>,
    plan: &LoadPlan,
    tasks: &mut JoinSet<()>,
    on_tick: &mut impl FnMut(&Tick, &Metrics),
) {
    let mut local = 0u64;
    let mut next_tick = Instant::now();
    loop {
        let now = Instant::now();
        if now >= next_tick {
            tick(shared, on_tick);
            next_tick = now + CONTROL_TICK;
            while tasks.try_join_next().is_some() {}
        }
        let global = shard_arrival(shared.shard, local);
        let Some(at) = shared.timeline.arrival_time(global) else {
            // No arrival left: wait out the plan.
            let end = shared.start + shared.timeline.total();
            while Instant::now() < end {
                tick(shared, on_tick);
                tokio::time::sleep(CONTROL_TICK.min(end - Instant::now())).await;
            }
            return;
        };
        let due = shared.start + at;
        if due > now {
            tokio::time::sleep_until(due.min(next_tick).into()).await;
            continue;
        }
        local += 1;
        if shared.active.load(Ordering::Relaxed) >= plan.limits.max_users {
            shared.metrics.drop_arrival();
            continue;
        }
        let Some(scenario) = shared.mix.pick(global) else {
            return;
        };
        let shared = Arc::clone(shared);
        tasks.spawn(async move {
            let mut driver = Driver::new(Arc::clone(&shared.connector));
            let mut recorder = Recorder::new(Arc::clone(&shared.metrics));
            run_once(&shared, scenario, due, &mut driver, &mut recorder).await;
        });
    }
}

/// One scenario run from `intended` on; why it did not pass, if it did not.
async fn run_once(
    shared: &Shared,
    scenario: usize,
    intended: Instant,
    driver: &mut Driver,
    recorder: &mut Recorder,
) -> Option<Cause> {
    let _active = shared.enter();
    let plan = Arc::clone(&shared.plans[scenario]);
    recorder.begin(&shared.names[scenario]);
    let markers = shared.markers.as_ref().map(|m| m.session());
    let unix_ms =
        crate::runner::unix_now_ms() - i64::try_from(intended.elapsed().as_millis()).unwrap_or(0);
    let mut session = Session::new(plan, intended, unix_ms, markers);
    driver.run(&mut session, recorder).await;
    let outcome = session.finish(Instant::now());
    let took = outcome.finished.saturating_duration_since(intended);
    let (cause, error) = judge(&outcome);
    keep_sample(shared, &shared.names[scenario], recorder.phase(), &outcome);
    recorder.end(cause, error, took);
    cause
}

/// Why a run did not pass (`None`: it passed), and whether that is an error (unreachable
/// target, wrong scenario) rather than a conformance failure.
fn judge(outcome: &Outcome) -> (Option<Cause>, bool) {
    match &outcome.failure {
        Some(failure) => (
            Some(failure.unmet.cause),
            failure.unreachable || failure.unmet.is_scenario_error(),
        ),
        None if !outcome.findings.is_empty() => (Some(Cause::Mismatch), false),
        None => (None, false),
    }
}

/// Keeps the transcript of a failed run as a sample of its failing check, if more are wanted.
fn keep_sample(shared: &Shared, scenario: &str, phase: usize, outcome: &Outcome) {
    let Some(failure) = &outcome.failure else {
        return;
    };
    let (Some(step), Some(kind)) = (failure.step, failure.kind) else {
        return;
    };
    let key = FailureKey {
        scenario: scenario.to_owned(),
        step,
        kind,
        cause: failure.unmet.cause,
        path: failure.unmet.path.clone(),
    };
    if !shared.metrics.wants_sample(&key) {
        return;
    }
    let plan = &shared.plans[0];
    let namespace = plan.suite.profile.namespace.as_deref().unwrap_or("/");
    let transcript = outcome
        .transcript
        .render(outcome.started, &outcome.actors, namespace);
    shared.metrics.keep_sample(
        key,
        Sample {
            phase,
            message: failure.unmet.message.clone(),
            transcript,
        },
    );
}
