//! Forwarding proven with real traffic (project issue 10): every recipe of
//! `examples/forwarding/` (NAT, direct routing, tunnels, firewall marks,
//! one-packet UDP, every scheduler, persistence, thresholds, connection
//! sync, full NAT) runs in the test VM of `tests/vm/` on Debian 6.1 and
//! 6.12 with our `ipvsadm`, all scenarios in one boot per kernel. Each
//! scenario prints `PASS:`/`FAIL:` lines and a summary line
//! `== NAME: PASS|FAIL`; the test fails with a scenario's whole output
//! when it failed, timed out or did not report.
//!
//! Environment (as `tests/kernel_safety.rs`):
//! - `IPVSADM_REQUIRE_VM=1`: fail (instead of skipping) without the VM kit.
//! - `IPVSADM_OURS=path`: binary to test instead of the one cargo built.
//! - `IPVS_VM_KIT=dir`: kit directory (default `target/vm-kit`).
//! - `IPVSADM_SCENARIOS=nat,dr`: only these scenarios (script names
//!   without `.sh`, separated by commas or spaces).
//!
//! Results stay in `target/vm-runs/forwarding-<series>/`. Only std is used.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

mod common;
use common::{env_nonempty, fail, loud, root, vm_ready, VmRun};

#[test]
fn forwarding_6_1() {
    run_series("6.1");
}

#[test]
fn forwarding_6_12() {
    run_series("6.12");
}

/// Seconds one scenario may take in the VM before it counts as hung (the
/// slowest takes ~40 s on an idle machine, a few times that when busy).
const SCENARIO_SECS: u64 = 240;
/// Seconds the whole VM run may take besides the scenarios' own time
/// (boot, copying): the scenarios rarely all come near their limit.
const VM_BASE_SECS: u64 = 120;
/// Upper bound of the whole VM run, whatever the number of scenarios.
const VM_MAX_SECS: u64 = 1500;

/// The scenarios: every script of examples/forwarding but the helpers,
/// sorted, filtered by `IPVSADM_SCENARIOS`.
fn scenarios(dir: &Path) -> Vec<String> {
    let mut all: Vec<String> = fs::read_dir(dir)
        .map(|e| {
            e.filter_map(|e| e.ok())
                .filter_map(|e| e.file_name().into_string().ok())
                .filter_map(|n| n.strip_suffix(".sh").map(String::from))
                .filter(|n| n != "lab")
                .collect()
        })
        .unwrap_or_default();
    all.sort();
    let Some(filter) = env_nonempty("IPVSADM_SCENARIOS") else {
        return all;
    };
    let wanted: Vec<&str> = filter.split([',', ' ']).filter(|w| !w.is_empty()).collect();
    if let Some(unknown) = wanted.iter().find(|w| !all.iter().any(|n| n == *w)) {
        fail(format!(
            "IPVSADM_SCENARIOS: no scenario '{unknown}' (have: {})",
            all.join(" ")
        ));
    }
    all.retain(|n| wanted.contains(&n.as_str()));
    all
}

/// The in-VM runner: each scenario under a timeout, its output between
/// `### NAME` and `rc=N`, and how long it took.
fn main_sh(names: &[String]) -> String {
    format!(
        r####"#!/bin/sh
# In-VM runner of tests/kernel_forwarding.rs (generated).
export PATH=/ours:$PATH IPVSADM=/ours/ipvsadm
cd /payload/forwarding || exit 1
for s in {names}; do
    echo "### $s"
    start=$(date +%s)
    timeout -s KILL {SCENARIO_SECS} sh ./$s.sh 2>&1
    rc=$?
    sh ./lab.sh cleanup >/dev/null 2>&1
    echo "rc=$rc"
    echo "measure: $s $(( $(date +%s) - start ))s"
done
"####,
        names = names.join(" ")
    )
}

/// One scenario's part of the report: its output and whether it passed.
struct Outcome<'a> {
    name: &'a str,
    output: String,
    passed: bool,
    secs: Option<String>,
}

fn outcomes<'a>(names: &'a [String], report: &str) -> Vec<Outcome<'a>> {
    names
        .iter()
        .map(|name| {
            let head = format!("### {name}\n");
            let section = report
                .find(&head)
                .map(|at| {
                    let rest = &report[at + head.len()..];
                    let end = rest.find("\n### ").map_or(rest.len(), |e| e + 1);
                    &rest[..end]
                })
                .unwrap_or("");
            let passed = section.lines().any(|l| {
                l == format!("== {name}: PASS").as_str()
                    || l.starts_with(&format!("== {name}: PASS "))
            }) && section.lines().any(|l| l == "rc=0")
                && !section.lines().any(|l| l.starts_with("FAIL:"));
            let secs = section
                .lines()
                .find_map(|l| l.strip_prefix(&format!("measure: {name} ")))
                .map(String::from);
            let output = if section.is_empty() {
                "(no output: the VM stopped before this scenario)".to_string()
            } else {
                section.to_string()
            };
            Outcome {
                name,
                output,
                passed,
                secs,
            }
        })
        .collect()
}

fn run_series(series: &str) {
    let root = root();
    if !vm_ready(series, "forwarding scenarios") {
        return;
    }
    let ours = common::ours();
    let recipes = root.join("examples/forwarding");
    let names = scenarios(&recipes);
    let run_dir = root.join(format!("target/vm-runs/forwarding-{series}"));
    let payload = run_dir.join("payload");
    let _ = fs::remove_dir_all(&run_dir);
    fs::create_dir_all(payload.join("forwarding")).unwrap();
    for entry in fs::read_dir(&recipes).unwrap().flatten() {
        fs::copy(
            entry.path(),
            payload.join("forwarding").join(entry.file_name()),
        )
        .unwrap();
    }
    fs::write(payload.join("main.sh"), main_sh(&names)).unwrap();

    let out = run_dir.join("report.txt");
    let timeout_secs = (VM_BASE_SECS + SCENARIO_SECS * names.len() as u64).min(VM_MAX_SECS);
    loud(&format!(
        "forwarding {series}: ours = {ours}, {} scenarios: {}\n",
        names.len(),
        names.join(" ")
    ));
    let run = VmRun {
        series,
        ours: &ours,
        payload: &payload,
        out: &out,
        timeout_secs,
        mem_mb: None,
    }
    .run();
    let (secs, report, vm_problem) = (run.secs, run.report(), run.problem);

    let results = outcomes(&names, &report);
    let mut text = String::new();
    for r in &results {
        let _ = writeln!(
            text,
            "forwarding {series}: {} {} ({})",
            r.name,
            if r.passed { "passed" } else { "FAILED" },
            r.secs.as_deref().unwrap_or("no time")
        );
    }
    let _ = writeln!(
        text,
        "forwarding {series}: VM run {secs:.0}s, report in {}",
        out.display()
    );
    loud(&text);

    let mut problems: Vec<String> = vm_problem.into_iter().collect();
    for r in results.iter().filter(|r| !r.passed) {
        problems.push(format!("scenario {} failed:\n{}", r.name, r.output));
    }
    if !problems.is_empty() {
        let msg = format!("forwarding {series}: FAILED\n{}", problems.join("\n"));
        loud(&format!("{msg}\n"));
        fail(msg);
    }
    loud(&format!("forwarding {series}: passed\n"));
}

/// The report parsing alone (no VM): a scenario passes only with its
/// summary line, status 0 and no FAIL line; a missing one fails.
#[test]
fn report_parsing() {
    let names: Vec<String> = ["nat", "dr", "sync", "tunnel"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let report = "### nat\nPASS: a\n== nat: PASS (1 passed, 0 failed)\nrc=0\nmeasure: nat 9s\n\
                  ### dr\nPASS: a\nFAIL: b\n== dr: FAIL (1 passed, 1 failed)\nrc=1\n\
                  ### sync\nPASS: a\n";
    let got: Vec<(bool, Option<String>)> = outcomes(&names, report)
        .into_iter()
        .map(|o| (o.passed, o.secs))
        .collect();
    assert_eq!(
        got,
        vec![
            (true, Some("9s".to_string())),
            (false, None),
            (false, None),
            (false, None)
        ]
    );
    assert!(outcomes(&names, report)[3].output.contains("VM stopped"));
}
