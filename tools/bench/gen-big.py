#!/usr/bin/env python3
"""Write a large capture for the benchmark by replaying fixtures many times:
each copy of a fixture's connections gets its own client address and port
and later timestamps, so every copy is a new TCP connection and every
handshake is dissected afresh.

usage: gen-big.py OUT.pcap MEGABYTES FIXTURE.pcap [FIXTURE.pcap ...]
Inputs: classic pcap, Ethernet, IPv4 (the loopback fixtures).  Checksums are
not fixed up (tlsdissect and libpcap do not verify them).
"""
import struct
import sys


def read(path):
    data = open(path, "rb").read()
    if data[:4] != b"\xd4\xc3\xb2\xa1":
        raise SystemExit(f"{path}: need a little-endian microsecond pcap")
    if struct.unpack("<I", data[20:24])[0] != 1:
        raise SystemExit(f"{path}: need Ethernet")
    pos, packets = 24, []
    t0 = None
    while pos + 16 <= len(data):
        sec, usec, caplen, length = struct.unpack("<IIII", data[pos:pos + 16])
        frame = data[pos + 16:pos + 16 + caplen]
        pos += 16 + caplen
        if len(frame) < 34 or frame[12:14] != b"\x08\x00":
            continue
        t = sec * 1000000 + usec
        t0 = t if t0 is None else t0
        packets.append((t - t0, length, frame))
    return packets


def main():
    if len(sys.argv) < 4:
        raise SystemExit(__doc__)
    out, megabytes, inputs = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    fixtures = [f for f in (read(p) for p in inputs) if f]  # IPv4 ones only
    # the client of each fixture: the source of its first packet
    clients = [(f[0][2][26:30], f[0][2][34:36]) for f in fixtures]
    limit = megabytes * 1000000
    written = 24
    base = 1700000000 * 1000000
    copy = 0
    with open(out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        while written < limit:
            for packets, (caddr, cport) in zip(fixtures, clients):
                # a new client per copy: 10.x.y.z and a port from the copy number
                newaddr = bytes([10, (copy >> 16) & 255, (copy >> 8) & 255, copy & 255])
                newport = struct.pack(">H", 1024 + copy % 60000)
                chunks = []
                for dt, length, frame in packets:
                    fr = bytearray(frame)
                    if fr[26:30] == caddr and fr[34:36] == cport:
                        fr[26:30], fr[34:36] = newaddr, newport
                    elif fr[30:34] == caddr and fr[36:38] == cport:
                        fr[30:34], fr[36:38] = newaddr, newport
                    t = base + copy * 2000 + dt
                    chunks.append(struct.pack("<IIII", t // 1000000, t % 1000000, len(fr), length))
                    chunks.append(bytes(fr))
                blob = b"".join(chunks)
                f.write(blob)
                written += len(blob)
                copy += 1
    print(f"{out}: {written / 1e6:.0f} MB, {copy} connection copies")


if __name__ == "__main__":
    main()
