/*
 * buffer.h — a growable byte buffer with a hard cap, and a scratch arena.
 *
 * td_buf holds bytes that must wait for more input (a record or handshake
 * message spanning TCP segments).  Every append names its cap; growth is
 * geometric and checked, never `p = realloc(p, n)`.
 *
 * td_arena is per-event scratch memory for parsed lists: allocations live
 * until td_arena_reset(), which keeps the first chunk for reuse, so the
 * steady state allocates nothing.
 */
#ifndef TLSDISSECT_BUFFER_H
#define TLSDISSECT_BUFFER_H

#include <stddef.h>
#include <stdint.h>

/*
 * Memory that wire data makes a run hold, shared by every buffer a peer can
 * grow (records and handshake messages that span segments): a buffer that
 * would take the total past cap does not grow, and its owner reports it.
 */
struct td_mem_budget {
    size_t used;
    size_t cap;
};

struct td_buf {
    uint8_t *data;
    size_t len;
    size_t cap;
    struct td_mem_budget *budget; /* charged with cap; NULL: none */
};

/* td_buf_append's answer when the budget, not the buffer's own limit, said no. */
#define TD_BUF_OVER_BUDGET (-2)

/* 0 on success; -1 when len + n would exceed limit or memory ran out;
 * TD_BUF_OVER_BUDGET when growing would pass the budget. */
int td_buf_append(struct td_buf *b, const uint8_t *data, size_t n, size_t limit);
static inline void td_buf_clear(struct td_buf *b) { b->len = 0; }
/* Empty the buffer, and free its storage when it holds more than keep bytes
 * (one big message must not pin its memory for the connection's life). */
void td_buf_clear_trim(struct td_buf *b, size_t keep);
/* Free storage; the buffer is empty and reusable afterwards (its budget stays). */
void td_buf_free(struct td_buf *b);

struct td_arena_chunk;
struct td_arena {
    struct td_arena_chunk *head;
    size_t used_in_head;
};

/* Zeroed memory aligned for any scalar, or NULL when out of memory. */
void *td_arena_alloc(struct td_arena *a, size_t size);
/* Copy of data with a NUL after it (for strings), or NULL. */
char *td_arena_strndup(struct td_arena *a, const void *data, size_t len);
void td_arena_reset(struct td_arena *a);
void td_arena_free(struct td_arena *a);

#endif
