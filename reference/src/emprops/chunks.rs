//! Chunked messages (E10, emprops-N23): chunks are collected per connection and `chunk_id`, in
//! any order; when all are there their bytes are checked against `data_hash` (SHA-256, hex)
//! and the assembled message is answered with `chunked_message_complete`, then handled as if
//! received. A set not complete within `chunk_timeout` is answered with `CHUNK_MISSING`.
//!
//! Limits: a set may hold at most `max_chunked_bytes`; bad chunk fields (index out of range, a
//! repeated index, `total_chunks` or `data_hash` changing, data that is not base64) are
//! `INVALID_PARAMETERS` and change nothing.

use super::HubError;
use super::core::{Core, Emit, Replied};
use super::request::Chunk;
use super::state::{ChunkSet, ConnId, Timer};
use super::wire::Out;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;
use sha2::{Digest, Sha256};

impl Core {
    pub(super) fn chunk(
        &mut self,
        e: &mut Emit,
        conn: ConnId,
        chunk: Chunk,
    ) -> Result<Replied, HubError> {
        let bytes = STANDARD
            .decode(chunk.data.as_bytes())
            .map_err(|_| HubError::invalid("data", "Must be base64", None))?;
        let limit = self.settings.max_chunked_bytes;
        let timeout = self.settings.chunk_timeout;
        let generation = self.seq();
        let Some(c) = self.conns.get_mut(&conn) else {
            return Ok(Replied::Yes);
        };
        let is_new = !c.chunks.contains_key(&chunk.chunk_id);
        let set = c
            .chunks
            .entry(chunk.chunk_id.clone())
            .or_insert_with(|| ChunkSet {
                total: chunk.total,
                data_hash: chunk.data_hash.clone(),
                parts: Vec::new(),
                received: 0,
                bytes: 0,
                generation,
            });
        if let Err(error) = check(set, &chunk, bytes.len(), limit) {
            if is_new {
                c.chunks.remove(&chunk.chunk_id);
            }
            return Err(error);
        }
        if set.parts.is_empty() {
            set.parts = vec![None; set.total as usize];
        }
        set.bytes += bytes.len();
        set.received += 1;
        set.parts[chunk.index as usize] = Some(bytes);
        if set.received < set.total {
            if is_new {
                self.arm(
                    e.now.plus(timeout),
                    Timer::Chunk(conn, chunk.chunk_id, generation),
                );
            }
            return Ok(Replied::No);
        }
        let Some(set) = c.chunks.remove(&chunk.chunk_id) else {
            return Ok(Replied::No);
        };
        self.assemble(e, conn, &chunk.chunk_id, set)
    }

    fn assemble(
        &mut self,
        e: &mut Emit,
        conn: ConnId,
        chunk_id: &str,
        set: ChunkSet,
    ) -> Result<Replied, HubError> {
        let mut whole = Vec::with_capacity(set.bytes);
        for part in set.parts.into_iter().flatten() {
            whole.extend_from_slice(&part);
        }
        let hash = hex(&Sha256::digest(&whole));
        if !hash.eq_ignore_ascii_case(set.data_hash.trim()) {
            return Err(HubError::ChunkHashMismatch {
                chunk_id: chunk_id.to_owned(),
            });
        }
        let text = String::from_utf8_lossy(&whole);
        let parsed = serde_json::from_str::<Value>(&text);
        let shown = match &parsed {
            Ok(value) => value.clone(),
            Err(_) => Value::String(text.to_string()),
        };
        let complete = Out::ChunkedMessageComplete {
            chunk_id,
            total_size: whole.len(),
            assembled_message: &shown,
        };
        e.send(conn, &complete);
        match parsed {
            Ok(value) => self.message(e, conn, value, &text),
            Err(_) => e.error(conn, &HubError::InvalidJson, None),
        }
        Ok(Replied::Yes)
    }

    /// A chunk set's deadline: if it is still incomplete, `CHUNK_MISSING` and it is dropped.
    pub(super) fn chunks_expired(
        &mut self,
        e: &mut Emit,
        conn: ConnId,
        chunk_id: &str,
        generation: u64,
    ) {
        let Some(c) = self.conns.get_mut(&conn) else {
            return;
        };
        if c.chunks
            .get(chunk_id)
            .is_none_or(|s| s.generation != generation)
        {
            return;
        }
        let Some(set) = c.chunks.remove(chunk_id) else {
            return;
        };
        let missing = (0..set.total)
            .filter(|&i| set.parts.get(i as usize).is_none_or(Option::is_none))
            .collect();
        let error = HubError::ChunkMissing {
            chunk_id: chunk_id.to_owned(),
            missing,
        };
        e.error(conn, &error, None);
    }
}

/// Refuses a chunk that does not fit its set.
fn check(set: &ChunkSet, chunk: &Chunk, len: usize, limit: usize) -> Result<(), HubError> {
    if chunk.total != set.total {
        let message = format!("Must stay {} for this chunk_id", set.total);
        return Err(HubError::invalid(
            "total_chunks",
            &message,
            Some(&chunk.total.into()),
        ));
    }
    if chunk.data_hash != set.data_hash {
        return Err(HubError::invalid(
            "data_hash",
            "Must stay the same for this chunk_id",
            Some(&chunk.data_hash.as_str().into()),
        ));
    }
    let index = chunk.index as usize;
    if set.parts.get(index).is_some_and(Option::is_some) {
        return Err(HubError::invalid(
            "chunk_index",
            "This chunk was already received",
            Some(&chunk.index.into()),
        ));
    }
    if set.bytes + len > limit {
        let message = format!("The assembled message would exceed {limit} bytes");
        return Err(HubError::invalid("data", &message, None));
    }
    Ok(())
}

/// Lowercase hexadecimal.
fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    out
}
