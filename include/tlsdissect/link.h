/*
 * link.h — link-layer decoding: Ethernet II with 802.1Q/802.1ad (QinQ) tags,
 * PPPoE and MPLS, Linux cooked capture v1 and v2, BSD NULL/LOOP, raw IP.
 * (IEEE 802.3, IEEE 802.1Q, RFC 2516, RFC 3032, tcpdump.org link types.)
 */
#ifndef TLSDISSECT_LINK_H
#define TLSDISSECT_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tlsdissect/model.h"

struct td_link_frame {
    uint16_t vlan[TD_MAX_VLAN]; /* outermost first */
    uint8_t nvlan;
    bool vlan_overflow;         /* more tags than TD_MAX_VLAN: inner ones dropped */
    int ip_version;             /* 4, 6, or 0 when the frame carries no IP */
    const uint8_t *l3;          /* view into the packet */
    size_t l3_caplen;
};

/* Whether td_link_decode understands this DLT_ value. */
bool td_link_supported(int dlt);

/*
 * Decode the link header of one captured frame.  Returns 0 (check
 * frame->ip_version) or -1 when the frame is too short for its header.
 */
int td_link_decode(int dlt, const uint8_t *pkt, size_t caplen, struct td_link_frame *frame);

#endif
