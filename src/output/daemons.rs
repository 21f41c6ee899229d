//! `-L --daemon`.

use std::io::{self, Write};

use crate::model::{Daemon, DaemonRole};

use super::names::addr_text;

/// Writes one line per sync daemon, in the order given (the kernel reports
/// the master first):
///
/// `master sync daemon (mcast=dummy0, syncid=0, maxlen=1472, group=224.0.0.81, port=8848, ttl=1)`
///
/// Each of maxlen, group, port and ttl is left out when the kernel did not
/// report it. Nothing at all when no daemon runs.
pub fn write_daemons(w: &mut dyn Write, daemons: &[Daemon]) -> io::Result<()> {
    let mut out = String::new();
    for d in daemons {
        let role = match d.role {
            DaemonRole::Master => "master",
            DaemonRole::Backup => "backup",
        };
        out.push_str(&format!(
            "{} sync daemon (mcast={}, syncid={}",
            role, d.mcast_ifn, d.syncid as i32
        ));
        if let Some(n) = d.sync_maxlen {
            out.push_str(&format!(", maxlen={}", n));
        }
        if let Some(g) = &d.mcast_group {
            out.push_str(&format!(", group={}", addr_text(g)));
        }
        if let Some(p) = d.mcast_port {
            out.push_str(&format!(", port={}", p));
        }
        if let Some(t) = d.mcast_ttl {
            out.push_str(&format!(", ttl={}", t));
        }
        out.push_str(")\n");
    }
    w.write_all(out.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn daemon(
        role: DaemonRole,
        ifn: &str,
        syncid: u32,
        maxlen: u16,
        group: &str,
        port: u16,
        ttl: u8,
    ) -> Daemon {
        Daemon {
            role,
            mcast_ifn: ifn.to_string(),
            syncid,
            sync_maxlen: Some(maxlen),
            mcast_group: Some(group.parse().unwrap()),
            mcast_port: Some(port),
            mcast_ttl: Some(ttl),
        }
    }

    fn text(d: &[Daemon]) -> String {
        let mut out = Vec::new();
        write_daemons(&mut out, d).unwrap();
        String::from_utf8(out).unwrap()
    }

    // Reference: `ipvsadm --start-daemon master --mcast-interface dummy0
    // --syncid 200 --sync-maxlen 1000 --mcast-group 239.1.2.3 --mcast-port
    // 9000 --mcast-ttl 5`, `ipvsadm --start-daemon backup --mcast-interface
    // dummy0 --syncid 201 --sync-maxlen 900 --mcast-group ff02::1234
    // --mcast-port 9001 --mcast-ttl 6` (the kernel made maxlen 1024), then
    // `ipvsadm -L --daemon`.
    #[test]
    fn master_and_backup() {
        let d = [
            daemon(
                DaemonRole::Master,
                "dummy0",
                200,
                1000,
                "239.1.2.3",
                9000,
                5,
            ),
            daemon(
                DaemonRole::Backup,
                "dummy0",
                201,
                1024,
                "ff02::1234",
                9001,
                6,
            ),
        ];
        assert_eq!(
            text(&d),
            "master sync daemon (mcast=dummy0, syncid=200, maxlen=1000, group=239.1.2.3, port=9000, ttl=5)\n\
             backup sync daemon (mcast=dummy0, syncid=201, maxlen=1024, group=ff02::1234, port=9001, ttl=6)\n"
        );
    }

    // Reference: `ipvsadm --start-daemon master --mcast-interface dummy0`,
    // `ipvsadm -L --daemon`; and with no daemon, nothing.
    #[test]
    fn defaults_and_none() {
        let d = [daemon(
            DaemonRole::Master,
            "dummy0",
            0,
            1472,
            "224.0.0.81",
            8848,
            1,
        )];
        assert_eq!(
            text(&d),
            "master sync daemon (mcast=dummy0, syncid=0, maxlen=1472, group=224.0.0.81, port=8848, ttl=1)\n"
        );
        assert_eq!(text(&[]), "");
    }

    #[test]
    fn optional_fields_left_out() {
        let d = [Daemon {
            role: DaemonRole::Backup,
            mcast_ifn: "eth0".into(),
            syncid: 7,
            sync_maxlen: None,
            mcast_group: None,
            mcast_port: None,
            mcast_ttl: None,
        }];
        assert_eq!(text(&d), "backup sync daemon (mcast=eth0, syncid=7)\n");
    }
}
