//! The sans-IO HTTP layer of ark: `(method, path, body bytes)` → a typed [`Request`] or an
//! ark-N2 error, and a reply → `(status, JSON body)`.
//!
//! No sockets and no state. Routing: a known path with another method is
//! `METHOD_NOT_ALLOWED` 405; any other path is `NOT_FOUND` 404; literal segments win over ids
//! (`/jobs/progress` is never job `progress`). The route is checked before the body; the query
//! string is ignored; bodies of `GET` and `DELETE` are ignored.

use super::ApiError;
use super::core::Reply;
use super::request::{
    AddLog, Complete, CreateInstance, CreateJob, Heartbeat, Progress, RegisterAgent, Request,
    UpdateInstance,
};
use serde_json::Value;

/// The HTTP status and JSON bytes of an answer.
pub type Rendered = (u16, Vec<u8>);

/// Parses one HTTP request. `max_body_bytes` is checked here too, so a driver that hands over
/// a longer body still gets `PAYLOAD_TOO_LARGE`.
pub fn parse(
    method: &str,
    path: &str,
    body: &[u8],
    max_body_bytes: usize,
) -> Result<Request, ApiError> {
    let route = route(method, path)?;
    if route.needs_body() {
        if body.len() > max_body_bytes {
            return Err(ApiError::PayloadTooLarge {
                limit: max_body_bytes,
            });
        }
        let json: Value =
            serde_json::from_slice(body).map_err(|e| ApiError::InvalidJson(e.to_string()))?;
        route.with_body(&json)
    } else {
        route.without_body()
    }
}

/// A matched route, before its body is read.
enum Route {
    Register,
    Heartbeat,
    ListAgents,
    GetAgent(String),
    CreateInstance,
    ListInstances,
    GetInstance(String),
    UpdateInstance(String),
    DeleteInstance(String),
    AddLog(String),
    ListLogs(String),
    CreateJob,
    ListJobs,
    GetJob(String),
    Progress,
    Complete,
}

impl Route {
    fn needs_body(&self) -> bool {
        matches!(
            self,
            Self::Register
                | Self::Heartbeat
                | Self::CreateInstance
                | Self::UpdateInstance(_)
                | Self::AddLog(_)
                | Self::CreateJob
                | Self::Progress
                | Self::Complete
        )
    }

    fn with_body(self, json: &Value) -> Result<Request, ApiError> {
        Ok(match self {
            Self::Register => Request::RegisterAgent(RegisterAgent::from_json(json)?),
            Self::Heartbeat => Request::Heartbeat(Heartbeat::from_json(json)?),
            Self::CreateInstance => Request::CreateInstance(CreateInstance::from_json(json)?),
            Self::UpdateInstance(id) => {
                Request::UpdateInstance(id, UpdateInstance::from_json(json)?)
            }
            Self::AddLog(id) => Request::AddLog(id, AddLog::from_json(json)?),
            Self::CreateJob => Request::CreateJob(CreateJob::from_json(json)?),
            Self::Progress => Request::Progress(Progress::from_json(json)?),
            Self::Complete => Request::Complete(Complete::from_json(json)?),
            other => other.without_body()?,
        })
    }

    fn without_body(self) -> Result<Request, ApiError> {
        Ok(match self {
            Self::ListAgents => Request::ListAgents,
            Self::GetAgent(id) => Request::GetAgent(id),
            Self::ListInstances => Request::ListInstances,
            Self::GetInstance(id) => Request::GetInstance(id),
            Self::DeleteInstance(id) => Request::DeleteInstance(id),
            Self::ListLogs(id) => Request::ListLogs(id),
            Self::ListJobs => Request::ListJobs,
            Self::GetJob(id) => Request::GetJob(id),
            _ => {
                return Err(ApiError::Validation {
                    field: None,
                    message: "this request needs a JSON body".to_owned(),
                });
            }
        })
    }
}

/// Matches `method` and `path` (query string ignored) to a route.
fn route(method: &str, path: &str) -> Result<Route, ApiError> {
    let path_only = path.split(['?', '#']).next().unwrap_or(path);
    let segments: Vec<&str> = match path_only.strip_prefix('/') {
        Some(rest) => rest.split('/').collect(),
        None => Vec::new(),
    };
    if segments.iter().any(|s| s.is_empty()) {
        return Err(not_found(path_only));
    }
    let id = |s: &str| s.to_owned();
    Ok(match (segments.as_slice(), method) {
        (["agents"], "GET") => Route::ListAgents,
        (["agents", "register"], "POST") => Route::Register,
        (["agents", "heartbeat"], "POST") => Route::Heartbeat,
        (["agents", "register" | "heartbeat"], _) => return Err(not_allowed(method, path_only)),
        (["agents", a], "GET") => Route::GetAgent(id(a)),
        (["instances"], "GET") => Route::ListInstances,
        (["instances"], "POST") => Route::CreateInstance,
        (["instances", i], "GET") => Route::GetInstance(id(i)),
        (["instances", i], "PUT") => Route::UpdateInstance(id(i)),
        (["instances", i], "DELETE") => Route::DeleteInstance(id(i)),
        (["instances", i, "logs"], "GET") => Route::ListLogs(id(i)),
        (["instances", i, "logs"], "POST") => Route::AddLog(id(i)),
        (["jobs"], "GET") => Route::ListJobs,
        (["jobs"], "POST") => Route::CreateJob,
        (["jobs", "progress"], "POST") => Route::Progress,
        (["jobs", "complete"], "POST") => Route::Complete,
        (["jobs", "progress" | "complete"], _) => return Err(not_allowed(method, path_only)),
        (["jobs", j], "GET") => Route::GetJob(id(j)),
        (
            ["agents" | "instances" | "jobs"]
            | ["agents" | "instances" | "jobs", _]
            | ["instances", _, "logs"],
            _,
        ) => return Err(not_allowed(method, path_only)),
        _ => return Err(not_found(path_only)),
    })
}

fn not_found(path: &str) -> ApiError {
    ApiError::NotFound(format!("there is no route {path:?}"))
}

fn not_allowed(method: &str, path: &str) -> ApiError {
    ApiError::MethodNotAllowed {
        method: method.to_owned(),
        path: path.to_owned(),
    }
}

/// Renders a core reply or an error as `(status, JSON bytes)`.
pub fn render(reply: &Result<Reply, ApiError>) -> Rendered {
    match reply {
        Ok(r) => match serde_json::to_vec(&r.body) {
            Ok(bytes) => (r.status.status(), bytes),
            Err(e) => render_error(&ApiError::InvalidState(format!(
                "the answer could not be encoded: {e}"
            ))),
        },
        Err(e) => render_error(e),
    }
}

/// Renders an error as `(status, JSON bytes)` (ark-N2).
pub fn render_error(error: &ApiError) -> Rendered {
    let bytes = serde_json::to_vec(&error.body()).unwrap_or_else(|_| b"{}".to_vec());
    (error.status(), bytes)
}
