#!/bin/sh
# Valgrind memcheck over every fixture capture:
#   tests/memcheck.sh [--tlsdissect PATH] [CAPTURE ...]
# Default captures: tests/pcaps/*.pcap, tests/pcaps/derived/*, tests/pcaps/hostile/*,
# then the fixtures with a key log beside them (NAME.keylog) once more, decrypted.
# Each runs as `valgrind --leak-check=full tlsdissect -r FILE --json >/dev/null`;
# any memcheck error (invalid read or write, use of uninitialised values,
# invalid free, a definite, indirect or possible leak) fails the run.
# tlsdissect's own exit status is not judged (1 is right for a corrupt
# capture): memcheck's errors are told apart by their own exit code.
# Exit: 0 clean (or valgrind missing: skipped, with a message), 1 errors.
set -u
cd "$(dirname "$0")/.." || exit 2
bin=build/tlsdissect
if [ "${1-}" = --tlsdissect ]; then bin=$2; shift 2; fi
if ! command -v valgrind >/dev/null 2>&1; then
    echo "memcheck: valgrind not installed, skipped"
    exit 0
fi
[ -x "$bin" ] || { echo "memcheck: $bin not built (run make)" >&2; exit 2; }
keyed=0
if [ $# -eq 0 ]; then
    keyed=1
    set -- tests/pcaps/*.pcap tests/pcaps/derived/*.pcap tests/pcaps/derived/*.pcapng \
        tests/pcaps/hostile/*.pcap tests/pcaps/hostile/*.pcapng
fi
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
export TZ=UTC
n=0 failed=0
for f in "$@"; do
    [ -f "$f" ] || continue
    n=$((n + 1))
    valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect,possible \
        --error-exitcode=86 --log-file="$tmp/log" "$bin" -r "$f" --json >/dev/null 2>"$tmp/err"
    if [ $? -eq 86 ] || [ -s "$tmp/log" ]; then
        echo "memcheck: $f:"
        sed 's/^/    /' "$tmp/log"
        failed=$((failed + 1))
    fi
done
# the fixtures that have a key log, decrypted
for f in tests/pcaps/*.pcap; do
    [ "$keyed" = 1 ] && [ -f "${f%.pcap}.keylog" ] || continue
    n=$((n + 1))
    valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect,possible \
        --error-exitcode=86 --log-file="$tmp/log" "$bin" -r "$f" --keylog-file "${f%.pcap}.keylog" \
        --json >/dev/null 2>"$tmp/err"
    if [ $? -eq 86 ] || [ -s "$tmp/log" ]; then
        echo "memcheck: $f (with its key log):"
        sed 's/^/    /' "$tmp/log"
        failed=$((failed + 1))
    fi
done
echo "memcheck: $((n - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
