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
//! with its port (GUE) and checksum option (GUE, GRE). Thresholds are not
//! saved. Services and real servers are always in sorted order.

use std::io::{self, Write};

use crate::grammar::Listing;
use crate::model::{Dest, Forward, Service, ServiceEntry, ServiceFlags, TunnelType};

use super::names::{Names, Numeric};
use super::sort::{dests_in_order, services_in_order};
use super::text::{
    forward_option, netmask_text, save_dest_name, save_service_spec, sched_flags_text,
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
    service_line(&mut out, service, &spec);
    for dest in dests_in_order(dests, false) {
        dest_line(&mut out, service, &spec, dest, names);
    }
    w.write_all(&out)
}

fn service_line(out: &mut Vec<u8>, svc: &Service, spec: &[u8]) {
    out.extend_from_slice(b"-A ");
    out.extend_from_slice(spec);
    out.extend_from_slice(b" -s ");
    out.extend_from_slice(svc.scheduler.as_bytes());
    if svc.flags.has(ServiceFlags::PERSISTENT) {
        let _ = write!(out, " -p {}", svc.timeout);
        if let Some(mask) = netmask_text(svc) {
            let _ = write!(out, " -M {}", mask);
        }
    }
    if let Some(pe) = &svc.pe_name {
        let _ = write!(out, " --pe {}", pe);
    }
    if svc.flags.has(ServiceFlags::ONEPACKET) {
        out.extend_from_slice(b" -o");
    }
    if let Some(flags) = sched_flags_text(svc) {
        let _ = write!(out, " -b {}", flags);
    }
    out.push(b'\n');
}

fn dest_line(out: &mut Vec<u8>, svc: &Service, spec: &[u8], d: &Dest, names: &dyn Names) {
    out.extend_from_slice(b"-a ");
    out.extend_from_slice(spec);
    out.extend_from_slice(b" -r ");
    out.extend_from_slice(&save_dest_name(&svc.key, d, names));
    let _ = write!(out, " {} -w {}", forward_option(d.forward), d.weight);
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
    out.push(b'\n');
}
