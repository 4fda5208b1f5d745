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
grep -q "^check: 1 passed, 1 failed$" "$tmp/out" || fail "summary line"

# A fixture failing in its own rules and in a policy is listed once; a
# directory given with a trailing slash gives paths without a doubled one.
printf 'conn 1: cipher_suite = TLS_AES_128_GCM_SHA256\n' >"$tmp/tls12-rsa-kex.expect"
"$bin" check --rules "$tmp/policy" "$tmp/" >"$tmp/out"
[ "$(grep -c "^FAIL .*tls12-rsa-kex.pcap" "$tmp/out")" -eq 1 ] || fail "a failing fixture is listed once"
grep -q "//" "$tmp/out" && fail "doubled slash in a path"

# --junit: a JUnit XML report CI systems read, one testcase per fixture, a
# failure with the report text; the XML parses and has the required attributes.
"$bin" check --rules "$tmp/policy" --junit "$tmp/report.xml" "$tmp" >"$tmp/out"
[ $? -eq 1 ] || fail "--junit keeps the exit status"
python3 - "$tmp/report.xml" <<'PY' || fail "JUnit report"
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == "testsuites", root.tag
suite = root.find("testsuite")
for key in ("name", "tests", "failures", "errors", "time"):
    assert key in suite.attrib, key
assert suite.attrib["tests"] == "2" and suite.attrib["failures"] == "1", suite.attrib
cases = suite.findall("testcase")
assert len(cases) == 2 and all("name" in c.attrib and "classname" in c.attrib for c in cases)
failed = [c for c in cases if c.find("failure") is not None]
assert len(failed) == 1 and failed[0].attrib["name"].endswith("tls12-rsa-kex.pcap")
text = failed[0].find("failure").text
assert "tls12-rsa-kex.expect:1" in text and "conn 1 has TLS 1.2" in text, text
PY
rm -f "$tmp/tls12-rsa-kex.expect"

# --update leaves out the validation verdict, which depends on the machine's
# trust store, unless the trust anchors were given.
"$bin" check --update "$tmp/tls12-rsa-kex.pcap" >"$tmp/out" || fail "--update"
grep -q "certificate_validation" "$tmp/tls12-rsa-kex.expect" && fail "--update wrote a trust-store verdict"
"$bin" check --update --ca-file tests/pcaps/derived/fixtures-intermediate-ca.pem "$tmp/tls12-rsa-kex.pcap" >"$tmp/out" || fail "--update --ca-file"
grep -q "certificate_validation.status = " "$tmp/tls12-rsa-kex.expect" || fail "--update --ca-file writes the verdict"
rm -f "$tmp/tls12-rsa-kex.expect"

# A rule that does not parse is a failure, not a silent pass.
printf 'version is new\n' >"$tmp/tls12-rsa-kex.expect"
"$bin" check "$tmp/tls12-rsa-kex.pcap" >"$tmp/out"
[ $? -eq 1 ] || fail "a bad rule must exit 1"

# A field no connection event has is an error, not a rule that silently
# holds: exit 1, file:line, and the nearest known name.
rm -f "$tmp/tls12-rsa-kex.expect"
must_fail() {  # must_fail NAME RULES...: `check --rules` with those lines exits 1
    name=$1
    shift
    printf '%s\n' "$@" >"$tmp/$name.rules"
    "$bin" check --rules "$tmp/$name.rules" "$tmp/tls12-rsa-kex.pcap" >"$tmp/out"
    [ $? -eq 1 ] || fail "$name.rules must exit 1"
}
must_fail misspelled '# policy' 'all: cipher_suit !~ *RC4*'
grep -q "misspelled.rules:2: all: cipher_suit !~ \*RC4\*" "$tmp/out" || fail "misspelled field names file:line"
grep -q "did you mean cipher_suite?" "$tmp/out" || fail "misspelled field suggests cipher_suite"
must_fail nested 'any: certificate_validation.stauts = ok'
grep -q "did you mean certificate_validation.status?" "$tmp/out" || fail "nested suggestion"
for bad in 'alerts.from = client' 'version[0] = TLS 1.2' 'alerts[x].from = client'; do
    must_fail shape "all: $bad"
    grep -q "shape.rules:1:" "$tmp/out" || fail "bad path names file:line: $bad"
done
# Known paths that the event may lack (no alert, nothing escaped) are not errors.
printf 'all: alerts[9].description = (absent)\nall: sni_hex = (absent)\nall: client.port > 0\n' >"$tmp/known.rules"
"$bin" check --rules "$tmp/known.rules" "$tmp/tls12-rsa-kex.pcap" >"$tmp/out" || fail "known fields"

# null compared with every operator (docs/check.md, "null and absent"):
# the rules of null-holds.rules all hold, each of null-fails.rules fails.
mkdir "$tmp/null" && cp tests/pcaps/tls12-handshake-failure.pcap "$tmp/null/" || exit 2
"$bin" check --rules tests/cli/null-holds.rules "$tmp/null/tls12-handshake-failure.pcap" >"$tmp/out" ||
    fail "null-holds.rules"
"$bin" check --rules tests/cli/null-fails.rules "$tmp/null/tls12-handshake-failure.pcap" >"$tmp/out"
[ $? -eq 1 ] || fail "null-fails.rules must fail"
want=$(grep -c '^[a-z]' tests/cli/null-fails.rules)
got=$(grep -c '^     tests/cli/null-fails.rules:[0-9]*: ' "$tmp/out")
[ "$want" -eq "$got" ] || fail "null-fails.rules: $got of $want rules reported as failing"

# findings in rules (docs/findings.md): `contains` matches a finding's code,
# `= []` holds only without findings, a misspelt code field is an error.
mkdir "$tmp/findings" && cp tests/pcaps/hostile/legacy-offers.pcap tests/pcaps/tls13-openssl.pcap \
    tests/pcaps/tls10-rsa.pcap "$tmp/findings/" || exit 2
cat >"$tmp/findings/legacy-offers.expect" <<'RULES'
conn 1: findings contains compression
conn 1: findings contains heartbeat
conn 1: findings contains insecure_renegotiation
conn 2: findings !~ *compression*
none: findings contains weak_cipher
conn 1: ech = none
conn 2: ech = offered
conn 3: ech = accepted
conn 3: findings = []
conn 3: group = secp256r1
RULES
"$bin" check "$tmp/findings/legacy-offers.pcap" >"$tmp/out" || fail "findings rules on legacy-offers"
printf 'conn 1: findings = []\n' >"$tmp/findings/legacy-offers.expect"
"$bin" check "$tmp/findings/legacy-offers.pcap" >"$tmp/out"
[ $? -eq 1 ] || fail "findings = [] must fail with findings"
grep -q '"code":"compression"' "$tmp/out" || fail "a failing findings rule shows the findings"
printf 'none: findings contains heartbeat\n' >"$tmp/findings/legacy-offers.expect"
"$bin" check "$tmp/findings/legacy-offers.pcap" >"$tmp/out"
[ $? -eq 1 ] || fail "none: findings contains heartbeat must fail"
printf 'all: findings[0].cod = deprecated_version\n' >"$tmp/findings/tls10-rsa.expect"
"$bin" check "$tmp/findings/tls10-rsa.pcap" >"$tmp/out"
[ $? -eq 1 ] || fail "findings[0].cod must be an error"
grep -q "did you mean findings\[0\].code?" "$tmp/out" || fail "findings[0].cod suggests code"
printf 'all: findings[0].code = deprecated_version\nall: findings[1].reason ~ *static RSA*\n' \
    >"$tmp/findings/tls10-rsa.expect"
"$bin" check "$tmp/findings/tls10-rsa.pcap" >"$tmp/out" || fail "findings[i].code and reason"
# the certificate findings come from the validation (the derived captures, with the test CA)
for c in expired:cert_expired not-yet-valid:cert_not_yet_valid name-mismatch:cert_name_mismatch \
    bad-signature:cert_untrusted; do
    cp "tests/pcaps/derived/cert-${c%%:*}.pcap" "$tmp/findings/"
    printf 'all: findings contains %s\n' "${c#*:}" >"$tmp/findings/cert-${c%%:*}.expect"
    "$bin" check --ca-file tests/pcaps/derived/fixtures-intermediate-ca.pem \
        "$tmp/findings/cert-${c%%:*}.pcap" >"$tmp/out" || fail "cert-${c%%:*} has ${c#*:}"
done
cp tests/pcaps/tls12-ecdhe-rsa.pcap "$tmp/findings/"
printf 'all: findings = []\nall: sni_matches_cert = true\n' >"$tmp/findings/tls12-ecdhe-rsa.expect"
"$bin" check --ca-file tests/pcaps/derived/fixtures-intermediate-ca.pem \
    "$tmp/findings/tls12-ecdhe-rsa.pcap" >"$tmp/out" || fail "a valid chain has no findings"
"$bin" check "$tmp/findings/tls12-ecdhe-rsa.pcap" >"$tmp/out"
[ $? -eq 1 ] || fail "without the test CA the chain is untrusted"
grep -q "cert_untrusted" "$tmp/out" || fail "cert_untrusted without the test CA"

# The Mozilla intermediate policy: its cipher_suite rules leave exactly the
# profile's 12 suites of the IANA registry; TLS 1.3 and ECDHE fixtures pass,
# TLS 1.0 with static RSA fails on the version and the suite.
python3 tests/cli/policy-suites.py docs/policy-mozilla-intermediate.rules tools/iana/cipher-suites.csv ||
    fail "policy cipher suites"
mkdir "$tmp/moz" && cp tests/pcaps/tls13-openssl.pcap tests/pcaps/tls12-ecdhe-rsa.pcap \
    tests/pcaps/tls12-dhe-rsa.pcap "$tmp/moz/" || exit 2
"$bin" check --rules docs/policy-mozilla-intermediate.rules "$tmp/moz" >"$tmp/out" ||
    fail "intermediate fixtures pass the Mozilla intermediate policy"
cp tests/pcaps/tls10-rsa.pcap tests/pcaps/tls12-weak-3des.pcap "$tmp/moz/"
"$bin" check --rules docs/policy-mozilla-intermediate.rules "$tmp/moz" >"$tmp/out"
[ $? -eq 1 ] || fail "TLS 1.0 and 3DES must fail the policy"
grep -q "policy-mozilla-intermediate.rules:[0-9]*: none: version < TLS 1.2" "$tmp/out" || fail "policy: version"
grep -q "policy-mozilla-intermediate.rules:[0-9]*: none: cipher_suite ~ TLS_RSA_\*" "$tmp/out" || fail "policy: static RSA"
grep -q "policy-mozilla-intermediate.rules:[0-9]*: none: findings contains weak_cipher" "$tmp/out" || fail "policy: 3DES"
grep -q "^check: 3 passed, 2 failed$" "$tmp/out" || fail "policy summary"

# No rules at all: a failure that says how to make some; --update makes them.
rm -f "$tmp/tls12-rsa-kex.expect"
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
