//! What a session reports while it runs, for whoever watches it: a load run turns it into
//! rates and histograms, a conformance run needs none of it (it reads the [`Outcome`] at the
//! end). Calls are synchronous and cheap; an observer must not block.
//!
//! [`Outcome`]: super::Outcome

use std::time::Duration;

use super::outcome::CheckRecord;
use crate::report::model::Finding;

/// What a latency sample measures.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum LatencyKind {
    /// From asking for a connection to the target accepting it.
    Connect,
    /// From a send, emit or request to the reply or message that a single-actor expectation
    /// took (an emit's own ack exactly; otherwise the session's latest cause).
    RoundTrip,
    /// From the step that caused a message to its receipt by each actor of a multi-actor
    /// expectation (a broadcast fanned out).
    FanOut,
    /// An HTTP request's round trip.
    Http,
    /// A whole scenario run (under an arrival-rate load: from its intended start).
    Scenario,
}

impl LatencyKind {
    /// Every kind, in order.
    pub const ALL: [LatencyKind; 5] = [
        LatencyKind::Connect,
        LatencyKind::RoundTrip,
        LatencyKind::FanOut,
        LatencyKind::Http,
        LatencyKind::Scenario,
    ];

    /// The name reports use.
    pub fn as_str(self) -> &'static str {
        match self {
            LatencyKind::Connect => "connect",
            LatencyKind::RoundTrip => "round_trip",
            LatencyKind::FanOut => "fan_out",
            LatencyKind::Http => "http",
            LatencyKind::Scenario => "scenario",
        }
    }
}

/// Watches a session.
pub trait Observer: Send {
    /// A message was sent.
    fn sent(&mut self) {}
    /// A message was received; `kind` is its type when it has one (`job:created`,
    /// `ack.send_job`).
    fn received(&mut self, _kind: Option<&str>) {}
    /// A latency was measured; `subject` names what (a message type, `GET /jobs`, an actor).
    fn latency(&mut self, _kind: LatencyKind, _subject: &str, _took: Duration) {}
    /// A step's check ended (passed or failed).
    fn check(&mut self, _check: &CheckRecord) {}
    /// A received message broke its schema (or had no known type); `kind` as for `received`.
    fn finding(&mut self, _finding: &Finding, _kind: Option<&str>) {}
}

/// An observer that ignores everything.
#[derive(Debug, Clone, Copy, Default)]
pub struct Unobserved;

impl Observer for Unobserved {}
