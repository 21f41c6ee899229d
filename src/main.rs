//! `ipvsadm`: a drop-in replacement for ipvsadm 1.31 on the `ipvs` library.
//!
//! Installed under the names `ipvsadm-save` and `ipvsadm-restore` (links to
//! this binary), it behaves as the wrapper scripts distributions ship.

mod cli;

use std::path::Path;

fn main() {
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
