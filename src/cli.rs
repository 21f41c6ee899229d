//! The `ipvsadm` command: parse with [`ipvs::grammar`], carry out with
//! [`ipvs::client`], print with [`ipvs::output`], and exit as ipvsadm does.

use std::io::{self, BufRead, IsTerminal, Read, Write};

use std::time::{Duration, Instant};

use ipvs::apply;
use ipvs::client::{self, Client};
use ipvs::grammar::{self, Apply, Command, Drain, ListWhat, Listing, SystemResolver};
use ipvs::listing::{ListError, Source};
use ipvs::model::{Dest, Info, Service, ServiceEntry, ServiceKey};
use ipvs::netns::Namespace;
use ipvs::output::{self, Names, Numeric};
use ipvs::resolve::SystemNames;
use ipvs::restore;

/// Bytes of output written at a time.
const OUT_BUF: usize = 64 * 1024;

/// Exit status for a failure the kernel reported (ipvsadm exits with -1).
const KERNEL_FAILURE: i32 = 255;

/// `--apply` statuses (besides 0, the table was already equal, and
/// [`KERNEL_FAILURE`]): the file could not be read; the file was refused
/// by the checks (nothing changed); changes were made (or, with
/// `--dry-run`, would be).
const APPLY_UNREADABLE: i32 = 1;
const APPLY_REFUSED: i32 = 2;
const APPLY_CHANGED: i32 = 3;

/// `--drain`: the time limit passed with connections left.
const DRAIN_TIMED_OUT: i32 = 1;
/// How often `--drain` looks at the connection counts.
const DRAIN_POLL: Duration = Duration::from_millis(250);

/// Run one ipvsadm invocation; returns the exit status.
pub fn run(program: &str, args: &[String]) -> i32 {
    let args = match enter_netns(args) {
        Ok(rest) => rest,
        Err(status) => return status,
    };
    let args = &args[..];
    // ipvsadm reaches the kernel before it reads its arguments, so that
    // without IPVS or without privilege every command fails the same way.
    let mut session = match Session::open(program) {
        Ok(s) => s,
        Err(f) => return report(&f),
    };
    let command = match grammar::parse_args_as(program, args, &SystemResolver) {
        Ok(c) => c,
        Err(e) => return report_arg_error(&e),
    };
    let status = match command {
        Command::Restore => session.restore(io::stdin().lock()),
        Command::Apply(a) => session.apply(&a),
        Command::Drain(d) => session.drain(&d),
        other => session.execute(&other),
    };
    flush_stdout(status)
}

/// `ipvsadm-save [-n]`: the table in restore format, as the wrapper script
/// distributions ship does it (`ipvsadm -S [-n]`); any other option gets
/// its usage on standard error and status 1 (`--netns` aside), other
/// words are ignored.
pub fn run_save(name: &str, args: &[String]) -> i32 {
    let args = match enter_netns(args) {
        Ok(rest) => rest,
        Err(status) => return status,
    };
    let mut save = vec!["-S".to_string()];
    for arg in &args {
        if arg == "-n" {
            save.push("-n".to_string());
        } else if arg.starts_with('-') {
            let _ = write!(
                io::stderr(),
                "{name}: Script to save the IPVS table to stdout.\n   With the -n option, prints out the table in numeric format.\n"
            );
            return 1;
        }
    }
    save.truncate(2);
    run("ipvsadm", &save)
}

/// `ipvsadm-restore`: as the wrapper script distributions ship, lines that
/// start with `#` are dropped, the table is cleared and the rest restored;
/// but the input is checked before the table is cleared, so a bad file
/// leaves the table as it was. Arguments are ignored, as by the script,
/// but for `--netns`.
pub fn run_restore_wrapper(args: &[String]) -> i32 {
    if let Err(status) = enter_netns(args) {
        return status;
    }
    let mut input = Vec::new();
    if let Err(e) = io::stdin().lock().read_to_end(&mut input) {
        let _ = writeln!(io::stderr(), "ipvsadm-restore: {e}");
        return 1;
    }
    let mut kept = Vec::with_capacity(input.len());
    for line in input.split(|&b| b == b'\n') {
        // A comment stays as an empty line, so that messages give the
        // file's line numbers.
        if !line.starts_with(b"#") {
            kept.extend_from_slice(line);
        }
        kept.push(b'\n');
    }
    let mut session = match Session::open("ipvsadm") {
        Ok(s) => s,
        Err(f) => return report(&f),
    };
    let status = session.restore_replacing(&kept[..], true);
    flush_stdout(status)
}

/// `--netns`: enter the namespace before anything reaches the kernel or
/// `/proc`; returns the other arguments, or the exit status of a failure
/// (reported on standard error).
fn enter_netns(args: &[String]) -> Result<Vec<String>, i32> {
    let (netns, rest) = grammar::take_netns(args).map_err(|e| report_arg_error(&e))?;
    if let Some(word) = netns {
        Namespace::parse(&word).enter().map_err(|e| report(&Failure::exit(e.to_string(), 2)))?;
    }
    Ok(rest)
}

fn report(f: &Failure) -> i32 {
    let _ = writeln!(io::stderr(), "{}", f.message);
    f.status
}

fn report_arg_error(e: &grammar::ArgError) -> i32 {
    let _ = io::stderr().write_all(e.stderr.as_bytes());
    e.status
}

/// A write error on standard output (a closed pipe, a full disk) is a
/// failure, never a panic.
fn flush_stdout(status: i32) -> i32 {
    match io::stdout().flush() {
        Ok(()) => status,
        Err(_) => 1,
    }
}

/// The kernel connection, opened once and kept for the whole run.
struct Session<'a> {
    client: Client,
    /// What the kernel said of itself when the session opened.
    info: Info,
    /// `argv[0]`, which ipvsadm names in some messages.
    program: &'a str,
}

/// A command that failed: what to print on standard error, the status,
/// and whether ipvsadm would exit on the spot (which ends a restore too)
/// rather than return the failure (after which a restore goes on).
struct Failure {
    message: String,
    status: i32,
    exits: bool,
}

impl Failure {
    fn exit(message: impl Into<String>, status: i32) -> Failure {
        Failure { message: message.into(), status, exits: true }
    }
}

impl From<client::Error> for Failure {
    fn from(e: client::Error) -> Failure {
        Failure { message: e.to_string(), status: KERNEL_FAILURE, exits: false }
    }
}

impl From<io::Error> for Failure {
    fn from(e: io::Error) -> Failure {
        Failure::exit(e.to_string(), 1)
    }
}

/// How a command ended: its status, and whether a restore must stop there.
struct Outcome {
    status: i32,
    stop: bool,
}

impl<'a> Session<'a> {
    /// Connect as ipvsadm does: when the IPVS family is missing, load the
    /// module with `modprobe ip_vs` and try once more; then ask the kernel
    /// for its version, which needs the privilege every command needs.
    fn open(program: &'a str) -> Result<Session<'a>, Failure> {
        let cannot = |e: client::Error| {
            Failure::exit(
                format!(
                    "Can't initialize ipvs: {e}\nAre you sure that IP Virtual Server is built in the kernel or as module?"
                ),
                2,
            )
        };
        let mut client = match Client::open() {
            Err(client::Error::NoIpvs(_)) => {
                load_ipvs_module();
                Client::open().map_err(cannot)?
            }
            other => other.map_err(cannot)?,
        };
        let info = client.info().map_err(cannot)?;
        Ok(Session { client, info, program })
    }

    fn client(&mut self) -> Result<&mut Client, Failure> {
        Ok(&mut self.client)
    }

    /// Carry out one command, printing its output and errors; returns the status.
    fn execute(&mut self, command: &Command) -> i32 {
        self.carry_out(command).status
    }

    fn carry_out(&mut self, command: &Command) -> Outcome {
        // Help and version end ipvsadm wherever they come, a restore included.
        let stop = matches!(command, Command::Help | Command::Version);
        match self.try_execute(command) {
            Ok(()) => Outcome { status: 0, stop },
            Err(f) => {
                let mut err = io::stderr().lock();
                let _ = writeln!(err, "{}", f.message);
                Outcome { status: f.status, stop: f.exits }
            }
        }
    }

    fn try_execute(&mut self, command: &Command) -> Result<(), Failure> {
        match command {
            Command::AddService(s) => self.client()?.add_service(s)?,
            Command::EditService(s) => self.client()?.edit_service(s)?,
            Command::DeleteService(k) => self.client()?.del_service(k)?,
            Command::Flush => self.client()?.flush()?,
            Command::AddDest(k, d) => self.client()?.add_dest(k, d)?,
            Command::EditDest(k, d) => self.client()?.edit_dest(k, d)?,
            Command::DeleteDest(k, d) => self.client()?.del_dest(k, d)?,
            Command::Zero(k) => self.client()?.zero(k.as_ref())?,
            Command::SetTimeouts(t) => self.client()?.set_timeouts(t)?,
            Command::StartDaemon(d) => self.client()?.start_daemon(d)?,
            Command::StopDaemon(r) => self.client()?.stop_daemon(*r)?,
            Command::List(l) => self.list(l)?,
            Command::Save(l) => self.save(l)?,
            // The grammar refuses -R on a restore line.
            Command::Restore => return Err(Failure::exit("restore inside restore", 2)),
            Command::Help => print_help()?,
            Command::Version => print_version()?,
            // Carried out by `run` (the grammar refuses them on restore lines).
            Command::Apply(_) | Command::Drain(_) => {
                return Err(Failure::exit("--apply and --drain stand alone", 2))
            }
        }
        Ok(())
    }

    /// Writes the services a listing covers, one by one as they are read:
    /// the one of `-L -t/-u/-f` (ipvsadm says "No such service" and exits
    /// 1 when it is missing) or all.
    fn each_service(
        &mut self,
        listing: &Listing,
        nosort: bool,
        source: Source<'_>,
        each: &mut dyn FnMut(&Service, &[Dest]) -> io::Result<()>,
    ) -> Result<(), Failure> {
        let Some(key) = &listing.service else {
            return ipvs::listing::for_each_service(&mut self.client, nosort, source, each).map_err(|e| {
                match e {
                    ListError::Kernel(e) => e.into(),
                    ListError::Write(e) => e.into(),
                    ListError::File(e) => Failure::exit(e.to_string(), 1),
                }
            });
        };
        let entry = self.one_service(key)?;
        each(&entry.service, &entry.dests)?;
        Ok(())
    }

    /// The service of `-L -t/-u/-f` with its real servers.
    fn one_service(&mut self, key: &ServiceKey) -> Result<ServiceEntry, Failure> {
        let service = self.client.service(key).map_err(no_such_service)?;
        let dests = self.client.dests(&service.key)?;
        Ok(ServiceEntry { service, dests })
    }

    fn list(&mut self, listing: &Listing) -> Result<(), Failure> {
        if listing.format.json {
            return self.list_json(listing);
        }
        let mut out = io::BufWriter::with_capacity(OUT_BUF, io::stdout().lock());
        match listing.what {
            ListWhat::Services => {
                let names = names(listing);
                // The services are read before anything is written, so
                // that a failure to read them prints nothing else.
                let mut head = Some(self.info);
                let source = list_source(listing);
                self.each_service(listing, listing.format.nosort, source, &mut |svc, dests| {
                    if let Some(info) = head.take() {
                        output::write_list_head(&mut out, &info, listing)?;
                    }
                    output::write_list_entry(&mut out, svc, dests, listing, names)
                })?;
                if let Some(info) = head.take() {
                    output::write_list_head(&mut out, &info, listing)?;
                }
            }
            ListWhat::Timeouts => {
                let t = self.client()?.timeouts()?;
                output::write_timeouts(&mut out, &t)?;
            }
            ListWhat::Daemons => {
                let d = self.client()?.daemons()?;
                output::write_daemons(&mut out, &d)?;
            }
            ListWhat::Connections => {
                let conns = ipvs::procfs::read_connections()
                    .map_err(|e| Failure::exit(e.to_string(), 1))?;
                output::write_connections(&mut out, &conns, listing, names(listing))?;
            }
        }
        out.flush()?;
        Ok(())
    }

    /// `--json`: the same listings as one JSON document.
    fn list_json(&mut self, listing: &Listing) -> Result<(), Failure> {
        let mut out = io::BufWriter::new(io::stdout().lock());
        match listing.what {
            ListWhat::Services => {
                // JSON is one document: the table is read whole, then sorted
                // by the writer unless --nosort.
                let entries = match &listing.service {
                    Some(key) => vec![self.one_service(key)?],
                    None => self.client.table()?,
                };
                output::write_list_json(&mut out, &self.info, &entries, listing)?;
            }
            ListWhat::Timeouts => output::write_timeouts_json(&mut out, &self.client()?.timeouts()?)?,
            ListWhat::Daemons => output::write_daemons_json(&mut out, &self.client()?.daemons()?)?,
            ListWhat::Connections => {
                let conns = ipvs::procfs::read_connections().map_err(|e| Failure::exit(e.to_string(), 1))?;
                output::write_connections_json(&mut out, &conns)?;
            }
        }
        out.flush()?;
        Ok(())
    }

    fn save(&mut self, listing: &Listing) -> Result<(), Failure> {
        let mut out = io::BufWriter::with_capacity(OUT_BUF, io::stdout().lock());
        let names = names(listing);
        // -S lists services sorted whatever --nosort says.
        self.each_service(listing, false, Source::Netlink, &mut |svc, dests| {
            output::write_save_entry(&mut out, svc, dests, listing, names)
        })?;
        out.flush()?;
        Ok(())
    }

    /// `-R`: the whole input is read and checked first (see
    /// [`ipvs::restore`]); a line that is too long, not text, or that
    /// ipvsadm's grammar rejects stops the restore with nothing applied,
    /// naming the line. Then the lines are carried out in order, changes in
    /// batches: a kernel error is reported as ipvsadm does and the restore
    /// goes on; a listing error, `-h` and `-v` end it, as in ipvsadm. The
    /// status is non-zero when any line failed: that of the last failure.
    fn restore(&mut self, input: impl BufRead) -> i32 {
        self.restore_replacing(input, false)
    }

    /// [`Session::restore`], clearing the table first when `replace` is
    /// set, once the input has been found good.
    fn restore_replacing(&mut self, input: impl BufRead, replace: bool) -> i32 {
        let plan = match restore::Plan::read(self.program, input, &SystemResolver) {
            Ok(p) => p,
            Err(rejected) => {
                let _ = writeln!(io::stderr(), "{rejected}");
                return rejected.status;
            }
        };
        if replace {
            let status = self.execute(&Command::Flush);
            if status != 0 {
                return status;
            }
        }
        let mut failed = None;
        for step in plan.steps() {
            match step {
                restore::Step::Changes { ops, requests } => {
                    let client = match self.client() {
                        Ok(c) => c,
                        Err(f) => return report(&f),
                    };
                    let mut err = io::stderr().lock();
                    let applied = client.apply_encoded(ops, requests, &mut |_, result| {
                        if let Err(e) = result {
                            let _ = writeln!(err, "{e}");
                            failed = Some(KERNEL_FAILURE);
                        }
                    });
                    if let Err(e) = applied {
                        let _ = writeln!(err, "{e}");
                        return KERNEL_FAILURE;
                    }
                }
                restore::Step::Command { command, .. } => {
                    let outcome = self.carry_out(&command);
                    if outcome.status != 0 {
                        failed = Some(outcome.status);
                    }
                    if outcome.stop {
                        return failed.unwrap_or(outcome.status);
                    }
                }
            }
        }
        failed.unwrap_or(0)
    }
}

impl Session<'_> {
    /// `--apply FILE|-`: read and check the whole file as `-R` does, build
    /// the table it describes, read the kernel's, and make the changes
    /// [`apply::plan`] gives, in batches (or print them, `--dry-run`).
    /// Statuses: 0 nothing to change, [`APPLY_CHANGED`], [`APPLY_UNREADABLE`],
    /// [`APPLY_REFUSED`] (nothing changed), [`KERNEL_FAILURE`] (the
    /// kernel refused a change; each is reported, the others are made).
    fn apply(&mut self, a: &Apply) -> i32 {
        let read = if a.file == "-" {
            restore::read_all(self.program, io::stdin().lock(), &SystemResolver)
        } else {
            match std::fs::File::open(&a.file) {
                Ok(f) => restore::read_all(self.program, io::BufReader::new(f), &SystemResolver),
                Err(e) => {
                    let _ = writeln!(io::stderr(), "{}: cannot read {}: {e}", self.program, a.file);
                    return APPLY_UNREADABLE;
                }
            }
        };
        let commands = match read {
            Ok(c) => c,
            Err(rejected) => {
                let _ = writeln!(io::stderr(), "{rejected}");
                return if rejected.line == 0 { APPLY_UNREADABLE } else { APPLY_REFUSED };
            }
        };
        let target = match apply::target(&commands) {
            Ok(t) => t,
            Err(e) => {
                let text = line_text(&commands, e.line);
                let _ = writeln!(
                    io::stderr(),
                    "{}: apply line {}{text}: {} (nothing applied)",
                    self.program,
                    e.line,
                    e.why
                );
                return APPLY_REFUSED;
            }
        };
        let current = match self.client.table() {
            Ok(t) => t,
            Err(e) => return report(&e.into()),
        };
        let changes = apply::plan(&current, &target);
        if changes.is_empty() {
            return 0;
        }
        if a.dry_run {
            let mut out = io::BufWriter::new(io::stdout().lock());
            for c in &changes {
                if output::write_change(&mut out, c).is_err() {
                    return 1;
                }
            }
            return if out.flush().is_ok() { APPLY_CHANGED } else { 1 };
        }
        let requests: Vec<_> = changes.iter().filter_map(restore::change).collect();
        let mut failed = false;
        let mut err = io::stderr().lock();
        match self.client.batch(&requests) {
            Ok(results) => {
                for e in results.into_iter().filter_map(Result::err) {
                    let _ = writeln!(err, "{e}");
                    failed = true;
                }
            }
            Err(e) => {
                let _ = writeln!(err, "{e}");
                failed = true;
            }
        }
        if failed {
            KERNEL_FAILURE
        } else {
            APPLY_CHANGED
        }
    }

    /// `--drain`: set the real server's weight to 0 (new connections go
    /// elsewhere), wait until its active connections (with `--drain-inactive`
    /// also its inactive ones) are gone, showing how many are left when
    /// standard error is a terminal, then delete it. Past `--drain-timeout`
    /// it stays with weight 0 and the status is [`DRAIN_TIMED_OUT`].
    fn drain(&mut self, d: &Drain) -> i32 {
        let started = Instant::now();
        let limit = d.timeout.map(|s| Duration::from_secs(u64::from(s)));
        let tty = io::stderr().is_terminal();
        let mut dest = match self.drained_dest(d) {
            Ok(dest) => dest,
            Err(f) => return report(&f),
        };
        let mut zero = dest.clone();
        zero.weight = 0;
        if let Err(e) = self.client.edit_dest(&d.key, &zero) {
            return report(&e.into());
        }
        loop {
            let left = dest.active_conns + if d.inactive { dest.inact_conns } else { 0 };
            if tty {
                let _ = write!(io::stderr(), "\r{left} connections left   ");
            }
            if left == 0 {
                if tty {
                    let _ = writeln!(io::stderr());
                }
                return match self.client.del_dest(&d.key, &dest) {
                    Ok(()) => 0,
                    Err(e) => report(&e.into()),
                };
            }
            if limit.is_some_and(|l| started.elapsed() >= l) {
                let _ = writeln!(
                    io::stderr(),
                    "{}{}: drain of {} timed out after {} s with {left} connections left; its weight stays 0",
                    if tty { "\n" } else { "" },
                    self.program,
                    output::addr_port_text(&output::Numeric, &dest.addr, dest.port, None),
                    d.timeout.unwrap_or(0),
                );
                return DRAIN_TIMED_OUT;
            }
            std::thread::sleep(DRAIN_POLL);
            dest = match self.drained_dest(d) {
                Ok(dest) => dest,
                Err(f) => return report(&f),
            };
        }
    }

    /// The real server being drained, as the kernel has it now.
    fn drained_dest(&mut self, d: &Drain) -> Result<Dest, Failure> {
        let dests = self.client.dests(&d.key).map_err(no_such_service)?;
        dests
            .into_iter()
            .find(|x| x.same_server(&d.dest))
            .ok_or_else(|| Failure::exit("No such destination", KERNEL_FAILURE))
    }
}

/// A kernel error about a service named on the command line, as ipvsadm
/// reports it: "No such service" (status 1) when it does not exist.
fn no_such_service(e: client::Error) -> Failure {
    if e.is_not_found() {
        Failure::exit("No such service", 1)
    } else {
        e.into()
    }
}

/// A change of the file, for messages: ` "LINE"` in restore format (as
/// read, numeric); empty for a line that is not a change.
fn line_text(commands: &[(usize, Command)], line: usize) -> String {
    let mut out = Vec::new();
    if let Some((_, c)) = commands.iter().find(|(n, _)| *n == line) {
        let _ = output::write_change(&mut out, c);
    }
    match String::from_utf8_lossy(&out).trim_end() {
        "" => String::new(),
        text => format!(" {text:?}"),
    }
}

/// Ask the system to load IPVS, as ipvsadm does; whatever modprobe says
/// goes to standard error, and the retry that follows tells the outcome.
fn load_ipvs_module() {
    let _ = std::process::Command::new("/sbin/modprobe")
        .arg("ip_vs")
        .stdin(std::process::Stdio::null())
        .status();
}

/// Where `-L` of the whole table takes real servers from: plain `-L` from
/// `/proc/net/ip_vs` in one read instead of a netlink dump per service
/// (the other formats and `-S` show what the file lacks: counters,
/// thresholds, tunnel settings). For tests: `IPVSADM_LIST_SOURCE=netlink`
/// or `file` forces one way (`file` then fails when the file cannot be
/// used), and `IPVSADM_LIST_FILE=PATH` reads another file in its place.
fn list_source(listing: &Listing) -> Source<'static> {
    static FILE: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    let file = FILE.get_or_init(|| {
        std::env::var_os("IPVSADM_LIST_FILE")
            .map(Into::into)
            .unwrap_or_else(|| ipvs::procfs::SERVICES_FILE.into())
    });
    let plain = output::list_is_plain(listing);
    match std::env::var("IPVSADM_LIST_SOURCE").as_deref() {
        Ok("netlink") => Source::Netlink,
        Ok("file") if plain => Source::FileOnly(file),
        _ if plain => Source::File(file),
        _ => Source::Netlink,
    }
}

/// Names for a listing: none with `-n`, else the system's.
fn names(listing: &Listing) -> &'static dyn Names {
    if listing.format.numeric {
        &Numeric
    } else {
        &SystemNames
    }
}

fn print_help() -> io::Result<()> {
    let mut out = io::stdout().lock();
    out.write_all(grammar::HELP.as_bytes())
}

fn print_version() -> io::Result<()> {
    let mut out = io::stdout().lock();
    writeln!(out, "ipvsadm {} (Rust, IPVS generic netlink)", env!("CARGO_PKG_VERSION"))
}
