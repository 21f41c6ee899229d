//! The netlink client: one generic-netlink socket, the IPVS family id
//! resolved once, requests acknowledged, dumps read to their end, and
//! kernel errors turned into values.
//!
//! It is synchronous on purpose: `genetlink` is async-only, and a
//! command-line tool that sends a request and waits for its answer gains
//! nothing from an executor, so this uses `netlink-sys`'s blocking socket
//! with `netlink-packet-generic` messages.

use std::collections::HashMap;
use std::fmt;
use std::io;

use netlink_packet_core::{NLM_F_ACK, NLM_F_DUMP};
use netlink_sys::{protocols::NETLINK_GENERIC, Socket, SocketAddr};

use crate::model::{Daemon, DaemonRole, Dest, Info, Service, ServiceEntry, ServiceKey, Timeouts};
use crate::protocol::{self, DecodeError, Frame, FramePayload, Reply, Request};

/// What a request was for, so that a kernel error can be told in the
/// words ipvsadm uses for that operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Op {
    ResolveFamily,
    AddService,
    EditService,
    DelService,
    Flush,
    AddDest,
    EditDest,
    DelDest,
    Zero,
    ZeroService,
    GetServices,
    GetService,
    GetDests,
    GetInfo,
    GetTimeouts,
    SetTimeouts,
    GetDaemons,
    StartDaemon,
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
    Kernel { op: Op, errno: i32 },
    /// The kernel's reply could not be decoded.
    Decode(DecodeError),
}

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

impl Error {
    /// The errno behind a kernel refusal, if that is what this is.
    pub fn errno(&self) -> Option<i32> {
        match self {
            Error::Kernel { errno, .. } | Error::NoIpvs(errno) => Some(*errno),
            Error::Io(e) => e.raw_os_error(),
            Error::Decode(_) => None,
        }
    }

    /// The service or real server named by the request does not exist.
    pub fn is_not_found(&self) -> bool {
        matches!(self, Error::Kernel { errno, .. } if *errno == ESRCH || *errno == ENOENT)
    }

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
        }
    }
}

impl std::error::Error for Error {}

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

/// Receive buffer per read: a dump part is at most a few pages.
const RECV_BUF: usize = 64 * 1024;
/// Socket receive buffer, so that the acknowledgements of a whole batch fit.
const SOCKET_RCVBUF: usize = 4 * 1024 * 1024;
/// Requests per send in a batch; their acknowledgements must fit the socket buffer.
const BATCH: usize = 256;

/// A connection to the kernel's IPVS. One per process is enough.
pub struct Client {
    sock: Socket,
    port: u32,
    family: u16,
    seq: u32,
    rbuf: Vec<u8>,
}

impl Client {
    /// Open the socket and resolve the IPVS family.
    pub fn open() -> Result<Client> {
        let mut sock = Socket::new(NETLINK_GENERIC)?;
        let addr = sock.bind_auto()?;
        // Best effort: a smaller buffer only limits the batch size.
        let _ = sock.set_rx_buf_sz(SOCKET_RCVBUF);
        let _ = sock.set_ext_ack(true);
        set_recv_timeout(&sock, REPLY_TIMEOUT)?;
        let mut client = Client {
            sock,
            port: addr.port_number(),
            family: 0,
            seq: std::process::id().wrapping_mul(1 << 12),
            rbuf: Vec::with_capacity(RECV_BUF),
        };
        client.family = client.resolve_family()?;
        Ok(client)
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
        let replies = match self.collect(seq, false) {
            Err(Error::Kernel { errno, .. }) => return Err(Error::NoIpvs(errno)),
            other => other?,
        };
        const CTRL_ATTR_FAMILY_ID: u16 = 1;
        for r in &replies {
            if let Some(id) = r.attrs()?.u16(CTRL_ATTR_FAMILY_ID)? {
                return Ok(id);
            }
        }
        Err(Error::Decode(DecodeError::new("controller reply without a family id")))
    }

    fn send(&self, buf: &[u8]) -> Result<()> {
        let kernel = SocketAddr::new(0, 0);
        let mut off = 0;
        while off < buf.len() {
            off += self.sock.send_to(&buf[off..], &kernel, 0)?;
        }
        Ok(())
    }

    /// Read one datagram and split it into messages meant for us.
    fn recv_frames(&mut self) -> Result<Vec<Frame>> {
        self.rbuf.clear();
        let n = loop {
            match self.sock.recv(&mut self.rbuf, libc_msg_trunc()) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e.into()),
            }
        };
        if n > self.rbuf.len() {
            return Err(DecodeError::new(format!("reply of {n} bytes truncated")).into());
        }
        let port = self.port;
        Ok(protocol::parse_datagram(&self.rbuf)?
            .into_iter()
            .filter(|f| f.port == port || f.port == 0)
            .collect())
    }

    /// Wait for the end of the exchange `seq`: an acknowledgement, an error,
    /// or (for a dump) its done message. Returns the data messages.
    fn collect(&mut self, seq: u32, dump: bool) -> Result<Vec<Reply>> {
        let mut replies = Vec::new();
        loop {
            for frame in self.recv_frames()? {
                if frame.seq != seq {
                    continue;
                }
                match frame.payload {
                    FramePayload::Data(r) => replies.push(r),
                    FramePayload::Error(0) if !dump => return Ok(replies),
                    FramePayload::Done(0) if dump => return Ok(replies),
                    FramePayload::Error(code) | FramePayload::Done(code) if code != 0 => {
                        return Err(Error::Kernel { op: Op::GetInfo, errno: -code })
                    }
                    FramePayload::Malformed(e) => return Err(e.into()),
                    _ => {}
                }
            }
        }
    }

    /// Send one request and wait for its answer.
    fn transact(&mut self, op: Op, req: &Request, dump: bool) -> Result<Vec<Reply>> {
        let seq = self.next_seq();
        let flags = if dump { NLM_F_DUMP } else { NLM_F_ACK };
        let mut buf = Vec::new();
        protocol::encode(&mut buf, req, self.family, flags, seq);
        self.send(&buf)?;
        self.collect(seq, dump).map_err(|e| match e {
            Error::Kernel { errno, .. } => Error::Kernel { op, errno },
            other => other,
        })
    }

    fn execute(&mut self, op: Op, req: &Request) -> Result<()> {
        self.transact(op, req, false).map(drop)
    }

    /// Carry out many changes with few system calls: requests go out in
    /// batches, each acknowledged on its own, so the result of every one is
    /// known, in order, as if they had been sent one by one.
    pub fn batch(&mut self, reqs: &[(Op, Request)]) -> Result<Vec<Result<()>>> {
        let mut results = Vec::with_capacity(reqs.len());
        for chunk in reqs.chunks(BATCH) {
            let mut buf = Vec::new();
            let mut pending: HashMap<u32, usize> = HashMap::new();
            let first = results.len();
            for (i, (_, req)) in chunk.iter().enumerate() {
                let seq = self.next_seq();
                protocol::encode(&mut buf, req, self.family, NLM_F_ACK, seq);
                pending.insert(seq, first + i);
                results.push(Ok(()));
            }
            self.send(&buf)?;
            while !pending.is_empty() {
                for frame in self.recv_frames()? {
                    let Some(&i) = pending.get(&frame.seq) else { continue };
                    let outcome = match frame.payload {
                        FramePayload::Error(0) => Ok(()),
                        FramePayload::Error(code) => {
                            Err(Error::Kernel { op: reqs[i].0, errno: -code })
                        }
                        FramePayload::Malformed(e) => Err(e.into()),
                        _ => continue,
                    };
                    results[i] = outcome;
                    pending.remove(&frame.seq);
                }
            }
        }
        Ok(results)
    }

    pub fn add_service(&mut self, svc: &Service) -> Result<()> {
        self.execute(Op::AddService, &Request::new_service(svc))
    }

    pub fn edit_service(&mut self, svc: &Service) -> Result<()> {
        self.execute(Op::EditService, &Request::set_service(svc))
    }

    pub fn del_service(&mut self, key: &ServiceKey) -> Result<()> {
        self.execute(Op::DelService, &Request::del_service(key))
    }

    pub fn flush(&mut self) -> Result<()> {
        self.execute(Op::Flush, &Request::flush())
    }

    pub fn add_dest(&mut self, key: &ServiceKey, dest: &Dest) -> Result<()> {
        self.execute(Op::AddDest, &Request::new_dest(key, dest))
    }

    pub fn edit_dest(&mut self, key: &ServiceKey, dest: &Dest) -> Result<()> {
        self.execute(Op::EditDest, &Request::set_dest(key, dest))
    }

    pub fn del_dest(&mut self, key: &ServiceKey, dest: &Dest) -> Result<()> {
        self.execute(Op::DelDest, &Request::del_dest(key, dest))
    }

    /// Zero the counters of one service, or of all.
    pub fn zero(&mut self, key: Option<&ServiceKey>) -> Result<()> {
        let op = if key.is_some() { Op::ZeroService } else { Op::Zero };
        self.execute(op, &Request::zero(key))
    }

    pub fn info(&mut self) -> Result<Info> {
        let replies = self.transact(Op::GetInfo, &Request::get_info(), false)?;
        let first = replies.first().ok_or_else(|| DecodeError::new("no info reply"))?;
        Ok(protocol::decode_info(first)?)
    }

    /// All virtual services, in the kernel's order.
    pub fn services(&mut self) -> Result<Vec<Service>> {
        let replies = self.transact(Op::GetServices, &Request::get_service(None), true)?;
        replies.iter().map(|r| Ok(protocol::decode_service(r)?)).collect()
    }

    /// One virtual service.
    pub fn service(&mut self, key: &ServiceKey) -> Result<Service> {
        let replies = self.transact(Op::GetService, &Request::get_service(Some(key)), false)?;
        let first = replies.first().ok_or_else(|| DecodeError::new("no service in reply"))?;
        Ok(protocol::decode_service(first)?)
    }

    /// The real servers of one service, in the kernel's order.
    pub fn dests(&mut self, key: &ServiceKey) -> Result<Vec<Dest>> {
        let replies = self.transact(Op::GetDests, &Request::get_dests(key), true)?;
        let family = key.family();
        replies.iter().map(|r| Ok(protocol::decode_dest(r, family)?)).collect()
    }

    /// Every service with its real servers.
    pub fn table(&mut self) -> Result<Vec<ServiceEntry>> {
        let services = self.services()?;
        let mut entries = Vec::with_capacity(services.len());
        for service in services {
            let dests = self.dests(&service.key)?;
            entries.push(ServiceEntry { service, dests });
        }
        Ok(entries)
    }

    pub fn timeouts(&mut self) -> Result<Timeouts> {
        let replies = self.transact(Op::GetTimeouts, &Request::get_config(), false)?;
        let first = replies.first().ok_or_else(|| DecodeError::new("no timeout reply"))?;
        Ok(protocol::decode_timeouts(first)?)
    }

    pub fn set_timeouts(&mut self, t: &Timeouts) -> Result<()> {
        self.execute(Op::SetTimeouts, &Request::set_config(t))
    }

    pub fn daemons(&mut self) -> Result<Vec<Daemon>> {
        let replies = self.transact(Op::GetDaemons, &Request::get_daemon(), true)?;
        replies.iter().map(|r| Ok(protocol::decode_daemon(r)?)).collect()
    }

    pub fn start_daemon(&mut self, d: &Daemon) -> Result<()> {
        self.execute(Op::StartDaemon, &Request::new_daemon(d))
    }

    pub fn stop_daemon(&mut self, role: DaemonRole) -> Result<()> {
        self.execute(Op::StopDaemon, &Request::del_daemon(role))
    }
}

/// `MSG_TRUNC`: make `recv` report a datagram's full length, so that a
/// reply larger than the buffer is noticed instead of silently cut.
fn libc_msg_trunc() -> i32 {
    libc::MSG_TRUNC
}

/// The longest wait for the next reply: the kernel answers at once, so a
/// silence this long is a bug, reported rather than waited out forever.
const REPLY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

fn set_recv_timeout(sock: &Socket, d: std::time::Duration) -> io::Result<()> {
    use std::os::fd::AsRawFd;
    let tv = libc::timeval { tv_sec: d.as_secs() as libc::time_t, tv_usec: 0 };
    // SAFETY: a valid socket descriptor and a timeval of the size passed.
    let rc = unsafe {
        libc::setsockopt(
            sock.as_raw_fd(),
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
