#!/usr/bin/env python3
"""crosscheck-quic.py - compare tlsdissect's QUIC handshakes with tshark's.

    tools/crosscheck-quic.py [--tlsdissect PATH] [--tshark PATH] CAPTURE [CAPTURE...]

tshark (4.0) decrypts QUIC Initial packets itself, as tlsdissect does, and
dissects the TLS messages of their CRYPTO frames.  For every QUIC connection
(by client and server address and port) both tools must list the same TLS
handshake messages in each direction, in order, and the same ClientHello
SNI; a QUIC connection only one of them sees is a difference.  The
messages of the Initial and Handshake packets are compared: with keys (a
key log NAME.keylog beside NAME.pcap, given to both tools, or a pcapng
Decryption Secrets Block, which both read) both decrypt the Handshake
packets (EncryptedExtensions, Certificate, CertificateVerify, Finished),
and then the SHA-256 of each server certificate must agree too.  Messages
of 1-RTT packets (NewSessionTicket, KeyUpdate), which tshark decrypts with
keys and tlsdissect does not, are left out; so is tlsdissect's Retry event,
which is no TLS message.  After a Retry tlsdissect reports the client's
new ClientHello as its own event (RFC 9000 §17.2.5.2) where tshark shows
one: the two ClientHellos around a Retry count as one here.  Connections
whose Initials are of a version tlsdissect does not decrypt (tshark reads
some unknown versions as v1) are listed as skipped, not compared.

Exit status: 0 when they agree on every capture, 1 on a difference, 2 when
a tool cannot be run.  Python 3 standard library only.
"""
import argparse
import hashlib
import json
import os
import subprocess
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
NAMES = {1: "ClientHello", 2: "ServerHello", 4: "NewSessionTicket", 8: "EncryptedExtensions",
         11: "Certificate", 15: "CertificateVerify", 20: "Finished", 25: "CompressedCertificate"}
ONE_RTT_MESSAGES = ("NewSessionTicket", "KeyUpdate")
KNOWN_VERSIONS = ("0x00000001", "0x6b3343cf", "0xff00001d")
HRR_RANDOM = "cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c"


def keylog_of(capture):
    k = os.path.splitext(capture)[0] + ".keylog"
    return k if os.path.exists(k) else None


def ours(tool, capture):
    keys = keylog_of(capture)
    p = subprocess.run([tool, "--json", "-r", capture] + (["--keylog-file", keys] if keys else []),
                       capture_output=True, timeout=120)
    if p.returncode not in (0, 1):
        raise RuntimeError("tlsdissect exit status %d: %s" % (p.returncode, p.stderr[:200]))
    conns = {}
    for line in p.stdout.decode().splitlines():
        e = json.loads(line)
        if e.get("transport") != "quic" or e["type"] not in ("message", "connection"):
            continue
        key = (e["client"]["ip"], e["client"]["port"], e["server"]["ip"], e["server"]["port"])
        c = conns.setdefault(key, {"client": [], "server": [], "sni": None, "certs": []})
        if e["type"] == "connection":
            c["certs"] = e.get("server_certificates") or []
        if e["type"] == "message" and e["msg"] == "Retry":
            c["retry"] = True
        elif e["type"] == "message" and e["msg"] not in ONE_RTT_MESSAGES:
            if not (e["msg"] == "ClientHello" and c.pop("retry", False) and c["client"] == ["ClientHello"]):
                c[e["from"]].append(e["msg"])
            if e["msg"] == "ClientHello" and c["sni"] is None:
                c["sni"] = e.get("sni")
    return conns


def theirs(tshark, capture):
    fields = ["ip.src", "ipv6.src", "udp.srcport", "ip.dst", "ipv6.dst", "udp.dstport",
              "tls.handshake.type", "tls.handshake.extensions_server_name", "tls.handshake.random",
              "tls.handshake.certificate", "quic.version"]
    keys = keylog_of(capture)
    cmd = [tshark, "-r", capture] + (["-o", "tls.keylog_file:" + keys] if keys else []) + [
           "-Y", "quic && tls.handshake", "-T", "fields",
           "-E", "separator=|", "-E", "occurrence=a", "-E", "aggregator=,"]
    for f in fields:
        cmd += ["-e", f]
    p = subprocess.run(cmd, capture_output=True, timeout=120)
    if p.returncode != 0:
        raise RuntimeError("tshark exit status %d: %s" % (p.returncode, p.stderr[:200]))
    out = []
    for line in p.stdout.decode().splitlines():
        src4, src6, sport, dst4, dst6, dport, types, sni, randoms, certs, versions = line.split("|")
        # (a short-header packet has no version: its messages are 1-RTT ones, left out below)
        if versions and not any(v in KNOWN_VERSIONS for v in versions.split(",")):
            print("    skipped: a QUIC handshake of version %s, which tlsdissect does not decrypt"
                  % versions)
            continue
        certs = [hashlib.sha256(bytes.fromhex(c.replace(":", ""))).hexdigest()
                 for c in certs.split(",") if c]
        src = (src4 or src6).split(",")[-1]   # the innermost header (tunnels aside)
        dst = (dst4 or dst6).split(",")[-1]
        randoms = [r.replace(":", "") for r in randoms.split(",") if r]
        names = []
        for t in (x for x in types.split(",") if x):
            n = NAMES.get(int(t), "Handshake")
            if n == "ServerHello" and randoms and randoms.pop(0) == HRR_RANDOM:
                n = "HelloRetryRequest"
            names.append(n)
        out.append((src, int(sport.split(",")[-1]), dst, int(dport.split(",")[-1]), names, sni or None,
                    certs))
    return out


def compare(tool, tshark, capture):
    mine = ours(tool, capture)
    seen = {}
    diffs = []
    for src, sport, dst, dport, names, sni, certs in theirs(tshark, capture):
        if (src, sport, dst, dport) in mine:
            key, side = (src, sport, dst, dport), "client"
        elif (dst, dport, src, sport) in mine:
            key, side = (dst, dport, src, sport), "server"
        else:
            diffs.append("tshark sees a QUIC handshake %s:%d -> %s:%d (%s) that tlsdissect does not"
                         % (src, sport, dst, dport, ",".join(names)))
            continue
        c = seen.setdefault(key, {"client": [], "server": [], "sni": None, "certs": []})
        c[side] += [n for n in names if n not in ONE_RTT_MESSAGES]
        if side == "server" and certs and not c["certs"]:
            c["certs"] = certs
        if side == "client" and sni and c["sni"] is None:
            c["sni"] = sni
    for key, c in sorted(mine.items()):
        t = seen.get(key, {"client": [], "server": [], "sni": None, "certs": []})
        label = "%s:%d -> %s:%d" % key
        for side in ("client", "server"):
            if c[side] != t[side]:
                diffs.append("%s %s: tlsdissect %s, tshark %s" % (label, side, c[side], t[side]))
        if c["sni"] != t["sni"]:
            diffs.append("%s sni: tlsdissect %r, tshark %r" % (label, c["sni"], t["sni"]))
        if c["certs"] != t["certs"]:
            diffs.append("%s server certificates: tlsdissect %s, tshark %s"
                         % (label, c["certs"], t["certs"]))
    return len(mine), diffs


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tlsdissect", default=os.path.join(ROOT, "build", "tlsdissect"))
    ap.add_argument("--tshark", default="tshark")
    ap.add_argument("captures", nargs="+")
    a = ap.parse_args()
    failed = 0
    for cap in a.captures:
        try:
            n, diffs = compare(a.tlsdissect, a.tshark, cap)
        except (RuntimeError, OSError, ValueError) as e:
            print("%s: ERROR %s" % (cap, e))
            return 2
        print("%s: %s (%d QUIC connections)" % (cap, "OK" if not diffs else "FAIL", n))
        for d in diffs:
            print("    " + d)
        failed += bool(diffs)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
