//! Netlink attributes as IPVS uses them: building them for requests and
//! reading them back from replies without ever trusting a length.

use netlink_packet_core::{Nla, NLA_F_NESTED, NLA_TYPE_MASK};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::consts::{AF_INET, AF_INET6};
use super::DecodeError;
use crate::model::Family;

/// One attribute of a request. Integers are in host order unless the
/// variant says big-endian, as the kernel's `nla_get_*` expect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attr {
    /// Kind and an 8-bit value.
    U8(u16, u8),
    /// Kind and a 16-bit value in host order.
    U16(u16, u16),
    /// Kind and a 16-bit value in network order.
    U16Be(u16, u16),
    /// Kind and a 32-bit value in host order.
    U32(u16, u32),
    /// Kind and a 32-bit value in network order.
    U32Be(u16, u32),
    /// Kind and raw bytes.
    Bytes(u16, Vec<u8>),
    /// A string, sent with its terminating NUL.
    Str(u16, String),
    /// Kind and nested attributes.
    Nested(u16, Vec<Attr>),
}

impl Attr {
    /// An address attribute: always the 16 bytes of `union nf_inet_addr`.
    pub fn addr(kind: u16, addr: &IpAddr) -> Attr {
        let mut bytes = vec![0u8; 16];
        match addr {
            IpAddr::V4(a) => bytes[..4].copy_from_slice(&a.octets()),
            IpAddr::V6(a) => bytes.copy_from_slice(&a.octets()),
        }
        Attr::Bytes(kind, bytes)
    }

    /// An address-family attribute.
    pub fn family(kind: u16, family: Family) -> Attr {
        Attr::U16(kind, af_number(family))
    }
}

pub fn af_number(family: Family) -> u16 {
    match family {
        Family::Inet => AF_INET,
        Family::Inet6 => AF_INET6,
    }
}

impl Nla for Attr {
    fn value_len(&self) -> usize {
        match self {
            Attr::U8(..) => 1,
            Attr::U16(..) | Attr::U16Be(..) => 2,
            Attr::U32(..) | Attr::U32Be(..) => 4,
            Attr::Bytes(_, b) => b.len(),
            Attr::Str(_, s) => s.len() + 1,
            Attr::Nested(_, attrs) => attrs.as_slice().buffer_len(),
        }
    }

    fn kind(&self) -> u16 {
        match self {
            Attr::Nested(k, _) => *k | NLA_F_NESTED,
            Attr::U8(k, _)
            | Attr::U16(k, _)
            | Attr::U16Be(k, _)
            | Attr::U32(k, _)
            | Attr::U32Be(k, _)
            | Attr::Bytes(k, _)
            | Attr::Str(k, _) => *k,
        }
    }

    fn emit_value(&self, buf: &mut [u8]) {
        match self {
            Attr::U8(_, v) => buf[0] = *v,
            Attr::U16(_, v) => buf.copy_from_slice(&v.to_ne_bytes()),
            Attr::U16Be(_, v) => buf.copy_from_slice(&v.to_be_bytes()),
            Attr::U32(_, v) => buf.copy_from_slice(&v.to_ne_bytes()),
            Attr::U32Be(_, v) => buf.copy_from_slice(&v.to_be_bytes()),
            Attr::Bytes(_, b) => buf.copy_from_slice(b),
            Attr::Str(_, s) => {
                buf[..s.len()].copy_from_slice(s.as_bytes());
                buf[s.len()] = 0;
            }
            Attr::Nested(_, attrs) => attrs.as_slice().emit(buf),
        }
    }
}

use netlink_packet_core::Emitable;

/// The attributes of one nesting level, read from a reply. Unknown
/// attributes are kept but ignored by the decoders, so a newer kernel
/// never breaks a listing.
///
/// Reading one is on the path of every real server listed, so it
/// allocates nothing: the last value of each kind below `SLOTS` (every
/// kind IPVS defines) is kept in place; other kinds are looked up in the
/// bytes.
pub struct Attrs<'a> {
    /// Where the value of each kind starts in `buf` (`NONE`: absent) and
    /// its length: small, as this is made for every message decoded.
    starts: [u32; SLOTS],
    lens: [u16; SLOTS],
    buf: &'a [u8],
}

const NONE: u32 = u32::MAX;

/// Attribute kinds kept in place by [`Attrs`].
const SLOTS: usize = 32;

/// Walks the attributes of `buf`, as the kernel lays them out: each a
/// 4-byte header (length including it, kind with the nested and
/// byte-order flags) then its value, aligned to 4 bytes. A length that
/// does not fit is an error, and so are 1 to 3 bytes left over.
fn walk(buf: &[u8], mut each: impl FnMut(u16, usize, usize)) -> Result<(), DecodeError> {
    let mut pos = 0;
    while pos < buf.len() {
        let rest = &buf[pos..];
        let Some(head) = rest.get(..4) else {
            return Err(DecodeError::new(format!("bad attribute: {} bytes left", rest.len())));
        };
        let len = u16::from_ne_bytes([head[0], head[1]]) as usize;
        let kind = u16::from_ne_bytes([head[2], head[3]]) & NLA_TYPE_MASK;
        if len < 4 || len > rest.len() {
            return Err(DecodeError::new(format!(
                "bad attribute: length {len} with {} bytes left",
                rest.len()
            )));
        }
        each(kind, pos + 4, len - 4);
        pos += (len + 3) & !3;
    }
    Ok(())
}

impl<'a> Attrs<'a> {
    /// Split a buffer into attributes.
    pub fn parse(buf: &'a [u8]) -> Result<Attrs<'a>, DecodeError> {
        let mut a = Attrs { starts: [NONE; SLOTS], lens: [0; SLOTS], buf };
        walk(buf, |kind, start, len| {
            let k = kind as usize;
            if k < SLOTS {
                // An attribute's length is a u16 and its start is in `buf`.
                a.starts[k] = start as u32;
                a.lens[k] = len as u16;
            }
        })?;
        Ok(a)
    }

    /// The value of the last attribute of this kind, if present.
    #[inline]
    pub fn get(&self, kind: u16) -> Option<&'a [u8]> {
        let k = kind as usize;
        if k < SLOTS {
            let start = self.starts[k];
            if start == NONE {
                return None;
            }
            let start = start as usize;
            return self.buf.get(start..start + self.lens[k] as usize);
        }
        let mut found = None;
        // `parse` walked these bytes without error.
        let _ = walk(self.buf, |k, start, len| {
            if k == kind {
                found = Some((start, len));
            }
        });
        found.and_then(|(start, len)| self.buf.get(start..start + len))
    }

    /// The nested attributes of `kind`, if present.
    #[inline]
    pub fn nested(&self, kind: u16) -> Result<Option<Attrs<'a>>, DecodeError> {
        self.get(kind).map(Attrs::parse).transpose()
    }

    /// The 8-bit value of `kind`, if present.
    #[inline]
    pub fn u8(&self, kind: u16) -> Result<Option<u8>, DecodeError> {
        self.fixed::<1>(kind).map(|o| o.map(|b| b[0]))
    }

    /// The 16-bit value of `kind`, if present.
    #[inline]
    pub fn u16(&self, kind: u16) -> Result<Option<u16>, DecodeError> {
        self.fixed::<2>(kind).map(|o| o.map(u16::from_ne_bytes))
    }

    /// The 16-bit network-order value of `kind`, if present.
    #[inline]
    pub fn u16_be(&self, kind: u16) -> Result<Option<u16>, DecodeError> {
        self.fixed::<2>(kind).map(|o| o.map(u16::from_be_bytes))
    }

    /// The 32-bit value of `kind`, if present.
    #[inline]
    pub fn u32(&self, kind: u16) -> Result<Option<u32>, DecodeError> {
        self.fixed::<4>(kind).map(|o| o.map(u32::from_ne_bytes))
    }

    /// The 32-bit network-order value of `kind`, if present.
    #[inline]
    pub fn u32_be(&self, kind: u16) -> Result<Option<u32>, DecodeError> {
        self.fixed::<4>(kind).map(|o| o.map(u32::from_be_bytes))
    }

    /// The 64-bit value of `kind`, if present.
    #[inline]
    pub fn u64(&self, kind: u16) -> Result<Option<u64>, DecodeError> {
        self.fixed::<8>(kind).map(|o| o.map(u64::from_ne_bytes))
    }

    /// A NUL-terminated string (the NUL and anything after it dropped).
    pub fn string(&self, kind: u16) -> Result<Option<String>, DecodeError> {
        match self.get(kind) {
            None => Ok(None),
            Some(v) => {
                let end = v.iter().position(|&b| b == 0).unwrap_or(v.len());
                String::from_utf8(v[..end].to_vec())
                    .map(Some)
                    .map_err(|_| DecodeError::new(format!("attribute {kind}: not UTF-8")))
            }
        }
    }

    /// An address of the given family; IPv4 takes the first 4 of the 16 bytes.
    pub fn addr(&self, kind: u16, family: Family) -> Result<Option<IpAddr>, DecodeError> {
        let Some(v) = self.get(kind) else { return Ok(None) };
        match family {
            Family::Inet if v.len() >= 4 => {
                Ok(Some(IpAddr::V4(Ipv4Addr::new(v[0], v[1], v[2], v[3]))))
            }
            Family::Inet6 if v.len() >= 16 => {
                let mut b = [0u8; 16];
                b.copy_from_slice(&v[..16]);
                Ok(Some(IpAddr::V6(Ipv6Addr::from(b))))
            }
            _ => Err(DecodeError::new(format!(
                "attribute {kind}: {} bytes is too short for an address",
                v.len()
            ))),
        }
    }

    #[inline]
    fn fixed<const N: usize>(&self, kind: u16) -> Result<Option<[u8; N]>, DecodeError> {
        match self.get(kind) {
            None => Ok(None),
            Some(v) => v.get(..N).and_then(|s| s.try_into().ok()).map(Some).ok_or_else(|| {
                DecodeError::new(format!("attribute {kind}: {} bytes, want {N}", v.len()))
            }),
        }
    }

    /// Like [`Attrs::u32`] but the attribute must be present.
    pub fn req_u32(&self, kind: u16, what: &str) -> Result<u32, DecodeError> {
        self.u32(kind)?.ok_or_else(|| missing(what))
    }

    /// The 16-bit value of `kind`; its absence is an error naming `what`.
    pub fn req_u16(&self, kind: u16, what: &str) -> Result<u16, DecodeError> {
        self.u16(kind)?.ok_or_else(|| missing(what))
    }
}

pub fn missing(what: &str) -> DecodeError {
    DecodeError::new(format!("reply lacks {what}"))
}

/// The value bytes of a checked attribute, with the buffer's own lifetime.
/// Decode a family number from the kernel.
pub fn family_from(af: u16) -> Result<Family, DecodeError> {
    match af {
        AF_INET => Ok(Family::Inet),
        AF_INET6 => Ok(Family::Inet6),
        other => Err(DecodeError::new(format!("unknown address family {other}"))),
    }
}
