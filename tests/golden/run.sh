#!/bin/sh
# Golden tests: every fixture listed in tests/golden/fixtures.tsv is run
# through tlsdissect and its output compared with tests/expected/<name>.<ext>.
#   tests/golden/run.sh [--update] [--tlsdissect PATH]
# --update rewrites the expected files (review `git diff` before committing).
# Exit: 0 all match, 1 a difference (shown as a unified diff).
set -u
cd "$(dirname "$0")/../.." || exit 2
bin=build/tlsdissect
update=0
while [ $# -gt 0 ]; do
    case "$1" in
    --update) update=1 ;;
    --tlsdissect) bin=$2; shift ;;
    *) echo "usage: $0 [--update] [--tlsdissect PATH]" >&2; exit 2 ;;
    esac
    shift
done
export TZ=UTC LC_ALL=C
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
fail=0
count=0
# name  output-kind (json, text, explain, verbose, vverbose, summary, html)  arguments (capture paths relative to the project root)
grep -v '^#' tests/golden/fixtures.tsv | while IFS='	' read -r name kind args; do
    [ -n "$name" ] || continue
    case "$kind" in
    json) ext=json; flags=--json ;;
    text) ext=txt; flags=--color=never ;;
    explain) ext=explain.txt; flags="--color=never --explain" ;;
    verbose) ext=v.txt; flags="--color=never -v" ;;
    vverbose) ext=vv.txt; flags="--color=never -vv" ;;
    summary) ext=summary.txt; flags=--summary ;;
    html) ext=html; flags="-q --html $tmp/out" ;; # the report page is the output compared
    *) echo "fixtures.tsv: unknown kind '$kind' for $name" >&2; exit 2 ;;
    esac
    expected=tests/expected/$name.$ext
    # shellcheck disable=SC2086
    if [ "$kind" = html ]; then
        "$bin" $flags $args >/dev/null 2>"$tmp/err"
    else
        "$bin" $flags $args >"$tmp/out" 2>"$tmp/err"
    fi
    status=$?
    if [ $status -ne 0 ]; then
        echo "$name.$ext: exit status $status: $(head -c 300 "$tmp/err")"
        echo fail >>"$tmp/failed"
        continue
    fi
    if [ $update -eq 1 ]; then
        cp "$tmp/out" "$expected"
    elif ! diff -u "$expected" "$tmp/out" >"$tmp/diff" 2>&1; then
        echo "FAIL $name.$ext:"
        head -n 60 "$tmp/diff"
        echo fail >>"$tmp/failed"
    fi
    echo x >>"$tmp/count"
done
n=$(wc -l <"$tmp/count" 2>/dev/null || echo 0)
if [ -f "$tmp/failed" ]; then
    echo "golden: $(wc -l <"$tmp/failed") of $n outputs differ"
    exit 1
fi
[ $update -eq 1 ] && echo "golden: $n expected outputs rewritten: review with git diff" || echo "golden: $n outputs match"
exit 0
