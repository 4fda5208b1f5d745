/*
 * dispatch.c — the handshake message types, one row each (RFC 8446 §4,
 * RFC 5246 §7.4; the numbers are IANA's TLS HandshakeType registry).
 */
#include "tls/dispatch.h"

#include "tlsdissect/codepoints.h"
#include "tls/fingerprint.h"
#include "tls/hello.h"
#include "tls/messages.h"

typedef int (*td_body_parser)(struct td_parse *p, const struct td_parse_context *ctx,
                              struct td_cur body, struct td_message *m);

struct kind_row {
    enum td_sender sender;
    bool has_fields;
    td_body_parser parse; /* NULL: nothing to read */
};

/* ---- parsers with one signature ------------------------------------------ */

static bool tls12_or_later(const struct td_parse_context *ctx)
{
    return ctx->version >= TD_VERSION_TLS_1_2 && ctx->version < 0xfe00; /* DTLS counts down */
}

static int client_hello(struct td_parse *p, const struct td_parse_context *ctx, struct td_cur body,
                        struct td_message *m)
{
    int rc = ctx->dtls ? td_parse_dtls_client_hello(p, body, &m->u.client_hello)
                       : td_parse_client_hello(p, body, &m->u.client_hello);
    if (rc == 0)
        td_fingerprint_client_hello(p, &m->u.client_hello,
                                    ctx->quic ? 'q' : ctx->dtls ? 'd' : 't');
    return rc;
}

static int hello_verify_request(struct td_parse *p, const struct td_parse_context *ctx,
                                struct td_cur body, struct td_message *m)
{
    (void)ctx;
    return td_parse_hello_verify_request(p, body, &m->u.hello_verify_request);
}

static int server_hello(struct td_parse *p, const struct td_parse_context *ctx, struct td_cur body,
                        struct td_message *m)
{
    bool hrr = false;
    (void)ctx;
    int rc = td_parse_server_hello(p, body, &m->u.server_hello, &hrr);
    if (rc == 0) {
        if (hrr)
            m->kind = TD_MSG_HELLO_RETRY_REQUEST;
        td_fingerprint_server_hello(p, &m->u.server_hello);
    }
    return rc;
}

static int encrypted_extensions(struct td_parse *p, const struct td_parse_context *ctx,
                                struct td_cur body, struct td_message *m)
{
    (void)ctx;
    return td_parse_encrypted_extensions(p, body, &m->u.encrypted_extensions);
}

static int certificate(struct td_parse *p, const struct td_parse_context *ctx, struct td_cur body,
                        struct td_message *m)
{
    return td_parse_certificate(p, body, ctx->tls13, ctx->certs, &m->u.certificate);
}

static int server_key_exchange(struct td_parse *p, const struct td_parse_context *ctx,
                               struct td_cur body,
                        struct td_message *m)
{
    return td_parse_server_key_exchange(p, body, ctx->kex, ctx->version,
                                        &m->u.server_key_exchange);
}

static int client_key_exchange(struct td_parse *p, const struct td_parse_context *ctx,
                               struct td_cur body,
                        struct td_message *m)
{
    return td_parse_client_key_exchange(p, body, ctx->kex, ctx->version,
                                        &m->u.client_key_exchange);
}

static int certificate_request(struct td_parse *p, const struct td_parse_context *ctx,
                               struct td_cur body,
                        struct td_message *m)
{
    return td_parse_certificate_request(p, body, tls12_or_later(ctx), ctx->tls13,
                                        &m->u.certificate_request);
}

static int certificate_verify(struct td_parse *p, const struct td_parse_context *ctx,
                              struct td_cur body,
                        struct td_message *m)
{
    return td_parse_certificate_verify(p, body, tls12_or_later(ctx), &m->u.certificate_verify);
}

static int new_session_ticket(struct td_parse *p, const struct td_parse_context *ctx,
                              struct td_cur body,
                        struct td_message *m)
{
    return td_parse_new_session_ticket(p, body, ctx->tls13, &m->u.new_session_ticket);
}

static int certificate_status(struct td_parse *p, const struct td_parse_context *ctx,
                              struct td_cur body,
                        struct td_message *m)
{
    (void)ctx;
    return td_parse_certificate_status(p, body, &m->u.certificate_status);
}

static int key_update(struct td_parse *p, const struct td_parse_context *ctx, struct td_cur body,
                        struct td_message *m)
{
    (void)ctx;
    return td_parse_key_update(p, body, &m->u.key_update_request);
}

static int compressed_certificate(struct td_parse *p, const struct td_parse_context *ctx,
                                  struct td_cur body, struct td_message *m)
{
    return td_parse_compressed_certificate(p, body, ctx->tls13, ctx->max_message, ctx->certs,
                                           &m->u.compressed_certificate);
}

/* ---- the tables ------------------------------------------------------------ */

#define C TD_SENT_BY_CLIENT
#define S TD_SENT_BY_SERVER
#define E TD_SENT_BY_EITHER

static const struct kind_row kinds[] = {
    [TD_MSG_HELLO_REQUEST] = {S, false, NULL},
    [TD_MSG_CLIENT_HELLO] = {C, true, client_hello},
    [TD_MSG_SERVER_HELLO] = {S, true, server_hello},
    [TD_MSG_HELLO_RETRY_REQUEST] = {S, true, server_hello},
    [TD_MSG_NEW_SESSION_TICKET] = {S, true, new_session_ticket},
    [TD_MSG_END_OF_EARLY_DATA] = {C, false, NULL},
    [TD_MSG_ENCRYPTED_EXTENSIONS] = {S, true, encrypted_extensions},
    [TD_MSG_CERTIFICATE] = {E, true, certificate},
    [TD_MSG_SERVER_KEY_EXCHANGE] = {S, true, server_key_exchange},
    [TD_MSG_CERTIFICATE_REQUEST] = {S, true, certificate_request},
    [TD_MSG_SERVER_HELLO_DONE] = {S, false, NULL},
    [TD_MSG_CERTIFICATE_VERIFY] = {E, true, certificate_verify},
    [TD_MSG_CLIENT_KEY_EXCHANGE] = {C, true, client_key_exchange},
    [TD_MSG_FINISHED] = {E, false, NULL},
    [TD_MSG_CERTIFICATE_STATUS] = {S, true, certificate_status},
    [TD_MSG_KEY_UPDATE] = {E, true, key_update},
    [TD_MSG_CHANGE_CIPHER_SPEC] = {E, false, NULL},
    [TD_MSG_ALERT] = {E, true, NULL},
    [TD_MSG_ENCRYPTED_HANDSHAKE] = {E, false, NULL},
    [TD_MSG_HEARTBEAT] = {E, false, NULL},
    [TD_MSG_COMPRESSED_CERTIFICATE] = {E, true, compressed_certificate},
    [TD_MSG_HELLO_VERIFY_REQUEST] = {S, true, hello_verify_request},
    [TD_MSG_ACK] = {E, false, NULL},
    [TD_MSG_QUIC_RETRY] = {S, false, NULL},
    [TD_MSG_OTHER_HANDSHAKE] = {E, false, NULL},
};

#undef C
#undef S
#undef E

/* HandshakeType -> kind; types without a message name here are "other". */
static const enum td_msg_kind kind_by_type[] = {
    [TD_HS_HELLO_REQUEST] = TD_MSG_HELLO_REQUEST,
    [TD_HS_CLIENT_HELLO] = TD_MSG_CLIENT_HELLO,
    [TD_HS_SERVER_HELLO] = TD_MSG_SERVER_HELLO,
    [TD_HS_HELLO_VERIFY_REQUEST] = TD_MSG_HELLO_VERIFY_REQUEST,
    [TD_HS_NEW_SESSION_TICKET] = TD_MSG_NEW_SESSION_TICKET,
    [TD_HS_END_OF_EARLY_DATA] = TD_MSG_END_OF_EARLY_DATA,
    [TD_HS_HELLO_RETRY_REQUEST_RESERVED] = TD_MSG_OTHER_HANDSHAKE,
    [7] = TD_MSG_OTHER_HANDSHAKE, /* unassigned */
    [TD_HS_ENCRYPTED_EXTENSIONS] = TD_MSG_ENCRYPTED_EXTENSIONS,
    [TD_HS_REQUEST_CONNECTION_ID] = TD_MSG_OTHER_HANDSHAKE,
    [TD_HS_NEW_CONNECTION_ID] = TD_MSG_OTHER_HANDSHAKE,
    [TD_HS_CERTIFICATE] = TD_MSG_CERTIFICATE,
    [TD_HS_SERVER_KEY_EXCHANGE] = TD_MSG_SERVER_KEY_EXCHANGE,
    [TD_HS_CERTIFICATE_REQUEST] = TD_MSG_CERTIFICATE_REQUEST,
    [TD_HS_SERVER_HELLO_DONE] = TD_MSG_SERVER_HELLO_DONE,
    [TD_HS_CERTIFICATE_VERIFY] = TD_MSG_CERTIFICATE_VERIFY,
    [TD_HS_CLIENT_KEY_EXCHANGE] = TD_MSG_CLIENT_KEY_EXCHANGE,
    [TD_HS_CLIENT_CERTIFICATE_REQUEST] = TD_MSG_OTHER_HANDSHAKE,
    [18] = TD_MSG_OTHER_HANDSHAKE, /* unassigned */
    [19] = TD_MSG_OTHER_HANDSHAKE, /* unassigned */
    [TD_HS_FINISHED] = TD_MSG_FINISHED,
    [TD_HS_CERTIFICATE_URL] = TD_MSG_OTHER_HANDSHAKE,
    [TD_HS_CERTIFICATE_STATUS] = TD_MSG_CERTIFICATE_STATUS,
    [TD_HS_SUPPLEMENTAL_DATA] = TD_MSG_OTHER_HANDSHAKE,
    [TD_HS_KEY_UPDATE] = TD_MSG_KEY_UPDATE,
    [TD_HS_COMPRESSED_CERTIFICATE] = TD_MSG_COMPRESSED_CERTIFICATE,
};

_Static_assert(sizeof kinds / sizeof kinds[0] == TD_MSG_OTHER_HANDSHAKE + 1,
               "one row per message kind");

enum td_msg_kind td_hs_kind_of(uint8_t type)
{
    return type < sizeof kind_by_type / sizeof kind_by_type[0] ? kind_by_type[type]
                                                               : TD_MSG_OTHER_HANDSHAKE;
}

static const struct kind_row *row_of(enum td_msg_kind kind)
{
    return (unsigned)kind < sizeof kinds / sizeof kinds[0] ? &kinds[kind]
                                                           : &kinds[TD_MSG_OTHER_HANDSHAKE];
}

enum td_sender td_msg_kind_sender(enum td_msg_kind kind) { return row_of(kind)->sender; }

bool td_msg_kind_has_fields(enum td_msg_kind kind) { return row_of(kind)->has_fields; }

int td_parse_handshake(struct td_parse *p, const struct td_parse_context *ctx, struct td_cur body,
                       struct td_message *m)
{
    const struct kind_row *row = row_of(m->kind);
    return row->parse ? row->parse(p, ctx, body, m) : 0;
}

bool td_message_has_partial_fields(const struct td_message *m)
{
    switch (m->kind) {
    case TD_MSG_CLIENT_HELLO:
        return m->u.client_hello.random.len == 32;
    case TD_MSG_SERVER_HELLO:
    case TD_MSG_HELLO_RETRY_REQUEST:
        return m->u.server_hello.random.len == 32;
    case TD_MSG_CERTIFICATE:
        return m->u.certificate.count > 0;
    case TD_MSG_COMPRESSED_CERTIFICATE:
        return m->u.compressed_certificate.has_header;
    default:
        return false;
    }
}
