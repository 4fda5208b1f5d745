#!/usr/bin/env python3
"""Benchmark: tlsdissect against the floor -- a bare libpcap read loop --
measured in the same run, on a handshake-heavy capture, a bulk transfer and
a million concurrent flows; tshark and ssldump too when they are installed.

usage: tools/bench/run.py [--megabytes N] [--runs N] [--bulk-megabytes N]
                          [--flows N] [--no-peers] [--inputs DIR]

Inputs (made once, kept in --inputs, default build/bench, and remade when
their generator changes):
  handshakes  N MB (default 512) of the project's fixtures replayed as new
              connections, randoms and session IDs varied per copy
              (tools/bench/gen-big.py)
  bulk        a real OpenSSL TLS 1.3 transfer of N MiB (default 200) on
              loopback, recorded with tcpdump (needs root, openssl, tcpdump;
              skipped otherwise)
  flows       N (default 1,000,000) concurrent connections, each a SYN and a
              ClientHello, none ending (tools/bench/gen-flows.py)

Cases, run alternately --runs times (default 5): the floor
(tools/bench/pcap-loop.c), dissection with events discarded
(tools/bench/dissect-only.c), tlsdissect --json and text to /dev/null; the
peers once each on a 16 MB slice of the handshake input.  Printed: median
wall and CPU seconds, peak memory, MB/s, handshakes/s, and the median of the
per-pair ratios to the floor (wall, and CPU, which a shared machine
disturbs less), beside the targets of docs/performance.md.
Ratios, not absolute times, are what to compare between machines and
commits.  One JSON line per case goes to DIR/results.jsonl, for comparison
over time.
"""
import argparse
import datetime
import glob
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BENCH = os.path.join(ROOT, "tools", "bench")

# docs/performance.md: the ratio to the floor each case should stay within
TARGETS = {"dissect": 2.0, "json": 3.0, "text": 2.5}
BULK_TARGET = 1.1
RSS_TARGET_MIB = 64


MEASURE = None  # build(): the path of tools/bench/measure.c, compiled


def run_once(argv):
    """Wall seconds, CPU seconds and peak RSS (MiB) of one process (through measure.c)."""
    proc = subprocess.run([MEASURE] + argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed with status {proc.returncode}")
    wall, cpu, kib = proc.stderr.split()[-3:]
    return float(wall), float(cpu), int(kib) / 1024


def generator_stamp(*paths):
    """A short hash of the generator sources: an input is remade when they change."""
    h = hashlib.sha256()
    for p in paths:
        with open(p, "rb") as f:
            h.update(f.read())
    return h.hexdigest()[:12]


def cached(inputs, name, stamp, make):
    """inputs/name-stamp.pcap, made by make(path) if missing; stale versions are removed."""
    path = os.path.join(inputs, f"{name}-{stamp}.pcap")
    if not os.path.exists(path):
        for old in glob.glob(os.path.join(inputs, f"{name}-*.pcap")):
            os.remove(old)
        tmp = path + ".part"
        if make(tmp) is False:
            return None
        os.rename(tmp, path)
    return path


def make_handshakes(path, megabytes):
    fixtures = sorted(glob.glob(os.path.join(ROOT, "tests/pcaps/tls1*.pcap")))
    subprocess.run([sys.executable, os.path.join(BENCH, "gen-big.py"), path, str(megabytes)] + fixtures,
                   check=True, stdout=subprocess.DEVNULL)


def make_bulk(path, mebibytes):
    """A real TLS transfer on loopback: s_client sends mebibytes to s_server, tcpdump records it."""
    if os.geteuid() != 0 or not shutil.which("openssl") or not shutil.which("tcpdump"):
        print("bench: bulk input skipped (needs root, openssl and tcpdump)")
        return False
    work = tempfile.mkdtemp()
    port = 24990
    key, cert = os.path.join(work, "key.pem"), os.path.join(work, "cert.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                    "-nodes", "-days", "2", "-subj", "/CN=bulk.bench", "-keyout", key, "-out", cert],
                   check=True, capture_output=True)
    dump = subprocess.Popen(["tcpdump", "-i", "lo", "-s", "262144", "-B", "262144", "-w", path,
                             f"tcp port {port}"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    # (s_server's standard input stays open: at its end s_server would close the connection)
    server = subprocess.Popen(["openssl", "s_server", "-quiet", "-accept", str(port), "-cert", cert,
                               "-key", key, "-naccept", "1"],
                              stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.5)
    with subprocess.Popen(["head", "-c", f"{mebibytes}M", "/dev/zero"], stdout=subprocess.PIPE) as data:
        subprocess.run(["openssl", "s_client", "-quiet", "-no_ign_eof", "-connect", f"127.0.0.1:{port}"],
                       stdin=data.stdout, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       timeout=300)
    server.stdin.close()
    server.wait(timeout=60)
    time.sleep(1)
    dump.terminate()
    _, err = dump.communicate(timeout=60)
    shutil.rmtree(work)
    dropped = [l for l in err.decode(errors="replace").splitlines() if "dropped by kernel" in l]
    if dropped and not dropped[0].startswith("0 "):
        print(f"bench: the bulk recording lost packets ({dropped[0]}); the input is still a fair load")
    return True


def make_flows(path, flows):
    subprocess.run([sys.executable, os.path.join(BENCH, "gen-flows.py"), path, str(flows),
                    os.path.join(ROOT, "tests/pcaps/tls13-chacha20.pcap")], check=True,
                   stdout=subprocess.DEVNULL)


def count_handshakes(tool, capture):
    """ClientHellos in the capture, as tlsdissect counts them (for handshakes/s)."""
    out = subprocess.run([tool, "-r", capture, "-q", "--json"], capture_output=True, text=True, check=True)
    return sum(1 for line in out.stdout.splitlines() if '"type":"connection"' in line)


def build(tmp):
    global MEASURE
    subprocess.run(["make", "-s", "-C", ROOT, "all"], check=True)
    MEASURE = os.path.join(tmp, "measure")
    subprocess.run(["cc", "-O2", "-Wall", "-Wextra", "-Werror", "-D_DEFAULT_SOURCE", "-o", MEASURE,
                    os.path.join(BENCH, "measure.c")], check=True)
    loop = os.path.join(tmp, "pcap-loop")
    subprocess.run(["cc", "-O2", "-Wall", "-Wextra", "-Werror", "-o", loop, os.path.join(BENCH, "pcap-loop.c"),
                    "-lpcap"], check=True)
    dissect = os.path.join(tmp, "dissect-only")
    # a make of its own: under a parent make (make test, -j2) the inherited MAKEFLAGS would
    # make it print "Entering directory" lines into the link line
    clean_env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    libs = subprocess.run(["make", "-s", "--no-print-directory", "-C", ROOT, "print-libs"], capture_output=True,
                          text=True, check=True, env=clean_env).stdout.split()
    subprocess.run(["cc", "-O2", "-Wall", "-Wextra", "-Werror", "-I", os.path.join(ROOT, "include"), "-o", dissect,
                    os.path.join(BENCH, "dissect-only.c"), os.path.join(ROOT, "build/libtlsdissect.a")] + libs,
                   check=True)
    return loop, dissect


def measure(cases, runs):
    """Alternate the cases runs times (after one warm-up of the first); {name: [(wall, cpu, rss)]}."""
    results = {name: [] for name in cases}
    run_once(next(iter(cases.values())))  # the page cache
    for _ in range(runs):
        for name, argv in cases.items():
            results[name].append(run_once(argv))
    return results


def report(title, capture, results, floor, handshakes, targets, log, extra=None):
    size = os.path.getsize(capture) / 1e6
    base = results[floor]
    print(f"\n{title}: {size:.0f} MB, {handshakes} connections, {len(base)} runs each, medians")
    print(f"{'case':34} {'wall s':>8} {'cpu s':>8} {'peak MiB':>9} {'MB/s':>7} {'hs/s':>9} "
          f"{'x floor (min-max)':>20} {'cpu x':>6} {'target':>7}")
    for name, runs in results.items():
        wall = statistics.median(r[0] for r in runs)
        cpu = statistics.median(r[1] for r in runs)
        peak = max(r[2] for r in runs)
        ratios = [r[0] / b[0] for r, b in zip(runs, base)]
        ratio = statistics.median(ratios)
        cpu_ratio = statistics.median(r[1] / max(b[1], 1e-6) for r, b in zip(runs, base))
        shown = f"{ratio:6.2f} ({min(ratios):.2f}-{max(ratios):.2f})" if name != floor else "1.00"
        target = targets.get(name)
        verdict = "" if target is None else f"{target:.1f} {'ok' if ratio <= target else 'over'}"
        hs = handshakes / wall if handshakes and name != floor else 0
        print(f"{name:34} {wall:8.3f} {cpu:8.3f} {peak:9.1f} {size / wall:7.0f} "
              f"{hs:9.0f} {shown:>20} {cpu_ratio:6.2f} {verdict:>7}")
        log.append({"input": title, "case": name, "megabytes": round(size, 1), "runs": len(runs),
                    "wall_s": round(wall, 4), "cpu_s": round(cpu, 4), "peak_mib": round(peak, 1),
                    "ratio_to_floor": round(ratio, 3), "cpu_ratio_to_floor": round(cpu_ratio, 3),
                    "target": target, **(extra or {})})


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--megabytes", type=int, default=512)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--bulk-megabytes", type=int, default=200)
    ap.add_argument("--flows", type=int, default=1000000)
    ap.add_argument("--no-peers", action="store_true")
    ap.add_argument("--inputs", default=os.path.join(ROOT, "build", "bench"))
    args = ap.parse_args()

    os.makedirs(args.inputs, exist_ok=True)
    tmp = tempfile.mkdtemp()
    loop, dissect = build(tmp)
    tool = os.path.join(ROOT, "build/tlsdissect")
    commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip()
    stamp_extra = {"commit": commit, "date": datetime.datetime.now(datetime.timezone.utc).isoformat()}
    log = []

    def modes(capture):
        return {"floor: libpcap read loop": [loop, capture],
                "dissect": [dissect, capture],
                "json": [tool, "-r", capture, "--json", "-o", "/dev/null"],
                "text": [tool, "-r", capture, "-o", "/dev/null"]}

    gen = os.path.join(BENCH, "gen-big.py")
    hs_input = cached(args.inputs, f"handshakes-{args.megabytes}mb",
                      generator_stamp(gen, os.path.join(ROOT, "tools/pcaplib.py")),
                      lambda p: make_handshakes(p, args.megabytes))
    hs_count = count_handshakes(tool, hs_input)
    report("handshake-heavy", hs_input, measure(modes(hs_input), args.runs), "floor: libpcap read loop",
           hs_count, TARGETS, log, stamp_extra)
    print(f"(peak memory target: <= {RSS_TARGET_MIB} MiB)")

    if not args.no_peers:
        peers = {}
        if shutil.which("tshark"):
            peers["tshark -Y tls.handshake -T ek"] = ["tshark", "-r", None, "-Y", "tls.handshake", "-T", "ek"]
        if shutil.which("ssldump"):
            peers["ssldump -j -n"] = ["ssldump", "-j", "-n", "-r", None]
        if peers:
            sl = cached(args.inputs, "slice-16mb", generator_stamp(gen, os.path.join(ROOT, "tools/pcaplib.py")),
                        lambda p: make_handshakes(p, 16))
            cases = {"json": [tool, "-r", sl, "--json", "-o", "/dev/null"]}
            for name, argv in peers.items():
                cases[name] = [sl if a is None else a for a in argv]
            res = measure(cases, 1)
            ours = res["json"][0][0]
            print(f"\npeers, on a 16 MB slice of the same input, one run each:")
            for name, runs in res.items():
                print(f"{name:34} {runs[0][0]:8.2f} s   {runs[0][0] / ours:6.1f} x tlsdissect --json")
                log.append({"input": "slice-16mb", "case": name, "wall_s": round(runs[0][0], 4),
                            "ratio_to_tlsdissect_json": round(runs[0][0] / ours, 2), **stamp_extra})
        else:
            print("\npeers: neither tshark nor ssldump is installed")

    if args.bulk_megabytes > 0:
        bulk = cached(args.inputs, f"bulk-{args.bulk_megabytes}mib",
                      generator_stamp(os.path.abspath(__file__)), lambda p: make_bulk(p, args.bulk_megabytes))
        if bulk:
            report("bulk", bulk, measure(modes(bulk), args.runs), "floor: libpcap read loop",
                   count_handshakes(tool, bulk), {k: BULK_TARGET for k in TARGETS}, log, stamp_extra)

    if args.flows > 0:
        fgen = os.path.join(BENCH, "gen-flows.py")
        flows = cached(args.inputs, f"flows-{args.flows}", generator_stamp(fgen, os.path.join(ROOT, "tools/pcaplib.py")),
                       lambda p: make_flows(p, args.flows))
        print(f"\n{args.flows} concurrent flows ({os.path.getsize(flows) / 1e6:.0f} MB), one run each:")
        # the process without flows: one small capture
        base_peak = run_once([tool, "-r", os.path.join(ROOT, "tests/pcaps/tls13-chacha20.pcap"), "-q",
                              "--json", "-o", "/dev/null"])[2]
        for cap in (None, args.flows + 1000):
            argv = [tool, "-r", flows, "-q", "--json"] + (["--max-connections", str(cap)] if cap else [])
            wall, cpu, peak = run_once(argv + ["-o", "/dev/null"])
            stats = subprocess.run(argv, capture_output=True, text=True).stdout
            evicted = json.loads(stats.splitlines()[-1]).get("evicted_flows", 0)
            label = f"--max-connections {cap}" if cap else "default caps"
            print(f"{label:34} {wall:8.2f} s  peak {peak:7.1f} MiB  evicted {evicted}")
            log.append({"input": f"flows-{args.flows}", "case": label, "wall_s": round(wall, 3),
                        "peak_mib": round(peak, 1), "evicted_flows": evicted, **stamp_extra})
            if cap:
                per_flow = (peak - base_peak) * 1048576 / args.flows
                print(f"{'':34} about {per_flow:.0f} bytes per tracked flow "
                      f"(peak over the {base_peak:.1f} MiB of a run on one small capture)")
                log[-1]["bytes_per_flow"] = round(per_flow)

    with open(os.path.join(args.inputs, "results.jsonl"), "a") as f:
        for entry in log:
            f.write(json.dumps(entry) + "\n")
    shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
