/*
 * tcp.c — TCP header decoding (RFC 9293 §3.1).  Checksums are not verified.
 */
#include "tlsdissect/tcp.h"

#include "tlsdissect/cursor.h"

int td_tcp_decode(const uint8_t *data, size_t caplen, size_t len, struct td_tcp_seg *seg)
{
    struct td_cur c = td_cur_make(data, caplen < len ? caplen : len);
    uint8_t off, flags;
    size_t hlen;

    if (!td_cur_u16(&c, &seg->sport) || !td_cur_u16(&c, &seg->dport) ||
        !td_cur_u32(&c, &seg->seq) || !td_cur_u32(&c, &seg->ack) || !td_cur_u8(&c, &off) ||
        !td_cur_u8(&c, &flags))
        return -1;
    hlen = (size_t)(off >> 4) * 4;
    if (hlen < 20 || hlen > len)
        return -1;
    seg->flags = flags;
    seg->payload_len = len - hlen;
    seg->header_truncated = caplen < hlen;
    if (seg->header_truncated) {
        seg->payload = NULL;
        seg->payload_caplen = 0;
    } else {
        seg->payload = data + hlen;
        seg->payload_caplen = (caplen < len ? caplen : len) - hlen;
    }
    return 0;
}
