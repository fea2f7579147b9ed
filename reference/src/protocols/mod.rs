//! Every protocol the reference server implements, declared as data: its id, default port,
//! settings (names as users type them, value syntax, default, help) and the settings under which
//! the conformance suite's defaults hold.
//!
//! Tools build their options from these declarations (`wsconform serve` derives
//! `--<id>-<setting>` flags), so no protocol name needs to appear in their code. Values are
//! applied through [`crate::serve::Config::set`]; each protocol's own module says how a value
//! maps onto its typed settings and which optional capabilities those settings give.
//!
//! Invariants (tested): every declared setting can be set, and setting its shown default leaves
//! the default configuration unchanged; ids and setting names are snake_case and unique.

pub(crate) mod declaration;
pub mod values;

pub use declaration::{Capability, Protocol, Setting, Syntax};
pub(crate) use declaration::{Configurable, Refused, nearest};

use crate::{ark, caas, dnaforge, emprops, jobber};

/// Every protocol the reference server implements, in a fixed order.
pub fn protocols() -> &'static [Protocol] {
    const PROTOCOLS: &[Protocol] = &[
        ark::declared::PROTOCOL,
        jobber::declared::PROTOCOL,
        emprops::declared::PROTOCOL,
        caas::declared::PROTOCOL,
        dnaforge::declared::PROTOCOL,
    ];
    PROTOCOLS
}

/// The protocol with this id.
pub fn protocol(id: &str) -> Option<&'static Protocol> {
    protocols().iter().find(|p| p.id == id)
}
