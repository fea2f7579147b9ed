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

use super::events::{
    AgentHeartbeat, AgentOffline, AgentRegistered, Event, InstanceCreated, InstanceDeletedEvent,
    InstanceStatusChanged, InstanceUpdated, SystemError,
};
use super::ids::IdSource;
use super::model::{Agent, Instance, InstanceDeleted, Job, JobStatus, LogEntry, Timestamp};
use super::request::{AddLog, CreateInstance, Heartbeat, RegisterAgent, Request, UpdateInstance};
use super::{ApiError, Settings};
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::{BTreeSet, HashMap, VecDeque};
use std::time::Duration;

/// Silent intervals after which an agent is offline (ark-N7).
const OFFLINE_AFTER_INTERVALS: u32 = 3;

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

    fn offline_deadline(&self, last_seen: Timestamp) -> Timestamp {
        last_seen.plus(self.heartbeat_interval * OFFLINE_AFTER_INTERVALS)
    }

    fn go_offline(&mut self, now: Timestamp, agent_id: &str, events: &mut Vec<Event>) {
        let Some(agent) = self.agents.get_mut(agent_id) else {
            return;
        };
        agent.value.online = false;
        events.push(Event::AgentOffline(AgentOffline {
            agent_id: agent_id.to_owned(),
            last_seen_at: agent.value.last_seen_at,
        }));
        let failed = self.fail_running_jobs_of(now, agent_id, events);
        if !failed.is_empty() {
            let mut context = Map::new();
            context.insert("agentId".into(), Value::String(agent_id.to_owned()));
            let ids = failed.into_iter().map(Value::String).collect();
            context.insert("jobIds".into(), Value::Array(ids));
            events.push(Event::SystemError(SystemError {
                error: super::jobs::AGENT_OFFLINE.to_owned(),
                timestamp: now,
                context: Some(context),
            }));
        }
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

    fn register(&mut self, now: Timestamp, r: RegisterAgent, events: &mut Vec<Event>) -> Reply {
        let agent = Agent {
            agent_id: r.agent_id.clone(),
            hostname: r.hostname.clone(),
            capabilities: r.capabilities,
            version: r.version,
            status: "ONLINE".to_owned(),
            registered_at: now,
            last_seen_at: now,
            online: true,
        };
        let seq = match self.agents.get(&r.agent_id) {
            Some(old) => {
                let key = (
                    self.offline_deadline(old.value.last_seen_at),
                    r.agent_id.clone(),
                );
                self.deadlines.remove(&key);
                old.seq
            }
            None => self.seq(),
        };
        let deadline = self.offline_deadline(now);
        self.deadlines.insert((deadline, r.agent_id.clone()));
        self.agents.insert(
            r.agent_id.clone(),
            Seq {
                seq,
                value: agent.clone(),
            },
        );
        events.push(Event::AgentRegistered(AgentRegistered {
            agent_id: r.agent_id,
            hostname: r.hostname,
            registered_at: now,
        }));
        Reply::created(Body::Agent(agent))
    }

    fn heartbeat(
        &mut self,
        now: Timestamp,
        h: Heartbeat,
        events: &mut Vec<Event>,
    ) -> Result<Reply, ApiError> {
        let window = self.heartbeat_interval * OFFLINE_AFTER_INTERVALS;
        let Some(entry) = self.agents.get_mut(&h.agent_id) else {
            return Err(ApiError::NotFound(format!(
                "there is no agent {:?}",
                h.agent_id
            )));
        };
        let agent = &mut entry.value;
        let old = (agent.last_seen_at.plus(window), h.agent_id.clone());
        self.deadlines.remove(&old);
        agent.last_seen_at = now;
        agent.online = true;
        agent.status = h.status.clone();
        let reply = Reply::ok(Body::Agent(agent.clone()));
        self.deadlines
            .insert((now.plus(window), h.agent_id.clone()));
        events.push(Event::AgentHeartbeat(AgentHeartbeat {
            agent_id: h.agent_id,
            status: h.status,
            timestamp: now,
        }));
        Ok(reply)
    }

    fn instance(&self, id: &str) -> Result<&InstanceState, ApiError> {
        self.instances
            .get(id)
            .map(|s| &s.value)
            .ok_or_else(|| ApiError::NotFound(format!("there is no instance {id:?}")))
    }

    fn create_instance(
        &mut self,
        now: Timestamp,
        c: CreateInstance,
        events: &mut Vec<Event>,
    ) -> Result<Reply, ApiError> {
        if !self.agents.contains_key(&c.agent_id) {
            return Err(ApiError::UnknownAgent(c.agent_id));
        }
        let instance = Instance {
            instance_id: self.ids.next_id(),
            name: c.name,
            game_type: c.game_type,
            agent_id: c.agent_id,
            config: c.config,
            status: super::model::InstanceStatus::Stopped,
            created_at: now,
            updated_at: now,
        };
        let seq = self.seq();
        let state = InstanceState {
            instance: instance.clone(),
            logs: VecDeque::new(),
        };
        let id = instance.instance_id.clone();
        self.instances.insert(id, Seq { seq, value: state });
        events.push(Event::InstanceCreated(InstanceCreated {
            instance_id: instance.instance_id.clone(),
            name: instance.name.clone(),
            game_type: instance.game_type,
            created_at: now,
        }));
        Ok(Reply::created(Body::Instance(instance)))
    }

    fn update_instance(
        &mut self,
        now: Timestamp,
        id: &str,
        u: UpdateInstance,
        events: &mut Vec<Event>,
    ) -> Result<Reply, ApiError> {
        let Some(entry) = self.instances.get_mut(id) else {
            return Err(ApiError::NotFound(format!("there is no instance {id:?}")));
        };
        let inst = &mut entry.value.instance;
        let mut updated = false;
        if let Some(name) = u.name.filter(|n| *n != inst.name) {
            inst.name = name;
            updated = true;
        }
        if let Some(config) = u.config.filter(|c| *c != inst.config) {
            inst.config = config;
            updated = true;
        }
        let status = u.status.filter(|s| *s != inst.status);
        if updated || status.is_some() {
            inst.updated_at = now;
        }
        if updated {
            events.push(Event::InstanceUpdated(InstanceUpdated {
                instance_id: id.to_owned(),
                updated_at: now,
            }));
        }
        if let Some(status) = status {
            inst.status = status;
            events.push(Event::InstanceStatusChanged(InstanceStatusChanged {
                instance_id: id.to_owned(),
                status,
                changed_at: now,
            }));
        }
        Ok(Reply::ok(Body::Instance(inst.clone())))
    }

    fn delete_instance(
        &mut self,
        now: Timestamp,
        id: &str,
        events: &mut Vec<Event>,
    ) -> Result<Reply, ApiError> {
        if self.instances.remove(id).is_none() {
            return Err(ApiError::NotFound(format!("there is no instance {id:?}")));
        }
        events.push(Event::InstanceDeleted(InstanceDeletedEvent {
            instance_id: id.to_owned(),
            deleted_at: now,
        }));
        Ok(Reply::ok(Body::Deleted(InstanceDeleted {
            instance_id: id.to_owned(),
            deleted_at: now,
        })))
    }

    fn add_log(
        &mut self,
        now: Timestamp,
        id: &str,
        l: AddLog,
        events: &mut Vec<Event>,
    ) -> Result<Reply, ApiError> {
        let max = self.max_logs_per_instance;
        let Some(entry) = self.instances.get_mut(id) else {
            return Err(ApiError::NotFound(format!("there is no instance {id:?}")));
        };
        let log = LogEntry {
            instance_id: id.to_owned(),
            timestamp: now,
            level: l.level,
            message: l.message,
        };
        let logs = &mut entry.value.logs;
        logs.push_back(log.clone());
        while logs.len() > max {
            logs.pop_front();
        }
        events.push(Event::InstanceLog(log.clone()));
        Ok(Reply::created(Body::Log(log)))
    }

    /// Whether a job is running on an instance of `agent_id`.
    pub(super) fn runs_on(&self, job: &Job, agent_id: &str) -> bool {
        job.status == JobStatus::Running
            && job
                .instance_id
                .as_ref()
                .and_then(|i| self.instances.get(i))
                .is_some_and(|s| s.value.instance.agent_id == agent_id)
    }
}
