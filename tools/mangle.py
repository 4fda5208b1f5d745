#!/usr/bin/env python3
"""mangle.py - rewrite a capture into an *equivalent* one for invariance tests.

    tools/mangle.py [--seed N] MODE[,MODE...] IN.(pcap|pcapng) OUT.pcap

What it preserves, and why
--------------------------
The output carries, for every TCP connection and direction, exactly the same
sequence of stream bytes (same sequence numbers, same SYN/FIN/RST positions in
sequence space), the same addresses and ports, and the same order of data
between the two directions of a connection (nothing a server sends is moved
before client data that it follows).  Only the way the bytes are carried on
the wire changes: segment boundaries, retransmissions, local reordering, link
encapsulation and IP fragmentation.  A TLS dissector that reassembles TCP
streams honestly must therefore print identical handshake output for the
original and the mangled capture; any difference is a reassembly bug.  Nothing
invents bytes: every emitted payload byte is a copy of the original stream
byte at the same sequence number, and snaplen-truncated packets (caplen < len)
are copied unchanged.

Modes (applied in this fixed order whatever order they are given in):
  recut             re-cut every TCP payload into pieces of 1..40 bytes, each
                    its own packet (SYN on the first piece, FIN/RST on the last)
  dup | overlap     for some segments add, 1..3 packets of the same flow
                    direction later, a retransmission of an overlapping range
                    (tail of the previous segment + head of this one) or an
                    exact duplicate; always identical bytes
  reorder           shuffle data segments by at most ~3 positions within a run
                    of one connection direction; never across a packet of the
                    other direction, never moving SYN/FIN/RST, the first packet
                    of each direction, or truncated packets; slot timestamps
                    are kept, so time stays monotonic
  vlan | qinq       802.1Q tag (id 100+connection index) or 802.1ad+802.1Q
                    double tag on every Ethernet frame of a TCP connection
                    (Ethernet link type only)
  fragment          IPv4/IPv6 fragmentation of every packet carrying TCP
                    payload into 24..64-byte fragments (multiples of 8 except
                    the last); IPv6 uses a Fragment header after the
                    unfragmentable part (RFC 8200) and keeps the whole TCP
                    header in the first fragment (RFC 7112)
  fragment-reverse  as fragment, fragments of each datagram in reverse order
  udp-dup           DTLS over UDP: for some datagrams of a DTLS flow (one whose
                    first datagram starts with a DTLS record header in clear)
                    an exact copy 1..3 datagrams of the same direction later
                    (a duplicated datagram: same records, same sequence numbers)
  udp-reorder       DTLS: shuffle, by at most ~3 positions, runs of datagrams
                    of one direction that carry only handshake records of
                    epoch 0 (a flight in clear, whose messages DTLS orders by
                    message_seq); never the first datagram of a direction,
                    never across a datagram of the other direction or one
                    with other records (the protocol orders those by arrival)
  udp-fragment      IPv4/IPv6 fragmentation of every DTLS datagram, as fragment
  link-TYPE         last, every IP packet of an Ethernet capture (untagged)
                    moved to another link type, byte for byte; frames that
                    are not IP are left out.  TYPE: sll (Linux cooked v1, 113),
                    sll2 (v2, 276), null (BSD loopback, 0, little-endian),
                    loop (108, network order), raw (101), ipv4 (228) / ipv6
                    (229) (only packets of that version), qinq (Ethernet, an
                    802.1ad outer tag 10 and an 802.1Q inner tag 20), pppoe
                    (Ethernet, a PPPoE session).  One at a time, not with vlan
                    or qinq.  tools/derive-fixtures.sh makes the link-type
                    fixtures with them (this was tools/relink.py TYPE IN OUT).

Lengths and IPv4 header checksums are recomputed; every TCP segment that is
rebuilt gets a correct TCP checksum (untouched segments keep theirs).  UDP
datagrams are never changed, only copied, moved or fragmented.

Input: classic pcap (us/ns, either byte order) or pcapng (SHB/IDB/EPB/SPB/PB,
one link type).  Link types: Ethernet (1, with or without VLAN tags), NULL (0),
LOOP (108), raw IP (12, 14, 101, 228, 229), Linux SLL (113), SLL2 (276).
Output: classic pcap, same link type (link-TYPE: that type), nanosecond timestamps when the input had
sub-microsecond resolution.  Deterministic for a given --seed (default 1).
Files are read and written by tools/pcaplib.py.  Pure Python 3 standard library.
"""

import argparse
import os
import random
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pcaplib import (FIN, LINKTYPE_ETHERNET, LINKTYPE_LINUX_SLL, LINKTYPE_LINUX_SLL2,  # noqa: E402
                     LINKTYPE_LOOP, LINKTYPE_NULL, RAW_LINKTYPES, RST, SYN, CapError, ip_offset,
                     ipv4_with_checksum, read_capture, tcp_with_checksum, write_pcap)


def warn(msg):
    sys.stderr.write("mangle: warning: %s\n" % msg)


# ----------------------------------------------------------------------------
# Packet decoding
# ----------------------------------------------------------------------------

ETH = LINKTYPE_ETHERNET
SUPPORTED = (LINKTYPE_NULL, ETH, LINKTYPE_LOOP, LINKTYPE_LINUX_SLL, LINKTYPE_LINUX_SLL2) + RAW_LINKTYPES


class Pkt:
    """A frame plus, for TCP, its decoded parts.

    kind: 'raw'  - copied unchanged; hostpair set if it is an IP packet of
                   protocol TCP that could not be decoded (fragment, truncated
                   header): such packets are barriers for reordering.
          'tcp'  - decoded TCP segment.
    """
    __slots__ = ("ts", "data", "wirelen", "kind", "hostpair", "link", "ipver",
                 "iphdr", "exts", "tcphdr", "payload", "seq", "flags", "conn",
                 "dir", "frozen", "dirty", "trailer", "tag", "fragment",
                 "src", "dst", "udp")

    def __init__(self, fr):
        self.ts, self.data, self.wirelen = fr.ts, fr.data, fr.wirelen
        self.kind = "raw"
        self.hostpair = None
        self.tag = b""
        self.dirty = False
        self.fragment = 0  # 0 none, 1 in order, 2 reversed
        self.frozen = False
        self.udp = None    # a UDP datagram: (flow, dir, payload); see decode_udp

    def clone(self):
        """Copy of a decoded TCP packet (all slots are set for those)."""
        p = Pkt.__new__(Pkt)
        p.ts, p.data, p.wirelen, p.kind = self.ts, self.data, self.wirelen, self.kind
        p.hostpair, p.link, p.ipver, p.iphdr = self.hostpair, self.link, self.ipver, self.iphdr
        p.exts, p.tcphdr, p.payload, p.seq = self.exts, self.tcphdr, self.payload, self.seq
        p.flags, p.conn, p.dir, p.frozen = self.flags, self.conn, self.dir, self.frozen
        p.dirty, p.trailer, p.tag, p.fragment = self.dirty, self.trailer, self.tag, self.fragment
        p.src, p.dst, p.udp = self.src, self.dst, self.udp
        return p

    @property
    def dseq(self):
        """Sequence number of the first payload byte."""
        return (self.seq + (1 if self.flags & SYN else 0)) & 0xFFFFFFFF


def decode(fr, dlt):
    p = Pkt(fr)
    d = fr.data
    truncated = len(d) < fr.wirelen
    off = ip_offset(dlt, d)
    if off is None:
        return p
    ip = d[off:]
    if ip[0] >> 4 == 4:
        if len(ip) < 20:
            return p
        ihl = (ip[0] & 15) * 4
        tot = (ip[2] << 8) | ip[3]
        if ihl < 20 or len(ip) < ihl or tot < ihl or ip[9] != 6:
            return p
        src, dst = ip[12:16], ip[16:20]
        p.hostpair = (min(src, dst), max(src, dst))
        if ((ip[6] & 0x1F) << 8) | ip[7] or ip[6] & 0x20:
            return p  # already an IP fragment
        if tot > len(ip) and not truncated:
            p.hostpair = None
            return p  # malformed
        p.ipver, p.iphdr, p.exts = 4, ip[:ihl], None
        tcp, trailer = ip[ihl:tot], ip[tot:]
    else:
        if len(ip) < 40:
            return p
        plen = (ip[4] << 8) | ip[5]
        src, dst = ip[8:24], ip[24:40]
        end = 40 + plen
        nh, pos, exts = ip[6], 40, []
        while nh in (0, 43, 60) and pos + 2 <= len(ip):
            ln = (ip[pos + 1] + 1) * 8
            exts.append((nh, ip[pos:pos + ln]))
            nh, pos = ip[pos], pos + ln
        if nh == 44 or (nh in (51, 50) and not truncated):
            p.hostpair = (min(src, dst), max(src, dst))
            return p  # fragment / IPsec: cannot look inside
        if nh != 6 or plen == 0 or pos > end:
            return p
        p.hostpair = (min(src, dst), max(src, dst))
        if end > len(ip) and not truncated:
            p.hostpair = None
            return p
        p.ipver, p.iphdr, p.exts = 6, ip[:40], exts
        tcp, trailer = ip[pos:end], ip[end:]
    if len(tcp) < 20:
        return p
    doff = (tcp[12] >> 4) * 4
    if doff < 20 or len(tcp) < doff:
        return p
    p.kind = "tcp"
    p.src, p.dst = src, dst
    p.link = d[:off]
    p.tcphdr, p.payload = tcp[:doff], tcp[doff:]
    p.trailer = b"" if truncated else trailer
    p.frozen = truncated
    p.seq = struct.unpack_from("!I", tcp, 4)[0]
    p.flags = tcp[13]
    sport, dport = struct.unpack_from("!HH", tcp, 0)
    a, b = (src, sport), (dst, dport)
    p.conn, p.dir = ((a, b), 0) if a <= b else ((b, a), 1)
    return p


def decode_udp(p, dlt):
    """Fill p's fields for an unfragmented, untruncated IPv4/IPv6 UDP datagram
    (p.udp = (flow, dir, payload)); other packets are left alone."""
    d = p.data
    off = ip_offset(dlt, d)
    if off is None or len(d) < p.wirelen or off >= len(d):
        return
    ip = d[off:]
    if ip[0] >> 4 == 4 and len(ip) >= 20:
        ihl, tot = (ip[0] & 15) * 4, (ip[2] << 8) | ip[3]
        if ip[9] != 17 or ihl < 20 or tot > len(ip) or tot < ihl + 8 or \
                ((ip[6] & 0x1F) << 8) | ip[7] or ip[6] & 0x20:
            return
        p.ipver, p.iphdr, p.exts, seg, p.trailer = 4, ip[:ihl], None, ip[ihl:tot], ip[tot:]
        p.src, p.dst = ip[12:16], ip[16:20]
    elif ip[0] >> 4 == 6 and len(ip) >= 48:
        plen = (ip[4] << 8) | ip[5]
        if ip[6] != 17 or 40 + plen > len(ip) or plen < 8:
            return  # extension headers: left alone
        p.ipver, p.iphdr, p.exts, seg, p.trailer = 6, ip[:40], [], ip[40:40 + plen], ip[40 + plen:]
        p.src, p.dst = ip[8:24], ip[24:40]
    else:
        return
    sport, dport = struct.unpack_from("!HH", seg, 0)
    a, b = (p.src, sport), (p.dst, dport)
    p.link, p.tcphdr, p.payload = d[:off], b"", seg  # the whole UDP segment, header included
    p.udp = ((a, b), 0) if a <= b else ((b, a), 1)
    p.udp = (p.udp[0], p.udp[1], seg[8:])


def dtls_header(payload):
    """The records of a datagram that starts with DTLSPlaintext headers:
    [(content type, epoch)], or None when it does not."""
    out, i = [], 0
    while i < len(payload):
        if payload[i] == 0 or i + 13 > len(payload):
            return out or None
        ct, ver, epoch = payload[i], (payload[i + 1] << 8) | payload[i + 2], \
            (payload[i + 3] << 8) | payload[i + 4]
        length = (payload[i + 11] << 8) | payload[i + 12]
        if not 20 <= ct <= 26 or ver not in (0xFEFF, 0xFEFD, 0xFEFC):
            return out or None
        out.append((ct, epoch))
        i += 13 + length
    return out


# ----------------------------------------------------------------------------
# Packet building
# ----------------------------------------------------------------------------

def tcp_segment(p):
    """TCP header+payload; rebuilt with a correct checksum if p is dirty."""
    if not p.dirty:
        return p.tcphdr + p.payload
    h = bytearray(p.tcphdr)
    struct.pack_into("!I", h, 4, p.seq)
    h[13] = p.flags
    return tcp_with_checksum(p.src, p.dst, bytes(h) + p.payload)


def ipv4_header(hdr, body_len, fragfield=None, ident=None):
    """IPv4 header with new total length (and id / flags+offset), checksum."""
    if ident is None:
        ident = (hdr[4] << 8) | hdr[5]
    if fragfield is None:
        fragfield = (hdr[6] << 8) | hdr[7]
    return ipv4_with_checksum(hdr[:2] + struct.pack("!HHH", len(hdr) + body_len, ident, fragfield)
                              + hdr[8:])


def ipv4_copied_options(hdr):
    """Header for non-first fragments: only options with the copy bit."""
    if len(hdr) == 20:
        return hdr
    opts, i, out = hdr[20:], 0, bytearray()
    while i < len(opts):
        t = opts[i]
        if t == 0:
            break
        if t == 1:
            i += 1
            continue
        if i + 1 >= len(opts) or opts[i + 1] < 2:
            break
        ln = opts[i + 1]
        if t & 0x80:
            out += opts[i:i + ln]
        i += ln
    while len(out) % 4:
        out.append(0)
    h = bytearray(hdr[:20]) + out
    h[0] = 0x40 | (len(h) // 4)
    return bytes(h)


def ipv6_packet(base, exts, body, last_nh=6):
    """IPv6 base header + extension headers (next-header chain re-linked,
    the last one pointing to last_nh) + body; payload length recomputed."""
    b = bytearray(base)
    types = [t for t, _ in exts] + [last_nh]
    b[6] = types[0]
    parts = [b]
    for i, (_, x) in enumerate(exts):
        parts.append(bytes([types[i + 1]]) + x[1:])
    parts.append(body)
    out = b"".join(bytes(x) for x in parts)
    struct.pack_into("!H", b, 4, len(out) - 40)
    return bytes(b) + out[40:]


def frag_sizes(rng, total, first_min=0):
    sizes, left, rnd = [], total, rng.random
    while left > 0:
        s = 8 * (3 + int(rnd() * 6))  # 24..64
        if not sizes and s < first_min:
            s = (first_min + 7) & ~7
        s = min(s, left)
        sizes.append(s)
        left -= s
    if len(sizes) == 1:  # make sure there are at least two fragments
        first = max(24, (first_min + 7) & ~7)
        if first < total:
            sizes = [first, total - first]
    return sizes


class Emitter:
    def __init__(self, rng):
        self.rng = rng
        self.ids = {}

    def next_id(self, key, bits):
        if key not in self.ids:
            self.ids[key] = self.rng.randrange(1 << bits)
        v = self.ids[key] = (self.ids[key] + 1) & ((1 << bits) - 1)
        return v

    def emit(self, p, dlt):
        """List of (ts, frame bytes, wirelen) for packet p."""
        if p.udp is not None and p.fragment:
            return self.fragments(p, p.payload, 17, 8)
        if p.kind != "tcp":
            return [(p.ts, p.data, p.wirelen)]
        link = p.link
        if p.tag:
            link = link[:12] + p.tag + link[12:]
        if not p.dirty and not p.fragment:
            if not p.tag:
                return [(p.ts, p.data, p.wirelen)]
            d = link + p.data[len(p.link):]
            return [(p.ts, d, p.wirelen + len(p.tag))]
        seg = tcp_segment(p)
        if not p.fragment:
            if p.ipver == 4:
                ip = ipv4_header(p.iphdr, len(seg)) + seg
            else:
                ip = ipv6_packet(p.iphdr, p.exts, seg)
            d = link + ip + (b"" if p.dirty else p.trailer)
            return [(p.ts, d, len(d))]
        return self.fragments(p, seg, 6, len(seg) - len(p.payload))

    def fragments(self, p, seg, nh, header_len):
        """The IP fragments of the transport segment seg (protocol nh, whose
        header of header_len bytes stays whole in the first IPv6 fragment)."""
        link = p.link
        if p.tag:
            link = link[:12] + p.tag + link[12:]
        frags = []
        if p.ipver == 4:
            ident = self.next_id((4, p.src, p.dst), 16)
            off = 0
            later_hdr = ipv4_copied_options(p.iphdr)
            sizes = frag_sizes(self.rng, len(seg))
            for i, s in enumerate(sizes):
                mf = 0x2000 if i < len(sizes) - 1 else 0
                hdr = p.iphdr if i == 0 else later_hdr
                ff = mf | (off >> 3)
                frags.append(ipv4_header(hdr, s, ff, ident) + seg[off:off + s])
                off += s
        else:
            exts = p.exts
            u = 0
            for i, (t, _) in enumerate(exts):
                if t == 43 or (t == 0 and i == 0):
                    u = i + 1
            unfrag, fragable = exts[:u], exts[u:]
            ftypes = [t for t, _ in fragable] + [nh]
            body = b"".join(bytes([ftypes[i + 1]]) + x[1:]
                            for i, (_, x) in enumerate(fragable)) + seg
            first_min = len(body) - len(seg) + header_len  # whole header chain
            ident = self.next_id((6, p.src, p.dst), 32)
            off = 0
            sizes = frag_sizes(self.rng, len(body), first_min)
            for i, s in enumerate(sizes):
                m = 1 if i < len(sizes) - 1 else 0
                fh = struct.pack("!BBHI", ftypes[0], 0, off | m, ident)
                frags.append(ipv6_packet(p.iphdr, unfrag + [(44, fh)],
                                         body[off:off + s], ftypes[0]))
                off += s
        if p.fragment == 2:
            frags.reverse()
        out = []
        for f in frags:
            d = link + f
            out.append((p.ts, d, len(d)))
        return out


# ----------------------------------------------------------------------------
# Transforms
# ----------------------------------------------------------------------------

def is_data(p):
    return p.kind == "tcp" and not p.frozen and len(p.payload) > 0


def do_recut(pkts, rng):
    out = []
    for p in pkts:
        if not is_data(p):
            out.append(p)
            continue
        pl, n, off, first = p.payload, len(p.payload), 0, True
        base, rnd = p.dseq, rng.random
        while off < n:
            k = min(1 + int(rnd() * 40), n - off)  # 1..40
            q = p.clone()
            q.payload = pl[off:off + k]
            q.dirty = True
            fl = p.flags & ~(SYN | FIN | RST)
            if first:
                fl |= p.flags & SYN
                q.seq = p.seq
            else:
                q.seq = (base + off) & 0xFFFFFFFF
            if off + k == n:
                fl |= p.flags & (FIN | RST)
            q.flags = fl
            out.append(q)
            off += k
            first = False
    return out


def _barrier(p):
    return p.flags & (SYN | FIN | RST)


def do_dup(pkts, rng, scan_limit=200):
    inserts = {}
    prev = {}  # (conn, dir) -> (dseq, payload) of the last data segment
    byconn, rank = {}, {}  # conn -> its packet positions; position -> rank
    for i, p in enumerate(pkts):
        if p.kind == "tcp":
            lst = byconn.setdefault(p.conn, [])
            rank[i] = len(lst)
            lst.append(i)
    for i, p in enumerate(pkts):
        if p.kind != "tcp":
            continue
        key = (p.conn, p.dir)
        if p.flags & SYN and not p.payload:
            prev.pop(key, None)
        if not is_data(p):
            continue
        cur = (p.dseq, p.payload)
        last = prev.get(key)
        prev[key] = cur
        if rng.random() >= 0.35:
            continue
        n = len(p.payload)
        r = rng.random()
        if r < 0.25:
            seq, data = cur                         # exact duplicate
        elif last and (last[0] + len(last[1])) & 0xFFFFFFFF == cur[0]:
            a = rng.randrange(len(last[1]))         # tail of prev + head of cur
            b = rng.randint(1, n)
            seq, data = (last[0] + a) & 0xFFFFFFFF, last[1][a:] + p.payload[:b]
        else:
            a = rng.randrange(n)                    # a part of cur
            b = rng.randint(a + 1, n)
            seq, data = (cur[0] + a) & 0xFFFFFFFF, p.payload[a:b]
        # never larger than the larger original segment (keeps IP length valid)
        data = data[:max(n, len(last[1]) if last else 0)]
        # insertion point: after the k-th next packet of this flow direction,
        # never past a SYN/FIN/RST of this connection
        k, cnt, pos, after = rng.randint(1, 3), 0, i, p
        cpos, r = byconn[p.conn], rank[i]
        for j in cpos[r + 1:r + 1 + scan_limit]:
            q = pkts[j]
            if _barrier(q):
                break
            if q.dir == p.dir:
                cnt, pos, after = cnt + 1, j, q
                if cnt == k:
                    break
        d = p.clone()
        d.seq, d.payload, d.dirty = seq, data, True
        d.flags = p.flags & ~(SYN | FIN | RST)
        d.ts = pkts[pos].ts
        if after is not p:  # a retransmission carries the sender's current ack
            d.tcphdr = p.tcphdr[:8] + after.tcphdr[8:12] + p.tcphdr[12:]
        inserts.setdefault(pos, []).append(d)
    if not inserts:
        return pkts
    out = []
    for i, p in enumerate(pkts):
        out.append(p)
        out.extend(inserts.get(i, ()))
    return out


def do_reorder(pkts, rng):
    import bisect
    # positions of undecodable TCP/IP packets per host pair (barriers)
    opaque = {}
    for i, p in enumerate(pkts):
        if p.kind != "tcp" and p.hostpair is not None:
            opaque.setdefault(p.hostpair, []).append(i)
    byconn = {}
    for i, p in enumerate(pkts):
        if p.kind == "tcp":
            byconn.setdefault(p.conn, []).append(i)
    moves = []  # (slots, packets in new order)
    for conn, idxs in byconn.items():
        seen = set()
        hp = None
        group = []
        last_dir, last_pos = None, None

        def flush():
            if len(group) > 1:
                order = sorted(range(len(group)),
                               key=lambda j: j + rng.random() * 3.5)
                if order != list(range(len(group))):
                    moves.append((list(group), [group[j] for j in order]))
            group.clear()

        for i in idxs:
            p = pkts[i]
            if hp is None:
                hp = (min(p.src, p.dst), max(p.src, p.dst))
            ops = opaque.get(hp)
            if last_pos is not None and ops:
                j = bisect.bisect_right(ops, last_pos)
                if j < len(ops) and ops[j] < i:
                    flush()
            if p.dir != last_dir:
                flush()
            last_dir, last_pos = p.dir, i
            if p.flags & SYN:
                seen.discard(p.dir)
                seen.discard(1 - p.dir)
            first = p.dir not in seen
            seen.add(p.dir)
            if first or p.frozen or _barrier(p):
                flush()
                continue
            if p.payload:
                group.append(i)
            # pure ACKs stay where they are and do not split the group
        flush()
    if not moves:
        return pkts
    out = list(pkts)
    for slots, newpk in moves:
        for s, src in zip(slots, newpk):
            q = pkts[src]
            if q.ts != pkts[s].ts:
                q = q.clone()
                q.ts = pkts[s].ts
            out[s] = q
    return out


def do_vlan(pkts, qinq):
    index = {}
    for p in pkts:
        if p.kind != "tcp" or len(p.link) < 12:
            continue
        idx = index.setdefault(p.conn, len(index))
        vid = 100 + idx % 3900
        tag = struct.pack("!HH", 0x8100, vid)
        if qinq:
            tag = struct.pack("!HH", 0x88A8, 10 + idx // 3900) + tag
        p.tag = tag
    return pkts


def do_fragment(pkts, reverse):
    for p in pkts:
        if is_data(p):
            p.fragment = 2 if reverse else 1
            p.dirty = True  # re-emitted: give it a correct TCP checksum
    return pkts


def dtls_flows(pkts):
    """The UDP flows whose first datagram starts with a DTLS record in clear."""
    first, flows = set(), set()
    for p in pkts:
        if p.udp is None or p.udp[0] in first:
            continue
        first.add(p.udp[0])
        if dtls_header(p.udp[2]):
            flows.add(p.udp[0])
    return flows


def do_udp_dup(pkts, rng):
    flows = dtls_flows(pkts)
    byflow = {}
    for i, p in enumerate(pkts):
        if p.udp is not None and p.udp[0] in flows:
            byflow.setdefault(p.udp[0], []).append(i)
    inserts = {}
    for idxs in byflow.values():
        for r, i in enumerate(idxs):
            if rng.random() >= 0.35:
                continue
            p, k, cnt, pos = pkts[i], rng.randint(1, 3), 0, i
            for j in idxs[r + 1:]:
                if pkts[j].udp[1] == p.udp[1]:
                    cnt, pos = cnt + 1, j
                    if cnt == k:
                        break
            d = Pkt.__new__(Pkt)
            for slot in Pkt.__slots__:
                setattr(d, slot, getattr(p, slot, None))
            d.ts = pkts[pos].ts
            inserts.setdefault(pos, []).append(d)
    out = []
    for i, p in enumerate(pkts):
        out.append(p)
        out.extend(inserts.get(i, ()))
    return out


def do_udp_reorder(pkts, rng):
    flows = dtls_flows(pkts)
    byflow = {}
    for i, p in enumerate(pkts):
        if p.udp is not None and p.udp[0] in flows:
            byflow.setdefault(p.udp[0], []).append(i)
    moves = []
    for idxs in byflow.values():
        seen, group, last_dir = set(), [], None

        def flush():
            if len(group) > 1:
                order = sorted(range(len(group)), key=lambda j: j + rng.random() * 3.5)
                if order != list(range(len(group))):
                    moves.append((list(group), [group[j] for j in order]))
            group.clear()

        for i in idxs:
            p = pkts[i]
            recs = dtls_header(p.udp[2]) or []
            clear_flight = recs and all(ct == 22 and ep == 0 for ct, ep in recs)
            if p.udp[1] != last_dir or p.udp[1] not in seen or not clear_flight:
                flush()
            last_dir = p.udp[1]
            if p.udp[1] not in seen:
                seen.add(p.udp[1])
                continue
            if clear_flight:
                group.append(i)
        flush()
    out = list(pkts)
    for slots, newpk in moves:
        for s_, src in zip(slots, newpk):
            q = pkts[src]
            if q.ts != pkts[s_].ts:
                c = Pkt.__new__(Pkt)
                for slot in Pkt.__slots__:
                    setattr(c, slot, getattr(q, slot, None))
                c.ts = pkts[s_].ts
                q = c
            out[s_] = q
    return out


def do_udp_fragment(pkts):
    flows = dtls_flows(pkts)
    for p in pkts:
        if p.udp is not None and p.udp[0] in flows and len(p.payload) > 24:
            p.fragment = 1
    return pkts


# ----------------------------------------------------------------------------
# Link types (link-TYPE modes)
# ----------------------------------------------------------------------------

# the output link type of each link-TYPE mode
RELINK = {"sll": LINKTYPE_LINUX_SLL, "sll2": LINKTYPE_LINUX_SLL2, "null": LINKTYPE_NULL,
          "loop": LINKTYPE_LOOP, "raw": 101, "ipv4": 228, "ipv6": 229, "qinq": ETH, "pppoe": ETH}


def relink_frame(kind, frame):
    """The IP packet of an untagged Ethernet frame in link type `kind`, or
    None for frames that do not go over (not IP; the other IP version for
    ipv4/ipv6)."""
    dst, src, ethertype = frame[0:6], frame[6:12], struct.unpack(">H", frame[12:14])[0]
    payload = frame[14:]
    if ethertype not in (0x0800, 0x86DD):
        return None
    version = 4 if ethertype == 0x0800 else 6
    if kind == "sll":    # packet type 0 (to us), ARPHRD_LOOPBACK 772, the sender's 6-byte address
        return struct.pack(">HHH", 0, 772, 6) + src + b"\0\0" + struct.pack(">H", ethertype) + payload
    if kind == "sll2":
        return struct.pack(">HHIHBB", ethertype, 0, 1, 772, 0, 6) + src + b"\0\0" + payload
    if kind in ("null", "loop"):  # AF_INET 2, AF_INET6 30; NULL in host (here little-endian) order
        return struct.pack("<I" if kind == "null" else ">I", 2 if version == 4 else 30) + payload
    if kind == "raw":
        return payload
    if kind in ("ipv4", "ipv6"):
        return payload if kind == "ipv%d" % version else None
    if kind == "qinq":   # 802.1ad outer tag 10, 802.1Q inner tag 20
        return dst + src + struct.pack(">HHHHH", 0x88A8, 10, 0x8100, 20, ethertype) + payload
    # pppoe: a PPPoE session (RFC 2516), session id 0x1234, PPP protocol IPv4 0x21 / IPv6 0x57
    ppp = 0x0021 if version == 4 else 0x0057
    return dst + src + struct.pack(">HBBHHH", 0x8864, 0x11, 0, 0x1234, len(payload) + 2, ppp) + payload


def do_relink(frames, kind):
    """(ts, frame, wirelen) in Ethernet -> the same packets in link type kind."""
    out = []
    for ts, frame, wirelen in frames:
        new = relink_frame(kind, frame)
        if new is not None:
            out.append((ts, new, wirelen + len(new) - len(frame)))
    return out


# ----------------------------------------------------------------------------
# Main
# ----------------------------------------------------------------------------

MODES = ("recut", "dup", "overlap", "reorder", "vlan", "qinq", "fragment",
         "fragment-reverse", "udp-dup", "udp-reorder", "udp-fragment") + tuple(
             "link-" + k for k in RELINK)


def mangle(inp, outp, modes, seed):
    dlt, snaplen, nano, frames = read_capture(inp, warn)
    links = sorted(m[5:] for m in modes if m.startswith("link-"))
    if links and (len(links) > 1 or "vlan" in modes or "qinq" in modes):
        raise CapError("a link-TYPE mode goes with no other link-TYPE, vlan or qinq mode")
    if ("vlan" in modes or "qinq" in modes or links) and dlt != ETH:
        raise CapError("vlan, qinq and link-TYPE modes need Ethernet (link type 1), "
                       "input has link type %d" % dlt)
    if dlt not in SUPPORTED:
        warn("link type %d not supported: copying all packets unchanged" % dlt)
        pkts = [Pkt(f) for f in frames]
    else:
        pkts = [decode(f, dlt) for f in frames]
        if any(m.startswith("udp-") for m in modes):
            for p in pkts:
                if p.kind == "raw":
                    decode_udp(p, dlt)
    rng = random.Random(seed)
    if "recut" in modes:
        pkts = do_recut(pkts, rng)
    if "dup" in modes or "overlap" in modes:
        pkts = do_dup(pkts, rng)
    if "reorder" in modes:
        pkts = do_reorder(pkts, rng)
    if "vlan" in modes or "qinq" in modes:
        pkts = do_vlan(pkts, "qinq" in modes)
    if "fragment" in modes or "fragment-reverse" in modes:
        pkts = do_fragment(pkts, "fragment-reverse" in modes)
    if "udp-dup" in modes:
        pkts = do_udp_dup(pkts, rng)
    if "udp-reorder" in modes:
        pkts = do_udp_reorder(pkts, rng)
    if "udp-fragment" in modes:
        pkts = do_udp_fragment(pkts)
    em = Emitter(rng)
    out = []
    for p in pkts:
        out.extend(em.emit(p, dlt))
    if links:
        out, dlt = do_relink(out, links[0]), RELINK[links[0]]
    snap = max([snaplen] + [len(d) for _, d, _ in out])
    write_pcap(outp, dlt, snap, nano, out)
    return len(frames), len(out)


def main(argv=None):
    ap = argparse.ArgumentParser(
        description="Rewrite a capture into an equivalent one (same TCP byte "
                    "streams, different wire form). Modes: " + ", ".join(MODES))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("modes")
    ap.add_argument("input")
    ap.add_argument("output")
    a = ap.parse_args(argv)
    modes = set(m.strip() for m in a.modes.split(",") if m.strip())
    bad = modes - set(MODES)
    if bad or not modes:
        ap.error("unknown mode(s): %s (known: %s)"
                 % (", ".join(sorted(bad)) or "none", ", ".join(MODES)))
    try:
        nin, nout = mangle(a.input, a.output, modes, a.seed)
    except (CapError, OSError) as ex:
        sys.stderr.write("mangle: error: %s\n" % ex)
        return 1
    if a.verbose:
        sys.stderr.write("mangle: %d packets in, %d out\n" % (nin, nout))
    return 0


if __name__ == "__main__":
    sys.exit(main())
