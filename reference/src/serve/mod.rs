//! Starting and stopping the reference server in-process: one listener per protocol served,
//! every port bound before [`start`] returns (port 0 gives an ephemeral port).
//!
//! Prints nothing; the caller reports the endpoints. A further protocol adds its settings to
//! [`Config`] (a field and one arm in its dispatch) and one server to [`Running`].

mod config;

pub use config::{Choices, Config, ConfigError};

use crate::net::ark::ArkServer;
use crate::net::caas::CaasServer;
use crate::net::dnaforge::DnaforgeServer;
use crate::net::emprops::EmpropsServer;
use crate::net::jobber::JobberServer;
use std::net::SocketAddr;

/// One protocol's listening endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// The protocol id (`ark`, `jobber`, `emprops`, `caas`, `dnaforge`).
    pub protocol: &'static str,
    /// Its base URL, e.g. `http://127.0.0.1:3003`.
    pub url: String,
    /// The bound address.
    pub addr: SocketAddr,
}

impl Endpoint {
    fn new(protocol: &'static str, addr: SocketAddr) -> Self {
        Self {
            protocol,
            url: format!("http://{addr}"),
            addr,
        }
    }
}

/// The running servers, those the configuration served; [`Running::shutdown`] stops them.
#[derive(Debug)]
pub struct Running {
    ark: Option<ArkServer>,
    jobber: Option<JobberServer>,
    emprops: Option<EmpropsServer>,
    caas: Option<CaasServer>,
    dnaforge: Option<DnaforgeServer>,
}

impl Running {
    /// One endpoint per protocol served, in the order of `protocols()`, with the real bound
    /// addresses.
    pub fn endpoints(&self) -> Vec<Endpoint> {
        let ark = self.ark.as_ref().map(|s| Endpoint::new("ark", s.addr()));
        let jobber = self
            .jobber
            .as_ref()
            .map(|s| Endpoint::new("jobber", s.addr()));
        let emprops = self
            .emprops
            .as_ref()
            .map(|s| Endpoint::new("emprops", s.addr()));
        let caas = self.caas.as_ref().map(|s| Endpoint::new("caas", s.addr()));
        let dnaforge = self
            .dnaforge
            .as_ref()
            .map(|s| Endpoint::new("dnaforge", s.addr()));
        [ark, jobber, emprops, caas, dnaforge]
            .into_iter()
            .flatten()
            .collect()
    }

    /// Stops every listener and task.
    pub async fn shutdown(self) {
        if let Some(ark) = self.ark {
            ark.shutdown().await;
        }
        if let Some(jobber) = self.jobber {
            jobber.shutdown().await;
        }
        if let Some(emprops) = self.emprops {
            emprops.shutdown().await;
        }
        if let Some(caas) = self.caas {
            caas.shutdown().await;
        }
        if let Some(dnaforge) = self.dnaforge {
            dnaforge.shutdown().await;
        }
    }
}

/// Binds the port of every protocol served and starts serving. Must be called within a tokio
/// runtime. On an error, what was already started is stopped.
pub async fn start(config: Config) -> std::io::Result<Running> {
    let (serve_ark, serve_jobber) = (config.serves("ark"), config.serves("jobber"));
    let (serve_emprops, serve_caas) = (config.serves("emprops"), config.serves("caas"));
    let serve_dnaforge = config.serves("dnaforge");
    let ark = if serve_ark {
        Some(ArkServer::start(config.host, config.ark).await?)
    } else {
        None
    };
    let jobber = if serve_jobber {
        Some(JobberServer::start(config.host, config.jobber).await?)
    } else {
        None
    };
    let emprops = if serve_emprops {
        Some(EmpropsServer::start(config.host, config.emprops).await?)
    } else {
        None
    };
    let caas = if serve_caas {
        Some(CaasServer::start(config.host, config.caas).await?)
    } else {
        None
    };
    let dnaforge = if serve_dnaforge {
        Some(DnaforgeServer::start(config.host, config.dnaforge).await?)
    } else {
        None
    };
    Ok(Running {
        ark,
        jobber,
        emprops,
        caas,
        dnaforge,
    })
}
