//! HTTP requests to a target (REST steps, auth endpoints), with a deadline on each.
//!
//! One [`HttpClient`] per virtual user keeps its connections alive between requests, as a real
//! client would. Plain HTTP only for now (no TLS backend is compiled in); the body of every
//! answer is kept as text and, when it parses, as JSON.

use std::collections::BTreeMap;
use std::time::Duration;

use super::TransportError;

/// An HTTP client with its connection pool.
#[derive(Clone, Default)]
pub struct HttpClient {
    client: reqwest::Client,
}

/// A request body.
#[derive(Debug, Clone)]
pub enum Body {
    /// JSON, sent with `content-type: application/json`.
    Json(serde_json::Value),
    /// Text, sent as written.
    Text(String),
}

/// The answer to a request.
#[derive(Debug, Clone)]
pub struct HttpReply {
    /// The status code.
    pub status: u16,
    /// The body as text.
    pub body: String,
    /// The body as JSON, when it is JSON.
    pub json: Option<serde_json::Value>,
}

impl HttpClient {
    /// A new client.
    pub fn new() -> HttpClient {
        HttpClient::default()
    }

    /// Sends one request to `url` and reads the whole answer within `timeout`.
    pub async fn request(
        &self,
        method: &str,
        url: &str,
        headers: &BTreeMap<String, String>,
        body: Option<Body>,
        timeout: Duration,
    ) -> Result<HttpReply, TransportError> {
        let url = url.to_owned();
        let fail = |reason: String| TransportError::Http {
            method: method.to_owned(),
            url: url.clone(),
            reason,
        };
        let verb = reqwest::Method::from_bytes(method.as_bytes())
            .map_err(|error| fail(error.to_string()))?;
        let mut request = self.client.request(verb, url.as_str()).timeout(timeout);
        for (name, value) in headers {
            request = request.header(name, value);
        }
        request = match body {
            Some(Body::Json(value)) => request
                .header("content-type", "application/json")
                .body(value.to_string()),
            Some(Body::Text(text)) => request.body(text),
            None => request,
        };
        let response = request
            .send()
            .await
            .map_err(|error| fail(describe(&error)))?;
        let status = response.status().as_u16();
        let body = response
            .text()
            .await
            .map_err(|error| fail(describe(&error)))?;
        let json = serde_json::from_str(&body).ok();
        Ok(HttpReply { status, body, json })
    }
}

fn describe(error: &reqwest::Error) -> String {
    if error.is_connect() {
        format!("connection refused or unreachable ({error})")
    } else if error.is_timeout() {
        "no answer before the deadline".to_owned()
    } else {
        error.to_string()
    }
}
