#!/bin/sh
# Regenerate the crafted captures committed in tests/pcaps/hostile/:
#   tools/make-hostile-fixtures.sh [NAME ...]
# Every capture there (default) or each NAME, a case of tools/hostile.py, is
# written again by `tools/hostile.py NAME` as NAME.pcap (NAME.pcapng for the
# cases in hostile.PCAPNG_CASES).  The fuzz reproducers (truncated-*-random,
# pcapng-timestamp-overflow) come out byte for byte the same; the cases with
# certificates get fresh ones on every run, so the hashes in tests/expected
# change: regenerate, then `make update-expected` and review the diff.
set -eu
cd "$(dirname "$0")/.."
py=$(command -v python3)
if [ $# -eq 0 ]; then
    set -- $(ls tests/pcaps/hostile | sed -n 's/\.pcap\(ng\)\{0,1\}$//p' | sort -u)
fi
cases=$("$py" -c 'import sys; sys.path.insert(0, "tools"); import hostile; print("\n".join(hostile.CASES))')
pcapng=$("$py" -c 'import sys; sys.path.insert(0, "tools"); import hostile; print("\n".join(hostile.PCAPNG_CASES))')
for name in "$@"; do
    if ! printf '%s\n' $cases | grep -qx "$name"; then
        echo "make-hostile-fixtures: $name is not a case of tools/hostile.py" >&2
        exit 2
    fi
    ext=pcap
    printf '%s\n' $pcapng | grep -qx "$name" && ext=pcapng
    "$py" tools/hostile.py "$name" "tests/pcaps/hostile/$name.$ext"
    echo "tests/pcaps/hostile/$name.$ext"
done
