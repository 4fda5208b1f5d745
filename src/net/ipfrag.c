/*
 * ipfrag.c — IP fragment reassembly (RFC 791 §3.2, RFC 8200 §4.5).
 *
 * Pending datagrams sit in a hash table and on an age list (oldest first),
 * so expiry and cap eviction are O(1) each.  The bucket of a datagram is a
 * keyed hash (SipHash, keyed_hash.h) of its addresses and identification,
 * so a sender cannot pile its fragments into one bucket.  Each datagram keeps its bytes
 * in one buffer and the covered byte ranges as a sorted, merged array.
 * Invariant: ranges are disjoint, sorted and non-adjacent; bytes inside a
 * range are the first copy seen.
 */
#include "tlsdissect/ipfrag.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "tlsdissect/keyed_hash.h"

#define TD_FRAG_BUCKETS 1024
#define TD_FRAG_MAX_RANGES 512
#define TD_FRAG_MAX_DATAGRAM 65535

struct range {
    uint32_t start, end;
};

struct datagram {
    struct datagram *hnext;
    struct datagram *older, *newer;
    int family;
    uint8_t proto;
    uint32_t id;
    uint32_t scope;
    unsigned bucket; /* its hash chain, kept so that unlinking does not hash again */
    uint8_t src[16], dst[16];
    td_time_us first_ts;
    bool total_known;
    uint32_t total;
    uint8_t *data;
    uint32_t cap;
    struct range ranges[TD_FRAG_MAX_RANGES];
    unsigned nranges;
};

struct td_ipfrag {
    struct td_ipfrag_limits limits;
    struct datagram *buckets[TD_FRAG_BUCKETS];
    struct datagram *oldest, *newest;
    size_t count;
    size_t bytes;
    uint8_t *done;    /* the last completed datagram, handed out as a view */
    struct td_keyed_hash *hasher;
};

struct td_ipfrag *td_ipfrag_new(const struct td_ipfrag_limits *limits,
                                const struct td_hash_key *key)
{
    struct td_ipfrag *t = calloc(1, sizeof *t);
    if (t == NULL)
        return NULL;
    t->limits = *limits;
    t->hasher = td_keyed_hash_new(key);
    if (t->hasher == NULL) {
        free(t);
        return NULL;
    }
    return t;
}

static unsigned bucket_of(struct td_ipfrag *t, int family, const uint8_t *src, const uint8_t *dst,
                          uint32_t id, uint32_t scope)
{
    /* the fields one after the other, in a fixed layout (no struct padding) */
    uint8_t key[1 + 16 + 16 + 4 + 4];
    key[0] = (uint8_t)family;
    memcpy(key + 1, src, 16);
    memcpy(key + 17, dst, 16);
    memcpy(key + 33, &id, 4);
    memcpy(key + 37, &scope, 4);
    return (unsigned)(td_keyed_hash(t->hasher, key, sizeof key) % TD_FRAG_BUCKETS);
}

static void unlink_datagram(struct td_ipfrag *t, struct datagram *d)
{
    struct datagram **pp = &t->buckets[d->bucket];
    while (*pp && *pp != d)
        pp = &(*pp)->hnext;
    if (*pp)
        *pp = d->hnext;
    if (d->older)
        d->older->newer = d->newer;
    else
        t->oldest = d->newer;
    if (d->newer)
        d->newer->older = d->older;
    else
        t->newest = d->older;
    t->count--;
    t->bytes -= d->cap;
    free(d->data);
    free(d);
}

void td_ipfrag_free(struct td_ipfrag *t)
{
    if (t == NULL)
        return;
    while (t->oldest)
        unlink_datagram(t, t->oldest);
    free(t->done);
    td_keyed_hash_free(t->hasher);
    free(t);
}

size_t td_ipfrag_pending(const struct td_ipfrag *t) { return t ? t->count : 0; }

void td_ipfrag_expire(struct td_ipfrag *t, td_time_us now, struct td_frag_notes *notes)
{
    while (t->oldest && now - t->oldest->first_ts > t->limits.timeout_us) {
        unlink_datagram(t, t->oldest);
        notes->expired++;
    }
}

static struct datagram *find_or_add(struct td_ipfrag *t, const struct td_ip *f, uint32_t scope,
                                    td_time_us now, struct td_frag_notes *notes)
{
    unsigned b = bucket_of(t, f->family, f->src, f->dst, f->frag_id, scope);
    struct datagram *d;

    for (d = t->buckets[b]; d; d = d->hnext)
        if (d->family == f->family && d->id == f->frag_id && d->scope == scope &&
            d->proto == f->proto && memcmp(d->src, f->src, 16) == 0 &&
            memcmp(d->dst, f->dst, 16) == 0)
            return d;
    while (t->count >= t->limits.max_datagrams && t->oldest) {
        unlink_datagram(t, t->oldest);
        notes->evicted++;
    }
    d = calloc(1, sizeof *d);
    if (d == NULL)
        return NULL;
    d->family = f->family;
    d->proto = f->proto;
    d->id = f->frag_id;
    d->scope = scope;
    memcpy(d->src, f->src, 16);
    memcpy(d->dst, f->dst, 16);
    d->first_ts = now;
    d->bucket = b;
    d->hnext = t->buckets[b];
    t->buckets[b] = d;
    d->older = t->newest;
    if (t->newest)
        t->newest->newer = d;
    else
        t->oldest = d;
    t->newest = d;
    t->count++;
    return d;
}

/* Make room for bytes [0, end) within the byte cap; evicting older datagrams. */
static int reserve(struct td_ipfrag *t, struct datagram *d, uint32_t end, struct td_frag_notes *notes)
{
    uint32_t want;
    uint8_t *grown;

    if (end <= d->cap)
        return 0;
    want = d->cap ? d->cap : 2048;
    while (want < end)
        want = want > TD_FRAG_MAX_DATAGRAM / 2 ? TD_FRAG_MAX_DATAGRAM : want * 2;
    while (t->bytes + (want - d->cap) > t->limits.max_bytes && t->oldest && t->oldest != d) {
        unlink_datagram(t, t->oldest);
        notes->evicted++;
    }
    if (t->bytes + (want - d->cap) > t->limits.max_bytes)
        return -1;
    grown = realloc(d->data, want);
    if (grown == NULL)
        return -1;
    memset(grown + d->cap, 0, want - d->cap);
    t->bytes += want - d->cap;
    d->data = grown;
    d->cap = want;
    return 0;
}

/* Copy [start,end) from src where not yet covered; compare where covered. */
static int add_range(struct datagram *d, uint32_t start, uint32_t end, const uint8_t *src,
                     struct td_frag_notes *notes)
{
    uint32_t pos = start;
    unsigned i;
    bool conflict = false;

    for (i = 0; i < d->nranges && pos < end; i++) {
        struct range r = d->ranges[i];
        if (r.end <= pos)
            continue;
        if (r.start >= end)
            break;
        if (r.start > pos)
            memcpy(d->data + pos, src + (pos - start), r.start - pos);
        uint32_t ov_start = r.start > pos ? r.start : pos;
        uint32_t ov_end = r.end < end ? r.end : end;
        if (memcmp(d->data + ov_start, src + (ov_start - start), ov_end - ov_start) != 0)
            conflict = true;
        pos = ov_end;
    }
    if (pos < end)
        memcpy(d->data + pos, src + (pos - start), end - pos);
    if (conflict)
        notes->overlap_conflicts++;

    /* Merge [start,end) into the sorted range array. */
    unsigned first = 0;
    while (first < d->nranges && d->ranges[first].end < start)
        first++;
    unsigned last = first;
    uint32_t ms = start, me = end;
    while (last < d->nranges && d->ranges[last].start <= end) {
        if (d->ranges[last].start < ms)
            ms = d->ranges[last].start;
        if (d->ranges[last].end > me)
            me = d->ranges[last].end;
        last++;
    }
    if (first == last) {
        if (d->nranges == TD_FRAG_MAX_RANGES)
            return -1;
        memmove(&d->ranges[first + 1], &d->ranges[first],
                (d->nranges - first) * sizeof d->ranges[0]);
        d->nranges++;
    } else if (last - first > 1) {
        memmove(&d->ranges[first + 1], &d->ranges[last],
                (d->nranges - last) * sizeof d->ranges[0]);
        d->nranges -= last - first - 1;
    }
    d->ranges[first].start = ms;
    d->ranges[first].end = me;
    return 0;
}

enum td_frag_result td_ipfrag_push(struct td_ipfrag *t, const struct td_ip *f, uint32_t scope,
                                   td_time_us now, struct td_ip *whole,
                                   struct td_frag_notes *notes)
{
    struct datagram *d;
    uint32_t start = f->frag_offset, end;

    td_ipfrag_expire(t, now, notes);
    if (f->payload_caplen < f->payload_len) {
        notes->truncated++;
        return TD_FRAG_DROPPED;
    }
    if (f->payload_len > TD_FRAG_MAX_DATAGRAM || start > TD_FRAG_MAX_DATAGRAM - f->payload_len ||
        (f->more_fragments && f->payload_len % 8 != 0)) {
        notes->malformed++;
        return TD_FRAG_DROPPED;
    }
    end = start + (uint32_t)f->payload_len;
    d = find_or_add(t, f, scope, now, notes);
    if (d == NULL)
        return TD_FRAG_DROPPED;
    if ((d->total_known && end > d->total) ||
        (!f->more_fragments && d->nranges && d->ranges[d->nranges - 1].end > end) ||
        (!f->more_fragments && d->total_known && end != d->total)) {
        notes->malformed++;
        unlink_datagram(t, d);
        return TD_FRAG_DROPPED;
    }
    if (reserve(t, d, end, notes) != 0 || add_range(d, start, end, f->payload, notes) != 0) {
        notes->evicted++;
        unlink_datagram(t, d);
        return TD_FRAG_DROPPED;
    }
    if (!f->more_fragments) {
        d->total_known = true;
        d->total = end;
    }
    if (!d->total_known || d->nranges != 1 || d->ranges[0].start != 0 || d->ranges[0].end != d->total)
        return TD_FRAG_PENDING;

    /* Complete: hand the bytes out as a view that lives until the next call. */
    free(t->done);
    t->done = d->data;
    t->bytes -= d->cap;
    d->cap = 0;
    d->data = NULL;
    *whole = *f;
    whole->is_fragment = false;
    whole->more_fragments = false;
    whole->frag_offset = 0;
    whole->payload = t->done;
    whole->payload_len = d->total;
    whole->payload_caplen = d->total;
    unlink_datagram(t, d);
    if (whole->family == 6 && td_ip6_walk_extensions(whole->proto, whole) != TD_IP_OK) {
        notes->malformed++;
        return TD_FRAG_DROPPED;
    }
    return TD_FRAG_COMPLETE;
}
