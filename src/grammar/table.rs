//! ipvsadm's options: their spellings, the names its messages use, and
//! which options each command and each tunnel type takes (all observed
//! from ipvsadm 1.31's behaviour).

use super::popt::{ArgKind, Spec};

/// Every option and command ipvsadm knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Opt {
    // commands
    AddService,
    EditService,
    DeleteService,
    Clear,
    List,
    AddServer,
    EditServer,
    DeleteServer,
    Restore,
    Save,
    Zero,
    Set,
    StartDaemon,
    StopDaemon,
    Help,
    Version,
    // options
    TcpService,
    UdpService,
    SctpService,
    FwmarkService,
    Scheduler,
    Persistent,
    Netmask,
    RealServer,
    Masquerading,
    Ipip,
    Gatewaying,
    Weight,
    UThreshold,
    LThreshold,
    Numeric,
    Connection,
    McastInterface,
    Timeout,
    Daemon,
    Stats,
    Rate,
    Thresholds,
    PersistentConn,
    NoSort,
    Sort,
    Exact,
    Ipv6,
    Ops,
    Pe,
    SchedFlags,
    SyncId,
    McastGroup,
    McastPort,
    McastTtl,
    SyncMaxlen,
    TunInfo,
    TunType,
    TunPort,
    TunNoCsum,
    TunCsum,
    TunRemCsum,
    // beyond ipvsadm (not in the compatibility table: see the parser)
    Json,
    Netns,
    // beyond ipvsadm 1.31 (not columns of the compatibility table: see
    // `parser::Extensions`)
    Apply,
    DryRun,
    Drain,
    DrainTimeout,
    DrainInactive,
}

const fn spec(long: &'static str, short: Option<char>, arg: ArgKind, id: Opt) -> Spec {
    Spec { long, short, arg, id }
}

use ArgKind::{No, Optional, Required};

/// The option table, long name, short letter and argument.
pub(crate) const SPECS: &[Spec] = &[
    spec("add-service", Some('A'), No, Opt::AddService),
    spec("edit-service", Some('E'), No, Opt::EditService),
    spec("delete-service", Some('D'), No, Opt::DeleteService),
    spec("clear", Some('C'), No, Opt::Clear),
    spec("list", Some('L'), No, Opt::List),
    spec("list", Some('l'), No, Opt::List),
    spec("add-server", Some('a'), No, Opt::AddServer),
    spec("edit-server", Some('e'), No, Opt::EditServer),
    spec("delete-server", Some('d'), No, Opt::DeleteServer),
    spec("restore", Some('R'), No, Opt::Restore),
    spec("save", Some('S'), No, Opt::Save),
    spec("zero", Some('Z'), No, Opt::Zero),
    spec("set", None, No, Opt::Set),
    spec("start-daemon", None, Required, Opt::StartDaemon),
    spec("stop-daemon", None, Required, Opt::StopDaemon),
    spec("help", Some('h'), No, Opt::Help),
    spec("version", Some('v'), No, Opt::Version),
    spec("tcp-service", Some('t'), Required, Opt::TcpService),
    spec("udp-service", Some('u'), Required, Opt::UdpService),
    spec("sctp-service", None, Required, Opt::SctpService),
    spec("fwmark-service", Some('f'), Required, Opt::FwmarkService),
    spec("scheduler", Some('s'), Required, Opt::Scheduler),
    spec("persistent", Some('p'), Optional, Opt::Persistent),
    spec("netmask", Some('M'), Required, Opt::Netmask),
    spec("real-server", Some('r'), Required, Opt::RealServer),
    spec("masquerading", Some('m'), No, Opt::Masquerading),
    spec("ipip", Some('i'), No, Opt::Ipip),
    spec("gatewaying", Some('g'), No, Opt::Gatewaying),
    spec("weight", Some('w'), Required, Opt::Weight),
    spec("u-threshold", Some('x'), Required, Opt::UThreshold),
    spec("l-threshold", Some('y'), Required, Opt::LThreshold),
    spec("numeric", Some('n'), No, Opt::Numeric),
    spec("connection", Some('c'), No, Opt::Connection),
    spec("mcast-interface", None, Required, Opt::McastInterface),
    spec("timeout", None, No, Opt::Timeout),
    spec("daemon", None, No, Opt::Daemon),
    spec("stats", None, No, Opt::Stats),
    spec("rate", None, No, Opt::Rate),
    spec("thresholds", None, No, Opt::Thresholds),
    spec("persistent-conn", None, No, Opt::PersistentConn),
    spec("nosort", None, No, Opt::NoSort),
    spec("sort", None, No, Opt::Sort),
    spec("exact", Some('X'), No, Opt::Exact),
    spec("ipv6", Some('6'), No, Opt::Ipv6),
    spec("ops", Some('o'), No, Opt::Ops),
    spec("pe", None, Required, Opt::Pe),
    spec("sched-flags", Some('b'), Required, Opt::SchedFlags),
    spec("syncid", None, Required, Opt::SyncId),
    spec("mcast-group", None, Required, Opt::McastGroup),
    spec("mcast-port", None, Required, Opt::McastPort),
    spec("mcast-ttl", None, Required, Opt::McastTtl),
    spec("sync-maxlen", None, Required, Opt::SyncMaxlen),
    spec("tun-info", None, No, Opt::TunInfo),
    spec("tun-type", None, Required, Opt::TunType),
    spec("tun-port", None, Required, Opt::TunPort),
    spec("tun-nocsum", None, No, Opt::TunNoCsum),
    spec("tun-csum", None, No, Opt::TunCsum),
    spec("tun-remcsum", None, No, Opt::TunRemCsum),
    spec("json", None, No, Opt::Json),
    spec("netns", None, Required, Opt::Netns),
    spec("apply", None, Required, Opt::Apply),
    spec("dry-run", None, No, Opt::DryRun),
    spec("drain", None, No, Opt::Drain),
    spec("drain-timeout", None, Required, Opt::DrainTimeout),
    spec("drain-inactive", None, No, Opt::DrainInactive),
];

/// The commands, in the order of the compatibility table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cmd {
    AddService,
    EditService,
    DeleteService,
    Flush,
    List,
    AddServer,
    DeleteServer,
    EditServer,
    Set,
    StartDaemon,
    StopDaemon,
    Restore,
    Save,
    Zero,
    // beyond ipvsadm 1.31
    Apply,
    Drain,
}

impl Cmd {
    /// The name ipvsadm's messages give the command.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Cmd::AddService => "add-service",
            Cmd::EditService => "edit-service",
            Cmd::DeleteService => "delete-service",
            Cmd::Flush => "flush",
            Cmd::List => "list",
            Cmd::AddServer => "add-server",
            Cmd::DeleteServer => "delete-server",
            Cmd::EditServer => "edit-server",
            Cmd::Set => "set",
            Cmd::StartDaemon => "start-daemon",
            Cmd::StopDaemon => "stop-daemon",
            Cmd::Restore => "restore",
            Cmd::Save => "save",
            Cmd::Zero => "zero",
            Cmd::Apply => "apply",
            Cmd::Drain => "drain",
        }
    }

    /// Which options the command takes, one character per [`Col`] in
    /// order: `x` not allowed, `+` required, `1` at most one of the `1`s,
    /// blank optional.
    pub(crate) fn row(self) -> &'static [u8; NCOLS] {
        match self {
            Cmd::AddService | Cmd::EditService => b"xx+   xxxxxxxxxxxxxxx   xxxxxxxxxx",
            Cmd::DeleteService => b"xx+xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
            Cmd::Flush | Cmd::Set | Cmd::Restore | Cmd::Apply => b"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
            Cmd::List => b" 11xxxxxxxxx11       xxxxxxx xxxxx",
            Cmd::AddServer | Cmd::EditServer => b"xx+xxx+    xxxxxxxxxxxxxxxxxx     ",
            Cmd::DeleteServer | Cmd::Drain => b"xx+xxx+xxxxxxxxxxxxxxxxxxxxxxxxxxx",
            Cmd::StartDaemon => b"xxxxxxxxxxx xxxxxxx xxxx    xxxxxx",
            Cmd::StopDaemon => b"xxxxxxxxxxxxxxxxxxx xxxxxxxxxxxxxx",
            Cmd::Save => b" xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
            Cmd::Zero => b"xx xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        }
    }
}

/// Number of option columns.
pub(crate) const NCOLS: usize = 34;

/// The options ipvsadm keeps track of (for "multiple" and compatibility
/// checks), in its order, which is the order it checks them in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Col {
    Numeric,
    Connection,
    Service,
    Scheduler,
    Persistent,
    Netmask,
    RealServer,
    Forward,
    Weight,
    UThreshold,
    LThreshold,
    McastInterface,
    Timeout,
    Daemon,
    Stats,
    Rate,
    Thresholds,
    PersistentConn,
    NoSort,
    SyncId,
    Exact,
    Ops,
    Pe,
    SchedFlags,
    McastGroup,
    McastPort,
    McastTtl,
    SyncMaxlen,
    TunInfo,
    TunType,
    TunPort,
    TunNoCsum,
    TunCsum,
    TunRemCsum,
}

/// All columns in order.
pub(crate) const COLS: [Col; NCOLS] = [
    Col::Numeric,
    Col::Connection,
    Col::Service,
    Col::Scheduler,
    Col::Persistent,
    Col::Netmask,
    Col::RealServer,
    Col::Forward,
    Col::Weight,
    Col::UThreshold,
    Col::LThreshold,
    Col::McastInterface,
    Col::Timeout,
    Col::Daemon,
    Col::Stats,
    Col::Rate,
    Col::Thresholds,
    Col::PersistentConn,
    Col::NoSort,
    Col::SyncId,
    Col::Exact,
    Col::Ops,
    Col::Pe,
    Col::SchedFlags,
    Col::McastGroup,
    Col::McastPort,
    Col::McastTtl,
    Col::SyncMaxlen,
    Col::TunInfo,
    Col::TunType,
    Col::TunPort,
    Col::TunNoCsum,
    Col::TunCsum,
    Col::TunRemCsum,
];

impl Col {
    /// The name ipvsadm's messages give the option.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Col::Numeric => "numeric",
            Col::Connection => "connection",
            Col::Service => "service-address",
            Col::Scheduler => "scheduler",
            Col::Persistent => "persistent",
            Col::Netmask => "netmask",
            Col::RealServer => "real-server",
            Col::Forward => "forwarding-method",
            Col::Weight => "weight",
            Col::UThreshold => "u-threshold",
            Col::LThreshold => "l-threshold",
            Col::McastInterface => "mcast-interface",
            Col::Timeout => "timeout",
            Col::Daemon => "daemon",
            Col::Stats => "stats",
            Col::Rate => "rate",
            Col::Thresholds => "thresholds",
            Col::PersistentConn => "persistent-conn",
            Col::NoSort => "nosort",
            Col::SyncId => "syncid",
            Col::Exact => "exact",
            Col::Ops => "ops",
            Col::Pe => "pe",
            Col::SchedFlags => "sched-flags",
            Col::McastGroup => "mcast-group",
            Col::McastPort => "mcast-port",
            Col::McastTtl => "mcast-ttl",
            Col::SyncMaxlen => "sync-maxlen",
            Col::TunInfo => "tun-info",
            Col::TunType => "tun-type",
            Col::TunPort => "tun-port",
            Col::TunNoCsum => "tun-nocsum",
            Col::TunCsum => "tun-csum",
            Col::TunRemCsum => "tun-remcsum",
        }
    }

    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

/// The tunnel options checked per tunnel type, in order.
pub(crate) const TUNNEL_COLS: [Col; 4] = [Col::TunPort, Col::TunNoCsum, Col::TunCsum, Col::TunRemCsum];

/// Which tunnel options a tunnel type takes (same letters as [`Cmd::row`],
/// one per [`TUNNEL_COLS`] entry).
pub(crate) fn tunnel_row(tun: crate::model::TunnelType) -> &'static [u8; 4] {
    use crate::model::TunnelType;
    match tun {
        TunnelType::Ipip => b"xxxx",
        TunnelType::Gue => b"+111",
        TunnelType::Gre => b"x11x",
    }
}

/// The option with this long name.
pub(crate) fn by_long(name: &str) -> Option<&'static Spec> {
    SPECS.iter().find(|s| s.long == name)
}

/// The option with this short letter.
pub(crate) fn by_short(c: char) -> Option<&'static Spec> {
    SPECS.iter().find(|s| s.short == Some(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_in_order() {
        for (i, c) in COLS.iter().enumerate() {
            assert_eq!(c.index(), i);
        }
    }

    #[test]
    fn rows_use_known_letters() {
        for cmd in [
            Cmd::AddService,
            Cmd::EditService,
            Cmd::DeleteService,
            Cmd::Flush,
            Cmd::List,
            Cmd::AddServer,
            Cmd::DeleteServer,
            Cmd::EditServer,
            Cmd::Set,
            Cmd::StartDaemon,
            Cmd::StopDaemon,
            Cmd::Restore,
            Cmd::Save,
            Cmd::Zero,
            Cmd::Apply,
            Cmd::Drain,
        ] {
            assert!(cmd.row().iter().all(|c| b"x+1 ".contains(c)), "{cmd:?}");
        }
    }

    #[test]
    fn lookups() {
        assert_eq!(by_long("list").map(|s| s.id), Some(Opt::List));
        assert_eq!(by_short('l').map(|s| s.id), Some(Opt::List));
        assert_eq!(by_short('X').map(|s| s.id), Some(Opt::Exact));
        assert_eq!(by_short('6').map(|s| s.id), Some(Opt::Ipv6));
        assert!(by_long("sched").is_none());
        assert!(by_short('q').is_none());
    }
}
