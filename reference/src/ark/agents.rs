//! The agent half of the ark core: registration, heartbeats and offline detection
//! (ark-N6, ark-N7, ark-N8).
//!
//! Invariant: `deadlines` holds exactly one entry per online agent, its last registration or
//! heartbeat plus 3 intervals; an offline agent has none until it is heard from again.

use super::ApiError;
use super::core::{Body, Core, OFFLINE_AFTER_INTERVALS, Reply, Seq};
use super::events::{AgentHeartbeat, AgentOffline, AgentRegistered, Event, SystemError};
use super::jobs::AGENT_OFFLINE;
use super::model::{Agent, Timestamp};
use super::request::{Heartbeat, RegisterAgent};
use serde_json::{Map, Value};
use std::time::Duration;

impl Core {
    /// How long an agent may stay silent (saturating, so any interval is safe).
    fn offline_window(&self) -> Duration {
        self.heartbeat_interval
            .checked_mul(OFFLINE_AFTER_INTERVALS)
            .unwrap_or(Duration::MAX)
    }

    fn offline_deadline(&self, last_seen: Timestamp) -> Timestamp {
        last_seen.plus(self.offline_window())
    }

    pub(super) fn go_offline(&mut self, now: Timestamp, agent_id: &str, events: &mut Vec<Event>) {
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
                error: AGENT_OFFLINE.to_owned(),
                timestamp: now,
                context: Some(context),
            }));
        }
    }

    pub(super) fn register(
        &mut self,
        now: Timestamp,
        r: RegisterAgent,
        events: &mut Vec<Event>,
    ) -> Reply {
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

    pub(super) fn heartbeat(
        &mut self,
        now: Timestamp,
        h: Heartbeat,
        events: &mut Vec<Event>,
    ) -> Result<Reply, ApiError> {
        let window = self.offline_window();
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
}
