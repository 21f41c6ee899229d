//! Text pieces shared by the listing and the save format: service and real
//! server names, field padding and truncation as C's `printf` does them
//! (widths count bytes, not characters).

use std::net::{IpAddr, Ipv4Addr};

use crate::model::{
    Dest, Family, Forward, Protocol, Service, ServiceFlags, ServiceKey, TunnelType,
};

use super::names::{addr_port_bytes, addr_port_text, push_addr_port, Names};

/// Longest address text of an IPv4 service or real server in `-L`.
pub const LIST_MAX_V4: usize = 28;
/// Longest address text of an IPv6 service or real server in `-L`, and of
/// any address in `-S`.
pub const MAX_TEXT: usize = 59;

/// A byte string cut to at most `max` bytes (C `snprintf` into a buffer).
pub fn truncated(s: &str, max: usize) -> &[u8] {
    let b = s.as_bytes();
    &b[..b.len().min(max)]
}

/// How many decimal digits `n` has.
#[inline]
pub fn decimal_len(n: u64) -> usize {
    n.checked_ilog10().map_or(1, |l| l as usize + 1)
}

/// The decimal digits of `n` written into `line` from `at`, in place (no
/// copy of a run whose length is known only here): where they end, `None`
/// if they do not fit.
#[inline]
pub fn put_decimal(line: &mut [u8], at: usize, n: u64) -> Option<usize> {
    let end = at + decimal_len(n);
    let mut rest = n;
    for c in line.get_mut(at..end)?.iter_mut().rev() {
        *c = b'0' + (rest % 10) as u8;
        rest /= 10;
    }
    Some(end)
}

/// `%-Nd` (`left`) or `%Nd`: a number padded with spaces to `width`
/// bytes, written without the formatting machinery (it is in every line).
pub fn push_int(out: &mut Vec<u8>, n: i64, width: usize, left: bool) {
    let mut buf = [0u8; 20];
    // (A u64 has at most 20 digits.)
    let end = put_decimal(&mut buf, 0, n.unsigned_abs()).unwrap_or(0);
    let digits = &buf[..end];
    let len = digits.len() + (n < 0) as usize;
    if !left {
        push_spaces(out, width.saturating_sub(len));
    }
    if n < 0 {
        out.push(b'-');
    }
    out.extend_from_slice(digits);
    if left {
        push_spaces(out, width.saturating_sub(len));
    }
}

/// `n` spaces.
pub fn push_spaces(out: &mut Vec<u8>, mut n: usize) {
    const SPACES: &[u8; 32] = b"                                ";
    while n > 0 {
        let k = n.min(SPACES.len());
        out.extend_from_slice(&SPACES[..k]);
        n -= k;
    }
}

/// Columns of a listing line, each after a space and left-aligned in its
/// width (`" %-7s %-6d %-10u"`): texts first, then numbers. Put together
/// in a fixed buffer of spaces and written out in one piece: these are the
/// columns of every real-server line, tens of thousands in a long listing,
/// where writing them one by one costs several times more.
pub fn push_columns(out: &mut Vec<u8>, texts: &[(&[u8], usize)], numbers: &[(i64, usize)]) {
    let mut line = [b' '; 160];
    match fill_columns(&mut line, texts, numbers) {
        Some(len) => out.extend_from_slice(&line[..len]),
        // Wider than any line ipvsadm prints: column by column.
        None => {
            for &(text, width) in texts {
                out.push(b' ');
                push_left(out, text, width);
            }
            for &(n, width) in numbers {
                out.push(b' ');
                push_int(out, n, width, true);
            }
        }
    }
}

/// [`push_columns`] into `line` (spaces): the length used, `None` if it
/// does not fit.
#[inline]
pub fn fill_columns(line: &mut [u8], texts: &[(&[u8], usize)], numbers: &[(i64, usize)]) -> Option<usize> {
    let mut at = 0;
    for &(text, width) in texts {
        at += 1;
        line.get_mut(at..at + text.len())?.copy_from_slice(text);
        at += text.len().max(width);
    }
    for &(n, width) in numbers {
        at += 1;
        if n < 0 {
            *line.get_mut(at)? = b'-';
        }
        let end = put_decimal(line, at + usize::from(n < 0), n.unsigned_abs())?;
        at = end.max(at + width);
    }
    (at <= line.len()).then_some(at)
}

/// `%-Ns`: `s` then spaces up to `width` bytes.
pub fn push_left(out: &mut Vec<u8>, s: &[u8], width: usize) {
    out.extend_from_slice(s);
    push_spaces(out, width.saturating_sub(s.len()));
}

pub fn protocol_name(p: Protocol) -> &'static str {
    match p {
        Protocol::Tcp => "TCP",
        Protocol::Udp => "UDP",
        Protocol::Sctp => "SCTP",
    }
}

/// The protocol whose service names a service's ports are looked up in;
/// `None` for firewall-mark services, whose ports stay numeric.
pub fn lookup_protocol(key: &ServiceKey) -> Option<Protocol> {
    match key {
        ServiceKey::Addr { protocol, .. } => Some(*protocol),
        ServiceKey::Fwmark { .. } => None,
    }
}

/// Address text limit for `-L` by address family.
pub fn list_limit(addr: &IpAddr) -> usize {
    match addr {
        IpAddr::V4(_) => LIST_MAX_V4,
        IpAddr::V6(_) => MAX_TEXT,
    }
}

/// The name of a service in `-L`: `TCP  192.0.2.1:80`, `SCTP [2001:db8::1]:5060`,
/// `FWM  7`, `FWM  3 IPv6` (the mark printed as a signed number, as ipvsadm does).
/// Appended to `out`.
pub fn push_list_service_name(out: &mut Vec<u8>, key: &ServiceKey, names: &dyn Names) {
    match *key {
        ServiceKey::Addr {
            protocol,
            addr,
            port,
        } => {
            push_left(out, protocol_name(protocol).as_bytes(), 4);
            out.push(b' ');
            let start = out.len();
            push_addr_port(out, names, &addr, port, Some(protocol));
            // (A name looked up may be cut inside a character, as
            // ipvsadm's buffer cuts it: bytes, not text.)
            out.truncate(start + (out.len() - start).min(list_limit(&addr)));
        }
        ServiceKey::Fwmark { family, mark } => {
            out.extend_from_slice(b"FWM  ");
            push_int(out, i64::from(mark as i32), 0, true);
            if family == Family::Inet6 {
                out.extend_from_slice(b" IPv6");
            }
        }
    }
}

/// The address of a real server in `-L` (before padding), appended to
/// `out`.
pub fn push_list_dest_name(out: &mut Vec<u8>, key: &ServiceKey, dest: &Dest, names: &dyn Names) {
    let start = out.len();
    push_addr_port(out, names, &dest.addr, dest.port, lookup_protocol(key));
    out.truncate(start + list_limit(&dest.addr));
}

/// The virtual-service option of `-S`: `-t 192.0.2.1:80`, `-u …`,
/// `--sctp-service …`, `-f 7`, `-f 3 -6`.
pub fn save_service_spec(key: &ServiceKey, names: &dyn Names) -> Vec<u8> {
    let mut out = Vec::new();
    match *key {
        ServiceKey::Addr {
            protocol,
            addr,
            port,
        } => {
            let opt: &[u8] = match protocol {
                Protocol::Tcp => b"-t ",
                Protocol::Udp => b"-u ",
                Protocol::Sctp => b"--sctp-service ",
            };
            out.extend_from_slice(opt);
            let text = addr_port_text(names, &addr, port, Some(protocol));
            out.extend_from_slice(truncated(&text, MAX_TEXT));
        }
        ServiceKey::Fwmark { family, mark } => {
            out.extend_from_slice(format!("-f {}", mark as i32).as_bytes());
            if family == Family::Inet6 {
                out.extend_from_slice(b" -6");
            }
        }
    }
    out
}

/// The address of a real server in `-S`.
pub fn save_dest_name(key: &ServiceKey, dest: &Dest, names: &dyn Names) -> Vec<u8> {
    let mut text = addr_port_bytes(names, &dest.addr, dest.port, lookup_protocol(key));
    text.truncate(MAX_TEXT);
    text
}

/// The column name of a forwarding method. The kernel has no method 4 for
/// real servers; ipvsadm prints C's text for a null string there.
pub fn forward_name(f: Forward) -> &'static str {
    match f {
        Forward::Masq => "Masq",
        Forward::Local => "Local",
        Forward::Tunnel => "Tunnel",
        Forward::Route => "Route",
        Forward::Bypass => "(null)",
    }
}

/// The `-S` option of a forwarding method (Local is saved as `-g`).
pub fn forward_option(f: Forward) -> &'static str {
    match f {
        Forward::Masq => "-m",
        Forward::Local | Forward::Route => "-g",
        Forward::Tunnel => "-i",
        Forward::Bypass => "(null)",
    }
}

pub fn tunnel_type_name(t: TunnelType) -> &'static str {
    match t {
        TunnelType::Ipip => "ipip",
        TunnelType::Gue => "gue",
        TunnelType::Gre => "gre",
    }
}

/// The checksum part of `--tun-info`: `-c`, `+c`, `r+c`. Flags with both
/// bits (which ipvsadm cannot set) show as C's text for a null string.
pub fn tunnel_csum_short(flags: u16) -> &'static str {
    match flags {
        0 => "-c",
        1 => "+c",
        2 => "r+c",
        _ => "(null)",
    }
}

/// The checksum option of `-S`; `None` for flags ipvsadm cannot set (the
/// reference crashes on them).
pub fn tunnel_csum_option(flags: u16) -> Option<&'static str> {
    match flags {
        0 => Some("--tun-nocsum"),
        1 => Some("--tun-csum"),
        2 => Some("--tun-remcsum"),
        _ => None,
    }
}

/// The names of the scheduler flags set on a service, comma-separated, as
/// `-L` shows them in parentheses and `-S` after `-b`; `None` when no
/// scheduler flag is set. `sh` and `mh` name their first two flags and
/// leave out the third; other schedulers show `flag-1` to `flag-3`.
pub fn sched_flags_text(svc: &Service) -> Option<String> {
    let f = svc.flags;
    if !(f.has(ServiceFlags::SCHED1) || f.has(ServiceFlags::SCHED2) || f.has(ServiceFlags::SCHED3))
    {
        return None;
    }
    let names: [Option<&str>; 3] = match svc.scheduler.as_str() {
        "sh" => [Some("sh-fallback"), Some("sh-port"), None],
        "mh" => [Some("mh-fallback"), Some("mh-port"), None],
        _ => [Some("flag-1"), Some("flag-2"), Some("flag-3")],
    };
    let bits = [
        ServiceFlags::SCHED1,
        ServiceFlags::SCHED2,
        ServiceFlags::SCHED3,
    ];
    let parts: Vec<&str> = bits
        .iter()
        .zip(names.iter())
        .filter(|(bit, _)| f.has(**bit))
        .filter_map(|(_, name)| *name)
        .collect();
    Some(parts.join(","))
}

/// The persistence netmask as ipvsadm prints it, or `None` when it is the
/// full mask (255.255.255.255, or 128 for IPv6) and so not printed. IPv6
/// prefix lengths are printed as signed numbers.
pub fn netmask_text(svc: &Service) -> Option<String> {
    match svc.key.family() {
        Family::Inet => {
            (svc.netmask != 0xffff_ffff).then(|| Ipv4Addr::from(svc.netmask).to_string())
        }
        Family::Inet6 => (svc.netmask != 128).then(|| (svc.netmask as i32).to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padding_counts_bytes() {
        let mut v = Vec::new();
        push_left(&mut v, "é".as_bytes(), 4);
        assert_eq!(v, b"\xc3\xa9  ");
        let mut v = Vec::new();
        push_left(&mut v, b"abc", 2);
        assert_eq!(v, b"abc");
    }

    #[test]
    fn integers_as_printf() {
        let text = |n: i64, w, left| {
            let mut out = Vec::new();
            push_int(&mut out, n, w, left);
            String::from_utf8(out).unwrap()
        };
        for n in [0i64, 7, -3, 42, 4_000_000_000, i64::MIN, i64::MAX] {
            for w in [0, 1, 6, 10, 25] {
                assert_eq!(text(n, w, true), format!("{n:<w$}"));
                assert_eq!(text(n, w, false), format!("{n:>w$}"));
            }
        }
    }

    #[test]
    fn truncation_is_by_bytes() {
        assert_eq!(truncated("abcdef", 4), b"abcd");
        assert_eq!(truncated("ab", 4), b"ab");
    }

    /// `%Nd` and `%-Nd` as printf pads them, signs and widths of every kind.
    #[test]
    fn integers_padded_as_printf() {
        for n in [0i64, 7, -7, 42, 999_999, -2_147_483_648, i64::MAX, i64::MIN + 1] {
            for width in [0usize, 1, 6, 10, 28, 70] {
                let mut right = Vec::new();
                push_int(&mut right, n, width, false);
                assert_eq!(String::from_utf8(right).unwrap(), format!("{n:>width$}"));
                let mut left = b"x".to_vec();
                push_int(&mut left, n, width, true);
                assert_eq!(String::from_utf8(left).unwrap(), format!("x{n:<width$}"));
            }
        }
    }
    /// Columns in one piece read as `printf(" %-Ns ... %-Nd ...")` does,
    /// including texts and numbers wider than their columns and lines too
    /// long for the fixed buffer (written column by column then).
    #[test]
    fn columns_as_printf() {
        let long = "t".repeat(100);
        let texts: [&[u8]; 5] = [b"", b"Masq", b"Tunnel", b"gue:6080:csum", long.as_bytes()];
        let numbers = [0i64, 1, -1, 42, 4_294_967_295, -2_147_483_648, i64::MIN, i64::MAX];
        let mut seed = 1u32;
        let mut pick = |n: usize| {
            seed = seed.wrapping_mul(1103515245).wrapping_add(12345);
            (seed >> 8) as usize % n
        };
        for _ in 0..5000 {
            let t: Vec<(&[u8], usize)> = (0..pick(3)).map(|_| (texts[pick(5)], [0, 7, 13][pick(3)])).collect();
            let n: Vec<(i64, usize)> = (0..pick(5)).map(|_| (numbers[pick(8)], [0, 6, 9, 10, 11][pick(5)])).collect();
            let mut out = b"x".to_vec();
            push_columns(&mut out, &t, &n);
            let mut want = String::from("x");
            for (text, w) in &t {
                want += &format!(" {:<w$}", String::from_utf8_lossy(text));
            }
            for (num, w) in &n {
                want += &format!(" {num:<w$}");
            }
            assert_eq!(String::from_utf8(out).unwrap(), want);
        }
    }
}
