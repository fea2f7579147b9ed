//! The load plans of `benches/load/` and the Kubernetes manifests of `benches/k8s/`, checked
//! against the code that reads them.
//!
//! Every plan parses with [`LoadPlan::load`] and names only scenarios that exist in
//! `scenarios/`, all of one protocol, so renaming a scenario breaks this test rather than a load
//! run. The manifests are read as YAML (there is no cluster and no image here): their shape is
//! checked, and their shell steps are run with a stand-in `wsconform` that records its arguments
//! and exits with a chosen code.
// The manifests' steps are shell scripts, run here under /bin/sh.
#![cfg(unix)]

use std::path::{Path, PathBuf};
use std::process::Command;

use harness::load::LoadPlan;
use harness::load::plan::Gates;
use harness::scenario::model::Scenario;
use harness::scenario::{load_dir, parse_duration};
use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Every `*.yaml` of `benches/load/`, parsed.
fn plans() -> Vec<(String, LoadPlan)> {
    let dir = root().join("benches/load");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let plan = LoadPlan::load(&path).unwrap_or_else(|e| panic!("{e}"));
            (name, plan)
        })
        .collect()
}

fn scenarios() -> Vec<Scenario> {
    let (all, errors) = load_dir(&root().join("scenarios"));
    assert!(errors.is_empty(), "scenario files do not parse: {errors:?}");
    all
}

/// The scenarios a selector picks (an id, or a prefix ending in `*`), as `wsconform load` does.
fn picked<'a>(all: &'a [Scenario], selector: &str) -> Vec<&'a Scenario> {
    all.iter()
        .filter(|s| match selector.strip_suffix('*') {
            Some(prefix) => s.id.starts_with(prefix),
            None => s.id == selector,
        })
        .collect()
}

/// The one protocol of a plan's scenarios.
fn protocol_of(name: &str, plan: &LoadPlan, all: &[Scenario]) -> String {
    let mut protocols = Vec::new();
    for wanted in &plan.scenarios {
        let hits = picked(all, &wanted.selector);
        assert!(
            !hits.is_empty(),
            "{name}: no scenario in scenarios/ is {:?}",
            wanted.selector
        );
        protocols.extend(hits.iter().map(|s| s.protocol.clone()));
    }
    protocols.sort();
    protocols.dedup();
    assert_eq!(protocols.len(), 1, "{name}: a load runs one protocol");
    protocols.remove(0)
}

#[test]
fn every_load_plan_parses_and_names_existing_scenarios_of_one_protocol() {
    let plans = plans();
    let names: Vec<&str> = plans.iter().map(|(name, _)| name.as_str()).collect();
    for expected in [
        "ark-fanout.yaml",
        "emprops-submit-job.yaml",
        "jobber-mix.yaml",
        "jobber-open.yaml",
        "jobber-send-job.yaml",
    ] {
        assert!(
            names.contains(&expected),
            "{expected} is missing: {names:?}"
        );
    }
    let all = scenarios();
    for (name, plan) in &plans {
        assert!(!plan.scenarios.is_empty(), "{name}: names its scenarios");
        protocol_of(name, plan, &all);
        assert!(
            plan.scenarios.iter().any(|w| w.weight > 0),
            "{name}: every weight is 0, nothing would run"
        );
    }
}

/// The documents of a manifest of `benches/k8s/`.
fn manifest(file: &str) -> Vec<Value> {
    let text = std::fs::read_to_string(root().join("benches/k8s").join(file)).unwrap();
    serde_saphyr::from_multiple(&text).unwrap_or_else(|e| panic!("{file}: {e}"))
}

fn resource<'a>(docs: &'a [Value], kind: &str, name: &str) -> &'a Value {
    docs.iter()
        .find(|d| d["kind"] == kind && d["metadata"]["name"] == name)
        .unwrap_or_else(|| panic!("no {kind} {name}"))
}

fn container(job: &Value) -> &Value {
    &job["spec"]["template"]["spec"]["containers"][0]
}

fn env(container: &Value, name: &str) -> String {
    let vars = container["env"].as_array().unwrap();
    let var = vars.iter().find(|v| v["name"] == name).unwrap();
    var["value"].as_str().unwrap().to_owned()
}

/// The container's `sh -c` script.
fn script(container: &Value) -> String {
    assert_eq!(container["command"], serde_json::json!(["/bin/sh", "-c"]));
    container["args"][0].as_str().unwrap().to_owned()
}

/// The claim each pod mounts at `/reports`.
fn reports_claim(job: &Value) -> &Value {
    let mounts = container(job)["volumeMounts"].as_array().unwrap();
    let mount = mounts
        .iter()
        .find(|m| m["mountPath"] == "/reports")
        .unwrap();
    let volumes = job["spec"]["template"]["spec"]["volumes"]
        .as_array()
        .unwrap();
    let volume = volumes.iter().find(|v| v["name"] == mount["name"]).unwrap();
    &volume["persistentVolumeClaim"]["claimName"]
}

/// What running a manifest's script with a stand-in `wsconform` did.
struct Ran {
    code: Option<i32>,
    /// The stand-in's arguments, if it ran.
    args: Option<Vec<String>>,
}

/// The stand-in `wsconform`: records its arguments, exits `$EXIT`. The script's own shell writes
/// it, so no fork of another test thread can hold it open for writing when it is run.
const STAND_IN: &str = r#"mkdir -p "$BIN"
cat > "$BIN/wsconform" <<'STAND_IN'
#!/bin/sh
printf '%s\n' "$@" > "$RECORDED"
exit "$EXIT"
STAND_IN
chmod +x "$BIN/wsconform"
"#;

/// Runs `script` with `/reports` and `/plans` moved under `dir`, `vars` set, and first on the
/// path the stand-in `wsconform`, exiting `exit`.
fn run_script(script: &str, dir: &Path, vars: &[(&str, String)], exit: i32) -> Ran {
    let bin = dir.join("bin");
    let recorded = dir.join("args");
    let _ = std::fs::remove_file(&recorded);
    let at = dir.display().to_string();
    let moved = script
        .replace("/reports", &format!("{at}/reports"))
        .replace("/plans", &format!("{at}/plans"));
    let output = Command::new("/bin/sh")
        .arg("-c")
        .arg(format!("{STAND_IN}{moved}"))
        .env_clear()
        .env("PATH", format!("{}:/usr/bin:/bin", bin.display()))
        .env("BIN", &bin)
        .env("RECORDED", &recorded)
        .env("EXIT", exit.to_string())
        .envs(vars.iter().map(|(k, v)| (*k, v.as_str())))
        .output()
        .unwrap();
    let args = std::fs::read_to_string(&recorded)
        .ok()
        .map(|text| text.lines().map(str::to_owned).collect());
    Ran {
        code: output.status.code(),
        args,
    }
}

fn replace_dir(args: &[String], dir: &Path) -> Vec<String> {
    let dir = dir.display().to_string();
    args.iter().map(|a| a.replace(&dir, "")).collect()
}

#[test]
fn the_indexed_job_runs_shard_i_of_n_of_a_plan_into_the_shared_volume() {
    let docs = manifest("load-shards.yaml");
    let claim = resource(&docs, "PersistentVolumeClaim", "wsconform-reports");
    assert_eq!(
        claim["spec"]["accessModes"],
        serde_json::json!(["ReadWriteMany"])
    );
    let job = resource(&docs, "Job", "wsconform-load-shards");
    let spec = &job["spec"];
    let load = container(job);
    let shards: u64 = env(load, "SHARDS").parse().unwrap();
    assert_eq!(spec["completionMode"], "Indexed");
    assert_eq!(spec["completions"], shards, "completions = SHARDS");
    assert_eq!(spec["parallelism"], shards, "parallelism = SHARDS");
    assert_eq!(spec["template"]["spec"]["restartPolicy"], "Never");
    assert_eq!(*reports_claim(job), claim["metadata"]["name"]);
    let volumes = spec["template"]["spec"]["volumes"].as_array().unwrap();
    assert!(
        volumes
            .iter()
            .any(|v| v["configMap"]["name"] == "wsconform-plans")
    );

    // The plan is one of benches/load/, and the target speaks its scenarios' protocol.
    let plan_name = env(load, "PLAN");
    let plan = LoadPlan::load(&root().join("benches/load").join(&plan_name)).unwrap();
    let protocol = protocol_of(&plan_name, &plan, &scenarios());
    let target = env(load, "TARGET");
    assert!(target.starts_with(&format!("{protocol}=")), "{target}");

    let dir = tempfile::tempdir().unwrap();
    let run = env(load, "RUN");
    let vars = [
        ("JOB_COMPLETION_INDEX", "2".to_owned()),
        ("SHARDS", shards.to_string()),
        ("PLAN", plan_name.clone()),
        ("TARGET", target.clone()),
        ("RUN", run.clone()),
    ];
    let ran = run_script(&script(load), dir.path(), &vars, 0);
    assert_eq!(ran.code, Some(0));
    let expected: Vec<String> = [
        "load".to_owned(),
        "--plan".to_owned(),
        format!("/plans/{plan_name}"),
        "--target".to_owned(),
        target,
        "--shard".to_owned(),
        format!("2/{shards}"),
        "--report".to_owned(),
        format!("json=/reports/{run}/shard-2.json"),
        "--quiet".to_owned(),
    ]
    .into();
    assert_eq!(replace_dir(&ran.args.unwrap(), dir.path()), expected);
    // Conformance failures and missed gates are the merge's to judge; other exits fail the pod.
    for (exit, pod) in [(3, 3), (4, 0), (5, 0), (2, 2)] {
        let ran = run_script(&script(load), dir.path(), &vars, exit);
        assert_eq!(ran.code, Some(pod), "wsconform exits {exit}");
    }
}

#[test]
fn the_merge_job_merges_every_shard_of_the_run_and_judges_the_plans_gates() {
    let shard_docs = manifest("load-shards.yaml");
    let shards_job = resource(&shard_docs, "Job", "wsconform-load-shards");
    let docs = manifest("merge.yaml");
    let job = resource(&docs, "Job", "wsconform-merge");
    assert!(job["spec"]["completionMode"].is_null(), "one pod");
    assert_eq!(job["spec"]["backoffLimit"], 0);
    assert_eq!(reports_claim(job), reports_claim(shards_job));
    let merge = container(job);
    let load = container(shards_job);
    for var in ["SHARDS", "RUN"] {
        assert_eq!(
            env(merge, var),
            env(load, var),
            "{var} as in load-shards.yaml"
        );
    }
    let shards: usize = env(merge, "SHARDS").parse().unwrap();
    let run = env(merge, "RUN");
    let vars = [("SHARDS", shards.to_string()), ("RUN", run.clone())];

    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("reports").join(&run);
    std::fs::create_dir_all(&folder).unwrap();
    // A shard missing: no merge. Another run's extra shard file: never taken.
    for index in 0..shards - 1 {
        std::fs::write(folder.join(format!("shard-{index}.json")), "{}").unwrap();
    }
    std::fs::write(folder.join(format!("shard-{shards}.json")), "{}").unwrap();
    let ran = run_script(&script(merge), dir.path(), &vars, 0);
    assert_eq!((ran.code, ran.args.is_none()), (Some(1), true));

    std::fs::write(folder.join(format!("shard-{}.json", shards - 1)), "{}").unwrap();
    let ran = run_script(&script(merge), dir.path(), &vars, 5);
    assert_eq!(ran.code, Some(5), "the merge's exit is the pod's");
    let args = replace_dir(&ran.args.unwrap(), dir.path());
    assert_eq!(args[..2], ["report", "merge"]);
    let files: Vec<&String> = args.iter().filter(|a| a.contains("/shard-")).collect();
    let expected: Vec<String> = (0..shards)
        .map(|i| format!("/reports/{run}/shard-{i}.json"))
        .collect();
    assert_eq!(
        files,
        expected.iter().collect::<Vec<_>>(),
        "each shard once"
    );
    let rest = &args[2 + shards..];
    assert!(rest.contains(&format!("json=/reports/{run}/merged.json")));

    // The gates given to the merge are the plan's (the reports do not carry them).
    let plan = LoadPlan::load(&root().join("benches/load").join(env(load, "PLAN"))).unwrap();
    assert_eq!(gates_of(rest), plan.gates);
}

/// The gates of `report merge` arguments.
fn gates_of(args: &[String]) -> Gates {
    let mut gates = Gates::default();
    for pair in args.windows(2) {
        let value = pair[1].as_str();
        match pair[0].as_str() {
            "--max-p99" => gates.max_p99 = parse_duration(value),
            "--min-rate" => gates.min_rate = value.parse().ok(),
            "--max-failures" => gates.max_failures = value.parse().ok(),
            _ => {}
        }
    }
    gates
}
