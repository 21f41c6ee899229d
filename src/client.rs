//! The netlink client: one generic-netlink socket, the IPVS family id
//! resolved once, requests acknowledged, dumps read to their end, and
//! kernel errors turned into values.
//!
//! It is synchronous on purpose: `genetlink` is async-only, and a
//! command-line tool that sends a request and waits for its answer gains
//! nothing from an executor, so this uses `netlink-sys`'s blocking socket
//! with `netlink-packet-generic` messages.
//!
//! Replies are read as the netlink rules require:
//! - only datagrams the kernel sent (sender port 0) and messages carrying
//!   our port and the sequence number of a request in flight count; the
//!   rest are ignored;
//! - a dump the kernel marks as interrupted (`NLM_F_DUMP_INTR`), or during
//!   which the receive buffer overflowed, is read to its end and asked for
//!   again, a bounded number of times;
//! - when the receive buffer overflows (`ENOBUFS`) while acknowledgements
//!   are awaited, the ones still queued are read and every one that was
//!   lost is reported as such ([`Error::AnswerLost`]): the kernel handles
//!   the requests of a datagram while it is sent, so after the overflow
//!   nothing more is coming;
//! - attributes the decoders do not know are skipped (see
//!   [`crate::protocol`]).
//!
//! The socket is behind the [`Transport`] trait so that tests and the fuzz
//! targets can play the kernel.

use std::fmt;
use std::io;

use netlink_packet_core::{NLM_F_ACK, NLM_F_DUMP, NLM_F_REQUEST};
use netlink_sys::{protocols::NETLINK_GENERIC, Socket, SocketAddr};

use crate::netns::{Namespace, NetnsError};
use crate::model::{Daemon, DaemonRole, Dest, Info, Service, ServiceEntry, ServiceKey, Timeouts};
use crate::protocol::{self, DecodeError, PayloadRef, Reply, ReplyRef, Request};

/// What a request was for, so that a kernel error can be told in the
/// words ipvsadm uses for that operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Op {
    /// Looking up the IPVS family id.
    ResolveFamily,
    /// `-A`.
    AddService,
    /// `-E`.
    EditService,
    /// `-D`.
    DelService,
    /// `-C`.
    Flush,
    /// `-a`.
    AddDest,
    /// `-e`.
    EditDest,
    /// `-d`.
    DelDest,
    /// `-Z` of all services.
    Zero,
    /// `-Z` of one service.
    ZeroService,
    /// Reading all services.
    GetServices,
    /// Reading one service.
    GetService,
    /// Reading a service's real servers.
    GetDests,
    /// Reading the kernel's IPVS version.
    GetInfo,
    /// Reading the timeouts.
    GetTimeouts,
    /// `--set`.
    SetTimeouts,
    /// Reading the sync daemons.
    GetDaemons,
    /// `--start-daemon`.
    StartDaemon,
    /// `--stop-daemon`.
    StopDaemon,
}

/// Everything that can go wrong talking to the kernel.
#[derive(Debug)]
pub enum Error {
    /// The socket itself failed.
    Io(io::Error),
    /// The kernel has no IPVS family (module not loaded, or no IPVS at all).
    NoIpvs(i32),
    /// The kernel refused a request with this errno (positive).
    Kernel {
        /// What was asked.
        op: Op,
        /// The kernel's errno, positive.
        errno: i32,
    },
    /// The kernel's reply could not be decoded.
    Decode(DecodeError),
    /// The socket's receive buffer overflowed and the kernel's answer to
    /// this request was lost: whether it was carried out is unknown.
    AnswerLost {
        /// What was asked.
        op: Op,
    },
    /// Every attempt to read a table was disturbed by changes made at the
    /// same time (interrupted dumps or receive-buffer overflows).
    Unsettled {
        /// The dump that was asked for.
        op: Op,
        /// How many times it was asked for.
        tries: u32,
    },
    /// The namespace to open the client in could not be entered.
    Namespace(NetnsError),
}

/// What kind of failure an [`Error`] is, for callers that act on it
/// without reading its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The service, real server, daemon, scheduler or persistence engine
    /// named by the request does not exist.
    NotFound,
    /// The service, real server or daemon already exists.
    Exists,
    /// The caller lacks the privilege (`CAP_NET_ADMIN`, or `CAP_SYS_ADMIN`
    /// to enter a namespace).
    PermissionDenied,
    /// The kernel has no IPVS (module not loaded or not built).
    NoIpvs,
    /// The kernel found the request invalid (`EINVAL`).
    InvalidInput,
    /// The network namespace does not exist or is not one.
    NoNamespace,
    /// The kernel refused the request with another errno.
    Kernel(i32),
    /// The answer was lost or could not be read, or the table kept
    /// changing: the outcome is unknown, trying again may help.
    Unsettled,
    /// The socket failed.
    Io,
}

/// The result of a client call.
pub type Result<T> = std::result::Result<T, Error>;

const EPERM: i32 = 1;
const ENOENT: i32 = 2;
const ESRCH: i32 = 3;
const ENOMEM: i32 = 12;
const EEXIST: i32 = 17;
const EINVAL: i32 = 22;
const ENOPROTOOPT: i32 = 92;
const EOPNOTSUPP: i32 = 95;
const EAFNOSUPPORT: i32 = 97;
const ENOBUFS: i32 = 105;

impl Error {
    /// The errno behind a kernel refusal, if that is what this is.
    pub fn errno(&self) -> Option<i32> {
        match self {
            Error::Kernel { errno, .. } | Error::NoIpvs(errno) => Some(*errno),
            Error::Io(e) => e.raw_os_error(),
            Error::AnswerLost { .. } => Some(ENOBUFS),
            Error::Namespace(e) => e.source.raw_os_error(),
            Error::Decode(_) | Error::Unsettled { .. } => None,
        }
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::NoIpvs(_) => ErrorKind::NoIpvs,
            Error::Namespace(e) if e.is_not_found() => ErrorKind::NoNamespace,
            Error::Namespace(e) => match e.source.raw_os_error() {
                Some(EPERM) | Some(libc::EACCES) => ErrorKind::PermissionDenied,
                Some(EINVAL) => ErrorKind::NoNamespace,
                _ => ErrorKind::Io,
            },
            Error::Kernel { errno, .. } => match *errno {
                ESRCH | ENOENT => ErrorKind::NotFound,
                EEXIST => ErrorKind::Exists,
                EPERM => ErrorKind::PermissionDenied,
                EINVAL => ErrorKind::InvalidInput,
                ENOPROTOOPT => ErrorKind::NoIpvs,
                other => ErrorKind::Kernel(other),
            },
            Error::Io(e) if e.raw_os_error() == Some(EPERM) => ErrorKind::PermissionDenied,
            Error::Io(_) => ErrorKind::Io,
            Error::Decode(_) | Error::AnswerLost { .. } | Error::Unsettled { .. } => ErrorKind::Unsettled,
        }
    }

    /// The service or real server named by the request does not exist.
    pub fn is_not_found(&self) -> bool {
        self.kind() == ErrorKind::NotFound
    }

    /// The caller lacks the privilege the request needs.
    pub fn is_permission_denied(&self) -> bool {
        self.errno() == Some(EPERM)
    }
}

impl fmt::Display for Error {
    /// The message ipvsadm prints for this failure.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Io(e) => write!(f, "{e}"),
            // ipvsadm's words for a kernel without the IPVS family.
            Error::NoIpvs(_) => f.write_str("Protocol not available"),
            Error::Kernel { op, errno } => f.write_str(&kernel_message(*op, *errno)),
            Error::Decode(e) => write!(f, "{e}"),
            Error::AnswerLost { .. } => f.write_str(
                "netlink receive buffer overflowed: the kernel's answer was lost, the outcome is unknown",
            ),
            Error::Unsettled { tries, .. } => write!(
                f,
                "the IPVS table kept changing while it was read ({tries} interrupted attempts)"
            ),
            Error::Namespace(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io(e) => Some(e),
            Error::Namespace(e) => Some(e),
            _ => None,
        }
    }
}

impl From<io::Error> for Error {
    fn from(e: io::Error) -> Error {
        Error::Io(e)
    }
}

impl From<DecodeError> for Error {
    fn from(e: DecodeError) -> Error {
        Error::Decode(e)
    }
}

/// ipvsadm's wording for a kernel refusal: some errors mean something
/// particular to the operation, the rest are generic.
fn kernel_message(op: Op, errno: i32) -> String {
    use Op::*;
    let specific = match (op, errno) {
        (AddService, EEXIST) => Some("Service already exists"),
        (AddService | EditService, ENOENT) => Some("Scheduler or persistence engine not found"),
        (EditService | DelService | ZeroService, ESRCH) => Some("No such service"),
        (AddDest | EditDest | DelDest, ESRCH) => Some("Service not defined"),
        (AddDest, EEXIST) => Some("Destination already exists"),
        (EditDest | DelDest, ENOENT) => Some("No such destination"),
        (StartDaemon, EEXIST) => Some("Daemon has already run"),
        (StopDaemon, ESRCH) => Some("No daemon is running"),
        _ => None,
    };
    let generic = match errno {
        EPERM => Some("Permission denied (you must be root)"),
        EINVAL => {
            Some("Invalid operation.  Possibly wrong module version, address not unicast, ...")
        }
        ENOPROTOOPT => Some("Protocol not available"),
        ENOMEM => Some("Memory allocation problem"),
        EOPNOTSUPP => Some("Operation not supported with IPv6"),
        EAFNOSUPPORT => Some("Operation not supported with specified address family"),
        _ => None,
    };
    specific.or(generic).map(str::to_string).unwrap_or_else(|| strerror(errno))
}

/// The C library's text for an errno, as `strerror` gives it.
pub fn strerror(errno: i32) -> String {
    let text = io::Error::from_raw_os_error(errno).to_string();
    // std appends " (os error N)"; the C library's text is what precedes it.
    match text.rfind(" (os error ") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

/// Receive buffer per read: a dump part is at most 32 KiB. It is larger
/// on purpose: the C library gives a zeroed block this big (over its
/// 128 KiB mmap threshold) straight from mmap, untouched, instead of
/// clearing it byte by byte; only the pages a reply lands in are ever
/// touched. That is a third of the instructions of a one-command run.
const RECV_BUF: usize = 256 * 1024;
/// Socket receive buffer asked for, so that the acknowledgements of a
/// whole batch fit.
const SOCKET_RCVBUF: usize = 4 * 1024 * 1024;
/// Most requests per send in a batch.
const BATCH: usize = 256;
/// What one acknowledgement may cost in the receive buffer (the kernel
/// counts the whole buffer it allocates, not just the message).
const ACK_COST: usize = 2048;
/// How often a disturbed dump is asked for again before giving up.
const DUMP_TRIES: u32 = 8;

/// Requests per send that a receive buffer of `rcvbuf` bytes (as the kernel
/// reports it) can acknowledge without overflowing: half of it is used.
fn batch_size(rcvbuf: usize) -> usize {
    (rcvbuf / 2 / ACK_COST).clamp(1, BATCH)
}

/// One datagram received.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Datagram {
    /// Its full length, which is more than the buffer held if it was cut.
    pub len: usize,
    /// The sender's port: 0 is the kernel.
    pub sender: u32,
}

/// How the client reaches the kernel: the netlink socket
/// ([`NetlinkSocket`]), or a stand-in playing the kernel (tests, fuzzing).
pub trait Transport {
    /// Send one datagram to the kernel.
    fn send(&mut self, buf: &[u8]) -> io::Result<()>;
    /// Receive one datagram into `buf`. With `wait` false, an empty queue is
    /// `ErrorKind::WouldBlock`; with `wait` true, a silence too long is an
    /// error too. A receive-buffer overflow is the error `ENOBUFS`.
    fn recv(&mut self, buf: &mut [u8], wait: bool) -> io::Result<Datagram>;
    /// Our port id, which the kernel's messages to us carry.
    fn port(&self) -> u32;
    /// The receive buffer's size in bytes, as the kernel accounts it.
    fn recv_buffer_size(&self) -> usize;
}

/// The generic-netlink socket.
pub struct NetlinkSocket {
    sock: Socket,
    port: u32,
}

// Socket options of `SOL_NETLINK` (linux/netlink.h).
const NETLINK_CAP_ACK: libc::c_int = 10;
const NETLINK_EXT_ACK: libc::c_int = 11;

impl NetlinkSocket {
    /// Open a generic-netlink socket in the namespace of the calling thread.
    pub fn open() -> io::Result<NetlinkSocket> {
        let mut sock = Socket::new(NETLINK_GENERIC)?;
        let addr = sock.bind_auto()?;
        let s = NetlinkSocket { sock, port: addr.port_number() };
        // Best effort, all three: a smaller buffer only makes batches
        // smaller; without CAP_ACK error acknowledgements carry a copy of
        // the request; without EXT_ACK nothing changes for us.
        let size = SOCKET_RCVBUF as libc::c_int;
        if s.set_int(libc::SOL_SOCKET, libc::SO_RCVBUFFORCE, size).is_err() {
            let _ = s.set_int(libc::SOL_SOCKET, libc::SO_RCVBUF, size);
        }
        let _ = s.set_int(libc::SOL_NETLINK, NETLINK_CAP_ACK, 1);
        let _ = s.set_int(libc::SOL_NETLINK, NETLINK_EXT_ACK, 1);
        s.set_recv_timeout(REPLY_TIMEOUT)?;
        Ok(s)
    }

    fn fd(&self) -> libc::c_int {
        use std::os::fd::AsRawFd;
        self.sock.as_raw_fd()
    }

    fn set_int(&self, level: libc::c_int, name: libc::c_int, value: libc::c_int) -> io::Result<()> {
        // SAFETY: a valid descriptor and an int of the size passed.
        let rc = unsafe {
            libc::setsockopt(
                self.fd(),
                level,
                name,
                &value as *const libc::c_int as *const libc::c_void,
                std::mem::size_of::<libc::c_int>() as libc::socklen_t,
            )
        };
        if rc == 0 {
            Ok(())
        } else {
            Err(io::Error::last_os_error())
        }
    }

    fn get_int(&self, level: libc::c_int, name: libc::c_int) -> io::Result<libc::c_int> {
        let mut value: libc::c_int = 0;
        let mut len = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
        // SAFETY: a valid descriptor, an int and its size.
        let rc = unsafe {
            libc::getsockopt(
                self.fd(),
                level,
                name,
                &mut value as *mut libc::c_int as *mut libc::c_void,
                &mut len,
            )
        };
        if rc == 0 {
            Ok(value)
        } else {
            Err(io::Error::last_os_error())
        }
    }

    fn set_recv_timeout(&self, d: std::time::Duration) -> io::Result<()> {
        let tv = libc::timeval { tv_sec: d.as_secs() as libc::time_t, tv_usec: 0 };
        // SAFETY: a valid socket descriptor and a timeval of the size passed.
        let rc = unsafe {
            libc::setsockopt(
                self.fd(),
                libc::SOL_SOCKET,
                libc::SO_RCVTIMEO,
                &tv as *const libc::timeval as *const libc::c_void,
                std::mem::size_of::<libc::timeval>() as libc::socklen_t,
            )
        };
        if rc == 0 {
            Ok(())
        } else {
            Err(io::Error::last_os_error())
        }
    }
}

impl Transport for NetlinkSocket {
    fn send(&mut self, buf: &[u8]) -> io::Result<()> {
        let kernel = SocketAddr::new(0, 0);
        loop {
            match self.sock.send_to(buf, &kernel, 0) {
                // A netlink datagram goes whole or not at all.
                Ok(n) if n == buf.len() => return Ok(()),
                Ok(n) => {
                    return Err(io::Error::other(format!(
                        "netlink send: {n} of {} bytes sent",
                        buf.len()
                    )))
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
    }

    fn recv(&mut self, buf: &mut [u8], wait: bool) -> io::Result<Datagram> {
        // SAFETY: all-zero is a valid sockaddr_nl.
        let mut addr: libc::sockaddr_nl = unsafe { std::mem::zeroed() };
        let mut alen = std::mem::size_of::<libc::sockaddr_nl>() as libc::socklen_t;
        // MSG_TRUNC: the datagram's full length, so that a cut one is noticed.
        let flags = libc::MSG_TRUNC | if wait { 0 } else { libc::MSG_DONTWAIT };
        // SAFETY: the buffer and the address are valid for the sizes passed.
        let n = unsafe {
            libc::recvfrom(
                self.fd(),
                buf.as_mut_ptr() as *mut libc::c_void,
                buf.len(),
                flags,
                &mut addr as *mut libc::sockaddr_nl as *mut libc::sockaddr,
                &mut alen,
            )
        };
        if n < 0 {
            let e = io::Error::last_os_error();
            if wait && e.kind() == io::ErrorKind::WouldBlock {
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    format!("no answer from the kernel in {} s", REPLY_TIMEOUT.as_secs()),
                ));
            }
            return Err(e);
        }
        Ok(Datagram { len: n as usize, sender: addr.nl_pid })
    }

    fn port(&self) -> u32 {
        self.port
    }

    fn recv_buffer_size(&self) -> usize {
        self.get_int(libc::SOL_SOCKET, libc::SO_RCVBUF).map(|v| v.max(0) as usize).unwrap_or(0)
    }
}

/// What one read left in the receive buffer.
enum Raw {
    /// A datagram from the kernel of this many bytes.
    Datagram(usize),
    /// A datagram from another process writing to our port: ignored.
    NotKernel,
    /// The receive buffer overflowed: some messages were dropped.
    Overrun,
    /// Nothing is queued (only when not waiting).
    Empty,
}

/// A connection to the kernel's IPVS. One per process is enough.
pub struct Client {
    io: Box<dyn Transport>,
    port: u32,
    family: u16,
    seq: u32,
    rbuf: Vec<u8>,
    /// Requests per send in a batch; halved after an overflow.
    batch: usize,
}

impl Client {
    /// Open the socket and resolve the IPVS family.
    pub fn open() -> Result<Client> {
        Client::with_transport(Box::new(NetlinkSocket::open()?))
    }

    /// Open the socket in a network namespace: the client then reaches
    /// that namespace's IPVS table, whatever namespace the thread is in.
    /// The calling thread enters the namespace only while the socket is
    /// opened (which needs `CAP_SYS_ADMIN`).
    pub fn open_in(namespace: &Namespace) -> Result<Client> {
        namespace.within(Client::open).map_err(Error::Namespace)?
    }

    /// A client over another transport; resolves the IPVS family through it.
    pub fn with_transport(io: Box<dyn Transport>) -> Result<Client> {
        let mut client = Client::with_family(io, 0);
        client.family = client.resolve_family()?;
        Ok(client)
    }

    /// A client over another transport, taking the IPVS family id as given
    /// (for tests and fuzzing).
    pub fn with_family(io: Box<dyn Transport>, family: u16) -> Client {
        let port = io.port();
        let batch = batch_size(io.recv_buffer_size());
        Client {
            io,
            port,
            family,
            seq: std::process::id().wrapping_mul(1 << 12),
            rbuf: vec![0; RECV_BUF],
            batch,
        }
    }

    /// Requests per send in a batch, as of now.
    pub fn batch_size(&self) -> usize {
        self.batch
    }

    fn next_seq(&mut self) -> u32 {
        self.seq = self.seq.wrapping_add(1);
        self.seq
    }

    fn resolve_family(&mut self) -> Result<u16> {
        let seq = self.next_seq();
        let mut buf = Vec::new();
        protocol::family_request(&mut buf, seq);
        self.send(&buf)?;
        let mut answers = self.answers(seq, &[Op::ResolveFamily], true)?;
        match answers.results.pop() {
            Some(Err(Error::Kernel { errno, .. })) => return Err(Error::NoIpvs(errno)),
            Some(Err(e)) => return Err(e),
            _ => {}
        }
        let replies = answers.data;
        const CTRL_ATTR_FAMILY_ID: u16 = 1;
        for r in &replies {
            if let Some(id) = r.attrs()?.u16(CTRL_ATTR_FAMILY_ID)? {
                return Ok(id);
            }
        }
        Err(Error::Decode(DecodeError::new("controller reply without a family id")))
    }

    fn send(&mut self, buf: &[u8]) -> Result<()> {
        Ok(self.io.send(buf)?)
    }

    /// Read one datagram into the receive buffer; returns its length.
    fn receive_raw(&mut self, wait: bool) -> Result<Raw> {
        let dg = loop {
            match self.io.recv(&mut self.rbuf, wait) {
                Ok(d) => break d,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) if e.raw_os_error() == Some(ENOBUFS) => return Ok(Raw::Overrun),
                Err(e) if !wait && e.kind() == io::ErrorKind::WouldBlock => return Ok(Raw::Empty),
                Err(e) => return Err(e.into()),
            }
        };
        if dg.sender != 0 {
            return Ok(Raw::NotKernel);
        }
        if dg.len > self.rbuf.len() {
            return Err(DecodeError::new(format!("reply of {} bytes truncated", dg.len)).into());
        }
        Ok(Raw::Datagram(dg.len))
    }

    /// A message of a datagram from the kernel meant for this socket (the
    /// kernel's multicasts carry port 0).
    fn for_us(&self, msg: &protocol::MessageRef<'_>) -> bool {
        msg.port == self.port || msg.port == 0
    }

    /// Read the answers to the requests sent with the sequence numbers
    /// `first`, `first + 1`, ... (one per entry of `ops`), each ending with
    /// an acknowledgement or an error. Data messages before them are kept
    /// in the outcome's `data` when `keep` is true.
    fn answers(&mut self, first: u32, ops: &[Op], keep: bool) -> Result<Answers> {
        let n = ops.len();
        let mut slots: Vec<Option<Result<()>>> = (0..n).map(|_| None).collect();
        let mut data = Vec::new();
        let mut left = n;
        let mut overrun = false;
        while left > 0 {
            let len = match self.receive_raw(!overrun)? {
                Raw::Datagram(len) => len,
                Raw::NotKernel => continue,
                Raw::Overrun => {
                    overrun = true;
                    continue;
                }
                Raw::Empty => {
                    // After an overflow, the queue is empty: the answers not
                    // seen were dropped (the kernel answered them all before
                    // the send returned).
                    for (slot, op) in slots.iter_mut().zip(ops) {
                        if slot.is_none() {
                            *slot = Some(Err(Error::AnswerLost { op: *op }));
                        }
                    }
                    self.batch = (self.batch / 2).max(1);
                    break;
                }
            };
            for msg in protocol::messages(&self.rbuf[..len]) {
                let msg = msg?;
                if !self.for_us(&msg) {
                    continue;
                }
                let i = msg.seq.wrapping_sub(first) as usize;
                let Some(slot) = slots.get_mut(i) else { continue };
                if slot.is_some() {
                    continue;
                }
                let outcome = match msg.payload {
                    PayloadRef::Error(0) => Ok(()),
                    PayloadRef::Error(code) => {
                        Err(Error::Kernel { op: ops[i], errno: code.saturating_neg() })
                    }
                    PayloadRef::Malformed(e) => Err(e.into()),
                    PayloadRef::Data(r) => {
                        if keep {
                            data.push(r.to_owned());
                        }
                        continue;
                    }
                    PayloadRef::Done(_) | PayloadRef::Other => continue,
                };
                *slot = Some(outcome);
                left -= 1;
            }
        }
        let results = slots
            .into_iter()
            .zip(ops)
            .map(|(s, op)| s.unwrap_or(Err(Error::AnswerLost { op: *op })))
            .collect();
        Ok(Answers { results, data })
    }

    /// Read a dump to its end, decoding each message as it comes (so that
    /// a long table is never held twice). Returns what was decoded and
    /// whether it is trustworthy: false when the kernel flagged the dump
    /// as interrupted or the receive buffer overflowed meanwhile.
    fn dump_answer<T>(
        &mut self,
        seq: u32,
        op: Op,
        decode: &dyn Fn(ReplyRef<'_>) -> std::result::Result<T, DecodeError>,
    ) -> Result<(Vec<T>, bool)> {
        let mut items = Vec::new();
        let mut clean = true;
        // A message that does not decode fails the dump, once it is read
        // to its end (what is left of it must not meet the next request).
        let mut failed = None;
        loop {
            // The entries are decoded where they lie in the receive buffer:
            // a dump of a long table is tens of thousands of messages.
            let len = match self.receive_raw(true)? {
                Raw::Datagram(len) => len,
                Raw::NotKernel => continue,
                Raw::Overrun | Raw::Empty => {
                    clean = false;
                    continue;
                }
            };
            for msg in protocol::messages(&self.rbuf[..len]) {
                let msg = msg?;
                if msg.seq != seq || !self.for_us(&msg) {
                    continue;
                }
                if msg.interrupted() {
                    clean = false;
                }
                match msg.payload {
                    PayloadRef::Data(r) => match decode(r) {
                        Ok(item) => items.push(item),
                        Err(e) => {
                            failed.get_or_insert(e);
                        }
                    },
                    PayloadRef::Done(0) => {
                        return match failed {
                            Some(e) => Err(e.into()),
                            None => Ok((items, clean)),
                        }
                    }
                    // An acknowledgement (a dump is not asked for one) or a noop.
                    PayloadRef::Error(0) | PayloadRef::Other => {}
                    PayloadRef::Error(code) | PayloadRef::Done(code) => {
                        return Err(Error::Kernel { op, errno: code.saturating_neg() })
                    }
                    PayloadRef::Malformed(e) => return Err(e.into()),
                }
            }
        }
    }

    /// Ask for a dump, again if it was disturbed; each message decoded
    /// with `decode`.
    fn dump<T>(
        &mut self,
        op: Op,
        req: &Request,
        decode: &dyn Fn(ReplyRef<'_>) -> std::result::Result<T, DecodeError>,
    ) -> Result<Vec<T>> {
        for _ in 0..DUMP_TRIES {
            let seq = self.next_seq();
            let mut buf = Vec::new();
            protocol::encode(&mut buf, req, self.family, NLM_F_DUMP, seq);
            self.send(&buf)?;
            let (items, clean) = self.dump_answer(seq, op, decode)?;
            if clean {
                return Ok(items);
            }
        }
        Err(Error::Unsettled { op, tries: DUMP_TRIES })
    }

    /// Send one request and wait for its acknowledgement; returns the data
    /// messages that came before it.
    fn transact(&mut self, op: Op, req: &Request) -> Result<Vec<Reply>> {
        let seq = self.next_seq();
        let mut buf = Vec::new();
        protocol::encode(&mut buf, req, self.family, NLM_F_ACK, seq);
        self.send(&buf)?;
        let mut answers = self.answers(seq, &[op], true)?;
        match answers.results.pop() {
            Some(Err(e)) => Err(e),
            _ => Ok(answers.data),
        }
    }

    fn execute(&mut self, op: Op, req: &Request) -> Result<()> {
        self.transact(op, req).map(drop)
    }

    /// Carry out many changes with few system calls: requests go out in
    /// batches, each acknowledged on its own, so the result of every one is
    /// known, in order, as if they had been sent one by one.
    pub fn batch(&mut self, reqs: &[(Op, Request)]) -> Result<Vec<Result<()>>> {
        let mut buf = Vec::new();
        let mut ops = Vec::with_capacity(reqs.len());
        for (op, req) in reqs {
            protocol::encode(&mut buf, req, 0, NLM_F_ACK, 0);
            ops.push(*op);
        }
        let mut results = Vec::with_capacity(reqs.len());
        self.apply_encoded(&ops, &buf, &mut |_, r| results.push(r))?;
        Ok(results)
    }

    /// [`Client::batch`] for requests encoded beforehand with
    /// [`protocol::encode`], one message per entry of `ops`, back to back
    /// (family id, flags and sequence numbers are set here). `each` gets
    /// the index and result of every request, in order. An error returned
    /// (the socket failed) leaves the requests not yet reported unknown.
    pub fn apply_encoded(
        &mut self,
        ops: &[Op],
        msgs: &[u8],
        each: &mut dyn FnMut(usize, Result<()>),
    ) -> Result<()> {
        let count = count_messages(msgs)
            .ok_or_else(|| DecodeError::new("encoded requests are not netlink messages"))?;
        if count != ops.len() {
            return Err(DecodeError::new(format!(
                "{count} encoded requests for {} operations",
                ops.len()
            ))
            .into());
        }
        let mut off = 0;
        let mut done = 0;
        let mut out = Vec::new();
        while done < ops.len() {
            let n = self.batch.min(ops.len() - done);
            out.clear();
            let first = self.seq.wrapping_add(1);
            for _ in 0..n {
                let len = message_len(&msgs[off..]).unwrap_or(0);
                let start = out.len();
                out.extend_from_slice(&msgs[off..off + len]);
                out.resize(start + align4(len), 0);
                let seq = self.next_seq();
                let flags = NLM_F_REQUEST | NLM_F_ACK;
                out[start + 4..start + 6].copy_from_slice(&self.family.to_ne_bytes());
                out[start + 6..start + 8].copy_from_slice(&flags.to_ne_bytes());
                out[start + 8..start + 12].copy_from_slice(&seq.to_ne_bytes());
                off = (off + align4(len)).min(msgs.len());
            }
            self.send(&out)?;
            let answers = self.answers(first, &ops[done..done + n], false)?;
            for (k, r) in answers.results.into_iter().enumerate() {
                each(done + k, r);
            }
            done += n;
        }
        Ok(())
    }

    /// Add a virtual service (`-A`).
    pub fn add_service(&mut self, svc: &Service) -> Result<()> {
        self.execute(Op::AddService, &Request::new_service(svc))
    }

    /// Change a virtual service (`-E`).
    pub fn edit_service(&mut self, svc: &Service) -> Result<()> {
        self.execute(Op::EditService, &Request::set_service(svc))
    }

    /// Delete a virtual service and its real servers (`-D`).
    pub fn del_service(&mut self, key: &ServiceKey) -> Result<()> {
        self.execute(Op::DelService, &Request::del_service(key))
    }

    /// Delete every virtual service (`-C`).
    pub fn flush(&mut self) -> Result<()> {
        self.execute(Op::Flush, &Request::flush())
    }

    /// Add a real server to a service (`-a`).
    pub fn add_dest(&mut self, key: &ServiceKey, dest: &Dest) -> Result<()> {
        self.execute(Op::AddDest, &Request::new_dest(key, dest))
    }

    /// Change a real server (`-e`): weight, thresholds, forwarding, tunnel.
    pub fn edit_dest(&mut self, key: &ServiceKey, dest: &Dest) -> Result<()> {
        self.execute(Op::EditDest, &Request::set_dest(key, dest))
    }

    /// Remove a real server (`-d`); only its address and port count.
    pub fn del_dest(&mut self, key: &ServiceKey, dest: &Dest) -> Result<()> {
        self.execute(Op::DelDest, &Request::del_dest(key, dest))
    }

    /// Zero the counters of one service, or of all.
    pub fn zero(&mut self, key: Option<&ServiceKey>) -> Result<()> {
        let op = if key.is_some() { Op::ZeroService } else { Op::Zero };
        self.execute(op, &Request::zero(key))
    }

    /// The kernel's IPVS version and connection table size.
    pub fn info(&mut self) -> Result<Info> {
        let replies = self.transact(Op::GetInfo, &Request::get_info())?;
        let first = replies.first().ok_or_else(|| DecodeError::new("no info reply"))?;
        Ok(protocol::decode_info(first)?)
    }

    /// All virtual services, in the kernel's order.
    pub fn services(&mut self) -> Result<Vec<Service>> {
        self.services_as(true, &|s| s)
    }

    /// All virtual services, in the kernel's order, each made into what
    /// `keep` returns as it is read: a caller that holds every service of
    /// a large table keeps only what it needs of each. Without `counters`
    /// they are left zero (not read).
    pub fn services_as<T>(&mut self, counters: bool, keep: &dyn Fn(Service) -> T) -> Result<Vec<T>> {
        let decode = |r: ReplyRef<'_>| match counters {
            true => protocol::decode_service(r),
            false => protocol::decode_service_without_counters(r),
        };
        self.dump(Op::GetServices, &Request::get_service(None), &|r| decode(r).map(keep))
    }

    /// One virtual service.
    pub fn service(&mut self, key: &ServiceKey) -> Result<Service> {
        let replies = self.transact(Op::GetService, &Request::get_service(Some(key)))?;
        let first = replies.first().ok_or_else(|| DecodeError::new("no service in reply"))?;
        Ok(protocol::decode_service(first)?)
    }

    /// The real servers of one service, in the kernel's order.
    pub fn dests(&mut self, key: &ServiceKey) -> Result<Vec<Dest>> {
        let family = key.family();
        self.dump(Op::GetDests, &Request::get_dests(key), &|r| protocol::decode_dest(r, family))
    }

    /// The real servers of a service just listed, or `None` if it was
    /// deleted (by someone else) since: it is gone.
    pub fn dests_unless_gone(&mut self, key: &ServiceKey) -> Result<Option<Vec<Dest>>> {
        match self.dests(key) {
            Ok(d) => Ok(Some(d)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Every service with its real servers. A service deleted (by someone
    /// else) between the two reads is left out: it is gone.
    pub fn table(&mut self) -> Result<Vec<ServiceEntry>> {
        let services = self.services()?;
        let mut entries = Vec::with_capacity(services.len());
        for service in services {
            if let Some(dests) = self.dests_unless_gone(&service.key)? {
                entries.push(ServiceEntry { service, dests });
            }
        }
        Ok(entries)
    }

    /// The tcp, tcpfin and udp timeouts.
    pub fn timeouts(&mut self) -> Result<Timeouts> {
        let replies = self.transact(Op::GetTimeouts, &Request::get_config())?;
        let first = replies.first().ok_or_else(|| DecodeError::new("no timeout reply"))?;
        Ok(protocol::decode_timeouts(first)?)
    }

    /// Set the timeouts (`--set`; 0 keeps a value).
    pub fn set_timeouts(&mut self, t: &Timeouts) -> Result<()> {
        self.execute(Op::SetTimeouts, &Request::set_config(t))
    }

    /// The sync daemons that run (master first).
    pub fn daemons(&mut self) -> Result<Vec<Daemon>> {
        self.dump(Op::GetDaemons, &Request::get_daemon(), &|r| protocol::decode_daemon(r))
    }

    /// Start a sync daemon (`--start-daemon`).
    pub fn start_daemon(&mut self, d: &Daemon) -> Result<()> {
        self.execute(Op::StartDaemon, &Request::new_daemon(d))
    }

    /// Stop a sync daemon (`--stop-daemon`).
    pub fn stop_daemon(&mut self, role: DaemonRole) -> Result<()> {
        self.execute(Op::StopDaemon, &Request::del_daemon(role))
    }
}

/// The outcome of every request of an exchange, and the data messages.
struct Answers {
    results: Vec<Result<()>>,
    data: Vec<Reply>,
}

fn align4(n: usize) -> usize {
    (n + 3) & !3
}

/// The length of the netlink message at the start of `buf`, if sound.
fn message_len(buf: &[u8]) -> Option<usize> {
    let len = u32::from_ne_bytes(buf.get(..4)?.try_into().ok()?) as usize;
    (len >= 16 && len <= buf.len()).then_some(len)
}

/// How many netlink messages `buf` holds back to back, if it is only that.
fn count_messages(mut buf: &[u8]) -> Option<usize> {
    let mut n = 0;
    while !buf.is_empty() {
        let len = message_len(buf)?;
        buf = buf.get(align4(len)..).unwrap_or(&[]);
        n += 1;
    }
    Some(n)
}

/// The longest wait for the next reply: the kernel answers at once, so a
/// silence this long is a bug, reported rather than waited out forever.
const REPLY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_kinds() {
        let k = |op, errno| Error::Kernel { op, errno }.kind();
        assert_eq!(k(Op::DelService, ESRCH), ErrorKind::NotFound);
        assert_eq!(k(Op::EditDest, ENOENT), ErrorKind::NotFound);
        assert_eq!(k(Op::AddService, EEXIST), ErrorKind::Exists);
        assert_eq!(k(Op::Flush, EPERM), ErrorKind::PermissionDenied);
        assert_eq!(k(Op::AddDest, EINVAL), ErrorKind::InvalidInput);
        assert_eq!(k(Op::AddService, EOPNOTSUPP), ErrorKind::Kernel(EOPNOTSUPP));
        assert_eq!(Error::NoIpvs(ENOENT).kind(), ErrorKind::NoIpvs);
        assert_eq!(Error::Io(io::Error::from_raw_os_error(EPERM)).kind(), ErrorKind::PermissionDenied);
        assert_eq!(Error::AnswerLost { op: Op::Flush }.kind(), ErrorKind::Unsettled);
        let missing = Client::open_in(&Namespace::parse("no-such-namespace-for-tests")).err().map(|e| e.kind());
        assert_eq!(missing, Some(ErrorKind::NoNamespace));
    }

    #[test]
    fn messages_follow_the_operation() {
        let e = |op, errno| Error::Kernel { op, errno }.to_string();
        assert_eq!(e(Op::AddService, EEXIST), "Service already exists");
        assert_eq!(e(Op::DelService, ESRCH), "No such service");
        assert_eq!(e(Op::AddDest, ESRCH), "Service not defined");
        assert_eq!(e(Op::DelDest, ENOENT), "No such destination");
        assert_eq!(e(Op::AddService, ENOENT), "Scheduler or persistence engine not found");
        assert_eq!(
            e(Op::AddDest, EINVAL),
            "Invalid operation.  Possibly wrong module version, address not unicast, ..."
        );
        assert_eq!(e(Op::AddDest, 34), "Numerical result out of range");
    }

    // ------------------------------------------- replies, with a scripted kernel

    use crate::fuzzing::{ack, data, done, Item, ScriptedKernel, FAMILY, PORT};
    use crate::model::Protocol;
    use crate::protocol::consts::*;
    use crate::protocol::Attr;

    const DUMP_INTR: u16 = 0x10;

    fn key() -> ServiceKey {
        ServiceKey::Addr { protocol: Protocol::Tcp, addr: "192.0.2.1".parse().unwrap(), port: 80 }
    }

    fn service() -> Service {
        let mut s = Service::new(key());
        s.scheduler = "rr".into();
        s
    }

    /// A client whose kernel answers from `items` (sequence numbers fixed
    /// up as `Item::Datagram::seq_from` says).
    fn scripted(items: Vec<Item>) -> (Client, std::rc::Rc<std::cell::RefCell<Vec<Vec<u8>>>>) {
        let k = ScriptedKernel::with_script(items);
        let sent = k.sent.clone();
        (Client::with_family(Box::new(k), FAMILY), sent)
    }

    fn ours(bytes: Vec<u8>, k: u32) -> Item {
        Item::Datagram { bytes, sender: 0, seq_from: Some(k) }
    }

    fn sequence_numbers(datagram: &[u8]) -> Vec<u32> {
        crate::fuzzing::messages(datagram)
            .iter()
            .map(|m| u32::from_ne_bytes(m[8..12].try_into().unwrap()))
            .collect()
    }

    /// A service reply as a newer kernel may send it: nested flags set,
    /// attributes this crate does not know, at both levels.
    fn service_reply(seq: u32, port: u32, flags: u16) -> Vec<u8> {
        let mut attrs = Request::new_service(&service()).attrs;
        if let Attr::Nested(_, inner) = &mut attrs[0] {
            inner.push(Attr::Bytes(40, vec![1, 2, 3, 4, 5, 6, 7, 8]));
            inner.push(Attr::Nested(41, vec![Attr::U32(1, 7)]));
        }
        attrs.push(Attr::U32(60, 1));
        data(seq, port, flags, CMD_NEW_SERVICE, attrs)
    }

    #[test]
    fn answers_to_others_are_ignored() {
        let (mut c, _) = scripted(vec![
            // another sequence number, another port, another sender
            Item::Datagram { bytes: ack(1, PORT, -17), sender: 0, seq_from: None },
            Item::Datagram { bytes: service_reply(0, PORT + 1, 0), sender: 0, seq_from: None },
            Item::Datagram { bytes: ack(0, PORT, -17), sender: 77, seq_from: None },
            ours(service_reply(0, PORT, 0), 0),
            ours(ack(0, PORT, 0), 0),
        ]);
        assert_eq!(c.service(&key()).unwrap(), service());
    }

    #[test]
    fn a_foreign_port_in_our_datagram_is_skipped() {
        let k = ScriptedKernel::new().answering(|msg| {
            let seq = u32::from_ne_bytes(msg[8..12].try_into().unwrap());
            let mut dg = ack(seq, PORT + 9, -17);
            dg.extend(service_reply(seq, PORT, 0));
            dg.extend(ack(seq, PORT, 0));
            vec![Item::Datagram { bytes: dg, sender: 0, seq_from: None }]
        });
        let mut c = Client::with_family(Box::new(k), FAMILY);
        assert_eq!(c.service(&key()).unwrap(), service());
    }

    #[test]
    fn batches_report_every_result_in_order() {
        let k = ScriptedKernel::new()
            .answering(|msg| {
                let seq = u32::from_ne_bytes(msg[8..12].try_into().unwrap());
                // Every third request fails; answers come in reverse pairs.
                let code = if seq % 3 == 0 { -17 } else { 0 };
                vec![Item::Datagram { bytes: ack(seq, PORT, code), sender: 0, seq_from: None }]
            })
            .with_recv_buffer(64 * 2048); // 32 requests per send
        let sent = k.sent.clone();
        let mut c = Client::with_family(Box::new(k), FAMILY);
        assert_eq!(c.batch_size(), 32);
        let reqs: Vec<(Op, Request)> =
            (0..100).map(|_| (Op::AddService, Request::new_service(&service()))).collect();
        let results = c.batch(&reqs).unwrap();
        assert_eq!(results.len(), 100);
        assert_eq!(sent.borrow().len(), 4);
        let seqs: Vec<u32> = sent.borrow().iter().flat_map(|d| sequence_numbers(d)).collect();
        for (r, seq) in results.iter().zip(&seqs) {
            match r {
                Ok(()) => assert_ne!(seq % 3, 0),
                Err(e) => {
                    assert_eq!(seq % 3, 0);
                    assert_eq!(e.to_string(), "Service already exists");
                }
            }
        }
        // Family id, flags and sequence numbers are set on the way out.
        for m in crate::fuzzing::messages(&sent.borrow()[0]) {
            assert_eq!(u16::from_ne_bytes([m[4], m[5]]), FAMILY);
            assert_eq!(u16::from_ne_bytes([m[6], m[7]]), 0x5);
        }
    }

    #[test]
    fn batch_sizes_follow_the_receive_buffer() {
        assert_eq!(batch_size(0), 1);
        assert_eq!(batch_size(212_992), 52);
        assert_eq!(batch_size(425_984), 104);
        assert_eq!(batch_size(8 << 20), BATCH);
    }

    #[test]
    fn an_overflow_while_acks_are_awaited_reports_the_lost_ones() {
        // Five requests: the answers to the first two and the last arrive,
        // the buffer overflowed in between.
        let (mut c, _) = scripted(vec![
            ours(ack(0, PORT, 0), 0),
            Item::Overrun,
            ours(ack(0, PORT, -17), 1),
            ours(ack(0, PORT, 0), 4),
        ]);
        let before = c.batch_size();
        let reqs: Vec<(Op, Request)> =
            (0..5).map(|_| (Op::AddService, Request::new_service(&service()))).collect();
        let results = c.batch(&reqs).unwrap();
        let shown: Vec<String> = results
            .iter()
            .map(|r| match r {
                Ok(()) => "ok".to_string(),
                Err(e) => e.to_string(),
            })
            .collect();
        let lost = "netlink receive buffer overflowed: the kernel's answer was lost, the outcome is unknown";
        assert_eq!(shown, vec!["ok", "Service already exists", lost, lost, "ok"]);
        assert_eq!(c.batch_size(), before / 2);
        // A single change too.
        let (mut c, _) = scripted(vec![Item::Overrun]);
        assert!(matches!(c.add_service(&service()), Err(Error::AnswerLost { op: Op::AddService })));
    }

    #[test]
    fn interrupted_dumps_are_asked_for_again() {
        let (mut c, sent) = scripted(vec![
            ours(service_reply(0, PORT, DUMP_INTR), 0),
            ours(done(0, PORT, 0, DUMP_INTR), 0),
            ours(service_reply(0, PORT, 0), 0),
            ours(done(0, PORT, 0, 0), 0),
        ]);
        assert_eq!(c.services().unwrap(), vec![service()]);
        assert_eq!(sent.borrow().len(), 2);
        // An overflow during a dump: read it to its end, then again.
        let (mut c, sent) = scripted(vec![
            ours(service_reply(0, PORT, 0), 0),
            Item::Overrun,
            ours(done(0, PORT, 0, 0), 0),
            ours(service_reply(0, PORT, 0), 0),
            ours(service_reply(0, PORT, 0), 0),
            ours(done(0, PORT, 0, 0), 0),
        ]);
        assert_eq!(c.services().unwrap(), vec![service(), service()]);
        assert_eq!(sent.borrow().len(), 2);
    }

    #[test]
    fn a_dump_interrupted_every_time_is_an_error() {
        let items: Vec<Item> =
            (0..DUMP_TRIES).map(|_| ours(done(0, PORT, 0, DUMP_INTR), 0)).collect();
        let (mut c, sent) = scripted(items);
        let e = c.services().unwrap_err();
        assert!(matches!(e, Error::Unsettled { op: Op::GetServices, tries: DUMP_TRIES }), "{e:?}");
        assert_eq!(sent.borrow().len(), DUMP_TRIES as usize);
        assert_eq!(
            e.to_string(),
            "the IPVS table kept changing while it was read (8 interrupted attempts)"
        );
    }

    #[test]
    fn unknown_attributes_are_skipped() {
        let (mut c, _) =
            scripted(vec![ours(service_reply(0, PORT, 0), 0), ours(done(0, PORT, 0, 0), 0)]);
        assert_eq!(c.services().unwrap(), vec![service()]);
        // A whole message of an unknown command in a dump is decoded as far
        // as it goes: a service reply needs its service attribute.
        let (mut c, _) = scripted(vec![
            ours(data(0, PORT, 0, 99, vec![Attr::U32(1, 5)]), 0),
            ours(done(0, PORT, 0, 0), 0),
        ]);
        assert!(matches!(c.services(), Err(Error::Decode(_))));
    }

    #[test]
    fn broken_replies_are_errors_not_panics() {
        let truncated = {
            let mut r = service_reply(0, PORT, 0);
            r.extend(vec![0; 70_000]);
            r
        };
        let cases: Vec<Vec<Item>> = vec![
            vec![],
            vec![ours(vec![1, 2, 3], 0)],
            vec![ours(ack(0, PORT, i32::MIN), 0)],
            vec![ours(done(0, PORT, i32::MIN, 0), 0)],
            vec![ours(truncated, 0)],
            vec![ours(service_reply(0, PORT, 0)[..30].to_vec(), 0)],
        ];
        for items in cases {
            let (mut c, _) = scripted(items.clone());
            assert!(c.services().is_err(), "{items:?}");
            let (mut c, _) = scripted(items.clone());
            assert!(c.add_service(&service()).is_err(), "{items:?}");
        }
        let (mut c, _) = scripted(vec![ours(ack(0, PORT, i32::MIN), 0)]);
        let e = c.add_service(&service()).unwrap_err();
        assert_eq!(e.errno(), Some(i32::MAX));
    }

    #[test]
    fn encoded_requests_must_match_their_operations() {
        let (mut c, _) = scripted(vec![]);
        let mut buf = Vec::new();
        protocol::encode(&mut buf, &Request::flush(), 0, NLM_F_ACK, 0);
        let none = &mut |_: usize, _: Result<()>| panic!("nothing is sent");
        assert!(c.apply_encoded(&[Op::Flush, Op::Flush], &buf, none).is_err());
        assert!(c.apply_encoded(&[Op::Flush], &buf[..10], none).is_err());
        assert!(c.apply_encoded(&[], &[], none).is_ok());
    }

    #[test]
    fn the_family_is_resolved_or_ipvs_is_missing() {
        const CTRL_ATTR_FAMILY_ID: u16 = 1;
        let reply = data(0, PORT, 0, 1, vec![Attr::U16(CTRL_ATTR_FAMILY_ID, 0x33)]);
        let k = ScriptedKernel::with_script(vec![ours(reply, 0), ours(ack(0, PORT, 0), 0)]);
        let sent = k.sent.clone();
        let mut c = Client::with_transport(Box::new(k)).unwrap();
        assert_eq!(c.family, 0x33);
        let _ = c.flush();
        assert_eq!(u16::from_ne_bytes([sent.borrow()[1][4], sent.borrow()[1][5]]), 0x33);
        let k = ScriptedKernel::with_script(vec![ours(ack(0, PORT, -2), 0)]);
        assert!(matches!(Client::with_transport(Box::new(k)), Err(Error::NoIpvs(2))));
    }
}
