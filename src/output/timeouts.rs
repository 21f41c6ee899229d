//! `-L --timeout`.

use std::io::{self, Write};

use crate::model::Timeouts;

/// Writes `Timeout (tcp tcpfin udp): 900 120 300` (values as signed
/// numbers, as ipvsadm prints them).
pub fn write_timeouts(w: &mut dyn Write, t: &Timeouts) -> io::Result<()> {
    writeln!(
        w,
        "Timeout (tcp tcpfin udp): {} {} {}",
        t.tcp as i32, t.tcp_fin as i32, t.udp as i32
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    // Reference: `ipvsadm -L --timeout` on a fresh kernel, then after
    // `ipvsadm --set 10 20 30` and `ipvsadm --set 0 0 5`.
    #[test]
    fn timeouts() {
        for (t, want) in [
            (
                Timeouts {
                    tcp: 900,
                    tcp_fin: 120,
                    udp: 300,
                },
                "Timeout (tcp tcpfin udp): 900 120 300\n",
            ),
            (
                Timeouts {
                    tcp: 10,
                    tcp_fin: 20,
                    udp: 30,
                },
                "Timeout (tcp tcpfin udp): 10 20 30\n",
            ),
            (
                Timeouts {
                    tcp: 10,
                    tcp_fin: 20,
                    udp: 5,
                },
                "Timeout (tcp tcpfin udp): 10 20 5\n",
            ),
        ] {
            let mut out = Vec::new();
            write_timeouts(&mut out, &t).unwrap();
            assert_eq!(String::from_utf8(out).unwrap(), want);
        }
    }
}
