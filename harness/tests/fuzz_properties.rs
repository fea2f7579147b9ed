//! The models' transcript properties find what no single answer shows: two doubles of the
//! reference, each with a bug only a sequence of requests reaches, are found by generated
//! sessions, shrunk, and written out as files that fail on the double and pass on the reference.
//! - dnaforge, a state moved back: once a job is cancelled, the double follows the `CANCELED`
//!   update with a stale `RUNNING` one (D6: a status only moves forward).
//! - jobber, a job dispatched twice: the double pushes each `work_request` to every connection
//!   of the customer, not only the worker's (a customer's room where a socket was meant; J5:
//!   one worker at a time).
//!
//! Both extra messages are in the model's `ignore:` (the sessions do not wait for them), so only
//! the properties can see them.
#![allow(clippy::unwrap_used)]

mod support;

use std::sync::{Arc, Mutex};

use harness::fuzz::Broken;
use harness::report::model::Verdict;
use serde_json::Value;
use support::faulty_proxy::{self, Fault, socketio_packet};
use support::fuzzing::{external, search_on, verdicts_on_double_and_reference};

/// A cancelled job's update followed by a stale `RUNNING` one.
fn cancelled_then_running() -> Fault {
    Arc::new(|| {
        Box::new(|text: String| {
            let Ok(mut update) = serde_json::from_str::<Value>(&text) else {
                return vec![text];
            };
            if update["type"] != "JobUpdate" || update["job"]["status"] != "CANCELED" {
                return vec![text];
            }
            update["job"]["status"] = "RUNNING".into();
            vec![text, update.to_string()]
        })
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_status_moved_back_is_found_shrunk_and_written_out() {
    let server = support::embedded("dnaforge").await;
    let upstream = server.target("dnaforge").unwrap().url;
    let proxy = faulty_proxy::start(&upstream, cancelled_then_running()).await;
    let report = search_on("dnaforge", external(&proxy.url), 100, 1).await;
    let failure = report.failure.expect("the move back is found");
    let Broken::Scenario(why) = &failure.broken else {
        panic!("a property, not {}", failure.broken);
    };
    assert!(
        why.contains("property \"a job's status only moves forward (D6)\"")
            && why.contains("from CANCELED to RUNNING"),
        "{why}\n{}",
        failure.yaml
    );
    // A job made and cancelled: two operations.
    assert!(failure.operations.1 <= 2, "{}", failure.yaml);
    let verdicts = verdicts_on_double_and_reference("dnaforge", &failure.yaml, &proxy.url).await;
    assert_eq!(verdicts, (Verdict::Fail, Verdict::Pass), "{}", failure.yaml);
    println!(
        "{why}\ncases {}, shrunk {:?}\n{}",
        report.cases, failure.operations, failure.yaml
    );
    server.stop().await;
}

/// The jobber double that dispatches a job twice.
mod twice {
    use super::*;

    #[derive(Default)]
    struct Connection {
        customer: Option<String>,
        /// Copies of other connections' work to deliver with its next frame.
        pending: Vec<String>,
    }

    #[derive(Default)]
    struct Shared {
        connections: Vec<Connection>,
        next_up: usize,
        next_down: usize,
    }

    impl Shared {
        fn connection(&mut self, index: usize) -> &mut Connection {
            if self.connections.len() <= index {
                self.connections.resize_with(index + 1, Connection::default);
            }
            &mut self.connections[index]
        }

        /// Queues `frame` (a work_request sent to `from`) for every other connection of
        /// `from`'s customer.
        fn copy_work(&mut self, from: usize, frame: &str) {
            let customer = self.connection(from).customer.clone();
            for (index, other) in self.connections.iter_mut().enumerate() {
                if index != from && other.customer == customer {
                    other.pending.push(frame.to_owned());
                }
            }
        }
    }

    /// Numbers each connection as it opens (up and down open in the same order).
    fn next(shared: &Mutex<Shared>, up: bool) -> usize {
        let mut s = shared.lock().unwrap();
        let counter = if up { &mut s.next_up } else { &mut s.next_down };
        *counter += 1;
        *counter - 1
    }

    fn up(shared: Arc<Mutex<Shared>>) -> Fault {
        Arc::new(move || {
            let shared = Arc::clone(&shared);
            let index = next(&shared, true);
            Box::new(move |text: String| {
                let mut s = shared.lock().unwrap();
                if let Some(('0', _, auth)) = socketio_packet(&text) {
                    let customer = auth["customerToken"].as_str().map(str::to_owned);
                    s.connection(index).customer = customer;
                }
                vec![text]
            })
        })
    }

    fn down(shared: Arc<Mutex<Shared>>) -> Fault {
        Arc::new(move || {
            let shared = Arc::clone(&shared);
            let index = next(&shared, false);
            Box::new(move |text: String| {
                let mut s = shared.lock().unwrap();
                if let Some(('2', None, args)) = socketio_packet(&text)
                    && args[0] == "work_request"
                {
                    s.copy_work(index, &text);
                }
                let mut frames = std::mem::take(&mut s.connection(index).pending);
                frames.push(text);
                frames
            })
        })
    }

    /// The double in front of `upstream`.
    pub async fn start(upstream: &str) -> faulty_proxy::FaultyProxy {
        let shared = Arc::new(Mutex::new(Shared::default()));
        faulty_proxy::start_with(upstream, down(Arc::clone(&shared)), Some(up(shared))).await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_dispatched_twice_is_found_shrunk_and_written_out() {
    let server = support::embedded("jobber").await;
    let upstream = server.target("jobber").unwrap().url;
    let proxy = twice::start(&upstream).await;
    let report = search_on("jobber", external(&proxy.url), 300, 1).await;
    let failure = report.failure.expect("the second dispatch is found");
    let Broken::Scenario(why) = &failure.broken else {
        panic!("a property, not {}", failure.broken);
    };
    assert!(
        why.contains("property \"a job is dispatched to one worker at a time (J5, J13)\"")
            && why.contains("still held it"),
        "{why}\n{}",
        failure.yaml
    );
    // A worker registered and a job for it, with another connection of the customer.
    assert!(failure.operations.1 <= 2, "{}", failure.yaml);
    let verdicts = verdicts_on_double_and_reference("jobber", &failure.yaml, &proxy.url).await;
    assert_eq!(verdicts, (Verdict::Fail, Verdict::Pass), "{}", failure.yaml);
    println!(
        "{why}\ncases {}, shrunk {:?}\n{}",
        report.cases, failure.operations, failure.yaml
    );
    server.stop().await;
}
