//! ipvsadm's command-line grammar: argument vectors and restore lines to
//! [`Command`]s, with ipvsadm's checks and its error messages.
//!
//! Everything here happens before ipvsadm talks to the kernel: every
//! [`ArgError`] is an error ipvsadm reports without a kernel request.
//! Errors the kernel reports ("Service already exists", "No such
//! service", "Scheduler or persistence engine not found", ...) are not
//! the grammar's.

mod addr;
mod command;
mod help;
mod num;
mod parser;
mod popt;
mod spec;
mod table;

#[cfg(test)]
mod tests;

pub use addr::{services_lookup, NoNames, Resolver, SystemResolver};
pub use command::{Apply, Command, Drain, Format, ListWhat, Listing};
pub use help::{help_text, HELP};
pub use parser::{
    DEFAULT_MCAST_INTERFACE, DEFAULT_PERSISTENCE_TIMEOUT, DEFAULT_SCHEDULER, MAX_IFNAME, MAX_TIMEOUT,
};
pub use spec::{
    command as clap_command, options, OptionName, DAEMON_STATES, PERSISTENCE_ENGINES, SCHEDULERS, SCHED_FLAGS,
    TUNNEL_TYPES,
};

/// An error that ipvsadm would report: `stderr` is exactly the text it prints on
/// standard error (newlines included), `status` its exit status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArgError {
    /// Exactly what ipvsadm prints on standard error, newlines included.
    pub stderr: String,
    /// The exit status.
    pub status: i32,
    /// Whether `ipvsadm -R` stops reading its input at this error, exiting
    /// with `status`. Only the option library's own errors (unknown option,
    /// missing argument, option does not take an argument) are not fatal
    /// there: -R prints them and goes on with the next line (and exits 255
    /// if that was the last line). Outside -R every error ends the run.
    pub fatal: bool,
}

impl ArgError {
    /// ipvsadm's usual failure: the message and a newline, exit status 2.
    pub(crate) fn fail(message: impl Into<String>) -> ArgError {
        let mut stderr = message.into();
        stderr.push('\n');
        ArgError { stderr, status: 2, fatal: true }
    }

    /// When the first option is not a command (or cannot be read).
    pub(crate) fn try_help(program: &str) -> ArgError {
        ArgError {
            stderr: format!("Try `{program} -h' or '{program} --help' for more information.\n"),
            status: 255,
            fatal: true,
        }
    }

    /// An error of the option library, after the command.
    pub(crate) fn popt(message: String) -> ArgError {
        ArgError { stderr: format!("{message}\n"), status: 255, fatal: false }
    }

}

/// Take `--netns NAME` (or `--netns=NAME`) out of an argument vector
/// WITHOUT `argv[0]`: the namespace must be entered before anything else
/// happens (ipvsadm reaches the kernel before it parses its options).
/// Returns the namespace word and the other words; after `--` nothing is
/// an option.
pub fn take_netns(args: &[String]) -> Result<(Option<String>, Vec<String>), ArgError> {
    let mut netns = None;
    let mut rest = Vec::with_capacity(args.len());
    let mut words = args.iter();
    while let Some(word) = words.next() {
        let value = if word == "--" {
            rest.push(word.clone());
            rest.extend(words.by_ref().cloned());
            break;
        } else if word == "--netns" {
            words.next().cloned().ok_or_else(|| ArgError::popt("--netns: missing argument".into()))?
        } else if let Some(v) = word.strip_prefix("--netns=") {
            v.to_string()
        } else {
            rest.push(word.clone());
            continue;
        };
        if netns.replace(value).is_some() {
            return Err(ArgError::fail("multiple 'netns' options specified"));
        }
    }
    Ok((netns, rest))
}

/// Parse an argument vector WITHOUT `argv[0]`, as `ipvsadm`, looking names
/// up with the system's resolver.
pub fn parse_args(args: &[String]) -> Result<Command, ArgError> {
    parse_args_as("ipvsadm", args, &SystemResolver)
}

/// Parse an argument vector WITHOUT `argv[0]`; `program` is `argv[0]`, which
/// ipvsadm names in its "Try `PROGRAM -h' ..." message; `names` looks up
/// host and service names.
pub fn parse_args_as(program: &str, args: &[String], names: &dyn Resolver) -> Result<Command, ArgError> {
    parser::parse(args, &parser::Ctx { program, names, restore: false })
}

/// Parse one line of `ipvsadm -R` input (an optional leading `ipvsadm` word is allowed). Ok(None) for a blank line.
pub fn parse_restore_line(line: &str) -> Result<Option<Command>, ArgError> {
    parse_restore_line_as("ipvsadm", line, &SystemResolver)
}

/// [`parse_restore_line`] with `argv[0]` of the running program and a resolver.
///
/// The line is split at spaces, tabs, carriage returns and newlines (no
/// quoting: quotes are part of the words), and every word `ipvsadm` is
/// dropped, wherever it is. Nothing left: `Ok(None)`. `-R` on a line is an
/// error ("Try ..."), and so is a comment (`#` is not an option).
pub fn parse_restore_line_as(
    program: &str,
    line: &str,
    names: &dyn Resolver,
) -> Result<Option<Command>, ArgError> {
    // Borrowed words: a restore file is tens of thousands of lines.
    let words: Vec<&str> = words_of(line).collect();
    if words.is_empty() {
        return Ok(None);
    }
    parser::parse(&words, &parser::Ctx { program, names, restore: true }).map(Some)
}

/// The words of a restore line, without the `ipvsadm` words.
pub fn restore_words(line: &str) -> Vec<String> {
    words_of(line).map(str::to_string).collect()
}

fn words_of(line: &str) -> impl Iterator<Item = &str> {
    line.split([' ', '\t', '\r', '\n']).filter(|w| !w.is_empty() && *w != "ipvsadm")
}
