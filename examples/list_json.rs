//! List the IPVS table as one JSON document, as `ipvsadm -L --json` does,
//! with the `ipvs` library: open a client (in a network namespace with
//! `--netns NAME|PATH`), read the table, write it.
//!
//! ```text
//! cargo run --example list_json -- [--netns NAME|PATH]
//! ```

use std::io::{self, Write};
use std::process::ExitCode;

use ipvs::client::{Client, ErrorKind};
use ipvs::grammar::Listing;
use ipvs::netns::Namespace;
use ipvs::output::write_list_json;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let opened = match args.as_slice() {
        [] => Client::open(),
        [flag, ns] if flag == "--netns" => Client::open_in(&Namespace::parse(ns)),
        _ => {
            eprintln!("usage: list_json [--netns NAME|PATH]");
            return ExitCode::from(2);
        }
    };
    let mut client = match opened {
        Ok(c) => c,
        Err(e) => {
            // The kind tells the causes apart without reading the text.
            let hint = match e.kind() {
                ErrorKind::PermissionDenied => " (run as root)",
                ErrorKind::NoIpvs => " (modprobe ip_vs)",
                _ => "",
            };
            eprintln!("list_json: {e}{hint}");
            return ExitCode::FAILURE;
        }
    };
    let listed = client.info().and_then(|info| Ok((info, client.table()?)));
    let (info, table) = match listed {
        Ok(x) => x,
        Err(e) => {
            eprintln!("list_json: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut out = io::stdout().lock();
    match write_list_json(&mut out, &info, &table, &Listing::default()).and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("list_json: {e}");
            ExitCode::FAILURE
        }
    }
}
