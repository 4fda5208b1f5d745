#!/usr/bin/env python3
"""crosscheck-dtls.py - compare tlsdissect's DTLS handshakes with tshark's.

    tools/crosscheck-dtls.py [--tlsdissect PATH] [--tshark PATH] CAPTURE [CAPTURE...]

tshark (4.0) dissects DTLS 1.0/1.2 (RFC 6347) and DTLS 1.3 records and
reassembles fragmented handshake messages.  For every DTLS connection (by
client and server address and port) both tools must agree on:

- the handshake messages in clear of each direction, by message_seq: tshark
  lists every fragment and every retransmitted copy, so its messages are
  taken once per (message_seq, type), in message_seq order, as tlsdissect
  reports them;
- the ClientHello's SNI, cipher suites and extension types (first
  ClientHello), the ServerHello's cipher suite;
- JA3 and JA3S (tshark's dtls.handshake.ja3 / ja3s; JA3S of the
  ServerHello, not of a HelloRetryRequest, as the connection event has it);
- the SHA-256 of each certificate of the server's Certificate message
  (tshark's reassembled dtls.handshake.certificate).

A DTLS connection only one of them sees is a difference.  Encrypted records
(epoch > 0, DTLS 1.3 unified headers) are not compared without keys.  With
keys (CAPTURE's NAME.keylog beside it, or --no-keys to ignore it) both
decrypt DTLS 1.0/1.2 epoch-1 records: the decrypted handshake messages
(the Finished) join the message sequences, and the decrypted alerts'
descriptions of each side must agree.  tshark (4.0) does not decrypt DTLS
ChaCha20-Poly1305 records: a connection of which it decrypted nothing is
compared in clear only, and the OK line says so.

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
# handshake types in clear and tlsdissect's names for them
NAMES = {0: "HelloRequest", 1: "ClientHello", 2: "ServerHello", 3: "HelloVerifyRequest",
         4: "NewSessionTicket", 11: "Certificate", 12: "ServerKeyExchange",
         13: "CertificateRequest", 14: "ServerHelloDone", 15: "CertificateVerify",
         16: "ClientKeyExchange", 20: "Finished", 22: "CertificateStatus"}
HRR_RANDOM = "cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c"


# alert descriptions (RFC 8446 §6) tshark gives as numbers
ALERTS = {0: "close_notify", 10: "unexpected_message", 20: "bad_record_mac", 40: "handshake_failure",
          42: "bad_certificate", 46: "certificate_unknown", 48: "unknown_ca", 50: "decode_error",
          51: "decrypt_error", 70: "protocol_version", 80: "internal_error", 90: "user_canceled"}


def new_conn():
    return {"client": {}, "server": {}, "sni": None, "suites": None, "exts": None,
            "suite": None, "ja3": None, "ja3s": None, "certs": None,
            "client_alerts": [], "server_alerts": [], "decrypted": set()}


def ours(tool, capture, keylog):
    keys = ["--keylog-file", keylog] if keylog else []
    p = subprocess.run([tool, "--json"] + keys + ["-r", capture], capture_output=True, timeout=120)
    if p.returncode not in (0, 1):
        raise RuntimeError("tlsdissect exit status %d: %s" % (p.returncode, p.stderr[:200]))
    conns = {}
    for line in p.stdout.decode().splitlines():
        e = json.loads(line)
        if e.get("transport") != "dtls" or e["type"] not in ("message", "connection"):
            continue
        key = (e["client"]["ip"], e["client"]["port"], e["server"]["ip"], e["server"]["port"])
        c = conns.setdefault(key, new_conn())
        if e["type"] == "connection":
            c["ja3"], c["ja3s"] = e.get("ja3"), e.get("ja3s")
            continue
        if e["msg"] == "Alert" and e.get("decrypted"):
            c[e["from"] + "_alerts"].append(e.get("description"))
        if "message_seq" not in e:
            continue  # records, not handshake messages in clear or decrypted
        if e.get("decrypted"):
            c["decrypted"].add((e["from"], e["message_seq"]))
        msg = "ServerHello" if e["msg"] == "HelloRetryRequest" else e["msg"]
        c[e["from"]].setdefault(e["message_seq"], msg)
        if e["msg"] == "ClientHello" and c["suites"] is None:
            c["sni"] = e.get("sni")
            c["suites"] = len(e.get("cipher_suites", []))
            c["exts"] = len(e.get("extensions", []))
        if e["msg"] == "ServerHello" and c["suite"] is None:
            c["suite"] = e.get("cipher_suite")
        if e["msg"] == "Certificate" and e["from"] == "server" and c["certs"] is None:
            c["certs"] = [x.get("sha256") for x in e.get("certificates", [])]
    return conns


FIELDS = ["ip.src", "ipv6.src", "udp.srcport", "ip.dst", "ipv6.dst", "udp.dstport",
          "dtls.handshake.type", "dtls.handshake.message_seq", "dtls.handshake.random",
          "dtls.handshake.extensions_server_name",
          "dtls.handshake.extension.type", "dtls.handshake.ja3", "dtls.handshake.ja3s",
          "dtls.handshake.certificate", "dtls.handshake.ciphersuite", "dtls.alert_message.desc"]


def theirs(tshark, capture, keylog):
    keys = ["-o", "tls.keylog_file:" + keylog] if keylog else []
    cmd = [tshark, "-r", capture] + keys + ["-Y", "dtls.handshake || dtls.alert_message", "-T", "fields",
           "-E", "separator=|", "-E", "occurrence=a", "-E", "aggregator=;"]
    for f in FIELDS:
        cmd += ["-e", f]
    p = subprocess.run(cmd, capture_output=True, timeout=120)
    if p.returncode != 0:
        raise RuntimeError("tshark exit status %d: %s" % (p.returncode, p.stderr[:200]))
    rows = []
    for line in p.stdout.decode().splitlines():
        v = line.split("|")
        if len(v) != len(FIELDS):
            continue
        rows.append(dict(zip(FIELDS, [x.split(";") if x else [] for x in v])))
    return rows


def compare(tool, tshark, capture, keylog):
    mine = ours(tool, capture, keylog)
    rows = theirs(tshark, capture, keylog)
    seen = {k: new_conn() for k in mine}
    extra = set()
    for r in rows:
        src = (r["ip.src"] or r["ipv6.src"])[0]
        dst = (r["ip.dst"] or r["ipv6.dst"])[0]
        sport, dport = int(r["udp.srcport"][0]), int(r["udp.dstport"][0])
        if (src, sport, dst, dport) in seen:
            key, side = (src, sport, dst, dport), "client"
        elif (dst, dport, src, sport) in seen:
            key, side = (dst, dport, src, sport), "server"
        else:
            extra.add("%s:%d <-> %s:%d" % (src, sport, dst, dport))
            continue
        c = seen[key]
        for d in r["dtls.alert_message.desc"]:
            c[side + "_alerts"].append(ALERTS.get(int(d), d))
        types, seqs = r["dtls.handshake.type"], r["dtls.handshake.message_seq"]
        for i, t in enumerate(types):
            if int(t) not in NAMES or i >= len(seqs):
                continue  # encrypted handshake records have no type in clear
            c[side].setdefault(int(seqs[i]), NAMES[int(t)])
        if r["dtls.handshake.ja3"] and c["ja3"] is None:
            c["ja3"] = r["dtls.handshake.ja3"][0]
            c["sni"] = (r["dtls.handshake.extensions_server_name"] or [None])[0]
            suites = r["dtls.handshake.ciphersuite"]
            c["suites"] = len(suites)
            c["exts"] = len(r["dtls.handshake.extension.type"])
        hrr = HRR_RANDOM in [x.replace(":", "") for x in r["dtls.handshake.random"]]
        if r["dtls.handshake.ja3s"] and c["ja3s"] is None and not hrr:  # the ServerHello's
            c["ja3s"] = r["dtls.handshake.ja3s"][0]
            c["suite"] = (r["dtls.handshake.ciphersuite"] or [None])[0]
        if r["dtls.handshake.certificate"] and side == "server" and c["certs"] is None:
            c["certs"] = [hashlib.sha256(bytes.fromhex(x.replace(":", ""))).hexdigest()
                          for x in r["dtls.handshake.certificate"]]
    problems = ["only tshark sees DTLS %s" % x for x in sorted(extra)]
    undecrypted = 0
    for key in sorted(mine):
        a, b = mine[key], seen[key]
        name = "%s:%d -> %s:%d" % key
        if a["decrypted"] and not any(b[side].get(seq) for side, seq in a["decrypted"]):
            # tshark decrypted none of it: compare what is in clear
            undecrypted += 1
            for side, seq in a["decrypted"]:
                a[side].pop(seq, None)
            a["client_alerts"] = a["server_alerts"] = b["client_alerts"] = b["server_alerts"] = []
        for side in ("client_alerts", "server_alerts"):
            if keylog and a[side] != b[side]:
                problems.append("%s %s: tlsdissect %s, tshark %s" % (name, side, a[side], b[side]))
        for side in ("client", "server"):
            ma = [a[side][s] for s in sorted(a[side])]
            mb = [b[side][s] for s in sorted(b[side])]
            if ma != mb:
                problems.append("%s %s messages: tlsdissect %s, tshark %s" % (name, side, ma, mb))
        for field in ("sni", "suites", "exts", "ja3", "ja3s", "certs"):
            if a[field] != b[field]:
                problems.append("%s %s: tlsdissect %r, tshark %r" % (name, field, a[field], b[field]))
        # the suite: tlsdissect names it, tshark gives the number; the JA3S covers it
    n = sum(len(c["client"]) + len(c["server"]) for c in mine.values())
    decrypted = sum(len(c["decrypted"]) for c in mine.values())
    return problems, len(mine), n, decrypted, undecrypted


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tlsdissect", default=os.path.join(ROOT, "build", "tlsdissect"))
    ap.add_argument("--tshark", default="tshark")
    ap.add_argument("--no-keys", action="store_true", help="ignore NAME.keylog beside a capture")
    ap.add_argument("captures", nargs="+")
    a = ap.parse_args()
    worst = 0
    for cap in a.captures:
        keylog = os.path.splitext(cap)[0] + ".keylog"
        keylog = keylog if os.path.exists(keylog) and not a.no_keys else None
        try:
            problems, nconn, nmsg, ndec, nundec = compare(a.tlsdissect, a.tshark, cap, keylog)
        except (RuntimeError, OSError, subprocess.TimeoutExpired) as ex:
            print("%s: ERROR %s" % (cap, ex))
            worst = 2
            continue
        if problems:
            print("%s: FAIL" % cap)
            for p in problems:
                print("    " + p)
            worst = max(worst, 1)
        else:
            keyed = ""
            if keylog:
                keyed = ", %d decrypted" % ndec
                if nundec:
                    keyed += "; %d connections tshark did not decrypt, compared in clear" % nundec
            print("%s: OK (%d DTLS connections, %d handshake messages%s)" % (cap, nconn, nmsg, keyed))
    return worst


if __name__ == "__main__":
    sys.exit(main())
