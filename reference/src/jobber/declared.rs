//! jobber as the server declares it ([`PROTOCOL`]): every setting of [`Settings`] by the name
//! users type, how a string sets it, and the capability the settings give (jobber-N20).

use super::{RateLimit, Settings};
use crate::protocols::declaration::{Configurable, Protocol, Refused, Setting, Syntax};
use crate::protocols::values;
use std::time::Duration;

/// The rate limit that declares `rate_limit_10_per_second` (jobber-N20).
pub const SUITE_RATE_LIMIT: RateLimit = RateLimit {
    events: 10,
    window: Duration::from_secs(1),
};

/// The jobber declaration.
pub const PROTOCOL: Protocol = Protocol {
    id: "jobber",
    title: "Job queue over socket.io v4 on /socket.io/ and /ws",
    default_port: 3000,
    settings: SETTINGS,
    suite_settings: &[("token", "tok-a"), ("token", "tok-b")],
    capability_settings: &[("rate_limit_10_per_second", &[("rate_limit", "10/1s")])],
};

const SETTINGS: &[Setting] = &[
    Setting::new(
        "port",
        Syntax::Port,
        "3000",
        "TCP port of socket.io on /socket.io/ and /ws, 0 for a free one (J1, C5). Default 3000.",
    ),
    Setting::new(
        "token",
        Syntax::Text,
        "dev-token",
        "An accepted auth.customerToken, one customer each; repeatable, replaces the default \
         (J2, jobber-N1). Default dev-token.",
    )
    .value_name("TOKEN")
    .repeatable(),
    Setting::new(
        "rate_limit",
        Syntax::RateLimit,
        "off",
        "Per-connection limit on client events, e.g. 10/1s (J14, jobber-N14). Default off; \
         exactly 10/1s declares rate_limit_10_per_second (jobber-N20).",
    ),
    Setting::new(
        "max_message_bytes",
        Syntax::Bytes,
        "1048576",
        "Largest socket.io packet; larger closes that connection (jobber-N2). \
         Default 1048576 (1 MiB).",
    ),
    Setting::new(
        "max_data_bytes",
        Syntax::Bytes,
        "262144",
        "Largest job data as JSON; larger is LIMIT_EXCEEDED (jobber-N2). \
         Default 262144 (256 KiB).",
    ),
    Setting::new(
        "max_jobs_per_customer",
        Syntax::Count,
        "100000",
        "Jobs per customer not yet terminal; one more is LIMIT_EXCEEDED (jobber-N2). \
         Default 100000.",
    ),
    Setting::new(
        "retained_terminal_jobs",
        Syntax::Count,
        "10000",
        "Terminal jobs kept per customer for get_job, the oldest forgotten first (jobber-N2). \
         Default 10000.",
    ),
    Setting::new(
        "max_batch_jobs",
        Syntax::Count,
        "1000",
        "Jobs in one send_batch; more is LIMIT_EXCEEDED (jobber-N2). Default 1000.",
    ),
    Setting::new(
        "retained_batches",
        Syntax::Count,
        "10000",
        "Batches kept per customer for wait_for_batch, the oldest forgotten first (jobber-N2). \
         Default 10000.",
    ),
    Setting::new(
        "max_schedules_per_customer",
        Syntax::Count,
        "100",
        "Schedules per customer; one more is LIMIT_EXCEEDED (jobber-N2). Default 100.",
    ),
    Setting::new(
        "max_registrations_per_connection",
        Syntax::Count,
        "100",
        "Worker registrations per connection; one more is LIMIT_EXCEEDED (jobber-N2). \
         Default 100.",
    ),
    Setting::new(
        "max_worker_capacity",
        Syntax::Count,
        "1000",
        "Largest teamSize x teamConcurrency of one registration; more is INVALID_PAYLOAD \
         (jobber-N2). Default 1000.",
    ),
    Setting::new(
        "default_expire_in",
        Syntax::Duration,
        "15m",
        "expireIn of a job that gives none (J7). Default 15m.",
    ),
    Setting::new(
        "close_grace",
        Syntax::Duration,
        "1s",
        "How long shutdown waits for open connections (C4). Default 1s.",
    ),
    Setting::new(
        "ws_read_buffer_bytes",
        Syntax::Bytes,
        "1024",
        "Bytes a WebSocket connection reads at a time, held for its life; larger messages take \
         several reads (DESIGN.md pitfalls). Default 1024.",
    ),
    Setting::new(
        "max_queued_packets",
        Syntax::Count,
        "1024",
        "Packets one socket may have waiting to be written; a client that falls that far \
         behind is disconnected rather than losing a packet silently (C4). Default 1024.",
    ),
];

impl Configurable for Settings {
    fn apply(&mut self, name: &str, value: &str, append: bool) -> Result<(), Refused> {
        match name {
            "port" => self.port = values::port(value)?,
            "token" => {
                let token = values::text(value)?;
                if !append {
                    self.tokens.clear();
                }
                self.tokens.push(token);
            }
            "rate_limit" => self.rate_limit = values::rate_limit(value)?,
            "max_message_bytes" => self.max_message_bytes = values::positive(value)?,
            "max_data_bytes" => self.max_data_bytes = values::positive(value)?,
            "max_jobs_per_customer" => self.max_jobs_per_customer = values::positive(value)?,
            "retained_terminal_jobs" => self.retained_terminal_jobs = values::positive(value)?,
            "max_batch_jobs" => self.max_batch_jobs = values::positive(value)?,
            "retained_batches" => self.retained_batches = values::positive(value)?,
            "max_schedules_per_customer" => {
                self.max_schedules_per_customer = values::positive(value)?;
            }
            "max_registrations_per_connection" => {
                self.max_registrations_per_connection = values::positive(value)?;
            }
            "max_worker_capacity" => self.max_worker_capacity = values::positive(value)?,
            "default_expire_in" => self.default_expire_in = values::duration(value)?,
            "close_grace" => self.close_grace = values::duration(value)?,
            "ws_read_buffer_bytes" => self.ws_read_buffer_bytes = values::positive(value)?,
            "max_queued_packets" => self.max_queued_packets = values::positive(value)?,
            _ => return Err(Refused::Unknown),
        }
        Ok(())
    }

    fn capabilities(&self) -> Vec<String> {
        let mut capabilities = Vec::new();
        if self.rate_limit == Some(SUITE_RATE_LIMIT) {
            capabilities.push("rate_limit_10_per_second".to_owned());
        }
        capabilities
    }
}
