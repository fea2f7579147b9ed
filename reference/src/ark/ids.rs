//! Id sources for the ark core: ids are injected so the core stays deterministic in tests.
//!
//! Production uses random UUID v4 ([`UuidV4Ids`]); tests use [`SequentialIds`], whose ids are
//! still well-formed v4-shaped UUIDs, numbered from 1 in the order they are made.

/// Makes the opaque ids of instances, jobs and job runs (C2).
pub trait IdSource: Send {
    /// A new id, never returned before by this source.
    fn next_id(&mut self) -> String;
}

/// Random UUID v4 ids.
#[derive(Debug, Clone, Copy, Default)]
pub struct UuidV4Ids;

impl IdSource for UuidV4Ids {
    fn next_id(&mut self) -> String {
        uuid::Uuid::new_v4().to_string()
    }
}

/// Deterministic ids `00000000-0000-4000-8000-000000000001`, `…002`, … for tests.
#[derive(Debug, Clone, Default)]
pub struct SequentialIds {
    next: u64,
}

impl IdSource for SequentialIds {
    fn next_id(&mut self) -> String {
        self.next += 1;
        format!("00000000-0000-4000-8000-{:012x}", self.next)
    }
}
