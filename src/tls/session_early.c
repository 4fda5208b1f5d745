/*
 * session_early.c — TLS 1.3 0-RTT early data (RFC 8446 §2.3, §4.2.10,
 * §7.1): whether the server accepted it, and the client's early records.
 *
 * A first ClientHello with early_data makes the connection's early_data
 * "offered"; a HelloRetryRequest, a ServerHello of an older version or
 * without pre_shared_key (or selecting another identity than the first,
 * §4.2.11) or a decrypted EncryptedExtensions without early_data make it
 * "rejected", one with it "accepted".
 *
 * With CLIENT_EARLY_TRAFFIC_SECRET in the key log, the client's
 * application_data records after its ClientHello are opened with the early
 * traffic secret.  Its suite is the PSK's, which the ClientHello does not
 * name, and the records usually come before the ServerHello: the first
 * early record is tried with each TLS 1.3 AEAD suite whose hash fits the
 * secret's length (an AEAD tag authenticates under one key only), and the
 * one that opens it is kept.  The early records end with EndOfEarlyData
 * (accepted), or with the first client record that opens with the client's
 * handshake traffic secret instead (rejected: its handshake flight, read by
 * session_decrypt.c).
 *
 * Without the early secret (or when it opens nothing), early records after
 * the ServerHello do not open with the client's handshake traffic secret:
 * like the server (§4.2.10) they are skipped, at most TD_EARLY_SKIP_MAX of
 * them, until the client's first record that does open; they are not
 * decryption failures.  So are records after the ServerHello that open
 * under neither secret before that one.
 */
#include "tls/session_private.h"

#include <openssl/crypto.h>
#include <stdlib.h>

#include "tls/record_protection.h"

/* Early records skipped before a client record that does not open is a decryption failure. */
#define TD_EARLY_SKIP_MAX 64

/* The TLS 1.3 AEAD suites the early secret is tried with (RFC 8446 §B.4). */
static const uint16_t tls13_suites[] = {0x1301, 0x1302, 0x1303, 0x1304, 0x1305};

struct td_tls13_early {
    struct td_rp *rp;      /* the early traffic secret's protector, once its suite is known */
    bool have_secret;      /* the key log has CLIENT_EARLY_TRAFFIC_SECRET (and it opened the first record) */
    bool over;             /* EndOfEarlyData read, or the client's handshake records began */
    unsigned skipped;      /* early records skipped without being opened */
};

static bool early_client_record(const struct td_tls_session *s, int side)
{
    return s->early != NULL && !s->early->over && td_sess_role(s, side) == TD_CLIENT;
}

void td_sess_early_client_hello(struct td_tls_session *s)
{
    s->conn->sum.early_data = TD_EARLY_DATA_OFFERED;
    if (s->early != NULL || !s->has_client_random)
        return; /* no key log: early records are counted as application data, as before */
    s->early = calloc(1, sizeof *s->early);
    if (s->early == NULL)
        return; /* like no early secret: the early records are skipped after the ServerHello */
    s->early->have_secret =
        td_keylog_has(s->env->keylog, s->client_random, TD_KEYLOG_CLIENT_EARLY_TRAFFIC_SECRET);
}

void td_sess_early_free(struct td_tls_session *s)
{
    if (s->early == NULL)
        return;
    td_rp_free(s->early->rp);
    free(s->early);
    s->early = NULL;
}

static void decide(struct td_tls_session *s, bool accepted)
{
    if (s->conn->sum.early_data == TD_EARLY_DATA_OFFERED)
        s->conn->sum.early_data = accepted ? TD_EARLY_DATA_ACCEPTED : TD_EARLY_DATA_REJECTED;
}

void td_sess_early_server_hello(struct td_tls_session *s, const struct td_server_hello *sh, bool is_hrr)
{
    if (!is_hrr && sh->version != TD_VERSION_TLS_1_3) {
        /* an older version has no 0-RTT: the client's records are that version's */
        decide(s, false);
        td_sess_early_free(s);
        return;
    }
    /* §4.2.10: a HelloRetryRequest rejects 0-RTT; so does a PSK other than the first */
    if (is_hrr || !sh->has_pre_shared_key || sh->psk_selected_identity != 0)
        decide(s, false);
}

void td_sess_early_extensions(struct td_tls_session *s, const struct td_encrypted_extensions *ee)
{
    decide(s, ee->early_data);
}

void td_sess_early_end(struct td_tls_session *s)
{
    if (s->early)
        s->early->over = true;
}

bool td_sess_early_needs_bodies(const struct td_tls_session *s, int side)
{
    return early_client_record(s, side) && s->early->have_secret;
}

/* The first early record: the suite whose protector opens it with the early secret. */
static enum td_rp_status open_first(struct td_tls_session *s, const uint8_t header[5],
                                    const struct td_record *r, size_t *len, uint8_t *type)
{
    struct td_tls13_early *e = s->early;
    uint8_t secret[TD_KEYLOG_SECRET_MAX];
    size_t secret_len = td_keylog_secret(s->env->keylog, s->client_random,
                                         TD_KEYLOG_CLIENT_EARLY_TRAFFIC_SECRET, secret);
    enum td_rp_status st = TD_RP_AUTH_FAILED;

    for (size_t i = 0; secret_len && i < sizeof tls13_suites / sizeof tls13_suites[0]; i++) {
        enum td_rp_status made;
        struct td_rp *rp = td_rp_new(tls13_suites[i], &made);
        if (rp == NULL || td_rp_set_secret(rp, secret, secret_len) != TD_RP_OK) {
            td_rp_free(rp); /* not in this libcrypto, or not the secret's hash */
            continue;
        }
        st = td_rp_open(rp, header, r->body, r->length, s->env->plaintext, len, type);
        if (st == TD_RP_OK) {
            e->rp = rp;
            break;
        }
        td_rp_free(rp);
    }
    OPENSSL_cleanse(secret, sizeof secret);
    return st;
}

/* The inner content of an early record: application data (counted), or EndOfEarlyData. */
static void read_early_content(struct td_tls_session *s, int side, const struct td_record *r,
                               size_t len, uint8_t type)
{
    struct td_record inner = {.version = r->version, .index = r->index, .type = type,
                              .length = len, .body = s->env->plaintext};
    char ct[TD_REG_NAME_BUF];

    s->conn->sum.has_early_data_bytes = true;
    s->dir[side].reading_decrypted = true;
    s->dir[side].reading_with = TD_PROTECTION_TLS13_EARLY;
    if (type == TD_CT_APPLICATION_DATA)
        s->conn->sum.early_data_bytes += len;
    else if (type == TD_CT_HANDSHAKE)
        td_sess_read_handshake_record(s, side, &inner);
    else if (type == TD_CT_ALERT)
        td_sess_on_alert(s, side, &inner);
    else
        td_conn_anomaly(s->conn, TD_ANOM_UNEXPECTED_MESSAGE, s->now,
                        "record[%llu] (%s, 0-RTT): decrypted content type %s is not allowed "
                        "inside a TLS 1.3 record (RFC 8446 §5.1)",
                        (unsigned long long)r->index, td_sess_direction(s, side),
                        td_registry_name(TD_REG_CONTENT_TYPES, type, ct));
    s->dir[side].reading_decrypted = false;
    OPENSSL_cleanse(s->env->plaintext, len);
}

bool td_sess_early_record(struct td_tls_session *s, int side, const struct td_record *r)
{
    struct td_tls13_early *e = s->early;
    const uint8_t header[5] = {r->type, (uint8_t)(r->version >> 8), (uint8_t)r->version,
                               (uint8_t)(r->length >> 8), (uint8_t)r->length};
    enum td_rp_status st;
    size_t len = 0;
    uint8_t type = 0;

    if (!early_client_record(s, side) || !e->have_secret)
        return false;
    if (r->body == NULL || r->truncated || r->lost_after || r->length > TD_RECORD_MAX) {
        /* not kept whole: it uses up its number, and is counted as the client's data */
        if (e->rp)
            td_rp_skip(e->rp);
        td_sess_add_app_bytes(s, side, r->length);
        return true;
    }
    st = e->rp ? td_rp_open(e->rp, header, r->body, r->length, s->env->plaintext, &len, &type)
               : open_first(s, header, r, &len, &type);
    if (st == TD_RP_OK) {
        read_early_content(s, side, r, len, type);
        return true;
    }
    if (e->rp == NULL) {
        /* the secret opens no early record: skip them as without it */
        e->have_secret = false;
        return false;
    }
    /* the client's handshake flight (session_decrypt.c then ends the early
     * records), or a record that opens under no key (skipped there, bounded) */
    return false;
}

bool td_sess_early_skip(struct td_tls_session *s, int side)
{
    struct td_tls13_early *e = s->early;

    if (!early_client_record(s, side) || e->skipped >= TD_EARLY_SKIP_MAX)
        return false;
    /* the skipped record must not use up a number of the handshake traffic secret */
    if (!td_sess_restart_handshake_secret(s, side))
        return false;
    e->skipped++;
    /* accepted early data ends with an EndOfEarlyData that may be in this record: it is
     * part of the client's transcript (RFC 8446 §4.5), so its Finished gets no verdict */
    if (s->conn->sum.early_data != TD_EARLY_DATA_REJECTED)
        td_sess_transcript_lose(s, "a 0-RTT record (client to server) could not be opened without "
                                   "CLIENT_EARLY_TRAFFIC_SECRET (its EndOfEarlyData is in the transcript)");
    return true;
}

void td_sess_early_handshake_opened(struct td_tls_session *s, int side)
{
    if (early_client_record(s, side))
        s->early->over = true;
}

unsigned td_sess_early_skipped(const struct td_tls_session *s)
{
    return s->early ? s->early->skipped : 0;
}
