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

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::model::{Connection, PeData};

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
        client_port: port(f[2])?,
        virtual_addr: addr(f[3])?,
        virtual_port: port(f[4])?,
        dest_addr: addr(f[5])?,
        dest_port: port(f[6])?,
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
    if s.is_empty() || s.len() > 8 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u32::from_str_radix(s, 16)
        .ok()
        .map(|n| IpAddr::V4(Ipv4Addr::from(n)))
}

/// A port: up to four hex digits.
fn port(s: &str) -> Option<u16> {
    if s.is_empty() || s.len() > 4 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u16::from_str_radix(s, 16).ok()
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
}
