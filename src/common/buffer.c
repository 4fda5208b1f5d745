/*
 * buffer.c — capped growable buffers and the per-event scratch arena.
 */
#include "tlsdissect/buffer.h"

#include <stdlib.h>
#include <string.h>

int td_buf_append(struct td_buf *b, const uint8_t *data, size_t n, size_t limit)
{
    if (n == 0)
        return 0;
    if (n > limit || b->len > limit - n)
        return -1;
    if (b->len + n > b->cap) {
        size_t want = b->cap ? b->cap : 256;
        uint8_t *grown;
        while (want < b->len + n)
            want = want > limit / 2 ? limit : want * 2;
        if (b->budget && want - b->cap > b->budget->cap - b->budget->used) {
            /* the budget cannot cover the doubling: try the exact size */
            want = b->len + n;
            if (want - b->cap > b->budget->cap - b->budget->used)
                return TD_BUF_OVER_BUDGET;
        }
        grown = realloc(b->data, want);
        if (grown == NULL)
            return -1;
        if (b->budget)
            b->budget->used += want - b->cap;
        b->data = grown;
        b->cap = want;
    }
    memcpy(b->data + b->len, data, n);
    b->len += n;
    return 0;
}

void td_buf_free(struct td_buf *b)
{
    if (b->budget)
        b->budget->used -= b->cap;
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

void td_buf_clear_trim(struct td_buf *b, size_t keep)
{
    if (b->cap > keep)
        td_buf_free(b);
    b->len = 0;
}

struct td_arena_chunk {
    struct td_arena_chunk *next;
    size_t size;
    max_align_t data[];
};

#define TD_ARENA_CHUNK (64 * 1024)

void *td_arena_alloc(struct td_arena *a, size_t size)
{
    const size_t align = sizeof(max_align_t);
    size_t rounded;
    struct td_arena_chunk *c = a->head;

    if (size > SIZE_MAX - align)
        return NULL;
    rounded = (size + align - 1) / align * align;
    if (c == NULL || c->size - a->used_in_head < rounded) {
        size_t csize = rounded > TD_ARENA_CHUNK ? rounded : TD_ARENA_CHUNK;
        c = malloc(sizeof *c + csize);
        if (c == NULL)
            return NULL;
        c->size = csize;
        c->next = a->head;
        a->head = c;
        a->used_in_head = 0;
    }
    void *p = (uint8_t *)c->data + a->used_in_head;
    a->used_in_head += rounded;
    memset(p, 0, size);
    return p;
}

char *td_arena_strndup(struct td_arena *a, const void *data, size_t len)
{
    char *s;
    if (len == SIZE_MAX)
        return NULL;
    s = td_arena_alloc(a, len + 1);
    if (s == NULL)
        return NULL;
    if (len)
        memcpy(s, data, len);
    s[len] = '\0';
    return s;
}

void td_arena_reset(struct td_arena *a)
{
    /* Keep the oldest chunk (the last in the list) for reuse. */
    struct td_arena_chunk *c = a->head;
    if (c == NULL)
        return;
    while (c->next) {
        struct td_arena_chunk *next = c->next;
        free(c);
        c = next;
    }
    a->head = c;
    a->used_in_head = 0;
}

void td_arena_free(struct td_arena *a)
{
    struct td_arena_chunk *c = a->head;
    while (c) {
        struct td_arena_chunk *next = c->next;
        free(c);
        c = next;
    }
    a->head = NULL;
    a->used_in_head = 0;
}
