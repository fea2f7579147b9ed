//! `run --profile FILE`: a target profile folded into the run's arguments. Flags given on the
//! command line win: a `--target` for the same protocol, a `--var` of the same name, a
//! `--time-scale` other than 1, `--jobs`, `--baseline`; reports and capabilities add up.

use std::collections::BTreeMap;
use std::sync::Arc;

use harness::dialect::Dialect;
use harness::target_profile::{ProfileError, TargetProfile};

use super::Exit;
use super::arg_groups::SuiteArgs;
use super::args::RunArgs;
use super::suite_dir;

/// What of a profile cannot be said with the run's flags.
#[derive(Default)]
pub struct Applied {
    /// Per protocol, the target's declared deviations.
    pub dialects: BTreeMap<String, Arc<Dialect>>,
    /// Per protocol, the capabilities its target declares.
    pub capabilities: BTreeMap<String, Vec<String>>,
}

/// Loads `args.profile` (if any), checks it against the suite and folds it into `args`; on
/// mistakes, prints every one and returns the exit code.
pub fn apply(args: &mut RunArgs) -> Result<Applied, Exit> {
    let Some(path) = args.profile.clone() else {
        return Ok(Applied::default());
    };
    let file = path.display().to_string();
    let profile = TargetProfile::load(&path).map_err(report)?;
    let known = known_capabilities(&args.suite);
    let errors = profile.check(&file, &known);
    if !errors.is_empty() {
        return Err(report(errors));
    }
    fold(args, &profile);
    Ok(Applied {
        dialects: profile
            .dialects()
            .into_iter()
            .map(|(protocol, dialect)| (protocol, Arc::new(dialect)))
            .collect(),
        capabilities: profile
            .targets
            .iter()
            .map(|(protocol, target)| (protocol.clone(), target.capabilities.clone()))
            .collect(),
    })
}

fn fold(args: &mut RunArgs, profile: &TargetProfile) {
    let target = &mut args.target;
    for (protocol, declared) in &profile.targets {
        let named = target
            .targets
            .iter()
            .any(|t| t.split_once('=').is_some_and(|(p, _)| p == protocol));
        if !named {
            target.targets.push(format!("{protocol}={}", declared.url));
        }
    }
    let vars = profile
        .targets
        .values()
        .flat_map(|t| t.vars.iter().map(|(name, value)| format!("{name}={value}")));
    // Later values win: the command line's come after the profile's.
    target.vars = vars.chain(target.vars.drain(..)).collect();
    if target.time_scale == 1.0
        && let Some(scale) = profile.time_scale
    {
        target.time_scale = scale;
    }
    args.jobs = args.jobs.or(profile.jobs);
    args.strict |= profile.strict;
    args.stop_at_first_failure |= profile.stop_at_first_failure;
    args.baseline = args.baseline.take().or_else(|| profile.baseline.clone());
    let reports = profile
        .reports
        .iter()
        .map(|(kind, path)| format!("{kind}={}", path.display()));
    args.reports = reports.chain(args.reports.drain(..)).collect();
}

/// Per protocol of the whole suite, the capabilities its scenarios require.
fn known_capabilities(suite: &SuiteArgs) -> BTreeMap<String, Vec<String>> {
    let everything = SuiteArgs {
        suite: suite.suite.clone(),
        protocols: Vec::new(),
        scenarios: Vec::new(),
        tags: Vec::new(),
    };
    let mut known: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for scenario in suite_dir::scenarios(&everything).0 {
        let names = known.entry(scenario.protocol.clone()).or_default();
        for capability in scenario.requires {
            if !names.contains(&capability) {
                names.push(capability);
            }
        }
    }
    known
}

fn report(errors: Vec<ProfileError>) -> Exit {
    for error in &errors {
        eprintln!("{error}");
    }
    eprintln!(
        "wsconform: the profile has {} mistake(s); nothing was run",
        errors.len()
    );
    Exit::ScenarioFiles
}
