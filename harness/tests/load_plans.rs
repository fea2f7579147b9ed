//! The load plans of `benches/load/`, checked against the code that reads them.
//!
//! Every plan parses with [`LoadPlan::load`] and names only scenarios that exist in
//! `scenarios/`, all of one protocol, so renaming a scenario breaks this test rather than a load
//! run.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use harness::load::LoadPlan;
use harness::scenario::load_dir;
use harness::scenario::model::Scenario;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Every `*.yaml` of `benches/load/`, parsed.
fn plans() -> Vec<(String, LoadPlan)> {
    let dir = root().join("benches/load");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let plan = LoadPlan::load(&path).unwrap_or_else(|e| panic!("{e}"));
            (name, plan)
        })
        .collect()
}

fn scenarios() -> Vec<Scenario> {
    let (all, errors) = load_dir(&root().join("scenarios"));
    assert!(errors.is_empty(), "scenario files do not parse: {errors:?}");
    all
}

/// The scenarios a selector picks (an id, or a prefix ending in `*`), as `wsconform load` does.
fn picked<'a>(all: &'a [Scenario], selector: &str) -> Vec<&'a Scenario> {
    all.iter()
        .filter(|s| match selector.strip_suffix('*') {
            Some(prefix) => s.id.starts_with(prefix),
            None => s.id == selector,
        })
        .collect()
}

/// The one protocol of a plan's scenarios.
fn protocol_of(name: &str, plan: &LoadPlan, all: &[Scenario]) -> String {
    let mut protocols = Vec::new();
    for wanted in &plan.scenarios {
        let hits = picked(all, &wanted.selector);
        assert!(
            !hits.is_empty(),
            "{name}: no scenario in scenarios/ is {:?}",
            wanted.selector
        );
        protocols.extend(hits.iter().map(|s| s.protocol.clone()));
    }
    protocols.sort();
    protocols.dedup();
    assert_eq!(protocols.len(), 1, "{name}: a load runs one protocol");
    protocols.remove(0)
}

#[test]
fn every_load_plan_parses_and_names_existing_scenarios_of_one_protocol() {
    let plans = plans();
    let names: Vec<&str> = plans.iter().map(|(name, _)| name.as_str()).collect();
    for expected in [
        "ark-fanout.yaml",
        "jobber-mix.yaml",
        "jobber-open.yaml",
        "jobber-send-job.yaml",
    ] {
        assert!(
            names.contains(&expected),
            "{expected} is missing: {names:?}"
        );
    }
    let all = scenarios();
    for (name, plan) in &plans {
        assert!(!plan.scenarios.is_empty(), "{name}: names its scenarios");
        protocol_of(name, plan, &all);
        assert!(
            plan.scenarios.iter().any(|w| w.weight > 0),
            "{name}: every weight is 0, nothing would run"
        );
    }
}
