/*
 * parse.h — what the message parsers share: scratch memory for the lists
 * they fill, and the first failure, named by its field path
 * ("ClientHello.extensions[3](alpn): length 7 > remaining 5").
 */
#ifndef TLSDISSECT_PARSE_H
#define TLSDISSECT_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tlsdissect/buffer.h"
#include "tlsdissect/cursor.h"
#include "tlsdissect/digest.h"
#include "tlsdissect/model.h"

struct td_parse {
    struct td_arena *arena;
    const struct td_digests *digests; /* NULL: digests are looked up per call */
    unsigned failures;
    enum td_anomaly_kind kind;      /* of the first failure */
    char detail[TD_ANOMALY_DETAIL]; /* of the first failure */
};

/* Start a parse with scratch memory from arena. */
void td_parse_begin(struct td_parse *p, struct td_arena *arena);

/*
 * Record a failed cursor read at a field path (printf format).  A read that
 * ran past only the captured end (TD_CUR_TRUNCATED) is no fault of the
 * message and is not recorded; every other failure is a bad_length at that
 * path.  Only the first failure keeps its detail; all are counted.  Returns
 * -1 so callers can `return td_parse_cur_fail(...)`.
 */
int td_parse_cur_fail(struct td_parse *p, const struct td_cur *c, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Record a failure with a free-text detail. */
int td_parse_fail(struct td_parse *p, enum td_anomaly_kind kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Read a vector of u16 values (a child cursor of even length) into the arena. */
int td_parse_u16_list(struct td_parse *p, struct td_cur *vec, struct td_u16_list *out);

/*
 * An output cap on a list of `total` entries (the TD_MAX_LISTED_* of
 * model.h): when total > cap, report limit_reached with the list's field
 * path (printf format) and total, naming the output `field` that lists
 * the first cap entries.  Returns the number of entries past the cap.
 */
size_t td_parse_list_cap(struct td_parse *p, size_t total, size_t cap, const char *field,
                         const char *path_fmt, ...) __attribute__((format(printf, 5, 6)));

/* Bytes of a cursor as a view. */
static inline struct td_bytes td_parse_rest(const struct td_cur *c)
{
    struct td_bytes b = {td_cur_ptr(c), td_cur_remaining(c)};
    return b;
}

#endif
