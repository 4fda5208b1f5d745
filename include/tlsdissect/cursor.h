/*
 * cursor.h — the bounded cursor: the only way tlsdissect reads wire bytes.
 *
 * Implements the vector notation of RFC 8446 §3.4 / RFC 5246 §4.3
 * (`opaque x<floor..ceiling>`, a 1-, 2- or 3-byte length prefix followed by
 * exactly that many bytes) and fixed-width network-order integers (§3.3).
 *
 * A cursor is a value {pos, end, status}.  Reads either succeed and advance,
 * or fail, set a sticky status and empty the cursor, so that every later read
 * fails too and every `while (td_cur_remaining(&c))` loop ends.  Callers may
 * chain reads and check the status once.  Lengths are compared as counts,
 * never added to pointers.
 *
 * Lifetime: a cursor is a view; the bytes it points at belong to the caller
 * and must outlive it.
 */
#ifndef TLSDISSECT_CURSOR_H
#define TLSDISSECT_CURSOR_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

enum td_cur_status {
    TD_CUR_OK = 0,
    TD_CUR_TRUNCATED,   /* fewer bytes than a fixed-width read needs */
    TD_CUR_BAD_LENGTH,  /* a length prefix larger than what remains */
    TD_CUR_RANGE,       /* a length outside <floor..ceiling> */
    TD_CUR_ALIGNMENT,   /* a length not a multiple of the element size */
};

struct td_cur {
    const uint8_t *pos;
    size_t left;
    enum td_cur_status status;
    size_t want; /* on failure: bytes (or length) asked for */
    size_t have; /* on failure: bytes that remained */
};

static inline struct td_cur td_cur_make(const uint8_t *data, size_t len)
{
    struct td_cur c = {data, len, TD_CUR_OK, 0, 0};
    if (data == NULL)
        c.left = 0;
    return c;
}

static inline size_t td_cur_remaining(const struct td_cur *c) { return c->left; }
static inline int td_cur_ok(const struct td_cur *c) { return c->status == TD_CUR_OK; }
static inline const uint8_t *td_cur_ptr(const struct td_cur *c) { return c->pos; }

/* Record the first failure and empty the cursor. */
static inline void td_cur_fail(struct td_cur *c, enum td_cur_status st, size_t want)
{
    if (c->status == TD_CUR_OK) {
        c->status = st;
        c->want = want;
        c->have = c->left;
    }
    c->left = 0;
}

static inline int td_cur_need(struct td_cur *c, size_t n)
{
    if (c->status != TD_CUR_OK)
        return 0;
    if (c->left < n) {
        td_cur_fail(c, TD_CUR_TRUNCATED, n);
        return 0;
    }
    return 1;
}

static inline int td_cur_u8(struct td_cur *c, uint8_t *out)
{
    if (!td_cur_need(c, 1))
        return 0;
    *out = c->pos[0];
    c->pos += 1;
    c->left -= 1;
    return 1;
}

static inline int td_cur_u16(struct td_cur *c, uint16_t *out)
{
    if (!td_cur_need(c, 2))
        return 0;
    *out = (uint16_t)((unsigned)c->pos[0] << 8 | c->pos[1]);
    c->pos += 2;
    c->left -= 2;
    return 1;
}

static inline int td_cur_u24(struct td_cur *c, uint32_t *out)
{
    if (!td_cur_need(c, 3))
        return 0;
    *out = (uint32_t)c->pos[0] << 16 | (uint32_t)c->pos[1] << 8 | c->pos[2];
    c->pos += 3;
    c->left -= 3;
    return 1;
}

static inline int td_cur_u32(struct td_cur *c, uint32_t *out)
{
    if (!td_cur_need(c, 4))
        return 0;
    *out = (uint32_t)c->pos[0] << 24 | (uint32_t)c->pos[1] << 16 |
           (uint32_t)c->pos[2] << 8 | c->pos[3];
    c->pos += 4;
    c->left -= 4;
    return 1;
}

/* Skip n bytes. */
static inline int td_cur_skip(struct td_cur *c, size_t n)
{
    if (!td_cur_need(c, n))
        return 0;
    c->pos += n;
    c->left -= n;
    return 1;
}

/* Copy n bytes out. */
static inline int td_cur_copy(struct td_cur *c, void *out, size_t n)
{
    if (!td_cur_need(c, n))
        return 0;
    if (n)
        memcpy(out, c->pos, n);
    c->pos += n;
    c->left -= n;
    return 1;
}

/* A child cursor over the next n bytes; the parent skips past them. */
static inline int td_cur_sub(struct td_cur *c, size_t n, struct td_cur *child)
{
    if (!td_cur_need(c, n)) {
        *child = td_cur_make(NULL, 0);
        child->status = c->status;
        return 0;
    }
    *child = td_cur_make(c->pos, n);
    c->pos += n;
    c->left -= n;
    return 1;
}

/*
 * The RFC vector `T x<floor..ceiling>`: read a prefix_bytes-wide length (1, 2
 * or 3), check floor <= length <= ceiling, length <= remaining and
 * length % elem_size == 0, and return a child cursor over exactly the vector.
 * On failure the child is empty and carries the status.
 */
static inline int td_cur_vec(struct td_cur *c, unsigned prefix_bytes, size_t floor,
                             size_t ceiling, size_t elem_size, struct td_cur *child)
{
    size_t len = 0;
    uint8_t b8;
    uint16_t b16;
    uint32_t b24;
    int ok;

    *child = td_cur_make(NULL, 0);
    switch (prefix_bytes) {
    case 1: ok = td_cur_u8(c, &b8); len = b8; break;
    case 2: ok = td_cur_u16(c, &b16); len = b16; break;
    default: ok = td_cur_u24(c, &b24); len = b24; break;
    }
    if (!ok) {
        child->status = c->status;
        return 0;
    }
    if (len > c->left) {
        td_cur_fail(c, TD_CUR_BAD_LENGTH, len);
    } else if (len < floor || len > ceiling) {
        td_cur_fail(c, TD_CUR_RANGE, len);
    } else if (elem_size > 1 && len % elem_size != 0) {
        td_cur_fail(c, TD_CUR_ALIGNMENT, len);
    } else {
        *child = td_cur_make(c->pos, len);
        c->pos += len;
        c->left -= len;
        return 1;
    }
    child->status = c->status;
    return 0;
}

/*
 * Describe a failed cursor for an anomaly detail, e.g.
 * "length 7 > remaining 5".  Writes into buf (always NUL-terminated).
 */
void td_cur_describe(const struct td_cur *c, char *buf, size_t size);

#endif
