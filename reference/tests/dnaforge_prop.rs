//! State-machine property test of the dnaforge core against a small model: random sessions of
//! sockets opening and closing, tokens issued over HTTP, WebSocket auths with fresh, used and
//! unknown tokens, jobs submitted, cancelled and deleted, subscriptions, garbage and clock
//! advances.
//!
//! Checked after every input: each `WebSocketAuthResponse` is the model's answer (a token
//! authenticates one socket, dies with it); unauthenticated and closed sockets get nothing but
//! their auth answer; every authenticated socket gets the same `JobUpdate`s, and the last one of
//! each job is the job as the core now holds it; `DetailedUpdate`s go to subscribers only, one
//! per step of their job; job statuses only move forward, `completedSteps` and `progress` never
//! decrease, a deleted job never comes back, a final one never changes, at most one runs.

use proptest::prelude::*;
use reference::dnaforge::{
    Core, HttpRequest, Input, Job, Output, SequentialIds, Settings, Status, Timestamp,
};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

const CONNS: u64 = 4;
const STEP_MS: u64 = 100;

#[derive(Debug, Clone)]
enum Op {
    Open(u64),
    Close(u64),
    IssueToken,
    /// Auth with the n-th token ever issued (modulo), or an unknown one when none was issued.
    Auth(u64, usize),
    New(u64, usize),
    Cancel(u64, u64),
    Delete(u64, u64),
    Subscribe(u64, Option<u64>),
    Garbage(u64),
    Advance(u64),
}

fn op() -> impl Strategy<Value = Op> {
    let conn = 0..CONNS;
    let id = 0u64..8;
    prop_oneof![
        2 => conn.clone().prop_map(Op::Open),
        1 => conn.clone().prop_map(Op::Close),
        2 => Just(Op::IssueToken),
        3 => (conn.clone(), 0usize..16).prop_map(|(c, t)| Op::Auth(c, t)),
        3 => (conn.clone(), 1usize..4).prop_map(|(c, n)| Op::New(c, n)),
        1 => (conn.clone(), id.clone()).prop_map(|(c, j)| Op::Cancel(c, j)),
        1 => (conn.clone(), id.clone()).prop_map(|(c, j)| Op::Delete(c, j)),
        2 => (conn.clone(), proptest::option::of(id)).prop_map(|(c, j)| Op::Subscribe(c, j)),
        1 => conn.prop_map(Op::Garbage),
        4 => (0..3 * STEP_MS).prop_map(Op::Advance),
    ]
}

/// What the model knows of a socket.
#[derive(Debug, Clone, Default)]
struct Sock {
    authenticated: bool,
    subscription: Option<u64>,
}

#[derive(Default)]
struct Model {
    socks: BTreeMap<u64, Sock>,
    issued: Vec<String>,
    unbound: BTreeSet<String>,
    jobs: BTreeMap<u64, Job>,
    deleted: BTreeSet<u64>,
}

fn rank(status: Status) -> u8 {
    match status {
        Status::New => 0,
        Status::Running => 1,
        Status::Done | Status::Canceled => 2,
    }
}

fn job_new(steps: usize) -> Value {
    let config = json!({"type": "FileConfig", "content": "x"});
    json!({"type": "JobNew", "configs": vec![config; steps], "top": "t", "dat": "d",
        "forces": null})
}

/// The text a socket sends for `op`, if it is a socket message.
fn text_of(op: &Op, model: &Model) -> Option<(u64, String)> {
    let (conn, message) = match op {
        Op::Auth(conn, n) => {
            let token = if model.issued.is_empty() {
                "unknown".to_owned()
            } else {
                model.issued[n % model.issued.len()].clone()
            };
            (
                *conn,
                json!({"type": "WebSocketAuth", "bearerToken": token}),
            )
        }
        Op::New(conn, steps) => (*conn, job_new(*steps)),
        Op::Cancel(conn, id) => (*conn, json!({"type": "JobCancel", "jobId": id})),
        Op::Delete(conn, id) => (*conn, json!({"type": "JobDelete", "jobId": id})),
        Op::Subscribe(conn, id) => (*conn, json!({"type": "JobSubscribe", "jobId": id})),
        Op::Garbage(conn) => return Some((*conn, "{\"type\": \"JobNew\"".to_owned())),
        _ => return None,
    };
    Some((conn, message.to_string()))
}

fn run(ops: Vec<Op>) -> Result<(), TestCaseError> {
    let settings = Settings::default();
    let mut core = Core::new(&settings, Box::new(SequentialIds::default()));
    let mut now = Timestamp::from_unix_millis(1_700_000_000_000);
    let mut model = Model::default();
    for op in ops {
        let text = text_of(&op, &model);
        let outputs = match (&op, &text) {
            (Op::Open(conn), _) if !model.socks.contains_key(conn) => {
                model.socks.insert(*conn, Sock::default());
                core.handle(now, Input::Open(*conn))
            }
            (Op::Close(conn), _) if model.socks.contains_key(conn) => {
                model.socks.remove(conn);
                core.handle(now, Input::Close(*conn))
            }
            (Op::IssueToken, _) => {
                let request = HttpRequest {
                    method: "GET",
                    path: "/auth",
                    authorization: None,
                };
                let mut out = core.handle(now, Input::Http(request));
                let Some(Output::Http(reply)) = out.pop() else {
                    return Err(TestCaseError::fail("no HTTP reply"));
                };
                let body: Value = serde_json::from_str(&reply.body).unwrap();
                let token = body["bearerToken"].as_str().unwrap().to_owned();
                model.issued.push(token.clone());
                model.unbound.insert(token);
                out
            }
            (Op::Advance(ms), _) => {
                now = now.plus(Duration::from_millis(*ms));
                core.handle_timeout(now)
            }
            (_, Some((conn, text))) if model.socks.contains_key(conn) => {
                core.handle(now, Input::Text(*conn, text))
            }
            _ => continue,
        };
        check(&op, &mut model, &core, outputs)?;
    }
    Ok(())
}

fn check(
    op: &Op,
    model: &mut Model,
    core: &Core,
    outputs: Vec<Output>,
) -> Result<(), TestCaseError> {
    let mut got: BTreeMap<u64, Vec<Value>> = BTreeMap::new();
    for output in outputs {
        match output {
            Output::Send { conn, text } => {
                got.entry(conn)
                    .or_default()
                    .push(serde_json::from_str(&text).unwrap());
            }
            Output::Http(_) => return Err(TestCaseError::fail("an HTTP reply to a socket input")),
        }
    }
    // The auth answer, as the model expects it.
    if let Op::Auth(conn, _) = op {
        let presented = text_token(op, model);
        let sock = model.socks.get_mut(conn).unwrap();
        let msgs = got.get_mut(conn).map(std::mem::take).unwrap_or_default();
        if sock.authenticated {
            prop_assert!(msgs.is_empty(), "re-auth answered: {msgs:?}");
        } else {
            prop_assert!(!msgs.is_empty());
            prop_assert_eq!(&msgs[0]["type"], "WebSocketAuthResponse");
            let success = msgs[0]["success"].as_bool().unwrap();
            let expected = presented.is_some_and(|t| model.unbound.remove(&t));
            prop_assert_eq!(success, expected);
            if success {
                sock.authenticated = true;
                prop_assert_eq!(msgs.len(), 2);
                let jobs = msgs[1]["jobs"].as_array().unwrap().iter();
                let ids: Vec<u64> = jobs.map(|j| j["id"].as_u64().unwrap()).collect();
                let kept: Vec<u64> = core.jobs().iter().map(|j| j.id).collect();
                prop_assert_eq!(ids, kept);
            } else {
                prop_assert_eq!(msgs.len(), 1);
            }
        }
    }
    if let Op::Subscribe(conn, id) = op
        && let Some(sock) = model.socks.get_mut(conn)
        && sock.authenticated
    {
        sock.subscription = *id;
    }
    // Nothing to closed or unauthenticated sockets (but the auth answer, taken above).
    for (conn, msgs) in &got {
        if msgs.is_empty() {
            continue;
        }
        let sock = model.socks.get(conn);
        prop_assert!(sock.is_some_and(|s| s.authenticated), "{conn} got {msgs:?}");
    }
    let authenticated: Vec<u64> = model
        .socks
        .iter()
        .filter(|(_, s)| s.authenticated)
        .map(|(c, _)| *c)
        .collect();
    let updates = |conn: u64| -> Vec<Value> {
        let msgs = got.get(&conn).cloned().unwrap_or_default();
        msgs.into_iter()
            .filter(|m| m["type"] == "JobUpdate")
            .collect()
    };
    // Every authenticated socket sees the same updates (the one it just authenticated included:
    // an auth changes no job).
    let reference_updates = authenticated
        .first()
        .map(|c| updates(*c))
        .unwrap_or_default();
    for conn in &authenticated {
        prop_assert_eq!(&updates(*conn), &reference_updates);
    }
    // Details: to subscribers only, one per step of their job, right after that step's update.
    for conn in &authenticated {
        let msgs = got.get(conn).cloned().unwrap_or_default();
        let sub = model.socks[conn].subscription;
        let mut done = sub
            .and_then(|id| model.jobs.get(&id))
            .map_or(0, |j| j.completed_steps);
        let (mut steps, mut details) = (0, 0);
        for (i, m) in msgs.iter().enumerate() {
            if m["type"] == "DetailedUpdate" {
                details += 1;
                prop_assert_eq!(m["job"]["id"].as_u64(), sub);
                prop_assert!(i > 0 && msgs[i - 1]["job"] == m["job"]);
            } else if m["jobId"].as_u64() == sub && m["job"].is_object() {
                let completed =
                    u32::try_from(m["job"]["completedSteps"].as_u64().unwrap()).unwrap();
                if completed > done {
                    steps += 1;
                    done = completed;
                }
            }
        }
        prop_assert_eq!(details, steps, "{} got {:?}", conn, msgs);
    }
    // The last update of each job is the job as the core holds it.
    let now: BTreeMap<u64, Job> = core.jobs().into_iter().map(|j| (j.id, j.clone())).collect();
    if !authenticated.is_empty() {
        let mut last: BTreeMap<u64, Value> = BTreeMap::new();
        for u in &reference_updates {
            last.insert(u["jobId"].as_u64().unwrap(), u["job"].clone());
        }
        for (id, job) in last {
            let held = now
                .get(&id)
                .map(|j| serde_json::to_value(j).unwrap())
                .unwrap_or(Value::Null);
            prop_assert_eq!(job, held);
        }
        // And no job changed without an update.
        for (id, job) in &now {
            if model.jobs.get(id) != Some(job) {
                prop_assert!(
                    reference_updates.iter().any(|u| u["jobId"] == *id),
                    "{id} changed silently"
                );
            }
        }
    }
    // Jobs only move forward.
    for (id, job) in &now {
        prop_assert!(!model.deleted.contains(id), "{id} came back");
        prop_assert_eq!(
            job.progress,
            f64::from(job.completed_steps) / f64::from(job.steps)
        );
        if let Some(before) = model.jobs.get(id) {
            prop_assert!(rank(job.status) >= rank(before.status));
            prop_assert!(job.completed_steps >= before.completed_steps);
            prop_assert!(job.progress >= before.progress);
            if before.status.is_final() {
                prop_assert_eq!(job, before);
            }
        }
    }
    for id in model.jobs.keys() {
        if !now.contains_key(id) {
            model.deleted.insert(*id);
        }
    }
    let running = now.values().filter(|j| j.status == Status::Running).count();
    prop_assert!(running <= 1);
    model.jobs = now;
    Ok(())
}

fn text_token(op: &Op, model: &Model) -> Option<String> {
    match op {
        Op::Auth(_, n) if !model.issued.is_empty() => {
            Some(model.issued[n % model.issued.len()].clone())
        }
        _ => None,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn the_core_keeps_the_models_promises(ops in proptest::collection::vec(op(), 1..80)) {
        run(ops)?;
    }
}
