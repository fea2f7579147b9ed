//! Test support: a reference jobber server with default settings on 127.0.0.1, port 0.
#![allow(clippy::unwrap_used)]

use reference::jobber::Settings;
use reference::net::jobber::JobberServer;
use std::net::{IpAddr, Ipv4Addr};

/// Starts a fresh server; its address is bound when this returns.
pub async fn start() -> JobberServer {
    start_with(Settings::default()).await
}

/// Starts a fresh server with `settings` on port 0.
pub async fn start_with(settings: Settings) -> JobberServer {
    let settings = Settings {
        port: 0,
        ..settings
    };
    JobberServer::start(IpAddr::V4(Ipv4Addr::LOCALHOST), settings)
        .await
        .unwrap()
}
