//! The embedded target: the reference server, started in-process on free ports.
//!
//! This module is the harness's only contact with the reference crate, and it uses only the
//! crate's process API (start, endpoints, stop) — never its message types, so a bug shared by
//! server and harness cannot pass as conformance.

use std::collections::BTreeSet;
use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use crate::runner::Target;

/// Heartbeat interval of the embedded ark server: short, so offline detection shows in a
/// scenario (an agent is offline after 3 intervals).
pub const ARK_HEARTBEAT_INTERVAL: Duration = Duration::from_millis(250);

/// The jobber customer tokens of the embedded server: the defaults of `token_a` and `token_b`
/// in `fixtures/jobber/profile.yaml`.
pub const JOBBER_TOKENS: [&str; 2] = ["tok-a", "tok-b"];

/// Capabilities the embedded reference server declares, by protocol.
pub fn capabilities(protocol: &str) -> BTreeSet<String> {
    let names: &[&str] = match protocol {
        "ark" => &["short_heartbeat_interval"],
        // Every embedded scenario gets a server of its own.
        "jobber" => &["fresh_state", "rate_limit_10_per_second"],
        _ => &[],
    };
    names.iter().map(|s| (*s).to_owned()).collect()
}

/// A running embedded reference server serving one protocol for one scenario.
pub struct EmbeddedServer {
    running: reference::serve::Running,
    target: Target,
}

impl EmbeddedServer {
    /// The target to run against.
    pub fn target(&self) -> &Target {
        &self.target
    }

    /// Stops the server.
    pub async fn stop(self) {
        self.running.shutdown().await;
    }
}

/// The reference server's configuration for embedded runs: loopback, ephemeral ports.
pub fn config() -> reference::serve::Config {
    let mut config = reference::serve::Config {
        host: IpAddr::V4(Ipv4Addr::LOCALHOST),
        ..reference::serve::Config::default()
    };
    config.ark.port = 0;
    config.ark.heartbeat_interval = ARK_HEARTBEAT_INTERVAL;
    config.jobber.port = 0;
    config.jobber.tokens = JOBBER_TOKENS.iter().map(|t| (*t).to_owned()).collect();
    // Low enough for one scenario to cross, high enough for every other (at most 7 events per
    // connection); declared as the capability `rate_limit_10_per_second` (jobber-N20).
    config.jobber.rate_limit = Some(reference::jobber::RateLimit {
        events: 10,
        window: Duration::from_secs(1),
    });
    config
}

/// Starts a fresh reference server and returns the target of `protocol`.
pub async fn start(protocol: &str) -> std::io::Result<EmbeddedServer> {
    let running = reference::serve::start(config()).await?;
    let endpoint = running
        .endpoints()
        .into_iter()
        .find(|e| e.protocol == protocol)
        .ok_or_else(|| {
            std::io::Error::other(format!("the reference server does not serve {protocol:?}"))
        })?;
    let target = Target {
        url: endpoint.url,
        capabilities: capabilities(protocol),
    };
    Ok(EmbeddedServer { running, target })
}
