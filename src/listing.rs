//! The whole table read for a listing (`-L`, `-S`), service by service, so
//! that output can be written as it is read: memory stays that of the
//! services (held in little room), not of every real server.
//!
//! Real servers come from one netlink dump per service, or, for plain
//! `-L` (whose columns `/proc/net/ip_vs` has), from one read of that file
//! joined with the services' dump; see [`Source`]. The file comes in the
//! kernel's order and the listing is sorted, so then every real server is
//! held, packed (five to ten bytes each).

use std::io;
use std::path::Path;

use std::collections::HashMap;

use crate::client::{self, Client};
use crate::model::{Dest, Family, Service, ServiceFlags, ServiceKey, Stats};
use crate::output::services_order;
use crate::procfs::{self, FileDests, FileTable, ServicesFileError};

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
    /// ([`procfs::SERVICES_FILE`] but for tests). Not for tables of more
    /// than [`FILE_MAX_SERVICES`] services: netlink then.
    File(&'a Path),
    /// As [`Source::File`], but a missing or unexpected file is an error
    /// (to test that path).
    FileOnly(&'a Path),
}

/// The most services for which [`Source::File`] reads the file. The
/// kernel writes it at most a page per read and finds where the reader
/// left off by walking the table from its start each time, so reading it
/// whole costs the square of the table's size: at 5,000 services x 10 it
/// takes a sixth of the netlink dumps' time, at 20,000 nearly as long
/// (measured with `cargo bench --bench ipvs`), beyond that more.
pub const FILE_MAX_SERVICES: usize = 20_000;

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
    // Plain `-L` (the only listing from the file) shows no counters.
    let keep_stats = source == Source::Netlink;
    let services = client.services_as(keep_stats, &|s| HeldService::new(s, keep_stats))?;
    let order = services_order(services.iter().map(|s| &s.key), nosort);
    let file = match source {
        Source::Netlink => None,
        Source::File(_) if services.len() > FILE_MAX_SERVICES => None,
        Source::File(path) => procfs::read_services(path).ok(),
        Source::FileOnly(path) => Some(procfs::read_services(path).map_err(ListError::File)?),
    };
    let shared = file.as_ref().map(|_| shared_marks(&services)).unwrap_or_default();
    // One service and one list of real servers from the file, refilled
    // for each service (a listing of thousands, ten times as many real
    // servers, would otherwise build as many).
    let mut service = Service::new(ServiceKey::Fwmark { family: Family::Inet, mark: 0 });
    let mut from_file = Vec::new();
    for i in order {
        let Some(held) = services.get(i) else { continue };
        let dests = match file_dests(file.as_ref(), &shared, i, &held.key) {
            Some(listed) => {
                listed.refill(&mut from_file);
                None
            }
            None => match client.dests_unless_gone(&held.key)? {
                Some(d) => Some(d),
                None => continue,
            },
        };
        held.fill(&mut service);
        each(&service, dests.as_deref().unwrap_or(&from_file))?;
    }
    Ok(())
}

/// A service as a listing holds it until its turn: a listing holds every
/// service of the table at once (to write them in order), so it keeps
/// only what it shows, in less room than a [`Service`].
struct HeldService {
    key: ServiceKey,
    scheduler: ShortText,
    flags: ServiceFlags,
    timeout: u32,
    netmask: u32,
    pe_name: Option<Box<str>>,
    /// `None` when the listing shows no counters.
    stats: Option<Box<Stats>>,
}

impl HeldService {
    fn new(s: Service, keep_stats: bool) -> HeldService {
        HeldService {
            key: s.key,
            scheduler: ShortText::new(&s.scheduler),
            flags: s.flags,
            timeout: s.timeout,
            netmask: s.netmask,
            pe_name: s.pe_name.map(String::into_boxed_str),
            stats: keep_stats.then(|| Box::new(s.stats)),
        }
    }

    /// Makes `s` the service again (counters zero if they were not kept),
    /// reusing its room.
    fn fill(&self, s: &mut Service) {
        s.key = self.key;
        s.scheduler.clear();
        s.scheduler.push_str(self.scheduler.as_str());
        s.flags = self.flags;
        s.timeout = self.timeout;
        s.netmask = self.netmask;
        s.pe_name = self.pe_name.as_deref().map(str::to_string);
        s.stats = self.stats.as_deref().copied().unwrap_or_default();
    }
}

/// A text kept in place when short (a scheduler's name is at most 15
/// bytes in the kernel), so that thousands of them are not thousands of
/// allocations.
enum ShortText {
    Short { bytes: [u8; 15], len: u8 },
    Long(Box<str>),
}

impl ShortText {
    fn new(s: &str) -> ShortText {
        let mut bytes = [0u8; 15];
        match bytes.get_mut(..s.len()) {
            Some(b) => {
                b.copy_from_slice(s.as_bytes());
                ShortText::Short { bytes, len: s.len() as u8 }
            }
            None => ShortText::Long(s.into()),
        }
    }

    fn as_str(&self) -> &str {
        match self {
            ShortText::Short { bytes, len } => {
                std::str::from_utf8(bytes.get(..usize::from(*len)).unwrap_or_default()).unwrap_or_default()
            }
            ShortText::Long(s) => s,
        }
    }
}

/// The real servers of `key`, the service the netlink dump gave at
/// `position`, as the file shows them, if it can tell.
fn file_dests<'a>(
    file: Option<&'a FileTable>,
    shared: &HashMap<u32, usize>,
    position: usize,
    key: &ServiceKey,
) -> Option<FileDests<'a>> {
    if let ServiceKey::Fwmark { mark, .. } = key {
        if shared.get(mark).copied().unwrap_or(0) > 1 {
            return None;
        }
    }
    file?.dests_at(position, key)
}

/// How many services have each firewall mark (the file shows marks
/// without their address family).
fn shared_marks(services: &[HeldService]) -> HashMap<u32, usize> {
    let mut marks = HashMap::new();
    for s in services {
        if let ServiceKey::Fwmark { mark, .. } = s.key {
            *marks.entry(mark).or_insert(0) += 1;
        }
    }
    marks
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fuzzing::{data, done, Item, ScriptedKernel, FAMILY, PORT};
    use crate::model::{Family, Protocol};
    use crate::protocol::consts::*;
    use crate::protocol::{Attr, Request};
    use std::net::IpAddr;

    fn tcp(addr: &str, port: u16) -> ServiceKey {
        ServiceKey::Addr { protocol: Protocol::Tcp, addr: addr.parse().unwrap(), port }
    }

    fn mark(family: Family, mark: u32) -> ServiceKey {
        ServiceKey::Fwmark { family, mark }
    }

    /// A kernel with these services whose every real-server dump answers
    /// one real server, 203.0.113.99:9 (so that what came by netlink shows).
    fn kernel(keys: Vec<ServiceKey>) -> Client {
        let k = ScriptedKernel::new().answering(move |req| {
            let mut dg = Vec::new();
            let mut items = Vec::new();
            match req.get(16).copied() {
                Some(CMD_GET_SERVICE) => {
                    for key in &keys {
                        let mut svc = Service::new(*key);
                        svc.scheduler = "rr".into();
                        let attrs = Request::new_service(&svc).attrs;
                        dg.extend(data(0, PORT, 0, CMD_NEW_SERVICE, attrs));
                        if dg.len() > 16_000 {
                            let bytes = std::mem::take(&mut dg);
                            items.push(Item::Datagram { bytes, sender: 0, seq_from: Some(0) });
                        }
                    }
                }
                Some(CMD_GET_DEST) => {
                    let addr: IpAddr = "203.0.113.99".parse().unwrap();
                    let attrs = vec![
                        Attr::U16(DEST_ATTR_ADDR_FAMILY, 2),
                        Attr::addr(DEST_ATTR_ADDR, &addr),
                        Attr::U16Be(DEST_ATTR_PORT, 9),
                    ];
                    dg.extend(data(0, PORT, 0, CMD_NEW_DEST, vec![Attr::Nested(CMD_ATTR_DEST, attrs)]));
                }
                _ => {}
            }
            dg.extend(done(0, PORT, 0, 0));
            items.push(Item::Datagram { bytes: dg, sender: 0, seq_from: Some(0) });
            items
        });
        Client::with_family(Box::new(k), FAMILY)
    }

    /// Past FILE_MAX_SERVICES services the file is not read (its cost grows
    /// with the square of the table): every service comes by netlink.
    /// A held service is the service again, but for its counters when
    /// they are not kept, whatever service it is filled into.
    #[test]
    fn held_services_come_back_whole() {
        let mut s = Service::new(tcp("192.0.2.1", 80));
        s.flags = ServiceFlags(ServiceFlags::PERSISTENT | ServiceFlags::SCHED1);
        s.timeout = 300;
        s.netmask = 0xffff_ff00;
        s.pe_name = Some("sip".into());
        s.stats.conns = 7;
        s.stats.outbps = u64::MAX;
        // Filled into a service that was another one (and into a new one).
        let mut other = Service::new(ServiceKey::Fwmark { family: Family::Inet6, mark: 9 });
        other.scheduler = "a-long-scheduler-name".into();
        other.stats.inbytes = 3;
        let plain = Service::new(ServiceKey::Fwmark { family: Family::Inet, mark: 0 });
        for scheduler in ["", "wlc", "fifteen-bytes-x", "sixteen-bytes-xy", "\u{e9}t\u{e9}"] {
            s.scheduler = scheduler.into();
            for into in [&other, &plain] {
                let mut filled = into.clone();
                HeldService::new(s.clone(), true).fill(&mut filled);
                assert_eq!(filled, s);
                let mut filled = into.clone();
                HeldService::new(s.clone(), false).fill(&mut filled);
                assert_eq!(filled, Service { stats: Stats::default(), ..s.clone() });
            }
            s.pe_name = None;
        }
    }

    #[test]
    fn a_large_table_comes_by_netlink() {
        let text = format!("{HEAD}TCP  C0000201:0050 rr \n  -> C6336402:0050      Masq    1      0          0\n");
        let path = file("large", &text);
        let port = |i: usize| 80 + (i / 250) as u16;
        let keys = |n: usize| -> Vec<ServiceKey> {
            (0..n).map(|i| tcp(&format!("192.0.2.{}", 1 + i % 250), port(i))).collect()
        };
        let at_most = listed(&mut kernel(keys(FILE_MAX_SERVICES)), Source::File(&path)).unwrap();
        let over = listed(&mut kernel(keys(FILE_MAX_SERVICES + 1)), Source::File(&path)).unwrap();
        std::fs::remove_file(&path).unwrap();
        let first = format!("{:?}: ", tcp("192.0.2.1", 80));
        let line = |l: &Vec<String>| l.iter().find(|l| l.starts_with(&first)).cloned().unwrap();
        assert_eq!(line(&at_most), format!("{first}198.51.100.2:80"));
        assert_eq!(line(&over), format!("{first}203.0.113.99:9"));
        assert_eq!(over.len(), FILE_MAX_SERVICES + 1);
    }

    /// What each service got, as "key: addr:port ..." lines.
    fn listed(client: &mut Client, source: Source<'_>) -> Result<Vec<String>, ListError> {
        let mut lines = Vec::new();
        for_each_service(client, true, source, &mut |svc, dests| {
            let d: Vec<String> = dests.iter().map(|d| format!("{}:{}", d.addr, d.port)).collect();
            lines.push(format!("{:?}: {}", svc.key, d.join(" ")));
            Ok(())
        })?;
        Ok(lines)
    }

    fn file(name: &str, text: &str) -> std::path::PathBuf {
        let path = std::env::temp_dir().join(format!("ipvs-listing-{}-{name}", std::process::id()));
        std::fs::write(&path, text).unwrap();
        path
    }

    const HEAD: &str = "IP Virtual Server version 1.2.1 (size=4096)\nProt LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port Forward Weight ActiveConn InActConn\n";

    #[test]
    fn the_file_serves_the_services_it_names_and_netlink_the_rest() {
        let keys = vec![tcp("192.0.2.1", 80), tcp("192.0.2.1", 81), mark(Family::Inet, 7)];
        // 192.0.2.1:81 is not in the file (added after it was read); the
        // file's 192.0.2.1:82 is gone from the dump (deleted before).
        let text = format!(
            "{HEAD}TCP  C0000201:0050 rr \n  -> C6336402:0050      Masq    1      0          0\nTCP  C0000201:0052 rr \n  -> C6336403:0050      Masq    1      0          0\nFWM  00000007 rr \n  -> C6336404:0000      Route   1      0          0\n"
        );
        let path = file("partial", &text);
        let got = listed(&mut kernel(keys.clone()), Source::FileOnly(&path)).unwrap();
        std::fs::remove_file(&path).unwrap();
        assert_eq!(
            got,
            [
                format!("{:?}: 198.51.100.2:80", keys[0]),
                format!("{:?}: 203.0.113.99:9", keys[1]),
                format!("{:?}: 198.51.100.4:0", keys[2]),
            ]
        );
        // By netlink alone, every service gets the kernel's answer.
        let all = listed(&mut kernel(keys.clone()), Source::Netlink).unwrap();
        assert!(all.iter().all(|l| l.ends_with(": 203.0.113.99:9")), "{all:?}");
    }

    #[test]
    fn a_mark_of_both_families_comes_by_netlink() {
        let keys = vec![mark(Family::Inet, 8), mark(Family::Inet6, 8)];
        let text = format!("{HEAD}FWM  00000008 rr \n  -> C6336402:0000      Route   1      0          0\n");
        let path = file("marks", &text);
        let got = listed(&mut kernel(keys), Source::FileOnly(&path)).unwrap();
        std::fs::remove_file(&path).unwrap();
        assert!(got.iter().all(|l| l.ends_with(": 203.0.113.99:9")), "{got:?}");
    }

    #[test]
    fn a_missing_or_broken_file_is_netlink_or_an_error_when_forced() {
        let keys = vec![tcp("192.0.2.1", 80)];
        let missing = std::path::Path::new("/nonexistent/ip_vs");
        let got = listed(&mut kernel(keys.clone()), Source::File(missing)).unwrap();
        assert_eq!(got, [format!("{:?}: 203.0.113.99:9", keys[0])]);
        assert!(matches!(
            listed(&mut kernel(keys.clone()), Source::FileOnly(missing)),
            Err(ListError::File(_))
        ));
        let path = file("broken", &format!("{HEAD}TCP  C0000201:0050 rr \n  -> nonsense\n"));
        let got = listed(&mut kernel(keys.clone()), Source::File(&path)).unwrap();
        std::fs::remove_file(&path).unwrap();
        assert_eq!(got, [format!("{:?}: 203.0.113.99:9", keys[0])]);
    }
}
