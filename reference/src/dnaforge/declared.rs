//! dnaforge as the server declares it ([`PROTOCOL`]): every setting of [`Settings`] by the name
//! users type, how a string sets it, and the capability the settings give.
//!
//! `access_token` takes any text, the empty string included (blank turns authentication off,
//! dnaforge-N2); the environment variable `ACCESSTOKEN` sets it when read by the serve layer
//! (`Config::apply_environment`). Capabilities: `open_access`, the access token is unset or blank;
//! `checked_access`, it is set (a wrong `Authorization` is refused). A server has exactly one.

use super::Settings;
use crate::protocols::declaration::{Configurable, Protocol, Refused, Setting, Syntax};
use crate::protocols::values;

/// The access token the suite's defaults assume (its run variable's default).
pub const SUITE_ACCESS_TOKEN: &str = "dnaforge-suite-access";

/// The dnaforge declaration.
pub const PROTOCOL: Protocol = Protocol {
    id: "dnaforge",
    title: "dnaforge: HTTP GET /auth and a WebSocket of job updates on /",
    default_port: 8080,
    settings: SETTINGS,
    suite_settings: &[("access_token", SUITE_ACCESS_TOKEN)],
    capability_settings: &[
        ("open_access", &[("access_token", "")]),
        ("checked_access", &[("access_token", SUITE_ACCESS_TOKEN)]),
    ],
};

const SETTINGS: &[Setting] = &[
    Setting::new(
        "port",
        Syntax::Port,
        "8080",
        "TCP port of GET /auth and the WebSocket on /, 0 for a free one (C5). Default 8080.",
    ),
    Setting::new(
        "access_token",
        Syntax::Text,
        "none",
        "The Authorization value GET /auth expects; unset or blank accepts anything (D1, \
         dnaforge-N2). Default: the ACCESSTOKEN environment variable, else none.",
    )
    .value_name("TOKEN")
    .env("ACCESSTOKEN"),
    Setting::new(
        "step_duration",
        Syntax::Duration,
        "100ms",
        "How long one job step takes (D6, dnaforge-N18). Default 100ms.",
    ),
    Setting::new(
        "max_message_bytes",
        Syntax::Bytes,
        "1048576",
        "Largest WebSocket frame or message; larger closes that socket with 1009 \
         (dnaforge-N20). Default 1048576 (1 MiB).",
    ),
    Setting::new(
        "max_jobs",
        Syntax::Count,
        "1000",
        "Jobs kept, whatever their status; a further JobNew is ignored (dnaforge-N12). \
         Default 1000.",
    ),
    Setting::new(
        "max_configs_per_job",
        Syntax::Count,
        "100",
        "Most configs entries of one JobNew; more is ignored (dnaforge-N12). Default 100.",
    ),
    Setting::new(
        "max_unbound_tokens",
        Syntax::Count,
        "10000",
        "Issued bearer tokens not yet bound to a socket that are kept; one more forgets the \
         oldest (dnaforge-N4). Default 10000.",
    ),
    Setting::new(
        "send_queue",
        Syntax::Count,
        "4096",
        "Messages a socket may have waiting; one more closes it with 1008 (dnaforge-N20). \
         Default 4096.",
    ),
    Setting::new(
        "close_grace",
        Syntax::Duration,
        "1s",
        "How long a closing socket may take to deliver its close frame, and shutdown waits for \
         open connections (C4). Default 1s.",
    ),
];

impl Configurable for Settings {
    fn apply(&mut self, name: &str, value: &str, _append: bool) -> Result<(), Refused> {
        match name {
            "port" => self.port = values::port(value)?,
            // Any text: blank is meaningful (authentication off, dnaforge-N2).
            "access_token" => self.access_token = Some(value.to_owned()),
            "step_duration" => self.step_duration = values::duration(value)?,
            "max_message_bytes" => self.max_message_bytes = values::positive(value)?,
            "max_jobs" => self.max_jobs = values::positive(value)?,
            "max_configs_per_job" => self.max_configs_per_job = values::positive(value)?,
            "max_unbound_tokens" => self.max_unbound_tokens = values::positive(value)?,
            "send_queue" => self.send_queue = values::positive(value)?,
            "close_grace" => self.close_grace = values::duration(value)?,
            _ => return Err(Refused::Unknown),
        }
        Ok(())
    }

    fn capabilities(&self) -> Vec<String> {
        let which = if self.open_access() {
            "open_access"
        } else {
            "checked_access"
        };
        vec![which.to_owned()]
    }
}
