/*
 * connection.c — one DTLS connection seen from the wire (RFC 6347 §4.1,
 * §4.2; RFC 9147 §4, §5, §7): each datagram split into its records, each
 * record read by what it is —
 *  - a handshake record of epoch 0: its fragments reassembled
 *    (reassembly.c) and each whole message handed to the TLS session;
 *  - any other record (ChangeCipherSpec, alert, application data, ACK, a
 *    handshake record of a later epoch, which is encrypted, and DTLS 1.3's
 *    unified-header records, encrypted application_data on the wire):
 *    handed to the session as the TLS record it stands for;
 *  - a DTLS 1.0/1.2 record of epoch 1 the session can open with the key
 *    log's keys (td_tls_dtls_open): read as its content, as if in clear
 *    (a handshake record's fragments reassembled as those of epoch 0).
 * Every message and record is stamped with its epoch (and a handshake
 * message with its message_seq and fragment count).  A record whose epoch
 * and sequence number were already seen in this direction is a copy of one
 * (a duplicated datagram) and is dropped (RFC 6347 §4.1.2.6: a 64-record
 * window per epoch; handshake records of epoch 0 are compared by their
 * messages' message_seq instead); DTLS 1.3 unified headers carry only the low bits of an
 * encrypted sequence number (RFC 9147 §4.2.3) and are not compared.
 *
 * What goes wrong is an anomaly (the model shows each kind once per
 * connection and counts the rest: a flood of bad datagrams is one event).
 */
#include "tlsdissect/dtls.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dtls/reassembly.h"
#include "dtls/record.h"
#include "tlsdissect/codepoints.h"
#include "tlsdissect/cursor.h"

/* RFC 6347 §4.1.2.6: the records of one epoch seen, a window below the highest. */
#define REPLAY_EPOCHS 4
struct replay_window {
    bool used;
    uint16_t epoch;
    uint64_t highest;
    uint64_t seen;           /* bit i: record highest - i was seen */
};

struct td_dtls_conn {
    struct td_conn *conn;
    struct td_tls_session *tls;
    const struct td_tls_env *env;
    struct td_dtls_reassembly reasm[2];
    struct replay_window replay[2][REPLAY_EPOCHS]; /* by side; epoch % REPLAY_EPOCHS */
    td_time_us now;
};

/* Flow side 0 sent the datagram the connection was found by: the client's ClientHello. */
static const char *who(int side) { return side == 0 ? "client" : "server"; }

struct td_dtls_conn *td_dtls_new(const struct td_tls_env *env, struct td_conn *conn)
{
    struct td_dtls_conn *d = calloc(1, sizeof *d);
    if (d == NULL)
        return NULL;
    d->conn = conn;
    d->env = env;
    td_conn_set_dtls(conn);
    d->tls = td_tls_new(env, conn, 0, false);
    if (d->tls == NULL) {
        free(d);
        return NULL;
    }
    for (int side = 0; side < 2; side++)
        td_dtls_reasm_init(&d->reasm[side], env->cfg->max_handshake_message, env->buffers);
    return d;
}

void td_dtls_free(struct td_dtls_conn *d)
{
    if (d == NULL)
        return;
    for (int side = 0; side < 2; side++)
        td_dtls_reasm_release(&d->reasm[side]);
    td_tls_free(d->tls);
    free(d);
}

/* Something wrong in one direction's records: an anomaly that names the direction. */
static void problem(struct td_dtls_conn *d, int side, enum td_anomaly_kind kind, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void problem(struct td_dtls_conn *d, int side, enum td_anomaly_kind kind, const char *fmt, ...)
{
    char detail[200];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    td_conn_anomaly(d->conn, kind, d->now, "%s: %s", who(side), detail);
}

struct delivery {
    struct td_dtls_conn *d;
    int side;
};

static void deliver(void *ctx, const uint8_t *msg, size_t n, const struct td_dtls_msg_info *info)
{
    struct delivery *dv = ctx;
    /* a message of a later epoch was reassembled from decrypted records (record()) */
    struct td_dtls_stamp stamp = {.present = true, .epoch = info->epoch, .has_message_seq = true,
                                  .message_seq = info->message_seq, .fragments = info->fragments,
                                  .decrypted = info->epoch > 0};
    td_tls_dtls_message(dv->d->tls, dv->side, msg, n, info->record_version, &stamp, dv->d->now);
}

static void report_fragments(struct td_dtls_conn *d, int side, const struct td_dtls_frag_notes *n)
{
    if (n->malformed)
        problem(d, side, TD_ANOM_DTLS_MALFORMED, "%s; the rest of the record is skipped", n->detail);
    if (n->past_length)
        problem(d, side, TD_ANOM_DTLS_MALFORMED,
                "%llu handshake fragments whose offset + length pass their message's length: "
                "dropped", (unsigned long long)n->past_length);
    if (n->conflicts)
        problem(d, side, TD_ANOM_DTLS_FRAGMENT_CONFLICT,
                "%llu resent handshake fragments differ from the first copy (first copy kept)",
                (unsigned long long)n->conflicts);
    if (n->inconsistent)
        problem(d, side, TD_ANOM_DTLS_FRAGMENT_CONFLICT,
                "%llu handshake fragments whose type or length differ from the first fragment "
                "of their message_seq: dropped", (unsigned long long)n->inconsistent);
    if (n->too_far_ahead)
        problem(d, side, TD_ANOM_LIMIT_REACHED,
                "%llu handshake fragments more than %d messages ahead of the next one expected: "
                "dropped", (unsigned long long)n->too_far_ahead, TD_DTLS_SLOTS);
    if (n->flood)
        problem(d, side, TD_ANOM_LIMIT_REACHED,
                "more than %d fragments for one handshake message: the rest dropped",
                TD_DTLS_MAX_FRAGMENTS);
    if (n->no_room)
        problem(d, side, TD_ANOM_LIMIT_REACHED,
                "a handshake message could not be held (the TLS buffer budget is used up, or "
                "memory): skipped");
    if (n->too_long)
        problem(d, side, TD_ANOM_HANDSHAKE_TOO_LONG,
                "handshake message of type %u: declared length %zu > limit %zu; skipping it",
                n->too_long_type, n->too_long_length, d->env->cfg->max_handshake_message);
}

/* A record seen before (same epoch and sequence number): true.  Records
 * older than the window are taken as new. */
static bool replayed(struct td_dtls_conn *d, int side, const struct td_dtls_record *r)
{
    struct replay_window *w = &d->replay[side][r->epoch % REPLAY_EPOCHS];

    if (!w->used || w->epoch != r->epoch) {
        *w = (struct replay_window){true, r->epoch, r->sequence, 1};
        return false;
    }
    if (r->sequence > w->highest) {
        uint64_t shift = r->sequence - w->highest;
        w->seen = shift >= 64 ? 1 : (w->seen << shift) | 1;
        w->highest = r->sequence;
        return false;
    }
    uint64_t back = w->highest - r->sequence;
    if (back >= 64)
        return false;
    if (w->seen >> back & 1)
        return true;
    w->seen |= 1ull << back;
    return false;
}

/* A record's content in clear (epoch 0, or decrypted: stamp says). */
static void read_content(struct td_dtls_conn *d, int side, const struct td_dtls_record *r,
                         const struct td_dtls_stamp *stamp)
{
    if (r->type == TD_CT_HANDSHAKE) {
        struct delivery dv = {d, side};
        struct td_dtls_frag_notes notes = {0};
        td_dtls_reasm_record(&d->reasm[side], r->body, r->captured, r->epoch, r->version,
                             deliver, &dv, &notes);
        report_fragments(d, side, &notes);
        return;
    }
    td_tls_dtls_record(d->tls, side, r->type, r->version, r->body, r->captured, r->length,
                       stamp, d->now);
}

static void record(struct td_dtls_conn *d, int side, const struct td_dtls_record *r)
{
    struct td_dtls_stamp stamp = {.present = true, .epoch = r->epoch};
    struct td_dtls_record inner = *r;
    const uint8_t *plain;
    size_t plain_len;

    /* with the key log's keys, a protected record is read as its content (RFC 6347 §4.1.2.1) */
    if (!r->unified && r->epoch > 0 && r->captured == r->length && r->type != TD_CT_TLS12_CID &&
        r->type != TD_CT_ACK &&
        td_tls_dtls_open(d->tls, side, r->type, r->version, r->epoch, r->sequence, r->body,
                         r->length, d->now, &plain, &plain_len)) {
        inner.body = plain;
        inner.length = inner.captured = plain_len;
        stamp.decrypted = true;
        read_content(d, side, &inner, &stamp);
        td_tls_dtls_plaintext_done(d->tls, plain_len);
        return;
    }
    if (r->type == TD_CT_TLS12_CID)
        problem(d, side, TD_ANOM_DTLS_UNSUPPORTED,
                "tls12_cid records (RFC 9146): counted as protected records, not read");
    if (!r->unified && r->type == TD_CT_HANDSHAKE && r->epoch == 0)
        read_content(d, side, r, &stamp);
    else
        td_tls_dtls_record(d->tls, side, r->type, r->version, r->body, r->captured, r->length,
                           &stamp, d->now);
}

void td_dtls_datagram(struct td_dtls_conn *d, int side, const uint8_t *p, size_t caplen,
                      size_t len, td_time_us now)
{
    struct td_cur c = td_cur_make_partial(p, caplen, len);
    uint64_t index = 0;

    d->now = now;
    while (td_cur_declared(&c) > 0) {
        struct td_dtls_record r;
        enum td_dtls_rec_status st =
            td_dtls_read_record(&c, td_tls_dtls_cid_length(d->tls, side), &r);

        index++;
        switch (st) {
        case TD_DTLS_REC_OK:
            /* handshake records of epoch 0 are told apart by message_seq instead: a
             * stateless server's HelloVerifyRequest reuses the ClientHello's sequence
             * number (RFC 6347 §4.2.1), which its next records may repeat */
            if (r.unified || (r.epoch == 0 && r.type == TD_CT_HANDSHAKE) ||
                !replayed(d, side, &r))
                record(d, side, &r);
            continue;
        case TD_DTLS_REC_CUT:
            problem(d, side, TD_ANOM_TRUNCATED_CAPTURE,
                    "record %llu of a datagram cut by the snaplen (%zu of %zu bytes): %s",
                    (unsigned long long)index, r.captured, r.length,
                    r.type == TD_CT_HANDSHAKE && !r.unified && r.epoch == 0
                        ? "its handshake fragments are not read" : "read as far as captured");
            if (!(r.type == TD_CT_HANDSHAKE && !r.unified && r.epoch == 0) && r.length > 0)
                record(d, side, &r);
            return;
        case TD_DTLS_REC_PADDING:
            return;
        case TD_DTLS_REC_CID_UNKNOWN:
            problem(d, side, TD_ANOM_DTLS_UNSUPPORTED, "%s: the rest of the datagram is skipped",
                    r.detail);
            return;
        case TD_DTLS_REC_MALFORMED:
            problem(d, side, TD_ANOM_DTLS_MALFORMED,
                    "record %llu of a datagram: %s; the rest of the datagram is skipped",
                    (unsigned long long)index, r.detail[0] ? r.detail : "bad header");
            return;
        }
    }
}

void td_dtls_end(struct td_dtls_conn *d, td_time_us now)
{
    d->now = now;
    for (int side = 0; side < 2; side++) {
        struct delivery dv = {d, side};
        uint32_t next;
        unsigned missing = td_dtls_reasm_flush(&d->reasm[side], deliver, &dv);
        unsigned waiting = td_dtls_reasm_waiting(&d->reasm[side], &next);

        if (missing)
            problem(d, side, TD_ANOM_INCOMPLETE_MESSAGE,
                    "%u handshake messages never arrived (whole messages after them were read "
                    "without them)", missing);
        if (waiting)
            problem(d, side, TD_ANOM_INCOMPLETE_MESSAGE,
                    "%u handshake messages begun but never whole (from message_seq %u)", waiting,
                    next);
    }
    td_tls_end(d->tls, now);
}
