/*
 * session_await.c — live capture with a key log that is still being
 * written (RFC 8446 §7.1 secrets, and the TLS 1.0-1.2 master secret,
 * logged by the client as it derives them): a ServerHello whose client
 * random has no secrets yet.
 *
 * The client writes its TLS 1.3 handshake traffic secrets when it reads
 * the ServerHello, so the sniffer usually sees the server's encrypted
 * flight before the line is in the file (and a TLS 1.2 client its master
 * secret as it sends its key exchange, or, resuming, as it reads the
 * ServerHello that the server's ChangeCipherSpec and Finished follow).  Instead of labelling that flight as
 * undecryptable at once, the session holds the connection's records
 * (both sides, in arrival order, with their capture times) and, at each
 * later record, reads what the key log gained (td_keylog_refresh: only
 * the appended bytes).  When the secrets appear, decryption starts and
 * the held records are read as if they had just arrived; when the wait
 * ends without them (TD_AWAIT_RECORDS records, TD_AWAIT_BYTES bytes, the
 * TLS buffer budget, TD_AWAIT_US of capture time, anything odd in the
 * stream, or its end), they are read without keys, exactly as they would
 * have been.  Only when the key log is followed (live capture): reading
 * a file, every secret is known before the first packet.
 */
#include "tls/session_private.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#include "tlsdissect/buffer.h"

#define TD_AWAIT_RECORDS 64
#define TD_AWAIT_BYTES (256u * 1024)
#define TD_AWAIT_US ((td_time_us)5 * 1000000)

struct held_record {
    int side;
    td_time_us now;
    uint64_t frame;       /* the packet that brought it */
    struct td_record r;   /* r.body is NULL; body_at tells where it is in `bodies` */
    bool has_body;
    size_t body_at;
};

struct td_key_wait {
    int application_side;   /* -1: the handshake traffic secrets; else that side's application secret */
    uint16_t suite;
    td_time_us since;
    size_t count;
    struct held_record held[TD_AWAIT_RECORDS];
    struct td_buf bodies;
};

static bool start_waiting(struct td_tls_session *s, int application_side, uint16_t suite)
{
    if (s->await != NULL || !td_keylog_following(s->env->keylog))
        return false;
    s->await = calloc(1, sizeof *s->await);
    if (s->await == NULL)
        return false; /* no memory: the connection is read without keys, as from a file */
    s->await->application_side = application_side;
    s->await->suite = suite;
    s->await->since = s->now;
    s->await->bodies.budget = s->env->buffers;
    return true;
}

void td_sess_await_keys(struct td_tls_session *s, uint16_t suite)
{
    start_waiting(s, -1, suite);
}

bool td_sess_await_application_secret(struct td_tls_session *s, int side)
{
    /* the line may be there already: one look before holding anything */
    if (td_keylog_refresh(s->env->keylog) > 0 && td_sess_install_application_secret(s, side))
        return true;
    return start_waiting(s, side, 0);
}

/* Read the held records, with keys when decryption started, then forget them. */
static void release(struct td_tls_session *s)
{
    struct td_key_wait *w = s->await;
    td_time_us now = s->now;
    uint64_t frame = td_conn_frame(s->conn);

    s->await = NULL; /* the records below are read, not held again */
    if (w->application_side >= 0 && s->dec && s->dec->to_application[w->application_side])
        td_sess_stop_decrypting_side(s, w->application_side); /* the secret never came */
    if (s->tls13 && s->dec == NULL)
        for (int i = 0; i < 2; i++)
            td_record_skip_bodies(&s->dir[i].rec, TD_CT_APPLICATION_DATA);
    for (size_t i = 0; i < w->count; i++) {
        struct held_record *h = &w->held[i];
        h->r.body = h->has_body ? w->bodies.data + h->body_at : NULL;
        s->now = h->now;
        td_conn_set_frame(s->conn, h->frame);
        td_sess_on_record(s, h->side, &h->r);
    }
    s->now = now;
    td_conn_set_frame(s->conn, frame);
    if (w->bodies.data)
        OPENSSL_cleanse(w->bodies.data, w->bodies.len);
    td_buf_free(&w->bodies);
    free(w);
}

/* The key log may have the secrets now: start decrypting if so. */
/* TLS 1.3: both handshake traffic secrets; TLS 1.0-1.2: the master secret. */
static bool has_handshake_secrets(const struct td_tls_session *s)
{
    if (!s->tls13)
        return td_keylog_has(s->env->keylog, s->client_random, TD_KEYLOG_CLIENT_RANDOM);
    return td_keylog_has(s->env->keylog, s->client_random, TD_KEYLOG_CLIENT_HANDSHAKE_TRAFFIC_SECRET) &&
           td_keylog_has(s->env->keylog, s->client_random, TD_KEYLOG_SERVER_HANDSHAKE_TRAFFIC_SECRET);
}

static bool keys_arrived(struct td_tls_session *s)
{
    int side = s->await->application_side;

    if (side >= 0) /* decryption is going on, one side waits for its application secret */
        return s->dec == NULL || (td_keylog_refresh(s->env->keylog) > 0 &&
                                  td_sess_install_application_secret(s, side));
    if (!has_handshake_secrets(s) && (td_keylog_refresh(s->env->keylog) == 0 || !has_handshake_secrets(s)))
        return false;
    if (s->tls13)
        td_sess_start_decrypting(s, s->await->suite);
    else
        td_sess_start_decrypting12(s);
    return true;
}

bool td_sess_await_record(struct td_tls_session *s, int side, const struct td_record *r)
{
    struct td_key_wait *w = s->await;
    struct held_record *h;
    size_t body = r->body ? r->length : 0;

    if (keys_arrived(s) || w->count == TD_AWAIT_RECORDS || s->now - w->since > TD_AWAIT_US ||
        w->bodies.len + body > TD_AWAIT_BYTES) {
        release(s);
        return false; /* the caller reads this record */
    }
    h = &w->held[w->count];
    h->side = side;
    h->now = s->now;
    h->frame = td_conn_frame(s->conn);
    h->r = *r;
    h->r.body = NULL;
    h->has_body = r->body != NULL;
    h->body_at = w->bodies.len;
    if (body && td_buf_append(&w->bodies, r->body, body, TD_AWAIT_BYTES) != 0) {
        release(s); /* over the TLS buffer budget: stop waiting */
        return false;
    }
    w->count++;
    return true;
}

void td_sess_await_end(struct td_tls_session *s, bool last_chance)
{
    if (s->await == NULL)
        return;
    if (last_chance)
        keys_arrived(s);
    release(s);
}

void td_sess_await_free(struct td_tls_session *s)
{
    if (s->await == NULL)
        return;
    if (s->await->bodies.data)
        OPENSSL_cleanse(s->await->bodies.data, s->await->bodies.len);
    td_buf_free(&s->await->bodies);
    free(s->await);
    s->await = NULL;
}
