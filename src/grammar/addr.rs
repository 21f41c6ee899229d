//! Host and port parsing for `-t`/`-u`/`--sctp-service`, `-r` and `-M`,
//! in one place, with name lookup behind the [`Resolver`] trait.
//!
//! The accepted forms, as observed with ipvsadm 1.31:
//! - a string of digits only (`80`, `10`) is never an address;
//! - `[v6]:port` (the `:port` is required after a `]`); when the text in
//!   the brackets is not IPv6 it is read as an IPv4 host *without* a port
//!   (`[192.0.2.1]:80` is 192.0.2.1 with no port);
//! - a bare IPv6 address (`2001:db8::1`), without a port;
//! - `host[:port]`, split at the last `:`; host by `inet_aton` rules or a
//!   host name (IPv4 only); port a decimal number 0..=65535 or a service
//!   name for the service's protocol.

use std::fs;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, ToSocketAddrs};

use crate::model::Protocol;

use super::num::{decimal_in, inet_aton};

/// Name lookup for the grammar: what ipvsadm asks the C library.
pub trait Resolver {
    /// A host name to its IPv4 address (`gethostbyname`). Only called for
    /// text that is not a numeric address.
    fn host(&self, name: &str) -> Option<Ipv4Addr>;
    /// A service name to its port for a protocol (`getservbyname`). Only
    /// called for text that is not a decimal port.
    fn service(&self, name: &str, protocol: Protocol) -> Option<u16>;
}

/// Resolves nothing: only numeric hosts and ports are accepted.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoNames;

impl Resolver for NoNames {
    fn host(&self, _name: &str) -> Option<Ipv4Addr> {
        None
    }

    fn service(&self, _name: &str, _protocol: Protocol) -> Option<u16> {
        None
    }
}

/// The system's names: host names through the C library's resolver
/// (`/etc/hosts`, DNS), service names from `/etc/services`.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemResolver;

impl Resolver for SystemResolver {
    fn host(&self, name: &str) -> Option<Ipv4Addr> {
        if name.is_empty() || name.contains('\0') {
            return None;
        }
        let addrs = (name, 0u16).to_socket_addrs().ok()?;
        addrs.into_iter().find_map(|a| match a.ip() {
            IpAddr::V4(v4) => Some(v4),
            IpAddr::V6(_) => None,
        })
    }

    fn service(&self, name: &str, protocol: Protocol) -> Option<u16> {
        let text = fs::read_to_string("/etc/services").ok()?;
        services_lookup(&text, name, protocol)
    }
}

/// Look a service name (or alias) up in `/etc/services` text.
pub fn services_lookup(text: &str, name: &str, protocol: Protocol) -> Option<u16> {
    let proto = match protocol {
        Protocol::Tcp => "tcp",
        Protocol::Udp => "udp",
        Protocol::Sctp => "sctp",
    };
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or("");
        let mut words = line.split_whitespace();
        let (Some(first), Some(port_proto)) = (words.next(), words.next()) else {
            continue;
        };
        let Some((port, p)) = port_proto.split_once('/') else {
            continue;
        };
        if p != proto {
            continue;
        }
        if first == name || words.any(|alias| alias == name) {
            if let Ok(port) = port.parse::<u16>() {
                return Some(port);
            }
        }
    }
    None
}

/// A parsed `host[:port]`: the address, and the port when one was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Endpoint {
    pub addr: IpAddr,
    pub port: Option<u16>,
}

/// A port: decimal 0..=65535 (white space and `+` allowed in front), else
/// a service name for `protocol` (no protocol known yet: no name works).
pub(crate) fn parse_port(s: &str, protocol: Option<Protocol>, names: &dyn Resolver) -> Option<u16> {
    if let Some(n) = decimal_in(s, 0, 65535) {
        return Some(n as u16);
    }
    names.service(s, protocol?)
}

/// An IPv4 host: `inet_aton` rules, else a host name.
pub(crate) fn parse_ipv4_host(s: &str, names: &dyn Resolver) -> Option<Ipv4Addr> {
    inet_aton(s).or_else(|| names.host(s))
}

/// `host[:port]` as `-t`, `-u`, `--sctp-service` and `-r` take it.
/// `protocol` is the service's protocol for port names (`None` before any
/// service is known). `None` when ipvsadm would call it illegal.
pub(crate) fn parse_endpoint(
    s: &str,
    protocol: Option<Protocol>,
    names: &dyn Resolver,
) -> Option<Endpoint> {
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut text = s;
    let mut bracket_port: Option<&str> = None;
    if let Some(rest) = s.strip_prefix('[') {
        let close = rest.find(']')?;
        let after = &rest[close + 1..];
        bracket_port = Some(after.strip_prefix(':')?);
        text = &rest[..close];
    }
    // (An IPv6 address has two colons at least: `192.0.2.1:80` is not
    // tried as one, which is most of what a restore file holds.)
    let v6 = if text.bytes().filter(|&b| b == b':').count() >= 2 { text.parse::<Ipv6Addr>().ok() } else { None };
    if let Some(v6) = v6 {
        let port = match bracket_port {
            Some(p) => Some(parse_port(p, protocol, names)?),
            None => None,
        };
        return Some(Endpoint { addr: IpAddr::V6(v6), port });
    }
    // IPv4 (or a host name), split at the last colon; a port given after
    // brackets around a non-IPv6 host is not used.
    let (host, port) = match text.rfind(':') {
        Some(i) => (&text[..i], Some(&text[i + 1..])),
        None => (text, None),
    };
    let addr = parse_ipv4_host(host, names)?;
    let port = match port {
        Some(p) => Some(parse_port(p, protocol, names)?),
        None => None,
    };
    Some(Endpoint { addr: IpAddr::V4(addr), port })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Names for tests: `localhost`, and a few services.
    struct TestNames;

    const SERVICES: &str = "\
# comment
ssh\t\t22/tcp\t\t\t\t# SSH Remote Login Protocol
domain\t\t53/tcp\t\t\t\t# Domain Name Server
domain\t\t53/udp
bootps\t\t67/udp
http\t\t80/tcp\t\twww\t\t# WorldWideWeb HTTP
shell\t\t514/tcp\t\tcmd syslog\t# no passwords used
syslog\t\t514/udp
amqp\t\t5672/tcp
amqp\t\t5672/sctp
";

    impl Resolver for TestNames {
        fn host(&self, name: &str) -> Option<Ipv4Addr> {
            (name == "localhost").then_some(Ipv4Addr::LOCALHOST)
        }
        fn service(&self, name: &str, protocol: Protocol) -> Option<u16> {
            services_lookup(SERVICES, name, protocol)
        }
    }

    fn ep(s: &str, proto: Option<Protocol>) -> Option<(String, Option<u16>)> {
        parse_endpoint(s, proto, &TestNames).map(|e| (e.addr.to_string(), e.port))
    }

    fn v4(s: &str) -> Option<(String, Option<u16>)> {
        ep(s, Some(Protocol::Tcp))
    }

    fn some(a: &str, p: Option<u16>) -> Option<(String, Option<u16>)> {
        Some((a.to_string(), p))
    }

    #[test]
    fn ipv4_forms() {
        assert_eq!(v4("192.0.2.1:80"), some("192.0.2.1", Some(80)));
        assert_eq!(v4("192.0.2.1"), some("192.0.2.1", None));
        assert_eq!(v4("192.0.2.1:0"), some("192.0.2.1", Some(0)));
        assert_eq!(v4("192.0.2.1:65535"), some("192.0.2.1", Some(65535)));
        assert_eq!(v4("192.0.2.1:080"), some("192.0.2.1", Some(80)));
        assert_eq!(v4("192.0.2.1: 80"), some("192.0.2.1", Some(80)));
        assert_eq!(v4("192.0.2.1:+80"), some("192.0.2.1", Some(80)));
        assert_eq!(v4("192.0.2:80"), some("192.0.0.2", Some(80)));
        assert_eq!(v4("0x7f.1:80"), some("127.0.0.1", Some(80)));
        assert_eq!(v4("10:80"), some("0.0.0.10", Some(80)));
        assert_eq!(v4("010:80"), some("0.0.0.8", Some(80)));
        assert_eq!(v4("3232235777:80"), some("192.168.1.1", Some(80)));
        assert_eq!(v4("192.0.2.1 :80"), some("192.0.2.1", Some(80)));
        assert_eq!(v4("192.0.2.1 x:80"), some("192.0.2.1", Some(80)));
        assert_eq!(v4("10 "), some("0.0.0.10", None));
        assert_eq!(v4("0x7f"), some("0.0.0.127", None));
        assert_eq!(v4("127.1"), some("127.0.0.1", None));
        assert_eq!(v4("localhost:80"), some("127.0.0.1", Some(80)));
        assert_eq!(v4("localhost"), some("127.0.0.1", None));
    }

    #[test]
    fn digits_alone_are_not_an_address() {
        for s in ["10", "010", "0", "65535", "70000", "3232235777", "99999999999999999999"] {
            assert_eq!(v4(s), None, "{s}");
        }
    }

    #[test]
    fn bad_ipv4_forms() {
        for s in [
            "", ":80", "192.0.2.1:", "192.0.2.1:65536", "192.0.2.1:-1", "192.0.2.1:0x50",
            "192.0.2.1:80x", "192.0.2.1:80:90", "192.0.2.1.5", "1.2.3.256", " 192.0.2.1:80",
            "1.2.3.4::80", ":", "1.2.3.4:80:", "1.2.3.4:80]", "1.2.3.4]", "1.2.3.4.:80",
            "nonexist", "1.2.3.4:nonexistent", "1.2.3.4:http:", "1e:80",
        ] {
            assert_eq!(v4(s), None, "{s:?}");
        }
    }

    #[test]
    fn ipv6_forms() {
        assert_eq!(v4("[2001:db8::1]:80"), some("2001:db8::1", Some(80)));
        assert_eq!(v4("[2001:db8::1]:0"), some("2001:db8::1", Some(0)));
        assert_eq!(v4("2001:db8::1"), some("2001:db8::1", None));
        // Without brackets the whole text is the address.
        assert_eq!(v4("2001:db8::1:80"), some("2001:db8::1:80", None));
        assert_eq!(v4("[::ffff:192.0.2.1]:80"), some("::ffff:192.0.2.1", Some(80)));
        assert_eq!(v4("::1"), some("::1", None));
        assert_eq!(v4("[2001:db8::1]:http"), some("2001:db8::1", Some(80)));
    }

    #[test]
    fn bad_ipv6_forms() {
        for s in [
            "[2001:db8::1]", "[2001:db8::1]:", "[2001:db8::1", "2001:db8::1]:80",
            "[2001:db8::1]x:80", "[2001:db8::1]80", "[[2001:db8::1]]:80", "x[2001:db8::1]:80",
            "[]:80", "[fe80::1%eth0]:80", "[ 2001:db8::1]:80", "::1 ", "[2001:db8::1]:abc",
            "[2001:db8::1]:99999", "[1.2.3.4]x", "[1.2.3.4",
        ] {
            assert_eq!(v4(s), None, "{s:?}");
        }
    }

    #[test]
    fn brackets_around_ipv4_drop_the_port() {
        assert_eq!(v4("[192.0.2.1]:80"), some("192.0.2.1", None));
        assert_eq!(v4("[192.0.2.1]:abc"), some("192.0.2.1", None));
        assert_eq!(v4("[192.0.2.1]:99999"), some("192.0.2.1", None));
        assert_eq!(v4("[localhost]:80"), some("127.0.0.1", None));
        assert_eq!(v4("[10]:80"), some("0.0.0.10", None));
        assert_eq!(v4("[192.0.2.1]"), None);
    }

    #[test]
    fn port_names_follow_the_protocol() {
        let tcp = Some(Protocol::Tcp);
        let udp = Some(Protocol::Udp);
        let sctp = Some(Protocol::Sctp);
        assert_eq!(ep("1.2.3.4:http", tcp), some("1.2.3.4", Some(80)));
        assert_eq!(ep("1.2.3.4:www", tcp), some("1.2.3.4", Some(80)));
        assert_eq!(ep("1.2.3.4:syslog", tcp), some("1.2.3.4", Some(514)));
        assert_eq!(ep("1.2.3.4:bootps", tcp), None);
        assert_eq!(ep("1.2.3.4:bootps", udp), some("1.2.3.4", Some(67)));
        assert_eq!(ep("1.2.3.4:http", udp), None);
        assert_eq!(ep("1.2.3.4:domain", udp), some("1.2.3.4", Some(53)));
        assert_eq!(ep("1.2.3.4:amqp", sctp), some("1.2.3.4", Some(5672)));
        assert_eq!(ep("1.2.3.4:http", sctp), None);
        assert_eq!(ep("1.2.3.4:http", None), None);
        assert_eq!(ep("1.2.3.4:80", None), some("1.2.3.4", Some(80)));
        assert_eq!(ep("1.2.3.4:HTTP", tcp), None);
    }

    #[test]
    fn no_names_resolves_nothing() {
        assert_eq!(parse_endpoint("localhost:80", Some(Protocol::Tcp), &NoNames), None);
        assert_eq!(parse_endpoint("1.2.3.4:http", Some(Protocol::Tcp), &NoNames), None);
        assert!(parse_endpoint("1.2.3.4:80", Some(Protocol::Tcp), &NoNames).is_some());
    }
}
