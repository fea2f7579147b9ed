//! The emprops hub state machine (sans-IO): connections, workers, jobs, subscriptions, stats and
//! chunk sets.
//!
//! Fed `(now, Input)` — a connection opening, a text frame as received, an over-size frame, a
//! connection closing, a shutdown — it returns the [`Output`]s to write, in order: texts
//! addressed to connections and closes. It never reads the clock, sleeps or touches a socket;
//! ids come from an injected [`IdSource`]. Heartbeat offline detection, claim timeouts, retry
//! delays, stats intervals and chunk timeouts are driven by [`Core::poll_deadline`] and
//! [`Core::handle_timeout`]; every `handle` first runs the timeouts due at `now`, so the
//! outcome does not depend on when a timer fires.
//!
//! A frame's way from text to effects is `dispatch.rs`; each concern has its file (`jobs`,
//! `work`, `workers`, `watch`, `stats`, `chunks`).
//!
//! Invariants: a refused message changes nothing (emprops-N5); a job is held by at most one
//! worker; a final job never changes again; nothing is addressed to a closed connection.

use super::state::{Conn, ConnId, FastMap, Job, Role, Timer, Worker};
use super::wire::{Out, SERVER_VERSION, WELCOME};
use super::{HubError, Settings};
use crate::ark::{IdSource, Timestamp};
use std::cmp::Reverse;
use std::collections::{BTreeSet, HashMap, VecDeque};

/// Something that happened to the hub.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input<'a> {
    /// A WebSocket connection opened.
    Open(ConnId),
    /// A text frame (or a binary one read as UTF-8, emprops-N1), as received.
    Text(ConnId, &'a str),
    /// A frame over `max_message_bytes` arrived (emprops-N22).
    Oversize(ConnId),
    /// The connection closed.
    Close(ConnId),
    /// The server is shutting down (emprops-N25).
    Shutdown,
}

/// One thing to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// Send this JSON text to the connection.
    Send {
        /// The connection.
        conn: ConnId,
        /// One hub message.
        text: String,
    },
    /// Close the connection with this code and reason; the core has forgotten it.
    Close {
        /// The connection.
        conn: ConnId,
        /// The WebSocket close code (1000, 1001, 1009).
        code: u16,
        /// The close reason.
        reason: &'static str,
    },
}

/// The outputs of one call, and the time they are made at.
pub(super) struct Emit {
    pub(super) now: Timestamp,
    pub(super) out: Vec<Output>,
}

impl Emit {
    /// Sends `message` to `conn`.
    pub(super) fn send(&mut self, conn: ConnId, message: &Out<'_>) {
        let text = message.encode(self.now);
        self.out.push(Output::Send { conn, text });
    }

    /// Sends `message` to each of `conns` (encoded once).
    pub(super) fn send_all(&mut self, conns: &[ConnId], message: &Out<'_>) {
        if conns.is_empty() {
            return;
        }
        let text = message.encode(self.now);
        for &conn in conns {
            self.out.push(Output::Send {
                conn,
                text: text.clone(),
            });
        }
    }

    /// Sends the `error` answering request `request_id` to `conn`.
    pub(super) fn error(&mut self, conn: ConnId, error: &HubError, request_id: Option<&str>) {
        self.send(conn, &Out::error(error, request_id));
    }
}

/// Whether a message got its specific reply (else an `id` earns an `ack`, emprops-N4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Replied {
    Yes,
    No,
}

/// The emprops hub, in memory.
pub struct Core {
    pub(super) settings: Settings,
    pub(super) ids: Box<dyn IdSource>,
    pub(super) conns: FastMap<ConnId, Conn>,
    pub(super) workers: HashMap<String, Worker>,
    /// Every job kept, by seq.
    pub(super) jobs: FastMap<u64, Job>,
    pub(super) job_ids: FastMap<String, u64>,
    /// The queued jobs in queue order: higher priority first, then FIFO (emprops-N11).
    pub(super) queue: BTreeSet<(Reverse<u8>, u64)>,
    /// Finished jobs, oldest first, for `retained_finished_jobs`.
    pub(super) finished: VecDeque<u64>,
    /// Jobs kept per status, indexed by `Status::index`.
    pub(super) counts: [usize; 6],
    /// Completion times within the last hour, oldest first.
    pub(super) completions: VecDeque<Timestamp>,
    pub(super) timers: BTreeSet<(Timestamp, u64, Timer)>,
    pub(super) next_seq: u64,
    /// The queue-depth alert is in force (emprops-N20).
    pub(super) queue_alert: bool,
    pub(super) shut_down: bool,
}

impl std::fmt::Debug for Core {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Core")
            .field("connections", &self.conns.len())
            .field("workers", &self.workers.len())
            .field("jobs", &self.jobs.len())
            .field("timers", &self.timers.len())
            .finish_non_exhaustive()
    }
}

impl Core {
    /// A hub with no state, using `settings`' clocks and limits and `ids` for new ids.
    pub fn new(settings: Settings, ids: Box<dyn IdSource>) -> Self {
        Self {
            settings,
            ids,
            conns: FastMap::default(),
            workers: HashMap::new(),
            jobs: FastMap::default(),
            job_ids: FastMap::default(),
            queue: BTreeSet::new(),
            finished: VecDeque::new(),
            counts: [0; 6],
            completions: VecDeque::new(),
            timers: BTreeSet::new(),
            next_seq: 0,
            queue_alert: false,
            shut_down: false,
        }
    }

    /// The settings the hub runs with.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Handles one input at `now` (after the timeouts due at `now`).
    pub fn handle(&mut self, now: Timestamp, input: Input<'_>) -> Vec<Output> {
        let mut e = Emit {
            now,
            out: Vec::new(),
        };
        self.run_timers(&mut e);
        match input {
            Input::Open(conn) => self.open(&mut e, conn),
            Input::Text(conn, text) => {
                if self.conns.contains_key(&conn) {
                    self.text(&mut e, conn, text);
                }
            }
            Input::Oversize(conn) => {
                if self.conns.contains_key(&conn) {
                    e.error(conn, &HubError::MessageTooLarge, None);
                    self.forget(&mut e, conn, 1009, "message too large");
                }
            }
            Input::Close(conn) => {
                if self.conns.contains_key(&conn) {
                    self.drop_conn(&mut e, conn);
                }
            }
            Input::Shutdown => self.shutdown(&mut e),
        }
        e.out
    }

    /// The next instant at which [`Core::handle_timeout`] has something to do, if any.
    pub fn poll_deadline(&self) -> Option<Timestamp> {
        self.timers.first().map(|(t, _, _)| *t)
    }

    /// Runs every timeout due at `now`; returns the outputs, in order.
    pub fn handle_timeout(&mut self, now: Timestamp) -> Vec<Output> {
        let mut e = Emit {
            now,
            out: Vec::new(),
        };
        self.run_timers(&mut e);
        e.out
    }

    /// A new sequence number (job order, timer tie-breaks, generations).
    pub(super) fn seq(&mut self) -> u64 {
        self.next_seq += 1;
        self.next_seq
    }

    /// A new id `<prefix>-<uuid>` (emprops-N3).
    pub(super) fn new_id(&mut self, prefix: &str) -> String {
        let mut id = String::with_capacity(prefix.len() + 37);
        id.push_str(prefix);
        id.push('-');
        id.push_str(&self.ids.next_id());
        id
    }

    /// Schedules `timer` at `at`.
    pub(super) fn arm(&mut self, at: Timestamp, timer: Timer) {
        let tie = self.seq();
        self.timers.insert((at, tie, timer));
    }

    fn run_timers(&mut self, e: &mut Emit) {
        while let Some((at, _, _)) = self.timers.first() {
            if *at > e.now {
                break;
            }
            let Some((at, _, timer)) = self.timers.pop_first() else {
                break;
            };
            self.fire(e, at, timer);
        }
    }

    fn fire(&mut self, e: &mut Emit, at: Timestamp, timer: Timer) {
        match timer {
            Timer::Offline(worker, generation) => self.check_offline(e, &worker, generation),
            Timer::Claim(seq, epoch) => self.claim_expired(e, seq, epoch),
            Timer::Retry(seq, epoch) => self.retry_due(e, seq, epoch),
            Timer::Stats(conn, generation) => self.stats_due(e, at, conn, generation),
            Timer::Chunk(conn, chunk_id, generation) => {
                self.chunks_expired(e, conn, &chunk_id, generation);
            }
        }
    }

    fn open(&mut self, e: &mut Emit, conn: ConnId) {
        if self.shut_down {
            e.send(conn, &server_disconnect());
            e.out.push(shutdown_close(conn));
            return;
        }
        self.conns.insert(conn, Conn::new());
        let welcome = Out::ConnectionEstablished {
            message: WELCOME,
            server_version: SERVER_VERSION,
        };
        e.send(conn, &welcome);
    }

    /// Tells every connection `server_disconnect`, then closes it with 1001 (emprops-N25).
    /// The connections are forgotten first, so the requeues of their workers' jobs reach
    /// nobody between the notice and the close.
    fn shutdown(&mut self, e: &mut Emit) {
        self.shut_down = true;
        let mut conns: Vec<(ConnId, Conn)> = self.conns.drain().collect();
        conns.sort_unstable_by_key(|(id, _)| *id);
        let ids: Vec<ConnId> = conns.iter().map(|(id, _)| *id).collect();
        e.send_all(&ids, &server_disconnect());
        for (conn, gone) in conns {
            if let Role::Worker(worker_id) = gone.role {
                self.remove_worker(e, &worker_id);
            }
            e.out.push(shutdown_close(conn));
        }
    }

    /// Forgets `conn` and tells the driver to close it.
    pub(super) fn forget(&mut self, e: &mut Emit, conn: ConnId, code: u16, reason: &'static str) {
        self.drop_conn(e, conn);
        e.out.push(Output::Close { conn, code, reason });
    }

    /// Removes `conn` and all it had: its subscriptions and chunk sets go; a worker on it is
    /// unregistered and its jobs requeued at once (emprops-N24).
    fn drop_conn(&mut self, e: &mut Emit, conn: ConnId) {
        let Some(gone) = self.conns.remove(&conn) else {
            return;
        };
        if let Role::Worker(worker_id) = gone.role {
            self.remove_worker(e, &worker_id);
        }
    }
}

fn server_disconnect() -> Out<'static> {
    Out::ServerDisconnect {
        reason: "Server shutting down",
    }
}

fn shutdown_close(conn: ConnId) -> Output {
    Output::Close {
        conn,
        code: 1001,
        reason: "server shutting down",
    }
}
