//! `wsconform serve`: the reference server as a process. Its options come from the protocols'
//! own declarations (`--<protocol>-<setting>`), so a new protocol adds options without code
//! here. Prints exactly one `listening <protocol> <url>` line per protocol once every port is
//! bound, then serves until interrupted.

use std::io::Write;

use anyhow::Context;
use clap::{Arg, ArgAction, ArgMatches, Command};
use harness::embedded::{Config, protocols, start};

use super::Exit;
use super::args::ServeArgs;

/// The option id (and long flag) of a protocol's setting: `ark-heartbeat-interval`.
fn option_id(protocol: &str, setting: &str) -> String {
    format!("{protocol}-{}", setting.replace('_', "-"))
}

/// Adds one option per declared setting to the `serve` command.
pub fn with_settings(command: Command) -> Command {
    let mut command = command;
    for protocol in protocols() {
        for setting in protocol.settings {
            let id = option_id(protocol.id, setting.name);
            let help = format!("{}: {}", protocol.id, setting.help);
            let arg = Arg::new(id.clone())
                .long(id)
                .value_name(setting.value_name)
                .help(help)
                .action(if setting.repeatable {
                    ArgAction::Append
                } else {
                    ArgAction::Set
                });
            command = command.arg(arg);
        }
    }
    command
}

/// Serves until Ctrl-C.
pub fn serve(args: ServeArgs, settings: &ArgMatches) -> anyhow::Result<Exit> {
    let config = configure(&args, settings)?;
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    runtime.block_on(async {
        let running = start(config)
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

/// The configuration the options give: protocols served, suite settings, the settings the
/// environment gives, then each setting in the order the declarations list them.
fn configure(args: &ServeArgs, settings: &ArgMatches) -> anyhow::Result<Config> {
    let mut config = Config::new(args.host);
    if !args.only.is_empty() {
        let only: Vec<&str> = args.only.iter().map(String::as_str).collect();
        config.serve_only(&only)?;
    }
    if args.suite_settings {
        for protocol in protocols() {
            config.apply_suite_settings(protocol.id)?;
        }
    }
    // Settings a declaration ties to an environment variable; the options below win.
    config.apply_environment(|name| std::env::var(name).ok())?;
    for protocol in protocols() {
        for setting in protocol.settings {
            let id = option_id(protocol.id, setting.name);
            let Ok(Some(values)) = settings.try_get_many::<String>(&id) else {
                continue;
            };
            for value in values {
                config
                    .set(protocol.id, setting.name, value)
                    .with_context(|| format!("--{id} {value}"))?;
            }
        }
    }
    Ok(config)
}
