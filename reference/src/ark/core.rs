//! The ark state machine (sans-IO): agents, instances, jobs and their runs.
//!
//! Fed `(now, request)` it answers with an [`Output`]: the reply and the events, in the order the
//! changes happened. It never reads the clock, sleeps or touches a socket; time comes in as
//! [`Timestamp`], ids from an injected [`IdSource`]. Offline detection (ark-N7/N8) is driven by
//! [`Core::poll_deadline`] and [`Core::handle_timeout`]; every `handle` first runs the timeouts
//! due at `now`, so the outcome does not depend on when a timer fires.
//!
//! Invariants: a rejected request changes nothing and emits nothing (ark-N2); a job in a
//! terminal state never changes again; every event is stamped with the `now` it was made at.

use super::events::Event;
use super::ids::IdSource;
use super::model::{Agent, Instance, InstanceDeleted, Job, LogEntry, Timestamp};
use super::request::Request;
use super::{ApiError, Settings};
use serde::Serialize;
use std::collections::{BTreeSet, HashMap, VecDeque};
use std::time::Duration;

/// Silent intervals after which an agent is offline (ark-N7).
pub(super) const OFFLINE_AFTER_INTERVALS: u32 = 3;

/// The status of a successful reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Success {
    /// 200.
    Ok,
    /// 201.
    Created,
}

impl Success {
    /// The HTTP status.
    pub const fn status(self) -> u16 {
        match self {
            Self::Ok => 200,
            Self::Created => 201,
        }
    }
}

/// The body of a successful reply: the resource as `GET` shows it (ark-N3).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Body {
    /// One agent.
    Agent(Agent),
    /// All agents, in registration order.
    Agents(Vec<Agent>),
    /// One instance.
    Instance(Instance),
    /// All instances, in creation order.
    Instances(Vec<Instance>),
    /// A deletion.
    Deleted(InstanceDeleted),
    /// One log entry.
    Log(LogEntry),
    /// An instance's kept log entries, oldest first.
    Logs(Vec<LogEntry>),
    /// One job.
    Job(Job),
    /// All jobs, in creation order.
    Jobs(Vec<Job>),
}

/// A successful reply.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    /// 200 or 201.
    pub status: Success,
    /// The JSON body.
    pub body: Body,
}

impl Reply {
    pub(super) fn ok(body: Body) -> Self {
        Self {
            status: Success::Ok,
            body,
        }
    }

    pub(super) fn created(body: Body) -> Self {
        Self {
            status: Success::Created,
            body,
        }
    }
}

/// What one request produced.
#[derive(Debug, Clone, PartialEq)]
pub struct Output {
    /// The answer.
    pub reply: Result<Reply, ApiError>,
    /// The events to push, in order (timeouts due at `now` first, then the request's own).
    pub events: Vec<Event>,
}

/// A stored value with its creation sequence number (for listing in creation order).
#[derive(Debug, Clone)]
pub(super) struct Seq<T> {
    pub(super) seq: u64,
    pub(super) value: T,
}

/// An instance and its kept logs.
#[derive(Debug, Clone)]
pub(super) struct InstanceState {
    pub(super) instance: Instance,
    pub(super) logs: VecDeque<LogEntry>,
}

/// The ark control plane, in memory.
pub struct Core {
    pub(super) heartbeat_interval: Duration,
    pub(super) max_logs_per_instance: usize,
    pub(super) ids: Box<dyn IdSource>,
    pub(super) next_seq: u64,
    pub(super) agents: HashMap<String, Seq<Agent>>,
    /// `(offline deadline, agent id)` of every online agent.
    pub(super) deadlines: BTreeSet<(Timestamp, String)>,
    pub(super) instances: HashMap<String, Seq<InstanceState>>,
    pub(super) jobs: HashMap<String, Seq<Job>>,
}

impl std::fmt::Debug for Core {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Core")
            .field("agents", &self.agents.len())
            .field("instances", &self.instances.len())
            .field("jobs", &self.jobs.len())
            .finish_non_exhaustive()
    }
}

/// The values of a map in creation order.
pub(super) fn in_order<T: Clone>(map: &HashMap<String, Seq<T>>) -> Vec<T> {
    let mut items: Vec<&Seq<T>> = map.values().collect();
    items.sort_by_key(|s| s.seq);
    items.into_iter().map(|s| s.value.clone()).collect()
}

impl Core {
    /// A core with no state, using `settings`' timing and limits and `ids` for new ids.
    pub fn new(settings: &Settings, ids: Box<dyn IdSource>) -> Self {
        Self {
            heartbeat_interval: settings.heartbeat_interval,
            max_logs_per_instance: settings.max_logs_per_instance,
            ids,
            next_seq: 0,
            agents: HashMap::new(),
            deadlines: BTreeSet::new(),
            instances: HashMap::new(),
            jobs: HashMap::new(),
        }
    }

    /// Handles one request at `now` (after the timeouts due at `now`).
    pub fn handle(&mut self, now: Timestamp, request: Request) -> Output {
        let mut events = self.handle_timeout(now);
        let reply = self.apply(now, request, &mut events);
        Output { reply, events }
    }

    /// The next instant at which [`Core::handle_timeout`] has something to do, if any.
    pub fn poll_deadline(&self) -> Option<Timestamp> {
        self.deadlines.first().map(|(t, _)| *t)
    }

    /// Marks offline every agent silent for 3 heartbeat intervals at `now` (ark-N7) and fails
    /// the running jobs of its instances (ark-N8). Returns the events, in order.
    pub fn handle_timeout(&mut self, now: Timestamp) -> Vec<Event> {
        let mut events = Vec::new();
        while let Some((deadline, agent_id)) = self.deadlines.first().cloned() {
            if deadline > now {
                break;
            }
            self.deadlines.remove(&(deadline, agent_id.clone()));
            self.go_offline(now, &agent_id, &mut events);
        }
        events
    }

    pub(super) fn seq(&mut self) -> u64 {
        self.next_seq += 1;
        self.next_seq
    }

    fn apply(
        &mut self,
        now: Timestamp,
        request: Request,
        events: &mut Vec<Event>,
    ) -> Result<Reply, ApiError> {
        match request {
            Request::RegisterAgent(r) => Ok(self.register(now, r, events)),
            Request::Heartbeat(h) => self.heartbeat(now, h, events),
            Request::ListAgents => Ok(Reply::ok(Body::Agents(in_order(&self.agents)))),
            Request::GetAgent(id) => self
                .agents
                .get(&id)
                .map(|a| Reply::ok(Body::Agent(a.value.clone())))
                .ok_or_else(|| ApiError::NotFound(format!("there is no agent {id:?}"))),
            Request::CreateInstance(c) => self.create_instance(now, c, events),
            Request::ListInstances => {
                let all = in_order(&self.instances).into_iter();
                Ok(Reply::ok(Body::Instances(
                    all.map(|s| s.instance).collect(),
                )))
            }
            Request::GetInstance(id) => self
                .instance(&id)
                .map(|s| Reply::ok(Body::Instance(s.instance.clone()))),
            Request::UpdateInstance(id, u) => self.update_instance(now, &id, u, events),
            Request::DeleteInstance(id) => self.delete_instance(now, &id, events),
            Request::AddLog(id, l) => self.add_log(now, &id, l, events),
            Request::ListLogs(id) => self
                .instance(&id)
                .map(|s| Reply::ok(Body::Logs(s.logs.iter().cloned().collect()))),
            Request::CreateJob(c) => self.create_job(now, c, events),
            Request::ListJobs => Ok(Reply::ok(Body::Jobs(in_order(&self.jobs)))),
            Request::GetJob(id) => self.job(&id).map(|j| Reply::ok(Body::Job(j.clone()))),
            Request::Progress(p) => self.progress(now, p, events),
            Request::Complete(c) => self.complete(now, c, events),
        }
    }
}
