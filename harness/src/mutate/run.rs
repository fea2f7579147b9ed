//! A whole campaign: record every scenario, enumerate (and maybe sample) the mutants, run each
//! one, `jobs` runs at a time (each its own task, each against its own fresh server), and tally.

use std::time::Instant;

use futures_util::StreamExt;

use super::campaign::{Campaign, MutantRun, enumerate, sample};
use super::summary::{MutationReport, NotRecorded, Sample};
use crate::report::model::Verdict;
use crate::scenario::model::Scenario;

/// Which mutants run, how many at once, and the share required.
#[derive(Debug, Clone, Copy)]
pub struct Selection {
    /// Run a deterministic sample of this many mutants instead of all of them.
    pub sample: Option<usize>,
    /// The sample's seed.
    pub seed: u64,
    /// Scenario runs at once.
    pub jobs: usize,
    /// The share caught required (percent).
    pub min_share: f64,
}

/// What a campaign reports while it runs.
#[derive(Debug)]
pub enum Progress<'a> {
    /// A scenario's recording run finished.
    Recorded {
        /// The scenario id.
        scenario: &'a str,
        /// Its verdict without mutation.
        verdict: Verdict,
        /// Mutants of its messages.
        mutants: usize,
    },
    /// The mutants to run are known.
    Planned {
        /// Mutants enumerated.
        enumerated: usize,
        /// Mutants that will run.
        selected: usize,
    },
    /// A mutant ran (in completion order).
    Ran {
        /// Runs finished so far.
        done: usize,
        /// Runs in all.
        total: usize,
        /// The run.
        run: &'a MutantRun,
    },
}

/// Runs the campaign over `scenarios` (of one protocol).
pub async fn run_campaign(
    campaign: Campaign,
    scenarios: Vec<Scenario>,
    selection: Selection,
    mut progress: impl FnMut(Progress<'_>),
) -> MutationReport {
    let started = Instant::now();
    let jobs = selection.jobs.max(1);
    let protocol = scenarios
        .first()
        .map(|s| s.protocol.clone())
        .unwrap_or_default();
    let pointer = campaign.suite.profile.type_pointer.clone();
    let recordings = futures_util::stream::iter(scenarios.iter().cloned().map(|scenario| {
        let campaign = campaign.clone();
        tokio::spawn(async move { campaign.record(&scenario).await })
    }))
    .buffered(jobs)
    .collect::<Vec<_>>()
    .await;
    let mut mutants = Vec::new();
    let mut not_recorded = Vec::new();
    for (scenario, recording) in scenarios.iter().zip(recordings) {
        let (verdict, headline, found) = match recording {
            Ok(r) if r.verdict == Verdict::Pass => {
                let found = enumerate(&scenario.id, &r.messages, &pointer);
                (r.verdict, None, found)
            }
            Ok(r) => (r.verdict, r.headline, Vec::new()),
            Err(error) => (Verdict::Error, Some(error.to_string()), Vec::new()),
        };
        if verdict != Verdict::Pass {
            not_recorded.push(NotRecorded {
                scenario: scenario.id.clone(),
                verdict,
                headline,
            });
        }
        progress(Progress::Recorded {
            scenario: &scenario.id,
            verdict,
            mutants: found.len(),
        });
        mutants.extend(found);
    }
    let enumerated = mutants.len();
    if let Some(size) = selection.sample {
        mutants = sample(mutants, size, selection.seed);
    }
    let total = mutants.len();
    progress(Progress::Planned {
        enumerated,
        selected: total,
    });
    let by_id: std::collections::HashMap<&str, &Scenario> =
        scenarios.iter().map(|s| (s.id.as_str(), s)).collect();
    let tasks = mutants.into_iter().enumerate().filter_map(|(at, mutant)| {
        let scenario = (*by_id.get(mutant.scenario.as_str())?).clone();
        let campaign = campaign.clone();
        Some(tokio::spawn(async move {
            (at, campaign.run(&scenario, mutant).await)
        }))
    });
    let mut stream = futures_util::stream::iter(tasks).buffer_unordered(jobs);
    let mut runs: Vec<(usize, MutantRun)> = Vec::with_capacity(total);
    while let Some(joined) = stream.next().await {
        // A run's task only fails if it panicked; that run is missing from the report.
        let Ok((at, run)) = joined else { continue };
        progress(Progress::Ran {
            done: runs.len() + 1,
            total,
            run: &run,
        });
        runs.push((at, run));
    }
    runs.sort_by_key(|(at, _)| *at);
    let runs: Vec<MutantRun> = runs.into_iter().map(|(_, run)| run).collect();
    let (operators, tally) = MutationReport::tally(&runs);
    MutationReport {
        tool: format!("wsconform {}", env!("CARGO_PKG_VERSION")),
        protocol,
        scenarios: scenarios.len(),
        not_recorded,
        enumerated,
        sample: selection.sample.map(|size| Sample {
            size: size.min(enumerated),
            seed: selection.seed,
        }),
        operators,
        share: tally.share(),
        total: tally,
        min_share: selection.min_share,
        runs,
        duration_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
    }
}
