//! dnaforge: HTTP `GET /auth` issuing bearer tokens and a raw WebSocket on `/` carrying job
//! updates of a simulated job runner, on one port (`shared/specs/dnaforge.md`, DECISIONS.md
//! `dnaforge` D1–D7, `scenarios/dnaforge/NOTES.md`).
//!
//! This module is sans-IO: wire types ([`model`], [`wire`]), validated requests ([`request`]),
//! the HTTP mapping ([`http`]), bearer tokens ([`tokens`]) and the state machine ([`Core`]),
//! whose runner is driven by the injected clock. It has no sockets, no clock, no tasks and reads
//! no environment (`ACCESSTOKEN` is read by the serve layer); `crate::net::dnaforge` drives it.
//! Invariant: for one core, the outputs of successive calls are the single total order every
//! socket sees.

pub mod core;
pub mod declared;
pub mod error;
pub mod http;
pub mod model;
pub mod request;
mod runner;
mod settings;
pub mod tokens;
pub mod wire;

pub use self::core::{ConnId, Core, Input, Output};
pub use crate::ark::{IdSource, SequentialIds, Timestamp, UuidV4Ids};
pub use error::ParseError;
pub use http::{HttpReply, HttpRequest, HttpStatus};
pub use model::{Job, Status};
pub use request::Request;
pub use settings::Settings;
