//! ark wire types: timestamps, the enumerations and the REST resources (agent, instance, job,
//! log entry) exactly as `GET` shows them (ark-N4).
//!
//! Pure data with serde; no state and no validation (that is `request.rs`). Invariants: optional
//! fields are omitted when absent, never written as `null` (C6); every timestamp is written as
//! ISO-8601 UTC with milliseconds and `Z` (`2024-01-15T10:30:00.000Z`).

use serde::{Serialize, Serializer};
use serde_json::{Map, Value};
use std::time::Duration;

/// A point in wall-clock time: milliseconds since the Unix epoch, UTC.
///
/// The core never reads the clock; drivers and tests hand it `Timestamp`s.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

impl Timestamp {
    /// The instant `ms` milliseconds after 1970-01-01T00:00:00Z.
    pub const fn from_unix_millis(ms: i64) -> Self {
        Self(ms)
    }

    /// Milliseconds since the Unix epoch.
    pub const fn unix_millis(self) -> i64 {
        self.0
    }

    /// This instant moved `d` later (saturating; sub-millisecond parts are dropped).
    pub fn plus(self, d: Duration) -> Self {
        let ms = i64::try_from(d.as_millis()).unwrap_or(i64::MAX);
        Self(self.0.saturating_add(ms))
    }

    /// The time from `earlier` to `self`, zero if `earlier` is later.
    pub fn since(self, earlier: Timestamp) -> Duration {
        Duration::from_millis(u64::try_from(self.0.saturating_sub(earlier.0)).unwrap_or(0))
    }

    /// ISO-8601 UTC with milliseconds and `Z`, e.g. `2024-01-15T10:30:00.000Z`.
    ///
    /// Returns `None` outside the years 0–9999, which this format cannot write.
    pub fn to_iso8601(self) -> Option<String> {
        let mut buf = [0; ISO8601_LEN];
        self.write_iso8601(&mut buf).map(str::to_owned)
    }

    /// Writes [`Timestamp::to_iso8601`]'s text into `buf`. Every reply and event carries
    /// timestamps, so serializing one must not allocate (`format!` here was a third of the REST
    /// cycle's time in the `ark_core` benchmark).
    fn write_iso8601(self, buf: &mut [u8; ISO8601_LEN]) -> Option<&str> {
        let nanos = i128::from(self.0).checked_mul(1_000_000)?;
        let t = time::OffsetDateTime::from_unix_timestamp_nanos(nanos).ok()?;
        let year = u32::try_from(t.year()).ok().filter(|y| *y <= 9999)?;
        let (hour, minute, second, milli) = t.to_hms_milli();
        buf.copy_from_slice(b"0000-00-00T00:00:00.000Z");
        let fields = [
            (0..4, year),
            (5..7, u32::from(u8::from(t.month()))),
            (8..10, u32::from(t.day())),
            (11..13, u32::from(hour)),
            (14..16, u32::from(minute)),
            (17..19, u32::from(second)),
            (20..23, u32::from(milli)),
        ];
        for (digits, value) in fields {
            write_digits(&mut buf[digits], value);
        }
        std::str::from_utf8(buf).ok()
    }
}

/// Length of `YYYY-MM-DDTHH:MM:SS.mmmZ`.
const ISO8601_LEN: usize = 24;

/// Writes `value` as decimal digits filling `out`, zero-padded on the left (`value` fits).
fn write_digits(out: &mut [u8], mut value: u32) {
    const DIGITS: &[u8; 10] = b"0123456789";
    for digit in out.iter_mut().rev() {
        *digit = DIGITS[(value % 10) as usize];
        value /= 10;
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut buf = [0; ISO8601_LEN];
        match self.write_iso8601(&mut buf) {
            Some(text) => s.serialize_str(text),
            None => Err(serde::ser::Error::custom("timestamp outside years 0-9999")),
        }
    }
}

/// Declares a string enumeration with its exact wire names and a parser.
macro_rules! wire_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($(#[$vm])* $variant),+ }

        impl $name {
            /// Every value, in the document's order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The wire name.
            pub const fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// The value with this wire name, if any (case-sensitive).
            pub fn parse(text: &str) -> Option<Self> {
                match text { $($text => Some($name::$variant),)+ _ => None }
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
    };
}

wire_enum!(
    /// The game of an instance.
    GameType { /** ARK: Survival Ascended. */ Asa = "ASA", /** ARK: Survival Evolved. */ Ase = "ASE" }
);

wire_enum!(
    /// The state of a game-server instance.
    InstanceStatus {
        /// Not running (a new instance's state).
        Stopped = "STOPPED",
        /// Being started.
        Starting = "STARTING",
        /// Running.
        Running = "RUNNING",
        /// Being stopped.
        Stopping = "STOPPING",
        /// Failed.
        Error = "ERROR",
    }
);

wire_enum!(
    /// The level of an instance log entry.
    LogLevel {
        /// Informational.
        Info = "INFO",
        /// Warning.
        Warn = "WARN",
        /// Error.
        Error = "ERROR",
        /// Debugging detail.
        Debug = "DEBUG",
        /// Tracing detail.
        Trace = "TRACE",
    }
);

wire_enum!(
    /// The state of a job.
    JobStatus {
        /// Created (never used by this server: new jobs are queued at once, ark-N4).
        Created = "CREATED",
        /// Waiting for an agent.
        Queued = "QUEUED",
        /// Being worked on.
        Running = "RUNNING",
        /// Finished successfully (terminal).
        Completed = "COMPLETED",
        /// Finished with an error (terminal).
        Failed = "FAILED",
        /// Cancelled (terminal).
        Cancelled = "CANCELLED",
    }
);

impl JobStatus {
    /// True for `COMPLETED`, `FAILED` and `CANCELLED`: no change is allowed any more.
    pub const fn is_terminal(self) -> bool {
        matches!(self, Self::Completed | Self::Failed | Self::Cancelled)
    }
}

wire_enum!(
    /// What a job does.
    JobType {
        /// Install a server build.
        InstallServer = "INSTALL_SERVER",
        /// Update a server build.
        UpdateServer = "UPDATE_SERVER",
        /// Start an instance.
        StartInstance = "START_INSTANCE",
        /// Stop an instance.
        StopInstance = "STOP_INSTANCE",
        /// Restart an instance.
        RestartInstance = "RESTART_INSTANCE",
        /// Back an instance up.
        BackupInstance = "BACKUP_INSTANCE",
        /// Verify a backup.
        VerifyBackup = "VERIFY_BACKUP",
        /// Restore a backup.
        RestoreBackup = "RESTORE_BACKUP",
        /// Prune old backups.
        PruneBackups = "PRUNE_BACKUPS",
        /// Synchronise mods.
        SyncMods = "SYNC_MODS",
        /// Activate a build.
        ActivateBuild = "ACTIVATE_BUILD",
    }
);

/// A registered agent (ark-N4).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Agent {
    /// The id the agent chose.
    pub agent_id: String,
    /// Its host name.
    pub hostname: String,
    /// What it can do: the JSON object it registered with, as given (`{}` if none; A1).
    pub capabilities: Map<String, Value>,
    /// Its software version.
    pub version: String,
    /// The status it last reported (`ONLINE` after registration).
    pub status: String,
    /// When it last registered.
    pub registered_at: Timestamp,
    /// Its last registration or heartbeat.
    pub last_seen_at: Timestamp,
    /// False once silent for three heartbeat intervals (ark-N7).
    pub online: bool,
}

/// A game-server instance (ark-N4).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Instance {
    /// Server-made id.
    pub instance_id: String,
    /// Display name.
    pub name: String,
    /// ASA or ASE.
    pub game_type: GameType,
    /// The agent that hosts it.
    pub agent_id: String,
    /// Free-form configuration object (`{}` by default).
    pub config: Map<String, Value>,
    /// Current status (`STOPPED` when created).
    pub status: InstanceStatus,
    /// Creation time.
    pub created_at: Timestamp,
    /// Last change of name, config or status.
    pub updated_at: Timestamp,
}

/// A job (ark-N4); `job_run_id` is its current run.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Job {
    /// Server-made id.
    pub job_id: String,
    /// What it does.
    pub job_type: JobType,
    /// The instance it concerns, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance_id: Option<String>,
    /// Free-form parameters object.
    pub parameters: Map<String, Value>,
    /// Priority (default 0).
    pub priority: i64,
    /// Current status.
    pub status: JobStatus,
    /// The id of the current run.
    pub job_run_id: String,
    /// Creation time.
    pub created_at: Timestamp,
    /// Last status change.
    pub updated_at: Timestamp,
    /// The result, once completed with one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<Map<String, Value>>,
    /// The error, once failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// One instance log entry, as stored, answered and pushed (`instance:log`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LogEntry {
    /// The instance it belongs to.
    pub instance_id: String,
    /// When the server received it.
    pub timestamp: Timestamp,
    /// Its level.
    pub level: LogLevel,
    /// Its text.
    pub message: String,
}

/// The answer to `DELETE /instances/:id` (ark-N3).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InstanceDeleted {
    /// The deleted instance.
    pub instance_id: String,
    /// When it was deleted.
    pub deleted_at: Timestamp,
}
