//! Command-line arguments (clap).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

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
}

/// Where the suite is.
#[derive(Debug, Args)]
pub struct SuiteArgs {
    /// The folder holding `scenarios/` and `fixtures/` (default: the current folder if it has
    /// them, else the source tree wsconform was built from).
    #[arg(long, env = "WSCONFORM_SUITE")]
    pub suite: Option<PathBuf>,
    /// Only these protocols (repeatable).
    #[arg(long = "protocol", value_name = "ID")]
    pub protocols: Vec<String>,
    /// Only these scenarios: an id, or a prefix ending in `*` (repeatable).
    #[arg(long = "scenario", value_name = "ID")]
    pub scenarios: Vec<String>,
    /// Only scenarios with this tag (repeatable).
    #[arg(long = "tag")]
    pub tags: Vec<String>,
}

/// `wsconform run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Which scenarios.
    #[command(flatten)]
    pub suite: SuiteArgs,
    /// A server to test, `<protocol>=<base url>` (e.g. `ark=http://127.0.0.1:3003`); repeatable.
    /// Without any, the embedded reference server is started.
    #[arg(long = "target", value_name = "PROTOCOL=URL")]
    pub targets: Vec<String>,
    /// A run variable, `<name>=<value>`, overriding the protocol profile's default (e.g.
    /// `token_a=<a customer token your jobber server accepts>`); repeatable.
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,
    /// An optional capability the targets declare (e.g. `short_heartbeat_interval`); repeatable.
    #[arg(long = "capability", value_name = "NAME")]
    pub capabilities: Vec<String>,
    /// Write a report: `json=<path>`, `junit=<path>` or `human=<path>` (`-` is stdout); repeatable.
    #[arg(long = "report", value_name = "KIND=PATH")]
    pub reports: Vec<String>,
    /// Multiply every timeout, window and sleep (slow machines: 2, 3, ...).
    #[arg(long, default_value_t = 1.0)]
    pub time_scale: f64,
    /// Scenarios run at once (default 4; 1 when a broadcast protocol such as ark runs against a
    /// target, because on a shared broadcast server parallel scenarios see each other's events
    /// before they can tell them apart; the embedded server gives each scenario its own server).
    #[arg(long)]
    pub jobs: Option<usize>,
    /// SHOULD failures break the run too.
    #[arg(long)]
    pub strict: bool,
}

/// `wsconform serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: std::net::IpAddr,
    /// Port of `ark` (0 = ephemeral).
    #[arg(long, default_value_t = 3003)]
    pub ark_port: u16,
    /// ark: heartbeat interval; an agent silent for 3 intervals is offline (e.g. `30s`, `250ms`).
    #[arg(long, default_value = "30s")]
    pub ark_heartbeat_interval: String,
    /// Port of `jobber` (socket.io on `/socket.io/` and `/ws`; 0 = ephemeral).
    #[arg(long, default_value_t = 3000)]
    pub jobber_port: u16,
    /// jobber: an accepted `auth.customerToken`, one customer each (repeatable; default
    /// `dev-token`). The suite's defaults are `tok-a` and `tok-b`.
    #[arg(long = "jobber-token", value_name = "TOKEN")]
    pub jobber_tokens: Vec<String>,
    /// jobber: a per-connection rate limit, `<events>/<window>` (e.g. `10/1s`); default off.
    #[arg(long, value_name = "EVENTS/WINDOW")]
    pub jobber_rate_limit: Option<String>,
}

/// `wsconform list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Which scenarios.
    #[command(flatten)]
    pub suite: SuiteArgs,
}
