//! The kinds of corruption of one server message ([`Operator`]), apart from the functions that
//! enumerate and apply them ([`super::operators`], [`super::fields`]), which both name them.

use serde::{Deserialize, Serialize};

/// A kind of corruption of one server message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Operator {
    /// The message is not delivered.
    Drop,
    /// The message is delivered twice.
    Duplicate,
    /// The message is delivered after the next message on its connection.
    Reorder,
    /// The message is held for the run's delay while later messages pass it.
    Delay,
    /// An object member (or array element) is removed.
    DropField,
    /// An object member's key is renamed.
    RenameField,
    /// A value changes JSON type (string↔number, bool→string, object↔array, null→number).
    RetypeField,
    /// A value becomes `null`.
    NullField,
    /// A scalar keeps its type and format but changes (a string's last character, a number + 1,
    /// a boolean negated, a timestamp one hour later).
    ChangeValue,
    /// An RFC 3339 timestamp is written in another format.
    BreakTimestamp,
    /// The message type is renamed.
    RenameType,
    /// A socket.io ACK answers another ack id.
    ShiftAckId,
    /// A socket.io CONNECT's content: `sid` missing, empty, a number, or no data at all.
    ConnectContent,
}

impl Operator {
    /// Every operator, in report order.
    pub const ALL: [Operator; 13] = [
        Operator::Drop,
        Operator::Duplicate,
        Operator::Reorder,
        Operator::Delay,
        Operator::DropField,
        Operator::RenameField,
        Operator::RetypeField,
        Operator::NullField,
        Operator::ChangeValue,
        Operator::BreakTimestamp,
        Operator::RenameType,
        Operator::ShiftAckId,
        Operator::ConnectContent,
    ];

    /// The operator's name in reports and allow-lists (`drop_field`).
    pub fn name(self) -> &'static str {
        match self {
            Operator::Drop => "drop",
            Operator::Duplicate => "duplicate",
            Operator::Reorder => "reorder",
            Operator::Delay => "delay",
            Operator::DropField => "drop_field",
            Operator::RenameField => "rename_field",
            Operator::RetypeField => "retype_field",
            Operator::NullField => "null_field",
            Operator::ChangeValue => "change_value",
            Operator::BreakTimestamp => "break_timestamp",
            Operator::RenameType => "rename_type",
            Operator::ShiftAckId => "shift_ack_id",
            Operator::ConnectContent => "connect_content",
        }
    }
}
