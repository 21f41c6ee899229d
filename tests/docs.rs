//! The documentation shipped with the binary: man pages (render without
//! warnings, mention every option), shell completions (generated from the
//! grammar's option table, committed, never stale, and working in a real
//! bash) and the systemd unit (its commands do what they should).
//!
//! Tools: `groff` (Debian: groff-base) for the man pages and `bash` for
//! the completions. Missing ones make their test say it did not run, or
//! fail with `IPVSADM_REQUIRE_DOCS=1` (as CI sets it).
//!
//! Stale completions: `IPVSADM_BLESS=1 cargo test --test docs` rewrites
//! them.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use clap_complete::Shell;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Whether `tool` runs; if not, fail when `IPVSADM_REQUIRE_DOCS=1`, else
/// say loudly that the test did not run.
fn have(tool: &str, package: &str) -> bool {
    let ok = Command::new(tool)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if !ok {
        if std::env::var("IPVSADM_REQUIRE_DOCS").as_deref() == Ok("1") {
            panic!("`{tool}` is missing (Debian package {package}) and IPVSADM_REQUIRE_DOCS=1");
        }
        eprintln!("*** `{tool}` is missing (install {package}): this test did NOT run ***");
    }
    ok
}

const PAGES: &[&str] = &["man/ipvsadm.8", "man/ipvsadm-save.8", "man/ipvsadm-restore.8"];

// ---------------------------------------------------------------- man pages

#[test]
fn man_pages_render_without_warnings() {
    if !have("groff", "groff-base") {
        return;
    }
    for page in PAGES {
        let out = Command::new("groff")
            .args(["-man", "-Tutf8", "-ww", "-z"])
            .arg(root().join(page))
            .output()
            .expect("groff");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success() && stderr.trim().is_empty(), "{page}: groff says:\n{stderr}");
        // And the text has no lines too long for an 80-column terminal.
        let out = Command::new("groff")
            .args(["-man", "-Tutf8", "-ww", "-rLL=78n"])
            .arg(root().join(page))
            .output()
            .expect("groff");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.trim().is_empty(), "{page}: groff says:\n{stderr}");
    }
}

/// Whether the roff source names `--long` (as `\-\-long`, not followed by
/// more of a name).
fn mentions(src: &str, word: &str) -> bool {
    src.match_indices(word).any(|(i, _)| {
        let rest = &src[i + word.len()..];
        !(rest.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '-') || rest.starts_with("\\-"))
    })
}

#[test]
fn man_page_mentions_every_option_and_word() {
    let src = read("man/ipvsadm.8");
    let mut missing = Vec::new();
    for o in ipvs::grammar::options() {
        let long = format!("\\-\\-{}", o.long.replace('-', "\\-"));
        if !mentions(&src, &long) {
            missing.push(format!("--{}", o.long));
        }
        for c in &o.shorts {
            let short = format!("\\-{c}");
            if !mentions(&src, &short) {
                missing.push(format!("-{c}"));
            }
        }
    }
    for w in ipvs::grammar::SCHEDULERS
        .iter()
        .chain(ipvs::grammar::SCHED_FLAGS)
        .chain(ipvs::grammar::TUNNEL_TYPES)
        .chain(ipvs::grammar::DAEMON_STATES)
        .chain(ipvs::grammar::PERSISTENCE_ENGINES)
    {
        let w = w.replace('-', "\\-");
        // In bold: `.B word`, `.BR word ...` or `\fBword`.
        if ![".B ", ".BR ", "\\fB"].iter().any(|b| mentions(&src, &format!("{b}{w}"))) {
            missing.push(w);
        }
    }
    for section in [
        "EXIT STATUS",
        "EXAMPLES",
        "FORWARDING METHODS",
        "SCHEDULERS",
        "PERSISTENCE",
        "SYNC DAEMON",
        "DIFFERENCES FROM IPVSADM",
        "SEE ALSO",
    ] {
        if !src.contains(&format!(".SH \"{section}\"")) && !src.contains(&format!(".SH {section}\n")) {
            missing.push(format!("section {section}"));
        }
    }
    assert!(missing.is_empty(), "man/ipvsadm.8 does not mention: {missing:?}");
    for page in ["man/ipvsadm-save.8", "man/ipvsadm-restore.8"] {
        let src = read(page);
        assert!(src.contains(".SH \"EXIT STATUS\"") || src.contains(".SH EXIT STATUS\n"), "{page}");
        assert!(src.contains(".BR ipvsadm (8)"), "{page} refers to ipvsadm(8)");
    }
    assert!(read("man/ipvsadm-save.8").contains("\\-n"));
}

// ---------------------------------------------------------------- completions

const SHELLS: &[(Shell, &str)] = &[
    (Shell::Bash, "completions/ipvsadm.bash"),
    (Shell::Zsh, "completions/_ipvsadm"),
    (Shell::Fish, "completions/ipvsadm.fish"),
];

fn generate(shell: Shell) -> String {
    let mut cmd = ipvs::grammar::clap_command();
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut cmd, "ipvsadm", &mut buf);
    String::from_utf8(buf).expect("utf-8")
}

#[test]
fn completions_are_up_to_date() {
    let bless = std::env::var("IPVSADM_BLESS").as_deref() == Ok("1");
    let mut stale = Vec::new();
    for (shell, rel) in SHELLS {
        let want = generate(*shell);
        let path = root().join(rel);
        let have = std::fs::read_to_string(&path).unwrap_or_default();
        if have != want {
            if bless {
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(&path, &want).unwrap();
                eprintln!("rewrote {rel}");
            } else {
                stale.push(*rel);
            }
        }
    }
    assert!(
        stale.is_empty(),
        "stale completions {stale:?}: refresh them with `IPVSADM_BLESS=1 cargo test --test docs`"
    );
}

/// What the bash completion offers for the words of `line` (the last one
/// being completed; an empty last word when `line` ends with a space).
fn bash_complete(line: &str) -> Vec<String> {
    let script = root().join("completions/ipvsadm.bash");
    let program = format!(
        r#"source {script}
line={line}
read -r -a COMP_WORDS <<< "$line"
[[ $line == *" " ]] && COMP_WORDS+=("")
COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 ))
COMP_LINE=$line
COMP_POINT=${{#line}}
spec=$(complete -p ipvsadm)
func=${{spec##*-F }}; func=${{func%% *}}
"$func" ipvsadm "${{COMP_WORDS[COMP_CWORD]}}" "${{COMP_WORDS[COMP_CWORD-1]}}"
printf '%s\n' "${{COMPREPLY[@]}}"
"#,
        script = shell_quote(&script.to_string_lossy()),
        line = shell_quote(line),
    );
    let out = Command::new("bash").args(["--norc", "--noprofile", "-c", &program]).output().expect("bash");
    assert!(out.status.success(), "bash: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().lines().map(str::to_string).collect()
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

#[test]
fn bash_completes_options_and_words() {
    if !have("bash", "bash") {
        return;
    }
    let has = |line: &str, want: &[&str]| {
        let got = bash_complete(line);
        for w in want {
            assert!(got.iter().any(|g| g == w), "`{line}<TAB>` offers {got:?}, not {w}");
        }
        got
    };
    // Options, long and short, forwarding methods among them.
    has("ipvsadm --sched", &["--scheduler", "--sched-flags"]);
    let got = has(
        "ipvsadm --tun-",
        &["--tun-type", "--tun-port", "--tun-nocsum", "--tun-csum", "--tun-remcsum", "--tun-info"],
    );
    assert!(got.iter().all(|g| g.starts_with("--tun-")), "{got:?}");
    has(
        "ipvsadm -",
        &["-A", "-a", "-L", "-l", "-g", "-i", "-m", "-6", "-X", "--start-daemon", "--mcast-group"],
    );
    has("ipvsadm -a -t 10.0.0.1:80 -r 10.0.0.2 --mas", &["--masquerading"]);
    // Scheduler names, after -s and --scheduler.
    has("ipvsadm -A -t 10.0.0.1:80 -s ", ipvs::grammar::SCHEDULERS);
    has("ipvsadm -A -t 10.0.0.1:80 --scheduler ", ipvs::grammar::SCHEDULERS);
    let got = has("ipvsadm -A -t 10.0.0.1:80 -s w", &["wrr", "wlc"]);
    assert_eq!(got.len(), 2, "{got:?}");
    // Tunnel types, daemon states, scheduler flags, persistence engines.
    has("ipvsadm -a -t 10.0.0.1:80 -r 10.0.0.2 -i --tun-type ", &["ipip", "gue", "gre"]);
    has("ipvsadm --start-daemon ", &["master", "backup"]);
    has("ipvsadm --stop-daemon b", &["backup"]);
    has("ipvsadm -A -t 10.0.0.1:80 -s sh -b ", &["sh-fallback", "sh-port"]);
    has("ipvsadm -A -t 10.0.0.1:80 --pe ", &["sip"]);
}

// ---------------------------------------------------------------- systemd unit

/// The unit's `KEY=` lines of its `[Service]` section, values in order.
fn unit_lines(unit: &str, key: &str) -> Vec<String> {
    let mut section = "";
    let mut out = Vec::new();
    for line in unit.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            section = line;
        } else if section == "[Service]" {
            if let Some(v) = line.strip_prefix(key).and_then(|r| r.strip_prefix('=')) {
                out.push(v.trim().to_string());
            }
        }
    }
    out
}

/// A command line as systemd splits it: words at blanks, single or double
/// quotes around a word, backslash escapes; the prefixes `-@:+!` dropped.
fn systemd_words(line: &str) -> Vec<String> {
    let line = line.trim_start_matches(['-', '@', ':', '+', '!']);
    let mut words = Vec::new();
    let mut chars = line.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        let Some(&first) = chars.peek() else { break };
        let mut word = String::new();
        if first == '\'' || first == '"' {
            chars.next();
            for c in chars.by_ref() {
                if c == first {
                    break;
                }
                word.push(c);
            }
        } else {
            while let Some(c) = chars.next() {
                if c.is_whitespace() {
                    break;
                }
                if c == '\\' {
                    if let Some(n) = chars.next() {
                        word.push(n);
                    }
                } else {
                    word.push(c);
                }
            }
        }
        words.push(word);
    }
    words
}

const RULES: &str = "/etc/ipvsadm.rules";

/// Runs each command of `lines` in `dir` with stubs first on PATH and the
/// rules file moved into `dir`; returns each command's exit status.
fn run_unit_commands(lines: &[String], dir: &Path) -> Vec<i32> {
    let rules = dir.join("ipvsadm.rules");
    let path = format!("{}:{}", dir.join("bin").display(), std::env::var("PATH").unwrap_or_default());
    lines
        .iter()
        .map(|line| {
            let words: Vec<String> =
                systemd_words(line).into_iter().map(|w| w.replace(RULES, &rules.to_string_lossy())).collect();
            assert!(words[0].starts_with('/'), "{line}: systemd wants an absolute path here");
            Command::new(&words[0])
                .args(&words[1..])
                .env("PATH", &path)
                .env("STUB_LOG", dir.join("log"))
                .stdin(Stdio::null())
                .status()
                .unwrap_or_else(|e| panic!("{line}: {e}"))
                .code()
                .unwrap_or(-1)
        })
        .collect()
}

/// A stub for `ipvsadm`, `ipvsadm-save` and `ipvsadm-restore` that logs
/// its name, its arguments and its standard input (`ipvsadm-restore`, `-R`),
/// and prints two rules for `ipvsadm-save` and `-S`.
fn make_stubs(dir: &Path) {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let stub = r#"#!/bin/sh
name=${0##*/}
if [ $# -gt 0 ]; then echo "$name $*"; else echo "$name"; fi >> "$STUB_LOG"
case "$name $*" in
  "ipvsadm-restore"*|"ipvsadm -R"*) sed 's/^/< /' >> "$STUB_LOG" ;;
  "ipvsadm-save"*|"ipvsadm -S"*) printf '%s\n' '-A -t 192.0.2.1:80 -s rr' '-a -t 192.0.2.1:80 -r 198.51.100.2:80 -m -w 1' ;;
esac
"#;
    for name in ["ipvsadm", "ipvsadm-save", "ipvsadm-restore"] {
        let p = bin.join(name);
        std::fs::write(&p, stub).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
}

fn temp_dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("ipvsadm-docs-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn systemd_unit_restores_at_start_and_saves_at_stop() {
    let unit = read("contrib/ipvsadm.service");
    assert_eq!(unit_lines(&unit, "Type"), ["oneshot"]);
    assert_eq!(unit_lines(&unit, "RemainAfterExit"), ["yes"]);
    let start = unit_lines(&unit, "ExecStart");
    let stop = unit_lines(&unit, "ExecStop");
    assert!(!start.is_empty() && !stop.is_empty());
    for l in start.iter().chain(&stop) {
        assert!(l.contains(RULES) || !l.contains("/etc/"), "{l}: rules live in {RULES}");
    }

    // Start with rules: they go to ipvsadm-restore's standard input.
    let dir = temp_dir("unit");
    make_stubs(&dir);
    let rules = "-A -t 192.0.2.9:443 -s wlc\n-a -t 192.0.2.9:443 -r 198.51.100.9 -g -w 1\n";
    std::fs::write(dir.join("ipvsadm.rules"), rules).unwrap();
    assert!(run_unit_commands(&start, &dir).iter().all(|s| *s == 0));
    let log = std::fs::read_to_string(dir.join("log")).unwrap();
    let restored: String =
        log.lines().filter_map(|l| l.strip_prefix("< ")).map(|l| format!("{l}\n")).collect();
    assert_eq!(restored, rules, "log:\n{log}");
    assert!(log.starts_with("ipvsadm-restore\n") || log.starts_with("ipvsadm -R\n"), "log:\n{log}");

    // Stop: the table is saved numerically into the file, then cleared.
    std::fs::remove_file(dir.join("log")).unwrap();
    assert!(run_unit_commands(&stop, &dir).iter().all(|s| *s == 0));
    let log = std::fs::read_to_string(dir.join("log")).unwrap();
    let calls: Vec<&str> = log.lines().collect();
    assert!(calls[0] == "ipvsadm-save -n" || calls[0] == "ipvsadm -S -n", "log:\n{log}");
    assert_eq!(calls.last(), Some(&"ipvsadm -C"), "log:\n{log}");
    let saved = std::fs::read_to_string(dir.join("ipvsadm.rules")).unwrap();
    assert_eq!(saved, "-A -t 192.0.2.1:80 -s rr\n-a -t 192.0.2.1:80 -r 198.51.100.2:80 -m -w 1\n");

    // Start without a rules file, or with an empty one: nothing to do, no failure.
    for empty in [false, true] {
        std::fs::remove_file(dir.join("ipvsadm.rules")).ok();
        let _ = std::fs::remove_file(dir.join("log"));
        if empty {
            std::fs::write(dir.join("ipvsadm.rules"), "").unwrap();
        }
        assert!(run_unit_commands(&start, &dir).iter().all(|s| *s == 0), "empty={empty}");
        assert!(!dir.join("log").exists(), "nothing runs without rules");
    }

    // A failing save must not empty the rules file.
    std::fs::write(dir.join("ipvsadm.rules"), rules).unwrap();
    std::fs::write(dir.join("bin/ipvsadm-save"), "#!/bin/sh\necho partial\nexit 1\n").unwrap();
    let status = run_unit_commands(&stop[..1], &dir);
    assert_ne!(status[0], 0, "a failed save fails the stop");
    assert_eq!(std::fs::read_to_string(dir.join("ipvsadm.rules")).unwrap(), rules);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn systemd_unit_verifies() {
    let ok = Command::new("systemd-analyze")
        .arg("--version")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !ok {
        eprintln!("*** systemd-analyze is missing: `systemd-analyze verify` did NOT run (optional) ***");
        return;
    }
    let dir = temp_dir("verify");
    let unit = dir.join("ipvsadm.service");
    std::fs::copy(root().join("contrib/ipvsadm.service"), &unit).unwrap();
    let out = Command::new("systemd-analyze").arg("verify").arg(&unit).output().unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    // Only complaints about our unit count (a container without a running
    // systemd complains about other things).
    let ours: Vec<&str> = text.lines().filter(|l| l.contains("ipvsadm.service")).collect();
    assert!(ours.is_empty(), "systemd-analyze verify:\n{text}");
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::io::stderr().flush();
}
