#!/usr/bin/env python3
"""Re-encapsulate an Ethernet capture in another link type, keeping every IP
packet byte for byte: the fixtures for link-layer decoding are the same real
TLS traffic as the Ethernet ones, so their dissection must be identical.

usage: relink.py TYPE IN.pcap OUT.pcap
TYPE: sll (Linux cooked v1, DLT 113), sll2 (v2, DLT 276), null (BSD loopback,
      DLT 0, host byte order), loop (DLT 108, network order), raw (LINKTYPE_RAW
      101), ipv4 (228) / ipv6 (229) (only packets of that version), qinq
      (Ethernet with an 802.1ad outer tag 10 and an 802.1Q inner tag 20),
      pppoe (Ethernet PPPoE session).
Only classic pcap input with Ethernet (1) is accepted; output is classic pcap.
"""
import struct
import sys

LINKTYPES = {"sll": 113, "sll2": 276, "null": 0, "loop": 108, "raw": 101,
             "ipv4": 228, "ipv6": 229, "qinq": 1, "pppoe": 1}


def read_pcap(path):
    data = open(path, "rb").read()
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        end = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        end = ">"
    else:
        raise SystemExit(f"{path}: not a classic pcap file")
    _, _, _, _, _, snaplen, linktype = struct.unpack(end + "IHHiIII", data[:24])
    if linktype != 1:
        raise SystemExit(f"{path}: link type {linktype}, need Ethernet (1)")
    pos, packets = 24, []
    while pos + 16 <= len(data):
        sec, frac, caplen, length = struct.unpack(end + "IIII", data[pos:pos + 16])
        packets.append((sec, frac, length, data[pos + 16:pos + 16 + caplen]))
        pos += 16 + caplen
    return magic, end, snaplen, packets


def convert(kind, frame):
    dst, src, ethertype = frame[0:6], frame[6:12], struct.unpack(">H", frame[12:14])[0]
    payload = frame[14:]
    if ethertype not in (0x0800, 0x86DD):
        return None
    version = 4 if ethertype == 0x0800 else 6
    if kind == "sll":
        return struct.pack(">HHH", 0, 772, 6) + src + b"\0\0" + struct.pack(">H", ethertype) + payload
    if kind == "sll2":
        return struct.pack(">HHIHBB", ethertype, 0, 1, 772, 0, 6) + src + b"\0\0" + payload
    if kind == "null":
        return struct.pack("<I", 2 if version == 4 else 30) + payload
    if kind == "loop":
        return struct.pack(">I", 2 if version == 4 else 30) + payload
    if kind == "raw":
        return payload
    if kind in ("ipv4", "ipv6"):
        return payload if kind == f"ipv{version}" else None
    if kind == "qinq":
        return dst + src + struct.pack(">HHHHH", 0x88A8, 10, 0x8100, 20, ethertype) + payload
    if kind == "pppoe":
        ppp = 0x0021 if version == 4 else 0x0057
        return dst + src + struct.pack(">HBBHHH", 0x8864, 0x11, 0, 0x1234, len(payload) + 2, ppp) + payload
    raise SystemExit(f"unknown type {kind}")


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in LINKTYPES:
        raise SystemExit(__doc__)
    kind, src, dst = sys.argv[1:]
    magic, end, snaplen, packets = read_pcap(src)
    out = [struct.pack(end + "IHHiIII", struct.unpack(end + "I", magic)[0], 2, 4, 0, 0, snaplen,
                       LINKTYPES[kind])]
    for sec, frac, length, frame in packets:
        new = convert(kind, frame)
        if new is None:
            continue
        delta = len(new) - len(frame)
        out.append(struct.pack(end + "IIII", sec, frac, len(new), length + delta) + new)
    open(dst, "wb").write(b"".join(out))


if __name__ == "__main__":
    main()
