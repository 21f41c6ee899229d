//! Turning addresses, ports and protocols into text.
//!
//! [`Names`] is the seam between the listings and name lookup: the listing
//! code asks it for a host name or a service name and falls back to numbers
//! itself when the answer is `None`. [`Numeric`] never has a name (the `-n`
//! behaviour); a resolving implementation is supplied by the CLI.

use std::fmt::Write as _;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::model::Protocol;

use super::text::push_int;

/// A source of names for addresses and ports.
pub trait Names {
    /// The host name of an address, if it has one.
    fn host(&self, addr: &IpAddr) -> Option<String>;
    /// The service name of a port for a protocol (as in /etc/services), if
    /// it has one.
    fn service(&self, port: u16, protocol: Protocol) -> Option<String>;
}

/// No names at all: addresses and ports are always printed as numbers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Numeric;

impl Names for Numeric {
    fn host(&self, _addr: &IpAddr) -> Option<String> {
        None
    }

    fn service(&self, _port: u16, _protocol: Protocol) -> Option<String> {
        None
    }
}

/// The text of an address as the C library's `inet_ntop` writes it.
///
/// For IPv6 this differs from Rust's `Display` in one way that matters:
/// addresses whose first 96 bits are zero (IPv4-compatible, such as
/// `::1:0`), apart from `::` and `::N`, are written with a dotted quad.
pub fn addr_text(addr: &IpAddr) -> String {
    match addr {
        IpAddr::V4(a) => a.to_string(),
        IpAddr::V6(a) => ipv6_text(a),
    }
}

/// `inet_ntop(AF_INET6, ...)`-compatible text.
pub fn ipv6_text(addr: &Ipv6Addr) -> String {
    let words = addr.segments();

    // The longest run of zero words (the first of equal ones), if at least
    // two words long, is written as "::".
    let (mut best_base, mut best_len) = (None::<usize>, 0usize);
    let mut i = 0;
    while i < 8 {
        if words[i] == 0 {
            let start = i;
            while i < 8 && words[i] == 0 {
                i += 1;
            }
            let len = i - start;
            if len > best_len {
                best_base = Some(start);
                best_len = len;
            }
        } else {
            i += 1;
        }
    }
    if best_len < 2 {
        best_base = None;
    }

    let mut out = String::with_capacity(40);
    let mut i = 0;
    while i < 8 {
        if Some(i) == best_base {
            // "::": the first colon here, the second from the next word (or
            // right here when the run ends the address).
            out.push(':');
            i += best_len;
            if i == 8 {
                out.push(':');
            }
            continue;
        }
        if i != 0 {
            out.push(':');
        }
        // An IPv4-compatible or IPv4-mapped tail.
        if i == 6
            && best_base == Some(0)
            && (best_len == 6 || (best_len == 5 && words[5] == 0xffff))
        {
            let o = addr.octets();
            let _ = write!(out, "{}", Ipv4Addr::new(o[12], o[13], o[14], o[15]));
            return out;
        }
        let _ = write!(out, "{:x}", words[i]);
        i += 1;
    }
    out
}

/// The text of an address and port as ipvsadm writes it: the host name or
/// the numeric address (IPv6 in brackets, names too), `:`, then the service
/// name or the port number. With `protocol` `None` (real servers of a
/// firewall-mark service) the port is always a number.
///
/// Each part falls back to numbers on its own: `192.0.2.99:http` and
/// `vip1.example:8081` both occur.
pub fn addr_port_text(
    names: &dyn Names,
    addr: &IpAddr,
    port: u16,
    protocol: Option<Protocol>,
) -> String {
    String::from_utf8(addr_port_bytes(names, addr, port, protocol)).unwrap_or_default()
}

/// An octet in decimal: in every IPv4 address listed, so kept short.
fn push_octet(out: &mut Vec<u8>, n: u8) {
    let mut digits = [0; 3];
    out.extend_from_slice(octet_digits(n, &mut digits));
}

/// The decimal digits of an octet, in `buf`.
pub(crate) fn octet_digits(n: u8, buf: &mut [u8; 3]) -> &[u8] {
    *buf = [b'0' + n / 100, b'0' + n / 10 % 10, b'0' + n % 10];
    let skip = match n {
        100.. => 0,
        10..=99 => 1,
        _ => 2,
    };
    &buf[skip..]
}

/// [`addr_port_text`] as bytes, written in place: this is on the path of
/// every line of a listing.
pub fn addr_port_bytes(
    names: &dyn Names,
    addr: &IpAddr,
    port: u16,
    protocol: Option<Protocol>,
) -> Vec<u8> {
    let mut out = Vec::with_capacity(48);
    push_addr_port(&mut out, names, addr, port, protocol);
    out
}

/// [`addr_port_bytes`] appended to `out`.
pub fn push_addr_port(
    out: &mut Vec<u8>,
    names: &dyn Names,
    addr: &IpAddr,
    port: u16,
    protocol: Option<Protocol>,
) {
    let v6 = addr.is_ipv6();
    if v6 {
        out.push(b'[');
    }
    match (names.host(addr), addr) {
        (Some(host), _) => out.extend_from_slice(host.as_bytes()),
        (None, IpAddr::V4(a)) => {
            for (i, octet) in a.octets().into_iter().enumerate() {
                if i > 0 {
                    out.push(b'.');
                }
                push_octet(out, octet);
            }
        }
        (None, IpAddr::V6(a)) => out.extend_from_slice(ipv6_text(a).as_bytes()),
    }
    out.extend_from_slice(if v6 { b"]:" } else { b":" });
    match protocol.and_then(|p| names.service(port, p)) {
        Some(name) => out.extend_from_slice(name.as_bytes()),
        None => push_int(out, port.into(), 0, true),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v6(s: &str) -> String {
        ipv6_text(&s.parse().unwrap())
    }

    // Expected strings from glibc's inet_ntop (python3 socket.inet_ntop on
    // the development host).
    #[test]
    fn ipv6_like_inet_ntop() {
        let cases = [
            ("::", "::"),
            ("::1", "::1"),
            ("::2", "::2"),
            ("::100", "::100"),
            ("::1:0", "::0.1.0.0"),
            ("::ffff:0:0", "::ffff:0.0.0.0"),
            ("::ffff:1.2.3.4", "::ffff:1.2.3.4"),
            ("::1.2.3.4", "::1.2.3.4"),
            ("1::", "1::"),
            ("1:0:0:1:0:0:0:1", "1:0:0:1::1"),
            ("1:0:1:0:1:0:1:0", "1:0:1:0:1:0:1:0"),
            ("::ffff:0:1.2.3.4", "::ffff:0:102:304"),
            ("0:0:0:0:0:1:0:0", "::1:0:0"),
            ("::fffe:1.2.3.4", "::fffe:102:304"),
            ("2001:db8::1", "2001:db8::1"),
            ("1:2:3:4:5:6:7:0", "1:2:3:4:5:6:7:0"),
            ("0:1:2:3:4:5:6:7", "0:1:2:3:4:5:6:7"),
            ("::0.0.255.255", "::ffff"),
            ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),
            ("2001:db8:1::1", "2001:db8:1::1"),
            ("2001:db8::", "2001:db8::"),
        ];
        for (input, want) in cases {
            assert_eq!(v6(input), want, "{}", input);
        }
    }

    #[test]
    fn numeric_addr_port() {
        let n = Numeric;
        assert_eq!(
            addr_port_text(&n, &"192.0.2.1".parse().unwrap(), 80, Some(Protocol::Tcp)),
            "192.0.2.1:80"
        );
        assert_eq!(
            addr_port_text(
                &n,
                &"2001:db8::1".parse().unwrap(),
                443,
                Some(Protocol::Udp)
            ),
            "[2001:db8::1]:443"
        );
    }

    /// IPv4 addresses as the C library writes them, every octet value.
    #[test]
    fn ipv4_octets() {
        for n in 0..=255u8 {
            let a = std::net::Ipv4Addr::new(n, 0, 10, n / 2);
            let text = addr_port_text(&Numeric, &IpAddr::V4(a), 80, None);
            assert_eq!(text, format!("{a}:80"));
        }
    }
}
