//! The embedded target: the reference server, started in-process on free loopback ports, as a
//! [`TargetFactory`]; and the reference server's declarations, for `wsconform serve`.
//!
//! This module is the harness's only contact with the reference crate, and it uses only the
//! crate's process API (declarations, configuration by name, start, endpoints, stop) — never its
//! message types, so a bug shared by server and harness cannot pass as conformance. It names no
//! protocol: each one declares itself (its settings, the settings the suite expects, the
//! settings that give each optional capability).

use std::collections::BTreeSet;
use std::net::{IpAddr, Ipv4Addr};

use futures_util::FutureExt;
use futures_util::future::BoxFuture;

pub use reference::protocols::{Protocol, Setting, protocols};
pub use reference::serve::{Config, ConfigError, Running, start};

use crate::exec::Target;
use crate::runner::{FactoryError, RunningTarget, TargetFactory};

const NAME: &str = "embedded reference server";

/// The reference server's configuration for an embedded run serving `protocols`: loopback, free
/// ports, the settings the suite's defaults expect, and the settings that give the optional
/// `capabilities` asked for (those the reference server can have).
pub fn config(protocols: &[String], capabilities: &[String]) -> Result<Config, ConfigError> {
    let mut config = Config::new(IpAddr::V4(Ipv4Addr::LOCALHOST));
    let ids: Vec<&str> = protocols.iter().map(String::as_str).collect();
    config.serve_only(&ids)?;
    for protocol in &ids {
        config.set(protocol, "port", "0")?;
        config.apply_suite_settings(protocol)?;
        for capability in capabilities {
            config.apply_capability(protocol, capability)?;
        }
    }
    Ok(config)
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
            let config = config(&protocols, &capabilities).map_err(|error| match error {
                ConfigError::UnknownProtocol { id, .. } => FactoryError::UnknownProtocol {
                    factory: NAME.to_owned(),
                    protocol: id,
                },
                other => FactoryError::Start {
                    factory: NAME.to_owned(),
                    reason: other.to_string(),
                },
            })?;
            let running = start(config.clone())
                .await
                .map_err(|error| FactoryError::Start {
                    factory: NAME.to_owned(),
                    reason: error.to_string(),
                })?;
            Ok(Box::new(EmbeddedServer { running, config }) as Box<dyn RunningTarget>)
        }
        .boxed()
    }
}

/// A running embedded reference server.
pub struct EmbeddedServer {
    running: Running,
    config: Config,
}

impl RunningTarget for EmbeddedServer {
    fn target(&self, protocol: &str) -> Option<Target> {
        let endpoint = self
            .running
            .endpoints()
            .into_iter()
            .find(|e| e.protocol == protocol)?;
        let capabilities: BTreeSet<String> =
            self.config.capabilities(protocol).into_iter().collect();
        Some(Target {
            url: endpoint.url,
            capabilities,
        })
    }

    fn stop(self: Box<Self>) -> BoxFuture<'static, ()> {
        self.running.shutdown().boxed()
    }
}
