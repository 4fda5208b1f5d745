/*
 * session_transcript.c — Finished verification of a connection being
 * decrypted (RFC 8446 §4.4.1 and §4.4.4; RFC 5246 §7.4.9, RFC 2246 §7.4.9):
 * every handshake message of the transcript, clear or decrypted, is hashed
 * as the session reads it (transcript.c); a decrypted Finished is checked
 * against the verify_data the key log's secrets give over the messages
 * before it (finished.c).
 *
 * The transcript starts at the first ClientHello whose client random the
 * key log knows, and is dropped at the ServerHello unless the connection's
 * Finished can be checked: TLS 1.3 being decrypted, or TLS 1.0-1.2 with a
 * CLIENT_RANDOM master secret.  Live, with a followed key log, the secrets
 * may be written after the hellos: the transcript is kept for them (TLS 1.3
 * while the session waits for its secrets, session_await.c).  Without keys
 * nothing here runs.  It is lost
 * (no verdict, not false) when a message of it was not seen whole: cut by
 * the capture or a gap, over --max-handshake-size, or left encrypted; the
 * first decrypted Finished after that raises finished_unverified.
 *
 * DTLS 1.0/1.2 (RFC 6347 §4.2.6): each message is hashed with its 12-byte
 * DTLS header as if sent in one fragment, and after a HelloVerifyRequest
 * the transcript starts again at the second ClientHello (the first and the
 * HelloVerifyRequest are not part of it).  The versions are those TLS
 * versions DTLS is built on (DTLS 1.0: TLS 1.1's MD5+SHA-1).
 *
 * TLS 1.2 and older: a decrypted Finished is checked here as soon as the
 * record layer reads it as decrypted (d->reading_decrypted, then the
 * handshake assembler), like TLS 1.3's; nothing else needs calling.
 */
#include "tls/session_private.h"

#include <openssl/crypto.h>
#include <stdarg.h>
#include <stdio.h>

#include "tls/conformance.h"
#include "tls/finished.h"
#include "tls/transcript.h"

void td_sess_transcript_free(struct td_tls_session *s)
{
    td_transcript_free(s->transcript);
    s->transcript = NULL;
}

void td_sess_transcript_lose(struct td_tls_session *s, const char *fmt, ...)
{
    va_list ap;
    if (s->transcript == NULL)
        return;
    td_sess_transcript_free(s);
    s->transcript_lost = true;
    va_start(ap, fmt);
    vsnprintf(s->transcript_lost_why, sizeof s->transcript_lost_why, fmt, ap);
    va_end(ap);
}

/* The transcript hash of a TLS 1.3 suite or TLS 1.2 PRF (SHA-256 unless the suite names SHA-384). */
static bool suite_hash(uint16_t suite, bool tls13, enum td_transcript_hash *hash)
{
    const struct td_suite_info *info = td_suite_info(suite);
    bool sha384 = info && info->prf_hash == TD_SUITE_HASH_SHA384;
    if (tls13 && !(info && (sha384 || info->prf_hash == TD_SUITE_HASH_SHA256)))
        return false;
    *hash = sha384 ? TD_TRANSCRIPT_SHA384 : TD_TRANSCRIPT_SHA256;
    return true;
}

/*
 * The ServerHello fixed the version and suite: keep the transcript only
 * when its Finished messages can be checked, with the hash they use.
 */
static bool choose_hash(struct td_tls_session *s)
{
    enum td_transcript_hash hash = TD_TRANSCRIPT_MD5_SHA1;

    /* live, the key log is followed: the secrets may be written after this */
    bool may_come = td_keylog_following(s->env->keylog);

    if (s->tls13) {
        if ((s->dec == NULL && s->await == NULL) || !suite_hash(s->cipher_suite, true, &hash))
            return false;
    } else {
        uint16_t version = td_version_tls_equivalent(s->version);
        if (version < TD_VERSION_TLS_1_0 || version > TD_VERSION_TLS_1_2 ||
            (!may_come && !td_keylog_has(s->env->keylog, s->client_random, TD_KEYLOG_CLIENT_RANDOM)))
            return false; /* SSL 3.0 has another construction: no verdict */
        if (version == TD_VERSION_TLS_1_2)
            suite_hash(s->cipher_suite, false, &hash);
    }
    return td_transcript_choose(s->transcript, hash);
}

/* The verify_data this side's Finished must carry, into want: its length, or 0. */
static size_t expected_verify_data(struct td_tls_session *s, int side,
                                   uint8_t want[TD_TRANSCRIPT_HASH_MAX])
{
    uint8_t hash[TD_TRANSCRIPT_HASH_MAX], secret[TD_KEYLOG_SECRET_MAX];
    size_t hash_len = td_transcript_hash(s->transcript, hash), secret_len, n = 0;
    bool client = td_sess_role(s, side) == TD_CLIENT;
    enum td_transcript_hash which = TD_TRANSCRIPT_MD5_SHA1;

    if (s->tls13) {
        suite_hash(s->cipher_suite, true, &which);
        secret_len = td_keylog_secret(s->env->keylog, s->client_random,
                                      client ? TD_KEYLOG_CLIENT_HANDSHAKE_TRAFFIC_SECRET
                                             : TD_KEYLOG_SERVER_HANDSHAKE_TRAFFIC_SECRET,
                                      secret);
        if (hash_len > 0 && secret_len == hash_len &&
            td_finished_tls13(td_transcript_digest_name(which), secret, hash_len, hash, want))
            n = hash_len;
    } else {
        if (td_version_tls_equivalent(s->version) == TD_VERSION_TLS_1_2)
            suite_hash(s->cipher_suite, false, &which);
        secret_len = td_keylog_secret(s->env->keylog, s->client_random, TD_KEYLOG_CLIENT_RANDOM,
                                      secret);
        if (hash_len > 0 && secret_len > 0 &&
            td_finished_tls12(td_transcript_digest_name(which), secret, secret_len, client, hash,
                              hash_len, want, TD_FINISHED_TLS12_LEN))
            n = TD_FINISHED_TLS12_LEN;
    }
    OPENSSL_cleanse(secret, sizeof secret);
    return n;
}

static enum td_finished_check check_finished(struct td_tls_session *s, int side,
                                             const struct td_hs_message *hm)
{
    uint8_t want[TD_TRANSCRIPT_HASH_MAX];
    size_t n = expected_verify_data(s, side, want);
    bool match = n > 0 && hm->length == n && CRYPTO_memcmp(hm->body, want, n) == 0;

    OPENSSL_cleanse(want, sizeof want);
    if (n == 0) {
        td_sess_transcript_lose(s, "libcrypto could not compute the expected verify_data");
        return TD_FINISHED_UNCHECKED;
    }
    return match ? TD_FINISHED_VERIFIED : TD_FINISHED_MISMATCH;
}

/* A message into the transcript: DTLS's with its message_seq (RFC 6347 §4.2.6). */
static bool add_message(struct td_tls_session *s, const struct td_hs_message *hm)
{
    if (s->dtls_stamp && s->dtls_stamp->has_message_seq)
        return td_transcript_add_dtls(s->transcript, hm->type, s->dtls_stamp->message_seq,
                                      hm->body, hm->length);
    return td_transcript_add(s->transcript, hm->type, hm->body, hm->length);
}

/* Handshake messages that are not part of the transcript. */
static bool outside_transcript(const struct td_tls_session *s, uint8_t type)
{
    if (type == TD_HS_HELLO_REQUEST) /* RFC 5246 §7.4.1.1 */
        return true;
    /* TLS 1.3 post-handshake messages (§4.6) */
    return s->tls13 && (type == TD_HS_NEW_SESSION_TICKET || type == TD_HS_KEY_UPDATE);
}

void td_sess_transcript_message(struct td_tls_session *s, int side, const struct td_hs_message *hm,
                                struct td_message *m)
{
    /* DTLS: the ClientHello a HelloVerifyRequest answered is not part of it (RFC 6347 §4.2.6) */
    bool dtls_restart = s->env->dtls && s->hvr_seen && s->client_hellos == 2;
    if (m->kind == TD_MSG_HELLO_VERIFY_REQUEST && s->env->dtls) {
        td_sess_transcript_free(s);
        return;
    }
    /* the first ClientHello (not one after a HelloRetryRequest whose first was unreadable) */
    if (m->kind == TD_MSG_CLIENT_HELLO && (s->client_hellos == 1 || dtls_restart) && !s->hrr_seen &&
        s->transcript == NULL && !s->transcript_lost && s->has_client_random &&
        (td_keylog_knows(s->env->keylog, s->client_random) || td_keylog_following(s->env->keylog))) {
        s->transcript = td_transcript_new();
        if (s->transcript == NULL) {
            s->transcript_lost = true;
            snprintf(s->transcript_lost_why, sizeof s->transcript_lost_why,
                     "no memory for the transcript hash");
        }
    }
    if (s->transcript == NULL || outside_transcript(s, hm->type))
        return;
    if (hm->body == NULL || hm->truncated) {
        td_sess_transcript_lose(s, "%s (%s) was %s", td_msg_kind_name(m->kind),
                                td_sess_direction(s, side),
                                hm->body == NULL ? "over --max-handshake-size"
                                                 : "not captured whole");
        return;
    }
    if (m->kind == TD_MSG_HELLO_RETRY_REQUEST) {
        enum td_transcript_hash hash;
        if (!s->hrr_seen || !suite_hash(m->u.server_hello.cipher_suite, true, &hash) ||
            !td_transcript_hello_retry(s->transcript, hash)) {
            td_sess_transcript_lose(s, "the HelloRetryRequest could not be read, or was a second one");
            return;
        }
    } else if (m->kind == TD_MSG_SERVER_HELLO && s->sh_seen && !s->transcript_chosen) {
        s->transcript_chosen = true;
        if (!choose_hash(s)) {
            td_sess_transcript_free(s); /* no Finished of this connection can be checked */
            return;
        }
    } else if (m->kind == TD_MSG_SERVER_HELLO && !s->sh_seen) {
        td_sess_transcript_lose(s, "the ServerHello could not be read");
        return;
    }
    if (m->kind == TD_MSG_FINISHED && s->dir[side].reading_decrypted)
        m->finished_check = check_finished(s, side, hm);
    if (s->transcript && !add_message(s, hm))
        td_sess_transcript_lose(s, "libcrypto failed to hash a handshake message");
    /* the last Finished of the handshake ends the transcript */
    if (m->kind == TD_MSG_FINISHED &&
        (s->tls13 ? td_sess_role(s, side) == TD_CLIENT
                  : s->dir[0].finished_seen && s->dir[1].finished_seen))
        td_sess_transcript_free(s);
}

void td_sess_transcript_report(struct td_tls_session *s, int side, const struct td_message *m)
{
    if (m->finished_check == TD_FINISHED_MISMATCH)
        td_conn_anomaly(s->conn, TD_ANOM_FINISHED_MISMATCH, s->now,
                        "Finished.verify_data (%s): not the value the key log's secrets give over "
                        "the handshake transcript; the capture, the keys or the dissector "
                        "disagree on the handshake",
                        td_sess_direction(s, side));
    else if (m->kind == TD_MSG_FINISHED && m->decrypted &&
             m->finished_check == TD_FINISHED_UNCHECKED && s->transcript_lost &&
             !s->reported_unverified) {
        s->reported_unverified = true;
        td_conn_anomaly(s->conn, TD_ANOM_FINISHED_UNVERIFIED, s->now,
                        "Finished.verify_data (%s) not checked: the handshake transcript was lost "
                        "(%s)",
                        td_sess_direction(s, side), s->transcript_lost_why);
    }
}
