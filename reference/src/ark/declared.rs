//! ark as the server declares it ([`PROTOCOL`]): every setting of [`Settings`] by the name users
//! type, how a string sets it, and the capability the settings give (ark-N14).

use super::Settings;
use crate::protocols::declaration::{Configurable, Protocol, Refused, Setting, Syntax};
use crate::protocols::values;
use std::time::Duration;

/// The longest heartbeat interval that still declares `short_heartbeat_interval` (ark-N14).
pub const SHORT_HEARTBEAT_INTERVAL: Duration = Duration::from_secs(1);

/// The ark declaration.
pub const PROTOCOL: Protocol = Protocol {
    id: "ark",
    title: "ARK server manager control plane: push WebSocket /ws and REST",
    default_port: 3003,
    settings: SETTINGS,
    suite_settings: &[("heartbeat_interval", "250ms")],
    capability_settings: &[],
};

const SETTINGS: &[Setting] = &[
    Setting::new(
        "port",
        Syntax::Port,
        "3003",
        "TCP port of /ws and the REST API, 0 for a free one (C5). Default 3003.",
    ),
    Setting::new(
        "heartbeat_interval",
        Syntax::Duration,
        "30s",
        "Agent heartbeat interval; silent for 3 intervals is offline (ark-N7). Default 30s; \
         at most 1s declares short_heartbeat_interval (ark-N14).",
    ),
    Setting::new(
        "max_body_bytes",
        Syntax::Bytes,
        "1048576",
        "Largest REST body; larger is 413 PAYLOAD_TOO_LARGE (ark-N2, ark-N13). \
         Default 1048576 (1 MiB).",
    ),
    Setting::new(
        "max_client_frame_bytes",
        Syntax::Bytes,
        "65536",
        "Largest client WebSocket frame or message; larger closes that connection with 1009 \
         (ark-N11). Default 65536 (64 KiB).",
    ),
    Setting::new(
        "client_queue_events",
        Syntax::Count,
        "4096",
        "Events a push client may have waiting; one more closes it with 1008 (ark-N11). \
         Default 4096.",
    ),
    Setting::new(
        "max_logs_per_instance",
        Syntax::Count,
        "1000",
        "Log entries kept per instance, the oldest dropped first (ark-N4). Default 1000.",
    ),
    Setting::new(
        "close_grace",
        Syntax::Duration,
        "1s",
        "How long a closing push connection may take to deliver its close frame, and shutdown \
         waits for open connections (C4). Default 1s.",
    ),
    Setting::new(
        "ws_read_buffer_bytes",
        Syntax::Bytes,
        "1024",
        "Bytes a push connection reads at a time, held for its life; larger frames take several \
         reads (DESIGN.md pitfalls). Default 1024.",
    ),
    Setting::new(
        "token",
        Syntax::Text,
        "none",
        "When set, /ws requires ?token=<token>, otherwise 401 (ark-N12). Default none.",
    )
    .value_name("TOKEN"),
];

impl Configurable for Settings {
    fn apply(&mut self, name: &str, value: &str, _append: bool) -> Result<(), Refused> {
        match name {
            "port" => self.port = values::port(value)?,
            "heartbeat_interval" => self.heartbeat_interval = values::duration(value)?,
            "max_body_bytes" => self.max_body_bytes = values::positive(value)?,
            "max_client_frame_bytes" => self.max_client_frame_bytes = values::positive(value)?,
            "client_queue_events" => self.client_queue_events = values::positive(value)?,
            "max_logs_per_instance" => self.max_logs_per_instance = values::positive(value)?,
            "close_grace" => self.close_grace = values::duration(value)?,
            "ws_read_buffer_bytes" => self.ws_read_buffer_bytes = values::positive(value)?,
            "token" => self.token = Some(values::text(value)?),
            _ => return Err(Refused::Unknown),
        }
        Ok(())
    }

    fn capabilities(&self) -> Vec<String> {
        let mut capabilities = Vec::new();
        if self.heartbeat_interval <= SHORT_HEARTBEAT_INTERVAL {
            capabilities.push("short_heartbeat_interval".to_owned());
        }
        capabilities
    }
}
