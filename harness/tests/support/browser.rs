//! Headless Chromium for tests that look at a page as a browser shows it: the DOM after the
//! page's scripts ran (`--dump-dom`) and a screenshot. Chromium comes from the Debian package
//! that `.ci/install-browser` installs; a test that needs it fails, saying so, when it is not
//! there (never a silent skip). Each run has a fresh profile folder, no network of its own
//! (no background networking, sync, component updates or QUIC), and a deadline: past it, the
//! process group Chromium was started in is killed.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// Where the Debian package puts Chromium.
pub const CHROMIUM: &str = "/usr/bin/chromium";

/// How long one Chromium run (load, scripts, dump or screenshot) may take.
pub const CHROMIUM_WITHIN: Duration = Duration::from_secs(60);

/// Chromium's path; fails the test with the install command when it is missing.
pub fn chromium() -> PathBuf {
    let path = PathBuf::from(CHROMIUM);
    assert!(
        path.exists(),
        "{CHROMIUM} is missing: this test loads the HTML report in headless Chromium; install it \
         with .ci/install-browser (the README's test command runs it through \
         .ci/install-interop-clients)"
    );
    path
}

/// The DOM of `url` after its scripts ran, serialised.
pub fn dump_dom(url: &str) -> String {
    let output = run(&["--dump-dom", url]);
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// A screenshot of `url` in a `width`×`height` window, written to `png`.
pub fn screenshot(url: &str, png: &Path, width: u32, height: u32) {
    let _ = std::fs::remove_file(png);
    run(&[
        &format!("--screenshot={}", png.display()),
        &format!("--window-size={width},{height}"),
        url,
    ]);
    assert!(
        png.exists(),
        "Chromium wrote no screenshot at {}",
        png.display()
    );
}

/// A `file://` URL of `path`.
pub fn file_url(path: &Path) -> String {
    let path = path.canonicalize().unwrap();
    format!("file://{}", path.display())
}

/// Runs headless Chromium with `args` to its end, within [`CHROMIUM_WITHIN`].
fn run(args: &[&str]) -> Output {
    let profile = tempfile::tempdir().unwrap();
    let mut command = Command::new(chromium());
    command
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // Its own process group, so a hung browser and its helpers can be killed together.
        .process_group(0);
    let child = command.spawn().unwrap();
    let group = child.id();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    let output = match rx.recv_timeout(CHROMIUM_WITHIN) {
        Ok(output) => output.unwrap(),
        Err(_) => {
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{group}")])
                .status();
            panic!("Chromium still ran after {CHROMIUM_WITHIN:?}: {args:?}");
        }
    };
    assert!(
        output.status.success(),
        "Chromium failed ({:?}): {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    output
}
