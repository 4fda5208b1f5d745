/*
 * link.c — link-layer decoding down to the IP header.
 * Ethernet II (IEEE 802.3), VLAN tags (IEEE 802.1Q, 802.1ad and the older
 * 0x9100 QinQ), PPPoE session (RFC 2516), MPLS (RFC 3032), Linux SLL/SLL2,
 * BSD NULL/LOOP and raw IP, per https://www.tcpdump.org/linktypes.html.
 */
#include "tlsdissect/link.h"

#include <pcap/dlt.h>

#include "tlsdissect/cursor.h"

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif
#ifndef DLT_IPV4
#define DLT_IPV4 228
#endif
#ifndef DLT_IPV6
#define DLT_IPV6 229
#endif

enum {
    ETHERTYPE_IPV4 = 0x0800,
    ETHERTYPE_IPV6 = 0x86dd,
    ETHERTYPE_VLAN = 0x8100,
    ETHERTYPE_QINQ = 0x88a8,
    ETHERTYPE_QINQ_OLD = 0x9100,
    ETHERTYPE_QINQ_OLD2 = 0x9200,
    ETHERTYPE_PPPOE = 0x8864,
    ETHERTYPE_MPLS = 0x8847,
    ETHERTYPE_MPLS_MC = 0x8848,
};

bool td_link_supported(int dlt)
{
    switch (dlt) {
    case DLT_EN10MB:
    case DLT_LINUX_SLL:
    case DLT_LINUX_SLL2:
    case DLT_NULL:
    case DLT_LOOP:
    case DLT_RAW:
    case 14: /* DLT_RAW on OpenBSD */
    case DLT_IPV4:
    case DLT_IPV6:
        return true;
    default:
        return false;
    }
}

static void set_ip(struct td_link_frame *f, int version, struct td_cur *c)
{
    f->ip_version = version;
    f->l3 = td_cur_ptr(c);
    f->l3_caplen = td_cur_remaining(c);
}

static void set_ip_by_nibble(struct td_link_frame *f, struct td_cur *c)
{
    if (td_cur_remaining(c) == 0)
        return;
    uint8_t nibble = td_cur_ptr(c)[0] >> 4;
    if (nibble == 4 || nibble == 6)
        set_ip(f, nibble, c);
}

/* From an ethertype onwards: tags, PPPoE, MPLS, then IP. */
static int decode_ethertype(uint16_t type, struct td_cur *c, struct td_link_frame *f)
{
    for (;;) {
        switch (type) {
        case ETHERTYPE_IPV4:
            set_ip(f, 4, c);
            return 0;
        case ETHERTYPE_IPV6:
            set_ip(f, 6, c);
            return 0;
        case ETHERTYPE_VLAN:
        case ETHERTYPE_QINQ:
        case ETHERTYPE_QINQ_OLD:
        case ETHERTYPE_QINQ_OLD2: {
            uint16_t tci;
            if (!td_cur_u16(c, &tci) || !td_cur_u16(c, &type))
                return -1;
            if (f->nvlan < TD_MAX_VLAN)
                f->vlan[f->nvlan++] = tci & 0x0fff;
            else
                f->vlan_overflow = true;
            break;
        }
        case ETHERTYPE_PPPOE: {
            uint16_t ppp_proto;
            /* ver/type, code, session id, length, then the PPP protocol */
            if (!td_cur_skip(c, 6) || !td_cur_u16(c, &ppp_proto))
                return -1;
            if (ppp_proto == 0x0021)
                set_ip(f, 4, c);
            else if (ppp_proto == 0x0057)
                set_ip(f, 6, c);
            return 0;
        }
        case ETHERTYPE_MPLS:
        case ETHERTYPE_MPLS_MC: {
            uint32_t label;
            do {
                if (!td_cur_u32(c, &label))
                    return -1;
            } while ((label & 0x100) == 0); /* bottom of stack */
            set_ip_by_nibble(f, c);
            return 0;
        }
        default:
            return 0; /* not IP: ARP, LLDP, ... */
        }
    }
}

int td_link_decode(int dlt, const uint8_t *pkt, size_t caplen, struct td_link_frame *f)
{
    struct td_cur c = td_cur_make(pkt, caplen);
    uint16_t type;
    uint32_t family;

    f->nvlan = 0;
    f->vlan_overflow = false;
    f->ip_version = 0;
    f->l3 = NULL;
    f->l3_caplen = 0;

    switch (dlt) {
    case DLT_EN10MB:
        if (!td_cur_skip(&c, 12) || !td_cur_u16(&c, &type))
            return -1;
        return decode_ethertype(type, &c, f);
    case DLT_LINUX_SLL:
        /* packet type, ARPHRD, address length, address[8], protocol */
        if (!td_cur_skip(&c, 14) || !td_cur_u16(&c, &type))
            return -1;
        return decode_ethertype(type, &c, f);
    case DLT_LINUX_SLL2:
        /* protocol, reserved, ifindex, ARPHRD, packet type, addr len, addr[8] */
        if (!td_cur_u16(&c, &type) || !td_cur_skip(&c, 18))
            return -1;
        return decode_ethertype(type, &c, f);
    case DLT_NULL:
    case DLT_LOOP: {
        uint8_t b[4];
        if (!td_cur_copy(&c, b, 4))
            return -1;
        /* NULL: host byte order of the capturing machine, so try both. */
        uint32_t be = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
        uint32_t le = (uint32_t)b[3] << 24 | (uint32_t)b[2] << 16 | (uint32_t)b[1] << 8 | b[0];
        family = (dlt == DLT_LOOP || be < 256) ? be : le;
        if (family == 2)
            set_ip(f, 4, &c);
        else if (family == 10 || family == 24 || family == 28 || family == 30)
            set_ip(f, 6, &c); /* AF_INET6 on Linux, BSDs, FreeBSD, macOS */
        return 0;
    }
    case DLT_RAW:
    case 14:
        set_ip_by_nibble(f, &c);
        return 0;
    case DLT_IPV4:
        set_ip(f, 4, &c);
        return 0;
    case DLT_IPV6:
        set_ip(f, 6, &c);
        return 0;
    default:
        return 0;
    }
}
