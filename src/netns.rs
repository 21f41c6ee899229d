//! Network namespaces: IPVS keeps one table per network namespace, and a
//! netlink socket talks to the namespace it was opened in, as
//! `/proc/net/ip_vs_conn` shows the connections of the namespace of the
//! thread that reads it. [`Namespace::enter`] moves the calling thread
//! into a namespace (`setns(2)` with `CLONE_NEWNET`), the way
//! `ip netns exec` does but without running another program.

use std::fmt;
use std::fs::File;
use std::io;
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};

/// Where `ip netns add NAME` keeps its namespaces (bind mounts).
pub const NETNS_RUN_DIR: &str = "/run/netns";

/// A network namespace, by name or by path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Namespace {
    /// One made by `ip netns add NAME`: `/run/netns/NAME`.
    Named(String),
    /// Any file that refers to a namespace, such as `/proc/PID/ns/net`.
    Path(PathBuf),
}

impl Namespace {
    /// What `--netns` takes: a word with a `/` is a path, any other word
    /// the name of a namespace in [`NETNS_RUN_DIR`].
    pub fn parse(word: &str) -> Namespace {
        if word.contains('/') {
            Namespace::Path(PathBuf::from(word))
        } else {
            Namespace::Named(word.to_string())
        }
    }

    /// The file that refers to the namespace.
    pub fn path(&self) -> PathBuf {
        match self {
            Namespace::Named(name) => Path::new(NETNS_RUN_DIR).join(name),
            Namespace::Path(p) => p.clone(),
        }
    }

    /// Move the calling thread into the namespace, for good: the sockets
    /// it opens and the `/proc/net` files it reads from then on are the
    /// namespace's. Needs `CAP_SYS_ADMIN`.
    pub fn enter(&self) -> Result<(), NetnsError> {
        let file = File::open(self.path()).map_err(|e| self.error(e))?;
        set_netns(&file).map_err(|e| self.error(e))
    }

    /// Run `f` with the calling thread in the namespace, then move it back
    /// to the namespace it was in. What `f` opens (a socket) stays in the
    /// namespace it was opened in.
    pub fn within<T>(&self, f: impl FnOnce() -> T) -> Result<T, NetnsError> {
        let home = File::open("/proc/thread-self/ns/net").map_err(|e| NetnsError {
            namespace: "/proc/thread-self/ns/net".into(),
            source: e,
        })?;
        self.enter()?;
        let out = f();
        set_netns(&home).map_err(|e| NetnsError { namespace: "the original namespace".into(), source: e })?;
        Ok(out)
    }

    fn error(&self, source: io::Error) -> NetnsError {
        let namespace = match self {
            Namespace::Named(n) => n.clone(),
            Namespace::Path(p) => p.display().to_string(),
        };
        NetnsError { namespace, source }
    }
}

fn set_netns(file: &File) -> io::Result<()> {
    // SAFETY: setns takes a file descriptor that `file` keeps open for the
    // whole call, and a flag; it touches no memory of ours.
    let rc = unsafe { libc::setns(file.as_raw_fd(), libc::CLONE_NEWNET) };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// A namespace that could not be entered: it does not exist, is not a
/// namespace, or the caller may not enter it.
#[derive(Debug)]
pub struct NetnsError {
    /// The namespace as it was named.
    pub namespace: String,
    /// Why: from opening its file or from `setns(2)`.
    pub source: io::Error,
}

impl NetnsError {
    /// The namespace does not exist (no such name or path).
    pub fn is_not_found(&self) -> bool {
        self.source.kind() == io::ErrorKind::NotFound
    }
}

impl fmt::Display for NetnsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let why = match self.source.raw_os_error() {
            Some(libc::ENOENT) => "no such network namespace".to_string(),
            Some(libc::EINVAL) => "not a network namespace".to_string(),
            Some(libc::EPERM) | Some(libc::EACCES) => "permission denied".to_string(),
            _ => self.source.to_string(),
        };
        write!(f, "Cannot enter network namespace \"{}\": {why}", self.namespace)
    }
}

impl std::error::Error for NetnsError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_paths() {
        assert_eq!(Namespace::parse("blue"), Namespace::Named("blue".into()));
        assert_eq!(Namespace::parse("blue").path(), PathBuf::from("/run/netns/blue"));
        assert_eq!(Namespace::parse("/proc/1/ns/net").path(), PathBuf::from("/proc/1/ns/net"));
        assert_eq!(Namespace::parse("./ns"), Namespace::Path("./ns".into()));
    }

    #[test]
    fn a_missing_namespace_is_one_clear_error() {
        let e = Namespace::parse("no-such-namespace-for-tests").enter().unwrap_err();
        assert!(e.is_not_found());
        assert_eq!(e.to_string(), "Cannot enter network namespace \"no-such-namespace-for-tests\": no such network namespace");
    }

    #[test]
    fn a_file_that_is_no_namespace() {
        // /proc/self/status opens but is no namespace (EINVAL), or the
        // caller lacks the privilege (EPERM): either way, an error.
        let e = Namespace::parse("/proc/self/status").enter().unwrap_err();
        assert!(!e.is_not_found());
    }
}
