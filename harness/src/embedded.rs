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

/// Capabilities the embedded reference server declares, by protocol.
pub fn capabilities(protocol: &str) -> BTreeSet<String> {
    let names: &[&str] = match protocol {
        "ark" => &["short_heartbeat_interval"],
        "jobber" => &["rate_limit_10_per_second"],
        _ => &[],
    };
    names.iter().map(|s| (*s).to_owned()).collect()
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
    config.jobber.rate_limit = Some(reference::jobber::RateLimit {
        events: 10,
        window: Duration::from_secs(1),
    });
    config
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
    ) -> BoxFuture<'static, Result<Box<dyn RunningTarget>, FactoryError>> {
        async move {
            let running =
                reference::serve::start(config())
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
            Ok(Box::new(EmbeddedServer { running }) as Box<dyn RunningTarget>)
        }
        .boxed()
    }
}

/// A running embedded reference server.
pub struct EmbeddedServer {
    running: reference::serve::Running,
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
            capabilities: capabilities(protocol),
        })
    }

    fn stop(self: Box<Self>) -> BoxFuture<'static, ()> {
        self.running.shutdown().boxed()
    }
}
