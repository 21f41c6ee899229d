//! The whole table read for a listing (`-L`, `-S`), service by service, so
//! that output can be written as it is read: memory stays that of the
//! services, not of every real server.
//!
//! Real servers come from one netlink dump per service, or, for plain
//! `-L` (whose columns `/proc/net/ip_vs` has), from one read of that file
//! joined with the services' dump; see [`Source`].

use std::io;
use std::path::Path;

use std::collections::HashMap;

use crate::client::{self, Client};
use crate::model::{Dest, Service, ServiceKey};
use crate::output::services_order;
use crate::procfs::{self, FileDest, FileTable, ServicesFileError};

/// Where the real servers of a listing come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source<'a> {
    /// A netlink dump per service.
    Netlink,
    /// One read of `/proc/net/ip_vs` for all services, or netlink when the
    /// file is missing or not as expected; services the file does not
    /// name (added or removed between the two reads), or cannot tell
    /// apart (IPv4 and IPv6 services with one firewall mark), from netlink.
    /// Only for what the file shows: plain `-L`. The file is named
    /// ([`procfs::SERVICES_FILE`] but for tests).
    File(&'a Path),
    /// As [`Source::File`], but a missing or unexpected file is an error
    /// (to test that path).
    FileOnly(&'a Path),
}

/// Why a listing stopped.
#[derive(Debug)]
pub enum ListError {
    /// The kernel refused or the socket failed.
    Kernel(client::Error),
    /// The output could not be written.
    Write(io::Error),
    /// `/proc/net/ip_vs` could not be used ([`Source::FileOnly`]).
    File(ServicesFileError),
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
/// order with `nosort`), and its real servers in the kernel's order, from
/// `source`. A service deleted (by someone else) before its real servers
/// are read is left out: it is gone.
pub fn for_each_service(
    client: &mut Client,
    nosort: bool,
    source: Source<'_>,
    each: &mut dyn FnMut(&Service, &[Dest]) -> io::Result<()>,
) -> Result<(), ListError> {
    let services = client.services()?;
    let file = match source {
        Source::Netlink => None,
        Source::File(path) => procfs::read_services(path).ok(),
        Source::FileOnly(path) => Some(procfs::read_services(path).map_err(ListError::File)?),
    };
    let shared = file.as_ref().map(|_| shared_marks(&services)).unwrap_or_default();
    let mut dests = Vec::new();
    for i in services_order(&services, nosort) {
        let service = &services[i];
        match file_dests(file.as_ref(), &shared, &service.key) {
            Some(from_file) => {
                dests.clear();
                dests.extend(from_file.iter().map(FileDest::to_dest));
            }
            None => {
                dests = match client.dests(&service.key) {
                    Ok(d) => d,
                    Err(e) if e.is_not_found() => continue,
                    Err(e) => return Err(e.into()),
                }
            }
        }
        each(service, &dests)?;
    }
    Ok(())
}

/// The real servers of `key` as the file shows them, if it can tell.
fn file_dests<'a>(
    file: Option<&'a FileTable>,
    shared: &HashMap<u32, usize>,
    key: &ServiceKey,
) -> Option<&'a [FileDest]> {
    if let ServiceKey::Fwmark { mark, .. } = key {
        if shared.get(mark).copied().unwrap_or(0) > 1 {
            return None;
        }
    }
    file?.dests(key)
}

/// How many services have each firewall mark (the file shows marks
/// without their address family).
fn shared_marks(services: &[Service]) -> HashMap<u32, usize> {
    let mut marks = HashMap::new();
    for s in services {
        if let ServiceKey::Fwmark { mark, .. } = s.key {
            *marks.entry(mark).or_insert(0) += 1;
        }
    }
    marks
}
