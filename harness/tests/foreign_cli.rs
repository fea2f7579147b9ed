//! A jobber server that broadcasts job events to every connected socket, run with scenarios in
//! parallel: each scenario recognises the events other scenarios caused (another session's
//! traffic, shown and never matched or blamed). Within one scenario the broadcast is still a
//! deviation (a second copy of an event to a connection that already had it) and is found, and
//! each copy another scenario received is reported under the scenario that caused it.

use crate::support;

use std::time::Duration;

use support::cli::{run_within, wsconform};

const SELECTION: [&str; 7] = [
    "jobber.job.lifecycle_completed",
    "jobber.cancel.created",
    "jobber.cancel.active",
    "jobber.retry.immediate",
    "jobber.worker.round_robin",
    "jobber.job.send_and_get",
    "jobber.isolation.jobs",
];

fn job_event(frame: &str) -> bool {
    frame.starts_with(r#"42["job_"#)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bystanders_are_not_blamed_for_what_other_scenarios_caused() {
    let server = support::embedded("jobber").await;
    let upstream = server.target("jobber").unwrap().url;
    let identity: support::faulty_proxy::Fault =
        std::sync::Arc::new(|| Box::new(|text: String| vec![text]));
    let proxy = support::faulty_proxy::start_broadcasting(&upstream, identity, job_event).await;
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("run.json");
    let mut command = wsconform();
    command
        .args(["run", "--target", &format!("jobber={}", proxy.url)])
        .args([
            "--jobs",
            "4",
            "--report",
            &format!("json={}", json.display()),
        ]);
    for id in SELECTION {
        command.args(["--scenario", id]);
    }
    let finished =
        tokio::task::spawn_blocking(move || run_within(command, Duration::from_secs(180)))
            .await
            .unwrap();
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let scenarios = report["scenarios"].as_array().unwrap();
    for scenario in scenarios {
        let transcript = scenario["transcript"].as_array().unwrap();
        for finding in scenario["findings"].as_array().into_iter().flatten() {
            let index = finding["message_index"].as_u64().unwrap() as usize;
            assert_ne!(
                transcript[index]["foreign"], true,
                "{} is blamed for another scenario's message: {finding}",
                scenario["id"]
            );
        }
    }
    let verdict = |id: &str| {
        scenarios.iter().find(|s| s["id"] == id).unwrap()["verdict"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    // One socket: everything the broadcast brings it is another scenario's.
    assert_eq!(
        verdict("jobber.job.send_and_get"),
        "pass",
        "{}",
        finished.shown()
    );
    let foreign = scenarios
        .iter()
        .flat_map(|s| s["transcript"].as_array().unwrap())
        .filter(|entry| entry["foreign"] == true)
        .count();
    assert!(
        foreign > 0,
        "the broadcast reached other scenarios and was recognised"
    );
    // Each overheard message is reported once, under the scenario that caused it, naming the
    // bystander that received it; the cause fails for it.
    for scenario in scenarios {
        let id = scenario["id"].as_str().unwrap();
        for entry in scenario["transcript"].as_array().unwrap() {
            if entry["foreign"] != true {
                continue;
            }
            let heard = format!("{id} ({})", entry["actor"].as_str().unwrap());
            let owners: Vec<&serde_json::Value> = scenarios
                .iter()
                .filter(|owner| {
                    owner["leaks"].as_array().into_iter().flatten().any(|leak| {
                        leak["text"] == entry["text"]
                            && leak["heard_by"]
                                .as_array()
                                .unwrap()
                                .contains(&heard.clone().into())
                    })
                })
                .collect();
            assert_eq!(owners.len(), 1, "{heard} overheard {}", entry["text"]);
            assert_ne!(owners[0]["id"], id, "a scenario does not overhear itself");
            assert_eq!(owners[0]["verdict"], "fail");
        }
    }
}
