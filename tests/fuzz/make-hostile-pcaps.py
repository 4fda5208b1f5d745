#!/usr/bin/env python3
"""Hostile captures that reproduce, through the CLI, the defects the fuzz
targets found (tests/fuzz/README.md lists them).  Each is an ordinary
fixture from tests/pcaps with one thing changed.

    tests/fuzz/make-hostile-pcaps.py [OUTDIR]     (default tests/pcaps/hostile)

Standard library only; deterministic.  The outputs are committed; the same
files are fuzz_pcap regression inputs (tests/fuzz/regressions/fuzz_pcap/).
"""
import os
import struct
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def read_pcap(path):
    with open(path, 'rb') as f:
        data = f.read()
    assert data[:4] == b'\xd4\xc3\xb2\xa1', path
    header, packets, off = bytearray(data[:24]), [], 24
    while off + 16 <= len(data):
        rec = list(struct.unpack('<IIII', data[off:off + 16]))
        packets.append([rec, bytearray(data[off + 16:off + 16 + rec[2]])])
        off += 16 + rec[2]
    return header, packets


def write_pcap(path, header, packets):
    with open(path, 'wb') as f:
        f.write(header)
        for rec, frame in packets:
            rec[2] = len(frame)
            f.write(struct.pack('<IIII', *rec))
            f.write(frame)


def tcp_payload_offset(frame):
    """Offset of the TCP payload in an Ethernet/IPv4 frame (fixtures only)."""
    assert frame[12:14] == b'\x08\x00'
    ihl = (frame[14] & 15) * 4
    return 14 + ihl + (frame[14 + ihl + 12] >> 4) * 4


def find(packets, pred):
    for i, (_, frame) in enumerate(packets):
        off = tcp_payload_offset(frame)
        if pred(frame[off:]):
            return i, off
    raise SystemExit('no such packet')


def snaplen_cut(src, hs_type, keep):
    """The segment starting with a handshake record of hs_type, captured up to
    `keep` bytes of the message body (the rest cut off as a snaplen would)."""
    header, packets = read_pcap(os.path.join(ROOT, 'tests', 'pcaps', src))
    i, off = find(packets, lambda p: len(p) > 9 and p[0] == 0x16 and p[5] == hs_type)
    packets[i][1] = packets[i][1][:off + 5 + 4 + keep]  # wire length (rec[3]) unchanged
    return header, packets


def pcapng_block(btype, body):
    body += b'\0' * (-len(body) % 4)
    n = 12 + len(body)
    return struct.pack('<II', btype, n) + body + struct.pack('<I', n)


def huge_timestamps(src, start):
    """The fixture as pcapng, its 64-bit microsecond timestamps from `start`
    (2^64 - 2^40 us is year 584,000: seconds * 10^6 no longer fit 64 bits)."""
    _, packets = read_pcap(os.path.join(ROOT, 'tests', 'pcaps', src))
    out = pcapng_block(0x0A0D0D0A, struct.pack('<IHHq', 0x1A2B3C4D, 1, 0, -1))
    out += pcapng_block(1, struct.pack('<HHI', 1, 0, 262144))
    for i, (rec, frame) in enumerate(packets):
        t = start + i * 1000
        out += pcapng_block(6, struct.pack('<IIIII', 0, t >> 32, t & 0xffffffff, len(frame), rec[3]) + frame)
    return out


CASES = {
    # ClientHello cut 10 bytes into its body: fewer than the 32 random bytes
    'truncated-clienthello-random.pcap': lambda: snaplen_cut('tls12-ecdhe-rsa.pcap', 1, 10),
    # ServerHello cut 10 bytes into its body
    'truncated-serverhello-random.pcap': lambda: snaplen_cut('tls12-ecdhe-rsa.pcap', 2, 10),
    # pcapng timestamps whose microseconds overflow 64 bits (td_capture_time clamps them)
    'pcapng-timestamp-overflow.pcapng': lambda: huge_timestamps('tls12-ecdhe-rsa.pcap', 2**64 - 2**40),
}


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, 'tests', 'pcaps', 'hostile')
    os.makedirs(outdir, exist_ok=True)
    for name, make in sorted(CASES.items()):
        made = make()
        if isinstance(made, bytes):
            with open(os.path.join(outdir, name), 'wb') as f:
                f.write(made)
        else:
            write_pcap(os.path.join(outdir, name), *made)
        print(os.path.join(outdir, name))


if __name__ == '__main__':
    main()
