//! `ipvsadm`: a drop-in replacement for ipvsadm 1.31 on the `ipvs` library.
//!
//! Installed under the names `ipvsadm-save` and `ipvsadm-restore` (links to
//! this binary), it behaves as the wrapper scripts distributions ship.

mod cli;

use std::path::Path;

fn main() {
    // ipvsadm, a C program, dies of SIGPIPE when its reader goes away
    // (`ipvsadm -L | head -1`); Rust starts with SIGPIPE ignored.
    // SAFETY: resetting a signal to its default before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let mut args = std::env::args_os().map(|a| a.to_string_lossy().into_owned());
    let program = args.next().unwrap_or_else(|| "ipvsadm".to_string());
    let rest: Vec<String> = args.collect();
    let name = Path::new(&program).file_name().and_then(|n| n.to_str()).unwrap_or("ipvsadm");
    let status = match name {
        "ipvsadm-save" => cli::run_save(name, &rest),
        "ipvsadm-restore" => cli::run_restore_wrapper(),
        _ => cli::run(&program, &rest),
    };
    std::process::exit(status);
}
