//! The order in which ipvsadm lists services and real servers.
//!
//! Found by observation (many services and real servers with random
//! addresses, ports, protocols and marks, listed with and without
//! `--nosort`): ipvsadm compares
//!
//! * services by firewall mark (0 for address services), then address
//!   family (IPv4 before IPv6), then protocol number (TCP 6, UDP 17,
//!   SCTP 132), then address, then port;
//! * real servers by address, then port, whatever their family;
//!
//! where marks and addresses are compared by the sign of their 32-bit
//! difference, which wraps: 192.0.2.1 counts as less than 10.0.0.1
//! (0xc0000201 - 0x0a000001 is negative as a signed 32-bit number) and the
//! comparison is not even transitive (192.0.2.1 < 255.255.255.254 <
//! 0.0.0.1 < 128.0.0.1 < 192.0.2.1). An address is four 32-bit words in
//! network order (IPv4: one word, then three zero words), compared word by
//! word, as many words as the left-hand address has (so a tunnelled IPv4
//! real server and an IPv6 one with the same first 32 bits compare equal up
//! to the port one way round, and the IPv4 one first the other way round);
//! ports and family/protocol numbers are plain differences.
//!
//! Because the comparison is not an order, the result depends on the sort
//! algorithm and on the order the kernel returned the entries in. ipvsadm
//! uses the C library's sort, which for these tables is a stable top-down
//! merge sort (split at n/2, the left run wins ties); [`merge_sort`] does the
//! same, so the same kernel order gives the same listing.

use std::cmp::Ordering;
use std::net::IpAddr;

use crate::model::{Dest, Family, ServiceEntry, ServiceKey};

/// The four 32-bit words of an address, as compared.
fn words(addr: &IpAddr) -> [u32; 4] {
    match addr {
        IpAddr::V4(a) => [u32::from(*a), 0, 0, 0],
        IpAddr::V6(a) => {
            let o = a.octets();
            let w = |i: usize| u32::from_be_bytes([o[i], o[i + 1], o[i + 2], o[i + 3]]);
            [w(0), w(4), w(8), w(12)]
        }
    }
}

/// Sign of a 32-bit difference that wraps, as a C `int` subtraction does.
fn wrapping_sign(a: u32, b: u32) -> Ordering {
    (a.wrapping_sub(b) as i32).cmp(&0)
}

#[cfg(test)]
/// Compares as many words as the left-hand address has (one for IPv4, four
/// for IPv6): an IPv4 real server and an IPv6 one whose first 32 bits are
/// the same compare equal (up to the port) one way round and not the other.
fn compare_addrs(a: &IpAddr, b: &IpAddr) -> Ordering {
    let (wa, wb) = (words(a), words(b));
    let n = match a {
        IpAddr::V4(_) => 1,
        IpAddr::V6(_) => 4,
    };
    for i in 0..n {
        let r = wrapping_sign(wa[i], wb[i]);
        if r != Ordering::Equal {
            return r;
        }
    }
    Ordering::Equal
}

fn family_number(f: Family) -> u32 {
    match f {
        Family::Inet => 2,
        Family::Inet6 => 10,
    }
}

/// What ipvsadm compares of a service or a real server, taken out once
/// for each entry: a sort compares every entry many times.
#[derive(Clone, Copy)]
struct SortKey {
    mark: u32,
    family: u32,
    protocol: u32,
    words: [u32; 4],
    /// How many of `words` count when this is the left-hand side.
    nwords: usize,
    port: u16,
}

impl SortKey {
    fn service(k: &ServiceKey) -> SortKey {
        // Address services have mark 0, firewall-mark services the
        // unspecified address, port 0 and no protocol.
        let (mark, protocol, addr, port) = match *k {
            ServiceKey::Addr { protocol, addr, port } => (0, u32::from(protocol.number()), addr, port),
            ServiceKey::Fwmark { family, mark } => (mark, 0, family.any(), 0),
        };
        SortKey { mark, family: family_number(k.family()), protocol, ..SortKey::addr(&addr, port) }
    }

    /// A real server: its address and port only.
    fn addr(addr: &IpAddr, port: u16) -> SortKey {
        let nwords = if addr.is_ipv4() { 1 } else { 4 };
        SortKey { mark: 0, family: 0, protocol: 0, words: words(addr), nwords, port }
    }

    fn compare(&self, b: &SortKey) -> Ordering {
        wrapping_sign(self.mark, b.mark)
            .then_with(|| self.family.cmp(&b.family))
            .then_with(|| self.protocol.cmp(&b.protocol))
            .then_with(|| {
                for i in 0..self.nwords {
                    let r = wrapping_sign(self.words[i], b.words[i]);
                    if r != Ordering::Equal {
                        return r;
                    }
                }
                Ordering::Equal
            })
            .then_with(|| self.port.cmp(&b.port))
    }
}

/// The indexes of `keys` in listing order.
fn order_of(keys: &[SortKey]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..keys.len()).collect();
    merge_sort(&mut order, &|&a: &usize, &b: &usize| keys[a].compare(&keys[b]));
    order
}

/// ipvsadm's comparison of two services (see the module documentation).
pub fn compare_services(a: &ServiceKey, b: &ServiceKey) -> Ordering {
    SortKey::service(a).compare(&SortKey::service(b))
}

/// The former, direct form of [`compare_services`], kept to prove the keys
/// compare the same.
#[cfg(test)]
fn compare_services_directly(a: &ServiceKey, b: &ServiceKey) -> Ordering {
    // (mark, protocol number, address, port); address services have mark 0,
    // firewall-mark services the unspecified address, port 0 and no protocol.
    fn parts(k: &ServiceKey) -> (u32, u32, IpAddr, u16) {
        match *k {
            ServiceKey::Addr {
                protocol,
                addr,
                port,
            } => (0, u32::from(protocol.number()), addr, port),
            ServiceKey::Fwmark { family, mark } => (mark, 0, family.any(), 0),
        }
    }
    let (ma, pa, aa, porta) = parts(a);
    let (mb, pb, ab, portb) = parts(b);
    wrapping_sign(ma, mb)
        .then_with(|| family_number(a.family()).cmp(&family_number(b.family())))
        .then_with(|| pa.cmp(&pb))
        .then_with(|| compare_addrs(&aa, &ab))
        .then_with(|| porta.cmp(&portb))
}

/// ipvsadm's comparison of two real servers (see the module documentation).
pub fn compare_dests(a: &Dest, b: &Dest) -> Ordering {
    SortKey::addr(&a.addr, a.port).compare(&SortKey::addr(&b.addr, b.port))
}

/// The former, direct form of [`compare_dests`] (see
/// [`compare_services_directly`]).
#[cfg(test)]
fn compare_dests_directly(a: &Dest, b: &Dest) -> Ordering {
    compare_addrs(&a.addr, &b.addr).then_with(|| a.port.cmp(&b.port))
}

/// A stable top-down merge sort that splits at `n / 2` and takes from the
/// left run unless it compares greater: the same sequence of comparisons,
/// and so the same result for a comparison that is not an order, as the C
/// library's `qsort` on the reference system.
pub fn merge_sort<T, F>(items: &mut [T], cmp: &F)
where
    T: Copy,
    F: Fn(&T, &T) -> Ordering,
{
    // One scratch buffer for every merge; on the stack for the few real
    // servers of a service (a listing sorts thousands of such lists).
    match items.len() {
        0 | 1 => {}
        2..=16 => {
            let mut scratch = [items[0]; 16];
            merge_sort_with(items, cmp, &mut scratch);
        }
        _ => merge_sort_with(items, cmp, &mut items.to_vec()),
    }
}

fn merge_sort_with<T, F>(items: &mut [T], cmp: &F, scratch: &mut [T])
where
    T: Copy,
    F: Fn(&T, &T) -> Ordering,
{
    let n = items.len();
    if n <= 1 {
        return;
    }
    let n1 = n / 2;
    merge_sort_with(&mut items[..n1], cmp, scratch);
    merge_sort_with(&mut items[n1..], cmp, scratch);
    let (mut i, mut j, mut k) = (0, n1, 0);
    while i < n1 && j < n {
        if cmp(&items[i], &items[j]) != Ordering::Greater {
            scratch[k] = items[i];
            i += 1;
        } else {
            scratch[k] = items[j];
            j += 1;
        }
        k += 1;
    }
    // What is left of the right run is already in place.
    scratch[k..k + n1 - i].copy_from_slice(&items[i..n1]);
    k += n1 - i;
    items[..k].copy_from_slice(&scratch[..k]);
}

/// The services in listing order (kernel order with `--nosort`).
pub fn services_in_order(entries: &[ServiceEntry], nosort: bool) -> Vec<&ServiceEntry> {
    if nosort {
        return entries.iter().collect();
    }
    let keys: Vec<SortKey> = entries.iter().map(|e| SortKey::service(&e.service.key)).collect();
    order_of(&keys).into_iter().map(|i| &entries[i]).collect()
}

/// The listing order of services as the kernel listed them (their keys):
/// their indexes, in the order `services_in_order` gives their entries.
pub fn services_order<'a>(keys: impl Iterator<Item = &'a ServiceKey>, nosort: bool) -> Vec<usize> {
    let keys: Vec<&ServiceKey> = keys.collect();
    if nosort {
        return (0..keys.len()).collect();
    }
    // The usual table, IPv4 address services only, in one 128-bit word
    // each: protocol, address, port and index, compared as
    // SortKey::compare compares two such services (the index is not
    // compared); in a sixth of the room and time of the general keys.
    let word = |(i, k): (usize, &&ServiceKey)| match **k {
        ServiceKey::Addr { protocol, addr: IpAddr::V4(a), port } if u32::try_from(i).is_ok() => Some(
            u128::from(protocol.number()) << 80 | u128::from(u32::from(a)) << 48 | u128::from(port) << 32 | i as u128,
        ),
        _ => None,
    };
    if let Some(mut words) = keys.iter().enumerate().map(word).collect::<Option<Vec<u128>>>() {
        let protocol = |x: u128| (x >> 80) as u16;
        let addr = |x: u128| (x >> 48) as u32;
        let port = |x: u128| (x >> 32) as u16;
        merge_sort(&mut words, &|&a: &u128, &b: &u128| {
            protocol(a)
                .cmp(&protocol(b))
                .then_with(|| wrapping_sign(addr(a), addr(b)))
                .then_with(|| port(a).cmp(&port(b)))
        });
        return words.into_iter().map(|x| x as u32 as usize).collect();
    }
    let keys: Vec<SortKey> = keys.into_iter().map(SortKey::service).collect();
    order_of(&keys)
}

/// The real servers of a service in listing order.
pub fn dests_in_order(dests: &[Dest], nosort: bool) -> impl Iterator<Item = &Dest> {
    // Keys taken once; short indexes sorted (a merge sort moves them
    // often); on the stack for the few IPv4 real servers of most services
    // (a listing sorts thousands of such lists).
    let order = match dests.len() {
        0..=FEW if dests.iter().all(|d| d.addr.is_ipv4()) => {
            // The usual case, in one 64-bit word each: the address, the
            // port and the index, compared as SortKey::compare compares two
            // IPv4 real servers (the index is not compared).
            let mut items = [0u64; FEW];
            for (i, (item, d)) in items.iter_mut().zip(dests).enumerate() {
                if let IpAddr::V4(a) = d.addr {
                    *item = u64::from(u32::from(a)) << 32 | u64::from(d.port) << 16 | i as u64;
                }
            }
            if !nosort {
                sort_ipv4(&mut items[..dests.len()]);
            }
            Order::Few(items.map(|x| x as u8).into_iter().take(dests.len()))
        }
        _ => {
            let keys: Vec<SortKey> = dests.iter().map(|d| SortKey::addr(&d.addr, d.port)).collect();
            let mut order: Vec<u32> = (0..dests.len() as u32).collect();
            if !nosort {
                merge_sort(&mut order, &|&a: &u32, &b: &u32| keys[a as usize].compare(&keys[b as usize]));
            }
            Order::Many(order.into_iter())
        }
    };
    order.filter_map(|i| dests.get(i))
}

/// Sorts IPv4 real servers as `dests_in_order` does, each an address,
/// port and index in one word (see there).
fn sort_ipv4(items: &mut [u64]) {
    let addr = |x: u64| (x >> 32) as u32;
    let port = |x: u64| (x >> 16) as u16;
    let cmp = |&a: &u64, &b: &u64| wrapping_sign(addr(a), addr(b)).then_with(|| port(a).cmp(&port(b)));
    // Addresses less than half the address space apart compare as numbers
    // (their difference never wraps): the comparison is then an order, and
    // entries already in order (the kernel's, for real servers added in
    // order, is the reverse) stay as they are, or are reversed, as the
    // merge sort would leave them.
    let lowest = items.iter().map(|&x| addr(x)).min().unwrap_or(0);
    let highest = items.iter().map(|&x| addr(x)).max().unwrap_or(0);
    if highest - lowest < 1 << 31 {
        if items.windows(2).all(|w| cmp(&w[0], &w[1]) != Ordering::Greater) {
            return;
        }
        if items.windows(2).all(|w| cmp(&w[0], &w[1]) == Ordering::Greater) {
            items.reverse();
            return;
        }
    }
    merge_sort(items, &cmp);
}

/// Up to how many real servers are sorted on the stack.
const FEW: usize = 16;

/// Indexes in listing order.
enum Order {
    Few(std::iter::Take<std::array::IntoIter<u8, FEW>>),
    Many(std::vec::IntoIter<u32>),
}

impl Iterator for Order {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        match self {
            Order::Few(i) => i.next().map(usize::from),
            Order::Many(i) => i.next().map(|i| i as usize),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Protocol, Service};

    fn tcp(s: &str) -> ServiceKey {
        let (host, port) = s.rsplit_once(':').unwrap();
        ServiceKey::Addr {
            protocol: Protocol::Tcp,
            addr: host.trim_matches(|c| c == '[' || c == ']').parse().unwrap(),
            port: port.parse().unwrap(),
        }
    }

    fn key(s: &str) -> ServiceKey {
        if let Some(rest) = s.strip_prefix("FWM ") {
            let (mark, v6) = match rest.strip_suffix(" IPv6") {
                Some(m) => (m, true),
                None => (rest, false),
            };
            let mark = mark.trim().parse::<i64>().unwrap() as u32;
            let family = if v6 { Family::Inet6 } else { Family::Inet };
            return ServiceKey::Fwmark { family, mark };
        }
        let (proto, addr) = s.split_once(' ').unwrap();
        let k = tcp(addr.trim());
        match (proto, k) {
            ("TCP", k) => k,
            (p, ServiceKey::Addr { addr, port, .. }) => ServiceKey::Addr {
                protocol: if p == "UDP" {
                    Protocol::Udp
                } else {
                    Protocol::Sctp
                },
                addr,
                port,
            },
            _ => unreachable!(),
        }
    }

    fn entries(keys: &[&str]) -> Vec<ServiceEntry> {
        keys.iter()
            .map(|k| ServiceEntry {
                service: Service::new(key(k)),
                dests: vec![],
            })
            .collect()
    }

    fn text(k: &ServiceKey) -> String {
        match *k {
            ServiceKey::Addr {
                protocol,
                addr,
                port,
            } => {
                let p = match protocol {
                    Protocol::Tcp => "TCP",
                    Protocol::Udp => "UDP",
                    Protocol::Sctp => "SCTP",
                };
                match addr {
                    IpAddr::V4(a) => format!("{} {}:{}", p, a, port),
                    IpAddr::V6(a) => format!("{} [{}]:{}", p, a, port),
                }
            }
            ServiceKey::Fwmark { family, mark } => match family {
                Family::Inet => format!("FWM {}", mark as i32),
                Family::Inet6 => format!("FWM {} IPv6", mark as i32),
            },
        }
    }

    // Reference: services added in the VM, `ipvsadm -L -n --nosort` (kernel
    // order, first list) and `ipvsadm -L -n` (second list). The comparison
    // is not transitive here (IPv4 addresses on both sides of 128.0.0.0),
    // so only the same merge sort reproduces the second list.
    #[test]
    fn services_like_reference() {
        let kernel = [
            "TCP 127.0.0.2:80",
            "TCP [::192.0.2.1]:80",
            "TCP [::1]:80",
            "TCP 192.0.2.1:80",
            "TCP 0.0.0.1:80",
            "TCP 1.0.0.1:80",
            "TCP 128.0.0.1:80",
            "TCP 100.64.0.1:80",
            "TCP 10.0.0.1:80",
            "SCTP [2001:db8::1]:1",
            "TCP 192.0.2.1:1024",
            "TCP 192.0.2.2:1",
            "TCP 192.0.2.1:1",
            "TCP 192.0.2.1:256",
            "TCP 192.0.2.1:65535",
            "TCP [2001:db8::ffff:ffff]:80",
            "TCP [2001:db7::1]:80",
            "TCP [ff01:db9::1]:80",
            "TCP [3001:db9::1]:80",
            "TCP [2001:db9::1]:80",
            "TCP [2001:db8::1:0]:80",
            "TCP [2001:db8:ffff::1]:80",
            "TCP [2001:db8:8000::1]:80",
            "TCP [2001:db8::1]:80",
            "TCP [2001:db8::8000:0:0:1]:80",
            "TCP [::ffff:192.0.2.1]:80",
            "TCP 255.255.255.254:80",
            "UDP [2001:db8::1]:1",
            "TCP [2001:db8::1]:1",
            "TCP [2001:db8::1]:256",
            "TCP 192.0.2.1:32767",
            "TCP 192.0.2.1:32768",
            "FWM -2147483648",
            "FWM 2 IPv6",
            "FWM 3",
            "FWM 3 IPv6",
            "FWM 2147483647",
            "FWM -1",
        ];
        let sorted = [
            "TCP 192.0.2.1:1",
            "TCP 192.0.2.1:256",
            "TCP 192.0.2.1:1024",
            "TCP 192.0.2.1:32767",
            "TCP 192.0.2.1:32768",
            "TCP 192.0.2.1:65535",
            "TCP 192.0.2.2:1",
            "TCP 255.255.255.254:80",
            "TCP 0.0.0.1:80",
            "TCP 1.0.0.1:80",
            "TCP 10.0.0.1:80",
            "TCP 100.64.0.1:80",
            "TCP 127.0.0.2:80",
            "TCP 128.0.0.1:80",
            "TCP 192.0.2.1:80",
            "TCP [ff01:db9::1]:80",
            "TCP [::192.0.2.1]:80",
            "TCP [::1]:80",
            "TCP [::ffff:192.0.2.1]:80",
            "TCP [2001:db7::1]:80",
            "TCP [2001:db8::ffff:ffff]:80",
            "TCP [2001:db8::1]:1",
            "TCP [2001:db8::1]:80",
            "TCP [2001:db8::1]:256",
            "TCP [2001:db8::1:0]:80",
            "TCP [2001:db8:8000::1]:80",
            "TCP [2001:db8:ffff::1]:80",
            "TCP [2001:db8::8000:0:0:1]:80",
            "TCP [2001:db9::1]:80",
            "TCP [3001:db9::1]:80",
            "UDP [2001:db8::1]:1",
            "SCTP [2001:db8::1]:1",
            "FWM 2 IPv6",
            "FWM 3",
            "FWM 3 IPv6",
            "FWM 2147483647",
            "FWM -2147483648",
            "FWM -1",
        ];
        let e = entries(&kernel);
        let got: Vec<String> = services_in_order(&e, false)
            .iter()
            .map(|s| text(&s.service.key))
            .collect();
        let want: Vec<String> = sorted.iter().map(|s| text(&key(s))).collect();
        assert_eq!(got, want);
        let nosort: Vec<String> = services_in_order(&e, true)
            .iter()
            .map(|s| text(&s.service.key))
            .collect();
        let kernel_text: Vec<String> = kernel.iter().map(|s| text(&key(s))).collect();
        assert_eq!(nosort, kernel_text);
    }

    // Reference: IPv4 before IPv6 for address services, protocols in number
    // order (`ipvsadm -L -n` after adding these in another order).
    #[test]
    fn family_then_protocol() {
        let e = entries(&[
            "TCP [2001:db8::1]:80",
            "SCTP 198.51.100.1:5000",
            "UDP 192.0.2.1:53",
            "FWM 1",
            "TCP 192.0.2.1:80",
        ]);
        let got: Vec<String> = services_in_order(&e, false)
            .iter()
            .map(|s| text(&s.service.key))
            .collect();
        assert_eq!(
            got,
            [
                "TCP 192.0.2.1:80",
                "UDP 192.0.2.1:53",
                "SCTP 198.51.100.1:5000",
                "TCP [2001:db8::1]:80",
                "FWM 1"
            ]
        );
    }

    fn dest(s: &str) -> Dest {
        let (host, port) = s.rsplit_once(':').unwrap();
        Dest::new(
            host.trim_matches(|c| c == '[' || c == ']').parse().unwrap(),
            port.parse().unwrap(),
        )
    }

    // Reference: tunnel real servers of both families in one service; the
    // IPv4 address 32.1.13.184 has the same first word as 2001:db8::/32.
    // Services 192.0.2.1-6 and [2001:db8::1-6]:80 with these two real
    // servers added in both orders (the kernel lists the newest first, and
    // gives tunnelled real servers the service's port): IPv4 first either
    // way. Then [2001:db8::1]:80 with 32.1.13.184, 192.0.2.5 and
    // [2001:db8:ffff::5]:80 added in that order: the IPv4 one with the same
    // first word sorts after the IPv6 one.
    #[test]
    fn mixed_family_dests() {
        let cases: [(&[&str], &[&str]); 3] = [
            (
                &["[2001:db8::5]:80", "32.1.13.184:80"],
                &["32.1.13.184:80", "[2001:db8::5]:80"],
            ),
            (
                &["32.1.13.184:80", "[2001:db8::5]:80"],
                &["32.1.13.184:80", "[2001:db8::5]:80"],
            ),
            (
                &["[2001:db8:ffff::5]:80", "192.0.2.5:80", "32.1.13.184:80"],
                &["192.0.2.5:80", "[2001:db8:ffff::5]:80", "32.1.13.184:80"],
            ),
        ];
        for (kernel, want) in cases {
            let d: Vec<Dest> = kernel.iter().map(|s| dest(s)).collect();
            let got: Vec<Dest> = dests_in_order(&d, false).cloned().collect();
            let want: Vec<Dest> = want.iter().map(|s| dest(s)).collect();
            assert_eq!(got, want);
        }
    }

    /// Tables of IPv4 address services only (sorted in words) come in the
    /// order of the general keys.
    #[test]
    fn services_in_words_as_by_keys() {
        let mut seed = 11u32;
        let mut pick = |n: u32| {
            seed = seed.wrapping_mul(1103515245).wrapping_add(12345);
            (seed >> 8) % n
        };
        for len in 0..200 {
            let narrow = pick(2) == 0;
            let keys: Vec<ServiceKey> = (0..len)
                .map(|_| ServiceKey::Addr {
                    protocol: [Protocol::Tcp, Protocol::Udp, Protocol::Sctp][pick(3) as usize],
                    addr: IpAddr::from([if narrow { 192 } else { pick(256) as u8 }, 0, 2, pick(4) as u8]),
                    port: pick(3) as u16,
                })
                .collect();
            let general: Vec<SortKey> = keys.iter().map(SortKey::service).collect();
            assert_eq!(services_order(keys.iter(), false), order_of(&general));
            assert_eq!(services_order(keys.iter(), true), (0..keys.len()).collect::<Vec<_>>());
        }
    }

    /// Few real servers (sorted on the stack) and many (on the heap) come
    /// in the order of the merge sort by [`compare_dests`]; unsorted in
    /// the kernel's.
    #[test]
    fn dests_in_order_few_and_many() {
        // The merge sort by `compare_dests`, directly.
        fn merged(d: &[Dest]) -> Vec<Dest> {
            let mut order: Vec<usize> = (0..d.len()).collect();
            merge_sort(&mut order, &|&a: &usize, &b: &usize| compare_dests(&d[a], &d[b]));
            order.into_iter().map(|i| d[i].clone()).collect()
        }
        let mut seed = 7u32;
        let mut pick = |n: u32| {
            seed = seed.wrapping_mul(1103515245).wrapping_add(12345);
            (seed >> 8) % n
        };
        for len in 0..40 {
            for _ in 0..20 {
                // Addresses anywhere (the comparison wraps), in one network
                // (it does not), IPv4 only (sorted in words) or not.
                let (from, to) = [(0, 4), (0, 3), (2, 3)][pick(3) as usize];
                // (Each its own weight: equal ones are told apart.)
                let d: Vec<Dest> = (0..len)
                    .map(|weight| {
                        let addr = match from + pick(to - from) {
                            0 => IpAddr::from([pick(256) as u8, 0, 2, pick(4) as u8]),
                            1 => IpAddr::from([255, 255, 255, pick(256) as u8]),
                            2 => IpAddr::from([198, 51, 100, pick(8) as u8]),
                            _ => IpAddr::from([0x20, 1, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, pick(4) as u8]),
                        };
                        Dest { weight, ..Dest::new(addr, pick(3) as u16) }
                    })
                    .collect();
                // And the same in the order sorted, and in the reverse.
                let sorted = merged(&d);
                let reversed: Vec<Dest> = sorted.iter().rev().cloned().collect();
                for d in [d, sorted, reversed] {
                    assert_eq!(dests_in_order(&d, false).cloned().collect::<Vec<_>>(), merged(&d));
                    assert_eq!(dests_in_order(&d, true).cloned().collect::<Vec<_>>(), d);
                }
            }
        }
    }

    // Reference: real servers 192.0.2.1:80 ... 198.51.100.3:80, kernel order
    // newest first; sorted by address then port.
    #[test]
    fn dests_by_address_then_port() {
        let kernel = [
            "192.0.2.99:80",
            "192.0.2.105:80",
            "192.0.2.104:80",
            "192.0.2.1:80",
            "198.51.100.2:80",
            "198.51.100.3:80",
            "198.51.100.2:79",
        ];
        let d: Vec<Dest> = kernel.iter().map(|s| dest(s)).collect();
        let got: Vec<String> = dests_in_order(&d, false)
            .map(|d| format!("{}:{}", d.addr, d.port))
            .collect();
        assert_eq!(
            got,
            [
                "192.0.2.1:80",
                "192.0.2.99:80",
                "192.0.2.104:80",
                "192.0.2.105:80",
                "198.51.100.2:79",
                "198.51.100.2:80",
                "198.51.100.3:80"
            ]
        );
    }

    /// The sort keys compare exactly as the direct comparisons do, on
    /// services and real servers of both families (and marks), with
    /// addresses that wrap and share their first words.
    #[test]
    fn keys_compare_as_the_direct_comparisons() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut addr = |r: u64| -> IpAddr {
            // Few distinct words, so that equal prefixes are common.
            let w = |x: u64| [0u32, 1, 0x7fff_ffff, 0x8000_0000, 0xc000_0201, u32::MAX][(x % 6) as usize];
            if r.is_multiple_of(2) {
                IpAddr::V4(w(next()).into())
            } else {
                let o = [w(next()), w(next()), w(next()), w(next())];
                let mut b = [0u8; 16];
                for (i, x) in o.iter().enumerate() {
                    b[4 * i..4 * i + 4].copy_from_slice(&x.to_be_bytes());
                }
                IpAddr::V6(b.into())
            }
        };
        let mut keys = Vec::new();
        let mut dests = Vec::new();
        for i in 0..120u64 {
            let a = addr(i);
            let port = [0u16, 80, 443][(i % 3) as usize];
            keys.push(match i % 5 {
                0 => ServiceKey::Fwmark { family: if i.is_multiple_of(2) { Family::Inet } else { Family::Inet6 }, mark: [1, 7, 0x8000_0001][(i % 3) as usize] },
                1 => ServiceKey::Addr { protocol: Protocol::Udp, addr: a, port },
                _ => ServiceKey::Addr { protocol: Protocol::Tcp, addr: a, port },
            });
            dests.push(Dest::new(a, port));
        }
        for a in &keys {
            for b in &keys {
                assert_eq!(compare_services(a, b), compare_services_directly(a, b), "{a:?} {b:?}");
            }
        }
        for a in &dests {
            for b in &dests {
                assert_eq!(compare_dests(a, b), compare_dests_directly(a, b), "{a:?} {b:?}");
            }
        }
    }
}
