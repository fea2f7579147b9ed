//! emprops: the EmProps job queue hub over raw WebSocket (`shared/specs/emprops.md`,
//! DECISIONS.md E1–E12, `scenarios/emprops/NOTES.md` emprops-N1…N28).
//!
//! This module is sans-IO: validated requests ([`request`]), the hub's messages ([`wire`]) and
//! the state machine ([`Core`]) fed `(now, Input)`, split by concern (`jobs`, `work`,
//! `workers`, `watch`, `stats`, `chunks`). It has no sockets, no clock and no tasks;
//! `crate::net::emprops` drives it. Timestamps and id sources are the crate's shared ones.
//! Invariant: for one core, the outputs of successive calls are the order every connection
//! sees its messages in.

mod chunks;
pub mod core;
pub mod declared;
mod dispatch;
mod encode;
pub mod error;
mod fast;
mod fields;
mod jobs;
mod parse;
pub mod request;
mod settings;
pub mod state;
mod stats;
mod watch;
pub mod wire;
mod work;
mod workers;

pub use self::core::{Core, Input, Output};
pub use crate::ark::{IdSource, SequentialIds, Timestamp, UuidV4Ids};
pub use error::HubError;
pub use settings::Settings;
pub use state::{ConnId, Status};
pub use stats::{QUEUE_ALERT, Stats};
pub use workers::OFFLINE_AFTER_INTERVALS;
