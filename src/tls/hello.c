/*
 * hello.c — ClientHello (RFC 8446 §4.1.2, RFC 5246 §7.4.1.2), the
 * SSLv2-compatible CLIENT-HELLO (RFC 5246 Appendix E.2, RFC 6101 E.1) and
 * ServerHello / HelloRetryRequest (RFC 8446 §4.1.3-4.1.4); DTLS's
 * ClientHello cookie and HelloVerifyRequest (RFC 6347 §4.2.1):
 *
 *   struct {                                 struct {
 *       ProtocolVersion client_version;          ProtocolVersion server_version;
 *       Random random;                           opaque cookie<0..2^8-1>;
 *       SessionID session_id;                } HelloVerifyRequest;
 *       opaque cookie<0..2^8-1>;    -- DTLS
 *       ...                         -- as in TLS
 *   } ClientHello;
 *
 *   struct {
 *       ProtocolVersion legacy_version = 0x0303;
 *       Random random;
 *       opaque legacy_session_id<0..32>;
 *       CipherSuite cipher_suites<2..2^16-2>;
 *       opaque legacy_compression_methods<1..2^8-1>;
 *       Extension extensions<8..2^16-1>;      -- absent in older hellos
 *   } ClientHello;
 *
 *   struct {
 *       ProtocolVersion legacy_version = 0x0303;
 *       Random random;
 *       opaque legacy_session_id_echo<0..32>;
 *       CipherSuite cipher_suite;
 *       uint8 legacy_compression_method = 0;
 *       Extension extensions<6..2^16-1>;
 *   } ServerHello;
 *
 * Extensions the capture cut are walked for faults (a lying length in an
 * extension captured whole is reported, RFC 8446 §4.2 framing) but keep no
 * field: a list is absent when its bytes were not all captured.
 */
#include "tls/hello.h"

#include <string.h>

/* SHA-256("HelloRetryRequest"), RFC 8446 §4.1.3. */
static const uint8_t hrr_random[32] = {
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
};

static int client_hello(struct td_parse *p, struct td_cur body, bool dtls,
                        struct td_client_hello *ch)
{
    struct td_cur c = body, v;

    memset(ch, 0, sizeof *ch);
    if (!td_cur_u16(&c, &ch->legacy_version))
        return td_parse_cur_fail(p, &c, "ClientHello.legacy_version");
    ch->random.data = td_cur_ptr(&c);
    if (!td_cur_skip(&c, 32))
        return td_parse_cur_fail(p, &c, "ClientHello.random");
    ch->random.len = 32; /* only once there: a truncated hello is still written */
    if (!td_cur_vec(&c, 1, 0, 32, 1, &v))
        return td_parse_cur_fail(p, &c, "ClientHello.session_id");
    ch->session_id = td_parse_rest(&v);
    if (dtls) {
        if (!td_cur_vec(&c, 1, 0, 0xff, 1, &v))
            return td_parse_cur_fail(p, &c, "ClientHello.cookie");
        ch->cookie = td_parse_rest(&v);
        ch->has_cookie = true;
    }
    if (!td_cur_vec(&c, 2, 2, 0xfffe, 2, &v))
        return td_parse_cur_fail(p, &c, "ClientHello.cipher_suites");
    if (td_parse_u16_list(p, &v, &ch->cipher_suites) != 0)
        return -1;
    ch->cipher_suites.omitted = td_parse_list_cap(p, ch->cipher_suites.n, TD_MAX_LISTED_CIPHER_SUITES,
                                                  "cipher_suites", "ClientHello.cipher_suites");
    ch->has_cipher_suites = true;
    if (!td_cur_vec(&c, 1, 1, 0xff, 1, &v))
        return td_parse_cur_fail(p, &c, "ClientHello.compression_methods");
    ch->compression_methods = td_parse_rest(&v);
    ch->has_compression_methods = true;
    if (td_cur_declared(&c) == 0) {
        ch->has_extensions = true; /* none (SSL 3.0 style) */
        return 0;
    }
    if (!td_cur_vec(&c, 2, 0, 0xffff, 1, &v)) {
        struct td_client_hello not_kept = {0};
        if (c.status == TD_CUR_TRUNCATED) /* the faults among what was captured, no field */
            td_parse_client_extensions(p, &v, &not_kept);
        return td_parse_cur_fail(p, &c, "ClientHello.extensions");
    }
    ch->has_extensions = true;
    td_parse_client_extensions(p, &v, ch);
    if (td_cur_declared(&c) != 0)
        td_parse_fail(p, TD_ANOM_BAD_LENGTH, "ClientHello: %zu bytes after the extensions",
                      td_cur_declared(&c));
    return 0;
}

int td_parse_client_hello(struct td_parse *p, struct td_cur body, struct td_client_hello *ch)
{
    return client_hello(p, body, false, ch);
}

int td_parse_dtls_client_hello(struct td_parse *p, struct td_cur body, struct td_client_hello *ch)
{
    return client_hello(p, body, true, ch);
}

int td_parse_hello_verify_request(struct td_parse *p, struct td_cur body,
                                  struct td_hello_verify_request *hvr)
{
    struct td_cur c = body, v;

    memset(hvr, 0, sizeof *hvr);
    if (!td_cur_u16(&c, &hvr->server_version))
        return td_parse_cur_fail(p, &c, "HelloVerifyRequest.server_version");
    if (!td_cur_vec(&c, 1, 0, 0xff, 1, &v))
        return td_parse_cur_fail(p, &c, "HelloVerifyRequest.cookie");
    hvr->cookie = td_parse_rest(&v);
    if (td_cur_declared(&c) != 0)
        td_parse_fail(p, TD_ANOM_BAD_LENGTH, "HelloVerifyRequest: %zu bytes after the cookie",
                      td_cur_declared(&c));
    return 0;
}

int td_parse_server_hello(struct td_parse *p, struct td_cur body, struct td_server_hello *sh,
                          bool *is_hrr)
{
    struct td_cur c = body, v;

    memset(sh, 0, sizeof *sh);
    *is_hrr = false;
    if (!td_cur_u16(&c, &sh->legacy_version))
        return td_parse_cur_fail(p, &c, "ServerHello.legacy_version");
    sh->version = sh->legacy_version;
    sh->random.data = td_cur_ptr(&c);
    if (!td_cur_skip(&c, 32))
        return td_parse_cur_fail(p, &c, "ServerHello.random");
    sh->random.len = 32; /* only once there: a truncated hello is still written */
    *is_hrr = memcmp(sh->random.data, hrr_random, 32) == 0;
    if (!td_cur_vec(&c, 1, 0, 32, 1, &v))
        return td_parse_cur_fail(p, &c, "ServerHello.session_id");
    sh->session_id = td_parse_rest(&v);
    if (!td_cur_u16(&c, &sh->cipher_suite) || !td_cur_u8(&c, &sh->compression_method))
        return td_parse_cur_fail(p, &c, "ServerHello.cipher_suite");
    sh->has_cipher_suite = true;
    if (td_cur_declared(&c) == 0) {
        sh->has_extensions = true;
        return 0;
    }
    if (!td_cur_vec(&c, 2, 0, 0xffff, 1, &v)) {
        struct td_server_hello not_kept = {0};
        if (c.status == TD_CUR_TRUNCATED) /* the faults among what was captured, no field */
            td_parse_server_extensions(p, &v, &not_kept, *is_hrr);
        return td_parse_cur_fail(p, &c, *is_hrr ? "HelloRetryRequest.extensions"
                                                : "ServerHello.extensions");
    }
    sh->has_extensions = true;
    td_parse_server_extensions(p, &v, sh, *is_hrr);
    if (td_cur_declared(&c) != 0)
        td_parse_fail(p, TD_ANOM_BAD_LENGTH, "ServerHello: %zu bytes after the extensions",
                      td_cur_declared(&c));
    return 0;
}
