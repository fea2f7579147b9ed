//! The scenario machine driven by hand: no sockets, a manual clock. Each test feeds a session
//! the inputs a driver would and checks the commands it asks for, its deadlines and its outcome.

use crate::support;

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use harness::exec::markers::MarkerIndex;
use harness::exec::{
    CheckVerdict, Command, Input, OnDeviation, Outcome, RunOptions, ScenarioPlan, Session,
    Unobserved,
};
use harness::transport::{Accepted, Arrival, Inbound, Outbound, TransportError, Utf8Bytes};
use serde_json::{Value, json};

const JOB: &str = "3f2a5b1c-0d4e-4f6a-8b7c-9d0e1f2a3b4c";

fn plan(protocol: &str, yaml: &str) -> Arc<ScenarioPlan> {
    plan_with(protocol, yaml, OnDeviation::GoOn)
}

fn plan_with(protocol: &str, yaml: &str, on_deviation: OnDeviation) -> Arc<ScenarioPlan> {
    let scenario = harness::scenario::parse_str(yaml, Path::new("test.yaml")).unwrap();
    let options = RunOptions {
        on_deviation,
        ..RunOptions::default()
    };
    Arc::new(ScenarioPlan::new(
        scenario,
        Arc::new(support::suite(protocol)),
        "http://127.0.0.1:9".to_owned(),
        Arc::new(options),
    ))
}

/// A session with its own manual clock.
struct Bench {
    session: Session,
    now: Instant,
}

impl Bench {
    fn new(plan: Arc<ScenarioPlan>) -> Bench {
        let now = Instant::now();
        let mut session = Session::new(plan, now, 1_700_000_000_000, None);
        session.start(now, &mut Unobserved);
        Bench { session, now }
    }

    fn feed(&mut self, input: Input) {
        self.session.handle(self.now, input, &mut Unobserved);
    }

    fn wait(&mut self, duration: Duration) {
        self.now += duration;
        self.feed(Input::Tick);
    }

    fn command(&mut self) -> Command {
        self.session.poll_command().expect("a command")
    }

    fn arrive(&mut self, conn: usize, inbound: Inbound) {
        let at = self.now;
        self.feed(Input::Arrival(Arrival { conn, at, inbound }));
    }

    fn connect(&mut self) -> usize {
        let Command::Connect { conn, request } = self.command() else {
            panic!("a connect first");
        };
        assert_eq!(request.target, "http://127.0.0.1:9");
        self.feed(Input::Connected {
            conn,
            description: "connect test".into(),
            result: Ok(Accepted {
                socket_id: Some("sock-1".into()),
                answer: Some("connected"),
                early: Vec::new(),
            }),
        });
        conn
    }

    fn finish(self) -> Outcome {
        self.session.finish(self.now)
    }
}

fn event(name: &str, args: Value) -> Inbound {
    let Value::Array(args) = args else {
        panic!("args are a list")
    };
    Inbound::Event {
        name: name.into(),
        args,
        ack_id: None,
        attachments: Vec::new(),
        raw: Utf8Bytes::from_static("42[…]"),
    }
}

fn ack(id: u64, args: Value) -> Inbound {
    let Value::Array(args) = args else {
        panic!("args are a list")
    };
    Inbound::Ack {
        id,
        args,
        attachments: Vec::new(),
        raw: Utf8Bytes::from_static("43[…]"),
    }
}

const SEND_JOBS: &str = r#"
id: jobber.test.send_jobs
title: three jobs, one connection
protocol: jobber
clause: test
level: MUST
actors:
  p: { auth: { customerToken: "${var_token_a}" } }
steps:
  - connect: p
  - expect: p
    message: { event: client_ready }
  - repeat: 3
    steps:
      - emit: p
        event: send_job
        args: [ { name: "n-${run_id}", data: {} } ]
        ack: send
      - expect: p
        ack: send
        args: [ { jobId: !uuid job } ]
"#;

#[test]
fn a_session_asks_for_each_step_in_turn_and_passes_when_every_check_holds() {
    let mut bench = Bench::new(plan("jobber", SEND_JOBS));
    let conn = bench.connect();
    assert!(
        bench.session.poll_command().is_none(),
        "it waits for client_ready"
    );
    bench.arrive(
        conn,
        event(
            "client_ready",
            json!([{"id": "sock-1", "customerId": "c1"}]),
        ),
    );
    for round in 0..3u64 {
        let Command::Send { conn: to, message } = bench.command() else {
            panic!("an emit");
        };
        assert_eq!(to, conn);
        let Outbound::Event {
            name, args, ack_id, ..
        } = message
        else {
            panic!("an event");
        };
        assert_eq!((&*name, ack_id), ("send_job", Some(round)));
        assert!(args[0]["name"].as_str().unwrap().starts_with("n-"));
        bench.feed(Input::Sent {
            conn,
            result: Ok(()),
        });
        assert!(
            bench.session.poll_command().is_none(),
            "it waits for the ack"
        );
        // A fresh id each round: captures of a round are forgotten by the next.
        let job = format!("{}{round}", &JOB[..JOB.len() - 1]);
        bench.arrive(conn, ack(round, json!([{ "jobId": job }])));
    }
    assert!(bench.session.is_finished());
    let outcome = bench.finish();
    support::assert_passed(&outcome);
    let verdicts: Vec<CheckVerdict> = outcome.checks.iter().map(|c| c.verdict).collect();
    assert_eq!(verdicts, vec![CheckVerdict::Pass; 8]);
    let steps: Vec<usize> = outcome.checks.iter().map(|c| c.step).collect();
    assert_eq!(steps, vec![1, 2, 4, 5, 4, 5, 4, 5]);
    assert_eq!(outcome.socket_ids, vec!["sock-1".to_owned()]);
    let texts = support::transcript_texts(&outcome);
    assert_eq!(texts.len(), 3 + 3 * 2, "{texts:#?}");
    assert_eq!(texts[1], "connected");
    assert!(
        texts[3].starts_with(r#"{"emit":"send_job","args":[{"name":"n-"#),
        "{}",
        texts[3]
    );
    assert!(texts[3].ends_with(r#""ack":"send"}"#), "{}", texts[3]);
}

#[test]
fn an_expectation_fails_at_its_deadline_and_not_before() {
    let mut bench = Bench::new(plan_with("jobber", SEND_JOBS, OnDeviation::Stop));
    bench.connect();
    let deadline = bench.session.poll_deadline().unwrap();
    assert_eq!(deadline, bench.now + Duration::from_secs(2));
    bench.wait(Duration::from_millis(1999));
    assert!(!bench.session.is_finished());
    bench.wait(Duration::from_millis(1));
    assert!(bench.session.is_finished());
    let outcome = bench.finish();
    let failure = outcome.failure.unwrap();
    assert_eq!(failure.step, Some(2));
    assert!(
        failure.unmet.message.contains("before the deadline"),
        "{}",
        failure.unmet.message
    );
    let not_run = outcome
        .checks
        .iter()
        .filter(|c| c.verdict == CheckVerdict::NotRun)
        .count();
    assert_eq!(
        not_run, 2,
        "the emit and the ack expectation were not reached"
    );
}

#[test]
fn an_ack_of_the_wrong_shape_fails_at_its_path_and_breaks_its_schema() {
    let mut bench = Bench::new(plan("jobber", SEND_JOBS));
    let conn = ready_and_emitted(&mut bench);
    bench.arrive(conn, ack(0, json!([{ "id": JOB }])));
    let outcome = bench.finish();
    let failure = outcome.failure.unwrap();
    assert_eq!(failure.unmet.path.as_deref(), Some("$.args[0].jobId"));
    assert!(
        outcome
            .findings
            .iter()
            .any(|f| f.message.contains("ack.send_job")),
        "{:?}",
        outcome.findings
    );
}

#[test]
fn a_refused_connection_is_a_failure_unless_the_step_expects_it() {
    let mut bench = Bench::new(plan("jobber", SEND_JOBS));
    let Command::Connect { conn, .. } = bench.command() else {
        panic!("connect")
    };
    let data = json!({"message": "INVALID_TOKEN"});
    bench.feed(Input::Connected {
        conn,
        description: "connect test".into(),
        result: Err(TransportError::Refused { data }),
    });
    let outcome = bench.finish();
    let failure = outcome.failure.unwrap();
    assert_eq!(failure.step, Some(1));
    assert_eq!(failure.unmet.message, "the target refused the connection");
    assert!(!failure.unreachable);
}

#[test]
fn an_unreachable_target_ends_the_session_as_unreachable() {
    let mut bench = Bench::new(plan("jobber", SEND_JOBS));
    let Command::Connect { conn, .. } = bench.command() else {
        panic!("connect")
    };
    bench.feed(Input::Connected {
        conn,
        description: "connect test".into(),
        result: Err(TransportError::Unreachable {
            url: "ws://127.0.0.1:9".into(),
            reason: "connection refused".into(),
        }),
    });
    let failure = bench.finish().failure.unwrap();
    assert!(failure.unreachable);
}

#[test]
fn a_session_that_gets_no_answer_ends_on_its_budget() {
    let mut bench = Bench::new(plan("jobber", SEND_JOBS));
    let _connect = bench.command();
    // The driver never reports the connect: only time passes.
    let budget = bench.session.budget_deadline();
    assert_eq!(bench.session.poll_deadline(), Some(budget));
    bench.now = budget;
    bench.feed(Input::Tick);
    let failure = bench.finish().failure.unwrap();
    assert!(
        failure.unmet.message.contains("budget"),
        "{}",
        failure.unmet.message
    );
}

const ARK_LISTEN: &str = r#"
id: ark.test.listen
title: a listener sees its own event among others'
protocol: ark
clause: test
level: MUST
actors:
  a: {}
steps:
  - connect: a
  - expect: a
    message: { event: "agent:registered", data: { agentId: "agent-${run_id}" } }
  - expect: a
    mode: absent
    message: { event: "agent:offline" }
    within: 100ms
"#;

fn ark_event(name: &str, agent: &str) -> Inbound {
    let text = json!({"event": name, "data": {"agentId": agent, "hostname": "h", "registeredAt": "2024-01-15T10:30:00.000Z"}});
    Inbound::Text(Utf8Bytes::from(text.to_string()))
}

#[test]
fn another_sessions_traffic_is_recorded_but_never_matched() {
    let index = Arc::new(MarkerIndex::default());
    let mut other = index.session();
    other.add("agent-0123456789");
    let plan = plan("ark", ARK_LISTEN);
    let now = Instant::now();
    let mut session = Session::new(plan, now, 1_700_000_000_000, Some(index.session()));
    session.start(now, &mut Unobserved);
    let mut bench = Bench { session, now };
    let run_id = bench.session.run_id().to_owned();
    let conn = bench.connect();
    // The other session's event comes first: `next` looks past it.
    bench.arrive(conn, ark_event("agent:registered", "agent-0123456789"));
    bench.arrive(
        conn,
        ark_event("agent:registered", &format!("agent-{run_id}")),
    );
    // Its agent goes offline inside our `absent` window: not ours, so not a failure.
    let offline = json!({"event": "agent:offline", "data": {"agentId": "agent-0123456789", "lastSeenAt": "2024-01-15T10:30:00.000Z"}});
    bench.arrive(conn, Inbound::Text(Utf8Bytes::from(offline.to_string())));
    bench.wait(Duration::from_millis(100));
    let outcome = bench.finish();
    support::assert_passed(&outcome);
    // connect, connected, theirs, ours, theirs.
    let foreign: Vec<bool> = outcome.transcript.records().map(|r| r.foreign).collect();
    assert_eq!(foreign, vec![false, false, true, false, true]);
}

/// Connects, receives `client_ready` and lets the first emit go out; returns the connection.
fn ready_and_emitted(bench: &mut Bench) -> usize {
    let conn = bench.connect();
    bench.arrive(
        conn,
        event(
            "client_ready",
            json!([{"id": "sock-1", "customerId": "c1"}]),
        ),
    );
    let _emit = bench.command();
    bench.feed(Input::Sent {
        conn,
        result: Ok(()),
    });
    conn
}

/// Emits one job and answers its ack with `args`; returns the connection.
fn one_job_acked(bench: &mut Bench, args: Value) -> usize {
    let conn = ready_and_emitted(bench);
    bench.arrive(conn, ack(0, args));
    conn
}

const ONE_JOB_THEN_STATUS: &str = r#"
id: jobber.test.one_job
title: one job, then its status
protocol: jobber
clause: test
level: MUST
actors:
  p: { auth: { customerToken: "${var_token_a}" } }
steps:
  - connect: p
  - expect: p
    message: { event: client_ready }
  - emit: p
    event: send_job
    args: [ { name: "n-${run_id}", data: {} } ]
    ack: send
  - expect: p
    ack: send
    args: [ !exact { jobId: !uuid job } ]
  - emit: p
    event: get_job_status
    args: [ { jobId: "${job}" } ]
    ack: status
  - expect: p
    ack: status
    args: [ { jobId: "${job}", status: pending } ]
"#;

#[test]
fn a_deviation_that_keeps_what_later_steps_need_is_recorded_and_the_scenario_goes_on() {
    let mut bench = Bench::new(plan("jobber", ONE_JOB_THEN_STATUS));
    let conn = one_job_acked(&mut bench, json!([{ "status": "ok", "jobId": JOB }]));
    let Command::Send { message, .. } = bench.command() else {
        panic!("the status request goes out: the job id was still captured");
    };
    let Outbound::Event { name, args, .. } = message else {
        panic!("an event");
    };
    assert_eq!((&*name, &args[0]["jobId"]), ("get_job_status", &json!(JOB)));
    bench.feed(Input::Sent {
        conn,
        result: Ok(()),
    });
    bench.arrive(conn, ack(1, json!([{ "jobId": JOB, "status": "pending" }])));
    assert!(bench.session.is_finished());
    let outcome = bench.finish();
    let verdicts: Vec<(usize, CheckVerdict)> =
        outcome.checks.iter().map(|c| (c.step, c.verdict)).collect();
    assert_eq!(
        verdicts,
        vec![
            (1, CheckVerdict::Pass),
            (2, CheckVerdict::Pass),
            (3, CheckVerdict::Pass),
            (4, CheckVerdict::Fail),
            (5, CheckVerdict::Pass),
            (6, CheckVerdict::Pass),
        ]
    );
    assert!(!outcome.passed());
    let failure = outcome.failure.expect("the failed check is the headline");
    assert_eq!(failure.step, Some(4));
    assert_eq!(failure.unmet.path.as_deref(), Some("$.args[0].status"));
}

#[test]
fn a_deviation_that_loses_a_capture_stops_the_scenario() {
    let mut bench = Bench::new(plan("jobber", ONE_JOB_THEN_STATUS));
    one_job_acked(&mut bench, json!([{ "id": JOB }]));
    assert!(
        bench.session.is_finished(),
        "no job id: nothing to ask about"
    );
    let outcome = bench.finish();
    let verdicts: Vec<CheckVerdict> = outcome.checks.iter().map(|c| c.verdict).collect();
    assert_eq!(
        verdicts[3..],
        [
            CheckVerdict::Fail,
            CheckVerdict::NotRun,
            CheckVerdict::NotRun
        ]
    );
}

#[test]
fn with_stop_the_first_deviation_ends_the_scenario() {
    let mut bench = Bench::new(plan_with("jobber", ONE_JOB_THEN_STATUS, OnDeviation::Stop));
    one_job_acked(&mut bench, json!([{ "status": "ok", "jobId": JOB }]));
    assert!(bench.session.is_finished());
    assert!(bench.session.poll_command().is_none());
}

#[test]
fn a_missing_message_nobody_captures_from_is_a_failed_check_and_the_scenario_goes_on() {
    let mut bench = Bench::new(plan("jobber", SEND_JOBS));
    bench.connect();
    bench.wait(Duration::from_secs(2));
    assert!(
        matches!(bench.command(), Command::Send { .. }),
        "no client_ready, but the first emit still goes out"
    );
    assert!(!bench.session.is_finished());
}

/// One job acked and its status asked, with an extra event the server slips in before the first
/// ack (`at` 0), between the two acks (1) or after the last (2).
fn one_job_with_an_extra_event(yaml: &str, at: u8) -> Outcome {
    let mut bench = Bench::new(plan("jobber", yaml));
    let conn = ready_and_emitted(&mut bench);
    let extra = || event("job_cancelled", json!([{ "id": JOB }]));
    if at == 0 {
        bench.arrive(conn, extra());
    }
    bench.arrive(conn, ack(0, json!([{ "jobId": JOB }])));
    if at == 1 {
        bench.arrive(conn, extra());
    }
    let (emit, status) = (bench.command(), bench.session.is_finished());
    assert!(matches!(emit, Command::Send { .. }) && !status);
    bench.feed(Input::Sent {
        conn,
        result: Ok(()),
    });
    bench.arrive(conn, ack(1, json!([{ "jobId": JOB, "status": "pending" }])));
    assert!(bench.session.is_finished());
    if at == 2 {
        bench.arrive(conn, extra());
    }
    bench.finish()
}

#[test]
fn a_message_nobody_asked_for_in_the_middle_of_the_exchange_is_a_finding_unless_ignored() {
    let unasked_of = |outcome: &Outcome| -> Vec<String> {
        outcome
            .findings
            .iter()
            .filter(|f| f.message.starts_with("no step asked"))
            .map(|f| f.message.clone())
            .collect()
    };
    let unasked = unasked_of(&one_job_with_an_extra_event(ONE_JOB_THEN_STATUS, 0));
    assert_eq!(unasked.len(), 1, "{unasked:?}");
    assert!(unasked[0].contains("no step asked for this job_cancelled message"));
    let ignoring =
        ONE_JOB_THEN_STATUS.replace("steps:", "ignore:\n  - { event: job_cancelled }\nsteps:");
    let ignored = unasked_of(&one_job_with_an_extra_event(&ignoring, 0));
    assert!(ignored.is_empty(), "{ignored:?}");
    // After the first ack but before the status ack: still in the middle of the exchange.
    let later = unasked_of(&one_job_with_an_extra_event(ONE_JOB_THEN_STATUS, 1));
    assert_eq!(later.len(), 1, "{later:?}");
    // After the connection's last taken message: timing, not a finding.
    let trailing = unasked_of(&one_job_with_an_extra_event(ONE_JOB_THEN_STATUS, 2));
    assert!(trailing.is_empty(), "{trailing:?}");
}

const ROUNDS: &str = r#"
id: jobber.test.rounds
title: ${round} counts the rounds of the innermost repeat and comes back to the outer one's
protocol: jobber
clause: test
level: MUST
actors:
  p: { auth: { customerToken: "${var_token_a}" } }
steps:
  - connect: p
  - repeat: 2
    steps:
      - repeat: 3
        steps:
          - emit: p
            event: inner
            args: [ { id: "i-${round}", round: "${round}" } ]
      - emit: p
        event: outer
        args: [ { id: "o-${round}" } ]
"#;

#[test]
fn round_is_the_innermost_repeats_round_and_the_outer_one_after_it() {
    let mut bench = Bench::new(plan("jobber", ROUNDS));
    let conn = bench.connect();
    let mut sent = Vec::new();
    while let Some(Command::Send { message, .. }) = bench.session.poll_command() {
        let Outbound::Event { name, args, .. } = message else {
            panic!("an event");
        };
        sent.push(format!("{name} {}", args[0]));
        bench.feed(Input::Sent {
            conn,
            result: Ok(()),
        });
        assert!(sent.len() <= 8, "{sent:#?}");
    }
    let inner = |n: u64| format!(r#"inner {{"id":"i-{n}","round":{n}}}"#);
    let outer = |n: u64| format!(r#"outer {{"id":"o-{n}"}}"#);
    let expected = vec![
        inner(1),
        inner(2),
        inner(3),
        outer(1),
        inner(1),
        inner(2),
        inner(3),
        outer(2),
    ];
    assert_eq!(sent, expected);
    assert!(bench.session.is_finished());
    support::assert_passed(&bench.finish());
}

#[test]
fn round_outside_every_repeat_is_a_scenario_error() {
    let yaml = ROUNDS.replace(
        "  - repeat: 2\n",
        "  - emit: p\n    event: early\n    args: [ \"${round}\" ]\n  - repeat: 2\n",
    );
    let error = harness::scenario::parse_str(&yaml, Path::new("test.yaml")).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("${round} is used before any step captures"),
        "{error}"
    );
}
