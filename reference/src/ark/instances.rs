//! The instance half of the ark core: create, update, delete and logs (ark-N9).
//!
//! Invariants: `PUT` emits `instance:updated` (name or config changed value) before
//! `instance:status_changed` (status changed value), and nothing when nothing changed; an
//! instance keeps at most `max_logs_per_instance` log entries, dropping the oldest.

use super::ApiError;
use super::core::{Body, Core, InstanceState, Reply, Seq};
use super::events::{
    Event, InstanceCreated, InstanceDeletedEvent, InstanceStatusChanged, InstanceUpdated,
};
use super::model::{
    Instance, InstanceDeleted, InstanceStatus, Job, JobStatus, LogEntry, Timestamp,
};
use super::request::{AddLog, CreateInstance, UpdateInstance};
use std::collections::VecDeque;

impl Core {
    pub(super) fn instance(&self, id: &str) -> Result<&InstanceState, ApiError> {
        self.instances
            .get(id)
            .map(|s| &s.value)
            .ok_or_else(|| ApiError::NotFound(format!("there is no instance {id:?}")))
    }

    pub(super) fn create_instance(
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
            status: InstanceStatus::Stopped,
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

    pub(super) fn update_instance(
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

    pub(super) fn delete_instance(
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

    pub(super) fn add_log(
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
