//! `--json`: every listing as one JSON document, for programs.
//!
//! Unlike the text listings, nothing is rounded, cut or resolved: counters
//! and rates are the kernel's exact 64-bit numbers, addresses are numeric
//! text (as `-n` prints them), and names stand for the kernel's codes.
//! Every document is an object with `"version": 1` (the schema's version;
//! fields may be added within a version, never changed) and one of
//! `services`, `connections`, `timeouts` or `daemons`. Options that are not
//! set are `null`, never a stand-in value. The format options (`--stats`,
//! `--rate`, ...) choose nothing: the document always holds every field.
//! The schema is in the README and the man page.
//!
//! Written by hand: the document is small and flat, and the library
//! stays free of a serialisation framework.

use std::fmt::Write as _;
use std::io::{self, Write};
use std::net::IpAddr;

use crate::grammar::Listing;
use crate::model::{
    Connection, Daemon, DaemonRole, Dest, Family, Forward, Info, Protocol, Service, ServiceEntry, ServiceFlags,
    ServiceKey, Stats, Timeouts, TunnelType,
};

use super::names::addr_text;
use super::sort::{dests_in_order, services_in_order};
use super::text::sched_flags_text;

/// The schema's version, the document's `version` field.
pub const JSON_VERSION: u32 = 1;

/// `-L --json` (all services, or the one of `-t`/`-u`/`--sctp-service`/`-f`),
/// in the order of the text listing (`--nosort` included).
pub fn write_list_json(
    w: &mut dyn Write,
    info: &Info,
    entries: &[ServiceEntry],
    listing: &Listing,
) -> io::Result<()> {
    let mut j = Json::document();
    j.key("ipvs");
    j.open('{');
    j.field_str("version", &info.version_text());
    j.field_num("conn_tab_size", info.conn_tab_size);
    j.close('}');
    j.key("services");
    j.open('[');
    for entry in services_in_order(entries, listing.format.nosort) {
        j.item();
        service(&mut j, &entry.service);
        j.key("real_servers");
        j.open('[');
        for d in dests_in_order(&entry.dests, listing.format.nosort) {
            j.item();
            dest(&mut j, d);
        }
        j.close(']');
        j.close('}');
    }
    j.close(']');
    j.finish(w)
}

/// `-L -c --json`: the connection table, in the kernel's order.
pub fn write_connections_json(w: &mut dyn Write, conns: &[Connection]) -> io::Result<()> {
    let mut j = Json::document();
    j.key("connections");
    j.open('[');
    for c in conns {
        j.item();
        j.open('{');
        j.field_str("protocol", &c.protocol.to_ascii_lowercase());
        j.field_addr("client_address", &c.client_addr);
        j.field_num("client_port", c.client_port);
        j.field_addr("virtual_address", &c.virtual_addr);
        j.field_num("virtual_port", c.virtual_port);
        j.field_addr("real_server_address", &c.dest_addr);
        j.field_num("real_server_port", c.dest_port);
        j.field_str("state", &c.state);
        j.field_num("expires", c.expires);
        j.key("pe");
        match &c.pe {
            Some(pe) => {
                j.open('{');
                j.field_str("name", &pe.name);
                j.field_str("data", &pe.data);
                j.close('}');
            }
            None => j.null(),
        }
        j.close('}');
    }
    j.close(']');
    j.finish(w)
}

/// `-L --timeout --json`, in seconds.
pub fn write_timeouts_json(w: &mut dyn Write, t: &Timeouts) -> io::Result<()> {
    let mut j = Json::document();
    j.key("timeouts");
    j.open('{');
    j.field_num("tcp", t.tcp);
    j.field_num("tcp_fin", t.tcp_fin);
    j.field_num("udp", t.udp);
    j.close('}');
    j.finish(w)
}

/// `-L --daemon --json`: the sync daemons that run (an empty list if none).
pub fn write_daemons_json(w: &mut dyn Write, daemons: &[Daemon]) -> io::Result<()> {
    let mut j = Json::document();
    j.key("daemons");
    j.open('[');
    for d in daemons {
        j.item();
        j.open('{');
        j.field_str(
            "role",
            match d.role {
                DaemonRole::Master => "master",
                DaemonRole::Backup => "backup",
            },
        );
        j.field_str("mcast_interface", &d.mcast_ifn);
        j.field_num("syncid", d.syncid);
        j.field_opt_num("sync_maxlen", d.sync_maxlen);
        j.key("mcast_group");
        match &d.mcast_group {
            Some(g) => j.addr(g),
            None => j.null(),
        }
        j.field_opt_num("mcast_port", d.mcast_port);
        j.field_opt_num("mcast_ttl", d.mcast_ttl);
        j.close('}');
    }
    j.close(']');
    j.finish(w)
}

/// A service's fields; leaves its object open for the real servers.
fn service(j: &mut Json, svc: &Service) {
    j.open('{');
    match svc.key {
        ServiceKey::Addr { protocol, addr, port } => {
            j.field_str("family", family_name(Family::of(&addr)));
            j.field_str(
                "protocol",
                match protocol {
                    Protocol::Tcp => "tcp",
                    Protocol::Udp => "udp",
                    Protocol::Sctp => "sctp",
                },
            );
            j.field_addr("address", &addr);
            j.field_num("port", port);
        }
        ServiceKey::Fwmark { family, mark } => {
            j.field_str("family", family_name(family));
            j.field_num("fwmark", mark);
        }
    }
    j.field_str("scheduler", &svc.scheduler);
    j.key("sched_flags");
    j.open('[');
    for flag in sched_flags_text(svc).iter().flat_map(|f| f.split(',')) {
        j.item();
        j.string(flag);
    }
    j.close(']');
    j.key("persistence");
    if svc.flags.has(ServiceFlags::PERSISTENT) {
        j.open('{');
        j.field_num("timeout", svc.timeout);
        match svc.key.family() {
            Family::Inet => j.field_str("netmask", &std::net::Ipv4Addr::from(svc.netmask).to_string()),
            Family::Inet6 => j.field_num("prefix_length", svc.netmask),
        }
        j.close('}');
    } else {
        j.null();
    }
    j.key("pe");
    match &svc.pe_name {
        Some(pe) => j.string(pe),
        None => j.null(),
    }
    j.field_bool("one_packet", svc.flags.has(ServiceFlags::ONEPACKET));
    stats(j, &svc.stats);
}

fn dest(j: &mut Json, d: &Dest) {
    j.open('{');
    j.field_addr("address", &d.addr);
    j.field_num("port", d.port);
    j.field_str(
        "forwarding",
        match d.forward {
            Forward::Masq => "masq",
            Forward::Local => "local",
            Forward::Tunnel => "tunnel",
            Forward::Route => "route",
            Forward::Bypass => "bypass",
        },
    );
    j.field_num("weight", d.weight);
    // The kernel's 0 means "no threshold".
    j.field_opt_num("u_threshold", Some(d.u_threshold).filter(|t| *t != 0));
    j.field_opt_num("l_threshold", Some(d.l_threshold).filter(|t| *t != 0));
    j.field_num("active_conns", d.active_conns);
    j.field_num("inactive_conns", d.inact_conns);
    j.field_num("persistent_conns", d.persist_conns);
    j.key("tunnel");
    if d.forward == Forward::Tunnel {
        j.open('{');
        j.field_str(
            "type",
            match d.tun_type {
                TunnelType::Ipip => "ipip",
                TunnelType::Gue => "gue",
                TunnelType::Gre => "gre",
            },
        );
        j.field_opt_num("port", Some(d.tun_port).filter(|_| d.tun_type == TunnelType::Gue));
        j.key("checksum");
        match (d.tun_type, d.tun_flags) {
            (TunnelType::Ipip, _) => j.null(),
            (_, 0) => j.string("none"),
            (_, 1) => j.string("csum"),
            (_, 2) => j.string("remcsum"),
            (_, _) => j.null(),
        }
        j.close('}');
    } else {
        j.null();
    }
    stats(j, &d.stats);
    j.close('}');
}

fn stats(j: &mut Json, s: &Stats) {
    j.key("stats");
    j.open('{');
    for (k, v) in [
        ("conns", s.conns),
        ("inpkts", s.inpkts),
        ("outpkts", s.outpkts),
        ("inbytes", s.inbytes),
        ("outbytes", s.outbytes),
    ] {
        j.field_num(k, v);
    }
    j.close('}');
    j.key("rate");
    j.open('{');
    for (k, v) in [("cps", s.cps), ("inpps", s.inpps), ("outpps", s.outpps), ("inbps", s.inbps), ("outbps", s.outbps)] {
        j.field_num(k, v);
    }
    j.close('}');
}

fn family_name(f: Family) -> &'static str {
    match f {
        Family::Inet => "inet",
        Family::Inet6 => "inet6",
    }
}

/// A JSON text being written: commas go before every member but the first
/// of an object or array.
struct Json {
    out: String,
    /// Whether the innermost open object or array has no member yet.
    first: Vec<bool>,
}

impl Json {
    /// The document's object, opened, with its version.
    fn document() -> Json {
        let mut j = Json { out: String::new(), first: Vec::new() };
        j.open('{');
        j.field_num("version", JSON_VERSION);
        j
    }

    fn finish(mut self, w: &mut dyn Write) -> io::Result<()> {
        self.close('}');
        self.out.push('\n');
        w.write_all(self.out.as_bytes())
    }

    fn open(&mut self, c: char) {
        self.out.push(c);
        self.first.push(true);
    }

    fn close(&mut self, c: char) {
        self.out.push(c);
        self.first.pop();
    }

    /// Before a member: the comma that separates it from the previous one.
    fn item(&mut self) {
        if let Some(first) = self.first.last_mut() {
            if !*first {
                self.out.push(',');
            }
            *first = false;
        }
    }

    fn key(&mut self, k: &str) {
        self.item();
        self.string(k);
        self.out.push(':');
    }

    fn string(&mut self, s: &str) {
        self.out.push('"');
        for c in s.chars() {
            match c {
                '"' => self.out.push_str("\\\""),
                '\\' => self.out.push_str("\\\\"),
                '\n' => self.out.push_str("\\n"),
                '\r' => self.out.push_str("\\r"),
                '\t' => self.out.push_str("\\t"),
                c if (c as u32) < 0x20 => {
                    let _ = write!(self.out, "\\u{:04x}", c as u32);
                }
                c => self.out.push(c),
            }
        }
        self.out.push('"');
    }

    fn null(&mut self) {
        self.out.push_str("null");
    }

    fn addr(&mut self, a: &IpAddr) {
        self.string(&addr_text(a));
    }

    fn field_str(&mut self, k: &str, v: &str) {
        self.key(k);
        self.string(v);
    }

    fn field_addr(&mut self, k: &str, a: &IpAddr) {
        self.key(k);
        self.addr(a);
    }

    fn field_num(&mut self, k: &str, v: impl std::fmt::Display) {
        self.key(k);
        let _ = write!(self.out, "{v}");
    }

    fn field_opt_num(&mut self, k: &str, v: Option<impl std::fmt::Display>) {
        match v {
            Some(v) => self.field_num(k, v),
            None => {
                self.key(k);
                self.null();
            }
        }
    }

    fn field_bool(&mut self, k: &str, v: bool) {
        self.field_num(k, v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{PeData, ServiceKey};
    use std::net::Ipv6Addr;

    fn text(f: impl FnOnce(&mut Vec<u8>) -> io::Result<()>) -> serde_json::Value {
        let mut out = Vec::new();
        f(&mut out).unwrap();
        serde_json::from_slice(&out).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out)))
    }

    fn entry() -> ServiceEntry {
        let key = ServiceKey::Addr { protocol: Protocol::Tcp, addr: "192.0.2.1".parse().unwrap(), port: 80 };
        let mut service = Service::new(key);
        service.scheduler = "sh".into();
        service.flags = ServiceFlags(ServiceFlags::PERSISTENT | ServiceFlags::SCHED1 | ServiceFlags::SCHED2);
        service.timeout = 300;
        service.netmask = 0xffff_ff00;
        service.stats.inbytes = u64::MAX;
        let mut gue = Dest::new("198.51.100.2".parse().unwrap(), 80);
        gue.forward = Forward::Tunnel;
        gue.tun_type = TunnelType::Gue;
        gue.tun_port = 6080;
        gue.tun_flags = 2;
        gue.u_threshold = 7;
        let masq = Dest::new("198.51.100.1".parse().unwrap(), 8080);
        ServiceEntry { service, dests: vec![gue, masq] }
    }

    #[test]
    fn services_with_every_field() {
        let info = Info { version: 0x010201, conn_tab_size: 4096 };
        let v = text(|w| write_list_json(w, &info, &[entry()], &Listing::default()));
        assert_eq!(v["version"], 1);
        assert_eq!(v["ipvs"]["version"], "1.2.1");
        let s = &v["services"][0];
        assert_eq!(s["protocol"], "tcp");
        assert_eq!(s["address"], "192.0.2.1");
        assert_eq!(s["sched_flags"], serde_json::json!(["sh-fallback", "sh-port"]));
        assert_eq!(s["persistence"], serde_json::json!({"timeout": 300, "netmask": "255.255.255.0"}));
        assert_eq!(s["pe"], serde_json::Value::Null);
        assert_eq!(s["stats"]["inbytes"].as_u64(), Some(u64::MAX));
        // sorted as the text listing: 198.51.100.1 first
        let d = &s["real_servers"];
        assert_eq!(d[0]["forwarding"], "masq");
        assert_eq!(d[0]["tunnel"], serde_json::Value::Null);
        assert_eq!(d[0]["u_threshold"], serde_json::Value::Null);
        assert_eq!(d[1]["u_threshold"], 7);
        assert_eq!(d[1]["tunnel"], serde_json::json!({"type": "gue", "port": 6080, "checksum": "remcsum"}));
    }

    #[test]
    fn ipv6_fwmark_persistence_is_a_prefix_length() {
        let mut service = Service::new(ServiceKey::Fwmark { family: Family::Inet6, mark: 5 });
        service.flags = ServiceFlags(ServiceFlags::PERSISTENT);
        service.netmask = 64;
        let mut d = Dest::new(IpAddr::V6("2001:db8::2".parse::<Ipv6Addr>().unwrap()), 0);
        d.forward = Forward::Route;
        let e = ServiceEntry { service, dests: vec![d] };
        let v = text(|w| write_list_json(w, &Info::default(), &[e], &Listing::default()));
        let s = &v["services"][0];
        assert_eq!(s["fwmark"], 5);
        assert_eq!(s["family"], "inet6");
        assert_eq!(s["persistence"]["prefix_length"], 64);
        assert_eq!(s["real_servers"][0]["address"], "2001:db8::2");
    }

    #[test]
    fn connections_timeouts_daemons() {
        let c = Connection {
            protocol: "UDP".into(),
            client_addr: "203.0.113.9".parse().unwrap(),
            client_port: 5060,
            virtual_addr: "192.0.2.1".parse().unwrap(),
            virtual_port: 5060,
            dest_addr: "198.51.100.2".parse().unwrap(),
            dest_port: 5060,
            state: "NONE".into(),
            expires: 27,
            pe: Some(PeData { name: "sip".into(), data: "a\"b".into() }),
        };
        let v = text(|w| write_connections_json(w, &[c]));
        assert_eq!(v["connections"][0]["protocol"], "udp");
        assert_eq!(v["connections"][0]["pe"]["data"], "a\"b");
        let v = text(|w| write_timeouts_json(w, &Timeouts { tcp: 900, tcp_fin: 120, udp: 300 }));
        assert_eq!(v["timeouts"]["tcp_fin"], 120);
        let d = Daemon {
            role: DaemonRole::Backup,
            mcast_ifn: "eth0".into(),
            syncid: 3,
            sync_maxlen: None,
            mcast_group: None,
            mcast_port: Some(8848),
            mcast_ttl: None,
        };
        let v = text(|w| write_daemons_json(w, &[d]));
        assert_eq!(v["daemons"][0]["role"], "backup");
        assert_eq!(v["daemons"][0]["sync_maxlen"], serde_json::Value::Null);
        assert_eq!(v["daemons"][0]["mcast_port"], 8848);
        assert_eq!(text(|w| write_daemons_json(w, &[]))["daemons"], serde_json::json!([]));
    }
}
