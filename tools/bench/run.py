#!/usr/bin/env python3
"""Benchmark: tlsdissect against a bare libpcap read loop, measured in the
same run, on a large handshake-heavy capture.

usage: tools/bench/run.py [--megabytes N] [--runs N] [--keep FILE]

It builds tools/bench/pcap-loop.c (the baseline), tools/bench/dissect-only.c
(the whole pipeline with events discarded: dissection apart from output) and
build/tlsdissect,
writes a capture of N MB (default 300) by replaying the project's fixtures as
new connections (tools/bench/gen-big.py), then runs the baseline and each
tlsdissect mode alternately, --runs times each (default 5), and prints the
median wall and CPU seconds, the peak memory of each process, and the median
of the per-pair ratios tlsdissect / baseline.  Ratios, not absolute times, are
what to compare between machines and commits.
"""
import argparse
import glob
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def run_once(argv):
    """Wall seconds, CPU seconds and peak RSS (MiB) of one process."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(argv)} failed with status {status}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--megabytes", type=int, default=300)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--keep", help="keep (or reuse) the generated capture at this path")
    args = ap.parse_args()

    subprocess.run(["make", "-s", "-C", ROOT, "all"], check=True)
    tmp = tempfile.mkdtemp()
    loop = os.path.join(tmp, "pcap-loop")
    subprocess.run(["cc", "-O2", "-Wall", "-Wextra", "-Werror", "-o", loop, os.path.join(ROOT, "tools/bench/pcap-loop.c"),
                    "-lpcap"], check=True)
    dissect = os.path.join(tmp, "dissect-only")
    flags = subprocess.run(["pkg-config", "--cflags", "--libs", "libpcap", "libcjson", "libcrypto",
                            "zlib", "libzstd", "liblzma", "libbrotlidec"],
                           capture_output=True, text=True).stdout.split() or ["-lpcap", "-lcjson", "-lcrypto", "-lz", "-lzstd", "-llzma", "-lbrotlidec"]
    subprocess.run(["cc", "-O2", "-Wall", "-Wextra", "-Werror", "-I", os.path.join(ROOT, "include"), "-o", dissect,
                    os.path.join(ROOT, "tools/bench/dissect-only.c"),
                    os.path.join(ROOT, "build/libtlsdissect.a")] + flags, check=True)
    capture = args.keep or os.path.join(tmp, "big.pcap")
    if not os.path.exists(capture):
        fixtures = sorted(glob.glob(os.path.join(ROOT, "tests/pcaps/tls1*.pcap")))
        subprocess.run([sys.executable, os.path.join(ROOT, "tools/bench/gen-big.py"), capture,
                        str(args.megabytes)] + fixtures, check=True)
    tool = os.path.join(ROOT, "build/tlsdissect")
    cases = {
        "baseline: libpcap read loop": [loop, capture],
        "dissection, events discarded": [dissect, capture],
        "tlsdissect --json": [tool, "-r", capture, "--json", "-o", "/dev/null"],
        "tlsdissect (text)": [tool, "-r", capture, "-o", "/dev/null"],
    }
    results = {name: [] for name in cases}
    run_once(cases["baseline: libpcap read loop"])  # warm the page cache
    for _ in range(args.runs):
        for name, argv in cases.items():
            results[name].append(run_once(argv))

    base = results["baseline: libpcap read loop"]
    size = os.path.getsize(capture) / 1e6
    print(f"capture: {size:.0f} MB, {args.runs} runs each, medians (min-max)")
    print(f"{'case':30} {'wall s':>8} {'cpu s':>8} {'peak MiB':>9} {'wall ratio':>22} {'MB/s':>7}")
    for name, runs in results.items():
        wall = statistics.median(r[0] for r in runs)
        cpu = statistics.median(r[1] for r in runs)
        peak = max(r[2] for r in runs)
        ratios = [r[0] / b[0] for r, b in zip(runs, base)]
        ratio = (f"{statistics.median(ratios):6.2f} ({min(ratios):.2f}-{max(ratios):.2f})"
                 if runs is not base else "1.00")
        print(f"{name:30} {wall:8.3f} {cpu:8.3f} {peak:9.1f} {ratio:>22} {size / wall:7.0f}")
    if not args.keep:
        os.remove(capture)
    os.remove(loop)
    os.remove(dissect)
    os.rmdir(tmp)


if __name__ == "__main__":
    main()
