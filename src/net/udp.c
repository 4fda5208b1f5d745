/*
 * udp.c — UDP header decoding (RFC 768).  Checksums are not verified, as
 * for TCP (captures taken on the sending host carry offloaded checksums).
 */
#include "tlsdissect/udp.h"

#include "tlsdissect/cursor.h"

int td_udp_decode(const uint8_t *data, size_t caplen, size_t len, struct td_udp_dgram *d)
{
    struct td_cur c = td_cur_make(data, caplen < len ? caplen : len);
    uint16_t ulen, sum;
    size_t captured;

    if (!td_cur_u16(&c, &d->sport) || !td_cur_u16(&c, &d->dport) || !td_cur_u16(&c, &ulen) ||
        !td_cur_u16(&c, &sum))
        return -1;
    /* the UDP length covers the 8-byte header and lies within the IP payload
     * (IP may carry padding after it: the UDP length wins) */
    if (ulen < 8 || ulen > len)
        return -1;
    d->payload_len = (size_t)ulen - 8;
    d->payload = td_cur_ptr(&c);
    captured = td_cur_remaining(&c);
    d->payload_caplen = captured < d->payload_len ? captured : d->payload_len;
    return 0;
}
