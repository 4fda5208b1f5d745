/*
 * ip.c — IPv4 (RFC 791 §3.1) and IPv6 (RFC 8200 §3-4) header decoding.
 * Checksums are not verified: captures taken on the sending host carry
 * offloaded, invalid ones (tshark's default too).
 */
#include "tlsdissect/ip.h"

#include <string.h>

#include "tlsdissect/cursor.h"

static enum td_ip_status decode_v4(struct td_cur c, struct td_ip *ip)
{
    uint8_t vihl, proto, tos, ttl;
    uint16_t total, id, frag;
    size_t ihl, caplen = td_cur_remaining(&c);
    const uint8_t *start = td_cur_ptr(&c);

    if (!td_cur_u8(&c, &vihl) || !td_cur_u8(&c, &tos) || !td_cur_u16(&c, &total) ||
        !td_cur_u16(&c, &id) || !td_cur_u16(&c, &frag) || !td_cur_u8(&c, &ttl) ||
        !td_cur_u8(&c, &proto) || !td_cur_skip(&c, 2) || !td_cur_copy(&c, ip->src, 4) ||
        !td_cur_copy(&c, ip->dst, 4))
        return TD_IP_TRUNCATED;
    (void)tos;
    (void)ttl;
    if (vihl >> 4 != 4)
        return TD_IP_MALFORMED;
    ihl = (size_t)(vihl & 15) * 4;
    if (ihl < 20)
        return TD_IP_MALFORMED;
    if (caplen < ihl)
        return TD_IP_TRUNCATED;
    /* Total length 0 is what TSO/GSO super-packets captured on the sender carry. */
    if (total == 0)
        total = caplen > 0xffff ? 0xffff : (uint16_t)caplen;
    if (total < ihl)
        return TD_IP_MALFORMED;
    ip->family = 4;
    memset(ip->src + 4, 0, 12);
    memset(ip->dst + 4, 0, 12);
    ip->proto = proto;
    ip->payload = start + ihl;
    ip->payload_len = total - ihl;
    ip->payload_caplen = caplen - ihl;
    if (ip->payload_caplen > ip->payload_len)
        ip->payload_caplen = ip->payload_len; /* link-layer padding */
    ip->more_fragments = (frag & 0x2000) != 0;
    ip->frag_offset = (uint32_t)(frag & 0x1fff) * 8;
    ip->is_fragment = ip->more_fragments || ip->frag_offset != 0;
    ip->frag_id = id;
    return TD_IP_OK;
}

enum td_ip_status td_ip6_walk_extensions(uint8_t next, struct td_ip *ip)
{
    struct td_cur c = td_cur_make(ip->payload, ip->payload_caplen);
    size_t consumed = 0;

    for (;;) {
        uint8_t hdr_next, hdr_len;
        size_t len;
        switch (next) {
        case 0:   /* hop-by-hop options */
        case 43:  /* routing */
        case 60:  /* destination options */
        case 135: /* mobility */
        case 139: /* HIP */
        case 140: /* shim6 */
            if (!td_cur_u8(&c, &hdr_next) || !td_cur_u8(&c, &hdr_len))
                return TD_IP_TRUNCATED;
            len = ((size_t)hdr_len + 1) * 8;
            break;
        case 51: /* authentication header: length in 4-byte units, minus 2 */
            if (!td_cur_u8(&c, &hdr_next) || !td_cur_u8(&c, &hdr_len))
                return TD_IP_TRUNCATED;
            len = ((size_t)hdr_len + 2) * 4;
            break;
        case 44: { /* fragment */
            uint8_t reserved;
            uint16_t offflags;
            uint32_t id;
            if (ip->is_fragment)
                return TD_IP_MALFORMED; /* two fragment headers */
            if (!td_cur_u8(&c, &hdr_next) || !td_cur_u8(&c, &reserved) ||
                !td_cur_u16(&c, &offflags) || !td_cur_u32(&c, &id))
                return TD_IP_TRUNCATED;
            (void)reserved;
            consumed += 8;
            ip->is_fragment = true;
            ip->frag_offset = (uint32_t)(offflags & 0xfff8);
            ip->more_fragments = (offflags & 1) != 0;
            ip->frag_id = id;
            ip->proto = hdr_next;
            if (ip->payload_len < consumed)
                return TD_IP_MALFORMED;
            ip->payload = td_cur_ptr(&c);
            ip->payload_caplen = td_cur_remaining(&c);
            ip->payload_len -= consumed;
            /* Headers after this one are inside the fragmented part. */
            return TD_IP_OK;
        }
        default:
            ip->proto = next;
            if (ip->payload_len < consumed)
                return TD_IP_MALFORMED;
            ip->payload = td_cur_ptr(&c);
            ip->payload_caplen = td_cur_remaining(&c);
            ip->payload_len -= consumed;
            if (ip->payload_caplen > ip->payload_len)
                ip->payload_caplen = ip->payload_len;
            return TD_IP_OK;
        }
        if (!td_cur_skip(&c, len - 2))
            return TD_IP_TRUNCATED;
        consumed += len;
        next = hdr_next;
    }
}

static enum td_ip_status decode_v6(struct td_cur c, struct td_ip *ip)
{
    uint32_t vtcfl;
    uint16_t plen;
    uint8_t next, hops;
    size_t caplen = td_cur_remaining(&c);

    if (!td_cur_u32(&c, &vtcfl) || !td_cur_u16(&c, &plen) || !td_cur_u8(&c, &next) ||
        !td_cur_u8(&c, &hops) || !td_cur_copy(&c, ip->src, 16) || !td_cur_copy(&c, ip->dst, 16))
        return TD_IP_TRUNCATED;
    (void)hops;
    if (vtcfl >> 28 != 6)
        return TD_IP_MALFORMED;
    ip->family = 6;
    ip->is_fragment = false;
    ip->more_fragments = false;
    ip->frag_offset = 0;
    ip->frag_id = 0;
    ip->payload = td_cur_ptr(&c);
    /* Payload length 0 is a jumbogram (RFC 2675) or a GSO capture. */
    ip->payload_len = plen ? plen : caplen - 40;
    ip->payload_caplen = caplen - 40;
    if (ip->payload_caplen > ip->payload_len)
        ip->payload_caplen = ip->payload_len;
    return td_ip6_walk_extensions(next, ip);
}

enum td_ip_status td_ip_decode(int version, const uint8_t *data, size_t caplen, struct td_ip *ip)
{
    struct td_cur c = td_cur_make(data, caplen);
    if (version == 4)
        return decode_v4(c, ip);
    if (version == 6)
        return decode_v6(c, ip);
    return TD_IP_MALFORMED;
}
