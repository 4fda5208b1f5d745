/*
 * varint.h — QUIC variable-length integers (RFC 9000 §16): the two high bits
 * of the first byte give the length (1, 2, 4 or 8 bytes), the rest is the
 * value, so every value is below 2^62.  Read through the cursor.
 */
#ifndef TLSDISSECT_QUIC_VARINT_H
#define TLSDISSECT_QUIC_VARINT_H

#include <stdint.h>

#include "tlsdissect/cursor.h"

#define TD_QUIC_VARINT_MAX ((UINT64_C(1) << 62) - 1)

/* Read one varint; 0 on failure (the cursor's status says why). */
static inline int td_quic_varint(struct td_cur *c, uint64_t *out)
{
    uint8_t first, b;
    size_t n;
    uint64_t v;

    if (!td_cur_u8(c, &first))
        return 0;
    n = (size_t)1 << (first >> 6);
    v = first & 0x3f;
    for (size_t i = 1; i < n; i++) {
        if (!td_cur_u8(c, &b))
            return 0;
        v = v << 8 | b;
    }
    *out = v;
    return 1;
}

#endif
