/*
 * session.c — labelling the records of one TLS connection.
 *
 * Encryption, per direction:
 *  - TLS 1.2 and older (RFC 5246 §7.1): everything a side sends after its
 *    ChangeCipherSpec is encrypted; its first encrypted handshake record is
 *    its Finished, later ones (renegotiation) are EncryptedHandshake.
 *  - TLS 1.3 (RFC 8446 §2, §5): after a ServerHello that selects 1.3 every
 *    handshake message travels in application_data records; a
 *    ChangeCipherSpec is only the middlebox-compatibility dummy (§D.4).
 *    Without keys the records of each side's handshake flight are told from
 *    application data by position: the server's flight ends with a record
 *    the size of an encrypted Finished, or when the client starts sending;
 *    the client's flight ends with its Finished-sized record (at most three
 *    records: Certificate, CertificateVerify, Finished).
 *  - Alerts: a two-byte alert record before encryption is in clear; any
 *    other alert record is encrypted (RFC 5246 §7.2, §6.2.3).
 *  - SSL 2.0 (draft-hickman-netscape-ssl-00): CLIENT-HELLO, CLIENT-MASTER-KEY
 *    and SERVER-HELLO are in clear, everything after them is encrypted.
 *
 * Decryption (RFC 8446 §5.2, §7): with the key log's handshake traffic
 * secrets for the client random, every application_data record after a
 * TLS 1.3 ServerHello is opened (record_protection.c) and its inner content
 * is read as if sent in clear: handshake messages go to the same assembler
 * and dispatch table, alerts become clear Alerts, application data is
 * counted.  Each side moves to its application traffic secret after its
 * Finished, and to the next one after its KeyUpdate (§4.6.3).  A record
 * that does not authenticate ends decryption for the connection: it and
 * the later records are labelled as without keys.  Without a key log no
 * record is looked at for this: the session keeps a NULL pointer.
 *
 * Resumption (RFC 5246 §7.3, RFC 5077 §3.1, RFC 8446 §2.2): a TLS 1.2
 * server that answers the ServerHello with ChangeCipherSpec resumed a
 * session (by ticket when the client offered a non-empty one, else by
 * session ID); a TLS 1.3 ServerHello with pre_shared_key resumed by PSK.
 */
#include "tlsdissect/session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "tlsdissect/codepoints.h"
#include "tls/fingerprint.h"
#include "tls/handshake.h"
#include "tls/hello.h"
#include "tls/keyexchange.h"
#include "tls/messages.h"
#include "tls/record.h"
#include "tlsdissect/registry.h"
#include "tls/dispatch.h"
#include "tls/conformance.h"
#include "tls/record_protection.h"
#include "tls/resumption.h"
#include "tls/sslv2.h"

_Static_assert(TD_TLS_PLAINTEXT_SCRATCH == TD_RECORD_MAX, "the key log scratch holds a record");


struct td_tls_dir {
    struct td_record_reader rec;
    struct td_hs_assembler hs;
    bool encrypted;         /* TLS <= 1.2: after this side's ChangeCipherSpec */
    bool finished_seen;     /* this side's Finished was seen */
    bool flight_done;       /* TLS 1.3: this side's encrypted handshake flight is over */
    bool sent_encrypted;    /* TLS 1.3: this side sent an application_data record */
    unsigned flight_records;
    bool sslv2_clear_done;  /* SSL 2.0: the messages in clear are over */
    bool sslv2_sent_encrypted;
    bool reported_discard;  /* the over-long message being skipped was reported */
    bool reported_version;  /* an odd record version of this side was reported */
    bool reported_unrecognised; /* "no TLS record in this direction" was reported */
    uint64_t offset;        /* stream offset, for anomaly details */
    bool reading_decrypted; /* the content being read came out of a decrypted record */
};

/* TLS 1.3 decryption of one connection, made only when the key log has its secrets. */
struct td_tls13_decrypt {
    struct td_rp *rp[2];        /* by flow side; NULL: that side is no longer decrypted */
    bool to_application[2];     /* a Finished was read: the next record uses the traffic secret */
    bool key_update[2];         /* a KeyUpdate was read: the next record uses the next secret */
};

struct td_tls_session {
    const struct td_tls_env *env;
    struct td_conn *conn;
    struct td_tls_dir dir[2];
    int client_side;
    bool roles_fixed;
    bool detected;
    td_time_us now;

    /* what the client offered */
    unsigned client_hellos;
    bool ch_seen;
    td_time_us ch_ts;
    bool offered_tls13;
    bool offered_early_data;    /* the first ClientHello has early_data (RFC 8446 §4.2.10) */

    /* what the server chose */
    bool sh_seen;
    bool hrr_seen;
    uint16_t version;
    uint16_t cipher_suite;
    bool tls13;
    struct td_kex kex;
    size_t finished_record_len; /* TLS 1.3: an encrypted Finished record's length */
    struct td_resumption_tracker resumption;
    uint16_t selected_version;  /* by the ServerHello or HelloRetryRequest */
    bool server_certificate_seen;
    bool sslv2_client_master_key;
    bool has_client_random;
    uint8_t client_random[32];      /* the first ClientHello's: the key log's key */
    struct td_tls13_decrypt *dec;   /* NULL unless decrypting */
};

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
    if (env->keylog)
        conn->sum.decryption = TD_DECRYPTION_NO_KEYS;
    return s;
}

static void stop_decrypting(struct td_tls_session *s)
{
    if (s->dec == NULL)
        return;
    for (int i = 0; i < 2; i++)
        td_rp_free(s->dec->rp[i]);
    free(s->dec);
    s->dec = NULL;
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
    stop_decrypting(s);
    free(s);
}

bool td_tls_detected(const struct td_tls_session *s) { return s->detected; }

bool td_tls_hopeless(const struct td_tls_session *s)
{
    return !s->detected && td_record_gave_up(&s->dir[0].rec) && td_record_gave_up(&s->dir[1].rec);
}

static enum td_side role_of(const struct td_tls_session *s, int side)
{
    return side == s->client_side ? TD_CLIENT : TD_SERVER;
}

static const char *direction(const struct td_tls_session *s, int side)
{
    return role_of(s, side) == TD_CLIENT ? "client to server" : "server to client";
}

/* Settle which flow side is the client. */
static void fix_roles(struct td_tls_session *s, int client_side)
{
    if (s->roles_fixed)
        return;
    s->roles_fixed = true;
    if (client_side != s->client_side) {
        s->client_side = client_side;
        td_conn_swap_roles(s->conn);
    }
}

static void mark_detected(struct td_tls_session *s)
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
static void emit(struct td_tls_session *s, int side, struct td_message *m)
{
    mark_detected(s);
    m->from = role_of(s, side);
    m->decrypted = s->dir[side].reading_decrypted;
    m->has_fields = td_msg_kind_has_fields(m->kind);
    m->negotiated_version = s->selected_version;
    m->resumption = s->resumption.hint;
    td_conn_message(s->conn, m, s->now);
}

static void report_parse(struct td_tls_session *s, const struct td_parse *p)
{
    if (p->failures == 1)
        td_conn_anomaly(s->conn, p->kind, s->now, "%s", p->detail);
    else if (p->failures > 1)
        td_conn_anomaly(s->conn, p->kind, s->now, "%s (and %u more problems)", p->detail,
                        p->failures - 1);
}

/* Both Finished messages seen: the handshake is over. */
static void handshake_complete(struct td_tls_session *s)
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
static void publish_resumption(struct td_tls_session *s)
{
    s->conn->sum.resumption_known = true;
    s->conn->sum.resumed = s->resumption.how;
    s->conn->sum.resumed_from = s->resumption.from;
}

static void add_app_bytes(struct td_tls_session *s, int side, size_t n)
{
    if (role_of(s, side) == TD_CLIENT)
        s->conn->sum.bytes_client += n;
    else
        s->conn->sum.bytes_server += n;
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

static void on_client_hello(struct td_tls_session *s, struct td_client_hello *ch)
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
    for (size_t i = 0; i < ch->supported_versions.n; i++)
        if (ch->supported_versions.v[i] == TD_VERSION_TLS_1_3)
            s->offered_tls13 = true;
    for (size_t i = 0; s->client_hellos == 1 && i < ch->extensions.n; i++)
        if (ch->extensions.v[i] == TD_EXT_EARLY_DATA)
            s->offered_early_data = true;
    td_resumption_client_hello(&s->resumption, ch);
}

/* The traffic secret for a side's records (the handshake's, or the application's). */
static bool install_secret(struct td_tls_session *s, int side, bool application)
{
    uint8_t secret[TD_KEYLOG_SECRET_MAX];
    bool client = role_of(s, side) == TD_CLIENT;
    enum td_keylog_label label =
        application ? (client ? TD_KEYLOG_CLIENT_TRAFFIC_SECRET_0 : TD_KEYLOG_SERVER_TRAFFIC_SECRET_0)
                    : (client ? TD_KEYLOG_CLIENT_HANDSHAKE_TRAFFIC_SECRET
                              : TD_KEYLOG_SERVER_HANDSHAKE_TRAFFIC_SECRET);
    size_t len = td_keylog_secret(s->env->keylog, s->client_random, label, secret);
    enum td_rp_status st = len ? td_rp_set_secret(s->dec->rp[side], secret, len) : TD_RP_BAD_SECRET;
    OPENSSL_cleanse(secret, sizeof secret);
    return len > 0 && st == TD_RP_OK;
}

/*
 * A TLS 1.3 ServerHello: with both handshake traffic secrets in the key
 * log, and a suite libcrypto can open, the records that follow are decrypted.
 */
static void start_decrypting(struct td_tls_session *s, uint16_t suite)
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
        stop_decrypting(s);
        return;
    }
    if (st != TD_RP_OK || !install_secret(s, 0, false) || !install_secret(s, 1, false)) {
        sum->decryption = TD_DECRYPTION_FAILED;
        td_conn_anomaly(s->conn, TD_ANOM_DECRYPTION_FAILED, s->now,
                        "the key log's handshake traffic secrets do not fit %s (wrong length for "
                        "its hash, or libcrypto failed); records are labelled without keys",
                        td_registry_name(TD_REG_CIPHER_SUITES, suite, name));
        stop_decrypting(s);
        return;
    }
    sum->decryption = TD_DECRYPTION_OK;
}

static void on_server_hello(struct td_tls_session *s, const struct td_server_hello *sh,
                            bool is_hrr)
{
    struct td_conn_summary *sum = &s->conn->sum;

    s->selected_version = sh->version;
    if (is_hrr) {
        s->hrr_seen = true;
        if (sh->version == TD_VERSION_TLS_1_3)
            s->offered_tls13 = true; /* the client's compatibility CCS changes nothing */
        return;
    }
    s->sh_seen = true;
    s->version = sh->version;
    s->cipher_suite = sh->cipher_suite;
    s->tls13 = sh->version == TD_VERSION_TLS_1_3;
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
    td_resumption_server_hello(&s->resumption, sh, s->tls13);
    if (s->tls13) {
        publish_resumption(s);
        s->finished_record_len = finished_record_length(sh->cipher_suite);
        if (s->has_client_random)
            start_decrypting(s, sh->cipher_suite);
        /* every later record of either side is encrypted; without keys only sizes matter */
        for (int i = 0; s->dec == NULL && i < 2; i++)
            td_record_skip_bodies(&s->dir[i].rec, TD_CT_APPLICATION_DATA);
    } else if (s->has_client_random &&
               td_keylog_has(s->env->keylog, s->client_random, TD_KEYLOG_CLIENT_RANDOM)) {
        char v[TD_REG_NAME_BUF];
        sum->decryption = TD_DECRYPTION_UNSUPPORTED;
        td_conn_anomaly(s->conn, TD_ANOM_DECRYPTION_UNSUPPORTED, s->now,
                        "the key log has this connection's master secret, but %s records are "
                        "not decrypted by this version",
                        td_registry_name(TD_REG_VERSIONS, sh->version, v));
    }
}

/*
 * Read a message's body (the dispatch table's parser), then do what it means
 * for the session: hellos fix the negotiated parameters, the server's first
 * Certificate is validated, clear tickets are remembered for resumed_from.
 */
static int parse_message(struct td_tls_session *s, int side, const struct td_hs_message *hm,
                         struct td_message *m, struct td_parse *p)
{
    struct td_parse_context ctx = {s->version, s->tls13, &s->kex, s->env->certs, s->env->quic};
    /* the capture may have kept fewer bytes than the message declares */
    struct td_cur body = td_cur_make_partial(hm->body, hm->available, hm->length);
    int rc = td_parse_handshake(p, &ctx, body, m);

    switch (m->kind) {
    case TD_MSG_CLIENT_HELLO:
        if (rc == 0)
            on_client_hello(s, &m->u.client_hello);
        break;
    case TD_MSG_SERVER_HELLO:
    case TD_MSG_HELLO_RETRY_REQUEST:
        if (rc == 0)
            on_server_hello(s, &m->u.server_hello, m->kind == TD_MSG_HELLO_RETRY_REQUEST);
        break;
    case TD_MSG_CERTIFICATE:
        if (role_of(s, side) == TD_SERVER && !s->server_certificate_seen) {
            struct td_conn_summary *sum = &s->conn->sum;
            size_t verified;
            s->server_certificate_seen = true;
            verified = td_validate_chain(s->env->validator, &m->u.certificate,
                                         (const uint8_t *)sum->sni, sum->sni_len,
                                         s->now / 1000000, &sum->validation);
            if (verified == TD_VALIDATE_MAX_CERTS && m->u.certificate.count > verified)
                td_parse_fail(p, TD_ANOM_LIMIT_REACHED,
                              "certificate_validation: the verifier was given the first %d of %zu "
                              "certificates", TD_VALIDATE_MAX_CERTS, m->u.certificate.count);
            td_conn_set_server_certs(s->conn, &m->u.certificate);
            if (m->u.certificate.count > TD_MAX_SERVER_CERTS)
                td_parse_fail(p, TD_ANOM_LIMIT_REACHED,
                              "server_certificates lists the first %d of %zu certificates",
                              TD_MAX_SERVER_CERTS, m->u.certificate.count);
        }
        break;
    case TD_MSG_NEW_SESSION_TICKET:
        if (rc == 0 && !s->tls13)
            td_resume_remember(s->env->resume, TD_RESUME_TICKET, m->u.new_session_ticket.ticket.data,
                               m->u.new_session_ticket.ticket.len, s->conn->id.conn);
        break;
    case TD_MSG_ENCRYPTED_EXTENSIONS:
        if (rc == 0 && m->u.encrypted_extensions.has_alpn)
            td_conn_set_alpn(s->conn, m->u.encrypted_extensions.alpn.data,
                             m->u.encrypted_extensions.alpn.len);
        break;
    case TD_MSG_FINISHED:
        s->dir[side].finished_seen = true;
        if (s->dir[side].reading_decrypted)
            s->dec->to_application[side] = true;
        break;
    case TD_MSG_KEY_UPDATE:
        if (rc == 0 && s->dir[side].reading_decrypted)
            s->dec->key_update[side] = true;
        break;
    default:
        break;
    }
    return rc;
}

static void on_message(void *ctx, int side, const struct td_hs_message *hm)
{
    struct td_tls_session *s = ctx;
    struct td_message m;
    struct td_parse p;
    enum td_sender sender;

    memset(&m, 0, sizeof m);
    m.kind = td_hs_kind_of(hm->type);
    m.handshake_type = hm->type;
    m.record_version = hm->record_version;
    m.length = hm->length;
    sender = td_msg_kind_sender(m.kind);
    if (sender != TD_SENT_BY_EITHER)
        fix_roles(s, sender == TD_SENT_BY_CLIENT ? side : 1 - side);
    td_parse_begin(&p, s->env->arena);
    p.digests = s->env->digests;
    struct td_hello_order before = {s->client_hellos, s->hrr_seen, s->sh_seen};
    const char *out_of_order;
    char fault[128];

    /* A full handshake shows in the server's flight, or in the client's key
     * exchange (an abbreviated handshake has none, RFC 5246 §7.3). */
    if (td_resumption_pending(&s->resumption) &&
        ((role_of(s, side) == TD_SERVER &&
          (m.kind == TD_MSG_CERTIFICATE || m.kind == TD_MSG_SERVER_KEY_EXCHANGE ||
           m.kind == TD_MSG_CERTIFICATE_REQUEST || m.kind == TD_MSG_SERVER_HELLO_DONE)) ||
         (role_of(s, side) == TD_CLIENT && m.kind == TD_MSG_CLIENT_KEY_EXCHANGE)) &&
        td_resumption_full(&s->resumption, s->env->resume, s->conn->id.conn))
        publish_resumption(s);

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
    emit(s, side, &m);
    report_parse(s, &p);
    if (td_hello_version_odd(&m, fault, sizeof fault))
        td_conn_anomaly(s->conn, TD_ANOM_BAD_VERSION, s->now, "%s", fault);
    out_of_order = m.parsed && !m.truncated ? td_hello_out_of_order(&before, m.kind) : NULL;
    if (out_of_order)
        td_conn_anomaly(s->conn, TD_ANOM_UNEXPECTED_MESSAGE, s->now, "%s (%s)", out_of_order,
                        direction(s, side));
    if (m.kind == TD_MSG_FINISHED && s->dir[0].finished_seen && s->dir[1].finished_seen)
        handshake_complete(s);
    td_arena_reset(s->env->arena);
}

/* ---- records ------------------------------------------------------------ */

static void on_change_cipher_spec(struct td_tls_session *s, int side, const struct td_record *r)
{
    struct td_tls_dir *d = &s->dir[side];
    struct td_message m = {.kind = TD_MSG_CHANGE_CIPHER_SPEC, .record_version = r->version,
                           .length = r->length, .parsed = true};

    if (td_hs_pending(&d->hs)) {
        td_conn_anomaly(s->conn, TD_ANOM_INTERLEAVED_RECORD, s->now,
                        "ChangeCipherSpec (%s) inside an unfinished handshake message",
                        direction(s, side));
        td_hs_reset(&d->hs);
    }
    struct td_cur body = td_cur_make(r->body, r->length);
    uint8_t value = 0;
    if (r->body && (r->length != 1 || !td_cur_u8(&body, &value) || value != 1))
        td_conn_anomaly(s->conn, TD_ANOM_BAD_LENGTH, s->now,
                        "ChangeCipherSpec: %zu bytes, expected the single byte 01", r->length);
    if (role_of(s, side) == TD_SERVER && td_resumption_abbreviated(&s->resumption, s->env->resume))
        publish_resumption(s);
    emit(s, side, &m);
    /* TLS 1.3's compatibility ChangeCipherSpec changes nothing (RFC 8446 §D.4). */
    if (s->tls13 || (!s->sh_seen && s->offered_tls13))
        return;
    d->encrypted = true;
}

static void on_alert(struct td_tls_session *s, int side, const struct td_record *r)
{
    struct td_tls_dir *d = &s->dir[side];
    struct td_message m = {.kind = TD_MSG_ALERT, .record_version = r->version, .parsed = true};

    /* A clear alert is exactly two bytes; anything else carries a MAC or tag. */
    if (d->encrypted || r->body == NULL || r->length != 2) {
        m.encrypted = true;
        m.length = r->length;
        emit(s, side, &m);
        td_conn_add_alert(s->conn, role_of(s, side), true, NULL);
        return;
    }
    struct td_parse p;
    td_parse_begin(&p, s->env->arena);
    p.digests = s->env->digests;
    td_parse_alert(&p, r->body, 2, &m.u.alert);
    m.length = 2;
    emit(s, side, &m);
    td_conn_add_alert(s->conn, role_of(s, side), false, &m.u.alert);
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
static void report_refusal(struct td_tls_session *s, int side)
{
    uint8_t type;
    size_t length;
    if (td_hs_take_refusal(&s->dir[side].hs, &type, &length))
        td_conn_anomaly(s->conn, TD_ANOM_LIMIT_REACHED, s->now,
                        "%s (%s): a %zu-byte message could not be buffered (the TLS buffer budget "
                        "of %zu bytes for all connections is used up, or memory); skipped",
                        td_msg_kind_name(td_hs_kind_of(type)), direction(s, side), length,
                        s->env->buffers ? s->env->buffers->cap : 0);
}

static void read_handshake_record(struct td_tls_session *s, int side, const struct td_record *r);

static void on_handshake_record(struct td_tls_session *s, int side, const struct td_record *r)
{
    struct td_tls_dir *d = &s->dir[side];

    if (d->encrypted && r->body && looks_plaintext(r->body, r->length)) {
        /* Bytes that parse exactly as handshake messages are not ciphertext
         * (a chance of about 2^-24 for random bytes): our idea of this
         * side's encryption was wrong (e.g. a capture that began after the
         * handshake's start), so read them. */
        d->encrypted = false;
    }
    if (d->encrypted) {
        struct td_message m = {.kind = d->finished_seen ? TD_MSG_ENCRYPTED_HANDSHAKE : TD_MSG_FINISHED,
                               .record_version = r->version, .encrypted = true,
                               .length = r->length};
        d->finished_seen = true;
        emit(s, side, &m);
        if (s->dir[0].finished_seen && s->dir[1].finished_seen)
            handshake_complete(s);
        return;
    }
    read_handshake_record(s, side, r);
}

/* The body of a handshake record in clear (or decrypted) into the message assembler. */
static void read_handshake_record(struct td_tls_session *s, int side, const struct td_record *r)
{
    struct td_tls_dir *d = &s->dir[side];

    if (r->body == NULL) {
        /* a body the record layer could not keep: its bytes are lost to the messages */
        td_hs_lost(&d->hs, side, r->length, on_message, s);
        return;
    }
    if (r->length == 0 && r->lost_after == 0)
        td_conn_anomaly(s->conn, TD_ANOM_BAD_LENGTH, s->now,
                        "record[%llu] (handshake, %s): zero length, which RFC 8446 §5.1 forbids",
                        (unsigned long long)r->index, direction(s, side));
    td_hs_feed(&d->hs, side, r->body, r->length, r->version,
               s->env->cfg->max_handshake_message, on_message, s);
    if (r->lost_after)
        td_hs_lost(&d->hs, side, r->lost_after, on_message, s);
    report_refusal(s, side);
    if (r->truncated)
        td_hs_flush_truncated(&d->hs, side, on_message, s);
    struct td_hs_progress progress;
    td_hs_progress(&d->hs, &progress);
    if (progress.state == TD_HS_SKIPPING_OVER_LONG && !d->reported_discard) {
        /* say so now: the rest of an over-long message may never come */
        d->reported_discard = true;
        td_conn_anomaly(s->conn, TD_ANOM_HANDSHAKE_TOO_LONG, s->now,
                        "%s (%s): declared length %zu > limit %zu; skipping it",
                        td_msg_kind_name(td_hs_kind_of(progress.type)), direction(s, side),
                        progress.length, s->env->cfg->max_handshake_message);
    } else if (progress.state != TD_HS_SKIPPING_OVER_LONG) {
        d->reported_discard = false;
    }
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
static void on_tls13_encrypted(struct td_tls_session *s, int side, const struct td_record *r)
{
    struct td_tls_dir *d = &s->dir[side], *peer = &s->dir[1 - side];
    bool server = role_of(s, side) == TD_SERVER;

    if (server && peer->sent_encrypted) {
        /* the server answers the client's flight: both flights are over */
        d->flight_done = true;
        peer->flight_done = peer->finished_seen = true;
        handshake_complete(s);
    }
    if (!server && d->flight_done && d->sent_encrypted)
        handshake_complete(s); /* application data after the client's flight */
    d->sent_encrypted = true;
    if (d->flight_done) {
        add_app_bytes(s, side, r->length);
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
    emit(s, side, &m);
    if (!server && exact_finished)
        handshake_complete(s);
}

/* The key change a side's Finished or KeyUpdate asked for, before its next record. */
static void change_keys(struct td_tls_session *s, int side)
{
    struct td_tls13_decrypt *k = s->dec;
    bool ok = true;

    if (k->to_application[side]) {
        k->to_application[side] = false;
        /* from here on, records of this side that cannot be opened are data */
        s->dir[side].flight_done = true;
        ok = install_secret(s, side, true);
    } else if (k->key_update[side]) {
        k->key_update[side] = false;
        ok = td_rp_next_secret(k->rp[side]) == TD_RP_OK;
    }
    if (!ok) {
        /* no (usable) application traffic secret for this side: its data is counted as sent */
        td_rp_free(k->rp[side]);
        k->rp[side] = NULL;
    }
}

/*
 * TLS 1.3 with keys: open the record and read its inner content as if it had
 * come in clear (RFC 8446 §5.2).  A record the capture did not keep whole
 * uses up its sequence number and is labelled as without keys.
 */
static void on_tls13_decrypt(struct td_tls_session *s, int side, const struct td_record *r)
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
        on_tls13_encrypted(s, side, r);
        return;
    }
    st = td_rp_open(k->rp[side], header, r->body, r->length, s->env->plaintext, &inner.length,
                    &inner.type);
    if (st != TD_RP_OK) {
        /* 0-RTT: the client's early records are under its early traffic secret */
        bool early = role_of(s, side) == TD_CLIENT && s->offered_early_data &&
                     !s->dir[side].finished_seen;
        s->conn->sum.decryption = TD_DECRYPTION_FAILED;
        td_conn_anomaly(s->conn, TD_ANOM_DECRYPTION_FAILED, s->now,
                        "record[%llu] (application_data, %s, %zu bytes): %s%s; it and later "
                        "records are labelled as without keys",
                        (unsigned long long)r->index, direction(s, side), r->length,
                        st == TD_RP_NO_CONTENT ? "authenticated, but its plaintext is all padding "
                                                 "(no content type)"
                                               : "does not authenticate with the key log's secret",
                        early ? " (0-RTT early data? not decrypted yet)" : "");
        stop_decrypting(s);
        on_tls13_encrypted(s, side, r);
        return;
    }
    inner.body = s->env->plaintext;
    if (inner.type != TD_CT_HANDSHAKE && td_hs_pending(&d->hs))
        td_conn_anomaly(s->conn, TD_ANOM_INTERLEAVED_RECORD, s->now,
                        "record[%llu] (decrypted content type %s, %s) inside an unfinished "
                        "handshake message", (unsigned long long)r->index,
                        td_registry_name(TD_REG_CONTENT_TYPES, inner.type, ct), direction(s, side));
    d->reading_decrypted = true;
    switch (inner.type) {
    case TD_CT_HANDSHAKE:
        read_handshake_record(s, side, &inner);
        break;
    case TD_CT_ALERT:
        on_alert(s, side, &inner);
        break;
    case TD_CT_APPLICATION_DATA:
        add_app_bytes(s, side, inner.length);
        break;
    default:
        td_conn_anomaly(s->conn, TD_ANOM_UNEXPECTED_MESSAGE, s->now,
                        "record[%llu] (%s): decrypted content type %s is not allowed inside a "
                        "TLS 1.3 record (RFC 8446 §5.1)",
                        (unsigned long long)r->index, direction(s, side),
                        td_registry_name(TD_REG_CONTENT_TYPES, inner.type, ct));
        break;
    }
    d->reading_decrypted = false;
    OPENSSL_cleanse(s->env->plaintext, inner.length);
    if (s->dec)
        change_keys(s, side);
}

static void on_application_data(struct td_tls_session *s, int side, const struct td_record *r)
{
    if (s->tls13 && s->sh_seen) {
        if (s->dec && s->dec->rp[side])
            on_tls13_decrypt(s, side, r);
        else
            on_tls13_encrypted(s, side, r);
        return;
    }
    add_app_bytes(s, side, r->length);
}

static void on_heartbeat(struct td_tls_session *s, int side, const struct td_record *r)
{
    struct td_message m = {.kind = TD_MSG_HEARTBEAT, .record_version = r->version,
                           .encrypted = s->dir[side].encrypted || s->tls13, .length = r->length,
                           .parsed = true};
    emit(s, side, &m);
}

/* SSL 2.0 records (sslv2.c reads them): the state of the handshake in clear. */
static void on_sslv2(struct td_tls_session *s, int side, const struct td_record *r)
{
    struct td_tls_dir *d = &s->dir[side];
    struct td_sslv2_messages v2;
    struct td_parse p;

    if (d->sslv2_clear_done || r->body == NULL) {
        d->sslv2_sent_encrypted = true;
        add_app_bytes(s, side, r->length);
        if (s->sslv2_client_master_key && s->dir[0].sslv2_sent_encrypted &&
            s->dir[1].sslv2_sent_encrypted)
            handshake_complete(s);
        return;
    }
    td_parse_begin(&p, s->env->arena);
    p.digests = s->env->digests;
    td_sslv2_read(&p, r->body, r->length, s->env->certs, &v2);
    switch (v2.kind) {
    case TD_SSLV2_CLIENT_HELLO:
        fix_roles(s, side);
        if (v2.msg.parsed)
            on_client_hello(s, &v2.msg.u.client_hello);
        emit(s, side, &v2.msg);
        break;
    case TD_SSLV2_SERVER_HELLO:
        fix_roles(s, 1 - side);
        if (v2.msg.parsed)
            on_server_hello(s, &v2.msg.u.server_hello, false);
        d->sslv2_clear_done = true;
        emit(s, side, &v2.msg);
        if (v2.has_certificate) {
            s->server_certificate_seen = true;
            td_conn_set_server_certs(s->conn, &v2.certificate.u.certificate);
            td_validate_chain(s->env->validator, &v2.certificate.u.certificate, NULL, 0,
                              s->now / 1000000, &s->conn->sum.validation);
            emit(s, side, &v2.certificate);
        }
        break;
    case TD_SSLV2_CLIENT_MASTER_KEY:
        s->sslv2_client_master_key = true;
        d->sslv2_clear_done = true;
        emit(s, side, &v2.msg);
        break;
    case TD_SSLV2_OTHER:
        d->sslv2_clear_done = true;
        d->sslv2_sent_encrypted = true;
        add_app_bytes(s, side, r->length);
        break;
    }
    report_parse(s, &p);
    td_arena_reset(s->env->arena);
}

static void on_record(void *ctx, int side, const struct td_record *r)
{
    struct td_tls_session *s = ctx;

    mark_detected(s);
    if (r->version == 0x0002 && r->type == 0) {
        on_sslv2(s, side, r);
        return;
    }
    if (!td_version_known(r->version) && !s->dir[side].reported_version) {
        s->dir[side].reported_version = true;
        td_conn_anomaly(s->conn, TD_ANOM_BAD_VERSION, s->now,
                        "record[%llu] (%s): legacy_record_version 0x%04x is not an SSL/TLS "
                        "version; the record is read as usual (RFC 8446 §5.1)",
                        (unsigned long long)r->index, direction(s, side), r->version);
    }
    /* (a record being decrypted is judged by its inner content type, in on_tls13_decrypt) */
    if (r->type != TD_CT_HANDSHAKE && td_hs_pending(&s->dir[side].hs) &&
        r->type != TD_CT_CHANGE_CIPHER_SPEC &&
        !(r->type == TD_CT_APPLICATION_DATA && s->dec && s->dec->rp[side])) {
        td_conn_anomaly(s->conn, TD_ANOM_INTERLEAVED_RECORD, s->now,
                        "record[%llu] (content type %u, %s) inside an unfinished handshake message",
                        (unsigned long long)r->index, r->type, direction(s, side));
    }
    switch (r->type) {
    case TD_CT_CHANGE_CIPHER_SPEC:
        on_change_cipher_spec(s, side, r);
        break;
    case TD_CT_ALERT:
        on_alert(s, side, r);
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
}

static void on_note(void *ctx, int side, enum td_rec_note what, const char *detail)
{
    struct td_tls_session *s = ctx;
    struct td_tls_dir *d = &s->dir[side];

    switch (what) {
    case TD_RECN_FOUND:
        mark_detected(s); /* a hello header: TLS, even if the record never completes */
        break;
    case TD_RECN_RESYNCED:
        break;
    case TD_RECN_FOUND_WEAK:
        mark_detected(s);
        td_conn_anomaly(s->conn, TD_ANOM_MIDSTREAM, s->now,
                        "%s: picked up at stream offset %llu (%s); the handshake was not seen",
                        direction(s, side), (unsigned long long)d->offset, detail);
        break;
    case TD_RECN_BAD_HEADER:
        td_conn_anomaly(s->conn, TD_ANOM_BAD_RECORD, s->now, "%s, %s: resynchronising", detail,
                        direction(s, side));
        td_hs_reset(&d->hs);
        break;
    case TD_RECN_TOO_LONG:
        td_conn_anomaly(s->conn, TD_ANOM_RECORD_TOO_LONG, s->now, "%s (%s)", detail,
                        direction(s, side));
        break;
    case TD_RECN_GAVE_UP:
        if (s->detected) {
            d->reported_unrecognised = true;
            td_conn_anomaly(s->conn, TD_ANOM_NOT_TLS, s->now, "%s: %s", direction(s, side), detail);
        }
        break;
    case TD_RECN_BODY_TOO_BIG:
        td_conn_anomaly(s->conn, TD_ANOM_OUT_OF_MEMORY, s->now, "%s: %s", direction(s, side),
                        detail);
        break;
    case TD_RECN_OVER_BUDGET:
        td_conn_anomaly(s->conn, TD_ANOM_LIMIT_REACHED, s->now,
                        "%s: %s: the TLS buffer budget (%zu bytes for all connections) is used up",
                        direction(s, side), detail, s->env->buffers ? s->env->buffers->cap : 0);
        break;
    }
}

uint64_t td_tls_data(struct td_tls_session *s, int side, const uint8_t *p, size_t n,
                     td_time_us now)
{
    struct td_record_handler h = {on_record, on_note, s};
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
    td_hs_feed(&s->dir[side].hs, side, p, n, 0, s->env->cfg->max_handshake_message, on_message, s);
    report_refusal(s, side);
}

uint64_t td_tls_gap(struct td_tls_session *s, int side, uint64_t n, enum td_gap_reason why,
                    td_time_us now)
{
    struct td_record_handler h = {on_record, on_note, s};
    struct td_tls_dir *d = &s->dir[side];
    bool was_partial = td_hs_pending(&d->hs);
    uint64_t at = d->offset;
    enum td_rec_gap effect;
    const char *what;

    s->now = now;
    d->offset += n;
    if (why != TD_GAP_SKIPPED && role_of(s, side) == TD_SERVER)
        td_resumption_gap(&s->resumption); /* the server's next message may be in the gap */
    if (s->dec && s->dec->rp[side] && why != TD_GAP_SKIPPED) {
        /* the lost bytes may hold records: their sequence numbers are unknown */
        td_rp_free(s->dec->rp[side]);
        s->dec->rp[side] = NULL;
        d->flight_done = d->finished_seen = true;
        td_conn_anomaly(s->conn, TD_ANOM_DECRYPTION_FAILED, now,
                        "%s: bytes lost at stream offset %llu; its later records are not decrypted",
                        direction(s, side), (unsigned long long)at);
    }
    effect = td_record_gap(&d->rec, side, n, why == TD_GAP_TRUNCATED, &h);
    if (effect == TD_REC_GAP_FRAMING_LOST)
        td_hs_lost_framing(&d->hs, side, on_message, s);
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
                        direction(s, side), (unsigned long long)n, (unsigned long long)at, what);
    }
    if (td_tls_hopeless(s))
        return TD_STREAM_SKIP_ALL;
    return td_record_skippable(&d->rec);
}

void td_tls_end(struct td_tls_session *s, td_time_us now)
{
    struct td_record_handler h = {on_record, on_note, s};
    s->now = now;
    for (int side = 0; side < 2; side++) {
        struct td_tls_dir *d = &s->dir[side];
        if (!s->detected)
            continue;
        if (td_record_nothing_found(&d->rec) && d->offset > 0 && !d->reported_unrecognised) {
            /* however few bytes: a side that hides its handshake must show */
            d->reported_unrecognised = true;
            td_conn_anomaly(s->conn, TD_ANOM_NOT_TLS, now,
                            "%s: %llu bytes and no TLS record in them", direction(s, side),
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
                            (unsigned long long)rec.index, rec.type, direction(s, side), rec.seen,
                            rec.length);
            td_record_gap(&d->rec, side, td_record_missing(&d->rec), true, &h);
            continue;
        }
        td_hs_progress(&d->hs, &msg);
        if (msg.state == TD_HS_IN_BODY || msg.state == TD_HS_SKIPPING_OVER_LONG)
            td_conn_anomaly(s->conn, TD_ANOM_INCOMPLETE_MESSAGE, now,
                            "%s (%s): %zu of %zu bytes seen before the stream ended",
                            td_msg_kind_name(td_hs_kind_of(msg.type)), direction(s, side), msg.seen,
                            msg.length);
        else if (msg.state == TD_HS_IN_HEADER)
            td_conn_anomaly(s->conn, TD_ANOM_INCOMPLETE_MESSAGE, now,
                            "handshake message header (%s): %zu of 4 bytes seen",
                            direction(s, side), msg.seen);
        else if (in_record)
            td_conn_anomaly(s->conn, TD_ANOM_INCOMPLETE_MESSAGE, now,
                            "record[%llu] (content type %u, %s): %zu of %zu bytes seen before the "
                            "stream ended",
                            (unsigned long long)rec.index, rec.type, direction(s, side), rec.seen,
                            rec.length);
    }
}
