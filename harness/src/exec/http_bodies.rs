//! HTTP answers checked like frames: a protocol with an HTTP API declares, as data, the schema
//! of each endpoint's success body and of every error body (`fixtures/<protocol>/coverage.yaml`,
//! `http:`), and every answer a scenario receives is checked against the one that applies,
//! whatever the step's own pattern asks. A finding is made for each violation, as for frames.
//!
//! An endpoint is `METHOD /path` with `{name}` for a variable segment; a step's path matches it
//! when every literal segment is equal (a segment holding a `${reference}` matches only a
//! variable one). Pure: compiled schemas in, issues out.

use crate::schema::{SchemaIssue, SchemaSet};

/// The body schemas of a protocol's HTTP API.
pub struct HttpBodies {
    /// The compiled body schemas, by stem (their folder under `schemas/` left out).
    pub schemas: SchemaSet,
    /// The stem of every non-2xx body's schema.
    pub error_body: Option<String>,
    /// The endpoints that have a success body schema.
    pub endpoints: Vec<Endpoint>,
}

/// One endpoint with a success body schema.
#[derive(Debug, Clone)]
pub struct Endpoint {
    /// The method (`POST`).
    pub method: String,
    /// The path's segments (`["jobs", "{jobId}"]`).
    pub segments: Vec<String>,
    /// The stem of its success body's schema.
    pub body: String,
}

impl Endpoint {
    /// An endpoint from `METHOD /path` and its body schema's stem; `None` if malformed.
    pub fn new(request: &str, body: &str) -> Option<Endpoint> {
        let (method, path) = request.split_once(' ')?;
        Some(Endpoint {
            method: method.to_owned(),
            segments: segments(path).map(str::to_owned).collect(),
            body: body.to_owned(),
        })
    }

    fn matches(&self, method: &str, path: &str) -> bool {
        let mut theirs = segments(path.split('?').next().unwrap_or(path));
        self.method == method
            && self.segments.iter().all(|ours| {
                theirs.next().is_some_and(|seg| {
                    ours.starts_with('{') || (ours == seg && !seg.contains("${"))
                })
            })
            && theirs.next().is_none()
    }
}

impl HttpBodies {
    /// What is wrong with the body of the answer `status` to `method path` (`None`: not JSON),
    /// per the schema that applies (none: nothing to check; a body that is not JSON where a
    /// schema applies is one issue).
    pub fn check(
        &self,
        method: &str,
        path: &str,
        status: u16,
        body: Option<&serde_json::Value>,
    ) -> Vec<SchemaIssue> {
        let stem = if (200..300).contains(&status) {
            self.endpoints
                .iter()
                .find(|e| e.matches(method, path))
                .map(|e| e.body.as_str())
        } else {
            self.error_body.as_deref()
        };
        match (stem, body) {
            (Some(stem), Some(body)) => self.schemas.check_as(stem, body),
            (Some(stem), None) => vec![SchemaIssue {
                message: format!("the body is not JSON, where the schema {stem} applies"),
                path: Some("$".to_owned()),
            }],
            (None, _) => Vec::new(),
        }
    }
}

fn segments(path: &str) -> impl Iterator<Item = &str> {
    path.split('/').filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_match_their_endpoint_by_literal_and_variable_segments() {
        let endpoint = Endpoint::new("GET /jobs/{jobId}", "job").expect("an endpoint");
        assert!(endpoint.matches("GET", "/jobs/${job}"));
        assert!(endpoint.matches("GET", "/jobs/abc?x=1"));
        assert!(!endpoint.matches("POST", "/jobs/${job}"));
        assert!(!endpoint.matches("GET", "/jobs"));
        assert!(!endpoint.matches("GET", "/jobs/a/b"));
        let progress = Endpoint::new("POST /jobs/progress", "job").expect("an endpoint");
        assert!(progress.matches("POST", "/jobs/progress"));
        assert!(!progress.matches("POST", "/jobs/${job}"));
    }
}
