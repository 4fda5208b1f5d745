/*
 * udp.h — UDP header decoding (RFC 768).
 */
#ifndef TLSDISSECT_UDP_H
#define TLSDISSECT_UDP_H

#include <stddef.h>
#include <stdint.h>

struct td_udp_dgram {
    uint16_t sport, dport;
    const uint8_t *payload; /* view of the captured payload bytes */
    size_t payload_caplen;
    size_t payload_len;     /* from the UDP length field */
};

/*
 * Decode a UDP header from an IP payload of which caplen bytes were captured
 * out of len.  The UDP length field must cover the header and fit in the IP
 * payload (a length of 0 is the IPv6 jumbogram case, RFC 2675, which is
 * rejected).  Returns 0, or -1 when the header is missing or its length lies.
 * Checksums are not verified.
 */
int td_udp_decode(const uint8_t *data, size_t caplen, size_t len, struct td_udp_dgram *d);

#endif
