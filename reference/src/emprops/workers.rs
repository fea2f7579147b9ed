//! Registrations and workers: `register_client` (emprops-N7), `register_worker` with optional
//! tokens and reconnects (N8, N27), heartbeats, `worker_status` and offline detection (E7,
//! N21), and a worker leaving (N24).
//!
//! Invariants: a worker id is registered on at most one connection; any message from a
//! worker's connection is a sign of life; a worker that goes offline or away holds no job
//! afterwards (its jobs are requeued, never lost).

use super::HubError;
use super::core::{Core, Emit, Replied};
use super::request::{ClientKind, Request};
use super::state::{ConnId, Role, Timer, Worker};
use super::wire::Out;
use crate::ark::Timestamp;
use serde_json::json;

/// Silent heartbeat intervals after which a worker is offline (E7).
pub const OFFLINE_AFTER_INTERVALS: u32 = 3;

impl Core {
    pub(super) fn register_client(
        &mut self,
        e: &mut Emit,
        conn: ConnId,
        kind: ClientKind,
        client_id: &str,
    ) -> Result<Replied, HubError> {
        self.leave_worker_role(e, conn);
        let role = match kind {
            ClientKind::JobClient => Role::JobClient,
            ClientKind::Monitor => Role::Monitor,
        };
        if let Some(c) = self.conns.get_mut(&conn) {
            c.role = role;
        }
        let connection_id = self.new_id("conn");
        let registered = Out::ClientRegistered {
            client_id,
            status: "registered",
            assigned_connection_id: &connection_id,
        };
        e.send(conn, &registered);
        Ok(Replied::Yes)
    }

    /// A connection that was a worker and registers as something else stops being it.
    fn leave_worker_role(&mut self, e: &mut Emit, conn: ConnId) {
        let Some(c) = self.conns.get_mut(&conn) else {
            return;
        };
        if let Role::Worker(worker_id) = std::mem::replace(&mut c.role, Role::Anonymous) {
            self.remove_worker(e, &worker_id);
        }
    }

    pub(super) fn register_worker(
        &mut self,
        e: &mut Emit,
        conn: ConnId,
        request: Request<'_>,
    ) -> Result<Replied, HubError> {
        let Request::RegisterWorker {
            worker_id,
            capabilities,
            status,
            subscribe_to_jobs,
            token,
        } = request
        else {
            return Ok(Replied::No);
        };
        let tokens = &self.settings.worker_tokens;
        if !tokens.is_empty() && !token.is_some_and(|t| tokens.contains(&t)) {
            return Err(HubError::AuthFailed { worker_id });
        }
        let same = matches!(self.conns.get(&conn).map(|c| &c.role), Some(Role::Worker(w)) if *w == worker_id);
        if !same {
            self.leave_worker_role(e, conn);
        }
        let generation = self.seq();
        let reconnect = self
            .workers
            .get(&worker_id)
            .map(|w| (w.conn, w.jobs.clone()));
        if let Some((old_conn, _)) = reconnect
            && old_conn != conn
            && let Some(old) = self.conns.get_mut(&old_conn)
        {
            old.role = Role::Anonymous;
        }
        let worker = Worker {
            conn,
            capabilities,
            status,
            subscribe_to_jobs,
            jobs: reconnect.map(|(_, jobs)| jobs).unwrap_or_default(),
            offline: false,
            heard_at: e.now,
            generation,
        };
        self.workers.insert(worker_id.clone(), worker);
        if let Some(c) = self.conns.get_mut(&conn) {
            c.role = Role::Worker(worker_id.clone());
        }
        self.arm_offline(e.now, &worker_id, generation);
        let connection_id = self.new_id("worker-conn");
        let registered = Out::WorkerRegistered {
            worker_id: &worker_id,
            status: "registered",
            assigned_connection_id: &connection_id,
        };
        e.send(conn, &registered);
        Ok(Replied::Yes)
    }

    fn arm_offline(&mut self, heard_at: Timestamp, worker_id: &str, generation: u64) {
        let silence = self.settings.heartbeat_interval * OFFLINE_AFTER_INTERVALS;
        self.arm(
            heard_at.plus(silence),
            Timer::Offline(worker_id.to_owned(), generation),
        );
    }

    /// A message arrived on `conn`: if it is a worker's, the worker is alive (emprops-N21).
    pub(super) fn heard_from(&mut self, now: Timestamp, conn: ConnId) {
        let Some(Role::Worker(worker_id)) = self.conns.get(&conn).map(|c| &c.role) else {
            return;
        };
        let Some(worker) = self.workers.get_mut(worker_id) else {
            return;
        };
        worker.heard_at = now;
        if worker.offline {
            worker.offline = false;
            let (id, generation) = (worker_id.clone(), worker.generation);
            self.arm_offline(now, &id, generation);
        }
    }

    /// The offline timer of a worker: offline if silent for 3 intervals, else checked again
    /// 3 intervals after it was last heard from.
    pub(super) fn check_offline(&mut self, e: &mut Emit, worker_id: &str, generation: u64) {
        let silence = self.settings.heartbeat_interval * OFFLINE_AFTER_INTERVALS;
        let Some(worker) = self.workers.get_mut(worker_id) else {
            return;
        };
        if worker.generation != generation || worker.offline {
            return;
        }
        let heard_at = worker.heard_at;
        if heard_at.plus(silence) > e.now {
            self.arm_offline(heard_at, worker_id, generation);
            return;
        }
        worker.offline = true;
        let held = std::mem::take(&mut worker.jobs);
        let requeued: Vec<String> = held
            .iter()
            .filter_map(|seq| self.jobs.get(seq).map(|j| j.id.clone()))
            .collect();
        for seq in held {
            self.requeue(e, seq);
        }
        let message = format!("Worker {worker_id} is offline");
        let details = json!({"worker_id": worker_id, "requeued_jobs": requeued});
        let alert = Out::SystemAlert {
            severity: "warning",
            category: "worker_offline",
            message: &message,
            details: &details,
            actions_recommended: None,
        };
        let monitors = self.monitors();
        e.send_all(&monitors, &alert);
    }

    /// Unregisters a worker that left; its jobs go back to the queue at once (emprops-N24).
    pub(super) fn remove_worker(&mut self, e: &mut Emit, worker_id: &str) {
        let Some(worker) = self.workers.remove(worker_id) else {
            return;
        };
        for seq in worker.jobs {
            // The job still names the worker; requeue clears it.
            if let Some(job) = self.jobs.get_mut(&seq) {
                job.worker = None;
            }
            self.requeue(e, seq);
        }
    }

    pub(super) fn heartbeat(
        &mut self,
        e: &mut Emit,
        conn: ConnId,
        worker_id: &str,
        status: Option<String>,
    ) -> Result<Replied, HubError> {
        self.check_worker(conn, worker_id)?;
        if let (Some(worker), Some(status)) = (self.workers.get_mut(worker_id), status) {
            worker.status = status;
        }
        let next = e.now.plus(self.settings.heartbeat_interval);
        let ack = Out::WorkerHeartbeatAck {
            worker_id,
            status: "acknowledged",
            next_heartbeat_expected: next.unix_millis(),
        };
        e.send(conn, &ack);
        Ok(Replied::Yes)
    }

    pub(super) fn worker_status(
        &mut self,
        conn: ConnId,
        request: Request<'_>,
    ) -> Result<Replied, HubError> {
        let Request::WorkerStatus {
            worker_id,
            status,
            services,
            components,
            gpu_memory_gb,
        } = request
        else {
            return Ok(Replied::No);
        };
        self.check_worker(conn, &worker_id)?;
        let Some(worker) = self.workers.get_mut(&worker_id) else {
            return Ok(Replied::No);
        };
        if let Some(status) = status {
            worker.status = status;
        }
        if let Some(services) = services {
            worker.capabilities.services = services;
        }
        if let Some(components) = components {
            worker.capabilities.components = components;
        }
        if gpu_memory_gb.is_some() {
            worker.capabilities.gpu_memory_gb = gpu_memory_gb;
        }
        Ok(Replied::No)
    }

    /// The connections registered as monitors, in id order.
    pub(super) fn monitors(&self) -> Vec<ConnId> {
        let mut monitors: Vec<ConnId> = self
            .conns
            .iter()
            .filter(|(_, c)| c.role == Role::Monitor)
            .map(|(id, _)| *id)
            .collect();
        monitors.sort_unstable();
        monitors
    }
}
