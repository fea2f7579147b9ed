//! The harness integration tests, one test binary (each file a module): one link instead of one
//! per file, and tests of different files share the threads. `support`, `format_support` and
//! `fuzz_support` are shared helpers; each other module is the tests of one capability.
//! Run one file's tests with `cargo test -p harness --test integration <module>::`.
// A test may unwrap: a failed unwrap is a failed test, with its line.
#![allow(clippy::unwrap_used)]

mod format_support;
mod fuzz_support;
mod support;

mod ark_suite;
mod binary_values;
mod broken_dnaforge;
mod broken_emprops;
mod broken_jobber;
mod broken_server;
mod caas_dialect_cli;
mod caas_node_server;
mod caas_served_cli;
mod caas_suite;
mod cli;
mod connect_at_once;
mod coverage_cli;
mod dialect_cli;
mod diff_cli;
mod disconnect_handshake;
mod dnaforge_dialect_cli;
mod dnaforge_preflight_cli;
mod dnaforge_served_cli;
mod dnaforge_suite;
mod emprops_dialect_cli;
mod emprops_served_cli;
mod emprops_suite;
mod fixtures;
mod foreign_cli;
mod format_schemas;
mod fuzz_models;
mod fuzz_parsers;
mod fuzz_properties;
mod fuzz_served_cli;
mod fuzz_sessions;
mod github_actions_example;
mod hostile_cli;
mod html_report;
mod http_steps;
mod jobber_suite;
mod load_cli;
mod load_plans;
mod mutate;
mod preflight_cli;
mod scenario_props;
mod serve_environment;
mod session_hold;
mod session_machine;
mod socketio_client;
mod socketio_codec;
mod suite_embedded;
