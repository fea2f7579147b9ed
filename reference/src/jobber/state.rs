//! The jobber core's stored state: one [`Customer`] per token with its jobs, ready queues,
//! worker registrations, batches and schedules; and the core-wide timers.
//!
//! Invariants kept by the methods here and in `jobs.rs`: `counts` equals the number of stored
//! jobs in each state; a job is in its name's `ready` set exactly when it is `created`/`retry`
//! with no pending start timer; `singletons` holds exactly the live jobs with a key.

use super::JobberError;
use super::model::{Job, JobState, QueueSize};
use super::request::NewJob;
use crate::ark::Timestamp;
use std::cmp::Reverse;
use std::collections::{BTreeSet, HashMap, VecDeque};
use std::time::Duration;

/// A connection, numbered by the driver (never reused while the core lives).
pub type ConnId = u64;
/// An ack the driver is waiting to send, numbered by the driver.
pub type AckId = u64;

/// What a timer does when it fires.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Timer {
    /// A `created`/`retry` job becomes dispatchable (`startAfter`, `retryDelay`).
    Release { customer: usize, job: String },
    /// An `active` job expires (J7).
    Expire { customer: usize, job: String },
    /// A schedule ticks (J10).
    Cron { customer: usize, schedule: String },
}

/// A job and everything the core keeps about it.
#[derive(Debug, Clone)]
pub(super) struct JobEntry {
    pub(super) job: Job,
    pub(super) seq: u64,
    pub(super) expire_in: Duration,
    pub(super) retry_limit: u32,
    pub(super) retry_delay: Duration,
    pub(super) retry_backoff: bool,
    pub(super) singleton_key: Option<String>,
    /// The connection that sent it (J8).
    pub(super) sender: Option<ConnId>,
    /// The registration holding it while `active`, and its connection.
    pub(super) holder: Option<(u64, ConnId)>,
    pub(super) batch: Option<String>,
    /// The pending release or expiry timer `(at, seq)`.
    pub(super) timer: Option<(Timestamp, u64)>,
}

/// One `register_worker`.
#[derive(Debug)]
pub(super) struct Registration {
    pub(super) conn: ConnId,
    pub(super) name: String,
    pub(super) capacity: usize,
    pub(super) active: BTreeSet<String>,
}

/// The registrations of one job name, served round-robin.
#[derive(Debug, Default)]
pub(super) struct Workers {
    pub(super) regs: Vec<u64>,
    pub(super) next: usize,
}

/// A batch (J11).
#[derive(Debug, Default)]
pub(super) struct Batch {
    pub(super) remaining: usize,
    pub(super) waiters: Vec<(ConnId, AckId)>,
}

/// A cron schedule (J10).
#[derive(Debug)]
pub(super) struct Schedule {
    pub(super) cron: croner::Cron,
    pub(super) job: NewJob,
}

/// Ready jobs of one name: highest priority first, then oldest (J5).
pub(super) type ReadyKey = (Reverse<i64>, u64, String);

/// One customer (one token).
#[derive(Debug)]
pub(super) struct Customer {
    pub(super) id: String,
    pub(super) jobs: HashMap<String, JobEntry>,
    pub(super) ready: HashMap<String, BTreeSet<ReadyKey>>,
    pub(super) workers: HashMap<String, Workers>,
    pub(super) batches: HashMap<String, Batch>,
    pub(super) batch_order: VecDeque<String>,
    pub(super) schedules: HashMap<String, Schedule>,
    pub(super) singletons: HashMap<(String, String), String>,
    pub(super) terminal: VecDeque<String>,
    pub(super) counts: [usize; 7],
}

impl Customer {
    pub(super) fn new(id: String) -> Self {
        Self {
            id,
            jobs: HashMap::new(),
            ready: HashMap::new(),
            workers: HashMap::new(),
            batches: HashMap::new(),
            batch_order: VecDeque::new(),
            schedules: HashMap::new(),
            singletons: HashMap::new(),
            terminal: VecDeque::new(),
            counts: [0; 7],
        }
    }

    pub(super) fn job(&self, id: &str) -> Result<&JobEntry, JobberError> {
        self.jobs
            .get(id)
            .ok_or_else(|| JobberError::JobNotFound(id.to_owned()))
    }

    pub(super) fn job_mut(&mut self, id: &str) -> Result<&mut JobEntry, JobberError> {
        self.jobs
            .get_mut(id)
            .ok_or_else(|| JobberError::JobNotFound(id.to_owned()))
    }

    /// Jobs not yet terminal.
    pub(super) fn live(&self) -> usize {
        JobState::ALL
            .iter()
            .filter(|s| !s.is_terminal())
            .map(|s| self.counts[s.index()])
            .sum()
    }

    pub(super) fn queue_size(&self) -> QueueSize {
        let n = |s: JobState| self.counts[s.index()];
        QueueSize {
            waiting: n(JobState::Created) + n(JobState::Retry),
            active: n(JobState::Active),
            completed: n(JobState::Completed),
            failed: n(JobState::Failed),
        }
    }

    /// Moves a stored job to `state`, keeping `counts` right.
    pub(super) fn set_state(&mut self, id: &str, state: JobState) {
        if let Some(e) = self.jobs.get_mut(id) {
            self.counts[e.job.state.index()] -= 1;
            self.counts[state.index()] += 1;
            e.job.state = state;
        }
    }

    /// Puts a waiting job in its name's ready set.
    pub(super) fn make_ready(&mut self, id: &str) {
        if let Some(e) = self.jobs.get(id) {
            let key = (Reverse(e.job.priority), e.seq, id.to_owned());
            self.ready
                .entry(e.job.name.clone())
                .or_default()
                .insert(key);
        }
    }

    /// Takes a job out of its name's ready set (if it is there).
    pub(super) fn unready(&mut self, id: &str) {
        if let Some(e) = self.jobs.get(id) {
            let key = (Reverse(e.job.priority), e.seq, id.to_owned());
            if let Some(set) = self.ready.get_mut(&e.job.name) {
                set.remove(&key);
                if set.is_empty() {
                    self.ready.remove(&e.job.name);
                }
            }
        }
    }

    pub(super) fn unregister(&mut self, reg: u64, name: &str) {
        if let Some(w) = self.workers.get_mut(name) {
            w.regs.retain(|r| *r != reg);
            if w.regs.is_empty() {
                self.workers.remove(name);
            }
        }
    }

    /// Drops the `wait_for_batch` acks of a closed connection.
    pub(super) fn forget_waiters(&mut self, conn: ConnId) {
        for b in self.batches.values_mut() {
            b.waiters.retain(|(c, _)| *c != conn);
        }
    }

    /// Records a job that just became terminal; forgets the oldest terminal jobs past
    /// `retained` (jobber-N2).
    pub(super) fn retire(&mut self, id: &str, retained: usize) {
        self.terminal.push_back(id.to_owned());
        while self.terminal.len() > retained {
            let Some(old) = self.terminal.pop_front() else {
                break;
            };
            if let Some(e) = self.jobs.remove(&old) {
                self.counts[e.job.state.index()] -= 1;
            }
        }
    }

    /// Adds a batch, forgetting the oldest past `retained`; returns the forgotten batches' ids
    /// and waiters (answered `BATCH_NOT_FOUND` by the caller).
    pub(super) fn add_batch(
        &mut self,
        id: String,
        batch: Batch,
        retained: usize,
    ) -> Vec<(String, Vec<(ConnId, AckId)>)> {
        self.batch_order.push_back(id.clone());
        self.batches.insert(id, batch);
        let mut forgotten = Vec::new();
        while self.batch_order.len() > retained {
            let Some(old) = self.batch_order.pop_front() else {
                break;
            };
            if let Some(b) = self.batches.remove(&old)
                && !b.waiters.is_empty()
            {
                forgotten.push((old, b.waiters));
            }
        }
        forgotten
    }
}
