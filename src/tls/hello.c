/*
 * hello.c — ClientHello (RFC 8446 §4.1.2, RFC 5246 §7.4.1.2), the
 * SSLv2-compatible CLIENT-HELLO (RFC 5246 Appendix E.2, RFC 6101 E.1) and
 * ServerHello / HelloRetryRequest (RFC 8446 §4.1.3-4.1.4).
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
#include "tlsdissect/hello.h"

#include <string.h>

/* SHA-256("HelloRetryRequest"), RFC 8446 §4.1.3. */
static const uint8_t hrr_random[32] = {
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
};

int td_parse_client_hello(struct td_parse *p, struct td_cur body, struct td_client_hello *ch)
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

/*
 *   uint8 msg_type = 1; uint16 version; uint16 cipher_spec_length;
 *   uint16 session_id_length; uint16 challenge_length;
 *   V2CipherSpec cipher_specs[cipher_spec_length];   -- 3 bytes each
 *   opaque session_id[session_id_length]; opaque challenge[challenge_length];
 */
int td_parse_sslv2_client_hello(struct td_parse *p, const uint8_t *msg, size_t len,
                                struct td_client_hello *ch)
{
    struct td_cur c = td_cur_make(msg, len), specs, sid, chal;
    uint8_t type;
    uint16_t cs_len, sid_len, chal_len;
    uint16_t *suites;
    uint8_t *random;
    size_t n = 0;

    memset(ch, 0, sizeof *ch);
    ch->sslv2_format = true;
    if (!td_cur_u8(&c, &type) || !td_cur_u16(&c, &ch->legacy_version) ||
        !td_cur_u16(&c, &cs_len) || !td_cur_u16(&c, &sid_len) || !td_cur_u16(&c, &chal_len))
        return td_parse_cur_fail(p, &c, "SSLv2 ClientHello header");
    if (cs_len % 3 != 0)
        return td_parse_fail(p, TD_ANOM_BAD_LENGTH,
                             "SSLv2 ClientHello.cipher_specs: length %u is not a multiple of 3",
                             cs_len);
    if (!td_cur_sub(&c, cs_len, &specs))
        return td_parse_cur_fail(p, &c, "SSLv2 ClientHello.cipher_specs");
    if (!td_cur_sub(&c, sid_len, &sid))
        return td_parse_cur_fail(p, &c, "SSLv2 ClientHello.session_id");
    if (chal_len < 16 || chal_len > 32)
        return td_parse_fail(p, TD_ANOM_BAD_LENGTH,
                             "SSLv2 ClientHello.challenge: length %u outside <16..32>", chal_len);
    if (!td_cur_sub(&c, chal_len, &chal))
        return td_parse_cur_fail(p, &c, "SSLv2 ClientHello.challenge");

    suites = td_arena_alloc(p->arena, (cs_len / 3 + 1) * sizeof *suites);
    random = td_arena_alloc(p->arena, 32);
    if (suites == NULL || random == NULL)
        return td_parse_fail(p, TD_ANOM_OUT_OF_MEMORY, "out of memory");
    while (td_cur_remaining(&specs)) {
        uint8_t kind_hi = 0;
        uint16_t kind_lo = 0;
        td_cur_u8(&specs, &kind_hi);
        td_cur_u16(&specs, &kind_lo);
        if (kind_hi == 0)
            suites[n++] = kind_lo; /* a TLS cipher suite in V2 form */
        else
            ch->sslv2_only_kinds++;
    }
    ch->cipher_suites.v = suites;
    ch->cipher_suites.n = n;
    ch->cipher_suites.omitted = td_parse_list_cap(p, n, TD_MAX_LISTED_CIPHER_SUITES, "cipher_suites",
                                                  "SSLv2 ClientHello.cipher_specs");
    ch->has_cipher_suites = ch->has_compression_methods = ch->has_extensions = true;
    ch->session_id = td_parse_rest(&sid);
    /* The challenge, right-aligned into a 32-byte random (RFC 5246 E.2). */
    memcpy(random + (32 - chal_len), td_cur_ptr(&chal), chal_len);
    ch->random.data = random;
    ch->random.len = 32;
    ch->compression_methods.data = (const uint8_t *)"\0";
    ch->compression_methods.len = 1;
    (void)type;
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

/*
 *   uint8 msg_type = 4; uint8 session_id_hit; uint8 certificate_type;
 *   uint16 server_version; uint16 certificate_length; uint16 cipher_specs_length;
 *   uint16 connection_id_length; opaque certificate[...]; V2CipherSpec cipher_specs[...];
 *   opaque connection_id[...];
 */
int td_parse_sslv2_server_hello(struct td_parse *p, const uint8_t *msg, size_t len,
                                struct td_server_hello *sh, struct td_bytes *cert,
                                uint8_t *cert_type)
{
    struct td_cur c = td_cur_make(msg, len), certs, specs, conn_id;
    uint8_t type, hit;
    uint16_t version, cert_len, cs_len, cid_len;

    memset(sh, 0, sizeof *sh);
    sh->sslv2_format = true;
    cert->data = NULL;
    cert->len = 0;
    if (!td_cur_u8(&c, &type) || !td_cur_u8(&c, &hit) || !td_cur_u8(&c, cert_type) ||
        !td_cur_u16(&c, &version) || !td_cur_u16(&c, &cert_len) || !td_cur_u16(&c, &cs_len) ||
        !td_cur_u16(&c, &cid_len))
        return td_parse_cur_fail(p, &c, "SSLv2 ServerHello header");
    if (!td_cur_sub(&c, cert_len, &certs))
        return td_parse_cur_fail(p, &c, "SSLv2 ServerHello.certificate");
    if (!td_cur_sub(&c, cs_len, &specs))
        return td_parse_cur_fail(p, &c, "SSLv2 ServerHello.cipher_specs");
    if (!td_cur_sub(&c, cid_len, &conn_id))
        return td_parse_cur_fail(p, &c, "SSLv2 ServerHello.connection_id");
    sh->legacy_version = version;
    sh->version = version;
    sh->random = td_parse_rest(&conn_id);
    *cert = td_parse_rest(&certs);
    (void)type;
    (void)hit;
    return 0;
}
