//! The command line: argument definitions, the commands, and exit codes.
//!
//! Exit codes (DESIGN.md): 0 conformant, 1 usage, 2 scenario file errors, 3 could not reach the
//! target, 4 conformance failures, 5 a performance gate missed.

mod arg_groups;
mod args;
mod builtin_suite;
mod coverage;
mod diff;
mod execute;
mod fuzz;
mod list;
mod load;
mod load_mix;
mod load_output;
mod mutate;
mod options;
mod profile;
mod progress;
mod report;
mod run;
mod serve;
mod suite;
mod suite_dir;

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};

/// Exit codes of the tool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Everything required passed.
    Conformant = 0,
    /// Bad command line.
    Usage = 1,
    /// Scenario or fixture files are wrong.
    ScenarioFiles = 2,
    /// The target could not be reached.
    Unreachable = 3,
    /// The target broke a requirement.
    Failures = 4,
    /// A performance gate was missed.
    GateMissed = 5,
}

/// Parses the command line and runs the command.
pub fn main() -> ExitCode {
    // `serve` takes one option per declared setting of every reference protocol.
    let command = args::Cli::command()
        .mut_subcommand("serve", serve::with_settings)
        .long_version(format!(
            "{}\nbuilt-in suite {} ({} files), used unless --suite or the current folder gives one",
            env!("CARGO_PKG_VERSION"),
            builtin_suite::id(),
            builtin_suite::file_count()
        ));
    let parsed = command
        .try_get_matches()
        .and_then(|matches| Ok((args::Cli::from_arg_matches(&matches)?, matches)));
    let (cli, matches) = match parsed {
        Ok(parsed) => parsed,
        Err(error) => {
            let _ = error.print();
            return ExitCode::from(if error.use_stderr() {
                Exit::Usage as u8
            } else {
                0
            });
        }
    };
    init_tracing(cli.verbose);
    let outcome = match cli.command {
        args::Command::Run(run) => run::run(run),
        args::Command::Serve(serve) => {
            let settings = matches
                .subcommand_matches("serve")
                .cloned()
                .unwrap_or_default();
            serve::serve(serve, &settings)
        }
        args::Command::List(list) => list::list(list),
        args::Command::Load(load) => load::load(load),
        args::Command::Report(report) => report::report(report),
        args::Command::Diff(diff) => diff::diff(diff),
        args::Command::Coverage(args) => coverage::coverage(args),
        args::Command::Mutate(mutate) => mutate::mutate(mutate),
        args::Command::Suite(args) => suite::suite(args),
        args::Command::Fuzz(args) => fuzz::fuzz(args),
    };
    match outcome {
        Ok(exit) => ExitCode::from(exit as u8),
        Err(error) => {
            eprintln!("wsconform: {error:#}");
            ExitCode::from(Exit::Usage as u8)
        }
    }
}

fn init_tracing(verbose: u8) {
    let level = match verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("WSCONFORM_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}
