/*
 * cursor.h — the bounded cursor: the only way tlsdissect reads wire bytes.
 *
 * Implements the vector notation of RFC 8446 §3.4 / RFC 5246 §4.3
 * (`opaque x<floor..ceiling>`, a 1-, 2- or 3-byte length prefix followed by
 * exactly that many bytes) and fixed-width network-order integers (§3.3).
 *
 * A cursor is a value with two ends: the declared end (where the message's
 * own lengths say it stops) and the captured end (where the capture stopped
 * keeping bytes; a snaplen cut puts it before the declared end).  Reads
 * either succeed and advance, or fail, set a sticky status and empty the
 * cursor, so that every later read fails too and every
 * `while (td_cur_remaining(&c))` loop ends.  Callers may chain reads and
 * check the status once.  Lengths are compared as counts, never added to
 * pointers.
 *
 * A read that runs past the captured end but not past the declared end is
 * TD_CUR_TRUNCATED: the capture's loss, no fault of the message.  A read or
 * a length past the declared end, and a length out of range or not a whole
 * number of elements, are faults of the message (tcpdump's split between
 * nd_trunc and an invalid packet).  The length checks come first, so a cut
 * never hides a length that lies where it was captured.
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
    TD_CUR_TRUNCATED,   /* a read past the captured end, within the declared end */
    TD_CUR_SHORT,       /* a fixed-width read or a range past the declared end */
    TD_CUR_BAD_LENGTH,  /* a length prefix beyond the declared end */
    TD_CUR_RANGE,       /* a length outside <floor..ceiling> */
    TD_CUR_ALIGNMENT,   /* a length not a multiple of the element size */
};

struct td_cur {
    const uint8_t *pos;
    size_t left;     /* captured bytes from pos: the only ones that may be read */
    size_t declared; /* bytes from pos to the declared end; never less than left */
    enum td_cur_status status;
    size_t want; /* on failure: bytes (or length) asked for */
    size_t have; /* on failure: bytes to the end that was passed (captured or declared) */
};

/*
 * A cursor over captured of declared bytes: captured < declared when the
 * capture cut the message (captured is clamped to declared).  With data
 * NULL nothing was captured.
 */
static inline struct td_cur td_cur_make_partial(const uint8_t *data, size_t captured,
                                                size_t declared)
{
    struct td_cur c = {data, captured < declared ? captured : declared, declared, TD_CUR_OK, 0, 0};
    if (data == NULL)
        c.left = 0;
    return c;
}

/* A cursor over a whole buffer: both ends at data + len (none with data NULL). */
static inline struct td_cur td_cur_make(const uint8_t *data, size_t len)
{
    return td_cur_make_partial(data, len, data == NULL ? 0 : len);
}

/* Captured bytes that remain: what may be read or viewed. */
static inline size_t td_cur_remaining(const struct td_cur *c) { return c->left; }
/* Bytes to the declared end, captured or not: what the message says remains. */
static inline size_t td_cur_declared(const struct td_cur *c) { return c->declared; }
static inline int td_cur_ok(const struct td_cur *c) { return c->status == TD_CUR_OK; }
static inline const uint8_t *td_cur_ptr(const struct td_cur *c) { return c->pos; }

/* Record the first failure and empty the cursor. */
static inline void td_cur_fail(struct td_cur *c, enum td_cur_status st, size_t want)
{
    if (c->status == TD_CUR_OK) {
        c->status = st;
        c->want = want;
        c->have = st == TD_CUR_TRUNCATED ? c->left : c->declared;
    }
    c->left = 0;
    c->declared = 0;
}

/* n more bytes: within the declared end first, then within the captured end. */
static inline int td_cur_need(struct td_cur *c, size_t n)
{
    if (c->status != TD_CUR_OK)
        return 0;
    if (c->declared < n) {
        td_cur_fail(c, TD_CUR_SHORT, n);
        return 0;
    }
    if (c->left < n) {
        td_cur_fail(c, TD_CUR_TRUNCATED, n);
        return 0;
    }
    return 1;
}

/* Past n bytes that td_cur_need allowed. */
static inline void td_cur_advance(struct td_cur *c, size_t n)
{
    c->pos += n;
    c->left -= n;
    c->declared -= n;
}

static inline int td_cur_u8(struct td_cur *c, uint8_t *out)
{
    if (!td_cur_need(c, 1))
        return 0;
    *out = c->pos[0];
    td_cur_advance(c, 1);
    return 1;
}

static inline int td_cur_u16(struct td_cur *c, uint16_t *out)
{
    if (!td_cur_need(c, 2))
        return 0;
    *out = (uint16_t)((unsigned)c->pos[0] << 8 | c->pos[1]);
    td_cur_advance(c, 2);
    return 1;
}

static inline int td_cur_u24(struct td_cur *c, uint32_t *out)
{
    if (!td_cur_need(c, 3))
        return 0;
    *out = (uint32_t)c->pos[0] << 16 | (uint32_t)c->pos[1] << 8 | c->pos[2];
    td_cur_advance(c, 3);
    return 1;
}

static inline int td_cur_u32(struct td_cur *c, uint32_t *out)
{
    if (!td_cur_need(c, 4))
        return 0;
    *out = (uint32_t)c->pos[0] << 24 | (uint32_t)c->pos[1] << 16 |
           (uint32_t)c->pos[2] << 8 | c->pos[3];
    td_cur_advance(c, 4);
    return 1;
}

/* Skip n bytes. */
static inline int td_cur_skip(struct td_cur *c, size_t n)
{
    if (!td_cur_need(c, n))
        return 0;
    td_cur_advance(c, n);
    return 1;
}

/* Copy n bytes out. */
static inline int td_cur_copy(struct td_cur *c, void *out, size_t n)
{
    if (!td_cur_need(c, n))
        return 0;
    if (n)
        memcpy(out, c->pos, n);
    td_cur_advance(c, n);
    return 1;
}

/*
 * The child over the next n bytes, n already checked against the declared
 * end.  All captured: a whole child, the parent skips past it.  Cut by the
 * capture: the child keeps the captured part with n as its declared end (a
 * truncated child, whose own reads can still find faults), and the parent,
 * which has nothing captured after it, fails TD_CUR_TRUNCATED.
 */
static inline int td_cur_split(struct td_cur *c, size_t n, struct td_cur *child)
{
    if (n > c->left) {
        *child = td_cur_make_partial(c->pos, c->left, n);
        td_cur_fail(c, TD_CUR_TRUNCATED, n);
        return 0;
    }
    *child = td_cur_make(c->pos, n);
    td_cur_advance(c, n);
    return 1;
}

/*
 * A child cursor over the next n bytes; the parent skips past them.  Returns
 * 1 when all n were captured.  On TD_CUR_TRUNCATED the child is the
 * truncated child (td_cur_split); on any other failure it is empty and
 * carries the status.
 */
static inline int td_cur_sub(struct td_cur *c, size_t n, struct td_cur *child)
{
    if (c->status == TD_CUR_OK && n > c->declared)
        td_cur_fail(c, TD_CUR_SHORT, n);
    if (c->status != TD_CUR_OK) {
        *child = td_cur_make(NULL, 0);
        child->status = c->status;
        return 0;
    }
    return td_cur_split(c, n, child);
}

/*
 * The RFC vector `T x<floor..ceiling>`: read a prefix_bytes-wide length (1, 2
 * or 3), check length <= declared remaining, floor <= length <= ceiling and
 * length % elem_size == 0, and return a child cursor over exactly the vector.
 * Returns 1 when the whole vector was captured.  On TD_CUR_TRUNCATED (the
 * prefix, or the vector, runs past the captured end) the child is the
 * truncated child when the prefix was read (td_cur_split), else empty; on a
 * fault the child is empty and carries the status.
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
    if (len > c->declared) {
        td_cur_fail(c, TD_CUR_BAD_LENGTH, len);
    } else if (len < floor || len > ceiling) {
        td_cur_fail(c, TD_CUR_RANGE, len);
    } else if (elem_size > 1 && len % elem_size != 0) {
        td_cur_fail(c, TD_CUR_ALIGNMENT, len);
    } else {
        return td_cur_split(c, len, child);
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
