#!/usr/bin/env python3
"""crosscheck.py - compare tlsdissect's view of a capture with tshark's.

    tools/crosscheck.py [--tlsdissect PATH] [--tshark PATH] [--keylog-file KEYLOG] [--verbose]
                        CAPTURE [CAPTURE...]

Exit status: 0 when both tools agree on every capture, 1 when they disagree
anywhere, 2 on a usage error or when a tool cannot be run or fails (tshark
or tlsdissect missing, tlsdissect crashed or printed invalid JSON, tshark
could not read the capture, no such file).

Output: one line per capture, "CAPTURE: OK|FAIL (...)" (or "CAPTURE: ERROR
..."), then notes and, for each connection that differs, one line per
difference.  --verbose adds, for every connection, both sequences and every
compared field.

Python 3 standard library only.  tshark (Wireshark 4.0 was used to write this)
must be on PATH or given with --tshark.

What is compared, per TCP connection
------------------------------------
Connections are matched by their endpoints (client ip/port + server ip/port,
either order on tshark's side) and, when several connections share those
endpoints, by the time of their first packet (tlsdissect's `start`, tshark's
first frame of the tcp.stream).  UDP (DTLS, QUIC) is out of scope and ignored
(tools/crosscheck-quic.py compares the QUIC handshakes, tools/crosscheck-dtls.py
the DTLS ones).

1. The sequence of messages, separately in each direction, and each
   message's `frame` (the packet that completed it) against tshark's
   frame.number of the frame that shows it.  Tokens:
     handshake message names (tlsdissect's `msg` names; tshark's handshake
     type mapped to them; type 2 with the RFC 8446 magic random is a
     HelloRetryRequest), ChangeCipherSpec, Alert(level:description),
     Alert(encrypted,len=N) and Finished(encrypted,len=N) (tshark's
     "Encrypted Alert" / "Encrypted Handshake Message" of TLS <= 1.2 and of
     SSL 3.0; N is the record length).
   TLS 1.3 encrypted handshake records are application-data records on the
   wire (opaque type 23) and without keys nobody can tell an encrypted
   handshake record from application data, a post-handshake NewSessionTicket
   or an encrypted alert.  tlsdissect reports the ones it believes belong to
   the handshake as EncryptedHandshake(len=N).  So the check is in two parts:
     a. the sequences without application data on tshark's side and without
        EncryptedHandshake on ours must be identical;
     b. between two consecutive plaintext tokens, our EncryptedHandshake
        lengths must be exactly the first application-data record lengths
        tshark shows there (a prefix).  One exception: in the client
        direction of a ClientHello that offered early_data, the client may
        send 0-RTT application data before its encrypted handshake records
        (EndOfEarlyData, Finished), and no passive observer can tell them
        apart by record type; there our lengths must be a contiguous run of
        tshark's lengths in that gap (the skipped leading records are the
        0-RTT data).
   A Heartbeat record is one "Heartbeat" token on both sides (readable or
   not); records tshark cannot classify ("Ignored Unknown Record",
   "Continuation Data") are not compared.  A handshake type without a
   message name is "Handshake(<registry name>)" on both sides.
   Messages tlsdissect marks "truncated": true (only partly captured,
   snaplen) have no counterpart in tshark, which cannot reassemble them and
   shows nothing: they are left out, with a note.
   Fields of a message tlsdissect marks "truncated" or "parsed": false are
   not compared.
   SSL 2.0 records: tshark shows CLIENT-HELLO (1), SERVER-HELLO (4) and
   CLIENT-MASTER-KEY (2) as "SSLv2 Record Layer"; tlsdissect reports them
   as ClientHello, ServerHello followed by Certificate (the certificate
   travels inside SERVER-HELLO), and ClientKeyExchange.  Encrypted SSL 2.0
   records are not messages on either side.
2. ClientHello: cipher suites (ordered), extension types (ordered), SNI
   (bytes), ALPN list (bytes), supported_versions list, JA3 string and MD5.
   For an SSL 2.0-format ClientHello, tshark lists 3-byte cipher specs;
   tlsdissect lists the ones of the form 0x00XXXX as the TLS suite 0xXXXX
   (the SSLv2-only kinds are only counted, in `sslv2_only_cipher_kinds`).
3. ServerHello / HelloRetryRequest: cipher suite, negotiated version
   (selected supported_versions when present, else legacy version),
   extension types (ordered), ALPN, JA3S string and MD5.
4. Certificate: the SHA-256 of every certificate, in order, computed here
   from the DER bytes tshark shows (tls.handshake.certificate).

Names: tshark's numeric values are turned into tlsdissect's names with the
CSVs in tools/iana/ (value,name); a value that is not there (GREASE,
unassigned) becomes lowercase hex ("0x0a0a"), exactly as tlsdissect writes it.

How tshark is run, and why
--------------------------
* `-o tls.desegment_ssl_records:TRUE -o tcp.desegment_tcp_streams:TRUE`:
  handshake messages spanning records or segments are reported once, in the
  frame that completes them ("(fragment)" pieces are skipped);
  `-o tls.desegment_ssl_application_data:FALSE` keeps records one per item.
* Up to four runs of tshark (RUNS): the first with tshark's defaults, then,
  only for the connections that still differ, with out-of-order
  reassembly, with TLS forced on their server ports (below), and with
  both.  A connection is taken from a later run when that has fewer
  differences (on a tie: when tshark read more of it as TLS there), with
  a note naming the settings.  Why: with
  `tcp.reassemble_out_of_order` off (4.0's default) tshark loses the
  messages of a stream whose segments arrive out of order, which
  tlsdissect reassembles (tools/mangle.py reorder); with it on, tshark
  waits forever for a segment that was never captured and loses what
  follows a real gap, which tlsdissect resynchronises after
  (ndpi/smtp-starttls.pcap, conn 2: the client's last Alert).
* The tree is read as PDML (`-T pdml`), which keeps the order of records and
  messages inside a frame (the field output cannot tell which handshake
  types belong to which record) and gives the raw bytes of every field.
* WIRESHARK_CONFIG_DIR points to an empty directory, so a user's
  preferences (key log files, decode-as tables, disabled protocols) cannot
  change the result.
* A pcapng file that embeds TLS secrets (Decryption Secrets Block) is first
  copied without them (what `editcap --discard-all-secrets` does): tshark would
  decrypt with them and tlsdissect does not, and the comparison is about
  what can be read without keys.
* tshark dissects TLS on well-known ports, after STARTTLS for the protocols
  it knows on their standard ports (checked: SMTP, IMAP, MySQL), inside
  HTTP CONNECT tunnels, and elsewhere by a heuristic that only starts at a
  record it recognises (not at an SSL 2.0-format ClientHello, for one).
  Hence the runs with TLS forced on the server port of every connection
  that differs (no TLS seen, or any difference).  TLS is forced with
  `-o http.tls.port:443,PORT...` rather than `-d tcp.port==PORT,tls`: both
  make tshark dissect TLS there, but tshark tells the server from the
  client by the ClientHello, else by TLS's own port table, which only the
  former fills; with decode-as, a capture that starts after the
  ClientHello has both peers taken for the client and, after the first
  ChangeCipherSpec, the server's plaintext NewSessionTicket shown as
  "Encrypted Handshake Message" (checked on a capture cut after the
  ClientHello: the record is 16 03 03 00 ba 04 00 00 b6 ...).  Only the
  connections concerned are taken from such a run: forcing TLS on a
  port that carries a plaintext prefix (STARTTLS) can spoil its
  dissection for the other connections.
* tlsdissect exits 1 when the file is damaged; what it printed up to there
  is still compared, and connections that only tshark (reading on) reports
  are then notes, not differences.
* tshark's X.509 dissector shrinks a certificate's item to the DER it could
  parse: for an entry that is not valid DER the bytes tshark shows are not
  the entry (suricata-verify bug-1450-04); such an entry is compared by its
  declared length only, with a note.

With keys (--keylog-file)
-------------------------
Both tools are given the same NSS key log (tshark: `-o tls.keylog_file:`,
tlsdissect: `--keylog-file`), so TLS 1.3 handshake records are compared as
the messages they hold: the decrypted message sequence of each direction
(decrypted alerts included), the server's TLS 1.3 certificate chain
(sha256 of each, as in clear) and EncryptedExtensions' extension types and
ALPN.  Decrypted application data is application data on tshark's side and
nothing on ours, as without keys.  A pcapng file's own secrets are still
removed for tshark: the key log given stands for them.

Limits
------
* TLS 1.3 encrypted records are checked by length and position only; a
  missing last EncryptedHandshake record, or one too many, is invisible
  (where the handshake ends and application data begins cannot be seen
  without keys).
* Connections are matched without VLAN IDs (tshark's tcp.stream ignores
  them too); connections that differ only by VLAN are paired by time.
* tshark, in a TLS conversation, looks for a record at the start of every
  TCP segment, even after bytes that are not TLS; tlsdissect gives up on a
  stream whose first bytes are not TLS (anomaly not_tls).  On such junk
  the two disagree and this script reports it ("tshark sees TLS ... but
  tlsdissect reports no TLS message"): judge by the bytes.
* A difference is reported with tshark's frame numbers where it has them;
  --verbose prints both full sequences.

JA3 / JA3S and tshark 4.0
-------------------------
The published JA3 (salesforce/ja3) is
  SSLVersion,Ciphers,Extensions,EllipticCurves,EllipticCurvePointFormats
with decimal values joined by '-', GREASE values (RFC 8701, 0x?a?a) removed
from the cipher, extension and curve lists; JA3S is
  SSLVersion,Cipher,Extensions.
tshark 4.0's tls.handshake.ja3_full/ja3s_full follow this, GREASE removal
included (checked on Chrome captures with GREASE in ciphers, extensions,
groups and supported_versions; GREASE is removed here from JA3S's
extension list too, where a ServerHello never has any: RFC 8701 servers do
not echo GREASE).  This script also computes JA3/JA3S from the
fields tshark dissected and prints a note when tshark's own string differs
from that, so a tshark quirk is visible rather than hidden; tlsdissect is
compared with the recomputed string (the spec), which is tshark's whenever
tshark follows the spec.
"""

import argparse
import difflib
import hashlib
import ipaddress
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from datetime import datetime, timezone

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pcaplib  # noqa: E402  (tools/pcaplib.py)

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
IANA_DIR = os.path.join(HERE, "iana")

HRR_RANDOM = "cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c"
GREASE = {(b << 8) | b for b in range(0x0a, 0x100, 0x10)}

HS_NAMES = {
    0: "HelloRequest", 1: "ClientHello", 2: "ServerHello",
    4: "NewSessionTicket", 5: "EndOfEarlyData", 8: "EncryptedExtensions",
    11: "Certificate", 12: "ServerKeyExchange", 13: "CertificateRequest",
    14: "ServerHelloDone", 15: "CertificateVerify", 16: "ClientKeyExchange",
    20: "Finished", 22: "CertificateStatus", 24: "KeyUpdate", 25: "CompressedCertificate",
}
SSL2_NAMES = {1: "ClientHello", 2: "ClientKeyExchange", 4: "ServerHello"}
ALERT_LEVELS = {1: "warning", 2: "fatal"}

TSHARK_PREFS = [
    "-o", "tls.desegment_ssl_records:TRUE",
    "-o", "tls.desegment_ssl_application_data:FALSE",
    "-o", "tcp.desegment_tcp_streams:TRUE",
]

# tshark runs tried in turn for the connections that still differ:
# (reassemble out-of-order segments, force TLS on the server ports).
RUNS = [(False, False), (True, False), (False, True), (True, True)]


class ToolError(Exception):
    pass


# --------------------------------------------------------------------------
# Registries


def load_registry(name, width):
    table = {}
    path = os.path.join(IANA_DIR, name + ".csv")
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#") or line == "value,name":
                continue
            value, _, label = line.partition(",")
            table[int(value, 16)] = label
    return lambda v: table.get(v, "0x%0*x" % (width * 2, v))


class Names:
    def __init__(self):
        self.suite = load_registry("cipher-suites", 2)
        self.ext = load_registry("extensions", 2)
        self.version = load_registry("versions", 2)
        self.alert = load_registry("alerts", 1)
        self.hs_type = load_registry("handshake-types", 1)
        self.cert_compression = load_registry("cert-compression", 2)


# --------------------------------------------------------------------------
# Small helpers


def norm_ip(s):
    try:
        return ipaddress.ip_address(s).compressed
    except ValueError:
        return s


def parse_ts(s):
    """RFC 3339 'YYYY-MM-DDTHH:MM:SS.ffffffZ' -> integer microseconds."""
    if not s:
        return None
    try:
        d = datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)
    except ValueError:
        return None
    return int(d.timestamp()) * 1000000 + d.microsecond


def ja3_md5(s):
    return hashlib.md5(s.encode()).hexdigest()


def fmt_ep(ep):
    ip, port = ep
    return ("[%s]:%d" if ":" in ip else "%s:%d") % (ip, port)


def short(v, limit=160):
    s = v if isinstance(v, str) else json.dumps(v)
    return s if len(s) <= limit else s[: limit - 3] + "..."


def strip_dsb(path, out_path):
    """Copy a pcapng file without its Decryption Secrets Blocks (type 0x0A).

    Returns the number of blocks dropped; 0 (and nothing written) when the
    file is not pcapng or holds none.  Written here rather than with
    `editcap --discard-all-secrets`, which in Wireshark 4.0 refuses some
    files ("can't be written as a pcapng file")."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return 0
    if data[:4] != b"\x0a\x0d\x0d\x0a":
        return 0
    out, end, dropped = [], 0, 0
    try:
        for block in pcaplib.pcapng_blocks(data):
            if block.type == 0x0000000A:
                dropped += 1
            else:
                out.append(block.raw)
            end = block.offset + len(block.raw)
    except pcaplib.CapError:
        pass
    out.append(data[end:])      # a damaged or short tail: kept as it is
    if dropped:
        with open(out_path, "wb") as f:
            f.write(b"".join(out))
    return dropped


# --------------------------------------------------------------------------
# Message model shared by both sides


class Msg:
    """One item of a direction's sequence."""

    __slots__ = ("kind", "name", "length", "fields", "frame", "truncated", "unparsed")

    def __init__(self, kind, name, length=None, fields=None, frame=None):
        self.kind = kind        # "plain" | "enc" | "enc13" (ours: EncryptedHandshake) | "appdata" (tshark)
        self.name = name        # token text without length
        self.length = length
        self.fields = fields or {}
        self.frame = frame
        self.truncated = False  # ours: message only partly captured (snaplen)
        self.unparsed = False   # ours: "parsed": false (malformed body)

    def token(self):
        if self.kind == "plain":
            return self.name
        if self.kind == "enc":
            return "%s(encrypted,len=%s)" % (self.name, self.length)
        return "%s(len=%s)" % (self.name, self.length)


# --------------------------------------------------------------------------
# tlsdissect side


def run_ours(tool, capture, keylog=None):
    cmd = [tool, "-r", capture, "--json"] + (["--keylog-file", keylog] if keylog else [])
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=600)
    except OSError as e:
        raise ToolError("cannot run tlsdissect (%s): %s" % (tool, e))
    except subprocess.TimeoutExpired:
        raise ToolError("tlsdissect timed out on %s" % capture)
    notes = []
    if p.returncode not in (0, 1):
        raise ToolError("tlsdissect exited with status %d on %s: %s"
                        % (p.returncode, capture, p.stderr.decode(errors="replace").strip()[:300]))
    if p.returncode == 1:
        notes.append("tlsdissect stopped on an input problem: "
                     + p.stderr.decode(errors="replace").strip()[:200])
    conns = {}
    for n, line in enumerate(p.stdout.decode("utf-8", errors="replace").splitlines(), 1):
        if not line.strip():
            continue
        try:
            ev = json.loads(line)
        except ValueError:
            raise ToolError("tlsdissect printed invalid JSON on line %d: %s" % (n, short(line, 100)))
        cid = ev.get("conn")
        if ev.get("type") not in ("message", "connection", "anomaly") or cid is None:
            continue
        if ev.get("transport") in ("quic", "dtls"):
            continue  # tools/crosscheck-quic.py and crosscheck-dtls.py compare those
        c = conns.get(cid)
        if c is None and "client" in ev and "server" in ev:
            c = conns[cid] = {
                "conn": cid,
                "client": (norm_ip(ev["client"]["ip"]), ev["client"]["port"]),
                "server": (norm_ip(ev["server"]["ip"]), ev["server"]["port"]),
                "start": None, "first_ts": parse_ts(ev.get("ts")),
                "msgs": {"client": [], "server": []}, "anomalies": [],
            }
        if c is None:
            continue
        if ev["type"] == "connection":
            c["start"] = parse_ts(ev.get("start"))
        elif ev["type"] == "anomaly":
            c["anomalies"].append(ev.get("what"))
        else:
            c["msgs"][ev.get("from", "client")].append(ours_msg(ev))
    return conns, notes


def ours_bytes(ev, key):
    if key + "_hex" in ev:
        return bytes.fromhex(ev[key + "_hex"])
    if key in ev and ev[key] is not None:
        return ev[key].encode("utf-8")
    return None


def ours_msg(ev):
    m = ours_msg_body(ev)
    m.frame = ev.get("frame")
    m.truncated = ev.get("truncated") is True
    m.unparsed = ev.get("parsed") is False
    return m


def ours_msg_body(ev):
    name = ev.get("msg")
    enc = ev.get("encrypted") is True
    if name == "Heartbeat":
        return Msg("plain", "Heartbeat")
    if name == "Handshake" and not enc:
        return Msg("plain", "Handshake(%s)" % ev.get("handshake_type"))
    if name == "EncryptedHandshake":
        return Msg("enc13", "EncryptedHandshake", ev.get("length"))
    if enc:
        return Msg("enc", name, ev.get("length"))
    if name == "Alert":
        return Msg("plain", "Alert(%s:%s)" % (ev.get("level"), ev.get("description")))
    f = {}
    if name == "ClientHello":
        f["cipher_suites"] = ev.get("cipher_suites")
        f["extensions"] = ev.get("extensions")
        f["sni"] = ours_bytes(ev, "sni")
        if "alpn_hex" in ev:
            f["alpn"] = [bytes.fromhex(h) for h in ev["alpn_hex"]]
        elif ev.get("alpn") is not None:
            f["alpn"] = [a.encode("utf-8") for a in ev["alpn"]]
        else:
            f["alpn"] = None
        f["supported_versions"] = ev.get("supported_versions")
        f["ja3_string"] = ev.get("ja3_string")
        f["ja3"] = ev.get("ja3")
        if ev.get("sslv2_format"):
            f["sslv2"] = True
            f.pop("ja3_string")
            f.pop("ja3")
    elif name in ("ServerHello", "HelloRetryRequest"):
        f["cipher_suite"] = ev.get("cipher_suite")
        f["version"] = ev.get("version")
        f["extensions"] = ev.get("extensions")
        f["alpn"] = ours_bytes(ev, "alpn")
        f["ja3s_string"] = ev.get("ja3s_string")
        f["ja3s"] = ev.get("ja3s")
        if ev.get("sslv2_format"):
            f = {"version": ev.get("version"), "sslv2": True}
    elif name == "Certificate":
        f["sha256"] = [c.get("sha256") for c in ev.get("certificates") or []]
        f["_lengths"] = [c.get("length") for c in ev.get("certificates") or []]
    elif name == "CompressedCertificate":
        f["compression"] = ev.get("compression")
        f["uncompressed_length"] = ev.get("uncompressed_length")
        f["compressed_length"] = ev.get("compressed_length")
        f["sha256"] = [c.get("sha256") for c in ev.get("certificates") or []]
    elif name == "EncryptedExtensions":
        f["extensions"] = ev.get("extensions")
        f["alpn"] = ours_bytes(ev, "alpn")
    return Msg("plain", name, fields=f)


# --------------------------------------------------------------------------
# tshark side

_BAD_XML_CHARREF = re.compile(rb"&#(?:x0*(?:[0-8bcef]|1[0-9a-f])|0*(?:[0-8]|1[1-24-9]|2[0-9]|3[01]));", re.I)
_BAD_XML_RAW = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")


class TsharkRun:
    """One tshark run over a capture, read as it comes (PDML, one packet at
    a time, so memory does not grow with the capture)."""

    def __init__(self, tshark, capture, names, cfgdir, force_ports=(), out_of_order=False,
                 keylog=None):
        self.streams = {}       # tcp.stream -> TsStream
        self.packets = 0
        self.udp_tls = 0        # DTLS / QUIC packets (not compared)
        self.err = ""
        cmd = [tshark, "-n", "-r", capture] + TSHARK_PREFS
        if keylog:
            cmd += ["-o", "tls.keylog_file:" + os.path.abspath(keylog)]
        cmd += ["-o", "tcp.reassemble_out_of_order:%s" % ("TRUE" if out_of_order else "FALSE")]
        if force_ports:
            # Not `-d tcp.port==P,tls`: that makes tshark dissect TLS on P,
            # but tshark tells the server from the ClientHello, else from
            # TLS's own port table, which decode-as does not fill and
            # http.tls.port does (see the notes at the top).
            cmd += ["-o", "http.tls.port:" + ",".join(str(p) for p in sorted({443} | set(force_ports)))]
        cmd += ["-T", "pdml", "-J", "ip ipv6 tcp tls"]
        env = dict(os.environ, WIRESHARK_CONFIG_DIR=cfgdir, LC_ALL="C")
        with tempfile.TemporaryFile(dir=cfgdir) as errf:
            try:
                proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=errf, env=env)
            except OSError as e:
                raise ToolError("cannot run tshark (%s): %s" % (tshark, e))
            try:
                self._read(proc.stdout, names)
            finally:
                proc.stdout.close()
                proc.wait()
            errf.seek(0)
            self.err = "\n".join(l for l in errf.read().decode(errors="replace").splitlines()
                                 if l.strip() and "This could be dangerous" not in l)
        if self.packets == 0 and (proc.returncode != 0 or self.err):
            raise ToolError("tshark could not read %s: %s"
                            % (capture, short(self.err.replace("\n", " | ") or "exit status %d" % proc.returncode, 300)))

    def _read(self, stream, names):
        parser = ET.XMLPullParser(events=("start", "end"))
        root = None
        for line in stream:
            # tshark writes control characters as character references that
            # XML 1.0 forbids (expat refuses them); they only occur in free
            # text, and PDML never splits a tag over lines.
            line = _BAD_XML_RAW.sub(b"?", _BAD_XML_CHARREF.sub(b"?", line))
            try:
                parser.feed(line)
                events = list(parser.read_events())
            except ET.ParseError as e:
                raise ToolError("cannot parse tshark's PDML: %s" % e)
            for ev, el in events:
                if ev == "start":
                    if root is None:
                        root = el
                    continue
                if el.tag == "packet":
                    self.packets += 1
                    add_packet(self, el, names)
                    el.clear()
                    if root is not None:
                        root.clear()
        # A run cut short (damaged file) may leave the document open: what
        # was read is kept.


def children(el, name):
    return [c for c in el if c.get("name") == name]


def child(el, name):
    for c in el:
        if c.get("name") == name:
            return c
    return None


def show(el, name, default=None):
    c = child(el, name)
    return c.get("show") if c is not None else default


def descendants(el, name):
    return [c for c in el.iter("field") if c.get("name") == name]


def int_show(s):
    if s is None:
        return None
    s = s.strip()
    try:
        return int(s, 16) if s.lower().startswith("0x") else int(s)
    except ValueError:
        return None


class TsStream:
    def __init__(self, index, src, dst, ts):
        self.index = index
        self.ends = (src, dst)        # first packet's source, destination
        self.first_ts = ts
        self.msgs = {}                # endpoint -> [Msg]
        self.has_tls = False

    def key(self):
        return frozenset(self.ends)


def add_packet(run, pkt, names):
    """File one PDML packet's TLS records under its TCP stream."""
    streams = run.streams
    protos = [p for p in pkt if p.tag == "proto"]
    pnames = [p.get("name") for p in protos]
    if "dtls" in pnames or "quic" in pnames:
        run.udp_tls += 1
    if "tcp" not in pnames or "icmp" in pnames or "icmpv6" in pnames:
        return
    ts = None
    frame = None
    src = dst = None
    tcp = None
    tls_protos = []
    for p in protos:
        n = p.get("name")
        if n == "geninfo":
            t = child(p, "timestamp")
            if t is not None and t.get("value"):
                sec, _, frac = t.get("value").partition(".")
                ts = int(sec) * 1000000 + int((frac + "000000")[:6])
            frame = int_show(show(p, "num"))
        elif n in ("ip", "ipv6") and tcp is None:
            pre = "ip" if n == "ip" else "ipv6"
            s, d = show(p, pre + ".src"), show(p, pre + ".dst")
            if s is not None and d is not None:
                src, dst = norm_ip(s), norm_ip(d)
        elif n == "tcp" and tcp is None:
            tcp = p
        elif n == "tls" and tcp is not None:
            tls_protos.append(p)
    if tcp is None or src is None:
        return
    sport = int_show(show(tcp, "tcp.srcport"))
    dport = int_show(show(tcp, "tcp.dstport"))
    sidx = int_show(show(tcp, "tcp.stream"))
    if sport is None or dport is None or sidx is None:
        return
    st = streams.get(sidx)
    if st is None:
        st = streams[sidx] = TsStream(sidx, (src, sport), (dst, dport), ts)
    lst = st.msgs.setdefault((src, sport), [])
    for tp in tls_protos:
        for rec in children(tp, "tls.record"):
            for m in record_msgs(rec, names):
                m.frame = frame
                lst.append(m)
                if m.kind != "appdata":
                    st.has_tls = True


def record_msgs(rec, names):
    out = []
    rlen = int_show(show(rec, "tls.record.length"))
    ct = int_show(show(rec, "tls.record.content_type"))
    if ct is None:
        ct = int_show(show(rec, "tls.record.opaque_type"))
    if ct is None:
        # SSL 2.0 record: the message fields sit directly under the record.
        if show(rec, "tls.record.version") is not None or child(rec, "tls.handshake.type") is not None:
            t = int_show(show(rec, "tls.handshake.type"))
            if t is None:
                return out          # encrypted SSL 2.0 data
            name = SSL2_NAMES.get(t, "SSLv2Message(%d)" % t)
            if t == 1:
                out.append(Msg("plain", "ClientHello", fields=ssl2_client_hello(rec, names)))
            elif t == 4:
                out.append(Msg("plain", "ServerHello",
                               fields={"version": names.version(int_show(show(rec, "tls.handshake.version")) or 0),
                                       "sslv2": True}))
                if descendants(rec, "tls.handshake.certificate"):
                    out.append(Msg("plain", "Certificate", fields={"sha256": cert_hashes(rec)}))
            else:
                out.append(Msg("plain", name))
        return out
    if ct == 20:
        out.append(Msg("plain", "ChangeCipherSpec"))
    elif ct == 21:
        alerts = children(rec, "tls.alert_message")
        for a in alerts:
            lv = int_show(show(a, "tls.alert_message.level"))
            ds = int_show(show(a, "tls.alert_message.desc"))
            if lv is None and ds is None:
                out.append(Msg("enc", "Alert", rlen))
            else:
                out.append(Msg("plain", "Alert(%s:%s)" % (
                    ALERT_LEVELS.get(lv, "0x%02x" % lv if lv is not None else None),
                    names.alert(ds) if ds is not None else None)))
        if not alerts:
            out.append(Msg("enc", "Alert", rlen))
    elif ct == 22:
        for hs in children(rec, "tls.handshake"):
            t = int_show(show(hs, "tls.handshake.type"))
            sn = hs.get("showname") or ""
            if t is None:
                if "fragment" in sn:
                    continue        # piece of a message reassembled later
                out.append(Msg("enc", "Finished", rlen))
                continue
            out.append(handshake_msg(t, hs, names))
    elif ct == 23:
        out.append(Msg("appdata", "ApplicationData", rlen))
    elif ct == 24:
        # Heartbeat: one token whether tshark could read it or not (after
        # ChangeCipherSpec it is encrypted; the length says nothing useful).
        out.append(Msg("plain", "Heartbeat"))
    return out


def ext_nodes(hs):
    """(type, node) of every extension of a hello, in wire order."""
    out = []
    for c in hs:
        t = child(c, "tls.handshake.extension.type")
        if t is not None:
            out.append((int_show(t.get("show")), c))
    return out


def hexbytes(el):
    v = el.get("value")
    if v is None:
        return None
    try:
        return bytes.fromhex(v)
    except ValueError:
        return None


def cert_hashes(el):
    """SHA-256 of every certificate under el, in order.

    tshark's X.509 dissector shrinks the tls.handshake.certificate item to
    the DER it could parse; when an entry is not valid DER (e.g.
    suricata-verify bug-1450-04: an entry of declared length 9 whose DER
    header claims 5 bytes) the item no longer covers the entry's bytes and
    hashing it would be wrong.  Such entries are given as
    "unparsed:<declared length>" and compared with tlsdissect's `length`."""
    out, declared = [], None
    for c in el.iter("field"):
        n = c.get("name")
        if n == "tls.handshake.certificate_length":
            declared = int_show(c.get("show"))
        elif n == "tls.handshake.certificate":
            b = hexbytes(c)
            if b is None or (declared is not None and len(b) != declared):
                out.append("unparsed:%s" % declared)
            else:
                out.append(hashlib.sha256(b).hexdigest())
            declared = None
    return out


def ssl2_client_hello(rec, names):
    specs = [int_show(c.get("show")) for c in descendants(rec, "tls.handshake.cipherspec")]
    return {
        "cipher_suites": [names.suite(s) for s in specs if s is not None and s >> 16 == 0],
        "extensions": None, "sni": None, "alpn": None, "supported_versions": None,
        "sslv2": True,
    }


def handshake_msg(t, hs, names):
    if t == 2:
        rnd = child(hs, "tls.handshake.random")
        if rnd is not None and (rnd.get("value") or "").lower() == HRR_RANDOM:
            name = "HelloRetryRequest"
        else:
            name = "ServerHello"
    else:
        name = HS_NAMES.get(t) or "Handshake(%s)" % names.hs_type(t)
    f = {}
    if t == 1:
        suites = [int_show(c.get("show")) for c in descendants(hs, "tls.handshake.ciphersuite")]
        exts = ext_nodes(hs)
        f["cipher_suites"] = [names.suite(s) for s in suites]
        f["extensions"] = [names.ext(e) for e, _ in exts]
        f["sni"] = f["alpn"] = f["supported_versions"] = None
        groups, pfmts = [], []
        for e, node in exts:
            if e == 0:
                sn = descendants(node, "tls.handshake.extensions_server_name")
                if sn:
                    f["sni"] = hexbytes(sn[0])
            elif e == 16:
                f["alpn"] = [hexbytes(a) for a in descendants(node, "tls.handshake.extensions_alpn_str")]
            elif e == 43:
                f["supported_versions"] = [
                    names.version(int_show(v.get("show")))
                    for v in descendants(node, "tls.handshake.extensions.supported_version")]
            elif e == 10:
                groups = [int_show(v.get("show")) for v in descendants(node, "tls.handshake.extensions_supported_group")]
            elif e == 11:
                pfmts = [int_show(v.get("show")) for v in descendants(node, "tls.handshake.extensions_ec_point_format")]
        legacy = int_show(show(hs, "tls.handshake.version"))
        f["ja3_string"] = show(hs, "tls.handshake.ja3_full")
        f["ja3"] = show(hs, "tls.handshake.ja3")
        f["_ja3_spec"] = ",".join([
            str(legacy),
            "-".join(str(s) for s in suites if s not in GREASE),
            "-".join(str(e) for e, _ in exts if e not in GREASE),
            "-".join(str(g) for g in groups if g not in GREASE),
            "-".join(str(p) for p in pfmts),
        ])
    elif t == 2:
        exts = ext_nodes(hs)
        suite = int_show(show(hs, "tls.handshake.ciphersuite"))
        legacy = int_show(show(hs, "tls.handshake.version"))
        version = legacy
        alpn = None
        for e, node in exts:
            if e == 43:
                v = descendants(node, "tls.handshake.extensions.supported_version")
                if v:
                    version = int_show(v[0].get("show"))
            elif e == 16:
                a = descendants(node, "tls.handshake.extensions_alpn_str")
                if a:
                    alpn = hexbytes(a[0])
        f["cipher_suite"] = names.suite(suite) if suite is not None else None
        f["version"] = names.version(version) if version is not None else None
        f["extensions"] = [names.ext(e) for e, _ in exts]
        f["alpn"] = alpn
        f["ja3s_string"] = show(hs, "tls.handshake.ja3s_full")
        f["ja3s"] = show(hs, "tls.handshake.ja3s")
        f["_ja3s_spec"] = "%s,%s,%s" % (legacy, suite, "-".join(str(e) for e, _ in exts if e not in GREASE))
    elif t == 11:
        f["sha256"] = cert_hashes(hs)
    elif t == 25:
        alg = int_show(show(hs, "tls.compress_certificate.algorithm"))
        f["compression"] = names.cert_compression(alg) if alg is not None else None
        f["uncompressed_length"] = int_show(show(hs, "tls.compress_certificate.uncompressed_length"))
        f["compressed_length"] = int_show(show(hs, "tls.compress_certificate.compressed_certificate_message.length"))
        if descendants(hs, "tls.handshake.certificates"):
            f["sha256"] = cert_hashes(hs)   # the Certificate tshark decompressed
        else:
            f["_not_decompressed"] = True   # this tshark lacks the algorithm: header only
    elif t == 8:
        exts = ext_nodes(hs)
        f["extensions"] = [names.ext(e) for e, _ in exts]
        f["alpn"] = None
        for e, node in exts:
            a = descendants(node, "tls.handshake.extensions_alpn_str") if e == 16 else []
            if a:
                f["alpn"] = hexbytes(a[0])
    return Msg("plain", name, fields=f)


# --------------------------------------------------------------------------
# Comparison


def seq_diff(ours, theirs, frames=None):
    """Compact description of how two token lists differ (@N: position in
    ours, 1-based); frames: tshark's frame number of each of its tokens."""
    sm = difflib.SequenceMatcher(a=ours, b=theirs, autojunk=False)
    parts = []
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op == "equal":
            continue
        where = ""
        if frames and j2 > j1:
            fr = sorted({f for f in frames[j1:j2] if f is not None})
            if fr:
                where = " (frame%s %s)" % ("s" if len(fr) > 1 else "", ",".join(map(str, fr)))
        parts.append("@%d ours [%s] tshark [%s]%s" % (
            i1 + 1, " ".join(ours[i1:i2]) or "-", " ".join(theirs[j1:j2]) or "-", where))
    return "; ".join(parts)


def split_gaps(seq, enc_kind):
    """Plain tokens, and per gap (0..len(plain)) the lengths of enc_kind items."""
    plain, gaps = [], [[]]
    for m in seq:
        if m.kind == enc_kind:
            gaps[-1].append(m.length)
        elif m.kind in ("plain", "enc"):
            plain.append(m)
            gaps.append([])
    return plain, gaps


def find_run(needle, hay):
    for i in range(len(hay) - len(needle) + 1):
        if hay[i:i + len(needle)] == needle:
            return i
    return -1


def fmt_val(v):
    if isinstance(v, bytes):
        try:
            s = v.decode("utf-8")
            if s.isprintable():
                return json.dumps(s)
        except UnicodeDecodeError:
            pass
        return "hex:" + v.hex()
    if isinstance(v, list):
        return "[" + ", ".join(fmt_val(x) for x in v) + "]"
    if v is None:
        return "(absent)"
    return json.dumps(v)


def str_diff(a, b):
    """Two long strings: show them around the first character that differs."""
    i = 0
    while i < min(len(a), len(b)) and a[i] == b[i]:
        i += 1
    lo = max(0, i - 24)
    cut = lambda x: ("..." if lo else "") + x[lo:i + 40] + ("..." if len(x) > i + 40 else "")
    return "differ at char %d: ours %s, tshark %s" % (i + 1, json.dumps(cut(a)), json.dumps(cut(b)))


def list_diff(a, b):
    if isinstance(a, str) and isinstance(b, str) and max(len(a), len(b)) > 60:
        return str_diff(a, b)
    if not isinstance(a, list) or not isinstance(b, list):
        return "ours %s, tshark %s" % (short(fmt_val(a)), short(fmt_val(b)))
    sa = [fmt_val(x) for x in a]
    sb = [fmt_val(x) for x in b]
    return "%d vs %d items: %s" % (len(a), len(b), short(seq_diff(sa, sb), 400))


def compare_fields(label, om, tm, problems, notes, verbose_lines):
    of, tf = om.fields, tm.fields
    if tf.get("sslv2") or of.get("sslv2"):
        if bool(tf.get("sslv2")) != bool(of.get("sslv2")):
            problems.append("%s: SSL 2.0 format: ours %s, tshark %s" % (label, bool(of.get("sslv2")), bool(tf.get("sslv2"))))
    keys = [k for k in tf if not k.startswith("_") and k != "sslv2"]
    if om.name == "ClientHello" and "_ja3_spec" in tf and tf.get("ja3_string") is not None:
        spec = tf["_ja3_spec"]
        if tf["ja3_string"] != spec:
            notes.append("%s: tshark's ja3_full %r differs from JA3 recomputed from its own fields %r; "
                         "compared with the recomputed one" % (label, tf["ja3_string"], spec))
            tf = dict(tf, ja3_string=spec, ja3=ja3_md5(spec))
    if om.name in ("ServerHello", "HelloRetryRequest") and "_ja3s_spec" in tf and tf.get("ja3s_string") is not None:
        spec = tf["_ja3s_spec"]
        if tf["ja3s_string"] != spec:
            notes.append("%s: tshark's ja3s_full %r differs from JA3S recomputed from its own fields %r; "
                         "compared with the recomputed one" % (label, tf["ja3s_string"], spec))
            tf = dict(tf, ja3s_string=spec, ja3s=ja3_md5(spec))
    if om.name == "Certificate" and any(str(h).startswith("unparsed:") for h in tf.get("sha256") or []):
        ol, oh = of.get("_lengths") or [], list(of.get("sha256") or [])
        th = list(tf["sha256"])
        for i, h in enumerate(th):
            if str(h).startswith("unparsed:") and i < len(oh):
                notes.append("%s: certificate %d is not DER tshark can parse (declared length %s); "
                             "compared by length only" % (label, i + 1, h[9:]))
                if i < len(ol) and str(ol[i]) == h[9:]:
                    th[i] = oh[i]
        tf = dict(tf, sha256=th)
    if om.name == "CompressedCertificate" and tf.get("_not_decompressed"):
        notes.append("%s: tshark did not decompress %s; the header compared, not the certificates"
                     % (label, tf.get("compression")))
    for k in keys:
        ov, tv = of.get(k), tf.get(k)
        if k in ("ja3", "ja3_string", "ja3s", "ja3s_string") and tv is None:
            continue            # tshark computes none (e.g. SSL 2.0 hello)
        if ov != tv:
            problems.append("%s %s: %s" % (label, k, list_diff(ov, tv)))
        elif verbose_lines is not None:
            verbose_lines.append("%s %s = %s" % (label, k, short(fmt_val(ov), 200)))


def compare_direction(direction, ours, theirs, ch_early_data, problems, notes, vlines):
    o_plain, o_gaps = split_gaps(ours, "enc13")
    t_plain, t_gaps = split_gaps(theirs, "appdata")
    ot = [m.token() for m in o_plain]
    tt = [m.token() for m in t_plain]
    if vlines is not None:
        vlines.append("%s ours:   %s" % (direction, " ".join(
            m.token() + ("[truncated]" if m.truncated else "") for m in ours) or "-"))
        vlines.append("%s tshark: %s" % (direction, " ".join(m.token() for m in theirs) or "-"))
    if any(m.truncated for m in o_plain):
        # tlsdissect reports a message of which the capture holds only a part
        # (snaplen) with "truncated": true; tshark cannot reassemble it and
        # shows nothing for it.  Not comparable: leave those out, say so.
        keep = [m for m in ours if not m.truncated]
        o2_plain, o2_gaps = split_gaps(keep, "enc13")
        notes.append("%s: %d message(s) only partly captured (truncated) not compared: %s" % (
            direction, len(o_plain) - len(o2_plain),
            " ".join(m.token() for m in o_plain if m.truncated)))
        o_plain, o_gaps = o2_plain, o2_gaps
        ot = [m.token() for m in o_plain]
    if ot != tt:
        problems.append("%s messages: %s" % (direction, seq_diff(ot, tt, [m.frame for m in t_plain])))
    else:
        # each message's `frame`: the packet that completed it, as tshark's frame.number
        for i, (om, tm) in enumerate(zip(o_plain, t_plain)):
            if tm.frame is not None and om.frame != tm.frame:
                problems.append("%s %s (message %d): frame %s, tshark's frame.number %d"
                                % (direction, om.name, i + 1, om.frame, tm.frame))
                break
        for g, (og, tg) in enumerate(zip(o_gaps, t_gaps)):
            if not og:
                continue
            where = ("after message %d (%s)" % (g, o_plain[g - 1].name)) if g else "before any message"
            if tg[:len(og)] == og:
                continue
            pos = find_run(og, tg)
            if pos > 0 and direction == "client" and ch_early_data:
                notes.append("client: %d record(s) %s taken as 0-RTT early data, lengths %s"
                             % (pos, where, tg[:pos]))
                continue
            problems.append("%s EncryptedHandshake %s: ours lengths %s, tshark application-data "
                            "record lengths there %s" % (direction, where, og, short(str(tg), 200)))
    # Field comparison: i-th message of a name against the i-th of that name.
    byname_o, byname_t = {}, {}
    for m in o_plain:
        byname_o.setdefault(m.name, []).append(m)
    for m in t_plain:
        byname_t.setdefault(m.name, []).append(m)
    for name in ("ClientHello", "HelloRetryRequest", "ServerHello", "Certificate", "CompressedCertificate",
                 "EncryptedExtensions"):
        for i, (om, tm) in enumerate(zip(byname_o.get(name, []), byname_t.get(name, []))):
            label = "%s %s#%d" % (direction, name, i + 1)
            if tm.frame is not None:
                label += " (frame %d)" % tm.frame
            if om.truncated or om.unparsed:
                notes.append("%s: fields not compared (tlsdissect: %s)"
                             % (label, "truncated" if om.truncated else "not parsed"))
                continue
            compare_fields(label, om, tm, problems, notes, vlines)


def match_connections(ours, streams):
    """ours conn id -> TsStream (or None)."""
    bykey = {}
    for s in sorted(streams.values(), key=lambda s: s.index):
        bykey.setdefault(s.key(), []).append(s)
    used = set()
    result = {}
    for cid in sorted(ours):
        c = ours[cid]
        cands = [s for s in bykey.get(frozenset((c["client"], c["server"])), []) if s.index not in used]
        if not cands:
            result[cid] = None
            continue
        t0 = c["start"] if c["start"] is not None else c["first_ts"]
        if t0 is None:
            best = cands[0]
        else:
            best = min(cands, key=lambda s: (abs((s.first_ts or 0) - t0), s.index))
        used.add(best.index)
        result[cid] = best
    return result


def ours_has_tls(c):
    return any(c["msgs"]["client"]) or any(c["msgs"]["server"])


def compare_conn(c, st, verbose):
    """(problems, notes, verbose lines) for one of our connections against a tshark stream."""
    problems, notes, vlines = [], [], ([] if verbose else None)
    if st is None:
        problems.append("tshark has no (other) TCP stream with these endpoints")
    elif not st.has_tls:
        problems.append("tshark sees no TLS message on this connection "
                        "(ours: %d client, %d server messages)"
                        % (len(c["msgs"]["client"]), len(c["msgs"]["server"])))
    else:
        if c["anomalies"] and verbose:
            notes.append("tlsdissect anomalies: %s" % ", ".join(sorted(set(map(str, c["anomalies"])))))
        ch = [m for m in c["msgs"]["client"] if m.name == "ClientHello"]
        early = any("early_data" in (m.fields.get("extensions") or []) for m in ch)
        compare_direction("client", c["msgs"]["client"], st.msgs.get(c["client"], []),
                          early, problems, notes, vlines)
        compare_direction("server", c["msgs"]["server"], st.msgs.get(c["server"], []),
                          False, problems, notes, vlines)
    return problems, notes, vlines


def check_capture(capture, args, names, cfgdir):
    """Returns (ok, lines)."""
    lines = []
    problems_total = 0
    notes_top = []
    if not os.path.isfile(capture):
        raise ToolError("no such file: %s" % capture)
    ours, onotes = run_ours(args.tlsdissect, capture, args.keylog_file)
    notes_top += onotes
    ours_stopped = bool(onotes)

    tcap = capture
    tmpcap = os.path.join(cfgdir, "nosecrets.pcapng")
    if strip_dsb(capture, tmpcap):
        tcap = tmpcap
        notes_top.append("embedded TLS secrets removed for tshark (%s)" % (
            "the key log given stands for them" if args.keylog_file else "tlsdissect reads no keys"))
        if not args.keylog_file:
            ours, onotes = run_ours(args.tlsdissect, tmpcap)   # tlsdissect would read them
            notes_top += onotes
            ours_stopped = bool(onotes)

    run = TsharkRun(args.tshark, tcap, names, cfgdir, keylog=args.keylog_file)
    if run.err:
        notes_top.append("tshark: " + short(run.err.replace("\n", " | "), 200))
    if run.udp_tls:
        notes_top.append("%d DTLS/QUIC packet(s) over UDP not compared (out of scope)" % run.udp_tls)
    streams = run.streams
    match = match_connections(ours, streams)
    tls_conns = [cid for cid in sorted(ours) if ours_has_tls(ours[cid])]
    result = {cid: compare_conn(ours[cid], match[cid], args.verbose) for cid in tls_conns}

    # Further tshark runs for the connections that differ (see RUNS and the
    # notes at the top): out-of-order reassembly on, TLS forced on their
    # server ports, both.  A connection is taken from a later run when that
    # has fewer differences, with a note naming the settings.
    used = {}           # cid -> (stream, description of the run)

    def score(res, st):
        # fewer differences first; on a tie, the run in which tshark read
        # more of the connection as TLS (its diff says more)
        seen = sum(1 for ms in st.msgs.values() for m in ms if m.kind != "appdata") if st else 0
        return (len(res[0]), -seen)
    for ooo, force in RUNS[1:]:
        redo_conns = [cid for cid in tls_conns if result[cid][0]]
        if not redo_conns:
            break
        ports = sorted({ours[cid]["server"][1] for cid in redo_conns}) if force else []
        run2 = TsharkRun(args.tshark, tcap, names, cfgdir, force_ports=ports, out_of_order=ooo,
                         keylog=args.keylog_file)
        match2 = match_connections(ours, run2.streams)
        desc = " and ".join(x for x in (
            "tcp.reassemble_out_of_order:TRUE" if ooo else "",
            "TLS forced on tcp port(s) %s (http.tls.port)" % ",".join(map(str, ports)) if force else "") if x)
        for cid in redo_conns:
            r2 = compare_conn(ours[cid], match2[cid], args.verbose)
            if score(r2, match2[cid]) < score(result[cid], used[cid][0] if cid in used else match[cid]):
                result[cid] = r2
                used[cid] = (match2[cid], desc)
    # A connection tshark has no stream for, on endpoints another connection
    # used before: tshark 4.0 takes a reuse of the 4-tuple with the same
    # initial sequence numbers (a client that restarts from the same state)
    # for a retransmission of the old connection and shows nothing of it,
    # where tlsdissect, seeing a SYN after the close, starts a new one
    # (tests/pcaps/derived/reuse-after-close.pcap).  tshark is then run on
    # the capture from that connection's first packet on (editcap -A).
    for cid in tls_conns:
        c = ours[cid]
        t0 = c["start"] if c["start"] is not None else c["first_ts"]
        if match[cid] is not None or cid in used or t0 is None:
            continue
        if not any(ours[o]["client"] in (c["client"], c["server"]) and
                   ours[o]["server"] in (c["client"], c["server"]) and match[o] is not None
                   for o in ours if o < cid):
            continue
        editcap = shutil.which("editcap") or os.path.join(os.path.dirname(args.tshark), "editcap")
        sliced = os.path.join(cfgdir, "slice.pcapng")
        try:
            r = subprocess.run([editcap, "-F", "pcapng", "-A", "%d.%06d" % divmod(t0, 1000000), tcap, sliced],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=600)
        except (OSError, subprocess.TimeoutExpired):
            r = None
        if r is None or r.returncode != 0:
            result[cid][1].append("could not cut the capture at its start for tshark (editcap)")
            continue
        for ooo, force in RUNS:
            run2 = TsharkRun(args.tshark, sliced, names, cfgdir,
                             force_ports=[c["server"][1]] if force else [], out_of_order=ooo,
                             keylog=args.keylog_file)
            st2 = match_connections({cid: c}, run2.streams)[cid]
            r2 = compare_conn(c, st2, args.verbose)
            if score(r2, st2) < score(result[cid], used[cid][0] if cid in used else None):
                result[cid] = r2
                used[cid] = (st2, "the capture from this connection's first packet on (editcap -A)"
                             + (", tcp.reassemble_out_of_order:TRUE" if ooo else "")
                             + (", TLS forced on tcp port %d" % c["server"][1] if force else ""))
            if not result[cid][0]:
                break
        os.unlink(sliced)
    for cid in sorted(used):
        result[cid][1].insert(0, "compared with tshark run on %s" % used[cid][1]
                              if used[cid][1].startswith("the capture") else
                              "compared with tshark run with %s" % used[cid][1])
    if tcap == tmpcap:
        os.unlink(tmpcap)

    compared = 0
    matched_streams = {s.index for s in match.values() if s is not None}
    for cid in tls_conns:
        c = ours[cid]
        st = used[cid][0] if cid in used else match[cid]
        problems, notes, vlines = result[cid]
        if st is not None and st.has_tls:
            compared += 1
        head = "conn %d %s -> %s" % (cid, fmt_ep(c["client"]), fmt_ep(c["server"]))
        if st is not None:
            head += " (tcp.stream %d)" % st.index
        problems_total += len(problems)
        if problems or notes or args.verbose:
            lines.append("  %s: %s" % (head, "DIFFERENT" if problems else "same"))
            for p in problems:
                lines.append("    - " + p)
            for n in notes:
                lines.append("    note: " + n)
            for v in vlines or []:
                lines.append("    | " + v)

    # TLS connections only tshark reports: no connection of ours at all, or
    # one without a single TLS message.
    silent = {match[cid].index: cid for cid in ours
              if cid not in tls_conns and match[cid] is not None}
    for s in sorted(streams.values(), key=lambda s: s.index):
        if (s.index in matched_streams and s.index not in silent) or not s.has_tls:
            continue
        toks = []
        for ep in s.ends:
            t = [m.token() for m in s.msgs.get(ep, []) if m.kind != "appdata"]
            if t:
                toks.append("from %s: %s" % (fmt_ep(ep), " ".join(t)))
        if s.index in silent:
            c = ours[silent[s.index]]
            what = ("tshark sees TLS (%s) but tlsdissect reports no TLS message on its conn %d "
                    "(its anomalies: %s)" % (short("; ".join(toks), 240), c["conn"],
                                             ", ".join(sorted(set(map(str, c["anomalies"])))) or "none"))
        else:
            what = "tshark sees TLS (%s) but tlsdissect reports no such connection" % short("; ".join(toks), 240)
        if ours_stopped:
            # tlsdissect gave up on the file (exit 1) and tshark read on.
            notes_top.append("tcp.stream %d %s <-> %s not compared: %s, after tlsdissect stopped reading"
                             % (s.index, fmt_ep(s.ends[0]), fmt_ep(s.ends[1]), what))
            continue
        lines.append("  tcp.stream %d %s <-> %s: DIFFERENT" % (s.index, fmt_ep(s.ends[0]), fmt_ep(s.ends[1])))
        lines.append("    - " + what)
        problems_total += 1
    ok = problems_total == 0
    summary = "%s: %s (%d TLS connection(s) compared%s)" % (
        capture, "OK" if ok else "FAIL", compared,
        ", %d difference(s)" % problems_total if problems_total else "")
    return ok, [summary] + ["  note: " + n for n in notes_top] + lines


def main():
    ap = argparse.ArgumentParser(
        description="Compare tlsdissect's JSON output with tshark's dissection of the same capture.")
    ap.add_argument("--tlsdissect", default=os.path.join(ROOT, "build", "tlsdissect"),
                    help="tlsdissect binary (default: build/tlsdissect of this project)")
    ap.add_argument("--tshark", default=None, help="tshark binary (default: from PATH)")
    ap.add_argument("--keylog-file", default=None, metavar="KEYLOG",
                    help="NSS key log given to both tools: TLS 1.3 handshakes are compared decrypted")
    ap.add_argument("--verbose", "-v", action="store_true",
                    help="print every connection's sequences and compared fields")
    ap.add_argument("captures", nargs="+", metavar="CAPTURE")
    args = ap.parse_args()

    args.tshark = args.tshark or shutil.which("tshark")
    if not args.tshark:
        print("crosscheck: tshark not found (install tshark or pass --tshark)", file=sys.stderr)
        return 2
    if not (os.path.isfile(args.tlsdissect) and os.access(args.tlsdissect, os.X_OK)):
        print("crosscheck: tlsdissect binary not found or not executable: %s" % args.tlsdissect,
              file=sys.stderr)
        return 2
    try:
        names = Names()
    except OSError as e:
        print("crosscheck: cannot read the IANA tables in %s: %s" % (IANA_DIR, e), file=sys.stderr)
        return 2

    status = 0
    with tempfile.TemporaryDirectory(prefix="crosscheck-") as cfgdir:
        for cap in args.captures:
            try:
                ok, lines = check_capture(cap, args, names, cfgdir)
            except ToolError as e:
                print("%s: ERROR %s" % (cap, e))
                status = 2
                continue
            print("\n".join(lines))
            sys.stdout.flush()
            if not ok and status == 0:
                status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
