"""pcaplib.py - capture files and packets for tlsdissect's tools and tests.

One place for what every generator and rewriter in tools/ and tests/ needs,
so that a reader bug or a checksum slip is fixed once:

Classic pcap (https://www.ietf.org/archive/id/draft-ietf-opsawg-pcap-04.html)
    read_pcap(buf), read_capture(path) -> Capture(linktype, snaplen, nano, frames)
        frames are Frame(ts, data, wirelen), ts in integer nanoseconds; either
        byte order, microsecond or nanosecond magic; a cut record ends the read
        with a warning.
    PcapWriter(f, linktype, snaplen, nano, endian).write(ts, data, wirelen)
    write_pcap(path, linktype, snaplen, nano, frames), pcap_header(), pcap_record()
pcapng (draft-ietf-opsawg-pcapng)
    read_pcapng(buf): SHB (either byte order), IDB (if_tsresol, if_tsoffset),
        EPB, SPB and the obsolete PB; other blocks are skipped.  One link type.
    pcapng_blocks(buf): the raw blocks, for tools that copy or drop them.
    pcapng_block(), pcapng_option(), pcapng_shb(), pcapng_idb(), pcapng_epb(),
        pcapng_spb(): builders (timestamps in the interface's units).
Packets
    ip_offset(linktype, frame): where the IP header starts (Ethernet with
        802.1Q/802.1ad tags, NULL, LOOP, raw IP, Linux SLL and SLL2).
    tcp_of(linktype, frame) -> TcpSegment or None: an unfragmented IPv4/IPv6
        TCP segment's addresses, ports, sequence numbers, flags and payload.
    inet_checksum() (RFC 1071), ipv4_with_checksum(), tcp_with_checksum(),
    ethernet(), ipv4(), ipv6(), tcp(): builders with correct lengths and
        checksums (RFC 791, RFC 8200, RFC 9293 §3.1 pseudo-header).

Standard library only.
"""

import collections
import os
import struct
import sys

# ----------------------------------------------------------------------------
# Common
# ----------------------------------------------------------------------------

LINKTYPE_NULL, LINKTYPE_ETHERNET, LINKTYPE_RAW, LINKTYPE_LOOP = 0, 1, 101, 108
LINKTYPE_LINUX_SLL, LINKTYPE_LINUX_SLL2, LINKTYPE_IPV4, LINKTYPE_IPV6 = 113, 276, 228, 229
RAW_LINKTYPES = (12, 14, LINKTYPE_RAW, LINKTYPE_IPV4, LINKTYPE_IPV6)  # 12, 14: DLT_RAW on some BSDs
ETHERTYPE_IPV4, ETHERTYPE_IPV6 = 0x0800, 0x86DD
VLAN_ETHERTYPES = (0x8100, 0x88A8, 0x9100)

FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10

PCAP_MAGIC_US, PCAP_MAGIC_NS = 0xA1B2C3D4, 0xA1B23C4D
_PCAP_MAGICS = {  # the first four bytes: (byte order, nanosecond timestamps)
    b"\xd4\xc3\xb2\xa1": ("<", False), b"\xa1\xb2\xc3\xd4": (">", False),
    b"\x4d\x3c\xb2\xa1": ("<", True), b"\xa1\xb2\x3c\x4d": (">", True),
}
PCAPNG_SHB = 0x0A0D0D0A
PCAPNG_BYTE_ORDER_MAGIC = 0x1A2B3C4D


class CapError(Exception):
    """A capture file that cannot be read."""


class Frame:
    """One captured frame: timestamp in integer nanoseconds, the captured
    bytes, and the length the frame had on the wire."""
    __slots__ = ("ts", "data", "wirelen")

    def __init__(self, ts, data, wirelen):
        self.ts = ts
        self.data = data
        self.wirelen = wirelen

    def __iter__(self):  # unpacks as (ts, data, wirelen), the form writers take
        return iter((self.ts, self.data, self.wirelen))


Capture = collections.namedtuple("Capture", "linktype snaplen nano frames")


def _warn(msg):
    prog = os.path.splitext(os.path.basename(sys.argv[0] or "pcaplib"))[0]
    sys.stderr.write("%s: warning: %s\n" % (prog, msg))


# ----------------------------------------------------------------------------
# Classic pcap
# ----------------------------------------------------------------------------

def read_pcap(buf, warn=_warn):
    """A classic pcap file's bytes -> Capture.  The link type's upper 16 bits
    (FCS information) are dropped."""
    if buf[:4] not in _PCAP_MAGICS or len(buf) < 24:
        raise CapError("not a pcap file")
    e, nano = _PCAP_MAGICS[buf[:4]]
    _, _, _, _, snaplen, linktype = struct.unpack_from(e + "HHiIII", buf, 4)
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
            warn("record at offset %d claims %d bytes beyond end of file, stopping"
                 % (off - 16, caplen))
            break
        frames.append(Frame(sec * 1000000000 + frac * mult, bytes(buf[off:off + caplen]), wirelen))
        off += caplen
    return Capture(linktype & 0xFFFF, snaplen, nano, frames)


def pcap_header(linktype, snaplen=262144, nano=False, endian="<"):
    """The 24-byte file header (version 2.4, thiszone and sigfigs 0)."""
    return struct.pack(endian + "IHHiIII", PCAP_MAGIC_NS if nano else PCAP_MAGIC_US,
                       2, 4, 0, 0, snaplen, linktype)


def pcap_record(ts, data, wirelen=None, nano=False, endian="<"):
    """One record: ts in nanoseconds (negative ones are written as 0),
    wirelen defaulting to the captured length."""
    sec, ns = divmod(max(ts, 0), 1000000000)
    return struct.pack(endian + "IIII", sec, ns if nano else ns // 1000, len(data),
                       len(data) if wirelen is None else wirelen) + data


class PcapWriter:
    """Classic pcap written record by record to a binary file object (the
    big hostile cases stream gigabytes through it).  `size` counts the
    bytes written, header included."""

    def __init__(self, f, linktype=LINKTYPE_ETHERNET, snaplen=262144, nano=False, endian="<"):
        self.f = f
        self.nano = nano
        self.endian = endian
        header = pcap_header(linktype, snaplen, nano, endian)
        f.write(header)
        self.size = len(header)

    def write(self, ts, data, wirelen=None):
        record = pcap_record(ts, data, wirelen, self.nano, self.endian)
        self.f.write(record)
        self.size += len(record)


def write_pcap(path, linktype, snaplen, nano, frames, endian="<"):
    """A whole classic pcap file; frames: iterable of (ts_ns, data, wirelen)."""
    with open(path, "wb") as f:
        w = PcapWriter(f, linktype, snaplen, nano, endian)
        for ts, data, wirelen in frames:
            w.write(ts, data, wirelen)


def read_capture(path, warn=_warn):
    """A classic pcap or pcapng file by its first bytes -> Capture."""
    with open(path, "rb") as f:
        buf = f.read()
    if buf[:4] == struct.pack("<I", PCAPNG_SHB):
        return read_pcapng(buf, warn)
    return read_pcap(buf, warn)


# ----------------------------------------------------------------------------
# pcapng
# ----------------------------------------------------------------------------

PcapngBlock = collections.namedtuple("PcapngBlock", "offset type endian raw")


def pcapng_blocks(buf, warn=None):
    """The blocks of a pcapng file in order, each with the byte order of its
    section.  Ends at the first block whose length is short, not a multiple
    of 4 or past the end of the file (warn, if given, says so); the bytes
    from there on are buf[last.offset + len(last.raw):]."""
    e = "<"
    off, n = 0, len(buf)
    while off + 12 <= n:
        if buf[off:off + 4] == b"\x0a\x0d\x0d\x0a":
            bom = buf[off + 8:off + 12]
            if bom == b"\x4d\x3c\x2b\x1a":
                e = "<"
            elif bom == b"\x1a\x2b\x3c\x4d":
                e = ">"
            else:
                raise CapError("bad pcapng byte-order magic at offset %d" % off)
        btype, blen = struct.unpack_from(e + "II", buf, off)
        if blen < 12 or blen % 4 or off + blen > n:
            if warn:
                warn("truncated or damaged pcapng block at offset %d, stopping" % off)
            return
        yield PcapngBlock(off, btype, e, buf[off:off + blen])
        off += blen


def _pcapng_options(body, off, e):
    """Options from body[off:] -> {code: first value}."""
    opts = {}
    while off + 4 <= len(body):
        code, ln = struct.unpack_from(e + "HH", body, off)
        off += 4
        if code == 0:
            break
        opts.setdefault(code, bytes(body[off:off + ln]))
        off += (ln + 3) & ~3
    return opts


def _ts_converter(opts, e):
    """(units -> ns function, sub-microsecond?, offset ns) of an IDB's options."""
    res = opts.get(9, b"\x06")[0]
    tsoff = struct.unpack(e + "q", opts[14][:8])[0] if len(opts.get(14, b"")) >= 8 else 0
    if res & 0x80:
        v = res & 0x7F
        return (lambda u: (u * 1000000000) >> v), True, tsoff * 1000000000
    if res <= 9:
        m = 10 ** (9 - res)
        return (lambda u: u * m), res > 6, tsoff * 1000000000
    d = 10 ** (res - 9)
    return (lambda u: u // d), True, tsoff * 1000000000


def read_pcapng(buf, warn=_warn):
    """A pcapng file's bytes -> Capture (packets of every interface, which
    must share one link type; SPBs take interface 0 and the last time)."""
    frames = []
    ifaces = []          # of the current section: (snaplen, units -> ns, offset ns)
    linktypes = set()
    snap = 0
    nano = False
    last_ts = 0
    for blk in pcapng_blocks(buf, warn):
        e, raw = blk.endian, blk.raw
        body = raw[8:-4]
        if blk.type == PCAPNG_SHB:
            ifaces = []
        elif blk.type == 1:  # IDB
            lt, _, sl = struct.unpack_from(e + "HHI", body, 0)
            conv, sub_us, tsoff = _ts_converter(_pcapng_options(body, 8, e), e)
            nano = nano or sub_us
            ifaces.append((sl, conv, tsoff))
            linktypes.add(lt)
            snap = max(snap, sl or 262144)
        elif blk.type in (6, 2):  # EPB, obsolete PB
            if blk.type == 6:
                ifid, hi, lo, caplen, wirelen = struct.unpack_from(e + "IIIII", body, 0)
            else:
                ifid, _, hi, lo, caplen, wirelen = struct.unpack_from(e + "HHIIII", body, 0)
            if ifid >= len(ifaces):
                raise CapError("packet for undefined interface %d" % ifid)
            _, conv, tsoff = ifaces[ifid]
            caplen = min(caplen, len(body) - 20)
            last_ts = conv((hi << 32) | lo) + tsoff
            frames.append(Frame(last_ts, bytes(body[20:20 + caplen]), wirelen))
        elif blk.type == 3:  # SPB: no timestamp, interface 0
            if not ifaces:
                raise CapError("simple packet block before any interface")
            wirelen = struct.unpack_from(e + "I", body, 0)[0]
            caplen = min(wirelen, len(body) - 4)
            if ifaces[0][0]:
                caplen = min(caplen, ifaces[0][0])
            frames.append(Frame(last_ts, bytes(body[4:4 + caplen]), wirelen))
    if not linktypes:
        raise CapError("pcapng file without interface description block")
    if len(linktypes) > 1:
        raise CapError("pcapng interfaces have different link types %s" % sorted(linktypes))
    return Capture(linktypes.pop(), snap, nano, frames)


def pcapng_block(btype, body, endian="<"):
    """A block: type, total length, body padded to 4 bytes, total length."""
    body += b"\0" * (-len(body) % 4)
    n = 12 + len(body)
    return struct.pack(endian + "II", btype, n) + body + struct.pack(endian + "I", n)


def pcapng_option(code, value, endian="<"):
    """One option, value padded to 4 bytes; pcapng_option(0, b"") ends a list."""
    return struct.pack(endian + "HH", code, len(value)) + value + b"\0" * (-len(value) % 4)


def pcapng_shb(options=b"", endian="<"):
    """Section Header Block, version 1.0, section length unknown (-1)."""
    return pcapng_block(PCAPNG_SHB, struct.pack(endian + "IHHq", PCAPNG_BYTE_ORDER_MAGIC, 1, 0, -1)
                        + options, endian)


def pcapng_idb(linktype, snaplen=262144, options=b"", endian="<"):
    """Interface Description Block (microseconds unless options say if_tsresol)."""
    return pcapng_block(1, struct.pack(endian + "HHI", linktype, 0, snaplen) + options, endian)


def pcapng_epb(ifid, ts, data, wirelen=None, options=b"", endian="<"):
    """Enhanced Packet Block; ts is a 64-bit count of the interface's units."""
    head = struct.pack(endian + "IIIII", ifid, ts >> 32, ts & 0xFFFFFFFF, len(data),
                       len(data) if wirelen is None else wirelen)
    return pcapng_block(6, head + data + b"\0" * (-len(data) % 4) + options, endian)


def pcapng_spb(data, wirelen=None, endian="<"):
    """Simple Packet Block (interface 0, no timestamp)."""
    return pcapng_block(3, struct.pack(endian + "I", len(data) if wirelen is None else wirelen)
                        + data, endian)


# ----------------------------------------------------------------------------
# Packet decoding
# ----------------------------------------------------------------------------

def ip_offset(linktype, frame):
    """Offset of the IP header in frame, or None when it carries no IPv4 or
    IPv6 packet (or the link header says one version and the packet the
    other).  PPPoE is not followed."""
    d = frame
    if linktype == LINKTYPE_ETHERNET:
        if len(d) < 14:
            return None
        et, off = (d[12] << 8) | d[13], 14
    elif linktype == LINKTYPE_LINUX_SLL:
        if len(d) < 16:
            return None
        et, off = (d[14] << 8) | d[15], 16
    elif linktype == LINKTYPE_LINUX_SLL2:
        if len(d) < 20:
            return None
        et, off = (d[0] << 8) | d[1], 20
    elif linktype in (LINKTYPE_NULL, LINKTYPE_LOOP):
        et, off = None, 4
    elif linktype in RAW_LINKTYPES:
        et, off = None, 0
    else:
        return None
    if et is not None:
        while et in VLAN_ETHERTYPES and len(d) >= off + 4:
            et, off = (d[off + 2] << 8) | d[off + 3], off + 4
        if et not in (ETHERTYPE_IPV4, ETHERTYPE_IPV6):
            return None
    if len(d) <= off or (d[off] >> 4) not in (4, 6):
        return None
    if et == ETHERTYPE_IPV4 and d[off] >> 4 != 4 or et == ETHERTYPE_IPV6 and d[off] >> 4 != 6:
        return None
    return off


TcpSegment = collections.namedtuple(
    "TcpSegment", "src dst sport dport seq ack flags payload payload_offset")


def tcp_of(linktype, frame):
    """The TCP segment in an unfragmented IPv4 or IPv6 packet (IPv6
    Hop-by-Hop, Routing and Destination Options headers skipped), as a
    TcpSegment whose payload_offset is the payload's offset in frame; None
    for anything else."""
    off = ip_offset(linktype, frame)
    if off is None:
        return None
    l3 = frame[off:]
    if l3[0] >> 4 == 4 and len(l3) >= 20:
        ihl = (l3[0] & 15) * 4
        total = (l3[2] << 8) | l3[3]
        if l3[9] != 6 or ((l3[6] << 8) | l3[7]) & 0x3FFF:
            return None
        src, dst, t_off, end = l3[12:16], l3[16:20], ihl, total
    elif l3[0] >> 4 == 6 and len(l3) >= 40:
        nh, t_off = l3[6], 40
        end = 40 + ((l3[4] << 8) | l3[5])
        while nh in (0, 43, 60) and t_off + 2 <= len(l3):
            nh, t_off = l3[t_off], t_off + (l3[t_off + 1] + 1) * 8
        if nh != 6:
            return None
        src, dst = l3[8:24], l3[24:40]
    else:
        return None
    t = l3[t_off:end]
    if len(t) < 20:
        return None
    sport, dport, seq, ack = struct.unpack_from("!HHII", t, 0)
    doff = (t[12] >> 4) * 4
    return TcpSegment(src, dst, sport, dport, seq, ack, t[13], t[doff:], off + t_off + doff)


# ----------------------------------------------------------------------------
# Packet building
# ----------------------------------------------------------------------------

def inet_checksum(data):
    """Internet checksum (RFC 1071), the 16-bit value to store big-endian:
    the one's complement sum of 16-bit words is the big-endian value of the
    bytes modulo 0xffff (2^16 = 1 mod 0xffff)."""
    if len(data) & 1:
        data += b"\0"
    x = int.from_bytes(data, "big")
    s = x % 0xFFFF
    if s == 0 and x:
        s = 0xFFFF
    return (~s) & 0xFFFF


def ipv4_with_checksum(hdr):
    """An IPv4 header with its checksum field (bytes 10-11) computed."""
    h = bytes(hdr[:10]) + b"\0\0" + bytes(hdr[12:])
    return h[:10] + struct.pack("!H", inet_checksum(h)) + h[12:]


def tcp_with_checksum(src, dst, segment):
    """A TCP segment (header + payload) with its checksum (bytes 16-17)
    computed over the IPv4 or IPv6 pseudo-header of src and dst."""
    seg = bytes(segment[:16]) + b"\0\0" + bytes(segment[18:])
    if len(src) == 4:
        pseudo = src + dst + struct.pack("!BBH", 0, 6, len(seg))
    else:
        pseudo = src + dst + struct.pack("!IxxxB", len(seg), 6)
    return seg[:16] + struct.pack("!H", inet_checksum(pseudo + seg)) + seg[18:]


def ethernet(dst, src, ethertype, payload):
    """An Ethernet II frame (no FCS)."""
    return dst + src + struct.pack("!H", ethertype) + payload


def ipv4(src, dst, payload, ident=0, frag=0x4000, proto=6, ttl=64):
    """An IPv4 packet without options; frag: the 16-bit flags+offset field
    (DF by default)."""
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident & 0xFFFF, frag, ttl,
                      proto, 0, src, dst)
    return ipv4_with_checksum(hdr) + payload


def ipv6(src, dst, payload, nh=6, hlim=64):
    """An IPv6 packet; payload starts with the header nh names."""
    return struct.pack("!IHBB16s16s", 0x60000000, len(payload), nh, hlim, src, dst) + payload


def tcp(src, dst, sport, dport, seq, ack, flags, payload=b"", win=64240, opts=b""):
    """A TCP segment with options opts (a multiple of 4 bytes) and a correct
    checksum for the addresses src and dst (4 or 16 bytes)."""
    hdr = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF,
                      ((20 + len(opts)) // 4) << 4, flags, win, 0, 0) + opts
    return tcp_with_checksum(src, dst, hdr + payload)
