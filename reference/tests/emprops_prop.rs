//! State-machine property test of the emprops hub core against a simple model: random sessions
//! of submissions, claims, accepts, progress, completions, failures with retries, cancels,
//! subscriptions, heartbeats, workers leaving and joining, stats requests and clock advances
//! (claim timeouts, offline workers).
//!
//! Checked at every step: a claim takes exactly the jobs the model expects (queued, capable,
//! queue order), so a job is assigned to at most one worker at a time and only to a capable
//! one; every refusal the model expects is the hub's; `system_status` equals the model's
//! counts; every watcher (submitter, `subscribe_job`, an unfiltered notification
//! subscription) has seen exactly the model's updates of each job, in order. At the end, every
//! job has the model's status: none is lost when workers vanish.

use proptest::prelude::*;
use reference::emprops::{ConnId, Core, Input, Output, SequentialIds, Settings, Timestamp};
use serde_json::{Value, json};
use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

const CLIENTS: [ConnId; 2] = [1, 2];
const MONITOR: ConnId = 3;
const CLAIM_TIMEOUT: i64 = 1500;
const SILENCE: i64 = 3000;
/// Each worker's services and GPU memory.
const WORKERS: [(&[&str], Option<u32>); 3] =
    [(&["a"], Some(16)), (&["a", "b"], Some(8)), (&["b"], None)];
const SERVICES: [&str; 2] = ["a", "b"];

#[derive(Debug, Clone)]
enum Op {
    Submit {
        client: usize,
        service: Option<usize>,
        gpu: Option<u32>,
        priority: u8,
        max_retries: u8,
    },
    Claim {
        worker: usize,
        max_jobs: u8,
    },
    Accept {
        worker: usize,
        job: usize,
    },
    Progress {
        worker: usize,
        job: usize,
    },
    Complete {
        worker: usize,
        job: usize,
    },
    Fail {
        worker: usize,
        job: usize,
        retry: bool,
    },
    Cancel {
        client: usize,
        job: usize,
    },
    Subscribe {
        client: usize,
        job: usize,
    },
    Heartbeat {
        worker: usize,
    },
    Leave {
        worker: usize,
    },
    Join {
        worker: usize,
    },
    Advance {
        ms: i64,
    },
    Stats,
}

fn op() -> impl Strategy<Value = Op> {
    let worker = 0usize..3;
    let job = any::<usize>();
    prop_oneof![
        3 => (0usize..2, prop::option::of(0usize..2), prop::option::of(prop::sample::select(vec![8u32, 12])), 0u8..3, 0u8..3)
            .prop_map(|(client, service, gpu, priority, max_retries)| Op::Submit { client, service, gpu, priority: priority * 40, max_retries }),
        3 => (worker.clone(), 1u8..3).prop_map(|(worker, max_jobs)| Op::Claim { worker, max_jobs }),
        2 => (worker.clone(), job).prop_map(|(worker, job)| Op::Accept { worker, job }),
        2 => (worker.clone(), job).prop_map(|(worker, job)| Op::Progress { worker, job }),
        2 => (worker.clone(), job).prop_map(|(worker, job)| Op::Complete { worker, job }),
        2 => (worker.clone(), job, any::<bool>()).prop_map(|(worker, job, retry)| Op::Fail { worker, job, retry }),
        1 => (0usize..2, job).prop_map(|(client, job)| Op::Cancel { client, job }),
        1 => (0usize..2, job).prop_map(|(client, job)| Op::Subscribe { client, job }),
        1 => worker.clone().prop_map(|worker| Op::Heartbeat { worker }),
        1 => worker.clone().prop_map(|worker| Op::Leave { worker }),
        2 => worker.prop_map(|worker| Op::Join { worker }),
        2 => (0i64..2500).prop_map(|ms| Op::Advance { ms }),
        1 => Just(Op::Stats),
    ]
}

#[derive(Debug)]
struct MJob {
    id: String,
    status: &'static str,
    holder: Option<usize>,
    accepted: bool,
    claim_deadline: i64,
    service: Option<usize>,
    gpu: Option<u32>,
    priority: u8,
    retries: u8,
    max_retries: u8,
    submitter: ConnId,
    subscribers: BTreeSet<ConnId>,
}

#[derive(Debug, Default)]
struct MWorker {
    conn: Option<ConnId>,
    heard: i64,
    offline: bool,
}

struct Run {
    core: Core,
    now: i64,
    next_conn: ConnId,
    jobs: Vec<MJob>,
    by_id: HashMap<String, usize>,
    workers: [MWorker; 3],
    completed: usize,
    expected: HashMap<(ConnId, usize), Vec<&'static str>>,
    received: HashMap<(ConnId, usize), Vec<String>>,
}

fn is_final(status: &str) -> bool {
    matches!(status, "completed" | "failed" | "cancelled")
}

fn capable(worker: usize, job: &MJob) -> bool {
    let (services, gpu) = WORKERS[worker];
    job.service.is_none_or(|s| services.contains(&SERVICES[s]))
        && job
            .gpu
            .is_none_or(|need| gpu.is_some_and(|have| need <= have))
}

impl Run {
    fn new() -> Self {
        let settings = Settings {
            heartbeat_interval: Duration::from_secs(1),
            retry_delay: Duration::ZERO,
            queue_alert_threshold: 1_000_000,
            ..Settings::default()
        };
        let mut run = Self {
            core: Core::new(settings, Box::new(SequentialIds::default())),
            now: 1_705_314_600_000,
            next_conn: 100,
            jobs: Vec::new(),
            by_id: HashMap::new(),
            workers: Default::default(),
            completed: 0,
            expected: HashMap::new(),
            received: HashMap::new(),
        };
        for conn in [CLIENTS[0], CLIENTS[1], MONITOR] {
            run.input(Input::Open(conn));
        }
        run.send(
            MONITOR,
            &json!({"type": "register_client", "client_type": "monitor", "client_id": "m"}),
        );
        run.send(MONITOR, &json!({"type": "subscribe_job_notifications"}));
        run
    }

    /// Feeds one input; records every update a watcher receives; returns the other messages.
    fn input(&mut self, input: Input<'_>) -> Vec<(ConnId, Value)> {
        let outputs = self
            .core
            .handle(Timestamp::from_unix_millis(self.now), input);
        self.record(outputs)
    }

    /// Files the job updates the clients and the monitor receive (an id not known yet is the
    /// job being submitted); returns the other messages.
    fn record(&mut self, outputs: Vec<Output>) -> Vec<(ConnId, Value)> {
        let mut rest = Vec::new();
        for output in outputs {
            let Output::Send { conn, text } = output else {
                continue;
            };
            let message: Value = serde_json::from_str(&text).unwrap();
            let kind = message["type"].as_str().unwrap();
            if matches!(kind, "job_update" | "job_completed") {
                let id = message["job_id"].as_str().unwrap();
                let job = self.by_id.get(id).copied().unwrap_or(self.jobs.len());
                let status = message["status"].as_str().unwrap().to_owned();
                self.received.entry((conn, job)).or_default().push(status);
            } else if !matches!(kind, "job_available" | "system_alert") {
                rest.push((conn, message));
            }
        }
        rest
    }

    fn send(&mut self, conn: ConnId, message: &Value) -> Vec<(ConnId, Value)> {
        let text = message.to_string();
        self.input(Input::Text(conn, &text))
    }

    /// The model's update of job `j` to its status: to its watchers.
    fn update(&mut self, j: usize, to_submitter: bool) {
        let job = &self.jobs[j];
        let mut to: BTreeSet<ConnId> = job.subscribers.clone();
        to.insert(MONITOR);
        if to_submitter {
            to.insert(job.submitter);
        }
        for conn in to {
            self.expected.entry((conn, j)).or_default().push(job.status);
        }
    }

    fn requeue(&mut self, j: usize) {
        let job = &mut self.jobs[j];
        job.status = "queued";
        job.holder = None;
        job.accepted = false;
        self.update(j, true);
    }

    /// Timeouts due at `now`: unaccepted claims, silent workers (emprops-N12, N21).
    fn timeouts(&mut self) {
        for j in 0..self.jobs.len() {
            let job = &self.jobs[j];
            if job.status == "assigned" && !job.accepted && self.now >= job.claim_deadline {
                self.requeue(j);
            }
        }
        for w in 0..3 {
            let worker = &mut self.workers[w];
            if worker.conn.is_some() && !worker.offline && self.now >= worker.heard + SILENCE {
                worker.offline = true;
                for j in 0..self.jobs.len() {
                    if self.jobs[j].holder == Some(w) {
                        self.requeue(j);
                    }
                }
            }
        }
    }

    /// The worker's connection, marking it heard from; `None` when it is not connected.
    fn worker_conn(&mut self, w: usize) -> Option<ConnId> {
        let now = self.now;
        let worker = &mut self.workers[w];
        let conn = worker.conn?;
        worker.heard = now;
        worker.offline = false;
        Some(conn)
    }

    fn job(&self, j: usize) -> Option<usize> {
        (!self.jobs.is_empty()).then(|| j % self.jobs.len())
    }
}

/// The messages of one step to `conn`, in order.
fn replies(got: &[(ConnId, Value)], conn: ConnId) -> Vec<&Value> {
    got.iter()
        .filter(|(c, _)| *c == conn)
        .map(|(_, m)| m)
        .collect()
}

fn error_code(got: &[(ConnId, Value)], conn: ConnId) -> Option<String> {
    let to = replies(got, conn);
    to.iter()
        .find(|m| m["type"] == "error")
        .map(|m| m["error_code"].as_str().unwrap().to_owned())
}

impl Run {
    fn step(&mut self, op: Op) -> Result<(), TestCaseError> {
        match op {
            Op::Submit {
                client,
                service,
                gpu,
                priority,
                max_retries,
            } => {
                let conn = CLIENTS[client];
                let mut message = json!({"type": "submit_job", "job_type": "t", "priority": priority, "max_retries": max_retries});
                if let Some(s) = service {
                    message["requirements"]["service_type"] = json!(SERVICES[s]);
                }
                if let Some(g) = gpu {
                    message["requirements"]["hardware"]["gpu_memory_gb"] = json!(g);
                }
                let got = self.send(conn, &message);
                let accepted = replies(&got, conn)[0].clone();
                prop_assert_eq!(&accepted["type"], "job_accepted");
                let id = accepted["job_id"].as_str().unwrap().to_owned();
                let j = self.jobs.len();
                self.by_id.insert(id.clone(), j);
                self.jobs.push(MJob {
                    id,
                    status: "queued",
                    holder: None,
                    accepted: false,
                    claim_deadline: 0,
                    service,
                    gpu,
                    priority,
                    retries: 0,
                    max_retries,
                    submitter: conn,
                    subscribers: BTreeSet::new(),
                });
                let position = accepted["position"].as_u64().unwrap() as usize;
                let ahead = self
                    .jobs
                    .iter()
                    .enumerate()
                    .filter(|(i, o)| {
                        o.status == "queued"
                            && (o.priority > priority || (o.priority == priority && *i < j))
                    })
                    .count();
                prop_assert_eq!(position, ahead + 1);
                self.update(j, false);
            }
            Op::Claim { worker, max_jobs } => {
                let Some(conn) = self.worker_conn(worker) else {
                    return Ok(());
                };
                let mut queued: Vec<usize> = (0..self.jobs.len())
                    .filter(|&j| self.jobs[j].status == "queued" && capable(worker, &self.jobs[j]))
                    .collect();
                queued.sort_by_key(|&j| (std::cmp::Reverse(self.jobs[j].priority), j));
                queued.truncate(usize::from(max_jobs));
                let got = self.send(conn, &json!({"type": "claim_job", "worker_id": format!("w{worker}"), "max_jobs": max_jobs, "claim_timeout": CLAIM_TIMEOUT}));
                let to = replies(&got, conn);
                if queued.is_empty() {
                    prop_assert_eq!(to.len(), 1);
                    prop_assert_eq!(&to[0]["status"], "no_job");
                }
                let assigned: Vec<String> = to
                    .iter()
                    .filter(|m| m["type"] == "job_assigned")
                    .map(|m| m["job_id"].as_str().unwrap().to_owned())
                    .collect();
                let expected: Vec<String> =
                    queued.iter().map(|&j| self.jobs[j].id.clone()).collect();
                prop_assert_eq!(
                    assigned,
                    expected,
                    "the first capable queued jobs, in queue order"
                );
                for j in queued {
                    let job = &mut self.jobs[j];
                    job.status = "assigned";
                    job.holder = Some(worker);
                    job.accepted = false;
                    job.claim_deadline = self.now + CLAIM_TIMEOUT;
                }
            }
            Op::Accept { worker, job }
            | Op::Progress { worker, job }
            | Op::Complete { worker, job }
            | Op::Fail { worker, job, .. } => {
                let Some(j) = self.job(job) else {
                    return Ok(());
                };
                let Some(conn) = self.worker_conn(worker) else {
                    return Ok(());
                };
                let (kind, extra) = match op {
                    Op::Accept { .. } => ("job_accepted_by_worker", json!({})),
                    Op::Progress { .. } => ("update_job_progress", json!({"progress": 50})),
                    Op::Complete { .. } => ("complete_job", json!({"result": {}})),
                    Op::Fail { retry, .. } => {
                        ("fail_job", json!({"retry": retry, "error": "boom"}))
                    }
                    _ => unreachable!(),
                };
                let mut message = json!({"type": kind, "job_id": self.jobs[j].id, "worker_id": format!("w{worker}")});
                for (k, v) in extra.as_object().unwrap() {
                    message[k] = v.clone();
                }
                let got = self.send(conn, &message);
                let holds = self.jobs[j].holder == Some(worker);
                prop_assert_eq!(
                    error_code(&got, conn),
                    (!holds).then(|| "INVALID_STATE".to_owned())
                );
                if holds {
                    self.work(j, op);
                }
            }
            Op::Cancel { client, job } => {
                let Some(j) = self.job(job) else {
                    return Ok(());
                };
                let conn = CLIENTS[client];
                let got = self.send(
                    conn,
                    &json!({"type": "cancel_job", "job_id": self.jobs[j].id}),
                );
                let was_final = is_final(self.jobs[j].status);
                prop_assert_eq!(
                    error_code(&got, conn),
                    was_final.then(|| "INVALID_STATE".to_owned())
                );
                if let (false, Some(w)) = (was_final, self.jobs[j].holder) {
                    let holder = self.workers[w].conn.unwrap();
                    prop_assert!(
                        replies(&got, holder)
                            .iter()
                            .any(|m| m["type"] == "job_cancelled")
                    );
                }
                if !was_final {
                    let job = &mut self.jobs[j];
                    job.status = "cancelled";
                    job.holder = None;
                    self.update(j, true);
                }
            }
            Op::Subscribe { client, job } => {
                let Some(j) = self.job(job) else {
                    return Ok(());
                };
                let conn = CLIENTS[client];
                self.send(
                    conn,
                    &json!({"type": "subscribe_job", "job_id": self.jobs[j].id}),
                );
                // From now on it hears of the job (what it heard before is checked to be nothing
                // unless it submitted the job).
                self.jobs[j].subscribers.insert(conn);
            }
            Op::Heartbeat { worker } => {
                let Some(conn) = self.worker_conn(worker) else {
                    return Ok(());
                };
                let got = self.send(
                    conn,
                    &json!({"type": "worker_heartbeat", "worker_id": format!("w{worker}")}),
                );
                prop_assert_eq!(&replies(&got, conn)[0]["type"], "worker_heartbeat_ack");
            }
            Op::Leave { worker } => {
                let Some(conn) = self.workers[worker].conn.take() else {
                    return Ok(());
                };
                self.input(Input::Close(conn));
                for j in 0..self.jobs.len() {
                    if self.jobs[j].holder == Some(worker) {
                        self.requeue(j);
                    }
                }
            }
            Op::Join { worker } => {
                if self.workers[worker].conn.is_some() {
                    return Ok(());
                }
                self.next_conn += 1;
                let conn = self.next_conn;
                self.input(Input::Open(conn));
                let (services, gpu) = WORKERS[worker];
                let mut caps = json!({"services": services});
                if let Some(g) = gpu {
                    caps["hardware"] = json!({"gpu_memory_gb": g});
                }
                let got = self.send(conn, &json!({"type": "register_worker", "worker_id": format!("w{worker}"), "capabilities": caps}));
                prop_assert_eq!(&replies(&got, conn)[0]["type"], "worker_registered");
                self.workers[worker] = MWorker {
                    conn: Some(conn),
                    heard: self.now,
                    offline: false,
                };
            }
            Op::Advance { ms } => {
                self.now += ms;
                let outputs = self
                    .core
                    .handle_timeout(Timestamp::from_unix_millis(self.now));
                self.timeouts();
                let rest = self.record(outputs);
                prop_assert!(
                    rest.is_empty(),
                    "timeouts send only job updates and alerts: {rest:?}"
                );
            }
            Op::Stats => {
                let got = self.send(MONITOR, &json!({"type": "request_stats"}));
                let stats = replies(&got, MONITOR)[0].clone();
                let count = |s: &str| self.jobs.iter().filter(|j| j.status == s).count();
                let online = self
                    .workers
                    .iter()
                    .filter(|w| w.conn.is_some() && !w.offline)
                    .count();
                prop_assert_eq!(&stats["pending_jobs"], &json!(count("queued")));
                prop_assert_eq!(
                    &stats["active_jobs"],
                    &json!(count("assigned") + count("in_progress"))
                );
                prop_assert_eq!(&stats["completed_jobs_last_hour"], &json!(self.completed));
                prop_assert_eq!(&stats["active_workers"], &json!(online));
            }
        }
        self.check_watchers()
    }

    /// The holder's accept, progress, completion or failure, in the model.
    fn work(&mut self, j: usize, op: Op) {
        let job = &mut self.jobs[j];
        match op {
            Op::Accept { .. } if job.status == "assigned" && !job.accepted => {
                job.accepted = true;
                self.update(j, true);
            }
            Op::Progress { .. } => {
                job.status = "in_progress";
                job.accepted = true;
                self.update(j, true);
            }
            Op::Complete { .. } => {
                job.status = "completed";
                job.holder = None;
                self.completed += 1;
                self.update(j, true);
            }
            Op::Fail { retry, .. } => {
                if retry && job.retries < job.max_retries {
                    job.retries += 1;
                    self.requeue(j);
                } else {
                    job.status = "failed";
                    job.holder = None;
                    self.update(j, true);
                }
            }
            _ => {}
        }
    }

    /// Every watcher has seen exactly the model's updates of each job, in order.
    fn check_watchers(&self) -> Result<(), TestCaseError> {
        let keys: BTreeSet<&(ConnId, usize)> =
            self.expected.keys().chain(self.received.keys()).collect();
        for key in keys {
            let expected = self.expected.get(key).cloned().unwrap_or_default();
            let received: Vec<&str> = self
                .received
                .get(key)
                .map(|v| v.iter().map(String::as_str).collect())
                .unwrap_or_default();
            prop_assert_eq!(
                received,
                expected,
                "updates of job {} at connection {}",
                key.1,
                key.0
            );
        }
        Ok(())
    }

    /// No job lost: every job has the model's status.
    fn check_statuses(&mut self) -> Result<(), TestCaseError> {
        for j in 0..self.jobs.len() {
            let got = self.send(
                CLIENTS[0],
                &json!({"type": "request_job_status", "job_id": self.jobs[j].id}),
            );
            let status = replies(&got, CLIENTS[0])[0].clone();
            prop_assert_eq!(&status["status"], self.jobs[j].status, "job {}", j);
            let holder = self.jobs[j].holder.map(|w| format!("w{w}"));
            prop_assert_eq!(status["worker_id"].as_str().map(str::to_owned), holder);
        }
        Ok(())
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]
    #[test]
    fn hub_matches_model(ops in proptest::collection::vec(op(), 1..150)) {
        let mut run = Run::new();
        for op in ops {
            run.step(op)?;
        }
        run.check_statuses()?;
    }
}
