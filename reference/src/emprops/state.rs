//! The hub's state types: job statuses (emprops-N9), connections and their roles, jobs, workers
//! and their capabilities, notification filters, chunk sets and timers. Plain data; the rules
//! live in the files that change it (`jobs.rs`, `work.rs`, `workers.rs`, `watch.rs`, …).

use crate::ark::Timestamp;
use serde::Serialize;
use serde_json::Number;
use serde_json::value::RawValue;
use std::collections::HashMap;

/// The driver's id of one WebSocket connection; never reused.
pub type ConnId = u64;

/// A job's status (emprops-N9); the last three are final.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Waiting in the queue.
    Queued,
    /// Claimed by a worker, not yet reported in progress.
    Assigned,
    /// The worker has reported progress.
    InProgress,
    /// Done (final).
    Completed,
    /// Failed without a retry left (final).
    Failed,
    /// Cancelled (final).
    Cancelled,
}

impl Status {
    /// Every status, in the order of [`Status::index`].
    pub const ALL: [Status; 6] = [
        Self::Queued,
        Self::Assigned,
        Self::InProgress,
        Self::Completed,
        Self::Failed,
        Self::Cancelled,
    ];

    /// The wire name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Assigned => "assigned",
            Self::InProgress => "in_progress",
            Self::Completed => "completed",
            Self::Failed => "failed",
            Self::Cancelled => "cancelled",
        }
    }

    /// Whether the status never changes again.
    pub const fn is_final(self) -> bool {
        matches!(self, Self::Completed | Self::Failed | Self::Cancelled)
    }

    /// Its place in [`Status::ALL`].
    pub const fn index(self) -> usize {
        self as usize
    }
}

/// What a connection registered as (emprops-N7, N8).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Role {
    /// Not registered (may still submit and watch jobs, emprops-N7).
    Anonymous,
    /// `register_client` with `client_type: job_client`.
    JobClient,
    /// `register_client` with `client_type: monitor`.
    Monitor,
    /// `register_worker`: the worker id this connection is.
    Worker(String),
}

/// One open connection.
#[derive(Debug)]
pub(super) struct Conn {
    pub(super) role: Role,
    /// The `subscribe_job_notifications` subscription (one per connection, emprops-N18).
    pub(super) notifications: Option<Notifications>,
    /// The `subscribe_stats` subscription: interval and its timer generation (emprops-N19).
    pub(super) stats: Option<(u64, u64)>,
    /// Chunk sets being assembled, by `chunk_id` (emprops-N23).
    pub(super) chunks: HashMap<String, ChunkSet>,
}

impl Conn {
    pub(super) fn new() -> Self {
        Self {
            role: Role::Anonymous,
            notifications: None,
            stats: None,
            chunks: HashMap::new(),
        }
    }
}

/// A notification subscription and its filters (emprops-N18).
#[derive(Debug, Clone)]
pub(super) struct Notifications {
    pub(super) id: String,
    pub(super) filters: Filters,
}

/// The filters of `subscribe_job_notifications`, all optional, combined with AND.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filters {
    /// The job's `customer_id` equals this.
    pub customer_id: Option<String>,
    /// The job's type is one of these.
    pub job_types: Option<Vec<String>>,
    /// The job's priority is at least this.
    pub priority_min: Option<f64>,
    /// The update's status is one of these.
    pub status: Option<Vec<String>>,
}

/// A job's requirements as parsed (E3), and as submitted (for `job_assigned`).
#[derive(Debug, Clone, Default)]
pub struct Requirements {
    /// `requirements.service_type`.
    pub service_type: Option<String>,
    /// `requirements.component`.
    pub component: Option<String>,
    /// `requirements.hardware.gpu_memory_gb`.
    pub gpu_memory_gb: Option<Number>,
    /// The object as submitted, `{}` if none, kept as its JSON text.
    pub raw: Option<Box<RawValue>>,
}

/// A worker's capabilities (emprops-N8).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Capabilities {
    /// `capabilities.services`.
    pub services: Vec<String>,
    /// `capabilities.components`.
    pub components: Vec<String>,
    /// `capabilities.hardware.gpu_memory_gb`.
    pub gpu_memory_gb: Option<f64>,
}

impl Capabilities {
    /// Whether a worker with these capabilities may take a job with `needs` (E3): every
    /// requirement given is met; an absent one matches every worker.
    pub fn can_run(&self, needs: &Requirements) -> bool {
        let service = needs
            .service_type
            .as_ref()
            .is_none_or(|s| self.services.contains(s));
        let component = needs
            .component
            .as_ref()
            .is_none_or(|c| self.components.contains(c));
        let memory = needs.gpu_memory_gb.as_ref().and_then(Number::as_f64);
        let gpu = memory.is_none_or(|need| self.gpu_memory_gb.is_some_and(|have| need <= have));
        service && component && gpu
    }
}

/// One job.
#[derive(Debug)]
pub(super) struct Job {
    pub(super) id: String,
    pub(super) job_type: String,
    pub(super) priority: u8,
    /// As submitted, kept as its JSON text (never parsed into a tree: only relayed).
    pub(super) payload: Box<RawValue>,
    pub(super) customer_id: Option<String>,
    pub(super) requirements: Requirements,
    pub(super) max_retries: u32,
    pub(super) retries: u32,
    pub(super) status: Status,
    /// The worker holding the job (assigned or in progress), if any.
    pub(super) worker: Option<String>,
    /// The holder accepted it or reported progress (stops the claim timeout).
    pub(super) accepted: bool,
    /// Counts assignments and requeues: a timer of an older one is stale.
    pub(super) epoch: u64,
    pub(super) submitter: ConnId,
    /// Connections that sent `subscribe_job` for it, without repeats.
    pub(super) watchers: Vec<ConnId>,
    pub(super) progress: Option<Number>,
    pub(super) message: Option<String>,
    pub(super) estimated_completion: Option<String>,
    pub(super) started_at: Option<Timestamp>,
}

/// One registered worker.
#[derive(Debug)]
pub(super) struct Worker {
    pub(super) conn: ConnId,
    pub(super) capabilities: Capabilities,
    /// The last status it reported (`idle`, `busy`, …).
    pub(super) status: String,
    pub(super) subscribe_to_jobs: bool,
    /// The jobs it holds, by seq, in the order it got them.
    pub(super) jobs: Vec<u64>,
    pub(super) offline: bool,
    pub(super) heard_at: Timestamp,
    /// Identifies this registration's offline timer.
    pub(super) generation: u64,
}

impl Worker {
    /// Idle (emprops-N11): its last status is `idle`, it holds nothing and is not offline.
    pub(super) fn is_idle(&self) -> bool {
        self.status == "idle" && self.jobs.is_empty() && !self.offline
    }
}

/// A chunked message being assembled (emprops-N23).
#[derive(Debug)]
pub(super) struct ChunkSet {
    pub(super) total: u32,
    pub(super) data_hash: String,
    pub(super) parts: Vec<Option<Vec<u8>>>,
    pub(super) received: u32,
    pub(super) bytes: usize,
    pub(super) generation: u64,
}

/// Something the core must do at a given time.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Timer {
    /// Check whether the worker has been silent for 3 intervals (its id, its generation).
    Offline(String, u64),
    /// The claim of job `seq` in epoch `epoch` times out unless accepted.
    Claim(u64, u64),
    /// Job `seq` (epoch `epoch`) goes back to the queue after its retry delay.
    Retry(u64, u64),
    /// The stats broadcast of a connection (its generation).
    Stats(ConnId, u64),
    /// A chunk set's deadline (connection, chunk id, generation).
    Chunk(ConnId, String, u64),
}

/// A fast non-cryptographic hasher (FxHash's rotate-xor-multiply) for the keys the hub makes
/// itself — connection numbers, job sequence numbers, job ids — where SipHash's protection
/// against chosen keys buys nothing and cost a tenth of the core's time. Keys chosen by
/// clients (worker ids) keep the standard hasher.
#[derive(Debug, Default, Clone, Copy)]
pub struct FastHasher(u64);

impl FastHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

impl std::hash::Hasher for FastHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_u8(&mut self, n: u8) {
        self.add(u64::from(n));
    }

    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }

    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// A map keyed by what the hub makes itself (see [`FastHasher`]).
pub(super) type FastMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<FastHasher>>;
