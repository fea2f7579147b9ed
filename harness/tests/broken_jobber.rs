//! The harness catches a jobber server that breaks the specification: a proxy in front of the
//! reference server rewrites the socket.io packets it sends (or what clients send it), and the
//! scenarios that check those behaviours must fail, at the exact step and JSON path.

use crate::support;

use harness::report::model::{ScenarioResult, Verdict};
use serde_json::Value;
use support::faulty_proxy::{self, Fault};

const EVENT: char = '2';
const ACK: char = '3';

async fn run_through(down: Fault, up: Option<Fault>, id: &str) -> ScenarioResult {
    support::run_behind_proxy("jobber", id, down, up).await
}

fn unchanged() -> Fault {
    std::sync::Arc::new(|| Box::new(|text| vec![text]))
}

#[tokio::test]
async fn through_an_honest_proxy_the_scenarios_below_pass() {
    for id in ["jobber.job.send_and_get", "jobber.worker.priority_order"] {
        let result = run_through(unchanged(), None, id).await;
        assert_eq!(result.verdict, Verdict::Pass, "{result:#?}");
    }
}

#[tokio::test]
async fn an_ack_of_the_wrong_shape_fails_at_its_path_and_breaks_the_ack_schema() {
    // send_job answered {id} instead of {jobId}.
    let fault = faulty_proxy::rewrite_socketio(|kind, _, data| {
        if kind == ACK
            && let Some(id) = data[0].as_object_mut().and_then(|o| o.remove("jobId"))
        {
            data[0]["id"] = id;
        }
    });
    let result = run_through(fault, None, "jobber.job.send_and_get").await;
    assert_eq!(result.verdict, Verdict::Fail);
    let failure = result.failure.unwrap();
    assert!(
        failure
            .at
            .as_deref()
            .unwrap()
            .contains("job-send-and-get.yaml:18"),
        "the failing step is the ack expectation"
    );
    assert!(
        failure
            .path
            .as_deref()
            .unwrap_or_default()
            .starts_with("$.args[0]"),
        "{failure:#?}"
    );
    assert!(
        result
            .findings
            .iter()
            .any(|f| f.message.contains("ack.send_job")),
        "{:?}",
        result.findings
    );
}

#[tokio::test]
async fn a_server_that_ignores_priority_fails_the_priority_order_scenario() {
    // The server never sees a priority: it dispatches oldest first.
    let up = faulty_proxy::rewrite_socketio(|kind, _, data| {
        if kind == EVENT
            && data[0] == "send_job"
            && let Some(options) = data[1]["options"].as_object_mut()
        {
            options.remove("priority");
        }
    });
    let result = run_through(unchanged(), Some(up), "jobber.worker.priority_order").await;
    assert_eq!(result.verdict, Verdict::Fail, "{result:#?}");
    let failure = result.failure.unwrap();
    assert!(failure.message.contains("work_request"), "{failure:#?}");
}

#[tokio::test]
async fn an_ack_nobody_asked_for_is_a_finding() {
    // Every ack arrives twice: the second has no emit waiting for it.
    let fault: Fault = std::sync::Arc::new(|| {
        Box::new(|text: String| {
            if text.starts_with("43") {
                vec![text.clone(), text]
            } else {
                vec![text]
            }
        })
    });
    let result = run_through(fault, None, "jobber.job.send_and_get").await;
    assert_eq!(result.verdict, Verdict::Fail);
    assert!(
        result
            .findings
            .iter()
            .any(|f| f.message.contains("which no emit awaits")),
        "{:?}",
        result.findings
    );
}

#[tokio::test]
async fn a_job_event_with_the_wrong_state_breaks_its_schema() {
    let fault = faulty_proxy::rewrite_socketio(|kind, _, data| {
        if kind == EVENT && data[0] == "work_request" {
            data[1]["state"] = Value::from("created");
        }
    });
    let result = run_through(fault, None, "jobber.worker.priority_order").await;
    assert_eq!(result.verdict, Verdict::Fail);
    assert!(
        result
            .findings
            .iter()
            .any(|f| f.path.as_deref() == Some("$.args[0].state")),
        "{:?}",
        result.findings
    );
}
