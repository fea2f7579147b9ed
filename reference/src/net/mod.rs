//! Network drivers: the only code with sockets, tasks and the wall clock.
//!
//! Each driver binds its port, feeds requests to its protocol's sans-IO core and writes the
//! core's outputs to the wire. Drivers hold no protocol logic.

pub mod ark;
pub mod caas;
pub mod dnaforge;
pub mod emprops;
pub mod hub;
pub mod jobber;
mod overflow;
mod owned_head;
mod push;
mod refused;
mod serving;
