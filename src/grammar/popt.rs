//! Splitting an argument vector into options the way ipvsadm's option
//! library does (observed behaviour):
//!
//! - `--name` and `--name=value`, exact names only (no abbreviations);
//! - `-abc` groups of short options; a short option that takes a value
//!   takes the rest of its group (one leading `=` dropped: `-s=rr`, `-srr`)
//!   or else the next word, whatever it looks like (`-s -w` sets the
//!   scheduler to `-w`);
//! - an optional value (`-p`) is the rest of the group, the `=value` of a
//!   long option, or the next word unless that starts with `-`;
//! - words that are not options are kept aside, wherever they are; `--`
//!   makes all later words such words; `-` alone is one.
//!
//! Errors name the whole word they were found in.

use super::table::{by_long, by_short, Opt};

/// Whether an option takes a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ArgKind {
    No,
    Required,
    Optional,
}

/// One option's spellings.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Spec {
    pub long: &'static str,
    pub short: Option<char>,
    pub arg: ArgKind,
    pub id: Opt,
}

/// An option found in the arguments, borrowed from them (a restore file
/// is tens of thousands of such lines).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Found<'a> {
    pub id: Opt,
    pub value: Option<&'a str>,
    /// The last word used for this option (its value's word, when the
    /// value was the next word): what "invalid option `...'" names.
    pub word: &'a str,
}

/// The option library's own errors, printed as "WORD: MESSAGE".
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PoptError {
    Unknown(String),
    MissingArg(String),
    UnwantedArg(String),
}

impl PoptError {
    /// The line ipvsadm prints for it (without the newline).
    pub(crate) fn message(&self) -> String {
        match self {
            PoptError::Unknown(w) => format!("{w}: unknown option"),
            PoptError::MissingArg(w) => format!("{w}: missing argument"),
            PoptError::UnwantedArg(w) => format!("{w}: option does not take an argument"),
        }
    }
}

/// A cursor over an argument vector, yielding options in order.
pub(crate) struct Popt<'a, S> {
    args: &'a [S],
    next: usize,
    /// Inside a group of short options: the word's index and the byte
    /// offset of the next letter.
    group: Option<(usize, usize)>,
    only_args: bool,
    /// Words that are not options, in order.
    pub leftovers: Vec<&'a str>,
}

impl<'a, S: AsRef<str>> Popt<'a, S> {
    pub(crate) fn new(args: &'a [S]) -> Popt<'a, S> {
        Popt { args, next: 0, group: None, only_args: false, leftovers: Vec::new() }
    }

    fn word(&self, i: usize) -> Option<&'a str> {
        self.args.get(i).map(AsRef::as_ref)
    }

    /// The next word, for a value, if there is one.
    fn take_next(&mut self) -> Option<&'a str> {
        let w = self.word(self.next)?;
        self.next += 1;
        Some(w)
    }

    /// The next word for an optional value: only if it does not start
    /// with `-`.
    fn take_next_optional(&mut self) -> Option<&'a str> {
        let w = self.word(self.next)?;
        if w.starts_with('-') {
            return None;
        }
        self.take_next()
    }

    /// The next option, `None` at the end of the arguments.
    pub(crate) fn next_opt(&mut self) -> Option<Result<Found<'a>, PoptError>> {
        loop {
            if let Some((wi, pos)) = self.group {
                return Some(self.short(wi, pos));
            }
            let word = self.word(self.next)?;
            self.next += 1;
            if self.only_args {
                self.leftovers.push(word);
                continue;
            }
            if word == "--" {
                self.only_args = true;
                continue;
            }
            if let Some(body) = word.strip_prefix("--") {
                return Some(self.long(word, body));
            }
            if word.len() > 1 && word.starts_with('-') {
                self.group = Some((self.next - 1, 1));
                continue;
            }
            self.leftovers.push(word);
        }
    }

    fn long(&mut self, word: &'a str, body: &'a str) -> Result<Found<'a>, PoptError> {
        let (name, inline) = match body.split_once('=') {
            Some((n, v)) => (n, Some(v)),
            None => (body, None),
        };
        let spec = by_long(name).ok_or_else(|| PoptError::Unknown(word.to_string()))?;
        let mut last = word;
        let value = match spec.arg {
            ArgKind::No => {
                if inline.is_some() {
                    return Err(PoptError::UnwantedArg(word.to_string()));
                }
                None
            }
            ArgKind::Required => match inline {
                Some(v) => Some(v),
                None => {
                    let v = self.take_next().ok_or_else(|| PoptError::MissingArg(word.to_string()))?;
                    last = v;
                    Some(v)
                }
            },
            ArgKind::Optional => match inline {
                Some(v) => Some(v),
                None => {
                    let v = self.take_next_optional();
                    if let Some(v) = v {
                        last = v;
                    }
                    v
                }
            },
        };
        Ok(Found { id: spec.id, value, word: last })
    }

    fn short(&mut self, wi: usize, pos: usize) -> Result<Found<'a>, PoptError> {
        let word = self.word(wi).unwrap_or_default();
        let rest = word.get(pos..).unwrap_or_default();
        let c = rest.chars().next().unwrap_or('\0');
        let after = &rest[c.len_utf8()..];
        self.group = if after.is_empty() { None } else { Some((wi, pos + c.len_utf8())) };
        let spec = by_short(c).ok_or_else(|| PoptError::Unknown(word.to_string()))?;
        let mut last = word;
        let value = match spec.arg {
            ArgKind::No => {
                if after.starts_with('=') {
                    return Err(PoptError::UnwantedArg(word.to_string()));
                }
                None
            }
            ArgKind::Required | ArgKind::Optional if !after.is_empty() => {
                self.group = None;
                Some(after.strip_prefix('=').unwrap_or(after))
            }
            ArgKind::Required => {
                let v = self.take_next().ok_or_else(|| PoptError::MissingArg(word.to_string()))?;
                last = v;
                Some(v)
            }
            ArgKind::Optional => {
                let v = self.take_next_optional();
                if let Some(v) = v {
                    last = v;
                }
                v
            }
        };
        Ok(Found { id: spec.id, value, word: last })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &[&str]) -> Vec<String> {
        s.iter().map(|w| w.to_string()).collect()
    }

    type Opts = Vec<(Opt, Option<String>, String)>;

    /// All options as (id, value, word), then the leftovers; or the error.
    fn run(s: &[&str]) -> Result<(Opts, Vec<String>), PoptError> {
        let args = words(s);
        let mut p = Popt::new(&args);
        let mut out = Vec::new();
        while let Some(r) = p.next_opt() {
            let f = r?;
            out.push((f.id, f.value.map(str::to_string), f.word.to_string()));
        }
        let leftovers = p.leftovers.iter().map(|w| w.to_string()).collect();
        Ok((out, leftovers))
    }

    fn o(id: Opt, v: Option<&str>, w: &str) -> (Opt, Option<String>, String) {
        (id, v.map(str::to_string), w.to_string())
    }

    #[test]
    fn groups_and_values() {
        let (opts, left) = run(&["-Lnt", "192.0.2.1:80", "foo"]).unwrap();
        assert_eq!(
            opts,
            vec![
                o(Opt::List, None, "-Lnt"),
                o(Opt::Numeric, None, "-Lnt"),
                o(Opt::TcpService, Some("192.0.2.1:80"), "192.0.2.1:80"),
            ]
        );
        assert_eq!(left, words(&["foo"]));
        let (opts, _) = run(&["-srr", "-s=wrr", "-s=", "-srr=x", "-s", "-w"]).unwrap();
        let values: Vec<_> = opts.iter().map(|x| x.1.clone().unwrap()).collect();
        assert_eq!(values, ["rr", "wrr", "", "rr=x", "-w"]);
    }

    #[test]
    fn long_options() {
        let (opts, _) = run(&["--scheduler=rr", "--scheduler", "-rr", "--persistent=", "--list"]).unwrap();
        assert_eq!(
            opts,
            vec![
                o(Opt::Scheduler, Some("rr"), "--scheduler=rr"),
                o(Opt::Scheduler, Some("-rr"), "-rr"),
                o(Opt::Persistent, Some(""), "--persistent="),
                o(Opt::List, None, "--list"),
            ]
        );
        assert_eq!(run(&["--sched"]), Err(PoptError::Unknown("--sched".into())));
        assert_eq!(run(&["--schedu=rr"]), Err(PoptError::Unknown("--schedu=rr".into())));
        assert_eq!(run(&["---n"]), Err(PoptError::Unknown("---n".into())));
        assert_eq!(run(&["--numeric=1"]), Err(PoptError::UnwantedArg("--numeric=1".into())));
        assert_eq!(run(&["--scheduler"]), Err(PoptError::MissingArg("--scheduler".into())));
    }

    #[test]
    fn optional_values() {
        let (opts, left) = run(&["-p", "10", "-p", "-n", "-p10", "-ps", "-p=5", "-p", "-", "-p", ""]).unwrap();
        let got: Vec<_> = opts.iter().map(|x| (x.0, x.1.clone())).collect();
        assert_eq!(
            got,
            vec![
                (Opt::Persistent, Some("10".to_string())),
                (Opt::Persistent, None),
                (Opt::Numeric, None),
                (Opt::Persistent, Some("10".to_string())),
                (Opt::Persistent, Some("s".to_string())),
                (Opt::Persistent, Some("5".to_string())),
                (Opt::Persistent, None),
                (Opt::Persistent, Some(String::new())),
            ]
        );
        assert_eq!(left, words(&["-"]));
        assert_eq!(run(&["-p", "-1"]), Err(PoptError::Unknown("-1".into())));
    }

    #[test]
    fn errors_name_the_whole_word() {
        assert_eq!(run(&["-LQc"]), Err(PoptError::Unknown("-LQc".into())));
        assert_eq!(run(&["-n-"]), Err(PoptError::Unknown("-n-".into())));
        assert_eq!(run(&["-Lx"]), Err(PoptError::MissingArg("-Lx".into())));
        assert_eq!(run(&["-Ln=1"]), Err(PoptError::UnwantedArg("-Ln=1".into())));
        assert_eq!(PoptError::Unknown("-Q".into()).message(), "-Q: unknown option");
        assert_eq!(PoptError::MissingArg("-t".into()).message(), "-t: missing argument");
        assert_eq!(
            PoptError::UnwantedArg("-n=1".into()).message(),
            "-n=1: option does not take an argument"
        );
    }

    #[test]
    fn double_dash_ends_options() {
        let (opts, left) = run(&["-L", "--", "-n", "--"]).unwrap();
        assert_eq!(opts.len(), 1);
        assert_eq!(left, words(&["-n", "--"]));
        let (opts, left) = run(&["-p", "--", "5"]).unwrap();
        assert_eq!(opts, vec![o(Opt::Persistent, None, "-p")]);
        assert_eq!(left, words(&["5"]));
    }

    #[test]
    fn value_word_is_reported() {
        let (opts, _) = run(&["--start-daemon", "backup", "--start-daemon=master"]).unwrap();
        assert_eq!(opts[0].2, "backup");
        assert_eq!(opts[1].2, "--start-daemon=master");
    }
}
