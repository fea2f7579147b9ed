//! The per-socket rate limit (K9, caas-N13): at most `events` client events per fixed window
//! of each socket; the one over it is `RATE_LIMITED` with `retryAfter` the milliseconds until
//! the window ends, and is not processed (nor counted). Off by default.

use super::CaasError;
use super::core::{ConnId, Core};
use crate::ark::Timestamp;

impl Core {
    /// Counts one event of `conn` against the rate limit.
    pub(super) fn count_event(&mut self, now: Timestamp, conn: ConnId) -> Result<(), CaasError> {
        let (Some(limit), Some(c)) = (self.settings.rate_limit, self.conns.get_mut(&conn)) else {
            return Ok(());
        };
        c.rate
            .admit(limit, now)
            .map_err(|left| CaasError::RateLimited {
                retry_after_ms: u64::try_from(left.as_millis()).unwrap_or(u64::MAX),
            })
    }
}
