#!/usr/bin/env python3
"""Write a large capture for the benchmark by replaying fixtures many times:
each copy of a fixture's connections gets its own client address and port
and later timestamps, so every copy is a new TCP connection and every
handshake is dissected afresh.  The hellos' randoms and session IDs are
changed in every copy (XORed with bytes of the copy's own), so that no
cache can key on them and win: only what repeats in real traffic (the lists
a client sends, the certificates a server sends) repeats here.

usage: gen-big.py OUT.pcap MEGABYTES FIXTURE.pcap [FIXTURE.pcap ...]
Inputs: Ethernet captures (read by tools/pcaplib.py); only their IPv4 packets
without options are replayed (the loopback fixtures).  Checksums are not fixed
up (tlsdissect and libpcap do not verify them).  Output: little-endian
microsecond pcap.
"""
import hashlib
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


# RFC 8446 §4.1.3: SHA-256("HelloRetryRequest")
HRR_RANDOM = bytes.fromhex("cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c")


def vary_hellos(fr, copy):
    """XOR the random and session ID of a ClientHello/ServerHello that starts this segment."""
    if len(fr) < 34 or fr[23] != 6:  # IPv4 TCP only
        return
    tcp = 14 + (fr[14] & 15) * 4
    if len(fr) < tcp + 20:
        return
    p = tcp + (fr[tcp + 12] >> 4) * 4  # the TCP payload
    # record header (5), handshake header (4), version (2), random (32), session_id<0..32>
    if len(fr) < p + 44 or fr[p] != 22 or fr[p + 1] != 3 or fr[p + 5] not in (1, 2):
        return
    mask = hashlib.sha256(copy.to_bytes(8, "little")).digest()
    if bytes(fr[p + 11:p + 43]) != HRR_RANDOM:  # a HelloRetryRequest is told by its random
        for i in range(32):
            fr[p + 11 + i] ^= mask[i]
    sid_len = fr[p + 43]
    if sid_len <= 32 and len(fr) >= p + 44 + sid_len:
        for i in range(sid_len):
            fr[p + 44 + i] ^= mask[31 - i]


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
                    vary_hellos(fr, copy)
                    w.write((base + copy * 2000 + dt) * 1000, bytes(fr), length)
                copy += 1
    print(f"{out}: {w.size / 1e6:.0f} MB, {copy} connection copies")


if __name__ == "__main__":
    main()
