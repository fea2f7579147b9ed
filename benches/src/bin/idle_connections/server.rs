//! The child process: the reference server alone, serving one protocol on port 0 with the
//! suite's settings (plus any given), so that its memory is the server's only. Prints
//! `listening <url>` once bound, then serves until its standard input closes (the parent ends
//! or is done), so it never outlives the measurement; it then exits at once, without closing
//! the connections, so that a profiler wrapping it (`--server-wrapper heaptrack`) sees them.

use anyhow::{Context, bail};
use std::io::Write;

/// Runs the server until stdin reaches its end.
pub fn run(protocol: &str, settings: &[String]) -> anyhow::Result<()> {
    let mut config = reference::Config::default();
    config.serve_only(&[protocol])?;
    config.set(protocol, "port", "0")?;
    config.apply_suite_settings(protocol)?;
    for setting in settings {
        let Some((name, value)) = setting.split_once('=') else {
            bail!("--setting {setting:?}: expected <name>=<value>");
        };
        config.set(protocol, name, value)?;
    }
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    runtime.block_on(async {
        let running = reference::start(config)
            .await
            .context("starting the server")?;
        let Some(endpoint) = running.endpoints().into_iter().next() else {
            bail!("the server serves nothing");
        };
        println!("listening {}", endpoint.url);
        std::io::stdout().flush()?;
        tokio::io::copy(&mut tokio::io::stdin(), &mut tokio::io::sink()).await?;
        // Exit with every connection still held: a wrapping profiler reports them as live.
        std::process::exit(0)
    })
}
