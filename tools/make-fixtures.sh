#!/usr/bin/env bash
# make-fixtures.sh -- regenerate the TLS handshake captures in tests/pcaps/.
#
# Every scenario runs REAL peers -- OpenSSL (s_server/s_client) and GnuTLS
# (gnutls-serv/gnutls-cli) -- on loopback, on a port of its own, and records
# exactly that port with tcpdump into tests/pcaps/<name>.pcap (classic pcap,
# Ethernet link type as on `lo`, snaplen 262144).  A throw-away PKI (root CA,
# intermediate CA, RSA-2048 and ECDSA P-256 server leaves, a client cert and an
# unrelated CA) is generated each run with certtool from the templates in
# tools/fixtures/; only the captures are meant to be committed.
#
# Each capture is then checked with tshark (ServerHello present unless the
# scenario is meant to fail, plus scenario-specific checks such as version,
# cipher suite, HRR, PSK, alert).  The TLS key log of each run is used for the
# checks that need to see inside TLS 1.3, then thrown away (see -k).
#
# usage: tools/make-fixtures.sh [-k] [-l] [scenario ...]
#   (no scenario)  run all scenarios and rewrite tests/pcaps/README.md
#   scenario ...   run only these (README.md is left alone)
#   -k             also keep each TLS key log as tests/pcaps/<name>.keylog
#   -l             list the scenarios and exit
# env: OUTDIR (default tests/pcaps); FAILDIR: copy failed captures + logs there;
#      VERBOSE=1: print every check with its count
#
# Needs root (tcpdump on lo), openssl, gnutls-bin, tcpdump, tshark, ss, and for
# the QUIC scenarios ngtcp2-client and ngtcp2-server (gtlsclient, gtlsserver).
# Exits non-zero if any scenario fails; a failed scenario leaves the existing
# capture in place.
set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)
FIXDIR=$ROOT/tools/fixtures
OUTDIR=${OUTDIR:-$ROOT/tests/pcaps}
KEEP_KEYLOG=0
LIST_ONLY=0

while getopts kl opt; do
    case $opt in
        k) KEEP_KEYLOG=1 ;;
        l) LIST_ONLY=1 ;;
        *) echo "usage: $0 [-k] [-l] [scenario ...]" >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
ONLY=("$@")

HOSTNAME_SNI=server.tlsdissect.test
ALPN=h2,http/1.1
LINE='hello from the tlsdissect client'
REV_LINE=$(printf '%s' "$LINE" | rev)
HRR_RANDOM=cf:21:ad:74:e5:9a:61:11:be:1d:8c:02:1e:65:b8:91:c2:a2:11:16:7a:bb:8c:5e:07:9e:09:e2:c8:a8:33:9c

die() { echo "make-fixtures: $*" >&2; exit 1; }

# ---------------------------------------------------------------- scenarios --
# Table: name | port | expect (ok = handshake completes, fail = it must not)
#        | description.  The body of each is the function sc_<name with _>.
SCENARIOS=(
    "tls10-rsa|24410|ok|TLS 1.0, static RSA key exchange, AES128-SHA"
    "tls11-ecdhe-rsa|24411|ok|TLS 1.1, ECDHE-RSA-AES128-SHA"
    "tls12-ecdhe-rsa|24412|ok|TLS 1.2, ECDHE-RSA-AES128-GCM-SHA256, RSA leaf + intermediate"
    "tls12-ecdhe-ecdsa|24413|ok|TLS 1.2, ECDHE-ECDSA-AES128-GCM-SHA256, ECDSA leaf + intermediate"
    "tls12-dhe-rsa|24414|ok|TLS 1.2, finite-field DHE-RSA-AES256-GCM-SHA384"
    "tls12-rsa-kex|24415|ok|TLS 1.2, static RSA key exchange AES256-GCM-SHA384 (no ServerKeyExchange)"
    "tls12-chacha20|24416|ok|TLS 1.2, ECDHE-RSA-CHACHA20-POLY1305 over X25519"
    "tls12-no-sni|24417|ok|TLS 1.2 ECDHE-RSA without SNI and without ALPN"
    "tls13-openssl|24420|ok|TLS 1.3 defaults (TLS_AES_256_GCM_SHA384, X25519), RSA leaf + intermediate"
    "tls13-ecdsa|24421|ok|TLS 1.3, TLS_AES_128_GCM_SHA256, P-256 key share, ECDSA leaf"
    "tls13-chacha20|24422|ok|TLS 1.3, TLS_CHACHA20_POLY1305_SHA256, X448 key share"
    "tls13-gnutls|24423|ok|TLS 1.3, GnuTLS client and GnuTLS server"
    "tls12-gnutls|24424|ok|TLS 1.2, GnuTLS client and GnuTLS server"
    "tls13-gnutls-openssl|24425|ok|TLS 1.3, GnuTLS client against OpenSSL server, ECDSA leaf"
    "tls12-client-cert|24430|ok|TLS 1.2 mutual auth: CertificateRequest, client Certificate + CertificateVerify"
    "tls13-client-cert|24431|ok|TLS 1.3 mutual auth (client Certificate encrypted)"
    "tls12-resume-session-id|24432|ok|TLS 1.2, 2 connections: 2nd resumes the 1st by session id (no tickets)"
    "tls12-resume-ticket|24433|ok|TLS 1.2, 2 connections: 2nd resumes the 1st by session ticket"
    "tls13-resume-psk|24434|ok|TLS 1.3, 2 connections: 2nd resumes with pre_shared_key from a NewSessionTicket"
    "tls13-early-data|24435|ok|TLS 1.3, 2 connections: 2nd resumes with PSK and sends 0-RTT early data"
    "tls13-hrr|24436|ok|TLS 1.3 HelloRetryRequest: client key share P-256, server only accepts X25519"
    "tls12-handshake-failure|24440|fail|TLS 1.2, no shared cipher suite: server sends fatal handshake_failure(40)"
    "tls12-unknown-ca|24441|fail|TLS 1.2, client trusts an unrelated CA: client sends fatal unknown_ca(48)"
    "tls13-unknown-ca|24442|fail|TLS 1.3, client trusts an unrelated CA: fatal unknown_ca(48), which OpenSSL sends as a plaintext alert record"
    "tls13-ipv6|24443|ok|TLS 1.3 over IPv6 loopback ::1"
    "tls12-split-clienthello|24444|ok|TLS 1.2 server, TLS 1.3-capable client: ClientHello (ffdhe2048 key share, all suites) and server Certificate split over 512-byte records"
    "tls13-split-clienthello|24445|ok|TLS 1.3, ffdhe4096 key share makes the ClientHello span 2 records"
    "tls13-port-8443|8443|ok|TLS 1.3 on the non-standard port 8443"
    "tls13-padded-finished|24446|ok|TLS 1.3, the client pads its records to 512 bytes (-record_padding): its Finished record is not Finished-sized"
    "quic-v1-ngtcp2|24450|ok|QUIC v1 over UDP: ngtcp2 gtlsclient (GnuTLS) against gtlsserver, one HTTP/3 request"
    "quic-keys-v1|24520|ok|QUIC v1 for decryption (run with -k): ngtcp2 gtlsclient/gtlsserver, TLS_AES_128_GCM_SHA256, Handshake packets decrypted with the key log"
    "quic-keys-chacha20|24521|ok|QUIC v1 for decryption (-k): TLS_CHACHA20_POLY1305_SHA256 (ChaCha20 header protection)"
    "quic-retry|24523|ok|QUIC v1 (-k): gtlsserver -V (address validation) answers the first Initial with a Retry; the client's Initials after it use the Retry's connection ID"
    "quic-version-negotiation|24524|ok|QUIC (-k): gtlsclient offers the unknown version 0x1a2a3a4a first, the server's Version Negotiation lists its versions, the client goes on in v1"
    "quic-keys-aes256|24522|ok|QUIC v1 for decryption (-k): TLS_AES_256_GCM_SHA384 (SHA-384 key derivation, AES-256 header protection)"
    "tls13-keys-aes128gcm|24450|ok|TLS 1.3 for decryption (run with -k): TLS_AES_128_GCM_SHA256, RSA leaf + intermediate, ALPN"
    "tls13-keys-aes256gcm-keyupdate|24451|ok|TLS 1.3 for decryption (-k): TLS_AES_256_GCM_SHA384, the client sends a KeyUpdate (s_client k command)"
    "tls13-keys-chacha20|24452|ok|TLS 1.3 for decryption (-k): TLS_CHACHA20_POLY1305_SHA256, ECDSA leaf"
    "tls13-keys-ccm|24453|ok|TLS 1.3 for decryption (-k): TLS_AES_128_CCM_SHA256"
    "tls13-keys-ccm8|24454|ok|TLS 1.3 for decryption (-k): TLS_AES_128_CCM_8_SHA256 (8-byte tag)"
    "tls13-keys-client-cert|24455|ok|TLS 1.3 for decryption (-k): mutual auth, CertificateRequest and the client's Certificate + CertificateVerify"
    "tls13-keys-gnutls|24456|ok|TLS 1.3 for decryption (-k): GnuTLS client and GnuTLS server (SSLKEYLOGFILE)"
    "tls13-keys-small-records|24457|ok|TLS 1.3 for decryption (-k): the server sends records of at most 512 bytes (-max_send_frag), so its Certificate spans encrypted records"
    "tls13-keys-hrr|24458|ok|TLS 1.3 for decryption (-k): HelloRetryRequest (client key share P-256, server only X25519)"
    "dtls12-openssl|24500|ok|DTLS 1.2 over UDP: OpenSSL s_server -listen (HelloVerifyRequest cookie exchange) and s_client, ECDHE-RSA-AES128-GCM-SHA256, RSA leaf + intermediate"
    "dtls12-fragmented|24501|ok|DTLS 1.2, the server's MTU is 400 bytes (-mtu): its Certificate is fragmented across records and datagrams"
    "dtls10-openssl|24502|ok|DTLS 1.0 over UDP: OpenSSL s_server -listen and s_client, ECDHE-RSA-AES128-SHA"
    "dtls12-gnutls|24503|ok|DTLS 1.2 over UDP: GnuTLS gnutls-serv --udp and gnutls-cli --udp (cookie exchange), ECDSA leaf + intermediate"
    "dtls12-keys-gcm|24530|ok|DTLS 1.2 for decryption (-k): OpenSSL both sides, ECDHE-RSA-AES128-GCM-SHA256 (explicit nonce), the Finished and alerts of epoch 1 decrypted"
    "dtls12-keys-chacha20|24531|ok|DTLS 1.2 for decryption (-k): OpenSSL both sides, ECDHE-RSA-CHACHA20-POLY1305 (nonce = IV XOR epoch and sequence number)"
    "dtls12-keys-cbc|24532|ok|DTLS 1.2 for decryption (-k): OpenSSL both sides, ECDHE-RSA-AES256-SHA384 with encrypt_then_mac (explicit IVs)"
    "dtls10-keys-cbc|24533|ok|DTLS 1.0 for decryption (-k): OpenSSL both sides, ECDHE-RSA-AES128-SHA, MAC-then-encrypt (-no_etm), explicit IVs, MD5+SHA-1 PRF"
    "dtls12-keys-gnutls|24534|ok|DTLS 1.2 for decryption (-k): GnuTLS both sides (SSLKEYLOGFILE), cookie exchange, ECDSA leaf"
    "tls13-keys-resume-psk|24459|ok|TLS 1.3 for decryption (-k): 2 connections, the 2nd resumes with a ticket from the 1st (PSK, no Certificate)"
    "tls13-keys-early-data-accepted|24480|ok|TLS 1.3 for decryption (-k): 2 connections, the 2nd resumes with PSK and sends 0-RTT early data, which the server accepts"
    "tls13-keys-early-data-rejected|24481|ok|TLS 1.3 for decryption (-k): 3 connections to one server; the 3rd reuses the ticket the 2nd used: OpenSSL's anti-replay rejects its 0-RTT early data"
    "tls13-keys-early-data-hrr|24482|ok|TLS 1.3 for decryption (-k): 2 connections, the 2nd resumes with PSK and sends 0-RTT early data after a ClientHello whose key share the server answers with HelloRetryRequest, which rejects it (server -no_anti_replay, so the second ClientHello still resumes)"
    "tls12-keys-aes128gcm|24460|ok|TLS 1.2 for decryption (-k): ECDHE-RSA-AES128-GCM-SHA256, CLIENT_RANDOM master secret"
    "tls12-keys-aes256gcm-sha384|24461|ok|TLS 1.2 for decryption (-k): ECDHE-RSA-AES256-GCM-SHA384 (SHA-384 PRF)"
    "tls12-keys-chacha20|24462|ok|TLS 1.2 for decryption (-k): ECDHE-RSA-CHACHA20-POLY1305 (RFC 7905 nonce)"
    "tls12-keys-cbc-etm|24463|ok|TLS 1.2 for decryption (-k): ECDHE-RSA-AES128-SHA256 with encrypt_then_mac (RFC 7366, OpenSSL's default)"
    "tls12-keys-cbc-no-etm|24464|ok|TLS 1.2 for decryption (-k): ECDHE-RSA-AES256-SHA384, MAC-then-encrypt (s_client -no_etm)"
    "tls12-keys-ccm|24465|ok|TLS 1.2 for decryption (-k): ECDHE-ECDSA-AES128-CCM (RFC 7251), ECDSA leaf"
    "tls11-keys-cbc|24466|ok|TLS 1.1 for decryption (-k): ECDHE-RSA-AES256-SHA with encrypt_then_mac, explicit IVs, MD5+SHA-1 PRF"
    "tls10-keys-cbc|24467|ok|TLS 1.0 for decryption (-k): AES128-SHA, MAC-then-encrypt (-no_etm), chained IVs"
    "tls12-keys-gnutls|24468|ok|TLS 1.2 for decryption (-k): GnuTLS client and GnuTLS server (SSLKEYLOGFILE)"
    "tls12-keys-resume|24469|ok|TLS 1.2 for decryption (-k): 2 connections, the 2nd resumes the 1st's session by ID (abbreviated handshake, its own CLIENT_RANDOM line)"
    "tls12-weak-3des|24510|ok|TLS 1.2, GnuTLS both sides, TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA (Debian's OpenSSL has no 3DES suites): finding weak_cipher"
    "tls12-weak-rc4|24515|ok|TLS 1.2, GnuTLS both sides, TLS_ECDHE_RSA_WITH_RC4_128_SHA: finding weak_cipher"
    "tls12-heartbeat|24516|ok|TLS 1.2, GnuTLS both sides with --heartbeat: the heartbeat extension in both hellos, finding heartbeat"
    "tls12-weak-key|24511|ok|TLS 1.2, ECDHE-RSA, an RSA-1024 leaf signed with SHA-1 (@SECLEVEL=0): findings weak_key, sha1_signature"
    "tls12-dhe-1024|24512|ok|TLS 1.2, DHE-RSA-AES128-GCM-SHA256 over a 1024-bit DH group (@SECLEVEL=0): finding weak_key"
    "tls12-fallback-scsv|24513|ok|TLS 1.2, the client sends TLS_FALLBACK_SCSV (s_client -fallback_scsv), the server's best is TLS 1.2: finding fallback_scsv"
    "tls12-no-renegotiation-info|24514|ok|TLS 1.2, GnuTLS client with %DISABLE_SAFE_RENEGOTIATION against OpenSSL: no renegotiation_info either way, finding insecure_renegotiation"
)
# Scenarios named quic-* and dtls-* run over UDP: captured with `udp port
# PORT`, the server's socket found with `ss -lun`, and no TCP lifecycle
# checks; dtls-* checks use tshark's dtls.* fields.  (No DTLS 1.3 scenario:
# neither OpenSSL 3.0 nor GnuTLS 3.7 speaks it; the corpus's
# zeek/dtls13-cid.pcap covers DTLS 1.3.)  (No
# QUIC v2 scenario: Debian 12's ngtcp2 knows only the v2 draft, 0x709a50c4,
# not RFC 9369's 0x6b3343cf; the corpus's suricata-verify/quic-v2-ja3 covers v2.)

if [ "$LIST_ONLY" = 1 ]; then
    for s in "${SCENARIOS[@]}"; do IFS='|' read -r n p e d <<<"$s"; printf '%-26s %5s %-4s %s\n' "$n" "$p" "$e" "$d"; done
    exit 0
fi

# ------------------------------------------------------------------ prereqs --
[ "$(id -u)" = 0 ] || die "must run as root (tcpdump on lo)"
for t in openssl certtool gnutls-serv gnutls-cli tcpdump tshark ss timeout rev; do
    command -v "$t" >/dev/null 2>&1 || die "missing tool: $t (tools/install-deps.sh test)"
done
mkdir -p "$OUTDIR" || die "cannot create $OUTDIR"

WORK=$(mktemp -d /tmp/tlsdissect-fixtures.XXXXXX) || die "mktemp failed"
PKI=$WORK/pki
mkdir -p "$PKI" "$WORK/keys" "$WORK/logs" "$WORK/cmds" "$WORK/cap"
CAP_PID=
SRV_PID=

stop_pid() { # pid [signal]: end one process we started and reap it
    [ -n "$1" ] || return 0
    kill "-${2:-TERM}" "$1" 2>/dev/null
    wait "$1" 2>/dev/null
    return 0
}
cleanup() {
    stop_pid "$SRV_PID"
    stop_pid "$CAP_PID" INT
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# ---------------------------------------------------------------------- PKI --
gen_key() { # out type
    case $2 in
        rsa) certtool --generate-privkey --no-text --key-type rsa --bits 2048 --outfile "$1" ;;
        ec) certtool --generate-privkey --no-text --key-type ecdsa --curve secp256r1 --outfile "$1" ;;
    esac >/dev/null 2>&1
}
gen_self() { # name keytype template
    gen_key "$PKI/$1.key" "$2" &&
        certtool --generate-self-signed --no-text --load-privkey "$PKI/$1.key" \
            --template "$FIXDIR/$3" --outfile "$PKI/$1.pem" >/dev/null 2>&1
}
gen_signed() { # name keytype template issuer
    gen_key "$PKI/$1.key" "$2" &&
        certtool --generate-certificate --no-text --load-privkey "$PKI/$1.key" \
            --load-ca-certificate "$PKI/$4.pem" --load-ca-privkey "$PKI/$4.key" \
            --template "$FIXDIR/$3" --outfile "$PKI/$1.pem" >/dev/null 2>&1
}
gen_pki() {
    gen_self root rsa root-ca.tmpl &&
        gen_signed inter rsa intermediate-ca.tmpl root &&
        gen_signed rsa rsa server-rsa.tmpl inter &&
        gen_signed ec ec server-ecdsa.tmpl inter &&
        gen_signed client ec client.tmpl inter &&
        gen_self other rsa other-ca.tmpl || return 1
    # chains (leaf + intermediate) for GnuTLS, which takes one file
    cat "$PKI/rsa.pem" "$PKI/inter.pem" >"$PKI/rsa-chain.pem"
    cat "$PKI/ec.pem" "$PKI/inter.pem" >"$PKI/ec-chain.pem"
    openssl verify -CAfile "$PKI/root.pem" -untrusted "$PKI/inter.pem" \
        "$PKI/rsa.pem" "$PKI/ec.pem" "$PKI/client.pem" >/dev/null
}

# ------------------------------------------------------------ run machinery --
# Per-scenario state, reset by run_scenario.
NAME='' PORT='' HOST='' LOG='' KEYLOG='' CONNS=0 REPLY='' CMDS='' PROTO=tcp
CK_DESC=() CK_OP=() CK_N=() CK_F=() ERRS=()

err() { ERRS+=("$*"); }

logcmd() { # record an exact command line for README.md (temp dir left out)
    local a q=
    for a in "$@"; do
        a=${a//$PKI\//}
        a=${a//$WORK\/keys\//}
        a=${a//$WORK\//}
        if [[ $a =~ ^[A-Za-z0-9_./:=@,+%-]+$ ]]; then q+=" $a"; else q+=" '${a//\'/\'\\\'\'}'"; fi
    done
    printf '%s\n' "${q# }" >>"$CMDS"
}

port_listening() {
    if [ "$PROTO" = udp ]; then ss -Hlun "sport = :$1" 2>/dev/null | grep -q .
    else ss -Hltn "sport = :$1" 2>/dev/null | grep -q .; fi
}

cap_start() { # file
    : >"$WORK/tcpdump.err"
    tcpdump -i lo -n -U --immediate-mode -s 262144 -Z root -w "$1" "$PROTO port $PORT" \
        2>"$WORK/tcpdump.err" &
    CAP_PID=$!
    local i
    for i in $(seq 100); do
        grep -q 'listening on' "$WORK/tcpdump.err" && return 0
        kill -0 "$CAP_PID" 2>/dev/null || break
        sleep 0.05
    done
    err "tcpdump did not start: $(cat "$WORK/tcpdump.err")"
    return 1
}
cap_stop() {
    sleep 0.3 # let the last FIN/ACKs reach the capture
    stop_pid "$CAP_PID" INT
    CAP_PID=
}

srv_start() { # command... (run in the background, limited to 20 s)
    logcmd "$@"
    printf '# server\n' >>"$LOG.srv"
    # stdin: a FIFO we also hold open for writing from the server side, so the
    # server never sees EOF on stdin (OpenSSL's s_server closes on stdin EOF).
    rm -f "$WORK/stdin.fifo" && mkfifo "$WORK/stdin.fifo"
    timeout 20 "$@" >>"$LOG.srv" 2>&1 0<>"$WORK/stdin.fifo" &
    SRV_PID=$!
    local i
    for i in $(seq 200); do
        port_listening "$PORT" && return 0
        kill -0 "$SRV_PID" 2>/dev/null || break
        sleep 0.05
    done
    err "server did not start listening on $PORT"
    return 1
}
srv_stop() { # [max wait in tenths of a second for the server to exit by itself]
    local i
    for i in $(seq "${1:-30}"); do
        kill -0 "$SRV_PID" 2>/dev/null || break
        sleep 0.1
    done
    stop_pid "$SRV_PID"
    SRV_PID=
}

client() { # hold-seconds command...: the client sends LINE, keeps stdin open
    local hold=$1
    shift
    CONNS=$((CONNS + 1))
    logcmd "$@"
    # FIRST_LINE (optional): a line sent 0.2 s before LINE, e.g. an s_client command
    [ -n "${FIRST_LINE:-}" ] && printf '#   (stdin first: the line "%s")\n' "$FIRST_LINE" >>"$CMDS"
    printf '#   (stdin: the line "%s", kept open %s s)\n' "$LINE" "$hold" >>"$CMDS"
    { if [ -n "${FIRST_LINE:-}" ]; then printf '%s\n' "$FIRST_LINE"; sleep 0.2; fi
      printf '%s\n' "$LINE"; sleep "$hold"; } |
        timeout 10 "$@" >"$LOG.cli$CONNS" 2>&1
    local rc=$?
    if [ -n "$REPLY" ] && ! grep -qF -- "$REPLY" "$LOG.cli$CONNS"; then
        err "client $CONNS (rc $rc) did not get the server's reply"
    fi
    return 0
}

# OpenSSL server: -rev echoes each line reversed; -naccept makes it exit alone.
os() { # naccept extra-args...
    local n=$1
    shift
    srv_start openssl s_server -accept "$HOST:$PORT" -naccept "$n" -rev -alpn "$ALPN" "$@"
}
RSA_CERT=() EC_CERT=()
set_cert_args() {
    RSA_CERT=(-cert "$PKI/rsa.pem" -key "$PKI/rsa.key" -cert_chain "$PKI/inter.pem")
    EC_CERT=(-cert "$PKI/ec.pem" -key "$PKI/ec.key" -cert_chain "$PKI/inter.pem")
}
# OpenSSL client with SNI, ALPN and strict verification against our root.
oc() { # hold extra-args...
    local hold=$1
    shift
    client "$hold" openssl s_client -connect "$HOST:$PORT" -servername "$HOSTNAME_SNI" \
        -alpn "$ALPN" -CAfile "$PKI/root.pem" -verify 3 -verify_return_error \
        -verify_hostname "$HOSTNAME_SNI" -keylogfile "$KEYLOG" "$@"
}
# GnuTLS server: --echo echoes each line.
gs() { # chain key extra-args...
    local chain=$1 key=$2
    shift 2
    srv_start gnutls-serv -p "$PORT" --echo --x509certfile "$PKI/$chain" \
        --x509keyfile "$PKI/$key" --alpn h2 --alpn http/1.1 "$@"
}
gc() { # hold extra-args...
    local hold=$1
    shift
    client "$hold" env SSLKEYLOGFILE="$KEYLOG" gnutls-cli -p "$PORT" \
        --sni-hostname "$HOSTNAME_SNI" --verify-hostname "$HOSTNAME_SNI" \
        --x509cafile "$PKI/root.pem" --alpn h2 --alpn http/1.1 "$@" "${HOST//[][]/}"
}

# expect DESC OP N FILTER: the number of frames matching the tshark display
# FILTER (decrypted with the key log) must satisfy `N OP` (OP: -eq -ge ...).
expect() { CK_DESC+=("$1"); CK_OP+=("$2"); CK_N+=("$3"); CK_F+=("$4"); }
# All checks of a capture in one tshark pass: io,stat with one column per
# filter, one interval for the whole file; prints the frame count per filter
# (a wide table ends in a padding column: empty cells are not counts).
count_all() { # file
    local spec=io,stat,0 f
    for f in "${CK_F[@]}"; do spec+=",$f"; done
    tshark -r "$1" -o "tls.keylog_file:$KEYLOG" -q -z "$spec" 2>"$WORK/tshark.err" |
        awk -F'|' '/<>/ { for (i = 3; i < NF; i += 2) { gsub(/ /, "", $i); if ($i != "") print $i } }'
}
# ServerHello of the given version (0x0301..0x0304) with the given suite.
expect_sh() { # version suite [count]
    if [ "$1" = 0x0304 ]; then
        expect "TLS 1.3 ServerHello with suite $2" -eq "${3:-1}" \
            "tls.handshake.type==2 && tls.handshake.extensions.supported_version==0x0304 && tls.handshake.ciphersuite==$2 && !(tls.handshake.random==$HRR_RANDOM)"
    else
        expect "ServerHello $1 with suite $2" -eq "${3:-1}" \
            "tls.handshake.type==2 && tls.handshake.version==$1 && !tls.handshake.extensions.supported_version && tls.handshake.ciphersuite==$2"
    fi
}
expect_sni_alpn() {
    expect "ClientHello with SNI $HOSTNAME_SNI and ALPN h2,http/1.1" -ge 1 \
        "tls.handshake.type==1 && tls.handshake.extensions_server_name==\"$HOSTNAME_SNI\" && tls.handshake.extensions_alpn_str==\"h2\" && tls.handshake.extensions_alpn_str==\"http/1.1\""
}
expect_chain2() { # the server's Certificate carries leaf + intermediate
    expect "server Certificate with 2 certificates" -ge 1 \
        "tls.handshake.type==11 && count(tls.handshake.certificate)==2"
}

run_scenario() { # "name|port|expect|description"
    local spec=$1 expect_ok desc fn pcap rc i n counts=()
    IFS='|' read -r NAME PORT expect_ok desc <<<"$spec"
    fn=sc_${NAME//-/_}
    HOST=127.0.0.1 LOG=$WORK/logs/$NAME KEYLOG=$WORK/keys/$NAME.keylog
    CMDS=$WORK/cmds/$NAME CONNS=0 REPLY=$REV_LINE PROTO=tcp
    HS=tls
    case $NAME in quic-*) PROTO=udp REPLY='' ;; dtls*) PROTO=udp HS=dtls REPLY='' ;; esac
    CK_DESC=() CK_OP=() CK_N=() CK_F=() ERRS=()
    : >"$CMDS"
    : >"$KEYLOG"
    pcap=$WORK/cap/$NAME.pcap

    port_listening "$PORT" && { echo "FAIL $NAME: port $PORT already in use" >&2; return 1; }
    if [ "$expect_ok" = ok ]; then
        expect "ServerHello present" -ge 1 "$HS.handshake.type==2"
    fi
    if cap_start "$pcap"; then
        "$fn"
        srv_stop "${SRV_WAIT:-30}"
        cap_stop
    fi
    SRV_WAIT=

    if [ -s "$pcap" ]; then
        # full TCP lifecycle of every connection
        if [ "$PROTO" = tcp ]; then
            expect "$CONNS TCP connection(s) opened" -eq "$CONNS" "tcp.flags.syn==1 && tcp.flags.ack==0"
            [ "$expect_ok" = ok ] &&
                expect "both sides closed with FIN" -eq $((CONNS * 2)) "tcp.flags.fin==1"
        fi
        expect "frames" -ge 1 "frame"
        mapfile -t counts < <(count_all "$pcap")
        if [ ${#counts[@]} -ne ${#CK_F[@]} ]; then
            err "tshark check failed: $(head -c 300 "$WORK/tshark.err")"
        else
            for i in "${!CK_F[@]}"; do
                n=${counts[$i]}
                [ "${VERBOSE:-0}" = 1 ] && printf '  %-4s %s %-2s %s\n' "$n" "${CK_OP[$i]}" "${CK_N[$i]}" "${CK_DESC[$i]}" >&2
                test "$n" "${CK_OP[$i]}" "${CK_N[$i]}" ||
                    err "check failed: ${CK_DESC[$i]} (got $n, want ${CK_OP[$i]} ${CK_N[$i]})"
            done
        fi
    else
        err "no capture written"
    fi

    if [ ${#ERRS[@]} -gt 0 ]; then
        echo "FAIL $NAME:" >&2
        printf '    %s\n' "${ERRS[@]}" >&2
        for f in "$LOG".*; do
            [ -f "$f" ] || continue
            echo "  --- ${f##*/} (last lines)" >&2
            tail -n 8 "$f" | sed 's/^/    /' >&2
        done
        if [ -n "${FAILDIR:-}" ] && mkdir -p "$FAILDIR"; then
            cp "$LOG".* "$KEYLOG" "$FAILDIR/" 2>/dev/null
            [ -f "$pcap" ] && cp "$pcap" "$FAILDIR/"
            echo "  (capture and logs copied to $FAILDIR)" >&2
        fi
        return 1
    fi
    cp "$pcap" "$OUTDIR/$NAME.pcap" && chmod 644 "$OUTDIR/$NAME.pcap"
    if [ "$KEEP_KEYLOG" = 1 ]; then cp "$KEYLOG" "$OUTDIR/$NAME.keylog"; fi
    rc=${counts[$((${#counts[@]} - 1))]}
    printf 'fixture %-40s %3s pkts %6s bytes  %s\n' "${OUTDIR#"$ROOT"/}/$NAME.pcap" "$rc" \
        "$(wc -c <"$pcap")" "$desc"
    return 0
}

# ------------------------------------------------------- scenario bodies --
# TLS 1.0/1.1 and SHA-1 suites need @SECLEVEL=0 on OpenSSL 3.
sc_tls10_rsa() {
    os 1 "${RSA_CERT[@]}" -tls1 -cipher 'AES128-SHA:@SECLEVEL=0'
    oc 0.3 -tls1 -cipher 'AES128-SHA:@SECLEVEL=0'
    expect_sh 0x0301 0x002f
    expect_sni_alpn
    expect "no ServerKeyExchange (static RSA)" -eq 0 "tls.handshake.type==12"
}
sc_tls11_ecdhe_rsa() {
    os 1 "${RSA_CERT[@]}" -tls1_1 -cipher 'ECDHE-RSA-AES128-SHA:@SECLEVEL=0'
    oc 0.3 -tls1_1 -cipher 'ECDHE-RSA-AES128-SHA:@SECLEVEL=0'
    expect_sh 0x0302 0xc013
    expect "ServerKeyExchange" -eq 1 "tls.handshake.type==12"
}
sc_tls12_ecdhe_rsa() {
    os 1 "${RSA_CERT[@]}" -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256
    oc 0.3 -tls1_2
    expect_sh 0x0303 0xc02f
    expect_sni_alpn
    expect_chain2
}
sc_tls12_ecdhe_ecdsa() {
    os 1 "${EC_CERT[@]}" -tls1_2 -cipher ECDHE-ECDSA-AES128-GCM-SHA256
    oc 0.3 -tls1_2
    expect_sh 0x0303 0xc02b
    expect_chain2
}
sc_tls12_dhe_rsa() {
    os 1 "${RSA_CERT[@]}" -tls1_2 -cipher DHE-RSA-AES256-GCM-SHA384
    oc 0.3 -tls1_2 -cipher DHE-RSA-AES256-GCM-SHA384
    expect_sh 0x0303 0x009f
    expect "ServerKeyExchange" -eq 1 "tls.handshake.type==12"
}
sc_tls12_rsa_kex() {
    os 1 "${RSA_CERT[@]}" -tls1_2 -cipher AES256-GCM-SHA384
    oc 0.3 -tls1_2 -cipher AES256-GCM-SHA384
    expect_sh 0x0303 0x009d
    expect "no ServerKeyExchange (static RSA)" -eq 0 "tls.handshake.type==12"
}
sc_tls12_chacha20() {
    os 1 "${RSA_CERT[@]}" -tls1_2 -cipher ECDHE-RSA-CHACHA20-POLY1305 -groups X25519
    oc 0.3 -tls1_2
    expect_sh 0x0303 0xcca8
}
sc_tls12_no_sni() {
    srv_start openssl s_server -accept "$HOST:$PORT" -naccept 1 -rev "${RSA_CERT[@]}" -tls1_2
    client 0.3 openssl s_client -connect "$HOST:$PORT" -noservername -CAfile "$PKI/root.pem" \
        -verify 3 -verify_return_error -keylogfile "$KEYLOG" -tls1_2
    expect_sh 0x0303 0xc030
    expect "ClientHello without SNI and ALPN" -eq 1 \
        "tls.handshake.type==1 && !(tls.handshake.extension.type==0) && !(tls.handshake.extension.type==16)"
}
sc_tls13_openssl() {
    os 1 "${RSA_CERT[@]}"
    oc 0.3
    expect_sh 0x0304 0x1302
    expect_sni_alpn
    expect "key share X25519" -eq 1 "tls.handshake.type==2 && tls.handshake.extensions_key_share_group==29"
    expect "(decrypted) server Certificate with 2 certificates" -eq 1 \
        "tls.handshake.type==11 && count(tls.handshake.certificate)==2"
}
sc_tls13_ecdsa() {
    os 1 "${EC_CERT[@]}" -tls1_3
    oc 0.3 -tls1_3 -ciphersuites TLS_AES_128_GCM_SHA256 -groups P-256
    expect_sh 0x0304 0x1301
    expect "key share secp256r1" -eq 1 "tls.handshake.type==2 && tls.handshake.extensions_key_share_group==23"
}
sc_tls13_padded_finished() {
    os 1 "${RSA_CERT[@]}" -tls1_3
    oc 0.3 -tls1_3 -record_padding 512
    expect_sh 0x0304 0x1302
    expect "client records padded to 512 bytes + tag" -ge 2 "tcp.srcport!=24446 && tls.record.length==528"
}
sc_tls13_chacha20() {
    os 1 "${RSA_CERT[@]}" -tls1_3
    oc 0.3 -tls1_3 -ciphersuites TLS_CHACHA20_POLY1305_SHA256 -groups X448
    expect_sh 0x0304 0x1303
    expect "key share x448" -eq 1 "tls.handshake.type==2 && tls.handshake.extensions_key_share_group==30"
}
sc_tls13_gnutls() {
    REPLY=$LINE
    gs rsa-chain.pem rsa.key --disable-client-cert --priority 'NORMAL:-VERS-ALL:+VERS-TLS1.3'
    gc 0.3 --priority 'NORMAL:-VERS-ALL:+VERS-TLS1.3'
    SRV_WAIT=3
    expect "TLS 1.3 ServerHello" -eq 1 "tls.handshake.type==2 && tls.handshake.extensions.supported_version==0x0304"
    expect_sni_alpn
}
sc_tls12_gnutls() {
    REPLY=$LINE
    gs rsa-chain.pem rsa.key --disable-client-cert --priority 'NORMAL:-VERS-ALL:+VERS-TLS1.2'
    gc 0.3 --priority 'NORMAL:-VERS-ALL:+VERS-TLS1.2'
    SRV_WAIT=3
    expect "TLS 1.2 ServerHello" -eq 1 "tls.handshake.type==2 && tls.handshake.version==0x0303 && !tls.handshake.extensions.supported_version"
    expect_sni_alpn
    expect_chain2
}
sc_tls13_gnutls_openssl() {
    os 1 "${EC_CERT[@]}"
    gc 0.3
    expect "TLS 1.3 ServerHello" -eq 1 "tls.handshake.type==2 && tls.handshake.extensions.supported_version==0x0304"
    expect_sni_alpn
}
sc_tls12_client_cert() {
    os 1 "${RSA_CERT[@]}" -tls1_2 -Verify 3 -verify_return_error -CAfile "$PKI/root.pem"
    oc 0.3 -tls1_2 -cert "$PKI/client.pem" -key "$PKI/client.key" -cert_chain "$PKI/inter.pem"
    expect_sh 0x0303 0xc030
    expect "CertificateRequest" -eq 1 "tls.handshake.type==13"
    expect "server and client Certificate" -eq 2 "tls.handshake.type==11"
    expect "client CertificateVerify" -eq 1 "tls.handshake.type==15"
}
sc_tls13_client_cert() {
    os 1 "${RSA_CERT[@]}" -tls1_3 -Verify 3 -verify_return_error -CAfile "$PKI/root.pem"
    oc 0.3 -tls1_3 -cert "$PKI/client.pem" -key "$PKI/client.key" -cert_chain "$PKI/inter.pem"
    expect_sh 0x0304 0x1302
    expect "(decrypted) CertificateRequest" -eq 1 "tls.handshake.type==13"
    expect "(decrypted) server and client Certificate" -eq 2 "tls.handshake.type==11"
    expect "(decrypted) client CN" -ge 1 "x509sat.printableString==\"client.tlsdissect.test\" || x509sat.uTF8String==\"client.tlsdissect.test\""
}
# Scenarios for decryption: their key logs are kept with -k.
expect_decrypted_flight() { # the server's flight, read by tshark with the key log
    expect "(decrypted) EncryptedExtensions" -eq 1 "tls.handshake.type==8"
    expect "(decrypted) CertificateVerify" -ge 1 "tls.handshake.type==15"
    expect "(decrypted) Finished from both sides" -eq 2 "tls.handshake.type==20"
}
sc_tls13_keys_aes128gcm() {
    os 1 "${RSA_CERT[@]}" -tls1_3
    oc 0.3 -tls1_3 -ciphersuites TLS_AES_128_GCM_SHA256
    expect_sh 0x0304 0x1301
    expect_sni_alpn
    expect_decrypted_flight
    expect "(decrypted) ALPN h2 in EncryptedExtensions" -eq 1 \
        "tls.handshake.type==8 && tls.handshake.extensions_alpn_str==\"h2\""
}
sc_tls13_keys_aes256gcm_keyupdate() {
    os 1 "${RSA_CERT[@]}" -tls1_3
    # s_client's k command: a KeyUpdate (update_not_requested); the next line
    # and the reversed echo travel under the client's next traffic secret
    FIRST_LINE=k oc 1.5 -tls1_3 -ciphersuites TLS_AES_256_GCM_SHA384
    expect_sh 0x0304 0x1302
    expect_decrypted_flight
    expect "(decrypted) KeyUpdate from the client" -eq 1 "tls.handshake.type==24"
}
sc_tls13_keys_chacha20() {
    os 1 "${EC_CERT[@]}" -tls1_3
    oc 0.3 -tls1_3 -ciphersuites TLS_CHACHA20_POLY1305_SHA256
    expect_sh 0x0304 0x1303
    expect_decrypted_flight
}
sc_tls13_keys_ccm() {
    os 1 "${RSA_CERT[@]}" -tls1_3 -ciphersuites TLS_AES_128_CCM_SHA256
    oc 0.3 -tls1_3 -ciphersuites TLS_AES_128_CCM_SHA256
    expect_sh 0x0304 0x1304
    expect_decrypted_flight
}
sc_tls13_keys_ccm8() {
    os 1 "${RSA_CERT[@]}" -tls1_3 -ciphersuites TLS_AES_128_CCM_8_SHA256
    oc 0.3 -tls1_3 -ciphersuites TLS_AES_128_CCM_8_SHA256
    expect_sh 0x0304 0x1305
    expect_decrypted_flight
}
sc_tls13_keys_client_cert() {
    os 1 "${RSA_CERT[@]}" -tls1_3 -Verify 3 -verify_return_error -CAfile "$PKI/root.pem"
    oc 0.3 -tls1_3 -cert "$PKI/client.pem" -key "$PKI/client.key" -cert_chain "$PKI/inter.pem"
    expect_sh 0x0304 0x1302
    expect_decrypted_flight
    expect "(decrypted) CertificateRequest" -eq 1 "tls.handshake.type==13"
    expect "(decrypted) server and client Certificate" -eq 2 "tls.handshake.type==11"
}
sc_tls13_keys_gnutls() {
    REPLY=$LINE
    gs rsa-chain.pem rsa.key --disable-client-cert --priority 'NORMAL:-VERS-ALL:+VERS-TLS1.3'
    gc 0.3 --priority 'NORMAL:-VERS-ALL:+VERS-TLS1.3'
    SRV_WAIT=3
    expect "TLS 1.3 ServerHello" -eq 1 "tls.handshake.type==2 && tls.handshake.extensions.supported_version==0x0304"
    expect_decrypted_flight
}
sc_tls13_keys_small_records() {
    os 1 "${RSA_CERT[@]}" -tls1_3 -max_send_frag 512
    oc 0.3 -tls1_3
    expect_sh 0x0304 0x1302
    expect_decrypted_flight
    expect "frames with server records of 512 bytes + type + tag" -ge 1 "tcp.srcport==24457 && tls.record.length==529"
}
sc_tls13_keys_hrr() {
    os 1 "${RSA_CERT[@]}" -tls1_3 -groups X25519
    oc 0.3 -tls1_3 -groups P-256:X25519
    expect "HelloRetryRequest" -eq 1 "tls.handshake.type==2 && tls.handshake.random==$HRR_RANDOM"
    expect "two ClientHellos" -eq 2 "tls.handshake.type==1"
    expect_decrypted_flight
}
sc_tls13_keys_resume_psk() {
    os 2 "${RSA_CERT[@]}" -tls1_3
    oc 0.6 -tls1_3 -sess_out "$WORK/sess"
    oc 0.3 -tls1_3 -sess_in "$WORK/sess"
    expect_sh 0x0304 0x1302 2
    expect "ServerHello with pre_shared_key" -eq 1 "tls.handshake.type==2 && tls.handshake.extension.type==41"
    expect "(decrypted) only the full handshake has a Certificate" -eq 1 "tls.handshake.type==11"
    expect "(decrypted) EncryptedExtensions in both" -eq 2 "tls.handshake.type==8"
    expect "(decrypted) Finished from both sides, twice" -eq 4 "tls.handshake.type==20"
}
# TLS 1.2 and older with keys: tshark reads both encrypted Finished messages
# and the application data (the reversed line) with the key log.
expect_decrypted12() { # [connections]
    expect "(decrypted) Finished from both sides" -eq "$((2 * ${1:-1}))" "tls.handshake.type==20"
    expect "(decrypted) application data both ways" -ge "$((2 * ${1:-1}))" "tls.record.content_type==23 && tls.app_data_proto"
}
sc_tls12_keys_aes128gcm() {
    os 1 "${RSA_CERT[@]}" -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256
    oc 0.3 -tls1_2
    expect_sh 0x0303 0xc02f
    expect_sni_alpn
    expect_decrypted12
}
sc_tls12_keys_aes256gcm_sha384() {
    os 1 "${RSA_CERT[@]}" -tls1_2 -cipher ECDHE-RSA-AES256-GCM-SHA384
    oc 0.3 -tls1_2
    expect_sh 0x0303 0xc030
    expect_decrypted12
}
sc_tls12_keys_chacha20() {
    os 1 "${RSA_CERT[@]}" -tls1_2 -cipher ECDHE-RSA-CHACHA20-POLY1305
    oc 0.3 -tls1_2
    expect_sh 0x0303 0xcca8
    expect_decrypted12
}
sc_tls12_keys_cbc_etm() {
    os 1 "${RSA_CERT[@]}" -tls1_2 -cipher ECDHE-RSA-AES128-SHA256
    oc 0.3 -tls1_2
    expect_sh 0x0303 0xc027
    expect "encrypt_then_mac in both hellos" -eq 2 "tls.handshake.extension.type==22"
    expect_decrypted12
}
sc_tls12_keys_cbc_no_etm() {
    os 1 "${RSA_CERT[@]}" -tls1_2 -cipher ECDHE-RSA-AES256-SHA384
    oc 0.3 -tls1_2 -no_etm
    expect_sh 0x0303 0xc028
    expect "no encrypt_then_mac" -eq 0 "tls.handshake.extension.type==22"
    expect_decrypted12
}
sc_tls12_keys_ccm() {
    os 1 "${EC_CERT[@]}" -tls1_2 -cipher ECDHE-ECDSA-AES128-CCM
    oc 0.3 -tls1_2 -cipher ECDHE-ECDSA-AES128-CCM
    expect_sh 0x0303 0xc0ac
    expect_decrypted12
}
sc_tls11_keys_cbc() {
    os 1 "${RSA_CERT[@]}" -tls1_1 -cipher 'ECDHE-RSA-AES256-SHA:@SECLEVEL=0'
    oc 0.3 -tls1_1 -cipher 'ECDHE-RSA-AES256-SHA:@SECLEVEL=0'
    expect_sh 0x0302 0xc014
    expect "encrypt_then_mac in both hellos" -eq 2 "tls.handshake.extension.type==22"
    expect_decrypted12
}
sc_tls10_keys_cbc() {
    os 1 "${RSA_CERT[@]}" -tls1 -cipher 'AES128-SHA:@SECLEVEL=0'
    oc 0.3 -tls1 -cipher 'AES128-SHA:@SECLEVEL=0' -no_etm
    expect_sh 0x0301 0x002f
    expect "no encrypt_then_mac" -eq 0 "tls.handshake.extension.type==22"
    expect_decrypted12
}
sc_tls12_keys_gnutls() {
    REPLY=$LINE
    gs rsa-chain.pem rsa.key --disable-client-cert --priority 'NORMAL:-VERS-ALL:+VERS-TLS1.2'
    gc 0.3 --priority 'NORMAL:-VERS-ALL:+VERS-TLS1.2'
    SRV_WAIT=3
    expect "TLS 1.2 ServerHello" -eq 1 "tls.handshake.type==2 && tls.handshake.version==0x0303"
    expect_decrypted12
}
sc_tls12_keys_resume() {
    os 2 "${RSA_CERT[@]}" -tls1_2 -no_ticket -cipher ECDHE-RSA-AES128-GCM-SHA256
    oc 0.3 -tls1_2 -no_ticket -sess_out "$WORK/sess"
    oc 0.3 -tls1_2 -no_ticket -sess_in "$WORK/sess"
    expect_sh 0x0303 0xc02f 2
    expect "only the full handshake has a Certificate" -eq 1 "tls.handshake.type==11"
    expect_decrypted12 2
}
sc_tls12_resume_session_id() {
    os 2 "${RSA_CERT[@]}" -tls1_2 -no_ticket
    oc 0.3 -tls1_2 -no_ticket -sess_out "$WORK/sess"
    oc 0.3 -tls1_2 -no_ticket -sess_in "$WORK/sess"
    expect_sh 0x0303 0xc030 2
    expect "only the full handshake has a Certificate" -eq 1 "tls.handshake.type==11"
    expect "no session tickets" -eq 0 "tls.handshake.type==4"
    expect "resuming ClientHello offers a session id" -eq 1 "tls.handshake.type==1 && tls.handshake.session_id_length==32"
}
sc_tls12_resume_ticket() {
    os 2 "${RSA_CERT[@]}" -tls1_2
    oc 0.3 -tls1_2 -sess_out "$WORK/sess"
    oc 0.3 -tls1_2 -sess_in "$WORK/sess"
    expect_sh 0x0303 0xc030 2
    expect "only the full handshake has a Certificate" -eq 1 "tls.handshake.type==11"
    expect "NewSessionTicket" -ge 1 "tls.handshake.type==4"
    expect "resuming ClientHello carries the ticket" -eq 1 "tls.handshake.type==1 && tls.handshake.extension.type==35 && len(tls.handshake.extension.data) > 0"
}
sc_tls13_resume_psk() {
    os 2 "${RSA_CERT[@]}" -tls1_3
    oc 0.6 -tls1_3 -sess_out "$WORK/sess"
    oc 0.3 -tls1_3 -sess_in "$WORK/sess"
    expect_sh 0x0304 0x1302 2
    expect "ClientHello with pre_shared_key" -eq 1 "tls.handshake.type==1 && tls.handshake.extension.type==41"
    expect "ServerHello with pre_shared_key" -eq 1 "tls.handshake.type==2 && tls.handshake.extension.type==41"
    expect "(decrypted) only the full handshake has a Certificate" -eq 1 "tls.handshake.type==11"
}
sc_tls13_early_data() {
    # default s_server mode (not -rev) reads early data; it does not answer
    REPLY=
    printf 'early data from the tlsdissect client\n' >"$WORK/early.txt"
    srv_start openssl s_server -accept "$HOST:$PORT" -naccept 2 "${RSA_CERT[@]}" -alpn "$ALPN" \
        -tls1_3 -early_data
    oc 0.6 -tls1_3 -sess_out "$WORK/sess"
    oc 0.3 -tls1_3 -sess_in "$WORK/sess" -early_data "$WORK/early.txt"
    expect_sh 0x0304 0x1302 2
    expect "ClientHello with early_data + pre_shared_key" -eq 1 \
        "tls.handshake.type==1 && tls.handshake.extension.type==42 && tls.handshake.extension.type==41"
    expect "(decrypted) EncryptedExtensions accepts early_data" -eq 1 \
        "tls.handshake.type==8 && tls.handshake.extension.type==42"
    expect "(decrypted) EndOfEarlyData" -eq 1 "tls.handshake.type==5"
}
sc_tls13_keys_early_data_accepted() {
    REPLY=
    printf 'early data from the tlsdissect client\n' >"$WORK/early.txt"
    srv_start openssl s_server -accept "$HOST:$PORT" -naccept 2 "${RSA_CERT[@]}" -alpn "$ALPN" \
        -tls1_3 -early_data
    oc 0.6 -tls1_3 -sess_out "$WORK/sess"
    oc 0.3 -tls1_3 -sess_in "$WORK/sess" -early_data "$WORK/early.txt"
    expect_sh 0x0304 0x1302 2
    expect "ClientHello with early_data + pre_shared_key" -eq 1 \
        "tls.handshake.type==1 && tls.handshake.extension.type==42 && tls.handshake.extension.type==41"
    expect "(decrypted) EncryptedExtensions accepts early_data" -eq 1 \
        "tls.handshake.type==8 && tls.handshake.extension.type==42"
    expect "(decrypted) EndOfEarlyData" -eq 1 "tls.handshake.type==5"
    expect "(decrypted) NewSessionTicket with early_data max size" -ge 1 \
        "tls.handshake.type==4 && tls.handshake.extension.type==42"
    expect "(decrypted) the 38-byte line sent as 0-RTT data" -eq 1 "tcp.dstport==$PORT && data.len==38"
}
sc_tls13_keys_early_data_rejected() {
    REPLY=
    printf 'early data from the tlsdissect client\n' >"$WORK/early.txt"
    srv_start openssl s_server -accept "$HOST:$PORT" -naccept 3 "${RSA_CERT[@]}" -alpn "$ALPN" \
        -tls1_3 -early_data
    oc 0.6 -tls1_3 -sess_out "$WORK/sess"
    oc 0.3 -tls1_3 -sess_in "$WORK/sess" -early_data "$WORK/early.txt"
    oc 0.3 -tls1_3 -sess_in "$WORK/sess" -early_data "$WORK/early.txt"
    expect_sh 0x0304 0x1302 3
    expect "ClientHellos with early_data" -eq 2 "tls.handshake.type==1 && tls.handshake.extension.type==42"
    expect "(decrypted) only the 2nd connection's EncryptedExtensions accepts early_data" -eq 1 \
        "tls.handshake.type==8 && tls.handshake.extension.type==42"
    expect "(decrypted) one EndOfEarlyData (the accepted connection)" -eq 1 "tls.handshake.type==5"
    expect "(decrypted) the 38-byte 0-RTT line, accepted and rejected" -eq 2 "tcp.dstport==$PORT && data.len==38"
}
sc_tls13_keys_early_data_hrr() {
    REPLY=
    printf 'early data from the tlsdissect client\n' >"$WORK/early.txt"
    srv_start openssl s_server -accept "$HOST:$PORT" -naccept 2 "${RSA_CERT[@]}" -alpn "$ALPN" \
        -tls1_3 -early_data -no_anti_replay -groups X25519
    oc 0.6 -tls1_3 -sess_out "$WORK/sess"
    oc 0.3 -tls1_3 -groups P-256:X25519 -sess_in "$WORK/sess" -early_data "$WORK/early.txt"
    expect_sh 0x0304 0x1302 2
    expect "HelloRetryRequest" -eq 1 "tls.handshake.type==2 && tls.handshake.random==$HRR_RANDOM"
    expect "first ClientHello offers early_data, the second does not" -eq 1 \
        "tls.handshake.type==1 && tls.handshake.extension.type==42"
    expect "ServerHello accepts the PSK" -eq 1 \
        "tls.handshake.type==2 && tls.handshake.extension.type==41 && !(tls.handshake.random==$HRR_RANDOM)"
    expect "(decrypted) no EncryptedExtensions accepts early_data" -eq 0 \
        "tls.handshake.type==8 && tls.handshake.extension.type==42"
    expect "(decrypted) no EndOfEarlyData" -eq 0 "tls.handshake.type==5"
    expect "(decrypted) the 38-byte 0-RTT line, rejected" -eq 1 "tcp.dstport==$PORT && data.len==38"
}
sc_tls13_hrr() {
    os 1 "${RSA_CERT[@]}" -tls1_3 -groups X25519
    oc 0.3 -tls1_3 -groups P-256:X25519
    expect "HelloRetryRequest" -eq 1 "tls.handshake.type==2 && tls.handshake.random==$HRR_RANDOM"
    expect "two ClientHellos" -eq 2 "tls.handshake.type==1"
    expect_sh 0x0304 0x1302
    expect "final key share X25519" -eq 1 "tls.handshake.type==2 && tls.handshake.extensions_key_share_group==29 && !(tls.handshake.random==$HRR_RANDOM)"
}
sc_tls12_handshake_failure() {
    REPLY=
    os 1 "${RSA_CERT[@]}" -tls1_2 -cipher AES128-SHA
    oc 0.3 -tls1_2 -cipher ECDHE-RSA-AES256-GCM-SHA384
    expect "no ServerHello" -eq 0 "tls.handshake.type==2"
    expect "fatal handshake_failure alert" -eq 1 "tls.alert_message.level==2 && tls.alert_message.desc==40"
}
sc_tls12_unknown_ca() {
    REPLY=
    os 1 "${RSA_CERT[@]}" -tls1_2
    client 0.3 openssl s_client -connect "$HOST:$PORT" -servername "$HOSTNAME_SNI" -alpn "$ALPN" \
        -CAfile "$PKI/other.pem" -verify 3 -verify_return_error -keylogfile "$KEYLOG" -tls1_2
    expect "ServerHello" -eq 1 "tls.handshake.type==2"
    expect "fatal unknown_ca alert" -eq 1 "tls.alert_message.level==2 && tls.alert_message.desc==48"
}
sc_tls13_unknown_ca() {
    REPLY=
    os 1 "${RSA_CERT[@]}" -tls1_3
    client 0.3 openssl s_client -connect "$HOST:$PORT" -servername "$HOSTNAME_SNI" -alpn "$ALPN" \
        -CAfile "$PKI/other.pem" -verify 3 -verify_return_error -keylogfile "$KEYLOG" -tls1_3
    expect "ServerHello" -eq 1 "tls.handshake.type==2"
    expect "fatal unknown_ca alert" -eq 1 "tls.alert_message.level==2 && tls.alert_message.desc==48"
}
sc_tls13_ipv6() {
    HOST='[::1]'
    os 1 "${RSA_CERT[@]}"
    oc 0.3
    expect_sh 0x0304 0x1302
    expect "all packets over IPv6" -eq 0 "!ipv6"
}
sc_tls12_split_clienthello() {
    # A TLS 1.3-capable client (every suite, a 256-byte ffdhe2048 key share)
    # against a TLS 1.2-only server: both send at most 512-byte records.
    os 1 "${RSA_CERT[@]}" -tls1_2 -max_send_frag 512
    oc 0.3 -cipher 'ALL:@SECLEVEL=0' -groups ffdhe2048:X25519:P-256 -max_send_frag 512
    expect_sh 0x0303 0xc030
    expect "ClientHello reassembled from >=2 records" -eq 1 "tls.handshake.type==1 && tls.handshake.fragment.count>=2"
    expect "server Certificate reassembled from >=2 records" -eq 1 "tls.handshake.type==11 && tls.handshake.fragment.count>=2"
}
sc_tls13_split_clienthello() {
    os 1 "${RSA_CERT[@]}" -tls1_3
    oc 0.3 -tls1_3 -groups ffdhe4096:X25519 -max_send_frag 512
    expect_sh 0x0304 0x1302
    expect "ClientHello reassembled from >=2 records" -eq 1 "tls.handshake.type==1 && tls.handshake.fragment.count>=2"
    expect "key share ffdhe4096" -eq 1 "tls.handshake.type==2 && tls.handshake.extensions_key_share_group==258"
}
sc_tls13_port_8443() {
    os 1 "${RSA_CERT[@]}"
    oc 0.3
    expect_sh 0x0304 0x1302
    expect "server port 8443" -ge 1 "tcp.srcport==8443 && tls.handshake.type==2"
}
# QUIC: ngtcp2's GnuTLS examples.  The server serves one HTTP/3 response
# and idles; the client exits when its stream closes.  tshark decrypts the
# Initial packets itself (no key log needed for the hellos).  The client
# does not verify the server's chain (the example client has no CA option).
qs() { # extra-args...
    cat "$PKI/rsa.pem" "$PKI/inter.pem" >"$WORK/quic-chain.pem"
    srv_start gtlsserver -q -d "$WORK" "$@" "$HOST" "$PORT" "$PKI/rsa.key" "$WORK/quic-chain.pem"
}
qc() { # extra-args...
    client 0.3 env SSLKEYLOGFILE="$KEYLOG" gtlsclient -q --exit-on-first-stream-close \
        --timeout=5s "$@" "$HOST" "$PORT" "https://$HOSTNAME_SNI/"
}
sc_quic_v1_ngtcp2() {
    qs
    qc
    SRV_WAIT=5
    expect "QUIC v1 Initial packets" -ge 2 "quic.long.packet_type==0 && quic.version==0x00000001"
    # Debian 12's gtlsclient names "localhost" in the SNI for an IP-literal
    # host, whatever --sni says
    expect "ClientHello with SNI localhost in QUIC" -eq 1 \
        "quic && tls.handshake.type==1 && tls.handshake.extensions_server_name==\"localhost\""
}

# QUIC with the key log kept (-k): the Handshake packets decrypt with the
# handshake traffic secrets and the QUIC labels (RFC 9001 §5.1).
quic_keys() { # gnutls-cipher tshark-suite
    qs
    qc --ciphers="NORMAL:-VERS-ALL:+VERS-TLS1.3:-CIPHER-ALL:+$1"
    SRV_WAIT=5
    expect "QUIC v1 Handshake packets" -ge 2 "quic.long.packet_type==2 && quic.version==0x00000001"
    expect "ServerHello with the suite" -eq 1 "quic && tls.handshake.type==2 && tls.handshake.ciphersuite==$2"
}
sc_quic_keys_v1() { quic_keys AES-128-GCM 0x1301; }
sc_quic_keys_chacha20() { quic_keys CHACHA20-POLY1305 0x1303; }
sc_quic_keys_aes256() { quic_keys AES-256-GCM 0x1302; }
sc_quic_retry() {
    qs -V
    qc
    SRV_WAIT=5
    expect "a Retry packet" -eq 1 "quic.long.packet_type==3"
    expect "client Initials (before and after the Retry)" -ge 2 "quic.long.packet_type==0 && udp.dstport==$PORT"
}
sc_quic_version_negotiation() {
    qs
    qc -v 0x1a2a3a4a --preferred-versions=v1
    SRV_WAIT=5
    expect "a Version Negotiation packet" -eq 1 "quic.version==0 && quic.supported_version==0x00000001"
    expect "a ServerHello in v1" -eq 1 "quic.version==0x00000001 && tls.handshake.type==2"
}

# Weak configurations for the findings (docs/findings.md); OpenSSL 3 needs @SECLEVEL=0.
sc_tls12_weak_3des() { # Debian builds OpenSSL without 3DES and RC4 suites: GnuTLS has them
    REPLY=$LINE
    gs rsa-chain.pem rsa.key --disable-client-cert --priority 'NORMAL:-VERS-ALL:+VERS-TLS1.2:-CIPHER-ALL:+3DES-CBC'
    gc 0.3 --priority 'NORMAL:+3DES-CBC'
    SRV_WAIT=3
    expect_sh 0x0303 0xc012
}
sc_tls12_weak_rc4() {
    REPLY=$LINE
    gs rsa-chain.pem rsa.key --disable-client-cert --priority 'NORMAL:-VERS-ALL:+VERS-TLS1.2:-CIPHER-ALL:+ARCFOUR-128'
    gc 0.3 --priority 'NORMAL:+ARCFOUR-128'
    SRV_WAIT=3
    expect_sh 0x0303 0xc011
}
sc_tls12_heartbeat() {
    REPLY=$LINE
    gs rsa-chain.pem rsa.key --disable-client-cert --heartbeat --priority 'NORMAL:-VERS-ALL:+VERS-TLS1.2'
    gc 0.3 --heartbeat --priority 'NORMAL:-VERS-ALL:+VERS-TLS1.2'
    SRV_WAIT=3
    expect "ClientHello with heartbeat" -eq 1 "tls.handshake.type==1 && tls.handshake.extension.type==15"
    expect "ServerHello with heartbeat" -eq 1 "tls.handshake.type==2 && tls.handshake.extension.type==15"
}
sc_tls12_weak_key() {
    # an RSA-1024 leaf, signed by the intermediate with SHA-1
    certtool --generate-privkey --no-text --key-type rsa --bits 1024 --outfile "$PKI/weak.key" \
        >/dev/null 2>&1
    openssl req -new -key "$PKI/weak.key" -subj "/O=tlsdissect test PKI/CN=$HOSTNAME_SNI" \
        -addext "subjectAltName=DNS:$HOSTNAME_SNI" -out "$PKI/weak.csr" 2>/dev/null
    openssl x509 -req -in "$PKI/weak.csr" -CA "$PKI/inter.pem" -CAkey "$PKI/inter.key" -sha1 \
        -set_serial 17 -days 3650 -copy_extensions copy -out "$PKI/weak.pem" 2>/dev/null ||
        err "could not make the RSA-1024 SHA-1 leaf"
    os 1 -cert "$PKI/weak.pem" -key "$PKI/weak.key" -cert_chain "$PKI/inter.pem" -tls1_2 \
        -cipher 'ECDHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0'
    oc 0.3 -tls1_2 -cipher 'ECDHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0'
    expect_sh 0x0303 0xc02f
    expect_chain2
}
sc_tls12_dhe_1024() {
    openssl genpkey -genparam -algorithm DH -pkeyopt dh_paramgen_prime_len:1024 \
        -out "$PKI/dh1024.pem" 2>/dev/null || err "could not make 1024-bit DH parameters"
    os 1 "${RSA_CERT[@]}" -tls1_2 -cipher 'DHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0' \
        -dhparam "$PKI/dh1024.pem"
    oc 0.3 -tls1_2 -cipher 'DHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0'
    expect_sh 0x0303 0x009e
    expect "ServerKeyExchange with a 128-byte prime" -eq 1 "tls.handshake.type==12 && tls.handshake.p_len==128"
}
sc_tls12_fallback_scsv() {
    os 1 "${RSA_CERT[@]}" -tls1_2
    oc 0.3 -tls1_2 -fallback_scsv
    expect_sh 0x0303 0xc030
    expect "ClientHello with TLS_FALLBACK_SCSV" -eq 1 "tls.handshake.type==1 && tls.handshake.ciphersuite==0x5600"
}
sc_tls12_no_renegotiation_info() {
    os 1 "${RSA_CERT[@]}" -tls1_2
    gc 0.3 --priority 'NORMAL:-VERS-ALL:+VERS-TLS1.2:%DISABLE_SAFE_RENEGOTIATION'
    expect "ClientHello without renegotiation_info or its SCSV" -eq 1 \
        "tls.handshake.type==1 && !tls.handshake.extensions_reneg_info_len && !(tls.handshake.ciphersuite==0x00ff)"
    expect "ServerHello without renegotiation_info" -eq 1 \
        "tls.handshake.type==2 && !tls.handshake.extensions_reneg_info_len"
}
# DTLS: OpenSSL's s_server -listen answers the first ClientHello with a
# HelloVerifyRequest (RFC 6347 §4.2.1) and serves one connection; s_client
# sends the line and closes.  GnuTLS's gnutls-serv --udp always asks for a
# cookie.
dos() { # extra-args...
    srv_start openssl s_server -accept "$HOST:$PORT" -naccept 1 -listen -alpn "$ALPN" "$@"
}
expect_dtls_hvr() { # version: the cookie exchange, then the ServerHello
    expect "HelloVerifyRequest" -eq 1 "dtls.handshake.type==3"
    expect "2 ClientHellos (the 2nd with the cookie)" -eq 2 "dtls.handshake.type==1"
    expect "ClientHello with a cookie" -eq 1 "dtls.handshake.type==1 && dtls.handshake.cookie_length > 0"
    expect "ServerHello $1" -eq 1 "dtls.handshake.type==2 && dtls.handshake.version==$1"
    expect "ChangeCipherSpec from both sides" -eq 2 "dtls.record.content_type==20"
}
sc_dtls12_openssl() {
    dos "${RSA_CERT[@]}" -dtls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256
    oc 0.3 -dtls1_2
    expect_dtls_hvr 0xfefd
    expect "server Certificate with 2 certificates" -ge 1 \
        "dtls.handshake.type==11 && count(dtls.handshake.certificate)==2"
    expect "ClientHello with SNI $HOSTNAME_SNI" -ge 1 \
        "dtls.handshake.type==1 && dtls.handshake.extensions_server_name==\"$HOSTNAME_SNI\""
}
sc_dtls12_fragmented() {
    dos "${RSA_CERT[@]}" -dtls1_2 -mtu 400 -cipher ECDHE-RSA-AES128-GCM-SHA256
    oc 0.3 -dtls1_2
    expect_dtls_hvr 0xfefd
    expect "Certificate fragments (fragment_length < length)" -ge 3 \
        "dtls.handshake.type==11 && dtls.handshake.fragment_length < dtls.handshake.length"
}
sc_dtls10_openssl() {
    dos "${RSA_CERT[@]}" -dtls1 -cipher 'ECDHE-RSA-AES128-SHA:@SECLEVEL=0'
    oc 0.3 -dtls1 -cipher 'ECDHE-RSA-AES128-SHA:@SECLEVEL=0'
    expect_dtls_hvr 0xfeff
}
sc_dtls12_gnutls() {
    gs ec-chain.pem ec.key --udp
    gc 0.5 --udp --priority 'NORMAL:-VERS-ALL:+VERS-DTLS1.2'
    expect_dtls_hvr 0xfefd
}

expect_dtls_decrypted() { # the Finished of both sides, as tshark decrypts them with the key log
    expect "(decrypted) Finished from both sides" -eq 2 "dtls.handshake.type==20"
}
sc_dtls12_keys_gcm() {
    dos "${RSA_CERT[@]}" -dtls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256
    oc 0.3 -dtls1_2
    expect_dtls_hvr 0xfefd
    expect_dtls_decrypted
}
sc_dtls12_keys_chacha20() {
    dos "${RSA_CERT[@]}" -dtls1_2 -cipher ECDHE-RSA-CHACHA20-POLY1305
    oc 0.3 -dtls1_2
    expect_dtls_hvr 0xfefd
    expect "ServerHello with ECDHE-RSA-CHACHA20-POLY1305" -eq 1 "dtls.handshake.type==2 && dtls.handshake.ciphersuite==0xcca8"
    # (tshark does not decrypt DTLS ChaCha20-Poly1305 records: no decrypted-Finished check;
    # tlsdissect's verified Finished of both sides is the check, in the golden)
}
sc_dtls12_keys_cbc() {
    dos "${RSA_CERT[@]}" -dtls1_2 -cipher ECDHE-RSA-AES256-SHA384
    oc 0.3 -dtls1_2
    expect_dtls_hvr 0xfefd
    expect "ServerHello with ECDHE-RSA-AES256-SHA384" -eq 1 "dtls.handshake.type==2 && dtls.handshake.ciphersuite==0xc028"
    expect "encrypt_then_mac in the 2 ClientHellos and the ServerHello" -eq 3 "dtls.handshake.extension.type==22"
    expect_dtls_decrypted
}
sc_dtls10_keys_cbc() {
    dos "${RSA_CERT[@]}" -dtls1 -cipher 'ECDHE-RSA-AES128-SHA:@SECLEVEL=0'
    oc 0.3 -dtls1 -cipher 'ECDHE-RSA-AES128-SHA:@SECLEVEL=0' -no_etm
    expect_dtls_hvr 0xfeff
    expect "no encrypt_then_mac" -eq 0 "dtls.handshake.extension.type==22"
    expect_dtls_decrypted
}
sc_dtls12_keys_gnutls() {
    gs ec-chain.pem ec.key --udp
    gc 0.5 --udp --priority 'NORMAL:-VERS-ALL:+VERS-DTLS1.2'
    expect_dtls_hvr 0xfefd
    expect_dtls_decrypted
}

# --------------------------------------------------------------- README --
write_readme() {
    local f=$OUTDIR/README.md s n p e d
    {
        echo "# Test captures"
        echo
        echo "Generated by \`tools/make-fixtures.sh\` (run it as root to regenerate all of"
        echo "them; \`tools/make-fixtures.sh NAME...\` redoes single ones, \`-l\` lists them)."
        echo "Real TLS peers on loopback: $OSSL_VER (\`s_server\`/\`s_client\`) and"
        echo "GnuTLS $GNUTLS_VER (\`gnutls-serv\`/\`gnutls-cli\`), captured with $TCPDUMP_VER"
        echo "on \`lo\` (classic pcap, Ethernet link type, snaplen 262144), one port per"
        echo "scenario, filter \`tcp port PORT\`, so each file holds exactly that scenario's"
        echo "connection(s), SYN to FIN.  Each file is checked with tshark when generated."
        echo
        echo "Certificates come from a throw-away PKI made on every run with certtool from"
        echo "\`tools/fixtures/*.tmpl\` (root CA -> intermediate CA -> RSA-2048 / ECDSA P-256"
        echo "leaves CN/SAN \`server.tlsdissect.test\`, client cert \`client.tlsdissect.test\`;"
        echo "servers send leaf + intermediate; an unrelated CA for the unknown_ca cases;"
        echo "validity 2026-01-01 .. 2036-01-01), so certificates and randoms differ on every"
        echo "regeneration.  Clients send SNI \`server.tlsdissect.test\` and ALPN \`h2,http/1.1\`"
        echo "(except tls12-no-sni), one line \`$LINE\`, and close with"
        echo "close_notify; OpenSSL servers (\`-rev\`) answer with the line reversed, GnuTLS"
        echo "(\`--echo\`) with the line itself (the tls13-early-data server does not answer)."
        echo
        echo "\`tools/fixtures/summarize.sh [FILE...]\` prints, per TCP stream, the TLS records"
        echo "tshark sees in each capture (no keys), with the negotiated version, cipher"
        echo "suite and alerts."
        echo
        echo "| file | port | stacks (client -> server) | exercises |"
        echo "| --- | --- | --- | --- |"
        for s in "${SCENARIOS[@]}"; do
            IFS='|' read -r n p e d <<<"$s"
            # shellcheck disable=SC2016 # backquotes are Markdown
            printf '| `%s.pcap` | %s | %s | %s%s |\n' "$n" "$p" "$(stacks_of "$n")" "$d" \
                "$([ "$e" = fail ] && echo ' (handshake fails on purpose)')"
        done
        echo
        echo "## Command lines"
        echo
        echo "Exactly as run by the script, in its temporary directory (certificates, keys,"
        echo "session files; \`NAME.keylog\` is the TLS key log, kept with \`-k\`).  The"
        echo "server starts first; each client gets the line on stdin, which stays open for"
        echo "the given time (longer where the client must first receive a NewSessionTicket)."
        for s in "${SCENARIOS[@]}"; do
            IFS='|' read -r n p e d <<<"$s"
            echo
            echo "### $n"
            echo
            echo '```'
            cat "$WORK/cmds/$n"
            echo '```'
        done
    } >"$f.tmp" && mv "$f.tmp" "$f"
}
stacks_of() { # name: from the recorded commands
    local c=$WORK/cmds/$1 cl sv
    sv=OpenSSL
    grep -q '^gnutls-serv' "$c" && sv=GnuTLS
    grep -q '^gtlsserver' "$c" && sv='ngtcp2 (GnuTLS)'
    cl=OpenSSL
    grep -q 'gnutls-cli' "$c" && cl=GnuTLS
    grep -q 'gtlsclient' "$c" && cl='ngtcp2 (GnuTLS)'
    echo "$cl -> $sv"
}

# ------------------------------------------------------------------ main --
# (a function, so that bash has read the whole file before it runs anything)
main() {
    OSSL_VER=$(openssl version | awk '{print $1, $2}')
    GNUTLS_VER=$(gnutls-cli --version 2>/dev/null | sed -n '1s/.* //p')
    TCPDUMP_VER=$(tcpdump --version 2>&1 | sed -n '1p')

    start=$(date +%s)
    gen_pki || die "certificate generation failed"
    [ "${VERBOSE:-0}" = 1 ] && echo "PKI generated in $(($(date +%s) - start)) s" >&2
    set_cert_args

    selected=()
    for s in "${SCENARIOS[@]}"; do
        n=${s%%|*}
        if [ ${#ONLY[@]} -eq 0 ]; then
            selected+=("$s")
        else
            for o in "${ONLY[@]}"; do [ "$o" = "$n" ] && selected+=("$s"); done
        fi
    done
    [ ${#selected[@]} -gt 0 ] || die "no such scenario: ${ONLY[*]} (see -l)"
    [ ${#ONLY[@]} -eq 0 ] || [ ${#selected[@]} -eq ${#ONLY[@]} ] || die "unknown scenario among: ${ONLY[*]} (see -l)"

    fails=0
    for s in "${selected[@]}"; do
        run_scenario "$s" || fails=$((fails + 1))
    done

    if [ ${#ONLY[@]} -eq 0 ] && [ "$fails" -eq 0 ]; then
        write_readme
        echo "wrote ${OUTDIR#"$ROOT"/}/README.md"
    fi
    echo "make-fixtures: ${#selected[@]} scenario(s), $fails failed, $(($(date +%s) - start)) s"
    [ "$fails" -eq 0 ]
}
main "$@"
