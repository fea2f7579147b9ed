//! Checks before a run, said once: that each external target accepts a TCP connection at all.
//! An unreachable target is one line with a hint, instead of one error verdict per scenario.
//!
//! Knows no protocol: a target is a URL. Does not check paths, handshakes or credentials (the
//! scenarios do). Bounded: each check gives up after its timeout.

use std::time::Duration;

use tokio::net::TcpStream;

/// How long one target may take to accept a TCP connection.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

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
        if let Err(reason) = reach(url).await {
            found.push(Unreachable {
                target: format!("{protocol}={url}"),
                reason,
            });
        }
    }
    found
}

async fn reach(url: &str) -> Result<(), String> {
    let parsed = url::Url::parse(url).map_err(|e| format!("{url} is not a URL: {e}"))?;
    let host = parsed
        .host_str()
        .ok_or_else(|| format!("{url} names no host"))?;
    let port = parsed
        .port_or_known_default()
        .ok_or_else(|| format!("{url} names no port"))?;
    match tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect((host, port))).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => Err(format!(
            "cannot connect to {host}:{port} ({e}): is the server running, and is the URL right?"
        )),
        Err(_) => Err(format!(
            "{host}:{port} did not accept a connection within {} s: is a firewall in the way?",
            CONNECT_TIMEOUT.as_secs()
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
