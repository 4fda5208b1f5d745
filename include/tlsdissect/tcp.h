/*
 * tcp.h — TCP header decoding (RFC 9293 §3.1).
 */
#ifndef TLSDISSECT_TCP_H
#define TLSDISSECT_TCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
    TD_TCP_FIN = 0x01,
    TD_TCP_SYN = 0x02,
    TD_TCP_RST = 0x04,
    TD_TCP_PSH = 0x08,
    TD_TCP_ACK = 0x10,
};

struct td_tcp_seg {
    uint16_t sport, dport;
    uint32_t seq, ack;
    uint8_t flags;
    const uint8_t *payload; /* view of the captured payload bytes */
    size_t payload_caplen;
    size_t payload_len;     /* on the wire */
    bool header_truncated;  /* options cut off by the snaplen; payload unknown */
};

/*
 * Decode a TCP header from an IP payload of which caplen bytes were captured
 * out of len.  Returns 0, or -1 when even the fixed fields are missing or the
 * data offset is impossible.
 */
int td_tcp_decode(const uint8_t *data, size_t caplen, size_t len, struct td_tcp_seg *seg);

/* Wrap-safe sequence comparison (RFC 9293 §3.4): a - b as a signed distance. */
static inline int32_t td_seq_diff(uint32_t a, uint32_t b) { return (int32_t)(a - b); }

#endif
