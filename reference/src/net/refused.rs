//! The socket.io connect refusal of DECISIONS C7, as the jobber and caas drivers return it from
//! their auth middleware: socketioxide writes the error's `Display` as the `connect_error`
//! message, which C7 wants to be the error code alone.
//!
//! socketioxide 0.18 cannot add the `data` half of C7 (jobber-N16, caas connect-error data).

/// A refused connection, shown as its error code.
#[derive(Debug)]
pub(crate) struct Refused(pub(crate) &'static str);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}
