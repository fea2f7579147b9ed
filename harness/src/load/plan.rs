//! What a load run is to do: the arrival model and its phases, the scenarios and their weights,
//! the gates, the share of the load this process runs, and the limits — from the command line or
//! a YAML load plan file (`benches/load/*.yaml`; every key documented in `benches/load/README.md`).
//!
//! Pure data and parsing; nothing here runs anything.

use std::path::Path;
use std::time::Duration;

use serde::Deserialize;

use crate::scenario::parse_duration;

/// How virtual users arrive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Model {
    /// A number of users, each looping its scenario (`users` per phase).
    Closed,
    /// A new scenario run per arrival, at a rate (`rate` arrivals per second per phase),
    /// whatever the target's speed: latency counts from each arrival's intended start.
    Open,
}

/// One phase of a run.
#[derive(Debug, Clone, PartialEq)]
pub struct Phase {
    /// Its name in reports (`ramp`, `hold`, …).
    pub name: String,
    /// How long it lasts.
    pub duration: Duration,
    /// Users (closed) or arrivals per second (open) at the end of the phase.
    pub level: f64,
    /// Whether the level moves linearly from the previous phase's (0 before the first) to
    /// `level` over the phase, rather than holding `level` throughout.
    pub ramp: bool,
}

/// A scenario (an id, or an id prefix ending in `*`) and its weight in the mix.
#[derive(Debug, Clone, PartialEq)]
pub struct Weighted {
    /// The id or prefix.
    pub selector: String,
    /// Its share, relative to the others'.
    pub weight: u32,
}

/// Performance gates: a run that misses one exits 5.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Gates {
    /// The 99th percentile of every round trip (all message types) must not exceed this.
    pub max_p99: Option<Duration>,
    /// Messages received and checked per second must reach this.
    pub min_rate: Option<f64>,
    /// Failures must not exceed this: failed checks, schema findings, runs that ended in an
    /// error, runs cut off at the end, arrivals dropped.
    pub max_failures: Option<u64>,
}

/// This process's share of the load: shard `index` of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Shard {
    /// 0-based.
    pub index: u32,
    /// How many shards share the load.
    pub count: u32,
}

impl Default for Shard {
    fn default() -> Self {
        Shard { index: 0, count: 1 }
    }
}

impl std::str::FromStr for Shard {
    type Err = String;

    /// `i/n`, 0-based: `0/2` and `1/2` share a load between two processes.
    fn from_str(text: &str) -> Result<Shard, String> {
        let parsed = text.split_once('/').and_then(|(i, n)| {
            let (index, count) = (i.trim().parse().ok()?, n.trim().parse().ok()?);
            (count > 0 && index < count).then_some(Shard { index, count })
        });
        parsed.ok_or_else(|| format!("shard {text:?}: expected i/n with 0 <= i < n, e.g. 0/2"))
    }
}

/// Limits of a load run, each with its default.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadLimits {
    /// After the last phase, how long running scenarios may take to finish before they are
    /// cut off (and counted as interrupted). Default 5 s.
    pub graceful_stop: Duration,
    /// Most scenario runs at once (open model; arrivals beyond it are dropped and counted).
    /// Default 10 000.
    pub max_users: usize,
    /// Transcript entries each session keeps, for the samples of failing checks. Default 32.
    pub transcript_tail: usize,
    /// Transcripts kept per failing check. Default 3.
    pub samples_per_check: usize,
    /// How long a closed-model user pauses after a run that could not reach the target or keep
    /// a connection (unreachable, refused, closed, lost), so a target that is down is not
    /// hammered by reconnects. Default 100 ms.
    pub error_pause: Duration,
}

impl Default for LoadLimits {
    fn default() -> Self {
        LoadLimits {
            graceful_stop: Duration::from_secs(5),
            max_users: 10_000,
            transcript_tail: 32,
            samples_per_check: 3,
            error_pause: Duration::from_millis(100),
        }
    }
}

/// A whole load plan.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadPlan {
    /// The arrival model.
    pub model: Model,
    /// The phases, in order.
    pub phases: Vec<Phase>,
    /// The scenario mix; empty: every scenario tagged `load`.
    pub scenarios: Vec<Weighted>,
    /// The gates.
    pub gates: Gates,
    /// This process's share.
    pub shard: Shard,
    /// Limits.
    pub limits: LoadLimits,
}

impl LoadPlan {
    /// The whole duration of the phases.
    pub fn duration(&self) -> Duration {
        self.phases.iter().map(|p| p.duration).sum()
    }

    /// A plan of one hold phase (after a ramp phase, if `ramp` is given) at `level`.
    pub fn simple(
        model: Model,
        level: f64,
        duration: Duration,
        ramp: Option<Duration>,
    ) -> LoadPlan {
        let mut phases = Vec::new();
        if let Some(ramp) = ramp.filter(|r| !r.is_zero()) {
            phases.push(Phase {
                name: "ramp".into(),
                duration: ramp,
                level,
                ramp: true,
            });
        }
        phases.push(Phase {
            name: "hold".into(),
            duration,
            level,
            ramp: false,
        });
        LoadPlan {
            model,
            phases,
            scenarios: Vec::new(),
            gates: Gates::default(),
            shard: Shard::default(),
            limits: LoadLimits::default(),
        }
    }
}

/// Why a load plan is not usable.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    /// The file could not be read.
    #[error("cannot read the load plan {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not a valid plan.
    #[error("invalid load plan {path}: {message}")]
    Invalid {
        /// The file.
        path: String,
        /// What is wrong.
        message: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PlanFile {
    model: Option<String>,
    phases: Vec<PhaseFile>,
    #[serde(default)]
    scenarios: Vec<WeightedFile>,
    #[serde(default)]
    gates: GatesFile,
    #[serde(default)]
    limits: LimitsFile,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PhaseFile {
    name: Option<String>,
    duration: String,
    users: Option<f64>,
    rate: Option<String>,
    #[serde(default)]
    ramp: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WeightedFile {
    id: String,
    #[serde(default = "one")]
    weight: u32,
}

fn one() -> u32 {
    1
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct GatesFile {
    max_p99: Option<String>,
    min_rate: Option<f64>,
    max_failures: Option<u64>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct LimitsFile {
    graceful_stop: Option<String>,
    max_users: Option<usize>,
    transcript_tail: Option<usize>,
    samples_per_check: Option<usize>,
    error_pause: Option<String>,
}

impl LoadPlan {
    /// Reads a YAML load plan file.
    pub fn load(path: &Path) -> Result<LoadPlan, PlanError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| PlanError::Read {
            path: shown.clone(),
            source,
        })?;
        LoadPlan::parse(&text).map_err(|message| PlanError::Invalid {
            path: shown,
            message,
        })
    }

    /// Parses the text of a load plan file.
    pub fn parse(text: &str) -> Result<LoadPlan, String> {
        let file: PlanFile = serde_saphyr::from_str(text).map_err(|e| e.to_string())?;
        let model = match file.model.as_deref() {
            None | Some("closed") => Model::Closed,
            Some("open") => Model::Open,
            Some(other) => return Err(format!("model {other:?}: expected closed or open")),
        };
        if file.phases.is_empty() {
            return Err("a plan needs at least one phase".into());
        }
        let phases = file
            .phases
            .into_iter()
            .enumerate()
            .map(|(i, p)| phase(model, i, p))
            .collect::<Result<_, _>>()?;
        let defaults = LoadLimits::default();
        let limits = LoadLimits {
            graceful_stop: match file.limits.graceful_stop {
                Some(text) => duration("graceful_stop", &text)?,
                None => defaults.graceful_stop,
            },
            max_users: file.limits.max_users.unwrap_or(defaults.max_users),
            transcript_tail: file
                .limits
                .transcript_tail
                .unwrap_or(defaults.transcript_tail),
            samples_per_check: file
                .limits
                .samples_per_check
                .unwrap_or(defaults.samples_per_check),
            error_pause: match file.limits.error_pause {
                Some(text) => duration("error_pause", &text)?,
                None => defaults.error_pause,
            },
        };
        Ok(LoadPlan {
            model,
            phases,
            scenarios: file
                .scenarios
                .into_iter()
                .map(|w| Weighted {
                    selector: w.id,
                    weight: w.weight,
                })
                .collect(),
            gates: Gates {
                max_p99: file
                    .gates
                    .max_p99
                    .map(|t| duration("max_p99", &t))
                    .transpose()?,
                min_rate: file.gates.min_rate,
                max_failures: file.gates.max_failures,
            },
            shard: Shard::default(),
            limits,
        })
    }
}

fn phase(model: Model, index: usize, file: PhaseFile) -> Result<Phase, String> {
    let name = file.name.unwrap_or_else(|| format!("phase {}", index + 1));
    let level = match (model, file.users, file.rate) {
        (Model::Closed, Some(users), None) if users >= 0.0 => users,
        (Model::Open, None, Some(rate)) => parse_rate(&rate)?,
        (Model::Closed, _, _) => {
            return Err(format!("phase {name:?}: a closed plan gives `users`"));
        }
        (Model::Open, _, _) => return Err(format!("phase {name:?}: an open plan gives `rate`")),
    };
    Ok(Phase {
        duration: duration(&name, &file.duration)?,
        name,
        level,
        ramp: file.ramp,
    })
}

fn duration(what: &str, text: &str) -> Result<Duration, String> {
    parse_duration(text)
        .ok_or_else(|| format!("{what}: {text:?} is not a duration (250ms, 10s, 1m)"))
}

/// An arrival rate: `500/s`, `30/m` or a plain number of arrivals per second.
pub fn parse_rate(text: &str) -> Result<f64, String> {
    let text = text.trim();
    let (number, per) = match text.split_once('/') {
        Some((n, "s")) => (n, 1.0),
        Some((n, "m")) => (n, 60.0),
        Some(_) => return Err(format!("rate {text:?}: the unit is /s or /m")),
        None => (text, 1.0),
    };
    match number.trim().parse::<f64>() {
        Ok(n) if n.is_finite() && n >= 0.0 => Ok(n / per),
        _ => Err(format!(
            "rate {text:?}: expected a number of arrivals, e.g. 500/s"
        )),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_plan_file_gives_phases_mix_gates_and_limits() {
        let plan = LoadPlan::parse(
            "model: closed\nphases:\n  - { name: ramp, duration: 5s, users: 100, ramp: true }\n  - { name: hold, duration: 10s, users: 100 }\nscenarios:\n  - { id: jobber.load.send_job, weight: 3 }\n  - { id: jobber.load.worker_loop }\ngates: { max_p99: 20ms, min_rate: 1000, max_failures: 0 }\nlimits: { graceful_stop: 2s, error_pause: 250ms }\n",
        )
        .unwrap();
        assert_eq!(plan.model, Model::Closed);
        assert_eq!(plan.duration(), Duration::from_secs(15));
        assert!(plan.phases[0].ramp && !plan.phases[1].ramp);
        assert_eq!(plan.scenarios[1].weight, 1);
        assert_eq!(plan.gates.max_p99, Some(Duration::from_millis(20)));
        assert_eq!(plan.limits.graceful_stop, Duration::from_secs(2));
        assert_eq!(plan.limits.error_pause, Duration::from_millis(250));
        assert_eq!(plan.limits.max_users, 10_000);
    }

    #[test]
    fn bad_plans_say_what_is_wrong() {
        let open_with_users = "model: open\nphases:\n  - { duration: 5s, users: 3 }\n";
        assert!(
            LoadPlan::parse(open_with_users)
                .unwrap_err()
                .contains("`rate`")
        );
        assert!(
            LoadPlan::parse("phases: []\n")
                .unwrap_err()
                .contains("phase")
        );
        let typo = "phases:\n  - { duration: 5s, user: 3 }\n";
        assert!(LoadPlan::parse(typo).is_err());
        assert!(parse_rate("5/h").is_err());
        assert_eq!(parse_rate("30/m").unwrap(), 0.5);
        assert!("2/2".parse::<Shard>().is_err());
        assert_eq!(
            "1/2".parse::<Shard>().unwrap(),
            Shard { index: 1, count: 2 }
        );
    }
}
