//! `ipvsadm`: a drop-in replacement for ipvsadm 1.31 on the `ipvs` library.

mod cli;

fn main() {
    let mut args = std::env::args_os().map(|a| a.to_string_lossy().into_owned());
    let program = args.next().unwrap_or_else(|| "ipvsadm".to_string());
    let rest: Vec<String> = args.collect();
    std::process::exit(cli::run(&program, &rest));
}
