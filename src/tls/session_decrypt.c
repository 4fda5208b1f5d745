/*
 * session_decrypt.c — TLS 1.3 record protection with key log secrets
 * (RFC 8446 §5.2, §7): with the handshake traffic secrets for the client
 * random, every application_data record after a TLS 1.3 ServerHello is
 * opened (record_protection.c) and its inner content is read as if sent in
 * clear: handshake messages go to the same assembler and dispatch table,
 * alerts become clear Alerts, application data is counted.  Each side moves
 * to its application traffic secret after its Finished, and to the next one
 * after its KeyUpdate (§4.6.3).  A record that does not authenticate ends
 * decryption for the connection: it and the later records are labelled as
 * without keys, except the client's 0-RTT records that session_early.c
 * skips (RFC 8446 §4.2.10).  Without a key log no record is looked at for
 * this: the session keeps a NULL pointer.
 */
#include "tls/session_private.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>

#include "tls/record_protection.h"

void td_sess_stop_decrypting(struct td_tls_session *s)
{
    if (s->dec == NULL)
        return;
    for (int i = 0; i < 2; i++)
        td_rp_free(s->dec->rp[i]);
    free(s->dec);
    s->dec = NULL;
}

/* The traffic secret for a side's records (the handshake's, or the application's). */
static bool install_secret(struct td_tls_session *s, int side, bool application)
{
    uint8_t secret[TD_KEYLOG_SECRET_MAX];
    bool client = td_sess_role(s, side) == TD_CLIENT;
    enum td_keylog_label label =
        application ? (client ? TD_KEYLOG_CLIENT_TRAFFIC_SECRET_0 : TD_KEYLOG_SERVER_TRAFFIC_SECRET_0)
                    : (client ? TD_KEYLOG_CLIENT_HANDSHAKE_TRAFFIC_SECRET
                              : TD_KEYLOG_SERVER_HANDSHAKE_TRAFFIC_SECRET);
    size_t len = td_keylog_secret(s->env->keylog, s->client_random, label, secret);
    enum td_rp_status st = len ? td_rp_set_secret(s->dec->rp[side], secret, len) : TD_RP_BAD_SECRET;
    OPENSSL_cleanse(secret, sizeof secret);
    return len > 0 && st == TD_RP_OK;
}

bool td_sess_restart_handshake_secret(struct td_tls_session *s, int side)
{
    return install_secret(s, side, false);
}

/*
 * A TLS 1.3 ServerHello: with both handshake traffic secrets in the key
 * log, and a suite libcrypto can open, the records that follow are decrypted.
 */
void td_sess_start_decrypting(struct td_tls_session *s, uint16_t suite)
{
    struct td_conn_summary *sum = &s->conn->sum;
    enum td_rp_status st = TD_RP_OK;
    char name[TD_REG_NAME_BUF];

    if (s->dec != NULL ||
        !td_keylog_has(s->env->keylog, s->client_random, TD_KEYLOG_CLIENT_HANDSHAKE_TRAFFIC_SECRET) ||
        !td_keylog_has(s->env->keylog, s->client_random, TD_KEYLOG_SERVER_HANDSHAKE_TRAFFIC_SECRET))
        return; /* decryption stays no_keys */
    s->dec = calloc(1, sizeof *s->dec);
    if (s->dec == NULL) {
        td_conn_anomaly(s->conn, TD_ANOM_OUT_OF_MEMORY, s->now,
                        "no memory to decrypt the connection; its records are labelled without keys");
        return;
    }
    for (int i = 0; i < 2 && st == TD_RP_OK; i++)
        s->dec->rp[i] = td_rp_new(suite, &st);
    if (st == TD_RP_UNSUPPORTED) {
        sum->decryption = TD_DECRYPTION_UNSUPPORTED;
        td_conn_anomaly(s->conn, TD_ANOM_DECRYPTION_UNSUPPORTED, s->now,
                        "the key log has this connection's secrets, but records protected with %s "
                        "cannot be decrypted here",
                        td_registry_name(TD_REG_CIPHER_SUITES, suite, name));
        td_sess_stop_decrypting(s);
        return;
    }
    if (st != TD_RP_OK || !install_secret(s, 0, false) || !install_secret(s, 1, false)) {
        sum->decryption = TD_DECRYPTION_FAILED;
        td_conn_anomaly(s->conn, TD_ANOM_DECRYPTION_FAILED, s->now,
                        "the key log's handshake traffic secrets do not fit %s (wrong length for "
                        "its hash, or libcrypto failed); records are labelled without keys",
                        td_registry_name(TD_REG_CIPHER_SUITES, suite, name));
        td_sess_stop_decrypting(s);
        return;
    }
    sum->decryption = TD_DECRYPTION_OK;
    /* --app-data: both sides' data is shown from now on, even when one sends none */
    for (int i = 0; i < 2 && s->env->cfg->app_data_bytes > 0; i++)
        td_conn_add_app_data(s->conn, (enum td_side)i, NULL, 0, s->env->cfg->app_data_bytes);
}

/* No (usable) traffic secret for this side: from now on its data is counted as sent. */
void td_sess_stop_decrypting_side(struct td_tls_session *s, int side)
{
    s->dec->to_application[side] = false;
    td_rp_free(s->dec->rp[side]);
    s->dec->rp[side] = NULL;
}

bool td_sess_install_application_secret(struct td_tls_session *s, int side)
{
    if (!install_secret(s, side, true))
        return false;
    s->dec->to_application[side] = false;
    s->dec->application[side] = true;
    return true;
}

/* The key change a side's Finished or KeyUpdate asked for, before its next record. */
static void change_keys(struct td_tls_session *s, int side)
{
    struct td_tls13_decrypt *k = s->dec;

    if (k->to_application[side]) {
        /* from here on, records of this side that cannot be opened are data */
        s->dir[side].flight_done = true;
        if (td_sess_install_application_secret(s, side))
            return;
        /* live, the client logs its application secret after it sends its Finished */
        if (!td_sess_await_application_secret(s, side))
            td_sess_stop_decrypting_side(s, side);
    } else if (k->key_update[side]) {
        k->key_update[side] = false;
        if (td_rp_next_secret(k->rp[side]) != TD_RP_OK)
            td_sess_stop_decrypting_side(s, side);
        else if (s->dir[side].key_updates < UINT8_MAX)
            s->dir[side].key_updates++;
    }
}

/*
 * TLS 1.3 with keys: open the record and read its inner content as if it had
 * come in clear (RFC 8446 §5.2).  A record the capture did not keep whole
 * uses up its sequence number and is labelled as without keys.
 */
void td_sess_on_tls13_decrypt(struct td_tls_session *s, int side, const struct td_record *r)
{
    struct td_tls13_decrypt *k = s->dec;
    struct td_tls_dir *d = &s->dir[side];
    const uint8_t header[5] = {r->type, (uint8_t)(r->version >> 8), (uint8_t)r->version,
                               (uint8_t)(r->length >> 8), (uint8_t)r->length};
    struct td_record inner = {.version = r->version, .index = r->index};
    enum td_rp_status st;
    char ct[TD_REG_NAME_BUF];

    if (r->body == NULL || r->truncated || r->lost_after || r->length > TD_RECORD_MAX) {
        td_rp_skip(k->rp[side]);
        td_sess_on_tls13_encrypted(s, side, r);
        return;
    }
    st = td_rp_open(k->rp[side], header, r->body, r->length, s->env->plaintext, &inner.length,
                    &inner.type);
    if (st == TD_RP_AUTH_FAILED && td_sess_early_skip(s, side))
        return; /* 0-RTT early data the server skips too */
    if (st != TD_RP_OK) {
        unsigned skipped = td_sess_early_skipped(s);
        char early[80] = "";
        if (skipped && td_sess_role(s, side) == TD_CLIENT)
            snprintf(early, sizeof early, " (after %u records skipped as 0-RTT early data)", skipped);
        s->conn->sum.decryption = TD_DECRYPTION_FAILED;
        td_conn_anomaly(s->conn, TD_ANOM_DECRYPTION_FAILED, s->now,
                        "record[%llu] (application_data, %s, %zu bytes): %s%s; it and later "
                        "records are labelled as without keys",
                        (unsigned long long)r->index, td_sess_direction(s, side), r->length,
                        st == TD_RP_NO_CONTENT ? "authenticated, but its plaintext is all padding "
                                                 "(no content type)"
                                               : "does not authenticate with the key log's secret",
                        early);
        td_sess_stop_decrypting(s);
        td_sess_on_tls13_encrypted(s, side, r);
        return;
    }
    inner.body = s->env->plaintext;
    td_sess_early_handshake_opened(s, side);
    if (inner.type != TD_CT_HANDSHAKE && td_hs_pending(&d->hs))
        td_conn_anomaly(s->conn, TD_ANOM_INTERLEAVED_RECORD, s->now,
                        "record[%llu] (decrypted content type %s, %s) inside an unfinished "
                        "handshake message", (unsigned long long)r->index,
                        td_registry_name(TD_REG_CONTENT_TYPES, inner.type, ct), td_sess_direction(s, side));
    d->reading_decrypted = true;
    d->reading_with = k->application[side] ? TD_PROTECTION_TLS13_APPLICATION : TD_PROTECTION_TLS13_HANDSHAKE;
    switch (inner.type) {
    case TD_CT_HANDSHAKE:
        td_sess_read_handshake_record(s, side, &inner);
        break;
    case TD_CT_ALERT:
        td_sess_on_alert(s, side, &inner);
        break;
    case TD_CT_APPLICATION_DATA:
        td_sess_add_app_data(s, side, inner.body, inner.length);
        break;
    default:
        td_conn_anomaly(s->conn, TD_ANOM_UNEXPECTED_MESSAGE, s->now,
                        "record[%llu] (%s): decrypted content type %s is not allowed inside a "
                        "TLS 1.3 record (RFC 8446 §5.1)",
                        (unsigned long long)r->index, td_sess_direction(s, side),
                        td_registry_name(TD_REG_CONTENT_TYPES, inner.type, ct));
        break;
    }
    d->reading_decrypted = false;
    OPENSSL_cleanse(s->env->plaintext, inner.length);
    if (s->dec)
        change_keys(s, side);
}
