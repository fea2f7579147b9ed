//! The dnaforge state machine (sans-IO): HTTP `/auth`, sockets, jobs, subscriptions and the
//! simulated runner.
//!
//! Fed `(now, Input)` — an HTTP request, a socket opening, a text or binary frame, a socket
//! closing — it returns the [`Output`]s, in order: the HTTP reply and texts addressed to
//! sockets. It never reads the clock or the environment; bearer tokens come from an injected
//! [`IdSource`]. The runner's steps are driven by [`Core::poll_deadline`] and
//! [`Core::handle_timeout`] (`runner.rs`); every `handle` first runs the steps due at `now`, so
//! the outcome does not depend on when a timer fires.
//!
//! Invariants: garbage changes nothing and sends nothing (D7); an unauthenticated socket is sent
//! only `WebSocketAuthResponse` (dnaforge-N6); a job's status only moves forward and its
//! progress never decreases; nothing is addressed to a closed socket.

use super::http::{self, HttpReply, HttpRequest, HttpStatus, Route};
use super::model::{Job, Status};
use super::request::{JobNew, Request};
use super::tokens::Tokens;
use super::wire::{HttpMessage, ServerMessage};
use super::{IdSource, Settings, Timestamp};
use std::collections::BTreeMap;
use std::time::Duration;

/// A socket, numbered by the driver.
pub type ConnId = u64;

/// Something that happened to the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input<'a> {
    /// An HTTP request other than the WebSocket upgrade of `/`.
    Http(HttpRequest<'a>),
    /// A WebSocket opened on `/`.
    Open(ConnId),
    /// A text frame, as received.
    Text(ConnId, &'a str),
    /// A binary frame (garbage, D7).
    Binary(ConnId),
    /// The socket closed: its token dies (D7).
    Close(ConnId),
}

/// One thing to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// The answer to [`Input::Http`].
    Http(HttpReply),
    /// Send this JSON text to the socket.
    Send {
        /// The socket.
        conn: ConnId,
        /// One server message.
        text: String,
    },
}

/// A socket's state.
#[derive(Debug, Clone, Default)]
pub(super) struct Conn {
    pub(super) authenticated: bool,
    pub(super) subscription: Option<u64>,
}

/// A job and what its detailed updates show.
#[derive(Debug, Clone)]
pub(super) struct Entry {
    pub(super) job: Job,
    /// The submitted configuration, sent as `conf` (dnaforge-N19).
    pub(super) dat: String,
}

/// The running job and when its current step ends.
#[derive(Debug, Clone, Copy)]
pub(super) struct Run {
    pub(super) job: u64,
    pub(super) step_ends: Timestamp,
}

/// The dnaforge server, in memory.
pub struct Core {
    access_token: Option<String>,
    pub(super) step_duration: Duration,
    max_jobs: usize,
    max_configs_per_job: usize,
    ids: Box<dyn IdSource>,
    tokens: Tokens,
    pub(super) conns: BTreeMap<ConnId, Conn>,
    pub(super) jobs: BTreeMap<u64, Entry>,
    next_job_id: u64,
    pub(super) running: Option<Run>,
}

impl std::fmt::Debug for Core {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Core")
            .field("conns", &self.conns.len())
            .field("jobs", &self.jobs.len())
            .field("running", &self.running.map(|r| r.job))
            .finish_non_exhaustive()
    }
}

impl Core {
    /// A core with no state, using `settings`' access token, timing and limits, and `ids` for
    /// bearer tokens.
    pub fn new(settings: &Settings, ids: Box<dyn IdSource>) -> Self {
        Self {
            access_token: settings.access_token.clone(),
            step_duration: settings.step_duration,
            max_jobs: settings.max_jobs,
            max_configs_per_job: settings.max_configs_per_job,
            ids,
            tokens: Tokens::new(settings.max_unbound_tokens),
            conns: BTreeMap::new(),
            jobs: BTreeMap::new(),
            next_job_id: 0,
            running: None,
        }
    }

    /// Handles one input at `now` (after the runner steps due at `now`).
    pub fn handle(&mut self, now: Timestamp, input: Input<'_>) -> Vec<Output> {
        let mut out = self.handle_timeout(now);
        match input {
            Input::Http(request) => out.push(Output::Http(self.http(&request))),
            Input::Open(conn) => {
                self.conns.insert(conn, Conn::default());
            }
            Input::Text(conn, text) => {
                // Garbage is ignored (D7): the parse error has no answer.
                if let Ok(request) = Request::parse(text) {
                    self.request(now, conn, request, &mut out);
                }
            }
            Input::Binary(_) => {}
            Input::Close(conn) => {
                self.conns.remove(&conn);
            }
        }
        out
    }

    /// Every job kept, in increasing id (what `JobList` shows).
    pub fn jobs(&self) -> Vec<&Job> {
        self.jobs.values().map(|e| &e.job).collect()
    }

    /// Issued tokens not yet bound.
    pub fn unbound_tokens(&self) -> usize {
        self.tokens.unbound()
    }

    fn http(&mut self, request: &HttpRequest<'_>) -> HttpReply {
        match http::route(request) {
            Route::Refuse(status) => HttpReply::empty(status),
            Route::Auth
                if !http::authorized(self.access_token.as_deref(), request.authorization) =>
            {
                HttpReply::empty(HttpStatus::Unauthorized)
            }
            Route::Auth => {
                let token = self.ids.next_id();
                let body = HttpMessage::AuthResponse {
                    bearer_token: &token,
                }
                .encode();
                self.tokens.issue(token);
                HttpReply {
                    status: HttpStatus::Ok,
                    body,
                }
            }
        }
    }

    fn request(&mut self, now: Timestamp, conn: ConnId, request: Request, out: &mut Vec<Output>) {
        let Some(state) = self.conns.get_mut(&conn) else {
            return;
        };
        match (state.authenticated, request) {
            (false, Request::WebSocketAuth(token)) => {
                let success = token.is_some_and(|t| self.tokens.bind(&t));
                state.authenticated = success;
                let text = ServerMessage::WebSocketAuthResponse { success }.encode();
                out.push(Output::Send { conn, text });
                if success {
                    let jobs = self.jobs();
                    let text = ServerMessage::JobList { jobs }.encode();
                    out.push(Output::Send { conn, text });
                }
            }
            // Before auth everything else is ignored (dnaforge-N6); after it, auth is (N5).
            (false, _) | (true, Request::WebSocketAuth(_)) => {}
            (true, Request::JobSubscribe(job)) => state.subscription = job,
            (true, Request::JobNew(new)) => self.job_new(now, new, out),
            (true, Request::JobCancel(id)) => self.cancel(now, id, out),
            (true, Request::JobDelete(id)) => self.delete(now, id, out),
        }
    }

    fn job_new(&mut self, now: Timestamp, new: JobNew, out: &mut Vec<Output>) {
        let too_many = new.configs.len() > self.max_configs_per_job;
        let Ok(steps) = u32::try_from(new.configs.len()) else {
            return;
        };
        if too_many || self.jobs.len() >= self.max_jobs {
            return;
        }
        let id = self.next_job_id;
        self.next_job_id += 1;
        let entry = Entry {
            job: Job::new(id, steps),
            dat: new.dat,
        };
        self.jobs.insert(id, entry);
        self.update(id, out);
        self.start_next(now, out);
    }

    fn cancel(&mut self, now: Timestamp, id: u64, out: &mut Vec<Output>) {
        let Some(entry) = self.jobs.get_mut(&id) else {
            return;
        };
        if entry.job.status.is_final() {
            return;
        }
        entry.job.status = Status::Canceled;
        self.update(id, out);
        self.stop_if_running(now, id, out);
    }

    fn delete(&mut self, now: Timestamp, id: u64, out: &mut Vec<Output>) {
        if self.jobs.remove(&id).is_none() {
            return;
        }
        self.update(id, out);
        self.stop_if_running(now, id, out);
    }

    /// When `id` was the running job, the next one starts at `now`.
    fn stop_if_running(&mut self, now: Timestamp, id: u64, out: &mut Vec<Output>) {
        if self.running.is_some_and(|r| r.job == id) {
            self.running = None;
            self.start_next(now, out);
        }
    }

    /// `JobUpdate` of job `id` (null when deleted) to every authenticated socket (D5).
    pub(super) fn update(&self, id: u64, out: &mut Vec<Output>) {
        let job = self.jobs.get(&id).map(|e| &e.job);
        let text = ServerMessage::JobUpdate { job_id: id, job }.encode();
        let conns = self.conns.iter().filter(|(_, c)| c.authenticated);
        out.extend(conns.map(|(&conn, _)| Output::Send {
            conn,
            text: text.clone(),
        }));
    }

    /// `DetailedUpdate` of job `id` to the authenticated sockets subscribed to it (D5).
    pub(super) fn detailed(&self, id: u64, out: &mut Vec<Output>) {
        let Some(entry) = self.jobs.get(&id) else {
            return;
        };
        let text = ServerMessage::DetailedUpdate {
            job: &entry.job,
            conf: &entry.dat,
        }
        .encode();
        let conns = self.conns.iter();
        let subscribed = conns.filter(|(_, c)| c.authenticated && c.subscription == Some(id));
        out.extend(subscribed.map(|(&conn, _)| Output::Send {
            conn,
            text: text.clone(),
        }));
    }
}
