//! Numbers of the IPVS generic-netlink family, from the kernel's uapi header
//! `linux/ip_vs.h`.

/// The name the IPVS family is registered under.
pub const FAMILY_NAME: &str = "IPVS";
/// The family version requests carry.
pub const FAMILY_VERSION: u8 = 1;

// Commands (IPVS_CMD_*).
/// `IPVS_CMD_NEW_SERVICE` in `linux/ip_vs.h`.
pub const CMD_NEW_SERVICE: u8 = 1;
/// `IPVS_CMD_SET_SERVICE` in `linux/ip_vs.h`.
pub const CMD_SET_SERVICE: u8 = 2;
/// `IPVS_CMD_DEL_SERVICE` in `linux/ip_vs.h`.
pub const CMD_DEL_SERVICE: u8 = 3;
/// `IPVS_CMD_GET_SERVICE` in `linux/ip_vs.h`.
pub const CMD_GET_SERVICE: u8 = 4;
/// `IPVS_CMD_NEW_DEST` in `linux/ip_vs.h`.
pub const CMD_NEW_DEST: u8 = 5;
/// `IPVS_CMD_SET_DEST` in `linux/ip_vs.h`.
pub const CMD_SET_DEST: u8 = 6;
/// `IPVS_CMD_DEL_DEST` in `linux/ip_vs.h`.
pub const CMD_DEL_DEST: u8 = 7;
/// `IPVS_CMD_GET_DEST` in `linux/ip_vs.h`.
pub const CMD_GET_DEST: u8 = 8;
/// `IPVS_CMD_NEW_DAEMON` in `linux/ip_vs.h`.
pub const CMD_NEW_DAEMON: u8 = 9;
/// `IPVS_CMD_DEL_DAEMON` in `linux/ip_vs.h`.
pub const CMD_DEL_DAEMON: u8 = 10;
/// `IPVS_CMD_GET_DAEMON` in `linux/ip_vs.h`.
pub const CMD_GET_DAEMON: u8 = 11;
/// `IPVS_CMD_SET_CONFIG` in `linux/ip_vs.h`.
pub const CMD_SET_CONFIG: u8 = 12;
/// `IPVS_CMD_GET_CONFIG` in `linux/ip_vs.h`.
pub const CMD_GET_CONFIG: u8 = 13;
/// `IPVS_CMD_SET_INFO` in `linux/ip_vs.h`.
pub const CMD_SET_INFO: u8 = 14;
/// `IPVS_CMD_GET_INFO` in `linux/ip_vs.h`.
pub const CMD_GET_INFO: u8 = 15;
/// `IPVS_CMD_ZERO` in `linux/ip_vs.h`.
pub const CMD_ZERO: u8 = 16;
/// `IPVS_CMD_FLUSH` in `linux/ip_vs.h`.
pub const CMD_FLUSH: u8 = 17;

// Top-level attributes (IPVS_CMD_ATTR_*).
/// `IPVS_CMD_ATTR_SERVICE` in `linux/ip_vs.h`.
pub const CMD_ATTR_SERVICE: u16 = 1;
/// `IPVS_CMD_ATTR_DEST` in `linux/ip_vs.h`.
pub const CMD_ATTR_DEST: u16 = 2;
/// `IPVS_CMD_ATTR_DAEMON` in `linux/ip_vs.h`.
pub const CMD_ATTR_DAEMON: u16 = 3;
/// `IPVS_CMD_ATTR_TIMEOUT_TCP` in `linux/ip_vs.h`.
pub const CMD_ATTR_TIMEOUT_TCP: u16 = 4;
/// `IPVS_CMD_ATTR_TIMEOUT_TCP_FIN` in `linux/ip_vs.h`.
pub const CMD_ATTR_TIMEOUT_TCP_FIN: u16 = 5;
/// `IPVS_CMD_ATTR_TIMEOUT_UDP` in `linux/ip_vs.h`.
pub const CMD_ATTR_TIMEOUT_UDP: u16 = 6;

// Service attributes (IPVS_SVC_ATTR_*).
/// `IPVS_SVC_ATTR_AF` in `linux/ip_vs.h`.
pub const SVC_ATTR_AF: u16 = 1;
/// `IPVS_SVC_ATTR_PROTOCOL` in `linux/ip_vs.h`.
pub const SVC_ATTR_PROTOCOL: u16 = 2;
/// `IPVS_SVC_ATTR_ADDR` in `linux/ip_vs.h`.
pub const SVC_ATTR_ADDR: u16 = 3;
/// `IPVS_SVC_ATTR_PORT` in `linux/ip_vs.h`.
pub const SVC_ATTR_PORT: u16 = 4;
/// `IPVS_SVC_ATTR_FWMARK` in `linux/ip_vs.h`.
pub const SVC_ATTR_FWMARK: u16 = 5;
/// `IPVS_SVC_ATTR_SCHED_NAME` in `linux/ip_vs.h`.
pub const SVC_ATTR_SCHED_NAME: u16 = 6;
/// `IPVS_SVC_ATTR_FLAGS` in `linux/ip_vs.h`.
pub const SVC_ATTR_FLAGS: u16 = 7;
/// `IPVS_SVC_ATTR_TIMEOUT` in `linux/ip_vs.h`.
pub const SVC_ATTR_TIMEOUT: u16 = 8;
/// `IPVS_SVC_ATTR_NETMASK` in `linux/ip_vs.h`.
pub const SVC_ATTR_NETMASK: u16 = 9;
/// `IPVS_SVC_ATTR_STATS` in `linux/ip_vs.h`.
pub const SVC_ATTR_STATS: u16 = 10;
/// `IPVS_SVC_ATTR_PE_NAME` in `linux/ip_vs.h`.
pub const SVC_ATTR_PE_NAME: u16 = 11;
/// `IPVS_SVC_ATTR_STATS64` in `linux/ip_vs.h`.
pub const SVC_ATTR_STATS64: u16 = 12;

// Real-server attributes (IPVS_DEST_ATTR_*).
/// `IPVS_DEST_ATTR_ADDR` in `linux/ip_vs.h`.
pub const DEST_ATTR_ADDR: u16 = 1;
/// `IPVS_DEST_ATTR_PORT` in `linux/ip_vs.h`.
pub const DEST_ATTR_PORT: u16 = 2;
/// `IPVS_DEST_ATTR_FWD_METHOD` in `linux/ip_vs.h`.
pub const DEST_ATTR_FWD_METHOD: u16 = 3;
/// `IPVS_DEST_ATTR_WEIGHT` in `linux/ip_vs.h`.
pub const DEST_ATTR_WEIGHT: u16 = 4;
/// `IPVS_DEST_ATTR_U_THRESH` in `linux/ip_vs.h`.
pub const DEST_ATTR_U_THRESH: u16 = 5;
/// `IPVS_DEST_ATTR_L_THRESH` in `linux/ip_vs.h`.
pub const DEST_ATTR_L_THRESH: u16 = 6;
/// `IPVS_DEST_ATTR_ACTIVE_CONNS` in `linux/ip_vs.h`.
pub const DEST_ATTR_ACTIVE_CONNS: u16 = 7;
/// `IPVS_DEST_ATTR_INACT_CONNS` in `linux/ip_vs.h`.
pub const DEST_ATTR_INACT_CONNS: u16 = 8;
/// `IPVS_DEST_ATTR_PERSIST_CONNS` in `linux/ip_vs.h`.
pub const DEST_ATTR_PERSIST_CONNS: u16 = 9;
/// `IPVS_DEST_ATTR_STATS` in `linux/ip_vs.h`.
pub const DEST_ATTR_STATS: u16 = 10;
/// `IPVS_DEST_ATTR_ADDR_FAMILY` in `linux/ip_vs.h`.
pub const DEST_ATTR_ADDR_FAMILY: u16 = 11;
/// `IPVS_DEST_ATTR_STATS64` in `linux/ip_vs.h`.
pub const DEST_ATTR_STATS64: u16 = 12;
/// `IPVS_DEST_ATTR_TUN_TYPE` in `linux/ip_vs.h`.
pub const DEST_ATTR_TUN_TYPE: u16 = 13;
/// `IPVS_DEST_ATTR_TUN_PORT` in `linux/ip_vs.h`.
pub const DEST_ATTR_TUN_PORT: u16 = 14;
/// `IPVS_DEST_ATTR_TUN_FLAGS` in `linux/ip_vs.h`.
pub const DEST_ATTR_TUN_FLAGS: u16 = 15;

// Sync-daemon attributes (IPVS_DAEMON_ATTR_*).
/// `IPVS_DAEMON_ATTR_STATE` in `linux/ip_vs.h`.
pub const DAEMON_ATTR_STATE: u16 = 1;
/// `IPVS_DAEMON_ATTR_MCAST_IFN` in `linux/ip_vs.h`.
pub const DAEMON_ATTR_MCAST_IFN: u16 = 2;
/// `IPVS_DAEMON_ATTR_SYNC_ID` in `linux/ip_vs.h`.
pub const DAEMON_ATTR_SYNC_ID: u16 = 3;
/// `IPVS_DAEMON_ATTR_SYNC_MAXLEN` in `linux/ip_vs.h`.
pub const DAEMON_ATTR_SYNC_MAXLEN: u16 = 4;
/// `IPVS_DAEMON_ATTR_MCAST_GROUP` in `linux/ip_vs.h`.
pub const DAEMON_ATTR_MCAST_GROUP: u16 = 5;
/// `IPVS_DAEMON_ATTR_MCAST_GROUP6` in `linux/ip_vs.h`.
pub const DAEMON_ATTR_MCAST_GROUP6: u16 = 6;
/// `IPVS_DAEMON_ATTR_MCAST_PORT` in `linux/ip_vs.h`.
pub const DAEMON_ATTR_MCAST_PORT: u16 = 7;
/// `IPVS_DAEMON_ATTR_MCAST_TTL` in `linux/ip_vs.h`.
pub const DAEMON_ATTR_MCAST_TTL: u16 = 8;

// Counter attributes (IPVS_STATS_ATTR_*), shared by the 32- and 64-bit sets.
/// `IPVS_STATS_ATTR_CONNS` in `linux/ip_vs.h`.
pub const STATS_ATTR_CONNS: u16 = 1;
/// `IPVS_STATS_ATTR_INPKTS` in `linux/ip_vs.h`.
pub const STATS_ATTR_INPKTS: u16 = 2;
/// `IPVS_STATS_ATTR_OUTPKTS` in `linux/ip_vs.h`.
pub const STATS_ATTR_OUTPKTS: u16 = 3;
/// `IPVS_STATS_ATTR_INBYTES` in `linux/ip_vs.h`.
pub const STATS_ATTR_INBYTES: u16 = 4;
/// `IPVS_STATS_ATTR_OUTBYTES` in `linux/ip_vs.h`.
pub const STATS_ATTR_OUTBYTES: u16 = 5;
/// `IPVS_STATS_ATTR_CPS` in `linux/ip_vs.h`.
pub const STATS_ATTR_CPS: u16 = 6;
/// `IPVS_STATS_ATTR_INPPS` in `linux/ip_vs.h`.
pub const STATS_ATTR_INPPS: u16 = 7;
/// `IPVS_STATS_ATTR_OUTPPS` in `linux/ip_vs.h`.
pub const STATS_ATTR_OUTPPS: u16 = 8;
/// `IPVS_STATS_ATTR_INBPS` in `linux/ip_vs.h`.
pub const STATS_ATTR_INBPS: u16 = 9;
/// `IPVS_STATS_ATTR_OUTBPS` in `linux/ip_vs.h`.
pub const STATS_ATTR_OUTBPS: u16 = 10;

// General information (IPVS_INFO_ATTR_*).
/// `IPVS_INFO_ATTR_VERSION` in `linux/ip_vs.h`.
pub const INFO_ATTR_VERSION: u16 = 1;
/// `IPVS_INFO_ATTR_CONN_TAB_SIZE` in `linux/ip_vs.h`.
pub const INFO_ATTR_CONN_TAB_SIZE: u16 = 2;

/// Address families as the kernel numbers them.
pub const AF_INET: u16 = 2;
/// `IPVS_AF_INET6` in `linux/ip_vs.h`.
pub const AF_INET6: u16 = 10;
