//! Reading `wsconform load` JSON reports in tests: counts, histograms bucket by bucket, gates,
//! and the sums a merge of shards must hold exactly.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

/// The JSON file at `path`.
pub fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// A `--report json=<path>` value.
pub fn json_arg(path: &Path) -> String {
    format!("json={}", path.display())
}

/// Runs that ended (passed, failed or errors).
pub fn completed(runs: &Value) -> u64 {
    ["passed", "failed", "errors"]
        .iter()
        .map(|k| runs[k].as_u64().unwrap())
        .sum()
}

/// Every latency of a phase report: (kind, subject) → its histogram as value → count.
pub fn histograms(phase: &Value) -> BTreeMap<(String, String), BTreeMap<u64, u64>> {
    let mut all = BTreeMap::new();
    for latency in phase["latency"].as_array().unwrap() {
        let key = (
            latency["kind"].as_str().unwrap().to_owned(),
            latency["subject"].as_str().unwrap().to_owned(),
        );
        let mut buckets = BTreeMap::new();
        for bucket in latency["histogram"].as_array().unwrap() {
            let (value, count) = (bucket[0].as_u64().unwrap(), bucket[1].as_u64().unwrap());
            *buckets.entry(value).or_insert(0) += count;
        }
        let count: u64 = buckets.values().sum();
        assert_eq!(latency["count"], count, "{key:?}: count is the histogram's");
        assert!(all.insert(key, buckets).is_none(), "one latency per key");
    }
    all
}

/// The merged phase `merged` holds exactly the counts and histograms of `a` and `b` together.
pub fn assert_sum(merged: &Value, a: &Value, b: &Value) {
    let name = merged["name"].as_str().unwrap();
    let count = |phase: &Value, pointer: &str| phase.pointer(pointer).and_then(Value::as_u64);
    for pointer in [
        "/runs/passed",
        "/runs/failed",
        "/runs/errors",
        "/runs/interrupted",
        "/runs/dropped_arrivals",
        "/sent",
    ] {
        let sum = count(a, pointer).unwrap() + count(b, pointer).unwrap();
        assert_eq!(count(merged, pointer), Some(sum), "{name}{pointer}");
    }
    for map in ["received", "causes"] {
        let mut sum: BTreeMap<String, u64> = BTreeMap::new();
        for side in [a, b] {
            for (key, n) in side[map].as_object().unwrap() {
                *sum.entry(key.clone()).or_insert(0) += n.as_u64().unwrap();
            }
        }
        let got: BTreeMap<String, u64> = serde_json::from_value(merged[map].clone()).unwrap();
        assert_eq!(got, sum, "{name} {map}");
    }
    let mut sum = histograms(a);
    for (key, buckets) in histograms(b) {
        let into = sum.entry(key).or_default();
        for (value, n) in buckets {
            *into.entry(value).or_insert(0) += n;
        }
    }
    assert_eq!(
        histograms(merged),
        sum,
        "{name}: histograms add up bucket by bucket"
    );
}

/// The `gates` of a report, as (gate, passed).
pub fn gates(report: &Value) -> Vec<(String, bool)> {
    report["gates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            let name = g["gate"].as_str().unwrap().to_owned();
            (name, g["passed"].as_bool().unwrap())
        })
        .collect()
}

/// Runs ended, every one of them an error of an unreachable target.
pub fn assert_only_unreachable(total: &Value) {
    let errors = total["runs"]["errors"].as_u64().unwrap();
    assert!(errors > 0, "{total}");
    assert_eq!(completed(&total["runs"]), errors, "only errors: {total}");
    assert_eq!(
        total["causes"],
        serde_json::json!({ "unreachable": errors })
    );
}
