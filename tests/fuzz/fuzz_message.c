/*
 * fuzz_message.c — libFuzzer target: one handshake message parser at a
 * time (hello.h, certificate.h with the CompressedCertificate, keyexchange.h,
 * messages.h), the
 * fingerprints where they apply (fingerprint.h), then the parsed message
 * written by the JSON and the text writers (to /dev/null), with the parse
 * failure as an anomaly event and a connection event that closes the
 * text writer's block.
 *
 * Input format (tests/fuzz/make-seeds.py writes seeds in it):
 *
 *   byte 0    bits 0-3 the parser (see `parsers` below; taken modulo their
 *             number); bit 4 --explain; bit 5 live text; bit 6 colour;
 *             bit 7 the message is truncated: the parsers see the body as the
 *             captured part of a message TRUNCATED_BY bytes longer
 *   byte 1    the variant, per parser:
 *               Certificate: bit 0 TLS 1.3 form; bit 1 with a certificate
 *                 cache (the message is then parsed twice: miss, then hit);
 *                 bit 2 the chain is validated (bit 3: for a server name)
 *               ServerKeyExchange, ClientKeyExchange: bits 0-3 the cipher
 *                 suite whose key exchange applies (`suites`), bits 4-6
 *                 the negotiated version (`versions`)
 *               CertificateRequest: bit 0 tls12, bit 1 tls13
 *               CertificateVerify: bit 0 tls12
 *               NewSessionTicket: bit 0 tls13
 *               CompressedCertificate: bit 0 not in a TLS 1.3 connection;
 *                 bit 1 with a certificate cache; bit 2 the handshake message
 *                 limit (the cap on uncompressed_length) is 2048 (else 1 MiB)
 *               every parser: bit 5 the message is marked decrypted; bit 6 digests looked up per call (the parse's
 *                 digests left NULL); bit 7 the message came from the other side
 *   the rest  the message body (SSLv2 forms: from the msg_type byte on)
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fuzz_common.h"
#include "tlsdissect/buffer.h"
#include "tlsdissect/certificate.h"
#include "tlsdissect/digest.h"
#include "tls/fingerprint.h"
#include "tls/hello.h"
#include "tls/sslv2.h"
#include "tls/keyexchange.h"
#include "tls/messages.h"
#include "tlsdissect/parse.h"
#include "tlsdissect/validate.h"
#include "tls/dispatch.h"

enum parser {
    P_CLIENT_HELLO,
    P_SSLV2_CLIENT_HELLO,
    P_SERVER_HELLO,
    P_SSLV2_SERVER_HELLO,
    P_CERTIFICATE,
    P_SERVER_KEY_EXCHANGE,
    P_CLIENT_KEY_EXCHANGE,
    P_CERTIFICATE_REQUEST,
    P_CERTIFICATE_VERIFY,
    P_NEW_SESSION_TICKET,
    P_CERTIFICATE_STATUS,
    P_KEY_UPDATE,
    P_ALERT,
    P_ENCRYPTED_EXTENSIONS,
    P_COMPRESSED_CERTIFICATE,
    P_COUNT
};

/* Cipher suites naming each kind of key exchange; 0xffff: before any ServerHello. */
static const uint16_t suites[16] = {
    0xc02f, /* ECDHE_RSA */         0x009e, /* DHE_RSA */
    0x009c, /* RSA */               0x00a8, /* PSK */
    0xc035, /* ECDHE_PSK */         0x00a6, /* DH_anon */
    0x0003, /* RSA_EXPORT */        0x00aa, /* DHE_PSK */
    0x00ac, /* RSA_PSK */           0xc01d, /* SRP_SHA */
    0xc005, /* ECDH_ECDSA */        0xc018, /* ECDH_anon */
    0x1301, /* TLS 1.3 */           0x0014, /* DHE_RSA_EXPORT */
    0x0a0a, /* GREASE: unknown */   0xffff,
};

/* 0: before any ServerHello (what the session passes then). */
static const uint16_t versions[8] = {0x0000, 0x0300, 0x0301, 0x0303,
                                     0x0304, 0x0002, 0xfefd, 0x7f1c};

/* The handshake kind each TLS parser reads (the SSLv2 forms and alerts are read apart). */
static const enum td_msg_kind handshake_kinds[P_COUNT] = {
    [P_CLIENT_HELLO] = TD_MSG_CLIENT_HELLO,
    [P_SERVER_HELLO] = TD_MSG_SERVER_HELLO,
    [P_CERTIFICATE] = TD_MSG_CERTIFICATE,
    [P_SERVER_KEY_EXCHANGE] = TD_MSG_SERVER_KEY_EXCHANGE,
    [P_CLIENT_KEY_EXCHANGE] = TD_MSG_CLIENT_KEY_EXCHANGE,
    [P_CERTIFICATE_REQUEST] = TD_MSG_CERTIFICATE_REQUEST,
    [P_CERTIFICATE_VERIFY] = TD_MSG_CERTIFICATE_VERIFY,
    [P_NEW_SESSION_TICKET] = TD_MSG_NEW_SESSION_TICKET,
    [P_CERTIFICATE_STATUS] = TD_MSG_CERTIFICATE_STATUS,
    [P_KEY_UPDATE] = TD_MSG_KEY_UPDATE,
    [P_ENCRYPTED_EXTENSIONS] = TD_MSG_ENCRYPTED_EXTENSIONS,
    [P_COMPRESSED_CERTIFICATE] = TD_MSG_COMPRESSED_CERTIFICATE,
};
/* Declared bytes past the end of a truncated input: a read of them is past the buffer. */
enum { TRUNCATED_BY = 100 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void emit(struct fuzz_sink *sink, const struct td_event *ev)
{
    td_sink_emit(&sink->sink, ev);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct td_arena arena;
    static struct td_digests digests; /* fetched once, as the engine does per run */
    static bool digests_ready;
    struct td_validation validation;
    struct td_parse p;
    struct td_message m;
    struct td_cert_cache *cache = NULL;
    struct fuzz_sink sink;
    struct td_cur msg;
    const uint8_t *body;
    size_t len;
    uint8_t sel, var;
    enum parser which;
    enum td_side from;
    int rc = -1;
    struct td_kex kex = {NULL, TD_KEXP_NONE, false, TD_SUITE_KEX_OTHER};
    struct td_parse_context ctx = {0, false, &kex, NULL, false, 1u << 20};
    struct td_message extra; /* SSLv2 SERVER-HELLO: its certificate */
    bool have_extra = false;
    struct td_conn_id id = {.conn = 1,
                            .client = {.family = 6, .addr = {0x20, 0x01, 0x0d, 0xb8, [15] = 1},
                                       .port = 51000},
                            .server = {.family = 6, .addr = {0x20, 0x01, 0x0d, 0xb8, [15] = 2},
                                       .port = 443},
                            .vlan = {100},
                            .nvlan = 1};
    td_time_us ts = 1795000000123456LL;

    if (size < 2)
        return 0;
    sel = data[0];
    var = data[1];
    body = data + 2;
    len = size - 2;
    which = (enum parser)((sel & 0x0f) % P_COUNT);
    msg = (sel & 0x80) ? td_cur_make_partial(body, len, len + TRUNCATED_BY)
                       : td_cur_make(body, len);

    if (!digests_ready && !(digests_ready = td_digests_init(&digests)))
        abort();
    memset(&m, 0, sizeof m);
    memset(&extra, 0, sizeof extra);
    memset(&validation, 0, sizeof validation);
    td_parse_begin(&p, &arena);
    if (!(var & 0x40))
        p.digests = &digests; /* else looked up per call, as td_parse_begin leaves it */
    m.record_version = 0x0303;
    m.length = len;
    from = TD_SERVER;

    switch (which) {
    case P_SSLV2_CLIENT_HELLO:
        from = TD_CLIENT;
        m.kind = TD_MSG_CLIENT_HELLO;
        m.record_version = 0x0002;
        rc = td_parse_sslv2_client_hello(&p, body, len, &m.u.client_hello);
        break;
    case P_SSLV2_SERVER_HELLO: {
        struct td_bytes cert = {NULL, 0};
        uint8_t cert_type = 0;
        m.kind = TD_MSG_SERVER_HELLO;
        m.record_version = 0x0002;
        rc = td_parse_sslv2_server_hello(&p, body, len, &m.u.server_hello, &cert, &cert_type);
        if (rc == 0 && cert.len && cert_type == 1) {
            /* as the session presents it: a one-certificate Certificate message */
            extra.kind = TD_MSG_CERTIFICATE;
            extra.record_version = 0x0002;
            extra.length = cert.len;
            extra.from = TD_SERVER;
            extra.parsed = td_parse_single_certificate(&p, cert.data, cert.len, NULL,
                                                       &extra.u.certificate) == 0;
            have_extra = true;
        }
        break;
    }
    case P_CERTIFICATE:
        m.kind = TD_MSG_CERTIFICATE;
        ctx.tls13 = var & 1;
        if (var & 2) {
            cache = td_cert_cache_new(2, &fuzz_key);
            if (cache == NULL)
                abort();
            ctx.certs = cache;
            td_parse_handshake(&p, &ctx, msg, &m); /* a miss, then the hit below */
            td_arena_reset(&arena);
            td_parse_begin(&p, &arena);
            if (!(var & 0x40))
                p.digests = &digests;
            memset(&m.u, 0, sizeof m.u);
        }
        rc = td_parse_handshake(&p, &ctx, msg, &m);
        if (var & 4) {
            /* the server chain validated as the session does (an empty trust
             * store, FUZZ_TRUST_DIR; a new validator, so that its cache carries nothing over) */
            char err[256];
            struct td_validator *v = td_validator_new(NULL, FUZZ_TRUST_DIR, &fuzz_key, err, sizeof err);
            if (v == NULL)
                abort();
            td_validate_chain(v, &m.u.certificate, (var & 8) ? (const uint8_t *)"server.tlsdissect.test" : NULL,
                              (var & 8) ? 22 : 0, 1795000000, &validation);
            td_validator_free(v);
        }
        break;
    case P_COMPRESSED_CERTIFICATE:
        /* the session's dispatch: decompressed, then read as a TLS 1.3 Certificate */
        m.kind = TD_MSG_COMPRESSED_CERTIFICATE;
        ctx.version = (var & 1) ? 0x0303 : 0x0304;
        ctx.tls13 = !(var & 1);
        ctx.max_message = (var & 4) ? 2048 : 1u << 20;
        if (var & 2) {
            cache = td_cert_cache_new(2, &fuzz_key);
            if (cache == NULL)
                abort();
            ctx.certs = cache;
        }
        rc = td_parse_handshake(&p, &ctx, msg, &m);
        break;
    case P_CLIENT_HELLO:
    case P_SERVER_HELLO:
    case P_SERVER_KEY_EXCHANGE:
    case P_CLIENT_KEY_EXCHANGE:
    case P_CERTIFICATE_REQUEST:
    case P_CERTIFICATE_VERIFY:
    case P_NEW_SESSION_TICKET:
    case P_CERTIFICATE_STATUS:
    case P_KEY_UPDATE:
    case P_ENCRYPTED_EXTENSIONS:
        /* the session's own dispatch (src/tls/dispatch.c), with the context the variant names */
        m.kind = handshake_kinds[which];
        if (which == P_SERVER_KEY_EXCHANGE || which == P_CLIENT_KEY_EXCHANGE) {
            if (suites[var & 15] != 0xffff)
                kex = td_kex_of_suite(suites[var & 15]);
            ctx.version = versions[(var >> 4) & 7];
        } else if (which == P_CERTIFICATE_REQUEST || which == P_CERTIFICATE_VERIFY) {
            ctx.version = (var & 1) ? 0x0303 : 0x0301;
            ctx.tls13 = which == P_CERTIFICATE_REQUEST && (var & 2);
        } else if (which == P_NEW_SESSION_TICKET) {
            ctx.tls13 = var & 1;
        }
        if (td_msg_kind_sender(m.kind) == TD_SENT_BY_CLIENT)
            from = TD_CLIENT;
        else if (which == P_CERTIFICATE_VERIFY)
            from = TD_CLIENT;
        rc = td_parse_handshake(&p, &ctx, msg, &m);
        break;
    case P_ALERT:
        m.kind = TD_MSG_ALERT;
        rc = td_parse_alert(&p, body, len, &m.u.alert);
        m.length = 2;
        break;
    case P_COUNT:
        break;
    }
    if (var & 0x80)
        from = from == TD_CLIENT ? TD_SERVER : TD_CLIENT;
    m.from = from;
    m.decrypted = (var & 0x20) != 0; /* as if read from a decrypted record */
    m.handshake_type = (uint8_t)which;
    m.malformed = rc != 0 || (p.failures > 0 && p.kind != TD_ANOM_LIMIT_REACHED);
    m.parsed = rc == 0 || td_message_has_partial_fields(&m);
    m.has_fields = td_msg_kind_has_fields(m.kind);
    if (sel & 0x80) {
        /* the session's truncated form: fields are those of the bytes seen,
         * faults among them are still faults */
        m.truncated = true;
        m.captured = len;
        m.length = len + TRUNCATED_BY;
        m.parsed = true;
        m.malformed = p.failures > 0 && p.kind != TD_ANOM_LIMIT_REACHED;
    }

    fuzz_sink_open(&sink, 1 | ((sel >> 3) & 6) | ((sel >> 3) & 8));
    {
        struct td_event ev = {.type = TD_EV_MESSAGE, .ts = ts, .conn = &id, .u.message = &m};
        emit(&sink, &ev);
    }
    if (have_extra) {
        struct td_event ev = {.type = TD_EV_MESSAGE, .ts = ts, .conn = &id, .u.message = &extra};
        emit(&sink, &ev);
    }
    if (p.failures > 0) {
        struct td_anomaly a;
        struct td_event ev = {.type = TD_EV_ANOMALY, .ts = ts + 1, .conn = &id, .u.anomaly = &a};
        a.kind = p.kind;
        memcpy(a.detail, p.detail, sizeof a.detail);
        emit(&sink, &ev);
    }
    {
        struct td_conn_summary sum;
        struct td_event ev = {.type = TD_EV_CONNECTION, .ts = ts + 2, .conn = &id,
                              .u.connection = &sum};
        memset(&sum, 0, sizeof sum);
        sum.start = ts;
        sum.end = ts + 2;
        sum.tls_seen = true;
        sum.history[0] = (uint8_t)(m.kind << 1 | m.from);
        sum.history_len = 1;
        sum.anomalies = p.failures;
        if (m.parsed && (m.kind == TD_MSG_SERVER_HELLO || m.kind == TD_MSG_HELLO_RETRY_REQUEST)) {
            sum.has_version = true;
            sum.version = m.u.server_hello.version;
            sum.has_cipher_suite = m.u.server_hello.has_cipher_suite;
            sum.cipher_suite = m.u.server_hello.cipher_suite;
        }
        sum.validation = validation;
        if (m.parsed && m.kind == TD_MSG_ALERT) {
            sum.alerts[0].from = m.from;
            sum.alerts[0].alert = m.u.alert;
            sum.alert_count = 1;
        }
        emit(&sink, &ev);
    }
    {
        struct td_stats st;
        struct td_event ev = {.type = TD_EV_STATS, .ts = ts + 3, .u.stats = &st};
        memset(&st, 0, sizeof st);
        st.packets = 1;
        st.connections = 1;
        emit(&sink, &ev);
    }
    fuzz_sink_close(&sink);
    td_cert_cache_free(cache);
    td_arena_reset(&arena);
    return 0;
}
