//! Bearer tokens (dnaforge-N4): issued by `GET /auth`, bound by the first successful
//! `WebSocketAuth`, dead when their socket closes.
//!
//! Only unbound tokens are stored: a bound token lives in its socket's state and is forgotten
//! with it, and tokens are never issued twice, so "unknown", "bound" and "dead" all read as "not
//! here". Invariant: at most `capacity` tokens are kept; issuing one more forgets the oldest.

use std::collections::{BTreeMap, HashMap};

/// The tokens issued and not yet bound, oldest first.
#[derive(Debug, Clone)]
pub struct Tokens {
    capacity: usize,
    next_seq: u64,
    by_seq: BTreeMap<u64, String>,
    by_token: HashMap<String, u64>,
}

impl Tokens {
    /// No tokens; at most `capacity` (≥ 1) kept.
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            next_seq: 0,
            by_seq: BTreeMap::new(),
            by_token: HashMap::new(),
        }
    }

    /// Keeps a newly issued `token`, forgetting the oldest when full.
    pub fn issue(&mut self, token: String) {
        while self.by_seq.len() >= self.capacity {
            if let Some((_, oldest)) = self.by_seq.pop_first() {
                self.by_token.remove(&oldest);
            }
        }
        self.next_seq += 1;
        self.by_seq.insert(self.next_seq, token.clone());
        self.by_token.insert(token, self.next_seq);
    }

    /// Binds `token` if it is issued and unbound: true, and it is no longer here.
    pub fn bind(&mut self, token: &str) -> bool {
        match self.by_token.remove(token) {
            Some(seq) => {
                self.by_seq.remove(&seq);
                true
            }
            None => false,
        }
    }

    /// Tokens waiting to be bound.
    pub fn unbound(&self) -> usize {
        self.by_seq.len()
    }
}
