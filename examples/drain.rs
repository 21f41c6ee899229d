//! Drain a real server with the `ipvs` library: set its weight to 0 so
//! that it gets no new connections, wait until its active connections
//! have ended, then delete it.
//!
//! ```text
//! cargo run --example drain -- [--netns NAME|PATH] tcp|udp|sctp VIP:PORT SERVER:PORT [TIMEOUT_SECS]
//! ```
//!
//! Exit status 0 when the server was deleted, 1 on an error (no such
//! service or server, ...), 3 when the timeout (default 60 s) ran out
//! first: the server then stays, with weight 0.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use ipvs::client::{Client, ErrorKind};
use ipvs::model::{Protocol, ServiceKey};
use ipvs::netns::Namespace;

fn main() -> ExitCode {
    match drain(std::env::args().skip(1).collect()) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("drain: {message}");
            ExitCode::FAILURE
        }
    }
}

const USAGE: &str = "usage: drain [--netns NAME|PATH] tcp|udp|sctp VIP:PORT SERVER:PORT [TIMEOUT_SECS]";

fn drain(mut args: Vec<String>) -> Result<ExitCode, String> {
    let namespace = if args.first().map(String::as_str) == Some("--netns") {
        let ns = args.get(1).ok_or(USAGE)?.clone();
        args.drain(..2);
        Some(Namespace::parse(&ns))
    } else {
        None
    };
    let (protocol, service, server, timeout) = match args.as_slice() {
        [p, s, r] => (p, s, r, "60"),
        [p, s, r, t] => (p, s, r, t.as_str()),
        _ => return Err(USAGE.into()),
    };
    let protocol = match protocol.as_str() {
        "tcp" => Protocol::Tcp,
        "udp" => Protocol::Udp,
        "sctp" => Protocol::Sctp,
        _ => return Err(USAGE.into()),
    };
    let service: SocketAddr = service.parse().map_err(|_| format!("bad service address {service}"))?;
    let server: SocketAddr = server.parse().map_err(|_| format!("bad server address {server}"))?;
    let timeout = Duration::from_secs(timeout.parse().map_err(|_| USAGE)?);

    let mut client = match &namespace {
        Some(ns) => Client::open_in(ns),
        None => Client::open(),
    }
    .map_err(|e| e.to_string())?;
    let key = ServiceKey::Addr { protocol, addr: service.ip(), port: service.port() };
    // Typed errors: "not found" is told from the rest without parsing text.
    match client.service(&key) {
        Err(e) if e.kind() == ErrorKind::NotFound => return Err(format!("no such service {service}")),
        Err(e) => return Err(e.to_string()),
        Ok(_) => {}
    }
    let find = |client: &mut Client| -> Result<Option<ipvs::model::Dest>, String> {
        let dests = client.dests(&key).map_err(|e| e.to_string())?;
        Ok(dests.into_iter().find(|d| d.addr == server.ip() && d.port == server.port()))
    };
    let mut dest = find(&mut client)?.ok_or_else(|| format!("no such real server {server} in {service}"))?;
    dest.weight = 0;
    client.edit_dest(&key, &dest).map_err(|e| e.to_string())?;
    println!("{server}: weight 0, {} active connections", dest.active_conns);

    let start = Instant::now();
    loop {
        let Some(now) = find(&mut client)? else {
            return Err(format!("{server} was deleted by someone else"));
        };
        if now.active_conns == 0 {
            client.del_dest(&key, &now).map_err(|e| e.to_string())?;
            println!("{server}: no active connections after {:.1} s, deleted", start.elapsed().as_secs_f64());
            return Ok(ExitCode::SUCCESS);
        }
        if start.elapsed() >= timeout {
            println!("{server}: still {} active connections after {timeout:?}, left with weight 0", now.active_conns);
            return Ok(ExitCode::from(3));
        }
        std::thread::sleep(Duration::from_millis(250));
    }
}
