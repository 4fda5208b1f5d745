#!/usr/bin/env python3
"""hostile.py - crafted hostile captures for tlsdissect.

    tools/hostile.py CASE [--scale N] [--seed N] OUT|-
    tools/hostile.py --list

Writes one named case per invocation as a classic pcap (Ethernet, IPv4 unless
the case says otherwise; microsecond timestamps from 2026-01-01T00:00:00Z) to
OUT, or to standard output with `-` so that the big cases can be streamed
straight into `tlsdissect -r -` without ever touching the disk.

Every case is built from real-looking TCP connections: SYN (with MSS), SYN-ACK,
ACK, data segments with correct sequence and acknowledgement numbers, ACKs
from the receiver that never acknowledge bytes that were not sent, FIN from
both sides; IPv4 header and TCP checksums are correct.  What is hostile is the
TLS inside (or, for the transport cases, the way it is carried).  Most cases
end with a "sentinel": an ordinary, well-formed TLS 1.2 handshake with SNI
`sentinel.hostile.test`, so a test can check that the dissector is still
working after the attack.

--scale N is the size of the cases that have one (suffixes k/M/G = 10^3,
10^6, 10^9): trickle = TCP segments carrying the handshake (default 100000),
retrans-storm = retransmissions (10000), syn-flood = SYNs (1000000),
garbage-flood = bytes of garbage (1G), frag-incomplete = datagrams left
incomplete (100000).  The other cases ignore it.

Cases that need a certificate (lying-lengths, evil-strings, record-too-long,
and the server flights) make a throw-away self-signed P-256 certificate with
the openssl command line in a private temporary directory; evil-strings then
patches hostile bytes into its subject CN and SAN dNSName in the DER, keeping
every length consistent (the signature no longer verifies; nothing here
validates it).  pcapng-unknown-blocks, snaplen-64, the cut-* cases and the
reproducers of fuzzing finds (truncated-clienthello-random,
truncated-serverhello-random, pcapng-timestamp-overflow: committed in
tests/pcaps/hostile/, deterministic) are made from
tests/pcaps/tls12-ecdhe-rsa.pcap; the pcapng cases (PCAPNG_CASES) write
pcapng.  Files and packets are built with tools/pcaplib.py.

The module can also be imported (tests/hostile/run.py does): CASES maps each
name to its function, LYING_LENGTHS lists the lying-lengths connections with
their client ports and expected anomalies, EVIL lists the evil-strings values.
Pure Python 3 standard library (plus the openssl binary for certificates), but
for the QUIC case, which protects its packets with the python3-cryptography
package (AES-GCM, AES-ECB, HKDF).
"""

import argparse
import io
import ipaddress
import os
import random
import struct
import subprocess
import sys
import tempfile
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pcaplib import (ACK, ETHERTYPE_IPV4, ETHERTYPE_IPV6, FIN, PSH, SYN,  # noqa: E402
                     PcapWriter, ethernet, inet_checksum, ipv4, ipv6, pcap_header, pcap_record,
                     pcapng_block, pcapng_epb, pcapng_idb, pcapng_option, pcapng_shb,
                     read_capture, tcp, tcp_of)

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
FIXTURE = os.path.join(ROOT, "tests", "pcaps", "tls12-ecdhe-rsa.pcap")
BASE_US = 1767225600 * 1000000          # 2026-01-01T00:00:00Z
SENTINEL_SNI = b"sentinel.hostile.test"

# ----------------------------------------------------------------------------
# pcap writing
# ----------------------------------------------------------------------------


class Writer:
    """Classic pcap, little-endian, microseconds (pcaplib.PcapWriter).  The
    clock t is in microseconds; every packet advances it by `step`."""

    def __init__(self, f, snaplen=262144, linktype=1, step=20):
        self.f = f
        self.pcap = PcapWriter(f, linktype, snaplen)
        self.t = BASE_US
        self.step = step
        self.count = 0

    def packet(self, frame, caplen=None):
        self.t += self.step
        self.pcap.write(self.t * 1000, frame if caplen is None else frame[:caplen], len(frame))
        self.count += 1

    def pause(self, us):
        self.t += us


# ----------------------------------------------------------------------------
# Ethernet / IP / TCP
# ----------------------------------------------------------------------------

MAC_C = bytes.fromhex("020000000001")
MAC_S = bytes.fromhex("020000000002")
C, S = 0, 1


def packed(ip):
    return ipaddress.ip_address(ip).packed


def eth(payload, v6=False, src=MAC_C, dst=MAC_S):
    """An Ethernet frame from the client's MAC to the server's (by default)."""
    return ethernet(dst, src, ETHERTYPE_IPV6 if v6 else ETHERTYPE_IPV4, payload)


MSS_OPT = b"\x02\x04\x05\xb4"   # MSS 1460


class Conn:
    """One TCP connection between a client and a server, written packet by
    packet with correct sequence and acknowledgement numbers.  nxt[side] is
    the next sequence number that side will send; ISNs may be given to place
    the sequence space anywhere (seq-wrap)."""

    def __init__(self, w, cip, cport, sip, sport, isn_c=None, isn_s=None, rng=None):
        rng = rng or random.Random(cport)
        self.w = w
        self.v6 = ":" in cip
        self.addr = (packed(cip), packed(sip))
        self.port = (cport, sport)
        self.isn = [rng.getrandbits(32) if isn_c is None else isn_c,
                    rng.getrandbits(32) if isn_s is None else isn_s]
        self.nxt = [self.isn[0], self.isn[1]]
        self.ipid = [rng.getrandbits(16), rng.getrandbits(16)]

    # -- raw building blocks ---------------------------------------------
    def tcp_bytes(self, side, flags, payload=b"", seq=None, ack=None, opts=b""):
        o = 1 - side
        if seq is None:
            seq = self.nxt[side]
        if ack is None:
            ack = self.nxt[o] if flags & ACK else 0
        return tcp(self.addr[side], self.addr[o], self.port[side], self.port[o], seq, ack, flags,
                   payload, opts=opts)

    def ip_frame(self, side, l4):
        """l4 bytes in one unfragmented IP packet inside an Ethernet frame."""
        o = 1 - side
        macs = (MAC_C, MAC_S) if side == C else (MAC_S, MAC_C)
        if self.v6:
            return eth(ipv6(self.addr[side], self.addr[o], l4), True, *macs)
        self.ipid[side] += 1
        return eth(ipv4(self.addr[side], self.addr[o], l4, self.ipid[side]), False, *macs)

    def fragments(self, side, l4, pieces, ident=None):
        """Emit l4 as IP fragments.  pieces: list of (offset, data) with offset
        a multiple of 8 (data None = the original bytes l4[offset:offset+n]
        given as (offset, n) in an int); the piece reaching the end has MF=0."""
        o = 1 - side
        macs = (MAC_C, MAC_S) if side == C else (MAC_S, MAC_C)
        if ident is None:
            self.ipid[side] += 1
            ident = self.ipid[side] if not self.v6 else 0x10000 + self.ipid[side]
        for off, data in pieces:
            if isinstance(data, int):
                data = l4[off:off + data]
            more = off + len(data) < len(l4)
            self.w.packet(frag_frame(self.addr[side], self.addr[o], data, off, more, ident,
                                     self.v6, macs))

    def seg(self, side, flags, payload=b"", seq=None, advance=True, opts=b""):
        self.w.packet(self.ip_frame(side, self.tcp_bytes(side, flags, payload, seq, opts=opts)))
        if advance and seq is None:
            self.nxt[side] = (self.nxt[side] + len(payload) + (1 if flags & (SYN | FIN) else 0)) \
                & 0xFFFFFFFF

    # -- the usual life of a connection ----------------------------------
    def open(self):
        self.seg(C, SYN, opts=MSS_OPT)
        self.seg(S, SYN | ACK, opts=MSS_OPT)
        self.seg(C, ACK)
        return self

    def ack(self, side):
        self.seg(side, ACK)

    def send(self, side, data, mss=1448, ack_every=2):
        """data from side in segments of at most mss bytes; the peer ACKs
        every ack_every segments and at the end."""
        n = 0
        for i in range(0, len(data), mss):
            self.seg(side, PSH | ACK, data[i:i + mss])
            n += 1
            if ack_every and n % ack_every == 0:
                self.ack(1 - side)
        if ack_every and n % ack_every:
            self.ack(1 - side)

    def close(self):
        self.seg(C, FIN | ACK)
        self.seg(S, FIN | ACK)
        self.seg(C, ACK)


def frag_frame(src, dst, data, off, more, ident, v6, macs=(MAC_C, MAC_S)):
    if v6:
        fh = struct.pack("!BBHI", 6, 0, (off & ~7) | (1 if more else 0), ident & 0xFFFFFFFF)
        return eth(ipv6(src, dst, fh + data, nh=44), True, *macs)
    return eth(ipv4(src, dst, data, ident, ((1 << 13) if more else 0) | (off >> 3)), False, *macs)


# ----------------------------------------------------------------------------
# TLS building blocks
# ----------------------------------------------------------------------------

def u8(n):
    return struct.pack("!B", n & 0xFF)


def u16(n):
    return struct.pack("!H", n & 0xFFFF)


def u24(n):
    return struct.pack("!I", n & 0xFFFFFF)[1:]


def v8(b, n=None):
    return u8(len(b) if n is None else n) + b


def v16(b, n=None):
    return u16(len(b) if n is None else n) + b


def v24(b, n=None):
    return u24(len(b) if n is None else n) + b


HANDSHAKE, ALERT, CCS, APPDATA = 22, 21, 20, 23


def record(body, ct=HANDSHAKE, ver=0x0303, length=None):
    return u8(ct) + u16(ver) + u16(len(body) if length is None else length) + body


def records(body, ct=HANDSHAKE, ver=0x0303, size=16384):
    """A handshake stream cut into records of at most size bytes."""
    return b"".join(record(body[i:i + size], ct, ver) for i in range(0, len(body), size))


def hs(mtype, body, length=None):
    return u8(mtype) + u24(len(body) if length is None else length) + body


CLIENT_HELLO, SERVER_HELLO, CERTIFICATE, SERVER_KEY_EXCHANGE, SERVER_HELLO_DONE = 1, 2, 11, 12, 14
SUITES = [0xC02B, 0xC02F, 0xC02C, 0xC030, 0xCCA9, 0xCCA8, 0x009E, 0x1301, 0x1302, 0x1303]


def ext(etype, data, length=None):
    return u16(etype) + v16(data, length)


def ext_sni(name):
    return ext(0, v16(u8(0) + v16(name)))


def ext_alpn(protos):
    return ext(16, v16(b"".join(v8(p) for p in protos)))


def ext_groups(groups=(29, 23, 24)):
    return ext(10, v16(b"".join(u16(g) for g in groups)))


def ext_sigalgs(algs=(0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601)):
    return ext(13, v16(b"".join(u16(a) for a in algs)))


def ext_versions(vers=(0x0304, 0x0303)):
    return ext(43, v8(b"".join(u16(v) for v in vers)))


def ext_key_share(shares=((29, b"\x11" * 32),)):
    return ext(51, v16(b"".join(u16(g) + v16(k) for g, k in shares)))


def ext_padding(n):
    return ext(21, b"\0" * n)


def default_extensions(sni, alpn=(b"h2", b"http/1.1")):
    e = []
    if sni is not None:
        e.append(ext_sni(sni))
    e += [ext(0xFF01, b"\0"), ext_groups(), ext(11, v8(b"\0")), ext(35, b"")]
    if alpn:
        e.append(ext_alpn(alpn))
    e += [ext(23, b""), ext_sigalgs(), ext_versions(), ext(45, v8(b"\x01")), ext_key_share()]
    return e


def client_hello(sni=SENTINEL_SNI, alpn=(b"h2", b"http/1.1"), exts=None, extra_exts=(),
                 session_id=None, suites=None, comp=None, exts_raw=None, random_=None):
    """A ClientHello body.  exts: list of extension bytes (default: a modern
    browser-like set); exts_raw / suites / comp / session_id: the raw vector
    bytes *including* their length prefix, to make them lie."""
    if exts is None:
        exts = default_extensions(sni, alpn)
    exts = list(exts) + list(extra_exts)
    body = u16(0x0303) + (random_ or bytes(range(32)))
    body += session_id if session_id is not None else v8(bytes(range(0xA0, 0xC0)))
    body += suites if suites is not None else v16(b"".join(u16(s) for s in SUITES))
    body += comp if comp is not None else v8(b"\0")
    body += exts_raw if exts_raw is not None else v16(b"".join(exts))
    return body


def server_hello(suite=0xC02F, alpn=b"h2", exts=None):
    if exts is None:
        exts = [ext(0xFF01, b"\0"), ext(11, v8(b"\0")), ext(23, b"")]
        if alpn is not None:
            exts.append(ext_alpn([alpn]))
    return (u16(0x0303) + bytes(range(0x40, 0x60)) + v8(bytes(range(0x60, 0x80))) + u16(suite)
            + u8(0) + v16(b"".join(exts)))


def certificate_body(certs):
    return v24(b"".join(v24(c) for c in certs))


def ske_ecdhe(pub=b"\x22" * 32, sig=b"\x33" * 256):
    return u8(3) + u16(29) + v8(pub) + u16(0x0804) + v16(sig)


def ske_dhe(p=b"\xff" * 256, g=b"\x02", ys=b"\x44" * 256, sig=b"\x33" * 256):
    return v16(p) + v16(g) + v16(ys) + u16(0x0804) + v16(sig)


def server_flight(cert, suite=0xC02F, alpn=b"h2", ske=None, sh=None):
    """ServerHello, Certificate, ServerKeyExchange, ServerHelloDone in one
    handshake stream (one record each)."""
    if ske is None:
        ske = ske_ecdhe() if suite >> 8 == 0xC0 or suite >> 8 == 0xCC else ske_dhe()
    return (record(hs(SERVER_HELLO, sh if sh is not None else server_hello(suite, alpn)))
            + record(hs(CERTIFICATE, certificate_body([cert])))
            + record(hs(SERVER_KEY_EXCHANGE, ske))
            + record(hs(SERVER_HELLO_DONE, b"")))


def client_flight():
    """ClientKeyExchange, ChangeCipherSpec, encrypted Finished."""
    return (record(hs(16, v8(b"\x55" * 32))) + record(b"\x01", CCS)
            + record(bytes(range(40)), HANDSHAKE))


def server_finish():
    return record(b"\x01", CCS) + record(bytes(range(100, 140)), HANDSHAKE)


def full_handshake(w, cert, cip="10.0.0.1", cport=50000, sip="192.0.2.1", sport=443,
                   sni=SENTINEL_SNI, ch=None, flight=None, rng=None):
    """An ordinary TLS 1.2 connection, SYN to FIN."""
    c = Conn(w, cip, cport, sip, sport, rng=rng).open()
    c.send(C, record(hs(CLIENT_HELLO, ch if ch is not None else client_hello(sni)), ver=0x0301))
    c.send(S, flight if flight is not None else server_flight(cert))
    c.send(C, client_flight())
    c.send(S, server_finish())
    c.close()
    return c


def sentinel(w, cert, cip="198.51.100.7", cport=61000, sip="192.0.2.1"):
    w.pause(1000)
    return full_handshake(w, cert, cip, cport, sip, 443, SENTINEL_SNI)


# ----------------------------------------------------------------------------
# certificates
# ----------------------------------------------------------------------------

_cert_cache = {}


def make_cert(cn=b"server.hostile.test", san=b"server.hostile.test", addext=None):
    """A self-signed P-256 certificate (DER) made with the openssl CLI in a
    private temp dir.  cn/san may hold any bytes: the certificate is made
    with same-length ASCII placeholders that are then replaced in the DER,
    so every DER length stays right.  addext: an openssl -addext value used
    instead of the subjectAltName of san (e.g. "2.5.29.17=DER:..." for raw
    extension bytes)."""
    key = (cn, san, addext)
    if key in _cert_cache:
        return _cert_cache[key]
    ph_cn = b"C" * len(cn)
    ph_san = b"D" * len(san)
    with tempfile.TemporaryDirectory(prefix="hostile-cert-") as tmp:
        der = os.path.join(tmp, "c.der")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:P-256", "-nodes", "-keyout", os.path.join(tmp, "k.pem"),
                        "-outform", "DER", "-out", der, "-days", "3650", "-set_serial", "4660",
                        "-subj", "/O=hostile/CN=" + ph_cn.decode(),
                        "-addext", addext or "subjectAltName=DNS:" + ph_san.decode()],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        data = open(der, "rb").read()
    if ph_cn != cn:
        assert data.count(ph_cn) == 2, "CN placeholder must appear in subject and issuer"
        data = data.replace(ph_cn, cn)
    if ph_san != san and addext is None:
        assert data.count(ph_san) == 1
        data = data.replace(ph_san, san)
    _cert_cache[key] = data
    return data


# ----------------------------------------------------------------------------
# the cases
# ----------------------------------------------------------------------------

def _lying_lengths_table(cert):
    """(name, client stream, server stream, [(what, detail substring)]).
    Each becomes one connection from client port 40000 + index."""
    T = []

    def add(name, cs, ss, expect):
        T.append((name, cs, ss, expect))

    ch_ok = client_hello()
    flight = server_flight(cert)

    def chrec(body, length=None):
        return record(hs(CLIENT_HELLO, body, length), ver=0x0301)

    # --- record and handshake framing ---
    rec = chrec(ch_ok)
    add("record-length-beyond-data", rec[:3] + u16(len(rec) - 5 + 3000) + rec[5:], b"",
        [("incomplete_message", "")])
    add("handshake-length-2^24-1", chrec(ch_ok, 0xFFFFFF), b"",
        [("handshake_too_long", "")])
    add("handshake-length-short", chrec(ch_ok, len(ch_ok) - 40), flight,
        [("bad_length", "ClientHello")])

    # --- ClientHello vectors ---
    def ch_with(**kw):
        return chrec(client_hello(**kw))

    sid = bytes(range(32))
    add("session_id-33", ch_with(session_id=v8(sid + b"\0")), flight,
        [("bad_length", "session_id")])
    add("session_id-too-long", ch_with(session_id=u8(200) + sid), flight,
        [("bad_length", "session_id")])
    cs = b"".join(u16(s) for s in SUITES)
    add("cipher_suites-too-long", ch_with(suites=v16(cs, 0xFFF0)), flight,
        [("bad_length", "cipher_suites")])
    add("cipher_suites-empty", ch_with(suites=v16(b"")), flight,
        [("bad_length", "cipher_suites")])
    add("cipher_suites-odd", ch_with(suites=v16(cs + b"\x13")), flight,
        [("bad_length", "cipher_suites")])
    add("compression-empty", ch_with(comp=v8(b"")), flight,
        [("bad_length", "compression_methods")])
    add("compression-too-long", ch_with(comp=u8(250) + b"\0"), flight,
        [("bad_length", "compression_methods")])
    exts = b"".join(default_extensions(SENTINEL_SNI))
    add("extensions-too-long", ch_with(exts_raw=v16(exts, len(exts) + 100)), flight,
        [("bad_length", "extensions")])
    add("extensions-too-short", ch_with(exts_raw=v16(exts, len(exts) - 7)), flight,
        [("bad_length", "ClientHello")])
    add("extensions-odd-tail", ch_with(exts_raw=v16(exts + b"\x00")), flight,
        [("bad_length", "ClientHello.extensions[")])

    # --- one extension's lengths ---
    def ch_ext(first):
        """the default extensions with the one of first's type replaced by first"""
        e = [x for x in default_extensions(SENTINEL_SNI) if x[:2] != first[:2]]
        return ch_with(exts=[first] + e)

    add("ext-data-beyond-block", ch_with(exts_raw=v16(ext_sni(b"a.test")[:2] + u16(400)
                                                      + ext_sni(b"a.test")[4:])), flight,
        [("bad_length", "ClientHello.extensions[0]")])
    name = b"lying.sni.test"
    add("sni-list-too-long", ch_ext(ext(0, v16(u8(0) + v16(name), 300))), flight,
        [("bad_length", "server_name")])
    add("sni-name-too-long", ch_ext(ext(0, v16(u8(0) + v16(name, 200)))), flight,
        [("bad_length", "server_name")])
    add("sni-name-empty", ch_ext(ext(0, v16(u8(0) + v16(b"")))), flight,
        [("bad_length", "server_name")])
    add("sni-list-empty", ch_ext(ext(0, v16(b""))), flight,
        [("bad_length", "server_name")])
    add("alpn-list-too-long", ch_ext(ext(16, v16(v8(b"h2") + v8(b"http/1.1"), 99))), flight,
        [("bad_length", "application_layer_protocol_negotiation")])
    add("alpn-name-too-long", ch_ext(ext(16, v16(v8(b"h2") + v8(b"http/1.1", 50)))), flight,
        [("bad_length", "application_layer_protocol_negotiation")])
    add("alpn-name-empty", ch_ext(ext(16, v16(v8(b"h2") + v8(b"")))), flight,
        [("bad_length", "application_layer_protocol_negotiation")])
    add("key_share-list-too-long", ch_ext(ext(51, v16(u16(29) + v16(b"\x11" * 32), 200))), flight,
        [("bad_length", "key_share")])
    add("key_share-key-too-long", ch_ext(ext(51, v16(u16(29) + v16(b"\x11" * 32, 33)))), flight,
        [("bad_length", "key_share")])
    add("key_share-key-empty", ch_ext(ext(51, v16(u16(29) + v16(b"")))), flight,
        [("bad_length", "key_share")])
    add("supported_versions-odd", ch_ext(ext(43, v8(b"\x03\x04\x03")))
        , flight, [("bad_length", "supported_versions")])
    add("supported_versions-too-long", ch_ext(ext(43, v8(b"\x03\x04\x03\x03", 40))), flight,
        [("bad_length", "supported_versions")])
    add("supported_versions-empty", ch_ext(ext(43, v8(b""))), flight,
        [("bad_length", "supported_versions")])

    # --- Certificate ---
    def sflight(cert_body=None, ske=None, suite=0xC02F):
        return (record(hs(SERVER_HELLO, server_hello(suite)))
                + record(hs(CERTIFICATE, cert_body if cert_body is not None
                            else certificate_body([cert])))
                + record(hs(SERVER_KEY_EXCHANGE, ske if ske is not None
                            else (ske_ecdhe() if suite == 0xC02F else ske_dhe())))
                + record(hs(SERVER_HELLO_DONE, b"")))

    rch = chrec(ch_ok)
    add("certificate_list-too-long", rch, sflight(v24(v24(cert), len(cert) + 3 + 500)),
        [("bad_length", "certificate_list")])
    add("certificate_list-too-short", rch, sflight(v24(v24(cert), len(cert) + 3 - 100)),
        [("bad_length", "Certificate")])
    add("certificate-length-too-long", rch, sflight(v24(v24(cert, len(cert) + 9) + b"\0" * 6)),
        [("bad_length", "Certificate")])
    add("certificate-length-too-short", rch,
        sflight(v24(v24(cert, len(cert) - 20))),
        [("bad_length", "Certificate")])
    add("certificate-length-zero", rch, sflight(v24(v24(b"") + v24(cert))),
        [("bad_length", "Certificate")])

    # --- ServerKeyExchange ---
    add("ecdhe-point-too-long", rch, sflight(ske=u8(3) + u16(29) + v8(b"\x22" * 32, 200)
                                             + u16(0x0804) + v16(b"\x33" * 64)),
        [("bad_length", "ServerKeyExchange")])
    add("ecdhe-point-empty", rch, sflight(ske=u8(3) + u16(29) + v8(b"")
                                          + u16(0x0804) + v16(b"\x33" * 64)),
        [("bad_length", "ServerKeyExchange")])
    add("ecdhe-signature-too-long", rch, sflight(ske=u8(3) + u16(29) + v8(b"\x22" * 32)
                                                 + u16(0x0804) + v16(b"\x33" * 64, 5000)),
        [("bad_length", "ServerKeyExchange")])
    add("dhe-p-too-long", rch, sflight(ske=v16(b"\xff" * 256, 0xFFFF) + v16(b"\x02")
                                       + v16(b"\x44" * 256) + u16(0x0804) + v16(b"\x33" * 256),
                                       suite=0x009E),
        [("bad_length", "ServerKeyExchange")])
    add("dhe-g-too-long", rch, sflight(ske=v16(b"\xff" * 256) + v16(b"\x02", 3000)
                                       + v16(b"\x44" * 256) + u16(0x0804) + v16(b"\x33" * 256),
                                       suite=0x009E),
        [("bad_length", "ServerKeyExchange")])
    add("dhe-ys-empty", rch, sflight(ske=v16(b"\xff" * 256) + v16(b"\x02") + v16(b"")
                                     + u16(0x0804) + v16(b"\x33" * 256), suite=0x009E),
        [("bad_length", "ServerKeyExchange")])
    add("dhe-p-empty", rch, sflight(ske=v16(b"") + v16(b"\x02") + v16(b"\x44" * 256)
                                    + u16(0x0804) + v16(b"\x33" * 256), suite=0x009E),
        [("bad_length", "ServerKeyExchange")])

    # --- CompressedCertificate (RFC 8879: TLS 1.3 only) in a clear TLS 1.2 flight:
    # reported, not decompressed (its stream, a zlib bomb, would give 1 MiB)
    bomb = zlib.compress(bytes(1 << 20), 9)
    ccert = u16(1) + u24(1000) + v24(bomb)
    add("compressed-certificate-in-tls12", rch,
        record(hs(SERVER_HELLO, server_hello(0xC02F))) + record(hs(25, ccert))
        + record(hs(SERVER_KEY_EXCHANGE, ske_ecdhe())) + record(hs(SERVER_HELLO_DONE, b"")),
        [("unexpected_message", "CompressedCertificate outside TLS 1.3")])
    return T


LYING_LENGTHS_PORT = 40000
LYING_LENGTHS = None   # filled on first use: [(name, client port, expect)]


def lying_lengths_manifest():
    global LYING_LENGTHS
    if LYING_LENGTHS is None:
        LYING_LENGTHS = [(n, LYING_LENGTHS_PORT + i, e)
                         for i, (n, _, _, e) in enumerate(_lying_lengths_table(make_cert()))]
    return LYING_LENGTHS


def case_lying_lengths(w, scale, rng):
    """Length fields that lie, at every level, one lie per connection (client
    port 40000 + index, see LYING_LENGTHS): a record length beyond the data,
    a handshake length of 2^24-1 and one that is too short; ClientHello
    session_id / cipher_suites / compression_methods / extensions vector
    lengths too long, zero where forbidden, odd in a 2-byte list; extension
    inner lengths (server_name list and name, ALPN list and name, key_share
    list and key, supported_versions); Certificate certificate_list and
    certificate lengths; ServerKeyExchange ECDH point / DH p, g, Ys /
    signature lengths.  Attacks: over-reads, under-reads, infinite loops,
    lost framing; each must become a bad_length (or the framing anomaly)
    naming the field, and the next connection must be unaffected."""
    cert = make_cert()
    for i, (name, cs, ss, _) in enumerate(_lying_lengths_table(cert)):
        c = Conn(w, "10.1.0.%d" % (1 + i), LYING_LENGTHS_PORT + i, "192.0.2.10", 443, rng=rng).open()
        c.send(C, cs)
        if ss:
            c.send(S, ss)
        c.close()
    sentinel(w, cert)


def case_record_too_long(w, scale, rng):
    """Records over the 2^14 + 2048 bytes that TLSCiphertext allows: a
    ClientHello in one 18433-byte record (padding extension), a server flight
    whose Certificate record is ~40 kB (the certificate repeated), and a
    ClientHello in a record of the maximum 65535 bytes.  Attacks fixed-size
    record buffers; the contract says such records are reported
    (record_too_long) and still read, so the ClientHellos must come out with
    their SNI."""
    cert = make_cert()
    limit = 16384 + 2048
    base = client_hello(b"big-record.hostile.test")
    need = limit + 1 - 4 - len(base) - 4
    ch = client_hello(b"big-record.hostile.test", extra_exts=[ext_padding(need)])
    assert len(hs(CLIENT_HELLO, ch)) == limit + 1
    c = Conn(w, "10.2.0.1", 41000, "192.0.2.20", 443, rng=rng).open()
    c.send(C, record(hs(CLIENT_HELLO, ch), ver=0x0301))
    many = certificate_body([cert] * (40000 // len(cert) + 1))
    c.send(S, record(hs(SERVER_HELLO, server_hello()))
           + record(hs(CERTIFICATE, many) + hs(SERVER_KEY_EXCHANGE, ske_ecdhe())
                    + hs(SERVER_HELLO_DONE, b"")))
    c.send(C, client_flight())
    c.send(S, server_finish())
    c.close()
    ch = client_hello(b"max-record.hostile.test", extra_exts=[ext_padding(0)])
    ch = client_hello(b"max-record.hostile.test",
                      extra_exts=[ext_padding(65535 - 4 - len(ch))])
    assert len(hs(CLIENT_HELLO, ch)) == 65535
    c = Conn(w, "10.2.0.2", 41001, "192.0.2.20", 443, rng=rng).open()
    c.send(C, record(hs(CLIENT_HELLO, ch), ver=0x0301))
    c.send(S, server_flight(cert))
    c.close()
    sentinel(w, cert)


GREASE = [0x0A0A + 0x1010 * i for i in range(16)]


def padded_client_hello(sni, total):
    """A ClientHello body whose handshake message (4-byte header included) is
    `total` bytes (up to ~131 kB).  The extensions vector holds at most 65535
    bytes: a padding extension fills it up to that, and beyond it the
    cipher_suites list grows with GREASE values (at most 32767 suites)."""
    base = client_hello(sni)
    left = total - 4 - len(base)
    if left < 4:
        return base
    room = 65535 - len(b"".join(default_extensions(sni))) - 4     # padding data room
    if left - 4 <= room:
        return client_hello(sni, extra_exts=[ext_padding(left - 4)])
    more = left - 4 - room                                         # bytes of extra suites
    pad = room - (more & 1)                                        # keep the suites even
    more += more & 1
    suites = [u16(x) for x in SUITES] + [u16(GREASE[i % 16]) for i in range(more // 2)]
    if len(suites) > 32767:
        raise SystemExit("hostile.py: a ClientHello of %d bytes cannot be built (max ~131 kB)" % total)
    return client_hello(sni, suites=v16(b"".join(suites)), extra_exts=[ext_padding(pad)])


def case_trickle(w, scale, rng):
    """A whole handshake delivered one byte per TCP segment: the ClientHello
    (padded with a padding extension that fills the 64 kB extensions vector,
    then with GREASE cipher suites, so that the handshake takes `scale`
    segments: 100,000 at full size, at most ~131,000; it spans several
    records) and the server flight, each byte its own packet, the
    receiver ACKing every second segment.  Attacks per-segment overheads
    (quadratic reassembly, per-segment allocations, timers) and record/
    message assembly across thousands of pieces; the ClientHello must come
    out whole with SNI trickle.hostile.test."""
    cert = make_cert()
    flight = server_flight(cert)
    ch_len = max(300, scale - len(flight))
    n_records = (ch_len + 16383) // 16384
    ch = padded_client_hello(b"trickle.hostile.test", ch_len - 5 * n_records)
    stream = records(hs(CLIENT_HELLO, ch), ver=0x0301)
    c = Conn(w, "10.3.0.1", 42000, "192.0.2.30", 443, rng=rng).open()
    w.step = 2
    c.send(C, stream, mss=1)
    c.send(S, flight, mss=1)
    w.step = 20
    c.send(C, client_flight())
    c.send(S, server_finish())
    c.close()
    sentinel(w, cert)


def case_retrans_storm(w, scale, rng):
    """`scale` (10,000 at full size) overlapping retransmissions, with
    conflicting bytes, of the segments of one ClientHello: the first third
    arrives, then the last third (out of order, queued), then the storm, each
    retransmission a random sub-range of either received segment filled with
    random bytes, then the missing middle.  Attacks the overlap handling of
    the in-order and out-of-order paths (first copy must win, so the
    ClientHello keeps SNI storm.hostile.test), per-retransmission memory
    (queue growth), and anomaly flooding (one tcp_overlap_conflict event, the
    rest counted)."""
    cert = make_cert()
    ch = record(hs(CLIENT_HELLO, padded_client_hello(b"storm.hostile.test", 1500)), ver=0x0301)
    a, b = len(ch) // 3, 2 * len(ch) // 3
    c = Conn(w, "10.4.0.1", 43000, "192.0.2.40", 443, rng=rng).open()
    base = c.nxt[C]
    c.seg(C, PSH | ACK, ch[:a], seq=base, advance=False)
    c.seg(C, PSH | ACK, ch[b:], seq=base + b, advance=False)
    w.step = 5
    for i in range(scale):
        lo, hi = (0, a) if i % 2 == 0 else (b, len(ch))
        s = rng.randrange(lo, hi - 1)
        e = rng.randrange(s + 1, hi + 1)
        junk = bytes((o + 1 + rng.randrange(255)) & 0xFF for o in ch[s:e])  # every byte differs
        c.seg(C, PSH | ACK, junk, seq=base + s, advance=False)
    w.step = 20
    c.seg(C, PSH | ACK, ch[a:b], seq=base + a, advance=False)
    c.nxt[C] = (base + len(ch)) & 0xFFFFFFFF
    c.ack(S)
    c.send(S, server_flight(cert))
    c.send(C, client_flight())
    c.send(S, server_finish())
    c.close()
    sentinel(w, cert)


def case_seq_wrap(w, scale, rng):
    """TCP sequence numbers that wrap (0xffffffff -> 0) inside TLS records:
    connection 1 wraps 100 bytes into the ClientHello (client) and 200 bytes
    into the Certificate (server), in 64-byte segments so one segment
    straddles the wrap; connection 2 has ISN 0xffffffff (the SYN takes the
    last number, data starts at 0); connection 3 wraps inside the ClientHello
    with the segment after the wrap arriving before the one before it.
    Attacks 32-bit comparisons that are not wrap-safe; all three ClientHellos
    (SNI wrap1/2/3.hostile.test) and the Certificate must come out whole."""
    cert = make_cert()
    flight = server_flight(cert)
    sh_len = len(record(hs(SERVER_HELLO, server_hello())))
    # 1: wraps at client byte 100 and server byte sh_len + 200
    ch = record(hs(CLIENT_HELLO, client_hello(b"wrap1.hostile.test")), ver=0x0301)
    c = Conn(w, "10.5.0.1", 44001, "192.0.2.50", 443,
             isn_c=(0xFFFFFFFF - 100) & 0xFFFFFFFF, isn_s=(0xFFFFFFFF - (sh_len + 200)) & 0xFFFFFFFF,
             rng=rng).open()
    c.send(C, ch, mss=64)
    c.send(S, flight, mss=64)
    c.send(C, client_flight())
    c.send(S, server_finish())
    c.close()
    # 2: ISN 0xffffffff
    ch = record(hs(CLIENT_HELLO, client_hello(b"wrap2.hostile.test")), ver=0x0301)
    c = Conn(w, "10.5.0.2", 44002, "192.0.2.50", 443, isn_c=0xFFFFFFFF, isn_s=0xFFFFFFFF,
             rng=rng).open()
    c.send(C, ch, mss=100)
    c.send(S, flight, mss=100)
    c.close()
    # 3: out of order across the wrap
    ch = record(hs(CLIENT_HELLO, client_hello(b"wrap3.hostile.test")), ver=0x0301)
    c = Conn(w, "10.5.0.3", 44003, "192.0.2.50", 443, isn_c=0xFFFFFFFF - 80, rng=rng).open()
    base = c.nxt[C]
    cut1, cut2 = 40, 120            # wrap is at byte 80, inside [cut1, cut2)
    c.seg(C, PSH | ACK, ch[:cut1], seq=base, advance=False)
    c.seg(C, PSH | ACK, ch[cut2:], seq=(base + cut2) & 0xFFFFFFFF, advance=False)
    c.seg(C, PSH | ACK, ch[cut1:cut2], seq=(base + cut1) & 0xFFFFFFFF, advance=False)
    c.nxt[C] = (base + len(ch)) & 0xFFFFFFFF
    c.ack(S)
    c.send(S, flight)
    c.close()
    sentinel(w, cert)


def case_syn_flood(w, scale, rng):
    """`scale` SYNs (1,000,000 at full size), each from a distinct address
    (10.x.y.z) and port to 192.0.2.60:443, 2 us apart, never answered, then
    an ordinary handshake.  Attacks the connection table: memory per
    half-open flow, the --max-connections cap and eviction (flow_evicted), and
    the output (a flood of per-connection events); the final handshake must
    still be dissected."""
    dst = packed("192.0.2.60")
    w.step = 2
    tmpl_ip = bytearray(ipv4(b"\0\0\0\0", dst, tcp(b"\0\0\0\0", dst, 0, 443, 0, 0, SYN,
                                                   opts=MSS_OPT)))
    hdr_ip = tmpl_ip[:20]
    for i in range(scale):
        a = 0x0A000000 | ((i + 1) & 0xFFFFFF)
        src = struct.pack("!I", a)
        sport = 1024 + (i * 7919) % 64000
        seq = (i * 2654435761) & 0xFFFFFFFF
        hdr_ip[12:16] = src
        hdr_ip[4:6] = struct.pack("!H", i & 0xFFFF)
        hdr_ip[10:12] = b"\0\0"
        hdr_ip[10:12] = struct.pack("!H", inet_checksum(bytes(hdr_ip)))
        t = struct.pack("!HHIIBBHHH", sport, 443, seq, 0, 6 << 4, SYN, 64240, 0, 0) + MSS_OPT
        ck = inet_checksum(src + dst + b"\0\x06\0\x18" + t)
        w.packet(MAC_S + MAC_C + b"\x08\x00" + bytes(hdr_ip) + t[:16] + struct.pack("!H", ck)
                 + t[18:])
    w.step = 20
    sentinel(w, make_cert())


def case_garbage_flood(w, scale, rng):
    """One TCP flow to port 443 whose client sends `scale` bytes (1 GB at full
    size) of random garbage in 1448-byte segments, the server ACKing every
    32 segments and never answering; then an ordinary handshake.  Attacks
    the TLS detector (resynchronisation on random bytes that happen to look
    like record headers), buffering (must not hold the stream), and run
    time; the flow must be reported not_tls (or similar), memory must stay
    flat, and the final handshake must still be dissected."""
    c = Conn(w, "10.6.0.1", 45000, "192.0.2.70", 443, rng=rng).open()
    left = scale
    n = 0
    w.step = 1
    while left > 0:
        chunk = rng.randbytes(min(left, 1448 * 512))
        left -= len(chunk)
        for i in range(0, len(chunk), 1448):
            c.seg(C, ACK if n % 8 else PSH | ACK, chunk[i:i + 1448])
            n += 1
            if n % 32 == 0:
                c.ack(S)
    c.ack(S)
    w.step = 20
    c.close()
    sentinel(w, make_cert())


def case_frag_incomplete(w, scale, rng):
    """`scale` IP datagrams (100,000 at full size; half IPv4, half IPv6 with
    Fragment headers) of which only some fragments are ever sent: the first
    only, a middle one only, the last only, or first and last with a hole,
    from many sources and fragment IDs, 5 us apart (well inside any age
    limit).  Then an ordinary handshake whose every packet is fragmented
    (IPv4) and must still be reassembled.  Attacks the fragment table (caps
    on datagrams and bytes, eviction of the oldest), the accounting of
    dropped fragments (ip_fragment_dropped), and memory."""
    dst4, dst6 = packed("192.0.2.80"), packed("2001:db8::80")
    w.step = 5
    body = bytes(range(256)) * 6
    for i in range(scale):
        v6 = i % 2 == 1
        src = (packed("2001:db8:%x::%x" % ((i >> 16) & 0xFFFF, i & 0xFFFF)) if v6
               else struct.pack("!I", 0x0A800000 | (i & 0x7FFFFF)))
        l4 = tcp(src, dst6 if v6 else dst4, 1024 + i % 60000, 443, i, 0, PSH | ACK, body[:1200])
        ident = (i * 40503) & (0xFFFFFFFF if v6 else 0xFFFF)
        kind = i % 4
        pieces = {0: [(0, 400)], 1: [(400, 400)], 2: [(800, None)], 3: [(0, 400), (800, None)]}[kind]
        for off, n in pieces:
            data = l4[off:] if n is None else l4[off:off + n]
            more = off + len(data) < len(l4)
            w.packet(frag_frame(src, dst6 if v6 else dst4, data, off, more, ident, v6))
    w.step = 20
    # the sentinel, fragmented
    cert = make_cert()
    c = Conn(w, "198.51.100.8", 61001, "192.0.2.80", 443, rng=rng).open()

    def send_frag(side, data):
        for i in range(0, len(data), 1448):
            payload = data[i:i + 1448]
            l4 = c.tcp_bytes(side, PSH | ACK, payload)
            pieces = [(o, 96) for o in range(0, len(l4), 96)]
            c.fragments(side, l4, pieces)
            c.nxt[side] = (c.nxt[side] + len(payload)) & 0xFFFFFFFF
        c.ack(1 - side)

    send_frag(C, record(hs(CLIENT_HELLO, client_hello(SENTINEL_SNI)), ver=0x0301))
    send_frag(S, server_flight(cert))
    c.close()


def case_frag_overlap(w, scale, rng):
    """Overlapping IP fragments with conflicting data carrying ClientHellos:
    connection 1 (IPv4): the ClientHello segment in 64-byte fragments, then a
    fragment overlapping two already received ones with different bytes,
    then a duplicate of the first fragment with a different TCP header
    (other ports and sequence number), then the rest; connection 2: the same
    over IPv6 (Fragment header; RFC 5722 says such a datagram is to be
    dropped, the contract says first copy kept: either way reported);
    connection 3 (IPv4): fragments in reverse order where a conflicting
    overlap arrives before the original of its later half.  Attacks
    fragment-overlap evasion (Teardrop-style rewrites): first copy must win,
    SNI overlap1/2/3.hostile.test must survive, and ip_fragment_overlap must
    be reported."""
    cert = make_cert()
    for k, (cip, sip) in enumerate([("10.7.0.1", "192.0.2.90"),
                                    ("2001:db8:7::1", "2001:db8::90"),
                                    ("10.7.0.3", "192.0.2.90")]):
        c = Conn(w, cip, 46001 + k, sip, 443, rng=rng).open()
        ch = record(hs(CLIENT_HELLO, client_hello(b"overlap%d.hostile.test" % (k + 1))), ver=0x0301)
        l4 = c.tcp_bytes(C, PSH | ACK, ch)
        evil_hdr = bytearray(l4[:64])
        evil_hdr[0:4] = b"\x00\x50\x01\xbb"     # ports 80 -> 443
        evil_hdr[4:8] = b"\x00\x00\x00\x01"
        n = len(l4)
        offs = list(range(0, n, 64))
        if k < 2:
            pieces = [(0, 64), (64, 64), (128, 64),
                      (32 + 64, bytes(rng.getrandbits(8) for _ in range(96)) ),   # over 96..192
                      (0, bytes(evil_hdr))]
            pieces += [(o, 64) for o in offs[3:]]
        else:
            # originals from 128 on in reverse order, then [96,160): its part in the
            # hole [96,128) carries the original bytes, its part over [128,160)
            # conflicts; then [0,64) and [64,128), whose overlap with it agrees.
            straddle = l4[96:128] + bytes(x ^ 0x5A for x in l4[128:160])
            pieces = [(o, 64) for o in offs[2:]][::-1] + [(96, straddle), (0, 64), (64, 64)]
        c.fragments(C, l4, pieces)
        c.nxt[C] = (c.nxt[C] + len(ch)) & 0xFFFFFFFF
        c.ack(S)
        c.send(S, server_flight(cert))
        c.close()
    sentinel(w, cert)


EVIL = [
    b"evil\x1b[2J\x1b[H.example",                  # ESC [ 2 J: clear screen
    b"t\x1b]0;pwned-title\x07.example",            # OSC 0 ; title BEL
    b"csi\x9b31mred.example",                      # raw C1 CSI (invalid UTF-8)
    b"nul\x00byte.example",                        # NUL
    b"bad\xff\xfe\xc0\xafutf8\xed\xa0\x80.example",  # invalid UTF-8: ff fe, overlong, surrogate
    b"c1\xc2\x9b31m\xc2\x85nel.example",          # UTF-8 encoded C1 (U+009B, U+0085)
    b"del\x7f\x08\x08\r\nx\t.example",            # DEL, BS, CR LF, TAB
    b"trunc\xe2\x82",                              # multibyte sequence cut at the end
    b'lit\\x1b\\"q"\\u0000.example',               # literal backslash escapes, quotes
    b"\xe2\x80\xaemoc.elgoog.example",             # U+202E RIGHT-TO-LEFT OVERRIDE (not Cc)
]
# The leaf's CN is a UTF8String: OpenSSL refuses to decode a name whose
# UTF8String is not valid UTF-8, so the CN carries control characters in valid
# UTF-8 (ESC, NUL, BEL, U+009B); the SAN dNSName (IA5String) carries raw bytes.
EVIL_CN = b"cn\x1b[2J\x00\xc2\x9b31m\x1b]0;t\x07.example"
EVIL_SAN = b"san\x1b]0;x\x07\x00\xc0\xaf\x9b1m\xff.example"
# A second certificate whose CN is invalid UTF-8: libcrypto cannot decode it
# (certificate_unparsed, with only sha256/sha1/length in the output).
EVIL_CN_BAD_UTF8 = b"bad\xff\xc0\xaf\x9b.example"
EVIL_PORT = 47000


def case_evil_strings(w, scale, rng):
    """ClientHellos (client port 47000 + i) whose SNI is EVIL[i] and whose
    ALPN list is [EVIL[i+1], "h2"]: invalid UTF-8, NUL, C0/C1 controls, DEL,
    terminal escape sequences (ESC [ 2 J, ESC ] 0 ; title BEL, CSI 0x9b raw
    and UTF-8 encoded), literal backslash escapes, a bidi override.  The
    server selects the hostile ALPN value and sends two certificates: one
    whose subject (and issuer) CN and SAN dNSName hold hostile bytes
    (EVIL_CN: controls in valid UTF-8; EVIL_SAN: raw bytes), one whose CN is
    invalid UTF-8 (libcrypto cannot decode it: certificate_unparsed).  Attacks the output: JSON validity, raw control bytes on a
    terminal, and the contract's \\xNN escaping with <name>_hex siblings."""
    cert = make_cert(EVIL_CN, EVIL_SAN)
    bad = make_cert(EVIL_CN_BAD_UTF8, b"ok.example")
    for i, sni in enumerate(EVIL):
        alpn = EVIL[(i + 1) % len(EVIL)]
        c = Conn(w, "10.8.0.%d" % (i + 1), EVIL_PORT + i, "192.0.2.100", 443, rng=rng).open()
        c.send(C, record(hs(CLIENT_HELLO, client_hello(sni, alpn=(alpn, b"h2"))), ver=0x0301))
        c.send(S, record(hs(SERVER_HELLO, server_hello(alpn=alpn)))
               + record(hs(CERTIFICATE, certificate_body([cert, bad])))
               + record(hs(SERVER_KEY_EXCHANGE, ske_ecdhe())) + record(hs(SERVER_HELLO_DONE, b"")))
        c.close()
    sentinel(w, make_cert())


# -- cases made from the fixture ----------------------------------------------

def read_fixture():
    """The frames of tests/pcaps/tls12-ecdhe-rsa.pcap (pcaplib.Capture)."""
    return read_capture(FIXTURE)


def case_pcapng_unknown_blocks(w, scale, rng):
    """tests/pcaps/tls12-ecdhe-rsa.pcap as pcapng with, between its packets,
    blocks a reader must skip: unknown block types (0x0bad0bad,
    0x7fffffff), custom blocks (0x00000bad copyable and 0x40000bad
    non-copyable, PEN 32473), a Name Resolution Block, a Decryption Secrets
    Block with a bogus TLS key log, an Interface Statistics Block, an empty
    (12-byte) unknown block; SHB and EPBs carry unknown and custom options.
    Attacks the file reader (block walking, skipping by length); the output
    must be exactly the fixture's handshake."""
    f = w.f   # raw: this case writes pcapng itself (Writer's pcap header is not used)
    opt = pcapng_option
    out = [pcapng_shb(opt(4, b"hostile.py") + opt(0x0BAD, b"unknown shb opt")
                      + opt(2988, struct.pack("<I", 32473) + b"custom") + opt(0, b"")),
           pcapng_idb(1, 262144, opt(9, b"\x06") + opt(0x7777, b"?") + opt(0, b""))]
    extras = [
        pcapng_block(0x0BAD0BAD, b"unknown block body " + bytes(range(40))),
        pcapng_block(0x00000BAD, struct.pack("<I", 32473) + b"custom copyable block"),
        pcapng_block(0x40000BAD, struct.pack("<I", 32473) + b"custom non-copyable block"),
        pcapng_block(4, struct.pack("<HH", 1, 20) + packed("127.0.0.1") + b"hostile.test\0\0\0\0"
                     + struct.pack("<HH", 0, 0)),
        pcapng_block(0x0000000A, struct.pack("<II", 0x544C534B, 36)
                     + b"CLIENT_RANDOM 00 11\n" + b"x" * 16),
        pcapng_block(0x7FFFFFFF, b""),
        pcapng_block(0x0BAD0BAE, b"\xff" * 1000),
    ]
    for i, fr in enumerate(read_fixture().frames):
        out.append(extras[i % len(extras)])
        opts = opt(1, b"hostile comment") + opt(0x1234, b"\x01\x02\x03") + opt(0, b"")
        out.append(pcapng_epb(0, fr.ts // 1000, fr.data, fr.wirelen, opts))
    out.append(pcapng_block(5, struct.pack("<III", 0, 0, 0) + opt(0, b"")))
    f.write(b"".join(out))


def case_snaplen_64(w, scale, rng):
    """tests/pcaps/tls12-ecdhe-rsa.pcap with every packet cut to 64 bytes
    (and the file header's snaplen 64), as editcap -s 64 does: headers
    survive, TLS payload does not.  Attacks reading beyond caplen; the run
    must report truncated_capture and nothing that was not captured."""
    out = PcapWriter(w.f, snaplen=64)
    for fr in read_fixture().frames:
        out.write(fr.ts, fr.data[:64], fr.wirelen)


def _cut(w, where):
    frames = read_fixture().frames
    blob = pcap_header(1) + b"".join(pcap_record(fr.ts, fr.data, fr.wirelen) for fr in frames)
    w.f.write(blob[:where([fr.data for fr in frames])])


def case_cut_mid_packet(w, scale, rng):
    """tests/pcaps/tls12-ecdhe-rsa.pcap cut in the middle of the data of its
    6th packet (the server flight): the file ends inside a record.  Must exit
    1 with one stderr line naming the file, after reporting what was read."""
    _cut(w, lambda p: 24 + sum(16 + len(d) for d in p[:5]) + 16 + len(p[5]) // 2)


def case_cut_mid_header(w, scale, rng):
    """tests/pcaps/tls12-ecdhe-rsa.pcap cut 7 bytes into the 16-byte record
    header of its 6th packet.  As cut-mid-packet."""
    _cut(w, lambda p: 24 + sum(16 + len(d) for d in p[:5]) + 7)


def case_header_only(w, scale, rng):
    """A pcap file header and no packets: a valid, empty capture (exit 0,
    a stats line with zero packets)."""
    w.f.write(pcap_header(1))


def case_zero_byte(w, scale, rng):
    """An empty file (or empty standard input): not a capture, exit 1."""


# -- reproducers of what fuzzing found -----------------------------------------
# tests/fuzz/README.md lists the defects; the outputs are committed in
# tests/pcaps/hostile/ (tools/make-hostile-fixtures.sh writes them again, byte
# for byte) and are also fuzz_pcap regression inputs.

def _snaplen_cut(w, hs_type, keep):
    """The fixture with the segment that starts with a handshake record of
    hs_type captured up to `keep` bytes of the message body (the rest cut off
    as a snaplen would; the wire length stays)."""
    cap = read_fixture()
    out = PcapWriter(w.f, cap.linktype, cap.snaplen, cap.nano)
    cut = None
    for fr in cap.frames:
        data = fr.data
        if cut is None:
            off = tcp_of(cap.linktype, data).payload_offset
            p = data[off:]
            if len(p) > 9 and p[0] == 0x16 and p[5] == hs_type:
                cut = data = data[:off + 5 + 4 + keep]
        out.write(fr.ts, data, fr.wirelen)
    if cut is None:
        raise SystemExit("hostile: no handshake message of type %d in %s" % (hs_type, FIXTURE))


def case_truncated_clienthello_random(w, scale, rng):
    """tests/pcaps/tls12-ecdhe-rsa.pcap with its ClientHello segment cut by
    the snaplen 10 bytes into the message body, inside the 32-byte random.
    Once made the writers print 22 bytes past the captured data."""
    _snaplen_cut(w, 1, 10)


def case_truncated_serverhello_random(w, scale, rng):
    """tests/pcaps/tls12-ecdhe-rsa.pcap with its ServerHello segment cut by
    the snaplen 10 bytes into the message body, inside the 32-byte random.
    As truncated-clienthello-random."""
    _snaplen_cut(w, 2, 10)


def case_pcapng_timestamp_overflow(w, scale, rng):
    """tests/pcaps/tls12-ecdhe-rsa.pcap as pcapng whose 64-bit microsecond
    timestamps start at 2^64 - 2^40 us (year 584,000), 1 ms apart: seconds
    times 10^6 no longer fit 64 bits.  Once overflowed a signed product in
    the capture reader; td_capture_time clamps them."""
    out = [pcapng_shb(), pcapng_idb(1, 262144)]
    for i, fr in enumerate(read_fixture().frames):
        out.append(pcapng_epb(0, 2**64 - 2**40 + i * 1000, fr.data, fr.wirelen))
    w.f.write(b"".join(out))


# ---- issue 6: hiding
# Each case below is a way for one side to hide or misreport a handshake; each
# has a golden output (tests/golden/fixtures.tsv, hostile-<case>).

ODD_VERSIONS_PORT = 48000


def sslv2_client_hello(length_delta=0):
    """An SSLv2-format CLIENT-HELLO record offering TLS 1.2, whose record
    length is off by length_delta."""
    specs = b"".join(b"\x00" + u16(s) for s in (0xC02F, 0xC030, 0x009C)) + b"\x01\x00\x80"
    body = u8(1) + u16(0x0303) + u16(len(specs)) + u16(0) + u16(16) + specs + bytes(range(16))
    return u16(0x8000 | (len(body) + length_delta)) + body


def case_odd_versions(w, scale, rng):
    """Version fields a real server accepts (OpenSSL 3 answers them, RFC 8446
    §5.1: legacy_record_version MUST be ignored), one per connection from
    client port 48000 + i: a ClientHello record with version 0x0305; hellos
    whose legacy_version is 0x0305, 0x03ff and 0x0400; a ClientHello split
    over two records of version 0x0305; an SSLv2-format hello whose length is
    two bytes short; a server that answers a good ClientHello with 40 bytes
    that are not TLS.  Each hello must be reported, with a bad_version (or
    bad_length) anomaly, never dropped; the silent server is not_tls."""
    cert = make_cert()
    sni = [b"record-0305.hostile.test", b"legacy-0305.hostile.test", b"legacy-03ff.hostile.test",
           b"legacy-0400.hostile.test", b"split-0305.hostile.test", None, b"mute.hostile.test"]
    for i, name in enumerate(sni):
        c = Conn(w, "10.9.0.%d" % (i + 1), ODD_VERSIONS_PORT + i, "192.0.2.110", 443, rng=rng).open()
        body = client_hello(name)
        if i == 0:
            c.send(C, record(hs(CLIENT_HELLO, body), ver=0x0305))
        elif i in (1, 2, 3):
            legacy = (0x0305, 0x03FF, 0x0400)[i - 1]
            c.send(C, record(hs(CLIENT_HELLO, u16(legacy) + body[2:]), ver=0x0301))
        elif i == 4:
            c.send(C, records(hs(CLIENT_HELLO, body), ver=0x0305, size=100))
        elif i == 5:
            c.send(C, sslv2_client_hello(-2))
        else:
            c.send(C, record(hs(CLIENT_HELLO, body), ver=0x0301))
            c.send(S, b"HTTP/1.1 400 Bad Request\r\nNot TLS\r\n\r\n!!")
            c.close()
            continue
        c.send(S, server_flight(cert))
        c.send(C, client_flight())
        c.send(S, server_finish())
        c.close()
    sentinel(w, cert)


ACK_PORT = 48100


def raw_ack(c, side, ack):
    """A pure ACK from side acknowledging ack, whatever was sent."""
    c.w.packet(c.ip_frame(side, c.tcp_bytes(side, ACK, ack=ack)))


def case_ack_before_data(w, scale, rng):
    """ACKs that name data before it is captured (client port 48100 + i):
    0: the client's ACK of the whole server flight is stamped before the
    flight (a merged or multi-queue capture); 1: the client sends 20 forged
    ACKs for 5000 server bytes that were never sent, then the real flight
    comes; 2: a server segment really lost (the server's later segments
    arrive, the hole is declared), then the lost segment comes late.  The
    server flight (ServerHello, Certificate, ServerKeyExchange,
    ServerHelloDone) must be reported in 0 and 1; in 2 the late bytes are
    reported (tcp_gap), never dropped silently."""
    cert = make_cert()
    for i in range(3):
        c = Conn(w, "10.9.1.%d" % (i + 1), ACK_PORT + i, "192.0.2.111", 443, rng=rng).open()
        c.send(C, record(hs(CLIENT_HELLO, client_hello(b"ack%d.hostile.test" % i)), ver=0x0301))
        flight = server_flight(cert)
        segs = [flight[j:j + 200] for j in range(0, len(flight), 200)]
        if i == 0:
            raw_ack(c, C, c.nxt[S] + len(flight))
            for piece in segs:
                c.seg(S, PSH | ACK, piece)
        elif i == 1:
            for _ in range(20):
                raw_ack(c, C, c.nxt[S] + 5000)
            for piece in segs:
                c.seg(S, PSH | ACK, piece)
        else:
            start = c.nxt[S]
            lost_at = start + 200
            c.seg(S, PSH | ACK, segs[0])
            c.nxt[S] += len(segs[1])                      # segs[1] is not captured (yet)
            for piece in segs[2:]:
                c.seg(S, PSH | ACK, piece)
            raw_ack(c, C, c.nxt[S])
            for _ in range(4):
                c.seg(S, ACK)                              # the server goes on: the hole is lost
            c.w.packet(c.ip_frame(S, c.tcp_bytes(S, PSH | ACK, segs[1], seq=lost_at)))
        c.ack(C)
        c.send(C, client_flight())
        c.send(S, server_finish())
        c.close()
    sentinel(w, cert)


GAP_PORT = 48200


def case_gap_in_message(w, scale, rng):
    """Segments lost inside handshake messages (client port 48200 + i):
    0: a Certificate sent in 120-byte records loses a 400-byte segment (the
    gap crosses record headers), then ServerKeyExchange and ServerHelloDone
    come in the same small records; 1: a Certificate in one record loses 300
    bytes inside it; 2: the server flight after the ServerHello and the
    client's ClientKeyExchange are lost, then both sides send
    ChangeCipherSpec and Finished (a full handshake that looks abbreviated).
    The messages after each gap must be reported, the cut Certificate as
    truncated, and connection 2's resumption verdict is unknown (null), not
    session_id."""
    cert = make_cert()
    certs = certificate_body([cert, cert])
    for i in range(3):
        c = Conn(w, "10.9.2.%d" % (i + 1), GAP_PORT + i, "192.0.2.112", 443, rng=rng).open()
        c.send(C, record(hs(CLIENT_HELLO, client_hello(b"gap%d.hostile.test" % i)), ver=0x0301))
        sh = record(hs(SERVER_HELLO, server_hello()))
        rest_msgs = hs(CERTIFICATE, certs) + hs(SERVER_KEY_EXCHANGE, ske_ecdhe()) + hs(SERVER_HELLO_DONE, b"")
        if i == 0:
            rest = records(rest_msgs, size=120)
        else:
            rest = (record(hs(CERTIFICATE, certs)) + record(hs(SERVER_KEY_EXCHANGE, ske_ecdhe()))
                    + record(hs(SERVER_HELLO_DONE, b"")))
        if i < 2:
            lose_from, lose_len = (300, 400) if i == 0 else (200, 300)
            c.seg(S, PSH | ACK, sh)
            c.seg(S, PSH | ACK, rest[:lose_from])
            c.nxt[S] += lose_len                          # never captured
            stream = rest[lose_from + lose_len:]
            for j in range(0, len(stream), 500):
                c.seg(S, PSH | ACK, stream[j:j + 500])
            c.ack(C)
            c.send(C, client_flight())
        else:
            c.seg(S, PSH | ACK, sh)
            c.nxt[S] += len(rest)                         # the whole flight is lost
            c.seg(S, ACK)
            cke = record(hs(16, v8(b"\x55" * 32)))
            c.nxt[C] += len(cke)                          # and the client's key exchange
            c.send(C, record(b"\x01", CCS) + record(bytes(range(40)), HANDSHAKE))
        c.send(S, server_finish())
        c.close()
    sentinel(w, cert)


HELLO_ORDER_PORT = 48300


def hello_retry_request(group=23):
    """A TLS 1.3 HelloRetryRequest asking for a key share in group (RFC 8446 §4.1.4)."""
    import hashlib
    exts = ext(43, u16(0x0304)) + ext(51, u16(group))
    return (u16(0x0303) + hashlib.sha256(b"HelloRetryRequest").digest()
            + v8(bytes(range(0x60, 0x80))) + u16(0x1301) + u8(0) + v16(exts))


def case_hello_order(w, scale, rng):
    """Hellos out of their order (client port 48300 + i): 0: ClientHello,
    HelloRetryRequest, ClientHello, a second HelloRetryRequest; 1: a TLS 1.2
    handshake whose client sends a second ClientHello in clear after the
    ServerHello; 2: a server that sends two ServerHellos.  Each out-of-place
    hello is reported as it is, with an unexpected_message anomaly."""
    cert = make_cert()
    for i in range(3):
        c = Conn(w, "10.9.3.%d" % (i + 1), HELLO_ORDER_PORT + i, "192.0.2.113", 443, rng=rng).open()
        ch = record(hs(CLIENT_HELLO, client_hello(b"order%d.hostile.test" % i)), ver=0x0301)
        c.send(C, ch)
        if i == 0:
            c.send(S, record(hs(SERVER_HELLO, hello_retry_request())))
            c.send(C, ch)
            c.send(S, record(hs(SERVER_HELLO, hello_retry_request(24))))
        elif i == 1:
            c.send(S, server_flight(cert))
            c.send(C, ch)
        else:
            c.send(S, record(hs(SERVER_HELLO, server_hello())) + server_flight(cert))
            c.send(C, client_flight())
            c.send(S, server_finish())
        c.close()
    sentinel(w, cert)


BUFFER_PORT = 48400


def _big_message_connections(w, rng, n, size, ip_prefix, at_once):
    """n connections whose servers each send a Certificate of about size
    bytes in 16 KiB records; at_once: the first halves of all of them before
    any second half (so that all are being assembled at once); otherwise one
    whole message after the other.  The connections close at the end."""
    cert = make_cert()
    blob = certificate_body([cert, bytes(rng.getrandbits(8) for _ in range(256)) * (size // 256)])
    conns = []
    for i in range(n):
        c = Conn(w, "%s.%d" % (ip_prefix, i + 1), BUFFER_PORT + i, "192.0.2.114", 443, rng=rng).open()
        c.send(C, record(hs(CLIENT_HELLO, client_hello(b"big%d.hostile.test" % i)), ver=0x0301))
        stream = record(hs(SERVER_HELLO, server_hello())) + records(hs(CERTIFICATE, blob))
        conns.append((c, stream))
    halves = [(c, half) for half in (0, 1) for c, _ in conns] if at_once else \
        [(c, half) for c, _ in conns for half in (0, 1)]
    streams = {id(c): stream for c, stream in conns}
    for c, half in halves:
        stream = streams[id(c)]
        part = stream[:len(stream) // 2] if half == 0 else stream[len(stream) // 2:]
        c.send(S, part, mss=16000, ack_every=4)
    for c, _ in conns:
        c.send(S, record(hs(SERVER_KEY_EXCHANGE, ske_ecdhe())) + record(hs(SERVER_HELLO_DONE, b"")))
        c.close()
    sentinel(w, cert)


def case_retained_buffers(w, scale, rng):
    """scale connections (default 300) whose servers each send a 1000 KiB
    Certificate, one after the other, and stay open until the end: the
    memory of a parsed message must be given back (peak memory does not grow
    with the number of idle connections)."""
    _big_message_connections(w, rng, scale, 1000 * 1024, "10.9.4", at_once=False)


def case_buffer_budget(w, scale, rng):
    """Four connections whose 40 KiB Certificates are assembled at once,
    for a run with --max-tls-buffers 65536: the messages that find no room
    are skipped by their length and reported (limit_reached); the messages
    after them are read."""
    _big_message_connections(w, rng, 4, 40 * 1024, "10.9.5", at_once=True)


# ---- issue 6: clock

TEN_YEARS_US = 3652 * 86400 * 10**6


def case_clock_outlier(w, scale, rng):
    """Two TLS 1.2 connections interleaved (SNI clock-a/clock-b.hostile.test);
    between the first server flight and the second, one unrelated SYN (to
    another server) stamped ten years ahead.  Attacks a clock that jumps with
    one packet: every open connection expired at once, their second halves
    reported as new connections without SNI, later events stamped ten years
    ahead.  Both handshakes must complete in one connection each, every event
    must carry its own packet's time, and the SYN must be one bad_timestamp."""
    cert = make_cert()
    a = Conn(w, "10.6.0.1", 46001, "192.0.2.61", 443, rng=rng).open()
    b = Conn(w, "10.6.0.2", 46002, "192.0.2.61", 443, rng=rng).open()
    a.send(C, record(hs(CLIENT_HELLO, client_hello(b"clock-a.hostile.test")), ver=0x0301))
    b.send(C, record(hs(CLIENT_HELLO, client_hello(b"clock-b.hostile.test")), ver=0x0301))
    a.send(S, server_flight(cert))
    w.t += TEN_YEARS_US
    Conn(w, "10.6.0.9", 46009, "192.0.2.62", 443, rng=rng).seg(C, SYN, opts=MSS_OPT)
    w.t -= TEN_YEARS_US
    b.send(S, server_flight(cert))
    for c in (a, b):
        c.send(C, client_flight())
    for c in (a, b):
        c.send(S, server_finish())
    for c in (a, b):
        c.close()
    sentinel(w, cert)


def case_clock_sparse(w, scale, rng):
    """One TLS 1.2 connection (SNI clock-sparse.hostile.test) whose packets
    are 150 s apart, alone in the capture: each packet is far from the last
    (more than the clock's 60 s step), none is an outlier, and no gap reaches
    the 300 s idle timeout.  Attacks an outlier-proof clock that would hold
    such packets and then end the connection at the jump they confirm: the
    handshake must stay one connection, without anomalies."""
    cert = make_cert()
    w.step = 150 * 10**6
    full_handshake(w, cert, "10.6.1.1", 46101, "192.0.2.63", 443, b"clock-sparse.hostile.test",
                   rng=rng)
    w.step = 20
    sentinel(w, cert)


# ---- issue 6: output
# Lists longer than any real handshake carries (the output caps of
# docs/limits.md), faults inside a certificate that must be named, and names
# that would spoof a terminal.

MANY_CERTS = 150000
LONG_LISTS_PORT = 52000


def der_tlv(tag, body):
    """One DER TLV (definite length, short or long form)."""
    n = len(body)
    if n < 0x80:
        return bytes([tag, n]) + body
    size = (n.bit_length() + 7) // 8
    return bytes([tag, 0x80 | size]) + n.to_bytes(size, "big") + body


def case_many_certificates(w, scale, rng):
    """A server Certificate message of MANY_CERTS (150,000) one-byte entries
    (600 kB, under the 1 MiB message cap): the event lists the first 128
    (hashes and length; none decodes), counts the rest in
    certificates_omitted and reports limit_reached; memory and line length
    stay bounded.  Then the sentinel."""
    entries = certificate_body([b"\x30"] * MANY_CERTS)
    c = Conn(w, "10.52.0.1", 52100, "192.0.2.52", 443, rng=rng).open()
    c.send(C, record(hs(CLIENT_HELLO, client_hello(b"many-certs.hostile.test")), ver=0x0301))
    c.send(S, record(hs(SERVER_HELLO, server_hello())) + records(hs(CERTIFICATE, entries))
           + record(hs(SERVER_KEY_EXCHANGE, ske_ecdhe())) + record(hs(SERVER_HELLO_DONE, b"")))
    c.close()
    sentinel(w, make_cert())


LONG_SAN_COUNT = 1500
LONG_SUITES = [0x0100 + i for i in range(2000)]
LONG_GROUPS = [0x0200 + i for i in range(1000)]
LONG_SIGALGS = [0x0900 + i for i in range(1000)]
LONG_EXT_TYPES = [0x3000 + i for i in range(100)]


def long_lists_table():
    """(name, client port, ClientHello body, ServerHello body, certificate,
    CertificateRequest body or None): one over-long list per connection, so
    each limit_reached is an anomaly event of its own (repeats of a kind in
    one connection are only counted)."""
    name = b"long-lists.hostile.test"
    alpn = [b"p%03d" % i for i in range(100)]
    shares = [(0x0200 + i, bytes([i])) for i in range(100)]
    versions = [0x0304, 0x0303] + [0x7F00 + i for i in range(98)]
    cert = make_cert(name, name)

    def hello(**override):
        exts = [ext_sni(name), ext_groups(override.get("groups", (29, 23, 24))),
                ext_alpn(override.get("alpn", (b"h2",))),
                ext_sigalgs(override.get("sigalgs", (0x0403, 0x0804))),
                ext_versions(override.get("versions", (0x0304, 0x0303))),
                ext_key_share(override.get("shares", ((29, b"\x11" * 32),)))]
        exts += [ext(t, b"") for t in override.get("more_exts", ())]
        suites = override.get("suites", SUITES)
        return client_hello(exts=exts, suites=v16(b"".join(u16(x) for x in suites)))

    cr = v8(b"\x01\x40") + v16(b"".join(u16(x) for x in LONG_SIGALGS)) + v16(v16(b"\x30\x00"))
    many_sans = make_cert(name, addext="subjectAltName=" + ",".join(
        "DNS:n%04d.long-lists.hostile.test" % i for i in range(LONG_SAN_COUNT)))
    rows = [
        ("cipher_suites", hello(suites=LONG_SUITES), None, cert, None),
        ("extensions", hello(more_exts=LONG_EXT_TYPES), None, cert, None),
        ("supported_groups", hello(groups=LONG_GROUPS), None, cert, None),
        ("signature_algorithms", hello(sigalgs=LONG_SIGALGS), None, cert, None),
        ("supported_versions", hello(versions=versions), None, cert, None),
        ("alpn", hello(alpn=alpn), None, cert, None),
        ("key_share", hello(shares=shares), None, cert, None),
        ("ServerHello.extensions", hello(),
         server_hello(exts=[ext(t, b"") for t in LONG_EXT_TYPES]), cert, None),
        ("san", hello(), None, many_sans, None),
        ("CertificateRequest.signature_algorithms", hello(), None, cert, cr),
    ]
    return [(label, LONG_LISTS_PORT + i, ch, sh, crt, req)
            for i, (label, ch, sh, crt, req) in enumerate(rows)]


def case_long_lists(w, scale, rng):
    """Every list an event prints from the wire, past its output cap, one
    list per connection (client port 52000 + i, see long_lists_table):
    ClientHello cipher suites (2,000), extensions (106), supported groups
    (1,000), signature algorithms (1,000), supported versions (100), ALPN
    names (100), key shares (100); ServerHello extensions (100); a
    certificate's dNSName SAN entries (1,500); a TLS 1.2 CertificateRequest's
    signature algorithms (1,000).  Each list is cut at its cap, with
    <field>_omitted and a limit_reached anomaly naming the field path and
    the total; JA3 and JA4 still cover the whole lists.  Then the sentinel."""
    for label, port, ch, sh, cert, cr in long_lists_table():
        c = Conn(w, "10.52.0.2", port, "192.0.2.52", 443, rng=rng).open()
        c.send(C, record(hs(CLIENT_HELLO, ch), ver=0x0301))
        c.send(S, record(hs(SERVER_HELLO, sh if sh is not None else server_hello()))
               + records(hs(CERTIFICATE, certificate_body([cert])))
               + record(hs(SERVER_KEY_EXCHANGE, ske_ecdhe()))
               + (record(hs(13, cr)) if cr is not None else b"")
               + record(hs(SERVER_HELLO_DONE, b"")))
        c.close()
    sentinel(w, make_cert())


def case_cert13_extensions_lie(w, scale, rng):
    """TLS 1.3 (client port 52200): a ServerHello selecting TLS 1.3, then a
    Certificate in clear whose only CertificateEntry has an extensions
    vector claiming 7 bytes where 5 remain.  The anomaly names
    Certificate.certificate_list[0].extensions with the lengths, and the
    certificate is still reported (decoded, hashed).  Then the sentinel."""
    cert = make_cert(b"cert13.hostile.test", b"cert13.hostile.test")
    entry = v24(cert) + u16(7) + b"\x00\x05\x00\x01\x00"
    body = v8(b"") + v24(entry)
    ch = client_hello(b"cert13.hostile.test")
    sh = server_hello(suite=0x1301, exts=[ext(0x002B, u16(0x0304)),
                                         ext(0x0033, u16(29) + v16(b"\x11" * 32))])
    c = Conn(w, "10.52.0.3", 52200, "192.0.2.52", 443, rng=rng).open()
    c.send(C, record(hs(CLIENT_HELLO, ch), ver=0x0301))
    c.send(S, record(hs(SERVER_HELLO, sh)) + record(hs(CERTIFICATE, body)))
    c.close()
    sentinel(w, make_cert())


def case_san_faults(w, scale, rng):
    """Two server certificates whose subjectAltName cannot be used in full
    (client ports 52300, 52301): one whose extension value is an OCTET
    STRING instead of GeneralNames (it does not decode: certificate_unparsed
    naming certificate_list[0].subjectAltName, san []), one with a dNSName,
    an iPAddress of 5 bytes and a good iPAddress (bad_length naming
    subjectAltName[1](iPAddress); san keeps the two good entries).  Then
    the sentinel."""
    undecodable = make_cert(b"san-undecodable.hostile.test",
                            addext="2.5.29.17=DER:" + der_tlv(0x04, b"\xff").hex())
    names = (der_tlv(0x82, b"ok.san-faults.hostile.test") + der_tlv(0x87, b"\x01\x02\x03\x04\x05")
             + der_tlv(0x87, b"\xc0\x00\x02\x01"))
    bad_ip = make_cert(b"san-bad-ip.hostile.test",
                       addext="2.5.29.17=DER:" + der_tlv(0x30, names).hex())
    for port, cert in ((52300, undecodable), (52301, bad_ip)):
        full_handshake(w, cert, "10.52.0.4", port, "192.0.2.52", 443,
                       sni=b"san-faults.hostile.test", rng=rng)
    sentinel(w, make_cert())


# Names that reorder or hide text on a terminal, and a literal backslash
# escape (client port 52400 + i): SNI, ALPN and the certificate CN.
BIDI_NAMES = [
    b"evil\xe2\x80\xaemoc.test",                        # U+202E RLO: shows "eviltset.com"
    b"\xe2\x81\xa6lri\xe2\x81\xa9pdi.example",           # U+2066 LRI .. U+2069 PDI
    b"zw\xe2\x80\x8bsp\xe2\x80\x8dzwj.example",          # U+200B ZWSP, U+200D ZWJ
    b"\xef\xbb\xbfbom.example",                         # U+FEFF BOM
    b"line\xe2\x80\xa8sep\xe2\x80\xa9.example",          # U+2028, U+2029
    b"mark\xe2\x80\x8f\xe2\x80\x8e.example",             # U+200F RLM, U+200E LRM
    b"lit\\x00nul.example",                              # a literal \x00, not a NUL
]
BIDI_PORT = 52400


def case_bidi_names(w, scale, rng):
    """ClientHellos (client port 52400 + i) whose SNI and first ALPN name
    are BIDI_NAMES[i], answered by a server whose certificate CN holds
    U+202E: the text output escapes every bidi control, zero-width
    character, separator and BOM as \\xNN and the backslash as \\\\; the
    JSON keeps the contract's form (valid UTF-8 passes).  Then the
    sentinel."""
    cert = make_cert(b"cn\xe2\x80\xaemoc.test", b"san.bidi.hostile.test")
    for i, name in enumerate(BIDI_NAMES):
        full_handshake(w, cert, "10.52.0.5", BIDI_PORT + i, "192.0.2.52", 443,
                       ch=client_hello(name, alpn=(name, b"h2")), rng=rng)
    sentinel(w, make_cert())


# ---- issue 12: the --html report

# Server names, ALPN names and certificate names that would run script or end
# an element if the report put them in its markup instead of text nodes: the
# browser test (tests/html/run.py) checks that window.__tdInjected stays unset.
HTML_EVIL = [
    b"</script><script>window.__tdInjected=1</script>.example",
    b"<!--<script>window.__tdInjected=2</script>",
    b'"><img src=x onerror="window.__tdInjected=3">',
    b"'\xe2\x80\xa8\xe2\x80\xa9<svg onload=window.__tdInjected=4>",
    b"bad\xff\xfe<b>utf8</b>\x00\x1b[31m&amp;\\u003c",
    b"</SCRIPT ><!-- <script>",
]
# The CN is a UTF8String (valid UTF-8 to be decoded), the SAN dNSName raw bytes.
HTML_EVIL_CN = b"<script>window.__tdInjected=5</script>\"'&"
HTML_EVIL_SAN = b"</script><img src=x onerror=window.__tdInjected=6>\xff"
HTML_EVIL_PORT = 47100


def case_html_injection(w, scale, rng):
    """ClientHellos (client port 47100 + i) whose SNI is HTML_EVIL[i] and
    whose ALPN list is [HTML_EVIL[i+1], "h2"], answered with that ALPN and a
    certificate whose CN and SAN hold markup (HTML_EVIL_CN, HTML_EVIL_SAN):
    script tags, comment openers, quotes, U+2028/U+2029, invalid UTF-8 and
    control bytes, for the --html report's escaping.  Then the sentinel."""
    cert = make_cert(HTML_EVIL_CN, HTML_EVIL_SAN)
    for i, sni in enumerate(HTML_EVIL):
        alpn = HTML_EVIL[(i + 1) % len(HTML_EVIL)]
        full_handshake(w, cert, "10.12.0.%d" % (i + 1), HTML_EVIL_PORT + i, "192.0.2.12", 443,
                       ch=client_hello(sni, alpn=(alpn, b"h2")),
                       flight=server_flight(cert, alpn=alpn), rng=rng)
    sentinel(w, make_cert())


# ---- issue 6: tables

# tlsdissect's connection hash up to commit 7c89594: the 48-byte key (family,
# VLAN count, 4 VLAN IDs, 2 ports, 2 addresses, 2 zero bytes; little-endian
# host) taken as six 64-bit words, each mixed in by an invertible step.
OLD_FLOW_SEED = 0x51ED270B0B5D0F1B
OLD_FLOW_MUL = 0x9E3779B97F4A7C15
M64 = (1 << 64) - 1
HASH_FLOOD_CPORT, HASH_FLOOD_SPORT = 40000, 443
HASH_FLOOD_STATE = 0x0123456789ABCDEF   # the state every key reaches after word 4


def old_flow_hash(words):
    h = OLD_FLOW_SEED
    for v in words:
        h = ((h ^ v) * OLD_FLOW_MUL) & M64
        h ^= h >> 29
    return h


def old_flow_key_words(client, server):
    """The key words of a connection from client to server (the client's
    2001: address is the lower, so it comes first)."""
    key = (struct.pack("<BB4HHH", 6, 0, 0, 0, 0, 0, HASH_FLOOD_CPORT, HASH_FLOOD_SPORT)
           + client + server + b"\0\0")
    return struct.unpack("<6Q", key)


def hash_flood_addresses(i):
    """(client, server) IPv6 addresses of connection i: the client's bytes
    2..5 hold i (key word 2); the server's bytes 2..9 (key word 4) are solved
    so that the old hash's state after word 4 is HASH_FLOOD_STATE, whatever
    i: undo the xorshift, then the odd multiplier."""
    client = b"\x20\x01" + struct.pack("!I", i) + bytes(9) + b"\x01"
    server = b"\x20\x02" + bytes(13) + b"\x02"
    t = HASH_FLOOD_STATE ^ (HASH_FLOOD_STATE >> 29) ^ (HASH_FLOOD_STATE >> 58)
    want = (t * pow(OLD_FLOW_MUL, -1, 1 << 64)) & M64
    w4 = want ^ old_flow_hash(old_flow_key_words(client, server)[:4])
    return client, server[:2] + struct.pack("<Q", w4) + server[10:]


def case_hash_flood(w, scale, rng):
    """`scale` IPv6 SYNs (80,000 at full size; hash-flood-1k: 1,000), one per
    connection, from 2001::/16 port 40000 to 2002::/16 port 443, 2 us apart,
    never answered, whose connection keys all have the same value under
    tlsdissect's old unkeyed hash (hash_flood_addresses); then an ordinary
    handshake.  Attacks the connection table's buckets: with the old hash
    every lookup walked one chain of all the connections."""
    w.step = 2
    for i in range(scale):
        client, server = hash_flood_addresses(i)
        seq = (i * 2654435761) & 0xFFFFFFFF
        w.packet(eth(ipv6(client, server, tcp(client, server, HASH_FLOOD_CPORT, HASH_FLOOD_SPORT,
                                              seq, 0, SYN, opts=MSS_OPT)), True))
    w.step = 20
    sentinel(w, make_cert())


def cert_variants(cert, n):
    """n distinct certificates made from cert (serial 4660, as make_cert sets
    it) by giving each its own 2-byte serial; they still parse, their
    signatures no longer verify."""
    assert cert.count(b"\x02\x02\x12\x34") == 1
    at = cert.index(b"\x02\x02\x12\x34") + 2
    return [cert[:at] + struct.pack("!H", 0x1000 + i) + cert[at + 2:] for i in range(n)]


def chain_flight(chain):
    """server_flight with a Certificate message of several certificates,
    cut into records of 16 KiB."""
    return (record(hs(SERVER_HELLO, server_hello()))
            + records(hs(CERTIFICATE, certificate_body(chain)))
            + record(hs(SERVER_KEY_EXCHANGE, ske_ecdhe()))
            + record(hs(SERVER_HELLO_DONE, b"")))


VALIDATION_COST_PORT = 42000
VALIDATION_COST_CONNS = 20


def case_validation_cost(w, scale, rng):
    """20 connections (client ports 42000..42019), each with its own SNI
    (cNN.validation-cost.test), whose server sends the same Certificate
    message of `scale` certificates (3,000 at full size: about 1.4 MB, so
    run it with --max-handshake-size 2097152): the P-256 leaf of make_cert
    and scale - 1 variants of it; then an ordinary handshake.  Attacks
    certificate validation: every certificate decoded and given to the
    verifier on every connection, and a cache keyed by the name."""
    leaf = make_cert()
    flight = chain_flight([leaf] + cert_variants(leaf, scale - 1))
    for i in range(VALIDATION_COST_CONNS):
        full_handshake(w, leaf, cport=VALIDATION_COST_PORT + i,
                       sni=b"c%02d.validation-cost.test" % i, flight=flight)
    sentinel(w, leaf)


VALIDATION_CAP_PORT = 42100
VALIDATION_CAP_SNIS = (b"server.hostile.test", b"other.hostile.test", b"server.hostile.test")


def case_validation_cap(w, scale, rng):
    """The validation-cost attack in small, for a golden output: 3
    connections (client ports 42100..42102) whose server sends a chain of 12
    certificates (the leaf of make_cert and 11 variants, more than the
    verifier is given), for the SNIs server.hostile.test (the leaf's name),
    other.hostile.test, server.hostile.test; then an ordinary handshake."""
    leaf = make_cert()
    flight = chain_flight([leaf] + cert_variants(leaf, 11))
    for i, sni in enumerate(VALIDATION_CAP_SNIS):
        full_handshake(w, leaf, cport=VALIDATION_CAP_PORT + i, sni=sni, flight=flight)
    sentinel(w, leaf)


CERT_TRAILING_PORT = 43000


def case_cert_trailing_bytes(w, scale, rng):
    """Certificates with 4 bytes after their DER (reported
    certificate_unparsed), for SNI server.hostile.test: client port 43000
    gets the leaf of make_cert then a variant of it with the trailing bytes,
    port 43001 the leaf with the trailing bytes then a variant; then an
    ordinary handshake.  Only what parsed may be validated."""
    leaf = make_cert()
    other = cert_variants(leaf, 1)[0]
    for i, chain in enumerate(([leaf, other + b"\0\0\0\0"], [leaf + b"\0\0\0\0", other])):
        full_handshake(w, leaf, cport=CERT_TRAILING_PORT + i, sni=b"server.hostile.test",
                       flight=chain_flight(chain))
    sentinel(w, leaf)


# ---- issue 7: session

TICKET_PORT = 49000


def case_ticket_resumption(w, scale, rng):
    """A TLS 1.2 resumption by session ticket whose ClientHellos have an
    empty session ID (RFC 5077 §3.4): a full handshake that issues a ticket
    (client port 49000), then a connection that offers it and is resumed
    (49001: ServerHello with the server's own session ID, then
    ChangeCipherSpec and Finished).  Attacks a writer that decides "resumed"
    itself from the session IDs: --explain under the second ServerHello must
    not describe a full handshake, and resumed_from names connection 1."""
    cert = make_cert()
    ticket = bytes(range(0x60, 0x60 + 160))
    no_sid = v8(b"")
    c = Conn(w, "10.9.7.1", TICKET_PORT, "192.0.2.117", 443, rng=rng).open()
    c.send(C, record(hs(CLIENT_HELLO, client_hello(b"ticket.hostile.test", session_id=no_sid)),
                     ver=0x0301))
    c.send(S, server_flight(cert))
    c.send(C, client_flight())
    c.send(S, record(hs(4, struct.pack("!I", 7200) + v16(ticket))) + server_finish())
    c.close()
    c = Conn(w, "10.9.7.1", TICKET_PORT + 1, "192.0.2.117", 443, rng=rng).open()
    exts = [e for e in default_extensions(b"ticket.hostile.test") if e[:2] != u16(35)]
    ch = client_hello(b"ticket.hostile.test", session_id=no_sid, exts=exts + [ext(35, ticket)])
    c.send(C, record(hs(CLIENT_HELLO, ch), ver=0x0301))
    c.send(S, record(hs(SERVER_HELLO, server_hello())) + server_finish())
    c.send(C, record(b"\x01", CCS) + record(bytes(range(50, 90)), HANDSHAKE))
    c.close()


LEGACY_PORT = 49200
HRR_RANDOM = bytes.fromhex("cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c")


def case_legacy_offers(w, scale, rng):
    """What no stack on the fixture machine negotiates any more, for the
    findings and `ech` (docs/findings.md): connection 1 (client port 49200)
    is TLS 1.2 whose ClientHello offers DEFLATE compression and heartbeat
    and no renegotiation_info (neither the extension nor its SCSV); the
    ServerHello selects DEFLATE, echoes heartbeat and sends no
    renegotiation_info.  Connection 2 (49201) is a TLS 1.2 ClientHello with
    an encrypted_client_hello extension (RFC 9849 §5: a GREASE or a real
    offer alike) that the server ignores: ech "offered".  Connection 3
    (49202) is TLS 1.3 with a HelloRetryRequest that carries the ECH
    acceptance confirmation (RFC 9849 §7.2.1): ech "accepted"."""
    cert = make_cert(b"legacy.hostile.test", b"legacy.hostile.test")
    sni = b"legacy.hostile.test"
    # 1: compression and heartbeat, no secure renegotiation
    exts = [e for e in default_extensions(sni) if e[:2] != u16(0xFF01)] + [ext(15, u8(1))]
    ch = client_hello(sni, exts=exts, comp=v8(b"\x01\x00"))
    sh = (u16(0x0303) + bytes(range(0x40, 0x60)) + v8(bytes(range(0x60, 0x80))) + u16(0xC02F)
          + u8(1) + v16(ext(11, v8(b"\0")) + ext(15, u8(1)) + ext_alpn([b"h2"])))
    full_handshake(w, cert, "10.9.8.1", LEGACY_PORT, "192.0.2.118", 443, ch=ch,
                   flight=server_flight(cert, sh=sh), rng=rng)
    # 2: an ECH offer in a TLS 1.2 handshake (the server does not know ECH)
    ech = ext(0xFE0D, u8(0) + u16(1) + u16(1) + u8(0x2A) + v16(b"\x11" * 32) + v16(b"\x22" * 144))
    ch = client_hello(sni, extra_exts=[ech])
    w.pause(1000)
    full_handshake(w, cert, "10.9.8.1", LEGACY_PORT + 1, "192.0.2.118", 443, ch=ch, rng=rng)
    # 3: TLS 1.3, a HelloRetryRequest confirming ECH (8 bytes), then encrypted records
    w.pause(1000)
    c = Conn(w, "10.9.8.1", LEGACY_PORT + 2, "192.0.2.118", 443, rng=rng).open()
    c.send(C, record(hs(CLIENT_HELLO, client_hello(sni, extra_exts=[ech])), ver=0x0301))
    hrr = (u16(0x0303) + HRR_RANDOM + v8(bytes(range(0xA0, 0xC0))) + u16(0x1301) + u8(0)
           + v16(ext(43, u16(0x0304)) + ext(51, u16(23)) + ext(0xFE0D, b"\x5a" * 8)))
    c.send(S, record(hs(SERVER_HELLO, hrr)) + record(b"\x01", CCS))
    exts = [e for e in default_extensions(sni) if e[:2] != u16(51)] + \
        [ext(51, v16(u16(23) + v16(b"\x04" + b"\x33" * 64))), ech]
    c.send(C, record(b"\x01", CCS) + record(hs(CLIENT_HELLO, client_hello(sni, exts=exts))))
    sh13 = (u16(0x0303) + bytes(range(0x40, 0x60)) + v8(bytes(range(0xA0, 0xC0))) + u16(0x1301)
            + u8(0) + v16(ext(43, u16(0x0304)) + ext(51, u16(23) + v16(b"\x04" + b"\x44" * 64))))
    c.send(S, record(hs(SERVER_HELLO, sh13)) + record(bytes(range(200)), APPDATA)
           + record(bytes(range(53)), APPDATA))
    c.send(C, record(bytes(range(53)), APPDATA) + record(bytes(range(30)), APPDATA))
    c.send(S, record(bytes(range(30)), APPDATA))
    c.close()


MIDSTREAM_PORT = 49100


def case_midstream_appdata(w, scale, rng):
    """Connections picked up during TLS 1.3 application data (no SYN, no
    hello): 0: the client sends two application_data records back to back
    in one segment (17 03 03 00 22 ...), then the server answers with one;
    1: the same from a client on port 49101 to a server on 8443, first seen
    from the server's side; 2: a connection whose SYNs were captured but
    whose hellos were not (the capture began with a filter change, say).
    Consecutive records that chain exactly are TLS (midstream), and without a
    SYN the side on the well-known or lower port is the server."""
    for i in range(3):
        sport = 443 if i == 0 else 8443
        c = Conn(w, "10.9.8.%d" % (i + 1), MIDSTREAM_PORT + i, "192.0.2.118", sport, rng=rng)
        if i == 2:
            c.open()
        c.nxt = [c.nxt[0] + 1000, c.nxt[1] + 5000]
        two = record(bytes(rng.getrandbits(8) for _ in range(0x22)), APPDATA) + \
            record(bytes(rng.getrandbits(8) for _ in range(0x22)), APPDATA)
        one = record(bytes(rng.getrandbits(8) for _ in range(0x40)), APPDATA)
        if i != 1:
            c.seg(C, PSH | ACK, two)
            c.seg(S, PSH | ACK, one)
        else:
            c.seg(S, PSH | ACK, one)
            c.seg(C, PSH | ACK, two)
        c.ack(C)


# ---- issue 7: truncation

SNAPLEN_BAD_LENGTH_PORT = 44700
# legacy_version, random, session_id<0..32> of 32 bytes, then cipher_suites
ODD_SUITES_AT = 2 + 32 + 1 + 32
ODD_SUITES = u16(5) + u16(0xC02F) + u16(0xC030) + u8(0x13)   # 5 bytes: two and a half suites


def case_snaplen_bad_length(w, scale, rng):
    """Two connections (client ports 44700, 44701) whose client sends the
    same ClientHello with a cipher_suites vector of odd length (5), padded to
    about 600 bytes, and whose server answers with a fatal decode_error alert;
    then an ordinary handshake.  The first ClientHello is captured whole; the
    second's segment has a caplen that keeps only the first 300 bytes after
    the bad vector.  The bad length lies inside the captured bytes: a snaplen
    cut must not hide it (both connections report it; the second's
    ClientHello is also truncated)."""
    ch = client_hello(suites=ODD_SUITES, extra_exts=[ext_padding(400)])
    hello = record(hs(CLIENT_HELLO, ch), ver=0x0301)
    captured_body = ODD_SUITES_AT + len(ODD_SUITES) + 300
    assert captured_body < len(ch) and len(hello) <= 1448
    for i, body_kept in enumerate((None, captured_body)):
        c = Conn(w, "10.9.7.1", SNAPLEN_BAD_LENGTH_PORT + i, "192.0.2.117", 443).open()
        frame = c.ip_frame(C, c.tcp_bytes(C, PSH | ACK, hello))
        # the record header, the handshake header and the body bytes kept
        w.packet(frame, None if body_kept is None else len(frame) - len(hello) + 5 + 4 + body_kept)
        c.nxt[C] = (c.nxt[C] + len(hello)) & 0xFFFFFFFF
        c.ack(S)
        c.send(S, record(u8(2) + u8(50), ALERT))
        c.close()
    sentinel(w, make_cert())


# ---- issue 9: quic
#
# QUIC Initial packets (RFC 9000 §17.2.2) protected as RFC 9001 §5 says, so
# that tlsdissect has to remove header protection and open the AEAD before
# it can see the CRYPTO frames.  The primitives are those of the python3
# cryptography package (Debian python3-cryptography), imported only here.

QUIC_V1_SALT = bytes.fromhex("38762cf7f55934b34d179ae6a4c80cadccbb7f0a")
QUIC_PORT = 45000         # client ports 45000.. for the quic-initials connections
QUIC_RFC_DCID = bytes.fromhex("8394c8f03e515708")
# RFC 9001 A.2: the client's CRYPTO frame (PADDING extends it to 1162 bytes)
QUIC_RFC_CRYPTO = bytes.fromhex(
    "060040f1010000ed0303ebf8fa56f12939b9584a3896472ec40bb863cfd3e868"
    "04fe3a47f06a2b69484c00000413011302010000c000000010000e00000b6578"
    "616d706c652e636f6dff01000100000a00080006001d00170018001000070005"
    "04616c706e000500050100000000003300260024001d00209370b2c9caa47fba"
    "baf4559fedba753de171fa71f50f1ce15d43e994ec74d748002b000302030400"
    "0d0010000e0403050306030203080408050806002d00020101001c0002400100"
    "3900320408ffffffffffffffff05048000ffff07048000ffff08011001048000"
    "75300901100f088394c8f03e51570806048000ffff")
# RFC 9001 A.3: the server's Initial payload (ACK, CRYPTO with a ServerHello)
QUIC_RFC_SERVER = bytes.fromhex(
    "02000000000600405a020000560303eefce7f7b37ba1d1632e96677825ddf739"
    "88cfc79825df566dc5430b9a045a1200130100002e00330024001d00209d3c94"
    "0d89690b84d08a60993c144eca684d1081287c834d5311bcf32bb9da1a002b00"
    "020304")
QUIC_RFC_SCID = bytes.fromhex("f067a5502a4262b5")


def quic_varint(n):
    for size, tag in ((1, 0), (2, 0x40), (4, 0x80), (8, 0xC0)):
        if n < 1 << (8 * size - 2):
            return (n | tag << (8 * size - 8)).to_bytes(size, "big")
    raise ValueError("varint too large")


def quic_keys(dcid):
    """RFC 9001 §5.2: (key, iv, hp) of the client and of the server."""
    from cryptography.hazmat.primitives import hashes, hmac
    from cryptography.hazmat.primitives.kdf.hkdf import HKDFExpand

    def expand(secret, label, n):
        full = b"tls13 " + label
        info = struct.pack("!HB", n, len(full)) + full + b"\0"
        return HKDFExpand(hashes.SHA256(), n, info).derive(secret)

    h = hmac.HMAC(QUIC_V1_SALT, hashes.SHA256())
    h.update(dcid)
    initial = h.finalize()
    keys = []
    for label in (b"client in", b"server in"):
        secret = expand(initial, label, 32)
        keys.append((expand(secret, b"quic key", 16), expand(secret, b"quic iv", 12),
                     expand(secret, b"quic hp", 16)))
    return keys


def quic_initial(keys, dcid, scid, pn, payload, datagram=None):
    """One protected v1 Initial packet with a 4-byte packet number; PADDING
    frames make the packet `datagram` bytes long when given."""
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    key, iv, hp = keys
    head = bytes([0xC3]) + struct.pack("!I", 1) + v8(dcid) + v8(scid) + quic_varint(0)
    if datagram is not None:
        payload += b"\0" * (datagram - (len(head) + 2 + 4 + len(payload) + 16))
    header = head + struct.pack("!H", 0x4000 | (4 + len(payload) + 16)) + struct.pack("!I", pn)
    nonce = bytes(a ^ b for a, b in zip(iv, (pn).to_bytes(12, "big")))
    sealed = AESGCM(key).encrypt(nonce, payload, header)
    mask = Cipher(algorithms.AES(hp), modes.ECB()).encryptor().update(sealed[:16])
    out = bytearray(header)
    out[0] ^= mask[0] & 0x0F
    for i in range(4):
        out[len(header) - 4 + i] ^= mask[1 + i]
    return bytes(out) + sealed


def udp(src, dst, sport, dport, payload):
    hdr = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0)
    pseudo = src + dst + struct.pack("!BBH", 0, 17, len(hdr) + len(payload))
    return hdr[:6] + struct.pack("!H", inet_checksum(pseudo + hdr + payload) or 0xFFFF) + payload


def quic_crypto(offset, data):
    return b"\x06" + quic_varint(offset) + quic_varint(len(data)) + data


def case_quic_initials(w, scale, rng):
    """QUIC v1 Initial packets, protected as RFC 9001 says, from client ports
    45000..45002.  45000: the client Initial and server Initial of RFC 9001
    Appendix A (ClientHello for example.com, ServerHello).  45001 (to port
    4433): a ClientHello in CRYPTO frames out of order over two packets,
    with an overlap whose bytes differ from the first copy (first copy kept:
    one quic_crypto_conflict), then the whole ClientHello resent in a third
    Initial (one ClientHello event, not two).  45002: a ClientHello, then
    CRYPTO frames at offset 2^62 - 100 (past the cap: limit_reached) and at
    2^62 - 10 with 20 bytes (past 2^62 - 1: quic_malformed), an unknown
    frame type (quic_malformed), and the server's CONNECTION_CLOSE with
    CRYPTO_ERROR 0x128 (a handshake_failure alert).  A UDP datagram on port
    443 that is not QUIC is ignored.  Then the sentinel."""
    cip, sip = packed("10.9.9.1"), packed("192.0.2.120")

    def dgram(sport, dport, payload, to_server=True):
        src, dst = (cip, sip) if to_server else (sip, cip)
        a, b = (sport, dport) if to_server else (dport, sport)
        w.packet(eth(ipv4(src, dst, udp(src, dst, a, b, payload), proto=17)))

    # 45000: the RFC's own packets
    ck, sk = quic_keys(QUIC_RFC_DCID)
    dgram(QUIC_PORT, 443, quic_initial(ck, QUIC_RFC_DCID, b"", 2, QUIC_RFC_CRYPTO, 1200))
    dgram(QUIC_PORT, 443, quic_initial(sk, b"", QUIC_RFC_SCID, 1, QUIC_RFC_SERVER), False)

    hello = hs(CLIENT_HELLO, client_hello(sni=b"quic.hostile.test", alpn=(b"h3",)))
    ping_ack = b"\x01" + b"\x02" + quic_varint(0) + quic_varint(0) + quic_varint(0) + quic_varint(0)
    # 45001: out of order, an overlap that conflicts, a resend of everything
    dcid, scid = bytes(range(0x10, 0x18)), bytes(range(0x20, 0x28))
    ck, sk = quic_keys(dcid)
    forged = bytes(b ^ 0xFF for b in hello[40:60])
    dgram(QUIC_PORT + 1, 4433, quic_initial(ck, dcid, scid, 0, quic_crypto(100, hello[100:]), 1200))
    dgram(QUIC_PORT + 1, 4433, quic_initial(ck, dcid, scid, 1, quic_crypto(0, hello[:60])
                                             + quic_crypto(40, forged + hello[60:100]), 1200))
    dgram(QUIC_PORT + 1, 4433, quic_initial(ck, dcid, scid, 2, ping_ack + quic_crypto(0, hello), 1200))
    # 45002: offsets near 2^62, an unknown frame type, a TLS alert in CONNECTION_CLOSE
    dcid, scid = bytes(range(0x30, 0x3A)), bytes(range(0x40, 0x44))
    ck, sk = quic_keys(dcid)
    dgram(QUIC_PORT + 2, 443, quic_initial(ck, dcid, scid, 0, quic_crypto(0, hello), 1200))
    dgram(QUIC_PORT + 2, 443, quic_initial(ck, dcid, scid, 1, quic_crypto((1 << 62) - 100, b"\xAA" * 50), 1200))
    dgram(QUIC_PORT + 2, 443, quic_initial(ck, dcid, scid, 2, quic_crypto((1 << 62) - 10, b"\xBB" * 20), 1200))
    dgram(QUIC_PORT + 2, 443, quic_initial(ck, dcid, scid, 3, b"\x21" + b"\xCC" * 8, 1200))
    close = b"\x1c" + quic_varint(0x128) + quic_varint(6) + quic_varint(0)
    dgram(QUIC_PORT + 2, 443, quic_initial(sk, scid, b"\x50\x51\x52\x53", 0, close), False)
    # not QUIC: a DNS-looking datagram to port 443
    dgram(QUIC_PORT + 3, 443, bytes.fromhex("abcd01000001000000000000") + b"\x05quic\x04test\x00\x00\x01\x00\x01")
    sentinel(w, make_cert())


def quic_retry(dcid, scid, odcid, token, good_tag=True):
    """A v1 Retry packet (RFC 9000 §17.2.5) with its integrity tag (RFC 9001 §5.8)."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    pkt = bytes([0xF0]) + struct.pack("!I", 1) + v8(dcid) + v8(scid) + token
    tag = AESGCM(bytes.fromhex("be0c690b9f66575a1d766b54e368c84e")).encrypt(
        bytes.fromhex("461599d35d632bf2239825bb"), b"", v8(odcid) + pkt)
    return pkt + (tag if good_tag else bytes(b ^ 1 for b in tag))


QUIC_RETRY_PORT = 45050   # client ports 45050.. for the quic-retries connections


def case_quic_retries(w, scale, rng):
    """QUIC v1 Retry packets (RFC 9000 §17.2.5).  45050: the client's
    Initial, then the server's Retry (tag verified: followed, a Retry
    event), then 2000 more Retries with other connection IDs (counted in one
    quic_unsupported anomaly, none followed), then the client's Initial with
    the keys of the first Retry's Source Connection ID (its ClientHello is
    its own event), and the server's ServerHello with the same keys.
    45051: a Retry whose tag does not verify (quic_unsupported, not
    followed), then the client's Initial with the new ID
    (quic_undecryptable).  Then the sentinel."""
    cip, sip = packed("10.9.9.3"), packed("192.0.2.122")

    def dgram(sport, payload, to_server=True):
        src, dst = (cip, sip) if to_server else (sip, cip)
        a, b = (sport, 443) if to_server else (443, sport)
        w.packet(eth(ipv4(src, dst, udp(src, dst, a, b, payload), proto=17)))

    hello = hs(CLIENT_HELLO, client_hello(sni=b"retry.hostile.test", alpn=(b"h3",)))
    server_hello = QUIC_RFC_SERVER
    for port, good in ((QUIC_RETRY_PORT, True), (QUIC_RETRY_PORT + 1, False)):
        odcid, cscid, new = bytes(range(0x60, 0x68)), bytes(range(0x70, 0x74)), bytes(range(0x80, 0x88))
        ck, _ = quic_keys(odcid)
        dgram(port, quic_initial(ck, odcid, cscid, 0, quic_crypto(0, hello), 1200))
        dgram(port, quic_retry(cscid, new, odcid, b"token-" + bytes(20), good), False)
        if good:
            for i in range(int(2000 * scale) or 1):
                other = struct.pack("!Q", 0x9000000000000000 + i)
                dgram(port, quic_retry(cscid, other, odcid, b"t" * 10), False)
        nk, nsk = quic_keys(new)
        dgram(port, quic_initial(nk, new, cscid, 1, quic_crypto(0, hello), 1200))
        if good:
            dgram(port, quic_initial(nsk, cscid, new, 0, server_hello), False)
    sentinel(w, make_cert())


DTLS_PORT = 45100         # client ports 45100.. for the dtls-fragments connections


def dtls_record(body, ct=HANDSHAKE, ver=0xFEFD, epoch=0, seq=0, length=None):
    """A DTLSPlaintext record (RFC 6347 §4.1)."""
    return (u8(ct) + u16(ver) + u16(epoch) + struct.pack("!Q", seq)[2:]
            + u16(len(body) if length is None else length) + body)


def dtls_fragment(mtype, msg_seq, body, offset, flen=None, length=None):
    """One handshake fragment (RFC 6347 §4.2.2) of the message body `body`."""
    flen = len(body) - offset if flen is None else flen
    return (u8(mtype) + u24(len(body) if length is None else length) + u16(msg_seq) + u24(offset)
            + u24(flen) + body[offset:offset + flen])


def dtls_client_hello(sni, cookie=b""):
    """A DTLS 1.2 ClientHello body: the TLS one with version 0xfefd and a cookie."""
    tls = client_hello(sni=sni)
    # version (2), random (32), session_id (1 + 32), then the cookie, then the rest
    return u16(0xFEFD) + tls[2:34] + tls[34:67] + v8(cookie) + tls[67:]


def case_dtls_fragments(w, scale, rng):
    """DTLS 1.2 over UDP from client ports 45100..45106 (server port 4433).
    45100: a ClientHello in three fragments sent out of order over three
    datagrams, the last one overlapping the one before with bytes that
    differ (dtls_fragment_conflict, first copy kept), then the whole message
    resent (one ClientHello event, not two).  45101: a fragment whose offset plus
    length pass its message's length (dtls_malformed), then the ClientHello.
    45102: a fragment flood: 2000 one-byte fragments of one 3000-byte
    message (limit_reached past 1024; never whole: incomplete_message).
    45103: a record header that claims DTLS 1.2 with garbage behind it (a
    length past the datagram: dtls_malformed), then more garbage.  45104: a
    ClientHello followed in its datagram by a record header cut short, and a
    datagram whose record length runs past its end (dtls_malformed).  45105:
    a fragment of message_seq 500 (more than 8 ahead: limit_reached), then
    the ClientHello.  45106: a datagram cut by the snaplen inside its
    ClientHello (truncated_capture), then the same datagram whole (its
    ClientHello is read).  Then the TLS sentinel."""
    cip, sip = packed("10.9.9.2"), packed("192.0.2.121")

    def dgram(sport, payload, dport=4433):
        w.packet(eth(ipv4(cip, sip, udp(cip, sip, sport, dport, payload), proto=17)))

    hello = dtls_client_hello(b"dtls.hostile.test")
    n = len(hello)
    a, b = n // 3, 2 * n // 3
    # 45100: out of order, an overlapping resend that conflicts, the whole message again
    forged = hello[:a] + bytes(x ^ 0xFF for x in hello[a:a + 10]) + hello[a + 10:]
    dgram(DTLS_PORT, dtls_record(dtls_fragment(CLIENT_HELLO, 0, hello, b), seq=0))
    dgram(DTLS_PORT, dtls_record(dtls_fragment(CLIENT_HELLO, 0, hello, 0, a + 10), seq=1))
    dgram(DTLS_PORT, dtls_record(dtls_fragment(CLIENT_HELLO, 0, forged, a, b - a), seq=2))
    dgram(DTLS_PORT, dtls_record(dtls_fragment(CLIENT_HELLO, 0, hello, 0), seq=3))
    # 45101: past the message's length, then the real thing
    dgram(DTLS_PORT + 1, dtls_record(dtls_fragment(CLIENT_HELLO, 0, hello, n - 10, 10, length=n - 5),
                                     seq=0))
    dgram(DTLS_PORT + 1, dtls_record(dtls_fragment(CLIENT_HELLO, 0, hello, 0), seq=1))
    # 45102: a fragment flood for one message that never completes
    big = bytes(rng.randrange(256) for _ in range(3000))
    for i in range(2000):
        dgram(DTLS_PORT + 2, dtls_record(dtls_fragment(CLIENT_HELLO, 0, big, i, 1), seq=i))
    # 45103: a DTLS version with garbage behind it
    junk = bytes(rng.randrange(256) for _ in range(64))
    dgram(DTLS_PORT + 3, b"\x16\xfe\xfd" + u16(0) + b"\0" * 6 + u16(5000) + junk)
    dgram(DTLS_PORT + 3, bytes(rng.randrange(256) for _ in range(100)))
    # 45104: datagrams cut inside a record header, and inside a record
    whole = dtls_record(dtls_fragment(CLIENT_HELLO, 0, hello, 0), seq=0)
    dgram(DTLS_PORT + 4, whole + dtls_record(b"")[:7])
    dgram(DTLS_PORT + 4, dtls_record(b"\x0e" + b"\0" * 11, seq=1, length=200))
    # 45105: a message far ahead of the next one expected
    dgram(DTLS_PORT + 5, dtls_record(dtls_fragment(CLIENT_HELLO, 0, hello, 0), seq=0)
          + dtls_record(dtls_fragment(CERTIFICATE, 500, b"\x01" * 40, 0), seq=1))
    # 45106: a datagram cut by the snaplen inside its ClientHello, then sent again whole
    frame = eth(ipv4(cip, sip, udp(cip, sip, DTLS_PORT + 6, 4433, whole), proto=17))
    w.packet(frame, caplen=14 + 20 + 8 + 60)
    dgram(DTLS_PORT + 6, whole)
    sentinel(w, make_cert())


RAW_CASES = {"pcapng-unknown-blocks", "snaplen-64", "cut-mid-packet", "cut-mid-header",
             "header-only", "zero-byte", "truncated-clienthello-random",
             "truncated-serverhello-random", "pcapng-timestamp-overflow"}
# the cases that write pcapng (their files are NAME.pcapng)
PCAPNG_CASES = {"pcapng-unknown-blocks", "pcapng-timestamp-overflow"}

CASES = {
    "lying-lengths": case_lying_lengths,
    "record-too-long": case_record_too_long,
    "trickle": case_trickle,
    "retrans-storm": case_retrans_storm,
    "seq-wrap": case_seq_wrap,
    "syn-flood": case_syn_flood,
    "garbage-flood": case_garbage_flood,
    "frag-incomplete": case_frag_incomplete,
    "frag-overlap": case_frag_overlap,
    "evil-strings": case_evil_strings,
    "pcapng-unknown-blocks": case_pcapng_unknown_blocks,
    "snaplen-64": case_snaplen_64,
    "cut-mid-packet": case_cut_mid_packet,
    "cut-mid-header": case_cut_mid_header,
    "header-only": case_header_only,
    "zero-byte": case_zero_byte,
    "truncated-clienthello-random": case_truncated_clienthello_random,
    "truncated-serverhello-random": case_truncated_serverhello_random,
    "pcapng-timestamp-overflow": case_pcapng_timestamp_overflow,
    "odd-versions": case_odd_versions,
    "ack-before-data": case_ack_before_data,
    "gap-in-message": case_gap_in_message,
    "hello-order": case_hello_order,
    "retained-buffers": case_retained_buffers,
    "buffer-budget": case_buffer_budget,
    "many-certificates": case_many_certificates,
    "long-lists": case_long_lists,
    "cert13-extensions-lie": case_cert13_extensions_lie,
    "san-faults": case_san_faults,
    "bidi-names": case_bidi_names,
    "html-injection": case_html_injection,
    "clock-outlier": case_clock_outlier,
    "clock-sparse": case_clock_sparse,
    "hash-flood": case_hash_flood,
    "hash-flood-1k": case_hash_flood,
    "validation-cost": case_validation_cost,
    "validation-cap": case_validation_cap,
    "cert-trailing-bytes": case_cert_trailing_bytes,
    "ticket-resumption": case_ticket_resumption,
    "legacy-offers": case_legacy_offers,
    "midstream-appdata": case_midstream_appdata,
    "snaplen-bad-length": case_snaplen_bad_length,
    "quic-initials": case_quic_initials,
    "quic-retries": case_quic_retries,
    "dtls-fragments": case_dtls_fragments,
}

FULL_SCALE = {"trickle": 100000, "retrans-storm": 10000, "syn-flood": 1000000,
              "garbage-flood": 1000000000, "frag-incomplete": 100000,
              "hash-flood": 80000, "hash-flood-1k": 1000, "validation-cost": 3000,
              "retained-buffers": 300}


def parse_scale(s):
    mult = {"k": 10**3, "K": 10**3, "m": 10**6, "M": 10**6, "g": 10**9, "G": 10**9}
    if s and s[-1] in mult:
        return int(float(s[:-1]) * mult[s[-1]])
    return int(s)


class _RawWriter:
    """For the cases that write their own container (no pcap header)."""

    def __init__(self, f):
        self.f = f


def generate(case, out, scale=None, seed=1):
    """Write CASE to the binary file object out."""
    fn = CASES[case]
    if scale is None:
        scale = FULL_SCALE.get(case, 1)
    rng = random.Random(seed)
    w = _RawWriter(out) if case in RAW_CASES else Writer(out)
    fn(w, scale, rng)
    out.flush()


def main():
    ap = argparse.ArgumentParser(
        description="Write one crafted hostile capture (see the module docstring).",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="cases:\n" + "\n".join("  %-22s %s" % (n, (f.__doc__ or "").split("\n")[0])
                                      for n, f in CASES.items()))
    ap.add_argument("case", nargs="?", choices=sorted(CASES))
    ap.add_argument("out", nargs="?", help="output file, or - for standard output")
    ap.add_argument("--scale", type=parse_scale, default=None,
                    help="size of the case (default: full size); k/M/G suffixes")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--list", action="store_true", help="list the cases with their docstrings")
    a = ap.parse_intermixed_args()
    if a.list:
        for n, f in CASES.items():
            print("%s%s\n    %s\n" % (n, "  (full scale %s)" % FULL_SCALE[n] if n in FULL_SCALE else "",
                                      (f.__doc__ or "").strip().replace("\n    ", "\n    ")))
        return 0
    if not a.case or not a.out:
        ap.error("CASE and OUT are required")
    try:
        if a.out == "-":
            out = io.BufferedWriter(sys.stdout.buffer.raw if hasattr(sys.stdout.buffer, "raw")
                                    else sys.stdout.buffer, buffer_size=1 << 20)
            generate(a.case, out, a.scale, a.seed)
        else:
            with open(a.out, "wb", buffering=1 << 20) as out:
                generate(a.case, out, a.scale, a.seed)
    except BrokenPipeError:
        # the reader stopped early: not our failure to report
        try:
            sys.stdout = None
        except Exception:
            pass
        os._exit(0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
