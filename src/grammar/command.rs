//! What a parsed ipvsadm command line asks for, in terms of the model.

use crate::model::{Daemon, DaemonRole, Dest, Service, ServiceKey, Timeouts};

/// One ipvsadm command, fully checked and with ipvsadm's defaults filled in,
/// ready to be carried out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// `-A`: add a virtual service.
    AddService(Service),
    /// `-E`: edit a virtual service.
    EditService(Service),
    /// `-D`: delete a virtual service.
    DeleteService(ServiceKey),
    /// `-C`: clear the whole table.
    Flush,
    /// `-a`: add a real server.
    AddDest(ServiceKey, Dest),
    /// `-e`: edit a real server.
    EditDest(ServiceKey, Dest),
    /// `-d`: delete a real server (only its address and port matter).
    DeleteDest(ServiceKey, Dest),
    /// `-Z`: zero the counters of one service or of all.
    Zero(Option<ServiceKey>),
    /// `-L`/`-l` in all its forms.
    List(Listing),
    /// `-S`: dump the table in restore format.
    Save(Listing),
    /// `-R`: read commands from standard input.
    Restore,
    /// `--set tcp tcpfin udp`.
    SetTimeouts(Timeouts),
    /// `--start-daemon`.
    StartDaemon(Daemon),
    /// `--stop-daemon`.
    StopDaemon(DaemonRole),
    /// `-h`.
    Help,
    /// `-v`.
    Version,
    /// `--apply FILE|-` (beyond ipvsadm): make the table equal to a rule file.
    Apply(Apply),
    /// `--drain` (beyond ipvsadm): weight 0, wait for the connections to
    /// end, then delete the real server.
    Drain(Drain),
}

/// What `--apply` was asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Apply {
    /// The rule file, `-` for standard input.
    pub file: String,
    /// `--dry-run`: print the changes, make none.
    pub dry_run: bool,
}

/// What `--drain` was asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Drain {
    /// The virtual service.
    pub key: ServiceKey,
    /// The real server (only its address and port matter).
    pub dest: Dest,
    /// `--drain-timeout N`: give up after N seconds (none: wait for ever).
    pub timeout: Option<u32>,
    /// `--drain-inactive`: wait for the inactive connections too.
    pub inactive: bool,
}

/// What a listing shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ListWhat {
    /// Virtual services and their real servers.
    #[default]
    Services,
    /// `-c`: the connection table.
    Connections,
    /// `--timeout`.
    Timeouts,
    /// `--daemon`.
    Daemons,
}

/// The options of a listing (`-L`) or save (`-S`), as ipvsadm's format flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Listing {
    /// What is listed.
    pub what: ListWhat,
    /// `-t`/`-u`/`--sctp-service`/`-f`: only this service.
    pub service: Option<ServiceKey>,
    /// The format flags.
    pub format: Format,
}

/// ipvsadm's format flags; several may be given at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Format {
    /// `-n`
    pub numeric: bool,
    /// `--exact`
    pub exact: bool,
    /// `--stats`
    pub stats: bool,
    /// `--rate`
    pub rate: bool,
    /// `--thresholds`
    pub thresholds: bool,
    /// `--persistent-conn`
    pub persistent_conn: bool,
    /// `--tun-info`
    pub tun_info: bool,
    /// `--nosort` (`--sort` is the default and clears it)
    pub nosort: bool,
    /// `--json`: one JSON document instead of ipvsadm's text.
    pub json: bool,
}
