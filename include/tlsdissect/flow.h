/*
 * flow.h — the connection table: flows found by hash of their canonical key
 * (addresses, ports, VLAN IDs), kept on age lists for expiry and eviction.
 *
 * Buckets are chosen by a keyed hash (keyed_hash.h) so that a sender cannot
 * choose keys that share one.
 *
 * A key is canonical: the lower (address, port) endpoint comes first, so
 * both directions of a connection find the same flow.  Side 0 of a flow is
 * the endpoint that sent the first packet seen.
 *
 * The table owns the struct td_flow; the user pointer belongs to the caller,
 * who must release it before td_flow_remove().
 */
#ifndef TLSDISSECT_FLOW_H
#define TLSDISSECT_FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tlsdissect/format.h"
#include "tlsdissect/keyed_hash.h"
#include "tlsdissect/model.h"

struct td_flow_key {
    uint8_t family;
    uint8_t nvlan;
    uint16_t vlan[TD_MAX_VLAN];
    uint16_t port[2];
    uint8_t addr[2][16];
    uint8_t pad[2]; /* zero (the key is hashed and compared as bytes) */
};

enum td_flow_list { TD_FLOW_ACTIVE, TD_FLOW_CLOSED, TD_FLOW_LISTS };

struct td_flow {
    struct td_flow *hnext;
    struct td_flow *older, *newer; /* on the age list `list` */
    uint64_t hash;                 /* the table's keyed hash of key */
    struct td_flow_key key;
    uint8_t side0;                 /* key index of the endpoint that is side 0 */
    uint8_t list;
    td_time_us last_ts;
    void *user;
};

struct td_flow_table;

/* An empty table whose buckets are chosen by SipHash under key (copied).  NULL when out of memory. */
struct td_flow_table *td_flow_table_new(const struct td_hash_key *key);
void td_flow_table_free(struct td_flow_table *t);

/*
 * Build the canonical key of a packet; *src_index is the key index of the
 * packet's source.
 */
void td_flow_key_make(int family, const uint8_t *src, uint16_t sport, const uint8_t *dst,
                      uint16_t dport, const uint16_t *vlan, uint8_t nvlan, struct td_flow_key *key,
                      uint8_t *src_index);

struct td_flow *td_flow_find(struct td_flow_table *t, const struct td_flow_key *key);

/* A new flow on the active list; side 0 is key index src_index.  NULL when out of memory. */
struct td_flow *td_flow_add(struct td_flow_table *t, const struct td_flow_key *key,
                            uint8_t src_index, td_time_us now);

/* Mark activity: the flow moves to the young end of `list`. */
void td_flow_touch(struct td_flow_table *t, struct td_flow *f, enum td_flow_list list,
                   td_time_us now);

/* The least recently active flow of a list, or NULL. */
struct td_flow *td_flow_oldest(const struct td_flow_table *t, enum td_flow_list list);

void td_flow_remove(struct td_flow_table *t, struct td_flow *f);

size_t td_flow_count(const struct td_flow_table *t);

/* The most flows sharing one bucket (a walk of the whole table: for tests and diagnostics). */
size_t td_flow_longest_chain(const struct td_flow_table *t);

/* Which side of the flow sent a packet whose source has key index src_index. */
static inline int td_flow_side(const struct td_flow *f, uint8_t src_index)
{
    return src_index == f->side0 ? 0 : 1;
}

#endif
