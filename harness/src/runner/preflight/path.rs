//! The second check before a run: that the target serves the protocol's transport at the path
//! a connection would use (the target URL's own path, else the profile's `socketio_path` or
//! `ws_path`). A wrong path is one line naming what was tried and how to give another path,
//! instead of one handshake error per scenario.
//!
//! Knows no protocol: the transport and the path come from the profile; the probe is
//! [`crate::transport::probe`]. Bounded by the probe's timeout.

use std::time::Duration;

use crate::profile::Profile;
use crate::transport::address::http_base;
use crate::transport::probe::{Probe, ProbeFailure, probe};

/// `None` when the target serves `profile`'s transport at its path; else the problem, one
/// sentence with the fix.
pub async fn check(profile: &Profile, url: &str, timeout: Duration) -> Option<String> {
    let found = probe(profile.transport, url, profile.connect_path(), timeout).await;
    problem(profile, url, &found)
}

/// The sentence for a probe that found no server of the transport (pure).
fn problem(profile: &Profile, url: &str, found: &Probe) -> Option<String> {
    let failure = found.outcome.as_ref().err()?;
    let transport = profile.transport.name();
    let what = match failure {
        ProbeFailure::NotServed(answer) => {
            format!("no {transport} server at {} ({answer})", found.url)
        }
        ProbeFailure::NoAnswer(reason) => {
            format!("no {transport} server answered at {} ({reason})", found.url)
        }
    };
    let base = http_base(url).unwrap_or_else(|_| url.to_owned());
    Some(format!(
        "{what}; if your server serves {transport} on another path, give that path in the \
         URL: --target {}={base}/<path>",
        profile.protocol
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::TransportKind;

    fn profile(transport: TransportKind) -> Profile {
        Profile {
            protocol: "proto".into(),
            transport,
            ws_path: "/ws".into(),
            socketio_path: None,
            namespace: None,
            default_port: 1,
            type_pointer: "/type".into(),
            envelope: None,
            broadcast: Default::default(),
            vars: Default::default(),
            binary: Default::default(),
        }
    }

    #[test]
    fn a_wrong_path_names_what_was_tried_and_the_fix() {
        let found = Probe {
            url: "ws://127.0.0.1:3000/socket.io/?EIO=4&transport=websocket".into(),
            outcome: Err(ProbeFailure::NotServed("HTTP 404 Not Found".into())),
        };
        let line = problem(
            &profile(TransportKind::Socketio),
            "http://127.0.0.1:3000",
            &found,
        )
        .expect("a problem");
        assert_eq!(
            line,
            "no socket.io server at ws://127.0.0.1:3000/socket.io/?EIO=4&transport=websocket \
             (HTTP 404 Not Found); if your server serves socket.io on another path, give that \
             path in the URL: --target proto=http://127.0.0.1:3000/<path>"
        );
    }

    #[test]
    fn a_served_path_is_no_problem() {
        let found = Probe {
            url: "ws://h:1/ws".into(),
            outcome: Ok(()),
        };
        assert_eq!(
            problem(&profile(TransportKind::Websocket), "ws://h:1", &found),
            None
        );
    }
}
