//! The committed fuzz corpus (`fuzz/corpus/<target>/`), replayed through
//! the functions the fuzz targets run (`ipvs::fuzzing`): no input may make
//! them panic. This runs in a plain `cargo test`, without cargo-fuzz; the
//! fuzzing itself is `tests/fuzz-smoke.sh` (CI) or `cargo fuzz run` (see
//! `fuzz/Cargo.toml`).
//!
//! `cargo test --test fuzz_corpus -- --ignored write_seeds` rewrites the
//! hand-made seeds (`seed-*` files); fuzzing adds the rest.

use std::fs;
use std::panic;
use std::path::{Path, PathBuf};

use ipvs::fuzzing::{self, ack, data, done, script_to_bytes, Item, PORT};
use ipvs::model::{Dest, Family, Forward, Protocol, Service, ServiceKey};
use ipvs::protocol::consts::*;
use ipvs::protocol::{Attr, Request};

fn corpus(target: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus").join(target)
}

fn replay(target: &str, run: fn(&[u8])) {
    let dir = corpus(target);
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no corpus in {}", dir.display());
    // The panics are counted and named below; their own messages would
    // only repeat that.
    let hook = panic::take_hook();
    panic::set_hook(Box::new(|_| {}));
    let mut failed = Vec::new();
    for f in &files {
        let bytes = fs::read(f).unwrap();
        if let Err(e) = panic::catch_unwind(|| run(&bytes)) {
            let why = e
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            failed.push(format!("{}: {why}", f.display()));
        }
    }
    panic::set_hook(hook);
    assert!(
        failed.is_empty(),
        "{} of {} {target} inputs panicked:\n  {}",
        failed.len(),
        files.len(),
        failed.join("\n  ")
    );
    eprintln!("fuzz corpus {target}: {} inputs, no panic", files.len());
}

#[test]
fn corpus_args() {
    replay("args", fuzzing::args);
}

#[test]
fn corpus_restore() {
    replay("restore", fuzzing::restore);
}

#[test]
fn corpus_replies() {
    replay("replies", fuzzing::replies);
}

// ------------------------------------------------------------------ seeds

fn tcp(addr: &str, port: u16) -> ServiceKey {
    ServiceKey::Addr { protocol: Protocol::Tcp, addr: addr.parse().unwrap(), port }
}

/// A message as a newer kernel might send it: unknown attributes at every
/// level, the 64-bit counters.
fn newer(mut attrs: Vec<Attr>) -> Vec<Attr> {
    if let Some(Attr::Nested(_, inner)) = attrs.first_mut() {
        inner.push(Attr::Bytes(40, vec![9; 12]));
        inner.push(Attr::Nested(
            SVC_ATTR_STATS64,
            (1..=10)
                .map(|k| Attr::Bytes(k, 7u64.to_ne_bytes().to_vec()))
                .chain([Attr::U32(30, 1)])
                .collect(),
        ));
    }
    attrs.push(Attr::U32(50, 3));
    attrs
}

fn reply_seeds() -> Vec<(&'static str, Vec<u8>)> {
    let d = |bytes: Vec<u8>| Item::Datagram { bytes, sender: 0, seq_from: Some(0) };
    let dk = |bytes: Vec<u8>, k: u32| Item::Datagram { bytes, sender: 0, seq_from: Some(k) };
    let key = tcp("192.0.2.1", 80);
    let mut svc = Service::new(key);
    svc.scheduler = "rr".into();
    let mut fw = Service::new(ServiceKey::Fwmark { family: Family::Inet6, mark: 3 });
    fw.scheduler = "wlc".into();
    fw.netmask = 64;
    let mut dest = Dest::new("198.51.100.2".parse().unwrap(), 80);
    dest.forward = Forward::Masq;
    dest.weight = 3;
    let info = data(
        0,
        PORT,
        0,
        CMD_GET_INFO,
        vec![Attr::U32(INFO_ATTR_VERSION, 0x010201), Attr::U32(INFO_ATTR_CONN_TAB_SIZE, 4096)],
    );
    let service = |s: &Service, flags| {
        data(0, PORT, flags, CMD_NEW_SERVICE, newer(Request::new_service(s).attrs))
    };
    let dest_msg = |flags| {
        data(
            0,
            PORT,
            flags,
            CMD_NEW_DEST,
            newer(vec![Request::new_dest(&key, &dest).attrs[1].clone()]),
        )
    };
    let timeouts = data(
        0,
        PORT,
        0,
        CMD_GET_CONFIG,
        vec![
            Attr::U32(CMD_ATTR_TIMEOUT_TCP, 900),
            Attr::U32(CMD_ATTR_TIMEOUT_TCP_FIN, 120),
            Attr::U32(CMD_ATTR_TIMEOUT_UDP, 300),
        ],
    );
    let daemon = data(
        0,
        PORT,
        0,
        CMD_NEW_DAEMON,
        vec![Attr::Nested(
            CMD_ATTR_DAEMON,
            vec![
                Attr::U32(DAEMON_ATTR_STATE, 1),
                Attr::Str(DAEMON_ATTR_MCAST_IFN, "eth0".into()),
                Attr::U32(DAEMON_ATTR_SYNC_ID, 5),
                Attr::U16(DAEMON_ATTR_SYNC_MAXLEN, 1472),
            ],
        )],
    );
    let mut two = service(&svc, 0);
    two.extend(service(&fw, 0));
    // Everything the fuzz client asks, answered in order.
    let full = vec![
        d(info.clone()),
        d(ack(0, PORT, 0)),
        d(two),
        d(done(0, PORT, 0, 0)),
        d(dest_msg(0)),
        d(done(0, PORT, 0, 0)),
        d(done(0, PORT, 0, 0)),
        d(service(&svc, 0)),
        d(ack(0, PORT, 0)),
        d(timeouts.clone()),
        d(ack(0, PORT, 0)),
        d(daemon.clone()),
        d(done(0, PORT, 0, 0)),
        dk(ack(0, PORT, 0), 0),
        dk(ack(0, PORT, -17), 1),
        dk(ack(0, PORT, -3), 2),
        d(ack(0, PORT, -17)),
        d(dest_msg(0)),
        d(done(0, PORT, 0, 0)),
    ];
    // The same with trouble: foreign answers, an overflow, an interrupted dump.
    let troubled = vec![
        Item::Datagram { bytes: ack(0, PORT, -1), sender: 99, seq_from: None },
        d(info.clone()),
        Item::Datagram { bytes: info.clone(), sender: 0, seq_from: None },
        d(ack(0, PORT, 0)),
        d(service(&svc, 0x10)),
        d(done(0, PORT, 0, 0x10)),
        d(service(&svc, 0)),
        Item::Overrun,
        d(done(0, PORT, 0, 0)),
        d(service(&svc, 0)),
        d(done(0, PORT, 0, 0)),
        d(dest_msg(0)),
        d(done(0, PORT, 0, 0)),
        d(ack(0, PORT, -3)),
        d(timeouts),
        d(ack(0, PORT, 0)),
        d(done(0, PORT, -95, 0)),
        dk(ack(0, PORT, 0), 0),
        Item::Overrun,
        dk(ack(0, PORT, 0), 2),
    ];
    let mut family = data(0, PORT, 0, 1, vec![Attr::U16(1, 0x1c), Attr::Str(2, "IPVS".into())]);
    family[4..6].copy_from_slice(&0x10u16.to_ne_bytes());
    let resolved = {
        let mut v = vec![d(family), d(ack(0, PORT, 0))];
        v.extend(full.clone());
        v
    };
    let with = |mode: u8, items: &[Item]| {
        let mut v = vec![mode];
        v.extend(script_to_bytes(items));
        v
    };
    let mut datagram = service(&svc, 0);
    datagram.extend(dest_msg(0));
    datagram.extend(daemon);
    datagram.extend(info);
    datagram.extend(done(0, PORT, 0, 0));
    let mut decode = vec![0u8];
    decode.extend(datagram);
    vec![
        ("seed-client-answers", with(1, &full)),
        ("seed-client-trouble", with(1, &troubled)),
        ("seed-client-family", with(3, &resolved)),
        ("seed-client-no-ipvs", with(3, &[d(ack(0, PORT, -2))])),
        ("seed-decode", decode),
    ]
}

fn restore_seeds() -> Vec<(String, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut seeds = Vec::new();
    // The saved tables of the output tests.
    if let Ok(entries) = fs::read_dir(root.join("src/output/testdata")) {
        let mut files: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        files.sort();
        for f in files {
            let name = f.file_name().unwrap().to_string_lossy().into_owned();
            if name.contains("save") {
                seeds.push((
                    format!("seed-{}", name.trim_end_matches(".txt")),
                    fs::read(&f).unwrap(),
                ));
            }
        }
    }
    let lines: &[(&str, &str)] = &[
        ("every-command", "-A -t 192.0.2.1:80 -s rr\n-a -t 192.0.2.1:80 -r 198.51.100.2 -m -w 3\n-e -t 192.0.2.1:80 -r 198.51.100.2 -m -w 4\n-E -t 192.0.2.1:80 -s wrr -p 30\n-L -n\n-S -n\n--set 5 6 7\n-Z\n-d -t 192.0.2.1:80 -r 198.51.100.2\n-A -f 3 -6\n-D -f 3 -6\n-C\n"),
        ("daemons", "--start-daemon master --mcast-interface eth0 --syncid 3 --sync-maxlen 1000 --mcast-group 224.0.0.81 --mcast-port 8848 --mcast-ttl 2\n--stop-daemon master\n"),
        ("tunnels", "-A -t [2001:db8::1]:80 -s sh -b sh-fallback,sh-port\n-a -t [2001:db8::1]:80 -r [2001:db8::20]:80 -i --tun-type gue --tun-port 6080 --tun-csum\n-A -u 192.0.2.1:53 -s mh -b mh-port -o\n-A --sctp-service 192.0.2.1:3868 -p 60 -M 255.255.255.0 --pe sip\n"),
        ("bad-line", "-A -t 192.0.2.1:80\n-a -t 192.0.2.1:80 -r 198.51.100.9 -w x\n"),
        ("popt-errors", "-A -t 192.0.2.3:80 -s\n-A -t 192.0.2.4:80 --bogus\n-Lx\n-A -t 192.0.2.5:80 -n=1\n"),
        ("blanks", "\n  ipvsadm   -a  -t 192.0.2.1:80\t-r 198.51.100.3 -m  \r\nipvsadm\n-A ipvsadm -t 192.0.2.2:80 ipvsadm\n"),
        ("help", "-A -t 192.0.2.1:80\n-h\n-v\n"),
        ("binary", "-A -t 192.0.2.1:80\0\n\u{ff}\n"),
    ];
    for (name, text) in lines {
        seeds.push((format!("seed-{name}"), text.as_bytes().to_vec()));
    }
    let mut long = b"-A -t 192.0.2.1:80 -s ".to_vec();
    long.extend(vec![b'x'; 5000]);
    seeds.push(("seed-long-line".into(), long));
    // Blanks of several bytes, more than a message shows.
    seeds.push(("seed-wide-blanks".into(), "\u{3000}".repeat(150).into_bytes()));
    seeds
}

fn args_seeds() -> Vec<(String, Vec<u8>)> {
    let commands = [
        "-A -t 192.0.2.1:80 -s rr",
        "-A -t vip1.example:http -s wrr -p -M 255.255.255.0 --pe sip",
        "-a -t 192.0.2.1:80 -r 198.51.100.2:8080 -m -w 5 -x 100 -y 50",
        "-a -t [2001:db8::1]:80 -r [2001:db8::20]:80 -i --tun-type gue --tun-port 6080 --tun-remcsum",
        "-E -f 12 -6 -s mh -b mh-fallback,mh-port",
        "-D -u 192.0.2.1:53",
        "-L -n --stats --exact --sort",
        "-L -n -t 192.0.2.1:80 --thresholds --persistent-conn --tun-info",
        "-l -c -n",
        "-L --timeout",
        "-L --daemon",
        "-S -n",
        "-R",
        "-Z -t 192.0.2.1:80",
        "--set 900 120 300",
        "--start-daemon backup --mcast-interface dummy0 --syncid 9 --mcast-group ff02::81",
        "--stop-daemon master",
        "-C",
        "-h",
        "--version",
        "-A -t 192.0.2.1:80 -b ,",
        "-Lx -n=1 --bogus",
        "",
    ];
    commands
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let words: Vec<&str> = c.split(' ').filter(|w| !w.is_empty()).collect();
            (format!("seed-{i:02}"), words.join("\0").into_bytes())
        })
        .collect()
}

#[test]
#[ignore = "writes the hand-made seeds into fuzz/corpus"]
fn write_seeds() {
    for (target, seeds) in [
        ("args", args_seeds()),
        ("restore", restore_seeds()),
        ("replies", reply_seeds().into_iter().map(|(n, b)| (n.to_string(), b)).collect()),
    ] {
        let dir = corpus(target);
        fs::create_dir_all(&dir).unwrap();
        for (name, bytes) in seeds {
            fs::write(dir.join(name), bytes).unwrap();
        }
    }
}

/// The seeds do what they are for: the client seeds get answers decoded.
#[test]
fn seeds_reach_the_decoders() {
    use ipvs::client::Client;
    use ipvs::fuzzing::{script_from_bytes, ScriptedKernel, FAMILY};
    let seeds = reply_seeds();
    let (_, full) = &seeds[0];
    let mut c = Client::with_family(
        Box::new(ScriptedKernel::with_script(script_from_bytes(&full[1..]))),
        FAMILY,
    );
    assert_eq!(c.info().unwrap().conn_tab_size, 4096);
    let table = c.table().unwrap();
    assert_eq!(table.len(), 2);
    assert_eq!(table[0].dests.len(), 1);
    assert_eq!(table[0].service.stats.conns, 7);
    assert_eq!(c.service(&tcp("192.0.2.1", 80)).unwrap().scheduler, "rr");
    assert_eq!(c.timeouts().unwrap().tcp, 900);
    assert_eq!(c.daemons().unwrap()[0].sync_maxlen, Some(1472));
    let (_, resolved) = &seeds[2];
    let mut c = Client::with_transport(Box::new(ScriptedKernel::with_script(script_from_bytes(
        &resolved[1..],
    ))))
    .unwrap();
    assert_eq!(c.info().unwrap().version, 0x010201);
}
