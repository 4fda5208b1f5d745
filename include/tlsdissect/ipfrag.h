/*
 * ipfrag.h — IPv4 and IPv6 fragment reassembly (RFC 791 §3.2, RFC 8200 §4.5,
 * RFC 815 hole tracking) with caps on datagrams, bytes and age.
 *
 * Overlaps keep the first copy of each byte; a later copy that differs is
 * reported (RFC 5722 would drop such IPv6 datagrams; keeping the first copy
 * matches what most end hosts and tshark show).
 */
#ifndef TLSDISSECT_IPFRAG_H
#define TLSDISSECT_IPFRAG_H

#include <stddef.h>
#include <stdint.h>

#include "tlsdissect/format.h"
#include "tlsdissect/ip.h"
#include "tlsdissect/keyed_hash.h"

struct td_ipfrag;

struct td_ipfrag_limits {
    size_t max_datagrams;  /* pending datagrams */
    size_t max_bytes;      /* bytes held across all pending datagrams */
    td_time_us timeout_us; /* a datagram not completed by then is dropped */
};

enum td_frag_result {
    TD_FRAG_PENDING,  /* kept; nothing to hand on yet */
    TD_FRAG_COMPLETE, /* *whole describes the reassembled datagram */
    TD_FRAG_DROPPED,  /* this fragment could not be used (see notes) */
};

/* What happened during one push, for anomaly reports by the caller. */
struct td_frag_notes {
    unsigned overlap_conflicts; /* overlapping bytes that differed */
    unsigned expired;           /* datagrams dropped unfinished by age */
    unsigned evicted;           /* datagrams dropped for the caps */
    unsigned malformed;         /* fragments past the end, or inconsistent */
    unsigned truncated;         /* fragments cut short by the snaplen */
};

/* Pending datagrams are found by SipHash under key (copied).  NULL when out of memory. */
struct td_ipfrag *td_ipfrag_new(const struct td_ipfrag_limits *limits,
                                const struct td_hash_key *key);
void td_ipfrag_free(struct td_ipfrag *t);

/*
 * Add one fragment.  scope tells apart identical addresses on different
 * VLANs.  On TD_FRAG_COMPLETE, whole->payload points into the table and is
 * valid until the next call.
 */
enum td_frag_result td_ipfrag_push(struct td_ipfrag *t, const struct td_ip *frag, uint32_t scope,
                                   td_time_us now, struct td_ip *whole,
                                   struct td_frag_notes *notes);

/* Drop datagrams older than the timeout (also done by every push). */
void td_ipfrag_expire(struct td_ipfrag *t, td_time_us now, struct td_frag_notes *notes);

/* Datagrams still pending (e.g. counted as dropped at the end of input). */
size_t td_ipfrag_pending(const struct td_ipfrag *t);

#endif
