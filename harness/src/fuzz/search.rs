//! The search: generate sessions from a seed, run each, and shrink the first that breaks a
//! property to the smallest session that still does; then pin the broken property into the
//! file (`!lacks` where a leak arrived) so that `wsconform run` reproduces it.
//!
//! Running a case is the caller's ([`CaseRunner`]: the embedded server or a target, one
//! session per case); the search itself is deterministic given the seed and the runner's
//! verdicts. Every loop is bounded: cases, time and shrink runs.

use std::path::Path;
use std::time::{Duration, Instant};

use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

use super::isolation::{Leak, leaks};
use super::model::FuzzModel;
use super::render::{AnswerCheck, Pins, Rendered, render};
use super::session::{GeneratedSession, sessions};
use crate::report::model::{ScenarioResult, Verdict};
use crate::scenario::model::Scenario;

/// Runs one generated scenario against the target, blocking until it ends.
pub trait CaseRunner {
    /// The result of `scenario`.
    fn run(&self, scenario: &Scenario) -> ScenarioResult;
}

/// What to search.
#[derive(Debug, Clone)]
pub struct SearchConfig {
    /// The protocol.
    pub protocol: String,
    /// Whether it is socket.io (answers are acks).
    pub socketio: bool,
    /// Sessions to run at most.
    pub cases: u32,
    /// The seed of the whole search.
    pub seed: u64,
    /// Stop starting new cases after this long.
    pub time: Option<Duration>,
    /// Runs spent shrinking a failure, at most.
    pub max_shrink_runs: u32,
}

/// What broke.
#[derive(Debug, Clone, PartialEq)]
pub enum Broken {
    /// The scenario's own checks (an answer late or missing, a schema, a connection down).
    Scenario(String),
    /// A value of one role reached another.
    Isolation(Leak),
}

impl std::fmt::Display for Broken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Broken::Scenario(why) => write!(f, "{why}"),
            Broken::Isolation(leak) => write!(
                f,
                "isolation: {} (role {}) received {} (kept as {} by role {}): {}",
                leak.receiver,
                leak.receiver_role,
                leak.value,
                leak.capture,
                leak.owner,
                leak.message
            ),
        }
    }
}

/// A failure, shrunk and written out.
#[derive(Debug, Clone)]
pub struct Shrunk {
    /// The case that failed first (1-based).
    pub case: u32,
    /// What broke, in the shrunk session.
    pub broken: Broken,
    /// The shrunk session's file, the broken property pinned.
    pub yaml: String,
    /// Operations before and after shrinking.
    pub operations: (usize, usize),
    /// Runs spent shrinking.
    pub shrink_runs: u32,
}

/// What a search did.
#[derive(Debug, Clone)]
pub struct SearchReport {
    /// Cases run (shrinking not counted).
    pub cases: u32,
    /// The seed.
    pub seed: u64,
    /// How long it took.
    pub elapsed: Duration,
    /// The first failure, if any.
    pub failure: Option<Shrunk>,
    /// Why the search could not run, if it could not (a template that is not a scenario).
    pub error: Option<String>,
}

/// Searches `model` as `config` says, running cases with `runner`.
pub fn search(model: &FuzzModel, config: &SearchConfig, runner: &dyn CaseRunner) -> SearchReport {
    let started = Instant::now();
    let mut report = SearchReport {
        cases: 0,
        seed: config.seed,
        elapsed: Duration::ZERO,
        failure: None,
        error: None,
    };
    let mut rng = TestRunner::new_with_rng(Config::default(), rng(config.seed));
    let strategy = sessions(model);
    while report.cases < config.cases && config.time.is_none_or(|t| started.elapsed() < t) {
        report.cases += 1;
        let Ok(mut tree) = strategy.new_tree(&mut rng) else {
            report.error = Some("the model generates no session".into());
            break;
        };
        let case = Case {
            model,
            config,
            runner,
            number: report.cases,
        };
        match case.check(&tree.current()) {
            Err(error) => {
                report.error = Some(error);
                break;
            }
            Ok(None) => {}
            Ok(Some(broken)) => {
                report.failure = Some(case.shrink(&mut tree, broken));
                break;
            }
        }
    }
    report.elapsed = started.elapsed();
    report
}

/// A 32-byte ChaCha seed from a 64-bit one.
fn rng(seed: u64) -> TestRng {
    let mut bytes = [0u8; 32];
    for (i, chunk) in bytes.chunks_mut(8).enumerate() {
        let word = seed.rotate_left(u32::try_from(i * 16).unwrap_or(0)) ^ (i as u64);
        chunk.copy_from_slice(&word.to_le_bytes());
    }
    TestRng::from_seed(RngAlgorithm::ChaCha, &bytes)
}

struct Case<'a> {
    model: &'a FuzzModel,
    config: &'a SearchConfig,
    runner: &'a dyn CaseRunner,
    number: u32,
}

impl Case<'_> {
    fn id(&self) -> String {
        format!(
            "{}.fuzz.seed{}.case{}",
            self.config.protocol, self.config.seed, self.number
        )
    }

    fn render(&self, session: &GeneratedSession, pins: &Pins) -> Rendered {
        let (protocol, socketio) = (&self.config.protocol, self.config.socketio);
        render(self.model, protocol, socketio, &self.id(), session, pins)
    }

    /// Runs `session`; what it broke, if anything (`Err`: the file does not parse).
    fn check(&self, session: &GeneratedSession) -> Result<Option<Broken>, String> {
        let rendered = self.render(session, &Pins::default());
        let scenario = parse(&rendered.yaml)?;
        let result = self.runner.run(&scenario);
        if result.verdict != Verdict::Pass {
            let why = result
                .failure
                .as_ref()
                .map_or_else(|| format!("{:?}", result.verdict), |f| f.message.clone());
            return Ok(Some(Broken::Scenario(why)));
        }
        let pools = &self.model.invariants.isolated_pools;
        let found = leaks(&rendered, &scenario, &result, pools);
        Ok(found.into_iter().next().map(Broken::Isolation))
    }

    /// proptest's shrinking loop: simplify while it still fails, complicate back when not.
    fn shrink(
        &self,
        tree: &mut impl ValueTree<Value = GeneratedSession>,
        broken: Broken,
    ) -> Shrunk {
        let first = tree.current();
        let mut best = (first.clone(), broken);
        let mut runs = 0;
        let mut more = tree.simplify();
        while more && runs < self.config.max_shrink_runs {
            runs += 1;
            let candidate = tree.current();
            match self.check(&candidate) {
                Ok(Some(broken)) => {
                    best = (candidate, broken);
                    more = tree.simplify();
                }
                Ok(None) | Err(_) => more = tree.complicate(),
            }
        }
        let (session, broken) = self.drop_operations(best, &mut runs);
        let yaml = self.render(&session, &pins_for(&broken)).yaml;
        Shrunk {
            case: self.number,
            broken,
            yaml,
            operations: (first.operations.len(), session.operations.len()),
            shrink_runs: runs,
        }
    }
}

impl Case<'_> {
    /// A last pass over what proptest's shrinking left: each operation is dropped once more if
    /// the session still fails without it (its element shrinking, which comes after its
    /// deletions, can make an operation that was needed unneeded). Bounded by the operations.
    fn drop_operations(
        &self,
        (mut session, mut broken): (GeneratedSession, Broken),
        runs: &mut u32,
    ) -> (GeneratedSession, Broken) {
        let mut index = 0;
        while index < session.operations.len() && session.operations.len() > 1 {
            let mut candidate = session.clone();
            candidate.operations.remove(index);
            *runs += 1;
            match self.check(&candidate) {
                Ok(Some(still)) => (session, broken) = (candidate, still),
                _ => index += 1,
            }
        }
        (session, broken)
    }
}

/// The assertion that makes the file fail where the property broke.
fn pins_for(broken: &Broken) -> Pins {
    match broken {
        Broken::Scenario(_) => Pins::default(),
        Broken::Isolation(leak) => match leak.in_answer_of {
            Some((number, arguments)) => Pins {
                answers: vec![(number, AnswerCheck::Lacks(leak.capture.clone(), arguments))],
                never_received: Vec::new(),
            },
            None => Pins {
                answers: Vec::new(),
                never_received: vec![(leak.receiver.clone(), leak.capture.clone())],
            },
        },
    }
}

fn parse(yaml: &str) -> Result<Scenario, String> {
    crate::scenario::parse_str(yaml, Path::new("generated.yaml"))
        .map_err(|e| format!("the model made a file that is not a scenario: {e}\n{yaml}"))
}
