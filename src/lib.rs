//! Drive the Linux kernel's IPVS load balancer over generic netlink.
//!
//! The crate is layered: [`model`] is the IPVS table as plain data;
//! [`protocol`] encodes and decodes IPVS generic-netlink messages;
//! [`client`] owns the socket and maps the model to requests; [`grammar`]
//! parses ipvsadm's command line; [`output`] renders ipvsadm's listings
//! (and the same as JSON); [`netns`] enters network namespaces.
//!
//! A program of its own drives IPVS with [`client::Client`]; errors are
//! typed ([`client::Error::kind`]), so that "not found" is told from
//! "permission denied" without reading text:
//!
//! ```no_run
//! use ipvs::client::{Client, ErrorKind};
//! use ipvs::model::{Dest, Forward, Protocol, Service, ServiceKey};
//! use ipvs::netns::Namespace;
//!
//! fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     // Client::open() for the namespace the program runs in.
//!     let mut client = Client::open_in(&Namespace::parse("blue"))?;
//!     let key = ServiceKey::Addr { protocol: Protocol::Tcp, addr: "192.0.2.10".parse()?, port: 80 };
//!     let mut svc = Service::new(key);
//!     svc.scheduler = "rr".into();
//!     match client.add_service(&svc) {
//!         Err(e) if e.kind() == ErrorKind::Exists => {}
//!         other => other?,
//!     }
//!     let mut dest = Dest::new("198.51.100.2".parse()?, 80);
//!     dest.forward = Forward::Masq;
//!     client.add_dest(&key, &dest)?;
//!     for entry in client.table()? {
//!         println!("{:?}: {} real servers", entry.service.key, entry.dests.len());
//!     }
//!     Ok(())
//! }
//! ```
//!
//! `examples/list_json.rs` and `examples/drain.rs` are two complete programs.

#![deny(missing_docs)]

pub mod model;
pub mod grammar;
pub mod output;
pub mod protocol;
pub mod client;
pub mod restore;
pub mod listing;
pub mod apply;
#[doc(hidden)]
pub mod fuzzing;
pub mod resolve;
pub mod procfs;
pub mod netns;
