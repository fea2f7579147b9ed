//! The protocol declarations as data: unique snake_case names, `port` first, every shown
//! default is the real default, every declared setting is wired to its typed field, and the
//! capabilities follow the settings (ark-N14, jobber-N20, emprops-N27, caas-N13, dnaforge-N2).

use reference::jobber::RateLimit;
use reference::protocols::Syntax;
use reference::{Config, ConfigError, protocol, protocols};
use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

#[test]
fn declarations_are_unique_snake_case_with_port_first() {
    let ids: Vec<_> = protocols().iter().map(|p| p.id).collect();
    assert_eq!(ids, ["ark", "jobber", "emprops", "caas", "dnaforge"]);
    let snake = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
    for p in protocols() {
        assert!(snake(p.id), "{}", p.id);
        assert_eq!(protocol(p.id), Some(p));
        assert_eq!(p.settings[0].name, "port", "{}", p.id);
        assert_eq!(p.settings[0].syntax, Syntax::Port);
        assert_eq!(p.settings[0].default, p.default_port.to_string());
        for (i, s) in p.settings.iter().enumerate() {
            assert!(snake(s.name), "{}.{}", p.id, s.name);
            assert!(
                p.settings[..i].iter().all(|o| o.name != s.name),
                "{}",
                s.name
            );
            assert!(
                s.help.contains("Default"),
                "{}.{} help names no default",
                p.id,
                s.name
            );
            assert!(!s.value_name.is_empty());
        }
    }
    assert_eq!(protocol("nope"), None);
}

#[test]
fn default_ports_are_the_servers_defaults() {
    let config = Config::default();
    assert_eq!(protocol("ark").unwrap().default_port, config.ark.port);
    assert_eq!(protocol("jobber").unwrap().default_port, config.jobber.port);
    assert_eq!(
        protocol("emprops").unwrap().default_port,
        config.emprops.port
    );
    assert_eq!(protocol("caas").unwrap().default_port, config.caas.port);
    let dnaforge = protocol("dnaforge").unwrap().default_port;
    assert_eq!(dnaforge, config.dnaforge.port);
    assert_eq!(config, Config::new(IpAddr::V4(Ipv4Addr::LOCALHOST)));
    let served: Vec<_> = config.served().map(|p| p.id).collect();
    assert_eq!(served, ["ark", "jobber", "emprops", "caas", "dnaforge"]);
}

/// The default shown to users, typed back, is the default: declarations and typed settings
/// cannot drift apart, and every declared setting is wired to a field.
#[test]
fn every_shown_default_sets_the_real_default() {
    for p in protocols() {
        for s in p.settings.iter().filter(|s| s.default != "none") {
            let mut config = Config::default();
            config.set(p.id, s.name, s.default).unwrap();
            assert_eq!(config.ark, Config::default().ark, "{}.{}", p.id, s.name);
            assert_eq!(
                config.emprops,
                Config::default().emprops,
                "{}.{}",
                p.id,
                s.name
            );
            assert_eq!(
                config.jobber,
                Config::default().jobber,
                "{}.{}",
                p.id,
                s.name
            );
            assert_eq!(config.caas, Config::default().caas, "{}.{}", p.id, s.name);
            let dnaforge = Config::default().dnaforge;
            assert_eq!(config.dnaforge, dnaforge, "{}.{}", p.id, s.name);
        }
    }
}

#[test]
fn every_declared_setting_changes_its_field() {
    for p in protocols() {
        for s in p.settings {
            let value = match s.syntax {
                Syntax::Port => "4242",
                Syntax::Duration | Syntax::Delay => "7ms",
                Syntax::RateLimit => "3/7s",
                Syntax::Bytes | Syntax::Count | Syntax::Quantity => "7",
                Syntax::Text => "changed",
                Syntax::UserToken => "changed=u:t",
            };
            let mut config = Config::default();
            config.set(p.id, s.name, value).unwrap();
            assert_ne!(config, Config::default(), "{}.{} set nothing", p.id, s.name);
        }
    }
}

#[test]
fn typed_values_land_in_the_typed_settings() {
    let mut config = Config::default();
    config.set("ark", "heartbeat_interval", "250ms").unwrap();
    config.set("ark", "token", "s3cret").unwrap();
    config.set("ark", "port", "0").unwrap();
    config.set("jobber", "rate_limit", "5/2s").unwrap();
    config.set("jobber", "max_message_bytes", "65536").unwrap();
    config.set("jobber", "default_expire_in", "1m").unwrap();
    assert_eq!(config.ark.heartbeat_interval, Duration::from_millis(250));
    assert_eq!(config.ark.token.as_deref(), Some("s3cret"));
    assert_eq!(config.ark.port, 0);
    let five_per_two = RateLimit {
        events: 5,
        window: Duration::from_secs(2),
    };
    assert_eq!(config.jobber.rate_limit, Some(five_per_two));
    assert_eq!(config.jobber.max_message_bytes, 65536);
    assert_eq!(config.jobber.default_expire_in, Duration::from_secs(60));
    config.set("jobber", "rate_limit", "off").unwrap();
    assert_eq!(config.jobber.rate_limit, None);
}

#[test]
fn suite_settings_give_the_suites_defaults_and_capabilities() {
    let mut config = Config::default();
    assert!(config.capabilities("ark").is_empty());
    assert!(config.capabilities("jobber").is_empty());
    config.apply_suite_settings("ark").unwrap();
    config.apply_suite_settings("jobber").unwrap();
    config.apply_suite_settings("emprops").unwrap();
    let emprops = &config.emprops;
    assert_eq!(emprops.heartbeat_interval, Duration::from_secs(1));
    assert_eq!(emprops.retry_delay, Duration::ZERO);
    assert_eq!(emprops.min_stats_interval, Duration::from_millis(100));
    assert_eq!(emprops.chunk_timeout, Duration::from_secs(1));
    assert_eq!(emprops.max_message_bytes, 65536);
    assert_eq!(emprops.queue_alert_threshold, 15);
    assert!(
        emprops.worker_tokens.is_empty(),
        "tokens only where asked for"
    );
    assert!(config.capabilities("emprops").is_empty());
    assert!(config.apply_capability("emprops", "worker_tokens").unwrap());
    assert_eq!(config.emprops.worker_tokens, ["tok-w"]);
    assert_eq!(config.capabilities("emprops"), ["worker_tokens"]);
    assert_eq!(config.ark.heartbeat_interval, Duration::from_millis(250));
    assert_eq!(config.jobber.tokens, ["tok-a", "tok-b"]);
    assert_eq!(
        config.jobber.rate_limit, None,
        "a rate limit only where asked for"
    );
    assert_eq!(config.capabilities("ark"), ["short_heartbeat_interval"]);
    assert!(config.capabilities("jobber").is_empty());
    assert!(
        config
            .apply_capability("jobber", "rate_limit_10_per_second")
            .unwrap()
    );
    let suite_limit = RateLimit {
        events: 10,
        window: Duration::from_secs(1),
    };
    assert_eq!(config.jobber.rate_limit, Some(suite_limit));
    assert_eq!(config.capabilities("jobber"), ["rate_limit_10_per_second"]);
    assert!(
        !config
            .apply_capability("jobber", "connect_error_data")
            .unwrap()
    );
    let error = config.apply_suite_settings("arc").unwrap_err();
    assert!(matches!(
        error,
        ConfigError::UnknownProtocol {
            suggestion: Some("ark"),
            ..
        }
    ));
}

#[test]
fn capabilities_follow_the_settings() {
    let heartbeat = |value: &str| {
        let mut config = Config::default();
        config.set("ark", "heartbeat_interval", value).unwrap();
        config.capabilities("ark")
    };
    assert_eq!(heartbeat("1s"), ["short_heartbeat_interval"]);
    assert_eq!(heartbeat("10ms"), ["short_heartbeat_interval"]);
    assert!(heartbeat("1001ms").is_empty());
    assert!(heartbeat("30s").is_empty());
    let rate = |value: &str| {
        let mut config = Config::default();
        config.set("jobber", "rate_limit", value).unwrap();
        config.capabilities("jobber")
    };
    assert_eq!(rate("10/1s"), ["rate_limit_10_per_second"]);
    assert_eq!(rate("10/1000ms"), ["rate_limit_10_per_second"]);
    for other in ["9/1s", "11/1s", "10/2s", "20/2s", "10/999ms", "off"] {
        assert!(rate(other).is_empty(), "{other}");
    }
}

#[test]
fn emprops_worker_tokens_follow_the_settings() {
    let tokens = |values: &[&str]| {
        let mut config = Config::default();
        for value in values {
            config.set("emprops", "worker_token", value).unwrap();
        }
        (
            config.emprops.worker_tokens.clone(),
            config.capabilities("emprops"),
        )
    };
    assert_eq!(tokens(&[]), (vec![], vec![]));
    assert_eq!(
        tokens(&["a", "tok-w"]),
        (
            vec!["a".to_owned(), "tok-w".to_owned()],
            vec!["worker_tokens".to_owned()]
        )
    );
    assert_eq!(tokens(&["a"]).1, Vec::<String>::new());
    let mut config = Config::default();
    config.set("emprops", "retry_delay", "0s").unwrap();
    assert_eq!(config.emprops.retry_delay, Duration::ZERO);
    assert!(config.set("emprops", "heartbeat_interval", "0s").is_err());
}

#[test]
fn caas_users_suite_settings_and_capability_follow_the_settings() {
    let mut config = Config::default();
    let dev: Vec<_> = config.caas.users.iter().map(|u| u.token.as_str()).collect();
    assert_eq!(dev, ["dev-token"]);
    assert!(config.capabilities("caas").is_empty());
    config.apply_suite_settings("caas").unwrap();
    let users: Vec<_> = config
        .caas
        .users
        .iter()
        .map(|u| {
            let expires = u.expires_at.map(|t| t.unix_millis());
            (
                u.token.as_str(),
                u.user_id.as_str(),
                u.tenant_id.as_str(),
                expires,
            )
        })
        .collect();
    assert_eq!(
        users,
        [
            ("tok-alice", "alice", "t1", None),
            ("tok-bob", "bob", "t1", None),
            ("tok-carol", "carol", "t2", None),
            ("tok-erin", "erin", "t1", None),
            ("tok-expired", "dave", "t1", Some(1_577_836_800_000)),
        ]
    );
    assert_eq!(config.caas.typing_timeout, Duration::from_millis(500));
    assert_eq!(config.caas.call_ring_timeout, Duration::from_secs(1));
    assert_eq!(config.caas.max_binary_bytes, 65536);
    assert_eq!(
        config.caas.rate_limit, None,
        "a rate limit only where asked for"
    );
    assert!(config.capabilities("caas").is_empty());
    assert!(
        config
            .apply_capability("caas", "rate_limit_10_per_second")
            .unwrap()
    );
    assert_eq!(config.capabilities("caas"), ["rate_limit_10_per_second"]);
    for bad in ["alice:t1", "tok=alice", "tok=alice:t1:tomorrow", ""] {
        let error = config.set("caas", "user", bad).unwrap_err();
        assert!(
            matches!(
                error,
                ConfigError::InvalidValue {
                    setting: "user",
                    ..
                }
            ),
            "{bad:?}: {error}"
        );
    }
}

#[test]
fn dnaforge_access_token_from_the_environment_and_open_access() {
    let mut config = Config::default();
    assert_eq!(config.capabilities("dnaforge"), ["open_access"]);
    config.apply_suite_settings("dnaforge").unwrap();
    let suite = reference::dnaforge::declared::SUITE_ACCESS_TOKEN;
    assert_eq!(config.dnaforge.access_token.as_deref(), Some(suite));
    assert_eq!(config.capabilities("dnaforge"), ["checked_access"]);
    assert!(config.apply_capability("dnaforge", "open_access").unwrap());
    assert_eq!(config.capabilities("dnaforge"), ["open_access"]);
    assert!(
        config
            .apply_capability("dnaforge", "checked_access")
            .unwrap()
    );
    assert_eq!(config.capabilities("dnaforge"), ["checked_access"]);
    // ACCESSTOKEN sets it (the lookup is injected); other variables do nothing.
    let env =
        |value: &'static str| move |name: &str| (name == "ACCESSTOKEN").then(|| value.to_owned());
    let mut config = Config::default();
    config.apply_environment(env("s3cret")).unwrap();
    assert_eq!(config.dnaforge.access_token.as_deref(), Some("s3cret"));
    assert_eq!(config.capabilities("dnaforge"), ["checked_access"]);
    let mut unchanged = Config::default();
    unchanged.apply_environment(|_| None).unwrap();
    assert_eq!(unchanged, Config::default());
    for blank in ["", "  "] {
        let mut config = Config::default();
        config.apply_environment(env(blank)).unwrap();
        assert_eq!(
            config.capabilities("dnaforge"),
            ["open_access"],
            "{blank:?}"
        );
    }
    let env_vars: Vec<_> = protocols()
        .iter()
        .flat_map(|p| p.settings.iter().filter_map(|s| s.env))
        .collect();
    assert_eq!(env_vars, ["ACCESSTOKEN"]);
}
