//! The reference server's integration tests, one test binary (each file a module): one link
//! instead of one per file, and tests of different files share the threads. `common` and the
//! `*_support` modules and `jobber_server` are shared helpers; each other module is the tests of
//! one concern. Run one file's tests with `cargo test -p reference --test integration <module>::`.
// A test may unwrap: a failed unwrap is a failed test, with its line.
#![allow(clippy::unwrap_used)]

mod caas_support;
mod common;
mod dnaforge_support;
mod emprops_support;
mod interop_support;
mod jobber_server;

mod ark_capabilities;
mod ark_core;
mod ark_jobs;
mod ark_net;
mod ark_prop;
mod ark_rest;
mod caas_core;
mod caas_interop_npm_pypi;
mod caas_live;
mod caas_net;
mod caas_prop;
mod config_strings;
mod dnaforge_core;
mod dnaforge_interop_npm_pypi;
mod dnaforge_net;
mod dnaforge_prop;
mod emprops_core;
mod emprops_interop_npm_pypi;
mod emprops_net;
mod emprops_prop;
mod emprops_rules;
mod fuzz_decoders;
mod jobber_core;
mod jobber_interop_npm_pypi;
mod jobber_interop_rust_socketio;
mod jobber_net;
mod jobber_prop;
mod protocols_declared;
