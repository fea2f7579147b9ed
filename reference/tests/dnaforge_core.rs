//! The dnaforge core driven with a manual clock: HTTP `/auth` with and without an access token,
//! WebSocket auth and its retry, tokens dying with their socket, the job list, a job's whole life
//! seen by two clients, cancel, delete, subscriptions, garbage, every step config kind and the
//! limits (dnaforge-N1…N20).

use crate::dnaforge_support;

use dnaforge_support::{
    STEP, Server, auth, file_config, job_new, job_new_with, keys, manual_config,
};
use reference::dnaforge::{HttpStatus, Input, Settings};
use serde_json::{Value, json};

const A: u64 = 1;
const B: u64 = 2;
const C: u64 = 3;

#[test]
fn auth_with_an_access_token_answers_a_new_bearer_token_or_401_empty() {
    let mut s = Server::new(Some("secret"));
    let reply = s.http("GET", "/auth", Some("secret"));
    assert_eq!(reply.status, HttpStatus::Ok);
    let body: Value = serde_json::from_str(&reply.body).unwrap();
    assert_eq!(keys(&body), ["bearerToken", "type"]);
    assert_eq!(body["type"], "AuthResponse");
    let again = s.token(Some("secret"));
    assert_ne!(body["bearerToken"].as_str().unwrap(), again);
    for wrong in [Some("Secret"), Some("Bearer secret"), Some(" secret"), None] {
        let reply = s.http("GET", "/auth", wrong);
        assert_eq!(reply.status, HttpStatus::Unauthorized, "{wrong:?}");
        assert_eq!(reply.body, "");
    }
    assert_eq!(s.core.unbound_tokens(), 2);
}

#[test]
fn a_blank_or_unset_access_token_accepts_anything() {
    for token in [None, Some(""), Some("  ")] {
        let mut s = Server::new(token);
        for authorization in [None, Some(""), Some("anything")] {
            let reply = s.http("GET", "/auth", authorization);
            assert_eq!(reply.status, HttpStatus::Ok, "{token:?} {authorization:?}");
        }
    }
}

#[test]
fn other_paths_and_methods_have_empty_bodies() {
    let mut s = Server::new(None);
    let cases = [
        ("POST", "/auth", HttpStatus::MethodNotAllowed, 405),
        ("GET", "/", HttpStatus::UpgradeRequired, 426),
        ("GET", "/jobs", HttpStatus::NotFound, 404),
        ("GET", "/auth/", HttpStatus::NotFound, 404),
    ];
    for (method, path, status, code) in cases {
        let reply = s.http(method, path, None);
        assert_eq!((reply.status, reply.status.code()), (status, code));
        assert_eq!(reply.body, "");
    }
    assert_eq!(s.core.unbound_tokens(), 0);
}

#[test]
fn websocket_auth_succeeds_then_lists_the_jobs() {
    let mut s = Server::new(None);
    assert_eq!(s.login(A), Vec::<Value>::new());
    s.send(A, job_new(2));
    let jobs = s.login(B);
    assert_eq!(jobs.len(), 1);
    let job = &jobs[0];
    assert_eq!(
        keys(job),
        [
            "completedSteps",
            "error",
            "id",
            "progress",
            "status",
            "steps"
        ]
    );
    assert_eq!(
        *job,
        json!({"id": 0, "steps": 2, "completedSteps": 0, "status": "RUNNING",
            "progress": 0.0, "error": null})
    );
}

#[test]
fn a_failed_websocket_auth_keeps_the_socket_and_may_be_retried() {
    let mut s = Server::new(None);
    s.input(Input::Open(A));
    let wrong = s.send(A, auth("not-a-token"));
    assert_eq!(
        wrong.one(A),
        json!({"type": "WebSocketAuthResponse", "success": false})
    );
    let missing = s.send(A, json!({"type": "WebSocketAuth"}));
    assert_eq!(missing.one(A)["success"], false);
    let number = s.send(A, json!({"type": "WebSocketAuth", "bearerToken": 7}));
    assert_eq!(number.one(A)["success"], false);
    let token = s.token(None);
    let got = s.send(A, auth(&token));
    assert_eq!(got.types(A), ["WebSocketAuthResponse", "JobList"]);
    assert_eq!(
        got.to(A)[0],
        json!({"type": "WebSocketAuthResponse", "success": true})
    );
    assert_eq!(got.to(A)[1], json!({"type": "JobList", "jobs": []}));
    // Authenticated: a further WebSocketAuth is ignored (dnaforge-N5).
    assert!(s.send(A, auth("other")).is_empty());
}

#[test]
fn messages_before_auth_are_ignored_and_nothing_is_sent_to_the_socket() {
    let mut s = Server::new(None);
    s.input(Input::Open(A));
    assert!(s.send(A, job_new(1)).is_empty());
    assert!(
        s.send(A, json!({"type": "JobSubscribe", "jobId": 0}))
            .is_empty()
    );
    assert!(s.core.jobs().is_empty());
    s.login(B);
    let got = s.send(B, job_new(1));
    assert!(got.to(A).is_empty());
    assert_eq!(got.types(B), ["JobUpdate", "JobUpdate"]);
    assert!(s.advance(STEP).to(A).is_empty());
}

#[test]
fn a_token_authenticates_one_socket_and_dies_with_it() {
    let mut s = Server::new(None);
    let token = s.token(None);
    s.input(Input::Open(A));
    s.input(Input::Open(B));
    assert_eq!(s.send(A, auth(&token)).to(A)[0]["success"], true);
    assert_eq!(s.send(B, auth(&token)).one(B)["success"], false);
    assert!(s.input(Input::Close(A)).is_empty());
    s.input(Input::Open(C));
    assert_eq!(s.send(C, auth(&token)).one(C)["success"], false);
    // A closed socket gets nothing more.
    s.login(B);
    let got = s.send(B, job_new(1));
    assert!(got.to(A).is_empty());
}

#[test]
fn a_jobs_whole_life_is_seen_by_two_clients() {
    let mut s = Server::new(None);
    s.login(A);
    s.login(B);
    let got = s.send(A, job_new(3));
    for conn in [A, B] {
        let updates = got.to(conn);
        assert_eq!(updates.len(), 2);
        assert_eq!(keys(&updates[0]), ["job", "jobId", "type"]);
        assert_eq!(updates[0]["type"], "JobUpdate");
        assert_eq!(updates[0]["jobId"], 0);
        assert_eq!(updates[0]["job"]["status"], "NEW");
        assert_eq!(updates[1]["job"]["status"], "RUNNING");
    }
    assert_eq!(s.core.poll_deadline(), Some(s.now.plus(STEP)));
    assert!(s.advance(STEP / 2).is_empty());
    let expected = [
        (1, 1.0 / 3.0, "RUNNING"),
        (2, 2.0 / 3.0, "RUNNING"),
        (3, 1.0, "DONE"),
    ];
    for (done, progress, status) in expected {
        let got = if done == 1 {
            s.advance(STEP / 2)
        } else {
            s.advance(STEP)
        };
        for conn in [A, B] {
            let update = got.one(conn);
            assert_eq!(update["job"]["completedSteps"], done);
            assert_eq!(update["job"]["progress"], progress);
            assert_eq!(update["job"]["status"], status);
        }
    }
    assert_eq!(s.core.poll_deadline(), None);
    assert!(s.advance(STEP * 10).is_empty());
    let jobs = s.login(C);
    assert_eq!(jobs[0]["status"], "DONE");
}

#[test]
fn one_job_runs_at_a_time_lowest_id_first_and_a_late_timer_catches_up() {
    let mut s = Server::new(None);
    s.login(A);
    s.send(A, job_new(2));
    let second = s.send(A, job_new(1));
    assert_eq!(
        second.one(A)["job"],
        json!({"id": 1, "steps": 1, "completedSteps": 0,
        "status": "NEW", "progress": 0.0, "error": null})
    );
    // Three steps due at once: job 0's two, then job 1 starts at job 0's end and runs its one.
    let got = s.advance(STEP * 3);
    let seen: Vec<(u64, String)> = got
        .to(A)
        .iter()
        .map(|u| {
            (
                u["jobId"].as_u64().unwrap(),
                u["job"]["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expected = [(0, "RUNNING"), (0, "DONE"), (1, "RUNNING"), (1, "DONE")];
    let expected: Vec<(u64, String)> = expected
        .iter()
        .map(|(i, s)| (*i, (*s).to_owned()))
        .collect();
    assert_eq!(seen, expected);
}

#[test]
fn cancel_a_new_a_running_and_a_done_job() {
    let mut s = Server::new(None);
    s.login(A);
    s.send(A, job_new(2));
    s.send(A, job_new(2));
    s.send(A, job_new(1));
    s.advance(STEP);
    // Cancel the NEW job 1: one update, the running job 0 goes on.
    let got = s.send(A, json!({"type": "JobCancel", "jobId": 1}));
    assert_eq!(got.one(A)["job"]["status"], "CANCELED");
    // Cancel the RUNNING job 0: it keeps its progress, job 2 starts at once.
    let got = s.send(A, json!({"type": "JobCancel", "jobId": 0}));
    let updates = got.to(A);
    assert_eq!(updates.len(), 2);
    assert_eq!(
        updates[0]["job"],
        json!({"id": 0, "steps": 2, "completedSteps": 1,
        "status": "CANCELED", "progress": 0.5, "error": null})
    );
    assert_eq!(
        (
            updates[1]["jobId"].clone(),
            updates[1]["job"]["status"].clone()
        ),
        (json!(2), json!("RUNNING"))
    );
    assert_eq!(s.advance(STEP).one(A)["job"]["status"], "DONE");
    // DONE, CANCELED, unknown and malformed ids: ignored.
    for id in [
        json!(2),
        json!(0),
        json!(99),
        json!(-1),
        json!("2"),
        json!(1.5),
    ] {
        assert!(
            s.send(A, json!({"type": "JobCancel", "jobId": id}))
                .is_empty()
        );
    }
}

#[test]
fn delete_any_job_and_ids_are_never_reused() {
    let mut s = Server::new(None);
    s.login(A);
    s.login(B);
    s.send(A, job_new(3));
    s.send(A, job_new(1));
    let got = s.send(B, json!({"type": "JobDelete", "jobId": 0}));
    for conn in [A, B] {
        let updates = got.to(conn);
        assert_eq!(
            updates[0],
            json!({"type": "JobUpdate", "jobId": 0, "job": null})
        );
        assert_eq!(updates[1]["job"]["id"], 1);
        assert_eq!(updates[1]["job"]["status"], "RUNNING");
    }
    s.advance(STEP);
    let got = s.send(A, json!({"type": "JobDelete", "jobId": 1}));
    assert_eq!(got.one(A)["job"], Value::Null);
    assert!(
        s.send(A, json!({"type": "JobDelete", "jobId": 1}))
            .is_empty()
    );
    let got = s.send(A, job_new(1));
    assert_eq!(got.to(A)[0]["jobId"], 2);
    let ids: Vec<u64> = s.core.jobs().iter().map(|j| j.id).collect();
    assert_eq!(ids, [2]);
}

#[test]
fn only_subscribers_get_details_and_a_new_subscription_replaces_the_old() {
    let mut s = Server::new(None);
    s.login(A);
    s.login(B);
    s.send(A, job_new(2));
    s.send(A, job_new(2));
    assert!(
        s.send(A, json!({"type": "JobSubscribe", "jobId": 0}))
            .is_empty()
    );
    // B subscribes to job 1 before it runs.
    s.send(B, json!({"type": "JobSubscribe", "jobId": 1}));
    let got = s.advance(STEP);
    assert_eq!(got.types(A), ["JobUpdate", "DetailedUpdate"]);
    assert_eq!(got.types(B), ["JobUpdate"]);
    let detail = &got.to(A)[1];
    assert_eq!(keys(detail), ["conf", "job", "type"]);
    assert_eq!(detail["conf"], "t = 0\nb = 10 10 10\n");
    assert_eq!(detail["job"], got.to(A)[0]["job"]);
    // A unsubscribes: the last step of job 0 gives details to nobody.
    s.send(A, json!({"type": "JobSubscribe", "jobId": null}));
    let got = s.advance(STEP);
    assert_eq!(got.types(A), ["JobUpdate", "JobUpdate"]);
    assert_eq!(got.types(B), ["JobUpdate", "JobUpdate"]);
    // Job 1 runs: B (subscribed since before) gets details; A resubscribes to it.
    s.send(A, json!({"type": "JobSubscribe", "jobId": 1}));
    let got = s.advance(STEP);
    assert_eq!(got.types(A), ["JobUpdate", "DetailedUpdate"]);
    assert_eq!(got.types(B), ["JobUpdate", "DetailedUpdate"]);
    // A malformed subscription changes nothing.
    s.send(B, json!({"type": "JobSubscribe", "jobId": "1"}));
    s.send(B, json!({"type": "JobSubscribe"}));
    let got = s.advance(STEP);
    assert_eq!(got.types(B), ["JobUpdate", "DetailedUpdate"]);
    assert_eq!(got.to(B)[1]["job"]["status"], "DONE");
}

#[test]
fn garbage_is_ignored_and_the_socket_keeps_working() {
    let mut s = Server::new(None);
    s.login(A);
    let garbage = [
        "not json",
        "[1,2]",
        "42",
        r#"{"jobId": 0}"#,
        r#"{"type": 5}"#,
        r#"{"type": "Unknown"}"#,
        r#"{"type": "JobUpdate", "jobId": 0, "job": null}"#,
        r#"{"type": "JobList", "jobs": []}"#,
        r#"{"type": "JobNew"}"#,
        r#"{"type": "JobNew", "configs": [], "top": "", "dat": "", "forces": null}"#,
        r#"{"type": "JobNew", "configs": [{"type": "FileConfig"}], "top": "", "dat": "", "forces": null}"#,
        r#"{"type": "JobNew", "configs": [{"type": "FileConfig", "content": ""}], "dat": "", "forces": null}"#,
        r#"{"type": "JobNew", "configs": [{"type": "FileConfig", "content": ""}], "top": "", "dat": "", "forces": 1}"#,
        r#"{"type": "JobNew", "configs": [{"type": "FileConfig", "content": ""}], "top": "", "dat": ""}"#,
        r#"{"type": "JobCancel"}"#,
    ];
    for text in garbage {
        assert!(s.text(A, text).is_empty(), "{text}");
    }
    assert!(s.input(Input::Binary(A)).is_empty());
    assert!(s.core.jobs().is_empty());
    assert_eq!(s.send(A, job_new(1)).to(A).len(), 2);
}

#[test]
fn every_step_config_kind_is_accepted() {
    let mut s = Server::new(None);
    s.login(A);
    let configs = vec![
        file_config(),
        manual_config(json!({"type": "MinConfig"})),
        manual_config(
            json!({"type": "McConfig", "deltaTranslation": 0.1, "deltaRotation": 0.2,
            "interactionType": "DNA2", "thermostat": "john"}),
        ),
        manual_config(json!({"type": "MdConfig", "interactionType": "DNA2",
            "thermostat": "brownian", "extra": true})),
    ];
    for config in &configs {
        let got = s.send(A, job_new_with(vec![config.clone()]));
        assert_eq!(got.to(A)[0]["job"]["steps"], 1, "{config}");
    }
    let got = s.send(A, job_new_with(configs));
    assert_eq!(got.one(A)["job"]["steps"], 4);
    let mut with_forces = job_new(1);
    with_forces["forces"] = json!("{\ntype = trap\n}\n");
    assert_eq!(s.send(A, with_forces).one(A)["job"]["id"], 5);
}

#[test]
fn invalid_step_configs_make_no_job() {
    let mut s = Server::new(None);
    s.login(A);
    let min = json!({"type": "MinConfig"});
    let mut bad = Vec::new();
    for (field, value) in [
        ("steps", json!(0)),
        ("steps", json!(1.5)),
        ("dt", json!(0)),
        ("temperature", json!("30")),
        ("externalForces", json!(1)),
        ("printInterval", json!(0)),
        ("simType", json!({"type": "Other"})),
        (
            "simType",
            json!({"type": "McConfig", "deltaTranslation": 0.1}),
        ),
        (
            "simType",
            json!({"type": "MdConfig", "interactionType": "DNA2"}),
        ),
        ("simType", json!("MinConfig")),
    ] {
        let mut config = manual_config(min.clone());
        config[field] = value;
        bad.push(config);
    }
    let mut missing = manual_config(min);
    missing.as_object_mut().unwrap().remove("verletSkin");
    bad.push(missing);
    bad.push(json!({"type": "OtherConfig"}));
    bad.push(json!("FileConfig"));
    for config in bad {
        assert!(
            s.send(A, job_new_with(vec![file_config(), config.clone()]))
                .is_empty(),
            "{config}"
        );
    }
    assert!(s.core.jobs().is_empty());
}

#[test]
fn limits_on_jobs_configs_and_unbound_tokens() {
    let mut s = Server::with(Settings {
        max_jobs: 2,
        max_configs_per_job: 3,
        max_unbound_tokens: 2,
        ..Settings::default()
    });
    s.login(A);
    assert!(s.send(A, job_new(4)).is_empty());
    assert_eq!(s.send(A, job_new(3)).to(A).len(), 2);
    assert_eq!(s.send(A, job_new(1)).to(A).len(), 1);
    assert!(s.send(A, job_new(1)).is_empty());
    s.send(A, json!({"type": "JobDelete", "jobId": 1}));
    assert_eq!(s.send(A, job_new(1)).one(A)["jobId"], 2);
    // Three tokens issued, two kept: the oldest is forgotten.
    let tokens: Vec<String> = (0..3).map(|_| s.token(None)).collect();
    assert_eq!(s.core.unbound_tokens(), 2);
    s.input(Input::Open(B));
    assert_eq!(s.send(B, auth(&tokens[0])).one(B)["success"], false);
    assert_eq!(s.send(B, auth(&tokens[2])).to(B)[0]["success"], true);
    assert_eq!(s.core.unbound_tokens(), 1);
}
