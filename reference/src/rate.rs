//! Per-connection rate limits as jobber (J14) and caas (K9) count them: at most `events` client
//! events per fixed window, the window starting with the first event after the previous one
//! ended. Sans-IO: the caller passes the time.
//!
//! Invariant: an event refused by [`RateWindow::admit`] is not counted, so a client that
//! waits for `retry_after` is admitted again.

use crate::ark::Timestamp;
use std::time::Duration;

/// A rate limit: at most `events` client events per `window`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Events allowed per window.
    pub events: u32,
    /// The fixed window the events are counted in.
    pub window: Duration,
}

/// One connection's count in its current window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateWindow {
    start: Timestamp,
    events: u32,
}

impl RateWindow {
    /// A window opening at `now` (a connection's connect) with nothing counted.
    pub fn new(now: Timestamp) -> Self {
        Self {
            start: now,
            events: 0,
        }
    }

    /// Counts one event at `now`; over `limit` it is refused with the time left until the
    /// window ends (at least 1 ms) and not counted.
    pub fn admit(&mut self, limit: RateLimit, now: Timestamp) -> Result<(), Duration> {
        if now.since(self.start) >= limit.window || now < self.start {
            *self = Self::new(now);
        }
        if self.events >= limit.events {
            let left = limit.window.saturating_sub(now.since(self.start));
            return Err(left.max(Duration::from_millis(1)));
        }
        self.events += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_event_over_the_limit_waits_for_the_window_to_end() {
        let limit = RateLimit {
            events: 2,
            window: Duration::from_secs(1),
        };
        let t0 = Timestamp::from_unix_millis(10_000);
        let at = |ms: i64| Timestamp::from_unix_millis(10_000 + ms);
        let mut window = RateWindow::new(t0);
        assert_eq!(window.admit(limit, at(0)), Ok(()));
        assert_eq!(window.admit(limit, at(100)), Ok(()));
        assert_eq!(
            window.admit(limit, at(250)),
            Err(Duration::from_millis(750))
        );
        assert_eq!(window.admit(limit, at(999)), Err(Duration::from_millis(1)));
        assert_eq!(window.admit(limit, at(1000)), Ok(()), "a new window");
        assert_eq!(window.admit(limit, at(1001)), Ok(()));
        assert_eq!(
            window.admit(limit, at(1002)),
            Err(Duration::from_millis(998))
        );
    }
}
