//! Protocol profiles: how the harness talks to one protocol, read from
//! `fixtures/<protocol>/profile.yaml`.
//!
//! A profile is the only protocol knowledge the harness has besides schemas and scenarios:
//! the transport, the paths, the default port and where a message's type is found. It does not
//! describe messages (the schemas do) or behaviour (the scenarios do).

use std::path::{Path, PathBuf};

use serde::Deserialize;

/// The wire transport a protocol uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TransportKind {
    /// Raw WebSocket, one JSON message per text frame.
    Websocket,
    /// socket.io v5 over Engine.IO v4, websocket transport.
    Socketio,
}

impl TransportKind {
    /// The transport's name, for messages (`WebSocket`, `socket.io`).
    pub fn name(self) -> &'static str {
        match self {
            TransportKind::Websocket => "WebSocket",
            TransportKind::Socketio => "socket.io",
        }
    }
}

/// One protocol's profile.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// The protocol id.
    pub protocol: String,
    /// The transport.
    pub transport: TransportKind,
    /// The WebSocket path on the target (raw WebSocket protocols).
    #[serde(default)]
    pub ws_path: String,
    /// The socket.io path (`/socket.io/`), for socket.io protocols.
    #[serde(default)]
    pub socketio_path: Option<String>,
    /// The socket.io namespace (`/`), for socket.io protocols.
    #[serde(default)]
    pub namespace: Option<String>,
    /// The port the protocol's servers listen on by default.
    pub default_port: u16,
    /// JSON pointer to a message's type (`/event`, `/type`).
    pub type_pointer: String,
    /// Schema file every received message must pass first, relative to `schemas/`.
    #[serde(default)]
    pub envelope: Option<String>,
    /// Which messages reach clients other than those they concern: `true` (every event, ark),
    /// a list of message types (a job hub's `job_available` to every idle worker), or `false`.
    /// Sessions sharing a target then see each other's traffic, which they tell apart by their
    /// markers (`exec::markers`). Any other message on a connection is addressed to it: another
    /// session's copy there is a leak, reported under the session that caused it.
    #[serde(default)]
    pub broadcast: Broadcast,
    /// Run variables and their defaults (credentials the scenarios use, e.g. `token_a`);
    /// scenarios write `${var_<name>}`, and `wsconform run --var <name>=<value>` overrides.
    #[serde(default)]
    pub vars: std::collections::BTreeMap<String, String>,
    /// How the protocol frames binary values, so patterns and schemas see their decoded fields
    /// and header ([`crate::binary`]); without it a binary value shows its length and bytes.
    #[serde(default)]
    pub binary: crate::binary::Layout,
}

/// What a protocol sends to every client (see [`Profile::broadcast`]).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum Broadcast {
    /// `true`: every message; `false`: none.
    Every(bool),
    /// Messages of these types.
    Types(Vec<String>),
}

impl Default for Broadcast {
    fn default() -> Broadcast {
        Broadcast::Every(false)
    }
}

impl Broadcast {
    /// Whether anything is broadcast (sessions on a shared target overhear each other).
    pub fn any(&self) -> bool {
        match self {
            Broadcast::Every(every) => *every,
            Broadcast::Types(types) => !types.is_empty(),
        }
    }

    /// Whether messages of type `kind` (none: untyped) go to every client.
    pub fn covers(&self, kind: Option<&str>) -> bool {
        match self {
            Broadcast::Every(every) => *every,
            Broadcast::Types(types) => kind.is_some_and(|k| types.iter().any(|t| t == k)),
        }
    }
}

/// Why a profile could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    /// The file could not be read.
    #[error("cannot read protocol profile {path}: {source}")]
    Read {
        /// The profile file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not a valid profile.
    #[error("invalid protocol profile {path}: {message}")]
    Invalid {
        /// The profile file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

impl Profile {
    /// The path a connection opens on the target: the WebSocket path, or the socket.io path
    /// (`/socket.io/` unless the profile says otherwise).
    pub fn connect_path(&self) -> &str {
        match self.transport {
            TransportKind::Websocket => &self.ws_path,
            TransportKind::Socketio => self.socketio_path.as_deref().unwrap_or("/socket.io/"),
        }
    }

    /// Loads `<fixtures>/<protocol>/profile.yaml`.
    pub fn load(fixtures: &Path, protocol: &str) -> Result<Profile, ProfileError> {
        let path = fixtures.join(protocol).join("profile.yaml");
        let text = std::fs::read_to_string(&path).map_err(|source| ProfileError::Read {
            path: path.clone(),
            source,
        })?;
        let profile: Profile =
            serde_saphyr::from_str(&text).map_err(|error| ProfileError::Invalid {
                path: path.clone(),
                message: error.to_string(),
            })?;
        if profile.protocol != protocol {
            return Err(ProfileError::Invalid {
                path,
                message: format!(
                    "`protocol` is {:?} but the folder is {protocol:?}",
                    profile.protocol
                ),
            });
        }
        if let Some(field) = profile
            .binary
            .fields
            .iter()
            .find(|f| !matches!(f.size, 1 | 2 | 4 | 8))
        {
            return Err(ProfileError::Invalid {
                path,
                message: format!(
                    "binary field {:?} has size {}; sizes are 1, 2, 4 or 8 bytes",
                    field.name, field.size
                ),
            });
        }
        Ok(profile)
    }
}

#[cfg(test)]
mod tests {
    use super::Broadcast;

    fn broadcast(yaml: &str) -> Broadcast {
        serde_saphyr::from_str(yaml).expect("a broadcast value")
    }

    #[test]
    fn broadcast_is_all_none_or_a_list_of_types() {
        assert!(broadcast("true").covers(Some("job_cancelled")));
        assert!(broadcast("true").covers(None));
        assert!(!broadcast("false").any());
        assert!(!broadcast("false").covers(Some("job_cancelled")));
        let some = broadcast("[job_available, system_alert]");
        assert!(some.any());
        assert!(some.covers(Some("job_available")));
        assert!(
            !some.covers(Some("job_update")),
            "a job's updates are addressed"
        );
        assert!(!some.covers(None));
        assert!(!Broadcast::default().any());
    }
}
