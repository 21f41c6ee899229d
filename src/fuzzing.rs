//! What the fuzz targets in `fuzz/` run, and a stand-in for the kernel.
//!
//! Each entry point takes arbitrary bytes and must return without
//! panicking, whatever they are: `fuzz/` runs them under libFuzzer, and
//! `tests/fuzz_corpus.rs` replays the committed corpus through them in a
//! plain `cargo test`.
//!
//! - [`args`]: an argument vector (words separated by NUL bytes) through
//!   ipvsadm's grammar.
//! - [`restore`]: a restore input through [`crate::restore::Plan::read`],
//!   and a valid plan carried out against a kernel that acknowledges all.
//! - [`replies`]: kernel replies, decoded directly (first byte even) or fed
//!   to a [`Client`] through a [`ScriptedKernel`] (first byte odd; see
//!   [`script_from_bytes`] for the format).

use std::cell::RefCell;
use std::collections::VecDeque;
use std::io;
use std::net::IpAddr;
use std::rc::Rc;

use crate::client::{Client, Datagram, Op, Transport};
use crate::grammar::{self, NoNames};
use crate::model::{Dest, Family, Protocol, Service, ServiceKey};
use crate::protocol::{self, Attr, FramePayload, Request};
use crate::restore::{Plan, Step};

/// The family id the fuzz targets give the client.
pub const FAMILY: u16 = 0x1c;
/// The port of the scripted client.
pub const PORT: u32 = 4242;

const NLMSG_ERROR: u16 = 2;
const NLMSG_DONE: u16 = 3;
const ENOBUFS: i32 = 105;

// ------------------------------------------------------------ entry points

/// Arguments: NUL-separated words, decoded as `main` does (lossily).
pub fn args(data: &[u8]) {
    let words: Vec<String> = if data.is_empty() {
        Vec::new()
    } else {
        data.split(|&b| b == 0).map(|w| String::from_utf8_lossy(w).into_owned()).collect()
    };
    match grammar::parse_args_as("ipvsadm", &words, &NoNames) {
        Ok(cmd) => {
            let _ = crate::restore::change(&cmd);
        }
        Err(e) => assert!(!e.stderr.is_empty() || e.status == 0, "an error without a message"),
    }
}

/// A restore input; when valid, carried out against a kernel that
/// acknowledges every request.
pub fn restore(data: &[u8]) {
    match Plan::from_bytes("ipvsadm", data, &NoNames) {
        Err(e) => {
            let m = e.to_string();
            assert!(!m.contains('\n'), "a message of more than one line: {m:?}");
            assert!(e.status != 0);
        }
        Ok(plan) => {
            let kernel = ScriptedKernel::new().acknowledging();
            let mut client = Client::with_family(Box::new(kernel), FAMILY);
            let mut seen = 0;
            for step in plan.steps() {
                if let Step::Changes { ops, requests } = step {
                    let mut n = 0;
                    client
                        .apply_encoded(ops, requests, &mut |i, r| {
                            assert_eq!(i, n, "results out of order");
                            assert!(r.is_ok(), "{r:?}");
                            n += 1;
                        })
                        .expect("a plan's requests are well formed");
                    assert_eq!(n, ops.len());
                    seen += n;
                }
            }
            assert_eq!(seen, plan.changes());
        }
    }
}

/// Kernel replies: decoded as such (first byte even), or played to a client
/// that asks for everything it can ask (first byte odd).
pub fn replies(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else { return };
    if mode & 1 == 0 {
        decode_all(rest);
        return;
    }
    let kernel = ScriptedKernel::with_script(script_from_bytes(rest));
    let mut client = if mode & 2 != 0 {
        match Client::with_transport(Box::new(kernel)) {
            Ok(c) => c,
            Err(e) => {
                let _ = e.to_string();
                return;
            }
        }
    } else {
        Client::with_family(Box::new(kernel), FAMILY)
    };
    let key = ServiceKey::Addr { protocol: Protocol::Tcp, addr: ip("192.0.2.1"), port: 80 };
    let dest = Dest::new(ip("198.51.100.2"), 80);
    let _ = client.info().map_err(|e| e.to_string());
    let _ = client.table().map_err(|e| e.to_string());
    let _ = client.service(&key).map_err(|e| e.to_string());
    let _ = client.timeouts().map_err(|e| e.to_string());
    let _ = client.daemons().map_err(|e| e.to_string());
    let reqs = vec![
        (Op::AddService, Request::new_service(&Service::new(key))),
        (Op::AddDest, Request::new_dest(&key, &dest)),
        (Op::DelService, Request::del_service(&key)),
    ];
    if let Ok(results) = client.batch(&reqs) {
        assert_eq!(results.len(), reqs.len());
        for r in results {
            let _ = r.map_err(|e| e.to_string());
        }
    }
    let _ = client.add_service(&Service::new(key)).map_err(|e| e.to_string());
    let _ = client.dests(&key).map_err(|e| e.to_string());
}

/// Split a datagram and decode every data message every way.
fn decode_all(datagram: &[u8]) {
    let Ok(frames) = protocol::parse_datagram(datagram) else { return };
    for f in frames {
        let _ = f.interrupted();
        if let FramePayload::Data(r) = f.payload {
            let _ = protocol::decode_service(&r);
            let _ = protocol::decode_dest(&r, Family::Inet);
            let _ = protocol::decode_dest(&r, Family::Inet6);
            let _ = protocol::decode_daemon(&r);
            let _ = protocol::decode_info(&r);
            let _ = protocol::decode_timeouts(&r);
        }
    }
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap_or(IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED))
}

// --------------------------------------------------------- scripted kernel

/// One thing the scripted kernel does when it is read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// A datagram from `sender` (0: the kernel). With `seq_from: Some(k)`,
    /// its messages get the sequence number of the request `k` (from 0) of
    /// the last datagram sent, and our port.
    Datagram { bytes: Vec<u8>, sender: u32, seq_from: Option<u32> },
    /// The receive buffer overflowed (`ENOBUFS`).
    Overrun,
}

/// Makes the answers to one request (a whole netlink message).
type Responder = Box<dyn FnMut(&[u8]) -> Vec<Item>>;

/// Answers what the client sends with a script, and optionally
/// acknowledges every request by itself.
pub struct ScriptedKernel {
    items: VecDeque<Item>,
    first_seq: u32,
    auto: Option<Responder>,
    rcvbuf: usize,
    /// Every datagram sent, for tests to look at.
    pub sent: Rc<RefCell<Vec<Vec<u8>>>>,
}

impl Default for ScriptedKernel {
    fn default() -> Self {
        ScriptedKernel::new()
    }
}

impl ScriptedKernel {
    pub fn new() -> ScriptedKernel {
        ScriptedKernel {
            items: VecDeque::new(),
            first_seq: 0,
            auto: None,
            rcvbuf: 1 << 20,
            sent: Rc::new(RefCell::new(Vec::new())),
        }
    }

    pub fn with_script(items: Vec<Item>) -> ScriptedKernel {
        let mut k = ScriptedKernel::new();
        k.items = items.into();
        k
    }

    /// Acknowledge every request sent (a dump gets an empty answer).
    pub fn acknowledging(self) -> ScriptedKernel {
        self.answering(|msg| {
            let seq = header_seq(msg).unwrap_or(0);
            let flags = u16::from_ne_bytes([msg[6], msg[7]]);
            let bytes =
                if flags & 0x300 == 0x300 { done(seq, PORT, 0, 0) } else { ack(seq, PORT, 0) };
            vec![Item::Datagram { bytes, sender: 0, seq_from: None }]
        })
    }

    /// Answer every request sent with what `f` makes of it (a whole
    /// netlink message, header included).
    pub fn answering(mut self, f: impl FnMut(&[u8]) -> Vec<Item> + 'static) -> ScriptedKernel {
        self.auto = Some(Box::new(f));
        self
    }

    /// The receive buffer size the transport reports.
    pub fn with_recv_buffer(mut self, bytes: usize) -> ScriptedKernel {
        self.rcvbuf = bytes;
        self
    }

    /// Queue more script.
    pub fn push(&mut self, item: Item) {
        self.items.push_back(item);
    }
}

impl Transport for ScriptedKernel {
    fn send(&mut self, buf: &[u8]) -> io::Result<()> {
        self.sent.borrow_mut().push(buf.to_vec());
        if let Some(seq) = header_seq(buf) {
            self.first_seq = seq;
        }
        if let Some(auto) = self.auto.as_mut() {
            for msg in messages(buf) {
                let items = auto(msg);
                self.items.extend(items);
            }
        }
        Ok(())
    }

    fn recv(&mut self, buf: &mut [u8], wait: bool) -> io::Result<Datagram> {
        match self.items.pop_front() {
            None if wait => Err(io::Error::new(io::ErrorKind::TimedOut, "the script is over")),
            None => Err(io::ErrorKind::WouldBlock.into()),
            Some(Item::Overrun) => Err(io::Error::from_raw_os_error(ENOBUFS)),
            Some(Item::Datagram { mut bytes, sender, seq_from }) => {
                if let Some(k) = seq_from {
                    let seq = self.first_seq.wrapping_add(k);
                    let mut off = 0;
                    while let Some(len) = bytes.get(off..).and_then(message_len) {
                        bytes[off + 8..off + 12].copy_from_slice(&seq.to_ne_bytes());
                        bytes[off + 12..off + 16].copy_from_slice(&PORT.to_ne_bytes());
                        off += (len + 3) & !3;
                    }
                }
                let n = bytes.len().min(buf.len());
                buf[..n].copy_from_slice(&bytes[..n]);
                Ok(Datagram { len: bytes.len(), sender })
            }
        }
    }

    fn port(&self) -> u32 {
        PORT
    }

    fn recv_buffer_size(&self) -> usize {
        self.rcvbuf
    }
}

/// A script from fuzz bytes: records of a control byte `c`, a length
/// (2 bytes, little-endian) and that many bytes (fewer at the end).
/// `c & 3`: 0 a datagram as is; 1 a datagram whose messages get the
/// sequence number of the `c >> 2`-th request of the last datagram sent,
/// and our port; 2 a receive-buffer overflow (no bytes); 3 a datagram
/// from another process.
pub fn script_from_bytes(mut data: &[u8]) -> Vec<Item> {
    let mut items = Vec::new();
    while let Some((&c, rest)) = data.split_first() {
        let (len, rest) = match rest {
            [a, b, rest @ ..] => (u16::from_le_bytes([*a, *b]) as usize, rest),
            _ => (0, &[][..]),
        };
        let (bytes, rest) = rest.split_at(len.min(rest.len()));
        data = rest;
        items.push(match c & 3 {
            0 => Item::Datagram { bytes: bytes.to_vec(), sender: 0, seq_from: None },
            1 => Item::Datagram {
                bytes: bytes.to_vec(),
                sender: 0,
                seq_from: Some(u32::from(c >> 2)),
            },
            2 => Item::Overrun,
            _ => Item::Datagram { bytes: bytes.to_vec(), sender: 4243, seq_from: None },
        });
    }
    items
}

/// The inverse of [`script_from_bytes`] (for making seeds).
pub fn script_to_bytes(items: &[Item]) -> Vec<u8> {
    let mut out = Vec::new();
    for item in items {
        let (c, bytes): (u8, &[u8]) = match item {
            Item::Datagram { bytes, sender: 0, seq_from: None } => (0, bytes),
            Item::Datagram { bytes, sender: 0, seq_from: Some(k) } => {
                (1 | ((*k as u8) << 2), bytes)
            }
            Item::Overrun => (2, &[]),
            Item::Datagram { bytes, .. } => (3, bytes),
        };
        out.push(c);
        out.extend_from_slice(&(bytes.len() as u16).to_le_bytes());
        out.extend_from_slice(bytes);
    }
    out
}

// ------------------------------------------------------- message builders

fn message_len(buf: &[u8]) -> Option<usize> {
    let len = u32::from_ne_bytes(buf.get(..4)?.try_into().ok()?) as usize;
    (len >= 16 && len <= buf.len()).then_some(len)
}

fn header_seq(buf: &[u8]) -> Option<u32> {
    message_len(buf)?;
    Some(u32::from_ne_bytes(buf[8..12].try_into().ok()?))
}

/// The messages of a datagram.
pub fn messages(mut buf: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    while let Some(len) = message_len(buf) {
        out.push(&buf[..len]);
        buf = buf.get((len + 3) & !3..).unwrap_or(&[]);
    }
    out
}

fn header(len: usize, kind: u16, flags: u16, seq: u32, port: u32) -> Vec<u8> {
    let mut m = Vec::with_capacity(len);
    m.extend_from_slice(&(len as u32).to_ne_bytes());
    m.extend_from_slice(&kind.to_ne_bytes());
    m.extend_from_slice(&flags.to_ne_bytes());
    m.extend_from_slice(&seq.to_ne_bytes());
    m.extend_from_slice(&port.to_ne_bytes());
    m
}

/// An acknowledgement (`code` 0) or an error (a negative errno), capped as
/// with `NETLINK_CAP_ACK`: the request's header only.
pub fn ack(seq: u32, port: u32, code: i32) -> Vec<u8> {
    const NLM_F_CAPPED: u16 = 0x100;
    let mut m = header(36, NLMSG_ERROR, NLM_F_CAPPED, seq, port);
    m.extend_from_slice(&code.to_ne_bytes());
    m.extend_from_slice(&header(36, FAMILY, 0x5, seq, 0));
    m
}

/// The end of a dump, with its status and flags (`NLM_F_DUMP_INTR` is 0x10).
pub fn done(seq: u32, port: u32, code: i32, flags: u16) -> Vec<u8> {
    let mut m = header(20, NLMSG_DONE, 0x2 | flags, seq, port);
    m.extend_from_slice(&code.to_ne_bytes());
    m
}

/// A message of the IPVS family with these attributes.
pub fn data(seq: u32, port: u32, flags: u16, cmd: u8, attrs: Vec<Attr>) -> Vec<u8> {
    let mut m = Vec::new();
    protocol::encode(&mut m, &Request { cmd, attrs }, FAMILY, 0, seq);
    // `encode` makes a request: replace its flags and set the port.
    m[6..8].copy_from_slice(&(0x2 | flags).to_ne_bytes());
    m[12..16].copy_from_slice(&port.to_ne_bytes());
    m
}
