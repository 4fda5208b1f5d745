/*
 * test_flow.c — the connection table (flow.h): canonical 5-tuple + VLAN
 * keys (RFC 9293 §3.3.2 connection identification), sides and age lists.
 */
#include "unit.h"

#include "tlsdissect/flow.h"

static const uint8_t A4[16] = {192, 0, 2, 10};
static const uint8_t B4[16] = {198, 51, 100, 7};
static const uint8_t A6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 0x10};
static const uint8_t B6[16] = {0x20, 0x01, 0x0d, 0xb8, [14] = 0x01, [15] = 0x01};

static int setup(void **state)
{
    struct td_flow_table *t = td_flow_table_new(&unit_hash_key);
    if (t == NULL)
        return -1;
    *state = t;
    return 0;
}

static int teardown(void **state)
{
    td_flow_table_free(*state);
    return 0;
}

static const uint16_t NO_VLAN[TD_MAX_VLAN] = {0};

static void test_key_both_directions(void **state)
{
    (void)state;
    struct td_flow_key k1, k2;
    uint8_t i1, i2;
    td_flow_key_make(4, A4, 51000, B4, 443, NO_VLAN, 0, &k1, &i1);
    td_flow_key_make(4, B4, 443, A4, 51000, NO_VLAN, 0, &k2, &i2);
    assert_memory_equal(&k1, &k2, sizeof k1);
    assert_int_not_equal(i1, i2);
    /* the lower endpoint comes first */
    assert_int_equal(i1, 0);
    assert_memory_equal(k1.addr[0], A4, 16);
    assert_int_equal(k1.port[0], 51000);
    assert_memory_equal(k1.addr[1], B4, 16);
    assert_int_equal(k1.port[1], 443);
    assert_int_equal(k1.family, 4);
    assert_int_equal(k1.nvlan, 0);
    assert_int_equal(k1.pad[0], 0);
    assert_int_equal(k1.pad[1], 0);

    /* IPv6 */
    td_flow_key_make(6, B6, 443, A6, 40000, NO_VLAN, 0, &k1, &i1);
    td_flow_key_make(6, A6, 40000, B6, 443, NO_VLAN, 0, &k2, &i2);
    assert_memory_equal(&k1, &k2, sizeof k1);
    assert_int_equal(i1, 1);
    assert_int_equal(i2, 0);
}

/* Same address on both ends (loopback): the ports decide the order. */
static void test_key_same_address(void **state)
{
    (void)state;
    struct td_flow_key k1, k2;
    uint8_t i1, i2;
    td_flow_key_make(4, A4, 8443, A4, 1234, NO_VLAN, 0, &k1, &i1);
    td_flow_key_make(4, A4, 1234, A4, 8443, NO_VLAN, 0, &k2, &i2);
    assert_memory_equal(&k1, &k2, sizeof k1);
    assert_int_equal(k1.port[0], 1234);
    assert_int_equal(i1, 1);
    assert_int_equal(i2, 0);
}

static void test_key_differences(void **state)
{
    (void)state;
    struct td_flow_key base, k;
    uint8_t i;
    const uint16_t v100[TD_MAX_VLAN] = {100}, v200[TD_MAX_VLAN] = {200};
    const uint16_t v100_5[TD_MAX_VLAN] = {100, 5}, v5_100[TD_MAX_VLAN] = {5, 100};
    td_flow_key_make(4, A4, 51000, B4, 443, NO_VLAN, 0, &base, &i);

    td_flow_key_make(4, A4, 51000, B4, 443, v100, 1, &k, &i);
    assert_true(memcmp(&k, &base, sizeof k) != 0);
    struct td_flow_key k100 = k;
    td_flow_key_make(4, A4, 51000, B4, 443, v200, 1, &k, &i);
    assert_true(memcmp(&k, &k100, sizeof k) != 0);
    td_flow_key_make(4, A4, 51000, B4, 443, v100_5, 2, &k, &i);
    struct td_flow_key kq = k;
    assert_true(memcmp(&k, &k100, sizeof k) != 0);
    td_flow_key_make(4, A4, 51000, B4, 443, v5_100, 2, &k, &i);
    assert_true(memcmp(&k, &kq, sizeof k) != 0); /* VLAN order matters (outer first) */
    td_flow_key_make(4, A4, 51001, B4, 443, NO_VLAN, 0, &k, &i);
    assert_true(memcmp(&k, &base, sizeof k) != 0);
    /* same 16 address bytes, other family */
    td_flow_key_make(6, A4, 51000, B4, 443, NO_VLAN, 0, &k, &i);
    assert_true(memcmp(&k, &base, sizeof k) != 0);
}

static struct td_flow *add(struct td_flow_table *t, const uint8_t *src, uint16_t sport,
                           const uint8_t *dst, uint16_t dport, td_time_us now)
{
    struct td_flow_key k;
    uint8_t si;
    td_flow_key_make(4, src, sport, dst, dport, NO_VLAN, 0, &k, &si);
    assert_null(td_flow_find(t, &k));
    struct td_flow *f = td_flow_add(t, &k, si, now);
    assert_non_null(f);
    return f;
}

/* Find from a packet of either direction; which side sent it. */
static struct td_flow *lookup(struct td_flow_table *t, int family, const uint8_t *src,
                              uint16_t sport, const uint8_t *dst, uint16_t dport,
                              const uint16_t *vlan, uint8_t nvlan, int *side)
{
    struct td_flow_key k;
    uint8_t si;
    td_flow_key_make(family, src, sport, dst, dport, vlan, nvlan, &k, &si);
    struct td_flow *f = td_flow_find(t, &k);
    if (f && side)
        *side = td_flow_side(f, si);
    return f;
}

static void test_find_and_sides(void **state)
{
    struct td_flow_table *t = *state;
    int side = -1;

    /* the first packet comes from the higher endpoint (server B4:443 first) */
    struct td_flow *f = add(t, B4, 443, A4, 51000, 10);
    assert_int_equal(f->side0, 1);
    assert_int_equal(f->last_ts, 10);
    assert_ptr_equal(lookup(t, 4, B4, 443, A4, 51000, NO_VLAN, 0, &side), f);
    assert_int_equal(side, 0);
    assert_ptr_equal(lookup(t, 4, A4, 51000, B4, 443, NO_VLAN, 0, &side), f);
    assert_int_equal(side, 1);

    /* and from the lower one */
    struct td_flow *g = add(t, A4, 51001, B4, 443, 11);
    assert_int_equal(g->side0, 0);
    assert_ptr_equal(lookup(t, 4, A4, 51001, B4, 443, NO_VLAN, 0, &side), g);
    assert_int_equal(side, 0);
    assert_ptr_equal(lookup(t, 4, B4, 443, A4, 51001, NO_VLAN, 0, &side), g);
    assert_int_equal(side, 1);
    assert_int_equal(td_flow_count(t), 2);

    /* unknown tuples are not found */
    assert_null(lookup(t, 4, A4, 51002, B4, 443, NO_VLAN, 0, NULL));
    assert_null(lookup(t, 6, A4, 51000, B4, 443, NO_VLAN, 0, NULL));
}

static void test_vlan_separates(void **state)
{
    struct td_flow_table *t = *state;
    const uint16_t v10[TD_MAX_VLAN] = {10}, v20[TD_MAX_VLAN] = {20};
    struct td_flow_key k;
    uint8_t si;
    int side = -1;

    td_flow_key_make(4, A4, 1000, B4, 443, v10, 1, &k, &si);
    struct td_flow *f10 = td_flow_add(t, &k, si, 0);
    td_flow_key_make(4, B4, 443, A4, 1000, v20, 1, &k, &si);
    assert_null(td_flow_find(t, &k));
    struct td_flow *f20 = td_flow_add(t, &k, si, 0);
    assert_ptr_not_equal(f10, f20);
    assert_null(lookup(t, 4, A4, 1000, B4, 443, NO_VLAN, 0, NULL));
    assert_ptr_equal(lookup(t, 4, B4, 443, A4, 1000, v10, 1, &side), f10);
    assert_int_equal(side, 1);
    assert_ptr_equal(lookup(t, 4, A4, 1000, B4, 443, v20, 1, &side), f20);
    assert_int_equal(side, 1);
}

static void test_age_lists(void **state)
{
    struct td_flow_table *t = *state;
    struct td_flow *f1 = add(t, A4, 1, B4, 443, 100);
    struct td_flow *f2 = add(t, A4, 2, B4, 443, 200);
    struct td_flow *f3 = add(t, A4, 3, B4, 443, 300);

    assert_ptr_equal(td_flow_oldest(t, TD_FLOW_ACTIVE), f1);
    assert_null(td_flow_oldest(t, TD_FLOW_CLOSED));
    assert_int_equal(f1->list, TD_FLOW_ACTIVE);

    /* touch moves to the young end */
    td_flow_touch(t, f1, TD_FLOW_ACTIVE, 400);
    assert_ptr_equal(td_flow_oldest(t, TD_FLOW_ACTIVE), f2);
    assert_int_equal(f1->last_ts, 400);
    /* touching the youngest again changes nothing; time never goes back */
    td_flow_touch(t, f1, TD_FLOW_ACTIVE, 350);
    assert_int_equal(f1->last_ts, 400);
    assert_ptr_equal(td_flow_oldest(t, TD_FLOW_ACTIVE), f2);

    /* to the closed list */
    td_flow_touch(t, f2, TD_FLOW_CLOSED, 500);
    assert_int_equal(f2->list, TD_FLOW_CLOSED);
    assert_ptr_equal(td_flow_oldest(t, TD_FLOW_ACTIVE), f3);
    assert_ptr_equal(td_flow_oldest(t, TD_FLOW_CLOSED), f2);
    td_flow_touch(t, f3, TD_FLOW_CLOSED, 600);
    assert_ptr_equal(td_flow_oldest(t, TD_FLOW_ACTIVE), f1);
    assert_ptr_equal(td_flow_oldest(t, TD_FLOW_CLOSED), f2);
    td_flow_touch(t, f2, TD_FLOW_CLOSED, 700);
    assert_ptr_equal(td_flow_oldest(t, TD_FLOW_CLOSED), f3);

    /* remove from the middle and the ends */
    struct td_flow *f4 = add(t, A4, 4, B4, 443, 800);
    td_flow_remove(t, f1);
    assert_ptr_equal(td_flow_oldest(t, TD_FLOW_ACTIVE), f4);
    assert_null(lookup(t, 4, A4, 1, B4, 443, NO_VLAN, 0, NULL));
    assert_ptr_equal(lookup(t, 4, A4, 2, B4, 443, NO_VLAN, 0, NULL), f2);
    td_flow_remove(t, f3);
    assert_ptr_equal(td_flow_oldest(t, TD_FLOW_CLOSED), f2);
    td_flow_remove(t, f2);
    assert_null(td_flow_oldest(t, TD_FLOW_CLOSED));
    td_flow_remove(t, f4);
    assert_null(td_flow_oldest(t, TD_FLOW_ACTIVE));
    assert_int_equal(td_flow_count(t), 0);
}

/* Many flows: the table grows and every flow stays findable; expiry walks oldest first. */
static void test_many_flows(void **state)
{
    struct td_flow_table *t = *state;
    enum { N = 20000 };
    static struct td_flow *flows[N];
    uint8_t a[16] = {10}, b[16] = {172, 16};

    for (uint32_t i = 0; i < N; i++) {
        a[2] = (uint8_t)(i >> 8);
        a[3] = (uint8_t)i;
        flows[i] = add(t, a, (uint16_t)(1024 + i % 7), b, 443, i);
    }
    assert_int_equal(td_flow_count(t), N);
    for (uint32_t i = 0; i < N; i++) {
        int side = -1;
        a[2] = (uint8_t)(i >> 8);
        a[3] = (uint8_t)i;
        assert_ptr_equal(lookup(t, 4, b, 443, a, (uint16_t)(1024 + i % 7), NO_VLAN, 0, &side),
                         flows[i]);
        assert_int_equal(side, 1);
    }
    /* touch the even ones: the odd ones are now the oldest, in order */
    for (uint32_t i = 0; i < N; i += 2)
        td_flow_touch(t, flows[i], TD_FLOW_ACTIVE, N + i);
    for (uint32_t i = 1; i < N; i += 2) {
        assert_ptr_equal(td_flow_oldest(t, TD_FLOW_ACTIVE), flows[i]);
        td_flow_remove(t, flows[i]);
    }
    for (uint32_t i = 0; i < N; i += 2) {
        assert_ptr_equal(td_flow_oldest(t, TD_FLOW_ACTIVE), flows[i]);
        td_flow_remove(t, flows[i]);
    }
    assert_int_equal(td_flow_count(t), 0);
}

/*
 * The connection hash before it was keyed (up to commit 7c89594): the key's
 * six 8-byte words mixed in turn by an invertible step.  Kept here to craft
 * keys that all collide under it, as a hash-flooding sender would.
 */
#define OLD_MUL 0x9e3779b97f4a7c15ull

static uint64_t old_mix(uint64_t h, uint64_t v)
{
    h ^= v;
    h *= OLD_MUL;
    return h ^ (h >> 29);
}

/* The value x with old_mix(0, x) == out: undo the xorshift, then the odd multiplier. */
static uint64_t old_unmix(uint64_t out)
{
    uint64_t t = out ^ (out >> 29) ^ (out >> 58), inverse = OLD_MUL;
    for (int i = 0; i < 6; i++) /* Newton's iteration doubles the correct low bits */
        inverse *= 2 - OLD_MUL * inverse;
    return t * inverse;
}

static uint64_t old_hash_words(const uint64_t w[6], int nwords)
{
    uint64_t h = 0x51ed270b0b5d0f1bull;
    for (int i = 0; i < nwords; i++)
        h = old_mix(h, w[i]);
    return h;
}

static uint64_t old_hash(const struct td_flow_key *k)
{
    uint64_t w[6];
    memcpy(w, k, sizeof w);
    return old_hash_words(w, 6);
}

/*
 * IPv6 connection keys that share one old hash: the client address
 * 2001:...  varies in its bytes 2..9 (key word 2); bytes 2..9 of the server
 * address 2002:... (key word 4) are solved so that the state after word 4 is
 * always the same.  The lower address stays first, so the key is canonical.
 */
static void colliding_addresses(uint32_t i, uint8_t client[16], uint8_t server[16])
{
    static const uint8_t c0[16] = {0x20, 0x01, [15] = 0x01}, s0[16] = {0x20, 0x02, [15] = 0x02};
    struct td_flow_key k;
    uint8_t si;
    uint64_t w[6], target;

    memcpy(client, c0, 16);
    memcpy(server, s0, 16);
    td_flow_key_make(6, client, 40000, server, 443, NO_VLAN, 0, &k, &si);
    memcpy(w, &k, sizeof w);
    target = old_hash_words(w, 5); /* the state every key must reach after word 4 */
    client[2] = (uint8_t)(i >> 24);
    client[3] = (uint8_t)(i >> 16);
    client[4] = (uint8_t)(i >> 8);
    client[5] = (uint8_t)i;
    td_flow_key_make(6, client, 40000, server, 443, NO_VLAN, 0, &k, &si);
    memcpy(w, &k, sizeof w);
    w[4] = old_unmix(target) ^ old_hash_words(w, 4);
    memcpy(server + 2, &w[4], 8); /* word 4 is the server address's bytes 2..9 */
}

/*
 * Hash flooding: 20,000 connections whose keys all collide under the old
 * unkeyed hash (checked) spread over the buckets under the keyed one.
 */
static void test_colliding_keys_spread(void **state)
{
    struct td_flow_table *t = *state;
    enum { N = 20000 };
    uint8_t client[16], server[16];
    uint64_t first_old = 0;

    for (uint32_t i = 0; i < N; i++) {
        struct td_flow_key k;
        uint8_t si;
        colliding_addresses(i, client, server);
        td_flow_key_make(6, client, 40000, server, 443, NO_VLAN, 0, &k, &si);
        assert_int_equal(si, 0); /* still canonical: the client address is the lower */
        if (i == 0)
            first_old = old_hash(&k);
        assert_true(old_hash(&k) == first_old); /* a collision under the old hash */
        assert_null(td_flow_find(t, &k));
        assert_non_null(td_flow_add(t, &k, si, i));
    }
    assert_int_equal(td_flow_count(t), N);
    /* N flows in at least N buckets: a chain of 16 would be a 1-in-10^9 accident for SipHash */
    assert_in_range(td_flow_longest_chain(t), 1, 16);
    for (uint32_t i = 0; i < N; i += 997) {
        int side = -1;
        colliding_addresses(i, client, server);
        assert_non_null(lookup(t, 6, server, 443, client, 40000, NO_VLAN, 0, &side));
        assert_int_equal(side, 1);
    }
}

/* The hash is SipHash-2-4 (64-bit out): the reference vector of Aumasson and
 * Bernstein's paper, key 00..0f, message 00..0e; twice, so that restarting
 * the keyed context for each message gives the same answer. */
static void test_keyed_hash_is_siphash(void **state)
{
    (void)state;
    struct td_hash_key key;
    uint8_t msg[15];
    for (int i = 0; i < 16; i++)
        key.bytes[i] = (uint8_t)i;
    for (int i = 0; i < 15; i++)
        msg[i] = (uint8_t)i;
    struct td_keyed_hash *h = td_keyed_hash_new(&key);
    assert_non_null(h);
    for (int round = 0; round < 2; round++) {
        uint64_t v = td_keyed_hash(h, msg, sizeof msg);
        uint8_t out[8];
        memcpy(out, &v, sizeof out);
        const uint8_t expected[8] = {0xe5, 0x45, 0xbe, 0x49, 0x61, 0xca, 0x29, 0xa1};
        assert_memory_equal(out, expected, sizeof out);
        assert_int_not_equal(td_keyed_hash(h, msg, 14), v);
    }
    td_keyed_hash_free(h);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_key_both_directions),
        T(test_key_same_address),
        T(test_key_differences),
        T(test_find_and_sides),
        T(test_vlan_separates),
        T(test_age_lists),
        T(test_many_flows),
        T(test_colliding_keys_spread),
        cmocka_unit_test(test_keyed_hash_is_siphash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
