//! ark: the ARK ASA Server Manager control plane — a push-only WebSocket at `/ws` and a REST API
//! on the same port (`shared/specs/ark.md`, DECISIONS.md `ark`, `scenarios/ark/NOTES.md`).
//!
//! This module is sans-IO: wire types ([`model`], [`events`]), validated requests
//! ([`request`]), the HTTP mapping ([`rest`]) and the state machine ([`Core`]). It has no
//! sockets, no clock and no tasks; `crate::net` drives it. Invariant: for one core, the events
//! returned by successive calls are the single total order every push client sees.

mod agents;
pub mod core;
pub mod declared;
pub mod error;
pub mod events;
mod fields;
pub mod ids;
mod instances;
mod jobs;
pub mod model;
pub mod request;
pub mod rest;
mod settings;

pub use self::core::{Body, Core, Output, Reply, Success};
pub use error::{ApiError, ErrorBody};
pub use events::Event;
pub use ids::{IdSource, SequentialIds, UuidV4Ids};
pub use jobs::AGENT_OFFLINE;
pub use model::Timestamp;
pub use request::Request;
pub use settings::Settings;
