//! Names from the system's databases (hosts and services, through the C
//! library and so `nsswitch.conf`), for listings without `-n`.
//!
//! This is the only place that asks the resolver; output formats get names
//! through the [`crate::output::Names`] trait and never look anything up.

use std::ffi::CStr;
use std::net::IpAddr;

use crate::model::Protocol;
use crate::output::Names;

/// Host and service names as the C library gives them.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemNames;

impl Names for SystemNames {
    fn host(&self, addr: &IpAddr) -> Option<String> {
        host_by_addr(addr)
    }

    fn service(&self, port: u16, protocol: Protocol) -> Option<String> {
        let proto: &CStr = match protocol {
            Protocol::Tcp => c"tcp",
            Protocol::Udp => c"udp",
            Protocol::Sctp => c"sctp",
        };
        // SAFETY: getservbyport takes the port in network order and a
        // NUL-terminated protocol name; the result (static storage) is
        // copied out before any other call.
        unsafe {
            let ent = libc::getservbyport(i32::from(port.to_be()), proto.as_ptr());
            if ent.is_null() || (*ent).s_name.is_null() {
                return None;
            }
            Some(CStr::from_ptr((*ent).s_name).to_string_lossy().into_owned())
        }
    }
}

/// The name of an address, or `None` when it has none.
fn host_by_addr(addr: &IpAddr) -> Option<String> {
    // SAFETY (both arms): an all-zero sockaddr is valid; family and
    // address are then filled in.
    match addr {
        IpAddr::V4(a) => {
            let mut sa: libc::sockaddr_in = unsafe { std::mem::zeroed() };
            sa.sin_family = libc::AF_INET as libc::sa_family_t;
            sa.sin_addr.s_addr = u32::from_ne_bytes(a.octets());
            name_info(&sa)
        }
        IpAddr::V6(a) => {
            let mut sa: libc::sockaddr_in6 = unsafe { std::mem::zeroed() };
            sa.sin6_family = libc::AF_INET6 as libc::sa_family_t;
            sa.sin6_addr.s6_addr = a.octets();
            name_info(&sa)
        }
    }
}

/// `getnameinfo` for a socket address, requiring a name.
fn name_info<T>(sa: &T) -> Option<String> {
    let mut host = [0 as libc::c_char; 1025];
    // SAFETY: `sa` is a complete socket address of the size passed; `host`
    // is a writable buffer of the size passed.
    let rc = unsafe {
        libc::getnameinfo(
            sa as *const T as *const libc::sockaddr,
            std::mem::size_of::<T>() as libc::socklen_t,
            host.as_mut_ptr(),
            host.len() as libc::socklen_t,
            std::ptr::null_mut(),
            0,
            libc::NI_NAMEREQD,
        )
    };
    if rc != 0 {
        return None;
    }
    // SAFETY: getnameinfo wrote a NUL-terminated string into `host`.
    let name = unsafe { CStr::from_ptr(host.as_ptr()) };
    Some(name.to_string_lossy().into_owned())
}
