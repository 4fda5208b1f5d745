/*
 * stream.c — TCP stream reassembly for one direction (RFC 9293 §3.4, §3.10.7).
 *
 * Invariants kept here:
 *  - s->offset counts every byte handed to the consumer (as data or as a gap)
 *    and s->next_seq is the sequence number of the byte at s->offset.
 *  - The out-of-order queue is sorted by stream offset, its segments are
 *    disjoint, and every segment starts after s->offset.  Queue positions are
 *    64-bit stream offsets, so only the entry point compares sequence numbers
 *    (wrap-safely, through td_seq_diff).
 *  - A byte is handed over once: the first copy seen wins, later copies are
 *    only compared.
 *  - Bytes before s->acked_end were acknowledged by the peer; those not yet
 *    handed over wait (TD_STREAM_HOLE_PATIENCE) before they are called lost,
 *    and bytes that arrive after that verdict are counted, never dropped
 *    silently.
 */
#include "tlsdissect/stream.h"

#include <stdlib.h>
#include <string.h>

#include "tlsdissect/tcp.h"

/* Segments further ahead than this are not this connection's bytes. */
#define TD_STREAM_WINDOW (1u << 30)


struct td_stream_seg {
    struct td_stream_seg *next;
    uint64_t start, end;
    bool has_data;
    enum td_gap_reason hole; /* when !has_data */
    struct td_stream_stamp at; /* the packet that brought it */
    uint8_t data[];
};

static size_t seg_cost(const struct td_stream_seg *g)
{
    return sizeof *g + (g->has_data ? (size_t)(g->end - g->start) : 0);
}

void td_stream_syn(struct td_stream *s, uint32_t isn)
{
    if (s->started && s->offset > 0)
        return; /* a retransmitted SYN after data: keep what we have */
    s->started = true;
    s->next_seq = isn + 1;
}

static void note_hint(struct td_stream *s, uint64_t hint)
{
    if (hint == TD_STREAM_SKIP_ALL || hint > UINT64_MAX - s->offset)
        s->skip_end = UINT64_MAX;
    else
        s->skip_end = s->offset + hint;
}

static void drop_window(struct td_stream *s, struct td_stream_budget *budget)
{
    if (s->window) {
        budget->window_used -= TD_STREAM_WINDOW_BYTES;
        if (budget->nspare < sizeof budget->spare / sizeof budget->spare[0])
            budget->spare[budget->nspare++] = s->window; /* reused by the next connection */
        else
            free(s->window);
        s->window = NULL;
    }
    s->window_len = 0;
}

void td_stream_budget_release(struct td_stream_budget *budget)
{
    while (budget->nspare)
        free(budget->spare[--budget->nspare]);
}

/* Keep wanted bytes just handed over, so that a re-send of them can be compared. */
static void remember(struct td_stream *s, const uint8_t *p, size_t n, struct td_stream_budget *budget)
{
    if (s->skip_end > s->offset) {
        drop_window(s, budget); /* the consumer skips: application data, not kept */
        return;
    }
    if (s->window == NULL) {
        if (budget->window_used + TD_STREAM_WINDOW_BYTES > budget->window_cap)
            return; /* no room: re-sends of these bytes go uncompared */
        s->window = budget->nspare ? budget->spare[--budget->nspare] : malloc(TD_STREAM_WINDOW_BYTES);
        if (s->window == NULL)
            return;
        budget->window_used += TD_STREAM_WINDOW_BYTES;
        s->window_len = 0;
    }
    if (n >= TD_STREAM_WINDOW_BYTES) {
        memcpy(s->window, p + n - TD_STREAM_WINDOW_BYTES, TD_STREAM_WINDOW_BYTES);
        s->window_len = TD_STREAM_WINDOW_BYTES;
        s->window_start = s->offset + n - TD_STREAM_WINDOW_BYTES;
        return;
    }
    if (s->window_len + n > TD_STREAM_WINDOW_BYTES) {
        size_t drop = s->window_len + n - TD_STREAM_WINDOW_BYTES;
        memmove(s->window, s->window + drop, s->window_len - drop);
        s->window_len -= drop;
        s->window_start += drop;
    }
    if (s->window_len == 0)
        s->window_start = s->offset;
    memcpy(s->window + s->window_len, p, n);
    s->window_len += n;
}

static void hand_data(struct td_stream *s, int side, const struct td_stream_consumer *c,
                      const uint8_t *p, size_t n, struct td_stream_stamp at,
                      struct td_stream_budget *budget)
{
    if (n == 0)
        return;
    remember(s, p, n, budget);
    s->offset += n;
    s->next_seq += (uint32_t)n;
    note_hint(s, c->data(c->ctx, side, p, n, at));
}

static void hand_gap(struct td_stream *s, int side, const struct td_stream_consumer *c, uint64_t n,
                     enum td_gap_reason why)
{
    if (n == 0)
        return;
    if (why == TD_GAP_LOST) {
        /* remembered so that bytes arriving after the verdict are reported */
        if (s->lost_end != s->offset)
            s->lost_start = s->offset;
        s->lost_end = s->offset + n;
    }
    s->window_len = 0; /* the window holds bytes up to the offset, without holes */
    s->offset += n;
    s->next_seq += (uint32_t)n;
    note_hint(s, c->gap(c->ctx, side, n, why));
}

/* Hand over [from, to) of a segment whose captured bytes cover [base, cap_end). */
static void hand_range(struct td_stream *s, int side, const struct td_stream_consumer *c,
                       const uint8_t *data, uint64_t base, uint64_t cap_end, uint64_t from,
                       uint64_t to, struct td_stream_budget *budget)
{
    uint64_t data_to = to < cap_end ? to : cap_end;
    if (from < data_to)
        hand_data(s, side, c, data + (from - base), (size_t)(data_to - from), c->stamp, budget);
    if (data_to < to)
        hand_gap(s, side, c, to - (from > data_to ? from : data_to), TD_GAP_TRUNCATED);
}

static void pop_head(struct td_stream *s, struct td_stream_budget *budget)
{
    struct td_stream_seg *g = s->ooo;
    size_t cost = seg_cost(g);
    s->ooo = g->next;
    s->ooo_bytes -= cost;
    budget->used -= cost;
    free(g);
}

/* Hand over queued segments that have become contiguous. */
static void drain(struct td_stream *s, int side, const struct td_stream_consumer *c,
                  struct td_stream_budget *budget)
{
    while (s->ooo && s->ooo->start <= s->offset) {
        struct td_stream_seg *g = s->ooo;
        if (g->end > s->offset) {
            if (g->has_data)
                hand_data(s, side, c, g->data + (s->offset - g->start), (size_t)(g->end - s->offset),
                          g->at, budget);
            else
                hand_gap(s, side, c, g->end - s->offset, g->hole);
        }
        pop_head(s, budget);
    }
}

/* Give up the hole before the first queued segment. */
static void give_up_hole(struct td_stream *s, int side, const struct td_stream_consumer *c,
                         struct td_stream_budget *budget, enum td_gap_reason why)
{
    if (s->ooo == NULL)
        return;
    hand_gap(s, side, c, s->ooo->start - s->offset, why);
    drain(s, side, c, budget);
}

static unsigned count_conflict(const struct td_stream_seg *g, const uint8_t *data, uint64_t base,
                               uint64_t cap_end, uint64_t from, uint64_t to)
{
    if (!g->has_data || data == NULL)
        return 0;
    if (to > cap_end)
        to = cap_end;
    if (from >= to)
        return 0;
    return memcmp(g->data + (from - g->start), data + (from - base), (size_t)(to - from)) != 0;
}

/* A segment that starts exactly at s->offset. */
static void deliver_in_order(struct td_stream *s, int side, const uint8_t *data, size_t caplen,
                             size_t len, const struct td_stream_consumer *c,
                             struct td_stream_budget *budget, struct td_stream_notes *notes)
{
    uint64_t base = s->offset, end = base + len, cap_end = base + caplen;

    while (s->offset < end) {
        struct td_stream_seg *head = s->ooo;
        uint64_t stop = (head && head->start < end) ? head->start : end;
        hand_range(s, side, c, data, base, cap_end, s->offset, stop, budget);
        if (stop == end)
            break;
        /* Queued copies came first: they win the overlap.  Compare every
         * queued segment this one overlaps before it is handed over. */
        for (struct td_stream_seg *g = head; g && g->start < end; g = g->next) {
            notes->conflicts += count_conflict(g, data, base, cap_end, g->start,
                                               g->end < end ? g->end : end);
            if (!g->next || g->next->start != g->end)
                break; /* after a hole: handed over in a later round */
        }
        drain(s, side, c, budget);
    }
    drain(s, side, c, budget);
}

static struct td_stream_seg *new_seg(uint64_t start, uint64_t end, const uint8_t *data,
                                     enum td_gap_reason hole, struct td_stream_stamp at)
{
    size_t n = data ? (size_t)(end - start) : 0;
    struct td_stream_seg *g = malloc(sizeof *g + n);
    if (g == NULL)
        return NULL;
    g->next = NULL;
    g->start = start;
    g->end = end;
    g->has_data = data != NULL;
    g->hole = hole;
    g->at = at;
    if (n)
        memcpy(g->data, data, n);
    return g;
}

/*
 * Insert the uncovered parts of [start, end) into the queue.  data covers
 * the whole range, or is NULL for a hole of the given reason.
 */
static void insert_range(struct td_stream *s, uint64_t start, uint64_t end, const uint8_t *data,
                         enum td_gap_reason hole, struct td_stream_stamp at,
                         struct td_stream_budget *budget, struct td_stream_notes *notes)
{
    struct td_stream_seg **pp = &s->ooo;
    uint64_t pos = start;

    while (pos < end) {
        struct td_stream_seg *e = *pp;
        if (e && e->end <= pos) {
            pp = &e->next;
            continue;
        }
        if (e && e->start <= pos) {
            uint64_t ov_end = e->end < end ? e->end : end;
            notes->conflicts += count_conflict(e, data, start, data ? end : start, pos, ov_end);
            pos = ov_end;
            pp = &e->next;
            continue;
        }
        uint64_t piece_end = (e && e->start < end) ? e->start : end;
        struct td_stream_seg *g = new_seg(pos, piece_end, data ? data + (pos - start) : NULL, hole, at);
        if (g == NULL) {
            notes->buffer_full++;
            return;
        }
        g->next = e;
        *pp = g;
        s->ooo_bytes += seg_cost(g);
        budget->used += seg_cost(g);
        pp = &g->next;
        pos = piece_end;
    }
}

static void queue_segment(struct td_stream *s, int side, uint64_t start, const uint8_t *data,
                          size_t caplen, size_t len, const struct td_stream_consumer *c,
                          struct td_stream_budget *budget, struct td_stream_notes *notes)
{
    uint64_t end = start + len, cap_end = start + caplen;
    /* Bytes inside the range the consumer will skip need not be copied. */
    bool skipped = cap_end <= s->skip_end;
    size_t need = sizeof(struct td_stream_seg) * 2 + (skipped ? 0 : caplen);

    while (s->ooo && (s->ooo_bytes + need > budget->per_direction_cap ||
                      budget->used + need > budget->cap)) {
        notes->buffer_full++;
        give_up_hole(s, side, c, budget, TD_GAP_BUFFER_FULL);
    }
    if (start > s->offset &&
        (s->ooo_bytes + need > budget->per_direction_cap || budget->used + need > budget->cap)) {
        /* Even an empty queue cannot hold it: the hole before it is lost. */
        notes->buffer_full++;
        hand_gap(s, side, c, start - s->offset, TD_GAP_BUFFER_FULL);
    }
    if (start <= s->offset) {
        /* Giving up holes made this segment (partly) in order. */
        uint64_t skip = s->offset - start;
        if (skip >= len)
            return;
        size_t cap_skip = skip < caplen ? (size_t)skip : caplen;
        deliver_in_order(s, side, data ? data + cap_skip : NULL, caplen - cap_skip,
                         len - (size_t)skip, c, budget, notes);
        return;
    }
    if (skipped) {
        insert_range(s, start, cap_end, NULL, TD_GAP_SKIPPED, c->stamp, budget, notes);
    } else {
        insert_range(s, start, cap_end, data, TD_GAP_LOST, c->stamp, budget, notes);
    }
    if (cap_end < end)
        insert_range(s, cap_end, end, NULL, TD_GAP_TRUNCATED, c->stamp, budget, notes);
    /* Filling several holes costs a header per piece: keep the caps exact. */
    while (s->ooo && (s->ooo_bytes > budget->per_direction_cap || budget->used > budget->cap)) {
        notes->buffer_full++;
        give_up_hole(s, side, c, budget, TD_GAP_BUFFER_FULL);
    }
}

/* A re-send of bytes already handed over: compare what the window still holds. */
static void compare_old(const struct td_stream *s, uint64_t start, const uint8_t *data, size_t n,
                        struct td_stream_notes *notes)
{
    uint64_t end = start + n, w_end = s->window_start + s->window_len;
    uint64_t from = start > s->window_start ? start : s->window_start;
    uint64_t to = end < w_end ? end : w_end;
    if (data == NULL || s->window_len == 0 || from >= to)
        return;
    if (memcmp(s->window + (from - s->window_start), data + (from - start), (size_t)(to - from)) != 0)
        notes->conflicts++;
}

static uint64_t overlap(uint64_t a_start, uint64_t a_end, uint64_t b_start, uint64_t b_end)
{
    uint64_t from = a_start > b_start ? a_start : b_start, to = a_end < b_end ? a_end : b_end;
    return from < to ? to - from : 0;
}

/* Give up every byte before s->acked_end that has not come: it is lost. */
static void give_up_acked_hole(struct td_stream *s, int side, const struct td_stream_consumer *c,
                               struct td_stream_budget *budget)
{
    uint64_t target = s->acked_end;
    while (s->offset < target) {
        if (s->ooo && s->ooo->start <= target)
            give_up_hole(s, side, c, budget, TD_GAP_LOST);
        else
            hand_gap(s, side, c, target - s->offset, TD_GAP_LOST);
    }
    s->hole_wait = 0;
}

/*
 * A segment of this direction that starts at stream offset `start`.  Only a
 * segment at or beyond the acknowledged hole shows that the sender has moved
 * past it; the peer's ACKs alone never make bytes lost (a forged ACK must not
 * hide the data it names).
 */
static void wait_for_acked_hole(struct td_stream *s, int side, uint64_t start,
                                const struct td_stream_consumer *c, struct td_stream_budget *budget)
{
    if (s->acked_end <= s->offset) {
        s->hole_wait = 0;
        return;
    }
    if (start >= s->acked_end && ++s->hole_wait >= TD_STREAM_HOLE_PATIENCE)
        give_up_acked_hole(s, side, c, budget);
}

void td_stream_segment(struct td_stream *s, int side, uint32_t seq, const uint8_t *data,
                       size_t caplen, size_t len, bool fin, const struct td_stream_consumer *c,
                       struct td_stream_budget *budget, struct td_stream_notes *notes)
{
    if (caplen > len)
        caplen = len;
    s->bytes_seen += len;
    if (!s->started) {
        s->started = true;
        s->next_seq = seq;
    }
    if (fin && !s->fin_seen) {
        s->fin_seen = true;
        s->fin_seq = seq + (uint32_t)len;
    }
    int32_t at = td_seq_diff(seq, s->next_seq);
    uint64_t start = at >= 0 ? s->offset + (uint32_t)at : 0; /* before delivery moves the offset */
    if (len > 0 && !s->finished) {
        int32_t d = at;
        if (d < 0) {
            uint64_t trim = (uint64_t)(-(int64_t)d);
            if (trim <= s->offset) {
                uint64_t old_start = s->offset - trim, old_end = old_start + (trim < len ? trim : len);
                compare_old(s, old_start, data, trim < caplen ? (size_t)trim : caplen, notes);
                notes->late_bytes += overlap(old_start, old_end, s->lost_start, s->lost_end);
            }
            if (trim < len) {
                size_t cap_trim = trim < caplen ? (size_t)trim : caplen;
                data = data ? data + cap_trim : NULL;
                caplen -= cap_trim;
                len -= (size_t)trim;
                deliver_in_order(s, side, data, caplen, len, c, budget, notes);
            }
        } else if (d == 0) {
            deliver_in_order(s, side, data, caplen, len, c, budget, notes);
        } else if ((uint32_t)d < TD_STREAM_WINDOW) {
            queue_segment(s, side, s->offset + (uint32_t)d, data, caplen, len, c, budget, notes);
        }
    }
    if (at >= 0 && (uint32_t)at < TD_STREAM_WINDOW)
        wait_for_acked_hole(s, side, start, c, budget);
    if (s->fin_seen && !s->finished && s->next_seq == s->fin_seq && s->ooo == NULL)
        s->finished = true;
}

void td_stream_ack(struct td_stream *s, int side, uint32_t ack, const struct td_stream_consumer *c,
                   struct td_stream_budget *budget)
{
    int32_t d;
    uint64_t target;

    if (!s->started || s->finished)
        return;
    d = td_seq_diff(ack, s->next_seq);
    if (d <= 0 || (uint32_t)d >= TD_STREAM_WINDOW)
        return;
    if (s->fin_seen && ack == s->fin_seq + 1)
        d--; /* the FIN takes a sequence number but carries no byte */
    else if (d == 1 && s->ooo == NULL)
        return; /* most likely a FIN that was not captured, not a lost byte */
    target = s->offset + (uint32_t)d;
    if (target > s->acked_end)
        s->acked_end = target;
    /* Data already queued beyond the hole shows the sender moving on; counted
     * as a level, not per ACK, so that repeated ACKs add nothing. */
    if (s->acked_end > s->offset) {
        unsigned beyond = 0;
        /* counted only as far as the patience: repeated ACKs over a long
         * queue cost at most that many steps each */
        for (const struct td_stream_seg *g = s->ooo; g && beyond < TD_STREAM_HOLE_PATIENCE;
             g = g->next)
            beyond += g->start >= s->acked_end;
        if (beyond > s->hole_wait)
            s->hole_wait = beyond;
        if (s->hole_wait >= TD_STREAM_HOLE_PATIENCE)
            give_up_acked_hole(s, side, c, budget);
    }
    if (s->fin_seen && s->next_seq == s->fin_seq && s->ooo == NULL)
        s->finished = true;
}

void td_stream_flush(struct td_stream *s, int side, const struct td_stream_consumer *c,
                     struct td_stream_budget *budget)
{
    while (s->ooo)
        give_up_hole(s, side, c, budget, TD_GAP_LOST);
    if (s->acked_end > s->offset)
        give_up_acked_hole(s, side, c, budget);
    if (s->fin_seen && s->next_seq == s->fin_seq)
        s->finished = true;
}

void td_stream_release(struct td_stream *s, struct td_stream_budget *budget)
{
    while (s->ooo)
        pop_head(s, budget);
    drop_window(s, budget);
}
