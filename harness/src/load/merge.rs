//! Merging the reports of a run's shards into one, exactly: counts add, histograms add (so
//! merged percentiles are those of all samples, never averages), failure groups merge by check,
//! rates are recomputed from the merged counts over the phases' planned durations.

use super::report::{LoadReport, SampleReport, add_phase, rates_of, total_of};

/// Why reports cannot be merged.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum MergeError {
    /// Nothing to merge.
    #[error("no report to merge")]
    Empty,
    /// The reports are not of one run.
    #[error("the reports are not shards of one run: {0}")]
    Mismatch(String),
}

/// Transcripts kept per failing check in a merged report.
pub const MERGED_SAMPLES_PER_CHECK: usize = 3;

/// One report of every shard's.
pub fn merge(reports: Vec<LoadReport>) -> Result<LoadReport, MergeError> {
    let mut reports = reports.into_iter();
    let mut merged = reports.next().ok_or(MergeError::Empty)?;
    for report in reports {
        check_same_run(&merged, &report)?;
        for shard in &report.shards {
            if merged.shards.contains(shard) {
                return Err(MergeError::Mismatch(format!(
                    "shard {}/{} appears twice",
                    shard.index, shard.count
                )));
            }
        }
        merged.shards.extend(report.shards);
        for (into, phase) in merged.phases.iter_mut().zip(&report.phases) {
            add_phase(into, phase);
        }
        merged.duration_s = merged.duration_s.max(report.duration_s);
        merged.process.extend(report.process);
        merged.samples.extend(report.samples);
    }
    for phase in &mut merged.phases {
        phase.rates = rates_of(phase);
    }
    merged.total = total_of(&merged.phases);
    merged.samples = limit_samples(merged.samples);
    merged.shards.sort_by_key(|s| s.index);
    check_every_shard(&merged)?;
    merged.gates.clear();
    Ok(merged)
}

/// Every shard of the run is there, and they agree on how many there are.
fn check_every_shard(merged: &LoadReport) -> Result<(), MergeError> {
    let count = merged.shards.first().map_or(1, |s| s.count);
    if let Some(other) = merged.shards.iter().find(|s| s.count != count) {
        return Err(MergeError::Mismatch(format!(
            "shard {}/{} is of a run of {} shards, not {count}",
            other.index, other.count, other.count
        )));
    }
    let missing: Vec<String> = (0..count)
        .filter(|i| !merged.shards.iter().any(|s| s.index == *i))
        .map(|i| format!("{i}/{count}"))
        .collect();
    if !missing.is_empty() {
        return Err(MergeError::Mismatch(format!(
            "shard {} missing",
            missing.join(", ")
        )));
    }
    Ok(())
}

fn check_same_run(a: &LoadReport, b: &LoadReport) -> Result<(), MergeError> {
    let names = |r: &LoadReport| r.phases.iter().map(|p| p.name.clone()).collect::<Vec<_>>();
    let differ = |what: &str| Err(MergeError::Mismatch(format!("their {what} differ")));
    if a.protocol != b.protocol {
        return differ("protocols");
    }
    if a.model != b.model {
        return differ("models");
    }
    if names(a) != names(b) {
        return differ("phases");
    }
    let mix = |r: &LoadReport| {
        r.scenarios
            .iter()
            .map(|m| (m.id.clone(), m.weight))
            .collect::<Vec<_>>()
    };
    if mix(a) != mix(b) {
        return differ("scenario mixes");
    }
    Ok(())
}

fn limit_samples(samples: Vec<SampleReport>) -> Vec<SampleReport> {
    let mut kept: Vec<SampleReport> = Vec::new();
    for sample in samples {
        let same = kept
            .iter()
            .filter(|k| {
                (&k.scenario, k.step, k.cause) == (&sample.scenario, sample.step, sample.cause)
            })
            .count();
        if same < MERGED_SAMPLES_PER_CHECK {
            kept.push(sample);
        }
    }
    kept
}
