//! The IPVS table as plain data: virtual services, real servers, counters,
//! timeouts and the sync daemon. Nothing here knows about netlink or text.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Address family of a service or real server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Family {
    Inet,
    Inet6,
}

impl Family {
    pub fn of(addr: &IpAddr) -> Family {
        match addr {
            IpAddr::V4(_) => Family::Inet,
            IpAddr::V6(_) => Family::Inet6,
        }
    }

    /// The unspecified address of this family (used for firewall-mark services).
    pub fn any(self) -> IpAddr {
        match self {
            Family::Inet => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
            Family::Inet6 => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
        }
    }
}

/// Transport protocol of a virtual service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Protocol {
    Tcp,
    Udp,
    Sctp,
}

impl Protocol {
    /// IANA protocol number, as the kernel stores it.
    pub fn number(self) -> u16 {
        match self {
            Protocol::Tcp => 6,
            Protocol::Udp => 17,
            Protocol::Sctp => 132,
        }
    }

    pub fn from_number(n: u16) -> Option<Protocol> {
        match n {
            6 => Some(Protocol::Tcp),
            17 => Some(Protocol::Udp),
            132 => Some(Protocol::Sctp),
            _ => None,
        }
    }
}

/// What identifies a virtual service: protocol, address and port, or a
/// firewall mark (which still has an address family).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ServiceKey {
    Addr {
        protocol: Protocol,
        addr: IpAddr,
        port: u16,
    },
    Fwmark {
        family: Family,
        mark: u32,
    },
}

impl ServiceKey {
    pub fn family(&self) -> Family {
        match self {
            ServiceKey::Addr { addr, .. } => Family::of(addr),
            ServiceKey::Fwmark { family, .. } => *family,
        }
    }
}

/// Virtual-service flags, as the kernel keeps them (`IP_VS_SVC_F_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ServiceFlags(pub u32);

impl ServiceFlags {
    pub const PERSISTENT: u32 = 0x0001;
    pub const HASHED: u32 = 0x0002;
    pub const ONEPACKET: u32 = 0x0004;
    pub const SCHED1: u32 = 0x0008;
    pub const SCHED2: u32 = 0x0010;
    pub const SCHED3: u32 = 0x0020;

    pub fn has(self, bit: u32) -> bool {
        self.0 & bit != 0
    }
}

/// Longest scheduler or persistence-engine name the kernel keeps, in bytes.
pub const MAX_NAME_LEN: usize = 15;

/// A virtual service. `stats` is filled only in what the kernel reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    pub key: ServiceKey,
    pub scheduler: String,
    pub flags: ServiceFlags,
    /// Persistence timeout in seconds (meaningful when `flags` has PERSISTENT).
    pub timeout: u32,
    /// Persistence netmask: for IPv4 the mask itself (0xffffffff for /32),
    /// for IPv6 the prefix length, as the kernel stores it.
    pub netmask: u32,
    /// Persistence engine, such as "sip".
    pub pe_name: Option<String>,
    pub stats: Stats,
}

impl Service {
    /// A service with the kernel's defaults for everything but the key.
    pub fn new(key: ServiceKey) -> Service {
        let netmask = match key.family() {
            Family::Inet => 0xffff_ffff,
            Family::Inet6 => 128,
        };
        Service {
            key,
            scheduler: String::new(),
            flags: ServiceFlags::default(),
            timeout: 0,
            netmask,
            pe_name: None,
            stats: Stats::default(),
        }
    }
}

/// How a real server is reached (`IP_VS_CONN_F_*` forwarding methods).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Forward {
    Masq,
    Local,
    Tunnel,
    Route,
    Bypass,
}

impl Forward {
    pub fn code(self) -> u32 {
        match self {
            Forward::Masq => 0,
            Forward::Local => 1,
            Forward::Tunnel => 2,
            Forward::Route => 3,
            Forward::Bypass => 4,
        }
    }

    pub fn from_code(code: u32) -> Forward {
        match code & 0x7 {
            1 => Forward::Local,
            2 => Forward::Tunnel,
            3 => Forward::Route,
            4 => Forward::Bypass,
            _ => Forward::Masq,
        }
    }
}

/// Encapsulation of a tunnelled real server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TunnelType {
    Ipip,
    Gue,
    Gre,
}

impl TunnelType {
    pub fn code(self) -> u8 {
        match self {
            TunnelType::Ipip => 0,
            TunnelType::Gue => 1,
            TunnelType::Gre => 2,
        }
    }

    pub fn from_code(code: u8) -> Option<TunnelType> {
        match code {
            0 => Some(TunnelType::Ipip),
            1 => Some(TunnelType::Gue),
            2 => Some(TunnelType::Gre),
            _ => None,
        }
    }
}

/// Tunnel checksum flags (`IP_VS_TUNNEL_ENCAP_FLAG_*`).
pub mod tun_flags {
    pub const NOCSUM: u16 = 0;
    pub const CSUM: u16 = 1 << 0;
    pub const REMCSUM: u16 = 1 << 1;
}

/// A real server (the kernel calls it a destination).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dest {
    pub addr: IpAddr,
    pub port: u16,
    pub forward: Forward,
    pub weight: i32,
    pub u_threshold: u32,
    pub l_threshold: u32,
    pub tun_type: TunnelType,
    /// Tunnel destination port (GUE), host order.
    pub tun_port: u16,
    pub tun_flags: u16,
    pub active_conns: u32,
    pub inact_conns: u32,
    pub persist_conns: u32,
    pub stats: Stats,
}

impl Dest {
    pub fn new(addr: IpAddr, port: u16) -> Dest {
        Dest {
            addr,
            port,
            forward: Forward::Masq,
            weight: 1,
            u_threshold: 0,
            l_threshold: 0,
            tun_type: TunnelType::Ipip,
            tun_port: 0,
            tun_flags: 0,
            active_conns: 0,
            inact_conns: 0,
            persist_conns: 0,
            stats: Stats::default(),
        }
    }
}

/// Counters and rates of a service or real server, 64-bit as newer kernels
/// report them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Stats {
    pub conns: u64,
    pub inpkts: u64,
    pub outpkts: u64,
    pub inbytes: u64,
    pub outbytes: u64,
    pub cps: u64,
    pub inpps: u64,
    pub outpps: u64,
    pub inbps: u64,
    pub outbps: u64,
}

/// A service together with its real servers, as a listing shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceEntry {
    pub service: Service,
    pub dests: Vec<Dest>,
}

/// Connection timeouts in seconds (`--set tcp tcpfin udp`); 0 leaves a value as it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Timeouts {
    pub tcp: u32,
    pub tcp_fin: u32,
    pub udp: u32,
}

/// Role of a connection-sync daemon.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DaemonRole {
    Master,
    Backup,
}

impl DaemonRole {
    pub fn code(self) -> u32 {
        match self {
            DaemonRole::Master => 1,
            DaemonRole::Backup => 2,
        }
    }

    pub fn from_code(code: u32) -> Option<DaemonRole> {
        match code {
            1 => Some(DaemonRole::Master),
            2 => Some(DaemonRole::Backup),
            _ => None,
        }
    }
}

/// A connection-sync daemon's settings; `None` fields are left to the kernel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Daemon {
    pub role: DaemonRole,
    pub mcast_ifn: String,
    pub syncid: u32,
    pub sync_maxlen: Option<u16>,
    pub mcast_group: Option<IpAddr>,
    pub mcast_port: Option<u16>,
    pub mcast_ttl: Option<u8>,
}

/// General facts about the kernel's IPVS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Info {
    /// Version code, such as 0x010201 for 1.2.1.
    pub version: u32,
    /// Size of the connection hash table.
    pub conn_tab_size: u32,
}

/// One entry of the kernel's connection table (`-L -c`), as
/// `/proc/net/ip_vs_conn` shows it: a client's connection to a virtual
/// service and the real server it went to, or a persistence template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connection {
    /// The protocol as the kernel names it: "TCP", "UDP", "SCTP", or "IP"
    /// for some persistence templates.
    pub protocol: String,
    pub client_addr: IpAddr,
    pub client_port: u16,
    pub virtual_addr: IpAddr,
    pub virtual_port: u16,
    pub dest_addr: IpAddr,
    pub dest_port: u16,
    /// The state as the kernel names it: "ESTABLISHED", "TIME_WAIT", "UDP",
    /// "NONE", ...
    pub state: String,
    /// Seconds until the entry expires.
    pub expires: u32,
    /// Persistence engine and its data (the SIP Call-ID), when the entry
    /// has them.
    pub pe: Option<PeData>,
}

impl Connection {
    /// The transport protocol, whose service names the ports are looked up
    /// in; `None` for anything else (such as "IP").
    pub fn transport(&self) -> Option<Protocol> {
        match self.protocol.as_str() {
            "TCP" => Some(Protocol::Tcp),
            "UDP" => Some(Protocol::Udp),
            "SCTP" => Some(Protocol::Sctp),
            _ => None,
        }
    }
}

/// Persistence-engine data of a connection: the engine's name ("sip") and
/// what it keeps, as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeData {
    pub name: String,
    pub data: String,
}
