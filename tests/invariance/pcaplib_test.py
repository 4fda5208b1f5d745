#!/usr/bin/env python3
"""Unit tests of tools/pcaplib.py, the capture and packet code every tool
shares (mangle.py, hostile.py, the fuzz seed maker, the benchmark).

Round trips through every file form the tools write (classic pcap in both
byte orders with micro- and nanosecond timestamps, pcapng with EPBs and SPBs
in both byte orders and with if_tsresol / if_tsoffset), cut files, the
RFC 1071 checksum against the RFC's own example, and the TCP decoding of
packets built by the builders.

usage: pcaplib_test.py     (make invariance runs it; exit 0 when all pass)
"""
import io
import os
import struct
import sys
import tempfile
import unittest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import pcaplib  # noqa: E402

FRAMES = [(1767225600 * 10**9 + 123456789, b"\x01" * 60, 60),
          (1767225601 * 10**9 + 5000, b"\x02" * 61, 1514)]


def quiet(_msg):
    """A warn callback that says nothing."""


class ClassicPcap(unittest.TestCase):
    def round_trip(self, nano, endian):
        path = os.path.join(self.tmp, "t.pcap")
        pcaplib.write_pcap(path, 113, 65535, nano, FRAMES, endian)
        cap = pcaplib.read_capture(path)
        self.assertEqual((cap.linktype, cap.snaplen, cap.nano), (113, 65535, nano))
        want = [(ts if nano else ts // 1000 * 1000, d, w) for ts, d, w in FRAMES]
        self.assertEqual([tuple(f) for f in cap.frames], want)
        with open(path, "rb") as f:
            return f.read()

    def setUp(self):
        self._dir = tempfile.TemporaryDirectory()
        self.tmp = self._dir.name

    def tearDown(self):
        self._dir.cleanup()

    def test_micro_little_endian(self):
        data = self.round_trip(False, "<")
        self.assertEqual(data[:4], b"\xd4\xc3\xb2\xa1")
        self.assertEqual(struct.unpack_from("<II", data, 24), (1767225600, 123456))

    def test_nano_big_endian(self):
        data = self.round_trip(True, ">")
        self.assertEqual(data[:4], b"\xa1\xb2\x3c\x4d")
        self.assertEqual(struct.unpack_from(">II", data, 24), (1767225600, 123456789))

    def test_cut_record_stops_with_a_warning(self):
        data = pcaplib.pcap_header(1) + b"".join(pcaplib.pcap_record(*f) for f in FRAMES)
        said = []
        cap = pcaplib.read_pcap(data[:-10], said.append)
        self.assertEqual(len(cap.frames), 1)
        self.assertEqual(len(said), 1)
        self.assertIn("beyond end of file", said[0])
        cap = pcaplib.read_pcap(data[:24 + 16 + 60 + 7], said.append)
        self.assertEqual(len(cap.frames), 1)
        self.assertIn("truncated record header", said[1])

    def test_not_a_pcap(self):
        with self.assertRaises(pcaplib.CapError):
            pcaplib.read_pcap(b"\0" * 24)

    def test_streaming_writer_counts_bytes(self):
        f = io.BytesIO()
        w = pcaplib.PcapWriter(f, snaplen=64)
        w.write(0, b"abc")
        self.assertEqual(w.size, len(f.getvalue()))
        self.assertEqual(w.size, 24 + 16 + 3)
        self.assertEqual(struct.unpack_from("<I", f.getvalue(), 16)[0], 64)


class Pcapng(unittest.TestCase):
    def test_epb_and_options_little_endian(self):
        opt = pcaplib.pcapng_option
        idb = pcaplib.pcapng_idb(1, 0, opt(9, b"\x09") + opt(14, struct.pack("<q", 2)) + opt(0, b""))
        data = (pcaplib.pcapng_shb() + idb + pcaplib.pcapng_block(0x0BAD0BAD, b"skip me")
                + b"".join(pcaplib.pcapng_epb(0, ts, d, w) for ts, d, w in FRAMES))
        cap = pcaplib.read_pcapng(data, quiet)
        self.assertEqual((cap.linktype, cap.snaplen, cap.nano), (1, 262144, True))
        self.assertEqual([tuple(f) for f in cap.frames],
                         [(ts + 2 * 10**9, d, w) for ts, d, w in FRAMES])

    def test_spb_big_endian_microseconds(self):
        e = ">"
        data = (pcaplib.pcapng_shb(endian=e) + pcaplib.pcapng_idb(101, 62, endian=e)
                + pcaplib.pcapng_epb(0, 7, b"\x45" * 20, endian=e)
                + pcaplib.pcapng_spb(b"\x46" * 70, endian=e))
        cap = pcaplib.read_pcapng(data, quiet)
        self.assertFalse(cap.nano)
        self.assertEqual([(f.ts, len(f.data), f.wirelen) for f in cap.frames],
                         [(7000, 20, 20), (7000, 62, 70)])  # the SPB: snaplen 62, last time

    def test_blocks_stop_at_damage(self):
        good = pcaplib.pcapng_shb() + pcaplib.pcapng_idb(1)
        blocks = list(pcaplib.pcapng_blocks(good + b"\x06\0\0\0\x0d\0\0\0" + b"\0" * 20))
        self.assertEqual([b.type for b in blocks], [pcaplib.PCAPNG_SHB, 1])
        self.assertEqual(blocks[-1].offset + len(blocks[-1].raw), len(good))

    def test_two_link_types_refused(self):
        data = pcaplib.pcapng_shb() + pcaplib.pcapng_idb(1) + pcaplib.pcapng_idb(113)
        with self.assertRaises(pcaplib.CapError):
            pcaplib.read_pcapng(data, quiet)


class Packets(unittest.TestCase):
    def test_rfc1071_example(self):
        # RFC 1071 §3: the words 0001 f203 f4f5 f6f7 sum to ddf2 (one's complement)
        self.assertEqual(pcaplib.inet_checksum(bytes.fromhex("0001f203f4f5f6f7")), 0xFFFF - 0xDDF2)
        self.assertEqual(pcaplib.inet_checksum(b""), 0xFFFF)

    def test_built_packets_verify(self):
        src, dst = bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])
        seg = pcaplib.tcp(src, dst, 50000, 443, 7, 9, pcaplib.PSH | pcaplib.ACK, b"hello",
                          opts=b"\x02\x04\x05\xb4")
        ip = pcaplib.ipv4(src, dst, seg, ident=5)
        self.assertEqual(pcaplib.inet_checksum(ip[:20]), 0)  # a correct header sums to 0xffff
        pseudo = src + dst + struct.pack("!BBH", 0, 6, len(seg))
        self.assertEqual(pcaplib.inet_checksum(pseudo + seg), 0)
        frame = pcaplib.ethernet(b"\x02" * 6, b"\x04" * 6, pcaplib.ETHERTYPE_IPV4, ip)
        t = pcaplib.tcp_of(pcaplib.LINKTYPE_ETHERNET, frame)
        self.assertEqual((t.src, t.dst, t.sport, t.dport, t.seq, t.ack, t.payload),
                         (src, dst, 50000, 443, 7, 9, b"hello"))
        self.assertEqual(frame[t.payload_offset:], b"hello")

    def test_ipv6_extension_headers_and_vlan(self):
        src, dst = b"\x20" + b"\0" * 14 + b"\x01", b"\x20" + b"\0" * 14 + b"\x02"
        seg = pcaplib.tcp(src, dst, 1, 2, 3, 0, pcaplib.SYN)
        hop = bytes([6, 0, 1, 4, 0, 0, 0, 0])        # Hop-by-Hop, next header TCP
        ip = pcaplib.ipv6(src, dst, hop + seg, nh=0)
        frame = b"\x02" * 12 + b"\x81\x00\x00\x07" + b"\x86\xdd" + ip
        self.assertEqual(pcaplib.ip_offset(1, frame), 18)
        t = pcaplib.tcp_of(1, frame)
        self.assertEqual((t.sport, t.dport, t.flags, t.payload), (1, 2, pcaplib.SYN, b""))

    def test_fragments_and_mismatched_versions_are_not_tcp(self):
        src, dst = bytes(4), bytes(4)
        frag = pcaplib.ipv4(src, dst, pcaplib.tcp(src, dst, 1, 2, 0, 0, 0), frag=0x2000)
        self.assertIsNone(pcaplib.tcp_of(pcaplib.LINKTYPE_RAW, frag))
        v4_as_v6 = b"\x02" * 12 + b"\x86\xdd" + pcaplib.ipv4(src, dst, b"")
        self.assertIsNone(pcaplib.ip_offset(1, v4_as_v6))


if __name__ == "__main__":
    unittest.main(verbosity=1)
