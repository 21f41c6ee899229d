//! The IPVS generic-netlink protocol: message framing, commands and
//! attributes, encoded from and decoded into the [`crate::model`].
//!
//! Nothing here does I/O; [`crate::client`] owns the socket.

mod attr;
pub mod consts;
mod frame;
mod message;

pub use attr::{Attr, Attrs};
pub use frame::{
    encode, family_request, messages, parse_datagram, Frame, FramePayload, MessageRef, Messages, PayloadRef,
};
pub use message::{
    decode_daemon, decode_dest, decode_info, decode_service, decode_service_without_counters, decode_timeouts, Reply, ReplyRef, Request,
};

use std::fmt;

/// A reply the kernel sent that we cannot make sense of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError(String);

impl DecodeError {
    /// An error with this message.
    pub fn new(msg: impl Into<String>) -> DecodeError {
        DecodeError(msg.into())
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "malformed netlink reply: {}", self.0)
    }
}

impl std::error::Error for DecodeError {}
