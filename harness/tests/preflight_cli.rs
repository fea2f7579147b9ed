//! Checks before the run, end to end: a wrong path, tokens the target refuses and a scenario
//! file with several mistakes are each said once, one line with its fix, and nothing is run;
//! `--no-preflight` skips the checks.

use crate::support;

use std::time::Duration;

use support::cli::{Finished, run_within, serve, serve_jobber, wsconform};

/// Bound on one run of the binary in these tests.
const RUN_WITHIN: Duration = Duration::from_secs(60);

fn run(args: &[&str]) -> Finished {
    let mut command = wsconform();
    command.arg("run").args(args);
    run_within(command, RUN_WITHIN)
}

/// The `wsconform:` lines of a run: its problems.
fn problem_lines(stdout: &str) -> Vec<&str> {
    stdout
        .lines()
        .filter(|l| l.starts_with("wsconform: "))
        .collect()
}

fn ran_nothing(finished: &Finished) {
    let stdout = finished.stdout();
    assert!(stdout.contains("nothing was run"), "{}", finished.shown());
    for verdict in ["PASS ", "FAIL ", "ERR "] {
        assert!(!stdout.contains(verdict), "{}", finished.shown());
    }
}

/// The run stopped before anything ran (exit 3) on exactly one problem line, returned.
fn the_one_problem(finished: &Finished) -> String {
    assert_eq!(finished.code(), Some(3), "{}", finished.shown());
    ran_nothing(finished);
    let stdout = finished.stdout();
    let lines = problem_lines(&stdout);
    assert_eq!(lines.len(), 1, "{}", finished.shown());
    lines[0].to_string()
}

#[test]
fn a_wrong_socketio_path_is_one_line_naming_the_path_and_the_fix() {
    let served = serve();
    let target = format!("jobber={}/sockets", served.jobber);
    let finished = run(&["--protocol", "jobber", "--target", &target]);
    let line = the_one_problem(&finished);
    let port = served.jobber.rsplit(':').next().unwrap();
    assert!(
        line.contains(&format!(
            "no socket.io server at ws://127.0.0.1:{port}/sockets/?EIO=4&transport=websocket (HTTP 404"
        )),
        "{}",
        line
    );
    assert!(
        line.ends_with(&format!("--target jobber={}/<path>", served.jobber)),
        "{}",
        line
    );
}

#[test]
fn a_wrong_websocket_path_is_one_line_too() {
    let served = serve();
    let target = format!("ark={}/nowhere", served.url);
    let finished = run(&["--scenario", "ark.job.created", "--target", &target]);
    let line = the_one_problem(&finished);
    assert!(line.contains("no WebSocket server at ws://"), "{}", line);
    assert!(line.contains("/nowhere (HTTP 404"), "{}", line);
}

#[test]
fn tokens_the_target_refuses_are_named_before_the_run_and_good_ones_pass() {
    let served = serve_jobber(&["good-a", "good-b"]);
    let target = format!("jobber={}", served.jobber);
    let scenario = ["--scenario", "jobber.connect.quiet", "--target", &target];
    let refused = run(&scenario);
    assert_eq!(refused.code(), Some(3), "{}", refused.shown());
    ran_nothing(&refused);
    let stdout = refused.stdout();
    let lines = problem_lines(&stdout);
    assert_eq!(lines.len(), 2, "one line per token: {}", refused.shown());
    for (line, var) in lines.iter().zip(["token_a", "token_b"]) {
        assert!(
            line.contains(&format!(
                "which uses ${{var_{var}}} (the profile's default)"
            )),
            "{line}"
        );
        assert!(line.contains("INVALID_TOKEN"), "{line}");
        assert!(line.ends_with(&format!("--var {var}=<value>")), "{line}");
    }
    let mut accepted = scenario.to_vec();
    accepted.extend(["--var", "token_a=good-a", "--var", "token_b=good-b"]);
    let passed = run(&accepted);
    assert_eq!(passed.code(), Some(0), "{}", passed.shown());
    assert!(
        passed.stdout().contains("PASS  jobber.connect.quiet"),
        "{}",
        passed.shown()
    );
}

#[test]
fn no_preflight_runs_the_scenarios_even_with_refused_tokens() {
    let served = serve_jobber(&["good-a", "good-b"]);
    let target = format!("jobber={}", served.jobber);
    let finished = run(&[
        "--scenario",
        "jobber.connect.quiet",
        "--target",
        &target,
        "--no-preflight",
    ]);
    assert_eq!(finished.code(), Some(4), "{}", finished.shown());
    let stdout = finished.stdout();
    assert!(stdout.contains("FAIL  jobber.connect.quiet"), "{stdout}");
    assert!(!stdout.contains("nothing was run"), "{stdout}");
    assert!(
        stdout.contains("--no-preflight"),
        "the re-run command keeps it: {stdout}"
    );
}

#[test]
fn the_embedded_server_runs_the_preflight_too() {
    let finished = run(&[
        "--scenario",
        "jobber.connect.quiet",
        "--var",
        "token_b=unknown",
    ]);
    let line = the_one_problem(&finished);
    assert!(
        line.starts_with("wsconform: jobber=embedded reference server: "),
        "{}",
        line
    );
    assert!(
        line.contains("actor b, which uses ${var_token_b} ("),
        "{}",
        line
    );
}

#[test]
fn a_scenario_file_with_several_mistakes_reports_all_of_them() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("scenarios").join("ark");
    std::fs::create_dir_all(&folder).unwrap();
    let text = "id: ark.bad\ntitle: t\nprotocol: ark\nclause: c\nlevel: MUST\n\
                priority: high\nactors: { alice: {} }\nsteps:\n  - connect: alice\n\
                \x20 - expect: alice\n    message: { n: !strin }\n\
                \x20 - expect: alice\n    message: { id: \"${job}\" }\n";
    std::fs::write(folder.join("bad.yaml"), text).unwrap();
    let mut command = wsconform();
    command.args(["run", "--suite"]).arg(dir.path());
    let finished = run_within(command, RUN_WITHIN);
    let stderr = String::from_utf8_lossy(&finished.output.stderr).into_owned();
    assert_eq!(finished.code(), Some(2), "{}", finished.shown());
    assert!(
        stderr.contains("bad.yaml:6:1: unknown field \"priority\""),
        "{stderr}"
    );
    assert!(
        stderr.contains("bad.yaml:11:") && stderr.contains("strin"),
        "{stderr}"
    );
    assert!(
        stderr.contains("bad.yaml:12:5: ${job} is used before any step captures \"job\""),
        "{stderr}"
    );
    assert!(stderr.contains("3 error(s) in scenario files"), "{stderr}");
}
