//! The IPVS table as plain data: virtual services, real servers, counters,
//! timeouts and the sync daemon. Nothing here knows about netlink or text.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Address family of a service or real server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Family {
    /// IPv4 (`AF_INET`).
    Inet,
    /// IPv6 (`AF_INET6`).
    Inet6,
}

impl Family {
    /// The family of an address.
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
    /// TCP.
    Tcp,
    /// UDP.
    Udp,
    /// SCTP.
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

    /// The protocol of an IP protocol number, if IPVS knows it.
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
    /// A TCP, UDP or SCTP service on an address and port.
    Addr {
        /// Its protocol.
        protocol: Protocol,
        /// Its address.
        addr: IpAddr,
        /// Its port (0: any, for persistent services).
        port: u16,
    },
    /// A service of the packets with a firewall mark.
    Fwmark {
        /// IPv4 or IPv6 (`-6`).
        family: Family,
        /// The mark.
        mark: u32,
    },
}

impl ServiceKey {
    /// The address family of the service.
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
    /// Persistent service (`-p`).
    pub const PERSISTENT: u32 = 0x0001;
    /// Set by the kernel on services in its tables.
    pub const HASHED: u32 = 0x0002;
    /// One-packet scheduling (`-o`).
    pub const ONEPACKET: u32 = 0x0004;
    /// Scheduler flag 1 (`sh-fallback`, `mh-fallback`, `flag-1`).
    pub const SCHED1: u32 = 0x0008;
    /// Scheduler flag 2 (`sh-port`, `mh-port`, `flag-2`).
    pub const SCHED2: u32 = 0x0010;
    /// Scheduler flag 3 (`flag-3`).
    pub const SCHED3: u32 = 0x0020;

    /// Whether the flag `bit` is set.
    pub fn has(self, bit: u32) -> bool {
        self.0 & bit != 0
    }
}

/// Longest scheduler or persistence-engine name the kernel keeps, in bytes.
pub const MAX_NAME_LEN: usize = 15;

/// A virtual service. `stats` is filled only in what the kernel reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    /// What identifies the service.
    pub key: ServiceKey,
    /// The scheduler name (`rr`, `wlc`, ...).
    pub scheduler: String,
    /// Persistence, one-packet scheduling and scheduler flags.
    pub flags: ServiceFlags,
    /// Persistence timeout in seconds (meaningful when `flags` has PERSISTENT).
    pub timeout: u32,
    /// Persistence netmask: for IPv4 the mask itself (0xffffffff for /32),
    /// for IPv6 the prefix length, as the kernel stores it.
    pub netmask: u32,
    /// Persistence engine, such as "sip".
    pub pe_name: Option<String>,
    /// Counters and rates.
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
    /// Masquerading (NAT, `-m`).
    Masq,
    /// Local node (the real server is the director itself).
    Local,
    /// Tunnelling (`-i`).
    Tunnel,
    /// Direct routing (`-g`).
    Route,
    /// Bypass (not used by ipvsadm).
    Bypass,
}

impl Forward {
    /// The kernel's code.
    pub fn code(self) -> u32 {
        match self {
            Forward::Masq => 0,
            Forward::Local => 1,
            Forward::Tunnel => 2,
            Forward::Route => 3,
            Forward::Bypass => 4,
        }
    }

    /// The method of a kernel code (its low three bits).
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
    /// IP in IP.
    Ipip,
    /// Generic UDP encapsulation.
    Gue,
    /// Generic routing encapsulation.
    Gre,
}

impl TunnelType {
    /// The kernel's code.
    pub fn code(self) -> u8 {
        match self {
            TunnelType::Ipip => 0,
            TunnelType::Gue => 1,
            TunnelType::Gre => 2,
        }
    }

    /// The tunnel type of a kernel code.
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
    /// No checksum (`--tun-nocsum`).
    pub const NOCSUM: u16 = 0;
    /// Checksum (`--tun-csum`).
    pub const CSUM: u16 = 1 << 0;
    /// Remote checksum offload (`--tun-remcsum`).
    pub const REMCSUM: u16 = 1 << 1;
}

/// A real server (the kernel calls it a destination).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dest {
    /// The address.
    pub addr: IpAddr,
    /// The port.
    pub port: u16,
    /// The forwarding method.
    pub forward: Forward,
    /// The weight (0: no new connections).
    pub weight: i32,
    /// Upper connection threshold (0: none).
    pub u_threshold: u32,
    /// Lower connection threshold (0: none).
    pub l_threshold: u32,
    /// The tunnel type, for tunnelling.
    pub tun_type: TunnelType,
    /// Tunnel destination port (GUE), host order.
    pub tun_port: u16,
    /// Tunnel checksum flags ([`tun_flags`]).
    pub tun_flags: u16,
    /// Active connections (kernel-maintained).
    pub active_conns: u32,
    /// Inactive connections (kernel-maintained).
    pub inact_conns: u32,
    /// Persistence templates (kernel-maintained).
    pub persist_conns: u32,
    /// Counters and rates.
    pub stats: Stats,
}

impl Dest {
    /// Whether `other` is the same real server of a service: the kernel
    /// tells them apart by address and port only.
    pub fn same_server(&self, other: &Dest) -> bool {
        self.addr == other.addr && self.port == other.port
    }

    /// A real server with the kernel defaults: masquerading, weight 1, no thresholds.
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
    /// Connections.
    pub conns: u64,
    /// Packets in.
    pub inpkts: u64,
    /// Packets out.
    pub outpkts: u64,
    /// Bytes in.
    pub inbytes: u64,
    /// Bytes out.
    pub outbytes: u64,
    /// Connections per second.
    pub cps: u64,
    /// Packets in per second.
    pub inpps: u64,
    /// Packets out per second.
    pub outpps: u64,
    /// Bytes in per second.
    pub inbps: u64,
    /// Bytes out per second.
    pub outbps: u64,
}

/// A service together with its real servers, as a listing shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceEntry {
    /// The service.
    pub service: Service,
    /// Its real servers.
    pub dests: Vec<Dest>,
}

/// Connection timeouts in seconds (`--set tcp tcpfin udp`); 0 leaves a value as it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Timeouts {
    /// TCP (established) timeout, seconds.
    pub tcp: u32,
    /// TCP after FIN, seconds.
    pub tcp_fin: u32,
    /// UDP, seconds.
    pub udp: u32,
}

/// Role of a connection-sync daemon.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DaemonRole {
    /// Sends the connection state.
    Master,
    /// Receives the connection state.
    Backup,
}

impl DaemonRole {
    /// The kernel's code.
    pub fn code(self) -> u32 {
        match self {
            DaemonRole::Master => 1,
            DaemonRole::Backup => 2,
        }
    }

    /// The role of a kernel code.
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
    /// Master or backup.
    pub role: DaemonRole,
    /// The interface it uses.
    pub mcast_ifn: String,
    /// Its sync id.
    pub syncid: u32,
    /// Largest sync message, if set or reported.
    pub sync_maxlen: Option<u16>,
    /// Multicast group, if set or reported.
    pub mcast_group: Option<IpAddr>,
    /// UDP port, if set or reported.
    pub mcast_port: Option<u16>,
    /// Multicast TTL, if set or reported.
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

impl Info {
    /// The version as ipvsadm prints it: `1.2.1`.
    pub fn version_text(&self) -> String {
        let v = self.version;
        format!("{}.{}.{}", (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff)
    }
}

/// One entry of the kernel's connection table (`-L -c`), as
/// `/proc/net/ip_vs_conn` shows it: a client's connection to a virtual
/// service and the real server it went to, or a persistence template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connection {
    /// The protocol as the kernel names it: "TCP", "UDP", "SCTP", or "IP"
    /// for some persistence templates.
    pub protocol: String,
    /// The client's address.
    pub client_addr: IpAddr,
    /// The client's port.
    pub client_port: u16,
    /// The virtual address.
    pub virtual_addr: IpAddr,
    /// The virtual port.
    pub virtual_port: u16,
    /// The real server's address.
    pub dest_addr: IpAddr,
    /// The real server's port.
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
    /// The persistence engine (`sip`).
    pub name: String,
    /// Its data (the Call-ID for sip).
    pub data: String,
}
