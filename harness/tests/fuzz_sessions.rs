//! Generated sessions against real servers: the jobber reference passes every generated
//! session; a double with a leak that needs three particular requests is found, shrunk to a few
//! steps, and written out as a scenario that fails on the double and passes on the reference.

use crate::support;

use std::sync::Arc;

use harness::embedded::EmbeddedFactory;
use harness::report::model::Verdict;
use harness::runner::suite::TargetSource;
use support::fuzzing::{external, search_on, verdicts_on_double_and_reference};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reference_passes_every_generated_session() {
    let fresh = TargetSource::Fresh(Arc::new(EmbeddedFactory));
    let report = search_on("jobber", fresh, 20, 7).await;
    assert_eq!(report.error, None);
    if let Some(failure) = &report.failure {
        panic!("{}\n{}", failure.broken, failure.yaml);
    }
    assert_eq!(report.cases, 20);
}

/// The double: the jobber reference behind a proxy that mixes customers up after one
/// particular sequence. Once customer b has sent `send_job`, then `cancel_job`, then `get_job`
/// (in that order, on one connection), the answer to that `get_job`, when it holds a job, gets
/// customer a's last job id in the job's `data` (schema-valid: `data` is any JSON). Nothing
/// else changes, so only the isolation property can see it.
mod double {
    use std::collections::HashMap;

    use super::support::faulty_proxy::{self, FaultyProxy, socketio_packet as packet};

    const SEQUENCE: [&str; 3] = ["send_job", "cancel_job", "get_job"];

    #[derive(Default)]
    struct Connection {
        customer: Option<String>,
        /// Ack id → event of the client's emits.
        emits: HashMap<u64, String>,
        /// How much of SEQUENCE this connection has sent.
        progress: usize,
        /// The ack id of the `get_job` that completed the sequence.
        leak_ack: Option<u64>,
    }

    #[derive(Default)]
    struct Shared {
        connections: Vec<Connection>,
        last_job_of_a: Option<String>,
    }

    fn up(s: &mut Shared, index: usize, text: String) -> Vec<String> {
        if s.connections.len() <= index {
            s.connections.resize_with(index + 1, Connection::default);
        }
        let conn = &mut s.connections[index];
        match packet(&text) {
            Some(('0', _, auth)) => {
                conn.customer = auth["customerToken"].as_str().map(str::to_owned);
            }
            Some(('2', Some(id), args)) => {
                let event = args[0].as_str().unwrap_or_default().to_owned();
                if conn.progress < SEQUENCE.len() && event == SEQUENCE[conn.progress] {
                    conn.progress += 1;
                    if conn.progress == SEQUENCE.len() {
                        conn.leak_ack = Some(id);
                    }
                }
                conn.emits.insert(id, event);
            }
            _ => {}
        }
        vec![text]
    }

    fn down(s: &mut Shared, index: usize, text: String) -> Vec<String> {
        let Some(('3', Some(id), mut args)) = packet(&text) else {
            return vec![text];
        };
        let Some(conn) = s.connections.get(index) else {
            return vec![text];
        };
        let (customer, event) = (conn.customer.clone(), conn.emits.get(&id).cloned());
        let leak_here = conn.leak_ack == Some(id);
        if customer.as_deref() == Some("tok-a") && event.as_deref() == Some("send_job") {
            s.last_job_of_a = args[0]["jobId"].as_str().map(str::to_owned);
        }
        let leaked = s.last_job_of_a.clone();
        let job = &mut args[0]["job"]["data"];
        match (customer.as_deref(), leaked, job.as_object_mut()) {
            (Some("tok-b"), Some(leaked), Some(data)) if leak_here => {
                data.insert("ref".into(), leaked.into());
                vec![format!("43{id}{args}")]
            }
            _ => vec![text],
        }
    }

    /// The double in front of `upstream`.
    pub async fn start(upstream: &str) -> FaultyProxy {
        faulty_proxy::start_stateful(upstream, Shared::default(), up, down).await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_leak_after_three_particular_requests_is_found_shrunk_and_written_out() {
    let server = support::embedded("jobber").await;
    let upstream = server.target("jobber").unwrap().url;
    let proxy = double::start(&upstream).await;
    let report = search_on("jobber", external(&proxy.url), 300, 1).await;
    let failure = report.failure.expect("the leak is found");
    let harness::fuzz::Broken::Isolation(leak) = &failure.broken else {
        panic!("a leak, not {}", failure.broken);
    };
    assert_eq!(
        (leak.receiver.as_str(), leak.owner.as_str()),
        ("b1", "a"),
        "{}",
        failure.broken
    );
    let (before, after) = failure.operations;
    assert!(
        after <= 5 && after < before.max(6),
        "{before} → {after} operations\n{}",
        failure.yaml
    );
    assert!(failure.yaml.contains("!lacks"), "{}", failure.yaml);

    // The file fails on the double and passes on the reference.
    let verdicts = verdicts_on_double_and_reference("jobber", &failure.yaml, &proxy.url).await;
    assert_eq!(verdicts, (Verdict::Fail, Verdict::Pass), "{}", failure.yaml);
    println!(
        "cases {} shrink runs {} operations {before} → {after}\n{}",
        report.cases, failure.shrink_runs, failure.yaml
    );
    server.stop().await;
}

/// `wsconform fuzz` end to end: against the double it exits 4 and writes the shrunk session as
/// a suite of its own, which `wsconform run --suite` fails on the double and passes on the
/// embedded reference server; against the reference it prints the sessions, seed and time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_command_writes_a_failure_that_run_reproduces() {
    use support::cli::{run_within, wsconform};
    let server = support::embedded("jobber").await;
    let upstream = server.target("jobber").unwrap().url;
    let proxy = double::start(&upstream).await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("failures");
    let limit = std::time::Duration::from_secs(120);
    let run = |args: Vec<String>| {
        let mut command = wsconform();
        command.args(args);
        tokio::task::spawn_blocking(move || run_within(command, limit))
    };
    let fuzz = |target: Option<&str>| {
        let mut args: Vec<String> = ["fuzz", "--protocol", "jobber", "--no-hostile"]
            .map(String::from)
            .into();
        args.extend(["--seed", "1", "--cases", "300", "--write-to"].map(String::from));
        args.push(out.display().to_string());
        if let Some(url) = target {
            args.extend(["--target".into(), format!("jobber={url}")]);
        }
        args
    };

    let clean = run(fuzz(None)).await.unwrap();
    assert_eq!(clean.code(), Some(0), "{}", clean.shown());
    assert!(
        clean
            .stdout()
            .contains("jobber: 300 generated session(s) run, seed 1"),
        "{}",
        clean.shown()
    );
    assert!(
        clean.stdout().contains("every property held"),
        "{}",
        clean.shown()
    );

    let found = run(fuzz(Some(&proxy.url))).await.unwrap();
    assert_eq!(found.code(), Some(4), "{}", found.shown());
    let id = "jobber.fuzz.seed1.case34";
    assert!(
        found
            .stdout()
            .contains(&format!("FAIL  {id}  isolation: b1")),
        "{}",
        found.shown()
    );
    assert!(
        found.stdout().contains("shrunk from 20 to 4 operation(s)"),
        "{}",
        found.shown()
    );
    let file = out.join("scenarios/jobber").join(format!("{id}.yaml"));
    assert!(file.is_file(), "{}", found.shown());

    let reproduce = |target: Option<&str>| {
        let mut args: Vec<String> = vec!["run".into(), "--suite".into(), out.display().to_string()];
        args.extend(["--scenario".into(), id.to_owned()]);
        if let Some(url) = target {
            args.extend(["--target".into(), format!("jobber={url}")]);
        }
        args
    };
    let on_double = run(reproduce(Some(&proxy.url))).await.unwrap();
    assert_eq!(on_double.code(), Some(4), "{}", on_double.shown());
    assert!(
        on_double.stdout().contains("no value \"${job1}\" anywhere"),
        "{}",
        on_double.shown()
    );
    let on_reference = run(reproduce(None)).await.unwrap();
    assert_eq!(on_reference.code(), Some(0), "{}", on_reference.shown());
    server.stop().await;
}

/// An ack answered twice (the "an ack is answered once") breaks a generated session:
/// the second copy is a message no step took, before the probes' acks that steps do take.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ack_answered_twice_is_found() {
    let server = support::embedded("jobber").await;
    let upstream = server.target("jobber").unwrap().url;
    let twice: support::faulty_proxy::Fault = Arc::new(|| {
        Box::new(|text: String| match text.starts_with("43") {
            true => vec![text.clone(), text],
            false => vec![text],
        })
    });
    let proxy = support::faulty_proxy::start(&upstream, twice).await;
    let report = search_on("jobber", external(&proxy.url), 10, 3).await;
    let failure = report.failure.expect("the duplicate ack is found");
    assert_eq!(report.cases, 1, "the first session already shows it");
    let harness::fuzz::Broken::Scenario(why) = &failure.broken else {
        panic!("a scenario failure, not {}", failure.broken);
    };
    assert!(
        why.contains("which no emit awaits (unknown or repeated)"),
        "{why}\n{}",
        failure.yaml
    );
    assert_eq!(failure.operations.1, 1, "{}", failure.yaml);
    server.stop().await;
}
