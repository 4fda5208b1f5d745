/*
 * session_decrypt12.c — TLS 1.0-1.2 record protection with the key log's
 * master secret (CLIENT_RANDOM lines; RFC 5246 §6.1-6.3, §7.1).  At the
 * ServerHello both sides' keys are derived from the master secret and both
 * randoms (record_protection12.c); each side's records are opened from its
 * ChangeCipherSpec on (sequence number 0) and read as if sent in clear: the
 * encrypted Finished becomes a Finished, alerts clear Alerts, application
 * data is counted.  A record that does not authenticate ends decryption
 * for the connection: it and the later records are labelled as without
 * keys.  Without a key log no record is looked at for this: the session
 * keeps a NULL pointer.
 *
 * DTLS 1.0/1.2 (RFC 6347 §4.1, §4.1.2.1): the same keys protect epoch 1,
 * whose records each carry their sequence number and are opened with it,
 * in whatever order they come, even before the ChangeCipherSpec that began
 * the epoch (it may come later or be lost).  A record that does not
 * authenticate is reported and skipped, and the later ones are still
 * opened: a forged or damaged datagram is ordinary in UDP, and its peer
 * drops it too (RFC 6347 §4.1.2.7).  The connection's decryption is
 * failed while records failed and none opened.  Later epochs
 * (renegotiation) are not followed.
 */
#include "tls/session_private.h"

#include <string.h>

#include <openssl/crypto.h>
#include <stdlib.h>

#include "tls/record_protection12.h"

/* TLS 1.0-1.2 decryption of one connection. */
struct td_tls12_decrypt {
    struct td_rp12 *next[2];    /* by flow side: the keys its next ChangeCipherSpec starts */
    struct td_rp12 *current[2]; /* the keys its records are opened with; NULL: not (yet) */
    bool dtls_opened;           /* DTLS: a record opened */
};

void td_sess_stop_decrypting12(struct td_tls_session *s)
{
    if (s->dec12 == NULL)
        return;
    for (int i = 0; i < 2; i++) {
        td_rp12_free(s->dec12->next[i]);
        td_rp12_free(s->dec12->current[i]);
    }
    free(s->dec12);
    s->dec12 = NULL;
}

void td_sess_note_server_hello12(struct td_tls_session *s, const struct td_server_hello *sh)
{
    struct td_tls12_hello *h = &s->hello12;

    if (h->known || sh->random.len != 32)
        return; /* the first ServerHello's (a renegotiation's keys are not followed) */
    h->known = true;
    h->version = sh->version;
    h->suite = sh->cipher_suite;
    memcpy(h->server_random, sh->random.data, 32);
    for (size_t i = 0; s->offered_encrypt_then_mac && i < sh->extensions.n; i++)
        if (sh->extensions.v[i] == TD_EXT_ENCRYPT_THEN_MAC)
            h->encrypt_then_mac = true;
}

void td_sess_start_decrypting12(struct td_tls_session *s)
{
    struct td_conn_summary *sum = &s->conn->sum;
    const struct td_tls12_hello *sh = &s->hello12;
    uint8_t master[TD_KEYLOG_SECRET_MAX];
    char name[TD_REG_NAME_BUF];
    enum td_rp_status st = TD_RP_OK;

    if (s->dec12 != NULL || !sh->known ||
        !td_keylog_has(s->env->keylog, s->client_random, TD_KEYLOG_CLIENT_RANDOM))
        return; /* decryption stays no_keys */
    if (!td_rp12_supported(sh->version, sh->suite)) {
        bool version_known = sh->version >= TD_VERSION_TLS_1_0 && sh->version <= TD_VERSION_TLS_1_2;
        sum->decryption = TD_DECRYPTION_UNSUPPORTED;
        td_conn_anomaly(s->conn, TD_ANOM_DECRYPTION_UNSUPPORTED, s->now,
                        "the key log has this connection's master secret, but %s records "
                        "cannot be decrypted here",
                        version_known ? td_registry_name(TD_REG_CIPHER_SUITES, sh->suite, name)
                                      : td_registry_name(TD_REG_VERSIONS, sh->version, name));
        return;
    }
    s->dec12 = calloc(1, sizeof *s->dec12);
    if (s->dec12 == NULL) {
        td_conn_anomaly(s->conn, TD_ANOM_OUT_OF_MEMORY, s->now,
                        "no memory to decrypt the connection; its records are labelled without keys");
        return;
    }
    size_t len = td_keylog_secret(s->env->keylog, s->client_random, TD_KEYLOG_CLIENT_RANDOM, master);
    struct td_rp12_keys keys = {sh->version, sh->suite, sh->encrypt_then_mac, master, s->client_random,
                                sh->server_random};
    if (len != TD_RP12_MASTER_SECRET_LEN)
        st = TD_RP_BAD_SECRET;
    for (int i = 0; i < 2 && st == TD_RP_OK; i++)
        s->dec12->next[i] = td_rp12_new(&keys, td_sess_role(s, i) == TD_CLIENT, &st);
    OPENSSL_cleanse(master, sizeof master);
    if (st != TD_RP_OK) {
        bool unsupported = st == TD_RP_UNSUPPORTED;
        sum->decryption = unsupported ? TD_DECRYPTION_UNSUPPORTED : TD_DECRYPTION_FAILED;
        td_conn_anomaly(s->conn, unsupported ? TD_ANOM_DECRYPTION_UNSUPPORTED : TD_ANOM_DECRYPTION_FAILED,
                        s->now, "%s: %s; records are labelled without keys",
                        td_registry_name(TD_REG_CIPHER_SUITES, sh->suite, name),
                        unsupported ? "libcrypto's default provider lacks its cipher"
                                    : "the key log's master secret is not 48 bytes, or libcrypto failed");
        td_sess_stop_decrypting12(s);
        return;
    }
    sum->decryption = TD_DECRYPTION_OK;
}

void td_sess_tls12_cipher_changed(struct td_tls_session *s, int side)
{
    struct td_tls12_decrypt *k = s->dec12;
    td_rp12_free(k->current[side]);
    k->current[side] = k->next[side];
    k->next[side] = NULL;
}

/* A side's keys are of no more use: its later records are labelled as without keys. */
void td_sess_tls12_stop_side(struct td_tls_session *s, int side)
{
    if (s->dec12 == NULL)
        return;
    td_rp12_free(s->dec12->current[side]);
    td_rp12_free(s->dec12->next[side]);
    s->dec12->current[side] = s->dec12->next[side] = NULL;
}

bool td_sess_tls12_decrypting(const struct td_tls_session *s, int side)
{
    return s->dec12 && s->dec12->current[side];
}

bool td_sess_tls12_open(struct td_tls_session *s, int side, const struct td_record *r,
                        struct td_record *inner)
{
    struct td_rp12 *rp = s->dec12 ? s->dec12->current[side] : NULL;
    char ct[TD_REG_NAME_BUF];
    enum td_rp_status st;
    size_t len;

    if (rp == NULL)
        return false;
    if (r->body == NULL || r->truncated || r->lost_after || r->length > TD_RECORD_MAX) {
        /* not captured whole: it used up its sequence number, undecrypted */
        if (!td_rp12_skip(rp)) {
            td_sess_tls12_stop_side(s, side);
            td_conn_anomaly(s->conn, TD_ANOM_DECRYPTION_FAILED, s->now,
                            "record[%llu] (%s, %s) was not captured whole, and TLS 1.0 CBC "
                            "chains each record's IV to it: the later records of this side are "
                            "not decrypted", (unsigned long long)r->index,
                            td_registry_name(TD_REG_CONTENT_TYPES, r->type, ct),
                            td_sess_direction(s, side));
        }
        return false;
    }
    st = td_rp12_open(rp, r->type, r->version, r->body, r->length, s->env->plaintext, &len);
    if (st != TD_RP_OK) {
        s->conn->sum.decryption = TD_DECRYPTION_FAILED;
        td_conn_anomaly(s->conn, TD_ANOM_DECRYPTION_FAILED, s->now,
                        "record[%llu] (%s, %s, %zu bytes): %s; it and later records are "
                        "labelled as without keys",
                        (unsigned long long)r->index, td_registry_name(TD_REG_CONTENT_TYPES, r->type, ct),
                        td_sess_direction(s, side), r->length,
                        st == TD_RP_BAD_PADDING ? "its CBC padding is not well-formed (wrong keys?)"
                                                : "does not authenticate with the key log's master secret");
        td_sess_stop_decrypting12(s);
        return false;
    }
    *inner = *r;
    inner->body = s->env->plaintext;
    inner->length = len;
    s->dir[side].reading_decrypted = true;
    s->dir[side].reading_with = TD_PROTECTION_TLS12_KEY_BLOCK;
    return true;
}

void td_sess_tls12_done(struct td_tls_session *s, int side, const struct td_record *inner)
{
    s->dir[side].reading_decrypted = false;
    OPENSSL_cleanse(s->env->plaintext, inner->length);
}

bool td_sess_dtls12_open(struct td_tls_session *s, int side, const struct td_record *r,
                         uint16_t epoch, uint64_t sequence, struct td_record *inner)
{
    struct td_tls12_decrypt *k = s->dec12;
    struct td_rp12 *rp = k ? (k->current[side] ? k->current[side] : k->next[side]) : NULL;
    uint64_t seq_num = (uint64_t)epoch << 48 | (sequence & 0xffffffffffffull);
    char ct[TD_REG_NAME_BUF];
    enum td_rp_status st;
    size_t len;

    /* epoch 1: the first handshake's keys; a record cut by the capture cannot be opened */
    if (rp == NULL || epoch != 1 || r->body == NULL || r->length > TD_RECORD_MAX)
        return false;
    st = td_rp12_open_at(rp, seq_num, r->type, r->version, r->body, r->length, s->env->plaintext,
                         &len);
    if (st != TD_RP_OK) {
        if (!k->dtls_opened)
            s->conn->sum.decryption = TD_DECRYPTION_FAILED;
        td_conn_anomaly(s->conn, TD_ANOM_DECRYPTION_FAILED, s->now,
                        "record (%s, %s, epoch %u, sequence %llu, %zu bytes): %s; it is labelled "
                        "as without keys, later records are still opened",
                        td_registry_name(TD_REG_CONTENT_TYPES, r->type, ct),
                        td_sess_direction(s, side), epoch, (unsigned long long)sequence, r->length,
                        st == TD_RP_BAD_PADDING ? "its CBC padding is not well-formed (wrong keys?)"
                                                : "does not authenticate with the key log's master secret");
        return false;
    }
    k->dtls_opened = true;
    s->conn->sum.decryption = TD_DECRYPTION_OK;
    *inner = *r;
    inner->body = s->env->plaintext;
    inner->length = len;
    return true;
}
