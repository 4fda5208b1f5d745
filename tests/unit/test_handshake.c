/*
 * test_handshake.c — handshake message framing over records (handshake.h;
 * RFC 8446 §4 and §5.1: messages coalesced into or fragmented across records).
 */
#include "unit.h"

#include "tls/handshake.h"

#define SIDE 1
#define MAX_MSG 1024

struct got {
    uint8_t type;
    size_t length;
    uint8_t *body; /* copy, or NULL */
    const uint8_t *view;
    uint16_t record_version;
    size_t available;
    bool truncated;
};

struct fixture {
    struct td_hs_assembler a;
    struct got m[128];
    size_t n;
};

static void on_message(void *ctx, int side, const struct td_hs_message *m)
{
    struct fixture *f = ctx;
    assert_int_equal(side, SIDE);
    assert_true(f->n < UNIT_COUNT(f->m));
    struct got *g = &f->m[f->n++];
    g->type = m->type;
    g->length = m->length;
    g->view = m->body;
    g->body = m->body ? unit_dup(m->body, m->truncated ? m->available : m->length) : NULL;
    g->record_version = m->record_version;
    g->available = m->available;
    g->truncated = m->truncated;
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    if (f == NULL)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    td_hs_release(&f->a);
    for (size_t i = 0; i < f->n; i++)
        free(f->m[i].body);
    free(f);
    return 0;
}

/* One record body, from an exact-size heap copy. */
static void feed_v(struct fixture *f, const uint8_t *p, size_t n, uint16_t version, size_t max)
{
    uint8_t *copy = unit_dup(p, n);
    td_hs_feed(&f->a, SIDE, copy, n, version, max, on_message, f);
    free(copy);
}

static void feed(struct fixture *f, const uint8_t *p, size_t n) { feed_v(f, p, n, 0x0303, MAX_MSG); }

/* A handshake message: type, uint24 length, body bytes fill, fill+1, ... */
static size_t put_msg(uint8_t *out, uint8_t type, size_t len, uint8_t fill)
{
    out[0] = type;
    out[1] = (uint8_t)(len >> 16);
    out[2] = (uint8_t)(len >> 8);
    out[3] = (uint8_t)len;
    for (size_t i = 0; i < len; i++)
        out[4 + i] = (uint8_t)(fill + i);
    return 4 + len;
}

static void assert_msg(const struct fixture *f, size_t i, uint8_t type, size_t length,
                       const uint8_t *body, uint16_t version)
{
    assert_true(i < f->n);
    assert_int_equal(f->m[i].type, type);
    assert_int_equal(f->m[i].length, length);
    assert_int_equal(f->m[i].record_version, version);
    assert_false(f->m[i].truncated);
    if (body) {
        assert_non_null(f->m[i].body);
        assert_memory_equal(f->m[i].body, body, length);
        assert_int_equal(f->m[i].available, length);
    } else {
        assert_null(f->m[i].body);
    }
}

/* ServerHello, Certificate, ServerKeyExchange, ServerHelloDone in one record. */
static void test_several_in_one_record(void **state)
{
    struct fixture *f = *state;
    uint8_t rec[256];
    size_t n = 0, at[4];
    at[0] = n; n += put_msg(rec + n, 2, 70, 0x10);
    at[1] = n; n += put_msg(rec + n, 11, 100, 0x20);
    at[2] = n; n += put_msg(rec + n, 12, 30, 0x30);
    at[3] = n; n += put_msg(rec + n, 14, 0, 0);
    td_hs_feed(&f->a, SIDE, rec, n, 0x0303, MAX_MSG, on_message, f);
    assert_int_equal(f->n, 4);
    assert_msg(f, 0, 2, 70, rec + at[0] + 4, 0x0303);
    assert_msg(f, 1, 11, 100, rec + at[1] + 4, 0x0303);
    assert_msg(f, 2, 12, 30, rec + at[2] + 4, 0x0303);
    assert_msg(f, 3, 14, 0, rec + at[3] + 4, 0x0303);
    /* viewed in place */
    assert_ptr_equal(f->m[0].view, rec + 4);
    assert_ptr_equal(f->m[1].view, rec + at[1] + 4);
    assert_false(td_hs_pending(&f->a));
}

/* One message over three records: record_version is the first record's. */
static void test_split_over_records(void **state)
{
    struct fixture *f = *state;
    uint8_t msg[300];
    size_t n = put_msg(msg, 11, 296, 0x41);
    feed_v(f, msg, 3, 0x0301, MAX_MSG); /* header cut short */
    assert_int_equal(f->n, 0);
    assert_true(td_hs_pending(&f->a));
    assert_int_equal(td_hs_pending_bytes(&f->a), 3);
    feed_v(f, msg + 3, 100, 0x0302, MAX_MSG);
    assert_int_equal(f->n, 0);
    assert_int_equal(td_hs_pending_bytes(&f->a), 103);
    feed_v(f, msg + 103, n - 103, 0x0303, MAX_MSG);
    assert_int_equal(f->n, 1);
    assert_msg(f, 0, 11, 296, msg + 4, 0x0301);
    assert_false(td_hs_pending(&f->a));
}

/* The tail of a message and the next whole messages share a record. */
static void test_split_then_coalesced(void **state)
{
    struct fixture *f = *state;
    uint8_t wire[400];
    size_t n = 0, a, b, c;
    a = n; n += put_msg(wire + n, 2, 50, 0x01);
    b = n; n += put_msg(wire + n, 11, 200, 0x02);
    c = n; n += put_msg(wire + n, 14, 0, 0);
    feed_v(f, wire, a + 54 + 10, 0x0303, MAX_MSG); /* ServerHello and 10 bytes of Certificate */
    assert_int_equal(f->n, 1);
    feed_v(f, wire + 64, n - 64, 0x0301, MAX_MSG);
    assert_int_equal(f->n, 3);
    assert_msg(f, 0, 2, 50, wire + 4, 0x0303);
    assert_msg(f, 1, 11, 200, wire + b + 4, 0x0303);
    assert_msg(f, 2, 14, 0, wire + c + 4, 0x0301);
    assert_non_null(f->m[2].view);
}

/* Byte by byte (one record per byte) gives the same messages. */
static void test_byte_by_byte(void **state)
{
    struct fixture *f = *state;
    uint8_t wire[600];
    size_t n = 0, at[5];
    at[0] = n; n += put_msg(wire + n, 1, 200, 0x11);
    at[1] = n; n += put_msg(wire + n, 14, 0, 0);
    at[2] = n; n += put_msg(wire + n, 11, 300, 0x22);
    at[3] = n; n += put_msg(wire + n, 14, 0, 0);
    at[4] = n; n += put_msg(wire + n, 20, 12, 0x33);
    for (size_t i = 0; i < n; i++)
        feed_v(f, wire + i, 1, (uint16_t)(0x0300 + i % 4), MAX_MSG);
    assert_int_equal(f->n, 5);
    assert_msg(f, 0, 1, 200, wire + at[0] + 4, 0x0300 + at[0] % 4);
    assert_int_equal(f->m[1].type, 14);
    assert_int_equal(f->m[1].length, 0);
    assert_non_null(f->m[1].view);
    assert_int_equal(f->m[1].record_version, 0x0300 + at[1] % 4);
    assert_msg(f, 2, 11, 300, wire + at[2] + 4, 0x0300 + at[2] % 4);
    assert_int_equal(f->m[3].record_version, 0x0300 + at[3] % 4);
    assert_msg(f, 4, 20, 12, wire + at[4] + 4, 0x0300 + at[4] % 4);
}

/* Zero-length messages: alone, at the end of a record, and with the header split. */
static void test_zero_length(void **state)
{
    struct fixture *f = *state;
    uint8_t wire[64];
    size_t n;

    /* a record that is exactly ServerHelloDone */
    n = put_msg(wire, 14, 0, 0);
    feed(f, wire, n);
    assert_int_equal(f->n, 1);
    assert_int_equal(f->m[0].type, 14);
    assert_int_equal(f->m[0].length, 0);
    assert_non_null(f->m[0].view);

    /* a message, then a ServerHelloDone whose header ends the record */
    n = put_msg(wire, 12, 8, 0x50);
    n += put_msg(wire + n, 14, 0, 0);
    feed(f, wire, n);
    assert_int_equal(f->n, 3);
    assert_msg(f, 1, 12, 8, wire + 4, 0x0303);
    assert_int_equal(f->m[2].type, 14);
    assert_non_null(f->m[2].view);
    assert_false(td_hs_pending(&f->a));

    /* the header of a zero-length message split across records: done when it completes */
    feed_v(f, wire + 12, 2, 0x0301, MAX_MSG);
    assert_int_equal(f->n, 3);
    assert_true(td_hs_pending(&f->a));
    feed_v(f, wire + 14, 2, 0x0303, MAX_MSG);
    assert_int_equal(f->n, 4);
    assert_int_equal(f->m[3].type, 14);
    assert_int_equal(f->m[3].length, 0);
    assert_non_null(f->m[3].view);
    assert_int_equal(f->m[3].record_version, 0x0301);
    assert_false(td_hs_pending(&f->a));

    /* several zero-length messages in a row */
    uint8_t four[16];
    for (int i = 0; i < 4; i++)
        put_msg(four + 4 * i, (uint8_t)(20 + i), 0, 0);
    feed(f, four, sizeof four);
    assert_int_equal(f->n, 8);
    for (int i = 0; i < 4; i++)
        assert_int_equal(f->m[4 + i].type, 20 + i);
}

/* A message over max_message is skipped by counting and reported with body NULL. */
static void test_over_long_split(void **state)
{
    struct fixture *f = *state;
    uint8_t wire[2000];
    size_t n = put_msg(wire, 11, 1500, 0x01);
    size_t m = put_msg(wire + n, 14, 0, 0);

    feed_v(f, wire, 100, 0x0301, 1000);
    assert_int_equal(f->n, 0);
    assert_true(td_hs_pending(&f->a));
    assert_true(f->a.discarding);
    feed_v(f, wire + 100, 900, 0x0302, 1000);
    assert_int_equal(f->n, 0);
    feed_v(f, wire + 1000, n + m - 1000, 0x0303, 1000);
    assert_int_equal(f->n, 2);
    assert_msg(f, 0, 11, 1500, NULL, 0x0301);
    assert_int_equal(f->m[1].type, 14);
    assert_int_equal(f->m[1].record_version, 0x0303);
    assert_false(td_hs_pending(&f->a));
}

/* An over-long message wholly inside one record, with a message after it. */
static void test_over_long_in_one_record(void **state)
{
    struct fixture *f = *state;
    uint8_t wire[200];
    size_t n = put_msg(wire, 4, 100, 0x01);
    n += put_msg(wire + n, 20, 12, 0x80);
    feed_v(f, wire, n, 0x0303, 50);
    assert_int_equal(f->n, 2);
    assert_msg(f, 0, 4, 100, NULL, 0x0303);
    assert_msg(f, 1, 20, 12, wire + 108, 0x0303);
}

/* Exactly max_message is kept, whole or assembled. */
static void test_at_max_message(void **state)
{
    struct fixture *f = *state;
    uint8_t wire[200];
    size_t n = put_msg(wire, 11, 100, 0x01);
    feed_v(f, wire, n, 0x0303, 100);
    feed_v(f, wire, 50, 0x0303, 100);
    feed_v(f, wire + 50, n - 50, 0x0303, 100);
    assert_int_equal(f->n, 2);
    assert_msg(f, 0, 11, 100, wire + 4, 0x0303);
    assert_msg(f, 1, 11, 100, wire + 4, 0x0303);
    /* a 2^24-1 declared length is just over any sane cap */
    uint8_t huge[8] = {11, 0xff, 0xff, 0xff, 1, 2, 3, 4};
    feed_v(f, huge, sizeof huge, 0x0303, 100);
    assert_true(f->a.discarding);
    assert_int_equal(f->a.discard_length, 0xffffff);
    assert_int_equal(f->a.discard_left, 0xffffff - 4);
}

/* td_hs_reset forgets a partial message; the next one is read cleanly. */
static void test_reset(void **state)
{
    struct fixture *f = *state;
    uint8_t wire[200];
    size_t n = put_msg(wire, 11, 100, 0x01);
    feed(f, wire, 40);
    assert_true(td_hs_pending(&f->a));
    td_hs_reset(&f->a);
    assert_false(td_hs_pending(&f->a));
    feed(f, wire, n);
    assert_int_equal(f->n, 1);
    assert_msg(f, 0, 11, 100, wire + 4, 0x0303);
    /* and while discarding */
    n = put_msg(wire, 11, 150, 0x01);
    feed_v(f, wire, 20, 0x0303, 100);
    assert_true(td_hs_pending(&f->a));
    td_hs_reset(&f->a);
    assert_false(td_hs_pending(&f->a));
    n = put_msg(wire, 2, 10, 0x01);
    feed(f, wire, n);
    assert_int_equal(f->n, 2);
    assert_msg(f, 1, 2, 10, wire + 4, 0x0303);
}

/* What a truncated capture left of a message is handed over, marked. */
static void test_flush_truncated(void **state)
{
    struct fixture *f = *state;
    uint8_t wire[200];
    put_msg(wire, 11, 100, 0x01);
    feed_v(f, wire, 30, 0x0302, MAX_MSG);
    td_hs_flush_truncated(&f->a, SIDE, on_message, f);
    assert_int_equal(f->n, 1);
    assert_int_equal(f->m[0].type, 11);
    assert_int_equal(f->m[0].length, 100);
    assert_true(f->m[0].truncated);
    assert_int_equal(f->m[0].available, 26);
    assert_int_equal(f->m[0].record_version, 0x0302);
    assert_memory_equal(f->m[0].body, wire + 4, 26);
    assert_false(td_hs_pending(&f->a));
    /* nothing pending, or only part of a header: nothing handed over */
    td_hs_flush_truncated(&f->a, SIDE, on_message, f);
    feed(f, wire, 2);
    td_hs_flush_truncated(&f->a, SIDE, on_message, f);
    assert_int_equal(f->n, 1);
    assert_false(td_hs_pending(&f->a));
}

/* Random record boundaries over a random message sequence. */
static void test_random_boundaries(void **state)
{
    struct fixture *f = *state;
    uint64_t seed = 0x4a5;
    uint8_t *wire = malloc(20000);
    struct {
        uint8_t type;
        size_t len, at;
    } want[100];
    assert_non_null(wire);

    for (unsigned round = 0; round < 100; round++) {
        size_t n = 0, nm = 0;
        while (nm < UNIT_COUNT(want) && n < 15000) {
            size_t len = unit_below(&seed, 4) == 0 ? 0 : unit_below(&seed, 400);
            uint8_t type = (uint8_t)(1 + unit_below(&seed, 24));
            want[nm].type = type;
            want[nm].len = len;
            want[nm].at = n;
            n += put_msg(wire + n, type, len, (uint8_t)unit_rand(&seed));
            nm++;
        }
        for (size_t i = 0; i < f->n; i++)
            free(f->m[i].body);
        f->n = 0;
        for (size_t off = 0; off < n;) {
            size_t k = 1 + unit_below(&seed, 300);
            if (k > n - off)
                k = n - off;
            feed_v(f, wire + off, k, 0x0303, 300);
            off += k;
        }
        assert_int_equal(f->n, nm);
        for (size_t i = 0; i < nm; i++) {
            assert_int_equal(f->m[i].type, want[i].type);
            assert_int_equal(f->m[i].length, want[i].len);
            if (want[i].len > 300) {
                assert_null(f->m[i].body);
            } else {
                assert_non_null(f->m[i].view);
                assert_memory_equal(f->m[i].body, wire + want[i].at + 4, want[i].len);
            }
        }
        assert_false(td_hs_pending(&f->a));
    }
    free(wire);
}

/* Bytes lost inside a message: it is handed over truncated, its rest is
 * skipped by its declared length, and the next message is read whole. */
static void test_lost_inside_message(void **state)
{
    struct fixture *f = *state;
    uint8_t wire[400];
    size_t n = put_msg(wire, 11, 200, 0x01);
    size_t ske = n;
    n += put_msg(wire + n, 12, 40, 0x90);
    n += put_msg(wire + n, 14, 0, 0);
    feed(f, wire, 50);
    td_hs_lost(&f->a, SIDE, 100, on_message, f);
    assert_int_equal(f->n, 1);
    assert_true(f->m[0].truncated);
    assert_int_equal(f->m[0].available, 46);
    feed(f, wire + 150, n - 150);
    assert_int_equal(f->n, 3);
    assert_msg(f, 1, 12, 40, wire + ske + 4, 0x0303);
    assert_msg(f, 2, 14, 0, wire + n, 0x0303);
    assert_false(td_hs_pending(&f->a));
}

/* Lost framing: the next feed is searched for messages that chain to its end. */
static void test_lost_framing_finds_messages(void **state)
{
    struct fixture *f = *state;
    uint8_t wire[400], junk[] = {0x51, 0x51, 0x51, 0x51, 0x51, 0x0b, 0x51, 0x51};
    size_t n = 0;
    memcpy(wire, junk, sizeof junk); /* the tail of a Certificate, 0x0b among it */
    n = sizeof junk;
    size_t ske = n;
    n += put_msg(wire + n, 12, 40, 0x90);
    n += put_msg(wire + n, 14, 0, 0);
    uint8_t cert[104];
    put_msg(cert, 11, 100, 0x01);
    feed(f, cert, 30);
    td_hs_lost_framing(&f->a, SIDE, on_message, f);
    assert_int_equal(f->n, 1);
    assert_true(f->m[0].truncated);
    feed(f, wire, n);
    assert_int_equal(f->n, 3);
    assert_msg(f, 1, 12, 40, wire + ske + 4, 0x0303);
    assert_msg(f, 2, 14, 0, wire + n, 0x0303);
    assert_int_equal(f->a.skipped, sizeof junk);
}

/* A message that the run's budget cannot hold is skipped by its length and
 * said once; the next message is read; storage goes back to the budget. */
static void test_budget_refusal(void **state)
{
    struct fixture *f = *state;
    struct td_mem_budget budget = {0, 600};
    uint8_t wire[1200];
    size_t n = put_msg(wire, 11, 1000, 0x01);
    size_t next = n;
    n += put_msg(wire + n, 14, 0, 0);
    uint8_t type;
    size_t length;

    td_hs_set_budget(&f->a, &budget);
    feed(f, wire, 300);
    assert_false(td_hs_take_refusal(&f->a, &type, &length));
    assert_true(budget.used <= budget.cap);
    feed(f, wire + 300, 400);
    assert_true(td_hs_take_refusal(&f->a, &type, &length));
    assert_int_equal(type, 11);
    assert_int_equal(length, 1000);
    assert_false(td_hs_take_refusal(&f->a, &type, &length));
    assert_int_equal(budget.used, 0);
    feed(f, wire + 700, n - 700);
    assert_int_equal(f->n, 1);
    assert_msg(f, 0, 14, 0, wire + next + 4, 0x0303);
    /* a big message that fits is given back once parsed */
    budget.cap = 1 << 20;
    uint8_t *big = calloc(1, 4 + 100000);
    put_msg(big, 11, 100000, 0x02);
    feed_v(f, big, 50000, 0x0303, 1 << 20);
    assert_true(budget.used >= 50000);
    feed_v(f, big + 50000, 4 + 100000 - 50000, 0x0303, 1 << 20);
    assert_int_equal(f->n, 2);
    assert_int_equal(budget.used, 0);
    free(big);
    td_hs_release(&f->a);
    assert_int_equal(budget.used, 0);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_several_in_one_record),
        T(test_split_over_records),
        T(test_split_then_coalesced),
        T(test_byte_by_byte),
        T(test_zero_length),
        T(test_over_long_split),
        T(test_over_long_in_one_record),
        T(test_at_max_message),
        T(test_reset),
        T(test_flush_truncated),
        T(test_lost_inside_message),
        T(test_lost_framing_finds_messages),
        T(test_budget_refusal),
        T(test_random_boundaries),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
