//! `load_ratio`: the "ratio to the physical limit" in one process run. First the raw
//! WebSocket echo baseline (`benches::echo`), then `wsconform load` of one scenario against the
//! embedded reference server, both with the same connection count on the same 2-worker runtime;
//! prints both rates and their ratio (load round trips/s ÷ echo round trips/s).
//!
//! `cargo run --release -p benches --bin load_ratio -- --users 100 --duration 10s`
//!
//! Every message of the load is schema-checked and matched, as in `wsconform load`. Exit status:
//! 0 a clean run, 1 conformance failures or errors in the load, 3 a run could not start.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use benches::echo::{EchoOptions, echo_baseline};
use clap::Parser;
use harness::embedded::EmbeddedFactory;
use harness::exec::{ProtocolSuite, RunOptions, TranscriptLimit};
use harness::load::launch::{LoadJob, launch};
use harness::load::{LoadPlan, LoadReport, Model};
use harness::profile::Profile;
use harness::runner::TargetFactory;
use harness::scenario::parse_duration;
use harness::schema::SchemaSet;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Echo baseline and a load in the same process run, and their ratio.
#[derive(Debug, Parser)]
#[command(name = "load_ratio")]
struct Arguments {
    /// Echo connections and virtual users.
    #[arg(long, default_value_t = 100)]
    users: u32,
    /// Measured window of each run.
    #[arg(long, default_value = "10s", value_parser = duration)]
    duration: Duration,
    /// The scenario the users loop.
    #[arg(long, default_value = "jobber.load.send_job")]
    scenario: String,
    /// Tokio worker threads (the machine's 2 cores).
    #[arg(long, default_value_t = 2)]
    worker_threads: usize,
}

fn duration(text: &str) -> Result<Duration, String> {
    parse_duration(text).ok_or_else(|| format!("`{text}` is not a duration like `10s`"))
}

fn main() -> ExitCode {
    let arguments = Arguments::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(arguments.worker_threads.max(1))
        .enable_all()
        .build();
    let outcome = runtime
        .context("building the tokio runtime")
        .and_then(|runtime| runtime.block_on(measure(&arguments)));
    match outcome {
        Ok(clean) if clean => ExitCode::SUCCESS,
        Ok(_) => ExitCode::from(1),
        Err(error) => {
            eprintln!("load_ratio: {error:#}");
            ExitCode::from(3)
        }
    }
}

/// Runs both and prints them; `Ok(false)` if the load saw failures or errors.
async fn measure(arguments: &Arguments) -> anyhow::Result<bool> {
    let echo = echo_baseline(EchoOptions {
        connections: usize::try_from(arguments.users)?,
        duration: arguments.duration,
        ..EchoOptions::default()
    })
    .await?;
    println!(
        "echo:  {:>9.0} round trips/s  p50 {:?}  p99 {:?}  ({} connections, {:?})",
        echo.round_trips_per_second,
        echo.latency_p50,
        echo.latency_p99,
        echo.connections,
        echo.elapsed
    );
    let report = load(arguments).await?;
    let total = &report.total;
    let ratio = total.rates.round_trips / echo.round_trips_per_second;
    println!(
        "load:  {:>9.0} round trips/s  ({} users, {}, every message checked: {} failures, {} errors)",
        total.rates.round_trips,
        arguments.users,
        arguments.scenario,
        report.failures(),
        total.runs.errors
    );
    println!("ratio: {ratio:.2} of the echo rate");
    Ok(report.failures() == 0)
}

async fn load(arguments: &Arguments) -> anyhow::Result<LoadReport> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let (scenario, suite) = scenario_and_suite(&root, &arguments.scenario)?;
    let protocol = suite.profile.protocol.clone();
    let factory = EmbeddedFactory;
    let running = factory.start(vec![protocol.clone()], Vec::new()).await?;
    let target = running
        .target(&protocol)
        .context("the embedded server serves the protocol")?;
    let plan = LoadPlan::simple(
        Model::Closed,
        f64::from(arguments.users),
        arguments.duration,
        None,
    );
    let options = RunOptions {
        transcript: TranscriptLimit::Tail(plan.limits.transcript_tail),
        ..RunOptions::default()
    };
    let job = LoadJob {
        plan,
        mix: vec![(scenario, 1)],
        suite,
        options: Arc::new(options),
        shown: format!("{protocol}={} (embedded)", target.url),
        target,
    };
    let launched = launch(job, |_, _| {}).await;
    running.stop().await;
    Ok(launched?.report)
}

/// The scenario `id` from the source tree's suite, and its protocol's profile and schemas.
fn scenario_and_suite(
    root: &Path,
    id: &str,
) -> anyhow::Result<(harness::scenario::model::Scenario, Arc<ProtocolSuite>)> {
    let (scenarios, _) = harness::scenario::load_dir(&root.join("scenarios"));
    let scenario = scenarios
        .into_iter()
        .find(|s| s.id == id)
        .with_context(|| format!("no scenario {id} under {}", root.display()))?;
    let fixtures: PathBuf = root.join("fixtures");
    let profile = Profile::load(&fixtures, &scenario.protocol)?;
    let schemas = SchemaSet::load(&fixtures.join(&scenario.protocol), &profile)?;
    Ok((
        scenario,
        Arc::new(ProtocolSuite {
            profile,
            schemas,
            http: None,
        }),
    ))
}
