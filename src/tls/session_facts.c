/*
 * session_facts.c — what the handshake shows for the connection record
 * (model.h struct td_conn_record): the negotiated group (RFC 8446 §4.2.8,
 * RFC 8422 §5.4), the leaf certificates (RFC 5280), the client's offer, and
 * the evidence the findings are decided from: renegotiation_info and its
 * SCSV (RFC 5746 §3.4, §3.6), TLS_FALLBACK_SCSV (RFC 7507 §4), heartbeat
 * (RFC 6520 §2), compression (RFC 5246 §7.4.1.2), encrypted_client_hello
 * (RFC 9849 §5, §7.2.1), the key sizes and signatures of the server chain.
 * It only records; src/model/findings.c judges.
 */
#include <string.h>

#include "tlsdissect/codepoints.h"
#include "tlsdissect/connection.h"
#include "tls/session_private.h"

static bool has_code(const struct td_u16_list *l, uint16_t v)
{
    for (size_t i = 0; i < l->n; i++)
        if (l->v[i] == v)
            return true;
    return false;
}

/* A self-signed certificate (a root sent along) is trusted for itself, not for its signature. */
static bool self_issued(const struct td_cert_info *c)
{
    return c->subject && c->issuer && strcmp(c->subject, c->issuer) == 0;
}

static void note_server_chain(struct td_conn_record *r, const struct td_certificate *chain)
{
    for (size_t i = 0; i < chain->count; i++) {
        const struct td_cert_info *c = &chain->certs[i];
        if (!c->parsed)
            continue;
        if (c->key_type && c->key_bits > 0) {
            bool rsa_like = strncmp(c->key_type, "RSA", 3) == 0 || strcmp(c->key_type, "DSA") == 0;
            bool ec = strcmp(c->key_type, "EC") == 0;
            if (rsa_like && (r->weakest_rsa_bits == 0 || c->key_bits < r->weakest_rsa_bits)) {
                r->weakest_rsa_bits = c->key_bits;
                r->weakest_rsa_cert = (int)i;
            }
            if (ec && (r->weakest_ec_bits == 0 || c->key_bits < r->weakest_ec_bits)) {
                r->weakest_ec_bits = c->key_bits;
                r->weakest_ec_cert = (int)i;
            }
        }
        if (r->sha1_signed_cert == 0 && c->signature_algorithm && !self_issued(c) &&
            (strstr(c->signature_algorithm, "sha1") || strstr(c->signature_algorithm, "SHA1")))
            r->sha1_signed_cert = (int)i + 1;
    }
}

static void note_client_hello(struct td_conn_record *r, const struct td_client_hello *ch)
{
    if (r->has_client_suites || !ch->has_cipher_suites)
        return; /* the first ClientHello's offer */
    r->has_client_suites = true;
    r->client_cipher_suites = ch->cipher_suites.n + ch->sslv2_only_kinds;
    r->fallback_scsv = has_code(&ch->cipher_suites, TD_CS_TLS_FALLBACK_SCSV);
    r->client_secure_renegotiation = has_code(&ch->cipher_suites, TD_CS_TLS_EMPTY_RENEGOTIATION_INFO_SCSV) ||
                                     has_code(&ch->extensions, TD_EXT_RENEGOTIATION_INFO);
    r->heartbeat[TD_CLIENT] = has_code(&ch->extensions, TD_EXT_HEARTBEAT);
    r->ech_offered = has_code(&ch->extensions, TD_EXT_ENCRYPTED_CLIENT_HELLO);
}

static void note_server_hello(struct td_conn_record *r, const struct td_server_hello *sh)
{
    r->compression_method = sh->compression_method;
    r->server_secure_renegotiation = has_code(&sh->extensions, TD_EXT_RENEGOTIATION_INFO);
    r->heartbeat[TD_SERVER] = has_code(&sh->extensions, TD_EXT_HEARTBEAT);
    /* RFC 8446 §4.2.9: psk_ke resumes without (EC)DHE */
    r->psk_without_dhe = sh->version == TD_VERSION_TLS_1_3 && sh->has_pre_shared_key && !sh->has_key_share;
    if (sh->has_key_share) {
        r->has_group = true;
        r->group = sh->key_share;
    }
}

void td_sess_note_facts(struct td_tls_session *s, enum td_side from, const struct td_message *m)
{
    struct td_conn_record *r = &s->conn->sum.record;

    switch (m->kind) {
    case TD_MSG_CLIENT_HELLO:
        note_client_hello(r, &m->u.client_hello);
        break;
    case TD_MSG_SERVER_HELLO:
        note_server_hello(r, &m->u.server_hello);
        break;
    case TD_MSG_HELLO_RETRY_REQUEST:
        /* RFC 9849 §7.2.1: only a server that accepted ECH confirms it in its HRR */
        if (has_code(&m->u.server_hello.extensions, TD_EXT_ENCRYPTED_CLIENT_HELLO))
            r->ech_hrr_confirmed = true;
        break;
    case TD_MSG_ENCRYPTED_EXTENSIONS:
        /* RFC 9849 §7.1: retry_configs go only with a ClientHelloOuter the server did not accept */
        if (has_code(&m->u.encrypted_extensions.extensions, TD_EXT_ENCRYPTED_CLIENT_HELLO))
            r->ech_retry_configs = true;
        break;
    case TD_MSG_CERTIFICATE:
        if (from == TD_CLIENT) {
            td_conn_set_client_certs(s->conn, &m->u.certificate);
        } else if (!r->leaf[TD_SERVER].known && m->u.certificate.count > 0) {
            td_conn_set_leaf(s->conn, TD_SERVER, &m->u.certificate.certs[0]);
            note_server_chain(r, &m->u.certificate);
        }
        break;
    case TD_MSG_SERVER_KEY_EXCHANGE:
        if (m->u.server_key_exchange.has_group) {
            r->has_group = true;
            r->group = m->u.server_key_exchange.group;
        }
        if (m->u.server_key_exchange.dh_prime_bits)
            r->dh_prime_bits = m->u.server_key_exchange.dh_prime_bits;
        break;
    case TD_MSG_CLIENT_KEY_EXCHANGE:
        /* the client's Certificate would have come first (SSL 2.0 sends it encrypted, later) */
        if (m->record_version != TD_VERSION_SSL_2_0)
            r->client_certs_known = true;
        break;
    case TD_MSG_FINISHED:
        if (from == TD_CLIENT && m->decrypted)
            r->client_certs_known = true; /* TLS 1.3: after the client's Certificate, if any */
        break;
    default:
        break;
    }
}
