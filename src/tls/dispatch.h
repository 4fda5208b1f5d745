/*
 * dispatch.h — the handshake message types, one row each (RFC 8446 §4,
 * RFC 5246 §7.4, IANA TLS HandshakeType): the message kind a type is
 * labelled as, the side that sends it, whether it has fields to show, and
 * the parser that reads its body.  The session, the fuzz targets and (through
 * the kind stamped on each message) the writers all use this one table.
 *
 * Private to src/tls (and the fuzz targets, which test it).
 */
#ifndef TLSDISSECT_TLS_DISPATCH_H
#define TLSDISSECT_TLS_DISPATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tlsdissect/certificate.h"
#include "tls/keyexchange.h"
#include "tlsdissect/model.h"
#include "tlsdissect/parse.h"

/* What a parser needs to know of the connection so far. */
struct td_parse_context {
    uint16_t version;             /* negotiated (ServerHello); 0 before it */
    bool tls13;                   /* the ServerHello chose TLS 1.3 */
    const struct td_kex *kex;     /* of the negotiated cipher suite */
    struct td_cert_cache *certs;  /* NULL: no cache */
    bool quic;                    /* the handshake travels in QUIC CRYPTO frames */
    size_t max_message;           /* handshake message size limit: caps what a */
                                  /* CompressedCertificate may decompress to */
    bool dtls;                    /* ... in DTLS records (RFC 6347, RFC 9147) */
};

/* Which side a message reveals. */
enum td_sender { TD_SENT_BY_EITHER = -1, TD_SENT_BY_CLIENT = TD_CLIENT, TD_SENT_BY_SERVER = TD_SERVER };

/* The kind a handshake type is labelled as (TD_MSG_OTHER_HANDSHAKE when it has no name here). */
enum td_msg_kind td_hs_kind_of(uint8_t type);

/* Who sends a kind of message, when only one side may. */
enum td_sender td_msg_kind_sender(enum td_msg_kind kind);

/* Whether a kind of message carries fields to show (a ServerHelloDone has none). */
bool td_msg_kind_has_fields(enum td_msg_kind kind);

/*
 * Parse a handshake message body (a cursor that knows its captured and
 * declared ends) into m, whose kind is already set from its
 * type: m->kind becomes TD_MSG_HELLO_RETRY_REQUEST for a ServerHello that is
 * one, and hellos are fingerprinted.  Returns the parser's result (0, or -1
 * when the body could not be read; details in p).  Kinds without a parser
 * succeed with nothing to read.
 */
int td_parse_handshake(struct td_parse *p, const struct td_parse_context *ctx, struct td_cur body,
                       struct td_message *m);

/* Fields read before a parse failure that are still worth showing (a hello
 * or a certificate list cut short has good fields up to the fault). */
bool td_message_has_partial_fields(const struct td_message *m);

#endif
