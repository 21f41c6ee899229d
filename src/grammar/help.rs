//! The help text (`-h`). Help and version text are outside the
//! compatibility promise, but this one follows ipvsadm 1.31's.

/// The help text for a program called `ipvsadm`, from "Usage:" on (ipvsadm
/// prints its version line before it).
pub const HELP: &str = r#"Usage:
  ipvsadm -A|E virtual-service [-s scheduler] [-p [timeout]] [-M netmask] [--pe persistence_engine] [-b sched-flags]
  ipvsadm -D virtual-service
  ipvsadm -C
  ipvsadm -R
  ipvsadm -S [-n]
  ipvsadm -a|e virtual-service -r server-address [options]
  ipvsadm -d virtual-service -r server-address
  ipvsadm -L|l [virtual-service] [options]
  ipvsadm -Z [virtual-service]
  ipvsadm --set tcp tcpfin udp
  ipvsadm --start-daemon {master|backup} [daemon-options]
  ipvsadm --stop-daemon {master|backup}
  ipvsadm --apply file|- [--dry-run]
  ipvsadm --drain virtual-service -r server-address [--drain-timeout seconds] [--drain-inactive]
  ipvsadm -h

Commands:
Either long or short options are allowed.
  --add-service     -A        add virtual service with options
  --edit-service    -E        edit virtual service with options
  --delete-service  -D        delete virtual service
  --clear           -C        clear the whole table
  --restore         -R        restore rules from stdin
  --save            -S        save rules to stdout
  --add-server      -a        add real server with options
  --edit-server     -e        edit real server with options
  --delete-server   -d        delete real server
  --list            -L|-l     list the table
  --zero            -Z        zero counters in a service or all services
  --set tcp tcpfin udp        set connection timeout values
  --start-daemon              start connection sync daemon
  --stop-daemon               stop connection sync daemon
  --apply file|-              make the table equal to a rule file, by difference
  --drain                     weight 0, wait for connections to end, delete server
  --help            -h        display this help message
  --version         -v        display the version

virtual-service:
  --tcp-service|-t  service-address   service-address is host[:port]
  --udp-service|-u  service-address   service-address is host[:port]
  --sctp-service    service-address   service-address is host[:port]
  --fwmark-service|-f fwmark          fwmark is an integer greater than zero

Options:
  --ipv6         -6                   fwmark entry uses IPv6
  --scheduler    -s scheduler         one of rr|wrr|lc|wlc|lblc|lblcr|dh|sh|sed|nq|fo|ovf|mh|twos,
                                      the default scheduler is wlc.
  --pe            engine              alternate persistence engine may be sip,
                                      not set by default.
  --persistent   -p [timeout]         persistent service
  --netmask      -M netmask           persistent granularity mask
  --real-server  -r server-address    server-address is host (and port)
  --gatewaying   -g                   gatewaying (direct routing) (default)
  --ipip         -i                   ipip encapsulation (tunneling)
  --masquerading -m                   masquerading (NAT)
  --tun-type      type                one of ipip|gue|gre,
                                      the default tunnel type is ipip.
  --tun-port      port                tunnel destination port
  --tun-nocsum                        tunnel encapsulation without checksum
  --tun-csum                          tunnel encapsulation with checksum
  --tun-remcsum                       tunnel encapsulation with remote checksum
  --weight       -w weight            capacity of real server
  --u-threshold  -x uthreshold        upper threshold of connections
  --l-threshold  -y lthreshold        lower threshold of connections
  --connection   -c                   output of current IPVS connections
  --timeout                           output of timeout (tcp tcpfin udp)
  --daemon                            output of daemon information
  --stats                             output of statistics information
  --rate                              output of rate information
  --exact        -X                   expand numbers (display exact values)
  --thresholds                        output of thresholds information
  --persistent-conn                   output of persistent connection info
  --tun-info                          output of tunnel information
  --nosort                            disable sorting output of service/server entries
  --sort                              does nothing, for backwards compatibility
  --ops          -o                   one-packet scheduling
  --numeric      -n                   numeric output of addresses and ports
  --sched-flags  -b flags             scheduler flags (comma-separated)
  --json                              list as one JSON document (with -L)
  --netns        name|path            act in this network namespace
  --dry-run                           with --apply: print the changes, make none
  --drain-timeout seconds             with --drain: give up after this many seconds
  --drain-inactive                    with --drain: wait for inactive connections too
Daemon Options:
  --syncid sid                        syncid for connection sync (default=255)
  --sync-maxlen length                Max sync message length (default=1472)
  --mcast-interface interface         multicast interface for connection sync
  --mcast-group address               IPv4/IPv6 group (default=224.0.0.81)
  --mcast-port port                   UDP port (default=8848)
  --mcast-ttl ttl                     Multicast TTL (default=1)
"#;

/// The help text naming `program` (`argv[0]`) in its usage lines.
pub fn help_text(program: &str) -> String {
    if program == "ipvsadm" {
        return HELP.to_string();
    }
    HELP.replace("\n  ipvsadm ", &format!("\n  {program} "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_program() {
        assert!(HELP.starts_with("Usage:\n  ipvsadm -A|E virtual-service"));
        assert!(HELP.ends_with("Multicast TTL (default=1)\n"));
        let t = help_text("/sbin/ipvsadm");
        assert!(t.contains("\n  /sbin/ipvsadm -h\n"));
        assert!(!t.contains("\n  ipvsadm -"));
    }

    /// The lines of the help from `header` up to the next blank line.
    fn group(header: &str) -> String {
        let start = HELP.find(&format!("\n{header}\n")).unwrap_or_else(|| panic!("no {header}"));
        let rest = &HELP[start + 1..];
        rest[..rest.find("\n\n").unwrap_or(rest.len())].to_string()
    }

    #[test]
    fn lists_every_option_in_its_group() {
        use crate::grammar::table::SPECS;
        let commands = group("Commands:");
        let options = format!("{}\n{}", group("virtual-service:"), group("Options:"));
        let daemon = HELP[HELP.find("\nDaemon Options:\n").expect("daemon group")..].to_string();
        for s in SPECS {
            let long = format!("--{}", s.long);
            let section = if s.long.starts_with("mcast-") || s.long == "syncid" || s.long == "sync-maxlen" {
                &daemon
            } else if s.arg == crate::grammar::popt::ArgKind::No && commands.contains(&format!("{long} "))
                || ["start-daemon", "stop-daemon", "set", "apply"].contains(&s.long)
            {
                &commands
            } else {
                &options
            };
            let line = section
                .lines()
                .find(|l| {
                    l.trim_start().starts_with(&long)
                        && !l[l.find(&long).unwrap() + long.len()..]
                            .starts_with(|c: char| c.is_ascii_alphanumeric() || c == '-')
                })
                .unwrap_or_else(|| panic!("{long} not in its group of the help"));
            if let Some(c) = s.short {
                assert!(line.contains(&format!("-{c}")), "-{c} not on the line of {long}: {line}");
            }
        }
        for sched in crate::grammar::SCHEDULERS {
            assert!(
                options.contains(&format!("|{sched}")) || options.contains(&format!(" {sched}|")),
                "{sched}"
            );
        }
    }
}
