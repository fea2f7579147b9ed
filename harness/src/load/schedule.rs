//! When load happens, as pure functions of elapsed time: the level of each phase (users or
//! arrivals per second, moving linearly through a ramp), whether a closed-model user runs, when
//! each open-model arrival is due, which scenario each run takes, and how shards split all of
//! it (shard `i` of `n` takes users and arrivals `i`, `i + n`, `i + 2n`, …, so shards together run
//! exactly the whole plan).

use std::time::Duration;

use super::plan::{Phase, Shard, Weighted};

/// The phases of a plan, with their start times.
#[derive(Debug, Clone)]
pub struct Timeline {
    phases: Vec<Phase>,
    starts: Vec<Duration>,
}

impl Timeline {
    /// The timeline of `phases`.
    pub fn new(phases: &[Phase]) -> Timeline {
        let mut starts = Vec::with_capacity(phases.len());
        let mut at = Duration::ZERO;
        for phase in phases {
            starts.push(at);
            at += phase.duration;
        }
        Timeline {
            phases: phases.to_vec(),
            starts,
        }
    }

    /// The total duration.
    pub fn total(&self) -> Duration {
        self.phases.iter().map(|p| p.duration).sum()
    }

    /// The phases.
    pub fn phases(&self) -> &[Phase] {
        &self.phases
    }

    /// The phase under way at `elapsed` (the last one once all are over).
    pub fn phase_at(&self, elapsed: Duration) -> usize {
        self.starts
            .iter()
            .rposition(|start| *start <= elapsed)
            .unwrap_or(0)
    }

    /// The level at `elapsed`: users or arrivals per second; 0 once every phase is over.
    pub fn level_at(&self, elapsed: Duration) -> f64 {
        if elapsed >= self.total() {
            return 0.0;
        }
        let index = self.phase_at(elapsed);
        let phase = &self.phases[index];
        if !phase.ramp || phase.duration.is_zero() {
            return phase.level;
        }
        let from = self.start_level(index);
        let progress = (elapsed - self.starts[index]).as_secs_f64() / phase.duration.as_secs_f64();
        from + (phase.level - from) * progress
    }

    fn start_level(&self, index: usize) -> f64 {
        index.checked_sub(1).map_or(0.0, |i| self.phases[i].level)
    }

    /// Closed model: whether this shard's user `local` (global user `local * n + i`) runs at
    /// `elapsed`.
    pub fn user_runs(&self, shard: Shard, local: usize, elapsed: Duration) -> bool {
        let global = local as f64 * f64::from(shard.count) + f64::from(shard.index);
        global < self.level_at(elapsed).floor()
    }

    /// Closed model: the most users this shard ever runs at once.
    pub fn peak_users(&self, shard: Shard) -> usize {
        let peak = self
            .phases
            .iter()
            .map(|p| p.level)
            .fold(0.0, f64::max)
            .floor();
        let count = f64::from(shard.count);
        let index = f64::from(shard.index);
        // Users i, i + n, … below the peak.
        let local = ((peak - index) / count).ceil().max(0.0);
        local as usize
    }

    /// Open model: arrivals due from the start up to `elapsed` (all shards together): the
    /// integral of the rate.
    pub fn arrivals_until(&self, elapsed: Duration) -> f64 {
        let mut total = 0.0;
        for (index, phase) in self.phases.iter().enumerate() {
            let start = self.starts[index];
            if elapsed <= start {
                break;
            }
            let within = (elapsed - start).min(phase.duration).as_secs_f64();
            let (from, to) = self.phase_rates(index);
            let slope = if phase.duration.is_zero() {
                0.0
            } else {
                (to - from) / phase.duration.as_secs_f64()
            };
            total += from * within + slope * within * within / 2.0;
        }
        total
    }

    fn phase_rates(&self, index: usize) -> (f64, f64) {
        let phase = &self.phases[index];
        if phase.ramp {
            (self.start_level(index), phase.level)
        } else {
            (phase.level, phase.level)
        }
    }

    /// Open model: when global arrival `n` (0-based) is due, or `None` if it is after the end.
    /// Arrival `n` is due when `n + 1` arrivals' worth of rate has accumulated.
    pub fn arrival_time(&self, n: u64) -> Option<Duration> {
        let mut wanted = n as f64 + 1.0;
        for (index, phase) in self.phases.iter().enumerate() {
            let (from, to) = self.phase_rates(index);
            let length = phase.duration.as_secs_f64();
            let slope = if length > 0.0 {
                (to - from) / length
            } else {
                0.0
            };
            let in_phase = from * length + slope * length * length / 2.0;
            if wanted > in_phase {
                wanted -= in_phase;
                continue;
            }
            // Solve from·t + slope·t²/2 = wanted for t in [0, length].
            let t = if slope.abs() < 1e-12 {
                if from <= 0.0 {
                    continue;
                }
                wanted / from
            } else {
                (-from + (from * from + 2.0 * slope * wanted).max(0.0).sqrt()) / slope
            };
            return Some(self.starts[index] + Duration::from_secs_f64(t.clamp(0.0, length)));
        }
        None
    }
}

/// Which global arrival numbers shard `shard` runs: `index`, `index + count`, …
pub fn shard_arrival(shard: Shard, local: u64) -> u64 {
    local * u64::from(shard.count) + u64::from(shard.index)
}

/// A weighted scenario mix: run number `k` of a stream takes the scenario `pick(k)`; over every
/// `total weight` runs, each scenario is taken exactly its weight's number of times.
#[derive(Debug, Clone)]
pub struct Mix {
    /// Cumulative weights, one per scenario.
    bounds: Vec<u64>,
}

impl Mix {
    /// The mix of `weights` (the order of the plan's scenarios); weights of 0 never run.
    pub fn new(weights: &[Weighted]) -> Mix {
        let mut total = 0;
        let bounds = weights
            .iter()
            .map(|w| {
                total += u64::from(w.weight);
                total
            })
            .collect();
        Mix { bounds }
    }

    /// The scenario (its index) of run `k`; `None` if every weight is 0.
    pub fn pick(&self, k: u64) -> Option<usize> {
        let total = *self.bounds.last()?;
        if total == 0 {
            return None;
        }
        let at = k % total;
        self.bounds.iter().position(|&bound| at < bound)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn phase(name: &str, secs: u64, level: f64, ramp: bool) -> Phase {
        Phase {
            name: name.into(),
            duration: Duration::from_secs(secs),
            level,
            ramp,
        }
    }

    #[test]
    fn a_ramp_moves_linearly_then_holds() {
        let timeline = Timeline::new(&[
            phase("ramp", 10, 100.0, true),
            phase("hold", 10, 100.0, false),
        ]);
        assert_eq!(timeline.level_at(Duration::from_secs(5)), 50.0);
        assert_eq!(timeline.level_at(Duration::from_secs(15)), 100.0);
        assert_eq!(timeline.level_at(Duration::from_secs(20)), 0.0);
        assert_eq!(timeline.phase_at(Duration::from_secs(12)), 1);
    }

    #[test]
    fn shards_split_users_without_overlap_or_gap() {
        let timeline = Timeline::new(&[phase("hold", 1, 7.0, false)]);
        let at = Duration::ZERO;
        let two = |index| Shard { index, count: 2 };
        let running: usize = (0..2)
            .map(|i| {
                (0..10)
                    .filter(|&u| timeline.user_runs(two(i), u, at))
                    .count()
            })
            .sum();
        assert_eq!(running, 7);
        assert_eq!(timeline.peak_users(two(0)), 4);
        assert_eq!(timeline.peak_users(two(1)), 3);
    }

    #[test]
    fn arrivals_follow_the_integral_of_the_rate() {
        let timeline = Timeline::new(&[
            phase("ramp", 10, 100.0, true),
            phase("hold", 10, 100.0, false),
        ]);
        // 500 arrivals in the ramp (a triangle), 1000 in the hold.
        assert!((timeline.arrivals_until(Duration::from_secs(20)) - 1500.0).abs() < 1e-6);
        let last = timeline.arrival_time(1499).unwrap();
        assert!((last.as_secs_f64() - 20.0).abs() < 1e-6, "{last:?}");
        assert!(timeline.arrival_time(1500).is_none());
        let first_of_hold = timeline.arrival_time(500).unwrap();
        assert!((first_of_hold.as_secs_f64() - 10.01).abs() < 1e-6);
        let times: Vec<Duration> = (0..1500)
            .map(|n| timeline.arrival_time(n).unwrap())
            .collect();
        assert!(times.windows(2).all(|w| w[0] <= w[1]));
    }

    #[test]
    fn a_mix_takes_each_scenario_its_weight_in_every_cycle() {
        let weights = [
            Weighted {
                selector: "a".into(),
                weight: 3,
            },
            Weighted {
                selector: "b".into(),
                weight: 1,
            },
            Weighted {
                selector: "c".into(),
                weight: 0,
            },
        ];
        let mix = Mix::new(&weights);
        let picks: Vec<usize> = (0..8).map(|k| mix.pick(k).unwrap()).collect();
        assert_eq!(picks, vec![0, 0, 0, 1, 0, 0, 0, 1]);
        assert_eq!(Mix::new(&weights[2..]).pick(0), None);
    }
}
