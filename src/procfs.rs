//! The kernel's IPVS connection table, read from `/proc/net/ip_vs_conn`
//! (the only place it is published: generic netlink has no command for it).
//!
//! The file is a header line, then one line per entry:
//!
//! ```text
//! Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData
//! TCP CB00710A D56C C0000201 0050 C6336402 0050 TIME_WAIT       117
//! UDP CB00710A 0000 C0000201 13C4 C6336402 13C4 NONE             27 sip abc123@example
//! TCP 2001:0db8:0001:0000:0000:0000:0000:0010 B93E 2001:0db8:... 0050 ... 0050 TIME_WAIT 117
//! ```
//!
//! IPv4 addresses are eight hex digits (the address as a number), IPv6 ones
//! the full colon form, ports four hex digits, the expiry in seconds; the
//! persistence engine's name and data follow only when the entry has them.
//! [`parse_connections`] is pure; [`read_connections`] reads the file.

use std::cell::OnceCell;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};


use crate::model::{Connection, Dest, Forward, PeData, Protocol, ServiceKey};

/// Where the kernel publishes the connection table.
pub const CONN_FILE: &str = "/proc/net/ip_vs_conn";

/// A connection table that could not be read or understood.
#[derive(Debug)]
pub enum ConnError {
    /// The file could not be opened or read.
    Open(std::io::Error),
    /// A line that is not a connection entry (1-based line number).
    Unexpected {
        /// Its line number, from 1.
        line: usize,
        /// The line.
        text: String,
    },
}

impl fmt::Display for ConnError {
    /// ipvsadm's wording (its messages name the file).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConnError::Open(_) => write!(f, "cannot open file {CONN_FILE}"),
            ConnError::Unexpected { .. } => write!(f, "unexpected input from {CONN_FILE}"),
        }
    }
}

impl std::error::Error for ConnError {}

/// Reads and parses [`CONN_FILE`]. As with ipvsadm, a file that cannot be
/// opened is [`ConnError::Open`]; one that opens but cannot be read (a
/// directory) is [`ConnError::Unexpected`].
pub fn read_connections() -> Result<Vec<Connection>, ConnError> {
    use std::io::Read;
    let mut file = std::fs::File::open(CONN_FILE).map_err(ConnError::Open)?;
    let mut bytes = Vec::new();
    if file.read_to_end(&mut bytes).is_err() {
        return Err(ConnError::Unexpected {
            line: 1,
            text: String::new(),
        });
    }
    parse_connections(&String::from_utf8_lossy(&bytes))
}

/// Parses the text of `/proc/net/ip_vs_conn`: the first line is the header
/// and is skipped whatever it says (but it must be there: an empty text is
/// an error, as for ipvsadm); every other line must be an entry.
///
/// ipvsadm itself is lax with lines the kernel never writes: it stops
/// quietly (exit status 1) at a blank line, and prints whatever its
/// `sscanf` left for a malformed one. Here any such line is
/// [`ConnError::Unexpected`].
pub fn parse_connections(text: &str) -> Result<Vec<Connection>, ConnError> {
    let mut lines = text.lines().enumerate();
    if lines.next().is_none() {
        return Err(ConnError::Unexpected {
            line: 1,
            text: String::new(),
        });
    }
    lines
        .map(|(i, line)| {
            parse_line(line).ok_or_else(|| ConnError::Unexpected {
                line: i + 1,
                text: line.to_string(),
            })
        })
        .collect()
}

/// One entry, or `None` when the line is not one.
///
/// The persistence-engine columns count only when both are there (ipvsadm
/// ignores a lone engine name), and the data is one word (what ipvsadm's
/// `%s` takes). All three addresses must be of one family.
pub fn parse_line(line: &str) -> Option<Connection> {
    let f: Vec<&str> = line.split_ascii_whitespace().collect();
    if f.len() < 9 {
        return None;
    }
    let pe = match (f.get(9), f.get(10)) {
        (Some(name), Some(data)) => Some(PeData {
            name: name.to_string(),
            data: data.to_string(),
        }),
        _ => None,
    };
    let conn = Connection {
        protocol: f[0].to_string(),
        client_addr: addr(f[1])?,
        client_port: port(f[2].as_bytes())?,
        virtual_addr: addr(f[3])?,
        virtual_port: port(f[4].as_bytes())?,
        dest_addr: addr(f[5])?,
        dest_port: port(f[6].as_bytes())?,
        state: f[7].to_string(),
        expires: f[8].parse().ok()?,
        pe,
    };
    let v6 = conn.client_addr.is_ipv6();
    if conn.virtual_addr.is_ipv6() != v6 || conn.dest_addr.is_ipv6() != v6 {
        return None;
    }
    Some(conn)
}

/// An address: eight hex digits for IPv4, the colon form for IPv6.
fn addr(s: &str) -> Option<IpAddr> {
    if s.contains(':') {
        return s.parse::<Ipv6Addr>().ok().map(IpAddr::V6);
    }
    hex(s.as_bytes()).map(|n| IpAddr::V4(Ipv4Addr::from(n)))
}

/// A port: up to four hex digits.
fn port(s: &[u8]) -> Option<u16> {
    if s.len() > 4 {
        return None;
    }
    hex(s).and_then(|n| u16::try_from(n).ok())
}

/// Hex digits only (1 to 8 of them), as a u32.
fn hex(f: &[u8]) -> Option<u32> {
    if f.is_empty() || f.len() > 8 {
        return None;
    }
    let mut n = 0u32;
    for &b in f {
        let d = match b {
            b'0'..=b'9' => b - b'0',
            b'A'..=b'F' => b - b'A' + 10,
            b'a'..=b'f' => b - b'a' + 10,
            _ => return None,
        };
        n = n << 4 | u32::from(d);
    }
    Some(n)
}

// ------------------------------------------------------- /proc/net/ip_vs

/// Where the kernel publishes the virtual server table with the real
/// servers of every service (of the reader's network namespace).
pub const SERVICES_FILE: &str = "/proc/net/ip_vs";

/// A service as [`SERVICES_FILE`] names it: a firewall mark without its
/// address family (IPv4 and IPv6 services with one mark look the same).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FileServiceKey {
    /// Protocol, address and port.
    Addr {
        /// TCP, UDP or SCTP.
        protocol: Protocol,
        /// The virtual address.
        addr: IpAddr,
        /// The virtual port.
        port: u16,
    },
    /// A firewall mark.
    Fwmark(u32),
}

impl FileServiceKey {
    /// How the file names the service of `key`.
    pub fn of(key: &ServiceKey) -> FileServiceKey {
        match *key {
            ServiceKey::Addr { protocol, addr, port } => FileServiceKey::Addr { protocol, addr, port },
            ServiceKey::Fwmark { mark, .. } => FileServiceKey::Fwmark(mark),
        }
    }
}

/// A real server as [`SERVICES_FILE`] shows it: what plain `-L` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileDest {
    /// Its address (of either family, whatever the service's).
    pub addr: IpAddr,
    /// Its port.
    pub port: u16,
    /// How it is reached.
    pub forward: Forward,
    /// Its weight.
    pub weight: i32,
    /// Active connections.
    pub active_conns: u32,
    /// Inactive connections.
    pub inact_conns: u32,
}

impl FileDest {
    /// The real server in the model, with what the file does not show
    /// (thresholds, tunnel settings, counters) left at their defaults.
    pub fn to_dest(&self) -> Dest {
        let mut d = Dest::new(self.addr, self.port);
        self.fill(&mut d);
        d
    }

    /// Makes `d` (one that [`FileDest::to_dest`] gave) this real server:
    /// what the file shows is set, the rest left as it is.
    fn fill(&self, d: &mut Dest) {
        d.addr = self.addr;
        d.port = self.port;
        d.forward = self.forward;
        d.weight = self.weight;
        d.active_conns = self.active_conns;
        d.inact_conns = self.inact_conns;
    }
}

/// The real servers of every service of [`SERVICES_FILE`], in the file's
/// (the kernel's) order. A plain `-L` holds every real server of the table
/// at once (the file comes in the kernel's order, the listing is sorted),
/// so they are kept packed: five to ten bytes for an IPv4 one.
#[derive(Debug, Default)]
pub struct FileTable {
    /// The services the file names, in its order (the kernel's, as the
    /// netlink dump gives them).
    services: Vec<FileService>,
    /// Their indexes sorted by key (a sorted list, not a hash map: half
    /// the memory, no rehashing), made by the first search by key: a
    /// listing finds each service where the dump had it, and searches only
    /// when the table changed between the two reads. `None` when the file
    /// names a service twice (a firewall mark may be twice: an IPv4 and an
    /// IPv6 service), which the kernel never writes: nothing is found by
    /// key then.
    by_key: OnceCell<Option<Vec<u32>>>,
    packed: Vec<u8>,
}

/// A service line of the file: its key and where its real servers are in
/// [`FileTable::packed`] (a byte range).
#[derive(Debug, Clone, Copy)]
struct FileService {
    key: FileServiceKey,
    start: u32,
    end: u32,
}

impl FileTable {
    /// The real servers of the service `key`, when the file names it
    /// unambiguously (a mark that two services have, one of each family,
    /// is not).
    pub fn dests(&self, key: &ServiceKey) -> Option<FileDests<'_>> {
        let key = FileServiceKey::of(key);
        let order = self.by_key()?;
        let at = |j: usize| order.get(j).and_then(|&i| self.services.get(i as usize));
        let i = order.binary_search_by(|&i| self.services.get(i as usize).map(|s| s.key).cmp(&Some(key))).ok()?;
        let named = |j: Option<usize>| j.and_then(at).is_some_and(|s| s.key == key);
        if named(i.checked_sub(1)) || named(i.checked_add(1)) {
            return None;
        }
        self.dests_of(at(i)?)
    }

    /// [`FileTable::dests`] of the service that the netlink dump gave at
    /// `position` (from 0): the file lists the services in the same order,
    /// so that is where it looks first (a listing looks up every service).
    /// Searched by key if the file has another service there (one added
    /// or removed in between) or when the key is a mark.
    pub fn dests_at(&self, position: usize, key: &ServiceKey) -> Option<FileDests<'_>> {
        match self.services.get(position) {
            Some(s) if s.key == FileServiceKey::of(key) && !matches!(s.key, FileServiceKey::Fwmark(_)) => {
                self.dests_of(s)
            }
            _ => self.dests(key),
        }
    }

    fn dests_of(&self, s: &FileService) -> Option<FileDests<'_>> {
        Some(FileDests { packed: self.packed.get(s.start as usize..s.end as usize)?, last: None })
    }

    /// The indexes of `services` sorted by key (see [`FileTable::by_key`]).
    fn by_key(&self) -> Option<&[u32]> {
        let sorted = self.by_key.get_or_init(|| {
            let key = |i: u32| self.services.get(i as usize).map(|s| s.key);
            let mut order: Vec<u32> = (0..self.services.len() as u32).collect();
            order.sort_unstable_by(|&a, &b| key(a).cmp(&key(b)).then(a.cmp(&b)));
            let twice = order
                .windows(2)
                .any(|w| key(w[0]) == key(w[1]) && !matches!(key(w[0]), Some(FileServiceKey::Fwmark(_))));
            (!twice).then_some(order)
        });
        sorted.as_deref()
    }

    /// How many services the file names (a mark of both families once).
    pub fn len(&self) -> usize {
        match self.by_key() {
            Some(order) => {
                let key = |i: u32| self.services.get(i as usize).map(|s| s.key);
                order.len() - order.windows(2).filter(|w| key(w[0]) == key(w[1])).count()
            }
            None => self.services.len(),
        }
    }

    /// Whether the file holds no service.
    pub fn is_empty(&self) -> bool {
        self.services.is_empty()
    }
}

/// The real servers of one service of a [`FileTable`], in the file's
/// order, unpacked one by one.
#[derive(Debug, Clone)]
pub struct FileDests<'a> {
    packed: &'a [u8],
    /// The one before (see [`pack`]).
    last: Option<FileDest>,
}

impl FileDests<'_> {
    /// Makes `dests` these real servers, reusing the entries it has (which
    /// only this made: what the file does not show is at its default).
    pub fn refill(self, dests: &mut Vec<Dest>) {
        let mut n = 0;
        for d in self {
            match dests.get_mut(n) {
                Some(dest) => d.fill(dest),
                None => dests.push(d.to_dest()),
            }
            n += 1;
        }
        dests.truncate(n);
    }
}

impl Iterator for FileDests<'_> {
    type Item = FileDest;

    fn next(&mut self) -> Option<FileDest> {
        let d = unpack(&mut self.packed, self.last.as_ref())?;
        self.last = Some(d);
        Some(d)
    }
}

/// Forwarding methods by their number in a packed real server.
const FORWARDS: [Forward; 5] =
    [Forward::Masq, Forward::Local, Forward::Tunnel, Forward::Route, Forward::Bypass];
/// Packed-tag bits above the forwarding method's number.
const PACKED_V6: u8 = 1 << 3;
const PACKED_NEGATIVE: u8 = 1 << 4;
/// The port of the real server before.
const PACKED_SAME_PORT: u8 = 1 << 5;
/// All but the last byte of the address of the real server before.
const PACKED_SAME_PREFIX: u8 = 1 << 6;

/// Appends `d`, which comes after `last` in its service, to `out`: a tag
/// byte (forwarding method, address family, the weight's sign, what is as
/// in `last`), the address (4 or 16 bytes, or only its last byte when the
/// rest is `last`'s), the port (2 bytes, none when it is `last`'s), then the
/// weight's magnitude and the two connection counts as LEB128 (1 to 5
/// bytes each, 1 for numbers under 128). The real servers of a service
/// mostly share a port and a network: 5 bytes each then.
fn pack(d: &FileDest, last: Option<&FileDest>, out: &mut Vec<u8>) {
    let mut tag = FORWARDS.iter().position(|&f| f == d.forward).unwrap_or(0) as u8;
    if d.addr.is_ipv6() {
        tag |= PACKED_V6;
    }
    if d.weight < 0 {
        tag |= PACKED_NEGATIVE;
    }
    if last.is_some_and(|l| l.port == d.port) {
        tag |= PACKED_SAME_PORT;
    }
    let (octets, len) = addr_bytes(&d.addr);
    let same_prefix = last.is_some_and(|l| match (l.addr, d.addr) {
        (IpAddr::V4(a), IpAddr::V4(b)) => u32::from(a) >> 8 == u32::from(b) >> 8,
        (IpAddr::V6(a), IpAddr::V6(b)) => u128::from(a) >> 8 == u128::from(b) >> 8,
        _ => false,
    });
    if same_prefix {
        tag |= PACKED_SAME_PREFIX;
    }
    out.push(tag);
    if same_prefix {
        out.push(octets[len - 1]);
    } else {
        out.extend_from_slice(&octets[..len]);
    }
    if tag & PACKED_SAME_PORT == 0 {
        out.extend_from_slice(&d.port.to_le_bytes());
    }
    for n in [d.weight.unsigned_abs(), d.active_conns, d.inact_conns] {
        push_leb128(out, n);
    }
}

/// An address's bytes (the first 4 of IPv4) and how many there are.
fn addr_bytes(addr: &IpAddr) -> ([u8; 16], usize) {
    match addr {
        IpAddr::V4(a) => {
            let mut b = [0u8; 16];
            b[..4].copy_from_slice(&a.octets());
            (b, 4)
        }
        IpAddr::V6(a) => (a.octets(), 16),
    }
}

/// Takes the first real server [`pack`] wrote off `p` (`None` at the end),
/// `last` the one before it.
fn unpack(p: &mut &[u8], last: Option<&FileDest>) -> Option<FileDest> {
    let (&tag, mut rest) = p.split_first()?;
    let forward = *FORWARDS.get(usize::from(tag & 7))?;
    let len = if tag & PACKED_V6 != 0 { 16 } else { 4 };
    // The usual IPv4 real server: the address and port of the one before
    // but the address's last byte (as an integer, not the bytes of both).
    if tag & (PACKED_V6 | PACKED_SAME_PREFIX | PACKED_SAME_PORT) == PACKED_SAME_PREFIX | PACKED_SAME_PORT {
        if let Some(FileDest { addr: IpAddr::V4(before), port, .. }) = last {
            let (&final_byte, mut rest) = rest.split_first()?;
            let addr = Ipv4Addr::from(u32::from(*before) & !0xff | u32::from(final_byte));
            let weight = signed(take_leb128(&mut rest)?, tag)?;
            let active_conns = take_leb128(&mut rest)?;
            let inact_conns = take_leb128(&mut rest)?;
            *p = rest;
            return Some(FileDest { addr: IpAddr::V4(addr), port: *port, forward, weight, active_conns, inact_conns });
        }
    }
    let bytes = if tag & PACKED_SAME_PREFIX != 0 {
        let (mut bytes, last_len) = addr_bytes(&last?.addr);
        let (&final_byte, r) = rest.split_first()?;
        *bytes.get_mut(len - 1).filter(|_| last_len == len)? = final_byte;
        rest = r;
        bytes
    } else {
        let (a, r) = rest.split_at_checked(len)?;
        let mut bytes = [0u8; 16];
        bytes[..len].copy_from_slice(a);
        rest = r;
        bytes
    };
    let addr = match bytes.first_chunk::<4>() {
        Some(v4) if len == 4 => IpAddr::from(*v4),
        _ => IpAddr::from(bytes),
    };
    let port = if tag & PACKED_SAME_PORT != 0 {
        last?.port
    } else {
        let (port, r) = rest.split_first_chunk::<2>()?;
        rest = r;
        u16::from_le_bytes(*port)
    };
    let weight = signed(take_leb128(&mut rest)?, tag)?;
    let active_conns = take_leb128(&mut rest)?;
    let inact_conns = take_leb128(&mut rest)?;
    *p = rest;
    Some(FileDest { addr, port, forward, weight, active_conns, inact_conns })
}

/// A packed weight: its magnitude, its sign in `tag`.
fn signed(magnitude: u32, tag: u8) -> Option<i32> {
    let magnitude = i64::from(magnitude);
    i32::try_from(if tag & PACKED_NEGATIVE != 0 { -magnitude } else { magnitude }).ok()
}

fn push_leb128(out: &mut Vec<u8>, mut n: u32) {
    while n >= 0x80 {
        out.push(n as u8 | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

fn take_leb128(p: &mut &[u8]) -> Option<u32> {
    // (Nearly always one byte: a weight or a count under 128.)
    if let [b @ 0..=0x7f, rest @ ..] = *p {
        *p = rest;
        return Some(u32::from(*b));
    }
    let mut n = 0u32;
    for shift in (0..35).step_by(7) {
        let (&b, rest) = p.split_first()?;
        *p = rest;
        n |= u32::from(b & 0x7f).checked_shl(shift)?;
        if b & 0x80 == 0 {
            return Some(n);
        }
    }
    None
}

/// A [`SERVICES_FILE`] that is missing or says something unexpected (1-based
/// line number); callers fall back to netlink.
#[derive(Debug)]
pub struct ServicesFileError {
    /// The line that could not be read (0: the file could not be opened).
    pub line: usize,
    /// What went wrong.
    pub why: String,
}

impl fmt::Display for ServicesFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{SERVICES_FILE}: line {}: {}", self.line, self.why)
    }
}

impl std::error::Error for ServicesFileError {}

impl ServicesFileError {
    fn new(line: usize, why: &str) -> ServicesFileError {
        ServicesFileError { line, why: why.to_string() }
    }
}

/// Reads and parses [`SERVICES_FILE`] (or another file, for tests; see
/// [`parse_services`]).
pub fn read_services(path: &std::path::Path) -> Result<FileTable, ServicesFileError> {
    let file = std::fs::File::open(path)
        .map_err(|e| ServicesFileError::new(0, &e.to_string()))?;
    parse_services(file)
}

/// How much of the file is read at a time (the kernel gives at most a page
/// a read, more only for a service whose lines do not fit in one); also
/// the longest line taken.
const READ_SIZE: usize = 64 * 1024;

/// Parses the text of `/proc/net/ip_vs`: three header lines, then each
/// service followed by its real servers:
///
/// ```text
/// TCP  C0000201:0050 rr  persistent 90000 FFFFFFFF
///   -> C6336402:1F90      Masq    3      0          0
/// TCP  [2001:0db8:0000:0000:0000:0000:0000:0001]:01BB sh
/// FWM  00000007 wrr
/// ```
///
/// Only what identifies services and describes real servers is taken (the
/// scheduler and persistence come from netlink: the file shows timeouts in
/// jiffies and no scheduler flags). Any line that is not of this shape is
/// an error; a service named twice (but a firewall mark may be: an IPv4
/// and an IPv6 service) is found by no search: nothing in the file is
/// trusted.
pub fn parse_services(mut input: impl std::io::Read) -> Result<FileTable, ServicesFileError> {
    let mut parser = FileParser::default();
    // Lines are parsed where they lie in the buffer (a plain `-L` of a
    // large table reads tens of thousands); a line cut by the end of a
    // read moves to the front and is completed by the next.
    let mut buf = vec![0u8; READ_SIZE];
    let mut end = 0;
    loop {
        let n = match input.read(&mut buf[end..]) {
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(ServicesFileError::new(parser.number + 1, &e.to_string())),
        };
        end += n;
        // Every line up to the last end of line is whole.
        let whole = buf[..end].iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        parser.lines(&buf[..whole])?;
        if n == 0 {
            if whole < end {
                return Err(ServicesFileError::new(parser.number + 1, "a line without its end"));
            }
            return parser.finish();
        }
        buf.copy_within(whole..end, 0);
        end -= whole;
        if end == buf.len() {
            return Err(ServicesFileError::new(parser.number + 1, "a line too long"));
        }
    }
}

/// What [`parse_services`] knows between lines.
#[derive(Default)]
struct FileParser {
    table: FileTable,
    /// Lines seen.
    number: usize,
    /// The service being read: its key, where its real servers start in
    /// the packed list.
    current: Option<(FileServiceKey, u32)>,
    /// The last real server read of that service.
    last: Option<FileDest>,
    /// The last real-server line of the kernel's layout (of any service)
    /// and what it read: see [`FileParser::like_last_line`].
    last_line: Option<([u8; KERNEL_LINE], FileDest)>,
}

impl FileParser {
    /// The line being read is not as expected.
    fn bad(&self, why: &str) -> ServicesFileError {
        ServicesFileError::new(self.number, why)
    }

    /// Whole lines, each with its end of line.
    fn lines(&mut self, mut text: &[u8]) -> Result<(), ServicesFileError> {
        while !text.is_empty() {
            self.number += 1;
            if self.number > 3 {
                if let Some(rest) = text.strip_prefix(b"  -> ") {
                    // A real server, read up to its end of line in one pass
                    // (this is nearly every line of a large table).
                    if self.current.is_none() {
                        return Err(self.bad("a real server outside a service"));
                    }
                    let (d, used) = match self.like_last_line(rest) {
                        Some(d) => (d, KERNEL_LINE),
                        None => self.scan_dest(rest).ok_or_else(|| self.bad("not a real server"))?,
                    };
                    pack(&d, self.last.as_ref(), &mut self.table.packed);
                    self.last = Some(d);
                    text = &rest[used..];
                    continue;
                }
            }
            let nl = text.iter().position(|&b| b == b'\n').unwrap_or(text.len());
            self.other_line(&text[..nl])?;
            text = text.get(nl + 1..).unwrap_or_default();
        }
        Ok(())
    }

    /// A real-server line after its `  -> `, up to and including its end
    /// of line: `C6336402:1F90      Masq    3      0          0\n`; the
    /// real server and the bytes taken. Exactly five fields separated by
    /// spaces. One of the kernel's layout is kept for
    /// [`FileParser::like_last_line`].
    fn scan_dest(&mut self, rest: &[u8]) -> Option<(FileDest, usize)> {
        if let Some(d) = scan_kernel_columns(rest) {
            let line: &[u8; KERNEL_LINE] = rest.first_chunk()?;
            self.last_line = Some((*line, d));
            return Some((d, KERNEL_LINE));
        }
        scan_fields(rest)
    }

    /// The real server of a line of the kernel's layout that differs from
    /// the last such line only in its address: the same port, forwarding,
    /// weight and counts, so only the address is read (most lines of a
    /// large table: a service's real servers mostly share all but their
    /// address). The same result as [`FileParser::scan_dest`] (same bytes,
    /// same reading), or `None` to use it.
    fn like_last_line(&self, rest: &[u8]) -> Option<FileDest> {
        let line: &[u8; KERNEL_LINE] = rest.first_chunk()?;
        let (last_line, last) = self.last_line.as_ref()?;
        // Compared eight bytes at a time, without a call (a `memcmp` a
        // line costs more than the rest of this).
        let mut differ = 0;
        for (a, b) in line[8..].chunks_exact(8).zip(last_line[8..].chunks_exact(8)) {
            let word = |w: &[u8]| u64::from_ne_bytes(w.try_into().unwrap_or_default());
            differ |= word(a) ^ word(b);
        }
        if differ != 0 {
            return None;
        }
        let addr = IpAddr::V4(Ipv4Addr::from(hex(&line[..8])?));
        Some(FileDest { addr, ..*last })
    }

    /// A header line or a service.
    fn other_line(&mut self, text: &[u8]) -> Result<(), ServicesFileError> {
        match self.number {
            1 if text.starts_with(b"IP Virtual Server version ") => return Ok(()),
            2 if text.starts_with(b"Prot LocalAddress:Port") => return Ok(()),
            3 if text.starts_with(b"  -> RemoteAddress:Port") => return Ok(()),
            1..=3 => return Err(self.bad("not the header")),
            _ => {}
        }
        self.close()?;
        let key = std::str::from_utf8(text).ok().and_then(parse_file_service);
        let key = key.ok_or_else(|| self.bad("not a service"))?;
        self.current = Some((key, self.packed_len()?));
        self.last = None;
        Ok(())
    }

    fn packed_len(&self) -> Result<u32, ServicesFileError> {
        u32::try_from(self.table.packed.len()).map_err(|_| self.bad("too large"))
    }

    /// The service being read ends (where the next starts or the file ends).
    fn close(&mut self) -> Result<(), ServicesFileError> {
        let Some((key, start)) = self.current.take() else { return Ok(()) };
        let end = self.packed_len()?;
        if u32::try_from(self.table.services.len()).is_err() {
            return Err(self.bad("too large"));
        }
        self.table.services.push(FileService { key, start, end });
        Ok(())
    }

    fn finish(mut self) -> Result<FileTable, ServicesFileError> {
        if self.number < 3 {
            return Err(self.bad("no header"));
        }
        self.close()?;
        Ok(self.table)
    }
}

/// `TCP  C0000201:0050 rr ...` or `FWM  00000007 wrr ...`: the key.
fn parse_file_service(text: &str) -> Option<FileServiceKey> {
    let mut f = text.split_ascii_whitespace();
    let prot = f.next()?;
    let addr = f.next()?;
    f.next()?; // the scheduler
    let protocol = match prot {
        "FWM" => return hex(addr.as_bytes()).map(FileServiceKey::Fwmark),
        "TCP" => Protocol::Tcp,
        "UDP" => Protocol::Udp,
        "SCTP" => Protocol::Sctp,
        _ => return None,
    };
    let (addr, port) = file_addr_port(addr.as_bytes())?;
    Some(FileServiceKey::Addr { protocol, addr, port })
}

/// [`FileParser::scan_dest`] by the fields the line has, wherever they are.
fn scan_fields(s: &[u8]) -> Option<(FileDest, usize)> {
    let mut rest = s;
    let mut fields: [&[u8]; 5] = [&[]; 5];
    for f in fields.iter_mut() {
        rest = skip_spaces(rest);
        let end = rest.iter().position(|&b| b == b' ' || b == b'\n').unwrap_or(rest.len());
        let (field, after) = rest.split_at(end);
        if field.is_empty() {
            return None;
        }
        *f = field;
        rest = after;
    }
    let after = skip_spaces(rest);
    let [b'\n', ..] = after else { return None };
    let used = s.len() - after.len() + 1;
    Some((file_dest(fields)?, used))
}

/// The five fields of a real-server line (`C6336402:1F90`, `Masq`, `3`,
/// `0`, `0`), read.
fn file_dest([addr, forward, weight, active, inact]: [&[u8]; 5]) -> Option<FileDest> {
    let (addr, port) = file_addr_port(addr)?;
    let forward = match forward {
        b"Masq" => Forward::Masq,
        b"Local" => Forward::Local,
        b"Tunnel" => Forward::Tunnel,
        b"Route" => Forward::Route,
        _ => return None,
    };
    let weight = match weight.strip_prefix(b"-") {
        Some(abs) => i32::try_from(-i64::from(decimal_u32(abs)?)).ok()?,
        None => i32::try_from(decimal_u32(weight)?).ok()?,
    };
    Some(FileDest {
        addr,
        port,
        forward,
        weight,
        active_conns: decimal_u32(active)?,
        inact_conns: decimal_u32(inact)?,
    })
}

/// The length of a real-server line (after `  -> `, with its end of line)
/// as the kernel writes it for an IPv4 real server whose numbers fit their
/// columns: `%08X:%04X      %-7s %-6d %-10d %-10d\n`.
const KERNEL_LINE: usize = 56;

/// [`FileParser::scan_dest`] for a line of exactly the kernel's IPv4 layout
/// ([`KERNEL_LINE`]): every column at its place, so nothing is searched
/// for (the same real server as the general scan, or `None` to use it).
fn scan_kernel_columns(s: &[u8]) -> Option<FileDest> {
    let line: &[u8; KERNEL_LINE] = s.first_chunk()?;
    let separators = [line[8], line[26], line[33], line[44], line[55]];
    if separators != *b":   \n" || line[13..19] != *b"      " {
        return None;
    }
    let column = |range: std::ops::Range<usize>| line.get(range).and_then(left_aligned);
    file_dest([&line[..13], column(19..26)?, column(27..33)?, column(34..44)?, column(45..55)?])
}

/// What a `%-Nd` column holds: its text before the padding (`None` if
/// there is none, or a space inside it).
fn left_aligned(column: &[u8]) -> Option<&[u8]> {
    let end = column.iter().position(|&b| b == b' ').unwrap_or(column.len());
    let (text, pad) = column.split_at(end);
    (!text.is_empty() && pad.iter().all(|&b| b == b' ')).then_some(text)
}

/// `s` without its leading spaces (the file pads every column with
/// them: most of a real server's line), eight at a time where it can.
fn skip_spaces(mut s: &[u8]) -> &[u8] {
    while let Some((eight, rest)) = s.split_first_chunk::<8>() {
        if *eight != [b' '; 8] {
            break;
        }
        s = rest;
    }
    while let [b' ', rest @ ..] = s {
        s = rest;
    }
    s
}

/// Decimal digits only (1 to 10 of them), as a u32.
fn decimal_u32(f: &[u8]) -> Option<u32> {
    if f.is_empty() || f.len() > 10 {
        return None;
    }
    let mut n: u64 = 0;
    for &b in f {
        if !b.is_ascii_digit() {
            return None;
        }
        n = n * 10 + u64::from(b - b'0');
    }
    u32::try_from(n).ok()
}

/// `C0000201:0050` or `[2001:0db8:...:0001]:01BB`.
fn file_addr_port(s: &[u8]) -> Option<(IpAddr, u16)> {
    let colon = s.iter().rposition(|&b| b == b':')?;
    let (a, p) = (&s[..colon], &s[colon + 1..]);
    let a = match a.strip_prefix(b"[") {
        Some(v6) => {
            let v6 = v6.strip_suffix(b"]")?;
            IpAddr::V6(std::str::from_utf8(v6).ok()?.parse().ok()?)
        }
        // IPv4 here is exactly eight hex digits (a bare IPv6 is not).
        None if a.len() == 8 => IpAddr::V4(Ipv4Addr::from(hex(a)?)),
        None => return None,
    };
    Some((a, port(p)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str =
        "Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData\n";

    fn v4(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    // Captured from /proc/net/ip_vs_conn (kernel 6.1) with TCP, UDP, IPv6,
    // persistence templates and a SIP persistence engine.
    const CAPTURED: &str = include_str!("output/testdata/proc_net_ip_vs_conn.txt");

    #[test]
    fn captured_table() {
        let c = parse_connections(CAPTURED).unwrap();
        assert_eq!(c.len(), 7);
        assert_eq!(
            c[0],
            Connection {
                protocol: "UDP".into(),
                client_addr: v4("203.0.113.10"),
                client_port: 0,
                virtual_addr: v4("192.0.2.1"),
                virtual_port: 5060,
                dest_addr: v4("198.51.100.2"),
                dest_port: 5060,
                state: "NONE".into(),
                expires: 27,
                pe: Some(PeData {
                    name: "sip".into(),
                    data: "abc123@example".into()
                }),
            }
        );
        assert_eq!(c[1].client_port, 0xB78F);
        assert_eq!(c[1].pe, None);
        assert_eq!(c[1].expires, 298);
        assert_eq!(c[3].client_addr, v4("2001:db8:1::10"));
        assert_eq!(c[3].virtual_addr, v4("2001:db8::1"));
        assert_eq!(c[3].dest_addr, v4("2001:db8::3"));
        assert_eq!(c[3].client_port, 0xB93E);
        assert_eq!(c[3].state, "TIME_WAIT");
        assert_eq!(c[6].protocol, "TCP");
        assert_eq!(c[6].virtual_port, 80);
    }

    #[test]
    fn header_only_and_empty() {
        assert_eq!(parse_connections(HEADER).unwrap(), vec![]);
        // The header without its newline, or anything as the first line.
        assert_eq!(parse_connections(HEADER.trim_end()).unwrap(), vec![]);
        assert_eq!(parse_connections("x\n").unwrap(), vec![]);
        // No first line at all: ipvsadm says "unexpected input".
        let e = parse_connections("").unwrap_err();
        assert!(matches!(e, ConnError::Unexpected { line: 1, .. }));
        assert_eq!(e.to_string(), "unexpected input from /proc/net/ip_vs_conn");
    }

    #[test]
    fn first_line_is_always_the_header() {
        // Whatever the first line says, it is not an entry.
        let line = "TCP CB00710A D56C C0000201 0050 C6336402 0050 TIME_WAIT       117\n";
        assert_eq!(parse_connections(line).unwrap(), vec![]);
        let two = format!("{line}{line}");
        assert_eq!(parse_connections(&two).unwrap().len(), 1);
    }

    #[test]
    fn malformed_lines_are_errors_not_panics() {
        let bad = [
            "TCP",
            "TCP CB00710A D56C C0000201 0050 C6336402 0050 TIME_WAIT",
            "TCP CB00710A D56C C0000201 0050 C6336402 0050 TIME_WAIT x",
            "TCP CB00710A D56C C0000201 0050 C6336402 0050 TIME_WAIT -1",
            "TCP CB00710A D56C C0000201 0050 C6336402 0050 TIME_WAIT 99999999999",
            "TCP CB00710G D56C C0000201 0050 C6336402 0050 TIME_WAIT 1",
            "TCP 1CB00710A D56C C0000201 0050 C6336402 0050 TIME_WAIT 1",
            "TCP CB00710A 1D56C C0000201 0050 C6336402 0050 TIME_WAIT 1",
            "TCP CB00710A +56C C0000201 0050 C6336402 0050 TIME_WAIT 1",
            "TCP CB00710A D56C C0000201 0050 2001:db8::zz 0050 TIME_WAIT 1",
            "TCP CB00710A D56C C0000201 0050 ::: 0050 TIME_WAIT 1",
            "TCP CB00710A  C0000201 0050 C6336402 0050 TIME_WAIT 1",
            "\u{e9}\u{e9}\u{e9} CB00710A D56C C0000201 0050 C6336402 0050 \u{1F600} 1 2",
            "\u{0} \u{0} \u{0} \u{0} \u{0} \u{0} \u{0} \u{0} \u{0}",
            "",
            "   ",
            "UDP 2001:0db8:0000:0000:0000:0000:0000:0001 0035 C0000201 0035 C0000201 0035 XX 0",
            "UDP C0000201 0035 C0000201 0035 2001:db8::1 0035 XX 0",
        ];
        for b in bad {
            let text = format!("{HEADER}{b}\n");
            match parse_connections(&text) {
                Err(ConnError::Unexpected { line, text }) => {
                    assert_eq!(line, 2, "{b}");
                    assert_eq!(text, b);
                }
                other => {
                    // Only the non-ASCII one is well formed in its fields.
                    assert!(b.starts_with('\u{e9}'), "{b}: {other:?}");
                }
            }
        }
        let e = parse_connections(&format!("{HEADER}garbage\n")).unwrap_err();
        assert_eq!(e.to_string(), "unexpected input from /proc/net/ip_vs_conn");
    }

    #[test]
    fn short_fields_and_odd_blanks() {
        // Fewer hex digits, tabs and trailing blanks still parse.
        let c = parse_connections(&format!(
            "{HEADER}SCTP\t1 50 7F000001 1 0 0 ESTABLISHED 0  \n"
        ))
        .unwrap();
        assert_eq!(c[0].protocol, "SCTP");
        assert_eq!(c[0].client_addr, v4("0.0.0.1"));
        assert_eq!(c[0].client_port, 0x50);
        assert_eq!(c[0].dest_addr, v4("0.0.0.0"));
        assert_eq!(c[0].expires, 0);
    }

    // ipvsadm shows persistence-engine columns only when both are there,
    // and only the first word of the data.
    #[test]
    fn pe_name_and_data() {
        let line = "UDP CB00710A 0000 C0000201 13C4 C6336402 13C4 NONE 27";
        let c = parse_connections(&format!("{HEADER}{line} sip\n")).unwrap();
        assert_eq!(c[0].pe, None);
        let c = parse_connections(&format!("{HEADER}{line} sip a b c\n")).unwrap();
        assert_eq!(
            c[0].pe,
            Some(PeData {
                name: "sip".into(),
                data: "a".into()
            })
        );
    }

    #[test]
    fn unsigned_expiry() {
        let line = "TCP CB00710A D56C C0000201 0050 C6336402 0050 TIME_WAIT";
        let c = parse_connections(&format!("{HEADER}{line} 4294967295\n")).unwrap();
        assert_eq!(c[0].expires, u32::MAX);
        assert!(parse_connections(&format!("{HEADER}{line} 4294967296\n")).is_err());
    }

    #[test]
    fn any_bytes_never_panic() {
        // A crude fuzz: every prefix of a captured table, and byte soup.
        for n in 0..CAPTURED.len() {
            if CAPTURED.is_char_boundary(n) {
                let _ = parse_connections(&CAPTURED[..n]);
            }
        }
        let mut seed = 12345u32;
        for _ in 0..2000 {
            let mut s = String::from(HEADER);
            for _ in 0..40 {
                seed = seed.wrapping_mul(1103515245).wrapping_add(12345);
                let alphabet = b"0123456789ABCDEFabcdef: \n\tTCPUDP-x";
                let pick = alphabet[(seed >> 16) as usize % alphabet.len()];
                s.push(pick as char);
            }
            let _ = parse_connections(&s);
        }
    }

    // ------------------------------------------------- /proc/net/ip_vs

    // Captured from /proc/net/ip_vs (kernel 6.1): IPv4, IPv6, firewall
    // marks of both families, persistence, one-packet scheduling, every
    // forwarding method, an IPv4 real server of an IPv6 service.
    const SERVICES: &str = include_str!("output/testdata/proc_net_ip_vs.txt");

    fn tcp(addr: &str, port: u16) -> ServiceKey {
        ServiceKey::Addr { protocol: Protocol::Tcp, addr: addr.parse().unwrap(), port }
    }

    fn fdest(addr: &str, port: u16, forward: Forward, weight: i32) -> FileDest {
        FileDest { addr: addr.parse().unwrap(), port, forward, weight, active_conns: 0, inact_conns: 0 }
    }

    fn parse(text: &str) -> Result<FileTable, ServicesFileError> {
        parse_services(text.as_bytes())
    }

    fn dests(t: &FileTable, key: &ServiceKey) -> Option<Vec<FileDest>> {
        t.dests(key).map(|d| d.collect())
    }

    /// A real-server line (after `  -> `, without its end of line).
    fn parse_file_dest(text: &[u8]) -> Option<FileDest> {
        let line = [text, b"\n"].concat();
        let (d, used) = FileParser::default().scan_dest(&line)?;
        assert_eq!(used, line.len());
        Some(d)
    }

    /// Real-server lines split into fields the plain way, to prove the
    /// one-pass scan (and its fixed columns) takes and refuses the same.
    fn parse_file_dest_by_fields(text: &[u8]) -> Option<FileDest> {
        let fields: Vec<&[u8]> = text.split(|&b| b == b' ').filter(|f| !f.is_empty()).collect();
        let [addr, forward, weight, active, inact] = fields[..] else { return None };
        file_dest([addr, forward, weight, active, inact])
    }

    /// A line read as "like the one before" (by its address alone) is
    /// read as it is on its own, whichever of its columns differ from the
    /// line before.
    #[test]
    fn lines_like_the_one_before_read_as_alone() {
        let mut seed = 5u32;
        let mut pick = |n: u32| {
            seed = seed.wrapping_mul(1103515245).wrapping_add(12345);
            (seed >> 8) % n
        };
        let mut text = format!("{}TCP  C0000201:0050 rr \n", header3());
        let mut lines = Vec::new();
        for _ in 0..400 {
            let line = format!(
                "{:08X}:{:04X}      {:<7} {:<6} {:<10} {:<10}\n",
                0xC633_6400u32 + pick(3),
                [80, 8080][pick(2) as usize],
                ["Masq", "Route"][pick(2) as usize],
                // (Numbers that differ only in their later digits: every
                // byte of a column counts.)
                [1, 123456][pick(2) as usize],
                [123456, 1234567890][pick(2) as usize],
                [123, 1234567890][pick(2) as usize],
            );
            assert_eq!(line.len(), KERNEL_LINE);
            text += &format!("  -> {line}");
            lines.push(line);
        }
        let alone: Vec<FileDest> =
            lines.iter().map(|l| FileParser::default().scan_dest(l.as_bytes()).unwrap().0).collect();
        assert_eq!(dests(&parse(&text).unwrap(), &tcp("192.0.2.1", 80)).unwrap(), alone);
    }

    #[test]
    fn the_scan_reads_lines_as_the_field_split_does() {
        let kernel = "C6336402:1F90      Masq    3      0          0         \n";
        assert_eq!(kernel.len(), KERNEL_LINE);
        assert!(scan_kernel_columns(kernel.as_bytes()).is_some());
        let lines = [
            "C6336402:1F90      Masq    3      0          0         ",
            "0A000001:0050      Tunnel  -12    1234567890 4294967295",
            "FFFFFFFF:FFFF      Local   0      0          0         ",
            "[2001:0db8:0000:0000:0000:0000:0000:0001]:0050 Tunnel  -7     12         4294967295",
            "C6336402:0000 Route -2147483648 1 2",
        ];
        let alphabet = b"0123456789ABCDEF:[]- MasqRouteLocalTunnelx\t\r";
        let mut seed = 7u32;
        let mut rand = |n: usize| {
            seed = seed.wrapping_mul(1103515245).wrapping_add(12345);
            (seed >> 8) as usize % n
        };
        for _ in 0..20_000 {
            let mut line = lines[rand(lines.len())].as_bytes().to_vec();
            for _ in 0..rand(4) {
                let at = rand(line.len() + 1);
                match rand(3) {
                    0 if at < line.len() => {
                        line.remove(at);
                    }
                    1 if at < line.len() => line[at] = alphabet[rand(alphabet.len())],
                    _ => line.insert(at, alphabet[rand(alphabet.len())]),
                }
            }
            assert_eq!(parse_file_dest(&line), parse_file_dest_by_fields(&line), "{:?}", String::from_utf8_lossy(&line));
        }
    }

    #[test]
    fn packed_real_servers_come_back_as_they_went_in() {
        let d = |addr: &str, port, forward, weight, active_conns, inact_conns| FileDest {
            addr: v4(addr),
            port,
            forward,
            weight,
            active_conns,
            inact_conns,
        };
        let all = [
            d("198.51.100.2", 80, Forward::Masq, 1, 0, 127),
            d("198.51.100.3", 80, Forward::Masq, 1, 0, 128),
            d("198.51.101.3", 80, Forward::Local, 0, 0, 0),
            d("2001:db8::ffff", 65535, Forward::Bypass, i32::MIN, 128, u32::MAX),
            d("2001:db8::fffe", 65535, Forward::Route, -5, 1, 2),
            d("2001:db8::1:fffe", 65535, Forward::Route, -5, 1, 2),
            d("198.51.101.4", 65535, Forward::Tunnel, 2, 3, 4),
            d("0.0.0.0", 0, Forward::Route, i32::MAX, 1 << 28, 16384),
            d("0.0.0.1", 1, Forward::Tunnel, -1, 5, 0),
            d("::", 1, Forward::Tunnel, -1, 5, 0),
            d("0.0.0.0", 1, Forward::Tunnel, -1, 5, 0),
        ];
        let mut packed = Vec::new();
        let mut last = None;
        for d in &all {
            pack(d, last, &mut packed);
            last = Some(d);
        }
        // A shared port and network: five bytes.
        let mut short = Vec::new();
        pack(&d("198.51.100.9", 80, Forward::Masq, 1, 0, 0), Some(&all[0]), &mut short);
        assert_eq!(short.len(), 5);
        assert_eq!(FileDests { packed: &packed, last: None }.collect::<Vec<_>>(), all);
        // Cut anywhere, what is left is never misread or a panic.
        for n in 0..packed.len() {
            let got: Vec<_> = FileDests { packed: &packed[..n], last: None }.collect();
            assert!(all.starts_with(&got));
        }
        // A real server that refers to one before it, without one: nothing.
        let mut alone = Vec::new();
        pack(&all[1], Some(&all[0]), &mut alone);
        assert_eq!(FileDests { packed: &alone, last: None }.count(), 0);
        // Refilled over longer and shorter lists, each is the real servers
        // as the model has them.
        let mut refilled = Vec::new();
        for n in [packed.len(), 0, 7, 3, packed.len(), 1] {
            let want: Vec<Dest> = FileDests { packed: &packed[..n], last: None }.map(|d| d.to_dest()).collect();
            FileDests { packed: &packed[..n], last: None }.refill(&mut refilled);
            assert_eq!(refilled, want);
        }
    }

    /// Reads at most a few bytes at a time, as a file cut anywhere would.
    struct Dribble<'a>(&'a [u8], usize);

    impl std::io::Read for Dribble<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            self.1 = self.1 % 7 + 1;
            let n = self.1.min(buf.len()).min(self.0.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn lines_cut_between_reads_are_read_whole() {
        let whole = parse(SERVICES).unwrap();
        let dribbled = parse_services(Dribble(SERVICES.as_bytes(), 0)).unwrap();
        assert_eq!(format!("{whole:?}").len(), format!("{dribbled:?}").len());
        for key in [tcp("192.0.2.1", 80), tcp("2001:db8::1", 443)] {
            assert_eq!(dests(&whole, &key), dests(&dribbled, &key));
        }
        // A line longer than a read's buffer is an error, not a loop.
        let long = format!("{}TCP  C0000201:0050 rr {}\n", header3(), " ".repeat(READ_SIZE));
        assert_eq!(parse(&long).unwrap_err().why, "a line too long");
    }

    #[test]
    fn captured_services() {
        let t = parse(SERVICES).unwrap();
        assert_eq!(t.len(), 7);
        assert_eq!(
            dests(&t, &tcp("192.0.2.1", 80)).unwrap(),
            [
                fdest("192.0.2.1", 80, Forward::Route, 2),
                fdest("198.51.100.3", 80, Forward::Route, 0),
                fdest("198.51.100.2", 8080, Forward::Masq, 3),
            ]
        );
        assert_eq!(
            dests(&t, &tcp("2001:db8::1", 443)).unwrap(),
            [
                fdest("198.51.100.7", 443, Forward::Tunnel, 1),
                fdest("2001:db8::2", 443, Forward::Masq, 1),
            ]
        );
        assert_eq!(dests(&t, &tcp("192.0.2.1", 81)).unwrap(), []);
        let sctp = ServiceKey::Addr { protocol: Protocol::Sctp, addr: "192.0.2.1".parse().unwrap(), port: 99 };
        assert_eq!(dests(&t, &sctp).unwrap(), []);
        let udp = ServiceKey::Addr { protocol: Protocol::Udp, addr: "192.0.2.1".parse().unwrap(), port: 53 };
        assert_eq!(dests(&t, &udp).unwrap(), [fdest("198.51.100.9", 53, Forward::Tunnel, 1)]);
        // A mark is found whatever the family asked for: the file has none.
        let mark8 = ServiceKey::Fwmark { family: crate::model::Family::Inet6, mark: 8 };
        assert_eq!(dests(&t, &mark8).unwrap(), [fdest("2001:db8::5", 0, Forward::Route, 1)]);
        assert!(dests(&t, &tcp("192.0.2.1", 82)).is_none());
    }

    #[test]
    fn connection_counts_and_weights() {
        let text = format!("{}TCP  C0000201:0050 wlc \n  -> C6336402:0050      Local   -3     17         4000000000\n", header3());
        let t = parse(&text).unwrap();
        let d = dests(&t, &tcp("192.0.2.1", 80)).unwrap()[0];
        assert_eq!((d.forward, d.weight, d.active_conns, d.inact_conns), (Forward::Local, -3, 17, 4_000_000_000));
        let dest = d.to_dest();
        assert_eq!((dest.addr, dest.port, dest.weight), (d.addr, 80, -3));
    }

    fn header3() -> &'static str {
        "IP Virtual Server version 1.2.1 (size=4096)\nProt LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port Forward Weight ActiveConn InActConn\n"
    }

    #[test]
    fn one_mark_twice_is_ambiguous_at_any_position() {
        let text = format!("{}FWM  00000008 rr \n  -> C6336402:0000      Route   1      0          0\nFWM  00000008 rr \n", header3());
        let t = parse(&text).unwrap();
        let mark = ServiceKey::Fwmark { family: crate::model::Family::Inet, mark: 8 };
        for position in 0..3 {
            assert!(t.dests_at(position, &mark).is_none());
        }
    }

    /// Looking a service up where the netlink dump had it gives what the
    /// search by key gives, whatever the position (the one the file has it
    /// at, another service's, none), for every service the file names and
    /// some it does not.
    #[test]
    fn looked_up_by_position_as_by_key() {
        let t = parse(SERVICES).unwrap();
        let mut keys: Vec<ServiceKey> = t
            .services
            .iter()
            .map(|s| match s.key {
                FileServiceKey::Addr { protocol, addr, port } => ServiceKey::Addr { protocol, addr, port },
                FileServiceKey::Fwmark(mark) => ServiceKey::Fwmark { family: crate::model::Family::Inet, mark },
            })
            .collect();
        keys.push(tcp("192.0.2.1", 82));
        keys.push(ServiceKey::Fwmark { family: crate::model::Family::Inet6, mark: 99 });
        let mut found_in_place = 0;
        for key in &keys {
            for position in 0..t.services.len() + 2 {
                let by_key = dests(&t, key);
                let at: Option<Vec<FileDest>> = t.dests_at(position, key).map(|d| d.collect());
                assert_eq!(at, by_key, "{key:?} at {position}");
                let there = t.services.get(position).map(|s| s.key);
                found_in_place += usize::from(there == Some(FileServiceKey::of(key)));
            }
        }
        assert!(found_in_place >= 6, "{found_in_place}");
    }

    /// The kernel never names a service twice; if the file does, no
    /// search finds it (the listing then asks netlink), and the service
    /// where the dump had it is the one found there.
    #[test]
    fn a_service_named_twice_is_found_by_no_search() {
        let text = format!(
            "{}TCP  C0000201:0050 rr \n  -> C6336402:0050      Masq    1      0          0\nUDP  C0000201:0035 rr \nTCP  C0000201:0050 rr \n",
            header3()
        );
        let t = parse(&text).unwrap();
        let web = tcp("192.0.2.1", 80);
        assert!(dests(&t, &web).is_none());
        let udp = ServiceKey::Addr { protocol: Protocol::Udp, addr: "192.0.2.1".parse().unwrap(), port: 53 };
        assert!(dests(&t, &udp).is_none());
        let at = |p| t.dests_at(p, &web).map(|d| d.collect::<Vec<_>>());
        assert_eq!(at(0), Some(vec![fdest("198.51.100.2", 80, Forward::Masq, 1)]));
        assert_eq!(at(2), Some(vec![]));
        assert_eq!(at(1), None);
    }

    #[test]
    fn one_mark_twice_is_ambiguous() {
        let text = format!("{}FWM  00000008 rr \n  -> C6336402:0000      Route   1      0          0\nFWM  00000008 rr \n", header3());
        let t = parse(&text).unwrap();
        let mark = ServiceKey::Fwmark { family: crate::model::Family::Inet, mark: 8 };
        assert!(dests(&t, &mark).is_none());
    }

    #[test]
    fn empty_table() {
        assert!(parse(header3()).unwrap().is_empty());
    }

    #[test]
    fn unexpected_files_are_errors() {
        let h = header3();
        let cases: Vec<(String, usize)> = vec![
            (String::new(), 0),
            ("IP Virtual Server version 1.2.1 (size=4096)\n".into(), 1),
            (format!("nonsense\n{}", h), 1),
            (format!("{h}  -> C6336402:0050      Masq    1      0          0\n"), 4),
            (format!("{h}TCP  C0000201:0050 rr \n  -> C6336402:0050      Bypass  1      0          0\n"), 5),
            (format!("{h}TCP  C0000201:0050 rr \n  -> C6336402:0050      Masq    1      0\n"), 5),
            (format!("{h}TCP  C0000201:0050 rr \n  -> C6336402:0050      Masq    x      0          0\n"), 5),
            (format!("{h}TCP  C0000201:0050 rr \n  -> C6336402:0050      Masq    1      0          0"), 5),
            (format!("{h}ESP  C0000201:0050 rr \n"), 4),
            (format!("{h}TCP  C0000201 rr \n"), 4),
            (format!("{h}TCP  C00002011:0050 rr \n"), 4),
            (format!("{h}TCP  2001:db8::1:0050 rr \n"), 4),
            (format!("{h}TCP  [2001:db8::1]:10050 rr \n"), 4),
            (format!("{h}TCP  C0000201:0050\n"), 4),
            (format!("{h}FWM  100000000 rr\n"), 4),
        ];
        for (text, line) in cases {
            match parse(&text) {
                Err(e) => assert_eq!(e.line, line, "{text:?}: {e}"),
                Ok(t) => panic!("{text:?} accepted: {t:?}"),
            }
        }
    }

    /// Real-server lines read byte by byte: every field checked, nothing
    /// more or less than five fields taken.
    #[test]
    fn real_server_lines() {
        let d = |t: &str| parse_file_dest(t.as_bytes());
        let ok = d("C6336402:1F90      Masq    3      0          4294967295").unwrap();
        assert_eq!((ok.port, ok.forward, ok.weight, ok.inact_conns), (8080, Forward::Masq, 3, u32::MAX));
        assert_eq!(d("C6336402:0000 Route -2147483648 1 2").unwrap().weight, i32::MIN);
        assert_eq!(d("[2001:0db8:0000:0000:0000:0000:0000:0001]:0050 Tunnel 0 0 0").unwrap().addr, "2001:db8::1".parse::<IpAddr>().unwrap());
        for bad in [
            "C6336402:1F90 Masq 3 0",
            "C6336402:1F90 Masq 3 0 0 0",
            "C6336402:1F90 Masq 2147483648 0 0",
            "C6336402:1F90 Masq 3 0 4294967296",
            "C6336402:1F90 Masq +3 0 0",
            "C6336402:1F90 Masq 3 0x 0",
            "C6336402:1F90 Bypass 3 0 0",
            "C633640:1F90 Masq 3 0 0",
            "",
        ] {
            assert_eq!(d(bad), None, "{bad:?}");
        }
    }
}
