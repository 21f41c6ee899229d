//! `--apply`, `--dry-run`, lossless `-S` and `--drain` on real kernels
//! (project issue 9), in the VM of `tests/vm/` (Debian 6.1 and 6.12 under
//! QEMU).
//!
//! This test generates seeded random pairs of a starting table and a target
//! table (IPv4, IPv6, firewall marks, TCP/UDP/SCTP, schedulers and their
//! flags (the third of sh and mh too), persistence and netmasks, the sip
//! engine, one-packet scheduling, every forwarding method, every tunnel
//! type and checksum option, IPv6 real servers of IPv4 services through
//! tunnels, weights, thresholds), each written as the exact lines our
//! `-S -n` prints, with the true number of changes between them (computed here,
//! from the generated tables, not by the code under test).
//! `tests/vm/apply/main.sh` then checks in the VM, for every pair: the
//! dry run changes nothing and prints that many lines; `--apply` exits 3
//! (0 when equal) and leaves `-S -n` equal to the target; a second
//! `--apply` exits 0; the dry-run lines fed to the reference's `-R` on the
//! starting table give the target too; our save restored by the
//! reference (`ipvsadm -R`) lists the same with `--thresholds`. Then the
//! exit statuses of refused and unreadable files, a live TCP connection
//! through a real server whose weight and thresholds `--apply` changes,
//! and drains (a connection that ends during the drain, one that outlives
//! the limit, `--drain-inactive`).
//!
//! Environment:
//! - `IPVSADM_APPLY_SEED=n`: the seed (default: the time); printed, so a
//!   failure can be run again.
//! - `IPVSADM_APPLY_PAIRS=n`: how many pairs (default 200).
//! - `IPVSADM_REQUIRE_VM=1`, `IPVSADM_OURS`, `IPVS_VM_KIT`: as for
//!   `tests/kernel_safety.rs` (see `tests/common/mod.rs`).
//!
//! Results stay in `target/vm-runs/apply-<series>/`. Only std is used.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;

mod common;
use common::{env_nonempty, fail, loud, root, vm_ready, VmRun};

#[test]
fn apply_6_1() {
    run_series("6.1");
}

#[test]
fn apply_6_12() {
    run_series("6.12");
}

const DEFAULT_PAIRS: usize = 200;

// ------------------------------------------------------------- generator

/// xorshift64*: small, seeded, good enough to pick table shapes.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    /// True with probability `p` percent.
    fn pct(&mut self, p: u64) -> bool {
        self.below(100) < p
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// A virtual service's identity as `-S -n` writes it, and what it needs.
#[derive(Clone, Copy)]
struct Key {
    /// `-t 192.0.2.1:80`, `-f 5 -6`, ...
    spec: &'static str,
    v6: bool,
    udp: bool,
    /// The service's port (0 for firewall marks): real servers reached
    /// other than by masquerading take it.
    port: u16,
}

const KEYS: &[Key] = &[
    Key { spec: "-t 192.0.2.1:80", v6: false, udp: false, port: 80 },
    Key { spec: "-t 192.0.2.1:443", v6: false, udp: false, port: 443 },
    Key { spec: "-t 192.0.2.2:80", v6: false, udp: false, port: 80 },
    Key { spec: "-u 192.0.2.1:53", v6: false, udp: true, port: 53 },
    Key { spec: "-u 192.0.2.1:5060", v6: false, udp: true, port: 5060 },
    Key { spec: "--sctp-service 192.0.2.1:3868", v6: false, udp: false, port: 3868 },
    Key { spec: "-t [2001:db8::1]:80", v6: true, udp: false, port: 80 },
    Key { spec: "-u [2001:db8::1]:53", v6: true, udp: true, port: 53 },
    Key { spec: "-f 5", v6: false, udp: false, port: 0 },
    Key { spec: "-f 6", v6: false, udp: false, port: 0 },
    Key { spec: "-f 7 -6", v6: true, udp: false, port: 0 },
];

const SCHEDULERS: &[&str] = &["rr", "wrr", "lc", "wlc", "sh", "mh", "sed", "nq"];

/// The service line after `-A SPEC` (from ` -s`), as `-S -n` writes it.
fn service_attrs(rng: &mut Rng, key: &Key) -> String {
    let sched = *rng.pick(SCHEDULERS);
    let mut s = format!(" -s {sched}");
    let mask = if key.v6 { *rng.pick(&["64", "48"]) } else { *rng.pick(&["255.255.255.0", "255.255.0.0"]) };
    if rng.pct(30) {
        let _ = write!(s, " -p {}", rng.pick(&[30, 60, 300]));
        if rng.pct(50) {
            let _ = write!(s, " -M {mask}");
        }
    } else if rng.pct(10) {
        // A netmask without persistence: kept by the kernel, saved by ours.
        let _ = write!(s, " -M {mask}");
    }
    if rng.pct(10) {
        s.push_str(" --pe sip");
    }
    if key.udp && rng.pct(30) {
        s.push_str(" -o");
    }
    // Scheduler flags, in the order -S writes them: sh and mh name their
    // first two, the third is `flag-3` (lossless -S); others flag-1..3.
    let flags = if sched == "sh" || sched == "mh" {
        [format!("{sched}-fallback"), format!("{sched}-port"), "flag-3".to_string()]
    } else {
        ["flag-1".to_string(), "flag-2".to_string(), "flag-3".to_string()]
    };
    let chance = if sched == "sh" || sched == "mh" { 40 } else { 5 };
    let chosen: Vec<&str> = flags.iter().filter(|_| rng.pct(chance)).map(String::as_str).collect();
    if !chosen.is_empty() {
        let _ = write!(s, " -b {}", chosen.join(","));
    }
    s
}

/// A real server: its `-r ADDR:PORT` text (the key within its service)
/// and the rest of its line (from the forwarding option).
fn dest(rng: &mut Rng, key: &Key) -> (String, String) {
    let host = rng.below(12) + 10;
    let forward = *rng.pick(&["-m", "-g", "-i"]);
    let port = if forward == "-m" || key.port == 0 { *rng.pick(&[80u16, 8080]) } else { key.port };
    // A tunnel may reach a real server of the other family (IPv6 behind an
    // IPv4 service).
    let v6 = key.v6 || (forward == "-i" && rng.pct(20));
    let addr = if v6 { format!("[2001:db8::{host:x}]:{port}") } else { format!("198.51.100.{host}:{port}") };
    let mut rest = format!(" {forward} -w {}", rng.below(11));
    if forward == "-i" {
        match rng.below(3) {
            0 => rest.push_str(" --tun-type ipip"),
            1 => {
                let csum = rng.pick(&["--tun-nocsum", "--tun-csum", "--tun-remcsum"]);
                let _ = write!(rest, " --tun-type gue --tun-port {} {csum}", rng.pick(&[6080, 5555]));
            }
            _ => {
                let _ = write!(rest, " --tun-type gre {}", rng.pick(&["--tun-nocsum", "--tun-csum"]));
            }
        }
    }
    if rng.pct(30) {
        let upper = rng.below(1000) + 1;
        let _ = write!(rest, " -x {upper} -y {}", rng.below(upper));
    }
    (addr, rest)
}

/// A real server's line (from the forwarding option) with one thing
/// changed: its weight, or its thresholds (added, changed or dropped).
fn edit_one_field(rng: &mut Rng, rest: &str) -> String {
    let (body, thresholds) = match rest.find(" -x ") {
        Some(i) => (&rest[..i], Some(&rest[i..])),
        None => (rest, None),
    };
    if rng.pct(50) {
        let at = body.find(" -w ").map_or(body.len(), |i| i + 4);
        let end = body[at..].find(' ').map_or(body.len(), |j| at + j);
        let weight: u64 = body[at..end].parse().unwrap_or(0);
        let new = (weight + 1 + rng.below(9)) % 11;
        return format!("{}{new}{}{}", &body[..at], &body[end..], thresholds.unwrap_or(""));
    }
    let upper = rng.below(1000) + 1;
    let new = format!(" -x {upper} -y {}", rng.below(upper));
    match thresholds {
        Some(old) if old == new => body.to_string(),
        Some(_) if rng.pct(30) => body.to_string(),
        _ => format!("{body}{new}"),
    }
}

/// A table: per service key (index in [`KEYS`]), its attributes and its
/// real servers (address text to the rest of the line).
type Table = BTreeMap<usize, (String, BTreeMap<String, String>)>;

fn random_table(rng: &mut Rng, like: Option<&Table>) -> Table {
    let mut t = Table::new();
    for (i, key) in KEYS.iter().enumerate() {
        if !rng.pct(45) {
            continue;
        }
        // A service of the other table is kept, edited or not, most times.
        let old = like.and_then(|l| l.get(&i)).filter(|_| rng.pct(80));
        let attrs = match old {
            Some((a, _)) if rng.pct(60) => a.clone(),
            _ => service_attrs(rng, key),
        };
        let mut dests = BTreeMap::new();
        if let Some((_, old_dests)) = old {
            for (addr, rest) in old_dests {
                match rng.below(10) {
                    0..=1 => {}                                            // dropped
                    2..=5 => drop(dests.insert(addr.clone(), rest.clone())), // kept
                    6..=7 => drop(dests.insert(addr.clone(), edit_one_field(rng, rest))),
                    _ => {
                        // edited: the same address with a new method, weight...
                        let (_, new_rest) = dest(rng, key);
                        let masq_port = new_rest.starts_with(" -m") || key.port == 0;
                        let family_ok = key.v6 || !addr.starts_with('[') || new_rest.starts_with(" -i");
                        if family_ok && (masq_port || !rest.starts_with(" -m")) {
                            dests.insert(addr.clone(), new_rest);
                        }
                    }
                }
            }
        }
        for _ in 0..rng.below(4) {
            let (addr, rest) = dest(rng, key);
            dests.entry(addr).or_insert(rest);
        }
        t.insert(i, (attrs, dests));
    }
    t
}

/// The table as `-S -n` lines (any order).
fn lines(t: &Table) -> String {
    let mut out = String::new();
    for (i, (attrs, dests)) in t {
        let spec = KEYS[*i].spec;
        let _ = writeln!(out, "-A {spec}{attrs}");
        for (addr, rest) in dests {
            let _ = writeln!(out, "-a {spec} -r {addr}{rest}");
        }
    }
    out
}

/// The true number of changes from `a` to `b`: a service added (with its
/// real servers), deleted (its real servers go with it) or edited; a real
/// server of a kept service added, deleted or edited.
fn difference(a: &Table, b: &Table) -> usize {
    let mut n = 0;
    for (i, (attrs, dests)) in b {
        match a.get(i) {
            None => n += 1 + dests.len(),
            Some((old_attrs, old_dests)) => {
                n += usize::from(old_attrs != attrs);
                for (addr, rest) in dests {
                    n += usize::from(old_dests.get(addr) != Some(rest));
                }
                n += old_dests.keys().filter(|k| !dests.contains_key(*k)).count();
            }
        }
    }
    n + a.keys().filter(|k| !b.contains_key(k)).count()
}

/// The generator's own checks (they must be able to fail).
#[test]
fn generator_counts_the_true_difference() {
    let mut rng = Rng(42);
    let a = random_table(&mut rng, None);
    assert_eq!(difference(&a, &a), 0);
    assert_eq!(difference(&Table::new(), &a), lines(&a).lines().count());
    assert_eq!(difference(&a, &Table::new()), a.len());
    let mut b = a.clone();
    if let Some((_, (attrs, dests))) = b.iter_mut().next() {
        attrs.push_str(" -o");
        dests.insert("198.51.100.99:80".into(), " -m -w 1".into());
    }
    assert_eq!(difference(&a, &b), if a.is_empty() { 0 } else { 2 });
    // One field edits change exactly one field.
    for rest in [" -m -w 3", " -i -w 10 --tun-type ipip -x 5 -y 1", " -g -w 0 -x 9 -y 0"] {
        for _ in 0..50 {
            let e = edit_one_field(&mut rng, rest);
            assert_ne!(e, rest);
            let (a, b) = (rest.split(" -x ").next().unwrap(), e.split(" -x ").next().unwrap());
            let same_tail = rest.split(" -x ").nth(1) == e.split(" -x ").nth(1);
            assert!(a == b || same_tail, "{rest} -> {e}");
        }
    }
    // Every generated real-server line is one ipvsadm's grammar takes.
    let mut like = a;
    for _ in 0..2000 {
        let t = random_table(&mut rng, Some(&like));
        for line in lines(&t).lines() {
            let words: Vec<String> = line.split(' ').map(str::to_string).collect();
            ipvs::grammar::parse_args_as("ipvsadm", &words, &ipvs::grammar::NoNames)
                .unwrap_or_else(|e| panic!("{line}: {}", e.stderr));
        }
        like = t;
    }
}

// -------------------------------------------------------------------- run

fn run_series(series: &str) {
    let root = root();
    if !vm_ready(series, "kernel apply tests") {
        return;
    }
    let ours = common::ours();
    let seed: u64 = env_nonempty("IPVSADM_APPLY_SEED").and_then(|s| s.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos() as u64).unwrap_or(1)
    }) | 1;
    let pairs: usize =
        env_nonempty("IPVSADM_APPLY_PAIRS").and_then(|s| s.parse().ok()).unwrap_or(DEFAULT_PAIRS);

    let run_dir = root.join("target/vm-runs").join(format!("apply-{series}"));
    let _ = fs::remove_dir_all(&run_dir);
    let payload = run_dir.join("payload");
    fs::create_dir_all(payload.join("pairs")).unwrap();
    fs::copy(root.join("tests/vm/apply/main.sh"), payload.join("main.sh")).expect("copy main.sh");
    fs::copy(root.join("tests/vm/net.sh"), payload.join("net.sh")).expect("copy net.sh");
    let mut rng = Rng(seed);
    let mut total = 0;
    for n in 0..pairs {
        let start = random_table(&mut rng, None);
        // One pair in ten is already equal; the others are random edits.
        let target = if n % 10 == 9 { start.clone() } else { random_table(&mut rng, Some(&start)) };
        let changes = difference(&start, &target);
        total += changes;
        let dir = payload.join("pairs");
        fs::write(dir.join(format!("{n}.start")), lines(&start)).unwrap();
        fs::write(dir.join(format!("{n}.target")), lines(&target)).unwrap();
        fs::write(dir.join(format!("{n}.changes")), format!("{changes}\n")).unwrap();
    }
    fs::write(payload.join("pairs/count"), format!("{pairs}\n")).unwrap();
    loud(&format!(
        "apply {series}: ours = {ours}, seed {seed} (IPVSADM_APPLY_SEED={seed} repeats it), {pairs} pairs, {total} changes\n"
    ));

    let out = run_dir.join("report.txt");
    let run = VmRun {
        series,
        ours: &ours,
        payload: &payload,
        out: &out,
        // Measured on 2 shared CPUs: 1.6 s a pair with three VMs running,
        // 3 s with the load at 10; the bound leaves room for such loads.
        timeout_secs: 240 + pairs as u64 * 5,
        mem_mb: None,
    }
    .run();
    let (secs, report, vm_problem) = (run.secs, run.report(), run.problem);
    let mut problems: Vec<String> = vm_problem.into_iter().collect();
    let failures: Vec<&str> = report.lines().filter(|l| l.starts_with("FAIL")).collect();
    if !failures.is_empty() {
        problems.push(format!("{} failures:\n{}", failures.len(), failures.join("\n")));
    }
    if report.contains("panicked") {
        problems.push("a panic message in the report".to_string());
    }
    // Every part must have run to its end.
    let want = format!("pairs: {pairs} checked, {total} changes");
    for needed in [want.as_str(), "statuses: checked", "traffic: checked", "drain: checked", "END"] {
        if !report.lines().any(|l| l.starts_with(needed)) {
            problems.push(format!("no `{needed}` line in the report"));
        }
    }
    let measures: Vec<&str> = report.lines().filter(|l| l.starts_with("measure:")).collect();
    loud(&format!(
        "apply {series}: {}\napply {series}: VM run {secs:.0}s, report in {}\n",
        measures.join(", "),
        out.display()
    ));
    if !problems.is_empty() {
        let msg = format!("apply {series}: FAILED (seed {seed})\n{}", problems.join("\n"));
        loud(&format!("{msg}\n"));
        fail(msg);
    }
    loud(&format!("apply {series}: passed\n"));
}
