#!/usr/bin/env python3
"""Write a capture of N concurrent TLS connections for the benchmark: each
is a SYN and a ClientHello from its own client address and port (taken from
a fixture's first SYN and ClientHello), and none of them ends, so the
connection table holds them all at once (or evicts, within its cap).

usage: gen-flows.py OUT.pcap N FIXTURE.pcap
Input: an Ethernet IPv4 fixture whose first packet is the client's SYN and
whose first payload-carrying client packet is its ClientHello.  Checksums
are not fixed up (tlsdissect does not verify them).  Output: little-endian
microsecond pcap.
"""
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import pcaplib  # noqa: E402  (tools/pcaplib.py)


def main():
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    out, n, fixture = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    frames = [fr.data for fr in pcaplib.read_capture(fixture).frames]
    syn = frames[0]
    caddr, cport = syn[26:30], syn[34:36]

    def payload_len(fr):
        ip = 14 + (fr[14] & 15) * 4
        return len(fr) - ip - (fr[ip + 12] >> 4) * 4

    hello = next(fr for fr in frames[1:] if fr[26:30] == caddr and fr[34:36] == cport and payload_len(fr) > 0)
    base = 1700000000 * 1000000
    with open(out, "wb") as f:
        w = pcaplib.PcapWriter(f, pcaplib.LINKTYPE_ETHERNET, 262144)
        for i in range(n):
            addr = bytes([10, (i >> 16) & 255, (i >> 8) & 255, i & 255])
            port = struct.pack(">H", 1024 + (i >> 24))
            for k, fr in enumerate((syn, hello)):
                b = bytearray(fr)
                b[26:30], b[34:36] = addr, port
                w.write((base + i * 10 + k) * 1000, bytes(b), len(b))
    print(f"{out}: {n} connections")


if __name__ == "__main__":
    main()
