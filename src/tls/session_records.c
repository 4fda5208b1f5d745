/*
 * session_records.c — what each kind of record means for one connection.
 *
 * Encryption, per direction:
 *  - TLS 1.2 and older (RFC 5246 §7.1): everything a side sends after its
 *    ChangeCipherSpec is encrypted; its first encrypted handshake record is
 *    its Finished, later ones (renegotiation) are EncryptedHandshake.
 *  - TLS 1.3 (RFC 8446 §2, §5): after a ServerHello that selects 1.3 every
 *    handshake message travels in application_data records; a
 *    ChangeCipherSpec is only the middlebox-compatibility dummy (§D.4).
 *    Without keys the records of each side's handshake flight are told from
 *    application data by position (td_sess_on_tls13_encrypted).
 *  - Alerts: a two-byte alert record before encryption is in clear; any
 *    other alert record is encrypted (RFC 5246 §7.2, §6.2.3).
 *  - SSL 2.0 (draft-hickman-netscape-ssl-00): CLIENT-HELLO, CLIENT-MASTER-KEY
 *    and SERVER-HELLO are in clear, everything after them is encrypted.
 */
#include "tls/session_private.h"

#include "tls/conformance.h"
#include "tls/dispatch.h"
#include "tls/messages.h"
#include "tls/sslv2.h"

/* What this side sends is encrypted, and the record being read was not opened with keys. */
static bool hidden(const struct td_tls_dir *d) { return d->encrypted && !d->reading_decrypted; }

static void on_change_cipher_spec(struct td_tls_session *s, int side, const struct td_record *r)
{
    struct td_tls_dir *d = &s->dir[side];
    struct td_message m = {.kind = TD_MSG_CHANGE_CIPHER_SPEC, .record_version = r->version,
                           .length = r->length, .parsed = true};

    if (td_hs_pending(&d->hs)) {
        td_conn_anomaly(s->conn, TD_ANOM_INTERLEAVED_RECORD, s->now,
                        "ChangeCipherSpec (%s) inside an unfinished handshake message",
                        td_sess_direction(s, side));
        td_hs_reset(&d->hs);
    }
    struct td_cur body = td_cur_make(r->body, r->length);
    uint8_t value = 0;
    if (r->body && (r->length != 1 || !td_cur_u8(&body, &value) || value != 1))
        td_conn_anomaly(s->conn, TD_ANOM_BAD_LENGTH, s->now,
                        "ChangeCipherSpec: %zu bytes, expected the single byte 01", r->length);
    if (td_sess_role(s, side) == TD_SERVER && td_resumption_abbreviated(&s->resumption, s->env->resume))
        td_sess_publish_resumption(s);
    td_sess_emit(s, side, &m);
    /* TLS 1.3's compatibility ChangeCipherSpec changes nothing (RFC 8446 §D.4). */
    if (s->tls13 || (!s->sh_seen && s->offered_tls13))
        return;
    d->encrypted = true;
    if (s->dec12)
        td_sess_tls12_cipher_changed(s, side);
}

void td_sess_on_alert(struct td_tls_session *s, int side, const struct td_record *r)
{
    struct td_tls_dir *d = &s->dir[side];
    struct td_message m = {.kind = TD_MSG_ALERT, .record_version = r->version, .parsed = true};

    /* A clear alert is exactly two bytes; anything else carries a MAC or tag. */
    if (hidden(d) || r->body == NULL || r->length != 2) {
        m.encrypted = true;
        m.length = r->length;
        td_sess_emit(s, side, &m);
        td_conn_add_alert(s->conn, td_sess_role(s, side), true, NULL);
        return;
    }
    struct td_parse p;
    td_parse_begin(&p, s->env->arena);
    p.digests = s->env->digests;
    td_parse_alert(&p, r->body, 2, &m.u.alert);
    m.length = 2;
    td_sess_emit(s, side, &m);
    td_conn_add_alert(s->conn, td_sess_role(s, side), false, &m.u.alert);
}

/* A record body that is one or more whole handshake messages of known types. */
static bool looks_plaintext(const uint8_t *p, size_t n)
{
    struct td_cur c = td_cur_make(p, n);
    struct td_cur body;
    unsigned messages = 0;
    uint8_t type;

    while (td_cur_remaining(&c)) {
        if (!td_cur_u8(&c, &type) || !td_cur_vec(&c, 3, 0, 0xffffff, 1, &body))
            return false;
        if (td_hs_kind_of(type) == TD_MSG_OTHER_HANDSHAKE)
            return false;
        messages++;
    }
    return messages > 0;
}

/* A handshake message that could not be buffered was skipped: say so. */
void td_sess_report_refusal(struct td_tls_session *s, int side)
{
    uint8_t type;
    size_t length;
    if (td_hs_take_refusal(&s->dir[side].hs, &type, &length))
        td_conn_anomaly(s->conn, TD_ANOM_LIMIT_REACHED, s->now,
                        "%s (%s): a %zu-byte message could not be buffered (the TLS buffer budget "
                        "of %zu bytes for all connections is used up, or memory); skipped",
                        td_msg_kind_name(td_hs_kind_of(type)), td_sess_direction(s, side), length,
                        s->env->buffers ? s->env->buffers->cap : 0);
}

/* The body of a handshake record in clear (or decrypted) into the message assembler. */
void td_sess_read_handshake_record(struct td_tls_session *s, int side, const struct td_record *r)
{
    struct td_tls_dir *d = &s->dir[side];

    if (r->body == NULL) {
        /* a body the record layer could not keep: its bytes are lost to the messages */
        td_hs_lost(&d->hs, side, r->length, td_sess_on_message, s);
        return;
    }
    if (r->length == 0 && r->lost_after == 0)
        td_conn_anomaly(s->conn, TD_ANOM_BAD_LENGTH, s->now,
                        "record[%llu] (handshake, %s): zero length, which RFC 8446 §5.1 forbids",
                        (unsigned long long)r->index, td_sess_direction(s, side));
    td_hs_feed(&d->hs, side, r->body, r->length, r->version,
               s->env->cfg->max_handshake_message, td_sess_on_message, s);
    if (r->lost_after)
        td_hs_lost(&d->hs, side, r->lost_after, td_sess_on_message, s);
    td_sess_report_refusal(s, side);
    if (r->truncated)
        td_hs_flush_truncated(&d->hs, side, td_sess_on_message, s);
    struct td_hs_progress progress;
    td_hs_progress(&d->hs, &progress);
    if (progress.state == TD_HS_SKIPPING_OVER_LONG && !d->reported_discard) {
        /* say so now: the rest of an over-long message may never come */
        d->reported_discard = true;
        td_conn_anomaly(s->conn, TD_ANOM_HANDSHAKE_TOO_LONG, s->now,
                        "%s (%s): declared length %zu > limit %zu; skipping it",
                        td_msg_kind_name(td_hs_kind_of(progress.type)), td_sess_direction(s, side),
                        progress.length, s->env->cfg->max_handshake_message);
    } else if (progress.state != TD_HS_SKIPPING_OVER_LONG) {
        d->reported_discard = false;
    }
}

static void on_handshake_record(struct td_tls_session *s, int side, const struct td_record *r)
{
    struct td_tls_dir *d = &s->dir[side];

    if (hidden(d) && r->body && looks_plaintext(r->body, r->length)) {
        /* Bytes that parse exactly as handshake messages are not ciphertext
         * (a chance of about 2^-24 for random bytes): our idea of this
         * side's encryption was wrong (e.g. a capture that began after the
         * handshake's start), so read them. */
        d->encrypted = false;
    }
    if (hidden(d)) {
        struct td_message m = {.kind = d->finished_seen ? TD_MSG_ENCRYPTED_HANDSHAKE : TD_MSG_FINISHED,
                               .record_version = r->version, .encrypted = true,
                               .length = r->length};
        d->finished_seen = true;
        td_sess_emit(s, side, &m);
        if (s->dir[0].finished_seen && s->dir[1].finished_seen)
            td_sess_handshake_complete(s);
        return;
    }
    td_sess_read_handshake_record(s, side, r);
}

/*
 * TLS 1.3 without keys: an application_data record is part of a handshake
 * flight or data, told by position.  The server's flight ends with a
 * Finished-sized record or when the client answers; the client's with its
 * Finished-sized record, its third record, or when the server answers it.
 * Established, as Zeek judges it: the client sent its flight after the
 * server's, and then the server sent more (tickets, data) or the client sent
 * application data — or the client's flight ended with an exact Finished.
 */
void td_sess_on_tls13_encrypted(struct td_tls_session *s, int side, const struct td_record *r)
{
    struct td_tls_dir *d = &s->dir[side], *peer = &s->dir[1 - side];
    bool server = td_sess_role(s, side) == TD_SERVER;

    if (server && peer->sent_encrypted) {
        /* the server answers the client's flight: both flights are over */
        d->flight_done = true;
        peer->flight_done = peer->finished_seen = true;
        td_sess_handshake_complete(s);
    }
    if (!server && d->flight_done && d->sent_encrypted)
        td_sess_handshake_complete(s); /* application data after the client's flight */
    d->sent_encrypted = true;
    if (d->flight_done) {
        td_sess_add_app_bytes(s, side, r->length);
        return;
    }
    struct td_message m = {.kind = TD_MSG_ENCRYPTED_HANDSHAKE, .record_version = r->version,
                           .encrypted = true, .length = r->length};
    d->flight_records++;
    bool exact_finished = r->length == s->finished_record_len;
    if (exact_finished || (!server && d->flight_records >= 3)) {
        d->flight_done = true;
        d->finished_seen = true;
    }
    if (!server) {
        peer->flight_done = true;
        peer->finished_seen = true;
    }
    td_sess_emit(s, side, &m);
    if (!server && exact_finished)
        td_sess_handshake_complete(s);
}

static void on_application_data(struct td_tls_session *s, int side, const struct td_record *r)
{
    if (s->early && td_sess_early_record(s, side, r))
        return;
    if (s->tls13 && s->sh_seen) {
        if (s->dec && s->dec->rp[side])
            td_sess_on_tls13_decrypt(s, side, r);
        else
            td_sess_on_tls13_encrypted(s, side, r);
        return;
    }
    td_sess_add_app_bytes(s, side, r->length);
}

static void on_heartbeat(struct td_tls_session *s, int side, const struct td_record *r)
{
    struct td_message m = {.kind = TD_MSG_HEARTBEAT, .record_version = r->version,
                           .encrypted = hidden(&s->dir[side]) || s->tls13, .length = r->length,
                           .parsed = true};
    td_sess_emit(s, side, &m);
}

/* SSL 2.0 records (sslv2.c reads them): the state of the handshake in clear. */
static void on_sslv2(struct td_tls_session *s, int side, const struct td_record *r)
{
    struct td_tls_dir *d = &s->dir[side];
    struct td_sslv2_messages v2;
    struct td_parse p;

    if (d->sslv2_clear_done || r->body == NULL) {
        d->sslv2_sent_encrypted = true;
        td_sess_add_app_bytes(s, side, r->length);
        if (s->sslv2_client_master_key && s->dir[0].sslv2_sent_encrypted &&
            s->dir[1].sslv2_sent_encrypted)
            td_sess_handshake_complete(s);
        return;
    }
    td_parse_begin(&p, s->env->arena);
    p.digests = s->env->digests;
    td_sslv2_read(&p, r->body, r->length, s->env->certs, &v2);
    switch (v2.kind) {
    case TD_SSLV2_CLIENT_HELLO:
        td_sess_fix_roles(s, side);
        if (v2.msg.parsed)
            td_sess_on_client_hello(s, &v2.msg.u.client_hello);
        td_sess_emit(s, side, &v2.msg);
        break;
    case TD_SSLV2_SERVER_HELLO:
        td_sess_fix_roles(s, 1 - side);
        if (v2.msg.parsed)
            td_sess_on_server_hello(s, &v2.msg.u.server_hello, false);
        d->sslv2_clear_done = true;
        td_sess_emit(s, side, &v2.msg);
        if (v2.has_certificate) {
            s->server_certificate_seen = true;
            td_conn_set_server_certs(s->conn, &v2.certificate.u.certificate);
            td_validate_chain(s->env->validator, &v2.certificate.u.certificate, NULL, 0,
                              s->now / 1000000, &s->conn->sum.validation);
            td_sess_emit(s, side, &v2.certificate);
        }
        break;
    case TD_SSLV2_CLIENT_MASTER_KEY:
        s->sslv2_client_master_key = true;
        d->sslv2_clear_done = true;
        td_sess_emit(s, side, &v2.msg);
        break;
    case TD_SSLV2_OTHER:
        d->sslv2_clear_done = true;
        d->sslv2_sent_encrypted = true;
        td_sess_add_app_bytes(s, side, r->length);
        break;
    }
    td_sess_report_parse(s, &p);
    td_arena_reset(s->env->arena);
}

void td_sess_on_record(void *ctx, int side, const struct td_record *r)
{
    struct td_tls_session *s = ctx;

    if (s->await && td_sess_await_record(s, side, r))
        return; /* held until the key log has the secrets, or the wait ends */
    s->dir[side].record_index = r->index;
    td_sess_mark_detected(s);
    if (r->version == 0x0002 && r->type == 0) {
        on_sslv2(s, side, r);
        return;
    }
    if (!td_version_known_for(r->version, s->env->dtls) && !s->dir[side].reported_version) {
        s->dir[side].reported_version = true;
        td_conn_anomaly(s->conn, TD_ANOM_BAD_VERSION, s->now,
                        "record[%llu] (%s): legacy_record_version 0x%04x is not an SSL/TLS "
                        "version; the record is read as usual (RFC 8446 §5.1)",
                        (unsigned long long)r->index, td_sess_direction(s, side), r->version);
    }
    /* TLS <= 1.2 with keys: the record is read as its plaintext (DTLS records
     * were opened before, with their own sequence numbers: session_dtls.c) */
    struct td_record plaintext;
    bool opened = !s->env->dtls && td_sess_tls12_open(s, side, r, &plaintext);
    if (opened)
        r = &plaintext;
    /* (a record being decrypted is judged by its inner content type, in td_sess_on_tls13_decrypt) */
    if (r->type != TD_CT_HANDSHAKE && td_hs_pending(&s->dir[side].hs) &&
        r->type != TD_CT_CHANGE_CIPHER_SPEC &&
        !(r->type == TD_CT_APPLICATION_DATA && s->dec && s->dec->rp[side])) {
        td_conn_anomaly(s->conn, TD_ANOM_INTERLEAVED_RECORD, s->now,
                        "record[%llu] (content type %u, %s) inside an unfinished handshake message",
                        (unsigned long long)r->index, r->type, td_sess_direction(s, side));
    }
    switch (r->type) {
    case TD_CT_CHANGE_CIPHER_SPEC:
        on_change_cipher_spec(s, side, r);
        break;
    case TD_CT_ALERT:
        td_sess_on_alert(s, side, r);
        break;
    case TD_CT_HANDSHAKE:
        on_handshake_record(s, side, r);
        break;
    case TD_CT_APPLICATION_DATA:
        on_application_data(s, side, r);
        break;
    case TD_CT_HEARTBEAT:
        on_heartbeat(s, side, r);
        break;
    default:
        break;
    }
    if (opened)
        td_sess_tls12_done(s, side, r);
}

void td_sess_on_note(void *ctx, int side, enum td_rec_note what, const char *detail)
{
    struct td_tls_session *s = ctx;
    struct td_tls_dir *d = &s->dir[side];

    td_sess_await_end(s, false); /* the stream is odd: read what was held, in order, first */
    switch (what) {
    case TD_RECN_FOUND:
        td_sess_mark_detected(s); /* a hello header: TLS, even if the record never completes */
        break;
    case TD_RECN_RESYNCED:
        break;
    case TD_RECN_FOUND_WEAK:
        td_sess_mark_detected(s);
        td_conn_anomaly(s->conn, TD_ANOM_MIDSTREAM, s->now,
                        "%s: picked up at stream offset %llu (%s); the handshake was not seen",
                        td_sess_direction(s, side), (unsigned long long)d->offset, detail);
        break;
    case TD_RECN_BAD_HEADER:
        td_conn_anomaly(s->conn, TD_ANOM_BAD_RECORD, s->now, "%s, %s: resynchronising", detail,
                        td_sess_direction(s, side));
        td_hs_reset(&d->hs);
        break;
    case TD_RECN_TOO_LONG:
        td_conn_anomaly(s->conn, TD_ANOM_RECORD_TOO_LONG, s->now, "%s (%s)", detail,
                        td_sess_direction(s, side));
        break;
    case TD_RECN_GAVE_UP:
        if (s->detected) {
            d->reported_unrecognised = true;
            td_conn_anomaly(s->conn, TD_ANOM_NOT_TLS, s->now, "%s: %s", td_sess_direction(s, side), detail);
        }
        break;
    case TD_RECN_BODY_TOO_BIG:
        td_conn_anomaly(s->conn, TD_ANOM_OUT_OF_MEMORY, s->now, "%s: %s", td_sess_direction(s, side),
                        detail);
        break;
    case TD_RECN_OVER_BUDGET:
        td_conn_anomaly(s->conn, TD_ANOM_LIMIT_REACHED, s->now,
                        "%s: %s: the TLS buffer budget (%zu bytes for all connections) is used up",
                        td_sess_direction(s, side), detail, s->env->buffers ? s->env->buffers->cap : 0);
        break;
    }
}
