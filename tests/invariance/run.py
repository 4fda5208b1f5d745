#!/usr/bin/env python3
"""Invariance: every fixture, mangled by tools/mangle.py (re-cut into 1-40 byte
segments, locally reordered, duplicated and overlapping retransmissions,
VLAN-tagged, IP-fragmented, and all of these at once, with two seeds), must
give the same message and connection events as the original, as the
contract's Invariance section defines them (normalize.py).  A fixture with a
key log beside it (NAME.keylog) is also run decrypted, original and mangled
twins with the same keys.

usage: run.py [--tlsdissect PATH] [FIXTURE.pcap ...]   (default: tests/pcaps/*.pcap)
exit: 0 all invariant, 1 a difference (shown as a unified diff), 2 usage.
"""
import difflib
import glob
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import mangle  # noqa: E402  (tools/mangle.py)

MODES = ["recut", "reorder", "dup", "vlan", "fragment", "recut,reorder,dup,vlan,fragment"]
# DTLS fixtures (dtls*.pcap): their datagrams duplicated, reordered within a
# flight in clear, IP-fragmented (tools/mangle.py udp-* modes)
UDP_MODES = ["udp-dup", "udp-reorder", "udp-fragment", "udp-dup,udp-reorder,udp-fragment"]
SEEDS = [1, 2]
DROP = {"ts", "frame", "start", "end", "vlan", "anomalies"}
# The same traffic in other link-layer encapsulations (tools/derive-fixtures.sh).
LINK_VARIANTS = {
    "tls12-ecdhe-rsa.pcap": ["link-sll", "link-sll2", "link-null", "link-loop", "link-raw",
                             "link-qinq", "link-pppoe"],
    "tls13-ipv6.pcap": ["link-ipv6"],
    "tls13-openssl.pcap": ["link-ipv4", "format.pcapng"],
}
# Derived captures decrypted with another fixture's key log (tools/derive-fixtures.sh):
# the GnuTLS capture with its Certificate compressed (RFC 8879).
DERIVED_KEYED = [("tls13-keys-compress-cert-%s.pcap" % a, "tls13-keys-gnutls.keylog")
                 for a in ("zlib", "brotli", "zstd", "bomb")]


def normalized(tool, capture, keylog=None):
    cmd = [tool, "-r", capture, "--json"] + (["--keylog-file", keylog] if keylog else [])
    p = subprocess.run(cmd, capture_output=True, timeout=60)
    if p.returncode != 0:
        raise RuntimeError(f"tlsdissect exit {p.returncode}: {p.stderr.decode()[:300]}")
    out = []
    for line in p.stdout.decode().splitlines():
        event = json.loads(line)
        if event["type"] not in ("message", "connection"):
            continue
        for key in list(event):
            if key in DROP or key.endswith("_us"):
                del event[key]
        out.append(json.dumps(event))
    return out


def main():
    args = sys.argv[1:]
    tool = os.path.join(ROOT, "build", "tlsdissect")
    if args[:1] == ["--tlsdissect"]:
        tool, args = args[1], args[2:]
    captures = args or sorted(glob.glob(os.path.join(ROOT, "tests", "pcaps", "*.pcap")))
    # (capture, key log or None): with keys, the decrypted output must be invariant too
    runs_of = [(c, None) for c in captures]
    runs_of += [(c, c[:-5] + ".keylog") for c in captures
                if c.endswith(".pcap") and os.path.exists(c[:-5] + ".keylog")]
    if not args:
        runs_of += [(os.path.join(ROOT, "tests", "pcaps", "derived", c),
                     os.path.join(ROOT, "tests", "pcaps", k)) for c, k in DERIVED_KEYED]
    failures = runs = 0
    with tempfile.TemporaryDirectory() as tmp:
        mangled = os.path.join(tmp, "m.pcap")
        for capture, keylog in runs_of:
            name = os.path.basename(capture) + (" (decrypted)" if keylog else "")
            want = normalized(tool, capture, keylog)
            for variant in LINK_VARIANTS.get(name, []) if not args else []:
                path = os.path.join(ROOT, "tests", "pcaps", "derived", variant)
                path = path if os.path.exists(path) else path + ".pcap"
                runs += 1
                if normalized(tool, path) != want:
                    failures += 1
                    print(f"FAIL {name} as {variant}: output differs")
            modes = MODES + (UDP_MODES if os.path.basename(capture).startswith("dtls") else [])
            for mode in modes:
                for seed in SEEDS:
                    mangle.mangle(capture, mangled, set(mode.split(",")), seed)
                    runs += 1
                    try:
                        got = normalized(tool, mangled, keylog)
                    except RuntimeError as e:
                        print(f"FAIL {name} mangled by {mode} (seed {seed}): {e}")
                        failures += 1
                        continue
                    if got != want:
                        failures += 1
                        print(f"FAIL {name} mangled by {mode} (seed {seed}):")
                        diff = difflib.unified_diff(want, got, "original", "mangled", lineterm="", n=0)
                        for line in list(diff)[:20]:
                            print("   ", line[:300])
    if failures:
        print(f"invariance: {failures} of {runs} mangled captures differ")
        return 1
    print(f"invariance: {runs} variants ({len(runs_of)} fixture runs x {len(MODES)} modes (DTLS: "
          f"+{len(UDP_MODES)} UDP modes) x "
          f"{len(SEEDS)} seeds, and other link types) give the same handshake output")
    return 0


if __name__ == "__main__":
    sys.exit(main())
