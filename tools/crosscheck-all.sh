#!/bin/bash
# crosscheck-all.sh - run tools/crosscheck.py (tlsdissect vs tshark) over the
# project's fixtures and, when present, the third-party conformance corpus.
#
#   tools/crosscheck-all.sh [-j JOBS] [-v]
#
# Captures: every tests/pcaps/*.pcap, then, if ../shared/corpus exists
# relative to the project root, the TCP captures listed in CORPUS below
# (a listed file that is missing is skipped with a message), then the QUIC
# fixtures (tests/pcaps/quic-*.pcap) and the QUIC captures of CORPUS_QUIC
# with crosscheck-quic.py, then the DTLS fixtures (tests/pcaps/dtls*.pcap)
# and the DTLS captures of CORPUS_DTLS with crosscheck-dtls.py.
# Captures with keys are checked a second time, decrypted, with the same key
# log given to both tools (KEYED below: every tests/pcaps/NAME.pcap that has
# a NAME.keylog beside it, and the corpus captures that ship keys); those
# lines read "CAPTURE (keys: KEYLOG)".
# Prints one line per capture (OK / FAIL / ERROR / SKIP) with crosscheck's
# details under a FAIL or ERROR; exits 1 if any capture fails or errs, 0
# otherwise, and 0 with a message when tshark is not installed.
# Environment: TLSDISSECT (binary, default build/tlsdissect), TSHARK.

# TCP captures of ../shared/corpus (paths relative to it).
CORPUS="
arkime/mysql-tls.pcap
arkime/openssl-ssl3.pcap
arkime/openssl-tls1_1.pcap
arkime/tls-client-sessionid.pcap
ja4/chrome-cloudflare-quic-with-secrets.pcapng
ja4/https-connect.pcap
ja4/https3-301-get.pcap
ja4/tls-alpn-h2.pcap
ja4/tls-handshake.pcapng
ja4/tls-non-ascii-alpn.pcapng
ja4/tls12.pcap
ndpi/smtp-starttls.pcap
ssldump/tls1.3_keyupdates_aes256.pcap
ssldump/tls1.3_session_resumption.pcap
suricata-verify/bug-1450-04/tls_DER-incomplete-header.pcap
suricata-verify/ja4-tls/input.pcap
suricata-verify/sslv2-tls-upgrade-01/ssl-v2-s1.pcap
suricata-verify/tls-duplicate-hello/input.pcap
suricata-verify/tls/tls-store-02/tls-client-auth.pcap
zeek/client-certificate.pcap
zeek/imap-starttls.pcap
zeek/ssl-v2.pcap
zeek/tls13-ech.pcap
zeek/tls13_psk_succesfull.pcap
"

# QUIC captures of ../shared/corpus, compared by tools/crosscheck-quic.py
# (the handshake messages of Initial packets; the TCP ones above too).
CORPUS_QUIC="
arkime/quicietf.pcap
ja4/chrome-cloudflare-quic-with-secrets.pcapng
ja4/quic-with-several-tls-frames.pcapng
ja4/tls-handshake.pcapng
suricata-verify/quic-frag-unordered/input.pcap
suricata-verify/quic-v2-ja3/input.pcap
zeek/quic-multiple-initial-fragmented-crypto.pcap
"

# DTLS captures of ../shared/corpus, compared by tools/crosscheck-dtls.py.
CORPUS_DTLS="
arkime/cloudshark-dtls1.pcap
ndpi/dtls_certificate_fragments.pcap
zeek/dtls1_2.pcap
zeek/dtls13-cid.pcap
"

# Corpus captures that ship keys: capture and key log, relative to the corpus.
KEYED_CORPUS="
ssldump/tls1.3_keyupdates_aes256.pcap ssldump/log.txt
ssldump/tls1.3_session_resumption.pcap ssldump/log.txt
ja4/chrome-cloudflare-quic-with-secrets.pcapng ja4/chrome-cloudflare-quic-with-secrets.dsb-extracted.keylog
"

set -u
case $0 in */*) cd "${0%/*}/.." || exit 2 ;; *) cd .. || exit 2 ;; esac
root=$(pwd)

jobs=$(nproc 2>/dev/null || echo 2)
verbose=
while getopts "j:vh" opt; do
    case $opt in
    j) jobs=$OPTARG ;;
    v) verbose=--verbose ;;
    *) echo "usage: $0 [-j JOBS] [-v]" >&2; exit 2 ;;
    esac
done

tshark=${TSHARK:-$(command -v tshark)}
if [ -z "$tshark" ] || [ ! -x "$tshark" ]; then
    echo "crosscheck-all: tshark is not installed; skipping the cross-check"
    exit 0
fi
tlsdissect=${TLSDISSECT:-$root/build/tlsdissect}
if [ ! -x "$tlsdissect" ]; then
    echo "crosscheck-all: $tlsdissect not found; build it first (make)" >&2
    exit 2
fi
if ! command -v python3 >/dev/null; then
    echo "crosscheck-all: python3 not found" >&2
    exit 2
fi

captures=()
keylogs=() # by index of captures; "" for a run without keys
for f in tests/pcaps/*.pcap; do
    [ -e "$f" ] && captures+=("$f") && keylogs+=("")
done
for f in tests/pcaps/*.pcap; do
    [ -f "${f%.pcap}.keylog" ] && captures+=("$f") && keylogs+=("${f%.pcap}.keylog")
done
# the chacha20 fixture with its keys in a Decryption Secrets Block
captures+=(tests/pcaps/derived/tls13-keys-dsb.pcapng)
keylogs+=(tests/pcaps/tls13-keys-chacha20.keylog)
# the GnuTLS fixture with its Certificate compressed (zlib, brotli, zstd)
for f in tests/pcaps/derived/tls13-keys-compress-cert-*.pcap; do
    [ -e "$f" ] && captures+=("$f") && keylogs+=(tests/pcaps/tls13-keys-gnutls.keylog)
done
skipped=()
corpus=../shared/corpus
if [ -d "$corpus" ]; then
    for f in $CORPUS; do
        if [ -f "$corpus/$f" ]; then
            captures+=("$corpus/$f")
            keylogs+=("")
        else
            skipped+=("$corpus/$f")
        fi
    done
    while read -r f k; do
        [ -n "$f" ] || continue
        if [ -f "$corpus/$f" ] && [ -f "$corpus/$k" ]; then
            captures+=("$corpus/$f")
            keylogs+=("$corpus/$k")
        else
            skipped+=("$corpus/$f (keys)")
        fi
    done <<<"$KEYED_CORPUS"
fi
if [ ${#captures[@]} -eq 0 ]; then
    echo "crosscheck-all: no captures found"
    exit 0
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/crosscheck-all.XXXXXX") || exit 2
trap 'rm -rf "$work"' EXIT

# Run in parallel (JOBS at a time), one output file per capture; print in
# list order, so the output does not depend on scheduling.
run_one() { # index capture keylog
    python3 tools/crosscheck.py --tlsdissect "$tlsdissect" --tshark "$tshark" $verbose \
        ${3:+--keylog-file "$3"} "$2" >"$work/$1.out" 2>&1
    echo $? >"$work/$1.rc"
}
running=0
for i in "${!captures[@]}"; do
    run_one "$i" "${captures[$i]}" "${keylogs[$i]}" &
    running=$((running + 1))
    if [ "$running" -ge "$jobs" ]; then
        wait -n
        running=$((running - 1))
    fi
done
wait

nok=0 nfail=0 nerr=0
for i in "${!captures[@]}"; do
    f=${captures[$i]}
    rc=$(cat "$work/$i.rc" 2>/dev/null || echo 2)
    case $rc in
    0) status=OK; nok=$((nok + 1)) ;;
    1) status=FAIL; nfail=$((nfail + 1)) ;;
    *) status=ERROR; nerr=$((nerr + 1)) ;;
    esac
    printf '%-5s %s%s\n' "$status" "$f" "${keylogs[$i]:+ (keys: ${keylogs[$i]})}"
    if [ "$status" != OK ] || [ -n "$verbose" ]; then
        # crosscheck's own summary line repeats the file name: drop it.
        tail -n +2 "$work/$i.out" | sed 's/^/    /'
        [ "$status" = ERROR ] && head -n 1 "$work/$i.out" | sed 's/^/    /'
    fi
done
for f in ${skipped[@]+"${skipped[@]}"}; do
    printf '%-5s %s (not found)\n' SKIP "$f"
done
# QUIC: the handshakes of the Initial packets, tools/crosscheck-quic.py.
quic=()
for f in tests/pcaps/quic-*.pcap; do
    [ -e "$f" ] && quic+=("$f")
done
if [ -d "$corpus" ]; then
    for f in $CORPUS_QUIC; do
        [ -f "$corpus/$f" ] && quic+=("$corpus/$f")
    done
fi
if [ ${#quic[@]} -gt 0 ]; then
    python3 tools/crosscheck-quic.py --tlsdissect "$tlsdissect" --tshark "$tshark" "${quic[@]}" \
        >"$work/quic.out" 2>&1
    rc=$?
    # "CAPTURE: OK (...)" -> "OK    CAPTURE (...)", as the lines above
    awk '/^[^ ].*: (OK|FAIL|ERROR)/ { i = index($0, ": "); rest = substr($0, i + 2)
                                       st = rest; sub(/ .*/, "", st)
                                       printf "%-5s %s%s\n", st, substr($0, 1, i - 1), substr(rest, length(st) + 1)
                                       next }
         { print }' "$work/quic.out"
    n=$(grep -c ': OK' "$work/quic.out")
    nok=$((nok + n))
    [ $rc -eq 1 ] && nfail=$((nfail + $(grep -c ': FAIL' "$work/quic.out")))
    [ $rc -gt 1 ] && nerr=$((nerr + 1))
fi
# DTLS: the handshakes in clear, and decrypted with NAME.keylog when a fixture has
# one (the Finished, the alerts), tools/crosscheck-dtls.py.
dtls=()
for f in tests/pcaps/dtls*.pcap; do
    [ -e "$f" ] && dtls+=("$f")
done
if [ -d "$corpus" ]; then
    for f in $CORPUS_DTLS; do
        [ -f "$corpus/$f" ] && dtls+=("$corpus/$f")
    done
fi
if [ ${#dtls[@]} -gt 0 ]; then
    python3 tools/crosscheck-dtls.py --tlsdissect "$tlsdissect" --tshark "$tshark" "${dtls[@]}" \
        >"$work/dtls.out" 2>&1
    rc=$?
    awk '/^[^ ].*: (OK|FAIL|ERROR)/ { i = index($0, ": "); rest = substr($0, i + 2)
                                       st = rest; sub(/ .*/, "", st)
                                       printf "%-5s %s%s\n", st, substr($0, 1, i - 1), substr(rest, length(st) + 1)
                                       next }
         { print }' "$work/dtls.out"
    n=$(grep -c ': OK' "$work/dtls.out")
    nok=$((nok + n))
    [ $rc -eq 1 ] && nfail=$((nfail + $(grep -c ': FAIL' "$work/dtls.out")))
    [ $rc -gt 1 ] && nerr=$((nerr + 1))
fi
echo "crosscheck-all: $nok OK, $nfail FAIL, $nerr ERROR, ${#skipped[@]} skipped (tshark: $("$tshark" --version 2>/dev/null | head -n 1))"
[ "$nfail" -eq 0 ] && [ "$nerr" -eq 0 ]
