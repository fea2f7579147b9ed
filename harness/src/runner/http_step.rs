//! The `http` step: one request to the target, its status and body checked, captures kept.

use std::time::Instant;

use serde_json::Value;

use super::inbox::Unmet;
use super::session::Session;
use super::{StepFailure, target};
use crate::matcher::{self, MatchError};
use crate::report::model::Direction;
use crate::scenario::model::{HttpStep, Outgoing};
use crate::transport::TransportError;
use crate::transport::http::{Body, HttpClient};

const ACTOR: &str = "http";

/// Sends the request and checks the answer.
pub async fn run(session: &mut Session<'_>, step: &HttpStep) -> Result<(), StepFailure> {
    let scenario_error = |e: MatchError| StepFailure::scenario(ACTOR, e.to_string());
    let path = matcher::interpolate(&step.path, &session.captures).map_err(scenario_error)?;
    let mut headers = std::collections::BTreeMap::new();
    for (name, value) in &step.headers {
        headers.insert(
            name.clone(),
            matcher::interpolate(value, &session.captures).map_err(scenario_error)?,
        );
    }
    let body = match &step.body {
        Some(Outgoing::Json(value)) => Some(Body::Json(
            matcher::resolve_value(value, &session.captures).map_err(scenario_error)?,
        )),
        Some(Outgoing::Text(text)) => Some(Body::Text(text.clone())),
        Some(Outgoing::Binary(bytes)) => {
            Some(Body::Text(String::from_utf8_lossy(bytes).into_owned()))
        }
        None => None,
    };
    let shown_body = match &body {
        Some(Body::Json(value)) => format!(" {value}"),
        Some(Body::Text(text)) => format!(" {text}"),
        None => String::new(),
    };
    session.record(
        ACTOR,
        Direction::Sent,
        Instant::now(),
        format!("{} {path}{shown_body}", step.method),
    );
    let base = target::http_base(session.target_url).map_err(|e| {
        StepFailure::unreachable(
            ACTOR,
            format!("invalid target URL {:?}: {e}", session.target_url),
        )
    })?;
    let client = HttpClient::new(&base);
    let timeout = session.scaled(session.scenario.timeout);
    let reply = client
        .request(&step.method, &path, &headers, body, timeout)
        .await
        .map_err(|error| match &error {
            TransportError::Http { reason, .. } if reason.starts_with("connection refused") => {
                StepFailure::unreachable(ACTOR, error.to_string())
            }
            _ => StepFailure::unmet(ACTOR, Unmet::new(error.to_string())),
        })?;
    session.record(
        ACTOR,
        Direction::Received,
        Instant::now(),
        format!("{} {}", reply.status, reply.body)
            .trim_end()
            .to_owned(),
    );
    if let Some(want) = step.status
        && reply.status != want
    {
        return Err(StepFailure::unmet(
            ACTOR,
            Unmet::new(format!(
                "HTTP status {} where {want} was expected (body: {})",
                reply.status, reply.body
            ))
            .with(
                Some("status".to_owned()),
                Some(want.to_string()),
                Some(Value::from(reply.status)),
            ),
        ));
    }
    let Some(pattern) = &step.response else {
        return Ok(());
    };
    let Some(json) = &reply.json else {
        return Err(StepFailure::unmet(
            ACTOR,
            Unmet::new(format!("the response body is not JSON: {:?}", reply.body)).with(
                Some("$".to_owned()),
                Some(matcher::describe(pattern)),
                None,
            ),
        ));
    };
    match matcher::matches(pattern, json, &session.captures) {
        Ok(bindings) => {
            session.keep(bindings);
            Ok(())
        }
        Err(error) => Err(StepFailure::unmet(
            ACTOR,
            Unmet::from_match("response body", error),
        )),
    }
}
