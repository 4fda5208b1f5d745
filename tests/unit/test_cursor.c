/*
 * test_cursor.c — the bounded cursor (cursor.h): fixed-width integers and
 * vectors of RFC 8446 §3.3-3.4 / RFC 5246 §4.3, and the failure contract.
 */
#include "unit.h"

#include "tlsdissect/cursor.h"

static const uint8_t bytes8[8] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08};

/* Every read on c fails and leaves it empty. */
static void assert_dead(struct td_cur *c, enum td_cur_status st)
{
    uint8_t b8 = 0xaa, buf[2];
    uint16_t b16 = 0xaaaa;
    uint32_t b32 = 0xaaaaaaaa;
    struct td_cur child;

    assert_int_equal(td_cur_remaining(c), 0);
    assert_false(td_cur_ok(c));
    assert_int_equal(c->status, st);
    assert_false(td_cur_u8(c, &b8));
    assert_false(td_cur_u16(c, &b16));
    assert_false(td_cur_u24(c, &b32));
    assert_false(td_cur_u32(c, &b32));
    assert_false(td_cur_skip(c, 0));
    assert_false(td_cur_copy(c, buf, 0));
    assert_false(td_cur_sub(c, 0, &child));
    assert_int_equal(child.status, st);
    assert_int_equal(td_cur_remaining(&child), 0);
    assert_false(td_cur_vec(c, 1, 0, 255, 1, &child));
    assert_int_equal(child.status, st);
    assert_int_equal(b8, 0xaa);
    assert_int_equal(b16, 0xaaaa);
    assert_int_equal(b32, 0xaaaaaaaa);
    assert_int_equal(c->status, st); /* the first failure is kept */
    assert_int_equal(td_cur_remaining(c), 0);
}

static void test_make(void **state)
{
    (void)state;
    struct td_cur c = td_cur_make(bytes8, sizeof bytes8);
    assert_true(td_cur_ok(&c));
    assert_int_equal(td_cur_remaining(&c), 8);
    assert_ptr_equal(td_cur_ptr(&c), bytes8);

    c = td_cur_make(NULL, 5);
    assert_true(td_cur_ok(&c));
    assert_int_equal(td_cur_remaining(&c), 0);

    c = td_cur_make(bytes8, 0);
    assert_int_equal(td_cur_remaining(&c), 0);
}

static void test_integers_ok(void **state)
{
    (void)state;
    uint8_t *buf = unit_dup((const uint8_t[]){0xfe, 0x12, 0x34, 0xab, 0xcd, 0xef, 0x89, 0xab,
                                              0xcd, 0xef},
                            10);
    struct td_cur c = td_cur_make(buf, 10);
    uint8_t b8;
    uint16_t b16;
    uint32_t b24, b32;

    assert_true(td_cur_u8(&c, &b8));
    assert_int_equal(b8, 0xfe);
    assert_ptr_equal(td_cur_ptr(&c), buf + 1);
    assert_true(td_cur_u16(&c, &b16));
    assert_int_equal(b16, 0x1234);
    assert_ptr_equal(td_cur_ptr(&c), buf + 3);
    assert_true(td_cur_u24(&c, &b24));
    assert_int_equal(b24, 0xabcdef);
    assert_ptr_equal(td_cur_ptr(&c), buf + 6);
    assert_true(td_cur_u32(&c, &b32));
    assert_int_equal(b32, 0x89abcdefu);
    assert_int_equal(td_cur_remaining(&c), 0);
    assert_true(td_cur_ok(&c));
    free(buf);
}

/* Each width: exactly enough succeeds, one byte short fails, sticky. */
static void test_integers_fail(void **state)
{
    (void)state;
    for (unsigned width = 1; width <= 4; width++) {
        for (size_t have = 0; have < width; have++) {
            uint8_t *buf = unit_dup(bytes8, have);
            struct td_cur c = td_cur_make(buf, have);
            uint8_t b8 = 0xaa;
            uint16_t b16 = 0xaaaa;
            uint32_t b32 = 0xaaaaaaaa;
            int ok;

            switch (width) {
            case 1: ok = td_cur_u8(&c, &b8); break;
            case 2: ok = td_cur_u16(&c, &b16); break;
            case 3: ok = td_cur_u24(&c, &b32); break;
            default: ok = td_cur_u32(&c, &b32); break;
            }
            assert_false(ok);
            assert_int_equal(c.status, TD_CUR_SHORT);
            assert_int_equal(c.want, width);
            assert_int_equal(c.have, have);
            /* a failed read does not move the cursor or write its output */
            assert_ptr_equal(td_cur_ptr(&c), buf);
            assert_int_equal(b8, 0xaa);
            assert_int_equal(b16, 0xaaaa);
            assert_int_equal(b32, 0xaaaaaaaa);
            assert_dead(&c, TD_CUR_SHORT);
            free(buf);
        }
    }
}

static void test_skip_copy_edges(void **state)
{
    (void)state;
    uint8_t *buf = unit_dup(bytes8, 8);
    uint8_t out[9] = {0};
    struct td_cur c;

    /* exactly 0 */
    c = td_cur_make(buf, 8);
    assert_true(td_cur_skip(&c, 0));
    assert_true(td_cur_copy(&c, out, 0));
    assert_int_equal(td_cur_remaining(&c), 8);
    assert_ptr_equal(td_cur_ptr(&c), buf);

    /* 0 from an empty cursor is fine */
    c = td_cur_make(buf, 0);
    assert_true(td_cur_skip(&c, 0));
    assert_true(td_cur_ok(&c));

    /* exactly remaining */
    c = td_cur_make(buf, 8);
    assert_true(td_cur_copy(&c, out, 8));
    assert_memory_equal(out, bytes8, 8);
    assert_int_equal(td_cur_remaining(&c), 0);
    assert_true(td_cur_ok(&c));
    c = td_cur_make(buf, 8);
    assert_true(td_cur_skip(&c, 8));
    assert_int_equal(td_cur_remaining(&c), 0);
    assert_ptr_equal(td_cur_ptr(&c), buf + 8);

    /* remaining + 1 */
    c = td_cur_make(buf, 8);
    memset(out, 0x55, sizeof out);
    assert_false(td_cur_copy(&c, out, 9));
    assert_int_equal(out[0], 0x55);
    assert_int_equal(c.want, 9);
    assert_int_equal(c.have, 8);
    assert_ptr_equal(td_cur_ptr(&c), buf);
    assert_dead(&c, TD_CUR_SHORT);

    c = td_cur_make(buf, 8);
    assert_true(td_cur_skip(&c, 3));
    assert_false(td_cur_skip(&c, 6));
    assert_int_equal(c.want, 6);
    assert_int_equal(c.have, 5);
    assert_dead(&c, TD_CUR_SHORT);

    /* a huge count is a plain failure */
    c = td_cur_make(buf, 8);
    assert_false(td_cur_skip(&c, SIZE_MAX));
    assert_dead(&c, TD_CUR_SHORT);
    free(buf);
}

/* The first failure is kept even when a later read would fail differently. */
static void test_sticky_first_failure(void **state)
{
    (void)state;
    uint8_t *buf = unit_dup((const uint8_t[]){0x05, 0x01}, 2);
    struct td_cur c = td_cur_make(buf, 2), child;

    assert_false(td_cur_vec(&c, 1, 0, 255, 1, &child)); /* length 5 > 1 */
    assert_int_equal(c.status, TD_CUR_BAD_LENGTH);
    assert_int_equal(c.want, 5);
    assert_int_equal(c.have, 1);
    td_cur_fail(&c, TD_CUR_RANGE, 99);
    assert_int_equal(c.status, TD_CUR_BAD_LENGTH);
    assert_int_equal(c.want, 5);
    assert_dead(&c, TD_CUR_BAD_LENGTH);
    assert_int_equal(c.want, 5);
    assert_int_equal(c.have, 1);

    /* while (remaining) loops end on a failed cursor */
    c = td_cur_make(buf, 2);
    unsigned loops = 0;
    while (td_cur_remaining(&c) && loops < 10) {
        uint32_t v;
        td_cur_u32(&c, &v);
        loops++;
    }
    assert_int_equal(loops, 1);
    free(buf);
}

static void test_sub(void **state)
{
    (void)state;
    uint8_t *buf = unit_dup(bytes8, 8);
    struct td_cur c = td_cur_make(buf, 8), child;
    uint8_t b;

    assert_true(td_cur_skip(&c, 1));
    assert_true(td_cur_sub(&c, 3, &child));
    assert_ptr_equal(td_cur_ptr(&child), buf + 1);
    assert_int_equal(td_cur_remaining(&child), 3);
    assert_ptr_equal(td_cur_ptr(&c), buf + 4);
    assert_int_equal(td_cur_remaining(&c), 4);
    /* the child is bounded by its own length */
    assert_true(td_cur_skip(&child, 3));
    assert_false(td_cur_u8(&child, &b));
    assert_true(td_cur_ok(&c));

    assert_true(td_cur_sub(&c, 0, &child));
    assert_int_equal(td_cur_remaining(&child), 0);
    assert_true(td_cur_ok(&child));
    assert_true(td_cur_sub(&c, 4, &child));
    assert_int_equal(td_cur_remaining(&c), 0);

    c = td_cur_make(buf, 8);
    assert_false(td_cur_sub(&c, 9, &child));
    assert_int_equal(child.status, TD_CUR_SHORT);
    assert_int_equal(td_cur_remaining(&child), 0);
    assert_dead(&c, TD_CUR_SHORT);
    free(buf);
}

/* A wire vector: prefix of width w announcing len, then fill bytes (0x5a). */
static uint8_t *make_vec(unsigned w, size_t len, size_t body, size_t trailer, size_t *total)
{
    size_t n = w + body + trailer;
    uint8_t *p = malloc(n);
    assert_non_null(p);
    for (unsigned i = 0; i < w; i++)
        p[i] = (uint8_t)(len >> (8 * (w - 1 - i)));
    memset(p + w, 0x5a, body + trailer);
    *total = n;
    return p;
}

static void test_vec_exact_and_trailer(void **state)
{
    (void)state;
    for (unsigned w = 1; w <= 3; w++) {
        size_t lens[] = {0, 1, 7, 255};
        for (size_t k = 0; k < UNIT_COUNT(lens); k++) {
            size_t total, len = lens[k];
            /* length == remaining */
            uint8_t *p = make_vec(w, len, len, 0, &total);
            struct td_cur c = td_cur_make(p, total), child;
            assert_true(td_cur_vec(&c, w, 0, 0xffffff, 1, &child));
            assert_true(td_cur_ok(&child));
            assert_ptr_equal(td_cur_ptr(&child), p + w);
            assert_int_equal(td_cur_remaining(&child), len);
            assert_int_equal(td_cur_remaining(&c), 0);
            assert_true(td_cur_ok(&c));
            free(p);

            /* with bytes after the vector: the parent skips exactly past it */
            p = make_vec(w, len, len, 3, &total);
            c = td_cur_make(p, total);
            assert_true(td_cur_vec(&c, w, 0, 0xffffff, 1, &child));
            assert_int_equal(td_cur_remaining(&child), len);
            assert_ptr_equal(td_cur_ptr(&c), p + w + len);
            assert_int_equal(td_cur_remaining(&c), 3);
            free(p);
        }
    }
}

static void test_vec_bad_length(void **state)
{
    (void)state;
    for (unsigned w = 1; w <= 3; w++) {
        size_t total;
        /* length == remaining + 1 */
        uint8_t *p = make_vec(w, 6, 5, 0, &total);
        struct td_cur c = td_cur_make(p, total), child;
        assert_false(td_cur_vec(&c, w, 0, 0xffffff, 1, &child));
        assert_int_equal(c.status, TD_CUR_BAD_LENGTH);
        assert_int_equal(c.want, 6);
        assert_int_equal(c.have, 5);
        assert_int_equal(child.status, TD_CUR_BAD_LENGTH);
        assert_int_equal(td_cur_remaining(&child), 0);
        assert_dead(&c, TD_CUR_BAD_LENGTH);
        free(p);

        /* the prefix itself cut short */
        p = make_vec(w, 0, 0, 0, &total);
        c = td_cur_make(p, w - 1);
        assert_false(td_cur_vec(&c, w, 0, 0xffffff, 1, &child));
        assert_int_equal(c.status, TD_CUR_SHORT);
        assert_int_equal(c.want, w);
        assert_int_equal(child.status, TD_CUR_SHORT);
        assert_dead(&c, TD_CUR_SHORT);
        free(p);
    }
}

/* 2^24-1 announced by a 3-byte prefix over 10 bytes: no read past the buffer. */
static void test_vec_huge_length(void **state)
{
    (void)state;
    size_t total;
    uint8_t *p = make_vec(3, 0xffffff, 10, 0, &total);
    struct td_cur c = td_cur_make(p, total), child;
    assert_false(td_cur_vec(&c, 3, 0, 0xffffff, 1, &child));
    assert_int_equal(c.status, TD_CUR_BAD_LENGTH);
    assert_int_equal(c.want, 0xffffff);
    assert_int_equal(c.have, 10);
    assert_int_equal(td_cur_remaining(&child), 0);
    assert_dead(&c, TD_CUR_BAD_LENGTH);
    free(p);

    /* and 2^16-1 with a 2-byte prefix */
    p = make_vec(2, 0xffff, 1, 0, &total);
    c = td_cur_make(p, total);
    assert_false(td_cur_vec(&c, 2, 0, 0xffff, 2, &child));
    assert_int_equal(c.status, TD_CUR_BAD_LENGTH);
    free(p);
}

static void test_vec_range(void **state)
{
    (void)state;
    size_t total;
    struct td_cur c, child;
    uint8_t *p;

    /* floor and ceiling themselves are allowed */
    p = make_vec(1, 2, 2, 0, &total);
    c = td_cur_make(p, total);
    assert_true(td_cur_vec(&c, 1, 2, 2, 1, &child));
    free(p);

    /* below the floor */
    p = make_vec(1, 1, 1, 0, &total);
    c = td_cur_make(p, total);
    assert_false(td_cur_vec(&c, 1, 2, 10, 1, &child));
    assert_int_equal(c.status, TD_CUR_RANGE);
    assert_int_equal(c.want, 1);
    assert_int_equal(child.status, TD_CUR_RANGE);
    assert_dead(&c, TD_CUR_RANGE);
    free(p);

    /* empty below a floor of 1 (opaque x<1..2^8-1>) */
    p = make_vec(1, 0, 0, 4, &total);
    c = td_cur_make(p, total);
    assert_false(td_cur_vec(&c, 1, 1, 255, 1, &child));
    assert_int_equal(c.status, TD_CUR_RANGE);
    free(p);

    /* above the ceiling (session_id<0..32> of 33 bytes) */
    p = make_vec(1, 33, 33, 0, &total);
    c = td_cur_make(p, total);
    assert_false(td_cur_vec(&c, 1, 0, 32, 1, &child));
    assert_int_equal(c.status, TD_CUR_RANGE);
    assert_int_equal(c.want, 33);
    assert_dead(&c, TD_CUR_RANGE);
    free(p);

    /* a length both too long for the buffer and out of range: the length wins */
    p = make_vec(1, 40, 3, 0, &total);
    c = td_cur_make(p, total);
    assert_false(td_cur_vec(&c, 1, 0, 32, 1, &child));
    assert_int_equal(c.status, TD_CUR_BAD_LENGTH);
    free(p);
}

static void test_vec_alignment(void **state)
{
    (void)state;
    size_t total;
    struct td_cur c, child;
    uint8_t *p;

    /* CipherSuite cipher_suites<2..2^16-2> with 5 bytes */
    p = make_vec(2, 5, 5, 0, &total);
    c = td_cur_make(p, total);
    assert_false(td_cur_vec(&c, 2, 2, 0xfffe, 2, &child));
    assert_int_equal(c.status, TD_CUR_ALIGNMENT);
    assert_int_equal(c.want, 5);
    assert_int_equal(child.status, TD_CUR_ALIGNMENT);
    assert_dead(&c, TD_CUR_ALIGNMENT);
    free(p);

    p = make_vec(2, 6, 6, 0, &total);
    c = td_cur_make(p, total);
    assert_true(td_cur_vec(&c, 2, 2, 0xfffe, 2, &child));
    assert_int_equal(td_cur_remaining(&child), 6);
    free(p);

    /* 3-byte elements */
    p = make_vec(1, 4, 4, 0, &total);
    c = td_cur_make(p, total);
    assert_false(td_cur_vec(&c, 1, 0, 255, 3, &child));
    assert_int_equal(c.status, TD_CUR_ALIGNMENT);
    free(p);
}

/* Nested vectors: an inner length that lies fails the inner cursor only. */
static void test_vec_nested(void **state)
{
    (void)state;
    const uint8_t wire[] = {0x00, 0x05, 0x03, 'a', 'b', 'c', 'd', 0xee};
    uint8_t *p = unit_dup(wire, sizeof wire);
    struct td_cur c = td_cur_make(p, sizeof wire), outer, inner, inner2;
    uint8_t b;

    assert_true(td_cur_vec(&c, 2, 0, 0xffff, 1, &outer));
    assert_true(td_cur_vec(&outer, 1, 1, 255, 1, &inner));
    assert_memory_equal(td_cur_ptr(&inner), "abc", 3);
    assert_false(td_cur_vec(&outer, 1, 1, 255, 1, &inner2)); /* 'd' = 100 > 0 */
    assert_int_equal(outer.status, TD_CUR_BAD_LENGTH);
    assert_true(td_cur_ok(&c));
    assert_true(td_cur_u8(&c, &b));
    assert_int_equal(b, 0xee);
    free(p);
}

static void test_describe(void **state)
{
    (void)state;
    char buf[96];
    struct td_cur c;
    uint32_t v;
    struct td_cur child;
    size_t total;
    uint8_t *p;

    c = td_cur_make(bytes8, 3);
    td_cur_describe(&c, buf, sizeof buf);
    assert_string_equal(buf, "ok");

    assert_false(td_cur_u32(&c, &v));
    td_cur_describe(&c, buf, sizeof buf);
    assert_string_equal(buf, "need 4 bytes, 3 remaining");

    p = make_vec(1, 7, 5, 0, &total);
    c = td_cur_make(p, total);
    td_cur_vec(&c, 1, 0, 255, 1, &child);
    td_cur_describe(&c, buf, sizeof buf);
    assert_string_equal(buf, "length 7 > remaining 5");
    /* the child carries the status but not the numbers: describe the parent */
    assert_int_equal(child.status, TD_CUR_BAD_LENGTH);
    free(p);

    p = make_vec(1, 40, 40, 0, &total);
    c = td_cur_make(p, total);
    td_cur_vec(&c, 1, 0, 32, 1, &child);
    td_cur_describe(&c, buf, sizeof buf);
    assert_string_equal(buf, "length 40 outside the allowed range");
    free(p);

    p = make_vec(2, 3, 3, 0, &total);
    c = td_cur_make(p, total);
    td_cur_vec(&c, 2, 0, 0xffff, 2, &child);
    td_cur_describe(&c, buf, sizeof buf);
    assert_string_equal(buf, "length 3 is not a whole number of elements");
    free(p);

    /* a small buffer is truncated and terminated; size 0 writes nothing */
    c = td_cur_make(bytes8, 3);
    td_cur_u32(&c, &v);
    memset(buf, 'x', sizeof buf);
    td_cur_describe(&c, buf, 5);
    assert_string_equal(buf, "need");
    assert_int_equal(buf[5], 'x');
    memset(buf, 'x', sizeof buf);
    td_cur_describe(&c, buf, 0);
    assert_int_equal(buf[0], 'x');
}

/*
 * Two ends: 4 bytes captured of 8 declared (the heap copy holds only the 4,
 * so ASan sees any read of the others).  Reads up to the captured end
 * succeed; past it and up to the declared end they are TRUNCATED, the
 * capture's loss; past the declared end they are SHORT, the message's fault.
 */
static void test_two_ends_reads(void **state)
{
    (void)state;
    uint8_t *buf = unit_dup(bytes8, 4);
    struct td_cur c;
    uint32_t v32;
    uint16_t v16;
    uint8_t b;
    char why[96];

    c = td_cur_make_partial(buf, 4, 8);
    assert_true(td_cur_ok(&c));
    assert_int_equal(td_cur_remaining(&c), 4);
    assert_int_equal(td_cur_declared(&c), 8);

    /* at the captured end */
    assert_true(td_cur_skip(&c, 4));
    assert_true(td_cur_ok(&c));
    assert_int_equal(td_cur_remaining(&c), 0);
    assert_int_equal(td_cur_declared(&c), 4);
    /* one past it */
    assert_false(td_cur_u8(&c, &b));
    assert_int_equal(c.status, TD_CUR_TRUNCATED);
    assert_int_equal(c.want, 1);
    assert_int_equal(c.have, 0);
    assert_int_equal(td_cur_declared(&c), 0);
    assert_dead(&c, TD_CUR_TRUNCATED);

    /* captured end + 1 in one read */
    c = td_cur_make_partial(buf, 4, 8);
    assert_false(td_cur_skip(&c, 5));
    assert_int_equal(c.status, TD_CUR_TRUNCATED);
    assert_int_equal(c.want, 5);
    assert_int_equal(c.have, 4);
    assert_ptr_equal(td_cur_ptr(&c), buf);
    td_cur_describe(&c, why, sizeof why);
    assert_string_equal(why, "need 5 bytes, 4 captured");

    /* the declared end itself is past the captured end */
    c = td_cur_make_partial(buf, 4, 8);
    assert_false(td_cur_skip(&c, 8));
    assert_int_equal(c.status, TD_CUR_TRUNCATED);

    /* declared end + 1: a fault, however much was captured */
    c = td_cur_make_partial(buf, 4, 8);
    assert_false(td_cur_skip(&c, 9));
    assert_int_equal(c.status, TD_CUR_SHORT);
    assert_int_equal(c.want, 9);
    assert_int_equal(c.have, 8);
    td_cur_describe(&c, why, sizeof why);
    assert_string_equal(why, "need 9 bytes, 8 remaining");
    assert_dead(&c, TD_CUR_SHORT);

    /* fixed-width reads across each end */
    c = td_cur_make_partial(buf, 4, 8);
    assert_true(td_cur_u16(&c, &v16));
    assert_int_equal(v16, 0x0102);
    assert_false(td_cur_u32(&c, &v32)); /* 2 captured, 6 declared */
    assert_int_equal(c.status, TD_CUR_TRUNCATED);
    c = td_cur_make_partial(buf, 4, 3);
    assert_int_equal(td_cur_remaining(&c), 3); /* captured is clamped to declared */
    assert_false(td_cur_u32(&c, &v32));
    assert_int_equal(c.status, TD_CUR_SHORT);
    assert_int_equal(c.have, 3);

    /* nothing captured */
    c = td_cur_make_partial(NULL, 4, 8);
    assert_int_equal(td_cur_remaining(&c), 0);
    assert_int_equal(td_cur_declared(&c), 8);
    assert_true(td_cur_skip(&c, 0));
    assert_false(td_cur_u8(&c, &b));
    assert_int_equal(c.status, TD_CUR_TRUNCATED);

    /* a whole buffer has both ends together */
    c = td_cur_make(buf, 4);
    assert_int_equal(td_cur_declared(&c), td_cur_remaining(&c));
    free(buf);
}

/* td_cur_sub against both ends. */
static void test_sub_two_ends(void **state)
{
    (void)state;
    uint8_t *buf = unit_dup(bytes8, 4);
    struct td_cur c, child;
    uint8_t b;

    c = td_cur_make_partial(buf, 4, 8);
    assert_true(td_cur_sub(&c, 4, &child)); /* up to the captured end: whole */
    assert_int_equal(td_cur_remaining(&child), 4);
    assert_int_equal(td_cur_declared(&child), 4);
    assert_int_equal(td_cur_declared(&c), 4);
    assert_true(td_cur_ok(&c));

    c = td_cur_make_partial(buf, 4, 8);
    assert_true(td_cur_skip(&c, 1));
    assert_false(td_cur_sub(&c, 6, &child)); /* 3 captured of 6, within the declared 7 */
    assert_int_equal(c.status, TD_CUR_TRUNCATED);
    assert_true(td_cur_ok(&child));
    assert_ptr_equal(td_cur_ptr(&child), buf + 1);
    assert_int_equal(td_cur_remaining(&child), 3);
    assert_int_equal(td_cur_declared(&child), 6);
    assert_true(td_cur_skip(&child, 3));
    assert_false(td_cur_u8(&child, &b));
    assert_int_equal(child.status, TD_CUR_TRUNCATED);

    c = td_cur_make_partial(buf, 4, 8);
    assert_false(td_cur_sub(&c, 9, &child)); /* past the declared end */
    assert_int_equal(c.status, TD_CUR_SHORT);
    assert_int_equal(child.status, TD_CUR_SHORT);
    assert_int_equal(td_cur_remaining(&child), 0);
    assert_dead(&c, TD_CUR_SHORT);
    free(buf);
}

/*
 * Vectors against both ends: 2-byte prefix, 10 bytes captured of a 20-byte
 * message.  Lengths are checked against the declared end before the cut is
 * looked at, so a cut never turns a lying length into mere truncation.
 */
static void test_vec_two_ends(void **state)
{
    (void)state;
    size_t total;
    uint8_t *p = make_vec(2, 0, 8, 0, &total); /* a prefix and 8 captured bytes */
    struct td_cur c, child;
    char why[96];

    /* fits the captured end exactly: whole */
    p[0] = 0x00, p[1] = 8;
    c = td_cur_make_partial(p, total, 20);
    assert_true(td_cur_vec(&c, 2, 0, 0xffff, 1, &child));
    assert_int_equal(td_cur_remaining(&child), 8);
    assert_int_equal(td_cur_declared(&child), 8);
    assert_int_equal(td_cur_remaining(&c), 0);
    assert_int_equal(td_cur_declared(&c), 10);
    assert_true(td_cur_ok(&c));

    /* captured end + 1, and the declared end exactly: a truncated child */
    size_t lens[] = {9, 18};
    for (size_t k = 0; k < UNIT_COUNT(lens); k++) {
        p[1] = (uint8_t)lens[k];
        c = td_cur_make_partial(p, total, 20);
        assert_false(td_cur_vec(&c, 2, 0, 0xffff, 1, &child));
        assert_int_equal(c.status, TD_CUR_TRUNCATED);
        assert_int_equal(c.want, lens[k]);
        assert_int_equal(c.have, 8);
        assert_true(td_cur_ok(&child));
        assert_ptr_equal(td_cur_ptr(&child), p + 2);
        assert_int_equal(td_cur_remaining(&child), 8);
        assert_int_equal(td_cur_declared(&child), lens[k]);
        assert_dead(&c, TD_CUR_TRUNCATED);
    }

    /* declared end + 1: a bad length, although the capture ended first */
    p[1] = 19;
    c = td_cur_make_partial(p, total, 20);
    assert_false(td_cur_vec(&c, 2, 0, 0xffff, 1, &child));
    assert_int_equal(c.status, TD_CUR_BAD_LENGTH);
    assert_int_equal(child.status, TD_CUR_BAD_LENGTH);
    assert_int_equal(td_cur_remaining(&child), 0);
    td_cur_describe(&c, why, sizeof why);
    assert_string_equal(why, "length 19 > remaining 18");

    /* out of range beyond the captured end: still out of range */
    p[1] = 12;
    c = td_cur_make_partial(p, total, 20);
    assert_false(td_cur_vec(&c, 2, 0, 10, 1, &child));
    assert_int_equal(c.status, TD_CUR_RANGE);

    /* the prefix itself: cut by the capture, or past the declared end */
    c = td_cur_make_partial(p, 1, 20);
    assert_false(td_cur_vec(&c, 2, 0, 0xffff, 1, &child));
    assert_int_equal(c.status, TD_CUR_TRUNCATED);
    assert_int_equal(child.status, TD_CUR_TRUNCATED);
    assert_int_equal(td_cur_remaining(&child), 0);
    c = td_cur_make_partial(p, 1, 1);
    assert_false(td_cur_vec(&c, 2, 0, 0xffff, 1, &child));
    assert_int_equal(c.status, TD_CUR_SHORT);
    free(p);
}

/*
 * Nested vectors in a truncated message: the outer vector is a truncated
 * child whose declared end is its own length, so an inner length that runs
 * past it is a bad length even where the bytes were not captured, and one
 * that fits it but not the capture is a truncated grandchild.
 *
 *   outer<10>: inner "ab" <2>, then inner2 with a length of 5 (fits) or 7
 *   (2 + 1 + 7 > 10); 8 bytes of the 12-byte message captured.
 */
static void test_vec_nested_two_ends(void **state)
{
    (void)state;
    const uint8_t wire[] = {0x00, 0x0a, 0x02, 'a', 'b', 0x05, 'c', 'd'};
    uint8_t *p = unit_dup(wire, sizeof wire);
    struct td_cur c, outer, inner, inner2;

    c = td_cur_make_partial(p, sizeof wire, 12);
    assert_false(td_cur_vec(&c, 2, 0, 0xffff, 1, &outer));
    assert_int_equal(c.status, TD_CUR_TRUNCATED);
    assert_int_equal(td_cur_remaining(&outer), 6);
    assert_int_equal(td_cur_declared(&outer), 10);
    assert_true(td_cur_vec(&outer, 1, 1, 255, 1, &inner));
    assert_memory_equal(td_cur_ptr(&inner), "ab", 2);
    assert_false(td_cur_vec(&outer, 1, 1, 255, 1, &inner2));
    assert_int_equal(outer.status, TD_CUR_TRUNCATED);
    assert_int_equal(td_cur_remaining(&inner2), 2);
    assert_int_equal(td_cur_declared(&inner2), 5);

    p[5] = 7;
    c = td_cur_make_partial(p, sizeof wire, 12);
    td_cur_vec(&c, 2, 0, 0xffff, 1, &outer);
    assert_true(td_cur_vec(&outer, 1, 1, 255, 1, &inner));
    assert_false(td_cur_vec(&outer, 1, 1, 255, 1, &inner2));
    assert_int_equal(outer.status, TD_CUR_BAD_LENGTH);
    assert_int_equal(outer.want, 7);
    assert_int_equal(outer.have, 6);
    free(p);
}

/*
 * Lists of 2-byte items (CipherSuite cipher_suites<2..2^16-2>) in a
 * truncated message: an odd length is a fault wherever the capture ended;
 * an even one cut after an odd number of bytes leaves a truncated child
 * whose last half item is the capture's loss.
 */
static void test_odd_lengths_truncated(void **state)
{
    (void)state;
    size_t total;
    uint8_t *p = make_vec(2, 5, 3, 0, &total); /* 3 of the bytes captured */
    struct td_cur c, child;
    uint16_t item;

    c = td_cur_make_partial(p, total, 40);
    assert_false(td_cur_vec(&c, 2, 2, 0xfffe, 2, &child));
    assert_int_equal(c.status, TD_CUR_ALIGNMENT);
    assert_int_equal(c.want, 5);
    assert_int_equal(td_cur_remaining(&child), 0);

    p[1] = 1; /* odd and below the floor: the range is reported */
    c = td_cur_make_partial(p, total, 40);
    assert_false(td_cur_vec(&c, 2, 2, 0xfffe, 2, &child));
    assert_int_equal(c.status, TD_CUR_RANGE);

    p[1] = 41; /* odd and past the declared end: the length is reported */
    c = td_cur_make_partial(p, total, 40);
    assert_false(td_cur_vec(&c, 2, 2, 0xfffe, 2, &child));
    assert_int_equal(c.status, TD_CUR_BAD_LENGTH);

    p[1] = 6;
    c = td_cur_make_partial(p, total, 40);
    assert_false(td_cur_vec(&c, 2, 2, 0xfffe, 2, &child));
    assert_int_equal(c.status, TD_CUR_TRUNCATED);
    assert_int_equal(td_cur_remaining(&child), 3);
    assert_int_equal(td_cur_declared(&child), 6);
    assert_true(td_cur_u16(&child, &item));
    assert_int_equal(item, 0x5a5a);
    assert_false(td_cur_u16(&child, &item));
    assert_int_equal(child.status, TD_CUR_TRUNCATED);
    free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_make),
        cmocka_unit_test(test_integers_ok),
        cmocka_unit_test(test_integers_fail),
        cmocka_unit_test(test_skip_copy_edges),
        cmocka_unit_test(test_sticky_first_failure),
        cmocka_unit_test(test_sub),
        cmocka_unit_test(test_vec_exact_and_trailer),
        cmocka_unit_test(test_vec_bad_length),
        cmocka_unit_test(test_vec_huge_length),
        cmocka_unit_test(test_vec_range),
        cmocka_unit_test(test_vec_alignment),
        cmocka_unit_test(test_vec_nested),
        cmocka_unit_test(test_describe),
        cmocka_unit_test(test_two_ends_reads),
        cmocka_unit_test(test_sub_two_ends),
        cmocka_unit_test(test_vec_two_ends),
        cmocka_unit_test(test_vec_nested_two_ends),
        cmocka_unit_test(test_odd_lengths_truncated),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
