/*
 * conformance.c — versions and hello order that the protocol does not allow
 * (RFC 8446 §4.1.1-4.1.4, §5.1; RFC 5246 §7.4.1).
 */
#include "tls/conformance.h"

#include <stdio.h>

bool td_hello_version_odd(const struct td_message *m, bool dtls, char *buf, size_t size)
{
    uint16_t v;
    const char *what;

    if (!m->parsed)
        return false;
    if (m->kind == TD_MSG_CLIENT_HELLO && !m->u.client_hello.sslv2_format) {
        v = m->u.client_hello.legacy_version;
        what = "ClientHello";
    } else if ((m->kind == TD_MSG_SERVER_HELLO && !m->u.server_hello.sslv2_format) ||
               m->kind == TD_MSG_HELLO_RETRY_REQUEST) {
        v = m->u.server_hello.legacy_version;
        what = m->kind == TD_MSG_SERVER_HELLO ? "ServerHello" : "HelloRetryRequest";
    } else {
        return false;
    }
    if (td_version_known_for(v, dtls))
        return false;
    snprintf(buf, size, "%s.legacy_version 0x%04x is not an %s version; the message is read "
             "as usual", what, v, dtls ? "DTLS" : "SSL/TLS");
    return true;
}

/* Why a hello is out of place, or NULL.  The message is still read. */
const char *td_hello_out_of_order(const struct td_hello_order *before, enum td_msg_kind kind)
{
    switch (kind) {
    case TD_MSG_CLIENT_HELLO:
        if (before->sh_seen)
            return "ClientHello after the ServerHello (a renegotiation would be encrypted)";
        if (before->client_hellos >= 1 && !before->hrr_seen && !before->hvr_seen)
            return "a second ClientHello without a HelloRetryRequest";
        if (before->client_hellos >= 2)
            return "a third ClientHello (one HelloRetryRequest allows one more)";
        return NULL;
    case TD_MSG_HELLO_RETRY_REQUEST:
        if (before->sh_seen)
            return "HelloRetryRequest after the ServerHello";
        if (before->hrr_seen)
            return "a second HelloRetryRequest (RFC 8446 §4.1.4: abort)";
        return NULL;
    case TD_MSG_SERVER_HELLO:
        return before->sh_seen ? "a second ServerHello" : NULL;
    default:
        return NULL;
    }
}
