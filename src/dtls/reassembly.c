/*
 * reassembly.c — DTLS handshake fragments into whole messages (RFC 6347
 * §4.2.2, §4.2.3; RFC 9147 §5.2, §5.5).
 *
 *   struct {
 *       HandshakeType msg_type;
 *       uint24 length;            -- of the whole message body
 *       uint16 message_seq;
 *       uint24 fragment_offset;
 *       uint24 fragment_length;
 *       opaque fragment[fragment_length];
 *   } Handshake;                  -- several may share one record
 *
 * A message is whole when every byte of [0, length) arrived; it is handed
 * on when every message before it was (message_seq order, §4.2.2).
 */
#include "dtls/reassembly.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tlsdissect/cursor.h"

void td_dtls_reasm_init(struct td_dtls_reassembly *r, size_t max_message, struct td_mem_budget *budget)
{
    memset(r, 0, sizeof *r);
    r->max_message = max_message;
    r->budget = budget;
}

static void slot_clear(struct td_dtls_reassembly *r, struct td_dtls_slot *s)
{
    if (r->budget)
        r->budget->used -= s->charged;
    free(s->msg);
    free(s->have);
    memset(s, 0, sizeof *s);
}

void td_dtls_reasm_release(struct td_dtls_reassembly *r)
{
    for (unsigned i = 0; i < TD_DTLS_SLOTS; i++)
        slot_clear(r, &r->slot[i]);
}

/* A slot for a message first seen now; false without room (the slot is then skipped). */
static bool slot_open(struct td_dtls_reassembly *r, struct td_dtls_slot *s, uint32_t seq,
                      uint8_t type, size_t length, uint16_t epoch, uint16_t version,
                      struct td_dtls_frag_notes *n)
{
    size_t need = 4 + length + (length + 7) / 8;

    memset(s, 0, sizeof *s);
    s->used = true;
    s->seq = seq;
    s->type = type;
    s->length = length;
    s->info = (struct td_dtls_msg_info){(uint16_t)seq, epoch, version, 0};
    if (length > r->max_message) {
        s->skip = true;
        if (!n->too_long) {
            n->too_long = true;
            n->too_long_type = type;
            n->too_long_length = length;
        }
        return false;
    }
    if (r->budget && need > r->budget->cap - r->budget->used) {
        s->skip = true;
        return false;
    }
    s->msg = malloc(4 + length);
    s->have = calloc(1, (length + 7) / 8 + 1);
    if (s->msg == NULL || s->have == NULL) {
        free(s->msg);
        free(s->have);
        s->msg = s->have = NULL;
        s->skip = true;
        return false;
    }
    s->charged = need;
    if (r->budget)
        r->budget->used += need;
    s->msg[0] = type;
    s->msg[1] = (uint8_t)(length >> 16);
    s->msg[2] = (uint8_t)(length >> 8);
    s->msg[3] = (uint8_t)length;
    return true;
}

static bool slot_whole(const struct td_dtls_slot *s)
{
    return s->used && (s->skip || (s->any && s->received == s->length));
}

/* Copy a fragment in; bytes already there are compared (the first copy wins).
 * Returns the bytes it brought that were not there. */
static size_t slot_fill(struct td_dtls_slot *s, size_t offset, const uint8_t *p, size_t n,
                        struct td_dtls_frag_notes *notes)
{
    size_t before = s->received;
    bool differs = false;
    for (size_t i = 0; i < n; i++) {
        size_t at = offset + i;
        uint8_t bit = (uint8_t)(1u << (at % 8));
        if (s->have[at / 8] & bit) {
            differs |= s->msg[4 + at] != p[i];
            continue;
        }
        s->have[at / 8] |= bit;
        s->msg[4 + at] = p[i];
        s->received++;
    }
    if (differs)
        notes->conflicts++;
    return s->received - before;
}

static void deliver_ready(struct td_dtls_reassembly *r, td_dtls_deliver_fn deliver, void *ctx)
{
    for (;;) {
        struct td_dtls_slot *s = &r->slot[r->next_seq % TD_DTLS_SLOTS];
        if (!s->used || s->seq != r->next_seq || !slot_whole(s))
            return;
        if (!s->skip)
            deliver(ctx, s->msg, 4 + s->length, &s->info);
        slot_clear(r, s);
        r->next_seq++;
    }
}

static void fragment(struct td_dtls_reassembly *r, uint8_t type, uint32_t length, uint16_t seq,
                     uint32_t offset, const uint8_t *p, size_t n, uint16_t epoch, uint16_t version,
                     struct td_dtls_frag_notes *notes)
{
    struct td_dtls_slot *s;

    if ((uint64_t)offset + n > length) {
        notes->past_length++;
        return;
    }
    if (!r->started) {
        /* the capture began after this direction's first messages: start here */
        r->started = true;
        if (seq >= TD_DTLS_SLOTS)
            r->next_seq = seq;
    }
    if (seq < r->next_seq) {
        notes->retransmitted++;
        return;
    }
    if (seq >= r->next_seq + TD_DTLS_SLOTS) {
        notes->too_far_ahead++;
        return;
    }
    s = &r->slot[seq % TD_DTLS_SLOTS];
    if (!s->used && !slot_open(r, s, seq, type, length, epoch, version, notes)) {
        if (!notes->too_long)
            notes->no_room++;
        return;
    }
    if (s->type != type || s->length != length) {
        notes->inconsistent++;
        return;
    }
    if (s->skip)
        return;
    if (s->pieces >= TD_DTLS_MAX_FRAGMENTS) {
        if (!s->flood_reported) /* once per message: a flood is one finding */
            notes->flood++;
        s->flood_reported = true;
        return;
    }
    s->pieces++;
    /* a fragment counts when it brings bytes (or is the first): copies do not */
    if (slot_fill(s, offset, p, n, notes) > 0 || !s->any)
        s->info.fragments++;
    s->any = true;
}

void td_dtls_reasm_record(struct td_dtls_reassembly *r, const uint8_t *body, size_t len,
                          uint16_t epoch, uint16_t record_version, td_dtls_deliver_fn deliver,
                          void *ctx, struct td_dtls_frag_notes *notes)
{
    struct td_cur c = td_cur_make(body, len);

    while (td_cur_remaining(&c) > 0) {
        uint8_t type;
        uint16_t seq;
        uint32_t length, offset, flen;
        const uint8_t *p;

        if (!td_cur_u8(&c, &type) || !td_cur_u24(&c, &length) || !td_cur_u16(&c, &seq) ||
            !td_cur_u24(&c, &offset) || !td_cur_u24(&c, &flen)) {
            notes->malformed = true;
            snprintf(notes->detail, sizeof notes->detail,
                     "a handshake fragment header cut short (%d bytes)", TD_DTLS_HS_HEADER);
            break;
        }
        p = td_cur_ptr(&c);
        size_t left = td_cur_remaining(&c);
        if (!td_cur_skip(&c, flen)) {
            notes->malformed = true;
            snprintf(notes->detail, sizeof notes->detail,
                     "message_seq %u: fragment_length %u > %zu bytes left in the record", seq,
                     flen, left);
            break;
        }
        fragment(r, type, length, seq, offset, p, flen, epoch, record_version, notes);
        deliver_ready(r, deliver, ctx);
    }
}

unsigned td_dtls_reasm_flush(struct td_dtls_reassembly *r, td_dtls_deliver_fn deliver, void *ctx)
{
    unsigned missing = 0;
    for (unsigned turn = 0; turn < 2 * TD_DTLS_SLOTS; turn++) {
        struct td_dtls_slot *s = &r->slot[r->next_seq % TD_DTLS_SLOTS];
        bool waiting = false;
        for (unsigned i = 0; i < TD_DTLS_SLOTS; i++)
            waiting |= slot_whole(&r->slot[i]);
        if (!waiting)
            break;
        if (!(s->used && s->seq == r->next_seq)) {
            missing++;
            r->next_seq++;
            continue;
        }
        if (!slot_whole(s))
            return missing; /* the next message is itself unfinished */
        deliver_ready(r, deliver, ctx);
    }
    return missing;
}

unsigned td_dtls_reasm_waiting(const struct td_dtls_reassembly *r, uint32_t *next_seq)
{
    unsigned n = 0;
    for (unsigned i = 0; i < TD_DTLS_SLOTS; i++)
        n += r->slot[i].used;
    *next_seq = r->next_seq;
    return n;
}
