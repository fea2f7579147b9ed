//! Probes: is a server of this transport at this path? One WebSocket upgrade to the path a
//! connection would use and, for socket.io, the Engine.IO open packet; then the socket is closed.
//!
//! A probe never runs the protocol's own handshake (no socket.io namespace CONNECT, no auth), so
//! it cannot be refused for credentials: it tells a wrong path (an HTTP status instead of the
//! upgrade, or a first frame that is not an Engine.IO open packet) from a server that is there.
//! Bounded: the whole probe gives up after its timeout.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

use super::address::{socketio_endpoint, ws_url};
use super::socketio::{EnginePacket, engine_url};
use crate::profile::TransportKind;

/// What a probe found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    /// The URL the probe opened.
    pub url: String,
    /// `Ok` when a server of the transport answered there.
    pub outcome: Result<(), ProbeFailure>,
}

/// Why no server of the transport answered at the path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProbeFailure {
    /// Something answered, but not as this transport: an HTTP status instead of the upgrade
    /// (`HTTP 404 Not Found`), or a first frame that is not an Engine.IO open packet.
    NotServed(String),
    /// Nothing usable answered: no connection, a URL that cannot be used, or no answer in time.
    NoAnswer(String),
}

/// Probes the `kind` server at `target` (a base URL; its own path, if any, is the path, as for
/// connections) with `default_path` (the profile's) otherwise, within `timeout`.
pub async fn probe(
    kind: TransportKind,
    target: &str,
    default_path: &str,
    timeout: Duration,
) -> Probe {
    let url = match probe_url(kind, target, default_path) {
        Ok(url) => url,
        Err(reason) => {
            return Probe {
                url: target.to_owned(),
                outcome: Err(ProbeFailure::NoAnswer(reason)),
            };
        }
    };
    let outcome = tokio::time::timeout(timeout, open(kind, &url))
        .await
        .unwrap_or_else(|_| {
            Err(ProbeFailure::NoAnswer(format!(
                "no answer within {} s",
                timeout.as_secs_f64()
            )))
        });
    Probe { url, outcome }
}

/// The URL a connection of `kind` would open (without connection-specific query parameters).
fn probe_url(kind: TransportKind, target: &str, default_path: &str) -> Result<String, String> {
    match kind {
        TransportKind::Websocket => ws_url(target, default_path, &[]).map_err(|e| e.to_string()),
        TransportKind::Socketio => {
            let (base, path) = socketio_endpoint(target, default_path);
            engine_url(&base, &path, &[]).map_err(|e| e.to_string())
        }
    }
}

async fn open(kind: TransportKind, url: &str) -> Result<(), ProbeFailure> {
    let (mut stream, _response) = tokio_tungstenite::connect_async(url)
        .await
        .map_err(|error| match error {
            WsError::Http(response) => {
                ProbeFailure::NotServed(format!("HTTP {}", response.status()))
            }
            other => ProbeFailure::NoAnswer(other.to_string()),
        })?;
    let verdict = match kind {
        TransportKind::Websocket => Ok(()),
        TransportKind::Socketio => first_frame_opens(stream.next().await),
    };
    // A courtesy close; the answer does not matter.
    let _ = stream.send(Message::Close(None)).await;
    verdict
}

/// An Engine.IO server's first frame over the websocket transport is its open packet.
fn first_frame_opens(frame: Option<Result<Message, WsError>>) -> Result<(), ProbeFailure> {
    match frame {
        Some(Ok(Message::Text(text))) => match EnginePacket::decode(&text) {
            Ok(EnginePacket::Open(_)) => Ok(()),
            _ => Err(ProbeFailure::NotServed(format!(
                "a first frame that is not an Engine.IO open packet: {}",
                shorten(&text)
            ))),
        },
        Some(Ok(other)) => Err(ProbeFailure::NotServed(format!(
            "a first frame that is not an Engine.IO open packet ({} bytes, not text)",
            other.len()
        ))),
        Some(Err(error)) => Err(ProbeFailure::NoAnswer(error.to_string())),
        None => Err(ProbeFailure::NotServed(
            "a WebSocket closed before any Engine.IO open packet".to_owned(),
        )),
    }
}

/// At most [`SHOWN_CHARS`] characters of what a server sent.
fn shorten(text: &str) -> String {
    match text.char_indices().nth(SHOWN_CHARS) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

/// How much of an unexpected first frame a probe shows.
pub const SHOWN_CHARS: usize = 60;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_open_packet_passes_for_socketio() {
        let open = r#"0{"sid":"x","upgrades":[],"pingInterval":25000,"pingTimeout":20000}"#;
        assert_eq!(first_frame_opens(Some(Ok(Message::text(open)))), Ok(()));
        let other = first_frame_opens(Some(Ok(Message::text("{\"event\":\"hello\"}"))));
        assert!(
            matches!(&other, Err(ProbeFailure::NotServed(s)) if s.contains("{\"event\":\"hello\"}")),
            "{other:?}"
        );
        assert!(matches!(
            first_frame_opens(None),
            Err(ProbeFailure::NotServed(_))
        ));
    }

    #[test]
    fn the_probe_opens_the_path_a_connection_would() {
        let at = |kind, target| probe_url(kind, target, "/socket.io/");
        assert_eq!(
            at(TransportKind::Socketio, "http://h:3000"),
            Ok("ws://h:3000/socket.io/?EIO=4&transport=websocket".to_owned())
        );
        assert_eq!(
            at(TransportKind::Socketio, "http://h:3000/ws"),
            Ok("ws://h:3000/ws/?EIO=4&transport=websocket".to_owned())
        );
        assert_eq!(
            probe_url(TransportKind::Websocket, "http://h:3003", "/ws"),
            Ok("ws://h:3003/ws".to_owned())
        );
    }

    #[test]
    fn long_answers_are_shortened() {
        let long = "x".repeat(SHOWN_CHARS + 10);
        assert_eq!(shorten(&long).chars().count(), SHOWN_CHARS + 1);
        assert_eq!(shorten("short"), "short");
    }
}
