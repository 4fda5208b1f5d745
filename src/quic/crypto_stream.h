/*
 * crypto_stream.h — the CRYPTO stream of one packet number space and one
 * direction (RFC 9000 §19.6, §7.5): bytes placed by offset, handed over in
 * order as soon as they are contiguous, whatever order the frames came in.
 *
 * Invariants: every byte at an offset below `delivered` has been handed
 * over exactly once; bytes are kept from offset 0 up to the highest one
 * received, so a resent byte is compared with the first copy, which wins
 * (a different one is counted as a conflict).  Nothing at or beyond `cap`
 * is kept: those bytes are counted and dropped.  Storage is charged to a
 * run-wide budget.
 */
#ifndef TLSDISSECT_QUIC_CRYPTO_STREAM_H
#define TLSDISSECT_QUIC_CRYPTO_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "tlsdissect/buffer.h"

struct td_quic_crypto_stream {
    uint8_t *data;    /* bytes by offset, [0, alloc) */
    uint8_t *have;    /* a bit per byte of data: received */
    size_t alloc;
    size_t high;      /* one past the highest offset received */
    size_t delivered; /* bytes handed over, from offset 0 */
    size_t cap;
    struct td_mem_budget *budget; /* NULL: none */
};

struct td_quic_crypto_notes {
    uint64_t conflicts;   /* resent bytes that differ from the first copy */
    uint64_t beyond_cap;  /* bytes at offsets at or past the cap: dropped */
    uint64_t no_room;     /* bytes the budget or memory could not hold: dropped */
    uint64_t duplicates;  /* resent bytes equal to the first copy */
};

typedef void (*td_quic_crypto_fn)(void *ctx, const uint8_t *p, size_t n);

void td_quic_crypto_init(struct td_quic_crypto_stream *s, size_t cap, struct td_mem_budget *budget);

/* Place a frame's bytes; whatever became contiguous is handed to fn (in order, once). */
void td_quic_crypto_push(struct td_quic_crypto_stream *s, uint64_t offset, const uint8_t *p,
                         size_t n, td_quic_crypto_fn fn, void *ctx,
                         struct td_quic_crypto_notes *notes);

/* Bytes received beyond a hole, never handed over. */
static inline size_t td_quic_crypto_waiting(const struct td_quic_crypto_stream *s)
{
    return s->high - s->delivered;
}

void td_quic_crypto_release(struct td_quic_crypto_stream *s);

#endif
