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

use crate::support;

use std::sync::Arc;

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

/// What a planted bug must come to: the first failing session breaks `property` (the message
/// holding `detail`), is shrunk to at most `most` operations, and its file fails on the double
/// at `url` and passes on the reference.
struct Expected {
    property: &'static str,
    detail: &'static str,
    most: usize,
}

async fn assert_found_shrunk_and_written_out(
    protocol: &str,
    url: &str,
    cases: u32,
    expected: Expected,
) {
    let report = search_on(protocol, external(url), cases, 1).await;
    let failure = report.failure.expect("the planted bug is found");
    let Broken::Scenario(why) = &failure.broken else {
        panic!("a property, not {}", failure.broken);
    };
    let property = format!("property \"{}\"", expected.property);
    assert!(
        why.contains(&property) && why.contains(expected.detail),
        "{why}\n{}",
        failure.yaml
    );
    assert!(failure.operations.1 <= expected.most, "{}", failure.yaml);
    let verdicts = verdicts_on_double_and_reference(protocol, &failure.yaml, url).await;
    assert_eq!(verdicts, (Verdict::Fail, Verdict::Pass), "{}", failure.yaml);
    println!(
        "{why}\ncases {}, shrunk {:?}\n{}",
        report.cases, failure.operations, failure.yaml
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_status_moved_back_is_found_shrunk_and_written_out() {
    let server = support::embedded("dnaforge").await;
    let upstream = server.target("dnaforge").unwrap().url;
    let proxy = faulty_proxy::start(&upstream, cancelled_then_running()).await;
    // A job made and cancelled: two operations.
    let expected = Expected {
        property: "a job's status only moves forward (D6)",
        detail: "from CANCELED to RUNNING",
        most: 2,
    };
    assert_found_shrunk_and_written_out("dnaforge", &proxy.url, 100, expected).await;
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

    fn connection(connections: &mut Vec<Connection>, index: usize) -> &mut Connection {
        if connections.len() <= index {
            connections.resize_with(index + 1, Connection::default);
        }
        &mut connections[index]
    }

    fn up(connections: &mut Vec<Connection>, index: usize, text: String) -> Vec<String> {
        if let Some(('0', _, auth)) = socketio_packet(&text) {
            let customer = auth["customerToken"].as_str().map(str::to_owned);
            connection(connections, index).customer = customer;
        }
        vec![text]
    }

    /// A work_request to one connection is queued for every other connection of its
    /// customer, and goes with that connection's next frame.
    fn down(connections: &mut Vec<Connection>, index: usize, text: String) -> Vec<String> {
        if let Some(('2', None, args)) = socketio_packet(&text)
            && args[0] == "work_request"
        {
            let customer = connection(connections, index).customer.clone();
            for (other, peer) in connections.iter_mut().enumerate() {
                if other != index && peer.customer == customer {
                    peer.pending.push(text.clone());
                }
            }
        }
        let mut frames = std::mem::take(&mut connection(connections, index).pending);
        frames.push(text);
        frames
    }

    /// The double in front of `upstream`.
    pub async fn start(upstream: &str) -> faulty_proxy::FaultyProxy {
        faulty_proxy::start_stateful(upstream, Vec::new(), up, down).await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_dispatched_twice_is_found_shrunk_and_written_out() {
    let server = support::embedded("jobber").await;
    let upstream = server.target("jobber").unwrap().url;
    let proxy = twice::start(&upstream).await;
    // A worker registered and a job for it, with another connection of the customer.
    let expected = Expected {
        property: "a job is dispatched to one worker at a time (J5, J13)",
        detail: "still held it",
        most: 2,
    };
    assert_found_shrunk_and_written_out("jobber", &proxy.url, 300, expected).await;
    server.stop().await;
}
