//! Drive the Linux kernel's IPVS load balancer over generic netlink.
//!
//! The crate is layered: [`model`] is the IPVS table as plain data;
//! [`protocol`] encodes and decodes IPVS generic-netlink messages;
//! [`client`] owns the socket and maps the model to requests; [`grammar`]
//! parses ipvsadm's command line; [`output`] renders ipvsadm's listings.

pub mod model;
pub mod grammar;
pub mod output;
pub mod protocol;
pub mod client;
pub mod restore;
pub mod apply;
#[doc(hidden)]
pub mod fuzzing;
pub mod resolve;
pub mod procfs;
