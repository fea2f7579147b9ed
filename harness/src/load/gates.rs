//! Performance gates: limits a load run must keep; a missed gate makes `wsconform load` (and
//! `wsconform report merge`) exit 5. Judged on the whole run (every phase).

use super::plan::Gates;
use super::report::{GateResult, LoadReport};

/// Judges `report` against `gates`, in the order max_p99, min_rate, max_failures.
pub fn judge(report: &LoadReport, gates: &Gates) -> Vec<GateResult> {
    let mut results = Vec::new();
    if let Some(limit) = gates.max_p99 {
        let round_trips = report.round_trips();
        let (actual, passed) = if round_trips.is_empty() {
            ("no round trip was measured".to_owned(), false)
        } else {
            let p99 = round_trips.value_at_quantile(0.99);
            let limit_micros = u64::try_from(limit.as_micros()).unwrap_or(u64::MAX);
            (format!("{:.3}ms", p99 as f64 / 1000.0), p99 <= limit_micros)
        };
        results.push(GateResult {
            gate: "max_p99".into(),
            limit: format!("{limit:?}"),
            actual,
            passed,
        });
    }
    if let Some(limit) = gates.min_rate {
        let rate = report.total.rates.messages;
        results.push(GateResult {
            gate: "min_rate".into(),
            limit: format!("{limit} messages/s"),
            actual: format!("{rate:.1} messages/s"),
            passed: rate >= limit,
        });
    }
    if let Some(limit) = gates.max_failures {
        let failures = report.failures();
        results.push(GateResult {
            gate: "max_failures".into(),
            limit: limit.to_string(),
            actual: failures.to_string(),
            passed: failures <= limit,
        });
    }
    results
}
