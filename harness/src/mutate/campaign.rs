//! A mutation campaign: record each scenario's server messages once through a non-mutating
//! proxy, enumerate the mutants of those messages, then run the scenario once per mutant
//! through a mutating proxy in front of a fresh server from the factory.
//!
//! A mutant is *caught* when the scenario's verdict is not pass (fail or error), *survived*
//! otherwise, *allowed* when it survived and the protocol declares it allowed
//! ([`AllowList`]), and *not applied* when its message did not come, or came with another
//! signature (the run was a control run: nothing was changed), or when a held message (delay,
//! reorder) went out with no message passing it (it was only late, which is no corruption). Only scenarios that pass in their
//! recording are mutated; the others are reported as not recorded.

use std::sync::Arc;

use serde::Serialize;

use super::allowed::AllowList;
use super::message::{Channel, ServerMessage};
use super::mutator::{Applied, Mutant, Tap, Timing};
use super::operators::{Context, Operator, sites};
use super::proxy;
use crate::exec::markers::MarkerIndex;
use crate::report::model::{ScenarioResult, Verdict};
use crate::runner::suite::FRESH_STATE;
use crate::runner::{ProtocolSuite, RunOptions, Target, TargetFactory, run_scenario};
use crate::scenario::model::Scenario;

/// What a campaign runs against and how.
#[derive(Clone)]
pub struct Campaign {
    /// The protocol's profile and schemas.
    pub suite: Arc<ProtocolSuite>,
    /// Starts a fresh server for every run.
    pub factory: Arc<dyn TargetFactory>,
    /// Run options of every scenario run.
    pub options: Arc<RunOptions>,
    /// The timing of the message-level operators.
    pub timing: Timing,
    /// The allowed mutants.
    pub allowed: Arc<AllowList>,
}

/// A scenario's recording run.
#[derive(Debug, Clone)]
pub struct Recording {
    /// The scenario's verdict without mutation.
    pub verdict: Verdict,
    /// Why it did not pass, if it did not.
    pub headline: Option<String>,
    /// The server messages of the run, in arrival order.
    pub messages: Vec<ServerMessage>,
}

/// What became of one mutant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The scenario did not pass.
    Caught,
    /// The scenario passed: a hole in the suite.
    Survived,
    /// The scenario passed, and the specification allows the change.
    Allowed,
    /// The mutant's message did not come as recorded; nothing was changed.
    NotApplied,
}

/// One mutant's run.
#[derive(Debug, Clone, Serialize)]
pub struct MutantRun {
    /// The mutant.
    #[serde(flatten)]
    pub mutant: Mutant,
    /// What became of it.
    pub status: Status,
    /// The scenario's verdict.
    pub verdict: Verdict,
    /// The mutated message as forwarded (or what was found in its place).
    pub mutated: String,
    /// The scenario's first failure, when it did not pass.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub headline: Option<String>,
    /// Received messages no step matched (a duplicate that survives shows up here).
    pub unmatched: usize,
    /// Why the mutant is allowed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl Campaign {
    /// Runs `scenario` once through a recording proxy.
    pub async fn record(&self, scenario: &Scenario) -> Recording {
        let tap = Arc::new(Tap::recording(&self.suite.profile.type_pointer));
        let result = self.run_through(scenario, Arc::clone(&tap)).await;
        Recording {
            verdict: result.verdict,
            headline: result.failure.map(|f| f.message),
            messages: tap.recorded(),
        }
    }

    /// Runs `scenario` once with `mutant` applied.
    pub async fn run(&self, scenario: &Scenario, mutant: Mutant) -> MutantRun {
        let pointer = &self.suite.profile.type_pointer;
        let tap = Arc::new(Tap::mutating(mutant.clone(), pointer, self.timing));
        let result = self.run_through(scenario, Arc::clone(&tap)).await;
        let caught = result.verdict != Verdict::Pass;
        let (status, mutated, reason) = match tap.applied() {
            Applied::Applied(mutated) if caught => (Status::Caught, mutated, None),
            Applied::Applied(mutated) => match self.allowed.reason(&mutant) {
                Some(reason) => (Status::Allowed, mutated, Some(reason.to_owned())),
                None => (Status::Survived, mutated, None),
            },
            Applied::NotReached => (Status::NotApplied, "(its message never came)".into(), None),
            Applied::Mismatch(found) => (Status::NotApplied, format!("({found})"), None),
            Applied::OnlyLate(why) => (Status::NotApplied, why, None),
        };
        MutantRun {
            mutant,
            status,
            verdict: result.verdict,
            mutated,
            headline: result.failure.map(|f| f.message),
            unmatched: result.unmatched.len(),
            reason,
        }
    }

    /// One scenario run through a proxy with `tap` in front of a fresh server.
    async fn run_through(&self, scenario: &Scenario, tap: Arc<Tap>) -> ScenarioResult {
        let protocol = scenario.protocol.clone();
        let rerun = format!("wsconform run --scenario {}", scenario.id);
        let error = |message: String| crate::runner::error_result(scenario, message, rerun.clone());
        let running = match self
            .factory
            .start(vec![protocol.clone()], scenario.requires.clone())
            .await
        {
            Ok(running) => running,
            Err(failure) => return error(failure.to_string()),
        };
        let result = match running.target(&protocol) {
            None => error(format!(
                "{} does not serve {protocol:?}",
                self.factory.name()
            )),
            Some(target) => {
                let proxy_tap = Arc::clone(&tap);
                match proxy::start(&target.url, self.suite.profile.transport, proxy_tap).await {
                    Err(failure) => error(failure.to_string()),
                    Ok(proxy) => {
                        let mut capabilities = target.capabilities;
                        capabilities.insert(FRESH_STATE.to_owned());
                        let proxied = Target {
                            url: proxy.url().to_owned(),
                            capabilities,
                        };
                        let markers = Arc::new(MarkerIndex::default());
                        let options = &self.options;
                        let rerun = rerun.clone();
                        let result =
                            run_scenario(scenario, &self.suite, &proxied, options, &markers, rerun)
                                .await;
                        tap.seal();
                        result
                    }
                }
            }
        };
        running.stop().await;
        result
    }
}

/// Every mutant of a scenario's recorded messages, in message order.
pub fn enumerate(scenario: &str, messages: &[ServerMessage], type_pointer: &str) -> Vec<Mutant> {
    let mut seen: std::collections::HashMap<Channel, usize> = std::collections::HashMap::new();
    let mut mutants = Vec::new();
    for (at, message) in messages.iter().enumerate() {
        let counter = seen.entry(message.channel).or_default();
        let index = *counter;
        *counter += 1;
        let has_later = messages[at + 1..]
            .iter()
            .any(|later| later.channel == message.channel);
        let context = Context {
            type_pointer,
            has_later,
        };
        let signature = message.signature(type_pointer);
        for operator in Operator::ALL {
            for site in sites(operator, message, context) {
                mutants.push(Mutant {
                    scenario: scenario.to_owned(),
                    channel: message.channel,
                    index,
                    signature: signature.clone(),
                    operator,
                    site,
                });
            }
        }
    }
    mutants
}

/// A deterministic sample of `size` mutants for `seed` (all of them when there are fewer), in
/// their original order.
pub fn sample(mutants: Vec<Mutant>, size: usize, seed: u64) -> Vec<Mutant> {
    if size >= mutants.len() {
        return mutants;
    }
    let mut state = seed;
    let mut order: Vec<usize> = (0..mutants.len()).collect();
    // A partial Fisher–Yates shuffle driven by SplitMix64: the same seed, the same sample.
    for i in 0..size {
        let j = i + (splitmix64(&mut state) % (order.len() - i) as u64) as usize;
        order.swap(i, j);
    }
    let mut chosen: Vec<usize> = order[..size].to_vec();
    chosen.sort_unstable();
    let mut mutants: Vec<Option<Mutant>> = mutants.into_iter().map(Some).collect();
    chosen
        .into_iter()
        .filter_map(|i| mutants[i].take())
        .collect()
}

fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}
