#!/bin/sh
# `tlsdissect check` (docs/check.md): rules in FIXTURE.expect and --rules,
# failure output naming file:line, exit statuses 0/1/2, --update.
#   tests/cli/check.sh [--tlsdissect PATH]
set -u
cd "$(dirname "$0")/../.." || exit 2
bin=build/tlsdissect
[ "${1:-}" = --tlsdissect ] && bin=$2
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
fail() { echo "check: FAILED: $1"; cat "$tmp/out"; exit 1; }

# Every fixture passes its committed expectations.
"$bin" check tests/pcaps/*.pcap >"$tmp/out" || fail "fixtures against tests/pcaps/*.expect"

cp tests/pcaps/tls12-rsa-kex.pcap tests/pcaps/tls13-resume-psk.pcap "$tmp/"
cat >"$tmp/tls13-resume-psk.expect" <<'RULES'
# two TLS 1.3 connections, the second resumed by PSK
connections = 2
all: version = TLS 1.3
conn 2: resumed = psk
any: sni ~ *.tlsdissect.test
none: cipher_suite ~ *_CBC_*
conn 1: history contains ClientHello
RULES
"$bin" check "$tmp/tls13-resume-psk.pcap" >"$tmp/out" || fail "rules that hold"
grep -q "^ok   $tmp/tls13-resume-psk.pcap (2 connections)" "$tmp/out" || fail "ok line"

# A rule that does not hold: exit 1, file:line, what was expected and found.
printf 'conn 1: cipher_suite = TLS_AES_128_GCM_SHA256\n' >"$tmp/tls12-rsa-kex.expect"
"$bin" check "$tmp/tls12-rsa-kex.pcap" >"$tmp/out"
[ $? -eq 1 ] || fail "a mismatch must exit 1"
grep -q "tls12-rsa-kex.expect:1: conn 1: cipher_suite = TLS_AES_128_GCM_SHA256" "$tmp/out" || fail "mismatch names the rule"
grep -q "got TLS_RSA_WITH_AES_256_GCM_SHA384" "$tmp/out" || fail "mismatch shows the value found"

# A policy for every fixture, with ordered versions.
printf 'all: version >= TLS 1.3\n' >"$tmp/policy"
"$bin" check --rules "$tmp/policy" "$tmp" >"$tmp/out"
[ $? -eq 1 ] || fail "a policy violation must exit 1"
grep -q "conn 1 has TLS 1.2" "$tmp/out" || fail "policy violation shows the connection"
grep -q "check: 1 of 2 fixtures pass" "$tmp/out" || fail "summary line"

# A rule that does not parse is a failure, not a silent pass.
printf 'version is new\n' >"$tmp/tls12-rsa-kex.expect"
"$bin" check "$tmp/tls12-rsa-kex.pcap" >"$tmp/out"
[ $? -eq 1 ] || fail "a bad rule must exit 1"

# No rules at all: a failure that says how to make some; --update makes them.
rm "$tmp/tls12-rsa-kex.expect"
"$bin" check "$tmp/tls12-rsa-kex.pcap" >"$tmp/out"
[ $? -eq 1 ] || fail "no rules must exit 1"
"$bin" check --update "$tmp/tls12-rsa-kex.pcap" >"$tmp/out" || fail "--update"
"$bin" check "$tmp/tls12-rsa-kex.pcap" >"$tmp/out" || fail "after --update"

# Unreadable fixture: 1; usage errors: 2.
"$bin" check "$tmp/missing.pcap" >"$tmp/out"
[ $? -eq 1 ] || fail "an unreadable fixture must exit 1"
"$bin" check >"$tmp/out" 2>&1
[ $? -eq 2 ] || fail "no fixture must exit 2"
"$bin" check --bogus "$tmp" >"$tmp/out" 2>&1
[ $? -eq 2 ] || fail "a bad option must exit 2"
echo "check: subcommand behaves as documented"
