//! From options to a checked [`Command`], in ipvsadm's order:
//!
//! 1. the first option must be a command (else "Try ..."); `-h`, `-v`
//!    act at once; `--start-daemon`/`--stop-daemon` check their state;
//! 2. the other options, in order: a second command is an "invalid
//!    option", a repeated one "multiple ... options", a bad value its own
//!    message, an unknown one the option library's error;
//! 3. then `--set`'s three values, words left over, scheduler flags, the
//!    options allowed and needed by the command, listing conflicts, and
//!    the checks of services and real servers.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::model::{
    Daemon, DaemonRole, Dest, Family, Forward, Protocol, Service, ServiceFlags, ServiceKey, Timeouts,
    TunnelType, tun_flags,
};

use super::addr::{parse_endpoint, parse_ipv4_host, Resolver};
use super::command::{Apply, Command, Drain, Format, ListWhat, Listing};
use super::num::{atoi, decimal_in};
use super::popt::{Found, Popt};
use super::table::{tunnel_row, Cmd, Col, Opt, COLS, NCOLS, TUNNEL_COLS};
use super::ArgError;

/// The scheduler ipvsadm sends when `-s` is not given.
pub const DEFAULT_SCHEDULER: &str = "wlc";
/// The persistence timeout ipvsadm sends for `-p` without a value.
pub const DEFAULT_PERSISTENCE_TIMEOUT: u32 = 360;
/// The longest persistence and connection timeout ipvsadm takes (31 days).
pub const MAX_TIMEOUT: i64 = 2_678_400;
/// The multicast interface ipvsadm sends when `--mcast-interface` is not given.
pub const DEFAULT_MCAST_INTERFACE: &str = "eth0";
/// The longest interface name ipvsadm sends (longer ones are cut).
pub const MAX_IFNAME: usize = 15;

/// How the parse was asked for.
pub(crate) struct Ctx<'a> {
    pub program: &'a str,
    pub names: &'a dyn Resolver,
    /// A line of `-R` input.
    pub restore: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeyDraft {
    Addr { protocol: Protocol, addr: IpAddr, port: u16 },
    Fwmark { mark: u32, family: Family },
}

impl KeyDraft {
    fn family(&self) -> Family {
        match self {
            KeyDraft::Addr { addr, .. } => Family::of(addr),
            KeyDraft::Fwmark { family, .. } => *family,
        }
    }

    fn port(&self) -> u16 {
        match self {
            KeyDraft::Addr { port, .. } => *port,
            KeyDraft::Fwmark { .. } => 0,
        }
    }

    fn key(&self) -> ServiceKey {
        match *self {
            KeyDraft::Addr { protocol, addr, port } => ServiceKey::Addr { protocol, addr, port },
            KeyDraft::Fwmark { mark, family } => ServiceKey::Fwmark { family, mark },
        }
    }
}

/// Everything the options said so far.
struct Draft {
    cmd: Cmd,
    seen: [bool; NCOLS],
    key: Option<KeyDraft>,
    /// The protocol for port names: that of the service given so far
    /// (TCP for a firewall mark), none before a service.
    name_protocol: Option<Protocol>,
    scheduler: Option<String>,
    persistent: bool,
    timeout: u32,
    netmask: u32,
    pe: Option<String>,
    sched_flags: Option<String>,
    one_packet: bool,
    dest: Option<(IpAddr, u16)>,
    forward: Option<Forward>,
    weight: i32,
    u_threshold: u32,
    l_threshold: u32,
    tun_type: Option<TunnelType>,
    tun_port: u16,
    tun_flags: u16,
    format: Format,
    role: DaemonRole,
    mcast_ifn: Option<String>,
    syncid: u32,
    sync_maxlen: Option<u16>,
    mcast_group: Option<IpAddr>,
    mcast_port: Option<u16>,
    mcast_ttl: Option<u8>,
    ext: Extensions,
}

/// The options beyond ipvsadm 1.31, kept out of its compatibility table
/// ([`Col`]) so that its checks and messages stay as they are; checked
/// by [`check_extensions`] in the same words.
#[derive(Debug, Default)]
struct Extensions {
    apply_file: Option<String>,
    dry_run: bool,
    drain_timeout: Option<u32>,
    drain_inactive: bool,
}

impl Draft {
    fn new(cmd: Cmd) -> Draft {
        Draft {
            cmd,
            seen: [false; NCOLS],
            key: None,
            name_protocol: None,
            scheduler: None,
            persistent: false,
            timeout: 0,
            netmask: 0xffff_ffff,
            pe: None,
            sched_flags: None,
            one_packet: false,
            dest: None,
            forward: None,
            weight: 1,
            u_threshold: 0,
            l_threshold: 0,
            tun_type: None,
            tun_port: 0,
            tun_flags: tun_flags::NOCSUM,
            format: Format::default(),
            role: DaemonRole::Master,
            mcast_ifn: None,
            syncid: 0,
            sync_maxlen: None,
            mcast_group: None,
            mcast_port: None,
            mcast_ttl: None,
            ext: Extensions::default(),
        }
    }

    fn seen(&self, col: Col) -> bool {
        self.seen[col.index()]
    }

    /// Note an option; a second time is an error.
    fn mark(&mut self, col: Col) -> Result<(), ArgError> {
        if self.seen[col.index()] {
            return Err(ArgError::fail(format!("multiple '{}' options specified", col.name())));
        }
        self.seen[col.index()] = true;
        Ok(())
    }

    fn family(&self) -> Family {
        self.key.map_or(Family::Inet, |k| k.family())
    }

    fn set_key(&mut self, key: KeyDraft) {
        if key.family() == Family::Inet6 {
            self.netmask = 128;
        }
        self.key = Some(key);
    }
}

/// Parse an argument vector (without the program name).
pub(crate) fn parse<S: AsRef<str>>(args: &[S], ctx: &Ctx) -> Result<Command, ArgError> {
    if args.is_empty() {
        return Ok(Command::List(Listing::default()));
    }
    let mut popt = Popt::new(args);
    let first = match popt.next_opt() {
        Some(Ok(found)) => found,
        Some(Err(_)) | None => return Err(ArgError::try_help(ctx.program)),
    };
    let mut draft = match first.id {
        Opt::Help => return Ok(Command::Help),
        Opt::Version => return Ok(Command::Version),
        Opt::AddService => Draft::new(Cmd::AddService),
        Opt::EditService => Draft::new(Cmd::EditService),
        Opt::DeleteService => Draft::new(Cmd::DeleteService),
        Opt::Clear => Draft::new(Cmd::Flush),
        Opt::List => Draft::new(Cmd::List),
        Opt::AddServer => Draft::new(Cmd::AddServer),
        Opt::EditServer => Draft::new(Cmd::EditServer),
        Opt::DeleteServer => Draft::new(Cmd::DeleteServer),
        Opt::Restore | Opt::Apply | Opt::Drain if ctx.restore => {
            return Err(ArgError::try_help(ctx.program))
        }
        Opt::Apply => {
            let mut d = Draft::new(Cmd::Apply);
            d.ext.apply_file = first.value.map(str::to_string);
            d
        }
        Opt::Drain => Draft::new(Cmd::Drain),
        Opt::Restore => Draft::new(Cmd::Restore),
        Opt::Save => Draft::new(Cmd::Save),
        Opt::Zero => Draft::new(Cmd::Zero),
        Opt::Set => Draft::new(Cmd::Set),
        Opt::StartDaemon => {
            let mut d = Draft::new(Cmd::StartDaemon);
            d.role = daemon_role(first.value)
                .ok_or_else(|| ArgError::fail("illegal start-daemon parameter specified"))?;
            d
        }
        Opt::StopDaemon => {
            let mut d = Draft::new(Cmd::StopDaemon);
            d.role = daemon_role(first.value)
                .ok_or_else(|| ArgError::fail("illegal start_daemon specified"))?;
            d
        }
        _ => return Err(ArgError::try_help(ctx.program)),
    };

    while let Some(found) = popt.next_opt() {
        let found = found.map_err(|e| ArgError::popt(e.message()))?;
        option(&mut draft, found, ctx)?;
    }

    let mut leftovers = popt.leftovers.into_iter();
    let timeouts = if draft.cmd == Cmd::Set {
        let values: Vec<&str> = leftovers.by_ref().take(3).collect();
        if values.len() < 3 {
            return Err(ArgError::fail("--set option requires 3 timeout values"));
        }
        let t = |s: &str| {
            decimal_in(s, 0, MAX_TIMEOUT)
                .map(|v| v as u32)
                .ok_or_else(|| ArgError::fail(format!("invalid timeout value `{s}' specified")))
        };
        Some(Timeouts { tcp: t(values[0])?, tcp_fin: t(values[1])?, udp: t(values[2])? })
    } else {
        None
    };
    if let Some(extra) = leftovers.next() {
        return Err(ArgError::fail(format!("unexpected argument {extra}")));
    }

    let sched_bits = match &draft.sched_flags {
        Some(flags) => scheduler_flags(flags, draft.scheduler.as_deref())?,
        None => 0,
    };

    check_options(&draft)?;
    check_extensions(&draft)?;
    if draft.cmd == Cmd::List {
        check_list(&draft)?;
    }
    build(draft, sched_bits, timeouts)
}

fn daemon_role(state: Option<&str>) -> Option<DaemonRole> {
    match state? {
        "master" => Some(DaemonRole::Master),
        "backup" => Some(DaemonRole::Backup),
        _ => None,
    }
}

/// One option after the command.
fn option(d: &mut Draft, found: Found, ctx: &Ctx) -> Result<(), ArgError> {
    let given = found.value;
    let v = given.unwrap_or("");
    match found.id {
        Opt::AddService
        | Opt::EditService
        | Opt::DeleteService
        | Opt::Clear
        | Opt::List
        | Opt::AddServer
        | Opt::EditServer
        | Opt::DeleteServer
        | Opt::Restore
        | Opt::Save
        | Opt::Zero
        | Opt::Set
        | Opt::StartDaemon
        | Opt::StopDaemon
        | Opt::Help
        | Opt::Version
        | Opt::Apply
        | Opt::Drain => {
            return Err(ArgError::fail(format!("invalid option `{}'", found.word)));
        }
        Opt::DryRun => {
            d.ext.dry_run = extension_once(d.ext.dry_run, "dry-run")?;
        }
        Opt::DrainInactive => {
            d.ext.drain_inactive = extension_once(d.ext.drain_inactive, "drain-inactive")?;
        }
        Opt::DrainTimeout => {
            extension_once(d.ext.drain_timeout.is_some(), "drain-timeout")?;
            d.ext.drain_timeout = Some(
                decimal_in(v, 0, MAX_TIMEOUT)
                    .ok_or_else(|| ArgError::fail("illegal drain-timeout specified"))? as u32,
            );
        }
        Opt::TcpService | Opt::UdpService | Opt::SctpService => {
            d.mark(Col::Service)?;
            let protocol = match found.id {
                Opt::TcpService => Protocol::Tcp,
                Opt::UdpService => Protocol::Udp,
                _ => Protocol::Sctp,
            };
            d.name_protocol = Some(protocol);
            let ep = parse_endpoint(v, Some(protocol), ctx.names)
                .ok_or_else(|| ArgError::fail("illegal virtual server address[:port] specified"))?;
            d.set_key(KeyDraft::Addr { protocol, addr: ep.addr, port: ep.port.unwrap_or(0) });
        }
        Opt::FwmarkService => {
            d.mark(Col::Service)?;
            let mark = decimal_in(v, 1, i64::from(u32::MAX))
                .ok_or_else(|| ArgError::fail(format!("invalid fwmark value `{v}' specified")))?;
            d.name_protocol = Some(Protocol::Tcp);
            d.set_key(KeyDraft::Fwmark { mark: mark as u32, family: Family::Inet });
        }
        Opt::Ipv6 => match d.key {
            Some(KeyDraft::Fwmark { mark, .. }) => {
                d.set_key(KeyDraft::Fwmark { mark, family: Family::Inet6 })
            }
            _ => return Err(ArgError::fail("-6 used before -f\n")),
        },
        Opt::Scheduler => {
            d.mark(Col::Scheduler)?;
            d.scheduler = Some(v.to_string());
        }
        Opt::Persistent => {
            d.mark(Col::Persistent)?;
            d.persistent = true;
            d.timeout = match &given {
                None => DEFAULT_PERSISTENCE_TIMEOUT,
                Some(t) => decimal_in(t, 1, MAX_TIMEOUT).map(|t| t as u32).ok_or_else(|| {
                    ArgError::fail(format!("invalid timeout value `{t}' specified"))
                })?,
            };
        }
        Opt::Netmask => {
            d.mark(Col::Netmask)?;
            d.netmask = if d.family() == Family::Inet6 {
                let prefix = atoi(v);
                if !(1..=128).contains(&prefix) {
                    return Err(ArgError::fail("illegal ipv6 netmask specified"));
                }
                prefix as u32
            } else {
                let mask = parse_ipv4_host(v, ctx.names)
                    .ok_or_else(|| ArgError::fail("illegal virtual server persistent mask specified"))?;
                u32::from(mask)
            };
        }
        Opt::RealServer => {
            d.mark(Col::RealServer)?;
            let ep = parse_endpoint(v, d.name_protocol, ctx.names)
                .ok_or_else(|| ArgError::fail("illegal real server address[:port] specified"))?;
            let default_port = d.key.map_or(0, |k| k.port());
            d.dest = Some((ep.addr, ep.port.unwrap_or(default_port)));
        }
        Opt::Masquerading | Opt::Ipip | Opt::Gatewaying => {
            d.mark(Col::Forward)?;
            d.forward = Some(match found.id {
                Opt::Masquerading => Forward::Masq,
                Opt::Ipip => Forward::Tunnel,
                _ => Forward::Route,
            });
        }
        Opt::Weight => {
            d.mark(Col::Weight)?;
            d.weight = decimal_in(v, 0, i64::from(i32::MAX))
                .ok_or_else(|| ArgError::fail("illegal weight specified"))? as i32;
        }
        Opt::UThreshold => {
            d.mark(Col::UThreshold)?;
            d.u_threshold = decimal_in(v, 0, i64::from(i32::MAX))
                .ok_or_else(|| ArgError::fail("illegal u_threshold specified"))? as u32;
        }
        Opt::LThreshold => {
            d.mark(Col::LThreshold)?;
            d.l_threshold = decimal_in(v, 0, i64::from(i32::MAX))
                .ok_or_else(|| ArgError::fail("illegal l_threshold specified"))? as u32;
        }
        Opt::Numeric => {
            d.mark(Col::Numeric)?;
            d.format.numeric = true;
        }
        Opt::Connection => d.mark(Col::Connection)?,
        Opt::Timeout => d.mark(Col::Timeout)?,
        Opt::Daemon => d.mark(Col::Daemon)?,
        Opt::Stats => {
            d.mark(Col::Stats)?;
            d.format.stats = true;
        }
        Opt::Rate => {
            d.mark(Col::Rate)?;
            d.format.rate = true;
        }
        Opt::Thresholds => {
            d.mark(Col::Thresholds)?;
            d.format.thresholds = true;
        }
        Opt::PersistentConn => {
            d.mark(Col::PersistentConn)?;
            d.format.persistent_conn = true;
        }
        Opt::NoSort => {
            d.mark(Col::NoSort)?;
            d.format.nosort = true;
        }
        // "does nothing, for backwards compatibility" (it does not undo --nosort)
        Opt::Sort => {}
        Opt::Exact => {
            d.mark(Col::Exact)?;
            d.format.exact = true;
        }
        Opt::TunInfo => {
            d.mark(Col::TunInfo)?;
            d.format.tun_info = true;
        }
        Opt::McastInterface => {
            d.mark(Col::McastInterface)?;
            d.mcast_ifn = Some(v.to_string());
        }
        Opt::SyncId => {
            d.mark(Col::SyncId)?;
            d.syncid =
                decimal_in(v, 0, 255).ok_or_else(|| ArgError::fail("illegal syncid specified"))? as u32;
        }
        Opt::Ops => {
            d.mark(Col::Ops)?;
            d.one_packet = true;
        }
        Opt::Pe => {
            d.mark(Col::Pe)?;
            d.pe = Some(v.to_string());
        }
        Opt::SchedFlags => {
            d.mark(Col::SchedFlags)?;
            d.sched_flags = Some(v.to_string());
        }
        Opt::McastGroup => {
            d.mark(Col::McastGroup)?;
            d.mcast_group = Some(if v.contains(':') {
                match v.parse::<Ipv6Addr>() {
                    Ok(a) if a.is_multicast() => IpAddr::V6(a),
                    _ => return Err(ArgError::fail(format!("invalid IPv6 mcast-group `{v}'"))),
                }
            } else {
                match v.parse::<Ipv4Addr>() {
                    Ok(a) if a.is_multicast() => IpAddr::V4(a),
                    _ => return Err(ArgError::fail(format!("invalid IPv4 mcast-group `{v}'"))),
                }
            });
        }
        Opt::McastPort => {
            d.mark(Col::McastPort)?;
            d.mcast_port = Some(
                decimal_in(v, 1, 65535).ok_or_else(|| ArgError::fail("illegal mcast-port specified"))? as u16,
            );
        }
        Opt::McastTtl => {
            d.mark(Col::McastTtl)?;
            d.mcast_ttl =
                Some(decimal_in(v, 1, 255).ok_or_else(|| ArgError::fail("illegal mcast-ttl specified"))? as u8);
        }
        Opt::SyncMaxlen => {
            d.mark(Col::SyncMaxlen)?;
            d.sync_maxlen = Some(
                decimal_in(v, 1, 65535 - 20 - 8)
                    .ok_or_else(|| ArgError::fail("illegal sync-maxlen specified"))? as u16,
            );
        }
        Opt::TunType => {
            d.mark(Col::TunType)?;
            d.tun_type = Some(match v {
                "ipip" => TunnelType::Ipip,
                "gue" => TunnelType::Gue,
                "gre" => TunnelType::Gre,
                _ => return Err(ArgError::fail("illegal tunnel type specified")),
            });
        }
        Opt::TunPort => {
            d.mark(Col::TunPort)?;
            d.tun_port =
                decimal_in(v, 1, 65535).ok_or_else(|| ArgError::fail("illegal tunnel port specified"))? as u16;
        }
        Opt::TunNoCsum => {
            d.mark(Col::TunNoCsum)?;
            d.tun_flags = tun_flags::NOCSUM;
        }
        Opt::TunCsum => {
            d.mark(Col::TunCsum)?;
            d.tun_flags = tun_flags::CSUM;
        }
        Opt::TunRemCsum => {
            d.mark(Col::TunRemCsum)?;
            d.tun_flags = tun_flags::REMCSUM;
        }
        Opt::Json => {
            d.format.json = extension_once(d.format.json, "json")?;
        }
        // The command line's --netns is taken out before the parse
        // (super::take_netns): here it is in a restore line or a library
        // call, where it cannot act.
        Opt::Netns => return Err(ArgError::fail("Illegal 'netns' option here: it goes on the command line")),
    }
    Ok(())
}

/// `-b`: comma-separated scheduler flags, checked against the scheduler
/// (`sh-*` only with sh, `mh-*` only with mh). Empty items are skipped;
/// a value of commas only crashes ipvsadm.
fn scheduler_flags(flags: &str, scheduler: Option<&str>) -> Result<u32, ArgError> {
    // ipvsadm 1.31 dies of a segmentation fault here; we say what is wrong
    // (a difference listed in the README).
    if !flags.is_empty() && flags.bytes().all(|b| b == b',') {
        return Err(ArgError::fail(format!("invalid scheduler flag `{flags}'")));
    }
    let scheduler = scheduler.filter(|s| !s.is_empty()).unwrap_or(DEFAULT_SCHEDULER);
    let mut bits = 0;
    for flag in flags.split(',').filter(|f| !f.is_empty()) {
        let (bit, only_for) = match flag {
            "flag-1" => (ServiceFlags::SCHED1, None),
            "flag-2" => (ServiceFlags::SCHED2, None),
            "flag-3" => (ServiceFlags::SCHED3, None),
            "sh-fallback" => (ServiceFlags::SCHED1, Some("sh")),
            "sh-port" => (ServiceFlags::SCHED2, Some("sh")),
            "mh-fallback" => (ServiceFlags::SCHED1, Some("mh")),
            "mh-port" => (ServiceFlags::SCHED2, Some("mh")),
            _ => return Err(ArgError::fail(format!("invalid scheduler flag `{flag}'"))),
        };
        if only_for.is_some_and(|s| s != scheduler) {
            return Err(ArgError::fail(format!("incompatible scheduler flag `{flag}'")));
        }
        bits |= bit;
    }
    Ok(bits)
}

/// The options the command does not take, needs, or takes one of.
fn check_options(d: &Draft) -> Result<(), ArgError> {
    let row = d.cmd.row();
    let cmd = d.cmd.name();
    let mut exclusive: Option<Col> = None;
    for col in COLS {
        let seen = d.seen(col);
        match row[col.index()] {
            b'x' if seen => {
                return Err(ArgError::fail(format!(
                    "Illegal '{}' option with the '{cmd}' command",
                    col.name()
                )))
            }
            b'+' if !seen => {
                return Err(ArgError::fail(format!(
                    "You need to supply the '{}' option for the '{cmd}' command",
                    col.name()
                )))
            }
            b'1' if seen => match exclusive {
                Some(first) => {
                    return Err(ArgError::fail(format!(
                        "The option '{}' conflicts with the '{}' option in the '{cmd}' command",
                        col.name(),
                        first.name()
                    )))
                }
                None => exclusive = Some(col),
            },
            _ => {}
        }
    }
    Ok(())
}

/// An extension option seen once more: ipvsadm's "multiple" message.
fn extension_once(seen: bool, name: &str) -> Result<bool, ArgError> {
    if seen {
        return Err(ArgError::fail(format!("multiple '{name}' options specified")));
    }
    Ok(true)
}

/// The extension options the command does not take, in the words of
/// [`check_options`]: `--json` goes with `-L` only, `--dry-run` with
/// `--apply` only, `--drain-timeout` and `--drain-inactive` with `--drain`
/// only.
fn check_extensions(d: &Draft) -> Result<(), ArgError> {
    let given = [
        ("json", d.format.json, Cmd::List),
        ("dry-run", d.ext.dry_run, Cmd::Apply),
        ("drain-timeout", d.ext.drain_timeout.is_some(), Cmd::Drain),
        ("drain-inactive", d.ext.drain_inactive, Cmd::Drain),
    ];
    for (name, seen, only) in given {
        if seen && d.cmd != only {
            return Err(ArgError::fail(format!(
                "Illegal '{name}' option with the '{}' command",
                d.cmd.name()
            )));
        }
    }
    Ok(())
}

/// Listing formats that do not go with connections, timeouts or daemons.
fn check_list(d: &Draft) -> Result<(), ArgError> {
    let other = d.seen(Col::Connection) || d.seen(Col::Timeout) || d.seen(Col::Daemon);
    let counters = d.format.stats || d.format.rate || d.format.thresholds;
    let plain = d.seen(Col::Timeout) || d.seen(Col::Daemon);
    if (other && counters) || (plain && d.format.persistent_conn) {
        return Err(ArgError::fail("options conflicts in the list command"));
    }
    Ok(())
}

/// The tunnel options a tunnel type takes.
fn check_tunnel(d: &Draft, tun: TunnelType) -> Result<(), ArgError> {
    let row = tunnel_row(tun);
    let name = match tun {
        TunnelType::Ipip => "ipip",
        TunnelType::Gue => "gue",
        TunnelType::Gre => "gre",
    };
    let mut exclusive: Option<Col> = None;
    for (i, col) in TUNNEL_COLS.into_iter().enumerate() {
        let seen = d.seen(col);
        match row[i] {
            b'x' if seen => {
                return Err(ArgError::fail(format!(
                    "Illegal '{}' option with the '{name}' tunnel type",
                    col.name()
                )))
            }
            b'+' if !seen => {
                return Err(ArgError::fail(format!(
                    "You need to supply the '{}' option for the '{name}' tunnel type",
                    col.name()
                )))
            }
            b'1' if seen => match exclusive {
                Some(first) => {
                    return Err(ArgError::fail(format!(
                        "The option '{}' conflicts with the '{}' option in the '{name}' tunnel type",
                        col.name(),
                        first.name()
                    )))
                }
                None => exclusive = Some(col),
            },
            _ => {}
        }
    }
    Ok(())
}

/// The finished command, after the checks that need all options.
fn build(d: Draft, sched_bits: u32, timeouts: Option<Timeouts>) -> Result<Command, ArgError> {
    let key = d.key.map(|k| k.key());
    Ok(match d.cmd {
        Cmd::AddService | Cmd::EditService => {
            let draft_key = d.key.ok_or_else(|| ArgError::fail("missing service"))?;
            if let KeyDraft::Addr { protocol, port, .. } = draft_key {
                if port == 0 && !d.persistent {
                    return Err(ArgError::fail("Zero port specified for non-persistent service"));
                }
                if d.one_packet && protocol != Protocol::Udp {
                    return Err(ArgError::fail("One-Packet Scheduling is only for UDP virtual services"));
                }
            }
            let mut flags = sched_bits;
            if d.persistent {
                flags |= ServiceFlags::PERSISTENT;
            }
            if d.one_packet {
                flags |= ServiceFlags::ONEPACKET;
            }
            let mut service = Service::new(draft_key.key());
            // ipvsadm keeps names in the kernel's 16-byte fields, so a longer
            // name reaches the kernel cut (and is then not found).
            service.scheduler = kernel_name(
                d.scheduler.filter(|s| !s.is_empty()).as_deref().unwrap_or(DEFAULT_SCHEDULER),
            );
            service.flags = ServiceFlags(flags);
            service.timeout = d.timeout;
            service.netmask = d.netmask;
            service.pe_name = d.pe.filter(|p| !p.is_empty()).as_deref().map(kernel_name);
            if d.cmd == Cmd::AddService {
                Command::AddService(service)
            } else {
                Command::EditService(service)
            }
        }
        Cmd::DeleteService => Command::DeleteService(key.ok_or_else(|| ArgError::fail("missing service"))?),
        Cmd::Flush => Command::Flush,
        Cmd::Apply => Command::Apply(Apply {
            file: d.ext.apply_file.unwrap_or_default(),
            dry_run: d.ext.dry_run,
        }),
        Cmd::AddServer | Cmd::EditServer | Cmd::DeleteServer | Cmd::Drain => {
            let draft_key = d.key.ok_or_else(|| ArgError::fail("missing service"))?;
            let (addr, mut port) = d.dest.ok_or_else(|| ArgError::fail("missing real server"))?;
            let forward = d.forward.unwrap_or(Forward::Route);
            let mut dest = Dest::new(addr, port);
            dest.forward = forward;
            if !matches!(d.cmd, Cmd::DeleteServer | Cmd::Drain) {
                if Family::of(&addr) != draft_key.family() && forward != Forward::Tunnel {
                    return Err(ArgError::fail(
                        "Different address family is allowed only for tunneling servers",
                    ));
                }
                let tunnel_options = [Col::TunType, Col::TunPort, Col::TunNoCsum, Col::TunCsum, Col::TunRemCsum];
                if tunnel_options.iter().any(|c| d.seen(*c)) && forward != Forward::Tunnel {
                    return Err(ArgError::fail("Tunnel options conflict with forward method"));
                }
                if forward == Forward::Tunnel {
                    let tun = d.tun_type.unwrap_or(TunnelType::Ipip);
                    check_tunnel(&d, tun)?;
                    dest.tun_type = tun;
                    dest.tun_port = d.tun_port;
                    dest.tun_flags = d.tun_flags;
                }
                if forward != Forward::Masq {
                    if let KeyDraft::Addr { port: svc_port, .. } = draft_key {
                        port = svc_port;
                    }
                }
                dest.port = port;
                dest.weight = d.weight;
                dest.u_threshold = d.u_threshold;
                dest.l_threshold = d.l_threshold;
            }
            let key = draft_key.key();
            match d.cmd {
                Cmd::AddServer => Command::AddDest(key, dest),
                Cmd::EditServer => Command::EditDest(key, dest),
                Cmd::Drain => Command::Drain(Drain {
                    key,
                    dest,
                    timeout: d.ext.drain_timeout,
                    inactive: d.ext.drain_inactive,
                }),
                _ => Command::DeleteDest(key, dest),
            }
        }
        Cmd::Zero => Command::Zero(key),
        Cmd::List => {
            let what = if d.seen(Col::Connection) {
                ListWhat::Connections
            } else if d.seen(Col::Timeout) {
                ListWhat::Timeouts
            } else if d.seen(Col::Daemon) {
                ListWhat::Daemons
            } else {
                ListWhat::Services
            };
            Command::List(Listing { what, service: key, format: d.format })
        }
        Cmd::Save => Command::Save(Listing { what: ListWhat::Services, service: None, format: d.format }),
        Cmd::Restore => Command::Restore,
        Cmd::Set => Command::SetTimeouts(timeouts.unwrap_or_default()),
        Cmd::StartDaemon => {
            let mut ifn = d.mcast_ifn.filter(|i| !i.is_empty()).unwrap_or_else(|| DEFAULT_MCAST_INTERFACE.to_string());
            if ifn.len() > MAX_IFNAME {
                let mut cut = MAX_IFNAME;
                while !ifn.is_char_boundary(cut) {
                    cut -= 1;
                }
                ifn.truncate(cut);
            }
            Command::StartDaemon(Daemon {
                role: d.role,
                mcast_ifn: ifn,
                syncid: d.syncid,
                sync_maxlen: d.sync_maxlen,
                mcast_group: d.mcast_group,
                mcast_port: d.mcast_port,
                mcast_ttl: d.mcast_ttl,
            })
        }
        Cmd::StopDaemon => Command::StopDaemon(d.role),
    })
}

/// A scheduler or persistence-engine name as it fits the kernel's field:
/// at most 15 bytes, cut on a character boundary.
fn kernel_name(name: &str) -> String {
    let mut end = name.len().min(crate::model::MAX_NAME_LEN);
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    name[..end].to_string()
}
