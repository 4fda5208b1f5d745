#!/bin/sh
# Install the Debian packages tlsdissect needs, and only those missing.
#   tools/install-deps.sh build   -- compiler, libpcap, cJSON, libcrypto, zlib, zstd, xz, brotli
#   tools/install-deps.sh test    -- build + cmocka, tshark, tcpdump, sanitizer/fuzz runtime,
#                                    ngtcp2 example client and server (QUIC fixtures),
#                                    chromium, chromium-driver, python3-selenium (make html-test)
# Runs as root on a fresh Debian machine, non-interactively; as another user it
# only reports what is missing.
set -eu

build_pkgs="gcc make pkg-config libpcap-dev libcjson-dev libssl-dev zlib1g-dev libzstd-dev liblzma-dev libbrotli-dev ca-certificates"
test_pkgs="libcmocka-dev tshark tcpdump openssl gnutls-bin clang libclang-rt-dev python3 valgrind man-db zstd brotli xz-utils ngtcp2-client ngtcp2-server python3-cryptography chromium chromium-driver python3-selenium"

want="$build_pkgs"
[ "${1:-build}" = "test" ] && want="$build_pkgs $test_pkgs"

missing=""
for p in $want; do
    # libclang-rt-dev is virtual on some releases: accept any versioned runtime
    if [ "$p" = libclang-rt-dev ]; then
        dpkg-query -W -f='${Status}\n' 'libclang-rt-*-dev' 2>/dev/null | grep -q 'install ok installed' && continue
        v=$(clang --version 2>/dev/null | sed -n 's/.*clang version \([0-9]*\).*/\1/p' | head -n1)
        p="libclang-rt-${v:-14}-dev"
    fi
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done

[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
    echo "install-deps: missing Debian packages:$missing (run as root to install)" >&2
    exit 1
fi
echo "install-deps: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer no without a prompt
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections 2>/dev/null || true
apt-get update -qq >/dev/null
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
