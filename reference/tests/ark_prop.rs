//! Property test of the ark core: random sequences of REST requests (valid, invalid and
//! garbage) and clock advances never panic; every event has exactly its table's fields, no
//! `null`, and the current time; a rejected request emits nothing; no job leaves a terminal
//! state.

use crate::common;

use common::Ark;
use proptest::prelude::*;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::time::Duration;

#[derive(Debug, Clone)]
enum Op {
    Register(u8),
    Heartbeat(u8),
    CreateInstance(u8, bool),
    Put(u8, Option<u8>, Option<u8>, bool),
    Delete(u8),
    Log(u8, u8),
    CreateJob(Option<u8>, u8),
    Progress(u8, bool, u8, Option<u8>),
    Complete(u8, bool, u8),
    Advance(u32),
    Timeout,
    Garbage(u8, String, Vec<u8>),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        any::<u8>().prop_map(Op::Register),
        any::<u8>().prop_map(Op::Heartbeat),
        (any::<u8>(), any::<bool>()).prop_map(|(a, v)| Op::CreateInstance(a, v)),
        (
            any::<u8>(),
            any::<Option<u8>>(),
            any::<Option<u8>>(),
            any::<bool>()
        )
            .prop_map(|(i, n, s, c)| Op::Put(i, n, s, c)),
        any::<u8>().prop_map(Op::Delete),
        (any::<u8>(), any::<u8>()).prop_map(|(i, l)| Op::Log(i, l)),
        (any::<Option<u8>>(), any::<u8>()).prop_map(|(i, t)| Op::CreateJob(i, t)),
        (any::<u8>(), any::<bool>(), any::<u8>(), any::<Option<u8>>())
            .prop_map(|(j, r, s, p)| Op::Progress(j, r, s, p)),
        (any::<u8>(), any::<bool>(), any::<u8>()).prop_map(|(j, r, o)| Op::Complete(j, r, o)),
        (0u32..200_000).prop_map(Op::Advance),
        Just(Op::Timeout),
        (
            any::<u8>(),
            "/[a-z/?%=#.]{0,24}",
            proptest::collection::vec(any::<u8>(), 0..40)
        )
            .prop_map(|(m, p, b)| Op::Garbage(m, p, b)),
    ]
}

/// `(required, optional)` fields of each event's data (DECISIONS.md ark table).
fn fields(event: &str) -> (&'static [&'static str], &'static [&'static str]) {
    match event {
        "job:created" => (&["jobId", "jobType", "createdAt"], &["instanceId"]),
        "job:progress" => (
            &["jobId", "jobRunId", "status", "message", "timestamp"],
            &["percent"],
        ),
        "job:completed" => (&["jobId", "jobRunId", "completedAt"], &["result"]),
        "job:failed" => (&["jobId", "jobRunId", "error", "failedAt"], &[]),
        "job:cancelled" => (&["jobId", "jobRunId", "cancelledAt"], &[]),
        "instance:created" => (&["instanceId", "name", "gameType", "createdAt"], &[]),
        "instance:updated" => (&["instanceId", "updatedAt"], &[]),
        "instance:status_changed" => (&["instanceId", "status", "changedAt"], &[]),
        "instance:deleted" => (&["instanceId", "deletedAt"], &[]),
        "instance:log" => (&["instanceId", "timestamp", "level", "message"], &[]),
        "agent:registered" => (&["agentId", "hostname", "registeredAt"], &[]),
        "agent:heartbeat" => (&["agentId", "status", "timestamp"], &[]),
        "agent:offline" => (&["agentId", "lastSeenAt"], &[]),
        "system:error" => (&["error", "timestamp"], &["context"]),
        other => panic!("unknown event {other}"),
    }
}

/// Time fields stamped with the moment the event was made (`lastSeenAt` is earlier).
const NOW_FIELDS: &[&str] = &[
    "createdAt",
    "completedAt",
    "failedAt",
    "cancelledAt",
    "updatedAt",
    "changedAt",
    "deletedAt",
    "timestamp",
    "registeredAt",
];

fn no_nulls(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Array(a) => a.iter().all(no_nulls),
        Value::Object(o) => o.values().all(no_nulls),
        _ => true,
    }
}

fn check_event(e: &Value, now: &str) {
    let obj = e.as_object().unwrap();
    assert_eq!(obj.len(), 2, "{e}");
    let name = e["event"].as_str().unwrap();
    let data = e["data"].as_object().unwrap();
    let (required, optional) = fields(name);
    for f in required {
        assert!(data.contains_key(*f), "{name} lacks {f}: {e}");
    }
    for k in data.keys() {
        assert!(
            required.contains(&k.as_str()) || optional.contains(&k.as_str()),
            "{name} has extra {k}: {e}"
        );
    }
    assert!(no_nulls(e), "null in {e}");
    for f in NOW_FIELDS {
        if let Some(t) = data.get(*f) {
            assert_eq!(t, now, "{name}.{f}");
        }
    }
}

fn pick(ids: &[String], i: u8) -> String {
    if ids.is_empty() || i % 8 == 7 {
        format!("ghost-{i}")
    } else {
        ids[usize::from(i) % ids.len()].clone()
    }
}

struct World {
    ark: Ark,
    instances: Vec<String>,
    jobs: Vec<(String, String)>,
    terminal: HashMap<String, Value>,
    seen: HashMap<String, usize>,
}

impl World {
    fn step(&mut self, op: Op) {
        let now = self.ark.now.to_iso8601().unwrap();
        let mut all = self.ark.timeout();
        for e in &all {
            check_event(e, &now);
        }
        let (status, body, events) = self.request(op);
        if !(200..300).contains(&status) {
            assert!(events.is_empty(), "rejected but emitted {events:?}");
            assert!(body["error"].is_string() && body["message"].is_string());
        }
        let now = self.ark.now.to_iso8601().unwrap();
        let after = self.ark.timeout();
        for e in events.iter().chain(&after) {
            check_event(e, &now);
        }
        all.extend(events);
        all.extend(after);
        if status == 201 {
            if let Some(id) = body.get("jobId") {
                let run = body["jobRunId"].as_str().unwrap().to_owned();
                self.jobs.push((id.as_str().unwrap().to_owned(), run));
            } else if let (Some(id), None) = (body.get("instanceId"), body.get("level")) {
                self.instances.push(id.as_str().unwrap().to_owned());
            }
        }
        // No job ever leaves a terminal state, and nothing about it is pushed any more.
        let (_, jobs, none) = self.ark.call("GET", "/jobs", json!(null));
        assert!(none.is_empty());
        for job in jobs.as_array().unwrap() {
            let id = job["jobId"].as_str().unwrap().to_owned();
            if let Some(before) = self.terminal.get(&id) {
                assert_eq!(before, job, "terminal job changed");
                assert!(!all.iter().any(|e| e["data"]["jobId"] == job["jobId"]));
            } else if ["COMPLETED", "FAILED", "CANCELLED"]
                .contains(&job["status"].as_str().unwrap())
            {
                self.terminal.insert(id, job.clone());
            }
        }
        for e in &all {
            *self
                .seen
                .entry(e["event"].as_str().unwrap().to_owned())
                .or_default() += 1;
        }
    }

    fn request(&mut self, op: Op) -> (u16, Value, Vec<Value>) {
        let ark = &mut self.ark;
        match op {
            Op::Register(a) => ark.register(&format!("a{}", a % 4)),
            Op::Heartbeat(a) => ark.call(
                "POST",
                "/agents/heartbeat",
                json!({"agentId": format!("a{}", a % 5), "status": "ok"}),
            ),
            Op::CreateInstance(a, valid) => ark.call(
                "POST",
                "/instances",
                json!({"name": "n", "gameType": if valid { "ASE" } else { "X" }, "agentId": format!("a{}", a % 5)}),
            ),
            Op::Put(i, name, status, config) => {
                let mut body = json!({});
                if let Some(n) = name {
                    body["name"] = json!(format!("n{}", n % 3));
                }
                if let Some(s) = status {
                    let all = ["STOPPED", "STARTING", "RUNNING", "STOPPING", "ERROR", "BAD"];
                    body["status"] = json!(all[usize::from(s) % all.len()]);
                }
                if config {
                    body["config"] = json!({"k": i % 2});
                }
                ark.call("PUT", &format!("/instances/{}", pick(&self.instances, i)), body)
            }
            Op::Delete(i) => ark.call(
                "DELETE",
                &format!("/instances/{}", pick(&self.instances, i)),
                json!(null),
            ),
            Op::Log(i, l) => {
                let levels = ["INFO", "WARN", "ERROR", "DEBUG", "TRACE", "LOUD"];
                ark.call(
                    "POST",
                    &format!("/instances/{}/logs", pick(&self.instances, i)),
                    json!({"level": levels[usize::from(l) % levels.len()], "message": "m"}),
                )
            }
            Op::CreateJob(i, t) => {
                let types = ["INSTALL_SERVER", "SYNC_MODS", "ACTIVATE_BUILD", "NOPE"];
                let mut body = json!({"jobType": types[usize::from(t) % types.len()], "parameters": {}});
                if let Some(i) = i {
                    body["instanceId"] = json!(pick(&self.instances, i));
                }
                ark.call("POST", "/jobs", body)
            }
            Op::Progress(j, right_run, s, percent) => {
                let (job, run) = self.job(j, right_run);
                let statuses = ["RUNNING", "QUEUED", "FAILED"];
                let mut body = json!({"jobId": job, "jobRunId": run, "message": "m",
                    "status": statuses[usize::from(s) % statuses.len()]});
                if let Some(p) = percent {
                    body["percent"] = json!(p);
                }
                self.ark.call("POST", "/jobs/progress", body)
            }
            Op::Complete(j, right_run, o) => {
                let (job, run) = self.job(j, right_run);
                let mut body = json!({"jobId": job, "jobRunId": run});
                match o % 5 {
                    0 => body["status"] = json!("COMPLETED"),
                    1 => {
                        body["status"] = json!("COMPLETED");
                        body["result"] = json!({"ok": true});
                    }
                    2 => {
                        body["status"] = json!("FAILED");
                        body["error"] = json!("boom");
                    }
                    3 => body["status"] = json!("CANCELLED"),
                    _ => body["status"] = json!("FAILED"),
                }
                self.ark.call("POST", "/jobs/complete", body)
            }
            Op::Advance(ms) => {
                ark.advance(Duration::from_millis(u64::from(ms)));
                (200, json!({}), Vec::new())
            }
            Op::Timeout => (200, json!({}), ark.timeout()),
            Op::Garbage(m, path, bytes) => {
                let methods = ["GET", "POST", "PUT", "DELETE", "PATCH"];
                ark.raw(methods[usize::from(m) % methods.len()], &path, &bytes)
            }
        }
    }

    fn job(&self, j: u8, right_run: bool) -> (String, String) {
        if self.jobs.is_empty() || j % 8 == 7 {
            return (format!("ghost-{j}"), "r".to_owned());
        }
        let (job, run) = &self.jobs[usize::from(j) % self.jobs.len()];
        (
            job.clone(),
            if right_run {
                run.clone()
            } else {
                "wrong".to_owned()
            },
        )
    }
}

fn world() -> World {
    World {
        ark: Ark::with_settings(|s| s.heartbeat_interval = Duration::from_secs(10)),
        instances: Vec::new(),
        jobs: Vec::new(),
        terminal: HashMap::new(),
        seen: HashMap::new(),
    }
}

fn session() -> impl Strategy<Value = Vec<Op>> {
    proptest::collection::vec(op(), 1..120)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_sessions_keep_the_invariants(ops in session()) {
        let mut world = world();
        for op in ops {
            world.step(op);
        }
    }
}

/// Guards the generator: over a fixed set of sessions every one of the 14 events occurs, so
/// the property above is about all of them.
#[test]
fn the_generated_sessions_reach_every_event() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut seen = HashMap::<String, usize>::new();
    let mut runner = TestRunner::deterministic();
    for _ in 0..256 {
        let ops = session().new_tree(&mut runner).unwrap().current();
        let mut world = world();
        for op in ops {
            world.step(op);
        }
        for (k, v) in world.seen {
            *seen.entry(k).or_default() += v;
        }
    }
    for name in [
        "job:created",
        "job:progress",
        "job:completed",
        "job:failed",
        "job:cancelled",
        "instance:created",
        "instance:updated",
        "instance:status_changed",
        "instance:deleted",
        "instance:log",
        "agent:registered",
        "agent:heartbeat",
        "agent:offline",
        "system:error",
    ] {
        assert!(
            seen.get(name).copied().unwrap_or(0) > 0,
            "{name} never occurred: {seen:?}"
        );
    }
}
