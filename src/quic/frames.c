/*
 * frames.c — QUIC frames (RFC 9000 §19), as an observer of Initial packets
 * needs them.
 *
 *   ACK Frame {                              CRYPTO Frame {
 *     Type (i) = 0x02..0x03,                   Type (i) = 0x06,
 *     Largest Acknowledged (i),                Offset (i),
 *     ACK Delay (i),                           Length (i),
 *     ACK Range Count (i),                     Crypto Data (..),
 *     First ACK Range (i),                   }
 *     ACK Range (..) ...,   (Gap (i), ACK Range Length (i))
 *     [ECN Counts (..)],    (3 varints, type 0x03)
 *   }
 *   CONNECTION_CLOSE Frame {
 *     Type (i) = 0x1c..0x1d, Error Code (i), [Frame Type (i)],
 *     Reason Phrase Length (i), Reason Phrase (..),
 *   }
 *
 * Every read goes through the cursor, so a range count or a length that
 * lies ends the packet at the cursor's end rather than past it.  Frames
 * other than these are not allowed in Initial packets (§12.4); those whose
 * encoding RFC 9000 gives are still skipped by it and counted, anything
 * else ends the packet.
 */
#include "quic/frames.h"

#include <stdio.h>

#include "quic/varint.h"
#include "tlsdissect/cursor.h"

/* The varints after the type of a frame of fixed shape, or -1 when its shape is not fixed. */
static int fixed_varints(uint64_t type)
{
    switch (type) {
    case 0x04: return 3;                                   /* RESET_STREAM */
    case 0x05: return 2;                                   /* STOP_SENDING */
    case 0x10: case 0x12: case 0x13: case 0x14:            /* MAX_DATA, MAX_STREAMS, DATA_BLOCKED */
    case 0x16: case 0x17: case 0x19: return 1;             /* STREAMS_BLOCKED, RETIRE_CONNECTION_ID */
    case 0x11: case 0x15: return 2;                        /* MAX_STREAM_DATA, STREAM_DATA_BLOCKED */
    case 0x1e: return 0;                                   /* HANDSHAKE_DONE */
    default: return -1;
    }
}

/* Skip a frame RFC 9000 defines outside the Initial's set; false when its type is unknown. */
static bool skip_other(struct td_cur *c, uint64_t type)
{
    uint64_t v, len;
    int n = fixed_varints(type);
    uint8_t cid_len;

    if (n >= 0) {
        for (int i = 0; i < n; i++)
            td_quic_varint(c, &v);
        return true;
    }
    if (type == 0x07) { /* NEW_TOKEN: Token Length (i), Token */
        if (td_quic_varint(c, &len))
            td_cur_skip(c, len > SIZE_MAX ? SIZE_MAX : (size_t)len);
        return true;
    }
    if (type == 0x18) { /* NEW_CONNECTION_ID: seq, retire, Length (8), CID, reset token (128) */
        td_quic_varint(c, &v);
        td_quic_varint(c, &v);
        if (td_cur_u8(c, &cid_len))
            td_cur_skip(c, (size_t)cid_len + 16);
        return true;
    }
    if (type == 0x1a || type == 0x1b) /* PATH_CHALLENGE, PATH_RESPONSE: 8 bytes */
        return td_cur_skip(c, 8), true;
    if (type >= 0x08 && type <= 0x0f) { /* STREAM: Stream ID, [Offset], [Length], data */
        td_quic_varint(c, &v);
        if (type & 0x04)
            td_quic_varint(c, &v);
        if (type & 0x02) {
            if (td_quic_varint(c, &len))
                td_cur_skip(c, len > SIZE_MAX ? SIZE_MAX : (size_t)len);
        } else {
            td_cur_skip(c, td_cur_remaining(c)); /* to the end of the packet */
        }
        return true;
    }
    if (type == 0x30 || type == 0x31) { /* DATAGRAM (RFC 9221) */
        if (type == 0x31) {
            if (td_quic_varint(c, &len))
                td_cur_skip(c, len > SIZE_MAX ? SIZE_MAX : (size_t)len);
        } else {
            td_cur_skip(c, td_cur_remaining(c));
        }
        return true;
    }
    return false;
}

static void ack(struct td_cur *c, uint64_t type)
{
    uint64_t largest, delay, count, first, gap, range, ecn;
    if (!td_quic_varint(c, &largest) || !td_quic_varint(c, &delay) ||
        !td_quic_varint(c, &count) || !td_quic_varint(c, &first))
        return;
    /* each range is two varints, at least two bytes: the cursor ends a lying count */
    for (uint64_t i = 0; i < count && td_cur_ok(c); i++) {
        td_quic_varint(c, &gap);
        td_quic_varint(c, &range);
    }
    if (type == 0x03)
        for (int i = 0; i < 3; i++)
            td_quic_varint(c, &ecn);
}

static void crypto(struct td_cur *c, const struct td_quic_frame_handler *h,
                   struct td_quic_frames_result *r)
{
    uint64_t offset, len;
    struct td_cur data;

    if (!td_quic_varint(c, &offset) || !td_quic_varint(c, &len))
        return;
    if (len > TD_QUIC_VARINT_MAX - offset) {
        /* RFC 9000 §19.6: the largest offset is 2^62 - 1 */
        r->malformed = true;
        snprintf(r->detail, sizeof r->detail,
                 "CRYPTO frame: offset %llu + length %llu passes 2^62 - 1",
                 (unsigned long long)offset, (unsigned long long)len);
        td_cur_fail(c, TD_CUR_RANGE, 0);
        return;
    }
    if (td_cur_sub(c, len > SIZE_MAX ? SIZE_MAX : (size_t)len, &data) && h->crypto)
        h->crypto(h->ctx, offset, td_cur_ptr(&data), td_cur_remaining(&data));
}

static void connection_close(struct td_cur *c, uint64_t type, const struct td_quic_frame_handler *h)
{
    struct td_quic_close cl = {.application = type == 0x1d};
    uint64_t len;

    if (!td_quic_varint(c, &cl.error) || (type == 0x1c && !td_quic_varint(c, &cl.frame_type)) ||
        !td_quic_varint(c, &len) || !td_cur_skip(c, len > SIZE_MAX ? SIZE_MAX : (size_t)len))
        return;
    cl.reason_len = (size_t)len;
    if (h->close)
        h->close(h->ctx, &cl);
}

void td_quic_frames(const uint8_t *payload, size_t len, const struct td_quic_frame_handler *h,
                    struct td_quic_frames_result *r)
{
    struct td_cur c = td_cur_make(payload, len);
    uint64_t type = 0;

    memset(r, 0, sizeof *r);
    while (td_cur_remaining(&c) && !r->malformed) {
        size_t at = len - td_cur_remaining(&c);
        if (!td_quic_varint(&c, &type))
            break;
        switch (type) {
        case 0x00: r->padding++; break;
        case 0x01: r->ping++; break;
        case 0x02: case 0x03: r->ack++; ack(&c, type); break;
        case 0x06: r->crypto++; crypto(&c, h, r); break;
        case 0x1c: case 0x1d: r->close++; connection_close(&c, type, h); break;
        default:
            if (!skip_other(&c, type)) {
                r->malformed = true;
                snprintf(r->detail, sizeof r->detail,
                         "frame type 0x%llx at payload offset %zu is unknown: the rest of the "
                         "packet is skipped", (unsigned long long)type, at);
                return;
            }
            r->other++;
            break;
        }
        if (!td_cur_ok(&c) && !r->malformed) {
            char why[64];
            td_cur_describe(&c, why, sizeof why);
            r->malformed = true;
            snprintf(r->detail, sizeof r->detail,
                     "frame type 0x%llx at payload offset %zu: %s", (unsigned long long)type, at,
                     why);
        }
    }
}
