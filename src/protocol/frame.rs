//! Netlink framing: requests into bytes, datagrams into messages.
//!
//! A datagram may carry many messages (a dump part, or the acknowledgements
//! of a batch), while `NetlinkMessage::deserialize` reads only the first, so
//! the walk over a datagram is done here, trusting no length.

use netlink_packet_core::{
    NetlinkHeader, NetlinkMessage, NetlinkPayload, NLM_F_ACK, NLM_F_DUMP_INTR, NLM_F_REQUEST,
};
use netlink_packet_generic::ctrl::nlas::GenlCtrlAttrs;
use netlink_packet_generic::ctrl::{GenlCtrl, GenlCtrlCmd};
use netlink_packet_generic::GenlMessage;

use super::consts::FAMILY_NAME;
use super::message::{Lent, Reply, ReplyRef, Request};
use super::DecodeError;

const HEADER_LEN: usize = 16;

/// Append one request to `buf`. `flags` adds to `NLM_F_REQUEST`.
pub fn encode(buf: &mut Vec<u8>, req: &Request, family_id: u16, flags: u16, seq: u32) {
    let mut genl = GenlMessage::from_payload(Lent(req));
    genl.set_resolved_family_id(family_id);
    push(buf, genl, flags, seq);
}

/// The controller request that resolves the IPVS family id (acknowledged,
/// so that its end is known whether the family exists or not).
pub fn family_request(buf: &mut Vec<u8>, seq: u32) {
    let ctrl = GenlCtrl {
        cmd: GenlCtrlCmd::GetFamily,
        nlas: vec![GenlCtrlAttrs::FamilyName(FAMILY_NAME.to_string())],
    };
    push(buf, GenlMessage::from_payload(ctrl), NLM_F_ACK, seq);
}

fn push<F: std::fmt::Debug>(buf: &mut Vec<u8>, genl: GenlMessage<F>, flags: u16, seq: u32)
where
    GenlMessage<F>: netlink_packet_core::NetlinkSerializable,
{
    let mut header = NetlinkHeader::default();
    header.flags = NLM_F_REQUEST | flags;
    header.sequence_number = seq;
    let mut msg = NetlinkMessage::new(header, NetlinkPayload::from(genl));
    msg.finalize();
    let start = buf.len();
    buf.resize(start + msg.buffer_len(), 0);
    msg.serialize(&mut buf[start..]);
}

/// One message of a datagram.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// Sequence number.
    pub seq: u32,
    /// Port id of the socket it is for.
    pub port: u32,
    /// Netlink flags.
    pub flags: u16,
    /// What it carries.
    pub payload: FramePayload,
}

impl Frame {
    /// The kernel says this dump was disturbed by a change.
    pub fn interrupted(&self) -> bool {
        self.flags & NLM_F_DUMP_INTR != 0
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
/// What a netlink message carries.
pub enum FramePayload {
    /// End of a dump, with its status (0 or a negative errno).
    Done(i32),
    /// An acknowledgement (0) or an error (a negative errno).
    Error(i32),
    /// A message of the family.
    Data(Reply),
    /// Something else (noop, overrun): skipped.
    Other,
    /// A message whose header was sound but whose body was not.
    Malformed(DecodeError),
}

/// One message of a datagram, borrowed from it: what a dump reads for
/// each entry, so that the entries of a long table are decoded where they
/// lie instead of being copied first ([`Frame`] owns its copy).
#[derive(Debug)]
pub struct MessageRef<'a> {
    /// Sequence number.
    pub seq: u32,
    /// Port id of the socket it is for.
    pub port: u32,
    /// Netlink flags.
    pub flags: u16,
    /// What it carries.
    pub payload: PayloadRef<'a>,
}

impl MessageRef<'_> {
    /// The kernel says this dump was disturbed by a change.
    pub fn interrupted(&self) -> bool {
        self.flags & NLM_F_DUMP_INTR != 0
    }
}

/// What a borrowed netlink message carries (see [`FramePayload`]).
#[derive(Debug)]
pub enum PayloadRef<'a> {
    /// End of a dump, with its status (0 or a negative errno).
    Done(i32),
    /// An acknowledgement (0) or an error (a negative errno).
    Error(i32),
    /// A message of the family.
    Data(ReplyRef<'a>),
    /// Something else (noop, overrun): skipped.
    Other,
    /// A message whose header was sound but whose body was not.
    Malformed(DecodeError),
}

/// The messages of a datagram, in order. A message with a sound header but
/// a bad body is `Malformed`; a bad header is an error that ends the walk.
pub fn messages(data: &[u8]) -> Messages<'_> {
    Messages { data }
}

/// The iterator of [`messages`].
pub struct Messages<'a> {
    data: &'a [u8],
}

/// Netlink's own message types (`NLMSG_NOOP` to `NLMSG_OVERRUN`); every
/// other type is a message of a family.
const CONTROL_TYPES: std::ops::RangeInclusive<u16> = 1..=4;
const GENL_HEADER_LEN: usize = 4;

impl<'a> Iterator for Messages<'a> {
    type Item = Result<MessageRef<'a>, DecodeError>;

    fn next(&mut self) -> Option<Self::Item> {
        let data = self.data;
        if data.len() < HEADER_LEN {
            return None;
        }
        let len = u32::from_ne_bytes([data[0], data[1], data[2], data[3]]) as usize;
        if len < HEADER_LEN || len > data.len() {
            self.data = &[];
            return Some(Err(DecodeError::new(format!(
                "message length {len} does not fit the {} bytes left",
                data.len()
            ))));
        }
        let (msg, rest) = data.split_at(len);
        let kind = u16::from_ne_bytes([msg[4], msg[5]]);
        let flags = u16::from_ne_bytes([msg[6], msg[7]]);
        let seq = u32::from_ne_bytes([msg[8], msg[9], msg[10], msg[11]]);
        let port = u32::from_ne_bytes([msg[12], msg[13], msg[14], msg[15]]);
        let payload = if CONTROL_TYPES.contains(&kind) {
            control(msg)
        } else {
            // A family's message: the generic-netlink header (command,
            // version, reserved), then the attributes, read in place.
            let body = &msg[HEADER_LEN..];
            match body.get(..GENL_HEADER_LEN) {
                Some(genl) => PayloadRef::Data(ReplyRef { cmd: genl[0], payload: &body[GENL_HEADER_LEN..] }),
                None => PayloadRef::Malformed(DecodeError::new(format!(
                    "generic netlink message of {} bytes",
                    body.len()
                ))),
            }
        };
        let step = (len + 3) & !3;
        self.data = rest.get(step - len..).unwrap_or(&[]);
        Some(Ok(MessageRef { seq, port, flags, payload }))
    }
}

/// Netlink's own messages (done, error or acknowledgement, noop, overrun),
/// read by netlink-packet-core.
fn control(msg: &[u8]) -> PayloadRef<'static> {
    match NetlinkMessage::<GenlMessage<Reply>>::deserialize(msg) {
        Ok(m) => match m.payload {
            NetlinkPayload::Done(d) => PayloadRef::Done(d.code),
            NetlinkPayload::Error(e) => PayloadRef::Error(e.raw_code()),
            _ => PayloadRef::Other,
        },
        Err(e) => PayloadRef::Malformed(DecodeError::new(e.to_string())),
    }
}

/// Split a datagram into its messages, each copied into a [`Frame`]. A
/// message with a sound header but a bad body becomes `Malformed`; a bad
/// header ends the walk with an error.
pub fn parse_datagram(data: &[u8]) -> Result<Vec<Frame>, DecodeError> {
    messages(data)
        .map(|m| {
            m.map(|m| Frame {
                seq: m.seq,
                port: m.port,
                flags: m.flags,
                payload: match m.payload {
                    PayloadRef::Done(c) => FramePayload::Done(c),
                    PayloadRef::Error(c) => FramePayload::Error(c),
                    PayloadRef::Data(r) => FramePayload::Data(r.to_owned()),
                    PayloadRef::Other => FramePayload::Other,
                    PayloadRef::Malformed(e) => FramePayload::Malformed(e),
                },
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Dest, Forward, Protocol, Service, ServiceFlags, ServiceKey};
    use std::net::IpAddr;

    // The bytes of `ipvsadm -A -t 192.0.2.1:80 -s rr` as this crate sends
    // them (family id 0x1c, seq 7), checked field by field against
    // linux/ip_vs.h: AF_INET, TCP, 16-byte address, port 80 big-endian,
    // "rr\0", flags {0, ~0}, timeout 0, netmask 255.255.255.255.
    #[test]
    fn new_service_bytes() {
        let mut svc = Service::new(ServiceKey::Addr {
            protocol: Protocol::Tcp,
            addr: "192.0.2.1".parse().unwrap(),
            port: 80,
        });
        svc.scheduler = "rr".into();
        let mut buf = Vec::new();
        encode(&mut buf, &Request::new_service(&svc), 0x1c, 0x4, 7);
        #[rustfmt::skip]
        let want: Vec<u8> = vec![
            104, 0, 0, 0, 0x1c, 0, 0x05, 0, 7, 0, 0, 0, 0, 0, 0, 0, // nlmsghdr: REQUEST|ACK
            1, 1, 0, 0,                                            // genl: NEW_SERVICE v1
            84, 0, 0x01, 0x80,                                     // nested SERVICE
            6, 0, 1, 0, 2, 0, 0, 0,                                // AF_INET
            6, 0, 2, 0, 6, 0, 0, 0,                                // TCP
            20, 0, 3, 0, 192, 0, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            6, 0, 4, 0, 0, 80, 0, 0,                               // port 80
            7, 0, 6, 0, b'r', b'r', 0, 0,                          // scheduler
            12, 0, 7, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff,       // flags/mask
            8, 0, 8, 0, 0, 0, 0, 0,                                // timeout
            8, 0, 9, 0, 0xff, 0xff, 0xff, 0xff,                    // netmask
        ];
        assert_eq!(buf, want);
    }

    fn reply_datagram(seq: u32, cmd: u8, attrs: Vec<super::super::Attr>) -> Vec<u8> {
        let mut buf = Vec::new();
        let req = Request { cmd, attrs };
        encode(&mut buf, &req, 0x1c, 0, seq);
        buf
    }

    #[test]
    fn service_round_trip_through_a_reply() {
        let mut svc = Service::new(ServiceKey::Addr {
            protocol: Protocol::Udp,
            addr: "2001:db8::1".parse().unwrap(),
            port: 53,
        });
        svc.scheduler = "wrr".into();
        svc.flags = ServiceFlags(ServiceFlags::PERSISTENT | ServiceFlags::ONEPACKET);
        svc.timeout = 600;
        svc.netmask = 64;
        svc.pe_name = Some("sip".into());
        let dg = reply_datagram(3, 1, Request::new_service(&svc).attrs);
        let frames = parse_datagram(&dg).unwrap();
        assert_eq!(frames.len(), 1);
        let FramePayload::Data(reply) = &frames[0].payload else { panic!("{frames:?}") };
        assert_eq!(super::super::decode_service(reply).unwrap(), svc);
    }

    /// Without its counters a service is read as it is with them, but for
    /// the counters (zero).
    #[test]
    fn service_without_counters() {
        use super::super::consts::{CMD_ATTR_SERVICE, STATS_ATTR_CONNS, STATS_ATTR_OUTBPS, SVC_ATTR_STATS64};
        use super::super::Attr;
        let mut svc = Service::new(ServiceKey::Addr { protocol: Protocol::Tcp, addr: "192.0.2.1".parse().unwrap(), port: 80 });
        svc.scheduler = "wlc".into();
        let mut attrs = Request::new_service(&svc).attrs;
        for a in attrs.iter_mut() {
            if let Attr::Nested(CMD_ATTR_SERVICE, inner) = a {
                let stats = vec![
                    Attr::Bytes(STATS_ATTR_CONNS, 7u64.to_ne_bytes().to_vec()),
                    Attr::Bytes(STATS_ATTR_OUTBPS, u64::MAX.to_ne_bytes().to_vec()),
                ];
                inner.push(Attr::Nested(SVC_ATTR_STATS64, stats));
            }
        }
        let dg = reply_datagram(3, 1, attrs);
        let FramePayload::Data(reply) = &parse_datagram(&dg).unwrap()[0].payload else { panic!() };
        let with = super::super::decode_service(reply).unwrap();
        assert_eq!((with.stats.conns, with.stats.outbps), (7, u64::MAX));
        let without = super::super::decode_service_without_counters(reply).unwrap();
        assert_eq!(without, Service { stats: Default::default(), ..with });
        assert_eq!(without, svc);
    }

    #[test]
    fn dest_round_trip_through_a_reply() {
        let key = ServiceKey::Fwmark { family: crate::model::Family::Inet, mark: 7 };
        let mut d = Dest::new("198.51.100.2".parse::<IpAddr>().unwrap(), 8080);
        d.forward = Forward::Tunnel;
        d.weight = 300;
        d.u_threshold = 100;
        d.l_threshold = 50;
        d.tun_type = crate::model::TunnelType::Gue;
        d.tun_port = 6080;
        d.tun_flags = crate::model::tun_flags::CSUM;
        let dg = reply_datagram(3, 5, Request::new_dest(&key, &d).attrs);
        let FramePayload::Data(reply) = &parse_datagram(&dg).unwrap()[0].payload else { panic!() };
        assert_eq!(super::super::decode_dest(reply, crate::model::Family::Inet).unwrap(), d);
    }

    #[test]
    fn several_messages_in_one_datagram_and_a_bad_tail() {
        let mut dg = reply_datagram(1, 1, vec![]);
        dg.extend(reply_datagram(2, 1, vec![]));
        let frames = parse_datagram(&dg).unwrap();
        assert_eq!(frames.iter().map(|f| f.seq).collect::<Vec<_>>(), vec![1, 2]);
        dg.extend([200, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        assert!(parse_datagram(&dg).is_err());
        // A reply without the nested service is an error, not a panic.
        let FramePayload::Data(reply) = &frames[0].payload else { panic!() };
        assert!(super::super::decode_service(reply).is_err());
    }

    /// The walk as netlink-packet-core reads every message (what
    /// `parse_datagram` was before family messages were read in place).
    fn parse_with_core(mut data: &[u8]) -> Result<Vec<Frame>, ()> {
        let mut frames = Vec::new();
        while data.len() >= HEADER_LEN {
            let len = u32::from_ne_bytes([data[0], data[1], data[2], data[3]]) as usize;
            if len < HEADER_LEN || len > data.len() {
                return Err(());
            }
            let (msg, rest) = data.split_at(len);
            let payload = match NetlinkMessage::<GenlMessage<Reply>>::deserialize(msg) {
                Ok(m) => match m.payload {
                    NetlinkPayload::Done(d) => FramePayload::Done(d.code),
                    NetlinkPayload::Error(e) => FramePayload::Error(e.raw_code()),
                    NetlinkPayload::InnerMessage(g) => FramePayload::Data(g.payload),
                    _ => FramePayload::Other,
                },
                Err(_) => FramePayload::Malformed(DecodeError::new("")),
            };
            frames.push(Frame {
                seq: u32::from_ne_bytes([msg[8], msg[9], msg[10], msg[11]]),
                port: u32::from_ne_bytes([msg[12], msg[13], msg[14], msg[15]]),
                flags: u16::from_ne_bytes([msg[6], msg[7]]),
                payload,
            });
            data = rest.get(((len + 3) & !3) - len..).unwrap_or(&[]);
        }
        Ok(frames)
    }

    /// Family messages are read in place, the rest by netlink-packet-core:
    /// on every prefix and one-byte change of a datagram holding a reply,
    /// an acknowledgement, an error and the end of a dump, the result is
    /// what netlink-packet-core alone makes of it (malformed messages
    /// compared by kind, not by text).
    #[test]
    fn reading_in_place_agrees_with_netlink_packet_core() {
        let svc = Service::new(ServiceKey::Fwmark { family: crate::model::Family::Inet, mark: 1 });
        let mut dg = reply_datagram(3, 1, Request::new_service(&svc).attrs);
        dg.extend(crate::fuzzing::ack(4, 9, 0));
        dg.extend(crate::fuzzing::ack(5, 9, -17));
        dg.extend(crate::fuzzing::done(6, 9, 0, 2));
        let strip = |f: Vec<Frame>| -> Vec<Frame> {
            f.into_iter()
                .map(|mut f| {
                    if let FramePayload::Malformed(_) = f.payload {
                        f.payload = FramePayload::Malformed(DecodeError::new(""));
                    }
                    f
                })
                .collect()
        };
        let whole = parse_datagram(&dg).unwrap();
        assert_eq!(whole.len(), 4);
        assert!(matches!(whole[1].payload, FramePayload::Error(0)));
        assert!(matches!(whole[2].payload, FramePayload::Error(-17)));
        assert!(matches!(whole[3].payload, FramePayload::Done(0)));
        let mut compared = 0;
        for cut in 0..=dg.len() {
            for flip in 0..=cut {
                let mut d = dg[..cut].to_vec();
                if let Some(b) = d.get_mut(flip) {
                    *b ^= 0x5a;
                }
                let ours = parse_datagram(&d).map(strip).map_err(drop);
                assert_eq!(ours, parse_with_core(&d), "cut {cut}, flip {flip}");
                compared += 1;
            }
        }
        assert!(compared > 10_000);
    }

    #[test]
    fn arbitrary_bytes_never_panic() {
        // A cheap deterministic sweep: every prefix and some mutations of a
        // real reply must decode or fail, never panic.
        let mut svc = Service::new(ServiceKey::Addr {
            protocol: Protocol::Tcp,
            addr: "192.0.2.1".parse().unwrap(),
            port: 80,
        });
        svc.scheduler = "rr".into();
        let dg = reply_datagram(3, 1, Request::new_service(&svc).attrs);
        for cut in 0..dg.len() {
            for flip in 0..dg.len() {
                let mut d = dg[..cut].to_vec();
                if flip < d.len() {
                    d[flip] ^= 0xa5;
                }
                if let Ok(frames) = parse_datagram(&d) {
                    for f in frames {
                        if let FramePayload::Data(r) = f.payload {
                            let _ = super::super::decode_service(&r);
                            let _ = super::super::decode_dest(&r, crate::model::Family::Inet6);
                            let _ = super::super::decode_daemon(&r);
                            let _ = super::super::decode_info(&r);
                        }
                    }
                }
            }
        }
    }
}
