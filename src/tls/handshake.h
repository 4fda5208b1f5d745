/*
 * handshake.h — handshake message framing over the record layer
 * (RFC 8446 §4, RFC 5246 §7.4): a message may span records, a record may
 * carry several messages.
 *
 *   struct { HandshakeType msg_type; uint24 length; ... body ... } Handshake;
 *
 * Messages that lie inside one record body are handed on as views; the
 * rest are assembled in a buffer capped at `max_message` bytes.  A longer
 * message is skipped by counting and reported with a NULL body.
 */
#ifndef TLSDISSECT_HANDSHAKE_H
#define TLSDISSECT_HANDSHAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tlsdissect/buffer.h"

struct td_hs_message {
    uint8_t type;
    size_t length;          /* declared body length */
    const uint8_t *body;    /* NULL when the message was over the cap */
    uint16_t record_version; /* of the record that carried its first byte */
    size_t available;       /* body bytes at hand: length, or fewer when truncated */
    bool truncated;         /* the capture lost the rest of the message */
};

typedef void (*td_hs_message_fn)(void *ctx, int side, const struct td_hs_message *m);

struct td_hs_assembler {
    struct td_buf buf;      /* header and body bytes of a message in progress */
    uint16_t first_version;
    bool discarding;        /* skipping an over-long message, or the rest of one cut by a gap */
    bool discard_silent;    /* ... the latter: it was handed over already */
    uint8_t discard_type;
    size_t discard_length;
    size_t discard_left;
    bool lost_sync;         /* a gap may have hidden a message boundary: look for one */
    uint64_t skipped;       /* bytes passed over while looking (for the caller's report) */
    bool refused;           /* a message could not be buffered (budget or memory): skipped */
    uint8_t refused_type;
    size_t refused_length;
};

/* Charge the message buffer to a run's budget (NULL: none). */
static inline void td_hs_set_budget(struct td_hs_assembler *a, struct td_mem_budget *budget)
{
    a->buf.budget = budget;
}

/* A message was skipped since the last call because it could not be
 * buffered: its type and declared length, once. */
static inline bool td_hs_take_refusal(struct td_hs_assembler *a, uint8_t *type, size_t *length)
{
    if (!a->refused)
        return false;
    a->refused = false;
    *type = a->refused_type;
    *length = a->refused_length;
    return true;
}

/* Frame a handshake record body. */
void td_hs_feed(struct td_hs_assembler *a, int side, const uint8_t *p, size_t n,
                uint16_t record_version, size_t max_message, td_hs_message_fn fn, void *ctx);

/* A message is partly assembled. */
static inline bool td_hs_pending(const struct td_hs_assembler *a)
{
    return a->buf.len > 0 || a->discarding;
}

/* An over-long message is being skipped (reported by the caller once). */
static inline bool td_hs_skipping_over_long(const struct td_hs_assembler *a)
{
    return a->discarding && !a->discard_silent;
}

/* The message in progress, for end-of-stream reports. */
enum td_hs_progress_state { TD_HS_IDLE, TD_HS_IN_HEADER, TD_HS_IN_BODY, TD_HS_SKIPPING_OVER_LONG };
struct td_hs_progress {
    enum td_hs_progress_state state;
    uint8_t type;           /* IN_BODY, SKIPPING_OVER_LONG */
    size_t seen, length;    /* body bytes (IN_HEADER: header bytes of 4) */
};
void td_hs_progress(const struct td_hs_assembler *a, struct td_hs_progress *p);

/* Bytes of the partial message held (header included). */
static inline size_t td_hs_pending_bytes(const struct td_hs_assembler *a) { return a->buf.len; }

/* The rest of the message in progress will never come: hand over what is there. */
void td_hs_flush_truncated(struct td_hs_assembler *a, int side, td_hs_message_fn fn, void *ctx);

/*
 * n bytes of the handshake stream are missing here (a gap inside a record).
 * The message in progress is handed over as truncated and the rest of it is
 * skipped by its declared length; when the gap may have held a message
 * boundary, later feeds look for messages again (below).
 */
void td_hs_lost(struct td_hs_assembler *a, int side, uint64_t n, td_hs_message_fn fn, void *ctx);

/*
 * Record framing was lost (an unknown number of bytes is missing): hand the
 * message in progress over as truncated and look for messages again.  While
 * looking, each feed (a record body) is searched for the first offset from
 * which messages of registered types chain exactly to its end (or, at its
 * start, one message that continues past it); bytes before it are skipped.
 */
void td_hs_lost_framing(struct td_hs_assembler *a, int side, td_hs_message_fn fn, void *ctx);

/* Forget a partial message (after lost framing). */
void td_hs_reset(struct td_hs_assembler *a);
void td_hs_release(struct td_hs_assembler *a);

#endif
