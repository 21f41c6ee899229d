//! IPVS generic-netlink messages: requests built from the model, replies
//! decoded into it.

use netlink_packet_core::{DecodeError as CoreDecodeError, Emitable, ParseableParametrized};
use netlink_packet_generic::{GenlFamily, GenlHeader};

use super::attr::{family_from, missing, Attr, Attrs};
use super::consts::*;
use super::DecodeError;
use crate::model::{
    Daemon, DaemonRole, Dest, Family, Forward, Info, Protocol, Service, ServiceFlags, ServiceKey,
    Stats, Timeouts, TunnelType,
};

/// A request to the IPVS family: a command and its attributes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The IPVS command.
    pub cmd: u8,
    /// Its attributes.
    pub attrs: Vec<Attr>,
}

/// A request as the encoder takes it: netlink-packet-generic wants its
/// payload by value, and a copy of every request sent (its attributes are
/// nested vectors) would be made and dropped for nothing, so it gets a
/// loan. The one place a request meets the generic-netlink traits.
#[derive(Debug)]
pub(crate) struct Lent<'a>(pub(crate) &'a Request);

impl GenlFamily for Lent<'_> {
    fn family_name() -> &'static str {
        FAMILY_NAME
    }
    fn command(&self) -> u8 {
        self.0.cmd
    }
    fn version(&self) -> u8 {
        FAMILY_VERSION
    }
}

impl Emitable for Lent<'_> {
    fn buffer_len(&self) -> usize {
        self.0.attrs.as_slice().buffer_len()
    }
    fn emit(&self, buffer: &mut [u8]) {
        self.0.attrs.as_slice().emit(buffer)
    }
}

/// A reply from the IPVS family: its command and raw attribute bytes, decoded
/// on demand by the `decode_*` functions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// The IPVS command.
    pub cmd: u8,
    /// Its attributes, encoded.
    pub payload: Vec<u8>,
}

impl ParseableParametrized<[u8], GenlHeader> for Reply {
    fn parse_with_param(buf: &[u8], header: GenlHeader) -> Result<Self, CoreDecodeError> {
        Ok(Reply { cmd: header.cmd, payload: buf.to_vec() })
    }
}

impl Reply {
    /// The attributes of the reply.
    pub fn attrs(&self) -> Result<Attrs<'_>, DecodeError> {
        ReplyRef::from(self).attrs()
    }
}

/// A reply borrowed from the datagram it came in (see
/// [`crate::protocol::messages`]); the decoders take either.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReplyRef<'a> {
    /// The IPVS command.
    pub cmd: u8,
    /// Its attributes, encoded.
    pub payload: &'a [u8],
}

impl<'a> ReplyRef<'a> {
    /// The attributes of the reply.
    pub fn attrs(&self) -> Result<Attrs<'a>, DecodeError> {
        Attrs::parse(self.payload)
    }

    /// An owned copy.
    pub fn to_owned(&self) -> Reply {
        Reply { cmd: self.cmd, payload: self.payload.to_vec() }
    }
}

impl<'a> From<&'a Reply> for ReplyRef<'a> {
    fn from(r: &'a Reply) -> ReplyRef<'a> {
        ReplyRef { cmd: r.cmd, payload: &r.payload }
    }
}

impl Request {
    fn new(cmd: u8, attrs: Vec<Attr>) -> Request {
        Request { cmd, attrs }
    }

    /// Add a service.
    pub fn new_service(svc: &Service) -> Request {
        Request::new(CMD_NEW_SERVICE, vec![service_attr(svc)])
    }

    /// Change a service.
    pub fn set_service(svc: &Service) -> Request {
        Request::new(CMD_SET_SERVICE, vec![service_attr(svc)])
    }

    /// Delete a service.
    pub fn del_service(key: &ServiceKey) -> Request {
        Request::new(CMD_DEL_SERVICE, vec![service_key_attr(key)])
    }

    /// One service by its key; without a key, a dump of all.
    pub fn get_service(key: Option<&ServiceKey>) -> Request {
        Request::new(CMD_GET_SERVICE, key.map(service_key_attr).into_iter().collect())
    }

    /// Add a real server.
    pub fn new_dest(key: &ServiceKey, dest: &Dest) -> Request {
        Request::new(CMD_NEW_DEST, vec![service_key_attr(key), dest_attr(key, dest, true)])
    }

    /// Change a real server.
    pub fn set_dest(key: &ServiceKey, dest: &Dest) -> Request {
        Request::new(CMD_SET_DEST, vec![service_key_attr(key), dest_attr(key, dest, true)])
    }

    /// Delete a real server.
    pub fn del_dest(key: &ServiceKey, dest: &Dest) -> Request {
        Request::new(CMD_DEL_DEST, vec![service_key_attr(key), dest_attr(key, dest, false)])
    }

    /// The real servers of one service (a dump).
    pub fn get_dests(key: &ServiceKey) -> Request {
        Request::new(CMD_GET_DEST, vec![service_key_attr(key)])
    }

    /// Zero the counters of one service or all.
    pub fn zero(key: Option<&ServiceKey>) -> Request {
        Request::new(CMD_ZERO, key.map(service_key_attr).into_iter().collect())
    }

    /// Delete all services.
    pub fn flush() -> Request {
        Request::new(CMD_FLUSH, vec![])
    }

    /// Ask for the version.
    pub fn get_info() -> Request {
        Request::new(CMD_GET_INFO, vec![])
    }

    /// Ask for the timeouts.
    pub fn get_config() -> Request {
        Request::new(CMD_GET_CONFIG, vec![])
    }

    /// Set the timeouts.
    pub fn set_config(t: &Timeouts) -> Request {
        Request::new(
            CMD_SET_CONFIG,
            vec![
                Attr::U32(CMD_ATTR_TIMEOUT_TCP, t.tcp),
                Attr::U32(CMD_ATTR_TIMEOUT_TCP_FIN, t.tcp_fin),
                Attr::U32(CMD_ATTR_TIMEOUT_UDP, t.udp),
            ],
        )
    }

    /// Start a sync daemon.
    pub fn new_daemon(d: &Daemon) -> Request {
        let mut a = vec![
            Attr::U32(DAEMON_ATTR_STATE, d.role.code()),
            Attr::Str(DAEMON_ATTR_MCAST_IFN, d.mcast_ifn.clone()),
            Attr::U32(DAEMON_ATTR_SYNC_ID, d.syncid),
        ];
        if let Some(v) = d.sync_maxlen {
            a.push(Attr::U16(DAEMON_ATTR_SYNC_MAXLEN, v));
        }
        match d.mcast_group {
            Some(std::net::IpAddr::V4(g)) => {
                a.push(Attr::Bytes(DAEMON_ATTR_MCAST_GROUP, g.octets().to_vec()))
            }
            Some(std::net::IpAddr::V6(g)) => {
                a.push(Attr::Bytes(DAEMON_ATTR_MCAST_GROUP6, g.octets().to_vec()))
            }
            None => {}
        }
        if let Some(v) = d.mcast_port {
            a.push(Attr::U16(DAEMON_ATTR_MCAST_PORT, v));
        }
        if let Some(v) = d.mcast_ttl {
            a.push(Attr::U8(DAEMON_ATTR_MCAST_TTL, v));
        }
        Request::new(CMD_NEW_DAEMON, vec![Attr::Nested(CMD_ATTR_DAEMON, a)])
    }

    /// Stop a sync daemon.
    pub fn del_daemon(role: DaemonRole) -> Request {
        Request::new(
            CMD_DEL_DAEMON,
            vec![Attr::Nested(CMD_ATTR_DAEMON, vec![Attr::U32(DAEMON_ATTR_STATE, role.code())])],
        )
    }

    /// Ask for the sync daemons.
    pub fn get_daemon() -> Request {
        Request::new(CMD_GET_DAEMON, vec![])
    }
}

fn key_attrs(key: &ServiceKey) -> Vec<Attr> {
    match key {
        ServiceKey::Addr { protocol, addr, port } => vec![
            Attr::family(SVC_ATTR_AF, key.family()),
            Attr::U16(SVC_ATTR_PROTOCOL, protocol.number()),
            Attr::addr(SVC_ATTR_ADDR, addr),
            Attr::U16Be(SVC_ATTR_PORT, *port),
        ],
        ServiceKey::Fwmark { family, mark } => {
            vec![Attr::family(SVC_ATTR_AF, *family), Attr::U32(SVC_ATTR_FWMARK, *mark)]
        }
    }
}

fn service_key_attr(key: &ServiceKey) -> Attr {
    Attr::Nested(CMD_ATTR_SERVICE, key_attrs(key))
}

/// The netmask as the kernel stores it: an IPv4 mask travels in network
/// order, an IPv6 prefix length as a plain host-order number.
fn netmask_attr(family: Family, netmask: u32) -> Attr {
    match family {
        Family::Inet => Attr::U32Be(SVC_ATTR_NETMASK, netmask),
        Family::Inet6 => Attr::U32(SVC_ATTR_NETMASK, netmask),
    }
}

fn service_attr(svc: &Service) -> Attr {
    let mut a = key_attrs(&svc.key);
    a.push(Attr::Str(SVC_ATTR_SCHED_NAME, svc.scheduler.clone()));
    if let Some(pe) = &svc.pe_name {
        a.push(Attr::Str(SVC_ATTR_PE_NAME, pe.clone()));
    }
    let mut flags = svc.flags.0.to_ne_bytes().to_vec();
    flags.extend_from_slice(&u32::MAX.to_ne_bytes());
    a.push(Attr::Bytes(SVC_ATTR_FLAGS, flags));
    a.push(Attr::U32(SVC_ATTR_TIMEOUT, svc.timeout));
    a.push(netmask_attr(svc.key.family(), svc.netmask));
    Attr::Nested(CMD_ATTR_SERVICE, a)
}

/// A real server; `full` adds what adding or editing needs beyond the identity.
fn dest_attr(key: &ServiceKey, d: &Dest, full: bool) -> Attr {
    let dest_family = Family::of(&d.addr);
    let mut a = vec![Attr::addr(DEST_ATTR_ADDR, &d.addr), Attr::U16Be(DEST_ATTR_PORT, d.port)];
    // Older kernels take the service's family; say it only when it differs
    // so that they keep working.
    if dest_family != key.family() {
        a.push(Attr::family(DEST_ATTR_ADDR_FAMILY, dest_family));
    }
    if full {
        a.push(Attr::U32(DEST_ATTR_FWD_METHOD, d.forward.code()));
        a.push(Attr::U32(DEST_ATTR_WEIGHT, d.weight as u32));
        a.push(Attr::U32(DEST_ATTR_U_THRESH, d.u_threshold));
        a.push(Attr::U32(DEST_ATTR_L_THRESH, d.l_threshold));
        if d.forward == Forward::Tunnel {
            a.push(Attr::U8(DEST_ATTR_TUN_TYPE, d.tun_type.code()));
            a.push(Attr::U16Be(DEST_ATTR_TUN_PORT, d.tun_port));
            a.push(Attr::U16(DEST_ATTR_TUN_FLAGS, d.tun_flags));
        }
    }
    Attr::Nested(CMD_ATTR_DEST, a)
}

/// A service from a `CMD_NEW_SERVICE` reply (one entry of a dump).
pub fn decode_service<'a>(reply: impl Into<ReplyRef<'a>>) -> Result<Service, DecodeError> {
    decode_service_with(reply.into(), true)
}

/// [`decode_service`] without the counters (left zero, not read): what a
/// listing that shows none needs, read more quickly.
pub fn decode_service_without_counters<'a>(reply: impl Into<ReplyRef<'a>>) -> Result<Service, DecodeError> {
    decode_service_with(reply.into(), false)
}

fn decode_service_with(reply: ReplyRef<'_>, counters: bool) -> Result<Service, DecodeError> {
    let top = reply.attrs()?;
    let a = top.nested(CMD_ATTR_SERVICE)?.ok_or_else(|| missing("service"))?;
    let family = family_from(a.req_u16(SVC_ATTR_AF, "service family")?)?;
    let key = match a.u32(SVC_ATTR_FWMARK)? {
        Some(mark) if mark != 0 => ServiceKey::Fwmark { family, mark },
        _ => {
            let number = a.req_u16(SVC_ATTR_PROTOCOL, "service protocol")?;
            let protocol = Protocol::from_number(number)
                .ok_or_else(|| DecodeError::new(format!("unknown protocol {number}")))?;
            let addr = a.addr(SVC_ATTR_ADDR, family)?.ok_or_else(|| missing("service address"))?;
            let port = a.u16_be(SVC_ATTR_PORT)?.ok_or_else(|| missing("service port"))?;
            ServiceKey::Addr { protocol, addr, port }
        }
    };
    let flags = match a.get(SVC_ATTR_FLAGS) {
        Some(v) if v.len() >= 4 => u32::from_ne_bytes([v[0], v[1], v[2], v[3]]),
        Some(_) => return Err(DecodeError::new("service flags too short")),
        None => 0,
    };
    let netmask = match family {
        Family::Inet => a.u32_be(SVC_ATTR_NETMASK)?,
        Family::Inet6 => a.u32(SVC_ATTR_NETMASK)?,
    };
    let mut svc = Service::new(key);
    svc.scheduler = a.string(SVC_ATTR_SCHED_NAME)?.unwrap_or_default();
    svc.pe_name = a.string(SVC_ATTR_PE_NAME)?.filter(|s| !s.is_empty());
    svc.flags = ServiceFlags(flags);
    svc.timeout = a.u32(SVC_ATTR_TIMEOUT)?.unwrap_or(0);
    if let Some(m) = netmask {
        svc.netmask = m;
    }
    if counters {
        svc.stats = decode_stats(&a, SVC_ATTR_STATS64, SVC_ATTR_STATS)?;
    }
    Ok(svc)
}

/// A real server from a `CMD_NEW_DEST` reply; `family` is its service's,
/// used when the kernel is too old to say the real server's own.
pub fn decode_dest<'a>(reply: impl Into<ReplyRef<'a>>, family: Family) -> Result<Dest, DecodeError> {
    let top = reply.into().attrs()?;
    let a = top.nested(CMD_ATTR_DEST)?.ok_or_else(|| missing("real server"))?;
    let family = match a.u16(DEST_ATTR_ADDR_FAMILY)? {
        Some(af) => family_from(af)?,
        None => family,
    };
    let addr = a.addr(DEST_ATTR_ADDR, family)?.ok_or_else(|| missing("real-server address"))?;
    let port = a.u16_be(DEST_ATTR_PORT)?.ok_or_else(|| missing("real-server port"))?;
    let mut d = Dest::new(addr, port);
    d.forward = Forward::from_code(a.u32(DEST_ATTR_FWD_METHOD)?.unwrap_or(0));
    d.weight = a.u32(DEST_ATTR_WEIGHT)?.unwrap_or(0) as i32;
    d.u_threshold = a.u32(DEST_ATTR_U_THRESH)?.unwrap_or(0);
    d.l_threshold = a.u32(DEST_ATTR_L_THRESH)?.unwrap_or(0);
    d.active_conns = a.u32(DEST_ATTR_ACTIVE_CONNS)?.unwrap_or(0);
    d.inact_conns = a.u32(DEST_ATTR_INACT_CONNS)?.unwrap_or(0);
    d.persist_conns = a.u32(DEST_ATTR_PERSIST_CONNS)?.unwrap_or(0);
    if let Some(t) = a.u8(DEST_ATTR_TUN_TYPE)? {
        d.tun_type = TunnelType::from_code(t)
            .ok_or_else(|| DecodeError::new(format!("unknown tunnel type {t}")))?;
    }
    d.tun_port = a.u16_be(DEST_ATTR_TUN_PORT)?.unwrap_or(0);
    d.tun_flags = a.u16(DEST_ATTR_TUN_FLAGS)?.unwrap_or(0);
    d.stats = decode_stats(&a, DEST_ATTR_STATS64, DEST_ATTR_STATS)?;
    Ok(d)
}

/// Counters, from the 64-bit set when the kernel sends it.
fn decode_stats(a: &Attrs<'_>, kind64: u16, kind32: u16) -> Result<Stats, DecodeError> {
    if let Some(s) = a.nested(kind64)? {
        let g = |k| s.u64(k).map(|v| v.unwrap_or(0));
        return Ok(Stats {
            conns: g(STATS_ATTR_CONNS)?,
            inpkts: g(STATS_ATTR_INPKTS)?,
            outpkts: g(STATS_ATTR_OUTPKTS)?,
            inbytes: g(STATS_ATTR_INBYTES)?,
            outbytes: g(STATS_ATTR_OUTBYTES)?,
            cps: g(STATS_ATTR_CPS)?,
            inpps: g(STATS_ATTR_INPPS)?,
            outpps: g(STATS_ATTR_OUTPPS)?,
            inbps: g(STATS_ATTR_INBPS)?,
            outbps: g(STATS_ATTR_OUTBPS)?,
        });
    }
    let Some(s) = a.nested(kind32)? else { return Ok(Stats::default()) };
    let g = |k| s.u32(k).map(|v| v.unwrap_or(0) as u64);
    let g64 = |k| s.u64(k).map(|v| v.unwrap_or(0));
    Ok(Stats {
        conns: g(STATS_ATTR_CONNS)?,
        inpkts: g(STATS_ATTR_INPKTS)?,
        outpkts: g(STATS_ATTR_OUTPKTS)?,
        inbytes: g64(STATS_ATTR_INBYTES)?,
        outbytes: g64(STATS_ATTR_OUTBYTES)?,
        cps: g(STATS_ATTR_CPS)?,
        inpps: g(STATS_ATTR_INPPS)?,
        outpps: g(STATS_ATTR_OUTPPS)?,
        inbps: g(STATS_ATTR_INBPS)?,
        outbps: g(STATS_ATTR_OUTBPS)?,
    })
}

/// The version of a `GET_INFO` reply.
pub fn decode_info<'a>(reply: impl Into<ReplyRef<'a>>) -> Result<Info, DecodeError> {
    let a = reply.into().attrs()?;
    Ok(Info {
        version: a.req_u32(INFO_ATTR_VERSION, "version")?,
        conn_tab_size: a.req_u32(INFO_ATTR_CONN_TAB_SIZE, "connection table size")?,
    })
}

/// The timeouts of a `GET_CONFIG` reply.
pub fn decode_timeouts<'a>(reply: impl Into<ReplyRef<'a>>) -> Result<Timeouts, DecodeError> {
    let a = reply.into().attrs()?;
    Ok(Timeouts {
        tcp: a.u32(CMD_ATTR_TIMEOUT_TCP)?.unwrap_or(0),
        tcp_fin: a.u32(CMD_ATTR_TIMEOUT_TCP_FIN)?.unwrap_or(0),
        udp: a.u32(CMD_ATTR_TIMEOUT_UDP)?.unwrap_or(0),
    })
}

/// One daemon of a `GET_DAEMON` reply.
pub fn decode_daemon<'a>(reply: impl Into<ReplyRef<'a>>) -> Result<Daemon, DecodeError> {
    let top = reply.into().attrs()?;
    let a = top.nested(CMD_ATTR_DAEMON)?.ok_or_else(|| missing("daemon"))?;
    let state = a.req_u32(DAEMON_ATTR_STATE, "daemon state")?;
    let role = DaemonRole::from_code(state)
        .ok_or_else(|| DecodeError::new(format!("unknown daemon state {state}")))?;
    let group = match a.addr(DAEMON_ATTR_MCAST_GROUP6, Family::Inet6)? {
        Some(g) => Some(g),
        None => a.addr(DAEMON_ATTR_MCAST_GROUP, Family::Inet)?,
    };
    Ok(Daemon {
        role,
        mcast_ifn: a.string(DAEMON_ATTR_MCAST_IFN)?.unwrap_or_default(),
        syncid: a.u32(DAEMON_ATTR_SYNC_ID)?.unwrap_or(0),
        sync_maxlen: a.u16(DAEMON_ATTR_SYNC_MAXLEN)?,
        mcast_group: group,
        mcast_port: a.u16(DAEMON_ATTR_MCAST_PORT)?,
        mcast_ttl: a.u8(DAEMON_ATTR_MCAST_TTL)?,
    })
}
