//! The value syntax of settings as users type them: ports, durations (`250ms`, `30s`, `1m`,
//! `1h`; delays may also be `0s`), rate limits (`<events>/<window>`, e.g. `10/1s`, or `off`), positive integers (byte
//! sizes and counts, plain digits), non-empty text and user tokens (`TOKEN=userId:tenantId`).
//!
//! Each parser returns [`Invalid`] without saying why: the caller knows which setting it was
//! and words the error with the setting's [`Syntax`](super::Syntax).

use crate::caas::UserToken;
use crate::rate::RateLimit;
use std::time::Duration;

/// A value that does not have the syntax its setting expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Invalid;

/// A TCP port, `0`–`65535` (0 picks an ephemeral port).
pub fn port(text: &str) -> Result<u16, Invalid> {
    digits(text)?.parse().map_err(|_| Invalid)
}

/// A positive integer of type `T` (a byte size or a count), plain decimal digits.
pub fn positive<T: TryFrom<u64>>(text: &str) -> Result<T, Invalid> {
    let n: u64 = digits(text)?.parse().map_err(|_| Invalid)?;
    if n == 0 {
        return Err(Invalid);
    }
    T::try_from(n).map_err(|_| Invalid)
}

/// A non-negative integer, plain digits.
pub fn quantity<T: TryFrom<u64>>(text: &str) -> Result<T, Invalid> {
    let n: u64 = digits(text)?.parse().map_err(|_| Invalid)?;
    T::try_from(n).map_err(|_| Invalid)
}

/// A positive duration: a number (a fraction allowed) and a unit, `ms`, `s`, `m` or `h`.
pub fn duration(text: &str) -> Result<Duration, Invalid> {
    let parsed = delay(text)?;
    if parsed.is_zero() {
        return Err(Invalid);
    }
    Ok(parsed)
}

/// A duration that may be zero (`0s`, `250ms`): a number (a fraction allowed) and a unit, `ms`,
/// `s`, `m` or `h`.
pub fn delay(text: &str) -> Result<Duration, Invalid> {
    let text = text.trim();
    let units = [("ms", 0.001), ("s", 1.0), ("m", 60.0), ("h", 3600.0)];
    let (number, scale) = units
        .iter()
        .find_map(|(unit, scale)| text.strip_suffix(unit).map(|n| (n, *scale)))
        .ok_or(Invalid)?;
    let dots = number.bytes().filter(|&b| b == b'.').count();
    let well_formed = number.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && number.bytes().any(|b| b.is_ascii_digit())
        && dots <= 1;
    if !well_formed {
        return Err(Invalid);
    }
    let value: f64 = number.parse().map_err(|_| Invalid)?;
    Duration::try_from_secs_f64(value * scale).map_err(|_| Invalid)
}

/// `<events>/<window>` (e.g. `10/1s`: at most 10 events per 1 s window), or `off` for none.
pub fn rate_limit(text: &str) -> Result<Option<RateLimit>, Invalid> {
    if text.trim() == "off" {
        return Ok(None);
    }
    let (events, window) = text.split_once('/').ok_or(Invalid)?;
    Ok(Some(RateLimit {
        events: positive(events)?,
        window: duration(window)?,
    }))
}

/// Non-empty text, kept as given.
pub fn text(text: &str) -> Result<String, Invalid> {
    if text.is_empty() {
        return Err(Invalid);
    }
    Ok(text.to_owned())
}

/// A user token: `TOKEN=userId:tenantId` or `TOKEN=userId:tenantId:expiresAt` (ISO-8601 UTC).
pub fn user_token(text: &str) -> Result<UserToken, Invalid> {
    UserToken::parse(text).ok_or(Invalid)
}

/// The text trimmed, if it is one or more ASCII digits.
fn digits(text: &str) -> Result<&str, Invalid> {
    let text = text.trim();
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Invalid);
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_take_a_unit_and_must_be_positive() {
        assert_eq!(duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(duration("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(duration("1m"), Ok(Duration::from_secs(60)));
        assert_eq!(duration("2h"), Ok(Duration::from_secs(7200)));
        assert_eq!(duration(" 15m "), Ok(Duration::from_secs(900)));
        for bad in [
            "", "30", "s", "0s", "0ms", "-1s", "1.2.3s", "1 s", "1d", "abc", "1e3s", ".s",
        ] {
            assert_eq!(duration(bad), Err(Invalid), "{bad:?}");
        }
    }

    #[test]
    fn delays_may_be_zero() {
        assert_eq!(delay("0s"), Ok(Duration::ZERO));
        assert_eq!(delay("0ms"), Ok(Duration::ZERO));
        assert_eq!(delay("15s"), Ok(Duration::from_secs(15)));
        for bad in ["", "0", "-1s", "1 s", "abc"] {
            assert_eq!(delay(bad), Err(Invalid), "{bad:?}");
        }
    }

    #[test]
    fn rate_limits_are_events_per_window_or_off() {
        let ten_per_second = RateLimit {
            events: 10,
            window: Duration::from_secs(1),
        };
        assert_eq!(rate_limit("10/1s"), Ok(Some(ten_per_second)));
        assert_eq!(rate_limit("10 / 1000ms"), Ok(Some(ten_per_second)));
        assert_eq!(rate_limit("off"), Ok(None));
        for bad in [
            "10", "10/", "/1s", "0/1s", "10/0s", "10/1", "x/1s", "10/1s/2", "-1/1s",
        ] {
            assert_eq!(rate_limit(bad), Err(Invalid), "{bad:?}");
        }
    }

    #[test]
    fn integers_are_plain_digits_in_range() {
        assert_eq!(port("0"), Ok(0));
        assert_eq!(port("65535"), Ok(65535));
        assert_eq!(port("65536"), Err(Invalid));
        assert_eq!(port("-1"), Err(Invalid));
        assert_eq!(positive::<usize>("1048576"), Ok(1_048_576));
        assert_eq!(positive::<u32>("4294967296"), Err(Invalid));
        for bad in ["0", "", "1e6", "1_000", "+5", "1 MiB", "1.0"] {
            assert_eq!(positive::<u64>(bad), Err(Invalid), "{bad:?}");
        }
    }

    #[test]
    fn text_must_not_be_empty() {
        assert_eq!(text("tok-a"), Ok("tok-a".to_owned()));
        assert_eq!(text(""), Err(Invalid));
    }
}
