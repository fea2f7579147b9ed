//! Who hears of a job (emprops-N17, N18): its submitter, the connections that sent
//! `subscribe_job` for it, and the notification subscriptions whose filters match; and the
//! `job_update` / `job_completed` messages they get (N13).
//!
//! Invariants: nobody else hears of a job; each watcher gets each update once, in the order
//! the updates happened; closed connections are skipped.

use super::HubError;
use super::core::{Core, Emit, Replied};
use super::state::{ConnId, Filters, Job, Notifications, Status};
use super::wire::Out;
use serde_json::value::RawValue;
use serde_json::{Number, Value};

impl Filters {
    /// Whether an update of `job` to `status` passes every filter given.
    pub(super) fn matches(&self, job: &Job, status: Status) -> bool {
        let customer = self
            .customer_id
            .as_ref()
            .is_none_or(|c| job.customer_id.as_ref() == Some(c));
        let job_type = self
            .job_types
            .as_ref()
            .is_none_or(|types| types.contains(&job.job_type));
        let priority = self
            .priority_min
            .is_none_or(|min| f64::from(job.priority) >= min);
        let state = self
            .status
            .as_ref()
            .is_none_or(|s| s.iter().any(|s| s == status.as_str()));
        customer && job_type && priority && state
    }
}

impl Core {
    /// The connections that hear of an update of `job` to `status`, each once.
    fn watchers(&self, job: &Job, status: Status, to_submitter: bool) -> Vec<ConnId> {
        let mut to: Vec<ConnId> = Vec::new();
        if to_submitter && self.conns.contains_key(&job.submitter) {
            to.push(job.submitter);
        }
        to.extend(
            job.watchers
                .iter()
                .copied()
                .filter(|c| self.conns.contains_key(c)),
        );
        for (conn, c) in &self.conns {
            if c.notifications
                .as_ref()
                .is_some_and(|n| n.filters.matches(job, status))
            {
                to.push(*conn);
            }
        }
        to.sort_unstable();
        to.dedup();
        to
    }

    /// Sends `job_update` for job `seq`'s current status (emprops-N13): `worker_id` while a
    /// worker holds it, `progress` and `message` of a progress report, `message` the error of
    /// a failure. `to_submitter` is false only on submission (the submitter has `job_accepted`).
    pub(super) fn job_update(
        &mut self,
        e: &mut Emit,
        seq: u64,
        previous: Option<Status>,
        to_submitter: bool,
    ) {
        let Some(job) = self.jobs.get(&seq) else {
            return;
        };
        let to = self.watchers(job, job.status, to_submitter);
        let reported = job.status == Status::InProgress;
        let update = Out::JobUpdate {
            job_id: &job.id,
            status: job.status,
            previous_status: previous,
            worker_id: job.worker.as_deref(),
            progress: job.progress.as_ref().filter(|_| reported),
            message: job
                .message
                .as_deref()
                .filter(|_| reported || job.status == Status::Failed),
        };
        e.send_all(&to, &update);
    }

    /// Sends `job_completed` for job `seq` to its watchers (emprops-N13).
    pub(super) fn job_completed(
        &mut self,
        e: &mut Emit,
        seq: u64,
        worker_id: &str,
        processing_time: Option<&Number>,
        result: &RawValue,
    ) {
        let Some(job) = self.jobs.get(&seq) else {
            return;
        };
        let to = self.watchers(job, Status::Completed, true);
        let completed = Out::JobCompleted {
            job_id: &job.id,
            status: Status::Completed,
            worker_id,
            priority: job.priority,
            processing_time,
            result,
        };
        e.send_all(&to, &completed);
    }

    pub(super) fn subscribe_job(
        &mut self,
        conn: ConnId,
        job_id: &str,
    ) -> Result<Replied, HubError> {
        let seq = self.job_seq(job_id)?;
        if let Some(job) = self.jobs.get_mut(&seq)
            && !job.watchers.contains(&conn)
        {
            job.watchers.push(conn);
        }
        Ok(Replied::No)
    }

    pub(super) fn subscribe_notifications(
        &mut self,
        e: &mut Emit,
        conn: ConnId,
        enabled: bool,
        filters: Filters,
        applied: &Value,
    ) -> Replied {
        let existing = self
            .conns
            .get(&conn)
            .and_then(|c| c.notifications.as_ref())
            .map(|n| n.id.clone());
        let id = match existing {
            Some(id) if !enabled => id,
            _ => self.new_id("sub"),
        };
        if let Some(c) = self.conns.get_mut(&conn) {
            c.notifications = enabled.then(|| Notifications {
                id: id.clone(),
                filters,
            });
        }
        let subscribed = Out::JobNotificationsSubscribed {
            subscription_id: &id,
            filters_applied: applied,
        };
        e.send(conn, &subscribed);
        Replied::Yes
    }
}
