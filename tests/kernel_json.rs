//! `--json` and `--netns` on real kernels (project issue 8), in the VM of
//! `tests/vm/` (Debian 6.1 and 6.12 under QEMU), and the library's
//! examples (`examples/list_json.rs`, `examples/drain.rs`) run there.
//!
//! `tests/vm/json/main.sh` runs inside the VM: it builds tables (IPv4,
//! IPv6, firewall marks, persistence, every forwarding method, ipip, gue
//! and gre tunnels, thresholds, sync daemons, live traffic through
//! `tests/vm/net.sh`) and prints, for each state, the reference's numeric
//! listings (`-L -n --exact`, `--stats --exact`, `--rate --exact`,
//! `--thresholds`, `--persistent-conn`, `--tun-info`, `--timeout`,
//! `--daemon`, `-c`, one service) next to our `--json` of the same state.
//! This test parses our JSON with serde_json and checks every value
//! against the reference's text. The namespace checks (every command with
//! `--netns` touches only its namespace, and does there what the
//! reference does) and the examples' checks are done in the VM and
//! reported as `ok:`/`FAIL:` lines.
//!
//! Environment: `IPVSADM_REQUIRE_VM=1` fails instead of skipping without
//! the VM kit; `IPVSADM_OURS=path` tests another binary; `IPVS_VM_KIT=dir`.
//! The examples are taken from the cargo target directory
//! (`target/<profile>/examples/`), built with `cargo build --examples` when
//! missing. Results stay in `target/vm-runs/json-<series>/`.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

mod common;
use common::{fail, loud, root, vm_ready, VmRun};

#[test]
fn json_6_1() {
    run_series("6.1");
}

#[test]
fn json_6_12() {
    run_series("6.12");
}

fn run_series(series: &str) {
    if !vm_ready(series, "kernel JSON and namespace tests") {
        return;
    }
    let ours = common::ours();
    let run_dir = root().join("target/vm-runs").join(format!("json-{series}"));
    let payload = run_dir.join("payload");
    let _ = fs::remove_dir_all(&payload);
    fs::create_dir_all(&payload).unwrap();
    fs::copy(root().join("tests/vm/json/main.sh"), payload.join("main.sh")).expect("copy main.sh");
    fs::copy(root().join("tests/vm/net.sh"), payload.join("net.sh")).expect("copy net.sh");
    for (name, path) in examples() {
        fs::copy(&path, payload.join(name)).unwrap_or_else(|e| fail(format!("{}: {e}", path.display())));
    }
    let out = run_dir.join("report.txt");
    let run = VmRun { series, ours: &ours, payload: &payload, out: &out, timeout_secs: 400, mem_mb: None }.run();
    let (secs, report, problem) = (run.secs as u64, run.report(), run.problem);
    let mut errors = Vec::new();
    if let Some(p) = problem {
        errors.push(p);
    }
    let (blocks, lines) = split_report(&report);
    if !lines.iter().any(|l| l == "@@ done") {
        errors.push("main.sh did not get to its end".into());
    }
    let oks = lines.iter().filter(|l| l.starts_with("ok: ")).count();
    errors.extend(lines.iter().filter(|l| l.starts_with("FAIL: ")).cloned());
    let mut checked = 0;
    let mut check = |what: &str, r: Result<usize, String>| match r {
        Ok(n) => checked += n,
        Err(e) => errors.push(format!("{what}: {e}")),
    };
    for state in ["static", "traffic"] {
        check(state, check_state(&blocks, state));
    }
    check("static coverage", static_coverage(&blocks));
    check("traffic coverage", traffic_coverage(&blocks));
    for tag in ["_u_192_0_2_1_53", "__sctp_service_192_0_2_1_3868", "_t__2001_db8__1__443", "_f_7", "_f_9__6"] {
        let r = get(&blocks, &format!("one{tag}-ref"))
            .and_then(|text| Ok((text, json(&blocks, &format!("one{tag}-json"))?)))
            .and_then(|(text, j)| check_one(text, &j));
        check(&format!("one service {tag}"), r);
    }
    for ns in ["init", "red", "blue"] {
        let r = get(&blocks, &format!("ns-{ns}-ref"))
            .and_then(|text| Ok((text, json(&blocks, &format!("ns-{ns}-json"))?)))
            .and_then(|(text, j)| check_plain(text, &j));
        check(&format!("namespace {ns} listing"), r);
    }
    check("namespace daemon", json(&blocks, "ns-red-daemon-json").and_then(|j| {
        let d = &j["daemons"];
        (d.as_array().map(Vec::len) == Some(1) && d[0]["syncid"] == 3 && d[0]["mcast_interface"] == "dummy0")
            .then_some(1)
            .ok_or(format!("red's daemons: {d}"))
    }));
    check("example list_json", example_same(&blocks));
    let summary = format!(
        "json {series}: {checked} JSON values checked against the reference, {oks} in-VM checks passed, {} problems ({secs} s)\n{}",
        errors.len(),
        lines.iter().filter(|l| l.starts_with("measure: ")).cloned().collect::<Vec<_>>().join("\n")
    );
    loud(&format!("{summary}\n"));
    if !errors.is_empty() {
        fail(format!("{summary}\n{}\nreport: {}", errors.join("\n"), out.display()));
    }
}

/// The examples' binaries, built by cargo.
fn examples() -> Vec<(&'static str, PathBuf)> {
    // target/<profile>/deps/kernel_json-HASH -> target/<profile>/examples
    let exe = std::env::current_exe().expect("test binary path");
    let dir = exe.parent().and_then(Path::parent).expect("target dir").join("examples");
    let names = ["list_json", "drain"];
    if names.iter().any(|n| !dir.join(n).is_file()) {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let mut cmd = Command::new(cargo);
        cmd.current_dir(root()).args(["build", "--examples"]);
        if !cfg!(debug_assertions) {
            cmd.arg("--release");
        }
        match cmd.status() {
            Ok(s) if s.success() => {}
            other => fail(format!("cargo build --examples: {other:?}")),
        }
    }
    names.iter().map(|n| (*n, dir.join(n))).collect()
}

// ---------------------------------------------------------------- report

type Blocks = BTreeMap<String, String>;

/// The `@@ block NAME` ... `@@ end` blocks, and the other lines.
fn split_report(report: &str) -> (Blocks, Vec<String>) {
    let mut blocks = Blocks::new();
    let mut lines = Vec::new();
    let mut current: Option<(String, String)> = None;
    for line in report.lines() {
        if let Some((name, mut text)) = current.take() {
            if line == "@@ end" {
                blocks.insert(name, text);
            } else {
                text.push_str(line);
                text.push('\n');
                current = Some((name, text));
            }
        } else if let Some(name) = line.strip_prefix("@@ block ") {
            current = Some((name.to_string(), String::new()));
        } else {
            lines.push(line.to_string());
        }
    }
    (blocks, lines)
}

fn get<'a>(blocks: &'a Blocks, name: &str) -> Result<&'a str, String> {
    blocks.get(name).map(String::as_str).ok_or_else(|| format!("no block {name} in the report"))
}

fn json(blocks: &Blocks, name: &str) -> Result<Value, String> {
    let text = get(blocks, name)?;
    if text.lines().count() != 1 {
        return Err(format!("{name}: not one line: {text}"));
    }
    let v: Value = serde_json::from_str(text).map_err(|e| format!("{name}: {e}: {text}"))?;
    if v["version"] != 1 {
        return Err(format!("{name}: version is {}", v["version"]));
    }
    Ok(v)
}

// ------------------------------------------------- the reference's text

/// One service of a `-L -n` listing: its name (`TCP 192.0.2.1:80`,
/// `FWM 9 IPv6`), the words after it, and its real servers' names and words.
#[derive(Debug)]
struct Line {
    name: String,
    words: Vec<String>,
    dests: Vec<(String, Vec<String>)>,
}

fn parse_listing(text: &str) -> Result<Vec<Line>, String> {
    let mut out: Vec<Line> = Vec::new();
    for line in text.lines() {
        if line.starts_with("IP Virtual Server") || line.starts_with("Prot ") || line.starts_with("  -> RemoteAddress") {
            continue;
        }
        let words: Vec<String> = line.split_whitespace().map(String::from).collect();
        if words.first().map(String::as_str) == Some("->") {
            let svc = out.last_mut().ok_or_else(|| format!("real server before a service: {line}"))?;
            let name = words.get(1).ok_or_else(|| format!("short line: {line}"))?.clone();
            svc.dests.push((name, words[2..].to_vec()));
        } else if words.len() >= 2 {
            let n = if words[0] == "FWM" && words.get(2).map(String::as_str) == Some("IPv6") { 3 } else { 2 };
            out.push(Line { name: words[..n].join(" "), words: words[n..].to_vec(), dests: Vec::new() });
        }
    }
    Ok(out)
}

/// The name `-L -n` gives a service of our JSON.
fn service_name(s: &Value) -> String {
    if let Some(mark) = s["fwmark"].as_u64() {
        let v6 = if s["family"] == "inet6" { " IPv6" } else { "" };
        return format!("FWM {mark}{v6}");
    }
    let proto = s["protocol"].as_str().unwrap_or("?").to_uppercase();
    format!("{proto} {}", endpoint(s))
}

/// `addr:port`, IPv6 in brackets, as `-L -n` prints it.
fn endpoint(v: &Value) -> String {
    let addr = v["address"].as_str().unwrap_or("?");
    if addr.contains(':') {
        format!("[{addr}]:{}", v["port"])
    } else {
        format!("{addr}:{}", v["port"])
    }
}

/// How many values were compared, or what differs.
type Checked = Result<usize, String>;

fn num(word: Option<&String>) -> Result<u64, String> {
    word.ok_or("missing number")?.parse().map_err(|_| format!("not a number: {word:?}"))
}

/// Walk the services and real servers of a listing and of the JSON
/// together (same order), calling `svc` and `dest` on each pair; returns
/// how many values were compared.
fn walk(
    text: &str,
    j: &Value,
    svc: &mut dyn FnMut(&Line, &Value) -> Checked,
    dest: &mut dyn FnMut(&[String], &Value) -> Checked,
) -> Result<usize, String> {
    let lines = parse_listing(text)?;
    let services = j["services"].as_array().ok_or("no services array")?;
    if lines.len() != services.len() {
        return Err(format!("{} services listed, {} in the JSON", lines.len(), services.len()));
    }
    let mut n = 0;
    for (line, s) in lines.iter().zip(services) {
        let name = service_name(s);
        if line.name != name {
            return Err(format!("service {} listed, {name} in the JSON", line.name));
        }
        n += 1 + svc(line, s).map_err(|e| format!("{name}: {e}"))?;
        let dests = s["real_servers"].as_array().ok_or("no real_servers array")?;
        if line.dests.len() != dests.len() {
            return Err(format!("{name}: {} real servers listed, {} in the JSON", line.dests.len(), dests.len()));
        }
        for ((dname, words), d) in line.dests.iter().zip(dests) {
            if *dname != endpoint(d) {
                return Err(format!("{name}: real server {dname} listed, {} in the JSON", endpoint(d)));
            }
            n += 1 + dest(words, d).map_err(|e| format!("{name} -> {dname}: {e}"))?;
        }
    }
    Ok(n)
}

fn same(what: &str, text: impl ToString, json: &Value) -> Result<usize, String> {
    let t = text.to_string();
    let j = match json {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if t == j {
        Ok(1)
    } else {
        Err(format!("{what}: listed {t}, JSON {json}"))
    }
}

/// `-L -n --exact`: scheduler, flags, persistence, pe, ops; forwarding,
/// weight, connections.
fn check_plain(text: &str, j: &Value) -> Result<usize, String> {
    if let Some(first) = text.lines().next().filter(|l| l.starts_with("IP Virtual Server version ")) {
        let want = format!(
            "IP Virtual Server version {} (size={})",
            j["ipvs"]["version"].as_str().unwrap_or("?"),
            j["ipvs"]["conn_tab_size"]
        );
        if first != want {
            return Err(format!("version line {first}, JSON gives {want}"));
        }
    }
    walk(
        text,
        j,
        &mut |line, s| {
            let mut w = line.words.iter().peekable();
            let mut n = same("scheduler", w.next().ok_or("no scheduler")?, &s["scheduler"])?;
            let flags: Vec<&str> =
                s["sched_flags"].as_array().ok_or("no sched_flags")?.iter().filter_map(Value::as_str).collect();
            if w.peek().is_some_and(|x| x.starts_with('(')) {
                let listed = w.next().map(|x| x.trim_matches(|c| c == '(' || c == ')').to_string()).unwrap_or_default();
                n += same("sched_flags", listed, &Value::String(flags.join(",")))?;
            } else if !flags.is_empty() {
                return Err(format!("flags {flags:?} in the JSON only"));
            }
            let (mut timeout, mut mask, mut pe, mut ops) = (None, None, None, false);
            while let Some(word) = w.next() {
                match word.as_str() {
                    "persistent" => timeout = Some(num(w.next())?),
                    "mask" => mask = w.next().cloned(),
                    "pe" => pe = w.next().cloned(),
                    "ops" => ops = true,
                    other => return Err(format!("unexpected word {other}")),
                }
            }
            let p = &s["persistence"];
            match timeout {
                Some(t) => {
                    n += same("persistence timeout", t, &p["timeout"])?;
                    if s["family"] == "inet" {
                        n += same("netmask", mask.unwrap_or("255.255.255.255".into()), &p["netmask"])?;
                    } else {
                        n += same("prefix length", mask.unwrap_or("128".into()), &p["prefix_length"])?;
                    }
                    n += match pe {
                        Some(pe) => same("pe", pe, &s["pe"])?,
                        None => same("pe", "null", &s["pe"])?,
                    };
                }
                None if !p.is_null() => return Err(format!("persistence {p} in the JSON only")),
                None => n += 1,
            }
            n += same("one_packet", ops, &s["one_packet"])?;
            Ok(n)
        },
        &mut |words, d| {
            let fwd = words.first().ok_or("no forwarding")?.to_lowercase();
            Ok(same("forwarding", fwd, &d["forwarding"])?
                + same("weight", num(words.get(1))?, &d["weight"])?
                + same("active", num(words.get(2))?, &d["active_conns"])?
                + same("inactive", num(words.get(3))?, &d["inactive_conns"])?)
        },
    )
}

/// `--stats --exact` or `--rate --exact`: five numbers a line.
fn check_counters(text: &str, j: &Value, object: &str, keys: [&str; 5]) -> Result<usize, String> {
    let five = |words: &[String], v: &Value| -> Result<usize, String> {
        let mut n = 0;
        for (i, k) in keys.iter().enumerate() {
            n += same(&format!("{object}.{k}"), num(words.get(i))?, &v[object][k])?;
        }
        Ok(n)
    };
    walk(text, j, &mut |line, s| five(&line.words, s), &mut |words, d| five(words, d))
}

fn opt_threshold(t: u64) -> String {
    if t == 0 {
        "null".into()
    } else {
        t.to_string()
    }
}

fn check_thresholds(text: &str, j: &Value) -> Result<usize, String> {
    walk(text, j, &mut |_, _| Ok(0), &mut |w, d| {
        Ok(same("u_threshold", opt_threshold(num(w.first())?), &d["u_threshold"])?
            + same("l_threshold", opt_threshold(num(w.get(1))?), &d["l_threshold"])?
            + same("active", num(w.get(2))?, &d["active_conns"])?
            + same("inactive", num(w.get(3))?, &d["inactive_conns"])?)
    })
}

fn check_pconn(text: &str, j: &Value) -> Result<usize, String> {
    walk(text, j, &mut |_, _| Ok(0), &mut |w, d| {
        Ok(same("weight", num(w.first())?, &d["weight"])?
            + same("persistent", num(w.get(1))?, &d["persistent_conns"])?
            + same("active", num(w.get(2))?, &d["active_conns"])?
            + same("inactive", num(w.get(3))?, &d["inactive_conns"])?)
    })
}

fn check_tuninfo(text: &str, j: &Value) -> Result<usize, String> {
    walk(text, j, &mut |_, _| Ok(0), &mut |w, d| {
        let info = w.get(1).ok_or("no tunnel info")?;
        let t = &d["tunnel"];
        let n = if info == "n/a" {
            same("tunnel", "null", t)?
        } else {
            let parts: Vec<&str> = info.split(':').collect();
            let csum = |c: &str| match c {
                "-c" => "none",
                "+c" => "csum",
                "r+c" => "remcsum",
                _ => "?",
            };
            let (port, checksum) = match parts.as_slice() {
                ["ipip"] => ("null".to_string(), "null"),
                ["gue", port, c] => (port.to_string(), csum(c)),
                ["gre", c] => ("null".to_string(), csum(c)),
                _ => return Err(format!("tunnel info {info}")),
            };
            same("tunnel type", parts[0], &t["type"])?
                + same("tunnel port", port, &t["port"])?
                + same("checksum", checksum, &t["checksum"])?
        };
        Ok(n + same("forwarding", w[0].to_lowercase(), &d["forwarding"])?
            + same("weight", num(w.get(2))?, &d["weight"])?)
    })
}

fn check_timeouts(text: &str, j: &Value) -> Result<usize, String> {
    let values = text.trim().strip_prefix("Timeout (tcp tcpfin udp): ").ok_or(format!("timeouts: {text}"))?;
    let v: Vec<&str> = values.split(' ').collect();
    let t = &j["timeouts"];
    Ok(same("tcp", v[0], &t["tcp"])? + same("tcp_fin", v[1], &t["tcp_fin"])? + same("udp", v[2], &t["udp"])?)
}

fn check_daemons(text: &str, j: &Value) -> Result<usize, String> {
    let daemons = j["daemons"].as_array().ok_or("no daemons array")?;
    let lines: Vec<&str> = text.lines().collect();
    if lines.len() != daemons.len() {
        return Err(format!("{} daemons listed, {} in the JSON", lines.len(), daemons.len()));
    }
    let mut n = 0;
    for (line, d) in lines.iter().zip(daemons) {
        let (role, rest) = line.split_once(" sync daemon (").ok_or(format!("daemon line {line}"))?;
        n += same("role", role, &d["role"])?;
        let mut fields: BTreeMap<&str, &str> = BTreeMap::new();
        for kv in rest.trim_end_matches(')').split(", ") {
            let (k, v) = kv.split_once('=').ok_or(format!("daemon field {kv}"))?;
            fields.insert(k, v);
        }
        for (k, key) in [
            ("mcast", "mcast_interface"),
            ("syncid", "syncid"),
            ("maxlen", "sync_maxlen"),
            ("group", "mcast_group"),
            ("port", "mcast_port"),
            ("ttl", "mcast_ttl"),
        ] {
            n += same(key, fields.get(k).copied().unwrap_or("null"), &d[key])?;
        }
    }
    Ok(n)
}

/// `-L -n -c`: the same connections (in any order); ours were read after
/// the reference's, so their expiry is the same or up to 10 s less.
fn check_connections(text: &str, j: &Value) -> Result<usize, String> {
    let conns = j["connections"].as_array().ok_or("no connections array")?;
    let mut listed: Vec<(String, u64)> = Vec::new();
    for line in text.lines().skip(2) {
        let w: Vec<&str> = line.split_whitespace().collect();
        if w.len() < 6 {
            return Err(format!("connection line {line}"));
        }
        let (m, s) = w[1].split_once(':').ok_or(format!("expiry {}", w[1]))?;
        let secs = m.parse::<u64>().unwrap_or(0) * 60 + s.parse::<u64>().unwrap_or(0);
        listed.push((format!("{} {} {} {} {}", w[0], w[2], w[3], w[4], w[5]), secs));
    }
    let ep = |a: &Value, p: &Value| {
        let a = a.as_str().unwrap_or("?");
        if a.contains(':') {
            format!("[{a}]:{p}")
        } else {
            format!("{a}:{p}")
        }
    };
    let mut ours: Vec<(String, u64)> = conns
        .iter()
        .map(|c| {
            (
                format!(
                    "{} {} {} {} {}",
                    c["protocol"].as_str().unwrap_or("?").to_uppercase(),
                    c["state"].as_str().unwrap_or("?"),
                    ep(&c["client_address"], &c["client_port"]),
                    ep(&c["virtual_address"], &c["virtual_port"]),
                    ep(&c["real_server_address"], &c["real_server_port"])
                ),
                c["expires"].as_u64().unwrap_or(u64::MAX),
            )
        })
        .collect();
    listed.sort();
    ours.sort();
    if listed.len() != ours.len() || listed.iter().zip(&ours).any(|(a, b)| a.0 != b.0 || b.1 > a.1 || a.1 - b.1 > 10) {
        return Err(format!("connections listed {listed:?}, JSON {ours:?}"));
    }
    Ok(listed.len() * 6)
}

/// One service: the JSON has it alone, as the listing shows it.
fn check_one(text: &str, j: &Value) -> Result<usize, String> {
    if j["services"].as_array().map(Vec::len) != Some(1) {
        return Err(format!("not one service: {j}"));
    }
    check_plain(text, j)
}

/// Every listing of a state against our JSON of it.
fn check_state(b: &Blocks, s: &str) -> Result<usize, String> {
    let all = json(b, &format!("{s}-json"))?;
    let with_stats = json(b, &format!("{s}-json-stats"))?;
    let b_ = |n: &str| get(b, &format!("{s}-{n}"));
    let mut n = 0;
    fn label(what: &'static str) -> impl Fn(String) -> String {
        move |e| format!("{what}: {e}")
    }
    n += check_plain(b_("ref-plain")?, &all).map_err(label("-L -n --exact"))?;
    n += check_counters(b_("ref-stats")?, &with_stats, "stats", ["conns", "inpkts", "outpkts", "inbytes", "outbytes"])
        .map_err(label("--stats --exact"))?;
    n += check_counters(b_("ref-rate")?, &json(b, &format!("{s}-json-rate"))?, "rate", ["cps", "inpps", "outpps", "inbps", "outbps"])
        .map_err(label("--rate --exact"))?;
    n += check_thresholds(b_("ref-thresholds")?, &all).map_err(label("--thresholds"))?;
    n += check_pconn(b_("ref-pconn")?, &all).map_err(label("--persistent-conn"))?;
    n += check_tuninfo(b_("ref-tuninfo")?, &all).map_err(label("--tun-info"))?;
    n += check_timeouts(b_("ref-timeout")?, &json(b, &format!("{s}-json-timeout"))?).map_err(label("--timeout"))?;
    n += check_daemons(b_("ref-daemon")?, &json(b, &format!("{s}-json-daemon"))?).map_err(label("--daemon"))?;
    n += check_connections(b_("ref-conn")?, &json(b, &format!("{s}-json-conn"))?).map_err(label("-c"))?;
    n += check_one(b_("ref-one")?, &json(b, &format!("{s}-json-one"))?).map_err(label("one service"))?;
    Ok(n)
}

/// All the values of a JSON document at `key`, recursively.
fn values_at<'a>(v: &'a Value, key: &str, out: &mut Vec<&'a Value>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                if k == key {
                    out.push(x);
                }
                values_at(x, key, out);
            }
        }
        Value::Array(a) => a.iter().for_each(|x| values_at(x, key, out)),
        _ => {}
    }
}

/// The static table has what it was made to have (so that a table that
/// was not made cannot pass the checks empty).
fn static_coverage(b: &Blocks) -> Result<usize, String> {
    let j = json(b, "static-json")?;
    let mut n = 0;
    for (key, want) in [
        ("forwarding", &["masq", "route", "tunnel"][..]),
        ("type", &["ipip", "gue", "gre"][..]),
        ("family", &["inet", "inet6"][..]),
        ("checksum", &["none", "csum", "remcsum"][..]),
        ("protocol", &["tcp", "udp", "sctp"][..]),
    ] {
        let mut found = Vec::new();
        values_at(&j, key, &mut found);
        for w in want {
            if !found.iter().any(|v| *v == w) {
                return Err(format!("no {key} {w} in the static table"));
            }
            n += 1;
        }
    }
    let mut marks = Vec::new();
    values_at(&j, "fwmark", &mut marks);
    let mut pers = Vec::new();
    values_at(&j, "persistence", &mut pers);
    let daemon_doc = json(b, "traffic-json-daemon")?;
    let mut daemons = Vec::new();
    values_at(&daemon_doc, "role", &mut daemons);
    if marks.len() != 2 || pers.iter().filter(|p| !p.is_null()).count() != 4 || daemons.len() != 2 {
        let pers = pers.iter().filter(|p| !p.is_null()).count();
        return Err(format!("{} fwmarks, {pers} persistent services, daemons (with traffic) {daemons:?}", marks.len()));
    }
    // The format options change nothing.
    if j != json(b, "static-json-stats")? {
        return Err("-L --json and -L -n --stats --json differ".into());
    }
    Ok(n + 3)
}

/// The traffic made counters: over 100 MB out of 192.0.2.1:80, and an
/// active connection on 192.0.2.2:7.
fn traffic_coverage(b: &Blocks) -> Result<usize, String> {
    let j = json(b, "traffic-json")?;
    let services = j["services"].as_array().ok_or("no services")?;
    let web = services.iter().find(|s| s["address"] == "192.0.2.1" && s["port"] == 80).ok_or("no web service")?;
    let held = services.iter().find(|s| s["port"] == 7).ok_or("no port 7 service")?;
    let out = web["stats"]["outbytes"].as_u64().unwrap_or(0);
    let active = held["real_servers"][0]["active_conns"].as_u64().unwrap_or(0);
    let conns = j["services"].as_array().map(|s| s.iter().map(|s| s["stats"]["conns"].as_u64().unwrap_or(0)).sum::<u64>());
    if out < 100_000_000 || active != 1 || conns < Some(8) {
        return Err(format!("outbytes {out}, active {active}, connections {conns:?}"));
    }
    Ok(3)
}

/// examples/list_json writes what `ipvsadm -L --json` writes (rates aside:
/// they move between the two runs).
fn example_same(b: &Blocks) -> Result<usize, String> {
    let mut a = json(b, "example-list_json")?;
    let mut c = json(b, "example-json-same")?;
    for v in [&mut a, &mut c] {
        strip(v, "rate");
    }
    if a != c {
        return Err(format!("list_json: {a}\nipvsadm -L --json: {c}"));
    }
    Ok(1)
}

fn strip(v: &mut Value, key: &str) {
    match v {
        Value::Object(m) => {
            m.remove(key);
            m.values_mut().for_each(|x| strip(x, key));
        }
        Value::Array(a) => a.iter_mut().for_each(|x| strip(x, key)),
        _ => {}
    }
}

// ------------------------------------------- the checks themselves (no VM)

/// The cross-checks find a value that differs, a missing real server and
/// a wrong counter: they can fail.
#[test]
fn checks_catch_differences() {
    let text = "IP Virtual Server version 1.2.1 (size=4096)\n\
                Prot LocalAddress:Port Scheduler Flags\n\
                \x20 -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n\
                TCP  192.0.2.1:80 sh (sh-port) persistent 300 mask 255.255.255.0\n\
                \x20 -> 198.51.100.2:80              Masq    3      1          2\n\
                FWM  9 IPv6 rr persistent 120 mask 64\n";
    let good = serde_json::json!({"version": 1, "ipvs": {"version": "1.2.1", "conn_tab_size": 4096}, "services": [
        {"family": "inet", "protocol": "tcp", "address": "192.0.2.1", "port": 80, "scheduler": "sh",
         "sched_flags": ["sh-port"], "persistence": {"timeout": 300, "netmask": "255.255.255.0"}, "pe": null,
         "one_packet": false, "real_servers": [
            {"address": "198.51.100.2", "port": 80, "forwarding": "masq", "weight": 3,
             "active_conns": 1, "inactive_conns": 2}]},
        {"family": "inet6", "fwmark": 9, "scheduler": "rr", "sched_flags": [],
         "persistence": {"timeout": 120, "prefix_length": 64}, "pe": null, "one_packet": false, "real_servers": []}]});
    assert!(check_plain(text, &good).unwrap() > 10);
    let mut wrong = good.clone();
    wrong["services"][0]["real_servers"][0]["inactive_conns"] = 3.into();
    assert!(check_plain(text, &wrong).unwrap_err().contains("inactive"));
    let mut wrong = good.clone();
    wrong["services"][1]["persistence"]["prefix_length"] = 128.into();
    assert!(check_plain(text, &wrong).unwrap_err().contains("prefix length"));
    let mut wrong = good.clone();
    wrong["services"][0]["real_servers"] = serde_json::json!([]);
    assert!(check_plain(text, &wrong).is_err());
    let mut wrong = good.clone();
    wrong["ipvs"]["conn_tab_size"] = 1024.into();
    assert!(check_plain(text, &wrong).unwrap_err().contains("version line"));

    let stats = "Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes\n\
                 \x20 -> RemoteAddress:Port\n\
                 TCP  192.0.2.1:80                        5       60       70 18446744073709551615        9\n";
    let mut j = serde_json::json!({"services": [{"family": "inet", "protocol": "tcp", "address": "192.0.2.1", "port": 80,
        "stats": {"conns": 5, "inpkts": 60, "outpkts": 70, "inbytes": u64::MAX, "outbytes": 9}, "real_servers": []}]});
    let keys = ["conns", "inpkts", "outpkts", "inbytes", "outbytes"];
    assert_eq!(check_counters(stats, &j, "stats", keys), Ok(6));
    j["services"][0]["stats"]["inbytes"] = (u64::MAX - 1).into();
    assert!(check_counters(stats, &j, "stats", keys).unwrap_err().contains("inbytes"));
}
