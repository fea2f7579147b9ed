//! emprops as the server declares it ([`PROTOCOL`]): every setting of [`Settings`] by the name
//! users type, how a string sets it, the settings the suite runs with (emprops-N28) and the
//! optional capability `worker_tokens` (emprops-N27).

use super::Settings;
use crate::protocols::declaration::{Configurable, Protocol, Refused, Setting, Syntax};
use crate::protocols::values;

/// The worker token the `worker_tokens` capability sets (emprops-N27).
pub const SUITE_WORKER_TOKEN: &str = "tok-w";

/// The emprops declaration.
pub const PROTOCOL: Protocol = Protocol {
    id: "emprops",
    title: "EmProps job queue hub: raw WebSocket, any path",
    default_port: 3002,
    settings: SETTINGS,
    suite_settings: &[
        ("heartbeat_interval", "1s"),
        ("retry_delay", "0s"),
        ("min_stats_interval", "100ms"),
        ("chunk_timeout", "1s"),
        ("max_message_bytes", "65536"),
        ("max_queued_jobs", "500"),
    ],
    capability_settings: &[("worker_tokens", &[("worker_token", SUITE_WORKER_TOKEN)])],
};

const SETTINGS: &[Setting] = &[
    Setting::new(
        "port",
        Syntax::Port,
        "3002",
        "TCP port of the WebSocket hub, any path, 0 for a free one (emprops-N1, C5). \
         Default 3002.",
    ),
    Setting::new(
        "heartbeat_interval",
        Syntax::Duration,
        "30s",
        "Worker heartbeat interval; silent for 3 intervals is offline (E7, emprops-N21). \
         Default 30s.",
    ),
    Setting::new(
        "retry_delay",
        Syntax::Delay,
        "15s",
        "Delay before a retried job is queued again (emprops-N15). Default 15s; 0s allowed.",
    ),
    Setting::new(
        "queue_alert_threshold",
        Syntax::Count,
        "15",
        "Queue depth above which monitors get a resource_constraint alert (E8, emprops-N20). \
         Default 15.",
    ),
    Setting::new(
        "min_stats_interval",
        Syntax::Duration,
        "1s",
        "Shortest stats interval; shorter subscribe_stats asks are raised to it \
         (emprops-N19). Default 1s.",
    ),
    Setting::new(
        "chunk_timeout",
        Syntax::Duration,
        "30s",
        "Time a chunked message has to arrive complete, else CHUNK_MISSING (emprops-N23). \
         Default 30s.",
    ),
    Setting::new(
        "max_message_bytes",
        Syntax::Bytes,
        "10485760",
        "Largest frame; larger is MESSAGE_TOO_LARGE and close 1009 (emprops-N22). \
         Default 10485760 (10 MiB).",
    ),
    Setting::new(
        "max_chunked_bytes",
        Syntax::Bytes,
        "104857600",
        "Chunk data a connection may have waiting to be assembled, all sets together; beyond \
         it a chunk is INVALID_PARAMETERS (C4). Default 104857600 (100 MiB).",
    ),
    Setting::new(
        "max_chunks",
        Syntax::Count,
        "10000",
        "Largest total_chunks of a chunked message; more is INVALID_PARAMETERS (C4). \
         Default 10000.",
    ),
    Setting::new(
        "send_queue",
        Syntax::Count,
        "4096",
        "Messages a connection may have waiting to be written; one more closes it with 1008 \
         (emprops-N26). Default 4096.",
    ),
    Setting::new(
        "retained_finished_jobs",
        Syntax::Count,
        "10000",
        "Finished jobs kept for status queries, the oldest forgotten first (C4). \
         Default 10000.",
    ),
    Setting::new(
        "max_queued_jobs",
        Syntax::Count,
        "100000",
        "Jobs that may wait in the queue at once; one more submit_job is refused with \
         QUEUE_FULL (C4, emprops-N34). Default 100000.",
    ),
    Setting::new(
        "worker_token",
        Syntax::Text,
        "none",
        "An accepted register_worker token; repeatable. When any is set, register_worker \
         needs one (E11, emprops-N27). Default none; tok-w declares worker_tokens.",
    )
    .value_name("TOKEN")
    .repeatable(),
    Setting::new(
        "close_grace",
        Syntax::Duration,
        "1s",
        "How long a closing connection may take to deliver its close frame, and shutdown waits \
         for open connections (C4). Default 1s.",
    ),
    Setting::new(
        "ws_read_buffer_bytes",
        Syntax::Bytes,
        "1024",
        "Bytes a connection reads at a time, held for its life; larger frames take several \
         reads (DESIGN.md pitfalls). Default 1024.",
    ),
];

impl Configurable for Settings {
    fn apply(&mut self, name: &str, value: &str, append: bool) -> Result<(), Refused> {
        match name {
            "port" => self.port = values::port(value)?,
            "heartbeat_interval" => self.heartbeat_interval = values::duration(value)?,
            "retry_delay" => self.retry_delay = values::delay(value)?,
            "queue_alert_threshold" => self.queue_alert_threshold = values::positive(value)?,
            "min_stats_interval" => self.min_stats_interval = values::duration(value)?,
            "chunk_timeout" => self.chunk_timeout = values::duration(value)?,
            "max_message_bytes" => self.max_message_bytes = values::positive(value)?,
            "max_chunked_bytes" => self.max_chunked_bytes = values::positive(value)?,
            "max_chunks" => self.max_chunks = values::positive(value)?,
            "send_queue" => self.send_queue = values::positive(value)?,
            "retained_finished_jobs" => self.retained_finished_jobs = values::positive(value)?,
            "max_queued_jobs" => self.max_queued_jobs = values::positive(value)?,
            "worker_token" => {
                let token = values::text(value)?;
                if !append {
                    self.worker_tokens.clear();
                }
                self.worker_tokens.push(token);
            }
            "close_grace" => self.close_grace = values::duration(value)?,
            "ws_read_buffer_bytes" => self.ws_read_buffer_bytes = values::positive(value)?,
            _ => return Err(Refused::Unknown),
        }
        Ok(())
    }

    fn capabilities(&self) -> Vec<String> {
        let mut capabilities = Vec::new();
        if self.worker_tokens.iter().any(|t| t == SUITE_WORKER_TOKEN) {
            capabilities.push("worker_tokens".to_owned());
        }
        capabilities
    }
}
