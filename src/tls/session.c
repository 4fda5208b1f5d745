/*
 * session.c — the state machine of one TLS connection: which side is the
 * client, what the hellos negotiated, each handshake message read (through
 * the dispatch table) and what it means for the connection, gaps, and what
 * was left half-read at the end.  What each kind of record means is in
 * session_records.c; TLS 1.3 decryption in session_decrypt.c; the state they
 * share in session_private.h.
 *
 * Resumption (RFC 5246 §7.3, RFC 5077 §3.1, RFC 8446 §2.2) is decided by
 * resumption.c from what this file tells it: a TLS 1.2 server that answers
 * the ServerHello with ChangeCipherSpec resumed a session (by ticket when the
 * client offered a non-empty one, else by session ID); a TLS 1.3 ServerHello
 * with pre_shared_key resumed by PSK.
 */
#include "tlsdissect/session.h"
#include "tls/session_private.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tls/conformance.h"
#include "tls/dispatch.h"
#include "tls/record_protection.h"

_Static_assert(TD_TLS_PLAINTEXT_SCRATCH == TD_RECORD_MAX, "the key log scratch holds a record");

struct td_tls_session *td_tls_new(const struct td_tls_env *env, struct td_conn *conn,
                                  int client_side, bool midstream)
{
    struct td_tls_session *s = calloc(1, sizeof *s);
    if (s == NULL)
        return NULL;
    s->env = env;
    s->conn = conn;
    s->client_side = client_side;
    for (int i = 0; i < 2; i++) {
        td_record_init(&s->dir[i].rec, env->cfg->detect_budget, midstream);
        td_record_set_budget(&s->dir[i].rec, env->buffers);
        td_hs_set_budget(&s->dir[i].hs, env->buffers);
    }
    td_resumption_init(&s->resumption, env->buffers);
    s->dtls_cid_len[TD_CLIENT] = s->dtls_cid_len[TD_SERVER] = -1;
    if (env->keylog)
        conn->sum.decryption = TD_DECRYPTION_NO_KEYS;
    return s;
}

void td_tls_free(struct td_tls_session *s)
{
    if (s == NULL)
        return;
    for (int i = 0; i < 2; i++) {
        td_record_release(&s->dir[i].rec);
        td_hs_release(&s->dir[i].hs);
    }
    td_resumption_release(&s->resumption);
    td_sess_await_free(s);
    td_sess_stop_decrypting(s);
    td_sess_transcript_free(s);
    td_sess_early_free(s);
    td_sess_stop_decrypting12(s);
    free(s);
}

bool td_tls_detected(const struct td_tls_session *s) { return s->detected; }

bool td_tls_hopeless(const struct td_tls_session *s)
{
    return !s->detected && td_record_gave_up(&s->dir[0].rec) && td_record_gave_up(&s->dir[1].rec);
}

enum td_side td_sess_role(const struct td_tls_session *s, int side)
{
    return side == s->client_side ? TD_CLIENT : TD_SERVER;
}

const char *td_sess_direction(const struct td_tls_session *s, int side)
{
    return td_sess_role(s, side) == TD_CLIENT ? "client to server" : "server to client";
}

/* Settle which flow side is the client. */
void td_sess_fix_roles(struct td_tls_session *s, int client_side)
{
    if (s->roles_fixed)
        return;
    s->roles_fixed = true;
    if (client_side != s->client_side) {
        s->client_side = client_side;
        td_conn_swap_roles(s->conn);
    }
}

void td_sess_mark_detected(struct td_tls_session *s)
{
    if (s->detected)
        return;
    s->detected = true;
    for (int i = 0; i < 2; i++)
        td_record_trust_start(&s->dir[i].rec);
    s->conn->sum.tls_seen = true;
    s->conn->rep->stats->tls_connections++;
}

/* Hand a message to the model, stamped with what the writers need to know. */
void td_sess_emit(struct td_tls_session *s, int side, struct td_message *m)
{
    td_sess_mark_detected(s);
    m->from = td_sess_role(s, side);
    m->decrypted = s->dir[side].reading_decrypted;
    m->record_index = s->dir[side].record_index;
    if (m->decrypted) {
        m->protection = s->dir[side].reading_with;
        m->key_updates = s->dir[side].key_updates;
    }
    m->has_fields = td_msg_kind_has_fields(m->kind);
    m->negotiated_version = s->selected_version;
    m->resumption = s->resumption.hint;
    if (m->encrypted && m->kind != TD_MSG_ALERT)
        td_sess_transcript_lose(s, "%s (%s) left encrypted", td_msg_kind_name(m->kind),
                                td_sess_direction(s, side));
    if (m->parsed)
        td_sess_note_facts(s, m->from, m);
    if (s->dtls_stamp)
        m->dtls = *s->dtls_stamp;
    td_conn_message(s->conn, m, s->now);
}

void td_sess_report_parse(struct td_tls_session *s, const struct td_parse *p)
{
    if (p->failures == 1)
        td_conn_anomaly(s->conn, p->kind, s->now, "%s", p->detail);
    else if (p->failures > 1)
        td_conn_anomaly(s->conn, p->kind, s->now, "%s (and %u more problems)", p->detail,
                        p->failures - 1);
}

/* Both Finished messages seen: the handshake is over. */
void td_sess_handshake_complete(struct td_tls_session *s)
{
    struct td_conn_summary *sum = &s->conn->sum;
    if (sum->established)
        return;
    sum->established = true;
    if (s->ch_seen) {
        sum->has_handshake_time = true;
        sum->handshake_us = s->now - s->ch_ts;
    }
}

/* Copy the resumption verdict, once decided, into the connection summary. */
void td_sess_publish_resumption(struct td_tls_session *s)
{
    s->conn->sum.resumption_known = true;
    s->conn->sum.resumed = s->resumption.how;
    s->conn->sum.resumed_from = s->resumption.from;
}

void td_sess_add_app_bytes(struct td_tls_session *s, int side, size_t n)
{
    if (td_sess_role(s, side) == TD_CLIENT)
        s->conn->sum.bytes_client += n;
    else
        s->conn->sum.bytes_server += n;
}

void td_sess_add_app_data(struct td_tls_session *s, int side, const uint8_t *p, size_t n)
{
    td_sess_add_app_bytes(s, side, n);
    if (s->env->cfg->app_data_bytes > 0)
        td_conn_add_app_data(s->conn, td_sess_role(s, side), p, n, s->env->cfg->app_data_bytes);
}

/* ---- handshake messages ------------------------------------------------ */

/* The length of a TLS 1.3 Finished in its record: hash + type byte + AEAD tag. */
static size_t finished_record_length(uint16_t suite)
{
    /* unregistered suites, and those without a hash or a tag: SHA-256, 16-byte tag */
    const struct td_suite_info *info = td_suite_info(suite);
    size_t hash = info && info->prf_hash_len ? info->prf_hash_len : 32;
    size_t tag = info && info->tag_len ? info->tag_len : 16;
    return 4 + hash + 1 + tag;
}

void td_sess_on_client_hello(struct td_tls_session *s, struct td_client_hello *ch)
{
    struct td_conn_summary *sum = &s->conn->sum;

    s->client_hellos++;
    if (!s->ch_seen) {
        s->ch_seen = true;
        s->ch_ts = s->now;
        if (s->env->keylog && !ch->sslv2_format && ch->random.len == sizeof s->client_random) {
            memcpy(s->client_random, ch->random.data, sizeof s->client_random);
            s->has_client_random = true;
        }
        if (ch->has_sni)
            td_conn_set_sni(s->conn, ch->sni.data, ch->sni.len);
        if (ch->ja3)
            snprintf(sum->ja3, sizeof sum->ja3, "%s", ch->ja3);
        if (ch->ja4)
            td_conn_set_ja4(s->conn, ch->ja4);
    }
    if (ch->has_connection_id) /* DTLS: the CID of the records the server sends */
        s->dtls_cid_len[TD_SERVER] = (int)ch->connection_id.len;
    for (size_t i = 0; i < ch->supported_versions.n; i++)
        if (ch->supported_versions.v[i] == TD_VERSION_TLS_1_3)
            s->offered_tls13 = true;
    for (size_t i = 0; s->client_hellos == 1 && i < ch->extensions.n; i++)
        if (ch->extensions.v[i] == TD_EXT_EARLY_DATA)
            s->offered_early_data = true;
        else if (ch->extensions.v[i] == TD_EXT_ENCRYPT_THEN_MAC)
            s->offered_encrypt_then_mac = true;
    if (s->offered_early_data && s->client_hellos == 1 && !s->env->dtls) /* DTLS 1.3: not decrypted */
        td_sess_early_client_hello(s);
    td_resumption_client_hello(&s->resumption, ch);
}

void td_sess_on_server_hello(struct td_tls_session *s, const struct td_server_hello *sh,
                            bool is_hrr)
{
    struct td_conn_summary *sum = &s->conn->sum;

    s->selected_version = sh->version;
    td_sess_early_server_hello(s, sh, is_hrr);
    if (is_hrr) {
        s->hrr_seen = true;
        if (sh->version == TD_VERSION_TLS_1_3)
            s->offered_tls13 = true; /* the client's compatibility CCS changes nothing */
        return;
    }
    s->sh_seen = true;
    if (sh->has_connection_id) /* DTLS: the CID of the records the client sends */
        s->dtls_cid_len[TD_CLIENT] = (int)sh->connection_id.len;
    s->version = sh->version;
    s->cipher_suite = sh->cipher_suite;
    s->tls13 = sh->version == TD_VERSION_TLS_1_3 || sh->version == TD_VERSION_DTLS_1_3;
    s->kex = td_kex_of_suite(sh->cipher_suite);
    sum->has_version = true;
    sum->version = sh->version;
    if (!sh->sslv2_format) {
        sum->has_cipher_suite = true;
        sum->cipher_suite = sh->cipher_suite;
    }
    if (sh->ja3s)
        snprintf(sum->ja3s, sizeof sum->ja3s, "%s", sh->ja3s);
    if (sh->has_alpn)
        td_conn_set_alpn(s->conn, sh->alpn.data, sh->alpn.len);
    td_resumption_server_hello(&s->resumption, sh, s->tls13, s->env->resume);
    if (s->tls13) {
        td_sess_publish_resumption(s);
        s->finished_record_len = finished_record_length(sh->cipher_suite);
        if (s->has_client_random && s->env->dtls &&
            td_keylog_has(s->env->keylog, s->client_random, TD_KEYLOG_CLIENT_HANDSHAKE_TRAFFIC_SECRET)) {
            sum->decryption = TD_DECRYPTION_UNSUPPORTED; /* RFC 9147's record numbers and masks */
            td_conn_anomaly(s->conn, TD_ANOM_DECRYPTION_UNSUPPORTED, s->now,
                            "the key log has this connection's secrets, but DTLS 1.3 records "
                            "cannot be decrypted here");
        } else if (s->has_client_random && !s->env->dtls) {
            td_sess_start_decrypting(s, sh->cipher_suite);
        }
        /* live, the client may not have logged its secrets yet: hold the records a while */
        if (s->has_client_random && !s->env->dtls && sum->decryption == TD_DECRYPTION_NO_KEYS)
            td_sess_await_keys(s, sh->cipher_suite);
        /* every later record of either side is encrypted; without keys only sizes matter */
        for (int i = 0; s->dec == NULL && s->await == NULL && i < 2; i++)
            if (!td_sess_early_needs_bodies(s, i))
                td_record_skip_bodies(&s->dir[i].rec, TD_CT_APPLICATION_DATA);
    } else if (s->has_client_random && !sh->sslv2_format) {
        td_sess_note_server_hello12(s, sh);
        td_sess_start_decrypting12(s);
        /* live, the client logs its master secret as it sends its key exchange (DTLS
         * records carry their sequence numbers: td_tls_dtls_open looks again instead) */
        if (sum->decryption == TD_DECRYPTION_NO_KEYS && !s->env->dtls)
            td_sess_await_keys(s, sh->cipher_suite);
    }
}

/*
 * The server's first certificate chain (a Certificate, or the one a
 * CompressedCertificate carries): validated, and the connection's
 * server_certificates.
 */
static void on_server_certificate(struct td_tls_session *s, const struct td_certificate *cert,
                                  struct td_parse *p)
{
    struct td_conn_summary *sum = &s->conn->sum;
    size_t verified;

    s->server_certificate_seen = true;
    verified = td_validate_chain(s->env->validator, cert,
                                 (const uint8_t *)sum->sni, sum->sni_len,
                                 s->now / 1000000, &sum->validation);
    if (verified == TD_VALIDATE_MAX_CERTS && cert->count > verified)
        td_parse_fail(p, TD_ANOM_LIMIT_REACHED,
                      "certificate_validation: the verifier was given the first %d of %zu "
                      "certificates", TD_VALIDATE_MAX_CERTS, cert->count);
    td_conn_set_server_certs(s->conn, cert);
    if (cert->count > TD_MAX_SERVER_CERTS)
        td_parse_fail(p, TD_ANOM_LIMIT_REACHED,
                      "server_certificates lists the first %d of %zu certificates",
                      TD_MAX_SERVER_CERTS, cert->count);
}

/*
 * Read a message's body (the dispatch table's parser), then do what it means
 * for the session: hellos fix the negotiated parameters, the server's first
 * Certificate is validated, clear tickets are remembered for resumed_from.
 */
static int parse_message(struct td_tls_session *s, int side, const struct td_hs_message *hm,
                         struct td_message *m, struct td_parse *p)
{
    /* the message formats of DTLS are those of the TLS version it is built on */
    struct td_parse_context ctx = {td_version_tls_equivalent(s->version), s->tls13, &s->kex,
                                   s->env->certs, s->env->quic, s->env->cfg->max_handshake_message,
                                   s->env->dtls};
    /* the capture may have kept fewer bytes than the message declares */
    struct td_cur body = td_cur_make_partial(hm->body, hm->available, hm->length);
    int rc = td_parse_handshake(p, &ctx, body, m);

    switch (m->kind) {
    case TD_MSG_CLIENT_HELLO:
        if (rc == 0)
            td_sess_on_client_hello(s, &m->u.client_hello);
        break;
    case TD_MSG_SERVER_HELLO:
    case TD_MSG_HELLO_RETRY_REQUEST:
        if (rc == 0)
            td_sess_on_server_hello(s, &m->u.server_hello, m->kind == TD_MSG_HELLO_RETRY_REQUEST);
        break;
    case TD_MSG_CERTIFICATE:
        if (td_sess_role(s, side) == TD_SERVER && !s->server_certificate_seen)
            on_server_certificate(s, &m->u.certificate, p);
        break;
    case TD_MSG_COMPRESSED_CERTIFICATE:
        if (td_sess_role(s, side) == TD_SERVER && !s->server_certificate_seen &&
            m->u.compressed_certificate.decompressed)
            on_server_certificate(s, &m->u.compressed_certificate.certificate, p);
        break;
    case TD_MSG_NEW_SESSION_TICKET:
        /* TLS 1.3: decrypted, the ticket is a later ClientHello's PSK identity (RFC 8446 §4.6.1) */
        if (rc == 0)
            td_resume_remember(s->env->resume, s->tls13 ? TD_RESUME_PSK_IDENTITY : TD_RESUME_TICKET,
                               m->u.new_session_ticket.ticket.data,
                               m->u.new_session_ticket.ticket.len, s->conn->id.conn);
        break;
    case TD_MSG_END_OF_EARLY_DATA:
        td_sess_early_end(s);
        break;
    case TD_MSG_ENCRYPTED_EXTENSIONS:
        if (rc == 0)
            td_sess_early_extensions(s, &m->u.encrypted_extensions);
        if (rc == 0 && m->u.encrypted_extensions.has_alpn)
            td_conn_set_alpn(s->conn, m->u.encrypted_extensions.alpn.data,
                             m->u.encrypted_extensions.alpn.len);
        break;
    case TD_MSG_HELLO_VERIFY_REQUEST:
        s->hvr_seen = true;
        break;
    case TD_MSG_FINISHED:
        s->dir[side].finished_seen = true;
        if (s->dir[side].reading_decrypted && s->dec) /* TLS 1.3 (not a 0-RTT record without it) */
            s->dec->to_application[side] = true;
        break;
    case TD_MSG_KEY_UPDATE:
        if (rc == 0 && s->dir[side].reading_decrypted && s->dec)
            s->dec->key_update[side] = true;
        break;
    default:
        break;
    }
    return rc;
}

void td_sess_on_message(void *ctx, int side, const struct td_hs_message *hm)
{
    struct td_tls_session *s = ctx;
    struct td_message m;
    struct td_parse p;
    enum td_sender sender;

    memset(&m, 0, sizeof m);
    m.kind = td_hs_kind_of(hm->type);
    m.handshake_type = hm->type;
    m.record_version = hm->record_version;
    m.without_record = s->env->quic;
    m.length = hm->length;
    sender = td_msg_kind_sender(m.kind);
    if (sender != TD_SENT_BY_EITHER)
        td_sess_fix_roles(s, sender == TD_SENT_BY_CLIENT ? side : 1 - side);
    td_parse_begin(&p, s->env->arena);
    p.digests = s->env->digests;
    struct td_hello_order before = {s->client_hellos, s->hrr_seen, s->sh_seen, s->hvr_seen};
    const char *out_of_order;
    char fault[128];

    /* A full handshake shows in the server's flight, or in the client's key
     * exchange (an abbreviated handshake has none, RFC 5246 §7.3). */
    if (td_resumption_pending(&s->resumption) &&
        ((td_sess_role(s, side) == TD_SERVER &&
          (m.kind == TD_MSG_CERTIFICATE || m.kind == TD_MSG_SERVER_KEY_EXCHANGE ||
           m.kind == TD_MSG_CERTIFICATE_REQUEST || m.kind == TD_MSG_SERVER_HELLO_DONE)) ||
         (td_sess_role(s, side) == TD_CLIENT && m.kind == TD_MSG_CLIENT_KEY_EXCHANGE)) &&
        td_resumption_full(&s->resumption, s->env->resume, s->conn->id.conn))
        td_sess_publish_resumption(s);

    if (hm->body == NULL) {
        /* an over-long message, skipped: reported when its header arrived */
    } else if (hm->truncated) {
        /* parse the bytes the capture kept: a read past them is no fault of
         * the message, a length that lies within them is */
        m.truncated = true;
        m.captured = hm->available;
        parse_message(s, side, hm, &m, &p);
        m.parsed = true;
        m.malformed = p.failures > 0 && p.kind != TD_ANOM_LIMIT_REACHED;
    } else {
        int rc = parse_message(s, side, hm, &m, &p);
        m.malformed = rc != 0 || (p.failures > 0 && p.kind != TD_ANOM_LIMIT_REACHED);
        /* a hello or certificate list cut short still has good fields up to the fault */
        m.parsed = rc == 0 || td_message_has_partial_fields(&m);
    }
    td_sess_transcript_message(s, side, hm, &m);
    td_sess_emit(s, side, &m);
    td_sess_report_parse(s, &p);
    td_sess_transcript_report(s, side, &m);
    if (td_hello_version_odd(&m, s->env->dtls, fault, sizeof fault))
        td_conn_anomaly(s->conn, TD_ANOM_BAD_VERSION, s->now, "%s", fault);
    out_of_order = m.parsed && !m.truncated ? td_hello_out_of_order(&before, m.kind) : NULL;
    if (out_of_order)
        td_conn_anomaly(s->conn, TD_ANOM_UNEXPECTED_MESSAGE, s->now, "%s (%s)", out_of_order,
                        td_sess_direction(s, side));
    if (m.kind == TD_MSG_FINISHED && s->dir[0].finished_seen && s->dir[1].finished_seen)
        td_sess_handshake_complete(s);
    td_arena_reset(s->env->arena);
}

/* ---- records ------------------------------------------------------------ */

uint64_t td_tls_data(struct td_tls_session *s, int side, const uint8_t *p, size_t n,
                     td_time_us now)
{
    struct td_record_handler h = {td_sess_on_record, td_sess_on_note, s};
    s->now = now;
    td_record_feed(&s->dir[side].rec, side, p, n, &h);
    s->dir[side].offset += n;
    if (td_tls_hopeless(s))
        return TD_STREAM_SKIP_ALL;
    return td_record_skippable(&s->dir[side].rec);
}

void td_tls_handshake_data(struct td_tls_session *s, int side, const uint8_t *p, size_t n,
                           td_time_us now)
{
    s->now = now;
    td_hs_feed(&s->dir[side].hs, side, p, n, 0, s->env->cfg->max_handshake_message,
               td_sess_on_message, s);
    td_sess_report_refusal(s, side);
}

void td_tls_handshake_data_decrypted(struct td_tls_session *s, int side, const uint8_t *p,
                                     size_t n, td_time_us now)
{
    struct td_tls_dir *d = &s->dir[side];
    d->reading_decrypted = true;
    d->reading_with = TD_PROTECTION_TLS13_HANDSHAKE;
    td_tls_handshake_data(s, side, p, n, now);
    d->reading_decrypted = false;
}

void td_tls_quic_handshake_unopened(struct td_tls_session *s, int side, td_time_us now)
{
    s->now = now;
    s->conn->sum.decryption = TD_DECRYPTION_FAILED;
    td_sess_transcript_lose(s, "a Handshake packet (%s) did not open with the key log's secret",
                            td_sess_direction(s, side));
}

void td_tls_quic_retry(struct td_tls_session *s)
{
    s->client_hellos = 0;
    s->ch_seen = false;
    s->has_client_random = false;
    td_sess_transcript_free(s);
}

size_t td_tls_quic_handshake_secret(const struct td_tls_session *s, int side, uint8_t *secret,
                                    uint16_t *suite)
{
    bool client = td_sess_role(s, side) == TD_CLIENT;
    if (!s->sh_seen || !s->tls13 || !s->has_client_random)
        return 0;
    *suite = s->cipher_suite;
    return td_keylog_secret(s->env->keylog, s->client_random,
                            client ? TD_KEYLOG_CLIENT_HANDSHAKE_TRAFFIC_SECRET
                                   : TD_KEYLOG_SERVER_HANDSHAKE_TRAFFIC_SECRET,
                            secret);
}

uint64_t td_tls_gap(struct td_tls_session *s, int side, uint64_t n, enum td_gap_reason why,
                    td_time_us now)
{
    struct td_record_handler h = {td_sess_on_record, td_sess_on_note, s};
    struct td_tls_dir *d = &s->dir[side];
    bool was_partial = td_hs_pending(&d->hs);
    uint64_t at = d->offset;
    enum td_rec_gap effect;
    const char *what;

    s->now = now;
    if (why != TD_GAP_SKIPPED)
        td_sess_await_end(s, false); /* bytes are lost: read what was held, in order, first */
    d->offset += n;
    if (why != TD_GAP_SKIPPED && td_sess_role(s, side) == TD_SERVER)
        td_resumption_gap(&s->resumption); /* the server's next message may be in the gap */
    effect = td_record_gap(&d->rec, side, n, why == TD_GAP_TRUNCATED, &h);
    if (why != TD_GAP_SKIPPED && effect != TD_REC_GAP_UNAFFECTED && !d->finished_seen)
        td_sess_transcript_lose(s, "%s: %llu bytes lost at stream offset %llu",
                                td_sess_direction(s, side), (unsigned long long)n,
                                (unsigned long long)at);
    bool tls12_keys = td_sess_tls12_decrypting(s, side);
    if (((s->dec && s->dec->rp[side]) || tls12_keys) && effect == TD_REC_GAP_FRAMING_LOST) {
        /* The lost bytes may hold whole records: their sequence numbers are
         * unknown.  A gap inside one record leaves the count right (that
         * record uses up its number, undecrypted) and decryption goes on. */
        if (tls12_keys) {
            td_sess_tls12_stop_side(s, side);
        } else {
            td_rp_free(s->dec->rp[side]);
            s->dec->rp[side] = NULL;
        }
        d->flight_done = d->finished_seen = true;
        td_conn_anomaly(s->conn, TD_ANOM_DECRYPTION_FAILED, now,
                        "%s: bytes lost at stream offset %llu; its later records are not decrypted",
                        td_sess_direction(s, side), (unsigned long long)at);
    }
    if (effect == TD_REC_GAP_FRAMING_LOST)
        td_hs_lost_framing(&d->hs, side, td_sess_on_message, s);
    /* Truncation is reported where the short segment arrives (the engine);
     * here only what a gap did to parsing. */
    if (s->detected && why != TD_GAP_SKIPPED &&
        (why != TD_GAP_TRUNCATED || effect == TD_REC_GAP_FRAMING_LOST)) {
        enum td_anomaly_kind kind = why == TD_GAP_TRUNCATED     ? TD_ANOM_TRUNCATED_CAPTURE
                                    : why == TD_GAP_BUFFER_FULL ? TD_ANOM_TCP_BUFFER_FULL
                                                                : TD_ANOM_TCP_GAP;
        if (effect == TD_REC_GAP_UNAFFECTED && td_record_nothing_found(&d->rec))
            what = "before any record of this direction was found";
        else if (effect == TD_REC_GAP_UNAFFECTED)
            what = "inside a skipped record, parsing unaffected";
        else if (effect == TD_REC_GAP_IN_RECORD)
            what = "inside a handshake record: the message it cut is reported truncated, the "
                   "next one is found by its length";
        else
            what = was_partial ? "a handshake message was cut, resynchronising"
                               : "record framing lost, resynchronising";
        td_conn_anomaly(s->conn, kind, now, "%s: %llu bytes missing at stream offset %llu; %s",
                        td_sess_direction(s, side), (unsigned long long)n, (unsigned long long)at, what);
    }
    if (td_tls_hopeless(s))
        return TD_STREAM_SKIP_ALL;
    return td_record_skippable(&d->rec);
}

/* --show-secrets: what the key log holds for this connection, into its summary. */
static void show_secrets(struct td_tls_session *s)
{
    struct td_conn_summary *sum = &s->conn->sum;
    const size_t max = sizeof sum->secrets / sizeof sum->secrets[0];
    uint8_t secret[TD_KEYLOG_SECRET_MAX];

    if (!s->env->cfg->show_secrets || s->env->keylog == NULL || !s->has_client_random)
        return;
    sum->secrets_shown = true;
    sum->secret_count = 0;
    for (int l = 0; l < TD_KEYLOG_LABELS && sum->secret_count < max; l++) {
        size_t len = td_keylog_secret(s->env->keylog, s->client_random, (enum td_keylog_label)l, secret);
        if (len == 0)
            continue;
        struct td_secret_shown *out = &sum->secrets[sum->secret_count++];
        out->label = td_keylog_label_name((enum td_keylog_label)l);
        out->len = (uint8_t)len;
        memcpy(out->bytes, secret, len);
    }
    OPENSSL_cleanse(secret, sizeof secret);
}

void td_tls_end(struct td_tls_session *s, td_time_us now)
{
    struct td_record_handler h = {td_sess_on_record, td_sess_on_note, s};
    s->now = now;
    td_sess_await_end(s, true);
    show_secrets(s);
    for (int side = 0; side < 2; side++) {
        struct td_tls_dir *d = &s->dir[side];
        if (!s->detected)
            continue;
        if (td_record_nothing_found(&d->rec) && d->offset > 0 && !d->reported_unrecognised) {
            /* however few bytes: a side that hides its handshake must show */
            d->reported_unrecognised = true;
            td_conn_anomaly(s->conn, TD_ANOM_NOT_TLS, now,
                            "%s: %llu bytes and no TLS record in them", td_sess_direction(s, side),
                            (unsigned long long)d->offset);
            continue;
        }
        struct td_record_progress rec;
        struct td_hs_progress msg;
        bool in_record = td_record_progress(&d->rec, &rec);
        if (in_record && rec.buffered > 0) {
            /* the stream ended inside a record: say so, then read what came */
            td_conn_anomaly(s->conn, TD_ANOM_INCOMPLETE_MESSAGE, now,
                            "record[%llu] (content type %u, %s): %zu of %zu bytes seen before "
                            "the stream ended",
                            (unsigned long long)rec.index, rec.type, td_sess_direction(s, side), rec.seen,
                            rec.length);
            td_record_gap(&d->rec, side, td_record_missing(&d->rec), true, &h);
            continue;
        }
        td_hs_progress(&d->hs, &msg);
        if (msg.state == TD_HS_IN_BODY || msg.state == TD_HS_SKIPPING_OVER_LONG)
            td_conn_anomaly(s->conn, TD_ANOM_INCOMPLETE_MESSAGE, now,
                            "%s (%s): %zu of %zu bytes seen before the stream ended",
                            td_msg_kind_name(td_hs_kind_of(msg.type)), td_sess_direction(s, side), msg.seen,
                            msg.length);
        else if (msg.state == TD_HS_IN_HEADER)
            td_conn_anomaly(s->conn, TD_ANOM_INCOMPLETE_MESSAGE, now,
                            "handshake message header (%s): %zu of 4 bytes seen",
                            td_sess_direction(s, side), msg.seen);
        else if (in_record)
            td_conn_anomaly(s->conn, TD_ANOM_INCOMPLETE_MESSAGE, now,
                            "record[%llu] (content type %u, %s): %zu of %zu bytes seen before the "
                            "stream ended",
                            (unsigned long long)rec.index, rec.type, td_sess_direction(s, side), rec.seen,
                            rec.length);
    }
}
