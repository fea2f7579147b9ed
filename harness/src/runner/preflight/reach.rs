//! The first check before a run: that each external target accepts a TCP connection at all.
//! An unreachable target is one line with a hint, instead of one error verdict per scenario.
//!
//! Knows no protocol: a target is a URL. Does not check paths, handshakes or credentials
//! ([`super::path`] and [`super::variables`] do). Bounded: each check gives up after its timeout.

use std::time::Duration;

use tokio::net::TcpStream;

use super::CONNECT_TIMEOUT;

/// A target that could not be reached, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreachable {
    /// `protocol=url`, as the user wrote it.
    pub target: String,
    /// Why, one sentence, with a hint.
    pub reason: String,
}

/// Checks every `(protocol, url)`; returns those that could not be reached.
pub async fn unreachable_targets(targets: &[(String, String)]) -> Vec<Unreachable> {
    let mut found = Vec::new();
    for (protocol, url) in targets {
        if let Err(reason) = reach(url, CONNECT_TIMEOUT).await {
            found.push(Unreachable {
                target: format!("{protocol}={url}"),
                reason,
            });
        }
    }
    found
}

/// `Ok` when `url`'s host accepts a TCP connection within `timeout`; else why not, with a hint.
pub async fn reach(url: &str, timeout: Duration) -> Result<(), String> {
    let parsed = url::Url::parse(url).map_err(|e| format!("{url} is not a URL: {e}"))?;
    let host = parsed
        .host_str()
        .ok_or_else(|| format!("{url} names no host"))?;
    let port = parsed
        .port_or_known_default()
        .ok_or_else(|| format!("{url} names no port"))?;
    match tokio::time::timeout(timeout, TcpStream::connect((host, port))).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => Err(format!(
            "cannot connect to {host}:{port} ({e}): is the server running, and is the URL right?"
        )),
        Err(_) => Err(format!(
            "{host}:{port} did not accept a connection within {} s: is a firewall in the way?",
            timeout.as_secs_f64()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_listening_port_passes_and_a_closed_one_is_said_once() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a port");
        let open = format!("http://{}", listener.local_addr().expect("an address"));
        let closed_port = {
            let probe = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
            probe.local_addr().expect("an address").port()
        };
        let closed = format!("http://127.0.0.1:{closed_port}");
        let targets = vec![
            ("ark".to_owned(), open),
            ("jobber".to_owned(), closed.clone()),
            ("caas".to_owned(), "not a url".to_owned()),
        ];
        let found = unreachable_targets(&targets).await;
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[0].target, format!("jobber={closed}"));
        assert!(
            found[0].reason.contains("is the server running"),
            "{found:?}"
        );
        assert!(found[1].reason.contains("is not a URL"), "{found:?}");
    }
}
