//! What a protocol declaration is: [`Protocol`], its [`Setting`]s and their [`Syntax`], and the
//! [`Configurable`] trait through which a protocol's typed settings take values. The protocols
//! (`ark::declared`, `jobber::declared`) build on this file; the registry (`super`) lists them.

use super::values;

/// One protocol as the reference server declares it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Protocol {
    /// The protocol id (`ark`, `jobber`), as in `scenarios/<id>/`.
    pub id: &'static str,
    /// A one-line title.
    pub title: &'static str,
    /// The port it listens on unless configured.
    pub default_port: u16,
    /// Every setting, `port` first.
    pub settings: &'static [Setting],
    /// Settings under which the conformance suite's defaults hold (what an embedded conformance
    /// run configures), as `(setting, value)` applied in order: ark `heartbeat_interval=250ms`;
    /// jobber `token=tok-a`, `token=tok-b`. Ports are not among them.
    pub suite_settings: &'static [(&'static str, &'static str)],
    /// Optional capabilities the server can be given, each with the settings that give it
    /// (applied after the suite settings): jobber `rate_limit_10_per_second` by
    /// `rate_limit=10/1s`. An embedded run applies them only for the scenarios that require the
    /// capability, since they get in the way of the others (a rate limit of a load).
    pub capability_settings: &'static [Capability],
}

/// An optional capability and the settings that give it.
pub type Capability = (&'static str, &'static [(&'static str, &'static str)]);

impl Protocol {
    /// The setting called `name`.
    pub fn setting(&self, name: &str) -> Option<&'static Setting> {
        self.settings.iter().find(|s| s.name == name)
    }
}

/// One setting of a protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Setting {
    /// Its name, snake_case (`heartbeat_interval`); a command line spells it
    /// `--<protocol>-<name with _ as ->`.
    pub name: &'static str,
    /// What the value is, for usage lines (`DURATION`, `EVENTS/WINDOW`, `BYTES`).
    pub value_name: &'static str,
    /// One line: what it does, its default and the note or decision it implements.
    pub help: &'static str,
    /// The default as users would type it (`30s`, `1048576`), or `none` when unset.
    pub default: &'static str,
    /// Given several times it is a list: the first value replaces the default list, later
    /// values are added to it.
    pub repeatable: bool,
    /// The value syntax.
    pub syntax: Syntax,
    /// The environment variable that sets it when no option does (dnaforge `ACCESSTOKEN`),
    /// read by [`crate::serve::Config::apply_environment`].
    pub env: Option<&'static str>,
}

impl Setting {
    /// A single-valued setting whose value name is the syntax's.
    pub const fn new(
        name: &'static str,
        syntax: Syntax,
        default: &'static str,
        help: &'static str,
    ) -> Self {
        Self {
            name,
            value_name: syntax.value_name(),
            help,
            default,
            repeatable: false,
            syntax,
            env: None,
        }
    }

    /// The same setting, given as a list.
    pub const fn repeatable(self) -> Self {
        Self {
            repeatable: true,
            ..self
        }
    }

    /// The same setting with another value name (`TOKEN` rather than `TEXT`).
    pub const fn value_name(self, value_name: &'static str) -> Self {
        Self { value_name, ..self }
    }

    /// The same setting, also set by the environment variable `var`.
    pub const fn env(self, var: &'static str) -> Self {
        Self {
            env: Some(var),
            ..self
        }
    }
}

/// The syntax of a setting's value (parsed by [`values`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    /// A TCP port, 0 for an ephemeral one.
    Port,
    /// A positive duration with a unit: `250ms`, `30s`, `1m`, `1h`.
    Duration,
    /// A duration with a unit that may be zero: `0s`, `250ms`, `15s`.
    Delay,
    /// `<events>/<window>` (`10/1s`) or `off`.
    RateLimit,
    /// A positive number of bytes, plain digits.
    Bytes,
    /// A positive integer.
    Count,
    /// A non-negative integer.
    Quantity,
    /// Non-empty text.
    Text,
    /// A user token, `TOKEN=userId:tenantId` with an optional `:expiresAt` (caas).
    UserToken,
}

impl Syntax {
    /// The default value name for usage lines.
    pub const fn value_name(self) -> &'static str {
        match self {
            Self::Port => "PORT",
            Self::Duration | Self::Delay => "DURATION",
            Self::RateLimit => "EVENTS/WINDOW",
            Self::Bytes => "BYTES",
            Self::Count | Self::Quantity => "COUNT",
            Self::Text => "TEXT",
            Self::UserToken => "TOKEN=USER:TENANT[:EXPIRES]",
        }
    }

    /// What a valid value looks like, for error messages.
    pub const fn expected(self) -> &'static str {
        match self {
            Self::Port => "a port number from 0 to 65535 (0 picks a free port)",
            Self::Duration => "a positive duration with a unit: 250ms, 30s, 1.5m, 1h",
            Self::Delay => "a duration with a unit, zero allowed: 0s, 250ms, 15s",
            Self::RateLimit => "<events>/<window>, e.g. 10/1s (10 events per 1 s window), or off",
            Self::Bytes => "a positive number of bytes, digits only (e.g. 65536)",
            Self::Count => "a positive integer",
            Self::Quantity => "a non-negative integer",
            Self::Text => "a non-empty string",
            Self::UserToken => {
                "TOKEN=userId:tenantId, or TOKEN=userId:tenantId:expiresAt with an ISO-8601 UTC \
                 date (e.g. tok-alice=alice:t1)"
            }
        }
    }
}

/// Why a protocol's typed settings refused a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refused {
    /// The protocol has no such setting.
    Unknown,
    /// The value does not have the setting's syntax or is out of range.
    Invalid,
}

impl From<values::Invalid> for Refused {
    fn from(_: values::Invalid) -> Self {
        Self::Invalid
    }
}

/// A protocol's typed settings, as the generic configuration sees them.
pub(crate) trait Configurable {
    /// Parses `value` and applies it to the setting `name`. For a repeatable setting, `append`
    /// adds it to the list; otherwise it replaces the list.
    fn apply(&mut self, name: &str, value: &str, append: bool) -> Result<(), Refused>;

    /// The optional capabilities (scenario `requires:` names) these settings give.
    fn capabilities(&self) -> Vec<String>;
}

/// The candidate nearest to `word`, if near enough to be what was meant: at most
/// `max(1, len / 3)` edits away, or a Jaro-Winkler similarity of at least 0.85. The nearest is
/// the one with the fewest edits, then the most similar.
pub(crate) fn nearest(
    word: &str,
    candidates: impl IntoIterator<Item = &'static str>,
) -> Option<&'static str> {
    let mut best: Option<(usize, f64, &'static str)> = None;
    for candidate in candidates {
        let edits = strsim::osa_distance(word, candidate);
        let similarity = strsim::jaro_winkler(word, candidate);
        let near = edits <= (candidate.chars().count() / 3).max(1) || similarity >= 0.85;
        let better = best.is_none_or(|(e, s, _)| edits < e || (edits == e && similarity > s));
        if near && better {
            best = Some((edits, similarity, candidate));
        }
    }
    best.map(|(_, _, c)| c)
}
