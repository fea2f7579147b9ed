//! `wsconform serve` takes settings from the environment variables their declarations name
//! (dnaforge `access_token` from `ACCESSTOKEN`, dnaforge-N2), and the command line wins over
//! them. Checked over HTTP on the served port: `GET /auth` with the expected `Authorization`
//! is 200, with another 401. Readiness is the `listening` line; every wait is bounded.

use crate::support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::Duration;
use support::cli::wsconform;

const WAIT: Duration = Duration::from_secs(30);

/// A `wsconform serve --only dnaforge` child (killed when dropped) and its address.
struct Served(Child, String);

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn serve(access_token_env: Option<&str>, extra: &[&str]) -> Served {
    let mut command = wsconform();
    command
        .args(["serve", "--only", "dnaforge", "--dnaforge-port", "0"])
        .args(extra)
        .env_remove("ACCESSTOKEN")
        .stdout(Stdio::piped());
    if let Some(value) = access_token_env {
        command.env("ACCESSTOKEN", value);
    }
    let mut child = command.spawn().unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let _ = tx.send(line.unwrap_or_default());
        }
    });
    let line = rx
        .recv_timeout(WAIT)
        .expect("serve printed its listening line");
    let url = line.strip_prefix("listening dnaforge http://").unwrap();
    Served(child, url.to_owned())
}

/// The status of `GET /auth` with this `Authorization`.
fn auth_status(addr: &str, authorization: Option<&str>) -> u16 {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(WAIT)).unwrap();
    let header = authorization.map_or(String::new(), |a| format!("Authorization: {a}\r\n"));
    let request =
        format!("GET /auth HTTP/1.1\r\nHost: {addr}\r\n{header}Connection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response.split(' ').nth(1).unwrap();
    status.parse().unwrap()
}

#[test]
fn the_access_token_comes_from_accesstoken() {
    let served = serve(Some("from-env"), &[]);
    assert_eq!(auth_status(&served.1, Some("from-env")), 200);
    assert_eq!(auth_status(&served.1, Some("other")), 401);
    assert_eq!(auth_status(&served.1, None), 401);
}

#[test]
fn the_command_line_wins_over_the_environment() {
    let served = serve(
        Some("from-env"),
        &["--dnaforge-access-token", "from-option"],
    );
    assert_eq!(auth_status(&served.1, Some("from-option")), 200);
    assert_eq!(auth_status(&served.1, Some("from-env")), 401);
}

#[test]
fn a_blank_or_unset_accesstoken_accepts_anything() {
    for env in [Some(""), None] {
        let served = serve(env, &[]);
        assert_eq!(auth_status(&served.1, Some("anything")), 200, "{env:?}");
        assert_eq!(auth_status(&served.1, None), 200, "{env:?}");
    }
}
