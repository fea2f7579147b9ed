//! State-machine property test of the jobber core against a simple model: random sessions of
//! connects, disconnects, registrations, sends, reports, cancels, reads and clock advances.
//!
//! Checked after every step: no job lost (every job the model knows is found with the model's
//! state and retry count), none active twice, dispatch only to a registered connection of the
//! job's customer and never before the job is due, every due expiry reported, retries as J6/J7
//! say, `get_queue_size` equal to the model's counts, no work left idle while a registration has
//! room, and nothing of one customer visible to or sent to another.

use proptest::prelude::*;
use reference::jobber::{Core, Input, Message, SequentialIds, Settings, Timestamp};
use serde_json::{Value, json};
use std::collections::HashMap;

const TOKENS: [&str; 2] = ["a", "b"];
const NAMES: [&str; 2] = ["x", "y"];

#[derive(Debug, Clone)]
enum Op {
    Connect(u64, usize),
    Disconnect(u64),
    Register(u64, usize, u32),
    Send {
        conn: u64,
        name: usize,
        priority: i64,
        limit: u32,
        delay: u64,
        backoff: bool,
        expire: u64,
    },
    Complete(u64, usize),
    Fail(u64, usize),
    Cancel(u64, usize),
    Get(u64, usize),
    Batch(u64, usize, usize),
    Wait(u64, usize),
    Advance(i64),
}

fn op() -> impl Strategy<Value = Op> {
    let conn = 0u64..5;
    prop_oneof![
        1 => (conn.clone(), 0usize..2).prop_map(|(c, t)| Op::Connect(c, t)),
        1 => conn.clone().prop_map(Op::Disconnect),
        1 => (conn.clone(), 0usize..2, 1u32..3).prop_map(|(c, n, k)| Op::Register(c, n, k)),
        3 => (conn.clone(), 0usize..2, 0i64..3, 0u32..3, 0u64..3, any::<bool>(), 1u64..6).prop_map(
            |(conn, name, priority, limit, delay, backoff, expire)| Op::Send { conn, name, priority, limit, delay, backoff, expire }
        ),
        2 => (conn.clone(), any::<usize>()).prop_map(|(c, j)| Op::Complete(c, j)),
        2 => (conn.clone(), any::<usize>()).prop_map(|(c, j)| Op::Fail(c, j)),
        1 => (conn.clone(), any::<usize>()).prop_map(|(c, j)| Op::Cancel(c, j)),
        1 => (conn.clone(), any::<usize>()).prop_map(|(c, j)| Op::Get(c, j)),
        1 => (conn.clone(), 0usize..2, 0usize..4).prop_map(|(c, n, k)| Op::Batch(c, n, k)),
        1 => (conn, any::<usize>()).prop_map(|(c, b)| Op::Wait(c, b)),
        2 => (0i64..4000).prop_map(Op::Advance),
    ]
}

#[derive(Debug, Clone)]
struct MJob {
    id: String,
    customer: usize,
    name: usize,
    state: &'static str,
    count: u32,
    limit: u32,
    delay_ms: i64,
    backoff: bool,
    expire_ms: i64,
    due: i64,
    holder: Option<u64>,
    expires: i64,
    batch: Option<usize>,
}

/// A batch: its customer, id, and the held `wait_for_batch` acks `(conn, ack)`.
#[derive(Debug, Clone)]
struct MBatch {
    customer: usize,
    id: String,
    waiters: Vec<(u64, u64)>,
}

#[derive(Default)]
struct Model {
    now: i64,
    conns: HashMap<u64, usize>,
    regs: Vec<(u64, usize, u32)>,
    jobs: Vec<MJob>,
    batches: Vec<MBatch>,
}

impl Model {
    fn batch_done(&self, b: usize) -> bool {
        self.jobs
            .iter()
            .filter(|j| j.batch == Some(b))
            .all(|j| is_terminal(j.state))
    }

    fn by_id(&mut self, id: &str) -> &mut MJob {
        self.jobs
            .iter_mut()
            .find(|j| j.id == id)
            .expect("a job the model knows")
    }

    /// `retry` (count + 1, due after the delay) or the terminal `otherwise`.
    fn retry_or(&mut self, id: &str, otherwise: &'static str) {
        let now = self.now;
        let j = self.by_id(id);
        j.holder = None;
        if j.count < j.limit {
            j.count += 1;
            let mult = if j.backoff { 1 << (j.count - 1) } else { 1 };
            j.due = now + j.delay_ms * mult;
            j.state = "retry";
        } else {
            j.state = otherwise;
        }
    }
}

struct Run {
    core: Core,
    /// Connection slot → generation: a reconnect gets a new connection id.
    gens: HashMap<u64, u64>,
    /// Ids the sequential source has made (one per customer first).
    made_ids: u64,
    model: Model,
    ack: u64,
}

impl Run {
    /// The current connection id of a slot.
    fn id(&self, slot: u64) -> u64 {
        slot * 1_000_000 + self.gens.get(&slot).copied().unwrap_or(0)
    }

    fn t(&self) -> Timestamp {
        Timestamp::from_unix_millis(self.model.now)
    }

    fn input(&mut self, input: Input) -> Vec<Message> {
        self.core.handle(self.t(), input).messages
    }

    fn call(&mut self, conn: u64, event: &str, payload: Value) -> (Value, Vec<Message>) {
        self.ack += 1;
        let ack = self.ack;
        let msgs = self.input(Input::Event {
            conn,
            event: event.into(),
            payload,
            ack: Some(ack),
        });
        let reply = msgs
            .iter()
            .find_map(|m| match m {
                Message::Ack {
                    conn: c,
                    ack: a,
                    reply,
                } if *c == conn && *a == ack => Some(reply.to_json()),
                _ => None,
            })
            .unwrap_or(Value::Null);
        (reply, msgs)
    }

    /// Applies the emits to the model, checking each one.
    fn observe(&mut self, msgs: &[Message]) -> Result<(), TestCaseError> {
        for m in msgs {
            if let Message::Ack { conn, ack, reply } = m {
                let held = self
                    .model
                    .batches
                    .iter()
                    .position(|b| b.waiters.contains(&(*conn, *ack)));
                if let Some(b) = held {
                    prop_assert!(self.model.batch_done(b), "wait_for_batch answered early");
                    prop_assert_eq!(reply.to_json(), json!({}));
                    self.model.batches[b]
                        .waiters
                        .retain(|w| w != &(*conn, *ack));
                }
                continue;
            }
            let Message::Emit { conn, event } = m else {
                continue;
            };
            let Some(job) = event.job() else { continue };
            let customer = *self
                .model
                .conns
                .get(conn)
                .ok_or_else(|| TestCaseError::fail("emit to a closed connection"))?;
            let now = self.model.now;
            let j = self.model.by_id(&job.id).clone();
            prop_assert_eq!(j.customer, customer, "sent to another customer");
            match event.name() {
                "work_request" => {
                    prop_assert!(
                        matches!(j.state, "created" | "retry"),
                        "dispatched while {}",
                        j.state
                    );
                    prop_assert!(j.due <= now, "dispatched before due");
                    prop_assert!(
                        self.model
                            .regs
                            .iter()
                            .any(|r| r.0 == *conn && r.1 == j.name)
                    );
                    prop_assert_eq!(job.retry_count, j.count);
                    let mj = self.model.by_id(&job.id);
                    mj.state = "active";
                    mj.holder = Some(*conn);
                    mj.expires = now + mj.expire_ms;
                }
                "job_expired" => {
                    if j.state == "active" {
                        prop_assert!(j.expires <= now, "expired early");
                        self.model.retry_or(&job.id, "expired");
                    }
                    prop_assert_eq!(job.state.as_str(), "expired");
                }
                "job_retrying" => {
                    prop_assert_eq!(j.state, "retry");
                    prop_assert_eq!(job.retry_count, j.count);
                }
                "job_cancelled" => prop_assert_eq!(j.state, "cancelled"),
                other => prop_assert!(false, "unexpected {}", other),
            }
        }
        Ok(())
    }

    fn pick(&self, i: usize) -> Option<String> {
        (!self.model.jobs.is_empty()).then(|| self.model.jobs[i % self.model.jobs.len()].id.clone())
    }

    /// A worker report: success iff the job is the caller's customer's and active.
    fn report(&mut self, conn: u64, i: usize, event: &str) -> Result<Vec<Message>, TestCaseError> {
        let (Some(id), Some(&c)) = (self.pick(i), self.model.conns.get(&conn)) else {
            return Ok(vec![]);
        };
        let j = self.model.by_id(&id).clone();
        let (reply, msgs) = self.call(conn, event, json!({"jobId": id, "error": "e"}));
        let error = reply["error"].as_str().unwrap_or("");
        if j.customer != c {
            prop_assert!(error.starts_with("JOB_NOT_FOUND: "), "{}", reply);
        } else if j.state != "active" && (event != "cancel_job" || is_terminal(j.state)) {
            prop_assert!(
                error.starts_with("INVALID_STATE: "),
                "{} on {}: {}",
                event,
                j.state,
                reply
            );
        } else {
            prop_assert_eq!(&reply, &json!({}));
            match event {
                "job_completed" => {
                    let m = self.model.by_id(&id);
                    m.state = "completed";
                    m.holder = None;
                }
                "job_failed" => self.model.retry_or(&id, "failed"),
                _ => {
                    let m = self.model.by_id(&id);
                    m.state = "cancelled";
                    m.holder = None;
                }
            }
        }
        Ok(msgs)
    }

    fn step(&mut self, op: Op) -> Result<(), TestCaseError> {
        let msgs = match op {
            Op::Connect(slot, t) => {
                if self.model.conns.contains_key(&self.id(slot)) {
                    return Ok(());
                }
                *self.gens.entry(slot).or_default() += 1;
                let conn = self.id(slot);
                let msgs = self.input(Input::Connect {
                    conn,
                    sid: conn.to_string(),
                    auth: json!({"customerToken": TOKENS[t]}),
                });
                self.model.conns.insert(conn, t);
                msgs
            }
            Op::Disconnect(slot) => {
                let conn = self.id(slot);
                self.model.conns.remove(&conn);
                self.model.regs.retain(|r| r.0 != conn);
                for b in &mut self.model.batches {
                    b.waiters.retain(|w| w.0 != conn);
                }
                for j in &mut self.model.jobs {
                    if j.holder == Some(conn) && j.state == "active" {
                        j.state = "retry";
                        j.holder = None;
                        j.due = self.model.now;
                    }
                }
                self.input(Input::Disconnect { conn })
            }
            Op::Register(slot, name, k) => {
                let conn = self.id(slot);
                let Some(_) = self.model.conns.get(&conn) else {
                    return Ok(());
                };
                self.model.regs.push((conn, name, k));
                self.call(
                    conn,
                    "register_worker",
                    json!({"jobName": NAMES[name], "options": {"teamSize": k}}),
                )
                .1
            }
            Op::Send {
                conn,
                name,
                priority,
                limit,
                delay,
                backoff,
                expire,
            } => {
                let conn = self.id(conn);
                let Some(&customer) = self.model.conns.get(&conn) else {
                    return Ok(());
                };
                let options = json!({"priority": priority, "retryLimit": limit, "retryDelay": delay,
                                     "retryBackoff": backoff, "expireIn": format!("{expire} seconds")});
                let (reply, msgs) = self.call(
                    conn,
                    "send_job",
                    json!({"name": NAMES[name], "data": 1, "options": options}),
                );
                let id = reply["jobId"]
                    .as_str()
                    .ok_or_else(|| TestCaseError::fail(format!("{reply}")))?
                    .to_owned();
                prop_assert!(self.model.jobs.iter().all(|j| j.id != id), "id reused");
                self.made_ids += 1;
                prop_assert_eq!(&id, &seq_id(self.made_ids));
                self.model.jobs.push(MJob {
                    id,
                    customer,
                    name,
                    state: "created",
                    count: 0,
                    limit,
                    delay_ms: delay as i64 * 1000,
                    backoff,
                    expire_ms: expire as i64 * 1000,
                    due: self.model.now,
                    holder: None,
                    expires: 0,
                    batch: None,
                });
                msgs
            }
            Op::Complete(c, i) => self.report(self.id(c), i, "job_completed")?,
            Op::Fail(c, i) => self.report(self.id(c), i, "job_failed")?,
            Op::Cancel(c, i) => self.report(self.id(c), i, "cancel_job")?,
            Op::Get(slot, i) => {
                let conn = self.id(slot);
                let (Some(id), Some(&c)) = (self.pick(i), self.model.conns.get(&conn)) else {
                    return Ok(());
                };
                let (reply, msgs) = self.call(conn, "get_job", json!({"jobId": id}));
                if self.model.by_id(&id).customer != c {
                    prop_assert!(
                        reply["error"]
                            .as_str()
                            .unwrap_or("")
                            .starts_with("JOB_NOT_FOUND: ")
                    );
                }
                msgs
            }
            Op::Batch(slot, name, k) => {
                let conn = self.id(slot);
                let Some(&customer) = self.model.conns.get(&conn) else {
                    return Ok(());
                };
                let jobs: Vec<Value> = (0..k)
                    .map(|i| json!({"name": NAMES[name], "data": i}))
                    .collect();
                let (reply, msgs) = self.call(conn, "send_batch", json!({ "jobs": jobs }));
                let id = reply["batchId"]
                    .as_str()
                    .ok_or_else(|| TestCaseError::fail(format!("{reply}")))?
                    .to_owned();
                let b = self.model.batches.len();
                self.model.batches.push(MBatch {
                    customer,
                    id,
                    waiters: Vec::new(),
                });
                // Ids are sequential: the batch's, then one per job, in order.
                prop_assert_eq!(&self.model.batches[b].id, &seq_id(self.made_ids + 1));
                for i in 0..k {
                    self.model.jobs.push(MJob {
                        id: seq_id(self.made_ids + 2 + i as u64),
                        customer,
                        name,
                        state: "created",
                        count: 0,
                        limit: 0,
                        delay_ms: 0,
                        backoff: false,
                        expire_ms: 900_000,
                        due: self.model.now,
                        holder: None,
                        expires: 0,
                        batch: Some(b),
                    });
                }
                self.made_ids += 1 + k as u64;
                msgs
            }
            Op::Wait(slot, i) => {
                let conn = self.id(slot);
                let Some(&c) = self.model.conns.get(&conn) else {
                    return Ok(());
                };
                if self.model.batches.is_empty() {
                    return Ok(());
                }
                let b = i % self.model.batches.len();
                let id = self.model.batches[b].id.clone();
                let (reply, msgs) = self.call(conn, "wait_for_batch", json!({"batchId": id}));
                if self.model.batches[b].customer != c {
                    prop_assert!(
                        reply["error"]
                            .as_str()
                            .unwrap_or("")
                            .starts_with("BATCH_NOT_FOUND: ")
                    );
                } else if self.model.batch_done(b) {
                    prop_assert_eq!(&reply, &json!({}));
                } else {
                    prop_assert_eq!(&reply, &Value::Null, "held");
                    let ack = self.ack;
                    self.model.batches[b].waiters.push((conn, ack));
                }
                msgs
            }
            Op::Advance(ms) => {
                self.model.now += ms;
                self.core.handle_timeout(self.t()).messages
            }
        };
        self.observe(&msgs)?;
        self.check()
    }

    /// The invariants that hold between steps.
    fn check(&mut self) -> Result<(), TestCaseError> {
        let now = self.model.now;
        for (t, token) in TOKENS.iter().enumerate() {
            // A probe connection per customer (ids 100+), never registered.
            let probe = u64::MAX - t as u64;
            if !self.model.conns.contains_key(&probe) {
                self.input(Input::Connect {
                    conn: probe,
                    sid: "p".into(),
                    auth: json!({"customerToken": token}),
                });
                self.model.conns.insert(probe, t);
            }
            let (reply, _) = self.call(probe, "get_queue_size", json!({}));
            let n = |s: &[&str]| {
                self.model
                    .jobs
                    .iter()
                    .filter(|j| j.customer == t && s.contains(&j.state))
                    .count()
            };
            let want = json!({"waiting": n(&["created", "retry"]), "active": n(&["active"]),
                              "completed": n(&["completed"]), "failed": n(&["failed"])});
            prop_assert_eq!(&reply["queueSize"], &want);
        }
        for (b, batch) in self.model.batches.iter().enumerate() {
            prop_assert!(
                batch.waiters.is_empty() || !self.model.batch_done(b),
                "wait_for_batch not answered"
            );
        }
        let jobs = self.model.jobs.clone();
        for j in &jobs {
            prop_assert!(
                !(j.state == "active" && j.expires <= now),
                "expiry not reported"
            );
            let (reply, _) = self.call(
                u64::MAX - j.customer as u64,
                "get_job",
                json!({"jobId": j.id}),
            );
            prop_assert_eq!(reply["job"]["state"].as_str(), Some(j.state), "{:?}", j);
            prop_assert_eq!(
                reply["job"]["retryCount"].as_u64(),
                Some(u64::from(j.count))
            );
        }
        for customer in 0..2 {
            for name in 0..2 {
                let idle = jobs.iter().any(|j| {
                    j.customer == customer
                        && j.name == name
                        && matches!(j.state, "created" | "retry")
                        && j.due <= now
                });
                let cap: u32 = self
                    .model
                    .regs
                    .iter()
                    .filter(|r| r.1 == name && self.model.conns.get(&r.0) == Some(&customer))
                    .map(|r| r.2)
                    .sum();
                let active = jobs
                    .iter()
                    .filter(|j| j.customer == customer && j.name == name && j.state == "active")
                    .count();
                prop_assert!(!(idle && (active as u32) < cap), "work left idle with room");
            }
        }
        Ok(())
    }
}

fn seq_id(n: u64) -> String {
    format!("00000000-0000-4000-8000-{n:012x}")
}

fn is_terminal(s: &str) -> bool {
    matches!(s, "completed" | "failed" | "cancelled" | "expired")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]
    #[test]
    fn core_matches_model(ops in proptest::collection::vec(op(), 1..120)) {
        let settings = Settings { tokens: TOKENS.iter().map(|t| (*t).to_owned()).collect(), ..Settings::default() };
        let mut run = Run {
            core: Core::new(settings, Box::new(SequentialIds::default())),
            gens: HashMap::new(),
            made_ids: 2,
            model: Model { now: 1_700_000_000_000, ..Model::default() },
            ack: 0,
        };
        for op in ops {
            run.step(op)?;
        }
    }
}
