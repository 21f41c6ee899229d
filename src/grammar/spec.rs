//! A description of the command line for tools, not for parsing: a
//! [`clap::Command`] built from the option table ([`super::table::SPECS`]),
//! from which the shell completions in `completions/` are generated, and
//! the lists of words some options take (scheduler names, tunnel types,
//! ...). The real parsing stays in [`super::parser`], with ipvsadm's own
//! rules and messages; clap never parses an `ipvsadm` command line.

use clap::builder::{PossibleValue, PossibleValuesParser};
use clap::{Arg, ArgAction, ValueHint};

use super::popt::ArgKind;
use super::table::{Opt, SPECS};

/// The schedulers of Linux IPVS that `-s` can name (the kernel decides
/// which are there: each is a module, `ip_vs_NAME`).
pub const SCHEDULERS: &[&str] =
    &["rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq", "fo", "ovf", "mh", "twos"];

/// The words `-b` takes (comma-separated).
pub const SCHED_FLAGS: &[&str] =
    &["sh-fallback", "sh-port", "mh-fallback", "mh-port", "flag-1", "flag-2", "flag-3"];

/// The tunnel types `--tun-type` takes.
pub const TUNNEL_TYPES: &[&str] = &["ipip", "gue", "gre"];

/// The sync-daemon states `--start-daemon` and `--stop-daemon` take.
pub const DAEMON_STATES: &[&str] = &["master", "backup"];

/// The persistence engines `--pe` can name.
pub const PERSISTENCE_ENGINES: &[&str] = &["sip"];

/// One option as the command line spells it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptionName {
    /// The long name, without `--`.
    pub long: &'static str,
    /// The short letters (`list` has two: `-L` and `-l`).
    pub shorts: Vec<char>,
    /// Whether it takes a value: `Some(true)` always, `Some(false)` may
    /// (`-p`), `None` never.
    pub value: Option<bool>,
}

/// Every option the command line accepts, in the table's order, each
/// long name once.
pub fn options() -> Vec<OptionName> {
    let mut out: Vec<OptionName> = Vec::new();
    for s in SPECS {
        if out.iter().any(|o| o.long == s.long) {
            continue;
        }
        let shorts: Vec<char> = SPECS.iter().filter(|t| t.long == s.long).filter_map(|t| t.short).collect();
        out.push(OptionName {
            long: s.long,
            shorts,
            value: match s.arg {
                ArgKind::No => None,
                ArgKind::Required => Some(true),
                ArgKind::Optional => Some(false),
            },
        });
    }
    out
}

/// What the help of the generated completions says of an option, its
/// value's name, the words it takes, and the kind of value for shells
/// that complete it (host names, interfaces).
struct Extra {
    help: &'static str,
    value_name: &'static str,
    values: &'static [&'static str],
    hint: ValueHint,
}

const fn extra(help: &'static str) -> Extra {
    Extra { help, value_name: "", values: &[], hint: ValueHint::Unknown }
}

const fn valued(help: &'static str, value_name: &'static str, hint: ValueHint) -> Extra {
    Extra { help, value_name, values: &[], hint }
}

const fn words(help: &'static str, value_name: &'static str, values: &'static [&'static str]) -> Extra {
    Extra { help, value_name, values, hint: ValueHint::Other }
}

fn extra_for(id: Opt) -> Extra {
    use ValueHint::{Hostname, Other};
    match id {
        Opt::AddService => extra("add a virtual service"),
        Opt::EditService => extra("change a virtual service"),
        Opt::DeleteService => extra("delete a virtual service and its real servers"),
        Opt::Clear => extra("delete every virtual service"),
        Opt::List => extra("list the virtual services and their real servers"),
        Opt::AddServer => extra("add a real server to a virtual service"),
        Opt::EditServer => extra("change a real server"),
        Opt::DeleteServer => extra("remove a real server from a virtual service"),
        Opt::Restore => extra("read commands from standard input, one a line"),
        Opt::Save => extra("print the table as commands that -R reads back"),
        Opt::Zero => extra("reset the counters of one service or of all"),
        Opt::Set => extra("set the tcp, tcpfin and udp timeouts (seconds, 0 keeps)"),
        Opt::StartDaemon => words("start a connection sync daemon", "state", DAEMON_STATES),
        Opt::StopDaemon => words("stop a connection sync daemon", "state", DAEMON_STATES),
        Opt::Help => extra("print the usage and exit"),
        Opt::Version => extra("print the version and exit"),
        Opt::TcpService => valued("TCP virtual service, host[:port]", "service-address", Hostname),
        Opt::UdpService => valued("UDP virtual service, host[:port]", "service-address", Hostname),
        Opt::SctpService => valued("SCTP virtual service, host[:port]", "service-address", Hostname),
        Opt::FwmarkService => valued("virtual service of a firewall mark", "fwmark", Other),
        Opt::Scheduler => words("scheduling algorithm (default wlc)", "scheduler", SCHEDULERS),
        Opt::Persistent => valued("persistent service, timeout in seconds (default 360)", "timeout", Other),
        Opt::Netmask => valued("netmask or prefix length grouping persistent clients", "netmask", Other),
        Opt::RealServer => valued("real server, host[:port]", "server-address", Hostname),
        Opt::Masquerading => extra("forward by masquerading (NAT)"),
        Opt::Ipip => extra("forward by tunnelling"),
        Opt::Gatewaying => extra("forward by direct routing (the default)"),
        Opt::Weight => valued("weight of the real server", "weight", Other),
        Opt::UThreshold => valued("upper connection threshold of the real server", "uthreshold", Other),
        Opt::LThreshold => valued("lower connection threshold of the real server", "lthreshold", Other),
        Opt::Numeric => extra("print addresses and ports as numbers"),
        Opt::Connection => extra("list the connections"),
        Opt::McastInterface => valued("interface of the sync daemon", "interface", Other),
        Opt::Timeout => extra("list the tcp, tcpfin and udp timeouts"),
        Opt::Daemon => extra("list the sync daemons"),
        Opt::Stats => extra("list with traffic counters"),
        Opt::Rate => extra("list with traffic rates"),
        Opt::Thresholds => extra("list with thresholds"),
        Opt::PersistentConn => extra("list with persistent connection counts"),
        Opt::NoSort => extra("list in the kernel's order"),
        Opt::Sort => extra("sort the listing (the default)"),
        Opt::Exact => extra("print exact numbers, without K, M or G"),
        Opt::Ipv6 => extra("the firewall-mark service is IPv6"),
        Opt::Ops => extra("one-packet scheduling (UDP)"),
        Opt::Pe => words("persistence engine", "engine", PERSISTENCE_ENGINES),
        Opt::SchedFlags => words("scheduler flags, comma-separated", "flags", SCHED_FLAGS),
        Opt::SyncId => valued("sync daemon id, 0 to 255 (default 255)", "syncid", Other),
        Opt::McastGroup => valued("multicast group of the sync daemon", "address", Other),
        Opt::McastPort => valued("UDP port of the sync daemon", "port", Other),
        Opt::McastTtl => valued("multicast TTL of the sync daemon", "ttl", Other),
        Opt::SyncMaxlen => valued("largest sync message, bytes", "length", Other),
        Opt::TunInfo => extra("list with tunnel settings"),
        Opt::TunType => words("tunnel type (default ipip)", "type", TUNNEL_TYPES),
        Opt::TunPort => valued("destination port of GUE tunnels", "port", Other),
        Opt::TunNoCsum => extra("tunnel without checksums"),
        Opt::TunCsum => extra("tunnel with checksums"),
        Opt::TunRemCsum => extra("tunnel with remote checksum offload"),
        Opt::Json => extra("list as one JSON document (with -L)"),
        Opt::Netns => valued("run in this network namespace (a name or a path)", "netns", ValueHint::AnyPath),
        Opt::Apply => valued("make the table equal to a rule file (- for stdin)", "file", ValueHint::FilePath),
        Opt::DryRun => extra("with --apply: print the changes, make none"),
        Opt::Drain => extra("weight 0, wait for the connections to end, delete the real server"),
        Opt::DrainTimeout => valued("with --drain: give up after this many seconds", "seconds", Other),
        Opt::DrainInactive => extra("with --drain: wait for inactive connections too"),
    }
}

/// The command line as a [`clap::Command`], one argument for each option
/// of the table: for generating completions and for tools, never for
/// parsing (see the module's comment).
pub fn command() -> clap::Command {
    let mut cmd = clap::Command::new("ipvsadm")
        .about("Administer the Linux IPVS load balancer (drop-in ipvsadm 1.31)")
        .disable_help_flag(true)
        .disable_version_flag(true)
        .dont_collapse_args_in_usage(true);
    for name in options() {
        let name = &name;
        let spec = SPECS.iter().find(|s| s.long == name.long).expect("listed");
        let x = extra_for(spec.id);
        let mut arg = Arg::new(name.long).long(name.long).help(x.help);
        if let Some((first, rest)) = name.shorts.split_first() {
            arg = arg.short(*first);
            for c in rest {
                arg = arg.visible_short_alias(*c);
            }
        }
        arg = match name.value {
            None if spec.id == Opt::Set => arg
                .action(ArgAction::Set)
                .num_args(3)
                .value_names(["tcp", "tcpfin", "udp"])
                .value_hint(ValueHint::Other),
            None => arg.action(ArgAction::SetTrue),
            Some(required) => {
                arg = arg.action(ArgAction::Set).value_name(x.value_name).value_hint(x.hint);
                if !required {
                    arg = arg.num_args(0..=1);
                }
                if !x.values.is_empty() {
                    arg = arg.value_parser(PossibleValuesParser::new(
                        x.values.iter().map(|v| PossibleValue::new(*v)),
                    ));
                    if spec.id == Opt::SchedFlags {
                        arg = arg.value_delimiter(',');
                    }
                }
                arg
            }
        };
        cmd = cmd.arg(arg);
    }
    cmd
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_is_consistent() {
        command().debug_assert();
    }

    #[test]
    fn every_table_option_is_an_argument() {
        let cmd = command();
        for s in SPECS {
            let arg = cmd.get_arguments().find(|a| a.get_long() == Some(s.long)).expect(s.long);
            if let Some(c) = s.short {
                let shorts = arg.get_short_and_visible_aliases().unwrap_or_default();
                assert!(shorts.contains(&c), "-{c} for --{}", s.long);
            }
        }
        assert_eq!(cmd.get_arguments().count(), options().len());
        assert_eq!(options().iter().find(|o| o.long == "list").unwrap().shorts, ['L', 'l']);
    }

    #[test]
    fn words_are_what_the_parser_takes() {
        use crate::grammar::parse_args_as;
        use crate::grammar::NoNames;
        let ok = |args: &[&str]| {
            let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
            parse_args_as("ipvsadm", &args, &NoNames).map_err(|e| e.stderr)
        };
        for t in TUNNEL_TYPES {
            let port: &[&str] = if *t == "gue" { &["--tun-port", "6080"] } else { &[] };
            let mut args = vec!["-a", "-t", "10.0.0.1:80", "-r", "10.0.0.2", "-i", "--tun-type", t];
            args.extend_from_slice(port);
            ok(&args).unwrap();
        }
        for s in DAEMON_STATES {
            ok(&["--stop-daemon", s]).unwrap();
        }
        for f in SCHED_FLAGS {
            let sched = f.split('-').next().filter(|s| *s == "sh" || *s == "mh").unwrap_or("rr");
            ok(&["-A", "-t", "10.0.0.1:80", "-s", sched, "-b", f]).unwrap();
        }
    }
}
