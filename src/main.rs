//! `ipvsadm`: a drop-in replacement for ipvsadm 1.31 on the `ipvs` library.
//!
//! Installed under the names `ipvsadm-save` and `ipvsadm-restore` (links to
//! this binary), it behaves as the wrapper scripts distributions ship.

// The C library calls `main` directly: std's start-up is skipped. It
// would ignore SIGPIPE (ipvsadm, a C program, dies of it when its reader
// goes away: `ipvsadm -L | head -1`) and read /proc/self/maps to place a
// stack guard, a cost every invocation pays (scripts call ipvsadm
// thousands of times). std works without it: on Linux it takes the
// arguments from the C library. (The unit-test build keeps std's `main`:
// it is the test harness.)
#![cfg_attr(not(test), no_main)]

mod cli;

use std::path::Path;

/// The program's entry point, called by the C library.
#[cfg_attr(not(test), no_mangle)]
pub extern "C" fn main(_argc: libc::c_int, _argv: *const *const libc::c_char) -> libc::c_int {
    let mut args = std::env::args_os().map(|a| a.to_string_lossy().into_owned());
    let program = args.next().unwrap_or_else(|| "ipvsadm".to_string());
    let rest: Vec<String> = args.collect();
    let name = Path::new(&program).file_name().and_then(|n| n.to_str()).unwrap_or("ipvsadm");
    let status = match name {
        "ipvsadm-save" => cli::run_save(name, &rest),
        "ipvsadm-restore" => cli::run_restore_wrapper(&rest),
        _ => cli::run(&program, &rest),
    };
    std::process::exit(status);
}
