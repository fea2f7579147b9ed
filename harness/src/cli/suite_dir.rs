//! Finding and loading the suite: scenario files, profiles and schemas.
//!
//! Lookup order: `--suite DIR` (or `WSCONFORM_SUITE`), else the current folder if it holds
//! `scenarios/` and `fixtures/`, else the suite built into the binary (`builtin_suite`), written
//! out once to a cache folder so that the file loaders and every file:line message work on it.
//! The source tree the binary was built from is not consulted: an installed binary behaves the
//! same wherever it runs and whether or not its sources are still there.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use anyhow::Context;
use harness::runner::ProtocolSuite;
use harness::scenario::model::{Location, Scenario};
use harness::scenario::{self, ScenarioError};

use super::arg_groups::SuiteArgs;
use super::builtin_suite;

/// What to do when the built-in suite cannot be written out.
const FIX: &str = "set XDG_CACHE_HOME to a folder you can write, or give --suite DIR (`wsconform \
                   suite export DIR` writes one)";

/// Where the suite comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// `--suite DIR` or `WSCONFORM_SUITE`.
    Given(PathBuf),
    /// The current folder, which holds `scenarios/` and `fixtures/`.
    CurrentFolder,
    /// The suite built into the binary.
    BuiltIn,
}

/// Which suite `args` select (nothing is read or written).
pub fn source(args: &SuiteArgs) -> Source {
    if let Some(dir) = &args.suite {
        return Source::Given(dir.clone());
    }
    let here = PathBuf::from(".");
    if here.join("scenarios").is_dir() && here.join("fixtures").is_dir() {
        return Source::CurrentFolder;
    }
    Source::BuiltIn
}

/// The suite in words, for the run's header line.
pub fn describe(args: &SuiteArgs) -> String {
    match source(args) {
        Source::Given(dir) => format!("suite {}", dir.display()),
        Source::CurrentFolder => "suite in the current folder".to_owned(),
        Source::BuiltIn => format!("built-in suite {}", builtin_suite::id()),
    }
}

/// The suite folder (the built-in suite's is written out on first use).
pub fn root(args: &SuiteArgs) -> anyhow::Result<PathBuf> {
    folder(args).map_err(|(path, message)| {
        anyhow::anyhow!(
            "cannot write the built-in suite to {}: {message}; {FIX}",
            path.display()
        )
    })
}

/// The suite folder; else the file of the built-in suite that could not be written, and why.
fn folder(args: &SuiteArgs) -> Result<PathBuf, (PathBuf, String)> {
    static BUILT_IN: OnceLock<Result<PathBuf, (PathBuf, String)>> = OnceLock::new();
    match source(args) {
        Source::Given(dir) => Ok(dir),
        Source::CurrentFolder => Ok(PathBuf::from(".")),
        // Written out and checked once per process.
        Source::BuiltIn => BUILT_IN
            .get_or_init(|| builtin_suite::cached().map_err(|e| (e.path, e.source.to_string())))
            .clone(),
    }
}

/// Every scenario file parsed; the errors of those that do not parse.
pub fn scenarios(args: &SuiteArgs) -> (Vec<Scenario>, Vec<ScenarioError>) {
    let root = match folder(args) {
        Ok(root) => root,
        Err((file, message)) => {
            let at = Location {
                file,
                ..Location::default()
            };
            let message = format!("cannot write the built-in suite there: {message}; {FIX}");
            return (Vec::new(), vec![ScenarioError::new(at, message)]);
        }
    };
    let (all, errors) = scenario::load_dir(&root.join("scenarios"));
    let selected = all.into_iter().filter(|s| selected(args, s)).collect();
    (selected, errors)
}

fn selected(args: &SuiteArgs, scenario: &Scenario) -> bool {
    let protocol = args.protocols.is_empty() || args.protocols.contains(&scenario.protocol);
    let id = args.scenarios.is_empty()
        || args
            .scenarios
            .iter()
            .any(|want| match want.strip_suffix('*') {
                Some(prefix) => scenario.id.starts_with(prefix),
                None => &scenario.id == want,
            });
    let tag = args.tags.is_empty() || args.tags.iter().any(|t| scenario.tags.contains(t));
    protocol && id && tag
}

/// Profiles and compiled schemas of the protocols of `scenarios`.
pub fn protocols(
    args: &SuiteArgs,
    scenarios: &[Scenario],
) -> anyhow::Result<HashMap<String, Arc<ProtocolSuite>>> {
    let fixtures = root(args)?.join("fixtures");
    let mut suites = HashMap::new();
    for scenario in scenarios {
        if suites.contains_key(&scenario.protocol) {
            continue;
        }
        let suite = harness::runner::protocol::load_protocol(&fixtures, &scenario.protocol)
            .with_context(|| format!("loading the {} fixtures", scenario.protocol))?;
        suites.insert(scenario.protocol.clone(), Arc::new(suite));
    }
    Ok(suites)
}
