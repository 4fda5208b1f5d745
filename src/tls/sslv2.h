/*
 * sslv2.h — SSL 2.0 records in clear (draft-hickman-netscape-ssl-00 §2.5-2.6,
 * RFC 5246 Appendix E.2): private to src/tls (and its tests).
 */
#ifndef TLSDISSECT_TLS_SSLV2_H
#define TLSDISSECT_TLS_SSLV2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tlsdissect/certificate.h"
#include "tlsdissect/model.h"
#include "tlsdissect/parse.h"

/* The msg_type of a record in clear (what td_sslv2_read found). */
enum td_sslv2_kind {
    TD_SSLV2_OTHER = 0,
    TD_SSLV2_CLIENT_HELLO = 1,
    TD_SSLV2_CLIENT_MASTER_KEY = 2,
    TD_SSLV2_SERVER_HELLO = 4,
};

struct td_sslv2_messages {
    enum td_sslv2_kind kind;
    struct td_message msg;          /* ClientHello, ServerHello or ClientKeyExchange */
    bool has_certificate;           /* a SERVER-HELLO's certificate, as a Certificate message */
    struct td_message certificate;
};

/* Read a record in clear (msg from its msg_type byte); faults go to p. */
void td_sslv2_read(struct td_parse *p, const uint8_t *msg, size_t len, struct td_cert_cache *certs,
                   struct td_sslv2_messages *out);

/* An SSLv2 CLIENT-HELLO: msg starts at the msg_type byte after the 2-byte header. */
int td_parse_sslv2_client_hello(struct td_parse *p, const uint8_t *msg, size_t len,
                                struct td_client_hello *ch);

/* An SSLv2 SERVER-HELLO: msg starts at the msg_type byte; cert is a view of the
 * certificate it carries, cert_type its type. */
int td_parse_sslv2_server_hello(struct td_parse *p, const uint8_t *msg, size_t len,
                                struct td_server_hello *sh, struct td_bytes *cert,
                                uint8_t *cert_type);

#endif
