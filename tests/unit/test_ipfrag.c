/*
 * test_ipfrag.c — IP fragment reassembly (ipfrag.h; RFC 791 §3.2, RFC 8200
 * §4.5): order, overlaps, malformed fragments, age and size caps, IPv6.
 */
#include "unit.h"

#include "tlsdissect/ip.h"
#include "tlsdissect/ipfrag.h"

#define SEC 1000000LL

static const uint8_t SRC4[16] = {10, 0, 0, 1};
static const uint8_t DST4[16] = {10, 0, 0, 2};
static const uint8_t SRC6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
static const uint8_t DST6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};

struct fixture {
    struct td_ipfrag *t;
    struct td_frag_notes notes;
    struct td_ip whole;
    uint8_t data[70000]; /* the datagram payload */
};

static struct td_ipfrag_limits default_limits(void)
{
    return (struct td_ipfrag_limits){64, 1u << 20, 30 * SEC};
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    if (f == NULL)
        return -1;
    struct td_ipfrag_limits l = default_limits();
    f->t = td_ipfrag_new(&l, &unit_hash_key);
    for (size_t i = 0; i < sizeof f->data; i++)
        f->data[i] = (uint8_t)(i * 13 + i / 256);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    td_ipfrag_free(f->t);
    free(f);
    return 0;
}

static void renew(struct fixture *f, struct td_ipfrag_limits l)
{
    td_ipfrag_free(f->t);
    f->t = td_ipfrag_new(&l, &unit_hash_key);
    assert_non_null(f->t);
}

/* A fragment as td_ip_decode would describe it. */
static struct td_ip frag(int family, uint32_t id, const uint8_t *payload, uint32_t off, size_t len,
                         bool mf)
{
    struct td_ip ip;
    memset(&ip, 0, sizeof ip);
    ip.family = family;
    memcpy(ip.src, family == 4 ? SRC4 : SRC6, 16);
    memcpy(ip.dst, family == 4 ? DST4 : DST6, 16);
    ip.proto = 6;
    ip.payload = payload;
    ip.payload_len = len;
    ip.payload_caplen = len;
    ip.is_fragment = true;
    ip.more_fragments = mf;
    ip.frag_id = id;
    ip.frag_offset = off;
    return ip;
}

/* Push bytes [off, off+len) of f->data (through an exact-size copy). */
static enum td_frag_result push_at(struct fixture *f, int family, uint32_t id, uint32_t off,
                                   size_t len, bool mf, uint32_t scope, td_time_us now)
{
    uint8_t *copy = unit_dup(f->data + off, len);
    struct td_ip ip = frag(family, id, copy, off, len, mf);
    enum td_frag_result r = td_ipfrag_push(f->t, &ip, scope, now, &f->whole, &f->notes);
    free(copy);
    return r;
}

static enum td_frag_result push(struct fixture *f, uint32_t off, size_t len, bool mf)
{
    return push_at(f, 4, 77, off, len, mf, 0, 0);
}

static void assert_whole(const struct fixture *f, int family, size_t len)
{
    assert_int_equal(f->whole.family, family);
    assert_false(f->whole.is_fragment);
    assert_false(f->whole.more_fragments);
    assert_int_equal(f->whole.frag_offset, 0);
    assert_int_equal(f->whole.payload_len, len);
    assert_int_equal(f->whole.payload_caplen, len);
    assert_int_equal(f->whole.proto, 6);
    assert_memory_equal(f->whole.src, family == 4 ? SRC4 : SRC6, 16);
    assert_memory_equal(f->whole.dst, family == 4 ? DST4 : DST6, 16);
    assert_memory_equal(f->whole.payload, f->data, len);
}

static void assert_quiet(const struct fixture *f)
{
    assert_int_equal(f->notes.overlap_conflicts, 0);
    assert_int_equal(f->notes.expired, 0);
    assert_int_equal(f->notes.evicted, 0);
    assert_int_equal(f->notes.malformed, 0);
    assert_int_equal(f->notes.truncated, 0);
}

static void test_in_order(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(push(f, 0, 32, true), TD_FRAG_PENDING);
    assert_int_equal(td_ipfrag_pending(f->t), 1);
    assert_int_equal(push(f, 32, 32, true), TD_FRAG_PENDING);
    assert_int_equal(push(f, 64, 36, false), TD_FRAG_COMPLETE);
    assert_whole(f, 4, 100);
    assert_int_equal(td_ipfrag_pending(f->t), 0);
    assert_quiet(f);
}

static void test_reverse_order(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(push(f, 64, 36, false), TD_FRAG_PENDING);
    assert_int_equal(push(f, 32, 32, true), TD_FRAG_PENDING);
    assert_int_equal(push(f, 0, 32, true), TD_FRAG_COMPLETE);
    assert_whole(f, 4, 100);
    assert_quiet(f);
}

/* Two fragments: the result stays valid until the next call. */
static void test_large_datagram(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(push(f, 0, 40000, true), TD_FRAG_PENDING);
    assert_int_equal(push(f, 40000, 25535, false), TD_FRAG_COMPLETE); /* 65535 bytes */
    assert_whole(f, 4, 65535);
}

static void test_overlap_identical(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(push(f, 0, 48, true), TD_FRAG_PENDING);
    assert_int_equal(push(f, 32, 48, true), TD_FRAG_PENDING);
    assert_int_equal(push(f, 32, 48, true), TD_FRAG_PENDING); /* exact duplicate */
    assert_int_equal(push(f, 72, 28, false), TD_FRAG_COMPLETE);
    assert_whole(f, 4, 100);
    assert_quiet(f);
}

/* A fragment inside a hole, touching neighbours on both sides. */
static void test_fill_between(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(push(f, 0, 16, true), TD_FRAG_PENDING);
    assert_int_equal(push(f, 48, 52, false), TD_FRAG_PENDING);
    assert_int_equal(push(f, 16, 32, true), TD_FRAG_COMPLETE);
    assert_whole(f, 4, 100);
}

/* Overlapping bytes that differ: the first copy is kept and counted. */
static void test_overlap_conflict(void **state)
{
    struct fixture *f = *state;
    uint8_t other[48];
    assert_int_equal(push(f, 0, 48, true), TD_FRAG_PENDING);
    memcpy(other, f->data + 32, 48);
    memset(other, 0xee, 16); /* bytes 32..48 differ */
    struct td_ip ip = frag(4, 77, other, 32, 48, true);
    assert_int_equal(td_ipfrag_push(f->t, &ip, 0, 0, &f->whole, &f->notes), TD_FRAG_PENDING);
    assert_int_equal(f->notes.overlap_conflicts, 1);
    assert_int_equal(push(f, 80, 20, false), TD_FRAG_COMPLETE);
    assert_whole(f, 4, 100);
}

static void test_past_65535(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(push(f, 0, 8, true), TD_FRAG_PENDING);
    assert_int_equal(push(f, 65528, 16, false), TD_FRAG_DROPPED); /* ends at 65544 */
    assert_int_equal(f->notes.malformed, 1);
    /* a fragment ending exactly at 65535 is fine */
    assert_int_equal(push(f, 65528, 7, false), TD_FRAG_PENDING);
    assert_int_equal(f->notes.malformed, 1);
    /* a payload longer than any datagram */
    uint8_t *big = calloc(1, 65536);
    assert_non_null(big);
    struct td_ip ip = frag(4, 5, big, 0, 65536, false);
    assert_int_equal(td_ipfrag_push(f->t, &ip, 0, 0, &f->whole, &f->notes), TD_FRAG_DROPPED);
    assert_int_equal(f->notes.malformed, 2);
    free(big);
}

/* More fragments follow, yet the length is not a multiple of 8. */
static void test_unaligned_middle(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(push(f, 0, 30, true), TD_FRAG_DROPPED);
    assert_int_equal(f->notes.malformed, 1);
    assert_int_equal(td_ipfrag_pending(f->t), 0);
}

static void test_inconsistent_last(void **state)
{
    struct fixture *f = *state;
    /* two last fragments that disagree on the end */
    assert_int_equal(push(f, 0, 32, true), TD_FRAG_PENDING);
    assert_int_equal(push(f, 64, 36, false), TD_FRAG_PENDING);
    assert_int_equal(push(f, 64, 56, false), TD_FRAG_DROPPED);
    assert_int_equal(f->notes.malformed, 1);
    assert_int_equal(td_ipfrag_pending(f->t), 0); /* the datagram is dropped */

    /* a fragment past the known end */
    assert_int_equal(push(f, 64, 36, false), TD_FRAG_PENDING);
    assert_int_equal(push(f, 96, 16, true), TD_FRAG_DROPPED);
    assert_int_equal(f->notes.malformed, 2);

    /* a last fragment ending before bytes already held */
    assert_int_equal(push(f, 64, 32, true), TD_FRAG_PENDING);
    assert_int_equal(push(f, 0, 32, false), TD_FRAG_DROPPED);
    assert_int_equal(f->notes.malformed, 3);
    assert_int_equal(td_ipfrag_pending(f->t), 0);
}

static void test_truncated_fragment(void **state)
{
    struct fixture *f = *state;
    struct td_ip ip = frag(4, 9, f->data, 0, 64, true);
    ip.payload_caplen = 40;
    assert_int_equal(td_ipfrag_push(f->t, &ip, 0, 0, &f->whole, &f->notes), TD_FRAG_DROPPED);
    assert_int_equal(f->notes.truncated, 1);
    assert_int_equal(td_ipfrag_pending(f->t), 0);
}

static void test_timeout(void **state)
{
    struct fixture *f = *state;
    struct td_ipfrag_limits l = default_limits();
    l.timeout_us = 1 * SEC;
    renew(f, l);

    assert_int_equal(push_at(f, 4, 1, 0, 32, true, 0, 0), TD_FRAG_PENDING);
    /* exactly the timeout: still there */
    assert_int_equal(push_at(f, 4, 2, 0, 32, true, 0, 1 * SEC), TD_FRAG_PENDING);
    assert_int_equal(f->notes.expired, 0);
    assert_int_equal(td_ipfrag_pending(f->t), 2);
    /* past it: datagram 1 goes, and its last fragment alone does not complete it */
    assert_int_equal(push_at(f, 4, 1, 32, 10, false, 0, 1 * SEC + 1), TD_FRAG_PENDING);
    assert_int_equal(f->notes.expired, 1);
    assert_int_equal(td_ipfrag_pending(f->t), 2);
    td_ipfrag_expire(f->t, 10 * SEC, &f->notes);
    assert_int_equal(f->notes.expired, 3);
    assert_int_equal(td_ipfrag_pending(f->t), 0);
}

static void test_max_datagrams(void **state)
{
    struct fixture *f = *state;
    struct td_ipfrag_limits l = default_limits();
    l.max_datagrams = 2;
    renew(f, l);

    assert_int_equal(push_at(f, 4, 1, 0, 32, true, 0, 0), TD_FRAG_PENDING);
    assert_int_equal(push_at(f, 4, 2, 0, 32, true, 0, 1), TD_FRAG_PENDING);
    assert_int_equal(push_at(f, 4, 3, 0, 32, true, 0, 2), TD_FRAG_PENDING);
    assert_int_equal(f->notes.evicted, 1);
    assert_int_equal(td_ipfrag_pending(f->t), 2);
    /* 1 was the oldest and is gone */
    assert_int_equal(push_at(f, 4, 1, 32, 8, false, 0, 3), TD_FRAG_PENDING);
    assert_int_equal(f->notes.evicted, 2); /* and 2 made room for it */
    assert_int_equal(push_at(f, 4, 3, 32, 8, false, 0, 4), TD_FRAG_COMPLETE);
    assert_whole(f, 4, 40);
    assert_int_equal(td_ipfrag_pending(f->t), 1);
}

static void test_max_bytes(void **state)
{
    struct fixture *f = *state;
    struct td_ipfrag_limits l = default_limits();
    l.max_bytes = 8192;
    renew(f, l);

    assert_int_equal(push_at(f, 4, 1, 0, 4000, true, 0, 0), TD_FRAG_PENDING);
    assert_int_equal(push_at(f, 4, 2, 0, 4000, true, 0, 1), TD_FRAG_PENDING);
    assert_int_equal(f->notes.evicted, 0);
    assert_int_equal(push_at(f, 4, 3, 0, 4000, true, 0, 2), TD_FRAG_PENDING);
    assert_true(f->notes.evicted >= 1);
    assert_true(td_ipfrag_pending(f->t) <= 2);
    assert_int_equal(push_at(f, 4, 3, 4000, 100, false, 0, 3), TD_FRAG_COMPLETE);
    assert_whole(f, 4, 4100);
    /* a datagram bigger than the cap can never be held */
    assert_int_equal(push_at(f, 4, 4, 0, 8000, true, 0, 4), TD_FRAG_PENDING);
    assert_int_equal(push_at(f, 4, 4, 8000, 8000, false, 0, 5), TD_FRAG_DROPPED);
}

/* The same addresses and id on another VLAN (scope) are another datagram. */
static void test_scope_and_id(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(push_at(f, 4, 1, 0, 32, true, 100, 0), TD_FRAG_PENDING);
    assert_int_equal(push_at(f, 4, 1, 32, 8, false, 200, 0), TD_FRAG_PENDING);
    assert_int_equal(push_at(f, 4, 2, 32, 8, false, 100, 0), TD_FRAG_PENDING);
    assert_int_equal(td_ipfrag_pending(f->t), 3);
    assert_int_equal(push_at(f, 4, 1, 32, 8, false, 100, 0), TD_FRAG_COMPLETE);
    assert_whole(f, 4, 40);
    /* the other protocol family with the same id is apart too */
    assert_int_equal(push_at(f, 6, 2, 0, 32, true, 100, 0), TD_FRAG_PENDING);
    assert_int_equal(td_ipfrag_pending(f->t), 3);
}

/* ---- raw packets through td_ip_decode ----------------------------------- */

static size_t ipv4_packet(uint8_t *out, uint16_t id, uint32_t off, bool mf, const uint8_t *payload,
                          size_t len)
{
    uint16_t total = (uint16_t)(20 + len), frag_field = (uint16_t)((mf ? 0x2000 : 0) | off / 8);
    const uint8_t hdr[20] = {0x45, 0, (uint8_t)(total >> 8), (uint8_t)total,
                             (uint8_t)(id >> 8), (uint8_t)id, (uint8_t)(frag_field >> 8),
                             (uint8_t)frag_field, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2};
    memcpy(out, hdr, 20);
    memcpy(out + 20, payload, len);
    return 20 + len;
}

static void test_ipv4_raw(void **state)
{
    struct fixture *f = *state;
    uint8_t pkt[1600];
    struct td_ip ip;
    const uint32_t offs[] = {1200, 0, 400, 800};
    const size_t lens[] = {100, 400, 400, 400};

    for (size_t i = 0; i < UNIT_COUNT(offs); i++) {
        bool mf = offs[i] != 1200;
        size_t n = ipv4_packet(pkt, 0xbeef, offs[i], mf, f->data + offs[i], lens[i]);
        uint8_t *copy = unit_dup(pkt, n);
        assert_int_equal(td_ip_decode(4, copy, n, &ip), TD_IP_OK);
        assert_true(ip.is_fragment);
        assert_int_equal(ip.more_fragments, mf);
        assert_int_equal(ip.frag_offset, offs[i]);
        assert_int_equal(ip.frag_id, 0xbeef);
        assert_int_equal(ip.payload_len, lens[i]);
        enum td_frag_result r = td_ipfrag_push(f->t, &ip, 0, 0, &f->whole, &f->notes);
        free(copy);
        assert_int_equal(r, i == UNIT_COUNT(offs) - 1 ? TD_FRAG_COMPLETE : TD_FRAG_PENDING);
    }
    assert_whole(f, 4, 1300);
    assert_quiet(f);
}

/*
 * IPv6: a Fragment header, and in the fragmentable part a Destination
 * Options header before TCP, visible only after reassembly.
 */
static size_t ipv6_packet(uint8_t *out, uint32_t id, uint32_t off, bool mf, const uint8_t *payload,
                          size_t len)
{
    uint16_t plen = (uint16_t)(8 + len), offflags = (uint16_t)(off | (mf ? 1 : 0));
    uint8_t *p = out;
    *p++ = 0x60; *p++ = 0; *p++ = 0; *p++ = 0;
    *p++ = (uint8_t)(plen >> 8); *p++ = (uint8_t)plen;
    *p++ = 44; /* Fragment */
    *p++ = 64;
    memcpy(p, SRC6, 16); p += 16;
    memcpy(p, DST6, 16); p += 16;
    *p++ = 60; /* next: Destination Options */
    *p++ = 0;
    *p++ = (uint8_t)(offflags >> 8); *p++ = (uint8_t)offflags;
    *p++ = (uint8_t)(id >> 24); *p++ = (uint8_t)(id >> 16); *p++ = (uint8_t)(id >> 8); *p++ = (uint8_t)id;
    memcpy(p, payload, len);
    return 48 + len;
}

static void test_ipv6_raw(void **state)
{
    struct fixture *f = *state;
    uint8_t whole[1008], pkt[1600];
    struct td_ip ip;
    /* Destination Options: next TCP, length 0 (8 bytes), PadN of 4 */
    const uint8_t dstopt[8] = {6, 0, 1, 4, 0, 0, 0, 0};
    memcpy(whole, dstopt, 8);
    memcpy(whole + 8, f->data, 1000);
    const uint32_t offs[] = {504, 0};
    const size_t lens[] = {504, 504};

    for (size_t i = 0; i < 2; i++) {
        size_t n = ipv6_packet(pkt, 0x01020304, offs[i], offs[i] == 0, whole + offs[i], lens[i]);
        uint8_t *copy = unit_dup(pkt, n);
        assert_int_equal(td_ip_decode(6, copy, n, &ip), TD_IP_OK);
        assert_int_equal(ip.family, 6);
        assert_true(ip.is_fragment);
        assert_int_equal(ip.more_fragments, offs[i] == 0);
        assert_int_equal(ip.frag_offset, offs[i]);
        assert_int_equal(ip.frag_id, 0x01020304);
        assert_int_equal(ip.proto, 60);
        assert_int_equal(ip.payload_len, lens[i]);
        enum td_frag_result r = td_ipfrag_push(f->t, &ip, 0, 0, &f->whole, &f->notes);
        free(copy);
        assert_int_equal(r, i == 1 ? TD_FRAG_COMPLETE : TD_FRAG_PENDING);
    }
    /* the extension header after the Fragment header has been walked */
    assert_whole(f, 6, 1000);
    assert_quiet(f);
}

static void test_ipv6_fragments(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(push_at(f, 6, 0x11223344, 1000, 500, false, 0, 0), TD_FRAG_PENDING);
    assert_int_equal(push_at(f, 6, 0x11223344, 0, 504, true, 0, 0), TD_FRAG_PENDING);
    assert_int_equal(push_at(f, 6, 0x11223344, 496, 504, true, 0, 0), TD_FRAG_COMPLETE);
    assert_whole(f, 6, 1500);
    assert_quiet(f);
}

/* Random fragmentation, order and duplicates: one completion, the right bytes. */
static void test_random(void **state)
{
    struct fixture *f = *state;
    uint64_t seed = 0xf4a6;
    struct piece {
        uint32_t off, len;
        bool mf;
    } pieces[1400];

    for (unsigned round = 0; round < 200; round++) {
        size_t total = 1 + unit_below(&seed, 5000), np = 0;
        int family = round % 2 ? 6 : 4;
        for (uint32_t off = 0; off < total;) {
            uint32_t len = 8 * (uint32_t)(1 + unit_below(&seed, 100));
            if (off + len >= total)
                len = (uint32_t)(total - off);
            bool mf = off + len < total;
            pieces[np++] = (struct piece){off, len, mf};
            if (unit_below(&seed, 5) == 0 && np < UNIT_COUNT(pieces))
                pieces[np++] = (struct piece){off, len, mf};
            off += len;
        }
        for (size_t i = np; i > 1; i--) {
            size_t j = unit_below(&seed, i);
            struct piece t = pieces[i - 1];
            pieces[i - 1] = pieces[j];
            pieces[j] = t;
        }
        unsigned completions = 0;
        for (size_t i = 0; i < np; i++) {
            enum td_frag_result r =
                push_at(f, family, round, pieces[i].off, pieces[i].len, pieces[i].mf, 0, round);
            if (r == TD_FRAG_COMPLETE) {
                completions++;
                assert_whole(f, family, total);
            } else {
                assert_int_equal(r, TD_FRAG_PENDING);
            }
        }
        /* a duplicate after completion starts a new datagram: count pending ones away */
        assert_true(completions >= 1);
        td_ipfrag_expire(f->t, round + 31 * SEC, &f->notes);
        assert_int_equal(td_ipfrag_pending(f->t), 0);
        memset(&f->notes, 0, sizeof f->notes);
    }
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_in_order),
        T(test_reverse_order),
        T(test_large_datagram),
        T(test_overlap_identical),
        T(test_fill_between),
        T(test_overlap_conflict),
        T(test_past_65535),
        T(test_unaligned_middle),
        T(test_inconsistent_last),
        T(test_truncated_fragment),
        T(test_timeout),
        T(test_max_datagrams),
        T(test_max_bytes),
        T(test_scope_and_id),
        T(test_ipv4_raw),
        T(test_ipv6_raw),
        T(test_ipv6_fragments),
        T(test_random),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
