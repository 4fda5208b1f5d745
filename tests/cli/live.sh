#!/bin/sh
# Live capture (-i): a real OpenSSL handshake on loopback while tlsdissect
# sniffs `lo`; events must be written while the capture runs (not only at
# exit), and SIGINT must end it with the connection summary and a stats line
# carrying the kernel counters.  Skipped (exit 0) without root or openssl.
#   tests/cli/live.sh [--tlsdissect PATH]
set -u
cd "$(dirname "$0")/../.." || exit 2
bin=build/tlsdissect
[ "${1:-}" = --tlsdissect ] && bin=$2
if [ "$(id -u)" -ne 0 ] || ! command -v openssl >/dev/null; then
    echo "live: skipped (needs root and openssl)"; exit 0
fi
tmp=$(mktemp -d) || exit 2
port=$((30000 + $$ % 20000))
cleanup() {
    [ -n "${sniffer:-}" ] && kill "$sniffer" 2>/dev/null
    [ -n "${server:-}" ] && kill "$server" 2>/dev/null
    wait 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "live: FAILED: $1"; exit 1; }

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
    -subj /CN=live.tlsdissect.test -keyout "$tmp/key.pem" -out "$tmp/cert.pem" 2>/dev/null ||
    fail "openssl req"
# as tcpdump users run it: no promiscuous mode, a snaplen, and root given up
# for nobody once the interface is open (-Z); the output file is opened first
"$bin" -i lo -p -s 65535 -Z nobody --json -o "$tmp/out.json" "tcp port $port" 2>"$tmp/err" &
sniffer=$!
openssl s_server -quiet -accept "$port" -cert "$tmp/cert.pem" -key "$tmp/key.pem" \
    >/dev/null 2>&1 </dev/null &
server=$!
sleep 1.5
echo hello | timeout 10 openssl s_client -connect "127.0.0.1:$port" -servername live.tlsdissect.test \
    -quiet >/dev/null 2>&1
sleep 1.5
grep -q '"msg":"ClientHello"' "$tmp/out.json" || fail "no ClientHello while the capture was running"
uid=$(awk '/^Uid:/ {print $2}' "/proc/$sniffer/status")
[ "$uid" = "$(id -u nobody)" ] || fail "-Z nobody: still running as uid $uid"
kill -USR1 "$sniffer"
sleep 0.5
grep -q "packets, .* bytes, .* connections" "$tmp/err" || fail "SIGUSR1 printed no running statistics"
kill -0 "$sniffer" 2>/dev/null || fail "SIGUSR1 ended the capture"
kill -INT "$sniffer"
i=0
while kill -0 "$sniffer" 2>/dev/null; do
    i=$((i + 1))
    [ $i -gt 50 ] && fail "still running 10 s after SIGINT"
    sleep 0.2
done
wait "$sniffer"
status=$?
sniffer=
[ $status -eq 0 ] || fail "exit status $status after SIGINT: $(cat "$tmp/err")"
grep -q '"type":"connection".*"sni":"live.tlsdissect.test".*"established":true' "$tmp/out.json" ||
    fail "no established connection summary"
tail -n 1 "$tmp/out.json" | grep -q '"type":"stats".*"kernel_received"' || fail "last line is not stats with kernel counters"

# A key log the client writes while the capture runs (SSLKEYLOGFILE as a
# browser keeps it): the file starts empty and readable by root only, the
# sniffer gives up root (-Z) and must still read what is appended, and the
# TLS 1.3 flight the client's secrets open must come out decrypted.
: >"$tmp/keys.log"
chmod 600 "$tmp/keys.log"
"$bin" -i lo -Z nobody --json --keylog-file "$tmp/keys.log" --app-data 5 -o "$tmp/keyed.json" \
    "tcp port $port" 2>"$tmp/keyed.err" &
sniffer=$!
sleep 1.5
echo hello | timeout 10 openssl s_client -connect "127.0.0.1:$port" -servername live.tlsdissect.test \
    -tls1_3 -keylogfile "$tmp/keys.log" -quiet >/dev/null 2>&1
sleep 0.5
# TLS 1.2: the client logs its master secret (CLIENT_RANDOM) as it sends its key exchange
echo hello | timeout 10 openssl s_client -connect "127.0.0.1:$port" -servername tls12.live.tlsdissect.test \
    -tls1_2 -keylogfile "$tmp/keys.log" -quiet >/dev/null 2>&1
sleep 1
kill -INT "$sniffer"
wait "$sniffer"
sniffer=
[ -s "$tmp/keys.log" ] || fail "s_client wrote no key log"
grep -q '"from":"client".*"msg":"Finished","decrypted":true,"verified":true' "$tmp/keyed.json" ||
    fail "the client's Finished, decrypted live, was not verified"
grep -q '"conn":2,.*"from":"server".*"msg":"Finished","decrypted":true,"verified":true' "$tmp/keyed.json" ||
    fail "the TLS 1.2 server Finished, decrypted live with a master secret logged during the capture, was not verified"
grep -q '"msg":"EncryptedExtensions","decrypted":true' "$tmp/keyed.json" ||
    fail "the key log written during the capture did not decrypt the handshake: $(head -c 300 "$tmp/keyed.err")"
# OpenSSL logs the client's application traffic secret after it sends its
# Finished: the client's close_notify opens only if that line was waited for
grep -q '"from":"client".*"msg":"Alert","decrypted":true' "$tmp/keyed.json" ||
    fail "the client's close_notify (under its application secret) was not decrypted"
grep -q '"type":"connection".*"decryption":"ok","app_data_client":"[^"]*","app_data_server"' "$tmp/keyed.json" ||
    fail "no decrypted connection summary with --app-data fields"
echo "live: handshake seen live (as nobody, -Z), statistics on SIGUSR1, clean summary on SIGINT, decrypted with a key log written during the capture"
