/*
 * session_dtls.c — a DTLS connection's records and messages into the TLS
 * session (RFC 6347 §4.1-4.2, RFC 9147 §4-7).  The DTLS layer (src/dtls)
 * reads record headers and reassembles handshake fragments; here each
 * whole message and each other record is read as its TLS counterpart, so
 * that hellos, certificates, fingerprints and the rules of
 * session_records.c apply unchanged.  What DTLS adds: encryption is told by
 * the record's epoch (RFC 6347 §4.1: epoch 0 is in clear), and ACK records
 * (RFC 9147 §7) are messages of their own.  With the key log's master
 * secret, DTLS 1.0/1.2 records of epoch 1 are opened with their own
 * sequence numbers (session_decrypt12.c); the DTLS layer hands their
 * content back stamped decrypted, read as if sent in clear.
 */
#include "tls/session_private.h"

#include <openssl/crypto.h>

#include "tlsdissect/codepoints.h"

static void read_record(struct td_tls_session *s, int side, const struct td_record *r,
                        const struct td_dtls_stamp *stamp, td_time_us now)
{
    s->now = now;
    s->dtls_stamp = stamp;
    if (stamp->decrypted) {
        s->dir[side].reading_decrypted = true;
        s->dir[side].reading_with = TD_PROTECTION_TLS12_KEY_BLOCK;
    }
    td_sess_on_record(s, side, r);
    s->dir[side].reading_decrypted = false;
    s->dtls_stamp = NULL;
}

bool td_tls_dtls_open(struct td_tls_session *s, int side, uint8_t type, uint16_t version,
                      uint16_t epoch, uint64_t sequence, const uint8_t *body, size_t length,
                      td_time_us now, const uint8_t **plain, size_t *plain_len)
{
    struct td_record r = {.type = type, .version = version, .length = length, .body = body},
                     inner;

    s->now = now;
    /* live, the key log may have the master secret only now: each record carries its
     * sequence number, so the records from here on can still be opened */
    if (s->dec12 == NULL && s->hello12.known && !s->tls13 && td_keylog_following(s->env->keylog) &&
        s->conn->sum.decryption == TD_DECRYPTION_NO_KEYS) {
        td_keylog_refresh(s->env->keylog);
        td_sess_start_decrypting12(s);
    }
    if (s->dec12 == NULL || s->tls13)
        return false;
    if (!td_sess_dtls12_open(s, side, &r, epoch, sequence, &inner))
        return false;
    *plain = inner.body;
    *plain_len = inner.length;
    return true;
}

void td_tls_dtls_plaintext_done(struct td_tls_session *s, size_t plain_len)
{
    OPENSSL_cleanse(s->env->plaintext, plain_len);
}

void td_tls_dtls_message(struct td_tls_session *s, int side, const uint8_t *msg, size_t n,
                         uint16_t record_version, const struct td_dtls_stamp *stamp,
                         td_time_us now)
{
    struct td_record r = {.type = TD_CT_HANDSHAKE, .version = record_version, .length = n,
                          .body = msg, .index = s->dtls_records[side]++};
    read_record(s, side, &r, stamp, now);
}

void td_tls_dtls_record(struct td_tls_session *s, int side, uint8_t type, uint16_t version,
                        const uint8_t *body, size_t captured, size_t length,
                        const struct td_dtls_stamp *stamp, td_time_us now)
{
    struct td_record r = {.type = type, .version = version, .length = length,
                          .body = captured == length ? body : NULL,
                          .index = s->dtls_records[side]++};

    if (stamp->epoch > 0 && (type == TD_CT_HANDSHAKE || type == TD_CT_ALERT))
        s->dir[side].encrypted = true; /* RFC 6347 §4.1: every epoch after 0 is protected */
    if (type == TD_CT_ACK) {
        struct td_message m = {.kind = TD_MSG_ACK, .record_version = version, .length = length,
                               .parsed = true};
        s->now = now;
        s->dtls_stamp = stamp;
        td_sess_emit(s, side, &m);
        s->dtls_stamp = NULL;
        return;
    }
    if (type == TD_CT_TLS12_CID) {
        /* RFC 9146 §4: a protected record whose real type is inside */
        s->now = now;
        td_sess_mark_detected(s);
        td_sess_add_app_bytes(s, side, length);
        return;
    }
    read_record(s, side, &r, stamp, now);
}

bool td_tls_dtls13(const struct td_tls_session *s) { return s->sh_seen && s->tls13; }

int td_tls_dtls_cid_length(const struct td_tls_session *s, int side)
{
    return s->dtls_cid_len[td_sess_role(s, side)];
}
