/*
 * test_quic_stream.c — QUIC frames (src/quic/frames.c, RFC 9000 §19) and
 * CRYPTO stream reassembly (src/quic/crypto_stream.c, §19.6): in order, out
 * of order, overlaps (first copy wins, conflicts counted), the cap, offsets
 * near 2^62, and frames that lie about their lengths.
 */
#include "unit.h"

#include "quic/crypto_stream.h"
#include "quic/frames.h"

struct sink {
    uint8_t got[256];
    size_t len;
    unsigned calls;
};

static void collect(void *ctx, const uint8_t *p, size_t n)
{
    struct sink *s = ctx;
    assert_true(n <= sizeof s->got - s->len);
    memcpy(s->got + s->len, p, n);
    s->len += n;
    s->calls++;
}

static void test_in_order_and_out_of_order(void **state)
{
    (void)state;
    struct td_quic_crypto_stream cs;
    struct td_quic_crypto_notes notes = {0};
    struct sink s = {{0}, 0, 0};
    const uint8_t msg[] = "0123456789abcdef";

    td_quic_crypto_init(&cs, 1024, NULL);
    td_quic_crypto_push(&cs, 10, msg + 10, 6, collect, &s, &notes); /* a hole before it */
    assert_int_equal(s.len, 0);
    assert_int_equal(td_quic_crypto_waiting(&cs), 16);
    td_quic_crypto_push(&cs, 0, msg, 4, collect, &s, &notes);
    assert_int_equal(s.len, 4);
    td_quic_crypto_push(&cs, 4, msg + 4, 6, collect, &s, &notes); /* fills the hole */
    assert_int_equal(s.len, 16);
    assert_memory_equal(s.got, msg, 16);
    assert_int_equal(td_quic_crypto_waiting(&cs), 0);
    /* a retransmission of all of it is handed over no more */
    td_quic_crypto_push(&cs, 0, msg, 16, collect, &s, &notes);
    assert_int_equal(s.len, 16);
    assert_int_equal(notes.duplicates, 16);
    assert_int_equal(notes.conflicts, 0);
    td_quic_crypto_release(&cs);
}

static void test_overlap_conflict_first_copy_wins(void **state)
{
    (void)state;
    struct td_quic_crypto_stream cs;
    struct td_quic_crypto_notes notes = {0};
    struct sink s = {{0}, 0, 0};

    td_quic_crypto_init(&cs, 1024, NULL);
    td_quic_crypto_push(&cs, 4, (const uint8_t *)"EFGH", 4, collect, &s, &notes);
    td_quic_crypto_push(&cs, 2, (const uint8_t *)"cdXYGH", 6, collect, &s, &notes);
    assert_int_equal(notes.conflicts, 2); /* E, F kept over X, Y */
    assert_int_equal(notes.duplicates, 2); /* G, H */
    td_quic_crypto_push(&cs, 0, (const uint8_t *)"ab", 2, collect, &s, &notes);
    assert_int_equal(s.len, 8);
    assert_memory_equal(s.got, "abcdEFGH", 8);
    td_quic_crypto_release(&cs);
}

static void test_cap_and_huge_offsets(void **state)
{
    (void)state;
    struct td_quic_crypto_stream cs;
    struct td_quic_crypto_notes notes = {0};
    struct td_mem_budget budget = {0, 1 << 20};
    struct sink s = {{0}, 0, 0};
    uint8_t b[8] = {1, 2, 3, 4, 5, 6, 7, 8};

    td_quic_crypto_init(&cs, 16, &budget);
    td_quic_crypto_push(&cs, (UINT64_C(1) << 62) - 9, b, 8, collect, &s, &notes);
    assert_int_equal(notes.beyond_cap, 8);
    td_quic_crypto_push(&cs, 12, b, 8, collect, &s, &notes); /* half past the cap */
    assert_int_equal(notes.beyond_cap, 12);
    assert_int_equal(td_quic_crypto_waiting(&cs), 16);
    assert_true(budget.used >= 16);
    td_quic_crypto_release(&cs);
    assert_int_equal(budget.used, 0);
}

static void test_budget_refuses(void **state)
{
    (void)state;
    struct td_quic_crypto_stream cs;
    struct td_quic_crypto_notes notes = {0};
    struct td_mem_budget budget = {0, 100};
    struct sink s = {{0}, 0, 0};

    td_quic_crypto_init(&cs, 65536, &budget);
    td_quic_crypto_push(&cs, 0, (const uint8_t *)"abc", 3, collect, &s, &notes);
    assert_int_equal(notes.no_room, 3);
    assert_int_equal(s.len, 0);
    assert_int_equal(budget.used, 0);
    td_quic_crypto_release(&cs);
}

struct frames_seen {
    uint64_t offsets[4];
    size_t lens[4];
    unsigned crypto, close;
    struct td_quic_close last_close;
};

static void on_crypto(void *ctx, uint64_t offset, const uint8_t *data, size_t len)
{
    struct frames_seen *f = ctx;
    (void)data;
    if (f->crypto < 4) {
        f->offsets[f->crypto] = offset;
        f->lens[f->crypto] = len;
    }
    f->crypto++;
}

static void on_close(void *ctx, const struct td_quic_close *c)
{
    struct frames_seen *f = ctx;
    f->close++;
    f->last_close = *c;
}

static void walk(const uint8_t *p, size_t n, struct frames_seen *f, struct td_quic_frames_result *r)
{
    struct td_quic_frame_handler h = {on_crypto, on_close, f};
    uint8_t *copy = unit_dup(p, n);
    memset(f, 0, sizeof *f);
    td_quic_frames(copy, n, &h, r);
    free(copy);
}

static void test_frames(void **state)
{
    (void)state;
    /* PING; ACK (largest 5, delay 0, 1 range: first 0, gap 1, len 1); CRYPTO at 0x40 of 3;
     * PADDING x2; CONNECTION_CLOSE CRYPTO_ERROR 0x128 (alert 40), frame 6, reason "x" */
    static const uint8_t p[] = {0x01, 0x02, 0x05, 0x00, 0x01, 0x00, 0x01, 0x01, 0x06, 0x40,
                                0x40, 0x03, 'a',  'b',  'c',  0x00, 0x00, 0x1c, 0x41, 0x28,
                                0x06, 0x01, 'x'};
    struct frames_seen f;
    struct td_quic_frames_result r;

    walk(p, sizeof p, &f, &r);
    assert_false(r.malformed);
    assert_int_equal(r.ping, 1);
    assert_int_equal(r.ack, 1);
    assert_int_equal(r.padding, 2);
    assert_int_equal(f.crypto, 1);
    assert_int_equal(f.offsets[0], 0x40);
    assert_int_equal(f.lens[0], 3);
    assert_int_equal(f.close, 1);
    assert_int_equal(f.last_close.error, 0x128);
    assert_int_equal(f.last_close.frame_type, 6);
    assert_int_equal(f.last_close.reason_len, 1);
}

static void test_frames_that_lie(void **state)
{
    (void)state;
    /* CRYPTO claiming 64 bytes with 2 left */
    static const uint8_t long_crypto[] = {0x06, 0x00, 0x40, 0x40, 'a', 'b'};
    /* CRYPTO at 2^62 - 1 (8-byte varint) of length 2: past the largest offset */
    static const uint8_t far[] = {0x06, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                  0x02, 'a',  'b'};
    /* an ACK range count of 2^30 with no ranges behind it */
    static const uint8_t ack[] = {0x02, 0x05, 0x00, 0xbf, 0xff, 0xff, 0xff, 0x00};
    /* an unknown frame type stops the packet; a NEW_TOKEN is skipped by its length */
    static const uint8_t unknown[] = {0x07, 0x02, 'x', 'y', 0x21, 0x06, 0x00, 0x01, 'z'};
    struct frames_seen f;
    struct td_quic_frames_result r;

    walk(long_crypto, sizeof long_crypto, &f, &r);
    assert_true(r.malformed);
    assert_int_equal(f.crypto, 0);
    walk(far, sizeof far, &f, &r);
    assert_true(r.malformed);
    assert_int_equal(f.crypto, 0);
    walk(ack, sizeof ack, &f, &r);
    assert_true(r.malformed);
    walk(unknown, sizeof unknown, &f, &r);
    assert_true(r.malformed);
    assert_int_equal(r.other, 1);
    assert_int_equal(f.crypto, 0); /* the CRYPTO frame after the unknown type is not read */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_in_order_and_out_of_order),
        cmocka_unit_test(test_overlap_conflict_first_copy_wins),
        cmocka_unit_test(test_cap_and_huge_offsets),
        cmocka_unit_test(test_budget_refuses),
        cmocka_unit_test(test_frames),
        cmocka_unit_test(test_frames_that_lie),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
