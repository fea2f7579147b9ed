//! Checks before a run, said once: each problem with a target's configuration is one line with
//! a hint, instead of one error or failure per scenario.
//!
//! In order, per protocol, a target going on to the next check only if it passed the last:
//! 1. reachability ([`reach`]): the external target accepts a TCP connection;
//! 2. the path ([`path`]): a server of the profile's transport answers at the path connections
//!    use (socket.io: an Engine.IO open packet; WebSocket: an upgrade), not an HTTP 404;
//! 3. the run variables ([`variables`]): the protocol's preflight scenarios,
//!    `fixtures/<protocol>/preflight/*.yaml` if it ships any, pass against the target (external
//!    or the embedded reference server) with the run's variables; each failing step is a line
//!    naming the `${var_…}` it uses.
//!
//! Knows no protocol: transports and paths come from profiles, what credentials must do from
//! the preflight scenarios. Every check is bounded ([`Limits`]). Skipped by
//! `wsconform run --no-preflight`.

pub mod path;
pub mod reach;
pub mod variables;

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

pub use reach::{Unreachable, unreachable_targets};

use super::suite::TargetSource;
use super::{ProtocolSuite, RunOptions};

/// How long one target may take to accept a TCP connection.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

/// How long the path probe may take (WebSocket upgrade and, for socket.io, the open packet).
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(5);

/// The bounds of the checks. The preflight scenario is bounded by its own steps' timeouts.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// See [`CONNECT_TIMEOUT`].
    pub connect_timeout: Duration,
    /// See [`PROBE_TIMEOUT`].
    pub probe_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            connect_timeout: CONNECT_TIMEOUT,
            probe_timeout: PROBE_TIMEOUT,
        }
    }
}

/// What the checks need: the run's protocols, targets and options.
pub struct Checks<'a> {
    /// The fixtures folder (`<suite>/fixtures`), where preflight scenarios are.
    pub fixtures: &'a Path,
    /// Profiles and schemas, by protocol.
    pub suites: &'a HashMap<String, Arc<ProtocolSuite>>,
    /// Targets, by protocol.
    pub targets: &'a HashMap<String, TargetSource>,
    /// The run's options (its variables, time scale).
    pub options: &'a Arc<RunOptions>,
    /// Bounds.
    pub limits: Limits,
}

/// What a problem is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemKind {
    /// The target or its configuration (exit 3).
    Target,
    /// A preflight scenario file is wrong (exit 2).
    PreflightFile,
}

/// One problem, one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// What it is about: `protocol=url` as the user wrote it, or a file.
    pub subject: String,
    /// What is wrong, and the fix.
    pub reason: String,
    /// Its kind.
    pub kind: ProblemKind,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.subject, self.reason)
    }
}

/// Runs the checks; every problem found, by protocol in name order.
pub async fn check(checks: Checks<'_>) -> Vec<Problem> {
    let mut protocols: Vec<&String> = checks.targets.keys().collect();
    protocols.sort();
    let mut problems = Vec::new();
    let mut passed = Vec::new();
    for protocol in protocols {
        let (Some(suite), Some(source)) =
            (checks.suites.get(protocol), checks.targets.get(protocol))
        else {
            continue;
        };
        let TargetSource::External(target) = source else {
            passed.push(protocol.clone());
            continue;
        };
        let problem = |reason| Problem {
            subject: format!("{protocol}={}", target.url),
            reason,
            kind: ProblemKind::Target,
        };
        if let Err(reason) = reach::reach(&target.url, checks.limits.connect_timeout).await {
            problems.push(problem(reason));
        } else if let Some(reason) =
            path::check(&suite.profile, &target.url, checks.limits.probe_timeout).await
        {
            problems.push(problem(reason));
        } else {
            passed.push(protocol.clone());
        }
    }
    problems.extend(variables::check(&checks, &passed).await);
    problems
}
