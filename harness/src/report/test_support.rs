//! Builders of run reports for the renderers' tests.

use super::model::{Failure, RunReport, ScenarioResult, Summary, Verdict};

/// A scenario result with `verdict` and `failure`, and nothing else of note.
pub fn result(id: &str, verdict: Verdict, failure: Option<Failure>) -> ScenarioResult {
    ScenarioResult {
        id: id.into(),
        title: format!("the title of {id}"),
        protocol: "jobber".into(),
        clause: "J1".into(),
        level: "MUST".into(),
        file: format!("scenarios/jobber/{id}.yaml:1"),
        verdict,
        duration_ms: 3,
        failure,
        findings: Vec::new(),
        deviations: Vec::new(),
        leaks: Vec::new(),
        unmatched: Vec::new(),
        checks: Vec::new(),
        transcript: Vec::new(),
        rerun: format!("wsconform run --scenario {id}"),
        run_id: None,
        socket_ids: Vec::new(),
    }
}

/// The ack-wrapper deviation of a real server, with the job id differing per scenario.
pub fn extra_status_key(job: &str) -> Failure {
    Failure {
        path: Some("$.args[0]".into()),
        expected: Some("exactly the keys jobId".into()),
        actual: Some(serde_json::json!({"status": "ok", "jobId": job})),
        at: Some("scenarios/jobber/x.yaml:12".into()),
        step: Some(3),
        ..Failure::new(format!(
            r#"ack of send_job: unexpected key "status" beside jobId {job}"#
        ))
    }
}

pub fn report(scenarios: Vec<ScenarioResult>) -> RunReport {
    RunReport {
        tool: "wsconform test".into(),
        targets: vec!["jobber=http://127.0.0.1:3000".into()],
        summary: Summary::of(&scenarios),
        scenarios,
        duration_ms: 2700,
        coverage: None,
    }
}
