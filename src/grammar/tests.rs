//! Behaviour tests of the grammar: every expectation here was observed
//! with the reference ipvsadm 1.31 (same stderr text, same exit status,
//! same values sent to the kernel).

use std::net::{IpAddr, Ipv4Addr};

use crate::model::{
    tun_flags, Daemon, DaemonRole, Dest, Family, Forward, Protocol, Service, ServiceFlags, ServiceKey,
    Timeouts, TunnelType,
};

use super::*;

/// Names for the tests: `localhost` and a few services, nothing else.
struct TestNames;

const SERVICES: &str = "\
ssh\t\t22/tcp
domain\t\t53/tcp
domain\t\t53/udp
bootps\t\t67/udp
http\t\t80/tcp\t\twww
shell\t\t514/tcp\t\tcmd syslog
syslog\t\t514/udp
amqp\t\t5672/tcp
amqp\t\t5672/sctp
";

impl Resolver for TestNames {
    fn host(&self, name: &str) -> Option<Ipv4Addr> {
        (name == "localhost").then_some(Ipv4Addr::LOCALHOST)
    }
    fn service(&self, name: &str, protocol: Protocol) -> Option<u16> {
        services_lookup(SERVICES, name, protocol)
    }
}

fn split(line: &str) -> Vec<String> {
    line.split_whitespace().map(str::to_string).collect()
}

fn parse(line: &str) -> Result<Command, ArgError> {
    parse_args_as("ipvsadm", &split(line), &TestNames)
}

fn parse_v(args: &[&str]) -> Result<Command, ArgError> {
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    parse_args_as("ipvsadm", &args, &TestNames)
}

fn ok(line: &str) -> Command {
    match parse(line) {
        Ok(c) => c,
        Err(e) => panic!("{line:?}: {e:?}"),
    }
}

/// The error for `line`: (stderr, status).
fn err(line: &str) -> (String, i32) {
    match parse(line) {
        Ok(c) => panic!("{line:?} parsed: {c:?}"),
        Err(e) => (e.stderr, e.status),
    }
}

/// Assert the error of `line` is `msg` + newline with status 2.
#[track_caller]
fn fails(line: &str, msg: &str) {
    assert_eq!(err(line), (format!("{msg}\n"), 2), "{line}");
}

#[track_caller]
fn fails_v(args: &[&str], msg: &str) {
    let e = parse_v(args).unwrap_err();
    assert_eq!((e.stderr, e.status), (format!("{msg}\n"), 2), "{args:?}");
}

/// Assert the option library's error `msg` (status 255, not fatal in -R).
#[track_caller]
fn popt_fails(line: &str, msg: &str) {
    let e = parse(line).unwrap_err();
    assert_eq!((e.stderr.as_str(), e.status, e.fatal), (format!("{msg}\n").as_str(), 255, false), "{line}");
}

const TRY: &str = "Try `ipvsadm -h' or 'ipvsadm --help' for more information.\n";

#[track_caller]
fn tries(line: &str) {
    let e = parse(line).unwrap_err();
    assert_eq!((e.stderr.as_str(), e.status, e.fatal), (TRY, 255, true), "{line}");
}

fn v4(s: &str) -> IpAddr {
    IpAddr::V4(s.parse().unwrap())
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn tcp(addr: &str, port: u16) -> ServiceKey {
    ServiceKey::Addr { protocol: Protocol::Tcp, addr: ip(addr), port }
}

fn service(cmd: Command) -> Service {
    match cmd {
        Command::AddService(s) | Command::EditService(s) => s,
        other => panic!("not a service command: {other:?}"),
    }
}

fn dest(cmd: Command) -> (ServiceKey, Dest) {
    match cmd {
        Command::AddDest(k, d) | Command::EditDest(k, d) | Command::DeleteDest(k, d) => (k, d),
        other => panic!("not a real-server command: {other:?}"),
    }
}

fn listing(cmd: Command) -> Listing {
    match cmd {
        Command::List(l) | Command::Save(l) => l,
        other => panic!("not a listing: {other:?}"),
    }
}

// ---------------------------------------------------------------- commands

#[test]
fn no_arguments_lists() {
    assert_eq!(parse_v(&[]), Ok(Command::List(Listing::default())));
}

#[test]
fn every_command_short_and_long() {
    assert!(matches!(ok("-A -t 192.0.2.1:80"), Command::AddService(_)));
    assert!(matches!(ok("--add-service -t 192.0.2.1:80"), Command::AddService(_)));
    assert!(matches!(ok("-E -t 192.0.2.1:80"), Command::EditService(_)));
    assert!(matches!(ok("--edit-service -t 192.0.2.1:80"), Command::EditService(_)));
    assert_eq!(ok("-D -t 192.0.2.1:80"), Command::DeleteService(tcp("192.0.2.1", 80)));
    assert_eq!(ok("--delete-service -t 192.0.2.1:80"), Command::DeleteService(tcp("192.0.2.1", 80)));
    assert_eq!(ok("-C"), Command::Flush);
    assert_eq!(ok("--clear"), Command::Flush);
    assert_eq!(ok("-L"), Command::List(Listing::default()));
    assert_eq!(ok("-l"), Command::List(Listing::default()));
    assert_eq!(ok("--list"), Command::List(Listing::default()));
    assert!(matches!(ok("-a -t 192.0.2.1:80 -r 198.51.100.2"), Command::AddDest(..)));
    assert!(matches!(ok("--add-server -t 192.0.2.1:80 -r 198.51.100.2"), Command::AddDest(..)));
    assert!(matches!(ok("-e -t 192.0.2.1:80 -r 198.51.100.2"), Command::EditDest(..)));
    assert!(matches!(ok("--edit-server -t 192.0.2.1:80 -r 198.51.100.2"), Command::EditDest(..)));
    assert!(matches!(ok("-d -t 192.0.2.1:80 -r 198.51.100.2"), Command::DeleteDest(..)));
    assert!(matches!(ok("--delete-server -t 192.0.2.1:80 -r 198.51.100.2"), Command::DeleteDest(..)));
    assert_eq!(ok("-Z"), Command::Zero(None));
    assert_eq!(ok("--zero"), Command::Zero(None));
    assert_eq!(ok("-Z -t 192.0.2.1:80"), Command::Zero(Some(tcp("192.0.2.1", 80))));
    assert_eq!(ok("-S"), Command::Save(Listing::default()));
    assert_eq!(ok("--save"), Command::Save(Listing::default()));
    assert_eq!(ok("-R"), Command::Restore);
    assert_eq!(ok("--restore"), Command::Restore);
    assert_eq!(ok("-h"), Command::Help);
    assert_eq!(ok("--help"), Command::Help);
    assert_eq!(ok("-v"), Command::Version);
    assert_eq!(ok("--version"), Command::Version);
    assert_eq!(ok("--set 1 2 3"), Command::SetTimeouts(Timeouts { tcp: 1, tcp_fin: 2, udp: 3 }));
    assert!(matches!(ok("--start-daemon master"), Command::StartDaemon(_)));
    assert_eq!(ok("--stop-daemon backup"), Command::StopDaemon(DaemonRole::Backup));
}

#[test]
fn help_and_version_act_at_once() {
    assert_eq!(ok("-h -n"), Command::Help);
    assert_eq!(ok("-h foo"), Command::Help);
    assert_eq!(ok("-hL"), Command::Help);
    assert_eq!(ok("-h -Q"), Command::Help);
    assert_eq!(ok("-v -n"), Command::Version);
    assert_eq!(ok("-vL"), Command::Version);
    assert_eq!(ok("-v foo"), Command::Version);
    tries("-h=1");
    tries("-v=1");
    tries("--help=1");
}

#[test]
fn first_option_must_be_a_command() {
    for line in [
        "--bogus", "-X", "-n -L", "-t 192.0.2.1:80 -A", "-nL", "-XL", "--lis", "-- -L", "-", "--", "foo",
        "-V", "--vers", "-s rr -A", "-L=1", "--list=1", "---L", "--set=1 2 3", "--start-daemon",
        "--stop-daemon", "-n --set 1 2 3",
    ] {
        tries(line);
    }
    tries("-Q");
    assert_eq!(parse_v(&[""]).unwrap_err().stderr, TRY);
}

#[test]
fn try_names_the_program() {
    let e = parse_args_as("/sbin/ipvsadm", &split("--bogus"), &TestNames).unwrap_err();
    assert_eq!(e.stderr, "Try `/sbin/ipvsadm -h' or '/sbin/ipvsadm --help' for more information.\n");
}

#[test]
fn a_second_command_is_an_invalid_option() {
    fails("-AE -t 192.0.2.1:80", "invalid option `-AE'");
    fails("-A -E -t 192.0.2.1:80", "invalid option `-E'");
    fails("-A -A -t 192.0.2.1:80", "invalid option `-A'");
    fails("-L -L", "invalid option `-L'");
    fails("-L -l", "invalid option `-l'");
    fails("-Ll", "invalid option `-Ll'");
    fails("-Z -L", "invalid option `-L'");
    fails("-LZ", "invalid option `-LZ'");
    fails("-ZL", "invalid option `-ZL'");
    fails("-ALX -t 192.0.2.1:80", "invalid option `-ALX'");
    fails("-L -h", "invalid option `-h'");
    fails("-L -v", "invalid option `-v'");
    fails("-C -R", "invalid option `-R'");
    fails("-R -S", "invalid option `-S'");
    fails("-A -t 192.0.2.1:80 --set 1 2 3", "invalid option `--set'");
    fails("-A -t 192.0.2.1:80 -s rr --list", "invalid option `--list'");
    fails("-Lt 192.0.2.1:80 -Z", "invalid option `-Z'");
    // the option's value word, when it took the next word
    fails("-A -t 192.0.2.1:80 --start-daemon master", "invalid option `master'");
    fails("--start-daemon master --start-daemon backup", "invalid option `backup'");
    fails("-C --stop-daemon backup", "invalid option `backup'");
    fails("-A -t 192.0.2.1:80 --start-daemon=master", "invalid option `--start-daemon=master'");
}

// ------------------------------------------------------- option library

#[test]
fn option_library_errors() {
    popt_fails("-A -t", "-t: missing argument");
    popt_fails("-A -t 192.0.2.1:80 -s", "-s: missing argument");
    popt_fails("-A -t 192.0.2.1:80 --scheduler", "--scheduler: missing argument");
    popt_fails("-L --start-daemon", "--start-daemon: missing argument");
    popt_fails("-L -b", "-b: missing argument");
    popt_fails("-Lx", "-Lx: missing argument");
    popt_fails("-A -t 192.0.2.1:80 -Q", "-Q: unknown option");
    popt_fails("-L -j", "-j: unknown option");
    popt_fails("-LQc", "-LQc: unknown option");
    popt_fails("-A -t 192.0.2.1:80 --sched", "--sched: unknown option");
    popt_fails("-A -t 192.0.2.1:80 --schedu=rr", "--schedu=rr: unknown option");
    popt_fails("-L --daemonx", "--daemonx: unknown option");
    popt_fails("-L ---n", "---n: unknown option");
    popt_fails("-L -n-", "-n-: unknown option");
    popt_fails("-L ---", "---: unknown option");
    popt_fails("-L --flush", "--flush: unknown option");
    popt_fails("-A -t 192.0.2.1:80 -p -1", "-1: unknown option");
    popt_fails("--set 1 -2 3", "-2: unknown option");
    popt_fails("-L --numeric=1", "--numeric=1: option does not take an argument");
    popt_fails("-L -n=1", "-n=1: option does not take an argument");
    popt_fails("-Ln=1", "-Ln=1: option does not take an argument");
    popt_fails("-L --timeout=5", "--timeout=5: option does not take an argument");
}

#[test]
fn errors_come_in_argument_order() {
    popt_fails("-A -w 3 -Q", "-Q: unknown option");
    popt_fails("-A -Q -w abc", "-Q: unknown option");
    fails("-A -w abc -Q", "illegal weight specified");
    popt_fails("-A -b foo -Q", "-Q: unknown option");
    fails("-A -M abc -Q", "illegal virtual server persistent mask specified");
    fails("-A -t 192.0.2.1:80 -p 0 -Q", "invalid timeout value `0' specified");
    fails("-A -f 0 -Q", "invalid fwmark value `0' specified");
    fails("--start-daemon foo -Q", "illegal start-daemon parameter specified");
    fails("--stop-daemon foo -Q", "illegal start_daemon specified");
    fails("--start-daemon master --syncid 999 -Q", "illegal syncid specified");
    popt_fails("--set 1 2 3 -Q", "-Q: unknown option");
    popt_fails("--set x 2 3 -Q", "-Q: unknown option");
}

#[test]
fn grouped_short_options_and_values() {
    let s = service(ok("-A -t192.0.2.1:80 -srr"));
    assert_eq!(s.scheduler, "rr");
    let s = service(ok("-At 192.0.2.1:80 -s=wrr"));
    assert_eq!(s.scheduler, "wrr");
    let s = service(ok("-Asrr -t 192.0.2.1:80"));
    assert_eq!(s.scheduler, "rr");
    assert_eq!(service(ok("-A -t 192.0.2.1:80 -srr=x")).scheduler, "rr=x");
    assert_eq!(service(ok("-A -t 192.0.2.1:80 -s -rr")).scheduler, "-rr");
    assert_eq!(service(ok("-A -t 192.0.2.1:80 -s --")).scheduler, "--");
    assert_eq!(service(ok("-A -t 192.0.2.1:80 --scheduler -rr")).scheduler, "-rr");
    assert_eq!(service(ok("-A --tcp-service=192.0.2.1:80 --scheduler=rr")).scheduler, "rr");
    let (_, d) = dest(ok("-a -t 192.0.2.1:80 -r 198.51.100.2:8080 -mw7"));
    assert_eq!((d.forward, d.weight, d.port), (Forward::Masq, 7, 8080));
    let l = listing(ok("-Lnt 192.0.2.1:80"));
    assert_eq!(l.service, Some(tcp("192.0.2.1", 80)));
    assert!(l.format.numeric);
    assert_eq!(listing(ok("-LXc")).what, ListWhat::Connections);
    assert!(listing(ok("-LcX")).format.exact);
    assert_eq!(ok("-Zt 192.0.2.1:80"), Command::Zero(Some(tcp("192.0.2.1", 80))));
    fails("-Atcp", "illegal virtual server address[:port] specified");
    fails("-Ats", "illegal virtual server address[:port] specified");
    fails("-L -tZ", "illegal virtual server address[:port] specified");
    fails("-A -t 192.0.2.1:80 -s rr -sE", "multiple 'scheduler' options specified");
}

#[test]
fn leftover_words() {
    fails("-A -t 192.0.2.1:80 foo", "unexpected argument foo");
    fails("-A -t 192.0.2.1:80 -- foo", "unexpected argument foo");
    fails("-A -t 192.0.2.1:80 -p 10 20", "unexpected argument 20");
    fails("-L -n extra", "unexpected argument extra");
    fails("foo -L", "unexpected argument foo");
    fails("-C foo", "unexpected argument foo");
    fails("-A -t 192.0.2.1:80 -w 3 foo bar", "unexpected argument foo");
    fails("-A -w 3 foo", "unexpected argument foo");
    fails("-L -- -n", "unexpected argument -n");
    fails("-L -- --", "unexpected argument --");
    fails("-A -t 192.0.2.1:80 -- -p 5", "unexpected argument -p");
    fails("-A -t 192.0.2.1:80 -sp rr", "unexpected argument rr");
    fails("-A -t 192.0.2.1:80 -p -", "unexpected argument -");
    fails("-R extra", "unexpected argument extra");
    fails("-A -t 192.0.2.1:80 -b foo bar", "unexpected argument bar");
    fails("-A -t 192.0.2.1:80 ipvsadm", "unexpected argument ipvsadm");
    fails_v(&["-L", ""], "unexpected argument ");
    assert_eq!(ok("-L --"), Command::List(Listing::default()));
    assert_eq!(ok("-C --"), Command::Flush);
}

#[test]
fn repeated_options() {
    for (line, name) in [
        ("-A -t 192.0.2.1:80 -t 192.0.2.2:80", "service-address"),
        ("-A -t 192.0.2.1:80 -u 192.0.2.2:80", "service-address"),
        ("-A -t 192.0.2.1:80 -t bad", "service-address"),
        ("-A -f 1 -f 0", "service-address"),
        ("-A -f 1 -t 1.2.3.4:5", "service-address"),
        ("-A -t 192.0.2.1:80 -s rr -s wrr", "scheduler"),
        ("-A -t 192.0.2.1:80 -p 5 -p 0", "persistent"),
        ("-A -t 192.0.2.1:80 -M 1.2.3.4 -M bad", "netmask"),
        ("-a -t 192.0.2.1:80 -r 198.51.100.2 -r bad", "real-server"),
        ("-a -t 192.0.2.1:80 -r 198.51.100.2 -m -g", "forwarding-method"),
        ("-a -t 192.0.2.1:80 -r 198.51.100.2 -m -m", "forwarding-method"),
        ("-a -t 192.0.2.1:80 -r 198.51.100.2 -w 1 -w x", "weight"),
        ("-a -t 192.0.2.1:80 -r 198.51.100.2 -x 1 -x 2", "u-threshold"),
        ("-a -t 192.0.2.1:80 -r 198.51.100.2 -y 1 -y 2", "l-threshold"),
        ("-a -t 192.0.2.1:80 -r 198.51.100.2 -i --tun-type gue --tun-type bad", "tun-type"),
        ("-a -t 192.0.2.1:80 -r 198.51.100.2 --tun-port 5 --tun-port 0", "tun-port"),
        ("-a -t 192.0.2.1:80 -r 198.51.100.2 --tun-csum --tun-csum", "tun-csum"),
        ("-a -t 192.0.2.1:80 -r 198.51.100.2 --tun-nocsum --tun-nocsum", "tun-nocsum"),
        ("-a -t 192.0.2.1:80 -r 198.51.100.2 --tun-remcsum --tun-remcsum", "tun-remcsum"),
        ("--start-daemon master --syncid 1 --syncid 999", "syncid"),
        ("--start-daemon master --mcast-interface lo --mcast-interface lo", "mcast-interface"),
        ("--start-daemon master --mcast-group 224.0.0.1 --mcast-group bad", "mcast-group"),
        ("--start-daemon master --mcast-port 1 --mcast-port 2", "mcast-port"),
        ("--start-daemon master --mcast-ttl 1 --mcast-ttl 2", "mcast-ttl"),
        ("--start-daemon master --sync-maxlen 1 --sync-maxlen 2", "sync-maxlen"),
        ("-A -t 192.0.2.1:80 -o -o", "ops"),
        ("-A -t 192.0.2.1:80 --pe sip --pe sip", "pe"),
        ("-A -t 192.0.2.1:80 -b flag-1 -b bad", "sched-flags"),
        ("-L -c -c", "connection"),
        ("-L --timeout --timeout", "timeout"),
        ("-L --daemon --daemon", "daemon"),
        ("-L -n -n", "numeric"),
        ("-L -nn", "numeric"),
        ("-Ln -n", "numeric"),
        ("-S -n -n", "numeric"),
        ("-L --stats --stats", "stats"),
        ("-L --rate --rate", "rate"),
        ("-L --thresholds --thresholds", "thresholds"),
        ("-L --persistent-conn --persistent-conn", "persistent-conn"),
        ("-L --exact -X", "exact"),
        ("-L --sort --nosort --nosort", "nosort"),
        ("-L --tun-info --tun-info", "tun-info"),
    ] {
        fails(line, &format!("multiple '{name}' options specified"));
    }
    fails_v(&["-A", "-t", "192.0.2.1:80", "--pe", "sip", "--pe", ""], "multiple 'pe' options specified");
    // -6 and --sort are not counted
    assert!(parse("-A -f 1 -6 -6").is_ok());
    assert!(parse("-L --sort --sort").is_ok());
}

// ------------------------------------------------ commands and options

#[test]
fn options_illegal_for_commands() {
    let cases = [
        ("-A -t 1.2.3.4:80 -w 3", "weight", "add-service"),
        ("-A -t 192.0.2.1:80 -p -w 3", "weight", "add-service"),
        ("-A -t 192.0.2.1:80 -n", "numeric", "add-service"),
        ("-A -n", "numeric", "add-service"),
        ("-E -t 192.0.2.1:80 -r 198.51.100.2", "real-server", "edit-service"),
        ("-D -t 192.0.2.1:80 -s rr", "scheduler", "delete-service"),
        ("-C -n", "numeric", "flush"),
        ("-C -t 192.0.2.1:80", "service-address", "flush"),
        ("-C --pe sip -o", "ops", "flush"),
        ("-C --exact --syncid 1", "syncid", "flush"),
        ("-C --timeout --mcast-interface x", "mcast-interface", "flush"),
        ("-C -b flag-1 --pe sip", "pe", "flush"),
        ("-C --sync-maxlen 5 --tun-info --mcast-ttl 4", "mcast-ttl", "flush"),
        ("-C --nosort --persistent-conn", "persistent-conn", "flush"),
        ("-C --tun-remcsum --tun-csum", "tun-csum", "flush"),
        ("-L -g", "forwarding-method", "list"),
        ("-L -p", "persistent", "list"),
        ("-L -o", "ops", "list"),
        ("-L --tun-csum", "tun-csum", "list"),
        ("-L -c --timeout -w 1", "weight", "list"),
        ("-L -c --stats -w 1", "weight", "list"),
        ("-a -t 192.0.2.1:80 -p 5", "persistent", "add-server"),
        ("-a -t 192.0.2.1:80 -r 198.51.100.3 -m --tun-type gue -s rr", "scheduler", "add-server"),
        ("-d -t 192.0.2.1:80 -r 198.51.100.3:99 -m", "forwarding-method", "delete-server"),
        ("-d -t 192.0.2.1:80 -r 198.51.100.3 -w 1", "weight", "delete-server"),
        ("-e -t 192.0.2.1:80 -r 198.51.100.3 -n", "numeric", "edit-server"),
        ("--set 1 2 3 -n", "numeric", "set"),
        ("--set 1 -n 2 3", "numeric", "set"),
        ("--start-daemon master -n", "numeric", "start-daemon"),
        ("--stop-daemon master --mcast-group 224.0.0.1", "mcast-group", "stop-daemon"),
        ("-R -n", "numeric", "restore"),
        ("-R -t 192.0.2.5:80", "service-address", "restore"),
        ("-S -t 192.0.2.1:80", "service-address", "save"),
        ("-S --exact", "exact", "save"),
        ("-Z -t 192.0.2.1:80 -n", "numeric", "zero"),
    ];
    for (line, opt, cmd) in cases {
        fails(line, &format!("Illegal '{opt}' option with the '{cmd}' command"));
    }
}

#[test]
fn options_needed_by_commands() {
    let cases = [
        ("-A", "service-address", "add-service"),
        ("-A -w 3", "service-address", "add-service"),
        ("-A -s rr -w 3 -x 4", "service-address", "add-service"),
        ("-E", "service-address", "edit-service"),
        ("-D", "service-address", "delete-service"),
        ("-a -r 198.51.100.2", "service-address", "add-server"),
        ("-a -r 198.51.100.3 -m --tun-csum", "service-address", "add-server"),
        ("-a -t 192.0.2.1:80", "real-server", "add-server"),
        ("-e -t 192.0.2.1:80", "real-server", "edit-server"),
        ("-d -t 192.0.2.1:80", "real-server", "delete-server"),
    ];
    for (line, opt, cmd) in cases {
        fails(line, &format!("You need to supply the '{opt}' option for the '{cmd}' command"));
    }
}

#[test]
fn list_takes_one_of_connections_service_timeout_daemon() {
    let c = |a: &str, b: &str| format!("The option '{a}' conflicts with the '{b}' option in the 'list' command");
    fails("-L -c --timeout", &c("timeout", "connection"));
    fails("-L -c -t 192.0.2.1:80", &c("service-address", "connection"));
    fails("-L -c -t 192.0.2.1:80 -w 1", &c("service-address", "connection"));
    fails("-L --timeout --daemon", &c("daemon", "timeout"));
    fails("-L -t 192.0.2.1:80 --daemon", &c("daemon", "service-address"));
    fails("-L --daemon --timeout -c", &c("timeout", "connection"));
    fails("-L -c --stats --timeout", &c("timeout", "connection"));
}

#[test]
fn list_format_conflicts() {
    for line in [
        "-L -c --stats",
        "-L -c --rate",
        "-L -c --thresholds",
        "-L --timeout --stats",
        "-L --timeout --rate",
        "-L --timeout --thresholds",
        "-L --timeout --persistent-conn",
        "-L --daemon -n --stats",
        "-L --daemon --rate",
        "-L --daemon --thresholds",
        "-L --daemon --persistent-conn",
    ] {
        fails(line, "options conflicts in the list command");
    }
    for line in [
        "-L -c -n",
        "-L -c --persistent-conn",
        "-L -c --nosort",
        "-L -c --exact",
        "-L -c --tun-info",
        "-L --timeout --nosort --exact --tun-info -n",
        "-L --daemon --nosort --exact --tun-info -n --syncid 1",
        "-L -t 192.0.2.1:80 -n --stats --rate --thresholds --persistent-conn --tun-info",
    ] {
        assert!(parse(line).is_ok(), "{line}");
    }
}

// ------------------------------------------------------------- listing

#[test]
fn listing_options() {
    let l = listing(ok("-L -n --exact --stats --rate --thresholds --persistent-conn --tun-info --nosort"));
    assert_eq!(
        l.format,
        Format {
            numeric: true,
            exact: true,
            stats: true,
            rate: true,
            thresholds: true,
            persistent_conn: true,
            tun_info: true,
            nosort: true,
            json: false
        }
    );
    assert_eq!(l.what, ListWhat::Services);
    assert!(listing(ok("-L --numeric")).format.numeric);
    assert!(listing(ok("-L -X")).format.exact);
    assert_eq!(listing(ok("-L -c")).what, ListWhat::Connections);
    assert_eq!(listing(ok("-L --connection")).what, ListWhat::Connections);
    assert_eq!(listing(ok("-L --timeout")).what, ListWhat::Timeouts);
    assert_eq!(listing(ok("-L --daemon")).what, ListWhat::Daemons);
    // --sort does nothing: it does not undo --nosort
    assert!(listing(ok("-L --nosort --sort")).format.nosort);
    assert!(!listing(ok("-L --sort")).format.nosort);
    // --syncid is accepted (and ignored) by -L
    assert_eq!(listing(ok("-L --syncid 3")), Listing::default());
    let l = listing(ok("-L -n -u 192.0.2.1:53"));
    assert_eq!(l.service, Some(ServiceKey::Addr { protocol: Protocol::Udp, addr: v4("192.0.2.1"), port: 53 }));
    let l = listing(ok("-L -n -f 1 -6"));
    assert_eq!(l.service, Some(ServiceKey::Fwmark { family: Family::Inet6, mark: 1 }));
    assert_eq!(listing(ok("-L -t 192.0.2.1")).service, Some(tcp("192.0.2.1", 0)));
    let s = listing(ok("-S -n"));
    assert!(s.format.numeric);
    assert_eq!(ok("-S"), Command::Save(Listing::default()));
}

// ------------------------------------------------------------- services

#[test]
fn add_service_defaults() {
    let s = service(ok("-A -t 192.0.2.1:80"));
    assert_eq!(s.key, tcp("192.0.2.1", 80));
    assert_eq!(s.scheduler, "wlc");
    assert_eq!(s.flags, ServiceFlags(0));
    assert_eq!(s.timeout, 0);
    assert_eq!(s.netmask, 0xffff_ffff);
    assert_eq!(s.pe_name, None);
    let s = service(ok("-A -t [2001:db8::1]:80"));
    assert_eq!(s.netmask, 128);
    assert_eq!(s.key, tcp("2001:db8::1", 80));
}

#[test]
fn edit_service_sends_defaults_for_what_is_missing() {
    // -E without -s, -p, -M, -b, --pe, -o resets them (observed: after
    // -A ... -s rr -p 600 -M 255.255.255.0 -b flag-1, -E leaves "-s wlc").
    let e = service(ok("-E -t 192.0.2.1:80"));
    let a = service(ok("-A -t 192.0.2.1:80"));
    assert_eq!(e, a);
    let e = service(ok("-E -t 192.0.2.1:80 -p"));
    assert_eq!((e.flags.0, e.timeout), (ServiceFlags::PERSISTENT, 360));
}

#[test]
fn service_options() {
    let s = service(ok("-A -u 192.0.2.1:53 -s rr -p 600 -M 255.255.255.0 --pe sip -o -b flag-2"));
    assert_eq!(s.key, ServiceKey::Addr { protocol: Protocol::Udp, addr: v4("192.0.2.1"), port: 53 });
    assert_eq!(s.scheduler, "rr");
    assert_eq!(s.flags.0, ServiceFlags::PERSISTENT | ServiceFlags::ONEPACKET | ServiceFlags::SCHED2);
    assert_eq!(s.timeout, 600);
    assert_eq!(s.netmask, 0xffff_ff00);
    assert_eq!(s.pe_name.as_deref(), Some("sip"));
    let s = service(ok(
        "--add-service --udp-service 192.0.2.1:53 --scheduler rr --persistent 600 --netmask 255.255.0.0 --ops --sched-flags flag-1",
    ));
    assert_eq!(s.flags.0, ServiceFlags::PERSISTENT | ServiceFlags::ONEPACKET | ServiceFlags::SCHED1);
    assert_eq!(s.netmask, 0xffff_0000);
    let s = service(ok("-A --sctp-service 192.0.2.1:80"));
    assert_eq!(s.key, ServiceKey::Addr { protocol: Protocol::Sctp, addr: v4("192.0.2.1"), port: 80 });
    // an empty scheduler or persistence engine is the default
    assert_eq!(service(parse_v(&["-A", "-t", "192.0.2.1:80", "-s", ""]).unwrap()).scheduler, "wlc");
    assert_eq!(service(ok("-A -t 192.0.2.1:80 --scheduler=")).scheduler, "wlc");
    assert_eq!(service(parse_v(&["-A", "-t", "192.0.2.1:80", "--pe", ""]).unwrap()).pe_name, None);
    // without -p the netmask is still sent
    assert_eq!(service(ok("-A -t 192.0.2.1:80 -M 255.255.0.0")).netmask, 0xffff_0000);
}

#[test]
fn persistence() {
    let p = |line: &str| {
        let s = service(ok(line));
        assert!(s.flags.has(ServiceFlags::PERSISTENT), "{line}");
        s.timeout
    };
    assert_eq!(p("-A -t 192.0.2.1:80 -p"), 360);
    assert_eq!(p("-A -t 192.0.2.1:80 --persistent"), 360);
    assert_eq!(p("-A -t 192.0.2.1:80 -p -s rr"), 360);
    assert_eq!(p("-A -t 192.0.2.1:80 -p --"), 360);
    assert_eq!(p("-A -t 192.0.2.1:80 -p 1"), 1);
    assert_eq!(p("-A -t 192.0.2.1:80 -p 2678400"), 2_678_400);
    assert_eq!(p("-A -t 192.0.2.1:80 -p 010"), 10);
    assert_eq!(p("-A -t 192.0.2.1:80 -p10"), 10);
    assert_eq!(p("-A -t 192.0.2.1:80 -p=5"), 5);
    assert_eq!(p("-A -t 192.0.2.1:80 --persistent 20"), 20);
    assert_eq!(p("-A -t 192.0.2.1:80 --persistent=20"), 20);
    assert_eq!(service(parse_v(&["-A", "-t", "192.0.2.1:80", "-p", " 5"]).unwrap()).timeout, 5);
    for v in ["0", "2678401", "4294967295", "abc", "0x10", "rr"] {
        fails(&format!("-A -t 192.0.2.1:80 -p {v}"), &format!("invalid timeout value `{v}' specified"));
    }
    fails_v(&["-A", "-t", "192.0.2.1:80", "-p", ""], "invalid timeout value `' specified");
    fails("-A -t 192.0.2.1:80 --persistent=", "invalid timeout value `' specified");
    fails("-A -t 192.0.2.1:80 -ps rr", "invalid timeout value `s' specified");
    fails("-A -t 192.0.2.1:80 -p -- 5", "unexpected argument 5");
    // persistence allows port 0
    assert_eq!(service(ok("-A -t 192.0.2.1 -p")).key, tcp("192.0.2.1", 0));
}

#[test]
fn zero_port_and_one_packet() {
    fails("-A -t 192.0.2.1 -s rr", "Zero port specified for non-persistent service");
    fails("-A -t 192.0.2.1:0 -s rr", "Zero port specified for non-persistent service");
    fails("-E -t 192.0.2.1", "Zero port specified for non-persistent service");
    fails("-A -t 192.0.2.1 -s rr -o", "Zero port specified for non-persistent service");
    fails("-A -u 192.0.2.1 -s rr -o", "Zero port specified for non-persistent service");
    fails("-A -t 192.0.2.1 -s rr -w 1", "Illegal 'weight' option with the 'add-service' command");
    fails("-A -t 192.0.2.1:80 -s rr -o", "One-Packet Scheduling is only for UDP virtual services");
    fails("-A --sctp-service 192.0.2.1:80 -o", "One-Packet Scheduling is only for UDP virtual services");
    assert_eq!(service(ok("-A -u 192.0.2.1:80 -o")).flags.0, ServiceFlags::ONEPACKET);
    assert_eq!(service(ok("-A -f 1 -o")).flags.0, ServiceFlags::ONEPACKET);
    assert!(parse("-A -f 1").is_ok());
    // not checked for the other commands
    assert_eq!(ok("-D -t 192.0.2.1"), Command::DeleteService(tcp("192.0.2.1", 0)));
    assert_eq!(ok("-Z -t 192.0.2.1"), Command::Zero(Some(tcp("192.0.2.1", 0))));
}

#[test]
fn scheduler_flags() {
    let flags = |line: &str| service(ok(line)).flags.0;
    assert_eq!(flags("-A -t 192.0.2.1:80 -b flag-1"), ServiceFlags::SCHED1);
    assert_eq!(flags("-A -t 192.0.2.1:80 -s rr -b flag-1,flag-2,flag-3"), 0x38);
    assert_eq!(flags("-A -t 192.0.2.1:80 -b sh-port -s sh"), ServiceFlags::SCHED2);
    assert_eq!(flags("-A -t 192.0.2.1:80 -s sh -b sh-port,sh-fallback"), 0x18);
    assert_eq!(flags("-A -t 192.0.2.1:80 -s mh -b mh-port,mh-fallback"), 0x18);
    assert_eq!(flags("-A -t 192.0.2.1:80 -s mh -b mh-fallback"), ServiceFlags::SCHED1);
    assert_eq!(flags("-A -t 192.0.2.1:80 -s rr -b flag-1,,flag-2"), 0x18);
    assert_eq!(flags("-A -t 192.0.2.1:80 -s sh -b sh-port,"), ServiceFlags::SCHED2);
    assert_eq!(service(parse_v(&["-A", "-t", "192.0.2.1:80", "-b", ""]).unwrap()).flags.0, 0);
    fails("-A -t 192.0.2.1:80 -s sh -b sh-port,mh-port", "incompatible scheduler flag `mh-port'");
    fails("-A -t 192.0.2.1:80 -b sh-port", "incompatible scheduler flag `sh-port'");
    fails("-E -t 192.0.2.1:80 -b sh-port", "incompatible scheduler flag `sh-port'");
    fails("-A -t 192.0.2.1:80 -s SH -b sh-port", "incompatible scheduler flag `sh-port'");
    fails("-A -t 192.0.2.1:80 -s rr -b sh-port,foo", "incompatible scheduler flag `sh-port'");
    fails_v(&["-A", "-t", "192.0.2.1:80", "-s", "", "-b", "sh-port"], "incompatible scheduler flag `sh-port'");
    fails("-A -t 192.0.2.1:80 -s rr -b foo", "invalid scheduler flag `foo'");
    fails("-A -t 192.0.2.1:80 -s rr -b foo,sh-port", "invalid scheduler flag `foo'");
    fails("-A -t 192.0.2.1:80 -s sh -b SH-PORT", "invalid scheduler flag `SH-PORT'");
    fails_v(&["-A", "-t", "192.0.2.1:80", "-s", "sh", "-b", "sh-port sh-fallback"], "invalid scheduler flag `sh-port sh-fallback'");
    fails_v(&["-A", "-t", "192.0.2.1:80", "-b", ", "], "invalid scheduler flag ` '");
    // checked after leftovers, before the command's options
    fails("-A -t 192.0.2.1:80 -b foo -w 1", "invalid scheduler flag `foo'");
    fails("-A -b foo", "invalid scheduler flag `foo'");
    fails("-A -t 192.0.2.1:80 -b sh-port -w 1", "incompatible scheduler flag `sh-port'");
    fails("-A -t 192.0.2.1:80 -o -b foo", "invalid scheduler flag `foo'");
    // commas alone crash ipvsadm 1.31 (SIGSEGV); we report them instead
    // (README, "Differences from ipvsadm")
    for v in [",", ",,"] {
        let e = parse_v(&["-A", "-t", "192.0.2.1:80", "-s", "rr", "-b", v]).unwrap_err();
        assert_eq!((e.stderr, e.status), (format!("invalid scheduler flag `{v}'\n"), 2));
    }
    fails_v(&["-C", "-b", ","], "invalid scheduler flag `,'");
    fails_v(&["-A", "-t", "192.0.2.1:80", "-b", ",", "foo"], "unexpected argument foo");
}

#[test]
fn fwmark_services() {
    assert_eq!(service(ok("-A -f 1")).key, ServiceKey::Fwmark { family: Family::Inet, mark: 1 });
    assert_eq!(service(ok("--add-service --fwmark-service 7")).key, ServiceKey::Fwmark { family: Family::Inet, mark: 7 });
    assert_eq!(
        service(ok("-A -f 4294967295")).key,
        ServiceKey::Fwmark { family: Family::Inet, mark: u32::MAX }
    );
    assert_eq!(service(ok("-A -f 010")).key, ServiceKey::Fwmark { family: Family::Inet, mark: 10 });
    assert_eq!(service(ok("-A -f +9")).key, ServiceKey::Fwmark { family: Family::Inet, mark: 9 });
    for v in ["0", "4294967296", "-1", "0x10", "abc", "7x"] {
        fails(&format!("-A -f {v}"), &format!("invalid fwmark value `{v}' specified"));
    }
    fails_v(&["-A", "-f", ""], "invalid fwmark value `' specified");
    let s = service(ok("-A -f 1 -6"));
    assert_eq!(s.key, ServiceKey::Fwmark { family: Family::Inet6, mark: 1 });
    assert_eq!(s.netmask, 128);
    assert_eq!(service(ok("-A -f 1 --ipv6")).key.family(), Family::Inet6);
}

#[test]
fn ipv6_flag_needs_a_fwmark_first() {
    for line in ["-A -6 -f 1", "-A -6", "-L -6", "-A -t 192.0.2.1:80 -6", "-L --ipv6", "-L -6 -f 1"] {
        assert_eq!(err(line), ("-6 used before -f\n\n".to_string(), 2), "{line}");
    }
    assert_eq!(
        err("--start-daemon master --mcast-interface dummy0 --mcast-group 224.0.0.82 -6"),
        ("-6 used before -f\n\n".to_string(), 2)
    );
}

#[test]
fn netmasks() {
    let m = |line: &str| service(ok(line)).netmask;
    assert_eq!(m("-A -t 192.0.2.1:80 -p -M 255.255.0"), 0xffff_0000);
    assert_eq!(m("-A -t 192.0.2.1:80 -p -M 0.0.0.0"), 0);
    assert_eq!(m("-A -t 192.0.2.1:80 -p -M 255.0.255.0"), 0xff00_ff00);
    assert_eq!(m("-A -t 192.0.2.1:80 -p -M 24"), 24);
    assert_eq!(m("-A -t 192.0.2.1:80 -p -M 0xffffff00"), 0xffff_ff00);
    assert_eq!(m("-A -t 192.0.2.1:80 -p -M localhost"), 0x7f00_0001);
    assert_eq!(m("-A -M 255.255.255.0 -t 192.0.2.1:80 -p"), 0xffff_ff00);
    for v in ["ff.ff.ff.0", "abc", "/24"] {
        fails(&format!("-A -t 192.0.2.1:80 -p -M {v}"), "illegal virtual server persistent mask specified");
    }
    fails_v(&["-A", "-t", "192.0.2.1:80", "-M", ""], "illegal virtual server persistent mask specified");
    // IPv6: a prefix length 1..=128 read like atoi
    assert_eq!(m("-A -t [2001:db8::1]:80 -M 64 -p"), 64);
    assert_eq!(m("-A -f 1 -6 -p -M 64"), 64);
    assert_eq!(m("-A -t [2001:db8::1]:80 -M 064"), 64);
    assert_eq!(m("-A -t [2001:db8::1]:80 -M 64x"), 64);
    assert_eq!(m("-A -t [2001:db8::1]:80 -M +64"), 64);
    assert_eq!(m("-A -t [2001:db8::1]:80 -M 1"), 1);
    assert_eq!(m("-A -t [2001:db8::1]:80 -M 128"), 128);
    for v in ["129", "0", "0x40", "255.255.255.0", "abc", "-1"] {
        fails(&format!("-A -t [2001:db8::1]:80 -M {v}"), "illegal ipv6 netmask specified");
    }
    fails("-A -f 1 -6 -M 129", "illegal ipv6 netmask specified");
    fails("-A -t [2001:db8::1]:80 -M 129 -w 1", "illegal ipv6 netmask specified");
    fails("-A -t [2001:db8::1]:80 -M 129 x", "illegal ipv6 netmask specified");
    fails("-A -t [2001:db8::1]:80 -M abc -Q", "illegal ipv6 netmask specified");
    // -M read before the service is IPv4; an IPv6 service then resets it to 128
    fails("-A -M abc -t [2001:db8::1]:80", "illegal virtual server persistent mask specified");
    assert_eq!(m("-A -M 64 -f 1 -6 -p"), 128);
    assert_eq!(m("-A -f 1 -M 129 -6 -p"), 128);
    assert_eq!(m("-A -f 1 -M 255.255.255.0 -6 -p"), 128);
    assert_eq!(m("-A -M 255.255.255.0 -t [2001:db8::1]:80 -p"), 128);
    // and so does every later -6
    assert_eq!(m("-A -f 1 -6 -M 64 -6 -p"), 128);
    assert_eq!(m("-A -f 1 -6 -M 64 -p -6"), 128);
}

#[test]
fn service_addresses() {
    let key = |line: &str| service(ok(line)).key;
    assert_eq!(key("-A -t 192.0.2.1:080"), tcp("192.0.2.1", 80));
    assert_eq!(key("-A -t 192.0.2.1:65535"), tcp("192.0.2.1", 65535));
    assert_eq!(key("-A -t 192.0.2:80 -p 5"), tcp("192.0.0.2", 80));
    assert_eq!(key("-A -t 10:80"), tcp("0.0.0.10", 80));
    assert_eq!(key("-A -t localhost:80"), tcp("127.0.0.1", 80));
    assert_eq!(key("-A -t 192.0.2.1:http"), tcp("192.0.2.1", 80));
    assert_eq!(key("-A -t 192.0.2.1:syslog"), tcp("192.0.2.1", 514));
    assert_eq!(
        key("-A -u 192.0.2.1:syslog"),
        ServiceKey::Addr { protocol: Protocol::Udp, addr: v4("192.0.2.1"), port: 514 }
    );
    assert_eq!(
        key("-A --sctp-service 192.0.2.1:amqp"),
        ServiceKey::Addr { protocol: Protocol::Sctp, addr: v4("192.0.2.1"), port: 5672 }
    );
    assert_eq!(key("-A -t [2001:db8::1]:80"), tcp("2001:db8::1", 80));
    assert_eq!(key("-A -t 2001:db8::1 -p"), tcp("2001:db8::1", 0));
    assert_eq!(key("-A -t 2001:db8::1:80 -p"), tcp("2001:db8::1:80", 0));
    assert_eq!(key("-A -t [::ffff:192.0.2.1]:80"), tcp("::ffff:192.0.2.1", 80));
    assert_eq!(key("-A -t [192.0.2.1]:80 -p"), tcp("192.0.2.1", 0));
    fails("-A -t [192.0.2.1]:80", "Zero port specified for non-persistent service");
    for a in [
        "192.0.2.1:65536", "192.0.2.1:-1", "192.0.2.1:0x50", "192.0.2.1:80x", "192.0.2.1:", ":80",
        "192.0.2.1.5", "1.2.3.256", "10", "3232235777", "192.0.2.1:80:90", "[2001:db8::1]",
        "[2001:db8::1]:", "[2001:db8::1", "2001:db8::1]:80", "[fe80::1%eth0]:80", "192.0.2.1:bootps",
        "192.0.2.1:nonexistent", "nonexist:80", "1e",
    ] {
        fails(&format!("-A -t {a} -p"), "illegal virtual server address[:port] specified");
    }
    fails("-A -u 192.0.2.1:http -p", "illegal virtual server address[:port] specified");
    fails("-A --sctp-service 192.0.2.1:syslog", "illegal virtual server address[:port] specified");
    fails_v(&["-A", "-t", "", "-s", "rr"], "illegal virtual server address[:port] specified");
    fails_v(&["-A", "-t", " 192.0.2.1:80"], "illegal virtual server address[:port] specified");
    assert_eq!(service(parse_v(&["-A", "-t", "192.0.2.1 :80"]).unwrap()).key, tcp("192.0.2.1", 80));
}

// --------------------------------------------------------- real servers

#[test]
fn add_server_defaults() {
    let (k, d) = dest(ok("-a -t 192.0.2.1:80 -r 198.51.100.2"));
    assert_eq!(k, tcp("192.0.2.1", 80));
    let mut want = Dest::new(v4("198.51.100.2"), 80);
    want.forward = Forward::Route;
    assert_eq!(d, want);
    assert_eq!((d.weight, d.u_threshold, d.l_threshold), (1, 0, 0));
    assert_eq!((d.tun_type, d.tun_port, d.tun_flags), (TunnelType::Ipip, 0, 0));
}

#[test]
fn edit_server_sends_defaults_for_what_is_missing() {
    // -e without -w/-x/-y/-m resets them: weight 1, thresholds 0, -g (and
    // so the service's port, which is why "-e ... -r X:8080" without -m
    // finds no destination X:8080).
    let (_, d) = dest(ok("-e -t 192.0.2.1:80 -r 198.51.100.2:8080"));
    assert_eq!((d.forward, d.port, d.weight, d.u_threshold, d.l_threshold), (Forward::Route, 80, 1, 0, 0));
    let (_, d) = dest(ok("-e -t 192.0.2.1:80 -r 198.51.100.2:8080 -m -x 4"));
    assert_eq!((d.forward, d.port, d.weight, d.u_threshold), (Forward::Masq, 8080, 1, 4));
}

#[test]
fn server_options() {
    let (_, d) = dest(ok("-a -t 192.0.2.1:80 -r 198.51.100.2:8080 -m -w 5 -x 10 -y 3"));
    assert_eq!((d.addr, d.port, d.forward, d.weight, d.u_threshold, d.l_threshold), (v4("198.51.100.2"), 8080, Forward::Masq, 5, 10, 3));
    let (_, d) = dest(ok(
        "--add-server --tcp-service 192.0.2.1:80 --real-server 198.51.100.2:8080 --masquerading --weight 5 --u-threshold 10 --l-threshold 3",
    ));
    assert_eq!((d.port, d.forward, d.weight, d.u_threshold, d.l_threshold), (8080, Forward::Masq, 5, 10, 3));
    assert_eq!(dest(ok("-a -t 192.0.2.1:80 -r 198.51.100.2 -g")).1.forward, Forward::Route);
    assert_eq!(dest(ok("-a -t 192.0.2.1:80 -r 198.51.100.2 --gatewaying")).1.forward, Forward::Route);
    assert_eq!(dest(ok("-a -t 192.0.2.1:80 -r 198.51.100.2 -i")).1.forward, Forward::Tunnel);
    assert_eq!(dest(ok("-a -t 192.0.2.1:80 -r 198.51.100.2 --ipip")).1.forward, Forward::Tunnel);
    assert_eq!(dest(ok("-a -t 192.0.2.1:80 -r 198.51.100.2 --masquerading")).1.forward, Forward::Masq);
}

#[test]
fn server_ports() {
    let port = |line: &str| dest(ok(line)).1.port;
    // non-NAT: the service's port, whatever was given
    assert_eq!(port("-a -t 192.0.2.1:80 -r 198.51.100.3:8080"), 80);
    assert_eq!(port("-a -t 192.0.2.1:80 -r 198.51.100.3:8080 -i"), 80);
    assert_eq!(port("-a -r 198.51.100.3:8080 -t 192.0.2.1:80"), 80);
    assert_eq!(port("-e -r 198.51.100.3:99 -t 192.0.2.1:80"), 80);
    assert_eq!(port("-a -t 192.0.2.1 -r 198.51.100.3:99 -g"), 0);
    // NAT: as given; no port: the service's port as known at -r
    assert_eq!(port("-a -t 192.0.2.1:80 -r 198.51.100.3:8080 -m"), 8080);
    assert_eq!(port("-a -t 192.0.2.1:80 -r 198.51.100.3 -m"), 80);
    assert_eq!(port("-a -t 192.0.2.1:80 -r 198.51.100.3:0 -m"), 0);
    assert_eq!(port("-a -r 198.51.100.3 -t 192.0.2.1:80 -m"), 0);
    assert_eq!(port("-a -t 192.0.2.1 -r 198.51.100.3:99 -m"), 99);
    // fwmark services: as given, whatever the method
    assert_eq!(port("-a -f 5 -r 198.51.100.3:8080 -g"), 8080);
    assert_eq!(port("-a -f 5 -r 198.51.100.3 -m"), 0);
    // -d: as given (no port: the service's port as known at -r)
    assert_eq!(port("-d -t 192.0.2.1:80 -r 198.51.100.3:8080"), 8080);
    assert_eq!(port("-d -t 192.0.2.1:80 -r 198.51.100.3"), 80);
    assert_eq!(port("-d -t 192.0.2.1:80 -r 198.51.100.3:0"), 0);
    assert_eq!(port("-d -r 198.51.100.3 -t 192.0.2.1:80"), 0);
    // port names use the service's protocol as known at -r (TCP for fwmark)
    assert_eq!(port("-a -u 192.0.2.1:80 -r 198.51.100.3:syslog -m"), 514);
    assert_eq!(port("-a -u 192.0.2.1:53 -r 198.51.100.3:domain -m"), 53);
    assert_eq!(port("-a -t 192.0.2.1:80 -r 198.51.100.3:syslog -m"), 514);
    assert_eq!(port("-a -f 1 -r 198.51.100.3:http -m"), 80);
    assert_eq!(port("-a -u 192.0.2.1:80 -r 198.51.100.3:bootps -m"), 67);
    assert_eq!(port("-a --sctp-service 192.0.2.1:80 -r 198.51.100.3:amqp -m"), 5672);
    // brackets around an IPv4 address: no port, so the default
    assert_eq!(port("-a -t 192.0.2.1:80 -m -r [198.51.100.3]:99"), 80);
    for line in [
        "-a -r 198.51.100.3:http -t 192.0.2.1:80 -m",
        "-a -r 198.51.100.3:http -f 1 -m",
        "-a -f 1 -r 198.51.100.3:bootps -m",
        "-a -t 192.0.2.1:80 -r 198.51.100.3:bootps -m",
        "-a --sctp-service 192.0.2.1:80 -r 198.51.100.3:http -m",
        "-a -t 192.0.2.1:80 -m -r 10",
        "-a -t 192.0.2.1:80 -m -r 198.51.100.3:",
        "-a -t 192.0.2.1:80 -m -r 198.51.100.3:65536",
        "-a -t 192.0.2.1:80 -r 1.2.3.400 -Q",
    ] {
        fails(line, "illegal real server address[:port] specified");
    }
    fails_v(&["-a", "-t", "192.0.2.1:80", "-r", ""], "illegal real server address[:port] specified");
    let (_, d) = dest(ok("-a -t 192.0.2.1:80 -m -r localhost:99"));
    assert_eq!((d.addr, d.port), (v4("127.0.0.1"), 99));
}

#[test]
fn weights_and_thresholds() {
    let d = |line: &str| dest(ok(&format!("-a -t 192.0.2.1:80 -r 198.51.100.2 {line}"))).1;
    assert_eq!(d("-w 0").weight, 0);
    assert_eq!(d("-w 2147483647").weight, i32::MAX);
    assert_eq!(d("-w 010").weight, 10);
    assert_eq!(d("-w +5").weight, 5);
    assert_eq!(d("-w -0").weight, 0);
    assert_eq!(d("-x 65536").u_threshold, 65536);
    assert_eq!(d("-x 2147483647").u_threshold, 2_147_483_647);
    assert_eq!(d("-y 65536").l_threshold, 65536);
    assert_eq!((d("-x 10 -y 20").u_threshold, d("-x 10 -y 20").l_threshold), (10, 20));
    for v in ["-1", "2147483648", "0x10", "5x", "99999999999999999999", "+-5", "x"] {
        fails(&format!("-a -t 192.0.2.1:80 -r 198.51.100.2 -w {v}"), "illegal weight specified");
    }
    for ws in [" 5", "\t5", "\n5", "\x0b5", "\x0c5", "\r5", " +5"] {
        let (_, dd) = dest(parse_v(&["-a", "-t", "192.0.2.1:80", "-r", "198.51.100.2", "-w", ws]).unwrap());
        assert_eq!(dd.weight, 5, "{ws:?}");
    }
    for v in ["", "5 "] {
        fails_v(&["-a", "-t", "192.0.2.1:80", "-r", "198.51.100.2", "-w", v], "illegal weight specified");
    }
    for v in ["-1", "2147483648", "1e3"] {
        fails(&format!("-a -t 192.0.2.1:80 -r 198.51.100.2 -x {v}"), "illegal u_threshold specified");
    }
    for v in ["4294967295", "0x20", "x"] {
        fails(&format!("-a -t 192.0.2.1:80 -r 198.51.100.2 -y {v}"), "illegal l_threshold specified");
    }
    // values are read even for commands that do not take them
    fails("-A -t 192.0.2.1:80 -w -1", "illegal weight specified");
    fails("-A -w abc -t 192.0.2.1:80", "illegal weight specified");
}

#[test]
fn address_families() {
    let msg = "Different address family is allowed only for tunneling servers";
    fails("-a -t 192.0.2.1:80 -r [2001:db8::5]:80", msg);
    fails("-a -t 192.0.2.1:80 -r [2001:db8::5]:80 -m", msg);
    fails("-a -t 192.0.2.1:80 -r [2001:db8::5]:80 -m --tun-csum", msg);
    fails("-e -t 192.0.2.1:80 -r [2001:db8::5]:80 -g", msg);
    fails("-a -f 1 -6 -r 198.51.100.2", msg);
    fails("-a -f 1 -r [2001:db8::7]:80 -m", msg);
    fails("-a -t 192.0.2.1:80 -r [2001:db8::5]:80 -s rr", "Illegal 'scheduler' option with the 'add-server' command");
    fails("-a -t 192.0.2.1:80 -r [2001:db8::5]:80 -b foo", "invalid scheduler flag `foo'");
    let (k, d) = dest(ok("-a -t 192.0.2.1:80 -r [2001:db8::5]:80 -i"));
    assert_eq!((k.family(), d.addr), (Family::Inet, ip("2001:db8::5")));
    let (_, d) = dest(ok("-a -t [2001:db8::1]:80 -r 192.0.2.5:80 -i"));
    assert_eq!(d.addr, v4("192.0.2.5"));
    let (k, d) = dest(ok("-a -f 1 -6 -r [2001:db8::7]:80 -m"));
    assert_eq!((k, d.addr), (ServiceKey::Fwmark { family: Family::Inet6, mark: 1 }, ip("2001:db8::7")));
    // not checked by -d
    assert!(parse("-d -t 192.0.2.1:80 -r [2001:db8::5]:80").is_ok());
    assert!(parse("-d -f 1 -6 -r 198.51.100.2").is_ok());
}

#[test]
fn tunnels() {
    let r = "-a -t 192.0.2.1:80 -r 198.51.100.3";
    let d = |opts: &str| dest(ok(&format!("{r} {opts}"))).1;
    let t = d("-i --tun-type gue --tun-port 6080");
    assert_eq!((t.forward, t.tun_type, t.tun_port, t.tun_flags), (Forward::Tunnel, TunnelType::Gue, 6080, tun_flags::NOCSUM));
    assert_eq!(d("-i --tun-type gue --tun-port 6080 --tun-csum").tun_flags, tun_flags::CSUM);
    assert_eq!(d("-i --tun-type gue --tun-port 6080 --tun-remcsum").tun_flags, tun_flags::REMCSUM);
    assert_eq!(d("-i --tun-type gue --tun-port 6080 --tun-nocsum").tun_flags, tun_flags::NOCSUM);
    assert_eq!(d("-i --tun-type gue --tun-port 65535").tun_port, 65535);
    let t = d("-i --tun-type gre --tun-csum");
    assert_eq!((t.tun_type, t.tun_flags), (TunnelType::Gre, tun_flags::CSUM));
    assert_eq!(d("-i --tun-type ipip").tun_type, TunnelType::Ipip);
    assert_eq!(d("--tun-type ipip -i").tun_type, TunnelType::Ipip);
    assert_eq!(d("-i").tun_type, TunnelType::Ipip);
    let (_, e) = dest(ok("-e -t 192.0.2.1:80 -r 198.51.100.3 -i --tun-type gre --tun-nocsum"));
    assert_eq!(e.tun_type, TunnelType::Gre);

    let f = |opts: &str, msg: &str| fails(&format!("{r} {opts}"), msg);
    let conflict = "Tunnel options conflict with forward method";
    f("--tun-type gue", conflict);
    f("-m --tun-type ipip", conflict);
    f("-g --tun-csum", conflict);
    f("-m --tun-type gue", conflict);
    fails("-a -t 192.0.2.1 -r 198.51.100.3 -m --tun-csum", conflict);
    f("-i --tun-type foo", "illegal tunnel type specified");
    f("-i --tun-type GUE", "illegal tunnel type specified");
    f("-i --tun-type foo -Q", "illegal tunnel type specified");
    for p in ["0", "65536", "abc", "-1", "http"] {
        f(&format!("-i --tun-type gue --tun-port {p}"), "illegal tunnel port specified");
    }
    f("-i --tun-port 70000 --tun-type gue", "illegal tunnel port specified");
    f("-i --tun-type gue", "You need to supply the 'tun-port' option for the 'gue' tunnel type");
    f("-i --tun-type gue --tun-remcsum --tun-csum --tun-nocsum", "You need to supply the 'tun-port' option for the 'gue' tunnel type");
    f("-i --tun-type ipip --tun-port 6080", "Illegal 'tun-port' option with the 'ipip' tunnel type");
    f("-i --tun-port 6080", "Illegal 'tun-port' option with the 'ipip' tunnel type");
    f("-i --tun-type ipip --tun-csum", "Illegal 'tun-csum' option with the 'ipip' tunnel type");
    f("-i --tun-csum", "Illegal 'tun-csum' option with the 'ipip' tunnel type");
    f("-i --tun-type ipip --tun-nocsum", "Illegal 'tun-nocsum' option with the 'ipip' tunnel type");
    f("-i --tun-type ipip --tun-nocsum --tun-csum", "Illegal 'tun-nocsum' option with the 'ipip' tunnel type");
    f("-i --tun-type gre --tun-port 1", "Illegal 'tun-port' option with the 'gre' tunnel type");
    f("-i --tun-type gre --tun-remcsum --tun-port 5", "Illegal 'tun-port' option with the 'gre' tunnel type");
    f("-i --tun-type gre --tun-remcsum", "Illegal 'tun-remcsum' option with the 'gre' tunnel type");
    f(
        "-i --tun-type gue --tun-port 6080 --tun-csum --tun-remcsum",
        "The option 'tun-remcsum' conflicts with the 'tun-csum' option in the 'gue' tunnel type",
    );
    f(
        "-i --tun-type gue --tun-port 6080 --tun-csum --tun-nocsum",
        "The option 'tun-csum' conflicts with the 'tun-nocsum' option in the 'gue' tunnel type",
    );
    f(
        "-i --tun-type gue --tun-nocsum --tun-csum --tun-remcsum --tun-port 5",
        "The option 'tun-csum' conflicts with the 'tun-nocsum' option in the 'gue' tunnel type",
    );
    f(
        "-i --tun-type gre --tun-nocsum --tun-csum",
        "The option 'tun-csum' conflicts with the 'tun-nocsum' option in the 'gre' tunnel type",
    );
    fails(
        "-d -t 192.0.2.1:80 -r 198.51.100.3 --tun-csum",
        "Illegal 'tun-csum' option with the 'delete-server' command",
    );
}

// ------------------------------------------------------------ timeouts

#[test]
fn set_timeouts() {
    let t = |line: &str| match ok(line) {
        Command::SetTimeouts(t) => (t.tcp, t.tcp_fin, t.udp),
        other => panic!("{other:?}"),
    };
    assert_eq!(t("--set 0 0 0"), (0, 0, 0));
    assert_eq!(t("--set 2678400 2678400 2678400"), (2_678_400, 2_678_400, 2_678_400));
    assert_eq!(t("1 --set 2 3"), (1, 2, 3));
    assert_eq!(t("--set -- 1 2 3"), (1, 2, 3));
    assert_eq!(t("--set 010 2 3"), (10, 2, 3));
    for line in ["--set", "--set 1", "--set 1 2", "--set x 2"] {
        fails(line, "--set option requires 3 timeout values");
    }
    for (line, v) in [
        ("--set x 2 3", "x"),
        ("--set 1 2 x", "x"),
        ("--set 1 2 3x", "3x"),
        ("--set -- 1 2 -3", "-3"),
        ("--set 1 2 2678401", "2678401"),
        ("--set 2678401 1 1", "2678401"),
        ("--set 1 2 2147483647", "2147483647"),
        ("--set 010 0x10 3", "0x10"),
        ("--set 1 2 x 4", "x"),
        ("--set x 2 3 -w 1", "x"),
    ] {
        fails(line, &format!("invalid timeout value `{v}' specified"));
    }
    fails("--set 1 2 3 4", "unexpected argument 4");
    fails("--set 1 2 3 4 -w 1", "unexpected argument 4");
}

// -------------------------------------------------------------- daemons

#[test]
fn start_daemon_defaults() {
    assert_eq!(
        ok("--start-daemon master"),
        Command::StartDaemon(Daemon {
            role: DaemonRole::Master,
            mcast_ifn: "eth0".into(),
            syncid: 0,
            sync_maxlen: None,
            mcast_group: None,
            mcast_port: None,
            mcast_ttl: None,
        })
    );
    assert!(matches!(ok("--start-daemon=backup"), Command::StartDaemon(Daemon { role: DaemonRole::Backup, .. })));
    let d = parse_v(&["--start-daemon", "master", "--mcast-interface", ""]).unwrap();
    assert!(matches!(d, Command::StartDaemon(Daemon { ref mcast_ifn, .. }) if mcast_ifn == "eth0"));
}

#[test]
fn daemon_options() {
    let d = match ok(
        "--start-daemon backup --mcast-interface dummy0 --syncid 7 --sync-maxlen 1000 --mcast-group 224.0.0.99 --mcast-port 9999 --mcast-ttl 3",
    ) {
        Command::StartDaemon(d) => d,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        d,
        Daemon {
            role: DaemonRole::Backup,
            mcast_ifn: "dummy0".into(),
            syncid: 7,
            sync_maxlen: Some(1000),
            mcast_group: Some(v4("224.0.0.99")),
            mcast_port: Some(9999),
            mcast_ttl: Some(3),
        }
    );
    let d = |opts: &str| match ok(&format!("--start-daemon master {opts}")) {
        Command::StartDaemon(d) => d,
        other => panic!("{other:?}"),
    };
    assert_eq!(d("--mcast-interface abcdefghijklmnoXYZ").mcast_ifn, "abcdefghijklmno");
    assert_eq!(d("--mcast-interface 0123456789abcde").mcast_ifn, "0123456789abcde");
    assert_eq!(d("--mcast-group ff02::1").mcast_group, Some(ip("ff02::1")));
    assert_eq!(d("--mcast-group 239.255.255.255").mcast_group, Some(v4("239.255.255.255")));
    assert_eq!(d("--syncid 255").syncid, 255);
    assert_eq!(d("--syncid 0").syncid, 0);
    assert_eq!(d("--sync-maxlen 1").sync_maxlen, Some(1));
    assert_eq!(d("--sync-maxlen 65507").sync_maxlen, Some(65507));
    assert_eq!(d("--mcast-port 1").mcast_port, Some(1));
    assert_eq!(d("--mcast-port 65535").mcast_port, Some(65535));
    assert_eq!(d("--mcast-ttl 1").mcast_ttl, Some(1));
    assert_eq!(d("--mcast-ttl 255").mcast_ttl, Some(255));
    let f = |opts: &str, msg: &str| fails(&format!("--start-daemon master {opts}"), msg);
    for v in ["192.0.2.1", "abc", "224.1", "localhost", "240.0.0.1"] {
        f(&format!("--mcast-group {v}"), &format!("invalid IPv4 mcast-group `{v}'"));
    }
    for v in ["[ff02::1]", "2001:db8::1"] {
        f(&format!("--mcast-group {v}"), &format!("invalid IPv6 mcast-group `{v}'"));
    }
    for v in ["0", "65536", "http"] {
        f(&format!("--mcast-port {v}"), "illegal mcast-port specified");
    }
    for v in ["0", "256"] {
        f(&format!("--mcast-ttl {v}"), "illegal mcast-ttl specified");
    }
    for v in ["0", "65508", "x"] {
        f(&format!("--sync-maxlen {v}"), "illegal sync-maxlen specified");
    }
    for v in ["256", "-1", "x"] {
        f(&format!("--syncid {v}"), "illegal syncid specified");
    }
}

#[test]
fn daemon_states() {
    for line in ["--start-daemon foo", "--start-daemon MASTER", "--start-daemon master,backup", "--start-daemon -Q", "--start-daemon=", "--start-daemon master="] {
        fails(line, "illegal start-daemon parameter specified");
    }
    for line in ["--stop-daemon foo", "--stop-daemon MASTER"] {
        fails(line, "illegal start_daemon specified");
    }
    fails_v(&["--stop-daemon", ""], "illegal start_daemon specified");
    assert_eq!(ok("--stop-daemon master"), Command::StopDaemon(DaemonRole::Master));
    assert_eq!(ok("--stop-daemon backup --syncid 3"), Command::StopDaemon(DaemonRole::Backup));
}

// -------------------------------------------------------------- restore

fn restore(line: &str) -> Result<Option<Command>, ArgError> {
    parse_restore_line_as("ipvsadm", line, &TestNames)
}

#[test]
fn restore_lines() {
    assert_eq!(restore(""), Ok(None));
    assert_eq!(restore("   \t  \r\n"), Ok(None));
    assert_eq!(restore("ipvsadm"), Ok(None));
    assert_eq!(restore("ipvsadm ipvsadm"), Ok(None));
    let want = Some(ok("-A -t 192.0.2.1:80 -s rr"));
    assert_eq!(restore("-A -t 192.0.2.1:80 -s rr"), Ok(want.clone()));
    assert_eq!(restore("ipvsadm -A -t 192.0.2.1:80 -s rr\n"), Ok(want.clone()));
    assert_eq!(restore("  ipvsadm   -A   -t 192.0.2.1:80\t-s rr  \n"), Ok(want.clone()));
    assert_eq!(restore("-A -t 192.0.2.1:80 -s rr\r\n"), Ok(want.clone()));
    assert_eq!(restore("-A -t 192.0.2.1:80\r-s rr"), Ok(want.clone()));
    // "ipvsadm" words are dropped wherever they are
    assert_eq!(restore("-A ipvsadm -t 192.0.2.1:80 -s rr ipvsadm"), Ok(want.clone()));
    assert_eq!(restore("ipvsadm ipvsadm -A -t 192.0.2.1:80 -s rr"), Ok(want));
    let e = restore("-A -t ipvsadm").unwrap_err();
    assert_eq!((e.stderr.as_str(), e.status, e.fatal), ("-t: missing argument\n", 255, false));
    // no quoting
    let e = restore("-A -t \"192.0.2.1:80\"").unwrap_err();
    assert_eq!(e.stderr, "illegal virtual server address[:port] specified\n");
    // form feed and vertical tab do not separate words
    let e = restore("-A -t 192.0.2.1:80\x0c-s rr").unwrap_err();
    assert_eq!(e.stderr, "illegal virtual server address[:port] specified\n");
    assert_eq!(restore("-A -t 192.0.2.1:80 -s \"\"").map(|c| c.map(service).map(|s| s.scheduler)), Ok(Some("\"\"".to_string())));
}

#[test]
fn restore_errors() {
    let e = |line: &str| {
        let e = restore(line).unwrap_err();
        (e.stderr, e.status, e.fatal)
    };
    // comments are not options: "Try", and -R stops
    assert_eq!(e("# comment"), (TRY.to_string(), 255, true));
    assert_eq!(e("-R"), (TRY.to_string(), 255, true));
    assert_eq!(e("--restore"), (TRY.to_string(), 255, true));
    assert_eq!(e("--start-daemon"), (TRY.to_string(), 255, true));
    assert_eq!(e("foo -A -t 192.0.2.1:80"), ("unexpected argument foo\n".to_string(), 2, true));
    assert_eq!(e("IPVSADM -A -t 192.0.2.1:80"), ("unexpected argument IPVSADM\n".to_string(), 2, true));
    assert_eq!(e("ipvsadmx -A -t 192.0.2.1:80"), ("unexpected argument ipvsadmx\n".to_string(), 2, true));
    assert_eq!(e("-A -t 192.0.2.1:80 # comment"), ("unexpected argument #\n".to_string(), 2, true));
    // the option library's errors do not stop -R
    assert_eq!(e("-A -t 192.0.2.1:80 -Q"), ("-Q: unknown option\n".to_string(), 255, false));
    assert_eq!(e("-A -t 192.0.2.1:80 -s"), ("-s: missing argument\n".to_string(), 255, false));
    assert_eq!(e("-A -t 192.0.2.1:80 --bogus"), ("--bogus: unknown option\n".to_string(), 255, false));
    assert_eq!(e("-A -t 192.0.2.1:80 -n=1"), ("-n=1: option does not take an argument\n".to_string(), 255, false));
    assert_eq!(e("-Lx"), ("-Lx: missing argument\n".to_string(), 255, false));
    let comma = restore("-A -t 192.0.2.1:80 -b ,").unwrap_err();
    assert_eq!((comma.status, comma.fatal), (2, true));
    let e = parse_restore_line_as("/ref/ipvsadm", "--bogus", &TestNames).unwrap_err();
    assert_eq!(e.stderr, "Try `/ref/ipvsadm -h' or '/ref/ipvsadm --help' for more information.\n");
    // -h and -v are commands there too
    assert_eq!(restore("-h"), Ok(Some(Command::Help)));
    assert_eq!(restore("--version"), Ok(Some(Command::Version)));
}

#[test]
fn restore_words_split() {
    assert_eq!(restore_words(" a\tb\r\nc  ipvsadm d"), vec!["a", "b", "c", "d"]);
    assert_eq!(restore_words("a\x0bb\x0cc"), vec!["a\x0bb\x0cc"]);
}

#[test]
fn system_resolver_is_the_default() {
    // numeric forms never need it
    assert_eq!(service(parse_args(&split("-A -t 192.0.2.1:80")).unwrap()).key, tcp("192.0.2.1", 80));
    assert_eq!(parse_restore_line("ipvsadm -C"), Ok(Some(Command::Flush)));
}

// ------------------------------------------------------ --json, --netns

#[test]
fn json_goes_with_listings_only() {
    for line in ["-L --json", "-L -n --stats --json", "-L -c --json", "-L --timeout --json", "-L --daemon --json", "-l --json -t 10.0.0.1:80"] {
        assert!(listing(ok(line)).format.json, "{line}");
    }
    assert!(!listing(ok("-L -n")).format.json);
    for (line, cmd) in [
        ("-A -t 10.0.0.1:80 --json", "add-service"),
        ("-a -t 10.0.0.1:80 -r 10.0.0.2 --json", "add-server"),
        ("-S --json", "save"),
        ("-Z --json", "zero"),
        ("-C --json", "flush"),
        ("--set 1 2 3 --json", "set"),
        ("--stop-daemon master --json", "stop-daemon"),
    ] {
        assert_eq!(err(line), (format!("Illegal 'json' option with the '{cmd}' command\n"), 2), "{line}");
    }
    assert_eq!(err("-L --json --json"), ("multiple 'json' options specified\n".to_string(), 2));
    // ipvsadm's own checks come first
    assert_eq!(err("-A -t 10.0.0.1:80 -c --json").0, "Illegal 'connection' option with the 'add-service' command\n");
}

#[test]
fn netns_is_taken_out_first() {
    let words = |line: &str| split(line);
    let (ns, rest) = super::take_netns(&words("-L -n --netns blue")).unwrap();
    assert_eq!((ns.as_deref(), rest), (Some("blue"), words("-L -n")));
    let (ns, rest) = super::take_netns(&words("--netns=/proc/1/ns/net -A -t 10.0.0.1:80")).unwrap();
    assert_eq!((ns.as_deref(), rest), (Some("/proc/1/ns/net"), words("-A -t 10.0.0.1:80")));
    let (ns, rest) = super::take_netns(&words("-S")).unwrap();
    assert_eq!((ns, rest), (None, words("-S")));
    // after `--` nothing is an option
    let (ns, rest) = super::take_netns(&words("-L -- --netns x")).unwrap();
    assert_eq!((ns, rest), (None, words("-L -- --netns x")));
    assert_eq!(super::take_netns(&words("-L --netns a --netns b")).unwrap_err().stderr, "multiple 'netns' options specified\n");
    let missing = super::take_netns(&words("-L --netns")).unwrap_err();
    assert_eq!((missing.stderr.as_str(), missing.status), ("--netns: missing argument\n", 255));
    // where it cannot act (a restore line, a library parse), it is refused
    assert!(err("-L --netns blue").0.contains("netns"));
    assert!(parse_restore_line_as("ipvsadm", "-A -t 10.0.0.1:80 --netns blue", &NoNames).is_err());
}

/// `--apply`, `--dry-run`, `--drain` and its options (beyond ipvsadm):
/// checked in ipvsadm's words, never on a restore line.
#[test]
fn apply_and_drain() {
    assert_eq!(
        ok("--apply /etc/ipvsadm.rules --dry-run"),
        Command::Apply(Apply { file: "/etc/ipvsadm.rules".into(), dry_run: true })
    );
    assert_eq!(ok("--apply -"), Command::Apply(Apply { file: "-".into(), dry_run: false }));
    let key = ServiceKey::Addr {
        protocol: Protocol::Tcp,
        addr: IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1)),
        port: 80,
    };
    let Command::Drain(d) = ok("--drain -t 192.0.2.1:80 -r 198.51.100.2 --drain-timeout 30 --drain-inactive")
    else {
        panic!()
    };
    assert_eq!((d.key, d.dest.port, d.timeout, d.inactive), (key, 80, Some(30), true));
    let Command::Drain(d) = ok("--drain -f 3 -r 198.51.100.2:8080") else { panic!() };
    assert_eq!((d.dest.port, d.timeout, d.inactive), (8080, None, false));
    let fail = |m: &str| (format!("{m}\n"), 2);
    // As for --start-daemon: a command without its value is "Try ...".
    assert_eq!(err("--apply").1, 255);
    assert_eq!(err("--apply f --dry-run --dry-run"), fail("multiple 'dry-run' options specified"));
    assert_eq!(err("-C --dry-run"), fail("Illegal 'dry-run' option with the 'flush' command"));
    assert_eq!(err("--apply f -n"), fail("Illegal 'numeric' option with the 'apply' command"));
    assert_eq!(err("--apply f --drain-timeout 3"), fail("Illegal 'drain-timeout' option with the 'apply' command"));
    assert_eq!(err("-d -t 192.0.2.1:80 -r 198.51.100.2 --drain-inactive"), fail("Illegal 'drain-inactive' option with the 'delete-server' command"));
    assert_eq!(err("--drain -t 192.0.2.1:80"), fail("You need to supply the 'real-server' option for the 'drain' command"));
    assert_eq!(err("--drain -t 192.0.2.1:80 -r 198.51.100.2 -w 0"), fail("Illegal 'weight' option with the 'drain' command"));
    assert_eq!(err("--drain -t 192.0.2.1:80 -r 198.51.100.2 --drain-timeout x"), fail("illegal drain-timeout specified"));
    assert_eq!(err("-L --apply f"), fail("invalid option `f'"));
    for line in ["--apply f", "--drain -t 192.0.2.1:80 -r 198.51.100.2"] {
        let e = parse_restore_line_as("ipvsadm", line, &TestNames).unwrap_err();
        assert_eq!(e.status, 255, "{line}");
    }
}
