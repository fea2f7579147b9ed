//! `wsconform serve`: the reference server as a process. Prints exactly one
//! `listening <protocol> <url>` line per protocol once every port is bound, then serves until
//! interrupted.

use std::io::Write;

use anyhow::{Context, bail};
use harness::scenario::parse_duration;

use super::Exit;
use super::args::ServeArgs;

/// Serves until Ctrl-C.
pub fn serve(args: ServeArgs) -> anyhow::Result<Exit> {
    let Some(heartbeat) = parse_duration(&args.ark_heartbeat_interval) else {
        bail!(
            "--ark-heartbeat-interval {:?} is not a duration (e.g. 30s, 250ms)",
            args.ark_heartbeat_interval
        );
    };
    let mut config = reference::serve::Config {
        host: args.host,
        ..reference::serve::Config::default()
    };
    config.ark.port = args.ark_port;
    config.ark.heartbeat_interval = heartbeat;
    config.jobber.port = args.jobber_port;
    if !args.jobber_tokens.is_empty() {
        config.jobber.tokens = args.jobber_tokens;
    }
    if let Some(limit) = &args.jobber_rate_limit {
        config.jobber.rate_limit = Some(parse_rate_limit(limit)?);
    }
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    runtime.block_on(async {
        let running = reference::serve::start(config)
            .await
            .context("starting the reference server")?;
        for endpoint in running.endpoints() {
            println!("listening {} {}", endpoint.protocol, endpoint.url);
        }
        std::io::stdout().flush()?;
        tokio::signal::ctrl_c()
            .await
            .context("waiting for Ctrl-C")?;
        running.shutdown().await;
        anyhow::Ok(())
    })?;
    Ok(Exit::Conformant)
}

/// `<events>/<window>`, e.g. `10/1s`.
fn parse_rate_limit(text: &str) -> anyhow::Result<reference::jobber::RateLimit> {
    let parsed = text.split_once('/').and_then(|(events, window)| {
        Some(reference::jobber::RateLimit {
            events: events.trim().parse().ok().filter(|n| *n > 0)?,
            window: parse_duration(window.trim()).filter(|w| !w.is_zero())?,
        })
    });
    parsed.ok_or_else(|| {
        anyhow::anyhow!("--jobber-rate-limit {text:?}: expected <events>/<window>, e.g. 10/1s")
    })
}
