//! `-S`: the table as `-A`/`-a` lines that `-R` reads back.
//!
//! From the reference ipvsadm 1.31:
//!
//! ```text
//! -A -u 192.0.2.1:5060 -s sh -p 60 -M 255.255.0.0 --pe sip -o -b sh-port
//! -a -u 192.0.2.1:5060 -r 198.51.100.2:5060 -m -w 1
//! -a -t 192.0.2.1:80 -r 192.0.2.100:80 -i -w 1 --tun-type gue --tun-port 6080 --tun-csum
//! ```
//!
//! A service line has `-s`, then `-p` and `-M` (only when persistent, `-M`
//! only for a netmask other than the full one), `--pe` (whenever set, even
//! without persistence), `-o`, and `-b` with the scheduler flags (`-b ` with
//! nothing after it for flags the scheduler has no name for). A real-server
//! line has the forwarding option, `-w`, and for tunnels the tunnel type
//! with its port (GUE) and checksum option (GUE, GRE). Services and real
//! servers are always in sorted order.
//!
//! Beyond ipvsadm 1.31 (listed in the README): a service line has `-M`
//! for a netmask other than the full one without persistence too (the
//! kernel keeps it; ipvsadm writes `-M` only after `-p`), and `flag-3` in
//! the `-b` of `sh` and `mh` (which have no name for it, so ipvsadm drops
//! it; a lone third flag even makes a `-b` with nothing after it, which
//! no `-R` reads); a real-server line ends
//! with `-x N -y N` when either threshold is not zero (and both are
//! values ipvsadm's `-x` and `-y` take), which ipvsadm drops
//! (so its save and restore loses them). ipvsadm 1.31's `-R` reads both.
//! [`as_saved_by_ipvsadm_1_31`] takes them out again, for comparisons with
//! the reference.

use std::io::{self, Write};

use crate::grammar::{Command, Listing};
use crate::model::{Dest, Forward, Service, ServiceEntry, ServiceFlags, ServiceKey, TunnelType};

use super::names::{Names, Numeric};
use super::sort::{dests_in_order, services_in_order};
use super::text::{
    forward_option, netmask_text, push_int, save_dest_name, save_service_spec, sched_flags_text,
    tunnel_csum_option, tunnel_type_name,
};

/// Writes `ipvsadm -S` for `entries` (kernel order; sorted here). With
/// `listing.format.numeric` names are never looked up, whatever `names` is.
pub fn write_save(
    w: &mut dyn Write,
    entries: &[ServiceEntry],
    listing: &Listing,
    names: &dyn Names,
) -> io::Result<()> {
    for entry in services_in_order(entries, false) {
        write_save_entry(w, &entry.service, &entry.dests, listing, names)?;
    }
    Ok(())
}

/// One service of `ipvsadm -S` and its real servers (kernel order; sorted
/// here), so that a long table can be written as it is read. `-S` lists
/// services sorted whatever `--nosort` says. Names as for [`write_save`].
pub fn write_save_entry(
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
    let mut out = Vec::with_capacity(64 * (1 + dests.len()));
    let spec = save_service_spec(&service.key, names);
    service_line(&mut out, b"-A", service, &spec);
    for dest in dests_in_order(dests, false) {
        dest_line(&mut out, b"-a", &service.key, &spec, dest, names);
    }
    w.write_all(&out)
}

/// Writes a change as one restore line, numeric, in the format of `-S`
/// (`-A`/`-E` as a saved service line, `-a`/`-e` as a saved real-server
/// line, `-D` and `-d` with the service and the real server only): what
/// `--apply --dry-run` prints. Other commands write nothing.
pub fn write_change(w: &mut dyn Write, command: &Command) -> io::Result<()> {
    let mut out = Vec::new();
    let names = &Numeric;
    match command {
        Command::AddService(s) => service_line(&mut out, b"-A", s, &save_service_spec(&s.key, names)),
        Command::EditService(s) => service_line(&mut out, b"-E", s, &save_service_spec(&s.key, names)),
        Command::AddDest(k, d) => dest_line(&mut out, b"-a", k, &save_service_spec(k, names), d, names),
        Command::EditDest(k, d) => dest_line(&mut out, b"-e", k, &save_service_spec(k, names), d, names),
        Command::DeleteService(k) => {
            service_named(&mut out, b"-D", &save_service_spec(k, names));
            out.push(b'\n');
        }
        Command::DeleteDest(k, d) => {
            dest_named(&mut out, b"-d", k, &save_service_spec(k, names), d, names);
            out.push(b'\n');
        }
        _ => {}
    }
    w.write_all(&out)
}

/// What ipvsadm 1.31's `-S` would have written for our `-S` output:
/// the ` -x N -y N` that ends a real-server line, the ` -M MASK` of a
/// service line without `-p` and `flag-3` after the `-b` of `sh` and `mh`
/// taken out (see the module's comment). Other text is left as it is.
pub fn as_saved_by_ipvsadm_1_31(saved: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(saved.len());
    for line in saved.split_inclusive(|&b| b == b'\n') {
        let (body, end) = match line.strip_suffix(b"\n") {
            Some(b) => (b, &b"\n"[..]),
            None => (line, &b""[..]),
        };
        match strip_thresholds(body) {
            Some(kept) => out.extend_from_slice(kept),
            None => service_as_ipvsadm(body, &mut out),
        }
        out.extend_from_slice(end);
    }
    out
}

/// A real-server line without its trailing ` -x N -y N`, if it has one.
fn strip_thresholds(line: &[u8]) -> Option<&[u8]> {
    if !line.starts_with(b"-a ") {
        return None;
    }
    let words: Vec<&[u8]> = line.rsplitn(5, |&b| b == b' ').collect();
    let number = |w: &[u8]| !w.is_empty() && w.iter().all(u8::is_ascii_digit);
    match words.as_slice() {
        [l, y, u, x, rest] if *x == b"-x" && *y == b"-y" && number(u) && number(l) => Some(rest),
        _ => None,
    }
}

/// A service line as ipvsadm 1.31 writes it: without `-p`, no ` -M MASK`;
/// for `sh` and `mh`, no `flag-3` after `-b`. Other lines as they are.
fn service_as_ipvsadm(line: &[u8], out: &mut Vec<u8>) {
    let mut words: Vec<Vec<u8>> = line.split(|&b| b == b' ').map(<[u8]>::to_vec).collect();
    if !line.starts_with(b"-A ") {
        out.extend_from_slice(line);
        return;
    }
    let at = |words: &[Vec<u8>], w: &[u8]| words.iter().position(|x| x == w).filter(|&i| i + 1 < words.len());
    if !words.iter().any(|w| w == b"-p") {
        if let Some(i) = at(&words, b"-M") {
            words.drain(i..i + 2);
        }
    }
    let named_by_scheduler = at(&words, b"-s").is_some_and(|i| words[i + 1] == b"sh" || words[i + 1] == b"mh");
    if let Some(i) = at(&words, b"-b").filter(|_| named_by_scheduler) {
        let kept: Vec<&[u8]> = words[i + 1].split(|&b| b == b',').filter(|f| *f != b"flag-3").collect();
        words[i + 1] = kept.join(&b',');
    }
    out.extend_from_slice(&words.join(&b' '));
}

/// `VERB SPEC`: the command and the service it is about.
fn service_named(out: &mut Vec<u8>, verb: &[u8], spec: &[u8]) {
    out.extend_from_slice(verb);
    out.push(b' ');
    out.extend_from_slice(spec);
}

fn service_line(out: &mut Vec<u8>, verb: &[u8], svc: &Service, spec: &[u8]) {
    service_named(out, verb, spec);
    out.extend_from_slice(b" -s ");
    out.extend_from_slice(svc.scheduler.as_bytes());
    if svc.flags.has(ServiceFlags::PERSISTENT) {
        let _ = write!(out, " -p {}", svc.timeout);
    }
    // ipvsadm writes -M only after -p; the kernel keeps a netmask given
    // without persistence too (beyond ipvsadm: see the module's comment).
    if let Some(mask) = netmask_text(svc) {
        let _ = write!(out, " -M {}", mask);
    }
    if let Some(pe) = &svc.pe_name {
        let _ = write!(out, " --pe {}", pe);
    }
    if svc.flags.has(ServiceFlags::ONEPACKET) {
        out.extend_from_slice(b" -o");
    }
    if let Some(mut flags) = sched_flags_text(svc) {
        // sh and mh have no name for their third flag, which ipvsadm then
        // leaves out; `flag-3` restores it (beyond ipvsadm).
        if matches!(svc.scheduler.as_str(), "sh" | "mh") && svc.flags.has(ServiceFlags::SCHED3) {
            if !flags.is_empty() {
                flags.push(',');
            }
            flags.push_str("flag-3");
        }
        let _ = write!(out, " -b {}", flags);
    }
    out.push(b'\n');
}

/// `VERB SPEC -r ADDR:PORT`: the command and the real server it is about.
fn dest_named(out: &mut Vec<u8>, verb: &[u8], key: &ServiceKey, spec: &[u8], d: &Dest, names: &dyn Names) {
    service_named(out, verb, spec);
    out.extend_from_slice(b" -r ");
    out.extend_from_slice(&save_dest_name(key, d, names));
}

fn dest_line(
    out: &mut Vec<u8>,
    verb: &[u8],
    key: &ServiceKey,
    spec: &[u8],
    d: &Dest,
    names: &dyn Names,
) {
    dest_named(out, verb, key, spec, d, names);
    out.push(b' ');
    out.extend_from_slice(forward_option(d.forward).as_bytes());
    out.extend_from_slice(b" -w ");
    push_int(out, d.weight.into(), 0, true);
    if d.forward == Forward::Tunnel {
        let ty = tunnel_type_name(d.tun_type);
        let csum = tunnel_csum_option(d.tun_flags);
        let tail = match (d.tun_type, csum) {
            (TunnelType::Ipip, _) => format!(" --tun-type {}", ty),
            (TunnelType::Gue, Some(c)) => {
                format!(" --tun-type {} --tun-port {} {}", ty, d.tun_port, c)
            }
            (TunnelType::Gue, None) => format!(" --tun-type {} --tun-port {}", ty, d.tun_port),
            (TunnelType::Gre, Some(c)) => format!(" --tun-type {} {}", ty, c),
            (TunnelType::Gre, None) => format!(" --tun-type {}", ty),
        };
        out.extend_from_slice(tail.as_bytes());
    }
    // Values above what ipvsadm's -x and -y take (a kernel's u32 set by
    // another tool) cannot be restored: left out, as ipvsadm does.
    let restorable = |t: u32| i32::try_from(t).is_ok();
    if (d.u_threshold != 0 || d.l_threshold != 0)
        && restorable(d.u_threshold)
        && restorable(d.l_threshold)
    {
        out.extend_from_slice(format!(" -x {} -y {}", d.u_threshold, d.l_threshold).as_bytes());
    }
    out.push(b'\n');
}
