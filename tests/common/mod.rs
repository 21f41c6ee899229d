//! What the VM tests share (`mod common;` in each): the repository root,
//! messages that pass the test harness's capture, whether the VM kit is
//! there, the binary under test, and one run of the VM (`tests/vm/kit.sh`).
//! Only std is used.
#![allow(dead_code)] // each test file uses its own part

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Writes straight to the process's stderr, past the test harness's output
/// capture, so that a summary shows even when the test passes.
pub fn loud(text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(text.as_bytes());
    let _ = err.flush();
}

/// Fails the test with `msg`, printed whole (a panic message would be
/// quoted and escaped).
pub fn fail(msg: String) -> ! {
    eprintln!("{msg}");
    std::panic::resume_unwind(Box::new(msg))
}

pub fn env_nonempty(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn in_path(prog: &str) -> bool {
    std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).any(|d| d.join(prog).is_file()))
        .unwrap_or(false)
}

/// Whether the VM kit can boot `series`. When it cannot, says so loudly
/// (naming `what` did not run) and fails the test under
/// `IPVSADM_REQUIRE_VM=1`; else returns false and the test skips.
pub fn vm_ready(series: &str, what: &str) -> bool {
    let kit = env_nonempty("IPVS_VM_KIT")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target/vm-kit"));
    let vmlinuz = kit.join(series).join("vmlinuz");
    let mut missing = Vec::new();
    if !vmlinuz.is_file() {
        missing.push(format!("no {}", vmlinuz.display()));
    }
    if !in_path("qemu-system-x86_64") {
        missing.push("qemu-system-x86_64 not in PATH".to_string());
    }
    if missing.is_empty() {
        return true;
    }
    let msg = format!(
        "{what} did NOT run: VM kit missing (run tests/run) [{series}: {}; `tests/vm/kit.sh fetch` makes the kit]",
        missing.join(", ")
    );
    if env_nonempty("IPVSADM_REQUIRE_VM").as_deref() == Some("1") {
        loud(&format!("\n!!!!! {msg}, and IPVSADM_REQUIRE_VM=1: failing\n\n"));
        fail(format!("{msg}, and IPVSADM_REQUIRE_VM=1"));
    }
    loud(&format!("\n!!!!! {msg}\n\n"));
    false
}

/// The binary under test: `IPVSADM_OURS`, else the `ipvsadm` cargo built.
pub fn ours() -> String {
    let ours = env_nonempty("IPVSADM_OURS")
        .or_else(|| option_env!("CARGO_BIN_EXE_ipvsadm").map(String::from))
        .unwrap_or_else(|| {
            fail("no binary to test: cargo did not build `ipvsadm` and IPVSADM_OURS is unset".into())
        });
    if !Path::new(&ours).is_file() {
        fail(format!("binary to test does not exist: {ours}"));
    }
    ours
}

/// One boot of the VM: `payload/main.sh` runs inside; its stdout lands in
/// `out` (the console in `out.console`).
pub struct VmRun<'a> {
    pub series: &'a str,
    pub ours: &'a str,
    pub payload: &'a Path,
    pub out: &'a Path,
    pub timeout_secs: u64,
    /// MB of memory; the kit's default (512) when None.
    pub mem_mb: Option<u64>,
}

/// What one boot of the VM gave.
pub struct VmOutcome {
    /// What went wrong, if anything, in a sentence (main.sh's own exit
    /// status counts: non-zero is a problem).
    pub problem: Option<String>,
    /// main.sh's stdout (empty if it wrote none).
    pub raw: Vec<u8>,
    /// Wall-clock seconds of the whole run, boot included.
    pub secs: f64,
}

impl VmOutcome {
    /// main.sh's stdout as text.
    pub fn report(&self) -> String {
        String::from_utf8_lossy(&self.raw).into_owned()
    }
}

impl VmRun<'_> {
    /// Boots the VM, waits, and reads what main.sh wrote.
    pub fn run(&self) -> VmOutcome {
        let started = std::time::Instant::now();
        let problem = self.boot();
        let raw = std::fs::read(self.out).unwrap_or_default();
        VmOutcome { problem, raw, secs: started.elapsed().as_secs_f64() }
    }

    fn boot(&self) -> Option<String> {
        let mut cmd = Command::new("bash");
        cmd.arg(root().join("tests/vm/kit.sh"))
            .args(["run", "--kernel", self.series, "--ours", self.ours, "--payload"])
            .arg(self.payload)
            .arg("--out")
            .arg(self.out)
            .args(["--timeout", &self.timeout_secs.to_string()]);
        if let Some(mb) = self.mem_mb {
            cmd.args(["--mem", &mb.to_string()]);
        }
        let status = match cmd.status() {
            Ok(s) => s,
            Err(e) => return Some(format!("cannot run tests/vm/kit.sh: {e}")),
        };
        match status.code() {
            Some(0) => None,
            Some(124) => Some(format!("the VM timed out after {}s", self.timeout_secs)),
            Some(125) => Some(format!(
                "the VM stopped without main.sh completing (kernel crash?); console: {}.console",
                self.out.display()
            )),
            Some(c) => Some(format!(
                "tests/vm/kit.sh run ended with status {c}; console: {}.console",
                self.out.display()
            )),
            None => Some("tests/vm/kit.sh run was killed".to_string()),
        }
    }
}
