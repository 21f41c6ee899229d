//! Counters and rates in the `--stats` and `--rate` columns.
//!
//! Every column is nine characters wide including the space that separates
//! it from the one before. Without `--exact`, numbers of nine digits or more
//! are divided and get a unit letter: K (thousands) from 100,000,000, M
//! (millions) from 1,000,000,000, G (thousands of millions) from
//! 100,000,000,000 and T (millions of millions) from 100,000,000,000,000. The
//! quotient is truncated, not rounded, and right-aligned in eight characters
//! before the letter, so a number too wide for that runs into the column
//! before it (it has no separating space left). With `--exact` the whole
//! number is printed after one space, right-aligned in eight characters when
//! shorter.
//!
//! Observed with the reference ipvsadm 1.31 (counters forced to chosen
//! values), e.g. 99999999 -> ` 99999999`, 100000000 -> `  100000K`,
//! 999999999 -> `  999999K`, 1000000000 -> `    1000M`, 99999999999 ->
//! `   99999M`, 100000000000 -> `     100G`, 100000000000000 -> `     100T`,
//! 18446744073709551615 -> `18446744T`.

use super::text::{decimal_len, put_decimal};

/// One `--stats`/`--rate` column: `exact` is `--exact`.
pub fn large_number(n: u64, exact: bool) -> String {
    let mut out = Vec::with_capacity(12);
    push_large_number(&mut out, n, exact);
    String::from_utf8(out).unwrap_or_default()
}

/// [`large_number`] appended to `out`.
pub fn push_large_number(out: &mut Vec<u8>, n: u64, exact: bool) {
    const K: u64 = 1_000;
    const M: u64 = 1_000_000;
    const G: u64 = 1_000_000_000;
    const T: u64 = 1_000_000_000_000;
    let (n, unit) = if exact || n < 100_000_000 {
        out.push(b' ');
        (n, None)
    } else if n < 1_000_000_000 {
        (n / K, Some(b'K'))
    } else if n < 100_000_000_000 {
        (n / M, Some(b'M'))
    } else if n < 100_000_000_000_000 {
        (n / G, Some(b'G'))
    } else {
        (n / T, Some(b'T'))
    };
    push_column(out, n, unit);
}

/// `n` right-aligned in eight characters, then `unit`: put together on the
/// stack and appended in one piece (five of these make each line of a
/// `--stats` listing).
fn push_column(out: &mut Vec<u8>, n: u64, unit: Option<u8>) {
    let mut column = [b' '; 21];
    let start = 8usize.saturating_sub(decimal_len(n));
    // (A u64 has at most 20 digits: they and the unit fit.)
    let end = put_decimal(&mut column, start, n).unwrap_or(start);
    let used = match unit {
        Some(u) => {
            column[end] = u;
            end + 1
        }
        None => end,
    };
    out.extend_from_slice(&column[..used]);
}

/// A column that is never abbreviated: the connection and packet rates of a
/// real server in `--rate` (one space, then right-aligned in eight).
#[cfg(test)]
pub fn plain_number(n: u64) -> String {
    let mut out = Vec::with_capacity(12);
    push_plain_number(&mut out, n);
    String::from_utf8(out).unwrap_or_default()
}

/// [`plain_number`] appended to `out`.
pub fn push_plain_number(out: &mut Vec<u8>, n: u64) {
    out.push(b' ');
    push_column(out, n, None);
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expected strings from the reference: `ipvsadm -L -n --stats` and
    // `--stats --exact` with all counters of a service forced to the value.
    #[test]
    fn boundaries() {
        let cases: &[(u64, &str, &str)] = &[
            (0, "        0", "        0"),
            (1, "        1", "        1"),
            (9999999, "  9999999", "  9999999"),
            (99999999, " 99999999", " 99999999"),
            (100000000, "  100000K", " 100000000"),
            (100000001, "  100000K", " 100000001"),
            (999999999, "  999999K", " 999999999"),
            (1000000000, "    1000M", " 1000000000"),
            (1000499999, "    1000M", " 1000499999"),
            (1000500000, "    1000M", " 1000500000"),
            (9999999999, "    9999M", " 9999999999"),
            (99999999999, "   99999M", " 99999999999"),
            (100000000000, "     100G", " 100000000000"),
            (999999999999, "     999G", " 999999999999"),
            (1000000000000, "    1000G", " 1000000000000"),
            (99999999999999, "   99999G", " 99999999999999"),
            (100000000000000, "     100T", " 100000000000000"),
            (999999999999999, "     999T", " 999999999999999"),
            (1000000000000000, "    1000T", " 1000000000000000"),
            (99999999999999999, "   99999T", " 99999999999999999"),
            (100000000000000000, "  100000T", " 100000000000000000"),
            (999999999999999999, "  999999T", " 999999999999999999"),
            (9999999999999999999, " 9999999T", " 9999999999999999999"),
            (u64::MAX, "18446744T", " 18446744073709551615"),
        ];
        for &(n, rounded, exact) in cases {
            assert_eq!(large_number(n, false), rounded, "{}", n);
            assert_eq!(large_number(n, true), exact, "{} exact", n);
        }
    }

    // `ipvsadm -L -n --rate`, real server with CPS 4294967295.
    #[test]
    fn plain() {
        assert_eq!(plain_number(0), "        0");
        assert_eq!(plain_number(100000000), " 100000000");
        assert_eq!(plain_number(4294967295), " 4294967295");
    }
}
