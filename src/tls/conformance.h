/*
 * conformance.h — what the protocol does not allow but a peer may send
 * anyway: versions outside SSL 3.0..TLS 1.3 (RFC 8446 §4.1.2, §5.1) and
 * hellos out of their order (RFC 8446 §4.1.1-4.1.4, RFC 5246 §7.4.1).  Each
 * check says why, and the message is still read.  Private to src/tls.
 */
#ifndef TLSDISSECT_TLS_CONFORMANCE_H
#define TLSDISSECT_TLS_CONFORMANCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tlsdissect/codepoints.h"
#include "tlsdissect/model.h"

/* SSL 3.0 to TLS 1.3. */
static inline bool td_version_known(uint16_t v)
{
    return v >= TD_VERSION_SSL_3_0 && v <= TD_VERSION_TLS_1_3;
}

/* A DTLS ProtocolVersion: 1.0 (0xfeff), 1.2 (0xfefd), 1.3 (0xfefc). */
static inline bool td_version_is_dtls(uint16_t v)
{
    return v == TD_VERSION_DTLS_1_0 || v == TD_VERSION_DTLS_1_2 || v == TD_VERSION_DTLS_1_3;
}

/* The TLS version a DTLS version is built on (RFC 6347 §1: 1.0 is TLS 1.1's,
 * 1.2 TLS 1.2's; RFC 9147: 1.3 TLS 1.3's); any other version as it is. */
static inline uint16_t td_version_tls_equivalent(uint16_t v)
{
    switch (v) {
    case TD_VERSION_DTLS_1_0: return TD_VERSION_TLS_1_1;
    case TD_VERSION_DTLS_1_2: return TD_VERSION_TLS_1_2;
    case TD_VERSION_DTLS_1_3: return TD_VERSION_TLS_1_3;
    default: return v;
    }
}

/* A version of the transport's family: TLS's over TCP and QUIC, DTLS's over DTLS. */
static inline bool td_version_known_for(uint16_t v, bool dtls)
{
    return dtls ? td_version_is_dtls(v) : td_version_known(v);
}

/* A hello whose legacy_version is not a known version (of DTLS, for dtls):
 * true, with why in buf. */
bool td_hello_version_odd(const struct td_message *m, bool dtls, char *buf, size_t size);

/* The hellos seen before a message. */
struct td_hello_order {
    unsigned client_hellos;
    bool hrr_seen, sh_seen;
    bool hvr_seen; /* DTLS: a HelloVerifyRequest asks for a second ClientHello */
};

/* Why a hello of this kind is out of place after those, or NULL. */
const char *td_hello_out_of_order(const struct td_hello_order *before, enum td_msg_kind kind);

#endif
