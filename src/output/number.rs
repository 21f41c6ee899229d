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

/// One `--stats`/`--rate` column: `exact` is `--exact`.
pub fn large_number(n: u64, exact: bool) -> String {
    const K: u64 = 1_000;
    const M: u64 = 1_000_000;
    const G: u64 = 1_000_000_000;
    const T: u64 = 1_000_000_000_000;
    if exact || n < 100_000_000 {
        format!(" {:>8}", n)
    } else if n < 1_000_000_000 {
        format!("{:>8}K", n / K)
    } else if n < 100_000_000_000 {
        format!("{:>8}M", n / M)
    } else if n < 100_000_000_000_000 {
        format!("{:>8}G", n / G)
    } else {
        format!("{:>8}T", n / T)
    }
}

/// A column that is never abbreviated: the connection and packet rates of a
/// real server in `--rate` (one space, then right-aligned in eight).
pub fn plain_number(n: u64) -> String {
    format!(" {:>8}", n)
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
