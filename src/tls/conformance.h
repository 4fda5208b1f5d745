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

/* A hello whose legacy_version is not a known version: true, with why in buf. */
bool td_hello_version_odd(const struct td_message *m, char *buf, size_t size);

/* The hellos seen before a message. */
struct td_hello_order {
    unsigned client_hellos;
    bool hrr_seen, sh_seen;
};

/* Why a hello of this kind is out of place after those, or NULL. */
const char *td_hello_out_of_order(const struct td_hello_order *before, enum td_msg_kind kind);

#endif
