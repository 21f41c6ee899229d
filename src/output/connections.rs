//! `-L -c`: the connection table.
//!
//! ```text
//! IPVS connection entries
//! pro expire state       source             virtual            destination
//! TCP 14:56  ESTABLISHED 203.0.113.10:38780 192.0.2.1:80       198.51.100.2:80
//! ```
//!
//! Entries come in the kernel's order. The expiry is `mm:ss` (minutes
//! unbounded); each address is `host:port` (IPv6 in brackets) as in the
//! other listings, names unless `-n`, the whole text cut to 59 bytes. With
//! `--persistent-conn` the header gains `pe name` and `pe_data` columns,
//! and entries that have persistence-engine data show it (the destination
//! column is then 16 wide); other entries keep the short form.

use std::io::{self, Write};

use crate::grammar::Listing;
use crate::model::Connection;

use super::names::{addr_port_text, Names};
use super::text::{push_left, truncated, MAX_TEXT};

/// Writes the connection listing.
pub fn write_connections(
    w: &mut dyn Write,
    conns: &[Connection],
    listing: &Listing,
    names: &dyn Names,
) -> io::Result<()> {
    let pe = listing.format.persistent_conn;
    let mut out: Vec<u8> = Vec::with_capacity(128 * (conns.len() + 2));
    out.extend_from_slice(b"IPVS connection entries\n");
    if pe {
        out.extend_from_slice(
            b"pro expire state       source             virtual            destination        pe name          pe_data\n",
        );
    } else {
        out.extend_from_slice(
            b"pro expire state       source             virtual            destination\n",
        );
    }
    for c in conns {
        conn_line(&mut out, c, pe, names);
    }
    w.write_all(&out)
}

/// `mm:ss`, as `%02d:%02d`.
pub fn expire_text(seconds: u32) -> String {
    format!("{:02}:{:02}", seconds / 60, seconds % 60)
}

fn conn_line(out: &mut Vec<u8>, c: &Connection, pe: bool, names: &dyn Names) {
    let proto = c.transport();
    let text = |addr, port| addr_port_text(names, addr, port, proto);
    let source = text(&c.client_addr, c.client_port);
    let virt = text(&c.virtual_addr, c.virtual_port);
    let dest = text(&c.dest_addr, c.dest_port);

    push_left(out, c.protocol.as_bytes(), 3);
    out.push(b' ');
    push_left(out, expire_text(c.expires).as_bytes(), 6);
    out.push(b' ');
    push_left(out, c.state.as_bytes(), 11);
    out.push(b' ');
    push_left(out, truncated(&source, MAX_TEXT), 18);
    out.push(b' ');
    push_left(out, truncated(&virt, MAX_TEXT), 18);
    out.push(b' ');
    match (&c.pe, pe) {
        (Some(p), true) => {
            push_left(out, truncated(&dest, MAX_TEXT), 16);
            out.push(b' ');
            push_left(out, p.name.as_bytes(), 18);
            out.push(b' ');
            out.extend_from_slice(p.data.as_bytes());
        }
        _ => out.extend_from_slice(truncated(&dest, MAX_TEXT)),
    }
    out.push(b'\n');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grammar::{Format, ListWhat};
    use crate::model::{PeData, Protocol};
    use crate::output::Numeric;
    use crate::procfs::parse_connections;
    use std::net::IpAddr;

    /// Names as the test VM's /etc/hosts and /etc/services give them.
    struct VmNames;

    impl Names for VmNames {
        fn host(&self, addr: &IpAddr) -> Option<String> {
            let name = match addr.to_string().as_str() {
                "192.0.2.1" => "vip1.example",
                "192.0.2.2" => "vip2.example",
                "198.51.100.2" => "rs1.example",
                "198.51.100.3" => "rs2.example",
                "2001:db8::1" => "vip6.example",
                "2001:db8::2" => "rs6a.example",
                "2001:db8::3" => "rs6b.example",
                "203.0.113.10" => "c2345678901234567890123456789012345678901234567890123456",
                "2001:db8:1::10" => "d23456789012345678901234567890123456789012345678901234",
                _ => return None,
            };
            Some(name.to_string())
        }

        fn service(&self, port: u16, protocol: Protocol) -> Option<String> {
            let name = match (port, protocol) {
                (80, Protocol::Tcp) => "http",
                (8080, Protocol::Tcp) => "http-alt",
                (53, _) => "domain",
                (5060, _) => "sip",
                _ => return None,
            };
            Some(name.to_string())
        }
    }

    /// Names as in VmNames, without the two long client names.
    struct ShortNames;

    impl Names for ShortNames {
        fn host(&self, addr: &IpAddr) -> Option<String> {
            VmNames.host(addr).filter(|n| n.len() < 20)
        }
        fn service(&self, port: u16, protocol: Protocol) -> Option<String> {
            VmNames.service(port, protocol)
        }
    }

    fn listing(numeric: bool, persistent_conn: bool) -> Listing {
        Listing {
            what: ListWhat::Connections,
            service: None,
            format: Format {
                numeric,
                persistent_conn,
                ..Format::default()
            },
        }
    }

    fn render(proc_text: &str, l: &Listing, names: &dyn Names) -> String {
        let conns = parse_connections(proc_text).unwrap();
        let mut out = Vec::new();
        write_connections(&mut out, &conns, l, names).unwrap();
        String::from_utf8(out).unwrap()
    }

    // The reference ipvsadm 1.31 on kernel 6.1: this /proc/net/ip_vs_conn
    // and `ipvsadm -L -c [-n] [--persistent-conn]` read back to back.
    const PROC: &str = include_str!("testdata/proc_net_ip_vs_conn.txt");

    #[test]
    fn numeric_with_persistent_conn() {
        assert_eq!(
            render(PROC, &listing(true, true), &Numeric),
            "\
IPVS connection entries
pro expire state       source             virtual            destination        pe name          pe_data
UDP 00:27  NONE        203.0.113.10:0     192.0.2.1:5060     198.51.100.2:5060 sip                abc123@example
UDP 04:58  UDP         203.0.113.10:46991 192.0.2.1:5060     198.51.100.2:5060
TCP 01:37  ASSURED     [2001:db8:1::10]:0 [2001:db8::1]:80   [2001:db8::3]:80
TCP 01:57  TIME_WAIT   [2001:db8:1::10]:47422 [2001:db8::1]:80   [2001:db8::3]:80
TCP 01:57  TIME_WAIT   203.0.113.10:44606 192.0.2.2:80       198.51.100.3:80
TCP 00:57  ASSURED     203.0.113.10:0     192.0.2.2:80       198.51.100.3:80
TCP 01:57  TIME_WAIT   203.0.113.10:54636 192.0.2.1:80       198.51.100.2:80
"
        );
    }

    #[test]
    fn names_with_and_without_persistent_conn() {
        assert_eq!(
            render(PROC, &listing(false, true), &ShortNames),
            "\
IPVS connection entries
pro expire state       source             virtual            destination        pe name          pe_data
UDP 00:27  NONE        203.0.113.10:0     vip1.example:sip   rs1.example:sip  sip                abc123@example
UDP 04:58  UDP         203.0.113.10:46991 vip1.example:sip   rs1.example:sip
TCP 01:37  ASSURED     [2001:db8:1::10]:0 [vip6.example]:http [rs6b.example]:http
TCP 01:57  TIME_WAIT   [2001:db8:1::10]:47422 [vip6.example]:http [rs6b.example]:http
TCP 01:57  TIME_WAIT   203.0.113.10:44606 vip2.example:http  rs2.example:http
TCP 00:57  ASSURED     203.0.113.10:0     vip2.example:http  rs2.example:http
TCP 01:57  TIME_WAIT   203.0.113.10:54636 vip1.example:http  rs1.example:http
"
        );
        assert_eq!(
            render(PROC, &listing(false, false), &ShortNames),
            "\
IPVS connection entries
pro expire state       source             virtual            destination
UDP 00:27  NONE        203.0.113.10:0     vip1.example:sip   rs1.example:sip
UDP 04:58  UDP         203.0.113.10:46991 vip1.example:sip   rs1.example:sip
TCP 01:37  ASSURED     [2001:db8:1::10]:0 [vip6.example]:http [rs6b.example]:http
TCP 01:57  TIME_WAIT   [2001:db8:1::10]:47422 [vip6.example]:http [rs6b.example]:http
TCP 01:57  TIME_WAIT   203.0.113.10:44606 vip2.example:http  rs2.example:http
TCP 00:57  ASSURED     203.0.113.10:0     vip2.example:http  rs2.example:http
TCP 01:57  TIME_WAIT   203.0.113.10:54636 vip1.example:http  rs1.example:http
"
        );
    }

    // Host names of 56 and 54 characters: each `host:port` text is cut to
    // 59 bytes.
    #[test]
    fn long_names_cut_at_59_bytes() {
        let proc = "\
Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData
TCP 2001:0db8:0001:0000:0000:0000:0000:0010 9E8E 2001:0db8:0000:0000:0000:0000:0000:0001 1F90 2001:0db8:0000:0000:0000:0000:0000:0003 0050 TIME_WAIT       119
TCP CB00710A D8B7 C0000201 0050 C6336402 0050 TIME_WAIT       119
";
        assert_eq!(
            render(proc, &listing(false, false), &VmNames),
            "\
IPVS connection entries
pro expire state       source             virtual            destination
TCP 01:59  TIME_WAIT   [d23456789012345678901234567890123456789012345678901234]:40 [vip6.example]:http-alt [rs6b.example]:http
TCP 01:59  TIME_WAIT   c2345678901234567890123456789012345678901234567890123456:55 vip1.example:http  rs1.example:http
"
        );
    }

    #[test]
    fn empty_table() {
        let head =
            "Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData\n";
        assert_eq!(
            render(head, &listing(true, false), &Numeric),
            "IPVS connection entries\npro expire state       source             virtual            destination\n"
        );
        assert_eq!(
            render(head, &listing(false, true), &VmNames),
            "IPVS connection entries\npro expire state       source             virtual            destination        pe name          pe_data\n"
        );
    }

    #[test]
    fn expire_minutes_unbounded() {
        assert_eq!(expire_text(0), "00:00");
        assert_eq!(expire_text(59), "00:59");
        assert_eq!(expire_text(900), "15:00");
        assert_eq!(expire_text(5999), "99:59");
        assert_eq!(expire_text(6000), "100:00");
        assert_eq!(expire_text(u32::MAX), "71582788:15");
    }

    #[test]
    fn unknown_protocol_keeps_ports_numeric() {
        let c = Connection {
            protocol: "IP".into(),
            client_addr: "203.0.113.10".parse().unwrap(),
            client_port: 0,
            virtual_addr: "0.0.0.1".parse().unwrap(),
            virtual_port: 0,
            dest_addr: "198.51.100.2".parse().unwrap(),
            dest_port: 80,
            state: "NONE".into(),
            expires: 6000,
            pe: Some(PeData {
                name: "sip".into(),
                data: "x".into(),
            }),
        };
        let mut out = Vec::new();
        write_connections(&mut out, &[c], &listing(false, false), &ShortNames).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap().lines().nth(2).unwrap(),
            "IP  100:00 NONE        203.0.113.10:0     0.0.0.1:0          rs1.example:80"
        );
    }
}
