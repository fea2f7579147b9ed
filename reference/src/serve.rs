//! Starting and stopping the reference server in-process: one listener per protocol, every
//! port bound before [`start`] returns (port 0 gives an ephemeral port).
//!
//! Prints nothing; the caller reports the endpoints. Only `ark` is served so far; each further
//! protocol adds its settings to [`Config`] and one server to [`Running`].

use crate::ark;
use crate::net::ark::ArkServer;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

/// What to serve and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Address every listener binds (default 127.0.0.1).
    pub host: IpAddr,
    /// The ark server (default port 3003).
    pub ark: ark::Settings,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            ark: ark::Settings::default(),
        }
    }
}

/// One protocol's listening endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// The protocol id (`ark`).
    pub protocol: &'static str,
    /// Its base URL, e.g. `http://127.0.0.1:3003`.
    pub url: String,
    /// The bound address.
    pub addr: SocketAddr,
}

/// The running servers; [`Running::shutdown`] stops them.
#[derive(Debug)]
pub struct Running {
    ark: ArkServer,
}

impl Running {
    /// One endpoint per protocol served, with the real bound addresses.
    pub fn endpoints(&self) -> Vec<Endpoint> {
        let addr = self.ark.addr();
        vec![Endpoint {
            protocol: "ark",
            url: format!("http://{addr}"),
            addr,
        }]
    }

    /// Stops every listener and task.
    pub async fn shutdown(self) {
        self.ark.shutdown().await;
    }
}

/// Binds every port and starts serving. Must be called within a tokio runtime.
pub async fn start(config: Config) -> std::io::Result<Running> {
    let ark = ArkServer::start(config.host, config.ark).await?;
    Ok(Running { ark })
}
