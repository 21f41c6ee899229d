//! The whole table read for a listing (`-L`, `-S`), service by service, so
//! that output can be written as it is read: memory stays that of the
//! services, not of every real server.
//!
//! Real servers come from one netlink dump per service, or, for plain
//! `-L` (whose columns `/proc/net/ip_vs` has), from one read of that file
//! joined with the services' dump; see [`Source`].

use std::io;

use crate::client::{self, Client};
use crate::model::{Dest, Service};
use crate::output::services_order;

/// Why a listing stopped.
#[derive(Debug)]
pub enum ListError {
    /// The kernel refused or the socket failed.
    Kernel(client::Error),
    /// The output could not be written.
    Write(io::Error),
}

impl From<client::Error> for ListError {
    fn from(e: client::Error) -> ListError {
        ListError::Kernel(e)
    }
}

impl From<io::Error> for ListError {
    fn from(e: io::Error) -> ListError {
        ListError::Write(e)
    }
}

/// Calls `each` with every service of the table, in listing order (kernel
/// order with `nosort`), and its real servers in the kernel's order. A
/// service deleted (by someone else) before its real servers are read is
/// left out: it is gone.
pub fn for_each_service(
    client: &mut Client,
    nosort: bool,
    each: &mut dyn FnMut(&Service, &[Dest]) -> io::Result<()>,
) -> Result<(), ListError> {
    let services = client.services()?;
    for i in services_order(&services, nosort) {
        let service = &services[i];
        let dests = match client.dests(&service.key) {
            Ok(d) => d,
            Err(e) if e.is_not_found() => continue,
            Err(e) => return Err(e.into()),
        };
        each(service, &dests)?;
    }
    Ok(())
}
