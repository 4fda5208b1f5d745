#!/usr/bin/env python3
"""Write a large capture for the benchmark by replaying fixtures many times:
each copy of a fixture's connections gets its own client address and port
and later timestamps, so every copy is a new TCP connection and every
handshake is dissected afresh.

usage: gen-big.py OUT.pcap MEGABYTES FIXTURE.pcap [FIXTURE.pcap ...]
Inputs: Ethernet captures (read by tools/pcaplib.py); only their IPv4 packets
without options are replayed (the loopback fixtures).  Checksums are not fixed
up (tlsdissect and libpcap do not verify them).  Output: little-endian
microsecond pcap.
"""
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import pcaplib  # noqa: E402  (tools/pcaplib.py)


def read(path):
    """[(microseconds since the first packet, wire length, frame)] of the IPv4 frames."""
    capture = pcaplib.read_capture(path)
    if capture.linktype != pcaplib.LINKTYPE_ETHERNET:
        raise SystemExit(f"{path}: need Ethernet")
    packets, t0 = [], None
    for fr in capture.frames:
        if len(fr.data) < 34 or fr.data[12:14] != b"\x08\x00":
            continue
        t = fr.ts // 1000
        t0 = t if t0 is None else t0
        packets.append((t - t0, fr.wirelen, fr.data))
    return packets


def main():
    if len(sys.argv) < 4:
        raise SystemExit(__doc__)
    out, megabytes, inputs = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    fixtures = [f for f in (read(p) for p in inputs) if f]  # IPv4 ones only
    # the client of each fixture: the source of its first packet
    clients = [(f[0][2][26:30], f[0][2][34:36]) for f in fixtures]
    limit = megabytes * 1000000
    base = 1700000000 * 1000000
    copy = 0
    with open(out, "wb") as f:
        w = pcaplib.PcapWriter(f, pcaplib.LINKTYPE_ETHERNET, 262144)
        while w.size < limit:
            for packets, (caddr, cport) in zip(fixtures, clients):
                # a new client per copy: 10.x.y.z and a port from the copy number
                newaddr = bytes([10, (copy >> 16) & 255, (copy >> 8) & 255, copy & 255])
                newport = struct.pack(">H", 1024 + copy % 60000)
                for dt, length, frame in packets:
                    fr = bytearray(frame)
                    if fr[26:30] == caddr and fr[34:36] == cport:
                        fr[26:30], fr[34:36] = newaddr, newport
                    elif fr[30:34] == caddr and fr[36:38] == cport:
                        fr[30:34], fr[36:38] = newaddr, newport
                    w.write((base + copy * 2000 + dt) * 1000, bytes(fr), length)
                copy += 1
    print(f"{out}: {w.size / 1e6:.0f} MB, {copy} connection copies")


if __name__ == "__main__":
    main()
