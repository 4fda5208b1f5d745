#!/bin/sh
# Derived fixtures: the same real traffic as tests/pcaps/*.pcap in other
# containers, so that link-layer decoding, pcapng reading and multi-file
# reading are tested on bytes whose dissection is already known.
#   tools/derive-fixtures.sh   (needs python3 and editcap/mergecap from tshark)
# Writes tests/pcaps/derived/; regenerate after tools/make-fixtures.sh.
set -eu
cd "$(dirname "$0")/.."
src=tests/pcaps
out=tests/pcaps/derived
mkdir -p "$out"

# Link types: every one tlsdissect decodes, from one TLS 1.2 connection.
for t in sll sll2 null loop raw qinq pppoe; do
    python3 tools/mangle.py "link-$t" "$src/tls12-ecdhe-rsa.pcap" "$out/link-$t.pcap"
done
python3 tools/mangle.py link-ipv6 "$src/tls13-ipv6.pcap" "$out/link-ipv6.pcap"
python3 tools/mangle.py link-ipv4 "$src/tls13-openssl.pcap" "$out/link-ipv4.pcap"

# pcapng, and a pcapng whose two interfaces have different link types
# (libpcap refuses those; tlsdissect must say so clearly).
editcap -F pcapng "$src/tls13-openssl.pcap" "$out/format.pcapng"
mergecap -F pcapng -w "$out/mixed-linktypes.pcapng" "$src/tls12-ecdhe-rsa.pcap" "$out/link-sll.pcap"

# Rotated files: a capture cut in three, in the middle of connections
# (the resumed connection starts in the second file and ends in the third).
editcap -r "$src/tls12-resume-ticket.pcap" "$out/rotated-1.pcap" 1-12
editcap -r "$src/tls12-resume-ticket.pcap" "$out/rotated-2.pcap" 13-24
editcap -r "$src/tls12-resume-ticket.pcap" "$out/rotated-3.pcap" 25-1000

# Snaplen 64 and 200: headers survive, payload does not (truncated_capture).
editcap -s 64 "$src/tls12-ecdhe-rsa.pcap" "$out/snaplen-64.pcap"
editcap -s 200 "$src/tls13-openssl.pcap" "$out/snaplen-200.pcap"

# The same 4-tuple used again: after a clean close, and by a new SYN while
# the old connection never closed.
python3 tools/fixtures/reuse.py "$src/tls12-ecdhe-rsa.pcap" "$out/reuse-after-close.pcap"
python3 tools/fixtures/reuse.py --no-close "$src/tls13-openssl.pcap" "$out/reuse-new-syn.pcap"

# Certificate validation: the fixtures' intermediate CA as a trust anchor
# (its root is not kept), and one capture per problem: a renamed SNI, the
# clock moved past the validity or before it, a flipped signature bit.
python3 tools/fixtures/certs.py pem "$src/tls12-ecdhe-rsa.pcap" 1 "$out/fixtures-intermediate-ca.pem"
python3 tools/fixtures/certs.py rename-sni "$src/tls12-ecdhe-rsa.pcap" server.tlsdissect.test \
    server.tlsdissect.evil "$out/cert-name-mismatch.pcap"
editcap -t 631152000 "$src/tls12-ecdhe-rsa.pcap" "$out/cert-expired.pcap"       # +20 years: 2046
editcap -t -31536000 "$src/tls12-ecdhe-rsa.pcap" "$out/cert-not-yet-valid.pcap" # -1 year: 2025
python3 tools/fixtures/certs.py corrupt "$src/tls12-ecdhe-rsa.pcap" "$out/cert-bad-signature.pcap"

# Decryption: a key log whose server handshake secret has its first hex
# digit changed (the server's records do not authenticate: decryption
# "failed"), and a CLIENT_RANDOM line (a made-up master secret) for a TLS 1.2
# connection, which this version does not decrypt ("unsupported").
awk '$1 == "SERVER_HANDSHAKE_TRAFFIC_SECRET" { c = substr($3, 1, 1); $3 = (c == "0" ? "1" : "0") substr($3, 2) } { print }' \
    "$src/tls13-keys-aes128gcm.keylog" >"$out/tls13-keys-wrong.keylog"
random=$(tshark -r "$src/tls12-ecdhe-rsa.pcap" -Y tls.handshake.type==1 -T fields -e tls.handshake.random | head -n 1 | tr -d :)
printf 'CLIENT_RANDOM %s %s\n' "$random" "$(printf '%096d' 0 | tr 0 a)" >"$out/tls12-client-random.keylog"

# TLS 1.3 decrypted: the decryption fixtures' intermediate CA (they have a
# PKI of their own) to validate their chains against, and a capture whose
# ServerHello names TLS_SM4_GCM_SM3 (0x00c6), which libcrypto cannot open
# here: decryption "unsupported".
python3 tools/fixtures/certs.py pem --keylog "$src/tls13-keys-aes128gcm.keylog" \
    "$src/tls13-keys-aes128gcm.pcap" 1 "$out/keys-intermediate-ca.pem"
python3 tools/fixtures/set-suite.py "$src/tls13-keys-aes128gcm.pcap" 00c6 "$out/tls13-keys-sm4.pcap"

# The key log carried in the capture: a pcapng Decryption Secrets Block.
editcap -F pcapng --inject-secrets "tls,$src/tls13-keys-chacha20.keylog" "$src/tls13-keys-chacha20.pcap" \
    "$out/tls13-keys-dsb.pcapng"

# TLS 1.3 with keys, the server's first NewSessionTicket record cut short by
# 100 bytes (frame 9, as a snaplen would): record boundaries survive, so the
# records after it are still decrypted with the right sequence numbers.
python3 tools/fixtures/cut-frame.py "$src/tls13-keys-aes256gcm-keyupdate.pcap" 9 100 \
    "$out/tls13-keys-cut-record.pcap"

# TLS 1.3 with keys, the server's Certificate sent as a CompressedCertificate
# (RFC 8879) with each algorithm: the GnuTLS capture re-encrypted with its own
# key log (no stack here sends one: Debian's GnuTLS is built without the
# compressors), both Finished recomputed over the new transcript.
for alg in zlib brotli zstd; do
    python3 tools/fixtures/compress-cert.py "$src/tls13-keys-gnutls.pcap" "$src/tls13-keys-gnutls.keylog" \
        "$alg" "$out/tls13-keys-compress-cert-$alg.pcap" >/dev/null
done
# ... and a small decompression bomb: uncompressed_length declared 100 bytes
# short of what the brotli stream gives, beside an untouched connection
# (tls13-keys-aes128gcm, its own key log) that must not be affected.
python3 tools/fixtures/compress-cert.py --declare-delta -100 "$src/tls13-keys-gnutls.pcap" \
    "$src/tls13-keys-gnutls.keylog" brotli "$out/.bomb.pcap" >/dev/null
mergecap -F pcap -w "$out/tls13-keys-compress-cert-bomb.pcap" "$out/.bomb.pcap" "$src/tls13-keys-aes128gcm.pcap"
rm -f "$out/.bomb.pcap"

# A file cut in the middle of a packet record.
head -c 3000 "$src/tls12-ecdhe-rsa.pcap" >"$out/cut-mid-packet.pcap"
echo "derived fixtures written to $out"
