/*
 * sslv2.c — SSL 2.0 records in clear (draft-hickman-netscape-ssl-00 §2.5-2.6;
 * the SSLv2-compatible CLIENT-HELLO of RFC 5246 Appendix E.2, RFC 6101
 * Appendix E.1): CLIENT-HELLO, SERVER-HELLO (with the certificate it carries)
 * and CLIENT-MASTER-KEY, read as the messages the writers know.
 */
#include "tls/sslv2.h"

#include <string.h>

#include "tlsdissect/cursor.h"

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
    if (td_cur_remaining(&c))
        td_parse_fail(p, TD_ANOM_BAD_LENGTH, "SSLv2 ClientHello: %zu bytes after the challenge",
                      td_cur_remaining(&c));

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

/*
 *   uint8 msg_type = 2; V2CipherSpec cipher_kind; uint16 clear_key_length;
 *   uint16 encrypted_key_length; uint16 key_arg_length; ...
 */
static void read_client_master_key(struct td_parse *p, const uint8_t *msg, size_t len,
                                   struct td_message *m)
{
    struct td_cur c = td_cur_make(msg, len);
    uint16_t clear_len, enc_len;
    m->kind = TD_MSG_CLIENT_KEY_EXCHANGE;
    m->u.client_key_exchange.kex = "RSA";
    m->parsed = td_cur_skip(&c, 4) && td_cur_u16(&c, &clear_len) && td_cur_u16(&c, &enc_len);
    if (m->parsed)
        m->u.client_key_exchange.length = enc_len;
    else
        td_parse_cur_fail(p, &c, "SSLv2 ClientMasterKey");
}

void td_sslv2_read(struct td_parse *p, const uint8_t *msg, size_t len, struct td_cert_cache *certs,
                   struct td_sslv2_messages *out)
{
    struct td_cur c = td_cur_make(msg, len);
    uint8_t type = 0xff;

    memset(out, 0, sizeof *out);
    td_cur_u8(&c, &type);
    out->msg.record_version = 0x0002;
    out->msg.length = len;
    switch (type) {
    case TD_SSLV2_CLIENT_HELLO:
        out->kind = TD_SSLV2_CLIENT_HELLO;
        out->msg.kind = TD_MSG_CLIENT_HELLO;
        out->msg.parsed = td_parse_sslv2_client_hello(p, msg, len, &out->msg.u.client_hello) == 0;
        break;
    case TD_SSLV2_SERVER_HELLO: {
        struct td_bytes cert;
        uint8_t cert_type = 0;
        out->kind = TD_SSLV2_SERVER_HELLO;
        out->msg.kind = TD_MSG_SERVER_HELLO;
        out->msg.parsed = td_parse_sslv2_server_hello(p, msg, len, &out->msg.u.server_hello, &cert,
                                                      &cert_type) == 0;
        if (out->msg.parsed && cert.len && cert_type == 1) { /* SSL_CT_X509_CERTIFICATE */
            struct td_message *m = &out->certificate;
            out->has_certificate = true;
            m->kind = TD_MSG_CERTIFICATE;
            m->record_version = 0x0002;
            m->length = cert.len;
            m->parsed = td_parse_single_certificate(p, cert.data, cert.len, certs,
                                                    &m->u.certificate) == 0;
        }
        break;
    }
    case TD_SSLV2_CLIENT_MASTER_KEY:
        out->kind = TD_SSLV2_CLIENT_MASTER_KEY;
        read_client_master_key(p, msg, len, &out->msg);
        break;
    default:
        out->kind = TD_SSLV2_OTHER;
        break;
    }
}
