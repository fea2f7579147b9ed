//! The emprops hub's settings: every limit and clock is named here with its default (C4,
//! `scenarios/emprops/NOTES.md`). The declaration (`declared.rs`) says how strings set them.

use std::time::Duration;

/// Settings of the emprops hub (port, clocks, limits, optional worker tokens).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// TCP port of the WebSocket hub (any path, emprops-N1); 0 picks an ephemeral port.
    /// Default 3002.
    pub port: u16,
    /// Expected worker heartbeat interval; a worker silent for 3 intervals is offline (E7,
    /// emprops-N21). Default 30 s.
    pub heartbeat_interval: Duration,
    /// Delay before a retried job is queued again (emprops-N15). Default 15 s; zero allowed.
    pub retry_delay: Duration,
    /// Queue depth above which monitors get the `resource_constraint` alert (E8,
    /// emprops-N20). Default 15.
    pub queue_alert_threshold: usize,
    /// Shortest stats interval a `subscribe_stats` gets; shorter asks are raised to it
    /// (emprops-N19). Default 1 s.
    pub min_stats_interval: Duration,
    /// Time a chunked message has to arrive complete, from its first chunk (emprops-N23).
    /// Default 30 s.
    pub chunk_timeout: Duration,
    /// Largest frame; larger is `MESSAGE_TOO_LARGE` and a close with 1009 (emprops-N22).
    /// Default 10 MiB, the document's limit.
    pub max_message_bytes: usize,
    /// Chunk data one connection may have waiting to be assembled, all its sets together
    /// (each chunk counted with 64 bytes of bookkeeping); a chunk beyond it is refused with
    /// `INVALID_PARAMETERS` (C4). Default 100 MiB.
    pub max_chunked_bytes: usize,
    /// Largest `total_chunks` of a chunked message; more is `INVALID_PARAMETERS` (C4).
    /// Default 10 000.
    pub max_chunks: usize,
    /// Messages one connection may have waiting to be written; one more closes it with 1008
    /// (emprops-N26). Default 4096.
    pub send_queue: usize,
    /// Finished jobs (completed, failed, cancelled) kept for status queries; the oldest are
    /// forgotten first and then answer `JOB_NOT_FOUND` (C4). Default 10 000.
    pub retained_finished_jobs: usize,
    /// Jobs that may wait in the queue at once; `submit_job` beyond it is refused with
    /// `QUEUE_FULL` (C4, emprops-N34). Default 100 000.
    pub max_queued_jobs: usize,
    /// Accepted `register_worker` tokens (E11, emprops-N27). Default none: no token needed.
    pub worker_tokens: Vec<String>,
    /// How long a closing connection may take to deliver its close frame, and shutdown waits
    /// for open connections. Default 1 s.
    pub close_grace: Duration,
    /// Bytes a connection reads at a time, held for its life; larger frames take several reads
    /// (DESIGN.md pitfalls). Default 1024.
    pub ws_read_buffer_bytes: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            port: 3002,
            heartbeat_interval: Duration::from_secs(30),
            retry_delay: Duration::from_secs(15),
            queue_alert_threshold: 15,
            min_stats_interval: Duration::from_secs(1),
            chunk_timeout: Duration::from_secs(30),
            max_message_bytes: 10 * 1024 * 1024,
            max_chunked_bytes: 100 * 1024 * 1024,
            max_chunks: 10_000,
            send_queue: 4096,
            retained_finished_jobs: 10_000,
            max_queued_jobs: 100_000,
            worker_tokens: Vec::new(),
            close_grace: Duration::from_secs(1),
            ws_read_buffer_bytes: 1024,
        }
    }
}
