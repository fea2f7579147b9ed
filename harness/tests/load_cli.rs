//! `wsconform load` and `wsconform report merge` end to end, through the binary: shards that
//! merge exactly, gates and exit codes, targets that cannot be reached or stop cooperating
//! (the run still ends on time), the embedded target, the open model and a plan file.
//!
//! Each load lasts a second or two; every run of the binary is bounded by
//! [`support::cli::run_within`].

use crate::support;

use std::process::Command;
use std::time::Duration;

use serde_json::Value;
use support::cli::{Finished, run_within, serve, wsconform};
use support::load_report::{
    assert_only_unreachable, assert_sum, completed, gates, json_arg, read_json,
};
use support::stub_server::{self, Behaviour};

/// The load's default graceful stop (`LoadLimits::graceful_stop`).
const GRACEFUL_STOP: Duration = Duration::from_secs(5);
/// What a run may take beyond its phases and graceful stop: start-up, the report, a busy machine.
const SLACK: Duration = Duration::from_secs(5);

/// The longest a load of `phases` may run: the phases, the graceful stop and the slack.
fn on_time(phases: Duration) -> Duration {
    phases + GRACEFUL_STOP + SLACK
}

/// `wsconform load` of jobber for `seconds` (its scenarios tagged `load`, unless `extra` names
/// others), quiet, with `extra` arguments.
fn load(seconds: u64, extra: &[&str]) -> Command {
    let mut command = wsconform();
    command
        .args(["load", "--protocol", "jobber", "--quiet"])
        .args(["--duration", &format!("{seconds}s")])
        .args(extra);
    command
}

#[test]
fn two_local_shards_merge_exactly_and_a_shard_twice_is_refused() {
    let served = serve();
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name);
    let target = format!("jobber={}", served.jobber);
    let shard = |index: u32, file: &str| {
        let mut command = load(2, &["--scenario", "jobber.load.send_job", "--users", "4"]);
        command
            .args(["--target", &target, "--shard", &format!("{index}/2")])
            .args(["--report", &json_arg(&path(file))]);
        command
    };
    let (first, second) = (shard(0, "a.json"), shard(1, "b.json"));
    // The two shards run at once, as two processes of one run would.
    let second = std::thread::spawn(move || run_within(second, on_time(Duration::from_secs(2))));
    let first = run_within(first, on_time(Duration::from_secs(2)));
    let second = second.join().unwrap();
    for run in [&first, &second] {
        assert_eq!(run.code(), Some(0), "{}", run.shown());
    }
    let mut merge = wsconform();
    merge
        .args(["report", "merge"])
        .args([path("a.json"), path("b.json")])
        .args(["--report", &json_arg(&path("m.json"))]);
    let merged_run = run_within(merge, SLACK);
    assert_eq!(merged_run.code(), Some(0), "{}", merged_run.shown());
    let (a, b, merged) = (
        read_json(&path("a.json")),
        read_json(&path("b.json")),
        read_json(&path("m.json")),
    );
    for shard in [&a, &b] {
        assert!(
            shard["total"]["runs"]["passed"].as_u64().unwrap() > 0,
            "{shard}"
        );
    }
    let shards: Vec<(u64, u64)> = merged["shards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["index"].as_u64().unwrap(), s["count"].as_u64().unwrap()))
        .collect();
    assert_eq!(shards, vec![(0, 2), (1, 2)]);
    assert_eq!(merged["phases"].as_array().unwrap().len(), 1);
    assert_sum(&merged["phases"][0], &a["phases"][0], &b["phases"][0]);
    assert_sum(&merged["total"], &a["total"], &b["total"]);

    let mut twice = wsconform();
    twice
        .args(["report", "merge"])
        .args([path("a.json"), path("a.json")]);
    let twice = run_within(twice, SLACK);
    assert_eq!(twice.code(), Some(1), "{}", twice.shown());
    assert!(twice.shown().contains("appears twice"), "{}", twice.shown());
}

#[test]
fn a_missed_gate_exits_5_and_kept_gates_exit_0() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.json");
    let gated = |gates: &[&str]| {
        let mut command = load(1, &["--scenario", "jobber.load.send_job", "--users", "2"]);
        command.args(gates).args(["--report", &json_arg(&report)]);
        run_within(command, on_time(Duration::from_secs(1)))
    };
    // 1 µs: no round trip on any machine is that fast.
    let missed = gated(&["--max-p99", "0.001ms"]);
    assert_eq!(missed.code(), Some(5), "{}", missed.shown());
    assert!(missed.stdout().contains("MISSED"), "{}", missed.shown());
    assert_eq!(gates(&read_json(&report)), vec![("max_p99".into(), false)]);

    let kept = gated(&["--max-p99", "60s", "--max-failures", "0"]);
    assert_eq!(kept.code(), Some(0), "{}", kept.shown());
    assert_eq!(
        gates(&read_json(&report)),
        vec![("max_p99".into(), true), ("max_failures".into(), true)]
    );
}

#[test]
fn an_unreachable_target_ends_on_time_and_exits_3() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.json");
    let mut command = load(1, &["--users", "2"]);
    command
        .args(["--target", &format!("jobber=http://127.0.0.1:{port}")])
        .args(["--report", &json_arg(&report)]);
    let run = run_within(command, on_time(Duration::from_secs(1)));
    assert_eq!(run.code(), Some(3), "{}", run.shown());
    assert_only_unreachable(&read_json(&report)["total"]);
    assert!(
        run.stdout().contains("failed runs by cause: unreachable"),
        "{}",
        run.shown()
    );
}

/// A load of `jobber.load.send_job` by 2 users for 1 s against a stub behaving as
/// `behaviour`; `extra` arguments added. Returns the run and its JSON report.
async fn load_stub(behaviour: Behaviour, extra: &[&'static str]) -> (Finished, Value) {
    let stub = stub_server::start(behaviour).await;
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.json");
    let mut command = load(1, &["--scenario", "jobber.load.send_job", "--users", "2"]);
    command
        .args(["--target", &format!("jobber={}", stub.url)])
        .args(["--report", &json_arg(&report)])
        .args(extra);
    let run =
        tokio::task::spawn_blocking(move || run_within(command, on_time(Duration::from_secs(1))))
            .await
            .unwrap();
    drop(stub);
    let report = read_json(&report);
    (run, report)
}

#[tokio::test]
async fn a_server_that_stops_answering_fails_its_runs_by_timeout_on_time() {
    let (run, report) = load_stub(Behaviour::SilentAfterSocketIo, &[]).await;
    // Connected, then nothing: the first expectation times out (2 s). A conformance failure.
    assert_eq!(run.code(), Some(4), "{}", run.shown());
    let total = &report["total"];
    let failed = total["runs"]["failed"].as_u64().unwrap();
    assert!(failed > 0, "{total}");
    assert_eq!(completed(&total["runs"]), failed, "{total}");
    assert_eq!(total["causes"], serde_json::json!({ "timeout": failed }));
    assert_eq!(total["failures"][0]["cause"], "timeout", "{total}");
    assert!(run.stdout().contains("timeout"), "{}", run.shown());
}

#[tokio::test]
async fn a_server_that_never_completes_the_handshake_ends_on_time_as_unreachable() {
    let (run, report) = load_stub(Behaviour::NeverHandshakes, &[]).await;
    // No session could be opened at all: the target is unreachable in the protocol's terms.
    assert_eq!(run.code(), Some(3), "{}", run.shown());
    assert_only_unreachable(&report["total"]);
    assert!(
        run.stdout().contains("timed out opening the WebSocket"),
        "{}",
        run.shown()
    );
}

#[tokio::test]
async fn a_server_that_closes_every_connection_ends_on_time_and_says_so() {
    let (run, report) = load_stub(Behaviour::ClosesAtOnce, &[]).await;
    assert_eq!(run.code(), Some(3), "{}", run.shown());
    assert_only_unreachable(&report["total"]);
    assert!(
        run.stdout().contains("expected the Engine.IO open packet"),
        "{}",
        run.shown()
    );
}

#[tokio::test]
async fn runs_still_waiting_after_the_graceful_stop_are_cut_off_on_time() {
    // Every wait stretched to 20 s: the runs outlast the phase (1 s) and the graceful stop.
    let (run, report) = load_stub(Behaviour::SilentAfterSocketIo, &["--time-scale", "10"]).await;
    let runs = &report["total"]["runs"];
    assert_eq!(completed(runs), 0, "{runs}");
    assert_eq!(
        runs["interrupted"], 2,
        "both users' runs are cut off: {runs}"
    );
    assert!(
        run.took >= Duration::from_secs(1) + GRACEFUL_STOP,
        "{}",
        run.shown()
    );
    // Nothing was checked to its end: not a conformant run, and the summary says why.
    assert_eq!(run.code(), Some(4), "{}", run.shown());
    assert!(
        run.stdout().contains("no scenario run ended"),
        "{}",
        run.shown()
    );
}

#[test]
fn the_embedded_target_is_loaded_and_the_summary_printed() {
    let run = run_within(load(1, &["--users", "2"]), on_time(Duration::from_secs(1)));
    assert_eq!(run.code(), Some(0), "{}", run.shown());
    let stdout = run.stdout();
    let header = stdout.lines().find(|l| l.starts_with("phase"));
    let header = header.unwrap_or_else(|| panic!("no table header: {stdout}"));
    for column in [
        "users",
        "scenarios/s",
        "messages/s",
        "round trips",
        "p99",
        "failures",
    ] {
        assert!(header.contains(column), "{header}");
    }
    assert!(
        stdout.contains("every received message checked"),
        "{stdout}"
    );
    assert!(stdout.contains("(embedded reference server)"), "{stdout}");
}

#[test]
fn an_open_model_run_starts_exactly_rate_times_duration_arrivals() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.json");
    let mut command = load(1, &["--scenario", "jobber.load.send_job", "--rate", "20/s"]);
    command.args(["--report", &json_arg(&report)]);
    let run = run_within(command, on_time(Duration::from_secs(1)));
    assert_eq!(run.code(), Some(0), "{}", run.shown());
    let report = read_json(&report);
    assert_eq!(report["model"], "open");
    assert_eq!(report["phases"][0]["level"], 20.0);
    let runs = &report["total"]["runs"];
    // The schedule starts arrival n at (n + 1) / 20 s: exactly 20 in a 1 s hold, each either
    // ended or cut off after the graceful stop; none dropped (far below max_users).
    assert_eq!(runs["dropped_arrivals"], 0, "{runs}");
    assert_eq!(
        completed(runs) + runs["interrupted"].as_u64().unwrap(),
        20,
        "{runs}"
    );
    assert!(runs["passed"].as_u64().unwrap() > 0, "{runs}");
    let scenario = report["total"]["latency"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["kind"] == "scenario")
        .unwrap();
    assert_eq!(scenario["count"].as_u64(), Some(completed(runs)));
}

#[test]
fn a_plan_file_gives_the_phases_and_the_mix() {
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("plan.yaml");
    std::fs::write(
        &plan,
        "model: closed\n\
         phases:\n  \
           - { name: warm-up, duration: 1s, users: 2, ramp: true }\n  \
           - { name: steady, duration: 1s, users: 2 }\n\
         scenarios:\n  \
           - { id: jobber.load.send_job, weight: 1 }\n",
    )
    .unwrap();
    let report = dir.path().join("report.json");
    let mut command = wsconform();
    command
        .args(["load", "--quiet", "--plan"])
        .arg(&plan)
        .args(["--report", &json_arg(&report)]);
    let run = run_within(command, on_time(Duration::from_secs(2)));
    assert_eq!(run.code(), Some(0), "{}", run.shown());
    let report = read_json(&report);
    assert_eq!(report["model"], "closed");
    let phases: Vec<(&str, f64, f64)> = report["phases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let name = p["name"].as_str().unwrap();
            (
                name,
                p["duration_s"].as_f64().unwrap(),
                p["level"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(phases, vec![("warm-up", 1.0, 2.0), ("steady", 1.0, 2.0)]);
    let mix: Vec<(&str, u64)> = report["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["id"].as_str().unwrap(), s["weight"].as_u64().unwrap()))
        .collect();
    assert_eq!(mix, vec![("jobber.load.send_job", 1)]);
    assert!(report["total"]["runs"]["passed"].as_u64().unwrap() > 0);
}
