//! The string-driven configuration: unknown names are refused with a suggestion; invalid
//! values name the expected syntax and change nothing; repeatable settings replace then append;
//! `serve_only` starts only what it names (ports bound on 127.0.0.1, port 0 or held by the test).

use reference::{Config, ConfigError};
use std::time::Duration;

fn set(config: &mut Config, protocol: &str, setting: &str, value: &str) -> ConfigError {
    config.set(protocol, setting, value).unwrap_err()
}
#[test]
fn unknown_protocols_are_refused_with_a_suggestion() {
    let mut config = Config::default();
    let error = set(&mut config, "jobbr", "port", "0");
    assert_eq!(
        error,
        ConfigError::UnknownProtocol {
            id: "jobbr".to_owned(),
            suggestion: Some("jobber"),
        }
    );
    assert!(
        error.to_string().contains("did you mean \"jobber\"?"),
        "{error}"
    );
    let error = set(&mut config, "zzzzzz", "port", "0");
    assert!(matches!(
        error,
        ConfigError::UnknownProtocol {
            suggestion: None,
            ..
        }
    ));
    assert!(
        error.to_string().contains("known: ark, jobber, emprops"),
        "{error}"
    );
    assert_eq!(config, Config::default());
}

#[test]
fn unknown_settings_are_refused_with_a_suggestion() {
    let mut config = Config::default();
    let error = set(&mut config, "ark", "heartbeat-interval", "1s");
    assert_eq!(
        error,
        ConfigError::UnknownSetting {
            protocol: "ark",
            name: "heartbeat-interval".to_owned(),
            suggestion: Some("heartbeat_interval"),
        }
    );
    assert_eq!(
        error.to_string(),
        "ark has no setting \"heartbeat-interval\" (did you mean \"heartbeat_interval\"?)"
    );
    let error = set(&mut config, "jobber", "tokens", "x");
    assert!(matches!(
        error,
        ConfigError::UnknownSetting {
            suggestion: Some("token"),
            ..
        }
    ));
    // A setting of another protocol is not one of this one's.
    let error = set(&mut config, "ark", "rate_limit", "10/1s");
    assert!(matches!(
        error,
        ConfigError::UnknownSetting {
            suggestion: None,
            ..
        }
    ));
    assert!(
        error
            .to_string()
            .contains("known: port, heartbeat_interval"),
        "{error}"
    );
    assert_eq!(config, Config::default());
}

#[test]
fn invalid_values_name_the_expected_syntax_and_change_nothing() {
    let cases = [
        ("ark", "heartbeat_interval", "30", "250ms"),
        ("ark", "heartbeat_interval", "0s", "positive"),
        ("ark", "port", "65536", "0 to 65535"),
        ("ark", "max_body_bytes", "1MiB", "digits only"),
        ("ark", "token", "", "non-empty"),
        ("jobber", "rate_limit", "10", "<events>/<window>"),
        ("jobber", "rate_limit", "10/0s", "<events>/<window>"),
        (
            "jobber",
            "max_worker_capacity",
            "4294967296",
            "positive integer",
        ),
        ("jobber", "max_batch_jobs", "0", "positive integer"),
        ("jobber", "token", "", "non-empty"),
    ];
    for (p, s, value, expected) in cases {
        let mut config = Config::default();
        let error = set(&mut config, p, s, value);
        let ConfigError::InvalidValue {
            protocol,
            setting,
            value: given,
            expected: syntax,
        } = &error
        else {
            panic!("{p}.{s}={value:?}: {error:?}");
        };
        assert_eq!((*protocol, *setting, given.as_str()), (p, s, value));
        assert!(syntax.contains(expected), "{p}.{s}: {syntax}");
        assert!(
            error
                .to_string()
                .starts_with(&format!("{p} {s}: {value:?} is not valid"))
        );
        assert_eq!(
            config,
            Config::default(),
            "{p}.{s}={value:?} changed the config"
        );
    }
}

#[test]
fn a_repeatable_setting_replaces_its_default_then_appends() {
    let mut config = Config::default();
    assert_eq!(config.jobber.tokens, ["dev-token"]);
    config.set("jobber", "token", "a").unwrap();
    assert_eq!(config.jobber.tokens, ["a"]);
    config.set("jobber", "token", "b").unwrap();
    config.set("jobber", "token", "a").unwrap();
    assert_eq!(config.jobber.tokens, ["a", "b", "a"]);
    // Giving the default itself first still replaces, and the next appends.
    let mut config = Config::default();
    config.set("jobber", "token", "dev-token").unwrap();
    config.set("jobber", "token", "x").unwrap();
    assert_eq!(config.jobber.tokens, ["dev-token", "x"]);
    // A refused value is not the first one.
    let mut config = Config::default();
    set(&mut config, "jobber", "token", "");
    config.set("jobber", "token", "y").unwrap();
    assert_eq!(config.jobber.tokens, ["y"]);
    // A single-valued setting keeps the last value.
    config.set("ark", "token", "one").unwrap();
    config.set("ark", "token", "two").unwrap();
    assert_eq!(config.ark.token.as_deref(), Some("two"));
}

#[test]
fn serve_only_checks_every_id_before_changing_anything() {
    let mut config = Config::default();
    let error = config.serve_only(&["jobber", "jober"]).unwrap_err();
    assert!(matches!(
        error,
        ConfigError::UnknownProtocol {
            suggestion: Some("jobber"),
            ..
        }
    ));
    assert_eq!(config.serve_only(&[]), Err(ConfigError::NothingServed));
    assert!(config.serves("ark") && config.serves("jobber"));
    config.serve_only(&["jobber", "ark", "jobber"]).unwrap();
    let served: Vec<_> = config.served().map(|p| p.id).collect();
    assert_eq!(served, ["ark", "jobber"]);
    config.serve_only(&["jobber"]).unwrap();
    assert!(!config.serves("ark") && config.serves("jobber"));
}

/// The protocol not served is not even bound: its port is held by this test, so starting it
/// would fail with "address in use".
#[tokio::test]
async fn serve_only_starts_only_the_protocols_named() {
    for (served, held) in [("jobber", "ark"), ("ark", "jobber")] {
        let holder = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let held_port = holder.local_addr().unwrap().port();
        let mut config = Config::default();
        config.set(held, "port", &held_port.to_string()).unwrap();
        config.set(served, "port", "0").unwrap();
        config.serve_only(&[served]).unwrap();
        let running = reference::start(config).await.unwrap();
        let endpoints = running.endpoints();
        assert_eq!(endpoints.len(), 1, "{endpoints:?}");
        assert_eq!(endpoints[0].protocol, served);
        assert_ne!(endpoints[0].addr.port(), 0);
        let connected = tokio::time::timeout(
            Duration::from_secs(10),
            tokio::net::TcpStream::connect(endpoints[0].addr),
        )
        .await
        .unwrap();
        assert!(connected.is_ok(), "{served}: {connected:?}");
        running.shutdown().await;
        drop(holder);
    }
}

/// Both protocols with the same held port: the one served second fails to bind, and start
/// reports it (nothing is left running).
#[tokio::test]
async fn a_port_in_use_is_an_error() {
    let holder = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = holder.local_addr().unwrap().port().to_string();
    let mut config = Config::default();
    config.set("ark", "port", "0").unwrap();
    config.set("jobber", "port", &port).unwrap();
    let error = reference::start(config).await.unwrap_err();
    assert_eq!(error.kind(), std::io::ErrorKind::AddrInUse);
}
