//! caas as the server declares it ([`PROTOCOL`]): every setting of [`Settings`] by the name
//! users type, how a string sets it, the settings the suite runs with (caas-N2, N9, N11, N12)
//! and the optional capability `rate_limit_10_per_second` (caas-N13).

use super::{RateLimit, Settings, UserToken};
use crate::protocols::declaration::{Configurable, Protocol, Refused, Setting, Syntax};
use crate::protocols::values;
use std::time::Duration;

/// The rate limit that declares `rate_limit_10_per_second` (caas-N13).
pub const SUITE_RATE_LIMIT: RateLimit = RateLimit {
    events: 10,
    window: Duration::from_secs(1),
};

/// The caas declaration.
pub const PROTOCOL: Protocol = Protocol {
    id: "caas",
    title: "Chat (CAAS) over socket.io v4 on /socket.io/",
    default_port: 3001,
    settings: SETTINGS,
    suite_settings: &[
        ("user", "tok-alice=alice:t1"),
        ("user", "tok-bob=bob:t1"),
        ("user", "tok-carol=carol:t2"),
        ("user", "tok-erin=erin:t1"),
        ("user", "tok-expired=dave:t1:2020-01-01T00:00:00Z"),
        ("typing_timeout", "500ms"),
        ("call_ring_timeout", "1s"),
        ("max_binary_bytes", "65536"),
        ("load_users", "100"),
    ],
    capability_settings: &[("rate_limit_10_per_second", &[("rate_limit", "10/1s")])],
};

const SETTINGS: &[Setting] = &[
    Setting::new(
        "port",
        Syntax::Port,
        "3001",
        "TCP port of socket.io on /socket.io/, 0 for a free one (caas-N1, C5). Default 3001.",
    ),
    Setting::new(
        "user",
        Syntax::UserToken,
        super::DEV_USER,
        "An accepted auth.token and the user and tenant it names, TOKEN=userId:tenantId with an \
         optional :expiresAt (ISO-8601 UTC); repeatable, replaces the default (K1, caas-N2). \
         Default dev-token=dev:dev.",
    )
    .repeatable(),
    Setting::new(
        "load_users",
        Syntax::Quantity,
        "0",
        "Users made for load plans besides the configured ones: member-1 … member-N of tenant \
         load, tokens tok-member-1 … tok-member-N (caas-N22). Default 0.",
    ),
    Setting::new(
        "typing_timeout",
        Syntax::Duration,
        "5s",
        "How long typing lasts without a new typing:start (K5, caas-N9). Default 5s.",
    ),
    Setting::new(
        "call_ring_timeout",
        Syntax::Duration,
        "30s",
        "How long a call rings before it ends unanswered (caas-N11). Default 30s.",
    ),
    Setting::new(
        "rate_limit",
        Syntax::RateLimit,
        "off",
        "Per-socket limit on client events, e.g. 10/1s (K9, caas-N13). Default off; exactly \
         10/1s declares rate_limit_10_per_second.",
    ),
    Setting::new(
        "max_content_chars",
        Syntax::Count,
        "4000",
        "Longest message content in characters; longer is INVALID_PAYLOAD (caas-N7). \
         Default 4000.",
    ),
    Setting::new(
        "max_binary_bytes",
        Syntax::Bytes,
        "1048576",
        "Largest binary buffer; larger is INVALID_PAYLOAD total_length (caas-N12). \
         Default 1048576 (1 MiB).",
    ),
    Setting::new(
        "max_message_bytes",
        Syntax::Bytes,
        "1048576",
        "Largest socket.io packet; larger closes that connection (caas-N15). \
         Default 1048576 (1 MiB).",
    ),
    Setting::new(
        "max_conversations_per_user",
        Syntax::Count,
        "1000",
        "Conversations a user may be a member of; one more join is INVALID_PAYLOAD \
         (caas-N15). Default 1000.",
    ),
    Setting::new(
        "max_messages_kept",
        Syntax::Count,
        "10000",
        "Messages kept per conversation for edits and deletes, the oldest forgotten first \
         (caas-N15). Default 10000.",
    ),
    Setting::new(
        "max_calls_per_user",
        Syntax::Count,
        "100",
        "Calls a user may have started and not ended; one more call:initiate is \
         INVALID_PAYLOAD (C4). Default 100.",
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
            "user" => {
                let user: UserToken = values::user_token(value)?;
                if !append {
                    self.users.clear();
                }
                self.users.push(user);
            }
            "load_users" => self.load_users = values::quantity(value)?,
            "typing_timeout" => self.typing_timeout = values::duration(value)?,
            "call_ring_timeout" => self.call_ring_timeout = values::duration(value)?,
            "rate_limit" => self.rate_limit = values::rate_limit(value)?,
            "max_content_chars" => self.max_content_chars = values::positive(value)?,
            "max_binary_bytes" => self.max_binary_bytes = values::positive(value)?,
            "max_message_bytes" => self.max_message_bytes = values::positive(value)?,
            "max_conversations_per_user" => {
                self.max_conversations_per_user = values::positive(value)?;
            }
            "max_messages_kept" => self.max_messages_kept = values::positive(value)?,
            "max_calls_per_user" => self.max_calls_per_user = values::positive(value)?,
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
