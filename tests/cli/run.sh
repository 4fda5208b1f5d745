#!/bin/sh
# Command-line contract (docs/output-contract.md, "Command line"): exit
# statuses, one-line errors that name the file, standard input, -o, help.
#   tests/cli/run.sh [--tlsdissect PATH]
set -u
cd "$(dirname "$0")/../.." || exit 2
bin=build/tlsdissect
[ "${1:-}" = --tlsdissect ] && bin=$2
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
fail=0
pass=0

# expect STATUS DESCRIPTION ARGS... : run, check the exit status; stdout/stderr kept in $tmp
expect() {
    want=$1 what=$2
    shift 2
    "$bin" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
    got=$?
    if [ "$got" -ne "$want" ]; then
        echo "FAIL $what: exit $got, want $want ($(head -c 200 "$tmp/err"))"
        fail=1
    else
        pass=$((pass + 1))
    fi
}
# stderr must be exactly one line containing TEXT
one_line_error() {
    if [ "$(wc -l <"$tmp/err")" -ne 1 ] || ! grep -q -- "$1" "$tmp/err"; then
        echo "FAIL $2: stderr should be one line containing '$1', was: $(cat "$tmp/err")"
        fail=1
    fi
}
stdout_has() {
    if ! grep -q -- "$1" "$tmp/out"; then
        echo "FAIL $2: stdout lacks '$1'"
        fail=1
    fi
}

pcap=tests/pcaps/tls12-ecdhe-rsa.pcap
: >"$tmp/empty.pcap"
printf 'this is not a capture file at all\n' >"$tmp/text.pcap"
# a valid pcap header with link type 147 (USER0), which tlsdissect does not decode
printf '\324\303\262\241\002\000\004\000\000\000\000\000\000\000\000\000\377\377\000\000\223\000\000\000' >"$tmp/user0.pcap"

expect 0 "--help" --help
stdout_has "usage: tlsdissect" "--help"
expect 0 "--version" --version
stdout_has "tlsdissect " "--version"
expect 2 "no arguments"
expect 2 "-r without a file" -r
expect 2 "unknown option" --bogus -r "$pcap"
expect 2 "-r and -i together" -r "$pcap" -i lo
expect 2 "bad --color" --color=sometimes -r "$pcap"
expect 2 "filter that does not compile" -r "$pcap" port banana
one_line_error "filter" "bad filter"
expect 2 "--app-data over its cap" --app-data 65537 -r "$pcap"
one_line_error "at most 65536" "--app-data over its cap"
expect 2 "--app-data not a number" --app-data lots -r "$pcap"
expect 2 "--conn 0" --conn 0 -r "$pcap"
one_line_error "connection numbers" "--conn 0"
expect 2 "--conn with an empty item" --conn 1,,2 -r "$pcap"
expect 2 "--conn not a number" --conn first -r "$pcap"
expect 2 "--sni twice" --sni a --sni b -r "$pcap"
expect 0 "--show-secrets without a key log" --show-secrets --json -r "$pcap"
if grep -q '"secrets"' "$tmp/out"; then echo "FAIL --show-secrets without keys wrote secrets"; fail=1; fi
expect 0 "keys without --show-secrets" --json --explain --keylog-file tests/pcaps/tls12-keys-aes128gcm.keylog \
    -r tests/pcaps/tls12-keys-aes128gcm.pcap
if grep -qi "$(awk '/^CLIENT_RANDOM/ {print $3; exit}' tests/pcaps/tls12-keys-aes128gcm.keylog)" "$tmp/out" "$tmp/err"; then
    echo "FAIL a secret was printed without --show-secrets"; fail=1
fi
# -w: the packets of the connections shown, re-read as a capture of their own
expect 0 "-w with --sni" -q --sni 'server.*' -w "$tmp/cut.pcap" -r tests/pcaps/tls10-rsa.pcap \
    -r tests/pcaps/tls12-no-sni.pcap -r tests/pcaps/tls12-resume-session-id.pcap
expect 0 "-w output re-read" -q --json -r "$tmp/cut.pcap"
stdout_has '"type":"stats".*"packets":54,.*"connections":3,"tls_connections":3' "-w wrote the 18 + 36 packets of the 3 chosen connections"
expect 0 "-w of two link types" -q -w "$tmp/mixed.pcap" -r tests/pcaps/tls10-rsa.pcap -r tests/pcaps/derived/link-sll.pcap
one_line_error "18 packets of link type 113 not written" "-w of two link types"
expect 1 "-w into a missing directory" -w "$tmp/no/such/dir.pcap" -r "$pcap"
one_line_error "$tmp/no/such/dir.pcap: No such file or directory" "-w into a missing directory"
expect 2 "-w -" -w - -r "$pcap"
# --html: a page besides the normal output, which stays byte for byte what it is without it
expect 2 "--html into a missing directory" --html "$tmp/no/such/r.html" -r "$pcap"
one_line_error "$tmp/no/such/r.html: cannot write" "--html into a missing directory"
expect 2 "--html -" --html - -r "$pcap"
expect 2 "--summary with --json" --summary --json -r "$pcap"
one_line_error "--summary prints text tables" "--summary with --json"
"$bin" --json --sni 'server.*' -r tests/pcaps/tls10-rsa.pcap -r tests/pcaps/tls12-no-sni.pcap tcp >"$tmp/plain.json"
expect 0 "--html with --json, --sni, two -r and a filter" --json --sni 'server.*' --html "$tmp/r.html" \
    -r tests/pcaps/tls10-rsa.pcap -r tests/pcaps/tls12-no-sni.pcap tcp
if cmp -s "$tmp/plain.json" "$tmp/out"; then pass=$((pass + 1)); else
    echo "FAIL --html changed the --json output"; fail=1; fi
# the page embeds exactly those events (tests/html/run.py checks them in a browser)
python3 - "$tmp/r.html" "$tmp/plain.json" <<'PY' || { echo "FAIL --html does not embed the --json events"; fail=1; }
import json, sys
page = open(sys.argv[1], encoding="utf-8").read()
assert page.startswith("<!DOCTYPE html>") and page.endswith("</html>\n")
start = page.index('id="td-events">\n') + len('id="td-events">\n')
block = page[start:page.index("</script>", start)]
embedded = [json.loads(l) for l in block.split("\n") if l]
plain = [json.loads(l) for l in open(sys.argv[2], encoding="utf-8").read().split("\n") if l]
assert embedded == plain and len(plain) > 3, (len(embedded), len(plain))
PY
expect 0 "--html with -q and --explain" -q --explain --html "$tmp/q.html" -r "$pcap"
if grep -q 'id="td-explain"' "$tmp/q.html"; then pass=$((pass + 1)); else
    echo "FAIL --html --explain has no sentences"; fail=1; fi
expect 0 "--summary" --summary -r "$pcap"
stdout_has "^Cipher suite" "--summary prints the cipher suite table"
expect 0 "--sni that matches nothing" --sni 'nothing.here' --json -r "$pcap"
if grep -qv '"type":"stats"' "$tmp/out"; then echo "FAIL --sni that matches nothing wrote events"; fail=1; fi
expect 0 "--app-data without a key log (nothing is decrypted: ignored)" --app-data 16 --json -r "$pcap"
if grep -q app_data "$tmp/out"; then echo "FAIL --app-data without keys wrote app_data"; fail=1; fi
expect 2 "--ca-file that does not exist" --ca-file "$tmp/nope" -r "$pcap"

expect 1 "missing file" -r "$tmp/missing.pcap"
one_line_error "$tmp/missing.pcap" "missing file"
expect 1 "zero-byte file" -r "$tmp/empty.pcap"
one_line_error "$tmp/empty.pcap" "zero-byte file"
expect 1 "not a capture" -r "$tmp/text.pcap"
one_line_error "$tmp/text.pcap" "not a capture"
expect 1 "a directory" -r tests/pcaps
one_line_error "tests/pcaps: is a directory" "a directory"
expect 1 "unsupported link type" -r "$tmp/user0.pcap"
one_line_error "unsupported link type 147" "unsupported link type"
expect 1 "pcapng with mixed link types" -r tests/pcaps/derived/mixed-linktypes.pcapng
one_line_error "mixed-linktypes.pcapng" "pcapng with mixed link types"
expect 1 "file cut mid-packet" -r tests/pcaps/derived/cut-mid-packet.pcap --json
one_line_error "cut-mid-packet.pcap: truncated dump file" "file cut mid-packet"
stdout_has '"type":"connection"' "file cut mid-packet (what was read is still reported)"
stdout_has '"type":"stats"' "file cut mid-packet (stats)"
expect 1 "second file missing: the first is still reported" -r "$pcap" -r "$tmp/missing.pcap" --json
stdout_has '"type":"connection"' "second file missing"

# tcpdump's conventions
expect 0 "-c 5" -c 5 -r "$pcap" --json
stdout_has '"type":"stats".*"packets":5,' "-c 5 stops after 5 packets"
expect 0 "-q" -q -r "$pcap" --json
if grep -v '"type":"connection"' "$tmp/out" | grep -qv '"type":"stats"'; then
    echo "FAIL -q printed more than connection summaries and stats"; fail=1; fi
stdout_has '"type":"connection"' "-q keeps the connection summary"
expect 0 "-n (accepted, names are never resolved)" -n -r "$pcap"
expect 0 "-D lists the interfaces" -D
stdout_has "lo" "-D lists lo"
expect 0 "--json --explain" --json --explain -r "$pcap"
one_line_error "--explain applies to the text output" "--json --explain says --explain is ignored"
expect 2 "a capture file where a filter word goes" -r "$pcap" tests/pcaps/tls10-rsa.pcap
one_line_error "give -r for each file" "a capture file after the options"
expect 0 "--files" --json --files "$pcap" tests/pcaps/tls10-rsa.pcap
[ "$(grep -c '"type":"connection"' "$tmp/out")" -eq 2 ] || { echo "FAIL --files read both files"; fail=1; }
expect 1 "first of two files missing: the second is still read" -r "$tmp/missing.pcap" -r "$pcap" --json
one_line_error "$tmp/missing.pcap" "first file missing"
stdout_has '"type":"connection"' "first file missing, the second read"
expect 1 "no file could be opened: no statistics" -r "$tmp/missing.pcap" --json
if [ -s "$tmp/out" ]; then echo "FAIL a file that cannot be opened printed statistics"; fail=1; fi
# -l, and automatically a pipe: events come while the capture is still arriving
(cat "$pcap"; sleep 3) | "$bin" -r - --json >"$tmp/pipe.json" 2>&1 &
piped=$!
sleep 1.5
if grep -q '"msg":"ClientHello"' "$tmp/pipe.json"; then pass=$((pass + 1)); else
    echo "FAIL reading a pipe: no event before the pipe closed"; fail=1; fi
kill -USR1 "$piped" 2>/dev/null
wait "$piped"
grep -q '"type":"stats"' "$tmp/pipe.json" || { echo "FAIL reading a pipe: no stats at the end"; fail=1; }

# compressed captures (gzip, zstd, xz) give what the plain file gives, from a
# file and from standard input; one cut short is one error line naming it
"$bin" -r "$pcap" --json >"$tmp/plain.json"
for z in "gzip -c" "zstd -q -c" "xz -c"; do
    ext=$(echo "$z" | cut -d' ' -f1)
    command -v "$ext" >/dev/null || { echo "FAIL $ext is not installed (tools/install-deps.sh test)"; fail=1; continue; }
    $z "$pcap" >"$tmp/c.$ext"
    "$bin" -r "$tmp/c.$ext" --json >"$tmp/c.json" 2>"$tmp/err" </dev/null
    if cmp -s "$tmp/plain.json" "$tmp/c.json" && [ ! -s "$tmp/err" ]; then pass=$((pass + 1)); else
        echo "FAIL a $ext-compressed capture differs from the plain one: $(head -c 200 "$tmp/err")"; fail=1; fi
    "$bin" -r - --json <"$tmp/c.$ext" >"$tmp/c.json" 2>"$tmp/err"
    if cmp -s "$tmp/plain.json" "$tmp/c.json"; then pass=$((pass + 1)); else
        echo "FAIL a $ext-compressed capture on standard input differs"; fail=1; fi
    head -c 1200 "$tmp/c.$ext" >"$tmp/cut.$ext"
    expect 1 "a $ext-compressed capture cut short" -r "$tmp/cut.$ext"
    one_line_error "$tmp/cut.$ext" "a $ext-compressed capture cut short"
done

# every fixture's compressed twin (one compressor each, in turn) gives its plain output
i=0
for f in tests/pcaps/*.pcap; do
    case $((i % 3)) in 0) zip=gzip ;; 1) zip=zstd ;; *) zip=xz ;; esac
    i=$((i + 1))
    keys=; [ -f "${f%.pcap}.keylog" ] && keys="--keylog-file ${f%.pcap}.keylog"
    $zip -c "$f" >"$tmp/twin.$zip" 2>/dev/null
    "$bin" $keys -r "$f" --json >"$tmp/plain.json" 2>/dev/null
    "$bin" $keys -r "$tmp/twin.$zip" --json >"$tmp/twin.json" 2>/dev/null
    if cmp -s "$tmp/plain.json" "$tmp/twin.json"; then pass=$((pass + 1)); else
        echo "FAIL the $zip-compressed twin of $f differs"; fail=1; fi
done

# the system trust store looked up by hash (the default) or read whole (SSL_CERT_FILE
# set): the same verdicts, on real chains of the corpus when it is here
for c in ../shared/corpus/ja4/chrome-cloudflare-quic-with-secrets.pcapng ../shared/corpus/zeek/imap-starttls.pcap; do
    [ -f "$c" ] || continue
    env -u SSL_CERT_FILE -u SSL_CERT_DIR "$bin" -r "$c" --json | grep -o '"certificate_validation":{[^}]*}' >"$tmp/v1"
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt "$bin" -r "$c" --json |
        grep -o '"certificate_validation":{[^}]*}' >"$tmp/v2"
    if [ -s "$tmp/v1" ] && cmp -s "$tmp/v1" "$tmp/v2"; then pass=$((pass + 1)); else
        echo "FAIL $c: the hashed system store and the whole bundle give other verdicts"; fail=1; fi
done

# standard input gives what the file gives
"$bin" -r "$pcap" --json >"$tmp/file.json"
"$bin" -r - --json <"$pcap" >"$tmp/stdin.json"
if cmp -s "$tmp/file.json" "$tmp/stdin.json"; then pass=$((pass + 1)); else
    echo "FAIL -r - (standard input) differs from -r FILE"; fail=1; fi
# -o writes the same bytes to a file
expect 0 "-o FILE" -r "$pcap" --json -o "$tmp/o.json"
if cmp -s "$tmp/file.json" "$tmp/o.json" && [ ! -s "$tmp/out" ]; then pass=$((pass + 1)); else
    echo "FAIL -o FILE: file differs or stdout not empty"; fail=1; fi
# -v, -vv as tcpdump counts them: -vvv is -vv, -v -v is -vv; -v shows frames, -vv more fields
expect 0 "-v" -v -r "$pcap"
cp "$tmp/out" "$tmp/v1"
stdout_has "  #4 .*ClientHello" "-v shows the ClientHello's frame"
stdout_has "signature_algorithms=" "-v lists the signature algorithms"
if grep -q "random=" "$tmp/v1"; then echo "FAIL -v shows -vv's random"; fail=1; fi
expect 0 "-vv" -vv -r "$pcap"
cp "$tmp/out" "$tmp/v2"
stdout_has "random=" "-vv shows the random"
expect 0 "-vvv" -vvv -r "$pcap"
cmp -s "$tmp/out" "$tmp/v2" || { echo "FAIL -vvv differs from -vv"; fail=1; }
expect 0 "-v -v" -v -r "$pcap" -v
cmp -s "$tmp/out" "$tmp/v2" || { echo "FAIL -v -v differs from -vv"; fail=1; }
expect 0 "-v with --json" -v --json -r "$pcap"
one_line_error "-v applies to the text output" "--json -v says -v is ignored"
"$bin" --json -r "$pcap" >"$tmp/plain.json" 2>/dev/null
cmp -s "$tmp/out" "$tmp/plain.json" || { echo "FAIL -v changed the JSON"; fail=1; }
# the frame column is the JSON's frame (which tools/crosscheck.py compares with tshark's frame.number)
for f in tests/pcaps/tls12-client-cert.pcap tests/pcaps/dtls12-openssl.pcap tests/pcaps/quic-v1-ngtcp2.pcap; do
    "$bin" --color=never -v -r "$f" | sed -n 's/^ *+[0-9.]*  #\([0-9]*\) .*/\1/p' >"$tmp/text-frames"
    "$bin" --json -r "$f" | python3 -c '
import json, sys
for line in sys.stdin:
    e = json.loads(line)
    if e["type"] == "message":
        print(e["frame"])' >"$tmp/json-frames"
    if [ -s "$tmp/text-frames" ] && cmp -s "$tmp/text-frames" "$tmp/json-frames"; then pass=$((pass + 1)); else
        echo "FAIL -v frames of $f differ from the JSON's"; fail=1; fi
done
if command -v tshark >/dev/null 2>&1; then
    # the ClientHello's frame as tshark numbers it
    want=$(tshark -r tests/pcaps/tls12-client-cert.pcap -Y 'tls.handshake.type == 1' -T fields -e frame.number 2>/dev/null | head -n 1)
    got=$("$bin" --color=never -v -r tests/pcaps/tls12-client-cert.pcap | sed -n 's/^ *+[0-9.]*  #\([0-9]*\) .*ClientHello.*/\1/p')
    if [ -n "$want" ] && [ "$want" = "$got" ]; then pass=$((pass + 1)); else
        echo "FAIL -v ClientHello frame $got, tshark says $want"; fail=1; fi
fi
# colour only when asked (or on a terminal): never by default into a pipe
expect 0 "text into a pipe has no colour" -r "$pcap"
if grep -q "$(printf '\033')" "$tmp/out"; then echo "FAIL colour codes in piped output"; fail=1; fi
expect 0 "--color=always" -r "$pcap" --color=always
if ! grep -q "$(printf '\033')\[" "$tmp/out"; then echo "FAIL --color=always has no colour"; fail=1; fi
# every JSON line parses, lines are objects with a type
"$bin" -r tests/pcaps/tls13-hrr.pcap --json | python3 -c '
import json, sys
for n, line in enumerate(sys.stdin, 1):
    e = json.loads(line)
    assert isinstance(e, dict) and "type" in e, n
' || { echo "FAIL JSON lines do not parse"; fail=1; }

if [ $fail -ne 0 ]; then echo "cli: FAILED"; exit 1; fi
echo "cli: $pass checks passed"
