//! ipvsadm's command-line grammar: argument vectors and restore lines to
//! [`Command`]s, with ipvsadm's checks and its error messages.

mod command;

pub use command::{Command, Format, ListWhat, Listing};
