//! The argument groups several commands share: which scenarios (`SuiteArgs`) and which servers
//! with what they need (`TargetArgs`). Kept apart from `args.rs` so that the commands that
//! define their own arguments (`diff`, `coverage`) can use them without an import circle.

use std::path::PathBuf;

use clap::Args;

/// Where the suite is.
#[derive(Debug, Clone, Args)]
pub struct SuiteArgs {
    /// The folder holding `scenarios/` and `fixtures/` (default: the current folder if it has
    /// them, else the suite built into wsconform; `wsconform suite export DIR` writes that out).
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

/// The targets of `run` and `load`, and what the scenarios need of them.
#[derive(Debug, Args)]
pub struct TargetArgs {
    /// A server, `<protocol>=<base url>` (e.g. `ark=http://127.0.0.1:3003`); repeatable.
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
    /// Multiply every timeout, window and sleep (slow machines: 2, 3, ...).
    #[arg(long, default_value_t = 1.0)]
    pub time_scale: f64,
}
