//! The third check before a run: that the target accepts the run's variables (credentials).
//!
//! A protocol that needs credentials ships preflight scenarios in `fixtures/<protocol>/preflight/`:
//! normal scenario files (outside `scenarios/`, so the suite never loads them) whose steps show
//! the credentials at work, e.g. a connection with a token, accepted. Each runs on its own (a
//! refused connection ends a scenario, so one file per credential reports every bad one) against
//! every target of its protocol, the embedded reference server included, with the run's `--var`
//! values. Each failing step becomes one line: what failed, for which actor, the run variables
//! (`${var_…}`) the step and its actor's connection use, found in the scenario's data, and the
//! `--var` to give instead.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;

use serde_json::Value;

use super::{Checks, Problem, ProblemKind};
use crate::exec::OnDeviation;
use crate::report::model::{CheckKind, CheckResult, CheckVerdict, ScenarioResult, Verdict};
use crate::runner::RunOptions;
use crate::runner::suite::{SuitePlan, TargetSource, run_all};
use crate::scenario::checks::{RUN_VARIABLE_PREFIX, actor_references, step_references};
use crate::scenario::model::{Action, Scenario};
use crate::scenario::{ScenarioError, load_dir};

/// The folder of preflight scenarios in `fixtures/<protocol>/`.
pub const PREFLIGHT_DIR: &str = "preflight";

/// The most characters of a target's answer a line shows.
pub const SHOWN_ANSWER_CHARS: usize = 200;

/// Runs the preflight scenarios of each of `protocols`; the problems found.
pub async fn check(checks: &Checks<'_>, protocols: &[String]) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut scenarios = Vec::new();
    for protocol in protocols {
        match load(checks.fixtures, protocol) {
            Ok(found) => scenarios.extend(found),
            Err(errors) => problems.extend(errors.iter().map(file_problem)),
        }
    }
    if scenarios.is_empty() {
        return problems;
    }
    let options = RunOptions {
        on_deviation: OnDeviation::GoOn,
        ..(**checks.options).clone()
    };
    let plan = SuitePlan {
        jobs: scenarios.len(),
        scenarios: scenarios.clone(),
        suites: checks.suites.clone(),
        targets: checks.targets.clone(),
        options: Arc::new(options),
        rerun: Arc::new(|_: &Scenario| String::new()),
    };
    let results = run_all(plan, |_| {}).await;
    for (scenario, result) in scenarios.iter().zip(&results) {
        let subject = match checks.targets.get(&scenario.protocol) {
            Some(TargetSource::External(target)) => format!("{}={}", scenario.protocol, target.url),
            Some(TargetSource::Fresh(factory)) => {
                format!("{}={}", scenario.protocol, factory.name())
            }
            None => scenario.protocol.clone(),
        };
        problems.extend(
            lines(scenario, result, &checks.options.vars)
                .into_iter()
                .map(|reason| Problem {
                    subject: subject.clone(),
                    reason,
                    kind: ProblemKind::Target,
                }),
        );
    }
    problems
}

/// The scenarios of `fixtures/<protocol>/preflight/`, parsed (none if there is no such folder).
pub fn load(fixtures: &Path, protocol: &str) -> Result<Vec<Scenario>, Vec<ScenarioError>> {
    let dir = fixtures.join(protocol).join(PREFLIGHT_DIR);
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let (scenarios, mut errors) = load_dir(&dir);
    for scenario in scenarios.iter().filter(|s| s.protocol != protocol) {
        let message = format!(
            "a preflight scenario of {protocol} says `protocol: {}`",
            scenario.protocol
        );
        errors.push(ScenarioError::new(scenario.location.clone(), message));
    }
    if errors.is_empty() {
        Ok(scenarios)
    } else {
        Err(errors)
    }
}

fn file_problem(error: &ScenarioError) -> Problem {
    let hint = error
        .hint
        .as_ref()
        .map_or_else(String::new, |h| format!(" ({h})"));
    Problem {
        subject: error.location.to_string(),
        reason: format!(
            "{}{hint}; fix the preflight scenario, or run with --no-preflight",
            error.message
        ),
        kind: ProblemKind::PreflightFile,
    }
}

/// One line per failing step of a preflight scenario's result, the first of each actor only
/// (later steps of an actor whose connection failed fail for the same reason); none when it
/// passed or failed only by schema findings (conformance, for the suite to report).
pub fn lines(
    scenario: &Scenario,
    result: &ScenarioResult,
    given: &BTreeMap<String, String>,
) -> Vec<String> {
    let failed: Vec<&CheckResult> = result
        .checks
        .iter()
        .filter(|c| c.verdict == CheckVerdict::Fail)
        .collect();
    if failed.is_empty() {
        return match (&result.verdict, &result.failure) {
            (Verdict::Error, Some(failure)) => vec![failure.message.clone()],
            _ => Vec::new(),
        };
    }
    let mut seen = BTreeSet::new();
    failed
        .into_iter()
        .filter(|c| c.actor.as_ref().is_none_or(|a| seen.insert(a.clone())))
        .map(|check| line(scenario, check, given))
        .collect()
}

/// The line of one failed check.
fn line(scenario: &Scenario, check: &CheckResult, given: &BTreeMap<String, String>) -> String {
    let vars = step_variables(scenario, check.step, check.actor.as_deref());
    let message = check.message.as_deref().unwrap_or("the step failed");
    let got = check
        .actual
        .as_ref()
        .map_or_else(String::new, |v| format!(" ({})", answer(v)));
    let uses = match vars.as_slice() {
        [] => String::new(),
        names => {
            let listed: Vec<String> = names
                .iter()
                .map(|name| match given.contains_key(name) {
                    true => format!("${{{RUN_VARIABLE_PREFIX}{name}}}"),
                    false => format!("${{{RUN_VARIABLE_PREFIX}{name}}} (the profile's default)"),
                })
                .collect();
            format!(", which uses {}", listed.join(" and "))
        }
    };
    let hint = match vars.as_slice() {
        [] => format!("; see {}", check.at),
        [one] => format!("; give a value the target accepts: --var {one}=<value>"),
        names => {
            let flags: Vec<String> = names.iter().map(|n| format!("--var {n}=<value>")).collect();
            format!("; give values the target accepts: {}", flags.join(" "))
        }
    };
    match (&check.kind, &check.actor) {
        (CheckKind::Connect, Some(actor)) => format!("{message} of actor {actor}{uses}{got}{hint}"),
        (_, Some(actor)) => format!("actor {actor}{uses}: {message} at {}{got}{hint}", check.at),
        (_, None) => format!("{message} at {}{uses}{got}{hint}", check.at),
    }
}

/// The run variables (names without `var_`) step `number` (1-based) uses for `actor`: those of
/// the actor's connection (its `query` and `auth`) and, unless it is a `connect`, the step's
/// own, in order, once each.
pub fn step_variables(scenario: &Scenario, number: usize, actor: Option<&str>) -> Vec<String> {
    let steps = scenario.numbered_steps();
    let Some(step) = number.checked_sub(1).and_then(|i| steps.get(i)) else {
        return Vec::new();
    };
    let mut names = Vec::new();
    if let Some(actor) = actor.and_then(|a| scenario.actors.iter().find(|x| x.name == a)) {
        names.extend(actor_references(actor));
    }
    if !matches!(step.action, Action::Connect { .. }) {
        names.extend(step_references(scenario, &step.action));
    }
    let mut seen = BTreeSet::new();
    names
        .into_iter()
        .filter_map(|n| n.strip_prefix(RUN_VARIABLE_PREFIX).map(str::to_owned))
        .filter(|n| seen.insert(n.clone()))
        .collect()
}

/// A target's answer, short: `key value` for an object of one key, else compact JSON.
fn answer(value: &Value) -> String {
    let text = match value {
        Value::Object(map) if map.len() == 1 => map
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect::<String>(),
        other => other.to_string(),
    };
    match text.char_indices().nth(SHOWN_ANSWER_CHARS) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text,
    }
}

#[cfg(test)]
mod tests;
