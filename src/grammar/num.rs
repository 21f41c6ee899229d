//! Numbers and IPv4 addresses as ipvsadm reads them (C library rules:
//! leading white space, an optional sign, decimal digits; `inet_aton` for
//! addresses), written from the observed behaviour of ipvsadm 1.31.

use std::net::Ipv4Addr;

/// White space as C's `isspace` sees it in the C locale.
pub(crate) fn is_c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r')
}

/// A whole string read as a decimal integer: leading white space, then an
/// optional `+` or `-`, then at least one digit, and nothing after the
/// digits. Values beyond `i64` are clamped (they fail every range check
/// ipvsadm makes anyway). `None` when the text is not a number.
pub(crate) fn decimal(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() && is_c_space(b[i]) {
        i += 1;
    }
    let mut negative = false;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        negative = b[i] == b'-';
        i += 1;
    }
    let start = i;
    let mut value: i64 = 0;
    let mut clamped = false;
    while i < b.len() && b[i].is_ascii_digit() {
        let digit = i64::from(b[i] - b'0');
        match value.checked_mul(10).and_then(|v| v.checked_add(digit)) {
            Some(v) if !clamped => value = v,
            _ => clamped = true,
        }
        i += 1;
    }
    if i == start || i != b.len() {
        return None;
    }
    Some(match (clamped, negative) {
        (true, false) => i64::MAX,
        (true, true) => i64::MIN,
        (false, false) => value,
        (false, true) => -value,
    })
}

/// A whole string as a decimal integer within `min..=max`.
pub(crate) fn decimal_in(s: &str, min: i64, max: i64) -> Option<i64> {
    decimal(s).filter(|v| (min..=max).contains(v))
}

/// C's `atoi`: the leading decimal number of a string (after white space
/// and a sign), 0 when there is none, with the C library's conversion of
/// an out-of-range `long` to `int` (keeping the low 32 bits).
pub(crate) fn atoi(s: &str) -> i32 {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() && is_c_space(b[i]) {
        i += 1;
    }
    let mut negative = false;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        negative = b[i] == b'-';
        i += 1;
    }
    let mut value: i64 = 0;
    let mut clamped = false;
    while i < b.len() && b[i].is_ascii_digit() {
        let digit = i64::from(b[i] - b'0');
        match value.checked_mul(10).and_then(|v| v.checked_add(digit)) {
            Some(v) if !clamped => value = v,
            _ => clamped = true,
        }
        i += 1;
    }
    let long = match (clamped, negative) {
        (true, false) => i64::MAX,
        (true, true) => i64::MIN,
        (false, false) => value,
        (false, true) => -value,
    };
    long as i32
}

/// One part of an `inet_aton` address starting at `b[i]`, which must be a
/// digit: hexadecimal after `0x`, octal after a leading `0`, else decimal.
/// Returns the value and the index after it; `None` on overflow.
fn c_number(b: &[u8], mut i: usize) -> Option<(u64, usize)> {
    let hex = b[i] == b'0'
        && matches!(b.get(i + 1), Some(b'x') | Some(b'X'))
        && b.get(i + 2).is_some_and(|c| c.is_ascii_hexdigit());
    let base: u64 = if hex {
        i += 2;
        16
    } else if b[i] == b'0' {
        8
    } else {
        10
    };
    let mut value: u64 = 0;
    while i < b.len() {
        let d = match b[i] {
            c @ b'0'..=b'9' => u64::from(c - b'0'),
            c @ b'a'..=b'f' => u64::from(c - b'a' + 10),
            c @ b'A'..=b'F' => u64::from(c - b'A' + 10),
            _ => break,
        };
        if d >= base {
            break;
        }
        value = value.checked_mul(base)?.checked_add(d)?;
        i += 1;
    }
    Some((value, i))
}

/// The C library's `inet_aton`: one to four parts separated by dots, each
/// decimal, octal (leading 0) or hexadecimal (0x); the last part fills the
/// remaining bytes. The text may end at white space (the rest is ignored).
pub(crate) fn inet_aton(s: &str) -> Option<Ipv4Addr> {
    let b = s.as_bytes();
    // (On the stack: every real server of a restore file has an address.)
    let mut parts = [0u64; 4];
    let mut n = 0;
    let mut i = 0;
    loop {
        if i >= b.len() || !b[i].is_ascii_digit() {
            return None;
        }
        let (value, next) = c_number(b, i)?;
        i = next;
        if i < b.len() && b[i] == b'.' {
            if n >= 3 || value > 0xff {
                return None;
            }
            parts[n] = value;
            n += 1;
            i += 1;
            continue;
        }
        parts[n] = value;
        n += 1;
        break;
    }
    if i < b.len() && !(b[i].is_ascii() && is_c_space(b[i])) {
        return None;
    }
    let last = parts[n - 1];
    let (prefix, last_max) = match n {
        1 => (0u64, 0xffff_ffffu64),
        2 => (parts[0] << 24, 0x00ff_ffff),
        3 => ((parts[0] << 24) | (parts[1] << 16), 0xffff),
        _ => ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8), 0xff),
    };
    if last > last_max {
        return None;
    }
    Some(Ipv4Addr::from((prefix | last) as u32))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_accepts_what_strtol_accepts_whole() {
        assert_eq!(decimal("5"), Some(5));
        assert_eq!(decimal(" 5"), Some(5));
        assert_eq!(decimal("\t\n\x0b5"), Some(5));
        assert_eq!(decimal("+5"), Some(5));
        assert_eq!(decimal(" +5"), Some(5));
        assert_eq!(decimal("-0"), Some(0));
        assert_eq!(decimal("-7"), Some(-7));
        assert_eq!(decimal("010"), Some(10));
        assert_eq!(decimal("99999999999999999999"), Some(i64::MAX));
        assert_eq!(decimal("-99999999999999999999"), Some(i64::MIN));
    }

    #[test]
    fn decimal_rejects_the_rest() {
        for s in ["", " ", "+", "-", "5 ", "5x", "0x10", "+-5", "1e3", "five"] {
            assert_eq!(decimal(s), None, "{s:?}");
        }
    }

    #[test]
    fn atoi_reads_a_prefix() {
        assert_eq!(atoi("64"), 64);
        assert_eq!(atoi("64x"), 64);
        assert_eq!(atoi(" +64"), 64);
        assert_eq!(atoi("064"), 64);
        assert_eq!(atoi("0x40"), 0);
        assert_eq!(atoi(""), 0);
        assert_eq!(atoi("abc"), 0);
        assert_eq!(atoi("-3"), -3);
        assert_eq!(atoi("99999999999999999999"), -1);
        assert_eq!(atoi("4294967360"), 64);
    }

    fn aton(s: &str) -> Option<String> {
        inet_aton(s).map(|a| a.to_string())
    }

    #[test]
    fn inet_aton_forms() {
        assert_eq!(aton("192.0.2.1").as_deref(), Some("192.0.2.1"));
        assert_eq!(aton("192.0.2").as_deref(), Some("192.0.0.2"));
        assert_eq!(aton("1.2").as_deref(), Some("1.0.0.2"));
        assert_eq!(aton("10").as_deref(), Some("0.0.0.10"));
        assert_eq!(aton("3232235777").as_deref(), Some("192.168.1.1"));
        assert_eq!(aton("4294967295").as_deref(), Some("255.255.255.255"));
        assert_eq!(aton("0x7f.1").as_deref(), Some("127.0.0.1"));
        assert_eq!(aton("0XFF.1").as_deref(), Some("255.0.0.1"));
        assert_eq!(aton("0177.0.0.1").as_deref(), Some("127.0.0.1"));
        assert_eq!(aton("010").as_deref(), Some("0.0.0.8"));
        assert_eq!(aton("1.2.3.04").as_deref(), Some("1.2.3.4"));
        assert_eq!(aton("00000000000000000000001.2.3.4").as_deref(), Some("1.2.3.4"));
        assert_eq!(aton("0xffffffff").as_deref(), Some("255.255.255.255"));
        assert_eq!(aton("1.16777215").as_deref(), Some("1.255.255.255"));
        assert_eq!(aton("1.2.65535").as_deref(), Some("1.2.255.255"));
        assert_eq!(aton("0x0").as_deref(), Some("0.0.0.0"));
        // White space ends the address; anything after it is ignored.
        assert_eq!(aton("192.0.2.1 ").as_deref(), Some("192.0.2.1"));
        assert_eq!(aton("192.0.2.1 x").as_deref(), Some("192.0.2.1"));
        assert_eq!(aton("10\t").as_deref(), Some("0.0.0.10"));
        assert_eq!(aton("1 2").as_deref(), Some("0.0.0.1"));
    }

    #[test]
    fn inet_aton_rejects() {
        for s in [
            "", " 1.2.3.4", "1.", "10.", "1.2.3.4.", "1..2", "1.2.3.4.5", "1.2.3.256", "256.1",
            "4294967296", "0x100000000", "1.16777216", "1.2.65536", "0x", "08", "1.2.3.09", "1.0x",
            "0x1g", "1e", "+10", "-10", "1.2.3.4\x01", "localhost", "[1.2.3.4]",
        ] {
            assert_eq!(aton(s), None, "{s:?}");
        }
    }
}
