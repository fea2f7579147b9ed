//! The embedded target: the reference server, started in-process on free loopback ports, as a
//! [`TargetFactory`].
//!
//! This module is the harness's only contact with the reference crate, and it uses only the
//! crate's process API (start, endpoints, stop) — never its message types, so a bug shared by
//! server and harness cannot pass as conformance.

use std::collections::BTreeSet;
use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use futures_util::FutureExt;
use futures_util::future::BoxFuture;

use crate::exec::Target;
use crate::runner::{FactoryError, RunningTarget, TargetFactory};

/// Heartbeat interval of the embedded ark server: short, so offline detection shows in a
/// scenario (an agent is offline after 3 intervals).
pub const ARK_HEARTBEAT_INTERVAL: Duration = Duration::from_millis(250);

/// The jobber customer tokens of the embedded server: the defaults of `token_a` and `token_b`
/// in `fixtures/jobber/profile.yaml`.
pub const JOBBER_TOKENS: [&str; 2] = ["tok-a", "tok-b"];

const NAME: &str = "embedded reference server";

/// The capability of a jobber server whose rate limit is 10 events per connection per second.
const RATE_LIMIT_CAPABILITY: &str = "rate_limit_10_per_second";

/// The reference server's configuration for embedded runs: loopback, ephemeral ports, the
/// settings the suite's defaults expect, and the optional `capabilities` asked for.
pub fn config(capabilities: &[String]) -> reference::serve::Config {
    let mut config = reference::serve::Config {
        host: IpAddr::V4(Ipv4Addr::LOCALHOST),
        ..reference::serve::Config::default()
    };
    config.ark.port = 0;
    config.ark.heartbeat_interval = ARK_HEARTBEAT_INTERVAL;
    config.jobber.port = 0;
    config.jobber.tokens = JOBBER_TOKENS.iter().map(|t| (*t).to_owned()).collect();
    if capabilities.iter().any(|c| c == RATE_LIMIT_CAPABILITY) {
        config.jobber.rate_limit = Some(reference::jobber::RateLimit {
            events: 10,
            window: Duration::from_secs(1),
        });
    }
    config
}

/// The optional capabilities a configuration gives `protocol`.
fn capabilities_of(config: &reference::serve::Config, protocol: &str) -> BTreeSet<String> {
    let mut capabilities = BTreeSet::new();
    if protocol == "ark" && config.ark.heartbeat_interval <= Duration::from_secs(1) {
        capabilities.insert("short_heartbeat_interval".to_owned());
    }
    if protocol == "jobber" && config.jobber.rate_limit.is_some() {
        capabilities.insert(RATE_LIMIT_CAPABILITY.to_owned());
    }
    capabilities
}

/// Starts the reference server in this process.
#[derive(Debug, Clone, Copy, Default)]
pub struct EmbeddedFactory;

impl TargetFactory for EmbeddedFactory {
    fn name(&self) -> String {
        NAME.to_owned()
    }

    fn start(
        &self,
        protocols: Vec<String>,
        capabilities: Vec<String>,
    ) -> BoxFuture<'static, Result<Box<dyn RunningTarget>, FactoryError>> {
        async move {
            let config = config(&capabilities);
            let running = reference::serve::start(config.clone())
                .await
                .map_err(|error| FactoryError::Start {
                    factory: NAME.to_owned(),
                    reason: error.to_string(),
                })?;
            let served: Vec<&str> = running.endpoints().iter().map(|e| e.protocol).collect();
            if let Some(missing) = protocols.iter().find(|p| !served.contains(&p.as_str())) {
                running.shutdown().await;
                return Err(FactoryError::UnknownProtocol {
                    factory: NAME.to_owned(),
                    protocol: missing.clone(),
                });
            }
            Ok(Box::new(EmbeddedServer { running, config }) as Box<dyn RunningTarget>)
        }
        .boxed()
    }
}

/// A running embedded reference server.
pub struct EmbeddedServer {
    running: reference::serve::Running,
    config: reference::serve::Config,
}

impl RunningTarget for EmbeddedServer {
    fn target(&self, protocol: &str) -> Option<Target> {
        let endpoint = self
            .running
            .endpoints()
            .into_iter()
            .find(|e| e.protocol == protocol)?;
        Some(Target {
            url: endpoint.url,
            capabilities: capabilities_of(&self.config, protocol),
        })
    }

    fn stop(self: Box<Self>) -> BoxFuture<'static, ()> {
        self.running.shutdown().boxed()
    }
}
