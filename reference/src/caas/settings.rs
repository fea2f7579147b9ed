//! The caas server's settings: every limit and clock is named here with its default (C4,
//! `scenarios/caas/NOTES.md` caas-N2, N9, N11–N13, N15). The declaration (`declared.rs`) says
//! how strings set them.

use crate::ark::Timestamp;
use std::time::Duration;

pub use crate::rate::RateLimit;

/// The user every default configuration accepts: token `dev-token`, user `dev`, tenant `dev`,
/// so that a local client can connect without configuration (as jobber's `dev-token`).
pub const DEV_USER: &str = "dev-token=dev:dev";

/// One configured user token (caas-N2): `token=userId:tenantId[:expiresAt]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserToken {
    /// The `auth.token` value.
    pub token: String,
    /// The user it names.
    pub user_id: String,
    /// The user's tenant.
    pub tenant_id: String,
    /// From this instant on the token is `TOKEN_EXPIRED`; `None` never expires.
    pub expires_at: Option<Timestamp>,
}

impl UserToken {
    /// Parses `TOKEN=userId:tenantId` or `TOKEN=userId:tenantId:expiresAt` (ISO-8601 UTC,
    /// RFC 3339). Every part is non-empty; the token has no `=`, the ids no `:`.
    pub fn parse(text: &str) -> Option<Self> {
        let (token, rest) = text.split_once('=')?;
        let mut parts = rest.splitn(3, ':');
        let user_id = parts.next()?;
        let tenant_id = parts.next()?;
        let expires_at = match parts.next() {
            None => None,
            Some(date) => Some(parse_date(date)?),
        };
        let non_empty = !token.is_empty() && !user_id.is_empty() && !tenant_id.is_empty();
        non_empty.then(|| Self {
            token: token.to_owned(),
            user_id: user_id.to_owned(),
            tenant_id: tenant_id.to_owned(),
            expires_at,
        })
    }
}

/// An RFC 3339 date as a timestamp (milliseconds, anything finer dropped).
fn parse_date(text: &str) -> Option<Timestamp> {
    let date =
        time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).ok()?;
    let ms = i64::try_from(date.unix_timestamp_nanos() / 1_000_000).ok()?;
    Some(Timestamp::from_unix_millis(ms))
}

/// Settings of the caas server (port, users, clocks, limits).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// TCP port of the socket.io server (`/socket.io/`, caas-N1); 0 picks an ephemeral port.
    /// Default 3001.
    pub port: u16,
    /// The accepted `auth.token` values, each naming a user of a tenant (K1, caas-N2).
    /// Default [`DEV_USER`] alone.
    pub users: Vec<UserToken>,
    /// Users made for load plans, besides `users` (caas-N22): `member-1` … `member-N` of
    /// tenant `load`, tokens `tok-member-1` … `tok-member-N`. Default 0.
    pub load_users: u32,
    /// How long a `typing:start` lasts without another (K5, caas-N9). Default 5 s.
    pub typing_timeout: Duration,
    /// How long a call rings before it ends unanswered (caas-N11). Default 30 s.
    pub call_ring_timeout: Duration,
    /// Per-socket rate limit on client events (K9, caas-N13). Default off.
    pub rate_limit: Option<RateLimit>,
    /// Longest `content` of a message, in characters (caas-N7). Default 4000.
    pub max_content_chars: usize,
    /// Largest `binary` buffer; larger is `INVALID_PAYLOAD` (caas-N12). Default 1 MiB.
    pub max_binary_bytes: usize,
    /// Largest socket.io packet accepted; a larger one closes that connection (engine.io
    /// `max_payload`, caas-N15). Default 1 MiB.
    pub max_message_bytes: u64,
    /// Conversations one user may be a member of; one more join is `INVALID_PAYLOAD`
    /// (caas-N15). Default 1000.
    pub max_conversations_per_user: usize,
    /// Messages kept per conversation for edits and deletes; the oldest are forgotten first
    /// (caas-N15). Default 10 000.
    pub max_messages_kept: usize,
    /// Calls one user may have started and not yet ended (ringing or answered); one more
    /// `call:initiate` is `INVALID_PAYLOAD` (C4). Default 100.
    pub max_calls_per_user: usize,
    /// How long shutdown waits for open connections. Default 1 s.
    pub close_grace: Duration,
    /// Bytes a WebSocket connection reads at a time, allocated for the connection's life
    /// (engineioxide `ws_read_buffer_size`). Default 1024.
    pub ws_read_buffer_bytes: usize,
    /// Packets one socket may have waiting to be written (engineioxide `max_buffer_size`); an
    /// emit or ack beyond it is not sent (logged). Default 128.
    pub max_queued_packets: usize,
}

/// The tenant of the load users (caas-N22).
pub const LOAD_TENANT: &str = "load";

impl Settings {
    /// Every accepted token: `users`, then the `load_users` (caas-N22).
    pub fn all_users(&self) -> impl Iterator<Item = UserToken> + '_ {
        let load = (1..=self.load_users).map(|n| UserToken {
            token: format!("tok-member-{n}"),
            user_id: format!("member-{n}"),
            tenant_id: LOAD_TENANT.to_owned(),
            expires_at: None,
        });
        self.users.iter().cloned().chain(load)
    }
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            port: 3001,
            users: UserToken::parse(DEV_USER).into_iter().collect(),
            load_users: 0,
            typing_timeout: Duration::from_secs(5),
            call_ring_timeout: Duration::from_secs(30),
            rate_limit: None,
            max_content_chars: 4000,
            max_binary_bytes: 1024 * 1024,
            max_message_bytes: 1024 * 1024,
            max_conversations_per_user: 1000,
            max_messages_kept: 10_000,
            max_calls_per_user: 100,
            close_grace: Duration::from_secs(1),
            ws_read_buffer_bytes: 1024,
            max_queued_packets: 1024,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_tokens_name_a_user_a_tenant_and_maybe_an_expiry() {
        let alice = UserToken::parse("tok-alice=alice:t1");
        assert_eq!(
            alice,
            Some(UserToken {
                token: "tok-alice".into(),
                user_id: "alice".into(),
                tenant_id: "t1".into(),
                expires_at: None,
            })
        );
        let dave = UserToken::parse("tok-expired=dave:t1:2020-01-01T00:00:00Z");
        let expiry = dave.and_then(|d| d.expires_at).map(Timestamp::unix_millis);
        assert_eq!(expiry, Some(1_577_836_800_000));
        let offset = UserToken::parse("t=u:v:2020-01-01T01:00:00.5+01:00");
        let expiry = offset
            .and_then(|d| d.expires_at)
            .map(Timestamp::unix_millis);
        assert_eq!(expiry, Some(1_577_836_800_500));
        for bad in [
            "",
            "tok",
            "tok=",
            "tok=alice",
            "tok=alice:",
            "=alice:t1",
            "tok=:t1",
            "tok=a:t:yesterday",
            "tok=a:t:",
            "tok=a:t:2020-01-01",
        ] {
            assert_eq!(UserToken::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn load_users_come_after_the_configured_ones_in_a_tenant_of_their_own() {
        let settings = Settings {
            load_users: 3,
            ..Settings::default()
        };
        let users: Vec<(String, String, String)> = settings
            .all_users()
            .map(|u| (u.token, u.user_id, u.tenant_id))
            .collect();
        let row = |t: &str, u: &str, n: &str| (t.to_owned(), u.to_owned(), n.to_owned());
        assert_eq!(
            users,
            vec![
                row("dev-token", "dev", "dev"),
                row("tok-member-1", "member-1", LOAD_TENANT),
                row("tok-member-2", "member-2", LOAD_TENANT),
                row("tok-member-3", "member-3", LOAD_TENANT),
            ]
        );
        assert_eq!(Settings::default().all_users().count(), 1);
    }
}
