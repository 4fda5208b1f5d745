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
# "failed"); the same for a TLS 1.2 master secret (CBC, MAC-then-encrypt:
# the client's Finished has bad padding or a bad MAC); a TLS 1.2 capture whose
# ServerHello names TLS_ECDHE_RSA_WITH_RC4_128_SHA (0xc011), which is not
# decrypted here ("unsupported"); and a TLS 1.2 capture whose client
# application data record is cut short by 10 bytes (frame 10): its
# close_notify after it still decrypts, with the next sequence number.
awk '$1 == "SERVER_HANDSHAKE_TRAFFIC_SECRET" { c = substr($3, 1, 1); $3 = (c == "0" ? "1" : "0") substr($3, 2) } { print }' \
    "$src/tls13-keys-aes128gcm.keylog" >"$out/tls13-keys-wrong.keylog"
awk '$1 == "CLIENT_RANDOM" { c = substr($3, 1, 1); $3 = (c == "0" ? "1" : "0") substr($3, 2) } { print }' \
    "$src/tls12-keys-cbc-no-etm.keylog" >"$out/tls12-keys-wrong.keylog"
# QUIC: quic-keys-v1's key log with its server handshake secret changed the
# same way (the server's Handshake packets do not open: one anomaly, the rest counted)
awk '$1 == "SERVER_HANDSHAKE_TRAFFIC_SECRET" { c = substr($3, 1, 1); $3 = (c == "0" ? "1" : "0") substr($3, 2) } { print }' \
    "$src/quic-keys-v1.keylog" >"$out/quic-keys-wrong.keylog"
python3 tools/fixtures/set-suite.py "$src/tls12-keys-aes128gcm.pcap" c011 "$out/tls12-keys-rc4.pcap"
python3 tools/fixtures/cut-frame.py "$src/tls12-keys-aes128gcm.pcap" 10 10 "$out/tls12-keys-cut-record.pcap"

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

# TLS 1.3 with keys, one bit of the ServerHello random flipped: the records
# still decrypt with the original key log, but neither Finished verifies.
python3 tools/fixtures/flip-server-random.py "$src/tls13-keys-aes128gcm.pcap" \
    "$out/tls13-keys-flipped-random.pcap"
# DTLS 1.2 with keys: a forged copy of the client's application_data
# datagram (another sequence number) before its Finished, and a flipped
# ciphertext byte in the real one: both fail, the rest still decrypts.
python3 tools/fixtures/dtls-garble.py "$src/dtls12-keys-gcm.pcap" 24530 \
    "$out/dtls12-keys-garbled.pcap"
# 0-RTT: a key log without CLIENT_EARLY_TRAFFIC_SECRET (early records cannot
# be opened: they are skipped, not failures), and the rejected early data's
# connection (the third) flooded after the ServerHello with records that
# open under no key: 40 (skipped; the client's Finished is still read) and
# 300 (past the bound of 64: decryption "failed", bounded).
grep -v '^CLIENT_EARLY_TRAFFIC_SECRET ' "$src/tls13-keys-early-data-rejected.keylog" \
    >"$out/tls13-keys-no-early-secret.keylog"
port=$(tshark -r "$src/tls13-keys-early-data-rejected.pcap" -Y 'tcp.stream==2 && tcp.flags.syn==1 && tcp.flags.ack==0' \
    -T fields -e tcp.srcport)
python3 tools/fixtures/early-flood.py "$src/tls13-keys-early-data-rejected.pcap" "$port" 40 \
    "$out/tls13-keys-early-flood-40.pcap"
python3 tools/fixtures/early-flood.py "$src/tls13-keys-early-data-rejected.pcap" "$port" 300 \
    "$out/tls13-keys-early-flood-300.pcap"
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
