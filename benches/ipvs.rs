//! Speed and memory of the reference ipvsadm 1.31, ours and the kernel's
//! own cost (the "floor"), measured in the test VM (project issue 11).
//!
//!     cargo bench --bench ipvs [-- --kernel 6.1|6.12|both] [--small]
//!
//! The host side (this file's `main`) boots the VM of `tests/vm/` once per
//! kernel with `benches/ipvs-vm.sh` as the payload's `main.sh` and a copy
//! of this binary, which inside the VM is called as `bench vm ...` and is:
//! - the timer: runs a command with its standard input and output
//!   redirected and reports the wall time and the peak memory (max RSS,
//!   from `wait4`);
//! - the floor client: built on the crate's protocol module, one socket,
//!   requests 256 a send, replies only counted (no output formatting);
//! - the generator of the rule files (services on 192.0.2.0/24, ten NAT
//!   real servers on 198.51.100.0/24 each, on a port of the service's own).
//!
//! Every table is built in a fresh network namespace, so that every
//! restore starts from an empty IPVS table (a table cleared with `-C` keeps
//! its real servers in the kernel's trash list for minutes, which makes
//! adding real servers much slower). The script prints machine-readable
//! lines (`m MEASURE TOOL SIZE SECONDS MAXRSS_KB`, `check WHAT ok|DIFF`),
//! which are turned into a table of medians and ratios here. The run fails
//! when `ipvsadm`, ours and the floor do not leave byte-identical `-S -n`
//! output, or listings differ.
//!
//! "Ours" is the statically linked build the README installs (built here
//! into `target/static/` first): a process that needs no dynamic loader
//! starts in about two thirds of the time under emulation. The dynamic
//! build cargo makes by default is timed too, for one invocation.
//!
//! `--small` (or `IPVS_BENCH_SIZE=small`) runs a small table, to prove the
//! benchmark works (CI); it times nothing worth reading.
//! Results stay in `target/vm-runs/bench-<series>/` (`bench-small-...`).

#[path = "../tests/common/mod.rs"]
mod common;

use std::collections::BTreeMap;
use std::fs;
use std::io::{self, Write};
use std::net::{IpAddr, Ipv4Addr};
use std::path::Path;
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

use ipvs::model::{Dest, Forward, Protocol, Service, ServiceKey};
use ipvs::protocol::{self, FramePayload, Request};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("vm") {
        return match vm::main(&args[1..]) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("bench vm: {e}");
                ExitCode::FAILURE
            }
        };
    }
    host::main(&args)
}

// ------------------------------------------------------------- the table

/// Services `0..n` of the generated table: TCP on 192.0.2.1-250, ports
/// from 1000 up.
fn service_key(i: u32) -> ServiceKey {
    ServiceKey::Addr {
        protocol: Protocol::Tcp,
        addr: IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1 + (i % 250) as u8)),
        port: 1000 + (i / 250) as u16,
    }
}

/// Real server `d` of service `i`: 198.51.100.(1+d), on the service's own
/// port (as Kubernetes endpoints are).
fn dest(i: u32, d: u32) -> Dest {
    let mut dest = Dest::new(IpAddr::V4(Ipv4Addr::new(198, 51, 100, 1 + d as u8)), 10000 + i as u16);
    dest.forward = Forward::Masq;
    dest.weight = 1;
    dest
}

fn key_text(k: &ServiceKey) -> String {
    match k {
        ServiceKey::Addr { addr, port, .. } => format!("{addr}:{port}"),
        ServiceKey::Fwmark { mark, .. } => mark.to_string(),
    }
}

// ------------------------------------------------------------ in the VM

mod vm {
    use super::*;

    pub fn main(args: &[String]) -> Result<(), String> {
        let arg = |i: usize| args.get(i).map(String::as_str).unwrap_or("");
        let num = |i: usize| arg(i).parse::<u32>().map_err(|_| format!("bad number `{}`", arg(i)));
        match arg(0) {
            "rules" => rules(num(1)?, num(2)?).map_err(|e| e.to_string()),
            "time" => time(&args[1..]),
            "singles" => singles(num(1)?, args.get(2..).unwrap_or_default()),
            "floor-restore" => floor_restore(num(1)?, num(2)?),
            "floor-list" => floor_list(),
            other => Err(format!("unknown subcommand `{other}`")),
        }
    }

    /// The restore file of `n` services with `d` real servers each.
    fn rules(n: u32, d: u32) -> io::Result<()> {
        let mut out = io::BufWriter::new(io::stdout().lock());
        for i in 0..n {
            let vip = key_text(&service_key(i));
            writeln!(out, "-A -t {vip} -s rr")?;
            for j in 0..d {
                let r = dest(i, j);
                writeln!(out, "-a -t {vip} -r {}:{} -m -w 1", r.addr, r.port)?;
            }
        }
        out.flush()
    }

    /// Runs a command to its end; returns its wall time, peak memory (KiB)
    /// and exit status.
    fn run(prog: &str, args: &[String], stdin: Stdio, stdout: Stdio) -> Result<(f64, i64, i32), String> {
        let start = Instant::now();
        let child = Command::new(prog)
            .args(args)
            .stdin(stdin)
            .stdout(stdout)
            .spawn()
            .map_err(|e| format!("{prog}: {e}"))?;
        let mut status = 0;
        // SAFETY: all-zero is a valid rusage, filled by wait4.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: the child's pid, valid out-pointers.
        let rc = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
        let wall = start.elapsed().as_secs_f64();
        if rc < 0 {
            return Err(format!("wait4: {}", io::Error::last_os_error()));
        }
        let code = if libc::WIFEXITED(status) { libc::WEXITSTATUS(status) } else { 128 + libc::WTERMSIG(status) };
        Ok((wall, usage.ru_maxrss, code))
    }

    /// `time IN OUT PROG ARGS...`: prints `SECONDS MAXRSS_KB STATUS`.
    fn time(args: &[String]) -> Result<(), String> {
        let [input, output, prog, rest @ ..] = args else {
            return Err("usage: time IN OUT PROG ARGS...".into());
        };
        let open = |p: &str| fs::File::open(p).map_err(|e| format!("{p}: {e}"));
        let stdin = open(input)?;
        let stdout = fs::File::create(output).map_err(|e| format!("{output}: {e}"))?;
        let (wall, rss, code) = run(prog, rest, stdin.into(), stdout.into())?;
        println!("{wall:.6} {rss} {code}");
        Ok(())
    }

    /// `singles N PROG...`: N invocations of each program, taking turns,
    /// each adding one service (the first program's on 203.0.113.1, the
    /// second's on 203.0.113.2, ...); prints the median seconds an
    /// invocation, the largest peak memory and the failures, one line a
    /// program.
    fn singles(n: u32, progs: &[String]) -> Result<(), String> {
        let mut times = vec![Vec::new(); progs.len()];
        let mut rss = vec![0; progs.len()];
        let mut failed = vec![0; progs.len()];
        for i in 0..n {
            for (t, prog) in progs.iter().enumerate() {
                let host = t + 1;
                let args: Vec<String> = ["-A", "-t", &format!("203.0.113.{host}:{}", 1 + i), "-s", "rr"]
                    .iter()
                    .map(|s| s.to_string())
                    .collect();
                let (wall, r, code) = run(prog, &args, Stdio::null(), Stdio::null())?;
                times[t].push(wall);
                rss[t] = rss[t].max(r);
                failed[t] += (code != 0) as u32;
            }
        }
        for t in 0..progs.len() {
            println!("{:.6} {} {}", median(&mut times[t]), rss[t], failed[t]);
        }
        Ok(())
    }

    /// A bare generic-netlink socket.
    struct Socket {
        fd: libc::c_int,
        seq: u32,
        family: u16,
        buf: Vec<u8>,
    }

    impl Socket {
        fn open() -> Result<Socket, String> {
            // SAFETY: plain socket calls with valid arguments.
            let fd = unsafe { libc::socket(libc::AF_NETLINK, libc::SOCK_RAW | libc::SOCK_CLOEXEC, libc::NETLINK_GENERIC) };
            if fd < 0 {
                return Err(format!("socket: {}", io::Error::last_os_error()));
            }
            let size: libc::c_int = 4 << 20;
            // SAFETY: an int of the size passed.
            unsafe {
                libc::setsockopt(
                    fd,
                    libc::SOL_SOCKET,
                    libc::SO_RCVBUFFORCE,
                    &size as *const libc::c_int as *const libc::c_void,
                    std::mem::size_of::<libc::c_int>() as libc::socklen_t,
                );
            }
            let mut s = Socket { fd, seq: 1, family: 0, buf: vec![0; 64 << 10] };
            let mut req = Vec::new();
            protocol::family_request(&mut req, s.seq);
            s.send(&req)?;
            loop {
                let n = s.recv()?;
                for f in protocol::parse_datagram(&s.buf[..n]).map_err(|e| e.to_string())? {
                    match f.payload {
                        FramePayload::Data(r) => {
                            let attrs = r.attrs().map_err(|e| e.to_string())?;
                            s.family = attrs.u16(1).map_err(|e| e.to_string())?.ok_or("no family id")?;
                        }
                        FramePayload::Error(0) => return Ok(s),
                        FramePayload::Error(e) => return Err(format!("resolving IPVS: errno {}", -e)),
                        _ => {}
                    }
                }
            }
        }

        fn send(&self, buf: &[u8]) -> Result<(), String> {
            // SAFETY: a zeroed sockaddr_nl is the kernel's address.
            let mut addr: libc::sockaddr_nl = unsafe { std::mem::zeroed() };
            addr.nl_family = libc::AF_NETLINK as u16;
            // SAFETY: valid buffer and address for the sizes passed.
            let n = unsafe {
                libc::sendto(
                    self.fd,
                    buf.as_ptr() as *const libc::c_void,
                    buf.len(),
                    0,
                    &addr as *const libc::sockaddr_nl as *const libc::sockaddr,
                    std::mem::size_of::<libc::sockaddr_nl>() as libc::socklen_t,
                )
            };
            if n as usize != buf.len() {
                return Err(format!("send: {}", io::Error::last_os_error()));
            }
            Ok(())
        }

        fn recv(&mut self) -> Result<usize, String> {
            // SAFETY: a valid buffer of the size passed.
            let n = unsafe { libc::recv(self.fd, self.buf.as_mut_ptr() as *mut libc::c_void, self.buf.len(), 0) };
            if n < 0 {
                return Err(format!("recv: {}", io::Error::last_os_error()));
            }
            Ok(n as usize)
        }

        /// Messages of the last datagram: (type, flags, payload offset,
        /// length, error code for an error or done message).
        fn walk(&self, n: usize, mut each: impl FnMut(u16, i32, &[u8])) {
            let mut off = 0;
            while off + 16 <= n {
                let b = &self.buf[off..n];
                let len = u32::from_ne_bytes([b[0], b[1], b[2], b[3]]) as usize;
                if len < 16 || len > b.len() {
                    break;
                }
                let kind = u16::from_ne_bytes([b[4], b[5]]);
                let code = b.get(16..20).map(|c| i32::from_ne_bytes([c[0], c[1], c[2], c[3]])).unwrap_or(0);
                each(kind, code, &b[..len]);
                off += (len + 3) & !3;
            }
        }

        /// Sends a request as a dump and calls `each` with every data
        /// message (whole) until the dump ends.
        fn dump(&mut self, req: &Request, mut each: impl FnMut(&[u8])) -> Result<(), String> {
            self.seq += 1;
            let mut buf = Vec::new();
            protocol::encode(&mut buf, req, self.family, netlink_packet_core::NLM_F_DUMP, self.seq);
            self.send(&buf)?;
            loop {
                let n = self.recv()?;
                let mut end = None;
                self.walk(n, |kind, code, msg| match kind {
                    NLMSG_DONE => end = Some(code),
                    NLMSG_ERROR => end = Some(if code == 0 { 0 } else { code }),
                    _ => each(msg),
                });
                match end {
                    Some(0) => return Ok(()),
                    Some(e) => return Err(format!("dump: errno {}", -e)),
                    None => {}
                }
            }
        }
    }

    const NLMSG_ERROR: u16 = 2;
    const NLMSG_DONE: u16 = 3;
    const BATCH: usize = 256;

    /// The generated table of `n` services with `d` real servers each,
    /// 256 requests a send, acknowledgements counted.
    fn floor_restore(n: u32, d: u32) -> Result<(), String> {
        let mut s = Socket::open()?;
        let mut buf = Vec::new();
        let mut pending = 0;
        let mut failures = 0;
        let flush = |s: &mut Socket, buf: &mut Vec<u8>, pending: &mut usize, failures: &mut u32| -> Result<(), String> {
            if *pending == 0 {
                return Ok(());
            }
            s.send(buf)?;
            buf.clear();
            while *pending > 0 {
                let n = s.recv()?;
                s.walk(n, |kind, code, _| {
                    if kind == NLMSG_ERROR {
                        *pending -= 1;
                        *failures += (code != 0) as u32;
                    }
                });
            }
            Ok(())
        };
        for i in 0..n {
            let key = service_key(i);
            let mut svc = Service::new(key);
            svc.scheduler = "rr".into();
            let mut reqs = vec![Request::new_service(&svc)];
            reqs.extend((0..d).map(|j| Request::new_dest(&key, &dest(i, j))));
            for req in reqs {
                s.seq += 1;
                protocol::encode(&mut buf, &req, s.family, netlink_packet_core::NLM_F_ACK, s.seq);
                pending += 1;
                if pending == BATCH {
                    flush(&mut s, &mut buf, &mut pending, &mut failures)?;
                }
            }
        }
        flush(&mut s, &mut buf, &mut pending, &mut failures)?;
        if failures > 0 {
            return Err(format!("{failures} requests failed"));
        }
        Ok(())
    }

    /// The netlink listing floor: one dump of the services, then one dump
    /// of the real servers of each; real servers are only counted.
    fn floor_list() -> Result<(), String> {
        let mut s = Socket::open()?;
        let mut keys = Vec::new();
        let mut bad = None;
        s.dump(&Request::get_service(None), |msg| {
            match protocol::parse_datagram(msg).map(|mut f| f.pop().map(|f| f.payload)) {
                Ok(Some(FramePayload::Data(r))) => match protocol::decode_service(&r) {
                    Ok(svc) => keys.push(svc.key),
                    Err(e) => bad = Some(e.to_string()),
                },
                _ => bad = Some("unreadable service".into()),
            }
        })?;
        if let Some(e) = bad {
            return Err(e);
        }
        let mut dests = 0u64;
        for key in &keys {
            s.dump(&Request::get_dests(key), |_| dests += 1)?;
        }
        println!("{} services, {dests} real servers", keys.len());
        Ok(())
    }
}

fn median(v: &mut [f64]) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    let m = v.len() / 2;
    if v.len() % 2 == 1 {
        v[m]
    } else {
        (v[m - 1] + v[m]) / 2.0
    }
}

// ------------------------------------------------------------ on the host

mod host {
    use super::*;
    use prettytable::{row, Table};

    /// Table sizes and repeats of one run.
    struct Size {
        services: u32,
        dests: u32,
        singles: u32,
        scale: &'static [u32],
        reps: u32,
        timeout_secs: u64,
    }

    const FULL: Size = Size {
        services: 5000,
        dests: 10,
        singles: 1000,
        scale: &[1000, 5000, 20000],
        reps: 3,
        timeout_secs: 3600,
    };
    const SMALL: Size = Size {
        services: 100,
        dests: 10,
        singles: 20,
        scale: &[50, 100, 200],
        reps: 3,
        timeout_secs: 300,
    };

    pub fn main(args: &[String]) -> ExitCode {
        let mut kernels = vec!["6.1", "6.12"];
        let mut small = common::env_nonempty("IPVS_BENCH_SIZE").as_deref() == Some("small");
        let mut it = args.iter();
        while let Some(a) = it.next() {
            match a.as_str() {
                "--kernel" => match it.next().map(String::as_str) {
                    Some("both") => kernels = vec!["6.1", "6.12"],
                    Some(k @ ("6.1" | "6.12")) => kernels = vec![k],
                    _ => return usage(),
                },
                "--small" => small = true,
                // cargo bench passes --bench to every bench binary.
                "--bench" => {}
                _ => return usage(),
            }
        }
        let size = if small { &SMALL } else { &FULL };
        let static_ours = match static_build() {
            Ok(path) => path,
            Err(e) => {
                common::loud(&format!("bench: {e}\n"));
                return ExitCode::FAILURE;
            }
        };
        let mut ok = true;
        for series in kernels {
            if !common::vm_ready(series, "the IPVS benchmark") {
                continue;
            }
            match run_series(series, size, &static_ours) {
                Ok(report) => common::loud(&report),
                Err(e) => {
                    common::loud(&format!("bench on {series}: FAILED: {e}\n"));
                    ok = false;
                }
            }
        }
        if ok {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        }
    }

    fn usage() -> ExitCode {
        eprintln!("usage: cargo bench --bench ipvs -- [--kernel 6.1|6.12|both] [--small]");
        ExitCode::from(2)
    }

    /// Builds ours statically linked, as the README's install command does,
    /// into `target/static/`; returns the binary.
    fn static_build() -> Result<std::path::PathBuf, String> {
        let triple = format!("{}-unknown-linux-gnu", std::env::consts::ARCH);
        let dir = common::root().join("target/static");
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        // CARGO_ENCODED_RUSTFLAGS wins over any other flags; with --target
        // they apply to the binary only, not to the build's proc macros.
        let status = Command::new(cargo)
            .current_dir(common::root())
            .args(["build", "--release", "--locked", "--bin", "ipvsadm", "--target", &triple])
            .env("CARGO_TARGET_DIR", &dir)
            .env("CARGO_ENCODED_RUSTFLAGS", "-Ctarget-feature=+crt-static")
            .status()
            .map_err(|e| format!("cannot run cargo for the static build: {e}"))?;
        if !status.success() {
            return Err(format!("the static build failed ({status})"));
        }
        Ok(dir.join(triple).join("release/ipvsadm"))
    }

    fn run_series(series: &str, size: &Size, static_ours: &Path) -> Result<String, String> {
        // The small run of CI never overwrites the results of a full one.
        let name = if size.services == FULL.services { "bench" } else { "bench-small" };
        let dir = common::root().join(format!("target/vm-runs/{name}-{series}"));
        let payload = dir.join("payload");
        let _ = fs::remove_dir_all(&payload);
        fs::create_dir_all(&payload).map_err(|e| e.to_string())?;
        let copy = |from: &Path, to: &str| {
            fs::copy(from, payload.join(to)).map(drop).map_err(|e| format!("{}: {e}", from.display()))
        };
        copy(&common::root().join("benches/ipvs-vm.sh"), "main.sh")?;
        let me = std::env::current_exe().map_err(|e| e.to_string())?;
        copy(&me, "bench")?;
        copy(static_ours, "ours-static")?;
        let scale: Vec<String> = size.scale.iter().map(u32::to_string).collect();
        fs::write(
            payload.join("params"),
            format!(
                "SERVICES={}\nDESTS={}\nSINGLES={}\nSCALE='{}'\nREPS={}\n",
                size.services,
                size.dests,
                size.singles,
                scale.join(" "),
                size.reps
            ),
        )
        .map_err(|e| e.to_string())?;
        let out = dir.join("out");
        let ours = common::ours();
        let load_before = load();
        let run = common::VmRun {
            series,
            ours: &ours,
            payload: &payload,
            out: &out,
            timeout_secs: size.timeout_secs,
            mem_mb: Some(2048),
        }
        .run();
        if let Some(p) = run.problem {
            return Err(format!("{p}; output in {}", out.display()));
        }
        let (text, elapsed) = (run.report(), run.secs as u64);
        report(series, &text, size, &load_before, elapsed)
    }

    fn load() -> String {
        fs::read_to_string("/proc/loadavg")
            .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
            .unwrap_or_default()
    }

    fn cpu() -> String {
        let info = fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let model = info
            .lines()
            .find_map(|l| l.strip_prefix("model name").and_then(|r| r.split_once(':')).map(|(_, m)| m.trim().to_string()))
            .unwrap_or_else(|| "unknown CPU".into());
        let n = info.lines().filter(|l| l.starts_with("processor")).count();
        format!("{n} x {model}")
    }

    /// One measure's samples: seconds and peak memory (KiB).
    #[derive(Default)]
    struct Samples {
        secs: Vec<f64>,
        rss: i64,
    }

    fn report(series: &str, text: &str, size: &Size, load_before: &str, elapsed: u64) -> Result<String, String> {
        let mut m: BTreeMap<(String, String, u32), Samples> = BTreeMap::new();
        let mut diffs = Vec::new();
        let mut checks = 0;
        let mut kernel = String::from("?");
        let mut done = false;
        for line in text.lines() {
            let f: Vec<&str> = line.split_whitespace().collect();
            match f.as_slice() {
                ["m", what, tool, n, secs, rss] => {
                    let key = (what.to_string(), tool.to_string(), n.parse().unwrap_or(0));
                    let s = m.entry(key).or_default();
                    s.secs.push(secs.parse().map_err(|_| format!("bad line: {line}"))?);
                    s.rss = s.rss.max(rss.parse().unwrap_or(0));
                }
                ["check", what, verdict] => {
                    checks += 1;
                    if *verdict != "ok" {
                        diffs.push(what.to_string());
                    }
                }
                ["fail", ..] => diffs.push(line.to_string()),
                ["kernel", k] => kernel = k.to_string(),
                ["done"] => done = true,
                _ => {}
            }
        }
        if !done {
            return Err("the VM script did not finish (no `done` line)".into());
        }
        if !diffs.is_empty() {
            return Err(format!("outputs differ or steps failed: {}", diffs.join(", ")));
        }
        let med = |m: &mut BTreeMap<(String, String, u32), Samples>, what: &str, tool: &str, n: u32| {
            m.get_mut(&(what.to_string(), tool.to_string(), n)).map(|s| (median(&mut s.secs), s.rss, s.secs.len()))
        };
        let n = size.services;
        let mut t = Table::new();
        t.set_titles(row![
            "measure", "ipvsadm s", "ours s", "floor s", "ipvsadm/ours", "ours/floor", "max RSS ipvsadm KiB", "max RSS ours KiB"
        ]);
        let ratio = |a: Option<f64>, b: Option<f64>| match (a, b) {
            (Some(a), Some(b)) if b > 0.0 => format!("{:.2}x", a / b),
            _ => "-".into(),
        };
        let show = |v: Option<(f64, i64, usize)>| v.map(|(s, _, k)| format!("{s:.3} ({k})")).unwrap_or("-".into());
        let rss = |v: Option<(f64, i64, usize)>| v.map(|(_, r, _)| r.to_string()).unwrap_or("-".into());
        let rows: [(&str, &str, &str); 6] = [
            ("restore -R", "restore", "floor-restore"),
            ("-L -n", "list", "floor-list"),
            ("-L -n --stats", "stats", "floor-list"),
            ("-S -n", "save", "floor-list"),
            ("one -A (per invocation)", "single", ""),
            ("one -A, dynamic build", "single-dynamic", ""),
        ];
        for (label, what, floor) in rows {
            let single = what.starts_with("single");
            let size_of = if single { size.singles } else { n };
            // The dynamic build's row compares with the same invocations of ipvsadm.
            let r = med(&mut m, if single { "single" } else { what }, "ipvsadm", size_of);
            let o = med(&mut m, what, "ours", size_of);
            let f = if floor.is_empty() { None } else { med(&mut m, floor, "floor", n) };
            let label = if single {
                format!("{label}, {} each", size.singles)
            } else {
                format!("{label}, {n} x {}", size.dests)
            };
            t.add_row(row![
                label,
                show(r),
                show(o),
                show(f),
                ratio(r.map(|v| v.0), o.map(|v| v.0)),
                ratio(o.map(|v| v.0), f.map(|v| v.0)),
                rss(r),
                rss(o)
            ]);
        }
        if let Some(c) = med(&mut m, "cat-proc", "floor", n) {
            t.add_row(row![format!("cat /proc/net/ip_vs, {n} x {}", size.dests), "", "", format!("{:.3} ({})", c.0, c.2), "", "", "", ""]);
        }
        let mut s = Table::new();
        s.set_titles(row![
            "ours alone, services x 10",
            "restore s",
            "-L -n s",
            "--stats s",
            "-S -n s",
            "max RSS restore KiB",
            "max RSS listings KiB",
            "ipvsadm: max RSS listings KiB"
        ]);
        let listings = ["list", "stats", "save"];
        for &k in size.scale {
            let mut cell = |w: &str, tool: &str| med(&mut m, w, tool, k);
            let restore = cell("restore", "scale");
            let ours: Vec<_> = listings.iter().map(|w| cell(w, "scale")).collect();
            let peak = |v: &[Option<(f64, i64, usize)>]| v.iter().flatten().map(|c| c.1).max().unwrap_or(0);
            let reference: Vec<_> = listings.iter().map(|w| cell(w, "scale-ref")).collect();
            s.add_row(row![
                k,
                show(restore),
                show(ours[0]),
                show(ours[1]),
                show(ours[2]),
                rss(restore),
                peak(&ours),
                peak(&reference)
            ]);
        }
        Ok(format!(
            "\n== IPVS benchmark, kernel {kernel} (series {series}), QEMU/TCG on {}, load before {load_before}, after {}; {elapsed} s in all\n\
             (seconds: median (samples); ratios of medians; {checks} identity checks passed)\n{t}{s}",
            cpu(),
            load()
        ))
    }
}
