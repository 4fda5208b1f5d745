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
    captures = sorted(set(expected) | set(assertions))
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
