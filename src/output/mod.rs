//! ipvsadm's listings, byte for byte: `-L` in all its formats, `-S`,
//! `-L -c`, `-L --timeout` and `-L --daemon`; and all of them as JSON
//! (`--json`).
//!
//! Nothing here does I/O beyond writing to the writer it is given; host and
//! service names come from a [`Names`] (the CLI supplies a resolving one;
//! [`Numeric`] is `-n`).

mod connections;
mod daemons;
mod json;
mod list;
mod names;
mod number;
mod save;
mod sort;
mod text;
mod timeouts;

pub use connections::{expire_text, write_connections};
pub use daemons::write_daemons;
pub use json::{write_connections_json, write_daemons_json, write_list_json, write_timeouts_json, JSON_VERSION};
pub use list::{list_is_plain, version_line, write_list, write_list_entry, write_list_head};
pub use names::{addr_port_text, addr_text, ipv6_text, Names, Numeric};
pub use number::large_number;
pub use save::{as_saved_by_ipvsadm_1_31, write_change, write_save, write_save_entry};
pub use sort::{compare_dests, compare_services, services_order};
pub use timeouts::write_timeouts;

#[cfg(test)]
mod tests;
