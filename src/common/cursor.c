/*
 * cursor.c — describing a failed bounded-cursor read for anomaly details.
 * The reads themselves are inline in include/tlsdissect/cursor.h
 * (RFC 8446 §3.3-3.4 integer and vector notation).
 */
#include "tlsdissect/cursor.h"

#include <stdio.h>

void td_cur_describe(const struct td_cur *c, char *buf, size_t size)
{
    if (size == 0)
        return;
    switch (c->status) {
    case TD_CUR_OK:
        snprintf(buf, size, "ok");
        break;
    case TD_CUR_TRUNCATED:
        snprintf(buf, size, "need %zu bytes, %zu captured", c->want, c->have);
        break;
    case TD_CUR_SHORT:
        snprintf(buf, size, "need %zu bytes, %zu remaining", c->want, c->have);
        break;
    case TD_CUR_BAD_LENGTH:
        snprintf(buf, size, "length %zu > remaining %zu", c->want, c->have);
        break;
    case TD_CUR_RANGE:
        snprintf(buf, size, "length %zu outside the allowed range", c->want);
        break;
    case TD_CUR_ALIGNMENT:
        snprintf(buf, size, "length %zu is not a whole number of elements", c->want);
        break;
    default:
        snprintf(buf, size, "unreadable");
        break;
    }
}
