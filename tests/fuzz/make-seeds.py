#!/usr/bin/env python3
"""Seed corpora for the libFuzzer targets in tests/fuzz, from the fixtures.

    tests/fuzz/make-seeds.py [OUTDIR]        (default build-fuzz/seeds)

Writes OUTDIR/fuzz_pcap, OUTDIR/fuzz_tls_stream, OUTDIR/fuzz_message and
OUTDIR/fuzz_udp:

  fuzz_pcap        every tests/pcaps/*.pcap, tests/pcaps/derived/* and
                   tests/pcaps/hostile/* capture (up to 64 KiB),
                   and each capture with a key log beside it as a pcapng
                   file with a Decryption Secrets Block
                   and for classic pcap files copies with option bytes set
                   (offsets 12-13, see fuzz_pcap.c)
  fuzz_tls_stream  the reassembled client and server byte streams of each TCP
                   connection in tests/pcaps/*.pcap (read by tools/pcaplib.py:
                   Ethernet/VLAN, SLL, raw, NULL/LOOP; IPv4/IPv6; segments
                   ordered by sequence number, first copy of a byte wins), in the format of
                   fuzz_tls_stream.c, whole and with chunking schedules
  fuzz_message     every handshake message in clear of those streams (and the
                   two-byte alerts), as selector + variant + body (format of
                   fuzz_message.c), plus a few hand-made forms no fixture has
                   (SSLv2 hellos, TLS 1.3 Certificate/CertificateRequest/
                   NewSessionTicket, KeyUpdate, CertificateStatus)
  fuzz_udp         the datagrams of each UDP flow (QUIC, DTLS) of
                   tests/pcaps/*.pcap and tests/pcaps/hostile/*.pcap, in the
                   format of fuzz_udp.c, whole, with the DTLS flag (the keyed
                   DTLS fixtures also with the key log flag), and with
                   every other datagram cut in half

Only the standard library; deterministic; runs in well under a second.
"""
import hashlib
import os
import shutil
import struct
import sys
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, 'tools'))
import pcaplib  # noqa: E402  (tools/pcaplib.py)

MAX_PCAP = 65536
MAX_STREAM_INPUT = 16384
MAX_MESSAGE_INPUT = 8192

# fuzz_message.c parser numbers
P_CH, P_SSLV2_CH, P_SH, P_SSLV2_SH, P_CERT, P_SKE, P_CKE, P_CR, P_CV, P_NST, P_CS, P_KU, P_ALERT, P_EE, P_CCERT = range(15)
SUITES = [0xc02f, 0x009e, 0x009c, 0x00a8, 0xc035, 0x00a6, 0x0003, 0x00aa,
          0x00ac, 0xc01d, 0xc005, 0xc018, 0x1301, 0x0014, 0x0a0a, 0xffff]
VERSIONS = [0x0000, 0x0300, 0x0301, 0x0303, 0x0304, 0x0002, 0xfefd, 0x7f1c]


# ---- TCP streams -----------------------------------------------------------------

def connections(path):
    """[(client stream, server stream)] of the TCP connections in a capture."""
    capture = pcaplib.read_capture(path)
    conns = {}  # canonical key -> {'first': (src,sport), 'dirs': {dirkey: [isn, segs]}}
    order = []
    for fr in capture.frames:
        t = pcaplib.tcp_of(capture.linktype, fr.data)
        if t is None:
            continue
        src, dst, sport, dport, seq, _, flags, payload, _ = t
        a, b = (src, sport), (dst, dport)
        key = (min(a, b), max(a, b))
        c = conns.get(key)
        if c is None:
            c = conns[key] = {'client': a, 'dirs': {}}
            order.append(key)
        if flags & 0x02 and not flags & 0x10:
            c['client'] = a
        d = c['dirs'].setdefault(a, {'isn': None, 'segs': []})
        if flags & 0x02:
            d['isn'] = seq
        elif payload:
            d['segs'].append((seq, payload))
    out = []
    for key in order:
        c = conns[key]
        client = c['client']
        server = key[0] if key[1] == client else key[1]
        out.append((reassemble(c['dirs'].get(client)), reassemble(c['dirs'].get(server))))
    return out


def reassemble(d):
    if not d or not d['segs']:
        return b''
    base = (d['isn'] + 1) if d['isn'] is not None else min(s for s, _ in d['segs'])
    segs = sorted(((s - base) & 0xffffffff, p) for s, p in d['segs'])
    buf = bytearray()
    for off, p in segs:
        if off > len(buf):
            break  # a hole: stop here
        if off + len(p) > len(buf):
            buf += p[len(buf) - off:]
    return bytes(buf)


# ---- UDP flows -------------------------------------------------------------------

def udp_flows(path):
    """[[(side, payload)]] of the UDP flows (IPv4/IPv6, unfragmented) of a capture;
    side 0 sent the flow's first datagram."""
    capture = pcaplib.read_capture(path)
    flows, order = {}, []
    for fr in capture.frames:
        off = pcaplib.ip_offset(capture.linktype, fr.data)
        if off is None or off >= len(fr.data):
            continue
        ip = fr.data[off:]
        if ip[0] >> 4 == 4 and len(ip) >= 28 and ip[9] == 17 and not (ip[6] & 0x3f or ip[7]):
            hl = (ip[0] & 15) * 4
            src, dst, udp = ip[12:16], ip[16:20], ip[hl:]
        elif ip[0] >> 4 == 6 and len(ip) >= 48 and ip[6] == 17:
            src, dst, udp = ip[8:24], ip[24:40], ip[40:]
        else:
            continue
        if len(udp) < 8:
            continue
        sport, dport, ulen = struct.unpack('!HHH', udp[:6])
        a, b = (src, sport), (dst, dport)
        key = (min(a, b), max(a, b))
        if key not in flows:
            flows[key] = {'first': a, 'dgrams': []}
            order.append(key)
        flows[key]['dgrams'].append((0 if a == flows[key]['first'] else 1, udp[8:ulen]))
    return [flows[k]['dgrams'] for k in order]


def udp_seed(flags, dgrams, cut_every=0, keylog=None):
    out = bytearray([flags | (0x04 if keylog is not None else 0)])
    if keylog is not None:
        out += struct.pack('!H', len(keylog)) + keylog
    for i, (side, payload) in enumerate(dgrams):
        cut = 2 if cut_every and i % cut_every == cut_every - 1 else 0
        out += bytes([side | cut]) + struct.pack('!H', len(payload)) + payload
        if len(out) > MAX_STREAM_INPUT:
            break
    return bytes(out[:MAX_STREAM_INPUT])


# ---- TLS framing ---------------------------------------------------------------

def clear_records(stream):
    """[(type, version, body)] of the records before framing is lost."""
    out, off = [], 0
    while off + 5 <= len(stream):
        ct, ver, ln = struct.unpack('>BHH', stream[off:off + 5])
        if ct not in (20, 21, 22, 23, 24) or ver >> 8 != 3:
            break
        out.append((ct, ver, stream[off + 5:off + 5 + ln]))
        off += 5 + ln
    return out


def handshake_messages(records):
    """[(type, body)] of the handshake messages in clear, and two-byte alerts."""
    buf, msgs, alerts = b'', [], []
    for ct, _, body in records:
        if ct == 20 or ct == 23:
            break  # encrypted from here (TLS 1.2 CCS, TLS 1.3 application_data)
        if ct == 21 and len(body) == 2:
            alerts.append(body)
        if ct != 22:
            continue
        buf += body
        while len(buf) >= 4:
            ln = int.from_bytes(buf[1:4], 'big')
            if len(buf) < 4 + ln:
                break
            msgs.append((buf[0], buf[4:4 + ln]))
            buf = buf[4 + ln:]
    return msgs, alerts


def server_choice(msgs):
    """(version, suite) from a ServerHello, or (0, None)."""
    for t, b in msgs:
        if t == 2 and len(b) >= 38:
            ver = struct.unpack('>H', b[:2])[0]
            sid = b[34]
            if len(b) >= 35 + sid + 3:
                suite = struct.unpack('>H', b[35 + sid:37 + sid])[0]
                # supported_versions in the extensions
                off = 35 + sid + 3
                if off + 2 <= len(b):
                    end = off + 2 + struct.unpack('>H', b[off:off + 2])[0]
                    off += 2
                    while off + 4 <= min(end, len(b)):
                        et, el = struct.unpack('>HH', b[off:off + 4])
                        if et == 43 and el == 2:
                            ver = struct.unpack('>H', b[off + 4:off + 6])[0]
                        off += 4 + el
                return ver, suite
    return 0, None


def pcapng_with_secrets(capture, keylog):
    """A pcapng file: SHB, a TLS key log Decryption Secrets Block, IDB, the frames as EPBs."""
    dsb = struct.pack('<II', 0x544c534b, len(keylog)) + keylog
    out = pcaplib.pcapng_shb() + pcaplib.pcapng_block(0x0000000A, dsb) + pcaplib.pcapng_idb(capture.linktype)
    for fr in capture.frames:
        out += pcaplib.pcapng_epb(0, fr.ts // 1000, fr.data, fr.wirelen)
    return out


# ---- seed formats ----------------------------------------------------------------

def stream_seed(flags, schedule, s0, s1):
    room = MAX_STREAM_INPUT - 4 - len(schedule)
    s0 = s0[:min(len(s0), room // 3)]
    s1 = s1[:room - len(s0)]
    return bytes([flags, len(schedule)]) + bytes(schedule) + struct.pack('>H', len(s0)) + s0 + s1


def message_seed(parser, flags_hi, variant, body):
    return bytes([parser | flags_hi, variant]) + body[:MAX_MESSAGE_INPUT - 2]


def kex_variant(version, suite):
    si = SUITES.index(suite) if suite in SUITES else 0
    vi = VERSIONS.index(version) if version in VERSIONS else 3
    return si | vi << 4


def tls13_certificate(tls12_body):
    """The TLS 1.3 form of a TLS 1.2 Certificate body (empty context and extensions)."""
    certs, off = [], 3
    while off + 3 <= len(tls12_body):
        ln = int.from_bytes(tls12_body[off:off + 3], 'big')
        certs.append(tls12_body[off + 3:off + 3 + ln])
        off += 3 + ln
    lst = b''.join(len(c).to_bytes(3, 'big') + c + b'\x00\x00' for c in certs)
    return b'\x00' + len(lst).to_bytes(3, 'big') + lst


def compressed_certificate(tls13_body, declared=None, algorithm=1):
    """RFC 8879 CompressedCertificate of a TLS 1.3 Certificate body, zlib-compressed
    (the seeds' only compressor in Python's standard library)."""
    stream = zlib.compress(tls13_body, 9)
    n = len(tls13_body) if declared is None else declared
    return struct.pack('>H', algorithm) + n.to_bytes(3, 'big') + len(stream).to_bytes(3, 'big') + stream


def decrypt_seed(suite, cert, damage=False, compress=False):
    """fuzz_decrypt input: the records of a TLS 1.3 handshake, tickets, a KeyUpdate and alerts."""
    hash_len = 48 if suite == 1 else 32

    def hs(t, body):
        return bytes([t]) + struct.pack('>I', len(body))[1:] + body

    def rec(ctl, ctype, body):
        return bytes([ctl, ctype]) + struct.pack('>H', len(body)) + body
    ee = hs(8, bytes.fromhex('000f001000050003026832001c00024001'))
    cv = hs(15, b'\x08\x04' + struct.pack('>H', 256) + bytes(range(256)))
    fin = hs(20, bytes(hash_len))
    nst = hs(4, struct.pack('>II', 7200, 7) + b'\x01\x00' + struct.pack('>H', 16) + bytes(16) + b'\x00\x00')
    out = bytes([suite])
    certificate = (hs(25, compressed_certificate(cert)) if compress else hs(11, cert)) if cert else b''
    out += rec(0x01, 22, ee + certificate)               # EncryptedExtensions + Certificate in one record
    out += rec(0x01 | 0x08, 22, cv)                      # padded
    out += rec(0x01 | (0x02 if damage else 0), 22, fin)
    out += rec(0x00, 22, fin)                            # the client's Finished
    out += rec(0x40, 23, b'GET / HTTP/1.1\r\n\r\n')    # the client's first application data
    out += rec(0x41, 22, nst + nst)                      # the server moves on too: two tickets
    out += rec(0x00, 22, hs(24, b'\x01'))                # KeyUpdate, update_requested
    out += rec(0x80, 23, b'after the key update')
    out += rec(0x01, 21, b'\x01\x00')                    # close_notify
    out += rec(0x00 | 0x3c, 21, b'\x01\x00')             # close_notify, padded
    return out


def early_data_seed(suite, accepted=True):
    """fuzz_decrypt input in 0-RTT mode (byte 0 bit 4): early data and EndOfEarlyData under the
    early secret before the ServerHello, then the handshake (EncryptedExtensions with or without
    early_data; when rejected the client skips EndOfEarlyData)."""
    hash_len = 48 if suite == 1 else 32

    def hs(t, body):
        return bytes([t]) + struct.pack('>I', len(body))[1:] + body

    def rec(ctl, ctype, body):
        return bytes([ctl, ctype]) + struct.pack('>H', len(body)) + body
    exts = bytes.fromhex('001000050003026832' + ('002a0000' if accepted else ''))
    ee = hs(8, struct.pack('>H', len(exts)) + exts)
    fin = hs(20, bytes(hash_len))
    out = bytes([suite | 0x10])
    out += rec(0x00, 23, b'GET /early HTTP/1.1\r\n\r\n')  # 0-RTT data, under the early secret
    if accepted:
        out += rec(0x00, 22, hs(5, b''))                    # EndOfEarlyData
    out += rec(0x01, 22, ee + fin)                          # the ServerHello comes before this
    out += rec(0x80, 22, fin)                               # the client's handshake secret
    out += rec(0x40, 23, b'GET / HTTP/1.1\r\n\r\n')
    out += rec(0x41, 21, b'\x01\x00')
    return out


def decrypt12_seed(profile, damage=False):
    """fuzz_decrypt12 input: both sides' ChangeCipherSpec in clear, then sealed
    Finished messages, application data, a HelloRequest and alerts."""
    def rec(ctl, ctype, body):
        return bytes([ctl, ctype]) + struct.pack('>H', len(body)) + body
    fin = b'\x14\x00\x00\x0c' + bytes(range(12))
    out = bytes([profile])
    out += rec(0x08, 20, b'\x01')                          # the client's ChangeCipherSpec
    out += rec(0x00, 22, fin)                             # its Finished
    out += rec(0x09, 20, b'\x01')                          # the server's
    out += rec(0x01 | (0x02 if damage else 0), 22, fin)
    out += rec(0x00 | 0x30, 23, b'GET / HTTP/1.1\r\n\r\n')  # three more blocks of CBC padding
    out += rec(0x01, 23, b'')                             # an empty fragment
    out += rec(0x01, 22, b'\x00\x00\x00\x00')             # HelloRequest (renegotiation)
    out += rec(0x00 | (0x04 if damage else 0), 21, b'\x01\x00')  # close_notify (bad padding)
    out += rec(0x01, 21, b'\x01\x00')
    return out


def handmade():
    """Message seeds for forms no fixture carries in clear."""
    out = []
    # SSLv2 CLIENT-HELLO: msg_type 1, version 0x0301, cipher specs, session id, challenge
    specs = bytes.fromhex('010080' '0700c0' '00002f' '000035' '00000a' '00c02f' '0a0a0a')
    challenge = bytes(range(16))
    out.append(message_seed(P_SSLV2_CH, 0, 0, b'\x01\x03\x01' + struct.pack('>HHH', len(specs), 0,
                                                                             len(challenge)) + specs + challenge))
    # SSLv2 SERVER-HELLO: msg_type 4, session-id-hit, cert type 1, version 2, cert, specs, conn id
    cert = b'\x30\x03\x02\x01\x01'
    out.append(message_seed(P_SSLV2_SH, 0, 0, b'\x04\x00\x01\x00\x02' + struct.pack(
        '>HHH', len(cert), 3, 16) + cert + b'\x01\x00\x80' + bytes(16)))
    # TLS 1.3 CertificateRequest: context, extensions (signature_algorithms)
    sigs = bytes.fromhex('0403080404010503')
    ext = struct.pack('>HHH', 13, len(sigs) + 2, len(sigs)) + sigs
    out.append(message_seed(P_CR, 0, 2, b'\x00' + struct.pack('>H', len(ext)) + ext))
    # TLS 1.3 NewSessionTicket: lifetime, age_add, nonce, ticket, extensions (early_data)
    out.append(message_seed(P_NST, 0, 1, struct.pack('>II', 7200, 0x01020304) + b'\x01\x00' +
                            struct.pack('>H', 32) + bytes(range(32)) + bytes.fromhex('0008002a000400004000')))
    # KeyUpdate, CertificateStatus (OCSP), Alert
    out.append(message_seed(P_KU, 0, 0, b'\x01'))
    out.append(message_seed(P_CS, 0, 0, b'\x01\x00\x00\x05\x30\x03\x0a\x01\x00'))
    out.append(message_seed(P_ALERT, 0, 0, b'\x02\x28'))
    # EncryptedExtensions (only ever decrypted): ALPN h2; GnuTLS's ALPN + record_size_limit;
    # none; server_name ack, early_data, max_fragment_length, supported_groups, quic params
    out.append(message_seed(P_EE, 0, 0x20, bytes.fromhex('0009001000050003026832')))
    out.append(message_seed(P_EE, 0, 0x20, bytes.fromhex('000f001000050003026832001c00024001')))
    out.append(message_seed(P_EE, 0, 0, b'\x00\x00'))
    out.append(message_seed(P_EE, 0, 0x20, bytes.fromhex('001f' '00000000' '002a0000' '0001000102'
                                                         '000a000600040017001d' '0039000401020304')))
    # ClientKeyExchange / ServerKeyExchange forms the fixtures lack
    out.append(message_seed(P_CKE, 0, kex_variant(0x0303, 0x00a8), b'\x00\x04user'))
    out.append(message_seed(P_SKE, 0, kex_variant(0x0303, 0x00a8), b'\x00\x04hint'))
    out.append(message_seed(P_SKE, 0, kex_variant(0x0303, 0xc035),
                            b'\x00\x04hint\x03\x00\x1d\x20' + bytes(32)))
    out.append(message_seed(P_SKE, 0, kex_variant(0x0301, 0x0003),
                            b'\x00\x40' + bytes([0xc1] * 64) + b'\x00\x03\x01\x00\x01' + b'\x00\x40' + bytes(64)))
    out.append(message_seed(P_CKE, 0, kex_variant(0x0300, 0x009c), bytes(64)))
    # CompressedCertificate: a bomb (64 KiB of zeros declared as 4096 bytes), one
    # declared longer than it is, one over the 2048-byte limit variant, brotli and
    # zstd headers over a zlib stream, and outside TLS 1.3
    zeros = b'\x00' + (65535).to_bytes(3, 'big') + bytes(65535)
    out.append(message_seed(P_CCERT, 0, 0, compressed_certificate(zeros, declared=4096)))
    out.append(message_seed(P_CCERT, 0, 0, compressed_certificate(b'\x00\x00\x00\x00', declared=5)))
    out.append(message_seed(P_CCERT, 0, 4, compressed_certificate(zeros)))
    out.append(message_seed(P_CCERT, 0, 0, compressed_certificate(b'\x00\x00\x00\x00', algorithm=2)))
    out.append(message_seed(P_CCERT, 0, 0, compressed_certificate(b'\x00\x00\x00\x00', algorithm=3)))
    out.append(message_seed(P_CCERT, 0, 1, compressed_certificate(b'\x00\x00\x00\x00')))
    return out


# ---- main --------------------------------------------------------------------------

def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, 'build-fuzz', 'seeds')
    pcaps = sorted(os.path.join(ROOT, 'tests', 'pcaps', n) for n in os.listdir(os.path.join(ROOT, 'tests', 'pcaps'))
                   if n.endswith('.pcap'))
    derived_dir = os.path.join(ROOT, 'tests', 'pcaps', 'derived')
    derived = sorted(os.path.join(derived_dir, n) for n in os.listdir(derived_dir)
                     if n.endswith(('.pcap', '.pcapng'))) if os.path.isdir(derived_dir) else []
    hostile_dir = os.path.join(ROOT, 'tests', 'pcaps', 'hostile')
    hostile = sorted(os.path.join(hostile_dir, n) for n in os.listdir(hostile_dir)
                     if n.endswith(('.pcap', '.pcapng'))) if os.path.isdir(hostile_dir) else []
    seeds = {'fuzz_pcap': {}, 'fuzz_tls_stream': {}, 'fuzz_message': {}, 'fuzz_keylog': {}, 'fuzz_decrypt': {},
             'fuzz_decrypt12': {}, 'fuzz_udp': {}}

    def add(target, name, data):
        seeds[target][name] = data

    for i, path in enumerate(pcaps + derived + hostile):
        name = os.path.splitext(os.path.basename(path))[0]
        if path in hostile:
            name = 'hostile-' + name
        with open(path, 'rb') as f:
            data = f.read()
        if len(data) > MAX_PCAP:
            continue
        add('fuzz_pcap', name, data)
        if data[:4] in (b'\xd4\xc3\xb2\xa1', b'\xa1\xb2\xc3\xd4'):
            # options: text writer (+explain/live/colour), and a tighter limits tier
            v = bytearray(data)
            v[12] = 1 | (i % 8) << 1
            v[13] = 1 + i % 3
            add('fuzz_pcap', name + '-opts', bytes(v))
        keylog = os.path.splitext(path)[0] + '.keylog'
        if os.path.exists(keylog):
            # the capture as a pcapng file that carries its key log (fuzz_pcap reads DSBs)
            with open(keylog, 'rb') as f:
                dsb = pcapng_with_secrets(pcaplib.read_capture(path), f.read())
            if len(dsb) <= MAX_PCAP:
                add('fuzz_pcap', name + '-dsb', dsb)

    for path in pcaps + [h for h in hostile if h.endswith('.pcap')]:
        name = os.path.splitext(os.path.basename(path))[0]
        for fi, dgrams in enumerate(udp_flows(path)):
            add('fuzz_udp', '%s-u%d' % (name, fi), udp_seed(0x00, dgrams))
            add('fuzz_udp', '%s-u%d-dtls-text' % (name, fi), udp_seed(0x03, dgrams))
            add('fuzz_udp', '%s-u%d-cut-small' % (name, fi), udp_seed(0xc0, dgrams, 2))
            keylog = os.path.splitext(path)[0] + '.keylog'
            if os.path.exists(keylog):
                # the QUIC Handshake packets opened with the capture's key log
                with open(keylog, 'rb') as f:
                    add('fuzz_udp', '%s-u%d-keys' % (name, fi), udp_seed(0x00, dgrams, 0, f.read()))

    schedules = [
        (0x00, []),
        (0x08, [1, 2, 3, 5, 8, 13, 21, 0x21, 0x80 | 7, 32]),          # small chunks, text writer
        (0x1c, [0x25, 0x22, 0x80 | 0x01, 0x3f, 17]),                     # skip hints honoured, explain
        (0x42, [0x23, 0x40 | 0x04, 0x23, 0x40 | 0x10 | 0x03, 0x30]),     # midstream, gaps, small messages
    ]
    for path in pcaps:
        name = os.path.splitext(os.path.basename(path))[0]
        for ci, (client, server) in enumerate(connections(path)):
            if not client and not server:
                continue
            for si, (flags, sched) in enumerate(schedules):
                add('fuzz_tls_stream', '%s-c%d-s%d' % (name, ci, si), stream_seed(flags, sched, client, server))
            add('fuzz_tls_stream', '%s-c%d-swapped' % (name, ci), stream_seed(0x01, [0x80 | 0x30, 0x30], server, client))
            cmsgs, calerts = handshake_messages(clear_records(client))
            smsgs, salerts = handshake_messages(clear_records(server))
            version, suite = server_choice(smsgs)
            tls12 = 1 if version >= 0x0303 else 0
            for side, msgs in (('c', cmsgs), ('s', smsgs)):
                for mi, (t, body) in enumerate(msgs):
                    base = '%s-c%d-%s%d' % (name, ci, side, mi)
                    if t == 1:
                        add('fuzz_message', base + '-ch', message_seed(P_CH, 0, 0, body))
                    elif t == 2:
                        add('fuzz_message', base + '-sh', message_seed(P_SH, 0x10, 0, body))
                    elif t == 11:
                        add('fuzz_message', base + '-cert', message_seed(P_CERT, 0, 0, body))
                        add('fuzz_message', base + '-cert-cache', message_seed(P_CERT, 0x10, 2, body))
                        add('fuzz_message', base + '-cert13', message_seed(P_CERT, 0, 3, tls13_certificate(body)))
                        add('fuzz_message', base + '-ccert', message_seed(P_CCERT, 0, 2,
                                                                          compressed_certificate(tls13_certificate(body))))
                    elif t == 12:
                        add('fuzz_message', base + '-ske', message_seed(P_SKE, 0, kex_variant(version, suite), body))
                    elif t == 16:
                        add('fuzz_message', base + '-cke', message_seed(P_CKE, 0, kex_variant(version, suite), body))
                    elif t == 13:
                        add('fuzz_message', base + '-cr', message_seed(P_CR, 0, tls12, body))
                    elif t == 15:
                        add('fuzz_message', base + '-cv', message_seed(P_CV, 0, tls12, body))
                    elif t == 4:
                        add('fuzz_message', base + '-nst', message_seed(P_NST, 0, 0, body))
                    elif t == 22:
                        add('fuzz_message', base + '-cs', message_seed(P_CS, 0, 0, body))
                    elif t == 24:
                        add('fuzz_message', base + '-ku', message_seed(P_KU, 0, 0, body))
            for ai, body in enumerate(calerts + salerts):
                add('fuzz_message', '%s-c%d-alert%d' % (name, ci, ai), message_seed(P_ALERT, 0, 0, body))
    for i, data in enumerate(handmade()):
        add('fuzz_message', 'handmade-%02d' % i, data)
    # fuzz_keylog: the fixtures' key logs (whole, and in 5-byte pieces with a cap of
    # 3 secrets), and the pcapng files (DSB walker)
    for d in (os.path.join(ROOT, 'tests', 'pcaps'), derived_dir):
        for n in sorted(os.listdir(d)) if os.path.isdir(d) else []:
            if n.endswith('.keylog'):
                with open(os.path.join(d, n), 'rb') as f:
                    text = f.read()
                add('fuzz_keylog', n, bytes([0, 255]) + text)
                add('fuzz_keylog', n + '-pieces', bytes([5 << 1, 2]) + text)
    for path in derived:
        if path.endswith('.pcapng'):
            with open(path, 'rb') as f:
                data = f.read()
            if len(data) <= MAX_PCAP:
                add('fuzz_keylog', os.path.basename(path), bytes([1, 255]) + data)

    # fuzz_decrypt: a TLS 1.3 handshake and its aftermath as plaintexts, for each suite
    cert = b''
    for path in pcaps:
        if os.path.basename(path) == 'tls12-ecdhe-rsa.pcap':
            for client, server in connections(path):
                for t, body in handshake_messages(clear_records(server))[0]:
                    if t == 11 and not cert:
                        cert = tls13_certificate(body)
    for suite in range(3):
        add('fuzz_decrypt', 'handshake-suite%d' % suite, decrypt_seed(suite, cert))
        add('fuzz_decrypt', 'handshake-suite%d-damaged' % suite, decrypt_seed(suite, cert, damage=True))
        add('fuzz_decrypt', 'early-data-suite%d-accepted' % suite, early_data_seed(suite))
        add('fuzz_decrypt', 'early-data-suite%d-rejected' % suite, early_data_seed(suite, accepted=False))
    # fuzz_decrypt12: a TLS 1.0-1.2 handshake's end and its aftermath, for each protection
    for profile in range(8):
        add('fuzz_decrypt12', 'records-profile%d' % profile, decrypt12_seed(profile))
        add('fuzz_decrypt12', 'records-profile%d-damaged' % profile, decrypt12_seed(profile, damage=True))
        add('fuzz_decrypt', 'handshake-suite%d-compressed' % suite, decrypt_seed(suite, cert, compress=True))

    for target, items in seeds.items():
        d = os.path.join(outdir, target)
        if os.path.isdir(d):
            shutil.rmtree(d)
        os.makedirs(d)
        seen = set()
        for name, data in sorted(items.items()):
            h = hashlib.sha1(data).digest()
            if h in seen:
                continue  # the same bytes under another name
            seen.add(h)
            with open(os.path.join(d, name), 'wb') as f:
                f.write(data)
        print('%s: %d seeds' % (d, len(seen)))


if __name__ == '__main__':
    main()
