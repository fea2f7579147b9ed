//! Running the `wsconform` binary from tests: the command, a `wsconform serve` child on
//! ephemeral ports (its URLs read from its `listening` lines, no sleeping), and a run of the
//! binary bounded in time.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How long `serve` may take to print its listening lines.
const SERVE_READY_WITHIN: Duration = Duration::from_secs(30);

/// The binary, run from the repository root, with no suite folder from the environment.
pub fn wsconform() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_wsconform"));
    command
        .current_dir(super::root())
        .env_remove("WSCONFORM_SUITE");
    command
}

/// `binary` (the built wsconform or a copy of it) run from `dir`, writing its built-in suite
/// under `cache` (`XDG_CACHE_HOME`), with no suite folder from the environment: unless `dir`
/// holds one or `--suite` is given, it runs the suite it carries.
pub fn wsconform_at(
    binary: &std::path::Path,
    dir: &std::path::Path,
    cache: &std::path::Path,
) -> Command {
    let mut command = Command::new(binary);
    command
        .current_dir(dir)
        .env_remove("WSCONFORM_SUITE")
        .env("XDG_CACHE_HOME", cache);
    command
}

/// A `wsconform serve` child on ephemeral ports, killed when dropped.
pub struct Served {
    child: Child,
    /// `ark`'s base URL.
    pub url: String,
    /// `jobber`'s base URL.
    pub jobber: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `wsconform serve` of ark (a 250 ms heartbeat) and jobber (tokens `tok-a`, `tok-b`).
pub fn serve() -> Served {
    serve_with(&[])
}

/// A `wsconform serve` child with `extra` options, serving ark and jobber only (every other
/// protocol would take its default port, which parallel tests cannot share).
pub fn serve_with(extra: &[&str]) -> Served {
    let mut args = vec!["--only", "ark", "--only", "jobber"];
    args.extend(["--ark-port", "0", "--ark-heartbeat-interval", "250ms"]);
    args.extend(["--jobber-port", "0", "--jobber-token", "tok-a"]);
    args.extend(["--jobber-token", "tok-b"]);
    args.extend(extra);
    let (child, urls) = serve_listening(&args, &["ark", "jobber"]);
    let [url, jobber] = <[String; 2]>::try_from(urls).unwrap();
    Served { child, url, jobber }
}

/// `wsconform serve --only jobber` accepting exactly `tokens` (`url`, ark's, is empty).
pub fn serve_jobber(tokens: &[&str]) -> Served {
    let mut args = vec!["--only", "jobber", "--jobber-port", "0"];
    for token in tokens {
        args.extend(["--jobber-token", token]);
    }
    let (child, mut urls) = serve_listening(&args, &["jobber"]);
    Served {
        child,
        url: String::new(),
        jobber: urls.remove(0),
    }
}

/// `wsconform serve --only emprops --suite-settings` (`url` is emprops', `jobber` empty).
pub fn serve_emprops() -> Served {
    serve_suite_settings("emprops")
}

/// `wsconform serve --only caas --suite-settings` (`url` is caas', `jobber` empty).
pub fn serve_caas() -> Served {
    serve_suite_settings("caas")
}

/// `wsconform serve --only <protocol> --<protocol>-port 0 --suite-settings` (`url` is the
/// protocol's, `jobber` empty).
pub fn serve_suite_settings(protocol: &str) -> Served {
    let port = format!("--{protocol}-port");
    let args = ["--only", protocol, &port, "0", "--suite-settings"];
    let (child, mut urls) = serve_listening(&args, &[protocol]);
    Served {
        child,
        url: urls.remove(0),
        jobber: String::new(),
    }
}

/// `wsconform serve --only dnaforge --dnaforge-port 0` with the environment variable
/// `ACCESSTOKEN` set to `access_token` or unset (`url` is dnaforge's, `jobber` empty).
pub fn serve_dnaforge(access_token: Option<&str>) -> Served {
    let mut command = wsconform();
    command.env_remove("ACCESSTOKEN");
    if let Some(value) = access_token {
        command.env("ACCESSTOKEN", value);
    }
    let args = ["--only", "dnaforge", "--dnaforge-port", "0"];
    let (child, mut urls) = serve_listening_with(command, &args, &["dnaforge"]);
    Served {
        child,
        url: urls.remove(0),
        jobber: String::new(),
    }
}

/// A `wsconform serve` child with `args`, and the URLs of its `listening <protocol> <url>`
/// lines, which come in the order of `protocols`.
fn serve_listening(args: &[&str], protocols: &[&str]) -> (Child, Vec<String>) {
    serve_listening_with(wsconform(), args, protocols)
}

/// As [`serve_listening`], from `command` (the binary, its environment set).
fn serve_listening_with(
    mut command: Command,
    args: &[&str],
    protocols: &[&str],
) -> (Child, Vec<String>) {
    let mut child = command
        .arg("serve")
        .args(args)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let _ = tx.send(line.unwrap_or_default());
        }
    });
    let url = |protocol: &str| {
        let line = rx
            .recv_timeout(SERVE_READY_WITHIN)
            .expect("serve printed its listening lines");
        let url = line
            .strip_prefix(&format!("listening {protocol} "))
            .unwrap_or_else(|| panic!("unexpected line {line:?}"))
            .to_owned();
        assert!(url.starts_with("http://127.0.0.1:"), "{url}");
        url
    };
    let urls = protocols.iter().map(|p| url(p)).collect();
    (child, urls)
}

/// A finished run of the binary.
pub struct Finished {
    /// Its output and exit status.
    pub output: Output,
    /// How long it ran.
    pub took: Duration,
}

impl Finished {
    /// The exit code.
    pub fn code(&self) -> Option<i32> {
        self.output.status.code()
    }

    /// Standard output.
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }

    /// Both outputs, for assertion messages.
    pub fn shown(&self) -> String {
        format!(
            "exit {:?} after {:?}\n--- stdout\n{}\n--- stderr\n{}",
            self.code(),
            self.took,
            self.stdout(),
            String::from_utf8_lossy(&self.output.stderr)
        )
    }
}

/// `wsconform run` with `args` and `--scenario` for each of `scenarios`, from an async test (on a
/// blocking thread), bounded by `limit` as [`run_within`].
pub async fn run_scenarios(args: Vec<String>, scenarios: &[&str], limit: Duration) -> Finished {
    let mut command = wsconform();
    command.arg("run").args(args);
    for id in scenarios {
        command.args(["--scenario", id]);
    }
    tokio::task::spawn_blocking(move || run_within(command, limit))
        .await
        .unwrap()
}

/// Runs `command` to its end; fails the test (killing the child by its pid) if it takes longer
/// than `limit`.
pub fn run_within(mut command: Command, limit: Duration) -> Finished {
    let started = Instant::now();
    let child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(limit) {
        Ok(output) => Finished {
            output: output.unwrap(),
            took: started.elapsed(),
        },
        Err(_) => {
            let _ = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
            panic!("{command:?} still ran after {limit:?}");
        }
    }
}

/// The whole suite of `protocol` against `url` within 300 s, with its JSON report: asserts that
/// it exits 0 with no failure and no error, and returns the report.
pub fn run_served_suite(protocol: &str, url: &str) -> serde_json::Value {
    run_served_suite_with(protocol, url, &[])
}

/// As [`run_served_suite`], with `extra` arguments to `run` (`--var`, `--capability`).
pub fn run_served_suite_with(protocol: &str, url: &str, extra: &[&str]) -> serde_json::Value {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("run.json");
    let mut command = wsconform();
    command
        .args(["run", "--target", &format!("{protocol}={url}")])
        .args(["--report", &format!("json={}", json.display())])
        .args(extra);
    let finished = run_within(command, Duration::from_secs(300));
    assert_eq!(finished.code(), Some(0), "{}", finished.shown());
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let summary = &report["summary"];
    assert_eq!(summary["failed"], 0, "{summary}");
    assert_eq!(summary["errors"], 0, "{summary}");
    report
}

/// The ids of a JSON report's `unsupported` scenarios, in the report's order.
pub fn unsupported_ids(report: &serde_json::Value) -> Vec<String> {
    report["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["verdict"] == "unsupported")
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .collect()
}
