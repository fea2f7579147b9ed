//! The suite built into `wsconform`: a copy of the binary alone in a folder lists and runs it;
//! `suite export` writes exactly the repository's suite files, which `--suite` then runs with a
//! team's own scenario added; an export into a folder that holds anything needs `--force`; a
//! written-out built-in suite that was edited is written anew.

use crate::support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use support::cli::{Finished, run_within, wsconform, wsconform_at};

/// Bound on one run of the binary in these tests.
const RUN_WITHIN: Duration = Duration::from_secs(60);

/// A temporary place: a copy of the binary, an empty working folder and a cache folder.
struct Place {
    _dir: tempfile::TempDir,
    root: PathBuf,
    binary: PathBuf,
}

impl Place {
    /// With `copy`, the binary is copied into the place (nothing beside it); else the built one.
    fn new(copy: bool) -> Place {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_path_buf();
        for sub in ["bin", "work", "cache"] {
            std::fs::create_dir(root.join(sub)).unwrap();
        }
        let built = PathBuf::from(env!("CARGO_BIN_EXE_wsconform"));
        let binary = if copy {
            let copied = root.join("bin").join("wsconform");
            std::fs::copy(&built, &copied).unwrap();
            copied
        } else {
            built
        };
        Place {
            _dir: dir,
            root,
            binary,
        }
    }

    fn run(&self, args: &[&str]) -> Finished {
        let mut command = wsconform_at(
            &self.binary,
            &self.root.join("work"),
            &self.root.join("cache"),
        );
        command.args(args);
        run_within(command, RUN_WITHIN)
    }

    /// The folder the built-in suite was written to (exactly one).
    fn written_suite(&self) -> PathBuf {
        let folders: Vec<PathBuf> = std::fs::read_dir(self.root.join("cache").join("wsconform"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert_eq!(folders.len(), 1, "{folders:?}");
        folders.into_iter().next().unwrap()
    }
}

/// Every file under `dir` by its path relative to `dir` (with `/`), and its bytes.
fn files_under(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, into: &mut BTreeMap<String, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, into);
            } else {
                let relative = path.strip_prefix(root).unwrap().to_string_lossy();
                into.insert(relative.replace('\\', "/"), std::fs::read(&path).unwrap());
            }
        }
    }
    let mut files = BTreeMap::new();
    walk(dir, dir, &mut files);
    files
}

/// The repository's files that the binary carries: `scenarios/**`, `fixtures/**` but the golden
/// transcripts and the documents' examples, `schemas/*.schema.json`.
fn repository_suite() -> BTreeMap<String, Vec<u8>> {
    let root = support::root();
    ["scenarios", "fixtures", "schemas"]
        .into_iter()
        .flat_map(|folder| {
            files_under(&root.join(folder))
                .into_iter()
                .map(move |(path, bytes)| (format!("{folder}/{path}"), bytes))
        })
        .filter(|(path, _)| {
            let parts: Vec<&str> = path.split('/').collect();
            match parts[0] {
                "scenarios" => true,
                "fixtures" => !(parts.len() > 3 && ["transcripts", "examples"].contains(&parts[2])),
                "schemas" => path.ends_with(".schema.json"),
                _ => false,
            }
        })
        .collect()
}

fn json_report(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn the_binary_alone_in_a_folder_lists_and_runs_the_suite_it_carries() {
    let place = Place::new(true);
    let listed = place.run(&["list"]);
    assert_eq!(listed.code(), Some(0), "{}", listed.shown());
    let mut from_repository = wsconform();
    from_repository.arg("list");
    let expected = run_within(from_repository, RUN_WITHIN);
    assert_eq!(listed.stdout(), expected.stdout());
    assert!(listed.stdout().contains("jobber.connect.client_ready"));

    let report = place.root.join("report.json");
    let report_arg = format!("json={}", report.display());
    let ran = place.run(&[
        "run",
        "--scenario",
        "jobber.connect.client_ready",
        "--report",
        &report_arg,
    ]);
    assert_eq!(ran.code(), Some(0), "{}", ran.shown());
    let header = ran.stdout().lines().next().unwrap_or_default().to_owned();
    assert!(
        header.contains("against jobber=")
            && header.contains(&format!("(built-in suite {}-", env!("CARGO_PKG_VERSION"))),
        "{header}"
    );
    let report = json_report(&report);
    let scenario = &report["scenarios"][0];
    assert_eq!(scenario["verdict"], "pass", "{scenario:#}");
    // The scenario came from the written-out built-in suite, not from the source tree.
    let suite = place.written_suite();
    let file = scenario["file"].as_str().unwrap();
    assert!(
        Path::new(file).starts_with(&suite),
        "{file} not under {}",
        suite.display()
    );
    assert_eq!(files_under(&suite), repository_suite());
}

#[test]
fn an_edited_written_out_suite_is_written_anew() {
    let place = Place::new(false);
    assert_eq!(place.run(&["list"]).code(), Some(0));
    let suite = place.written_suite();
    let edited = suite.join("scenarios/jobber/connect-client-ready.yaml");
    std::fs::write(&edited, "id: broken\n").unwrap();
    std::fs::write(suite.join("scenarios/jobber/extra.yaml"), "id: extra\n").unwrap();
    let listed = place.run(&["list"]);
    assert_eq!(listed.code(), Some(0), "{}", listed.shown());
    assert!(listed.stdout().contains("jobber.connect.client_ready"));
    assert_eq!(files_under(&place.written_suite()), repository_suite());
}

#[test]
fn an_exported_suite_equals_the_repository_files_and_runs_with_a_scenario_of_ones_own() {
    let place = Place::new(false);
    let exported = place.root.join("our-suite");
    let export = place.run(&["suite", "export", exported.to_str().unwrap()]);
    assert_eq!(export.code(), Some(0), "{}", export.shown());
    assert!(
        export.stdout().contains("wsconform run --suite"),
        "{}",
        export.shown()
    );
    assert_eq!(files_under(&exported), repository_suite());

    let ours = std::fs::read_to_string(exported.join("scenarios/jobber/connect-client-ready.yaml"))
        .unwrap()
        .replacen(
            "id: jobber.connect.client_ready",
            "id: jobber.ours.client_ready",
            1,
        );
    std::fs::write(exported.join("scenarios/jobber/ours.yaml"), ours).unwrap();
    let suite = exported.to_str().unwrap();
    let ran = place.run(&[
        "run",
        "--suite",
        suite,
        "--scenario",
        "jobber.ours.client_ready",
    ]);
    assert_eq!(ran.code(), Some(0), "{}", ran.shown());
    let stdout = ran.stdout();
    assert!(
        stdout.contains(&format!("(suite {suite})")),
        "{}",
        ran.shown()
    );
    assert!(
        stdout.contains("PASS  jobber.ours.client_ready"),
        "{}",
        ran.shown()
    );
    assert!(stdout.contains("1 passed"), "{}", ran.shown());
}

#[test]
fn an_export_into_a_folder_that_holds_anything_needs_force() {
    let place = Place::new(false);
    let dir = place.root.join("taken");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("ours.txt"), "keep me").unwrap();
    let refused = place.run(&["suite", "export", dir.to_str().unwrap()]);
    assert_eq!(refused.code(), Some(1), "{}", refused.shown());
    let stderr = String::from_utf8_lossy(&refused.output.stderr).into_owned();
    assert!(
        stderr.contains("is not empty") && stderr.contains("--force"),
        "{stderr}"
    );
    assert!(!dir.join("scenarios").exists());

    let forced = place.run(&["suite", "export", "--force", dir.to_str().unwrap()]);
    assert_eq!(forced.code(), Some(0), "{}", forced.shown());
    let mut files = files_under(&dir);
    assert_eq!(files.remove("ours.txt").as_deref(), Some(&b"keep me"[..]));
    assert_eq!(files, repository_suite());
}
