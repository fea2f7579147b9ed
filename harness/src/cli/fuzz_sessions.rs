//! `wsconform fuzz`'s generated sessions (`harness::fuzz`): for each protocol with a fuzzing
//! model (`fixtures/<protocol>/fuzz.yaml`), sessions generated from a seed run against the
//! target; the first that breaks a property is shrunk and written out as a scenario file, with
//! the command that reproduces it. Prints cases run, properties, seed and time.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use clap::Args;
use harness::embedded::EmbeddedFactory;
use harness::fuzz::on_target::TargetCases;
use harness::fuzz::{FuzzModel, ModelError, SearchConfig, SearchReport, search};
use harness::profile::TransportKind;
use harness::runner::suite::TargetSource;
use harness::runner::{RunOptions, Target, TargetFactory};

/// The generated-session options.
#[derive(Debug, Clone, Args)]
pub struct SessionArgs {
    /// Generated sessions per protocol, at most.
    #[arg(long, default_value_t = 100)]
    pub cases: u32,
    /// The seed (default: one from the clock, printed so the run can be repeated).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Stop starting new sessions after this long (`30s`, `5m`).
    #[arg(long, value_name = "DURATION")]
    pub time: Option<String>,
    /// Where a shrunk failure is written (`<dir>/<scenario id>.yaml`).
    #[arg(long, value_name = "DIR", default_value = "fuzz-failures")]
    pub write_to: PathBuf,
    /// Run no generated sessions (hostile input only).
    #[arg(long, conflicts_with = "no_hostile")]
    pub no_sessions: bool,
    /// Run no hostile input (generated sessions only).
    #[arg(long)]
    pub no_hostile: bool,
}

/// What the generated sessions of one protocol came to.
pub enum SessionsRun {
    /// The protocol has no fuzzing model.
    NoModel,
    /// The search ran.
    Ran(SearchReport),
}

/// The properties every generated session is checked for, as printed.
const PROPERTIES: &str = "every message in its schema, every answer within its timeout, \
connections up after bad input, no value of one role reaching another";

/// Runs `protocol`'s generated sessions (from a blocking thread: each case blocks on the
/// runtime), printing what it does.
pub async fn run_sessions(
    args: &SessionArgs,
    fixtures: &Path,
    protocol: &str,
    external: Option<&Target>,
    options: Arc<RunOptions>,
) -> anyhow::Result<SessionsRun> {
    let model = match FuzzModel::load(fixtures, protocol) {
        Ok(model) => model,
        Err(ModelError::Missing(_)) => return Ok(SessionsRun::NoModel),
        Err(error) => return Err(error.into()),
    };
    let suite = harness::runner::protocol::load_protocol(fixtures, protocol)
        .with_context(|| format!("loading the {protocol} fixtures"))?;
    let seed = args.seed.unwrap_or_else(clock_seed);
    let time = match &args.time {
        Some(text) => Some(
            harness::scenario::parse_duration(text)
                .with_context(|| format!("--time {text:?} is not a duration like 30s"))?,
        ),
        None => None,
    };
    let config = SearchConfig {
        protocol: protocol.to_owned(),
        socketio: suite.profile.transport == TransportKind::Socketio,
        cases: args.cases,
        seed,
        time,
        max_shrink_runs: 256,
    };
    let source = match external {
        Some(target) => TargetSource::External(target.clone()),
        None => TargetSource::Fresh(Arc::new(EmbeddedFactory) as Arc<dyn TargetFactory>),
    };
    let runner = TargetCases {
        suite: Arc::new(suite),
        source,
        options,
        handle: tokio::runtime::Handle::current(),
    };
    println!(
        "wsconform fuzz {protocol}: up to {} generated session(s), seed {seed}{}",
        config.cases,
        time.map_or_else(String::new, |t| format!(", at most {t:?}"))
    );
    println!("  properties: {PROPERTIES}");
    for name in model.property_names() {
        println!("  and the model's: {name}");
    }
    let report = tokio::task::spawn_blocking(move || search(&model, &config, &runner))
        .await
        .context("the generated sessions' task failed")?;
    Ok(SessionsRun::Ran(report))
}

/// Prints a search's outcome and writes its failure; whether it failed.
pub fn show(
    report: &SearchReport,
    protocol: &str,
    fixtures: &Path,
    write_to: &Path,
    rerun_flags: &str,
) -> anyhow::Result<bool> {
    println!(
        "{protocol}: {} generated session(s) run, seed {}, in {:.1}s",
        report.cases,
        report.seed,
        report.elapsed.as_secs_f64()
    );
    if let Some(error) = &report.error {
        println!("{protocol}: the fuzzing model is wrong: {error}");
        return Ok(true);
    }
    let Some(failure) = &report.failure else {
        println!("{protocol}: every property held");
        return Ok(false);
    };
    let id = format!("{protocol}.fuzz.seed{}.case{}", report.seed, failure.case);
    let path = write_failure(write_to, fixtures, protocol, &id, &failure.yaml)?;
    let (before, after) = failure.operations;
    println!("FAIL  {id}  {}", failure.broken);
    println!(
        "  shrunk from {before} to {after} operation(s) in {} run(s); written to {}",
        failure.shrink_runs,
        path.display()
    );
    println!(
        "  reproduce: wsconform run --suite {} --scenario {id}{rerun_flags}",
        write_to.display()
    );
    println!("  (or this fuzz run again with --seed {})", report.seed);
    Ok(true)
}

fn clock_seed() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(1, |d| d.as_nanos() as u64 ^ 0x9e37_79b9_7f4a_7c15)
}

/// Writes the failure as a suite of its own: `<write_to>/scenarios/<protocol>/<id>.yaml` and
/// the protocol's profile, schemas, coverage and preflight under `<write_to>/fixtures/`, so that
/// `wsconform run --suite <write_to>` runs it wherever the suite came from. The file can also
/// join a suite's `scenarios/<protocol>/` as a regression.
fn write_failure(
    write_to: &Path,
    fixtures: &Path,
    protocol: &str,
    id: &str,
    yaml: &str,
) -> anyhow::Result<PathBuf> {
    let scenarios = write_to.join("scenarios").join(protocol);
    std::fs::create_dir_all(&scenarios)
        .with_context(|| format!("creating {}", scenarios.display()))?;
    let from = fixtures.join(protocol);
    let to = write_to.join("fixtures").join(protocol);
    for part in ["profile.yaml", "coverage.yaml", "schemas", "preflight"] {
        copy(&from.join(part), &to.join(part))?;
    }
    let path = scenarios.join(format!("{id}.yaml"));
    std::fs::write(&path, yaml).with_context(|| format!("writing {}", path.display()))?;
    Ok(path)
}

/// Copies a file or a folder's tree (a missing source is skipped).
fn copy(from: &Path, to: &Path) -> anyhow::Result<()> {
    if from.is_dir() {
        std::fs::create_dir_all(to).with_context(|| format!("creating {}", to.display()))?;
        for entry in
            std::fs::read_dir(from).with_context(|| format!("reading {}", from.display()))?
        {
            let entry = entry?;
            copy(&entry.path(), &to.join(entry.file_name()))?;
        }
    } else if from.is_file() {
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::copy(from, to).with_context(|| format!("copying {}", from.display()))?;
    }
    Ok(())
}
