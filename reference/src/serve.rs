//! Starting and stopping the reference server in-process: one listener per protocol, every
//! port bound before [`start`] returns (port 0 gives an ephemeral port).
//!
//! Prints nothing; the caller reports the endpoints. `ark` and `jobber` are served so far; each
//! further protocol adds its settings to [`Config`] and one server to [`Running`].

use crate::ark;
use crate::jobber;
use crate::net::ark::ArkServer;
use crate::net::jobber::JobberServer;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

/// What to serve and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Address every listener binds (default 127.0.0.1).
    pub host: IpAddr,
    /// The ark server (default port 3003).
    pub ark: ark::Settings,
    /// The jobber server (default port 3000).
    pub jobber: jobber::Settings,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            ark: ark::Settings::default(),
            jobber: jobber::Settings::default(),
        }
    }
}

/// One protocol's listening endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// The protocol id (`ark`, `jobber`).
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
    jobber: JobberServer,
}

impl Running {
    /// One endpoint per protocol served, with the real bound addresses.
    pub fn endpoints(&self) -> Vec<Endpoint> {
        let addr = self.ark.addr();
        let jobber = self.jobber.addr();
        vec![
            Endpoint {
                protocol: "ark",
                url: format!("http://{addr}"),
                addr,
            },
            Endpoint {
                protocol: "jobber",
                url: format!("http://{jobber}"),
                addr: jobber,
            },
        ]
    }

    /// Stops every listener and task.
    pub async fn shutdown(self) {
        self.ark.shutdown().await;
        self.jobber.shutdown().await;
    }
}

/// Binds every port and starts serving. Must be called within a tokio runtime.
pub async fn start(config: Config) -> std::io::Result<Running> {
    let ark = ArkServer::start(config.host, config.ark).await?;
    let jobber = JobberServer::start(config.host, config.jobber).await?;
    Ok(Running { ark, jobber })
}
