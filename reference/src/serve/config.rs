//! What the reference server serves and how, set either through the typed fields (the crate's
//! own tests) or generically by strings, as a command line gives them: [`Config::set`],
//! [`Config::serve_only`], [`Config::apply_suite_settings`], and [`Config::capabilities`] for
//! what a configuration lets a target declare.
//!
//! Invariant: the protocols served are always known ids, in the order of
//! [`protocols()`](crate::protocols::protocols).

use crate::protocols::{Configurable, Protocol, Refused, nearest, protocol, protocols};
use crate::{ark, caas, dnaforge, emprops, jobber};
use std::net::{IpAddr, Ipv4Addr};

/// What to serve and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Address every listener binds (default 127.0.0.1).
    pub host: IpAddr,
    /// The ark server (default port 3003).
    pub ark: ark::Settings,
    /// The jobber server (default port 3000).
    pub jobber: jobber::Settings,
    /// The emprops hub (default port 3002).
    pub emprops: emprops::Settings,
    /// The caas server (default port 3001).
    pub caas: caas::Settings,
    /// The dnaforge server (default port 8080).
    pub dnaforge: dnaforge::Settings,
    /// What the string interface has chosen so far. Public only so that
    /// `Config { host, ..Config::default() }` works; change it through the methods.
    pub choices: Choices,
}

/// The protocols served, and the repeatable settings already given once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choices {
    served: Vec<&'static str>,
    repeated: Vec<(&'static str, &'static str)>,
}

impl Default for Choices {
    fn default() -> Self {
        Self {
            served: protocols().iter().map(|p| p.id).collect(),
            repeated: Vec::new(),
        }
    }
}

/// A configuration the string interface refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// No protocol has this id.
    #[error("unknown protocol {id:?}{}", hint(*suggestion, &known_ids()))]
    UnknownProtocol {
        /// The id given.
        id: String,
        /// The known id it is nearest to, if any is near.
        suggestion: Option<&'static str>,
    },
    /// The protocol has no setting of this name.
    #[error("{protocol} has no setting {name:?}{}", hint(*suggestion, &known_settings(protocol)))]
    UnknownSetting {
        /// The protocol id.
        protocol: &'static str,
        /// The name given.
        name: String,
        /// The setting it is nearest to, if any is near.
        suggestion: Option<&'static str>,
    },
    /// The value does not have the setting's syntax.
    #[error("{protocol} {setting}: {value:?} is not valid; expected {expected}")]
    InvalidValue {
        /// The protocol id.
        protocol: &'static str,
        /// The setting.
        setting: &'static str,
        /// The value given.
        value: String,
        /// What a valid value looks like.
        expected: &'static str,
    },
    /// `serve_only` was given no protocol.
    #[error("no protocol to serve")]
    NothingServed,
}

/// `(did you mean "x"?)`, or the list of valid names when none is near.
fn hint(suggestion: Option<&str>, known: &str) -> String {
    match suggestion {
        Some(s) => format!(" (did you mean {s:?}?)"),
        None => format!(" (known: {known})"),
    }
}

fn known_ids() -> String {
    let ids: Vec<_> = protocols().iter().map(|p| p.id).collect();
    ids.join(", ")
}

fn known_settings(id: &str) -> String {
    let names: Vec<_> = protocol(id)
        .map(|p| p.settings.iter().map(|s| s.name).collect())
        .unwrap_or_default();
    names.join(", ")
}

impl Default for Config {
    fn default() -> Self {
        Self::new(IpAddr::V4(Ipv4Addr::LOCALHOST))
    }
}

impl Config {
    /// Every protocol, default settings, listening on `host`.
    pub fn new(host: IpAddr) -> Self {
        Self {
            host,
            ark: ark::Settings::default(),
            jobber: jobber::Settings::default(),
            emprops: emprops::Settings::default(),
            caas: caas::Settings::default(),
            dnaforge: dnaforge::Settings::default(),
            choices: Choices::default(),
        }
    }

    /// Serves only these protocols (order and repeats do not matter). Changes nothing when an
    /// id is unknown or the list is empty.
    pub fn serve_only(&mut self, ids: &[&str]) -> Result<(), ConfigError> {
        if ids.is_empty() {
            return Err(ConfigError::NothingServed);
        }
        for id in ids {
            find(id)?;
        }
        self.choices.served = protocols()
            .iter()
            .map(|p| p.id)
            .filter(|id| ids.contains(id))
            .collect();
        Ok(())
    }

    /// Whether protocol `id` is served.
    pub fn serves(&self, id: &str) -> bool {
        self.choices.served.contains(&id)
    }

    /// The protocols served, in the order of `protocols()`.
    pub fn served(&self) -> impl Iterator<Item = &'static Protocol> + '_ {
        protocols().iter().filter(|p| self.serves(p.id))
    }

    /// Parses `value` and applies it to `setting` of `protocol` (served or not). A repeatable
    /// setting's first value replaces its default list; later values are added to it.
    pub fn set(&mut self, protocol: &str, setting: &str, value: &str) -> Result<(), ConfigError> {
        let declared = find(protocol)?;
        let Some(found) = declared.setting(setting) else {
            return Err(ConfigError::UnknownSetting {
                protocol: declared.id,
                name: setting.to_owned(),
                suggestion: nearest(setting, declared.settings.iter().map(|s| s.name)),
            });
        };
        let key = (declared.id, found.name);
        let append = found.repeatable && self.choices.repeated.contains(&key);
        let invalid = || ConfigError::InvalidValue {
            protocol: declared.id,
            setting: found.name,
            value: value.to_owned(),
            expected: found.syntax.expected(),
        };
        let unknown = || ConfigError::UnknownSetting {
            protocol: declared.id,
            name: setting.to_owned(),
            suggestion: None,
        };
        let settings = self.settings_mut(declared.id).ok_or_else(unknown)?;
        match settings.apply(found.name, value, append) {
            Ok(()) => {}
            Err(Refused::Invalid) => return Err(invalid()),
            Err(Refused::Unknown) => return Err(unknown()),
        }
        if found.repeatable && !append {
            self.choices.repeated.push(key);
        }
        Ok(())
    }

    /// Applies the protocol's `suite_settings` in order, as [`Config::set`] would: the settings
    /// under which the conformance suite's defaults hold.
    pub fn apply_suite_settings(&mut self, protocol: &str) -> Result<(), ConfigError> {
        let declared = find(protocol)?;
        for (setting, value) in declared.suite_settings {
            self.set(declared.id, setting, value)?;
        }
        Ok(())
    }

    /// Sets every declared setting that names an environment variable (dnaforge
    /// `access_token` from `ACCESSTOKEN`) to that variable's value, when `lookup` finds it set,
    /// as [`Config::set`] would. Call it before the command line's options, so they win. The
    /// lookup is injected (`|name| std::env::var(name).ok()` in a real server) so tests need
    /// not touch the process environment.
    pub fn apply_environment(
        &mut self,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<(), ConfigError> {
        for declared in protocols() {
            for setting in declared.settings {
                let Some(var) = setting.env else {
                    continue;
                };
                if let Some(value) = lookup(var) {
                    self.set(declared.id, setting.name, &value)?;
                }
            }
        }
        Ok(())
    }

    /// Applies the settings that give `protocol` the optional `capability`; false (and nothing
    /// changed) when it declares no such capability.
    pub fn apply_capability(
        &mut self,
        protocol: &str,
        capability: &str,
    ) -> Result<bool, ConfigError> {
        let declared = find(protocol)?;
        let Some((_, settings)) = declared
            .capability_settings
            .iter()
            .find(|(name, _)| *name == capability)
        else {
            return Ok(false);
        };
        for (setting, value) in *settings {
            self.set(declared.id, setting, value)?;
        }
        Ok(true)
    }

    /// The optional capabilities this configuration gives `protocol` (none for an unknown id),
    /// derived from its settings: ark `short_heartbeat_interval` (ark-N14), jobber
    /// `rate_limit_10_per_second` (jobber-N20), emprops `worker_tokens` (emprops-N27), caas
    /// `rate_limit_10_per_second` (caas-N13), dnaforge `open_access` or `checked_access` (dnaforge-N2). Capabilities
    /// of how a server is run rather than configured (`fresh_state`) are the caller's to add.
    pub fn capabilities(&self, protocol: &str) -> Vec<String> {
        self.settings(protocol)
            .map(Configurable::capabilities)
            .unwrap_or_default()
    }

    fn settings(&self, id: &str) -> Option<&dyn Configurable> {
        match id {
            "ark" => Some(&self.ark),
            "jobber" => Some(&self.jobber),
            "emprops" => Some(&self.emprops),
            "caas" => Some(&self.caas),
            "dnaforge" => Some(&self.dnaforge),
            _ => None,
        }
    }

    fn settings_mut(&mut self, id: &str) -> Option<&mut dyn Configurable> {
        match id {
            "ark" => Some(&mut self.ark),
            "jobber" => Some(&mut self.jobber),
            "emprops" => Some(&mut self.emprops),
            "caas" => Some(&mut self.caas),
            "dnaforge" => Some(&mut self.dnaforge),
            _ => None,
        }
    }
}

/// The declared protocol `id`, or the error naming the nearest one.
fn find(id: &str) -> Result<&'static Protocol, ConfigError> {
    protocol(id).ok_or_else(|| ConfigError::UnknownProtocol {
        id: id.to_owned(),
        suggestion: nearest(id, protocols().iter().map(|p| p.id)),
    })
}
