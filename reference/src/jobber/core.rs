//! The jobber state machine (sans-IO): customers, connections, worker registrations, jobs,
//! batches and schedules.
//!
//! Fed `(now, Input)` it returns an [`Output`]: acks and server→client events addressed to
//! connection ids, in the order the changes happened. It never reads the clock, sleeps or
//! touches a socket; ids come from an injected [`IdSource`]. Delayed starts, retry delays,
//! expiry and cron ticks are driven by [`Core::poll_deadline`] / [`Core::handle_timeout`];
//! every `handle` first runs the timeouts due at `now`.
//!
//! Invariants: a job is `active` on at most one registration; a rejected request changes
//! nothing; a terminal job never changes again; nothing is ever addressed to a connection that
//! is not connected, and nothing of one customer reaches another.

use super::model::{Reply, ServerEvent};
use super::request::Request;
use super::state::{Customer, Registration, Timer};
use super::{JobberError, Settings};
use crate::ark::{IdSource, Timestamp};
use crate::rate::RateWindow;
use serde_json::Value;
use std::collections::{BTreeSet, HashMap};

pub use super::state::{AckId, ConnId};

/// Something that happened to the core.
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    /// A socket.io connection to namespace `/` with its `auth` object.
    Connect {
        /// The driver's connection id.
        conn: ConnId,
        /// The socket id, echoed in `client_ready`.
        sid: String,
        /// The handshake's `auth` (`{customerToken}`).
        auth: Value,
    },
    /// The connection closed.
    Disconnect {
        /// The connection.
        conn: ConnId,
    },
    /// A client event with its first argument (`null` if none) and its ack, if asked for.
    Event {
        /// The connection.
        conn: ConnId,
        /// The event name.
        event: String,
        /// The first argument.
        payload: Value,
        /// The ack the client asked for.
        ack: Option<AckId>,
    },
}

/// One thing to write to a connection.
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    /// Answer ack `ack` of `conn` with `reply`.
    Ack {
        /// The connection.
        conn: ConnId,
        /// The ack.
        ack: AckId,
        /// Its body.
        reply: Reply,
    },
    /// Emit `event` to `conn`.
    Emit {
        /// The connection.
        conn: ConnId,
        /// The event.
        event: ServerEvent,
    },
    /// Refuse the connection with a `connect_error` (C7).
    Refuse {
        /// The connection.
        conn: ConnId,
        /// Why (`INVALID_TOKEN`).
        error: JobberError,
    },
}

/// What one input produced, in order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Output {
    /// The messages, in the order they must be written.
    pub messages: Vec<Message>,
}

/// A connected client.
#[derive(Debug)]
pub(super) struct Conn {
    pub(super) customer: usize,
    pub(super) regs: Vec<u64>,
    pub(super) rate: RateWindow,
}

/// The jobber server, in memory.
pub struct Core {
    pub(super) settings: Settings,
    pub(super) ids: Box<dyn IdSource>,
    pub(super) next_seq: u64,
    pub(super) customers: Vec<Customer>,
    pub(super) tokens: HashMap<String, usize>,
    pub(super) conns: HashMap<ConnId, Conn>,
    pub(super) regs: HashMap<u64, Registration>,
    pub(super) timers: BTreeSet<(Timestamp, u64, Timer)>,
}

impl std::fmt::Debug for Core {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Core")
            .field("customers", &self.customers.len())
            .field("connections", &self.conns.len())
            .field("timers", &self.timers.len())
            .finish_non_exhaustive()
    }
}

impl Core {
    /// A core with one customer per configured token (customer ids from `ids`, in token
    /// order) and no jobs.
    pub fn new(settings: Settings, mut ids: Box<dyn IdSource>) -> Self {
        let mut tokens = HashMap::new();
        let mut customers = Vec::new();
        for token in &settings.tokens {
            if !tokens.contains_key(token) {
                tokens.insert(token.clone(), customers.len());
                customers.push(Customer::new(ids.next_id()));
            }
        }
        Self {
            settings,
            ids,
            next_seq: 0,
            customers,
            tokens,
            conns: HashMap::new(),
            regs: HashMap::new(),
            timers: BTreeSet::new(),
        }
    }

    /// The settings in force.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Checks a handshake's `auth` (J2): `Ok` with the customer id, or `INVALID_TOKEN`.
    pub fn authenticate(&self, auth: &Value) -> Result<&str, JobberError> {
        self.customer_of(auth)
            .map(|c| self.customers[c].id.as_str())
            .ok_or(JobberError::InvalidToken)
    }

    /// The customer whose token `auth.customerToken` is.
    fn customer_of(&self, auth: &Value) -> Option<usize> {
        let token = auth.get("customerToken").and_then(Value::as_str)?;
        self.tokens.get(token).copied()
    }

    /// Handles one input at `now` (after the timeouts due at `now`).
    pub fn handle(&mut self, now: Timestamp, input: Input) -> Output {
        let mut out = self.handle_timeout(now);
        match input {
            Input::Connect { conn, sid, auth } => self.connect(now, conn, sid, &auth, &mut out),
            Input::Disconnect { conn } => self.disconnect(now, conn, &mut out),
            Input::Event {
                conn,
                event,
                payload,
                ack,
            } => self.event(now, conn, &event, &payload, ack, &mut out),
        }
        out
    }

    /// The next instant at which [`Core::handle_timeout`] has something to do, if any.
    pub fn poll_deadline(&self) -> Option<Timestamp> {
        self.timers.first().map(|(t, _, _)| *t)
    }

    /// Runs every timer due at `now`, earliest first: delayed starts and retry delays end,
    /// active jobs expire (J7), cron schedules tick (J10).
    pub fn handle_timeout(&mut self, now: Timestamp) -> Output {
        let mut out = Output::default();
        while let Some(first) = self.timers.first() {
            if first.0 > now {
                break;
            }
            let Some((at, _, timer)) = self.timers.pop_first() else {
                break;
            };
            self.fire(now, at, timer, &mut out);
        }
        out
    }

    pub(super) fn seq(&mut self) -> u64 {
        self.next_seq += 1;
        self.next_seq
    }

    pub(super) fn emit(&self, out: &mut Output, conn: ConnId, event: ServerEvent) {
        if self.conns.contains_key(&conn) {
            out.messages.push(Message::Emit { conn, event });
        }
    }

    pub(super) fn ack(&self, out: &mut Output, conn: ConnId, ack: Option<AckId>, reply: Reply) {
        if let (Some(ack), true) = (ack, self.conns.contains_key(&conn)) {
            out.messages.push(Message::Ack { conn, ack, reply });
        }
    }

    fn connect(
        &mut self,
        now: Timestamp,
        conn: ConnId,
        sid: String,
        auth: &Value,
        out: &mut Output,
    ) {
        let customer = self.customer_of(auth);
        let Some(customer) = customer.filter(|_| !self.conns.contains_key(&conn)) else {
            out.messages.push(Message::Refuse {
                conn,
                error: JobberError::InvalidToken,
            });
            return;
        };
        self.conns.insert(
            conn,
            Conn {
                customer,
                regs: Vec::new(),
                rate: RateWindow::new(now),
            },
        );
        let customer_id = self.customers[customer].id.clone();
        self.emit(
            out,
            conn,
            ServerEvent::ClientReady {
                id: sid,
                customer_id,
            },
        );
    }

    /// J13: the connection's registrations go; their active jobs return to `retry` at once.
    fn disconnect(&mut self, now: Timestamp, conn: ConnId, out: &mut Output) {
        let Some(c) = self.conns.remove(&conn) else {
            return;
        };
        self.customers[c.customer].forget_waiters(conn);
        let mut names = Vec::new();
        for reg in c.regs {
            if let Some(r) = self.regs.remove(&reg) {
                self.customers[c.customer].unregister(reg, &r.name);
                for job in r.active {
                    self.requeue_lost(c.customer, &job);
                }
                names.push(r.name);
            }
        }
        names.sort();
        names.dedup();
        for name in names {
            self.dispatch(now, c.customer, &name, out);
        }
    }

    /// Counts the event against the rate limit (J14).
    fn rate_limited(&mut self, now: Timestamp, conn: ConnId) -> Result<(), JobberError> {
        let (Some(limit), Some(c)) = (self.settings.rate_limit, self.conns.get_mut(&conn)) else {
            return Ok(());
        };
        c.rate
            .admit(limit, now)
            .map_err(|_| JobberError::RateLimitExceeded {
                events: limit.events,
                window_ms: limit.window.as_millis(),
            })
    }

    fn event(
        &mut self,
        now: Timestamp,
        conn: ConnId,
        event: &str,
        payload: &Value,
        ack: Option<AckId>,
        out: &mut Output,
    ) {
        let Some(customer) = self.conns.get(&conn).map(|c| c.customer) else {
            return;
        };
        let request = self
            .rate_limited(now, conn)
            .and_then(|()| Request::parse(event, payload, self.settings.max_worker_capacity));
        let reply = match request {
            Err(e) => Err(e),
            Ok(Request::WaitForBatch(id)) => match self.wait_for_batch(customer, conn, ack, &id) {
                Ok(true) => Ok(Reply::Empty),
                Ok(false) => return,
                Err(e) => Err(e),
            },
            Ok(request) => self.apply(now, customer, conn, request, out),
        };
        self.ack(out, conn, ack, Reply::from(reply));
    }

    fn apply(
        &mut self,
        now: Timestamp,
        customer: usize,
        conn: ConnId,
        request: Request,
        out: &mut Output,
    ) -> Result<Reply, JobberError> {
        match request {
            Request::SendJob(job) => self
                .send_job(now, customer, Some(conn), job, None, out)
                .map(|id| id.map_or(Reply::Empty, Reply::JobId)),
            Request::ScheduleJob { cron_pattern, job } => self
                .schedule(now, customer, &cron_pattern, job)
                .map(Reply::ScheduleId),
            Request::RegisterWorker { job_name, options } => self
                .register(now, customer, conn, job_name, options, out)
                .map(|()| Reply::Empty),
            Request::SendBatch(jobs) => self
                .send_batch(now, customer, conn, jobs, out)
                .map(Reply::BatchId),
            Request::GetJob(id) => self.customers[customer]
                .job(&id)
                .map(|e| Reply::Job(e.job.clone())),
            Request::CancelJob(id) => self.cancel(now, customer, &id, out).map(|()| Reply::Empty),
            Request::GetQueueSize => Ok(Reply::QueueSize(self.customers[customer].queue_size())),
            Request::JobStarted(id) => self.started(now, customer, &id).map(|()| Reply::Empty),
            Request::JobCompleted(id) => self
                .completed(now, customer, &id, out)
                .map(|()| Reply::Empty),
            Request::JobFailed(id, _) => self
                .failed(now, customer, conn, &id, out)
                .map(|()| Reply::Empty),
            Request::WaitForBatch(_) => Ok(Reply::Empty),
        }
    }
}
