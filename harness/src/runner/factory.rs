//! Targets the harness starts itself: a [`TargetFactory`] starts a server for some protocols and
//! hands back their [`Target`]s.
//!
//! The library defines the interface only; the embedded reference server is one implementation,
//! wired in by the binary (`crate::embedded`, a cargo feature), so the runner never names the
//! reference crate or any protocol.

use futures_util::future::BoxFuture;

use crate::exec::Target;

/// Why a target could not be started.
#[derive(Debug, thiserror::Error)]
pub enum FactoryError {
    /// The factory does not serve this protocol.
    #[error("{factory} does not serve the protocol {protocol:?}")]
    UnknownProtocol {
        /// The factory's name.
        factory: String,
        /// The protocol asked for.
        protocol: String,
    },
    /// Starting failed (a port could not be bound, …).
    #[error("cannot start {factory}: {reason}")]
    Start {
        /// The factory's name.
        factory: String,
        /// What went wrong.
        reason: String,
    },
}

/// Starts servers to run scenarios against.
pub trait TargetFactory: Send + Sync {
    /// What it starts, for reports ("embedded reference server").
    fn name(&self) -> String;

    /// Starts one server serving `protocols` (and nothing else it can avoid), configured to
    /// have the optional `capabilities` it can have (a scenario's `requires`); the targets say
    /// which it has.
    fn start(
        &self,
        protocols: Vec<String>,
        capabilities: Vec<String>,
    ) -> BoxFuture<'static, Result<Box<dyn RunningTarget>, FactoryError>>;
}

/// A server a factory started.
pub trait RunningTarget: Send + Sync {
    /// The target of `protocol`, if served.
    fn target(&self, protocol: &str) -> Option<Target>;

    /// Stops it.
    fn stop(self: Box<Self>) -> BoxFuture<'static, ()>;
}
