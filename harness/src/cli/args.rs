//! Command-line arguments (clap).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

pub use super::arg_groups::{SuiteArgs, TargetArgs};

/// wsconform: does your real-time server speak its protocol? Message by message.
#[derive(Debug, Parser)]
#[command(name = "wsconform", version, about)]
pub struct Cli {
    /// More logging (-v info, -vv debug); WSCONFORM_LOG overrides.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the conformance suite (against the embedded reference server unless --target is given).
    Run(RunArgs),
    /// Serve the reference server on its default ports (each overridable; 0 = ephemeral).
    Serve(ServeArgs),
    /// List the scenarios with their ids, levels and clauses.
    List(ListArgs),
    /// Run scenarios under load (against the embedded reference server unless --target is
    /// given): every message still checked; rates, latency percentiles and failures per phase.
    Load(LoadArgs),
    /// Work with reports (merge the JSON reports of a load run's shards).
    Report(ReportArgs),
    /// Run scenarios against a target and the embedded reference server and show, per
    /// scenario, the first message where the target's transcript departs, side by side.
    Diff(super::diff::DiffArgs),
    /// Run the suite (like `run`) and show, per protocol, which message types, fields, enum
    /// values, error codes, options and endpoints of its document it exercised, and which never.
    Coverage(super::coverage::CoverageArgs),
    /// Measure the suite's sensitivity: run one protocol's scenarios through a proxy that
    /// corrupts one server message per run, and report the share of corruptions caught.
    Mutate(super::mutate::MutateArgs),
    /// Work with the suite built into wsconform (`suite export DIR` writes it out, to add
    /// scenarios of your own and run them with `--suite DIR`).
    Suite(super::suite::SuiteCommandArgs),
    /// Send hostile input (Autobahn-style cases, each with the reaction its protocol requires:
    /// `fixtures/<protocol>/hostile.yaml`) to the embedded reference server or a --target, and
    /// check that it reacts as required and no other client is disturbed.
    Fuzz(super::fuzz::FuzzArgs),
}

/// `wsconform run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// A target profile (YAML): targets, capabilities, run variables, dialect, time scale,
    /// jobs, baseline and reports of a team's server (`schemas/target-profile.schema.json`;
    /// examples in `examples/profiles/`). Flags given here win over it.
    #[arg(long, value_name = "FILE")]
    pub profile: Option<PathBuf>,
    /// Which scenarios.
    #[command(flatten)]
    pub suite: SuiteArgs,
    /// The servers and what they need.
    #[command(flatten)]
    pub target: TargetArgs,
    /// Write a report: `json=<path>`, `junit=<path>`, `human=<path>`, `markdown=<path>` (a
    /// summary for a pull-request comment or CI job summary) or `html=<path>` (one offline page
    /// with filters); `-` is stdout; repeatable.
    #[arg(long = "report", value_name = "KIND=PATH")]
    pub reports: Vec<String>,
    /// Scenarios run at once (default 4; 1 when a broadcast protocol such as ark runs against a
    /// target, because on a shared broadcast server parallel scenarios see each other's events
    /// before they can tell them apart; the embedded server gives each scenario its own server).
    #[arg(long)]
    pub jobs: Option<usize>,
    /// SHOULD failures break the run too.
    #[arg(long)]
    pub strict: bool,
    /// Stop each scenario at its first failed check. By default a scenario goes on past a
    /// deviation while later steps still have what they need (its captures), so one deviation
    /// does not hide the others; every check is judged.
    #[arg(long)]
    pub stop_at_first_failure: bool,
    /// A baseline of failures known on the target (JSON, see `--write-baseline`): the run exits
    /// 4 only when results change — a new failure, or a known one that now passes (fixed).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Write this run's failures as a baseline, for people to give each one its reason.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// Skip the checks before the run: each external target reachable and serving its transport
    /// at its path, and every target accepting the run variables, e.g. tokens (the scenarios of
    /// `fixtures/<protocol>/preflight/`). By default a problem there is one line and exit 3.
    #[arg(long)]
    pub no_preflight: bool,
}

/// `wsconform serve`. Besides these, one option per setting each reference protocol declares,
/// `--<protocol>-<setting>` (`--ark-port 0`, `--jobber-token tok-a`); `serve --help` lists them.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: std::net::IpAddr,
    /// Serve only these protocols (repeatable; default: all of them).
    #[arg(long = "only", value_name = "PROTOCOL")]
    pub only: Vec<String>,
    /// Configure every served protocol as the conformance suite's defaults expect (the
    /// embedded target's settings: `tok-a`/`tok-b`, a short heartbeat); later options override.
    #[arg(long)]
    pub suite_settings: bool,
}

/// `wsconform list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Which scenarios.
    #[command(flatten)]
    pub suite: SuiteArgs,
}

/// Performance gates: a missed gate exits 5.
#[derive(Debug, Args)]
pub struct GateArgs {
    /// The 99th percentile of every round trip must not exceed this (e.g. `20ms`).
    #[arg(long, value_name = "DURATION")]
    pub max_p99: Option<String>,
    /// Messages received (and checked) per second must reach this.
    #[arg(long, value_name = "N")]
    pub min_rate: Option<f64>,
    /// Conformance failures (failed checks and schema findings) must not exceed this; without
    /// it, any conformance failure exits 4.
    #[arg(long, value_name = "N")]
    pub max_failures: Option<u64>,
}

/// `wsconform load`.
#[derive(Debug, Args)]
pub struct LoadArgs {
    /// Which scenarios (default: every scenario tagged `load` of the protocol).
    #[command(flatten)]
    pub suite: SuiteArgs,
    /// The servers and what they need.
    #[command(flatten)]
    pub target: TargetArgs,
    /// A YAML load plan: model, phases, scenario weights, gates, limits
    /// (`benches/load/README.md`). Gate flags override its gates.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["users", "rate", "ramp", "duration"])]
    pub plan: Option<PathBuf>,
    /// Closed model: this many virtual users, each looping its scenarios (default 10).
    #[arg(long, conflicts_with = "rate")]
    pub users: Option<u32>,
    /// Open model: this many scenario runs started per second (`500/s`, `30/m`), however fast
    /// the target answers; latency counts from each run's intended start.
    #[arg(long, value_name = "RATE")]
    pub rate: Option<String>,
    /// How long to hold the load (default 10s).
    #[arg(long, value_name = "DURATION")]
    pub duration: Option<String>,
    /// Ramp up linearly to the load over this long first.
    #[arg(long, value_name = "DURATION")]
    pub ramp: Option<String>,
    /// Gates.
    #[command(flatten)]
    pub gates: GateArgs,
    /// Run shard `i` of `n` (0-based) of the load; merge the shards' JSON reports with
    /// `wsconform report merge`.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<String>,
    /// Write a report: `json=<path>` or `human=<path>` (`-` is stdout); repeatable.
    #[arg(long = "report", value_name = "KIND=PATH")]
    pub reports: Vec<String>,
    /// No live progress.
    #[arg(long)]
    pub quiet: bool,
}

/// `wsconform report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: ReportCommand,
}

/// The `report` commands.
#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// Merge the JSON reports of a load run's shards into one, exactly (histograms add; no
    /// percentile is averaged), then judge the gates on the merged figures.
    Merge(MergeArgs),
}

/// `wsconform report merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The shards' JSON reports.
    #[arg(required = true, value_name = "REPORT.json")]
    pub files: Vec<PathBuf>,
    /// Gates, judged on the merged report.
    #[command(flatten)]
    pub gates: GateArgs,
    /// Write the merged report: `json=<path>` or `human=<path>` (`-` is stdout); repeatable.
    #[arg(long = "report", value_name = "KIND=PATH")]
    pub reports: Vec<String>,
}
