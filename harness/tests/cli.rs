//! The `wsconform` binary end to end: `serve` then `run --target`, and every exit code.

use crate::support;

use std::process::Output;

use support::cli::{serve, serve_with, wsconform};

fn json_report(dir: &tempfile::TempDir) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.path().join("report.json")).unwrap()).unwrap()
}

/// An embedded ark server, its URL, and a proxy in front of it that breaks every
/// `job:created`'s `jobType` (so `ark.job.created` fails at `$.data.jobType`).
async fn job_type_breaking_proxy() -> (
    Box<dyn harness::runner::RunningTarget>,
    String,
    support::faulty_proxy::FaultyProxy,
) {
    let server = support::embedded("ark").await;
    let fault = support::faulty_proxy::rewrite_event("job:created", |v| {
        v["data"]["jobType"] = "REINSTALL".into()
    });
    let url = server.target("ark").unwrap().url;
    let proxy = support::faulty_proxy::start(&url, fault).await;
    (server, url, proxy)
}

fn report_arg(dir: &tempfile::TempDir) -> String {
    format!("json={}", dir.path().join("report.json").display())
}

#[test]
fn the_ark_suite_passes_against_a_separately_started_server() {
    let served = serve();
    let dir = tempfile::tempdir().unwrap();
    let junit = dir.path().join("junit.xml");
    let output: Output = wsconform()
        .args([
            "run",
            "--protocol",
            "ark",
            "--target",
            &format!("ark={}", served.url),
        ])
        .args(["--capability", "short_heartbeat_interval"])
        .args([
            "--report",
            &report_arg(&dir),
            "--report",
            &format!("junit={}", junit.display()),
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    let report = json_report(&dir);
    let scenarios = support::scenarios("ark").len() as u64;
    assert_eq!(report["summary"]["passed"], scenarios, "{stdout}");
    assert_eq!(report["summary"]["failed"], 0);
    let first = &report["scenarios"][0];
    for key in ["id", "protocol", "verdict", "clause"] {
        assert!(first[key].is_string(), "scenario items have {key}");
    }
    let junit = std::fs::read_to_string(junit).unwrap();
    assert!(
        junit.contains(&format!("tests=\"{scenarios}\"")) && junit.contains("failures=\"0\""),
        "{junit}"
    );
}

#[test]
fn the_jobber_suite_passes_against_a_separately_started_server() {
    let served = serve();
    let dir = tempfile::tempdir().unwrap();
    let output: Output = wsconform()
        .args(["run", "--protocol", "jobber", "--jobs", "4"])
        .args(["--target", &format!("jobber={}", served.jobber)])
        .args(["--report", &report_arg(&dir)])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    let report = json_report(&dir);
    // Without --capability, the three scenarios that need one are unsupported: fresh_state (a
    // shared server already holds other scenarios' jobs), connect_error_data (jobber-N16) and
    // rate_limit_10_per_second (this server has no rate limit: jobber-N20, N21).
    let scenarios = support::scenarios("jobber").len() as u64;
    assert_eq!(report["summary"]["unsupported"], 3, "{stdout}");
    assert_eq!(report["summary"]["passed"], scenarios - 3, "{stdout}");
    assert_eq!(report["summary"]["failed"], 0);
}

#[test]
fn a_server_with_the_rate_limit_passes_the_rate_limit_scenario_it_declares() {
    let served = serve_with(&["--jobber-rate-limit", "10/1s"]);
    let output: Output = wsconform()
        .args(["run", "--scenario", "jobber.rate_limit.exceeded"])
        .args(["--capability", "rate_limit_10_per_second"])
        // The server was started for this scenario alone: it holds nothing (jobber-N17).
        .args(["--capability", "fresh_state"])
        .args(["--target", &format!("jobber={}", served.jobber)])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("PASS  jobber.rate_limit.exceeded"),
        "{stdout}"
    );
}

#[test]
fn a_path_in_the_jobber_target_url_is_the_socketio_path() {
    let served = serve();
    let run = |path: &str| {
        wsconform()
            .args(["run", "--scenario", "jobber.job.lifecycle_completed"])
            .args(["--target", &format!("jobber={}{path}", served.jobber)])
            .output()
            .unwrap()
    };
    let on_ws = run("/ws");
    let stdout = String::from_utf8_lossy(&on_ws.stdout);
    assert_eq!(on_ws.status.code(), Some(0), "{stdout}");
    // The same run on a path nobody serves is not silently sent to /socket.io/: the handshake
    // there is refused (404), so the target is unreachable (exit 3).
    let nowhere = run("/nowhere");
    let stdout = String::from_utf8_lossy(&nowhere.stdout);
    assert_eq!(nowhere.status.code(), Some(3), "{stdout}");
    assert!(stdout.contains("/nowhere"), "{stdout}");
}

#[test]
fn jobber_tokens_come_from_run_variables() {
    let served = serve();
    let output: Output = wsconform()
        .args(["run", "--scenario", "jobber.connect.client_ready"])
        .args(["--target", &format!("jobber={}", served.jobber)])
        .args(["--var", "token_b=not-configured"])
        // Past the checks before the run, which would stop at the refused token (exit 3).
        .arg("--no-preflight")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(4), "{stdout}");
    assert!(stdout.contains("refused"), "{stdout}");
    assert!(
        stdout.contains("--var token_b=not-configured"),
        "the re-run command keeps the variable: {stdout}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_misbehaving_server_exits_4_with_a_precise_report() {
    let (server, _, proxy) = job_type_breaking_proxy().await;
    let dir = tempfile::tempdir().unwrap();
    let mut command = wsconform();
    command.args([
        "run",
        "--scenario",
        "ark.job.created",
        "--target",
        &format!("ark={}", proxy.url),
        "--report",
        &report_arg(&dir),
        "--report",
        &format!("markdown={}", dir.path().join("summary.md").display()),
    ]);
    let output = tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(4), "{stdout}");
    assert!(
        stdout.contains("$.data.jobType"),
        "the path of the mismatch is shown: {stdout}"
    );
    assert!(
        stdout.contains("job-created.yaml:"),
        "the failing step's file:line is shown: {stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "re-run: wsconform run --scenario ark.job.created --target ark={}",
            proxy.url
        )),
        "{stdout}"
    );
    let report = json_report(&dir);
    assert_eq!(report["summary"]["failed"], 1);
    assert_eq!(report["scenarios"][0]["verdict"], "fail");
    assert_eq!(report["scenarios"][0]["failure"]["path"], "$.data.jobType");
    let summary = std::fs::read_to_string(dir.path().join("summary.md")).unwrap();
    assert!(summary.contains("0 of 1 passed"), "{summary}");
    assert!(
        summary.contains("| 1 |") && summary.contains("`$.data.jobType`"),
        "the root cause, counted, at its path: {summary}"
    );
    assert!(summary.contains("wsconform run --scenario ark.job.created"));
    server.stop().await;
}

#[test]
fn an_unreachable_target_exits_3() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let output = wsconform()
        .args([
            "run",
            "--scenario",
            "ark.job.created",
            "--target",
            &format!("ark=http://127.0.0.1:{port}"),
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(3), "{stdout}");
    // Said once, before the run, with a hint; no scenario is run to an error verdict.
    assert!(
        stdout.contains(&format!(
            "ark=http://127.0.0.1:{port}: cannot connect to 127.0.0.1:{port}"
        )),
        "{stdout}"
    );
    assert!(stdout.contains("is the server running"), "{stdout}");
    assert!(!stdout.contains("ERR "), "{stdout}");
}

#[test]
fn a_broken_scenario_file_exits_2_naming_file_line_and_a_suggestion() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("scenarios").join("ark");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(
        folder.join("bad.yaml"),
        "id: ark.bad\ntitle: t\nprotocol: ark\nclause: c\nlevel: MUST\nactors: { alice: {} }\nsteps:\n  - conect: alice\n",
    )
    .unwrap();
    let output = wsconform()
        .args(["run", "--suite"])
        .arg(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("bad.yaml:8:"), "{stderr}");
    assert!(stderr.contains("did you mean \"connect\""), "{stderr}");
}

#[test]
fn a_bad_command_line_exits_1() {
    let output = wsconform()
        .args(["run", "--report", "pdf=out.pdf"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let output = wsconform()
        .args(["run", "--no-such-flag"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn list_shows_every_ark_scenario_with_its_level() {
    let output = wsconform()
        .args(["list", "--protocol", "ark"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(stdout.lines().count(), support::scenarios("ark").len());
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("ark.job.created") && l.contains("MUST")),
        "{stdout}"
    );
}

#[test]
fn list_into_a_closed_pipe_ends_quietly() {
    // The reading end is closed before wsconform writes, as when `head` has had its lines.
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let output = wsconform()
        .args(["list"])
        .stdout(writer)
        .stderr(std::process::Stdio::piped())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_baseline_passes_known_failures_and_fails_on_a_fixed_one() {
    let (server, url, proxy) = job_type_breaking_proxy().await;
    let dir = tempfile::tempdir().unwrap();
    let baseline = dir.path().join("baseline.json").display().to_string();
    let run = |target: String, flag: &'static str| {
        let mut command = wsconform();
        command.args(["run", "--scenario", "ark.job.created", "--target"]);
        command.arg(format!("ark={target}")).args([flag, &baseline]);
        tokio::task::spawn_blocking(move || command.output().unwrap())
    };
    let written = run(proxy.url.clone(), "--write-baseline").await.unwrap();
    assert_eq!(
        written.status.code(),
        Some(4),
        "a failure without a baseline"
    );
    let entries: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&baseline).unwrap()).unwrap();
    assert_eq!(entries["known"][0]["scenario"], "ark.job.created");
    assert_eq!(entries["known"][0]["path"], "$.data.jobType");
    let known = run(proxy.url.clone(), "--baseline").await.unwrap();
    let stdout = String::from_utf8_lossy(&known.stdout);
    assert_eq!(known.status.code(), Some(0), "nothing changed: {stdout}");
    assert!(
        stdout.contains("1 known failure(s) still fail as known"),
        "{stdout}"
    );
    let fixed = run(url.clone(), "--baseline").await.unwrap();
    let stdout = String::from_utf8_lossy(&fixed.stdout);
    assert_eq!(fixed.status.code(), Some(4), "{stdout}");
    assert!(
        stdout.contains("fixed: ark.job.created now passes; remove it from the baseline"),
        "{stdout}"
    );
    server.stop().await;
}
