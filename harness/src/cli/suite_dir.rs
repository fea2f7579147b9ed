//! Finding and loading the suite: scenario files, profiles and schemas.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use harness::runner::ProtocolSuite;
use harness::scenario::{self, model::Scenario};

use super::arg_groups::SuiteArgs;

/// The suite folder: `--suite`, else the current folder if it holds `scenarios/`, else the
/// source tree this binary was built from.
pub fn root(args: &SuiteArgs) -> PathBuf {
    if let Some(dir) = &args.suite {
        return dir.clone();
    }
    let here = PathBuf::from(".");
    if here.join("scenarios").is_dir() && here.join("fixtures").is_dir() {
        return here;
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Every scenario file parsed; the errors of those that do not parse.
pub fn scenarios(args: &SuiteArgs) -> (Vec<Scenario>, Vec<scenario::ScenarioError>) {
    let (all, errors) = scenario::load_dir(&root(args).join("scenarios"));
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
    let fixtures = root(args).join("fixtures");
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
