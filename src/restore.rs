//! `ipvsadm -R`: a rule file read and checked as a whole before anything
//! is sent, so that a bad line leaves the table as it was.
//!
//! [`Plan::read`] reads every line, parses it with ipvsadm's grammar
//! ([`crate::grammar::parse_restore_line_as`]) and keeps what it asks for:
//! changes already encoded as netlink requests (compactly, one buffer for
//! all), and the few commands that are not changes (listings, `-S`, `-h`,
//! `-v`) in their places. The first line that is too long, not text, or
//! that the grammar rejects ends the reading with a [`Rejected`] saying
//! which line and why, and nothing is sent. [`Plan::steps`] then gives the
//! work in input order: runs of changes to send in batches
//! ([`crate::client::Client::apply_encoded`]) and the other commands
//! between them.
//!
//! Memory: the plan holds one netlink request (some 40 to 150 bytes) and
//! one byte per change line, 64 bytes per other command, and never more
//! than one line of input ([`MAX_LINE`] bytes at most), so it stays
//! proportional to the file: a million `-a` lines of 48 bytes take 133 MB,
//! 2.8 times the file.

use std::fmt;
use std::io::{self, BufRead};

use netlink_packet_core::NLM_F_ACK;

use crate::client::Op;
use crate::grammar::{self, Command, Listing, Resolver};
use crate::protocol::{self, Request};

/// The longest restore line taken, in bytes (without its newline). The
/// lines ipvsadm writes with `-S` are under 200 bytes.
pub const MAX_LINE: usize = 4096;

/// How much of a rejected line a message shows.
const SHOWN: usize = 100;

/// A restore input refused before anything was sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    /// `argv[0]`, which starts the message.
    pub program: String,
    /// The line's number, from 1 (0 when the input could not be read at all).
    pub line: usize,
    /// The line as read (cut for long ones; lossily decoded when not text).
    pub text: String,
    /// Why, in ipvsadm's words when the grammar refused it.
    pub why: String,
    /// The exit status.
    pub status: i32,
}

impl fmt::Display for Rejected {
    /// One line: `PROGRAM: restore line N "TEXT": WHY (nothing applied)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            return write!(f, "{}: restore input: {} (nothing applied)", self.program, self.why);
        }
        let mut shown: String = self.text.chars().take(SHOWN).collect();
        let cut = shown.len() < self.text.len();
        if cut {
            // No blanks before the "...", unless there is nothing else.
            let kept = shown.trim_end_matches(char::is_whitespace).len();
            if kept > 0 {
                shown.truncate(kept);
            }
        }
        write!(
            f,
            "{}: restore line {} {:?}{}: {} (nothing applied)",
            self.program,
            self.line,
            shown,
            if cut { "..." } else { "" },
            self.why
        )
    }
}

impl std::error::Error for Rejected {}

/// A command of the plan that is not a change, with where it goes.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Action {
    /// Index of the first change after it.
    before: usize,
    /// Offset of that change's request.
    offset: usize,
    line: usize,
    act: Act,
}

/// A command that is not a change, kept small (a [`Command`] is as large
/// as its largest kind): a file of a million `-L` lines stays small too.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Act {
    List(Listing),
    Save(Listing),
    Help,
    Version,
    Other(Box<Command>),
}

impl Act {
    fn of(command: Command) -> Act {
        match command {
            Command::List(l) => Act::List(l),
            Command::Save(l) => Act::Save(l),
            Command::Help => Act::Help,
            Command::Version => Act::Version,
            other => Act::Other(Box::new(other)),
        }
    }

    fn command(&self) -> Command {
        match self {
            Act::List(l) => Command::List(*l),
            Act::Save(l) => Command::Save(*l),
            Act::Help => Command::Help,
            Act::Version => Command::Version,
            Act::Other(c) => (**c).clone(),
        }
    }
}

/// A restore input, read and checked, ready to be carried out.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The operation of every change, in order.
    ops: Vec<Op>,
    /// Their requests, encoded back to back (family id and sequence
    /// numbers are set when they are sent).
    requests: Vec<u8>,
    actions: Vec<Action>,
    lines: usize,
}

/// One step of a plan, in input order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step<'a> {
    /// Changes to send, for [`crate::client::Client::apply_encoded`].
    Changes {
        /// What each request is, in order.
        ops: &'a [Op],
        /// The requests, encoded.
        requests: &'a [u8],
    },
    /// A command that is not a change (a listing, `-S`, `-h`, `-v`), from
    /// this line.
    Command {
        /// Its line of the input, from 1.
        line: usize,
        /// The command.
        command: Command,
    },
}

impl Plan {
    /// Read and check a whole restore input. `program` is `argv[0]` (for
    /// messages); `names` looks up host and service names.
    pub fn read(
        program: &str,
        input: impl BufRead,
        names: &dyn Resolver,
    ) -> Result<Plan, Rejected> {
        let mut plan = Plan::default();
        plan.lines = read_commands(program, input, names, &mut |line, command| {
            plan.push(line, command)
        })?;
        plan.requests.shrink_to_fit();
        plan.ops.shrink_to_fit();
        plan.actions.shrink_to_fit();
        Ok(plan)
    }

    /// [`Plan::read`] from bytes in memory.
    pub fn from_bytes(program: &str, input: &[u8], names: &dyn Resolver) -> Result<Plan, Rejected> {
        Plan::read(program, input, names)
    }

    fn push(&mut self, line: usize, command: Command) {
        match change(&command) {
            Some((op, req)) => {
                protocol::encode(&mut self.requests, &req, 0, NLM_F_ACK, 0);
                self.ops.push(op);
            }
            None => self.actions.push(Action {
                before: self.ops.len(),
                offset: self.requests.len(),
                line,
                act: Act::of(command),
            }),
        }
    }

    /// How many lines were read.
    pub fn lines(&self) -> usize {
        self.lines
    }

    /// How many changes the plan makes.
    pub fn changes(&self) -> usize {
        self.ops.len()
    }

    /// The bytes the plan holds (for measurements).
    pub fn size_in_bytes(&self) -> usize {
        self.requests.capacity()
            + self.ops.capacity() * std::mem::size_of::<Op>()
            + self.actions.capacity() * std::mem::size_of::<Action>()
    }

    /// The work, in input order: runs of changes and the commands between.
    pub fn steps(&self) -> Steps<'_> {
        Steps { plan: self, action: 0, done: 0, offset: 0 }
    }
}

/// The steps of a [`Plan`], made as they are asked for.
#[derive(Debug, Clone)]
pub struct Steps<'a> {
    plan: &'a Plan,
    /// The next action.
    action: usize,
    /// Changes and request bytes already given.
    done: usize,
    offset: usize,
}

impl<'a> Iterator for Steps<'a> {
    type Item = Step<'a>;

    fn next(&mut self) -> Option<Step<'a>> {
        let p = self.plan;
        let (before, offset) = match p.actions.get(self.action) {
            Some(a) if a.before <= self.done => {
                self.action += 1;
                return Some(Step::Command { line: a.line, command: a.act.command() });
            }
            Some(a) => (a.before, a.offset),
            None if p.ops.len() > self.done => (p.ops.len(), p.requests.len()),
            None => return None,
        };
        let step = Step::Changes {
            ops: &p.ops[self.done..before],
            requests: &p.requests[self.offset..offset],
        };
        (self.done, self.offset) = (before, offset);
        Some(step)
    }
}

/// Read and check a whole restore input line by line, handing `each` the
/// command of every line that has one, with its line number (from 1), as
/// soon as it is checked; the caller keeps what it needs (the commands of
/// a rejected input must not be carried out: the error comes last). This is
/// the one reading of restore format, for `-R` ([`Plan`]) and `--apply`
/// ([`read_all`]). Returns how many lines were read.
pub fn read_commands(
    program: &str,
    mut input: impl BufRead,
    names: &dyn Resolver,
    each: &mut dyn FnMut(usize, Command),
) -> Result<usize, Rejected> {
    let mut buf = Vec::new();
    let mut number = 0;
    loop {
        let line = read_line(&mut input, &mut buf, MAX_LINE).map_err(|e| Rejected {
            program: program.to_string(),
            line: 0,
            text: String::new(),
            why: format!("cannot read it after line {number}: {e}"),
            status: 1,
        })?;
        number += 1;
        let reject = |text: String, why: String, status: i32| Rejected {
            program: program.to_string(),
            line: number,
            text,
            why,
            status,
        };
        let text = match line {
            Line::End => break,
            Line::TooLong(len) => {
                let text = String::from_utf8_lossy(&buf[..buf.len().min(4 * SHOWN)]).into_owned();
                return Err(reject(
                    text,
                    format!("line too long ({len} bytes; at most {MAX_LINE} are taken)"),
                    2,
                ));
            }
            Line::Read => match text_of(&buf) {
                Ok(t) => t,
                Err(why) => {
                    let text = String::from_utf8_lossy(&buf).into_owned();
                    return Err(reject(text, why, 2));
                }
            },
        };
        match grammar::parse_restore_line_as(program, text, names) {
            Ok(None) => {}
            Ok(Some(command)) => each(number, command),
            Err(e) => {
                let why = e
                    .stderr
                    .split('\n')
                    .filter(|l| !l.is_empty())
                    .collect::<Vec<_>>()
                    .join(" ");
                return Err(reject(text.to_string(), why, e.status));
            }
        }
    }
    Ok(number - 1)
}

/// [`read_commands`] kept whole: every command with its line number.
pub fn read_all(
    program: &str,
    input: impl BufRead,
    names: &dyn Resolver,
) -> Result<Vec<(usize, Command)>, Rejected> {
    let mut commands = Vec::new();
    read_commands(program, input, names, &mut |line, c| commands.push((line, c)))?;
    Ok(commands)
}

/// The request a command sends, for the commands that change something.
pub fn change(command: &Command) -> Option<(Op, Request)> {
    Some(match command {
        Command::AddService(s) => (Op::AddService, Request::new_service(s)),
        Command::EditService(s) => (Op::EditService, Request::set_service(s)),
        Command::DeleteService(k) => (Op::DelService, Request::del_service(k)),
        Command::Flush => (Op::Flush, Request::flush()),
        Command::AddDest(k, d) => (Op::AddDest, Request::new_dest(k, d)),
        Command::EditDest(k, d) => (Op::EditDest, Request::set_dest(k, d)),
        Command::DeleteDest(k, d) => (Op::DelDest, Request::del_dest(k, d)),
        Command::Zero(Some(k)) => (Op::ZeroService, Request::zero(Some(k))),
        Command::Zero(None) => (Op::Zero, Request::zero(None)),
        Command::SetTimeouts(t) => (Op::SetTimeouts, Request::set_config(t)),
        Command::StartDaemon(d) => (Op::StartDaemon, Request::new_daemon(d)),
        Command::StopDaemon(r) => (Op::StopDaemon, Request::del_daemon(*r)),
        Command::List(_)
        | Command::Save(_)
        | Command::Restore
        | Command::Help
        | Command::Version
        // Refused on restore lines by the grammar.
        | Command::Apply(_)
        | Command::Drain(_) => return None,
    })
}

/// What [`read_line`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Line {
    /// A line is in the buffer (without its newline).
    Read,
    /// A line longer than the limit, of this many bytes; the buffer holds
    /// its start.
    TooLong(usize),
    /// The input is over.
    End,
}

/// Read one line into `buf`, keeping at most `max` bytes of it: a longer
/// line is read to its end but not kept, so memory stays bounded.
fn read_line(input: &mut impl BufRead, buf: &mut Vec<u8>, max: usize) -> io::Result<Line> {
    buf.clear();
    let mut len = 0usize;
    let mut any = false;
    loop {
        let chunk = match input.fill_buf() {
            Ok(c) => c,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if chunk.is_empty() {
            break;
        }
        any = true;
        let (part, newline) = match chunk.iter().position(|&b| b == b'\n') {
            Some(i) => (&chunk[..i], true),
            None => (chunk, false),
        };
        let room = max.saturating_sub(buf.len());
        buf.extend_from_slice(&part[..part.len().min(room)]);
        len = len.saturating_add(part.len());
        let used = part.len() + usize::from(newline);
        input.consume(used);
        if newline {
            break;
        }
    }
    if !any {
        return Ok(Line::End);
    }
    Ok(if len > max { Line::TooLong(len) } else { Line::Read })
}

/// The line as text, or why it is not.
fn text_of(bytes: &[u8]) -> Result<&str, String> {
    if let Some(i) = bytes.iter().position(|&b| b == 0) {
        return Err(format!("not text (a NUL byte at column {})", i + 1));
    }
    std::str::from_utf8(bytes)
        .map_err(|e| format!("not text (invalid UTF-8 at column {})", e.valid_up_to() + 1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grammar::NoNames;

    fn plan(input: &str) -> Result<Plan, Rejected> {
        Plan::from_bytes("ipvsadm", input.as_bytes(), &NoNames)
    }

    fn message(input: &[u8]) -> String {
        Plan::from_bytes("ipvsadm", input, &NoNames).unwrap_err().to_string()
    }

    #[test]
    fn lines_are_read_whole_and_bounded() {
        let mut input: &[u8] = b"a\nbb\r\n\nlast";
        let mut buf = Vec::new();
        let mut got = Vec::new();
        loop {
            match read_line(&mut input, &mut buf, 3).unwrap() {
                Line::End => break,
                l => got.push((l, String::from_utf8(buf.clone()).unwrap())),
            }
        }
        assert_eq!(
            got,
            vec![
                (Line::Read, "a".into()),
                (Line::Read, "bb\r".into()),
                (Line::Read, "".into()),
                (Line::TooLong(4), "las".into()),
            ]
        );
        // A long line is read past without being kept, across buffer refills.
        let long = format!("{}\n-C\n", "x".repeat(100_000));
        let mut r = io::BufReader::with_capacity(16, long.as_bytes());
        assert_eq!(read_line(&mut r, &mut buf, 10).unwrap(), Line::TooLong(100_000));
        assert_eq!(buf.len(), 10);
        assert_eq!(read_line(&mut r, &mut buf, 10).unwrap(), Line::Read);
        assert_eq!(buf, b"-C");
        assert_eq!(read_line(&mut r, &mut buf, 10).unwrap(), Line::End);
    }

    #[test]
    fn a_valid_input_becomes_changes_and_commands_in_order() {
        let p = plan(
            "-A -t 192.0.2.1:80 -s rr\n\
             -a -t 192.0.2.1:80 -r 198.51.100.2 -m\n\
             \n\
             ipvsadm -L -n\n\
             -Z\n\
             -S -n\n\
             -h\n",
        )
        .unwrap();
        assert_eq!(p.lines(), 7);
        assert_eq!(p.changes(), 3);
        let steps: Vec<Step> = p.steps().collect();
        let kinds: Vec<String> = steps
            .iter()
            .map(|s| match s {
                Step::Changes { ops, .. } => format!("{ops:?}"),
                Step::Command { line, command } => {
                    format!("{line}:{command:?}").chars().take(12).collect()
                }
            })
            .collect();
        assert_eq!(
            kinds,
            vec!["[AddService, AddDest]", "4:List(Listi", "[Zero]", "6:Save(Listi", "7:Help"]
        );
        // The requests are those the client would send, one per change.
        let Step::Changes { requests, .. } = steps[0].clone() else { panic!() };
        let cmd = grammar::parse_restore_line_as("ipvsadm", "-A -t 192.0.2.1:80 -s rr", &NoNames)
            .unwrap()
            .unwrap();
        let mut want = Vec::new();
        protocol::encode(&mut want, &change(&cmd).unwrap().1, 0, NLM_F_ACK, 0);
        assert_eq!(&requests[..want.len()], &want[..]);
        assert_eq!(plan("").unwrap().steps().count(), 0);
        // Commands only, and changes only.
        assert_eq!(plan("-L\n-L\n").unwrap().steps().count(), 2);
        assert_eq!(plan("-C\n-C\n").unwrap().steps().count(), 1);
        assert_eq!(plan("\n  \nipvsadm\n").unwrap().lines(), 3);
    }

    #[test]
    fn a_bad_line_rejects_the_whole_input() {
        let e =
            plan("-A -t 192.0.2.1:80\n-a -t 192.0.2.1:80 -r 198.51.100.9 -w x\n-C\n").unwrap_err();
        assert_eq!((e.line, e.status), (2, 2));
        assert_eq!(
            e.to_string(),
            "ipvsadm: restore line 2 \"-a -t 192.0.2.1:80 -r 198.51.100.9 -w x\": illegal weight specified (nothing applied)"
        );
        // The option library's errors, which ipvsadm -R skips, reject too.
        let e = plan("-A -t 192.0.2.1:80\n-A -t 192.0.2.2:80 -Q\n").unwrap_err();
        assert_eq!((e.line, e.status, e.why.as_str()), (2, 255, "-Q: unknown option"));
        // A comment is not an option: ipvsadm says "Try ...".
        assert_eq!(
            message(b"# saved rules\n"),
            "ipvsadm: restore line 1 \"# saved rules\": Try `ipvsadm -h' or 'ipvsadm --help' for more information. (nothing applied)"
        );
        // Multi-line messages become one line.
        let e = plan("-A -t 192.0.2.1:80 -6\n").unwrap_err();
        assert!(!e.to_string().contains('\n'), "{e}");
        // A -h before the bad line does not save it.
        assert_eq!(plan("-h\n-A -t 192.0.2.1:80 -w 1\n").unwrap_err().line, 2);
    }

    #[test]
    fn too_long_lines_and_binary_are_refused_with_their_line() {
        let mut input = b"-C\n".to_vec();
        input.extend(vec![b'x'; MAX_LINE + 1]);
        input.extend(b"\n-C\n");
        let m = message(&input);
        assert!(m.starts_with("ipvsadm: restore line 2 \"xxxx"), "{m}");
        assert!(
            m.ends_with(
                "...: line too long (4097 bytes; at most 4096 are taken) (nothing applied)"
            ),
            "{m}"
        );
        assert!(m.len() < 250, "{m}");
        // Cut where it may: blanks of several bytes, nothing but blanks.
        let wide = "\u{3000}".repeat(150);
        assert!(message(wide.as_bytes()).starts_with("ipvsadm: restore line 1 \"\\u{3000}"));
        let mixed = format!("-A{}x", "\u{3000}".repeat(120));
        assert!(message(mixed.as_bytes()).contains("restore line 1 \"-A\"..."));
        let mut ok = vec![b'-', b'C', b' '];
        ok.resize(MAX_LINE, b' ');
        assert!(Plan::from_bytes("ipvsadm", &ok, &NoNames).is_ok());
        assert_eq!(
            message(b"-C\n-A -t 192.0.2.1:80\0\n"),
            "ipvsadm: restore line 2 \"-A -t 192.0.2.1:80\\0\": not text (a NUL byte at column 19) (nothing applied)"
        );
        assert_eq!(
            message(b"\xff\xfe-C\n"),
            "ipvsadm: restore line 1 \"\u{fffd}\u{fffd}-C\": not text (invalid UTF-8 at column 1) (nothing applied)"
        );
    }

    #[test]
    fn read_errors_are_reported() {
        struct Broken;
        impl io::Read for Broken {
            fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
                Err(io::Error::from_raw_os_error(21))
            }
        }
        let e = Plan::read("ipvsadm", io::BufReader::new(Broken), &NoNames).unwrap_err();
        assert_eq!(e.status, 1);
        assert_eq!(
            e.to_string(),
            "ipvsadm: restore input: cannot read it after line 0: Is a directory (os error 21) (nothing applied)"
        );
    }

    #[test]
    fn the_plan_is_compact() {
        let mut input = String::new();
        for i in 0..10_000 {
            input.push_str(&format!(
                "-a -t 192.0.2.1:80 -r 198.51.100.{}:{} -m -w 1\n",
                i % 250 + 1,
                i / 250 + 1
            ));
        }
        let p = plan(&input).unwrap();
        assert_eq!(p.changes(), 10_000);
        // About three times the text, whatever the number of lines.
        assert!(p.size_in_bytes() < 4 * input.len(), "{} for {}", p.size_in_bytes(), input.len());
        // Lines that are not changes: a few dozen bytes each.
        let p = plan(&"-L -n\n".repeat(10_000)).unwrap();
        assert!(p.size_in_bytes() < 10_000 * 80, "{}", p.size_in_bytes());
    }
}
