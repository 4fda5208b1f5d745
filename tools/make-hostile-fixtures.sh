#!/bin/sh
# Regenerate the crafted captures that have golden outputs:
#   tools/make-hostile-fixtures.sh [NAME ...]
# Every capture tests/golden/fixtures.tsv names as tests/pcaps/hostile/NAME.pcap,
# where NAME is a case of tools/hostile.py, is written again by
# `tools/hostile.py NAME`.  Certificates are made afresh on every run, so the
# hashes in tests/expected change: regenerate, then `make update-expected` and
# review the diff.  (The fuzz reproducers in tests/pcaps/hostile are not made here.)
set -eu
cd "$(dirname "$0")/.."
py=$(command -v python3)
if [ $# -eq 0 ]; then
    set -- $(grep -v '^#' tests/golden/fixtures.tsv | grep -o 'tests/pcaps/hostile/[a-z0-9-]*\.pcap' |
             sed 's|tests/pcaps/hostile/||; s|\.pcap$||' | sort -u)
fi
cases=$("$py" -c 'import sys; sys.path.insert(0, "tools"); import hostile; print("\n".join(hostile.CASES))')
for name in "$@"; do
    if ! printf '%s\n' $cases | grep -qx "$name"; then
        echo "make-hostile-fixtures: $name is not a case of tools/hostile.py" >&2
        exit 2
    fi
    "$py" tools/hostile.py "$name" "tests/pcaps/hostile/$name.pcap"
    echo "tests/pcaps/hostile/$name.pcap"
done
