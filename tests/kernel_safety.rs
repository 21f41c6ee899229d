//! Safety of our `ipvsadm` on real kernels (project issue 5), in the VM of
//! `tests/vm/` (Debian 6.1 and 6.12 under QEMU): restore files checked
//! whole before anything is applied, kernel errors, a large rule file
//! (memory and time), parallel writers ending with exactly the table their
//! operations imply, and the fuzz corpus run as commands (no crash, no
//! hang).
//!
//! `tests/vm/safety/main.sh` runs inside the VM and prints a report; this
//! test compares it with `tests/vm/safety/expected.txt`, lines starting
//! with `measure:` aside (they are printed: times, memory).
//!
//! Environment (as `tests/kernel_compat.rs`):
//! - `IPVSADM_REQUIRE_VM=1`: fail (instead of skipping) without the VM kit.
//! - `IPVSADM_OURS=path`: binary to test instead of the one cargo built.
//! - `IPVS_VM_KIT=dir`: kit directory (default `target/vm-kit`).
//! - `IPVSADM_SAFETY_BIG=path`: an optimized build of ours for the large
//!   rule file only (`tests/run` passes `target/release/ipvsadm`), so that
//!   a debug `cargo test` still runs the million lines in reasonable time.
//! - `IPVSADM_SAFETY_LINES=n`: lines of the large rule file; default
//!   1,000,000 with an optimized binary (`IPVSADM_SAFETY_BIG`,
//!   `cargo test --release`, or `IPVSADM_OURS`), 50,000 with a debug one
//!   (unoptimized, a million lines take minutes to parse under emulation).
//! - `IPVSADM_SAFETY_CORPUS=n|all`: how many inputs of each fuzz corpus
//!   (arguments, restore inputs) run as commands in the VM: 150 by default,
//!   spread over the corpus; `0` none. (`tests/fuzz_corpus.rs` replays the
//!   whole corpus in-process on every `cargo test`.)
//! - `IPVSADM_SAFETY_BLESS=1`: write the report as the new expected.txt.
//!
//! Results stay in `target/vm-runs/safety-<series>/`. Only std is used.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

mod common;
use common::{env_nonempty, fail, loud, root, vm_ready, VmRun};

#[test]
fn safety_6_1() {
    run_series("6.1");
}

#[test]
fn safety_6_12() {
    run_series("6.12");
}

/// Parallel writers and what each does (see `writer_files`).
const WORKERS: usize = 6;
const SERVICES: u32 = 40;
const DESTS: u32 = 10;
const SHARED: u32 = 40;
/// Inputs of each fuzz corpus run as commands in the VM, by default (each
/// is a process: ~50-100 ms under emulation).
const CORPUS_SAMPLE: usize = 150;

// ------------------------------------------------------- parallel writers

/// The restore files and single commands of every writer, and the table
/// they imply. Writer `w` owns the services 192.0.2.(10+w):1..=SERVICES
/// and the real servers 203.0.113.(w*SHARED+1..) of the shared service
/// 192.0.2.100:80, which exists before they start.
///
/// 1. add its services (rr), DESTS real servers each, and its shared ones;
/// 2. edit every service (wrr) and real server (weight d+p), delete the
///    real servers 1 to 3 of each service, delete the odd shared ones and
///    edit the even ones (weight 7);
/// 3. (before this, the singles, one process each: for p in 1..=5,
///    weight 99 for real server 4 and delete real server 5)
///    delete the upper half of its services, add real server 11 (weight 3)
///    to the lower half.
fn writer_files(dir: &Path) -> usize {
    let mut ops = 0;
    let mut expected = String::new();
    for w in 0..WORKERS as u32 {
        let vip = format!("192.0.2.{}", 10 + w);
        let (mut f1, mut f2, mut f3, mut single) =
            (String::new(), String::new(), String::new(), String::new());
        let mut line = |f: &mut String, l: String| {
            f.push_str(&l);
            f.push('\n');
            ops += 1;
        };
        let shared = |x: u32| format!("203.0.113.{}:80", w * SHARED + x);
        for p in 1..=SERVICES {
            line(&mut f1, format!("-A -t {vip}:{p} -s rr"));
            for d in 1..=DESTS {
                line(
                    &mut f1,
                    format!("-a -t {vip}:{p} -r 198.51.100.{d}:80 -m -w 1"),
                );
            }
        }
        for x in 1..=SHARED {
            line(
                &mut f1,
                format!("-a -t 192.0.2.100:80 -r {} -m -w 1", shared(x)),
            );
        }
        for p in 1..=SERVICES {
            line(&mut f2, format!("-E -t {vip}:{p} -s wrr"));
            for d in 1..=DESTS {
                line(
                    &mut f2,
                    format!("-e -t {vip}:{p} -r 198.51.100.{d}:80 -m -w {}", d + p),
                );
            }
            for d in 1..=3 {
                line(&mut f2, format!("-d -t {vip}:{p} -r 198.51.100.{d}:80"));
            }
        }
        for x in 1..=SHARED {
            if x % 2 == 1 {
                line(&mut f2, format!("-d -t 192.0.2.100:80 -r {}", shared(x)));
            } else {
                line(
                    &mut f2,
                    format!("-e -t 192.0.2.100:80 -r {} -m -w 7", shared(x)),
                );
            }
        }
        for p in 1..=5 {
            line(
                &mut single,
                format!("-e -t {vip}:{p} -r 198.51.100.4:80 -m -w 99"),
            );
            line(&mut single, format!("-d -t {vip}:{p} -r 198.51.100.5:80"));
        }
        for p in SERVICES / 2 + 1..=SERVICES {
            line(&mut f3, format!("-D -t {vip}:{p}"));
        }
        for p in 1..=SERVICES / 2 {
            line(
                &mut f3,
                format!("-a -t {vip}:{p} -r 198.51.100.11:80 -m -w 3"),
            );
        }
        // What that leaves.
        for p in 1..=SERVICES / 2 {
            let _ = writeln!(expected, "-A -t {vip}:{p} -s wrr");
            for d in 4..=DESTS {
                let weight = match d {
                    4 if p <= 5 => 99,
                    5 if p <= 5 => continue,
                    _ => d + p,
                };
                let _ = writeln!(
                    expected,
                    "-a -t {vip}:{p} -r 198.51.100.{d}:80 -m -w {weight}"
                );
            }
            let _ = writeln!(expected, "-a -t {vip}:{p} -r 198.51.100.11:80 -m -w 3");
        }
        for (k, f) in [(1, &f1), (2, &f2), (3, &f3)] {
            fs::write(dir.join(format!("w{w}_{k}.rules")), f).unwrap();
        }
        fs::write(dir.join(format!("w{w}_single")), single).unwrap();
    }
    let _ = writeln!(expected, "-A -t 192.0.2.100:80 -s wlc");
    for w in 0..WORKERS as u32 {
        for x in (2..=SHARED).step_by(2) {
            let _ = writeln!(
                expected,
                "-a -t 192.0.2.100:80 -r 203.0.113.{}:80 -m -w 7",
                w * SHARED + x
            );
        }
    }
    fs::write(dir.join("expected.rules"), expected).unwrap();
    ops
}

// ------------------------------------------------------------ fuzz corpus

/// Single-quote a word for sh (any bytes but NUL).
fn sh_quote(word: &[u8], out: &mut Vec<u8>) {
    out.push(b'\'');
    for &b in word {
        if b == b'\'' {
            out.extend_from_slice(b"'\\''");
        } else {
            out.push(b);
        }
    }
    out.push(b'\'');
}

/// The files of a corpus directory, sorted; at most `limit` of them, spread
/// evenly.
fn corpus_files(dir: &Path, limit: Option<usize>) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .map(|e| {
            e.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file())
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    match limit {
        Some(n) if files.len() > n && n > 0 => {
            let step = files.len() as f64 / n as f64;
            (0..n)
                .map(|i| files[(i as f64 * step) as usize].clone())
                .collect()
        }
        Some(0) => Vec::new(),
        _ => files,
    }
}

/// The fuzz corpus for the VM: the argument inputs as one script of
/// `a ARGS...` calls, the restore inputs as files. Returns how many.
fn corpus_payload(payload: &Path, limit: Option<usize>) -> usize {
    let corpus = root().join("fuzz/corpus");
    let mut script = Vec::new();
    let args = corpus_files(&corpus.join("args"), limit);
    for f in &args {
        let data = fs::read(f).unwrap_or_default();
        script.push(b'a');
        if !data.is_empty() {
            for word in data.split(|&b| b == 0) {
                script.push(b' ');
                sh_quote(word, &mut script);
            }
        }
        script.push(b'\n');
    }
    fs::write(payload.join("corpus_args.sh"), script).unwrap();
    let dest = payload.join("corpus/restore");
    fs::create_dir_all(&dest).unwrap();
    let restores = corpus_files(&corpus.join("restore"), limit);
    for f in &restores {
        fs::copy(f, dest.join(f.file_name().unwrap())).unwrap();
    }
    args.len() + restores.len()
}

// ------------------------------------------------------------------- diff

fn diff(expected: &str, got: &str) -> String {
    let a: Vec<&str> = expected.lines().collect();
    let b: Vec<&str> = got.lines().collect();
    let (n, m) = (a.len(), b.len());
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut out = String::new();
    let (mut i, mut j) = (0, 0);
    let mut context = String::new();
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            if a[i].starts_with("### ") {
                context = a[i].to_string();
            }
            i += 1;
            j += 1;
        } else {
            if !context.is_empty() {
                let _ = writeln!(out, "  {context}");
                context.clear();
            }
            if i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1]) {
                let _ = writeln!(out, "  -{}", a[i]);
                i += 1;
            } else {
                let _ = writeln!(out, "  +{}", b[j]);
                j += 1;
            }
        }
    }
    out
}

// -------------------------------------------------------------------- run

fn run_series(series: &str) {
    let root = root();
    if !vm_ready(series, "kernel safety tests") {
        return;
    }

    let given = env_nonempty("IPVSADM_OURS");
    let big = env_nonempty("IPVSADM_SAFETY_BIG");
    let optimized = given.is_some() || big.is_some() || !cfg!(debug_assertions);
    let ours = common::ours();
    let lines: u64 = env_nonempty("IPVSADM_SAFETY_LINES")
        .and_then(|v| v.parse().ok())
        .unwrap_or(if optimized { 1_000_000 } else { 50_000 });

    let run_dir = root.join("target/vm-runs").join(format!("safety-{series}"));
    let _ = fs::remove_dir_all(&run_dir);
    let payload = run_dir.join("payload");
    fs::create_dir_all(&payload).unwrap();
    fs::copy(
        root.join("tests/vm/safety/main.sh"),
        payload.join("main.sh"),
    )
    .expect("copy main.sh");
    fs::write(payload.join("lines"), lines.to_string()).unwrap();
    if let Some(big) = &big {
        fs::copy(big, payload.join("big-ipvsadm"))
            .unwrap_or_else(|e| fail(format!("IPVSADM_SAFETY_BIG={big}: {e}")));
    }
    fs::write(payload.join("workers"), WORKERS.to_string()).unwrap();
    let ops = writer_files(&payload);
    fs::write(payload.join("operations"), ops.to_string()).unwrap();
    let limit = match env_nonempty("IPVSADM_SAFETY_CORPUS").as_deref() {
        Some("all") => None,
        Some(n) => Some(n.parse().unwrap_or(CORPUS_SAMPLE)),
        None => Some(CORPUS_SAMPLE),
    };
    let corpus = corpus_payload(&payload, limit);

    loud(&format!(
        "safety {series}: ours = {ours}{}, {lines} lines, {WORKERS} writers ({ops} operations), {corpus} corpus inputs{}\n",
        big.as_deref().map(|b| format!(" (large file: {b})")).unwrap_or_default(),
        if optimized || env_nonempty("IPVSADM_SAFETY_LINES").is_some() {
            ""
        } else {
            " (a debug build: `cargo test --release --test kernel_safety` for the 1,000,000-line run)"
        }
    ));
    let out = run_dir.join("report.txt");
    let vm_timeout = 300 + lines / 5_000 + corpus as u64 / 4;
    // Two copies of the file in the VM's RAM disk, and ours holding one.
    let mem_mb = 512 + lines * 400 / 1_000_000;
    let run = VmRun {
        series,
        ours: &ours,
        payload: &payload,
        out: &out,
        timeout_secs: vm_timeout,
        mem_mb: Some(mem_mb),
    }
    .run();
    let (secs, report, vm_problem) = (run.secs, run.report(), run.problem);
    let (measures, compared): (Vec<&str>, Vec<&str>) =
        report.lines().partition(|l| l.starts_with("measure:"));
    let compared = compared.join("\n") + "\n";

    let mut text = String::new();
    for m in &measures {
        let _ = writeln!(
            text,
            "safety {series}: {}",
            m.trim_start_matches("measure: ")
        );
    }
    let _ = writeln!(
        text,
        "safety {series}: VM run {secs:.0}s, report in {}",
        out.display()
    );
    loud(&text);

    let mut problems: Vec<String> = vm_problem.into_iter().collect();
    if report.contains("panicked") {
        problems.push("a panic message in the report".to_string());
    }
    let expected_path = root.join("tests/vm/safety/expected.txt");
    if env_nonempty("IPVSADM_SAFETY_BLESS").as_deref() == Some("1") {
        fs::write(&expected_path, &compared).unwrap();
        loud(&format!(
            "safety {series}: wrote {}\n",
            expected_path.display()
        ));
    } else {
        let expected = fs::read_to_string(&expected_path).unwrap_or_default();
        if expected != compared {
            problems.push(format!(
                "the report differs from tests/vm/safety/expected.txt (-expected +got):\n{}",
                diff(&expected, &compared)
            ));
        }
    }
    if !problems.is_empty() {
        let msg = format!("safety {series}: FAILED\n{}", problems.join("\n"));
        loud(&format!("{msg}\n"));
        fail(msg);
    }
    loud(&format!("safety {series}: passed\n"));
}
