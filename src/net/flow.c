/*
 * flow.c — connection table: chained hash over canonical 5-tuple+VLAN keys
 * (RFC 9293 §3.3.2 connection identification), with two age lists
 * (active, closed) so that expiry and eviction take the oldest first in O(1).
 * The bucket array doubles as the table grows; nothing here is allocated
 * per packet.  Keys come from the wire, so buckets are chosen by a keyed
 * hash (SipHash, keyed_hash.h) whose key the sender cannot know: addresses
 * chosen to share a bucket would otherwise make every lookup a walk of the
 * whole table.
 */
#include "tlsdissect/flow.h"

#include <stdlib.h>
#include <string.h>

#include "tlsdissect/keyed_hash.h"

struct td_flow_table {
    struct td_flow **buckets;
    size_t nbuckets; /* a power of two */
    size_t count;
    struct td_flow *oldest[TD_FLOW_LISTS];
    struct td_flow *newest[TD_FLOW_LISTS];
    struct td_keyed_hash *hasher;
    /* the last key hashed: td_flow_add follows a td_flow_find of its key,
     * and packets come in bursts of one connection */
    bool memo_set;
    struct td_flow_key memo_key;
    uint64_t memo_hash;
};

#define TD_FLOW_INITIAL_BUCKETS 4096

struct td_flow_table *td_flow_table_new(const struct td_hash_key *key)
{
    struct td_flow_table *t = calloc(1, sizeof *t);
    if (t == NULL)
        return NULL;
    t->buckets = calloc(TD_FLOW_INITIAL_BUCKETS, sizeof *t->buckets);
    t->hasher = td_keyed_hash_new(key);
    if (t->buckets == NULL || t->hasher == NULL) {
        td_flow_table_free(t);
        return NULL;
    }
    t->nbuckets = TD_FLOW_INITIAL_BUCKETS;
    return t;
}

void td_flow_table_free(struct td_flow_table *t)
{
    if (t == NULL)
        return;
    for (size_t i = 0; t->buckets && i < t->nbuckets; i++) {
        struct td_flow *f = t->buckets[i];
        while (f) {
            struct td_flow *next = f->hnext;
            free(f);
            f = next;
        }
    }
    free(t->buckets);
    td_keyed_hash_free(t->hasher);
    free(t);
}

static int endpoint_cmp(const uint8_t *a, uint16_t pa, const uint8_t *b, uint16_t pb)
{
    int c = memcmp(a, b, 16);
    if (c)
        return c;
    return (pa > pb) - (pa < pb);
}

void td_flow_key_make(int family, const uint8_t *src, uint16_t sport, const uint8_t *dst,
                      uint16_t dport, const uint16_t *vlan, uint8_t nvlan, struct td_flow_key *key,
                      uint8_t *src_index)
{
    int first_is_src = endpoint_cmp(src, sport, dst, dport) <= 0;

    memset(key, 0, sizeof *key);
    key->family = (uint8_t)family;
    key->nvlan = nvlan;
    if (nvlan)
        memcpy(key->vlan, vlan, nvlan * sizeof *vlan);
    memcpy(key->addr[first_is_src ? 0 : 1], src, 16);
    memcpy(key->addr[first_is_src ? 1 : 0], dst, 16);
    key->port[first_is_src ? 0 : 1] = sport;
    key->port[first_is_src ? 1 : 0] = dport;
    *src_index = first_is_src ? 0 : 1;
}

static int key_equal(const struct td_flow_key *a, const struct td_flow_key *b)
{
    return memcmp(a, b, sizeof *a) == 0;
}

/* The key is memset before it is filled: padding bytes are zero and hash alike. */
static uint64_t key_hash(struct td_flow_table *t, const struct td_flow_key *key)
{
    if (!t->memo_set || !key_equal(&t->memo_key, key)) {
        t->memo_key = *key;
        t->memo_hash = td_keyed_hash(t->hasher, key, sizeof *key);
        t->memo_set = true;
    }
    return t->memo_hash;
}

struct td_flow *td_flow_find(struct td_flow_table *t, const struct td_flow_key *key)
{
    uint64_t hash = key_hash(t, key);
    struct td_flow *f = t->buckets[hash & (t->nbuckets - 1)];
    for (; f; f = f->hnext)
        if (f->hash == hash && key_equal(&f->key, key))
            return f;
    return NULL;
}

static void grow(struct td_flow_table *t)
{
    size_t n = t->nbuckets * 2;
    struct td_flow **b = calloc(n, sizeof *b);
    if (b == NULL)
        return; /* keep the old size: slower, still correct */
    for (size_t i = 0; i < t->nbuckets; i++) {
        struct td_flow *f = t->buckets[i];
        while (f) {
            struct td_flow *next = f->hnext;
            f->hnext = b[f->hash & (n - 1)];
            b[f->hash & (n - 1)] = f;
            f = next;
        }
    }
    free(t->buckets);
    t->buckets = b;
    t->nbuckets = n;
}

static void list_unlink(struct td_flow_table *t, struct td_flow *f)
{
    if (f->older)
        f->older->newer = f->newer;
    else
        t->oldest[f->list] = f->newer;
    if (f->newer)
        f->newer->older = f->older;
    else
        t->newest[f->list] = f->older;
    f->older = f->newer = NULL;
}

static void list_append(struct td_flow_table *t, struct td_flow *f, enum td_flow_list list)
{
    f->list = (uint8_t)list;
    f->newer = NULL;
    f->older = t->newest[list];
    if (t->newest[list])
        t->newest[list]->newer = f;
    else
        t->oldest[list] = f;
    t->newest[list] = f;
}

struct td_flow *td_flow_add(struct td_flow_table *t, const struct td_flow_key *key,
                            uint8_t src_index, td_time_us now)
{
    uint64_t hash = key_hash(t, key);
    struct td_flow *f = calloc(1, sizeof *f);
    if (f == NULL)
        return NULL;
    if (t->count >= t->nbuckets)
        grow(t);
    f->key = *key;
    f->hash = hash;
    f->side0 = src_index;
    f->last_ts = now;
    f->hnext = t->buckets[hash & (t->nbuckets - 1)];
    t->buckets[hash & (t->nbuckets - 1)] = f;
    list_append(t, f, TD_FLOW_ACTIVE);
    t->count++;
    return f;
}

void td_flow_touch(struct td_flow_table *t, struct td_flow *f, enum td_flow_list list,
                   td_time_us now)
{
    if (now > f->last_ts)
        f->last_ts = now;
    if (t->newest[f->list] == f && f->list == list)
        return;
    list_unlink(t, f);
    list_append(t, f, list);
}

struct td_flow *td_flow_oldest(const struct td_flow_table *t, enum td_flow_list list)
{
    return t->oldest[list];
}

void td_flow_remove(struct td_flow_table *t, struct td_flow *f)
{
    struct td_flow **pp = &t->buckets[f->hash & (t->nbuckets - 1)];
    while (*pp && *pp != f)
        pp = &(*pp)->hnext;
    if (*pp)
        *pp = f->hnext;
    list_unlink(t, f);
    t->count--;
    free(f);
}

size_t td_flow_count(const struct td_flow_table *t) { return t->count; }

size_t td_flow_longest_chain(const struct td_flow_table *t)
{
    size_t longest = 0;
    for (size_t i = 0; i < t->nbuckets; i++) {
        size_t n = 0;
        for (const struct td_flow *f = t->buckets[i]; f; f = f->hnext)
            n++;
        if (n > longest)
            longest = n;
    }
    return longest;
}
