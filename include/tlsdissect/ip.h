/*
 * ip.h — IPv4 (RFC 791) and IPv6 (RFC 8200) header decoding, including the
 * IPv6 extension header chain, and the fragment facts reassembly needs.
 */
#ifndef TLSDISSECT_IP_H
#define TLSDISSECT_IP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct td_ip {
    int family; /* 4 or 6 */
    uint8_t src[16];
    uint8_t dst[16];
    uint8_t proto;          /* upper-layer protocol (after extension headers) */
    const uint8_t *payload; /* view of the upper-layer bytes that were captured */
    size_t payload_caplen;
    size_t payload_len;     /* on the wire, from the header */
    /* fragments (RFC 791 §3.2, RFC 8200 §4.5) */
    bool is_fragment;
    bool more_fragments;
    uint32_t frag_id;
    uint32_t frag_offset;   /* bytes */
};

enum td_ip_status {
    TD_IP_OK = 0,
    TD_IP_TRUNCATED = -1, /* the captured bytes end inside the header */
    TD_IP_MALFORMED = -2,
};

/* Decode one IP header; the payload view points into data. */
enum td_ip_status td_ip_decode(int version, const uint8_t *data, size_t caplen, struct td_ip *ip);

/*
 * Walk IPv6 extension headers starting at next_header over a payload
 * (used again after reassembly, when the headers after the Fragment header
 * become visible).  Updates ip->proto and the payload view.
 */
enum td_ip_status td_ip6_walk_extensions(uint8_t next_header, struct td_ip *ip);

#endif
