#!/bin/sh
# `make install` into a scratch DESTDIR: the binary runs, `man -l` renders the
# manual page, the bash completion script completes options; every option of
# `tlsdissect --help` (and of `tlsdissect check --help`) is in the manual page
# and in the completion script, so neither can fall behind the program.
#   tests/cli/install.sh
set -u
cd "$(dirname "$0")/../.." || exit 2
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
fail() { echo "install: FAILED: $1"; exit 1; }

make -s install DESTDIR="$tmp" PREFIX=/usr >"$tmp/log" 2>&1 || { cat "$tmp/log"; fail "make install"; }
bin=$tmp/usr/bin/tlsdissect
man=$tmp/usr/share/man/man1/tlsdissect.1
comp=$tmp/usr/share/bash-completion/completions/tlsdissect
[ -x "$bin" ] && [ -f "$man" ] && [ -f "$comp" ] || fail "installed files"
"$bin" --version >/dev/null || fail "installed binary runs"

if command -v man >/dev/null 2>&1; then
    MANWIDTH=100 man -l "$man" 2>"$tmp/man.err" >"$tmp/man.txt" || fail "man -l: $(cat "$tmp/man.err")"
    grep -q "EXIT STATUS" "$tmp/man.txt" || fail "the manual page has an EXIT STATUS section"
    [ -s "$tmp/man.err" ] && fail "man -l warned: $(cat "$tmp/man.err")"
fi

# every option the program prints is documented and completed
{ "$bin" --help; "$bin" check --help; } 2>&1 |
    grep -o -- '--[a-z][a-z-]*' | sort -u >"$tmp/options"
[ -s "$tmp/options" ] || fail "no options found in --help"
while read -r opt; do
    esc=$(printf '%s' "$opt" | sed 's/-/\\\\-/g')
    grep -q -- "$esc" "$man" || fail "$opt is missing from docs/tlsdissect.1"
    grep -q -- "$opt" "$comp" || fail "$opt is missing from tools/completion/tlsdissect.bash"
done <"$tmp/options"

# the completion script completes
out=$(bash -c ". '$comp'; COMP_WORDS=(tlsdissect --max-c); COMP_CWORD=1; _tlsdissect; echo \"\${COMPREPLY[@]}\"")
[ "$out" = "--max-connections" ] || fail "completion of --max-c gave '$out'"
out=$(bash -c ". '$comp'; COMP_WORDS=(tlsdissect check --ju); COMP_CWORD=2; _tlsdissect; echo \"\${COMPREPLY[@]}\"")
[ "$out" = "--junit" ] || fail "completion of check --ju gave '$out'"
echo "install: binary, manual page and completion installed and complete ($(wc -l <"$tmp/options") options)"
