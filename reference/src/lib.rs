//! The wsconform reference server: minimal, in-memory implementations of the five protocols,
//! exactly as specified in `shared/specs/` and the project's protocol notes.
//!
//! Each protocol is a sans-IO core in its own module (`ark`, …); [`rate`] is the rate window two
//! of them share; [`net`] holds the only code with sockets; [`protocols`] declares every
//! protocol and its settings as data; [`serve`] configures (typed or by strings) and starts them.
//! The crate prints nothing and keeps no state on disk. `ark`, `jobber`, `emprops` and `caas`
//! are implemented; `dnaforge` has its core and its driver, its suite is to come.

pub mod ark;
pub mod caas;
pub mod dnaforge;
pub mod emprops;
pub mod jobber;
pub mod net;
pub mod protocols;
pub mod rate;
pub mod serve;

pub use protocols::{Protocol, Setting, protocol, protocols};
pub use serve::{Config, ConfigError, Endpoint, Running, start};
