/*
 * test_stream.c — TCP reassembly of one direction (stream.h; RFC 9293 §3.4
 * sequence numbers, §3.10.7 segment arrival): order, overlaps, gaps, caps.
 */
#include "unit.h"

#include "tlsdissect/stream.h"

#define SIDE 1
#define MAX_OUT 65536
#define MAX_EVENTS 256

struct event {
    bool gap;
    uint64_t off, n;
    enum td_gap_reason why;
    const uint8_t *view; /* data events: the pointer handed over */
    uint64_t frame;      /* data events: the stamp's packet number */
};

/* A consumer that records everything it is handed. */
struct sink {
    uint8_t out[MAX_OUT]; /* data bytes at their stream offsets; gaps leave 0xee */
    uint64_t len;         /* data + gap bytes handed over */
    uint64_t data_bytes, gap_bytes;
    struct event ev[MAX_EVENTS];
    size_t nev;
    uint64_t skip_until;  /* the consumer does not need bytes before this offset */
    int bad_side;
};

static uint64_t hint(struct sink *k)
{
    return k->skip_until > k->len ? k->skip_until - k->len : 0;
}

static uint64_t on_data(void *ctx, int side, const uint8_t *p, size_t n, struct td_stream_stamp at)
{
    struct sink *k = ctx;
    assert_true(n > 0);
    assert_non_null(p);
    if (side != SIDE)
        k->bad_side++;
    if (k->nev < MAX_EVENTS)
        k->ev[k->nev++] = (struct event){false, k->len, n, TD_GAP_LOST, p, at.frame};
    assert_true(k->len + n <= MAX_OUT);
    memcpy(k->out + k->len, p, n);
    k->len += n;
    k->data_bytes += n;
    return hint(k);
}

static uint64_t on_gap(void *ctx, int side, uint64_t n, enum td_gap_reason why)
{
    struct sink *k = ctx;
    assert_true(n > 0);
    if (side != SIDE)
        k->bad_side++;
    if (k->nev < MAX_EVENTS)
        k->ev[k->nev++] = (struct event){true, k->len, n, why, NULL, 0};
    assert_true(k->len + n <= MAX_OUT);
    memset(k->out + k->len, 0xee, (size_t)n);
    k->len += n;
    k->gap_bytes += n;
    return hint(k);
}

struct fixture {
    struct sink k;
    struct td_stream s;
    struct td_stream_consumer c;
    struct td_stream_budget b;
    struct td_stream_notes notes;
    uint8_t src[8192]; /* the stream's bytes, from offset 0 */
    uint32_t isn;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    if (f == NULL)
        return -1;
    f->c = (struct td_stream_consumer){on_data, on_gap, &f->k, {0, 0}};
    f->b = (struct td_stream_budget){.cap = 1u << 20, .per_direction_cap = 1u << 20};
    for (size_t i = 0; i < sizeof f->src; i++)
        f->src[i] = (uint8_t)(i * 7 + i / 251 + 1);
    f->isn = 1000;
    td_stream_syn(&f->s, f->isn);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    td_stream_release(&f->s, &f->b);
    assert_int_equal(f->b.used, 0);
    assert_int_equal(f->b.window_used, 0);
    td_stream_budget_release(&f->b); /* spare comparison windows */
    assert_int_equal(f->k.bad_side, 0);
    free(f);
    return 0;
}

/* Seq of stream offset off (the SYN takes isn). */
static uint32_t seq_of(const struct fixture *f, uint64_t off) { return f->isn + 1 + (uint32_t)off; }

/* A segment [off, off+len) of the stream, with caplen bytes captured. */
static void seg_cap(struct fixture *f, uint64_t off, size_t len, size_t caplen, bool fin)
{
    uint8_t *copy = unit_dup(f->src + off, caplen);
    td_stream_segment(&f->s, SIDE, seq_of(f, off), copy, caplen, len, fin, &f->c, &f->b, &f->notes);
    free(copy); /* the stream must not keep views of a packet */
}

static void seg(struct fixture *f, uint64_t off, size_t len) { seg_cap(f, off, len, len, false); }

/* Everything handed over so far is the stream's bytes (no gaps). */
static void assert_clean(const struct fixture *f, uint64_t len)
{
    assert_int_equal(f->k.len, len);
    assert_int_equal(f->k.gap_bytes, 0);
    assert_memory_equal(f->k.out, f->src, (size_t)len);
    assert_int_equal(f->s.offset, len);
    assert_int_equal(f->s.next_seq, seq_of(f, len));
}

static void assert_event(const struct fixture *f, size_t i, bool gap, uint64_t off, uint64_t n,
                         enum td_gap_reason why)
{
    assert_true(i < f->k.nev);
    assert_int_equal(f->k.ev[i].gap, gap);
    assert_int_equal(f->k.ev[i].off, off);
    assert_int_equal(f->k.ev[i].n, n);
    if (gap)
        assert_int_equal(f->k.ev[i].why, why);
}

static void test_in_order_views(void **state)
{
    struct fixture *f = *state;
    uint8_t pkt[100];
    memcpy(pkt, f->src, sizeof pkt);
    td_stream_segment(&f->s, SIDE, seq_of(f, 0), pkt, 100, 100, false, &f->c, &f->b, &f->notes);
    /* handed over in place, not copied */
    assert_int_equal(f->k.nev, 1);
    assert_ptr_equal(f->k.ev[0].view, pkt);
    seg(f, 100, 50);
    seg(f, 150, 1);
    assert_clean(f, 151);
    assert_int_equal(f->k.nev, 3);
    assert_int_equal(f->s.ooo_bytes, 0);
    assert_int_equal(f->s.bytes_seen, 151);
    assert_false(f->s.finished);
}

/* Without a SYN the first segment fixes the sequence numbers. */
static void test_midstream_start(void **state)
{
    struct fixture *f = *state;
    struct td_stream s = {0};
    uint8_t data[10];
    memcpy(data, f->src, 10);
    td_stream_segment(&s, SIDE, 0x12345678, data, 10, 10, false, &f->c, &f->b, &f->notes);
    assert_true(s.started);
    assert_int_equal(s.next_seq, 0x12345678 + 10);
    assert_int_equal(f->k.len, 10);
}

static void test_out_of_order(void **state)
{
    struct fixture *f = *state;
    seg(f, 200, 100);
    seg(f, 100, 100);
    assert_int_equal(f->k.len, 0);
    assert_true(f->s.ooo_bytes > 0);
    assert_int_equal(f->b.used, f->s.ooo_bytes);
    seg(f, 0, 100);
    assert_clean(f, 300);
    assert_int_equal(f->s.ooo_bytes, 0);
    assert_int_equal(f->b.used, 0);
    assert_int_equal(f->notes.conflicts, 0);
}

static void test_duplicates(void **state)
{
    struct fixture *f = *state;
    seg(f, 0, 100);
    seg(f, 0, 100);          /* retransmission of delivered bytes */
    seg(f, 200, 50);
    seg(f, 200, 50);         /* duplicate of a queued segment */
    size_t queued = f->s.ooo_bytes;
    seg(f, 200, 50);
    assert_int_equal(f->s.ooo_bytes, queued);
    seg(f, 100, 100);
    seg(f, 100, 100);
    assert_clean(f, 250);
    assert_int_equal(f->notes.conflicts, 0);
    assert_int_equal(f->s.bytes_seen, 100 * 2 + 50 * 3 + 100 * 2);
}

static void test_partial_overlap_same(void **state)
{
    struct fixture *f = *state;
    seg(f, 0, 10);
    seg(f, 5, 10);   /* half old, half new */
    seg(f, 30, 20);
    seg(f, 40, 20);  /* overlaps the queued one */
    seg(f, 25, 10);  /* overlaps its start */
    seg(f, 12, 15);  /* fills the hole, overlapping both sides */
    assert_clean(f, 60);
    assert_int_equal(f->notes.conflicts, 0);
}

/* Overlapping bytes that differ: the first copy wins and is counted. */
static void test_partial_overlap_conflict(void **state)
{
    struct fixture *f = *state;
    uint8_t bad[40];

    seg(f, 0, 10);
    seg(f, 20, 10); /* queued [20,30) */
    /* [15,35) with different bytes over [20,30): compared with the queue */
    memcpy(bad, f->src + 15, 20);
    memset(bad + 5, 0x99, 10);
    td_stream_segment(&f->s, SIDE, seq_of(f, 15), bad, 20, 20, false, &f->c, &f->b, &f->notes);
    assert_int_equal(f->notes.conflicts, 1);
    /* an in-order segment [10,40) differing from the first queued bytes [15,20) */
    memcpy(bad, f->src + 10, 30);
    memset(bad + 6, 0x77, 2); /* stream bytes [16,18) */
    td_stream_segment(&f->s, SIDE, seq_of(f, 10), bad, 30, 30, false, &f->c, &f->b, &f->notes);
    assert_int_equal(f->notes.conflicts, 2);
    /* every byte handed over once, the first copy of each */
    assert_clean(f, 40);
}

/* A differing in-order copy within a later queued segment is counted as well. */
static void test_conflict_in_later_queued_segment(void **state)
{
    struct fixture *f = *state;
    uint8_t bad[40];

    seg(f, 0, 10);
    seg(f, 15, 5);  /* queued [15,20) */
    seg(f, 20, 10); /* queued [20,30), adjacent */
    /* in-order [10,40): same bytes as [15,20), different over [22,26) */
    memcpy(bad, f->src + 10, 30);
    memset(bad + 12, 0x77, 4);
    td_stream_segment(&f->s, SIDE, seq_of(f, 10), bad, 30, 30, false, &f->c, &f->b, &f->notes);
    assert_clean(f, 40); /* first copy kept */
    /* BUG (src/net/stream.c deliver_in_order): only the first queued
     * segment the new one reaches is compared; drain() hands the adjacent
     * queued segments over without comparing, so this conflict is missed. */
    assert_int_equal(f->notes.conflicts, 1);
}

/* Identical overlapping copies never count as conflicts. */
static void test_overlap_no_false_conflict(void **state)
{
    struct fixture *f = *state;
    seg(f, 50, 50);
    seg(f, 10, 80);
    seg(f, 60, 60);
    seg(f, 0, 130);
    assert_clean(f, 130);
    assert_int_equal(f->notes.conflicts, 0);
}

/* ISN near 2^32: sequence numbers wrap inside the stream. */
static void test_wraparound(void **state)
{
    struct fixture *f = *state;
    struct td_stream s = {0};
    f->isn = 0xffffffc0u;
    td_stream_syn(&s, f->isn);
    f->s = s;
    seg(f, 0, 40);    /* up to seq 0xfffffff9 */
    seg(f, 100, 50);  /* after the wrap: ahead, queued */
    assert_int_equal(f->k.len, 40);
    seg(f, 40, 60);   /* straddles 2^32 */
    assert_clean(f, 150);
    assert_int_equal(f->s.next_seq, (uint32_t)(0xffffffc0u + 1 + 150));
    /* an old segment from before the wrap is recognised as old */
    seg(f, 10, 20);
    assert_int_equal(f->k.len, 150);
    seg(f, 150, 10);
    assert_clean(f, 160);
}

/* The peer acknowledges up to off, and the sender shows it moved past the
 * hole: segments (empty, like pure ACKs) from off on. */
static void ack_patiently(struct fixture *f, size_t off)
{
    td_stream_ack(&f->s, SIDE, seq_of(f, off), &f->c, &f->b);
    for (int i = 0; i < TD_STREAM_HOLE_PATIENCE; i++)
        td_stream_segment(&f->s, SIDE, seq_of(f, off), NULL, 0, 0, false, &f->c, &f->b, &f->notes);
}

/* Acknowledged but never seen: a lost gap once the patience is over, then the queued bytes. */
static void test_ack_lost(void **state)
{
    struct fixture *f = *state;
    seg(f, 0, 10);
    seg(f, 20, 10);  /* queued [20,30) */
    seg(f, 50, 10);  /* queued [50,60), beyond the ack */
    td_stream_ack(&f->s, SIDE, seq_of(f, 40), &f->c, &f->b);
    assert_int_equal(f->k.len, 10); /* not yet: the bytes may still come */
    ack_patiently(f, 40);
    assert_int_equal(f->k.len, 40);
    assert_int_equal(f->s.offset, 40);
    assert_event(f, 1, true, 10, 10, TD_GAP_LOST);
    assert_event(f, 2, false, 20, 10, 0);
    assert_event(f, 3, true, 30, 10, TD_GAP_LOST);
    assert_memory_equal(f->k.out + 20, f->src + 20, 10);
    /* [50,60) waits for the hole [40,50) */
    assert_int_equal(f->k.nev, 4);
    seg(f, 40, 10);
    assert_int_equal(f->k.len, 60);
    assert_memory_equal(f->k.out + 40, f->src + 40, 20);
    assert_int_equal(f->k.gap_bytes, 20);
    /* old and current acks change nothing */
    td_stream_ack(&f->s, SIDE, seq_of(f, 60), &f->c, &f->b);
    td_stream_ack(&f->s, SIDE, seq_of(f, 5), &f->c, &f->b);
    assert_int_equal(f->k.len, 60);
}

/* The ack lands inside a queued segment: its bytes are delivered whole. */
static void test_ack_inside_queued(void **state)
{
    struct fixture *f = *state;
    seg(f, 20, 20);
    ack_patiently(f, 30);
    assert_int_equal(f->k.len, 40);
    assert_event(f, 0, true, 0, 20, TD_GAP_LOST);
    assert_event(f, 1, false, 20, 20, 0);
    assert_memory_equal(f->k.out + 20, f->src + 20, 20);
}

/* An ACK stamped before the data it acknowledges: the data is delivered, no gap. */
static void test_ack_before_data(void **state)
{
    struct fixture *f = *state;
    seg(f, 0, 10);
    for (int i = 0; i < 3 * TD_STREAM_HOLE_PATIENCE; i++) /* forged or early: never enough */
        td_stream_ack(&f->s, SIDE, seq_of(f, 40), &f->c, &f->b);
    seg(f, 20, 10); /* out of order, inside the acknowledged range */
    seg(f, 10, 10);
    seg(f, 30, 10);
    assert_clean(f, 40);
    assert_int_equal(f->s.acked_end, 40);
    seg(f, 40, 10);
    assert_clean(f, 50);
}

/* Bytes that come after they were declared lost are counted, not dropped silently. */
static void test_late_bytes_counted(void **state)
{
    struct fixture *f = *state;
    seg(f, 0, 10);
    ack_patiently(f, 30);
    assert_int_equal(f->k.gap_bytes, 20);
    seg(f, 10, 10);
    assert_int_equal(f->notes.late_bytes, 10);
    seg(f, 30, 10);
    assert_int_equal(f->k.len, 40);
    seg(f, 0, 10); /* a retransmission of delivered bytes is not late */
    assert_int_equal(f->notes.late_bytes, 10);
}

static void test_flush(void **state)
{
    struct fixture *f = *state;
    seg(f, 0, 10);
    seg(f, 20, 10);
    seg(f, 40, 10);
    seg(f, 45, 10); /* overlaps the previous queued one */
    td_stream_flush(&f->s, SIDE, &f->c, &f->b);
    assert_int_equal(f->k.len, 55);
    assert_int_equal(f->k.gap_bytes, 20);
    assert_event(f, 1, true, 10, 10, TD_GAP_LOST);
    assert_event(f, 2, false, 20, 10, 0);
    assert_event(f, 3, true, 30, 10, TD_GAP_LOST);
    assert_memory_equal(f->k.out + 40, f->src + 40, 15);
    assert_null(f->s.ooo);
    assert_int_equal(f->b.used, 0);
    /* flushing again hands nothing */
    td_stream_flush(&f->s, SIDE, &f->c, &f->b);
    assert_int_equal(f->k.len, 55);
}

/* The per-direction cap: the oldest hole is given up to make room. */
static void test_per_direction_cap(void **state)
{
    struct fixture *f = *state;
    f->b.per_direction_cap = 1500; /* one 1000-byte segment fits, two do not */
    seg(f, 1000, 1000);
    assert_int_equal(f->notes.buffer_full, 0);
    assert_int_equal(f->k.len, 0);
    seg(f, 3000, 1000);
    assert_int_equal(f->notes.buffer_full, 1);
    assert_event(f, 0, true, 0, 1000, TD_GAP_BUFFER_FULL);
    assert_event(f, 1, false, 1000, 1000, 0);
    assert_memory_equal(f->k.out + 1000, f->src + 1000, 1000);
    assert_int_equal(f->k.len, 2000);
    assert_true(f->s.ooo_bytes <= f->b.per_direction_cap);
    td_stream_flush(&f->s, SIDE, &f->c, &f->b);
    assert_int_equal(f->k.len, 4000);
    assert_event(f, 2, true, 2000, 1000, TD_GAP_LOST);
    assert_memory_equal(f->k.out + 3000, f->src + 3000, 1000);
}

/* A segment larger than the whole cap: the hole before it is lost, then it is in order. */
static void test_cap_too_small(void **state)
{
    struct fixture *f = *state;
    f->b.per_direction_cap = 500;
    seg(f, 100, 1000);
    assert_int_equal(f->notes.buffer_full, 1);
    assert_int_equal(f->k.len, 1100);
    assert_event(f, 0, true, 0, 100, TD_GAP_BUFFER_FULL);
    assert_memory_equal(f->k.out + 100, f->src + 100, 1000);
    assert_int_equal(f->s.ooo_bytes, 0);
}

/*
 * The cap holds even when a segment fills several holes between queued
 * segments (each uncovered piece costs a queue entry of its own).
 */
static void test_cap_with_split_pieces(void **state)
{
    struct fixture *f = *state;
    size_t entry;

    seg(f, 100, 10);
    entry = f->s.ooo_bytes - 10; /* what one queue entry costs besides its bytes */
    seg(f, 120, 10);
    seg(f, 140, 10);
    assert_int_equal(f->s.ooo_bytes, 3 * entry + 30);
    /* room for exactly what one 60-byte segment is charged up front */
    f->b.per_direction_cap = f->s.ooo_bytes + 2 * entry + 60;
    seg(f, 95, 60); /* uncovered: [95,100) [110,120) [130,140) [150,155) */
    /* BUG (src/net/stream.c queue_segment): it reserves room for 2 entries
     * plus caplen, but insert_range() may create one entry per hole, so the
     * queue grows past per_direction_cap (and budget->cap). */
    assert_true(f->s.ooo_bytes <= f->b.per_direction_cap);
}

/* The cap across all streams (budget.cap) works the same way. */
static void test_global_cap(void **state)
{
    struct fixture *f = *state;
    f->b.cap = 1500;
    f->b.used = 0;
    seg(f, 1000, 1000);
    seg(f, 3000, 1000);
    assert_int_equal(f->notes.buffer_full, 1);
    assert_int_equal(f->k.len, 2000);
    assert_true(f->b.used <= f->b.cap);
}

static void test_truncated_in_order(void **state)
{
    struct fixture *f = *state;
    seg_cap(f, 0, 100, 60, false);
    assert_int_equal(f->k.len, 100);
    assert_event(f, 0, false, 0, 60, 0);
    assert_event(f, 1, true, 60, 40, TD_GAP_TRUNCATED);
    assert_memory_equal(f->k.out, f->src, 60);
    seg(f, 100, 10);
    assert_memory_equal(f->k.out + 100, f->src + 100, 10);
    assert_int_equal(f->s.next_seq, seq_of(f, 110));
}

static void test_truncated_out_of_order(void **state)
{
    struct fixture *f = *state;
    seg_cap(f, 50, 50, 20, false);
    seg(f, 0, 50);
    assert_int_equal(f->k.len, 100);
    assert_event(f, 0, false, 0, 50, 0);
    assert_event(f, 1, false, 50, 20, 0);
    assert_event(f, 2, true, 70, 30, TD_GAP_TRUNCATED);
    assert_memory_equal(f->k.out, f->src, 70);
    /* caplen 0: all of it is a gap */
    seg_cap(f, 100, 10, 0, false);
    assert_event(f, 3, true, 100, 10, TD_GAP_TRUNCATED);
    assert_int_equal(f->k.len, 110);
}

/*
 * The consumer needs nothing in [10, 110): an out-of-order segment wholly
 * inside that range is remembered as covered, not copied, and handed over
 * as a skipped gap.
 */
static void test_skip_hint(void **state)
{
    struct fixture *f = *state;
    f->k.skip_until = 110;
    seg(f, 0, 10); /* the consumer answers "skip 100" */
    assert_int_equal(f->s.skip_end, 110);

    /* the same segment queued in a stream without the hint costs 30 more bytes */
    struct td_stream plain = {0};
    struct td_stream_budget b2 = {.cap = 1u << 20, .per_direction_cap = 1u << 20};
    struct td_stream_notes n2 = {0};
    struct sink *k2 = calloc(1, sizeof *k2);
    assert_non_null(k2);
    struct td_stream_consumer c2 = {on_data, on_gap, k2, {0, 0}};
    td_stream_syn(&plain, f->isn);
    td_stream_segment(&plain, SIDE, seq_of(f, 0), f->src, 10, 10, false, &c2, &b2, &n2);
    td_stream_segment(&plain, SIDE, seq_of(f, 50), f->src + 50, 30, 30, false, &c2, &b2, &n2);

    seg(f, 50, 30);
    assert_int_equal(f->k.len, 10);
    assert_true(f->s.ooo_bytes > 0);
    assert_int_equal(plain.ooo_bytes - f->s.ooo_bytes, 30);
    td_stream_release(&plain, &b2);
    free(k2);

    seg(f, 10, 40);
    assert_int_equal(f->k.len, 80);
    assert_event(f, 1, false, 10, 40, 0);
    assert_event(f, 2, true, 50, 30, TD_GAP_SKIPPED);
    seg(f, 80, 40);
    assert_int_equal(f->k.len, 120);
    assert_memory_equal(f->k.out + 80, f->src + 80, 40);
}

/* A segment reaching past the skipped range is copied as usual. */
static void test_skip_hint_partial(void **state)
{
    struct fixture *f = *state;
    f->k.skip_until = 60;
    seg(f, 0, 10);
    seg(f, 50, 30); /* [50,80) extends past 60 */
    seg(f, 10, 40);
    assert_int_equal(f->k.len, 80);
    assert_int_equal(f->k.gap_bytes, 0);
    assert_memory_equal(f->k.out, f->src, 80);
}

static void test_skip_all(void **state)
{
    struct fixture *f = *state;
    f->k.skip_until = UINT64_MAX;
    seg(f, 0, 10);
    assert_int_equal(f->s.skip_end, UINT64_MAX);
    seg(f, 100, 100);
    seg(f, 10, 90);
    assert_int_equal(f->k.len, 200);
    assert_event(f, 2, true, 100, 100, TD_GAP_SKIPPED);
}

static void test_fin_in_order(void **state)
{
    struct fixture *f = *state;
    seg(f, 0, 10);
    seg_cap(f, 10, 10, 10, true);
    assert_true(f->s.fin_seen);
    assert_true(f->s.finished);
    assert_int_equal(f->s.fin_seq, seq_of(f, 20));
    /* nothing after the FIN is handed over */
    seg(f, 20, 10);
    assert_int_equal(f->k.len, 20);
}

static void test_fin_out_of_order(void **state)
{
    struct fixture *f = *state;
    seg_cap(f, 10, 10, 10, true);
    assert_true(f->s.fin_seen);
    assert_false(f->s.finished);
    seg(f, 0, 10);
    assert_true(f->s.finished);
    assert_clean(f, 20);
}

/* A bare FIN (no payload). */
static void test_fin_empty(void **state)
{
    struct fixture *f = *state;
    seg(f, 0, 10);
    td_stream_segment(&f->s, SIDE, seq_of(f, 10), NULL, 0, 0, true, &f->c, &f->b, &f->notes);
    assert_true(f->s.finished);
    assert_int_equal(f->k.len, 10);
}

/* The ack of a FIN covers one sequence number more than the bytes. */
static void test_fin_ack_with_hole(void **state)
{
    struct fixture *f = *state;
    seg(f, 0, 10);
    seg_cap(f, 20, 10, 10, true);
    td_stream_ack(&f->s, SIDE, seq_of(f, 30) + 1, &f->c, &f->b);
    assert_int_equal(f->k.len, 10);
    td_stream_flush(&f->s, SIDE, &f->c, &f->b);
    assert_int_equal(f->k.len, 30);
    assert_int_equal(f->k.gap_bytes, 10);
    assert_event(f, 1, true, 10, 10, TD_GAP_LOST);
    assert_true(f->s.finished);
}

static void test_flush_finishes(void **state)
{
    struct fixture *f = *state;
    seg_cap(f, 20, 10, 10, true);
    td_stream_flush(&f->s, SIDE, &f->c, &f->b);
    assert_true(f->s.finished);
    assert_int_equal(f->k.len, 30);
}

/* Segments far beyond the window are not this connection's bytes. */
static void test_far_segment_ignored(void **state)
{
    struct fixture *f = *state;
    seg(f, 0, 10);
    uint8_t data[10] = {0};
    td_stream_segment(&f->s, SIDE, seq_of(f, 0) + 0x50000000u, data, 10, 10, false, &f->c, &f->b,
                      &f->notes);
    assert_int_equal(f->s.ooo_bytes, 0);
    td_stream_ack(&f->s, SIDE, seq_of(f, 0) + 0x50000000u, &f->c, &f->b);
    assert_int_equal(f->k.len, 10);
}

/*
 * A few KB cut into random segments, shuffled within small windows, with
 * random duplicates and overlapping retransmissions: reassembles exactly.
 */
static void test_random_reassembly(void **state)
{
    struct fixture *f = *state;
    uint64_t seed = 0x7d15ec7ull;
    enum { LEN = 6000 };
    struct piece {
        uint32_t off, len;
    } *pieces = calloc(LEN * 3, sizeof *pieces);
    assert_non_null(pieces);

    for (unsigned round = 0; round < 200; round++) {
        struct td_stream s = {0};
        struct td_stream_notes notes = {0};
        size_t np = 0;
        memset(&f->k, 0, sizeof f->k);
        f->isn = (uint32_t)unit_rand(&seed);
        if (round % 4 == 0)
            f->isn = 0xffffffffu - (uint32_t)unit_below(&seed, LEN); /* wraps inside */
        td_stream_syn(&s, f->isn);
        f->s = s;

        for (uint32_t off = 0; off < LEN;) {
            uint32_t len = 1 + (uint32_t)unit_below(&seed, 200);
            if (off + len > LEN)
                len = LEN - off;
            pieces[np++] = (struct piece){off, len};
            if (unit_below(&seed, 10) == 0) /* duplicate */
                pieces[np++] = (struct piece){off, len};
            if (unit_below(&seed, 10) == 0 && off > 0) { /* overlapping retransmission */
                uint32_t a = off - (uint32_t)unit_below(&seed, off < 50 ? off : 50);
                uint32_t b = off + len + (uint32_t)unit_below(&seed, 50);
                pieces[np++] = (struct piece){a, (b > LEN ? LEN : b) - a};
            }
            off += len;
        }
        /* shuffle within windows of 5 */
        for (size_t i = 0; i < np; i++) {
            size_t j = i + unit_below(&seed, 5);
            if (j < np) {
                struct piece t = pieces[i];
                pieces[i] = pieces[j];
                pieces[j] = t;
            }
        }
        for (size_t i = 0; i < np; i++) {
            uint8_t *copy = unit_dup(f->src + pieces[i].off, pieces[i].len);
            td_stream_segment(&f->s, SIDE, seq_of(f, pieces[i].off), copy, pieces[i].len,
                              pieces[i].len, pieces[i].off + pieces[i].len == LEN,
                              &f->c, &f->b, &notes);
            free(copy);
        }
        td_stream_flush(&f->s, SIDE, &f->c, &f->b);
        assert_int_equal(f->k.gap_bytes, 0);
        assert_int_equal(f->k.len, LEN);
        assert_memory_equal(f->k.out, f->src, LEN);
        assert_int_equal(notes.conflicts, 0);
        assert_int_equal(notes.buffer_full, 0);
        assert_null(f->s.ooo);
        assert_int_equal(f->b.used, 0);
        assert_true(f->s.finished);
    }
    free(pieces);
}

/* Random segments with random losses, truncation and acks: data + gaps always add up. */
static void test_random_accounting(void **state)
{
    struct fixture *f = *state;
    uint64_t seed = 0xacc0u;
    enum { LEN = 5000 };

    for (unsigned round = 0; round < 200; round++) {
        struct td_stream s = {0};
        uint64_t highest = 0;
        memset(&f->k, 0, sizeof f->k);
        memset(&f->notes, 0, sizeof f->notes);
        f->isn = (uint32_t)unit_rand(&seed);
        td_stream_syn(&s, f->isn);
        f->s = s;
        f->b = (struct td_stream_budget){.cap = 1u << 20, .per_direction_cap = 600 + unit_below(&seed, 3000)};
        f->k.skip_until = unit_below(&seed, 2) ? unit_below(&seed, LEN) : 0;

        for (unsigned i = 0; i < 80; i++) {
            uint32_t off = (uint32_t)unit_below(&seed, LEN - 1);
            uint32_t len = 1 + (uint32_t)unit_below(&seed, 150);
            if (off + len > LEN)
                len = LEN - off;
            uint32_t cap = unit_below(&seed, 5) ? len : (uint32_t)unit_below(&seed, len + 1);
            seg_cap(f, off, len, cap, false);
            if (off + len > highest)
                highest = off + len;
            if (unit_below(&seed, 8) == 0)
                td_stream_ack(&f->s, SIDE, seq_of(f, unit_below(&seed, (size_t)highest + 1)), &f->c,
                              &f->b);
            assert_int_equal(f->k.len, f->s.offset);
            assert_int_equal(f->k.data_bytes + f->k.gap_bytes, f->k.len);
        }
        td_stream_flush(&f->s, SIDE, &f->c, &f->b);
        assert_null(f->s.ooo);
        assert_int_equal(f->b.used, 0);
        assert_int_equal(f->k.len, f->s.offset);
        assert_true(f->k.len <= highest);
        /* whatever was handed over as data is the stream's bytes */
        for (size_t e = 0; e < f->k.nev && e < MAX_EVENTS; e++)
            if (!f->k.ev[e].gap)
                assert_memory_equal(f->k.out + f->k.ev[e].off, f->src + f->k.ev[e].off,
                                    (size_t)f->k.ev[e].n);
    }
}

/* A re-send of bytes already handed over is compared against the window. */
static void test_resend_of_delivered_bytes(void **state)
{
    struct fixture *f = *state;
    uint8_t changed[40];

    f->b.window_cap = 1u << 20;
    seg(f, 0, 100);
    assert_clean(f, 100);
    assert_int_equal(f->b.window_used, TD_STREAM_WINDOW_BYTES);
    seg(f, 20, 40); /* identical: no conflict */
    assert_int_equal(f->notes.conflicts, 0);
    memcpy(changed, f->src + 20, sizeof changed);
    changed[17] ^= 0x55; /* a partial re-send with one byte different */
    td_stream_segment(&f->s, SIDE, seq_of(f, 20), changed, sizeof changed, sizeof changed, false,
                      &f->c, &f->b, &f->notes);
    assert_int_equal(f->notes.conflicts, 1);
    assert_clean(f, 100); /* the first copy stands */
    td_stream_release(&f->s, &f->b);
    assert_int_equal(f->b.window_used, 0);
}

/* Bytes the consumer skips (application data) are not kept. */
static void test_no_window_while_skipping(void **state)
{
    struct fixture *f = *state;
    f->b.window_cap = 1u << 20;
    f->k.skip_until = 1000; /* after the first segment, the consumer skips */
    seg(f, 0, 10);
    seg(f, 10, 100);
    assert_int_equal(f->b.window_used, 0);
}

/* Queued bytes are handed over with the stamp of the packet that brought them. */
static void test_stamps_of_queued_bytes(void **state)
{
    struct fixture *f = *state;
    f->c.stamp = (struct td_stream_stamp){.frame = 7, .ts = 700};
    seg(f, 100, 50); /* ahead: queued */
    f->c.stamp = (struct td_stream_stamp){.frame = 9, .ts = 900};
    seg(f, 0, 100);  /* fills the hole: its bytes, then the queued ones */
    assert_clean(f, 150);
    assert_int_equal(f->k.nev, 2);
    assert_int_equal(f->k.ev[0].frame, 9);
    assert_int_equal(f->k.ev[1].frame, 7);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_in_order_views),
        T(test_stamps_of_queued_bytes),
        T(test_midstream_start),
        T(test_out_of_order),
        T(test_duplicates),
        T(test_partial_overlap_same),
        T(test_partial_overlap_conflict),
        T(test_conflict_in_later_queued_segment),
        T(test_overlap_no_false_conflict),
        T(test_wraparound),
        T(test_ack_lost),
        T(test_ack_before_data),
        T(test_late_bytes_counted),
        T(test_ack_inside_queued),
        T(test_flush),
        T(test_per_direction_cap),
        T(test_cap_too_small),
        T(test_cap_with_split_pieces),
        T(test_global_cap),
        T(test_truncated_in_order),
        T(test_truncated_out_of_order),
        T(test_skip_hint),
        T(test_skip_hint_partial),
        T(test_skip_all),
        T(test_fin_in_order),
        T(test_fin_out_of_order),
        T(test_fin_empty),
        T(test_fin_ack_with_hole),
        T(test_flush_finishes),
        T(test_far_segment_ignored),
        T(test_random_reassembly),
        T(test_random_accounting),
        T(test_resend_of_delivered_bytes),
        T(test_no_window_while_skipping),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
