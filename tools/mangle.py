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

Lengths and IPv4 header checksums are recomputed; every TCP segment that is
rebuilt gets a correct TCP checksum (untouched segments keep theirs).

Input: classic pcap (us/ns, either byte order) or pcapng (SHB/IDB/EPB/SPB/PB,
one link type).  Link types: Ethernet (1, with or without VLAN tags), NULL (0),
LOOP (108), raw IP (12, 14, 101, 228, 229), Linux SLL (113), SLL2 (276).
Output: classic pcap, same link type, nanosecond timestamps when the input had
sub-microsecond resolution.  Deterministic for a given --seed (default 1).
Pure Python 3 standard library.
"""

import argparse
import array
import random
import struct
import sys

# ----------------------------------------------------------------------------
# Capture file reading / writing
# ----------------------------------------------------------------------------

class CapError(Exception):
    pass


class Frame:
    """One captured frame: timestamp in integer nanoseconds."""
    __slots__ = ("ts", "data", "wirelen")

    def __init__(self, ts, data, wirelen):
        self.ts = ts
        self.data = data
        self.wirelen = wirelen


def warn(msg):
    sys.stderr.write("mangle: warning: %s\n" % msg)


def read_pcap(buf):
    """Classic pcap. Returns (linktype, snaplen, nanosecond?, [Frame])."""
    magic = buf[:4]
    table = {
        b"\xd4\xc3\xb2\xa1": ("<", False), b"\xa1\xb2\xc3\xd4": (">", False),
        b"\x4d\x3c\xb2\xa1": ("<", True), b"\xa1\xb2\x3c\x4d": (">", True),
    }
    if magic not in table or len(buf) < 24:
        raise CapError("not a pcap file")
    e, nano = table[magic]
    _, _, _, _, snaplen, lt = struct.unpack_from(e + "HHiIII", buf, 4)
    lt &= 0xFFFF  # upper bits may hold FCS information
    rec = struct.Struct(e + "IIII")
    mult = 1 if nano else 1000
    frames = []
    off, n = 24, len(buf)
    while off < n:
        if off + 16 > n:
            warn("truncated record header at offset %d, stopping" % off)
            break
        sec, frac, caplen, wirelen = rec.unpack_from(buf, off)
        off += 16
        if off + caplen > n:
            warn("record at offset %d claims %d bytes beyond end of file, "
                 "stopping" % (off - 16, caplen))
            break
        frames.append(Frame(sec * 1000000000 + frac * mult,
                            bytes(buf[off:off + caplen]), wirelen))
        off += caplen
    return lt, snaplen, nano, frames


def _pcapng_options(buf, off, end, e):
    opts = {}
    while off + 4 <= end:
        code, ln = struct.unpack_from(e + "HH", buf, off)
        off += 4
        if code == 0:
            break
        opts.setdefault(code, bytes(buf[off:off + ln]))
        off += (ln + 3) & ~3
    return opts


def read_pcapng(buf):
    """pcapng. Returns (linktype, snaplen, nanosecond?, [Frame])."""
    frames = []
    ifaces = []          # per current section: (linktype, snaplen, tsconv, tsoff)
    linktypes = set()
    snap = 0
    nano = False
    e = "<"
    off, n = 0, len(buf)
    last_ts = 0
    while off + 12 <= n:
        btype = struct.unpack_from("<I", buf, off)[0]
        if btype == 0x0A0D0D0A:
            bom = buf[off + 8:off + 12]
            if bom == b"\x4d\x3c\x2b\x1a":
                e = "<"
            elif bom == b"\x1a\x2b\x3c\x4d":
                e = ">"
            else:
                raise CapError("bad pcapng byte-order magic")
            ifaces = []
        btype, blen = struct.unpack_from(e + "II", buf, off)
        if blen < 12 or off + blen > n:
            warn("truncated pcapng block at offset %d, stopping" % off)
            break
        body, end = off + 8, off + blen - 4
        if btype == 1:  # IDB
            lt, _, sl = struct.unpack_from(e + "HHI", buf, body)
            opts = _pcapng_options(buf, body + 8, end, e)
            res = opts.get(9, b"\x06")[0]
            tsoff = struct.unpack(e + "q", opts[14][:8])[0] if 14 in opts and \
                len(opts[14]) >= 8 else 0
            if res & 0x80:
                v = res & 0x7F
                conv = (lambda u, v=v: (u * 1000000000) >> v)
                nano = True
            else:
                v = res
                if v <= 9:
                    conv = (lambda u, m=10 ** (9 - v): u * m)
                else:
                    conv = (lambda u, d=10 ** (v - 9): u // d)
                if v > 6:
                    nano = True
            ifaces.append((lt, sl, conv, tsoff * 1000000000))
            linktypes.add(lt)
            snap = max(snap, sl or 262144)
        elif btype in (6, 2):  # EPB, obsolete PB
            if btype == 6:
                ifid, hi, lo, caplen, wirelen = struct.unpack_from(e + "IIIII", buf, body)
                doff = body + 20
            else:
                ifid, _, hi, lo, caplen, wirelen = struct.unpack_from(e + "HHIIII", buf, body)
                doff = body + 20
            if ifid >= len(ifaces):
                raise CapError("packet for undefined interface %d" % ifid)
            _, _, conv, tsoff = ifaces[ifid]
            caplen = min(caplen, end - doff)
            last_ts = conv((hi << 32) | lo) + tsoff
            frames.append(Frame(last_ts, bytes(buf[doff:doff + caplen]), wirelen))
        elif btype == 3:  # SPB: no timestamp, interface 0
            if not ifaces:
                raise CapError("simple packet block before any interface")
            wirelen = struct.unpack_from(e + "I", buf, body)[0]
            caplen = min(wirelen, end - (body + 4))
            if ifaces[0][1]:
                caplen = min(caplen, ifaces[0][1])
            frames.append(Frame(last_ts, bytes(buf[body + 4:body + 4 + caplen]), wirelen))
        off += blen
    if not linktypes:
        raise CapError("pcapng file without interface description block")
    if len(linktypes) > 1:
        raise CapError("pcapng interfaces have different link types %s"
                       % sorted(linktypes))
    return linktypes.pop(), snap, nano, frames


def read_capture(path):
    with open(path, "rb") as f:
        buf = f.read()
    if buf[:4] == b"\x0a\x0d\x0d\x0a":
        return read_pcapng(buf)
    return read_pcap(buf)


def write_pcap(path, linktype, snaplen, nano, frames):
    """frames: iterable of (ts_ns, data, wirelen)."""
    out = [struct.pack("<IHHiIII", 0xA1B23C4D if nano else 0xA1B2C3D4,
                       2, 4, 0, 0, snaplen, linktype)]
    rec = struct.Struct("<IIII")
    for ts, data, wirelen in frames:
        ts = max(ts, 0)
        sec, ns = divmod(ts, 1000000000)
        out.append(rec.pack(sec, ns if nano else ns // 1000, len(data), wirelen))
        out.append(data)
    with open(path, "wb") as f:
        f.write(b"".join(out))


# ----------------------------------------------------------------------------
# Checksums
# ----------------------------------------------------------------------------

_LE = sys.byteorder == "little"


def inet_csum(data):
    """RFC 1071 checksum, returned as the 16-bit value to store big-endian."""
    if len(data) & 1:
        data += b"\0"
    s = sum(array.array("H", data))  # native order; fixed up by one swap below
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    s = ~s & 0xFFFF
    if _LE:
        s = ((s & 0xFF) << 8) | (s >> 8)
    return s


# ----------------------------------------------------------------------------
# Packet decoding
# ----------------------------------------------------------------------------

ETH, NULL, LOOP, SLL, SLL2 = 1, 0, 108, 113, 276
RAW_TYPES = (12, 14, 101, 228, 229)
SUPPORTED = (ETH, NULL, LOOP, SLL, SLL2) + RAW_TYPES
VLAN_ETYPES = (0x8100, 0x88A8, 0x9100)

FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10


def ip_offset(dlt, d):
    """Offset of the IP header in frame d, or None."""
    if dlt == ETH:
        if len(d) < 14:
            return None
        et, off = (d[12] << 8) | d[13], 14
    elif dlt == SLL:
        if len(d) < 16:
            return None
        et, off = (d[14] << 8) | d[15], 16
    elif dlt == SLL2:
        if len(d) < 20:
            return None
        et, off = (d[0] << 8) | d[1], 20
    elif dlt in (NULL, LOOP):
        et, off = None, 4
    elif dlt in RAW_TYPES:
        et, off = None, 0
    else:
        return None
    if et is not None:
        while et in VLAN_ETYPES and len(d) >= off + 4:
            et, off = (d[off + 2] << 8) | d[off + 3], off + 4
        if et not in (0x0800, 0x86DD):
            return None
    if len(d) <= off or (d[off] >> 4) not in (4, 6):
        return None
    if et == 0x0800 and d[off] >> 4 != 4 or et == 0x86DD and d[off] >> 4 != 6:
        return None
    return off


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
                 "src", "dst")

    def __init__(self, fr):
        self.ts, self.data, self.wirelen = fr.ts, fr.data, fr.wirelen
        self.kind = "raw"
        self.hostpair = None
        self.tag = b""
        self.dirty = False
        self.fragment = 0  # 0 none, 1 in order, 2 reversed
        self.frozen = False

    def clone(self):
        """Copy of a decoded TCP packet (all slots are set for those)."""
        p = Pkt.__new__(Pkt)
        p.ts, p.data, p.wirelen, p.kind = self.ts, self.data, self.wirelen, self.kind
        p.hostpair, p.link, p.ipver, p.iphdr = self.hostpair, self.link, self.ipver, self.iphdr
        p.exts, p.tcphdr, p.payload, p.seq = self.exts, self.tcphdr, self.payload, self.seq
        p.flags, p.conn, p.dir, p.frozen = self.flags, self.conn, self.dir, self.frozen
        p.dirty, p.trailer, p.tag, p.fragment = self.dirty, self.trailer, self.tag, self.fragment
        p.src, p.dst = self.src, self.dst
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
    h[16] = h[17] = 0
    seg = bytes(h) + p.payload
    if p.ipver == 4:
        pseudo = p.src + p.dst + struct.pack("!BBH", 0, 6, len(seg))
    else:
        pseudo = p.src + p.dst + struct.pack("!IxxxB", len(seg), 6)
    c = inet_csum(pseudo + seg)
    return seg[:16] + struct.pack("!H", c) + seg[18:]


def ipv4_header(hdr, body_len, fragfield=None, ident=None):
    """IPv4 header with new total length (and id / flags+offset), checksum."""
    if ident is None:
        ident = (hdr[4] << 8) | hdr[5]
    if fragfield is None:
        fragfield = (hdr[6] << 8) | hdr[7]
    h = hdr[:2] + struct.pack("!HHH", len(hdr) + body_len, ident, fragfield) + \
        hdr[8:10] + b"\0\0" + hdr[12:]
    return h[:10] + struct.pack("!H", inet_csum(h)) + h[12:]


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
            ftypes = [t for t, _ in fragable] + [6]
            body = b"".join(bytes([ftypes[i + 1]]) + x[1:]
                            for i, (_, x) in enumerate(fragable)) + seg
            first_min = len(body) - len(p.payload)  # whole header chain
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


# ----------------------------------------------------------------------------
# Main
# ----------------------------------------------------------------------------

MODES = ("recut", "dup", "overlap", "reorder", "vlan", "qinq", "fragment",
         "fragment-reverse")


def mangle(inp, outp, modes, seed):
    dlt, snaplen, nano, frames = read_capture(inp)
    if ("vlan" in modes or "qinq" in modes) and dlt != ETH:
        raise CapError("vlan/qinq modes need Ethernet (link type 1), "
                       "input has link type %d" % dlt)
    if dlt not in SUPPORTED:
        warn("link type %d not supported: copying all packets unchanged" % dlt)
        pkts = [Pkt(f) for f in frames]
    else:
        pkts = [decode(f, dlt) for f in frames]
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
    em = Emitter(rng)
    out = []
    for p in pkts:
        out.extend(em.emit(p, dlt))
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
