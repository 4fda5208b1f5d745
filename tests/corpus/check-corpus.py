#!/usr/bin/env python3
"""Conformance against the third-party corpus (../shared/corpus, read in place,
never copied): the headline values of expected-values.json (sni, ja3, ja3s, ja4)
must each appear in some connection of their capture, and the assertions in
assertions.json (values the source projects' own tests state, see the corpus
MANIFEST) must hold.

Captures tlsdissect cannot dissect yet would be listed in UNSUPPORTED: their
values are reported as skipped, and the test fails if one of them starts to
match (so the list is kept honest).  It is empty: TCP, QUIC (Initial
packets) and DTLS are all dissected.

CONTRADICTS_SPEC lists stated values that the specification contradicts:
the value the specification gives is checked instead, and the note says
why.

ZEEK_BASELINES pairs captures with the Zeek btest baselines the corpus
carries (zeek/expected/zeek-baseline/<test>/ssl.log and x509.log): each
connection of the ssl.log (matched by client port) must have the same
curve (our `group`), subject, issuer, sni_matches_cert, cert_chain_fps
(`server_certificates`) and client_cert_chain_fps (`client_certificates`),
and the host certificate's validity in x509.log (`not_before`/`not_after`).

decryption.json lists the captures that ship TLS keys: each is run with its
key log (or its own Decryption Secrets Block) and the connection fields it
names must hold.

usage: check-corpus.py [--tlsdissect PATH] CORPUS_DIR
exit: 0 all pass, 1 a failure, 2 usage.
"""
import json
import os
import subprocess
import sys
import time

UNSUPPORTED = {}

CONTRADICTS_SPEC = {
    # nDPI's JA4 has "d" (a domain name) for this ClientHello, which has no
    # server_name extension (its extensions are 11, 10, 35, 13, 15, as tshark
    # shows): the JA4 specification says "i" when there is no SNI.  nDPI fills
    # the flow's host name from the server's certificate (*.opera-mini.net)
    # and uses it.  Parts b and c (the hashes) are nDPI's.
    ("ndpi/dtls_certificate_fragments.pcap", "ja4"): (
        "dd2i800500_9cedc1f1428b_a1e935682795",
        "nDPI's ja4 dd2d... has 'd' though the ClientHello has no SNI: the JA4 spec gives 'i'"),
}

HERE = os.path.dirname(os.path.abspath(__file__))

ZEEK_BASELINES = {
    "zeek/imap-starttls.pcap": "scripts.base.protocols.imap.starttls",
    "zeek/tls13-ech.pcap": "scripts.base.protocols.ssl.tls13-encrypted-client-hello",
}


def zeek_log(path):
    """The rows of a Zeek ASCII log as dicts (unset '-' is None, '(empty)' is [])."""
    rows, fields = [], None
    if not os.path.exists(path):
        return rows
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if line.startswith("#fields"):
            fields = line.split("\t")[1:]
        elif fields and line and not line.startswith("#"):
            rows.append({k: (None if v == "-" else v) for k, v in zip(fields, line.split("\t"))})
    return rows


def zeek_problems(corpus, test, conns):
    """What in our connection events differs from Zeek's ssl.log and x509.log."""
    base = os.path.join(corpus, "zeek", "expected", "zeek-baseline", test)
    x509 = {r["fingerprint"]: r for r in zeek_log(os.path.join(base, "x509.log"))}
    ssl = zeek_log(os.path.join(base, "ssl.log"))
    problems, checked = [], 0
    if not ssl:
        return [f"no Zeek ssl.log in {base}"], 0

    def fps(v):
        return None if v is None else [] if v == "(empty)" else v.split(",")

    def utc(ts):
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(float(ts)))

    for row in ssl:
        port = int(row["id.orig_p"])
        mine = [c for c in conns if c["client"]["port"] == port]
        if len(mine) != 1:
            problems.append(f"Zeek's connection from port {port}: {len(mine)} of ours")
            continue
        c = mine[0]
        want = {"group": row.get("curve"),
                "sni_matches_cert": {"T": True, "F": False}.get(row.get("sni_matches_cert"))}
        for zeek_key, key in (("subject", "subject"), ("issuer", "issuer")):
            if zeek_key in row:
                want[key] = row[zeek_key]
        if row.get("cert_chain_fps") is not None:
            want["server_certificates"] = fps(row["cert_chain_fps"])
            leaf = x509.get(want["server_certificates"][0]) if want["server_certificates"] else None
            if leaf:
                want["not_before"] = utc(leaf["certificate.not_valid_before"])
                want["not_after"] = utc(leaf["certificate.not_valid_after"])
        if row.get("client_cert_chain_fps") is not None:
            want["client_certificates"] = fps(row["client_cert_chain_fps"])
        for key, value in want.items():
            checked += 1
            if c.get(key) != value:
                problems.append(f"port {port} {key}: Zeek has {value!r}, we have {c.get(key)!r}")
    return problems, checked


def run(tool, capture, keylog=None):
    cmd = [tool, "-r", capture, "--json"] + (["--keylog-file", keylog] if keylog else [])
    p = subprocess.run(cmd, capture_output=True, timeout=120)
    events = [json.loads(line) for line in p.stdout.decode().splitlines() if line.strip()]
    return p.returncode, p.stderr.decode(), events


def get_path(obj, path):
    """a.b[0].c style path into an event."""
    cur = obj
    for part in path.replace("]", "").split("."):
        name, _, index = part.partition("[")
        if name:
            if not isinstance(cur, dict) or name not in cur:
                return KeyError
            cur = cur[name]
        if index:
            i = int(index)
            if not isinstance(cur, list) or i >= len(cur):
                return KeyError
            cur = cur[i]
    return cur


def matches(event, where):
    for key, want in where.items():
        if get_path(event, key) != want:
            return False
    return True


def main():
    args = sys.argv[1:]
    tool = os.path.join(HERE, "..", "..", "build", "tlsdissect")
    if args[:1] == ["--tlsdissect"]:
        tool, args = args[1], args[2:]
    if len(args) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    corpus = args[0]
    expected = json.load(open(os.path.join(corpus, "expected-values.json")))
    assertions = json.load(open(os.path.join(HERE, "assertions.json")))
    failures = 0
    checked = 0
    captures = sorted(set(expected) | set(assertions) | set(ZEEK_BASELINES))
    for name in captures:
        path = os.path.join(corpus, name)
        if not os.path.exists(path):
            print(f"FAIL {name}: capture missing from the corpus")
            failures += 1
            continue
        rc, err, events = run(tool, path)
        conns = [e for e in events if e["type"] == "connection"]
        problems = []
        if name in UNSUPPORTED:
            values = {k: v for k, v in expected.get(name, {}).items() if k != "note"}
            hit = [k for k, v in values.items() if any(c.get(k) == v for c in conns)]
            if hit:
                problems.append(f"listed as unsupported ({UNSUPPORTED[name]}) but {hit} now match: update UNSUPPORTED")
            else:
                print(f"skip {name}: {UNSUPPORTED[name]} not dissected yet ({', '.join(sorted(values))})")
                continue
        for key, want in expected.get(name, {}).items():
            if key == "note" or name in UNSUPPORTED:
                continue
            checked += 1
            if (name, key) in CONTRADICTS_SPEC:
                want, why = CONTRADICTS_SPEC[(name, key)]
                print(f"note {name}: {why}; checking {key} {want}")
            if not any(c.get(key) == want for c in conns):
                got = sorted({str(c.get(key)) for c in conns})
                problems.append(f"{key}: want {want}, connections have {got}")
        for a in assertions.get(name, []):
            checked += 1
            pool = [e for e in events if matches(e, a.get("where", {}))]
            if "count" in a:
                if len(pool) != a["count"]:
                    problems.append(f"{a['where']}: {len(pool)} events, want {a['count']}")
                continue
            got = [get_path(e, a["field"]) for e in pool]
            if "equals" in a:
                op, want, ok = "equals", a["equals"], a["equals"] in got
            elif "contains" in a:
                op, want = "contains", a["contains"]
                ok = any(isinstance(g, list) and want in g for g in got)
            else:
                op, want = "startswith", a["startswith"]
                ok = any(isinstance(g, str) and g.startswith(want) for g in got)
            if not ok:
                shown = [g for g in got if g is not KeyError][:4]
                problems.append(f"{a['where']} {a['field']}: want {op} {want!r}, got {shown!r}")
        if name in ZEEK_BASELINES:
            zp, zc = zeek_problems(corpus, ZEEK_BASELINES[name], conns)
            problems += zp
            checked += zc
        if rc not in (0, 1) or "AddressSanitizer" in err:
            problems.append(f"exit status {rc}: {err.strip()[:200]}")
        if problems:
            failures += 1
            print(f"FAIL {name}")
            for p in problems:
                print(f"     {p}")
        else:
            print(f"ok   {name}")
    for d in json.load(open(os.path.join(HERE, "decryption.json")))["checks"]:
        name = d["capture"] + (f" (keys: {d['keylog']})" if d["keylog"] else " (keys: its DSB)")
        keylog = os.path.join(corpus, d["keylog"]) if d["keylog"] else None
        rc, err, events = run(tool, os.path.join(corpus, d["capture"]), keylog)
        conns = [e for e in events if e["type"] == "connection"]
        problems = []
        for key, want in d["connection"].items():
            checked += 1
            got = [get_path(c, key) for c in conns]
            if want not in got:
                problems.append(f"{key}: want {want!r}, connections have {got!r}"[:400])
        if rc != 0:
            problems.append(f"exit status {rc}: {err.strip()[:200]}")
        failures += bool(problems)
        print(("FAIL " if problems else "ok   ") + name)
        for p in problems:
            print(f"     {p}")
        captures.append(name)
    print(f"corpus: {len(captures)} captures, {checked} values checked, {failures} failing")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
