//! The jobber core with a manual clock: every client event and option, every error code,
//! notifications, expiry, retries, batches, cron and isolation (J1–J17, jobber-N*).

use reference::jobber::{
    AckId, ConnId, Core, DEV_TOKEN, Input, Message, Output, RateLimit, SequentialIds, Settings,
    Timestamp,
};
use serde_json::{Value, json};
use std::time::Duration;

const T0: i64 = 1_700_000_000_000; // 2023-11-14T22:13:20.000Z
const OTHER: &str = "other-token";

struct H {
    core: Core,
    now: i64,
    next_ack: AckId,
}

/// `(conn, event, payload)` of every emit.
fn emits(out: &Output) -> Vec<(ConnId, &'static str, Value)> {
    out.messages
        .iter()
        .filter_map(|m| match m {
            Message::Emit { conn, event } => Some((*conn, event.name(), event.payload())),
            _ => None,
        })
        .collect()
}

fn acks(out: &Output) -> Vec<(ConnId, AckId, Value)> {
    out.messages
        .iter()
        .filter_map(|m| match m {
            Message::Ack { conn, ack, reply } => Some((*conn, *ack, reply.to_json())),
            _ => None,
        })
        .collect()
}

fn settings() -> Settings {
    Settings {
        tokens: vec![DEV_TOKEN.to_owned(), OTHER.to_owned()],
        ..Settings::default()
    }
}

impl H {
    fn new() -> Self {
        Self::with(settings())
    }

    fn with(settings: Settings) -> Self {
        Self {
            core: Core::new(settings, Box::new(SequentialIds::default())),
            now: T0,
            next_ack: 0,
        }
    }

    fn t(&self) -> Timestamp {
        Timestamp::from_unix_millis(self.now)
    }

    fn connect_as(&mut self, conn: ConnId, token: &str) -> Output {
        let input = Input::Connect {
            conn,
            sid: format!("sid{conn}"),
            auth: json!({ "customerToken": token }),
        };
        self.core.handle(self.t(), input)
    }

    /// A connection of the dev customer.
    fn client(&mut self, conn: ConnId) {
        let out = self.connect_as(conn, DEV_TOKEN);
        assert_eq!(emits(&out)[0].1, "client_ready");
    }

    /// An event without ack.
    fn send(&mut self, conn: ConnId, event: &str, payload: Value) -> Output {
        let input = Input::Event {
            conn,
            event: event.to_owned(),
            payload,
            ack: None,
        };
        self.core.handle(self.t(), input)
    }

    /// An event with an ack: the output, with the ack (if already answered).
    fn call_out(&mut self, conn: ConnId, event: &str, payload: Value) -> (Option<Value>, Output) {
        self.next_ack += 1;
        let ack = self.next_ack;
        let input = Input::Event {
            conn,
            event: event.to_owned(),
            payload,
            ack: Some(ack),
        };
        let out = self.core.handle(self.t(), input);
        let reply = acks(&out)
            .into_iter()
            .find(|(c, a, _)| *c == conn && *a == ack)
            .map(|(_, _, v)| v);
        (reply, out)
    }

    fn call(&mut self, conn: ConnId, event: &str, payload: Value) -> Value {
        self.call_out(conn, event, payload).0.unwrap()
    }

    fn error(&mut self, conn: ConnId, event: &str, payload: Value) -> String {
        let reply = self.call(conn, event, payload);
        reply["error"].as_str().unwrap_or_default().to_owned()
    }

    fn send_job(&mut self, conn: ConnId, name: &str, options: Value) -> String {
        let r = self.call(
            conn,
            "send_job",
            json!({"name": name, "data": {"n": 1}, "options": options}),
        );
        r["jobId"].as_str().unwrap().to_owned()
    }

    fn job(&mut self, conn: ConnId, id: &str) -> Value {
        self.call(conn, "get_job", json!({ "jobId": id }))["job"].clone()
    }

    fn state(&mut self, conn: ConnId, id: &str) -> String {
        self.job(conn, id)["state"].as_str().unwrap().to_owned()
    }

    fn advance(&mut self, ms: i64) -> Output {
        self.now += ms;
        self.core.handle_timeout(self.t())
    }

    fn size(&mut self, conn: ConnId) -> Value {
        self.call(conn, "get_queue_size", json!({}))["queueSize"].clone()
    }
}

#[test]
fn connect_gives_client_ready_with_one_customer_id_per_token() {
    let mut h = H::new();
    let a = emits(&h.connect_as(1, DEV_TOKEN));
    let b = emits(&h.connect_as(2, DEV_TOKEN));
    let c = emits(&h.connect_as(3, OTHER));
    assert_eq!(
        a,
        vec![(
            1,
            "client_ready",
            json!({"id": "sid1", "customerId": a[0].2["customerId"]})
        )]
    );
    assert!(a[0].2["customerId"].is_string());
    assert_eq!(a[0].2["customerId"], b[0].2["customerId"]);
    assert_ne!(a[0].2["customerId"], c[0].2["customerId"]);
}

#[test]
fn missing_or_unknown_token_is_refused() {
    let mut h = H::new();
    for auth in [
        json!({}),
        json!({"customerToken": "nope"}),
        json!(null),
        json!({"customerToken": 5}),
    ] {
        let out = h.core.handle(
            h.t(),
            Input::Connect {
                conn: 9,
                sid: "s".into(),
                auth: auth.clone(),
            },
        );
        match &out.messages[..] {
            [Message::Refuse { conn: 9, error }] => assert_eq!(error.code(), "INVALID_TOKEN"),
            other => panic!("{auth}: {other:?}"),
        }
        assert!(h.core.authenticate(&auth).is_err());
        // Events of a refused connection are ignored.
        assert!(h.send(9, "get_queue_size", json!({})).messages.is_empty());
    }
}

#[test]
fn send_job_and_get_job_shape() {
    let mut h = H::new();
    h.client(1);
    let id = h.send_job(1, "email", json!({"priority": 3}));
    assert_eq!(id, "00000000-0000-4000-8000-000000000003");
    let job = h.job(1, &id);
    assert_eq!(
        job,
        json!({"id": id, "name": "email", "data": {"n": 1}, "state": "created", "retryCount": 0,
               "priority": 3, "createdAt": "2023-11-14T22:13:20.000Z"})
    );
    // Data may be anything, and absent (jobber-N6); unknown fields are ignored (J17).
    let r = h.call(
        1,
        "send_job",
        json!({"name": "x", "extra": true, "options": {"foo": 1}}),
    );
    let id2 = r["jobId"].as_str().unwrap().to_owned();
    assert_eq!(h.job(1, &id2)["data"], Value::Null);
}

#[test]
fn invalid_payloads_and_unknown_events() {
    let mut h = H::new();
    h.client(1);
    let bad = [
        ("send_job", json!(null)),
        ("send_job", json!({"data": 1})),
        ("send_job", json!({"name": ""})),
        ("send_job", json!({"name": "a", "options": 5})),
        (
            "send_job",
            json!({"name": "a", "options": {"priority": "high"}}),
        ),
        (
            "send_job",
            json!({"name": "a", "options": {"priority": 1.5}}),
        ),
        (
            "send_job",
            json!({"name": "a", "options": {"startAfter": "tomorrow"}}),
        ),
        (
            "send_job",
            json!({"name": "a", "options": {"expireIn": "soon"}}),
        ),
        (
            "send_job",
            json!({"name": "a", "options": {"expireIn": "0 seconds"}}),
        ),
        (
            "send_job",
            json!({"name": "a", "options": {"retryLimit": -1}}),
        ),
        (
            "send_job",
            json!({"name": "a", "options": {"retryDelay": "5"}}),
        ),
        (
            "send_job",
            json!({"name": "a", "options": {"retryBackoff": 1}}),
        ),
        (
            "send_job",
            json!({"name": "a", "options": {"singletonKey": 1}}),
        ),
        ("send_job", json!({"name": "a", "options": {"id": ""}})),
        ("schedule_job", json!({"name": "a", "data": 1})),
        ("register_worker", json!({})),
        (
            "register_worker",
            json!({"jobName": "a", "options": {"teamSize": 0}}),
        ),
        (
            "register_worker",
            json!({"jobName": "a", "options": {"teamSize": 1000, "teamConcurrency": 2}}),
        ),
        ("send_batch", json!({"jobs": {}})),
        ("send_batch", json!({"jobs": [{"name": "a"}, {"data": 1}]})),
        ("wait_for_batch", json!({})),
        ("get_job", json!({"jobId": 5})),
        ("cancel_job", json!([])),
        ("job_started", json!({})),
        ("job_completed", json!({})),
        ("job_failed", json!({"jobId": "x"})),
    ];
    for (event, payload) in bad {
        let e = h.error(1, event, payload.clone());
        assert!(e.starts_with("INVALID_PAYLOAD: "), "{event} {payload}: {e}");
    }
    assert!(
        h.error(
            1,
            "send_batch",
            json!({"jobs": [{"name": "a"}, {"data": 1}]})
        )
        .contains("jobs[1]")
    );
    assert!(h.error(1, "nope", json!({})).starts_with("UNKNOWN_EVENT: "));
    // Nothing was created.
    assert_eq!(
        h.size(1),
        json!({"waiting": 0, "active": 0, "completed": 0, "failed": 0})
    );
}

#[test]
fn register_worker_acks_only_when_asked_and_dispatches() {
    let mut h = H::new();
    h.client(1);
    h.client(2);
    let id = h.send_job(1, "email", json!({}));
    let out = h.send(2, "register_worker", json!({"jobName": "email"}));
    assert!(acks(&out).is_empty());
    let e = emits(&out);
    assert_eq!(e.len(), 1);
    assert_eq!((e[0].0, e[0].1), (2, "work_request"));
    assert_eq!(e[0].2["id"], json!(id));
    assert_eq!(e[0].2["state"], "active");
    assert_eq!(
        h.call(2, "register_worker", json!({"jobName": "other"})),
        json!({})
    );
    assert_eq!(
        h.size(1),
        json!({"waiting": 0, "active": 1, "completed": 0, "failed": 0})
    );
}

#[test]
fn dispatch_order_priority_then_oldest_and_capacity() {
    let mut h = H::new();
    h.client(1);
    let low = h.send_job(1, "n", json!({"priority": 1}));
    let high = h.send_job(1, "n", json!({"priority": 5}));
    let low2 = h.send_job(1, "n", json!({"priority": 1}));
    let out = h.send(
        1,
        "register_worker",
        json!({"jobName": "n", "options": {"teamSize": 1, "teamConcurrency": 2}}),
    );
    let ids: Vec<Value> = emits(&out).into_iter().map(|e| e.2["id"].clone()).collect();
    assert_eq!(ids, vec![json!(high), json!(low)]);
    let out = h.send(1, "job_completed", json!({"jobId": high, "result": 1}));
    assert_eq!(emits(&out)[0].2["id"], json!(low2));
    assert_eq!(h.state(1, &high), "completed");
    assert!(h.job(1, &high)["completedAt"].is_string());
}

#[test]
fn round_robin_across_registrations() {
    let mut h = H::new();
    for c in 1..=3 {
        h.client(c);
    }
    h.send(
        2,
        "register_worker",
        json!({"jobName": "n", "options": {"teamConcurrency": 5}}),
    );
    h.send(
        3,
        "register_worker",
        json!({"jobName": "n", "options": {"teamSize": 5}}),
    );
    let mut to = Vec::new();
    for _ in 0..4 {
        let out = h.call_out(1, "send_job", json!({"name": "n"})).1;
        to.extend(emits(&out).into_iter().map(|e| e.0));
    }
    assert_eq!(to, vec![2, 3, 2, 3]);
}

#[test]
fn start_after_date_string_and_seconds() {
    let mut h = H::new();
    h.client(1);
    h.send(
        1,
        "register_worker",
        json!({"jobName": "n", "options": {"teamSize": 10}}),
    );
    let (_, out) = h.call_out(
        1,
        "send_job",
        json!({"name": "n", "options": {"startAfter": "2023-11-14T22:13:25.000Z"}}),
    );
    assert!(emits(&out).is_empty());
    let (_, out) = h.call_out(
        1,
        "send_job",
        json!({"name": "n", "options": {"startAfter": 2}}),
    );
    assert!(emits(&out).is_empty());
    let (_, out) = h.call_out(
        1,
        "send_job",
        json!({"name": "n", "options": {"startAfter": "2020-01-01T00:00:00Z"}}),
    );
    assert_eq!(emits(&out).len(), 1);
    assert_eq!(
        h.core.poll_deadline(),
        Some(Timestamp::from_unix_millis(T0 + 2000))
    );
    assert!(emits(&h.advance(1999)).is_empty());
    assert_eq!(emits(&h.advance(1)).len(), 1);
    assert_eq!(emits(&h.advance(2999)).len(), 0);
    assert_eq!(emits(&h.advance(1)).len(), 1);
}

#[test]
fn job_started_sets_started_at_once() {
    let mut h = H::new();
    h.client(1);
    h.send(1, "register_worker", json!({"jobName": "n"}));
    let id = h.send_job(1, "n", json!({}));
    h.now += 10;
    assert_eq!(
        h.call(1, "job_started", json!({"jobName": "n", "jobId": id})),
        json!({})
    );
    h.now += 10;
    h.send(1, "job_started", json!({"jobId": id}));
    assert_eq!(h.job(1, &id)["startedAt"], "2023-11-14T22:13:20.010Z");
    assert!(
        h.error(1, "job_started", json!({"jobId": "nope"}))
            .starts_with("JOB_NOT_FOUND: ")
    );
}

#[test]
fn failure_retries_with_delay_and_backoff_then_fails() {
    let mut h = H::new();
    h.client(1); // sender
    h.client(2); // worker
    h.send(2, "register_worker", json!({"jobName": "n"}));
    let id = h.send_job(
        1,
        "n",
        json!({"retryLimit": 2, "retryDelay": 1, "retryBackoff": true}),
    );
    let out = h.send(2, "job_failed", json!({"jobId": id, "error": "boom"}));
    let e = emits(&out);
    assert_eq!(
        e.iter().map(|e| (e.0, e.1)).collect::<Vec<_>>(),
        vec![(2, "job_retrying"), (1, "job_retrying")]
    );
    assert_eq!(e[0].2["state"], "retry");
    assert_eq!(e[0].2["retryCount"], 1);
    assert_eq!(h.size(1)["waiting"], 1);
    assert!(emits(&h.advance(999)).is_empty());
    let e = emits(&h.advance(1));
    assert_eq!(
        (e[0].0, e[0].1, e[0].2["retryCount"].clone()),
        (2, "work_request", json!(1))
    );
    h.send(2, "job_failed", json!({"jobId": id, "error": "boom"}));
    assert!(
        emits(&h.advance(1999)).is_empty(),
        "backoff doubles the delay"
    );
    assert_eq!(emits(&h.advance(1))[0].2["retryCount"], 2);
    let out = h.send(2, "job_failed", json!({"jobId": id, "error": "boom"}));
    assert!(emits(&out).is_empty());
    let job = h.job(1, &id);
    assert_eq!(
        (job["state"].clone(), job["retryCount"].clone()),
        (json!("failed"), json!(2))
    );
    assert!(job["failedAt"].is_string());
    assert_eq!(
        h.size(1),
        json!({"waiting": 0, "active": 0, "completed": 0, "failed": 1})
    );
    assert!(
        h.error(2, "job_failed", json!({"jobId": id, "error": "x"}))
            .starts_with("INVALID_STATE: ")
    );
    assert!(
        h.error(2, "job_completed", json!({"jobId": id}))
            .starts_with("INVALID_STATE: ")
    );
}

#[test]
fn expiry_notifies_and_retries_like_a_failure() {
    let mut h = H::new();
    h.client(1);
    h.client(2);
    h.send(2, "register_worker", json!({"jobName": "n"}));
    let id = h.send_job(1, "n", json!({"expireIn": "30 seconds", "retryLimit": 1}));
    let out = h.advance(30_000);
    let names: Vec<_> = emits(&out)
        .into_iter()
        .map(|e| (e.0, e.1, e.2["state"].clone()))
        .collect();
    assert_eq!(
        names,
        vec![
            (2, "job_expired", json!("expired")),
            (1, "job_expired", json!("expired")),
            (2, "job_retrying", json!("retry")),
            (1, "job_retrying", json!("retry")),
            (2, "work_request", json!("active")),
        ]
    );
    let out = h.advance(30_000);
    assert_eq!(emits(&out).len(), 2);
    assert_eq!(h.state(1, &id), "expired");
    assert_eq!(h.core.poll_deadline(), None);
}

#[test]
fn expire_in_forms_and_default() {
    for (expire, ms) in [
        (json!("5 minutes"), 300_000),
        (json!("PT30S"), 30_000),
        (json!("PT1H"), 3_600_000),
        (json!("1 hour"), 3_600_000),
        (json!("10s"), 10_000),
        (json!(7), 7000),
        (Value::Null, 900_000),
    ] {
        let mut h = H::new();
        h.client(1);
        h.send(1, "register_worker", json!({"jobName": "n"}));
        h.send_job(1, "n", json!({ "expireIn": expire }));
        assert_eq!(
            h.core.poll_deadline(),
            Some(Timestamp::from_unix_millis(T0 + ms)),
            "{expire}"
        );
    }
}

#[test]
fn singleton_key_creates_nothing_while_live() {
    let mut h = H::new();
    h.client(1);
    let opts = json!({"singletonKey": "k"});
    let id = h.send_job(1, "n", opts.clone());
    assert_eq!(
        h.call(1, "send_job", json!({"name": "n", "options": opts})),
        json!({})
    );
    // Another name or customer is another singleton.
    assert!(h.call(1, "send_job", json!({"name": "m", "options": opts}))["jobId"].is_string());
    h.connect_as(5, OTHER);
    assert!(h.call(5, "send_job", json!({"name": "n", "options": opts}))["jobId"].is_string());
    h.call(1, "cancel_job", json!({ "jobId": id }));
    assert!(h.call(1, "send_job", json!({"name": "n", "options": opts}))["jobId"].is_string());
    // A client id that exists creates nothing either (jobber-N7).
    assert_eq!(
        h.call(1, "send_job", json!({"name": "n", "options": {"id": id}})),
        json!({})
    );
    assert_eq!(h.send_job(1, "n", json!({"id": "mine"})), "mine");
}

#[test]
fn cancel_in_every_state() {
    let mut h = H::new();
    h.client(1);
    h.client(2);
    let created = h.send_job(1, "n", json!({}));
    let later = h.send_job(1, "n", json!({"startAfter": 60}));
    let out = h.call_out(1, "cancel_job", json!({"jobId": created}));
    assert_eq!(out.0, Some(json!({})));
    assert_eq!(emits(&out.1)[0].1, "job_cancelled");
    assert_eq!(h.call(1, "cancel_job", json!({"jobId": later})), json!({}));
    assert!(emits(&h.advance(60_000)).is_empty());
    let active = h.send_job(1, "n", json!({}));
    h.send(2, "register_worker", json!({"jobName": "n"}));
    let (_, out) = h.call_out(1, "cancel_job", json!({"jobId": active}));
    let e = emits(&out);
    assert_eq!(
        e.iter().map(|e| (e.0, e.1)).collect::<Vec<_>>(),
        vec![(2, "job_cancelled"), (1, "job_cancelled")]
    );
    assert_eq!(e[0].2["state"], "cancelled");
    assert!(
        h.error(1, "cancel_job", json!({"jobId": active}))
            .starts_with("INVALID_STATE: ")
    );
    assert!(
        h.error(1, "cancel_job", json!({"jobId": "nope"}))
            .starts_with("JOB_NOT_FOUND: ")
    );
    assert!(
        h.error(2, "job_completed", json!({"jobId": active}))
            .starts_with("INVALID_STATE: ")
    );
    assert_eq!(
        h.size(1),
        json!({"waiting": 0, "active": 0, "completed": 0, "failed": 0})
    );
}

#[test]
fn customers_are_isolated() {
    let mut h = H::new();
    h.client(1);
    h.connect_as(2, OTHER);
    h.send(2, "register_worker", json!({"jobName": "n"}));
    let (_, out) = h.call_out(1, "send_job", json!({"name": "n"}));
    assert!(
        emits(&out).is_empty(),
        "another customer's worker gets nothing"
    );
    let id = acks(&out)[0].2["jobId"].as_str().unwrap().to_owned();
    for event in ["get_job", "cancel_job", "job_started", "job_completed"] {
        assert!(
            h.error(2, event, json!({"jobId": id}))
                .starts_with("JOB_NOT_FOUND: "),
            "{event}"
        );
    }
    let b = h.call(1, "send_batch", json!({"jobs": [{"name": "n"}]}))["batchId"].clone();
    assert!(
        h.error(2, "wait_for_batch", json!({"batchId": b}))
            .starts_with("BATCH_NOT_FOUND: ")
    );
    assert_eq!(
        h.size(2),
        json!({"waiting": 0, "active": 0, "completed": 0, "failed": 0})
    );
    assert_eq!(h.size(1)["waiting"], 2);
}

#[test]
fn worker_disconnect_requeues_without_counting() {
    let mut h = H::new();
    h.client(1);
    h.client(2);
    h.client(3);
    h.send(2, "register_worker", json!({"jobName": "n"}));
    let id = h.send_job(1, "n", json!({"retryLimit": 0}));
    h.send(3, "register_worker", json!({"jobName": "n"}));
    let out = h.core.handle(h.t(), Input::Disconnect { conn: 2 });
    let e = emits(&out);
    assert_eq!(
        (e[0].0, e[0].1, e[0].2["retryCount"].clone()),
        (3, "work_request", json!(0))
    );
    assert_eq!(h.state(1, &id), "active");
    // The sender leaving changes nothing for its job; nothing is sent to closed connections.
    h.core.handle(h.t(), Input::Disconnect { conn: 1 });
    let out = h.call_out(3, "cancel_job", json!({"jobId": id})).1;
    assert_eq!(emits(&out).iter().map(|e| e.0).collect::<Vec<_>>(), vec![3]);
}

#[test]
fn batches_and_wait_for_batch() {
    let mut h = H::new();
    h.client(1);
    h.client(2);
    let r = h.call(1, "send_batch", json!({"jobs": [{"name": "n", "data": 1}, {"name": "n", "data": 2, "options": {"priority": 9}}]}));
    let batch = r["batchId"].clone();
    let (reply, _) = h.call_out(1, "wait_for_batch", json!({"batchId": batch}));
    assert_eq!(reply, None, "held until every job is terminal");
    let waiting_ack = h.next_ack;
    let out = h.send(
        2,
        "register_worker",
        json!({"jobName": "n", "options": {"teamSize": 2}}),
    );
    let ids: Vec<String> = emits(&out)
        .iter()
        .map(|e| e.2["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(emits(&out)[0].2["data"], 2);
    let out = h.send(2, "job_completed", json!({"jobId": ids[0]}));
    assert!(acks(&out).is_empty());
    let out = h.send(2, "job_failed", json!({"jobId": ids[1], "error": "e"}));
    assert_eq!(acks(&out), vec![(1, waiting_ack, json!({}))]);
    assert_eq!(
        h.call(1, "wait_for_batch", json!({"batchId": batch})),
        json!({})
    );
    assert!(
        h.error(1, "wait_for_batch", json!({"batchId": "nope"}))
            .starts_with("BATCH_NOT_FOUND: ")
    );
    let empty = h.call(1, "send_batch", json!({"jobs": []}))["batchId"].clone();
    assert_eq!(
        h.call(1, "wait_for_batch", json!({"batchId": empty})),
        json!({})
    );
}

#[test]
fn cron_five_and_six_fields_a_day_of_ticks() {
    let mut h = H::new();
    h.client(1);
    let r = h.call(1, "schedule_job", json!({"name": "hourly", "cronPattern": "0 * * * *", "data": {"a": 1}, "options": {"priority": 2}}));
    assert!(r["scheduleId"].is_string());
    h.call(
        1,
        "schedule_job",
        json!({"name": "sec", "cronPattern": "*/10 * * * * *", "data": null}),
    );
    // T0 is 22:13:20; one day in one-second steps.
    for _ in 0..86_400 {
        h.advance(1000);
    }
    assert_eq!(h.size(1)["waiting"], 24 + 8640);
    for bad in ["nope", "* * *", "61 * * * *", "0 0 * * * * 2030", ""] {
        let e = h.error(
            1,
            "schedule_job",
            json!({"name": "x", "cronPattern": bad, "data": 1}),
        );
        assert!(e.starts_with("INVALID_CRON_PATTERN: "), "{bad}: {e}");
    }
}

#[test]
fn cron_catches_up_every_tick_when_late() {
    let mut h = H::new();
    h.client(1);
    h.send(
        1,
        "register_worker",
        json!({"jobName": "m", "options": {"teamSize": 100}}),
    );
    h.call(
        1,
        "schedule_job",
        json!({"name": "m", "cronPattern": "* * * * *", "data": 1}),
    );
    let out = h.advance(10 * 60_000);
    assert_eq!(emits(&out).len(), 10);
}

#[test]
fn rate_limit_per_connection() {
    let mut h = H::with(Settings {
        rate_limit: Some(RateLimit {
            events: 2,
            window: Duration::from_secs(1),
        }),
        ..settings()
    });
    h.client(1);
    h.client(2);
    h.size(1);
    h.size(1);
    assert!(
        h.error(1, "get_queue_size", json!({}))
            .starts_with("RATE_LIMIT_EXCEEDED: ")
    );
    assert!(h.call(2, "get_queue_size", json!({}))["queueSize"].is_object());
    h.now += 1000;
    assert!(h.call(1, "get_queue_size", json!({}))["queueSize"].is_object());
}

#[test]
fn limits_are_limit_exceeded() {
    let mut h = H::with(Settings {
        max_jobs_per_customer: 2,
        max_batch_jobs: 3,
        max_data_bytes: 10,
        max_schedules_per_customer: 1,
        max_registrations_per_connection: 1,
        retained_terminal_jobs: 1,
        ..settings()
    });
    h.client(1);
    let lim = |e: String| assert!(e.starts_with("LIMIT_EXCEEDED: "), "{e}");
    lim(h.error(
        1,
        "send_job",
        json!({"name": "n", "data": "a string longer than ten"}),
    ));
    lim(h.error(
        1,
        "send_batch",
        json!({"jobs": [{"name": "n"}, {"name": "n"}, {"name": "n"}, {"name": "n"}]}),
    ));
    lim(h.error(
        1,
        "send_batch",
        json!({"jobs": [{"name": "n"}, {"name": "n"}, {"name": "n"}]}),
    ));
    let a = h.send_job(1, "n", json!({}));
    let b = h.send_job(1, "n", json!({}));
    lim(h.error(1, "send_job", json!({"name": "n"})));
    h.call(
        1,
        "schedule_job",
        json!({"name": "n", "cronPattern": "* * * * *"}),
    );
    lim(h.error(
        1,
        "schedule_job",
        json!({"name": "n", "cronPattern": "* * * * *"}),
    ));
    h.call(1, "register_worker", json!({"jobName": "x"}));
    lim(h.error(1, "register_worker", json!({"jobName": "y"})));
    h.call(1, "cancel_job", json!({"jobId": a}));
    h.call(1, "cancel_job", json!({"jobId": b}));
    assert!(
        h.error(1, "get_job", json!({"jobId": a}))
            .starts_with("JOB_NOT_FOUND: "),
        "forgotten"
    );
    assert_eq!(h.state(1, &b), "cancelled");
}

#[test]
fn a_forgotten_batch_answers_its_waiters() {
    let mut h = H::with(Settings {
        retained_batches: 1,
        ..settings()
    });
    h.client(1);
    let first = h.call(1, "send_batch", json!({"jobs": [{"name": "n"}]}))["batchId"].clone();
    let (reply, _) = h.call_out(1, "wait_for_batch", json!({"batchId": first}));
    assert_eq!(reply, None);
    let held = h.next_ack;
    let (_, out) = h.call_out(1, "send_batch", json!({"jobs": [{"name": "n"}]}));
    let a = acks(&out);
    assert_eq!(a[0].1, held);
    assert!(
        a[0].2["error"]
            .as_str()
            .unwrap()
            .starts_with("BATCH_NOT_FOUND: ")
    );
    assert!(
        h.error(1, "wait_for_batch", json!({"batchId": first}))
            .starts_with("BATCH_NOT_FOUND: ")
    );
}
