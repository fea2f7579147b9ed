//! Which scenarios a load runs, with their weights: the plan file's mix, else the scenarios the
//! command line names, else every scenario tagged `load`; all of one protocol.

use std::collections::HashMap;

use harness::exec::Target;
use harness::load::LoadPlan;
use harness::load::plan::Weighted;
use harness::scenario::model::Scenario;

use super::args::LoadArgs;
use super::suite_dir;

/// The tag of the scenarios a load runs when none is named.
const LOAD_TAG: &str = "load";

/// Why no scenario mix could be chosen.
pub enum SelectError {
    /// Scenario files have errors.
    Files(Vec<harness::scenario::ScenarioError>),
    /// The selection is not usable.
    Usage(String),
}

/// The scenarios of the load with their weights, and their protocol.
pub fn select(
    args: &LoadArgs,
    plan: &LoadPlan,
    external: &HashMap<String, Target>,
) -> Result<(Vec<(Scenario, u32)>, String), SelectError> {
    let mut suite = args.suite.clone();
    if suite.protocols.is_empty() {
        suite.protocols = external.keys().cloned().collect();
    }
    let named = !args.suite.scenarios.is_empty() || !args.suite.tags.is_empty();
    if !plan.scenarios.is_empty() || !named {
        suite.scenarios.clear();
        suite.tags.clear();
    }
    let (all, errors) = suite_dir::scenarios(&suite);
    if !errors.is_empty() {
        return Err(SelectError::Files(errors));
    }
    let mix: Vec<(Scenario, u32)> = if !plan.scenarios.is_empty() {
        weighted(&all, &plan.scenarios)?
    } else if named {
        all.into_iter().map(|s| (s, 1)).collect()
    } else {
        all.into_iter()
            .filter(|s| s.tags.iter().any(|t| t == LOAD_TAG))
            .map(|s| (s, 1))
            .collect()
    };
    let mut protocols: Vec<&str> = mix.iter().map(|(s, _)| s.protocol.as_str()).collect();
    protocols.sort_unstable();
    protocols.dedup();
    match protocols.as_slice() {
        [] => Err(SelectError::Usage(
            "no scenario matches the selection".into(),
        )),
        [one] => {
            let protocol = (*one).to_owned();
            Ok((mix, protocol))
        }
        many => Err(SelectError::Usage(format!(
            "a load runs one protocol at a time; the selection has {}: add --protocol",
            many.join(", ")
        ))),
    }
}

/// The plan's mix: every entry must name a scenario, and some weight must be above 0.
fn weighted(all: &[Scenario], wanted: &[Weighted]) -> Result<Vec<(Scenario, u32)>, SelectError> {
    let mut mix = Vec::new();
    for want in wanted {
        let before = mix.len();
        for scenario in all {
            let hit = match want.selector.strip_suffix('*') {
                Some(prefix) => scenario.id.starts_with(prefix),
                None => scenario.id == want.selector,
            };
            if hit
                && !mix
                    .iter()
                    .any(|(s, _): &(Scenario, u32)| s.id == scenario.id)
            {
                mix.push((scenario.clone(), want.weight));
            }
        }
        let matched = all.iter().any(|s| match want.selector.strip_suffix('*') {
            Some(prefix) => s.id.starts_with(prefix),
            None => s.id == want.selector,
        });
        if !matched && mix.len() == before {
            return Err(SelectError::Usage(format!(
                "the plan's scenario {:?} matches no scenario",
                want.selector
            )));
        }
    }
    if mix.iter().all(|(_, weight)| *weight == 0) {
        return Err(SelectError::Usage(
            "every scenario of the plan's mix has weight 0: nothing would run".into(),
        ));
    }
    Ok(mix)
}
