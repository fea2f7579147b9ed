//! System statistics and alerts: `subscribe_stats` with periodic `system_status`,
//! `request_stats` (emprops-N19), the queue-depth alert once per crossing (E8, N20), and the
//! relay of `service_request` / `connector_ws_status` to monitors (N20).
//!
//! Invariant: `system_status` counts are those of the jobs and workers the hub keeps at the
//! moment it is made (the per-status counts kept by `jobs.rs`).

use super::core::{Core, Emit, Replied};
use super::fields::Obj;
use super::state::{ConnId, Status, Timer};
use super::wire::{Out, seconds};
use crate::ark::Timestamp;
use serde_json::{Value, json};
use std::time::Duration;

/// The window of `completed_jobs_last_hour`.
const HOUR: Duration = Duration::from_secs(3600);

/// The queue-depth alert's message (emprops-N20).
pub const QUEUE_ALERT: &str = "Queue depth exceeding normal capacity";

/// What the queue-depth alert recommends.
const QUEUE_ACTIONS: [&str; 2] = ["Consider scaling up workers", "Review job priorities"];

/// The figures of `system_status`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stats {
    /// Registered workers not offline.
    pub active_workers: usize,
    /// Queued jobs.
    pub pending_jobs: usize,
    /// Assigned and in-progress jobs.
    pub active_jobs: usize,
    /// Jobs completed within the last hour.
    pub completed_jobs_last_hour: usize,
    /// The messages of the alerts in force.
    pub alerts: Vec<String>,
}

impl Core {
    /// The figures `system_status` would show at `now`.
    pub fn stats(&mut self, now: Timestamp) -> Stats {
        self.forget_old_completions(now);
        let mut alerts = Vec::new();
        if self.queue_alert {
            alerts.push(QUEUE_ALERT.to_owned());
        }
        let mut offline: Vec<&String> = self
            .workers
            .iter()
            .filter(|(_, w)| w.offline)
            .map(|(id, _)| id)
            .collect();
        offline.sort_unstable();
        alerts.extend(offline.iter().map(|id| format!("Worker {id} is offline")));
        Stats {
            active_workers: self.workers.values().filter(|w| !w.offline).count(),
            pending_jobs: self.counts[Status::Queued.index()],
            active_jobs: self.counts[Status::Assigned.index()]
                + self.counts[Status::InProgress.index()],
            completed_jobs_last_hour: self.completions.len(),
            alerts,
        }
    }

    /// Records a completion at `now`; only those of the last hour are kept.
    pub(super) fn count_completion(&mut self, now: Timestamp) {
        self.forget_old_completions(now);
        self.completions.push_back(now);
    }

    fn forget_old_completions(&mut self, now: Timestamp) {
        while let Some(&oldest) = self.completions.front() {
            if now.since(oldest) < HOUR {
                break;
            }
            self.completions.pop_front();
        }
    }

    /// Sends one `system_status` to `conn`.
    pub(super) fn send_stats(&mut self, e: &mut Emit, conn: ConnId) {
        let stats = self.stats(e.now);
        let health = if self.queue_alert {
            "degraded"
        } else {
            "healthy"
        };
        let status = Out::SystemStatus {
            active_workers: stats.active_workers,
            pending_jobs: stats.pending_jobs,
            active_jobs: stats.active_jobs,
            completed_jobs_last_hour: stats.completed_jobs_last_hour,
            system_health: health,
            alerts: &stats.alerts,
        };
        e.send(conn, &status);
    }

    pub(super) fn subscribe_stats(
        &mut self,
        e: &mut Emit,
        conn: ConnId,
        enabled: bool,
        interval_seconds: f64,
    ) -> Replied {
        let asked = Duration::try_from_secs_f64(interval_seconds).unwrap_or(Duration::MAX);
        let interval = asked
            .max(self.settings.min_stats_interval)
            .min(Duration::from_secs(86_400));
        let generation = self.seq();
        let next = e.now.plus(interval);
        let interval_ms = u64::try_from(interval.as_millis()).unwrap_or(u64::MAX);
        if let Some(c) = self.conns.get_mut(&conn) {
            c.stats = enabled.then_some((interval_ms, generation));
        }
        if enabled {
            self.arm(next, Timer::Stats(conn, generation));
        }
        let confirmed = Out::SubscriptionConfirmed {
            subscription_type: "stats",
            // A stopped subscription is confirmed with interval 0 (emprops-N19).
            update_interval: seconds(if enabled { interval } else { Duration::ZERO }),
            next_broadcast: enabled.then(|| next.unix_millis()),
        };
        e.send(conn, &confirmed);
        Replied::Yes
    }

    /// A stats interval is over: send and schedule the next one, from the planned time so
    /// broadcasts do not drift.
    pub(super) fn stats_due(&mut self, e: &mut Emit, at: Timestamp, conn: ConnId, generation: u64) {
        let Some(&(interval_ms, current)) = self.conns.get(&conn).and_then(|c| c.stats.as_ref())
        else {
            return;
        };
        if current != generation {
            return;
        }
        self.send_stats(e, conn);
        let mut next = at.plus(Duration::from_millis(interval_ms));
        if next <= e.now {
            next = e.now.plus(Duration::from_millis(interval_ms));
        }
        self.arm(next, Timer::Stats(conn, generation));
    }

    /// Sends the queue-depth alert when the depth has just gone over the threshold; re-arms it
    /// once the depth is back at or below (emprops-N20).
    pub(super) fn check_queue_alert(&mut self, e: &mut Emit) {
        let depth = self.counts[Status::Queued.index()];
        let threshold = self.settings.queue_alert_threshold;
        if depth <= threshold {
            self.queue_alert = false;
            return;
        }
        if self.queue_alert {
            return;
        }
        self.queue_alert = true;
        let available = self.workers.values().filter(|w| w.is_idle()).count();
        let details = json!({
            "current_queue_depth": depth,
            "normal_threshold": threshold,
            "available_workers": available,
        });
        let alert = Out::SystemAlert {
            severity: "warning",
            category: "resource_constraint",
            message: QUEUE_ALERT,
            details: &details,
            actions_recommended: Some(&QUEUE_ACTIONS),
        };
        let monitors = self.monitors();
        e.send_all(&monitors, &alert);
    }

    /// Relays a `service_request` or `connector_ws_status` to monitors with the hub's
    /// timestamp, its other fields unchanged (emprops-N20).
    pub(super) fn relay(&mut self, e: &mut Emit, mut obj: Obj) -> Replied {
        obj.insert("timestamp".to_owned(), Value::from(e.now.unix_millis()));
        let monitors = self.monitors();
        if !monitors.is_empty() {
            let text = Value::Object(obj).to_string();
            for conn in monitors {
                e.out.push(super::core::Output::Send {
                    conn,
                    text: text.clone(),
                });
            }
        }
        Replied::No
    }
}
