//! Kernel comparison bench: our `ipvsadm` against the reference ipvsadm 1.31
//! on real Debian kernels (6.1 and 6.12) booted under QEMU.
//!
//! Every case in `tests/cases/*.cases` is run inside the VM by
//! `tests/vm/driver.sh`: once with the reference first in PATH, once with
//! ours. Per step, stdout, stderr and exit status must match; the state left
//! by the reference must be listed identically by ours, and the state left by
//! ours must be listed by the reference exactly like the state left by the
//! reference (`-S -n`, `-L -n`, `-L -n --timeout`, `-L -n --daemon`).
//! Step forms for live traffic (see tests/cases/basic.cases): an `@net`
//! line runs the case in network namespaces of its own; `@same CMD` compares
//! the reference and ours back to back on the reference's state (ours must
//! match the reference's run just before or just after); `@quiet CMD` is
//! run in both but only its exit status is compared (and must be 0 for the
//! reference).
//!
//! Environment:
//! - `IPVSADM_CASES=substring`: only cases whose name (or file name) contains it.
//! - `IPVSADM_REQUIRE_VM=1`: fail (instead of skipping) when the VM kit is
//!   missing (`tests/vm/kit.sh fetch` makes it).
//! - `IPVSADM_OURS=path`: binary to test instead of the one cargo built.
//! - `IPVSADM_VM_TIMEOUT=secs`: bound for the whole VM run.
//! - `IPVSADM_STEP_TIMEOUT=secs`: bound for each step inside the VM (10).
//! - `IPVS_VM_KIT=dir`: kit directory (default `target/vm-kit`).
//!
//! The raw results and the VM console of the latest run are kept in
//! `target/vm-runs/<series>/`. Only std is used here.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

mod common;
use common::{env_nonempty, fail, loud, root, vm_ready, VmRun};

#[test]
fn kernel_6_1() {
    run_series("6.1");
}

#[test]
fn kernel_6_12() {
    run_series("6.12");
}

/// The crash check itself (it must be able to fail).
#[test]
fn crash_check() {
    let out = |rc: i32, stderr: &str| Out { rc, stderr: stderr.as_bytes().to_vec(), ..Out::default() };
    assert!(crash_of(&out(0, ""), Some(0)).is_none());
    assert!(crash_of(&out(2, "Zero port specified for non-persistent service\n"), Some(2)).is_none());
    assert!(crash_of(&out(1, "thread 'main' panicked at src/x.rs:1:1:\n"), Some(1)).is_some());
    assert!(crash_of(&out(101, ""), Some(0)).is_some());
    assert!(crash_of(&out(139, ""), Some(255)).is_some());
    assert!(crash_of(&out(134, ""), None).is_some());
    // The same status from the reference (a step killing its own pipe).
    assert!(crash_of(&out(141, ""), Some(141)).is_none());
    let def = CaseDef { steps: vec!["ipvsadm -L -n".to_string()], ..CaseDef::default() };
    let res = CaseResult {
        steps_ref: vec![out(0, "")],
        steps_ours: vec![out(134, "")],
        snaps: vec![("ref/ours".to_string(), out(0, "panicked at x")), ("ours/ref".to_string(), out(0, ""))],
        ..CaseResult::default()
    };
    assert_eq!(crashes(&def, &res).len(), 2);
}

const SNAPSHOT_EXPLAIN_OURS_LISTING: &str =
    "state made by the reference, listed by ours (expected: listed by the reference)";
const SNAPSHOT_EXPLAIN_OURS_STATE: &str =
    "state made by ours, listed by the reference (expected: state made by the reference)";
const MAX_MISMATCHES_PER_CASE: usize = 6;

#[derive(Debug, Clone, Default)]
struct CaseDef {
    file: String,
    name: String,
    steps: Vec<String>,
    /// An `@net` line: the case runs with live traffic in namespaces of its own.
    net: bool,
}

/// How a step is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StepKind {
    /// Output and status of the reference's run against ours' run.
    Plain,
    /// `@same CMD`: the reference and ours back to back on one state.
    Same,
    /// `@quiet CMD`: exit status only.
    Quiet,
}

fn step_kind(step: &str) -> StepKind {
    if step.starts_with("@same ") {
        StepKind::Same
    } else if step.starts_with("@quiet ") {
        StepKind::Quiet
    } else {
        StepKind::Plain
    }
}

/// Parses all case files the same way the in-VM driver does.
fn load_cases(dir: &Path) -> Vec<CaseDef> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().map(|x| x == "cases").unwrap_or(false))
        .collect();
    files.sort_by(|a, b| {
        a.file_name()
            .unwrap()
            .as_encoded_bytes()
            .cmp(b.file_name().unwrap().as_encoded_bytes())
    });
    let mut cases = Vec::new();
    let mut problems = Vec::new();
    for path in files {
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let mut cur: Option<CaseDef> = None;
        for (lineno, line) in text.lines().enumerate() {
            if let Some(rest) = line.strip_prefix("###") {
                if let Some(c) = cur.take() {
                    cases.push(c);
                }
                let name = rest.strip_prefix(' ').unwrap_or(rest).to_string();
                if name.is_empty() {
                    problems.push(format!("{file}:{}: case without a name", lineno + 1));
                }
                cur = Some(CaseDef {
                    file: file.clone(),
                    name,
                    steps: Vec::new(),
                    net: false,
                });
            } else if line.starts_with('#') || line.trim().is_empty() {
                continue;
            } else if line == "@net" {
                match cur.as_mut() {
                    Some(c) => c.net = true,
                    None => problems.push(format!(
                        "{file}:{}: @net before the first `### name` line",
                        lineno + 1
                    )),
                }
            } else if line.starts_with('@')
                && !line.starts_with("@same ")
                && !line.starts_with("@quiet ")
            {
                problems.push(format!(
                    "{file}:{}: unknown form {line:?} (@net, @same CMD, @quiet CMD)",
                    lineno + 1
                ));
            } else if let Some(c) = cur.as_mut() {
                c.steps.push(line.to_string());
            } else {
                problems.push(format!(
                    "{file}:{}: step before the first `### name` line",
                    lineno + 1
                ));
            }
        }
        if let Some(c) = cur.take() {
            cases.push(c);
        }
    }
    let mut seen = std::collections::HashSet::new();
    for c in &cases {
        if !c.name.is_empty() && !seen.insert(c.name.clone()) {
            problems.push(format!("{}: duplicate case name `{}`", c.file, c.name));
        }
    }
    assert!(
        problems.is_empty(),
        "bad case files:\n  {}",
        problems.join("\n  ")
    );
    cases.retain(|c| !c.name.is_empty());
    cases
}

// ---------------------------------------------------------------- results

#[derive(Debug, Clone, Default)]
struct Out {
    rc: i32,
    cmd: String,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
}

#[derive(Debug, Default)]
struct CaseResult {
    file: String,
    name: String,
    nsteps: usize,
    steps_ref: Vec<Out>,
    steps_ours: Vec<Out>,
    /// `@same` steps: ours' run and the reference's run after it, by step
    /// number (1-based).
    steps_same: Vec<(usize, Out)>,
    steps_after: Vec<(usize, Out)>,
    snaps: Vec<(String, Out)>,
    warnings: Vec<String>,
    /// S/P records in output order, waiting for their data (the D record).
    pending: Vec<(Rec, usize)>,
    ended: bool,
}

#[derive(Debug, Clone, Copy)]
enum Rec {
    StepRef,
    StepOurs,
    StepSame,
    StepAfter,
    Snap,
}

#[derive(Debug, Default)]
struct Results {
    kernel: String,
    ref_version: String,
    has_ours: bool,
    cases: Vec<CaseResult>,
    finished: Option<usize>,
    garbage: Vec<String>,
}

fn b64_decode(s: &str) -> Result<Vec<u8>, String> {
    fn val(c: u8) -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => (c - b'A') as u32,
            b'a'..=b'z' => (c - b'a' + 26) as u32,
            b'0'..=b'9' => (c - b'0' + 52) as u32,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        })
    }
    let bytes = s.trim_end_matches('=').as_bytes();
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for &c in bytes {
        let v = val(c).ok_or_else(|| format!("bad base64 character {:?}", c as char))?;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Ok(out)
}

fn parse_results(raw: &[u8]) -> Results {
    let mut r = Results::default();
    let text = String::from_utf8_lossy(raw);
    for line in text.lines() {
        let f: Vec<&str> = line.split(' ').collect();
        let dec =
            |i: usize| -> Result<Vec<u8>, String> { b64_decode(f.get(i).copied().unwrap_or("")) };
        let dec_s = |i: usize| -> Result<String, String> {
            dec(i).map(|b| String::from_utf8_lossy(&b).into_owned())
        };
        let num = |i: usize| -> Result<i64, String> {
            f.get(i)
                .and_then(|s| s.parse().ok())
                .ok_or_else(|| format!("bad number in field {i}"))
        };
        let res: Result<(), String> = (|| {
            match f[0] {
                "H" if f.len() == 4 => {
                    r.kernel = dec_s(1)?;
                    r.ref_version = dec_s(2)?.trim().to_string();
                    r.has_ours = f[3] == "1";
                }
                "C" if f.len() == 4 => r.cases.push(CaseResult {
                    file: dec_s(1)?,
                    name: dec_s(2)?,
                    nsteps: num(3)? as usize,
                    ..Default::default()
                }),
                "S" if f.len() == 4 => {
                    let c = r.cases.last_mut().ok_or("step outside a case")?;
                    let o = Out {
                        rc: num(3)? as i32,
                        ..Default::default()
                    };
                    let (kind, idx) = match f[1] {
                        "ref" => {
                            c.steps_ref.push(o);
                            (Rec::StepRef, c.steps_ref.len() - 1)
                        }
                        "ours" => {
                            c.steps_ours.push(o);
                            (Rec::StepOurs, c.steps_ours.len() - 1)
                        }
                        "same" => {
                            c.steps_same.push((num(2)? as usize, o));
                            (Rec::StepSame, c.steps_same.len() - 1)
                        }
                        "after" => {
                            c.steps_after.push((num(2)? as usize, o));
                            (Rec::StepAfter, c.steps_after.len() - 1)
                        }
                        p => return Err(format!("unknown phase {p}")),
                    };
                    c.pending.push((kind, idx));
                }
                "P" if f.len() == 3 => {
                    let c = r.cases.last_mut().ok_or("snapshot outside a case")?;
                    c.snaps.push((
                        f[1].to_string(),
                        Out {
                            rc: num(2)? as i32,
                            ..Default::default()
                        },
                    ));
                    let idx = c.snaps.len() - 1;
                    c.pending.push((Rec::Snap, idx));
                }
                "D" if f.len() == 3 => {
                    let c = r.cases.last_mut().ok_or("data outside a case")?;
                    let sizes: Vec<usize> = if f[1].is_empty() {
                        Vec::new()
                    } else {
                        f[1].split(',')
                            .map(|n| n.parse().map_err(|_| format!("bad size {n:?}")))
                            .collect::<Result<_, _>>()?
                    };
                    let blob = dec(2)?;
                    if sizes.len() != 3 * c.pending.len()
                        || sizes.iter().sum::<usize>() != blob.len()
                    {
                        return Err(format!(
                            "data record does not fit: {} sizes for {} records, {} bytes for {}",
                            sizes.len(),
                            c.pending.len(),
                            blob.len(),
                            sizes.iter().sum::<usize>()
                        ));
                    }
                    let mut pos = 0;
                    let mut take = |n: usize| {
                        let v = blob[pos..pos + n].to_vec();
                        pos += n;
                        v
                    };
                    for (k, (kind, idx)) in std::mem::take(&mut c.pending).into_iter().enumerate() {
                        let o = match kind {
                            Rec::StepRef => &mut c.steps_ref[idx],
                            Rec::StepOurs => &mut c.steps_ours[idx],
                            Rec::StepSame => &mut c.steps_same[idx].1,
                            Rec::StepAfter => &mut c.steps_after[idx].1,
                            Rec::Snap => &mut c.snaps[idx].1,
                        };
                        o.cmd = String::from_utf8_lossy(&take(sizes[3 * k])).into_owned();
                        o.stdout = take(sizes[3 * k + 1]);
                        o.stderr = take(sizes[3 * k + 2]);
                    }
                }
                "W" if f.len() == 2 => {
                    let w = dec_s(1)?;
                    match r.cases.last_mut() {
                        Some(c) => c.warnings.push(w),
                        None => r.garbage.push(format!("warning: {w}")),
                    }
                }
                "E" if f.len() == 1 => {
                    let c = r.cases.last_mut().ok_or("end outside a case")?;
                    if !c.pending.is_empty() {
                        return Err(format!(
                            "case ended with {} records without data",
                            c.pending.len()
                        ));
                    }
                    c.ended = true;
                }
                "Z" if f.len() == 2 => r.finished = Some(num(1)? as usize),
                _ => return Err("unknown record".into()),
            }
            Ok(())
        })();
        if let Err(e) = res {
            let mut shown: String = line.chars().take(120).collect();
            if shown.len() < line.len() {
                shown.push('…');
            }
            r.garbage.push(format!("{e}: {shown}"));
        }
    }
    r
}

// ------------------------------------------------------------------- diff

/// Shows a line so that invisible differences become visible (control
/// characters escaped; on changed lines, trailing blanks shown as `·`).
fn show_line(line: &str, mark_trailing: bool) -> String {
    let trimmed = if mark_trailing {
        line.trim_end_matches(' ')
    } else {
        line
    };
    let mut s = String::new();
    for ch in trimmed.chars() {
        match ch {
            '\t' => s.push_str("\\t"),
            '\r' => s.push_str("\\r"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                let _ = write!(s, "\\x{:02x}", c as u32);
            }
            c => s.push(c),
        }
    }
    for _ in 0..(line.len() - trimmed.len()) {
        s.push('·');
    }
    s
}

fn split_lines(b: &[u8]) -> (Vec<String>, bool) {
    let text = String::from_utf8_lossy(b);
    let complete = text.is_empty() || text.ends_with('\n');
    (text.lines().map(|l| l.to_string()).collect(), complete)
}

/// Line diff (LCS) of expected vs got, with `-` for expected-only lines,
/// `+` for got-only lines; long runs of equal lines are shortened.
fn diff(expected: &[u8], got: &[u8], indent: &str) -> String {
    let (a, a_nl) = split_lines(expected);
    let (b, b_nl) = split_lines(got);
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
    let mut ops: Vec<(char, &str)> = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            ops.push((' ', &a[i]));
            i += 1;
            j += 1;
        } else if i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1]) {
            ops.push(('-', &a[i]));
            i += 1;
        } else {
            ops.push(('+', &b[j]));
            j += 1;
        }
    }
    let mut out = String::new();
    let mut k = 0;
    while k < ops.len() {
        if ops[k].0 == ' ' {
            let start = k;
            while k < ops.len() && ops[k].0 == ' ' {
                k += 1;
            }
            let run = &ops[start..k];
            let head = if start == 0 { 0 } else { 3 };
            let tail = if k == ops.len() { 0 } else { 3 };
            if run.len() > head + tail + 1 {
                for (_, l) in &run[..head] {
                    let _ = writeln!(out, "{indent}  {}", show_line(l, false));
                }
                let _ = writeln!(
                    out,
                    "{indent}  [... {} equal lines ...]",
                    run.len() - head - tail
                );
                for (_, l) in &run[run.len() - tail..] {
                    let _ = writeln!(out, "{indent}  {}", show_line(l, false));
                }
            } else {
                for (_, l) in run {
                    let _ = writeln!(out, "{indent}  {}", show_line(l, false));
                }
            }
        } else {
            let _ = writeln!(out, "{indent}{}{}", ops[k].0, show_line(ops[k].1, true));
            k += 1;
        }
    }
    if a_nl != b_nl {
        let _ = writeln!(
            out,
            "{indent}(expected {} with a newline, got {})",
            if a_nl { "ends" } else { "does not end" },
            if b_nl { "ends with one" } else { "does not" }
        );
    }
    if expected != got && a == b && a_nl == b_nl {
        let _ = writeln!(
            out,
            "{indent}(the texts differ in bytes that are not shown: invalid UTF-8?)"
        );
    }
    if n == 0 && m == 0 && a_nl == b_nl {
        let _ = writeln!(out, "{indent}(empty)");
    }
    out
}

/// Whether a step's command saves the table (`-S`, `--save`,
/// `ipvsadm-save`).
fn saves(cmd: &str) -> bool {
    cmd.split_whitespace().any(|w| w == "-S" || w == "--save" || w.ends_with("ipvsadm-save"))
        || cmd.contains(" -S")
}

/// Our output of a command as ipvsadm 1.31 would write it: our `-S`
/// writes what ipvsadm 1.31 drops (thresholds, a netmask without
/// persistence; README "Differences from ipvsadm"), which the library
/// takes out again for exactly this comparison. Anything else must match
/// byte for byte.
fn as_ipvsadm_1_31(got: &Out) -> Out {
    let mut o = got.clone();
    if saves(&o.cmd) {
        o.stdout = ipvs::output::as_saved_by_ipvsadm_1_31(&o.stdout);
    }
    o
}

/// The save normalisation applies to saves only, and keeps other lines.
#[test]
fn saves_compare_as_ipvsadm_1_31_writes_them() {
    let out = |cmd: &str, stdout: &str| Out { cmd: cmd.into(), stdout: stdout.as_bytes().to_vec(), ..Out::default() };
    let ours = "-A -t 192.0.2.1:80 -s rr -M 255.255.255.0\n-a -t 192.0.2.1:80 -r 198.51.100.2:80 -m -w 1 -x 9 -y 2\n-A -t 192.0.2.1:81 -s sh -b sh-port,flag-3\n";
    let reference = "-A -t 192.0.2.1:80 -s rr\n-a -t 192.0.2.1:80 -r 198.51.100.2:80 -m -w 1\n-A -t 192.0.2.1:81 -s sh -b sh-port\n";
    assert!(compare(&out("ipvsadm -S -n", reference), &out("ipvsadm -S -n", ours)).is_none());
    assert!(compare(&out("ipvsadm-save", reference), &out("ipvsadm-save", ours)).is_none());
    assert!(compare(&out("ipvsadm -L -n", reference), &out("ipvsadm -L -n", ours)).is_some());
    // A real difference in a save still shows.
    let other = ours.replace("-w 1", "-w 2");
    assert!(compare(&out("ipvsadm -S -n", reference), &out("ipvsadm -S -n", &other)).is_some());
}

/// Compares two outputs; returns a readable description when they differ.
/// `got` is ours' (or a state ours made), seen as ipvsadm 1.31 would
/// write it ([`as_ipvsadm_1_31`]).
fn compare(expected: &Out, got: &Out) -> Option<String> {
    let got = &as_ipvsadm_1_31(got);
    let mut s = String::new();
    if expected.rc != got.rc {
        let _ = writeln!(
            s,
            "    exit status: expected {}, got {}{}",
            expected.rc,
            got.rc,
            rc_hint(got.rc)
        );
    }
    for (what, e, g) in [
        ("stdout", &expected.stdout, &got.stdout),
        ("stderr", &expected.stderr, &got.stderr),
    ] {
        if e != g {
            let _ = writeln!(s, "    {what} (-expected +got):");
            s.push_str(&diff(e, g, "      "));
        }
    }
    if s.is_empty() {
        None
    } else {
        Some(s)
    }
}

/// Whether ours' run of a `@same` step lies between the reference's runs
/// just before and just after it: equal to one of them, or else (when
/// several entries moved on at different moments, such as the expiry of
/// connections) with every line of its standard output equal to the same
/// line of one of them, the rest equal to one of them.
fn between(before: &Out, ours: &Out, after: &Out) -> bool {
    if compare(before, ours).is_none() || compare(after, ours).is_none() {
        return true;
    }
    let rest_ok = |r: &Out| r.rc == ours.rc && r.stderr == ours.stderr;
    if !rest_ok(before) && !rest_ok(after) {
        return false;
    }
    let (b, b_nl) = split_lines(&before.stdout);
    let (o, o_nl) = split_lines(&ours.stdout);
    let (a, a_nl) = split_lines(&after.stdout);
    b.len() == o.len()
        && a.len() == o.len()
        && b_nl == o_nl
        && a_nl == o_nl
        && o.iter().zip(b.iter().zip(a.iter())).all(|(l, (x, y))| l == x || l == y)
}

/// What a `@quiet` step printed, for a report.
fn quiet_output(o: &Out) -> String {
    let mut s = String::new();
    for (what, text) in [("stdout", &o.stdout), ("stderr", &o.stderr)] {
        if !text.is_empty() {
            let _ = writeln!(s, "    {what}:");
            for l in String::from_utf8_lossy(text).lines().take(20) {
                let _ = writeln!(s, "      {}", show_line(l, true));
            }
        }
    }
    s
}

fn rc_hint(rc: i32) -> &'static str {
    match rc {
        137 | 143 | 124 => " (killed by the step timeout?)",
        134 => " (abort/panic?)",
        139 => " (segfault)",
        126 | 127 => " (not found / not executable?)",
        _ => "",
    }
}

// ------------------------------------------------------------------ check

/// Whether a run of ours ended in a panic or a signal, whatever the
/// reference did: a crash is a failure even where the outputs agree.
fn crash_of(ours: &Out, reference_rc: Option<i32>) -> Option<String> {
    let stderr = String::from_utf8_lossy(&ours.stderr);
    if stderr.contains("panicked at") || stderr.contains("RUST_BACKTRACE") {
        return Some("a panic message on stderr".to_string());
    }
    if ours.rc == 101 && reference_rc != Some(101) {
        return Some("exit status 101 (a Rust panic)".to_string());
    }
    // sh reports a child killed by signal N as 128 + N.
    if (129..=159).contains(&ours.rc) && reference_rc != Some(ours.rc) {
        return Some(format!("exit status {} (signal {})", ours.rc, ours.rc - 128));
    }
    None
}

/// Every output of ours in a case (steps, back-to-back runs, snapshots)
/// checked by [`crash_of`].
fn crashes(def: &CaseDef, res: &CaseResult) -> Vec<String> {
    let step = |i: usize| def.steps.get(i).cloned().unwrap_or_default();
    let mut found = Vec::new();
    for (i, o) in res.steps_ours.iter().enumerate() {
        let reference = res.steps_ref.get(i).map(|e| e.rc);
        if let Some(why) = crash_of(o, reference) {
            found.push(format!("  step {}: {}\n    ours crashed: {why}\n", i + 1, step(i)));
        }
    }
    for (n, o) in &res.steps_same {
        let reference = res.steps_ref.get(n.wrapping_sub(1)).map(|e| e.rc);
        if let Some(why) = crash_of(o, reference) {
            found.push(format!("  step {n} (back to back): {}\n    ours crashed: {why}\n", step(n.wrapping_sub(1))));
        }
    }
    for (tag, o) in &res.snaps {
        if tag.ends_with("/ours") {
            if let Some(why) = crash_of(o, None) {
                found.push(format!("  snapshot {tag} `{}`: ours crashed: {why}\n", o.cmd));
            }
        }
    }
    found
}

/// Returns the failure report of one case, or None when it passed.
fn check_case(def: &CaseDef, res: Option<&CaseResult>) -> Option<String> {
    let header = format!("FAIL [{}] {}\n", def.file, def.name);
    let Some(res) = res else {
        return Some(format!(
            "{header}    did not run: the VM stopped before it (see the console)\n"
        ));
    };
    let mut issues: Vec<String> = Vec::new();
    if res.name != def.name || res.file != def.file {
        issues.push(format!(
            "    result is for [{}] {}: case files out of sync?\n",
            res.file, res.name
        ));
    }
    if !res.ended {
        let n = def.steps.len();
        let step = |i: usize| def.steps.get(i).map(String::as_str).unwrap_or("?");
        let place = if res.steps_ref.len() < n {
            format!(
                "the reference's step {}: {}",
                res.steps_ref.len() + 1,
                step(res.steps_ref.len())
            )
        } else if res.steps_ours.is_empty() && res.snaps.iter().all(|(t, _)| t.starts_with("ref/"))
        {
            "the snapshots of the reference's state (or the reset before our run)".to_string()
        } else if res.steps_ours.len() < n {
            format!(
                "our step {}: {}",
                res.steps_ours.len() + 1,
                step(res.steps_ours.len())
            )
        } else {
            "the snapshots of the state made by ours".to_string()
        };
        issues.push(format!(
            "    interrupted: the VM stopped during {place} (crash? timeout? see the console)\n"
        ));
        // Outputs of an unfinished case never left the VM: nothing to compare.
        return Some(format!("{header}{}", issues.concat()));
    }
    for w in &res.warnings {
        issues.push(format!("    driver warning: {w}\n"));
    }
    issues.extend(crashes(def, res));
    let n = def.steps.len();
    if res.nsteps != n || (res.ended && (res.steps_ref.len() != n || res.steps_ours.len() != n)) {
        issues.push(format!(
            "    step count: case has {n}, driver saw {}, ran {} (ref) / {} (ours)\n",
            res.nsteps,
            res.steps_ref.len(),
            res.steps_ours.len()
        ));
    }
    for (i, (e, g)) in res.steps_ref.iter().zip(res.steps_ours.iter()).enumerate() {
        let step = def.steps.get(i).unwrap_or(&e.cmd);
        match def.steps.get(i).map(|s| step_kind(s)).unwrap_or(StepKind::Plain) {
            StepKind::Plain => {
                if let Some(d) = compare(e, g) {
                    issues.push(format!("  step {}: {step}\n{d}", i + 1));
                }
            }
            StepKind::Quiet => {
                if e.rc != 0 {
                    issues.push(format!(
                        "  step {}: {step}\n    failed in the reference's run (exit status {}): the case does not test what it should\n{}",
                        i + 1,
                        e.rc,
                        quiet_output(e)
                    ));
                } else if g.rc != e.rc {
                    issues.push(format!(
                        "  step {}: {step}\n    exit status: expected {}, got {}{}\n{}",
                        i + 1,
                        e.rc,
                        g.rc,
                        rc_hint(g.rc),
                        quiet_output(g)
                    ));
                }
            }
            StepKind::Same => {
                let find = |v: &[(usize, Out)]| {
                    v.iter().find(|(n, _)| *n == i + 1).map(|(_, o)| o.clone())
                };
                match (find(&res.steps_same), find(&res.steps_after)) {
                    (Some(ours), Some(after)) => {
                        if !between(e, &ours, &after) {
                            let d = compare(e, &ours).unwrap_or_default();
                            issues.push(format!(
                                "  step {}: {step}\n    (back to back; ours is not between the reference's runs before and after it; shown against the one before)\n{d}",
                                i + 1
                            ));
                        }
                    }
                    _ => issues.push(format!(
                        "  step {}: {step}\n    the back-to-back runs are missing from the results\n",
                        i + 1
                    )),
                }
            }
        }
    }
    let snap = |tag: &str, cmd: &str| {
        res.snaps
            .iter()
            .find(|(t, o)| t == tag && o.cmd == cmd)
            .map(|(_, o)| o)
    };
    for (tag, o) in res.snaps.iter().filter(|(t, _)| t == "ref/ref") {
        for (other, explain) in [
            ("ref/ours", SNAPSHOT_EXPLAIN_OURS_LISTING),
            ("ours/ref", SNAPSHOT_EXPLAIN_OURS_STATE),
        ] {
            match snap(other, &o.cmd) {
                Some(g) => {
                    if let Some(d) = compare(o, g) {
                        issues.push(format!("  after all steps, `{}`: {explain}\n{d}", o.cmd));
                    }
                }
                None if res.ended => issues.push(format!(
                    "    snapshot {other} `{}` missing ({tag})\n",
                    o.cmd
                )),
                None => {}
            }
        }
    }
    if issues.is_empty() {
        return None;
    }
    let mut s = header;
    let total = issues.len();
    for issue in issues.into_iter().take(MAX_MISMATCHES_PER_CASE) {
        s.push_str(&issue);
    }
    if total > MAX_MISMATCHES_PER_CASE {
        let _ = writeln!(
            s,
            "  ... and {} more mismatches in this case",
            total - MAX_MISMATCHES_PER_CASE
        );
    }
    Some(s)
}

// -------------------------------------------------------------------- run

fn run_series(series: &str) {
    let root = root();
    if !vm_ready(series, "kernel tests") {
        return;
    }
    let ours = common::ours();

    let filter = env_nonempty("IPVSADM_CASES");
    let mut cases = load_cases(&root.join("tests/cases"));
    if let Some(f) = &filter {
        cases.retain(|c| c.name.contains(f.as_str()) || c.file.contains(f.as_str()));
    }
    if cases.is_empty() {
        loud(&format!(
            "compat {series}: 0 cases (filter {:?} matches none)\n",
            filter.unwrap_or_default()
        ));
        return;
    }

    // Payload: driver, traffic helper, case files (+ filter).
    let run_dir = root.join("target/vm-runs").join(series);
    let _ = fs::remove_dir_all(&run_dir);
    let payload = run_dir.join("payload");
    fs::create_dir_all(payload.join("cases")).unwrap();
    fs::copy(root.join("tests/vm/driver.sh"), payload.join("main.sh")).expect("copy driver.sh");
    fs::copy(root.join("tests/vm/net.sh"), payload.join("net.sh")).expect("copy net.sh");
    for entry in fs::read_dir(root.join("tests/cases")).unwrap() {
        let p = entry.unwrap().path();
        if p.extension().map(|x| x == "cases").unwrap_or(false) {
            fs::copy(&p, payload.join("cases").join(p.file_name().unwrap())).unwrap();
        }
    }
    if let Some(f) = &filter {
        fs::write(payload.join("filter"), f).unwrap();
    }
    let step_timeout: u64 = env_nonempty("IPVSADM_STEP_TIMEOUT")
        .and_then(|v| v.parse().ok())
        .unwrap_or(10);
    fs::write(payload.join("step_timeout"), step_timeout.to_string()).unwrap();
    let nsteps: usize = cases.iter().map(|c| c.steps.len()).sum();
    // Traffic costs more: the network of an @net case is made twice, a
    // @quiet step may move 100 MB, a @same step runs up to 9 times.
    let extra: u64 = cases
        .iter()
        .map(|c| {
            let weight = |s: &String| match step_kind(s) {
                StepKind::Plain => 0,
                StepKind::Same => 2,
                StepKind::Quiet => 5,
            };
            let net: u64 = if c.net { 10 } else { 0 };
            net + c.steps.iter().map(weight).sum::<u64>()
        })
        .sum();
    let vm_timeout: u64 = env_nonempty("IPVSADM_VM_TIMEOUT")
        .and_then(|v| v.parse().ok())
        .unwrap_or(240 + 8 * cases.len() as u64 + 2 * nsteps as u64 + extra);

    let out = run_dir.join("results.txt");
    loud(&format!(
        "compat {series}: running {} cases ({nsteps} steps) in the VM, ours = {ours}{}\n",
        cases.len(),
        filter
            .as_deref()
            .map(|f| format!(", IPVSADM_CASES={f:?}"))
            .unwrap_or_default()
    ));
    let run = VmRun {
        series,
        ours: &ours,
        payload: &payload,
        out: &out,
        timeout_secs: vm_timeout,
        mem_mb: None,
    }
    .run();
    let vm_problem =
        run.problem.map(|p| p.replace("timed out after", "timed out (IPVSADM_VM_TIMEOUT) after"));
    let (secs, raw) = (run.secs, run.raw);
    let console = run_dir.join("results.txt.console");
    let res = parse_results(&raw);

    let mut report = String::new();
    if let Some(p) = &vm_problem {
        let _ = writeln!(
            report,
            "compat {series}: {p}; console: {}",
            console.display()
        );
        let text = String::from_utf8_lossy(&fs::read(&console).unwrap_or_default()).into_owned();
        let lines: Vec<&str> = text.lines().collect();
        // From a little before the first sign of a kernel problem, else the tail.
        let trouble = [
            "Kernel panic",
            "BUG:",
            "Oops",
            "WARNING:",
            "general protection",
            "Call Trace",
        ];
        let start = match lines
            .iter()
            .position(|l| trouble.iter().any(|t| l.contains(t)))
        {
            Some(p) => p.saturating_sub(5),
            None => lines.len().saturating_sub(25),
        };
        for l in lines.iter().skip(start).take(40) {
            let _ = writeln!(report, "    | {l}");
        }
    }
    if !res.has_ours && vm_problem.is_none() {
        let _ = writeln!(
            report,
            "compat {series}: the driver did not find /ours/ipvsadm in the VM"
        );
    }
    for g in res.garbage.iter().filter(|_| vm_problem.is_none()) {
        let _ = writeln!(report, "compat {series}: unparsable result line: {g}");
    }
    if vm_problem.is_none() && res.finished != Some(res.cases.len()) {
        let _ = writeln!(
            report,
            "compat {series}: driver did not finish cleanly ({:?} of {})",
            res.finished,
            res.cases.len()
        );
    }

    let mut failed = 0;
    let mut failures = String::new();
    for (i, def) in cases.iter().enumerate() {
        if let Some(f) = check_case(def, res.cases.get(i)) {
            failed += 1;
            failures.push_str(&f);
            failures.push('\n');
        }
    }
    if res.cases.len() > cases.len() {
        let _ = writeln!(
            report,
            "compat {series}: the VM ran {} cases, expected {}",
            res.cases.len(),
            cases.len()
        );
    }
    let ok = failed == 0 && report.is_empty();
    let mut text = String::new();
    if !failures.is_empty() {
        let _ = writeln!(
            text,
            "\n===== kernel {series} ({}): failing cases =====\n{failures}",
            res.kernel
        );
    }
    text.push_str(&report);
    let _ = writeln!(
        text,
        "compat {series}: kernel {}, VM run {:.0}s, results and console in {}",
        if res.kernel.is_empty() {
            "?"
        } else {
            res.kernel.as_str()
        },
        secs,
        run_dir.display()
    );
    let _ = writeln!(
        text,
        "compat {series}: {} cases, {} passed, {failed} failed",
        cases.len(),
        cases.len() - failed
    );
    loud(&text);
    if !ok {
        fail(format!(
            "compat {series}: {failed} of {} cases failed (report above)",
            cases.len()
        ));
    }
}
