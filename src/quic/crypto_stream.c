/*
 * crypto_stream.c — CRYPTO stream reassembly by offset (RFC 9000 §19.6):
 * "the stream does not have an explicit end, so CRYPTO frames do not have
 * a FIN bit"; data is delivered in order, retransmissions may overlap
 * earlier frames at any offset.  The stream is held flat from offset 0
 * (Initial CRYPTO data is a ClientHello or a ServerHello: kilobytes), with
 * a bitmap of the bytes received, so that overlaps of any shape are
 * trimmed byte by byte and compared with the first copy.
 */
#include "quic/crypto_stream.h"

#include <stdlib.h>
#include <string.h>

void td_quic_crypto_init(struct td_quic_crypto_stream *s, size_t cap, struct td_mem_budget *budget)
{
    memset(s, 0, sizeof *s);
    s->cap = cap;
    s->budget = budget;
}

/* Room for bytes up to offset `need` (<= cap).  0, or -1 when the budget or memory says no. */
static int reserve(struct td_quic_crypto_stream *s, size_t need)
{
    size_t n = s->alloc ? s->alloc : 4096;
    uint8_t *data, *have;

    if (need <= s->alloc)
        return 0;
    while (n < need)
        n = n > s->cap / 2 ? s->cap : n * 2;
    if (n > s->cap)
        n = s->cap;
    if (s->budget && n - s->alloc > s->budget->cap - s->budget->used)
        return -1;
    data = calloc(n, 1);
    have = calloc(n / 8 + 1, 1);
    if (data == NULL || have == NULL) {
        free(data);
        free(have);
        return -1;
    }
    if (s->alloc) {
        memcpy(data, s->data, s->alloc);
        memcpy(have, s->have, s->alloc / 8 + 1);
    }
    free(s->data);
    free(s->have);
    if (s->budget)
        s->budget->used += n - s->alloc;
    s->data = data;
    s->have = have;
    s->alloc = n;
    return 0;
}

static int has(const struct td_quic_crypto_stream *s, size_t i)
{
    return s->have[i / 8] >> (i % 8) & 1;
}

void td_quic_crypto_push(struct td_quic_crypto_stream *s, uint64_t offset, const uint8_t *p,
                         size_t n, td_quic_crypto_fn fn, void *ctx,
                         struct td_quic_crypto_notes *notes)
{
    size_t keep, start, end;

    if (offset >= s->cap) {
        notes->beyond_cap += n;
        return;
    }
    start = (size_t)offset;
    keep = n < s->cap - start ? n : s->cap - start; /* counts, not pointers */
    notes->beyond_cap += n - keep;
    end = start + keep;
    if (reserve(s, end) != 0) {
        notes->no_room += keep;
        return;
    }
    for (size_t i = 0; i < keep; i++) {
        size_t at = start + i;
        if (has(s, at)) {
            if (s->data[at] != p[i])
                notes->conflicts++;
            else
                notes->duplicates++;
            continue;
        }
        s->data[at] = p[i];
        s->have[at / 8] |= (uint8_t)(1u << (at % 8));
    }
    if (end > s->high)
        s->high = end;
    while (s->delivered < s->high && has(s, s->delivered)) {
        size_t run = s->delivered;
        while (run < s->high && has(s, run))
            run++;
        fn(ctx, s->data + s->delivered, run - s->delivered);
        s->delivered = run;
    }
}

void td_quic_crypto_release(struct td_quic_crypto_stream *s)
{
    if (s->budget && s->alloc)
        s->budget->used -= s->alloc;
    free(s->data);
    free(s->have);
    s->data = s->have = NULL;
    s->alloc = s->high = s->delivered = 0;
}
