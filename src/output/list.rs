//! `-L`: the virtual server table in all its formats.
//!
//! Layout (from the reference ipvsadm 1.31):
//!
//! ```text
//! IP Virtual Server version 1.2.1 (size=4096)        <- not with -t/-u/-f
//! Prot LocalAddress:Port Scheduler Flags             <- column headers,
//!   -> RemoteAddress:Port           Forward Weight ActiveConn InActConn
//! TCP  192.0.2.1:80 rr                               <- one line a service
//!   -> 198.51.100.2:80              Masq    1      0          0
//! ```
//!
//! One format is shown; when several options are given the first of
//! `--stats`, `--rate`, `--thresholds`, `--persistent-conn`, `--tun-info`
//! wins. `--exact` only changes `--stats` and `--rate` columns.

use std::io::{self, Write};
use std::net::{IpAddr, Ipv4Addr};

use crate::grammar::{Format, Listing};
use crate::model::{Dest, Forward, Info, Service, ServiceEntry, ServiceFlags, TunnelType};

use super::names::{octet_digits, Names, Numeric};
use super::number::{push_large_number, push_plain_number};
use super::sort::{dests_in_order, services_in_order};
use super::text::{
    fill_columns, forward_name, push_columns, put_decimal, push_list_dest_name, push_list_service_name, push_spaces, netmask_text, sched_flags_text,
    tunnel_csum_short, tunnel_type_name,
};

/// The one format a listing is shown in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum View {
    Plain,
    Stats,
    Rate,
    Thresholds,
    PersistentConn,
    TunInfo,
}

fn view(f: &Format) -> View {
    if f.stats {
        View::Stats
    } else if f.rate {
        View::Rate
    } else if f.thresholds {
        View::Thresholds
    } else if f.persistent_conn {
        View::PersistentConn
    } else if f.tun_info {
        View::TunInfo
    } else {
        View::Plain
    }
}

/// `IP Virtual Server version 1.2.1 (size=4096)`.
pub fn version_line(info: &Info) -> String {
    format!(
        "IP Virtual Server version {} (size={})\n",
        info.version_text(),
        info.conn_tab_size as i32
    )
}

fn column_headers(v: View) -> String {
    const DEST: &str = "  -> RemoteAddress:Port";
    const PROT: &str = "Prot LocalAddress:Port";
    match v {
        View::Plain => format!(
            "{} Scheduler Flags\n{}           Forward Weight ActiveConn InActConn\n",
            PROT, DEST
        ),
        View::TunInfo => format!(
            "{} Scheduler Flags\n{}           Forward TunnelInfo    Weight ActiveConn InActConn\n",
            PROT, DEST
        ),
        View::Stats => format!(
            "{:<33} {:>8} {:>8} {:>8} {:>8} {:>8}\n{}\n",
            PROT, "Conns", "InPkts", "OutPkts", "InBytes", "OutBytes", DEST
        ),
        View::Rate => format!(
            "{:<33} {:>8} {:>8} {:>8} {:>8} {:>8}\n{}\n",
            PROT, "CPS", "InPPS", "OutPPS", "InBPS", "OutBPS", DEST
        ),
        View::Thresholds => format!(
            "{:<33} {:<10} {:<10} {:<10} {:<10}\n{}\n",
            PROT, "Uthreshold", "Lthreshold", "ActiveConn", "InActConn", DEST
        ),
        View::PersistentConn => format!(
            "{:<33} {:<9} {:<11} {:<10} {:<10}\n{}\n",
            PROT, "Weight", "PersistConn", "ActiveConn", "InActConn", DEST
        ),
    }
}

/// Writes `ipvsadm -L` for `entries` (the whole table in kernel order, or
/// the one service of `-L -t/-u/-f`, whose listing has no version line).
/// With `listing.format.numeric` names are never looked up, whatever
/// `names` is.
pub fn write_list(
    w: &mut dyn Write,
    info: &Info,
    entries: &[ServiceEntry],
    listing: &Listing,
    names: &dyn Names,
) -> io::Result<()> {
    write_list_head(w, info, listing)?;
    for entry in services_in_order(entries, listing.format.nosort) {
        write_list_entry(w, &entry.service, &entry.dests, listing, names)?;
    }
    Ok(())
}

/// What `ipvsadm -L` prints before the first service: the version line
/// (not for the one service of `-L -t/-u/-f`) and the column headers.
pub fn write_list_head(w: &mut dyn Write, info: &Info, listing: &Listing) -> io::Result<()> {
    if listing.service.is_none() {
        w.write_all(version_line(info).as_bytes())?;
    }
    w.write_all(column_headers(view(&listing.format)).as_bytes())
}

/// One service of `ipvsadm -L` and its real servers (in the kernel's
/// order; sorted here unless `--nosort`), so that a long listing can be
/// written as it is read. Names as for [`write_list`].
pub fn write_list_entry(
    w: &mut dyn Write,
    service: &Service,
    dests: &[Dest],
    listing: &Listing,
    names: &dyn Names,
) -> io::Result<()> {
    let names: &dyn Names = if listing.format.numeric {
        &Numeric
    } else {
        names
    };
    let f = &listing.format;
    let v = view(f);
    // (A plain line is at most about 80 bytes: one allocation a service.)
    let mut out = Vec::with_capacity(96 * (1 + dests.len()));
    service_line(&mut out, service, v, f.exact, names);
    let mut plain = PlainIpv4Lines::default();
    for dest in dests_in_order(dests, f.nosort) {
        match (v, dest.addr) {
            (View::Plain, IpAddr::V4(addr)) if f.numeric => {
                if !plain.write(&mut out, addr, dest) {
                    dest_line(&mut out, service, dest, v, f.exact, names);
                }
            }
            _ => dest_line(&mut out, service, dest, v, f.exact, names),
        }
    }
    w.write_all(&out)
}

/// The `-L -n` lines of the IPv4 real servers of a service, each put
/// together in one fixed buffer and written out in one piece: the line a
/// long listing is made of, and several times cheaper than [`dest_line`]
/// writing it column by column (whose bytes it is: a test compares them).
/// A line that differs from the one before only in the last byte of the
/// address (the usual case: a service's real servers share a network, a
/// port and their settings) is the one before with that number rewritten.
#[derive(Default)]
struct PlainIpv4Lines {
    /// The line before, its length, and where its last address byte starts.
    line: Option<([u8; 96], usize, usize)>,
    /// What the line before showed, but the last address byte.
    shown: (u32, u16, u8, i32, u32, u32),
    /// `:` and the port of the line before, padded with spaces.
    port: [u8; 8],
}

impl PlainIpv4Lines {
    /// Writes the line of `d` (whose address is `addr`); `false` (nothing
    /// written) if it does not fit.
    fn write(&mut self, out: &mut Vec<u8>, addr: Ipv4Addr, d: &Dest) -> bool {
        let shown = (u32::from(addr) >> 8, d.port, d.forward as u8, d.weight, d.active_conns, d.inact_conns);
        let [.., last] = addr.octets();
        let line = match self.line.as_mut() {
            Some((line, len, last_byte)) if shown == self.shown => {
                Self::address_end(line, *last_byte, last, &self.port).map(|_| &line[..*len])
            }
            _ => {
                self.port = [b' '; 8];
                self.port[0] = b':';
                let _ = put_decimal(&mut self.port, 1, d.port.into());
                self.line = Self::whole(addr, d, &self.port);
                self.shown = shown;
                self.line.as_ref().map(|(line, len, _)| &line[..*len])
            }
        };
        match line {
            Some(line) => {
                out.extend_from_slice(line);
                true
            }
            None => false,
        }
    }

    /// The line of `d`, its length, and where the last address byte starts.
    fn whole(addr: Ipv4Addr, d: &Dest, port: &[u8; 8]) -> Option<([u8; 96], usize, usize)> {
        let mut line = [b' '; 96];
        line.get_mut(..5)?.copy_from_slice(b"  -> ");
        let mut at = 5;
        let [a, b, c, last] = addr.octets();
        for octet in [a, b, c] {
            at = put_decimal(&mut line, at, octet.into())?;
            *line.get_mut(at)? = b'.';
            at += 1;
        }
        let last_byte = at;
        // The name in its 28 bytes (an IPv4 one is at most 21), then the
        // columns as `push_columns` writes them.
        at = Self::address_end(&mut line, last_byte, last, port)?;
        let forward = forward_name(d.forward).as_bytes();
        at += fill_columns(line.get_mut(at..)?, &[(forward, 7)], &weight_and_conns(d))?;
        *line.get_mut(at)? = b'\n';
        Some((line, at + 1, last_byte))
    }

    /// Writes the address's last byte at `at`, then `port` (`:` and the
    /// port, padded), and pads the name's column; where the columns after
    /// it start.
    fn address_end(line: &mut [u8; 96], at: usize, last: u8, port: &[u8; 8]) -> Option<usize> {
        let mut digits = [0; 3];
        let number = octet_digits(last, &mut digits);
        line.get_mut(at..at + number.len())?.copy_from_slice(number);
        let at = at + number.len();
        line.get_mut(at..at + port.len())?.copy_from_slice(port);
        let columns = 5 + 28;
        line.get_mut(at + port.len()..columns)?.fill(b' ');
        Some(columns)
    }
}

/// Whether the listing shows only what `/proc/net/ip_vs` has of real
/// servers (address, port, forwarding, weight, connections): plain `-L`.
pub fn list_is_plain(listing: &Listing) -> bool {
    view(&listing.format) == View::Plain
}

fn service_line(out: &mut Vec<u8>, svc: &Service, v: View, exact: bool, names: &dyn Names) {
    let start = out.len();
    push_list_service_name(out, &svc.key, names);
    match v {
        View::Stats | View::Rate => {
            push_spaces(out, (start + 33).saturating_sub(out.len()));
            let s = &svc.stats;
            let cols = if v == View::Stats {
                [s.conns, s.inpkts, s.outpkts, s.inbytes, s.outbytes]
            } else {
                [s.cps, s.inpps, s.outpps, s.inbps, s.outbps]
            };
            for n in cols {
                push_large_number(out, n, exact);
            }
        }
        _ => {
            out.push(b' ');
            out.extend_from_slice(svc.scheduler.as_bytes());
            if let Some(flags) = sched_flags_text(svc) {
                let _ = write!(out, " ({})", flags);
            }
            if svc.flags.has(ServiceFlags::PERSISTENT) {
                let _ = write!(out, " persistent {}", svc.timeout);
                if let Some(mask) = netmask_text(svc) {
                    let _ = write!(out, " mask {}", mask);
                }
                if let Some(pe) = &svc.pe_name {
                    let _ = write!(out, " pe {}", pe);
                }
            }
            if svc.flags.has(ServiceFlags::ONEPACKET) {
                out.extend_from_slice(b" ops");
            }
        }
    }
    out.push(b'\n');
}

/// The weight, active and inactive connection columns (` {:<6} {:<10} {:<10}`).
fn weight_and_conns(d: &Dest) -> [(i64, usize); 3] {
    [(i64::from(d.weight), 6), (d.active_conns.into(), 10), (d.inact_conns.into(), 10)]
}

/// The `TunnelInfo` column: `n/a` unless the real server is tunnelled.
fn tunnel_info(d: &Dest) -> String {
    if d.forward != Forward::Tunnel {
        return "n/a".to_string();
    }
    match d.tun_type {
        TunnelType::Ipip => tunnel_type_name(d.tun_type).to_string(),
        TunnelType::Gue => format!(
            "{}:{}:{}",
            tunnel_type_name(d.tun_type),
            d.tun_port,
            tunnel_csum_short(d.tun_flags)
        ),
        TunnelType::Gre => {
            format!(
                "{}:{}",
                tunnel_type_name(d.tun_type),
                tunnel_csum_short(d.tun_flags)
            )
        }
    }
}

fn dest_line(out: &mut Vec<u8>, svc: &Service, d: &Dest, v: View, exact: bool, names: &dyn Names) {
    out.extend_from_slice(b"  -> ");
    // The name, left-aligned in 28 bytes, starts every view's line.
    let start = out.len();
    push_list_dest_name(out, &svc.key, d, names);
    push_spaces(out, (start + 28).saturating_sub(out.len()));
    // ipvsadm keeps real servers' packet and connection counters and all
    // their rates in 32 bits: only the low 32 bits of the kernel's are shown.
    let low = |n: u64| n & 0xffff_ffff;
    let s = &d.stats;
    match v {
        View::Stats => {
            for n in [
                low(s.conns),
                low(s.inpkts),
                low(s.outpkts),
                s.inbytes,
                s.outbytes,
            ] {
                push_large_number(out, n, exact);
            }
        }
        View::Rate => {
            for n in [low(s.cps), low(s.inpps), low(s.outpps)] {
                push_plain_number(out, n);
            }
            for n in [low(s.inbps), low(s.outbps)] {
                push_large_number(out, n, exact);
            }
        }
        View::Thresholds => push_columns(
            out,
            &[],
            &[
                (d.u_threshold.into(), 10),
                (d.l_threshold.into(), 10),
                (d.active_conns.into(), 10),
                (d.inact_conns.into(), 10),
            ],
        ),
        View::PersistentConn => push_columns(
            out,
            &[],
            &[
                ((d.weight as u32).into(), 9),
                (d.persist_conns.into(), 11),
                (d.active_conns.into(), 10),
                (d.inact_conns.into(), 10),
            ],
        ),
        View::TunInfo => {
            let tunnel = tunnel_info(d);
            let texts = [(forward_name(d.forward).as_bytes(), 7), (tunnel.as_bytes(), 13)];
            push_columns(out, &texts, &weight_and_conns(d));
        }
        View::Plain => push_columns(out, &[(forward_name(d.forward).as_bytes(), 7)], &weight_and_conns(d)),
    }
    out.push(b'\n');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Protocol, ServiceKey};

    /// The one-piece line of an IPv4 real server is `dest_line`'s, for
    /// every forwarding method, port, sign and size of the numbers.
    #[test]
    fn plain_ipv4_line_is_the_column_by_column_one() {
        let svc = Service::new(ServiceKey::Addr {
            protocol: Protocol::Tcp,
            addr: "192.0.2.1".parse().unwrap(),
            port: 80,
        });
        let numbers = [0u32, 1, 9, 10, 99, 100, 65535, 999_999, 1_000_000, 2_147_483_647, 2_147_483_648, u32::MAX];
        let forwards = [Forward::Masq, Forward::Local, Forward::Tunnel, Forward::Route, Forward::Bypass];
        let mut seed = 3u32;
        let mut pick = |n: usize| {
            seed = seed.wrapping_mul(1103515245).wrapping_add(12345);
            (seed >> 8) as usize % n
        };
        let octets = [0, 9, 10, 99, 100, 255];
        let mut lines = PlainIpv4Lines::default();
        let mut d = Dest::new(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1)), 80);
        for _ in 0..20_000 {
            // Half the lines as the one before but the last address byte
            // (the rewritten line), the others anything.
            let addr = match (pick(2), d.addr) {
                (0, IpAddr::V4(before)) => {
                    let [a, b, c, _] = before.octets();
                    Ipv4Addr::new(a, b, c, octets[pick(6)])
                }
                _ => {
                    let addr = Ipv4Addr::new(octets[pick(6)], octets[pick(6)], octets[pick(6)], octets[pick(6)]);
                    d.port = [0, 1, 80, 8080, 65535][pick(5)];
                    d.forward = forwards[pick(5)];
                    d.weight = numbers[pick(numbers.len())] as i32;
                    d.active_conns = numbers[pick(numbers.len())];
                    d.inact_conns = numbers[pick(numbers.len())];
                    addr
                }
            };
            d.addr = IpAddr::V4(addr);
            let mut fast = b"x".to_vec();
            assert!(lines.write(&mut fast, addr, &d));
            let mut slow = b"x".to_vec();
            dest_line(&mut slow, &svc, &d, View::Plain, false, &Numeric);
            assert_eq!(String::from_utf8(fast).unwrap(), String::from_utf8(slow).unwrap());
        }
    }
}
