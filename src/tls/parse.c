/*
 * parse.c — shared parser plumbing: field-path failure details, list
 * reads into scratch memory (RFC 8446 §3.4 vectors) and the output caps on
 * lists (docs/limits.md).
 */
#include "tlsdissect/parse.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void td_parse_begin(struct td_parse *p, struct td_arena *arena)
{
    p->arena = arena;
    p->digests = NULL;
    p->failures = 0;
    p->kind = TD_ANOM_BAD_LENGTH;
    p->detail[0] = '\0';
}

int td_parse_cur_fail(struct td_parse *p, const struct td_cur *c, const char *fmt, ...)
{
    va_list ap;
    if (c->status == TD_CUR_TRUNCATED)
        return -1; /* the capture ended: the fields read so far are all there is */
    if (p->failures++ == 0) {
        char why[96];
        int n;
        va_start(ap, fmt);
        n = vsnprintf(p->detail, sizeof p->detail, fmt, ap);
        va_end(ap);
        td_cur_describe(c, why, sizeof why);
        if (n >= 0 && (size_t)n < sizeof p->detail)
            snprintf(p->detail + n, sizeof p->detail - (size_t)n, ": %s", why);
        /* a read past the declared end, a length beyond it, out of range or
         * not a whole number of elements: each is a length that lies */
        p->kind = TD_ANOM_BAD_LENGTH;
    }
    return -1;
}

int td_parse_fail(struct td_parse *p, enum td_anomaly_kind kind, const char *fmt, ...)
{
    va_list ap;
    if (p->failures++ == 0) {
        va_start(ap, fmt);
        vsnprintf(p->detail, sizeof p->detail, fmt, ap);
        va_end(ap);
        p->kind = kind;
    }
    return -1;
}

int td_parse_u16_list(struct td_parse *p, struct td_cur *vec, struct td_u16_list *out)
{
    size_t n = td_cur_remaining(vec) / 2;
    uint16_t *v = NULL;

    out->v = NULL;
    out->n = 0;
    if (n) {
        v = td_arena_alloc(p->arena, n * sizeof *v);
        if (v == NULL)
            return td_parse_fail(p, TD_ANOM_OUT_OF_MEMORY, "out of memory for a list of %zu", n);
    }
    for (size_t i = 0; i < n; i++)
        if (!td_cur_u16(vec, &v[i]))
            return -1; /* cannot happen: the vector length is even */
    out->v = v;
    out->n = n;
    return 0;
}

size_t td_parse_list_cap(struct td_parse *p, size_t total, size_t cap, const char *field,
                         const char *path_fmt, ...)
{
    char path[TD_ANOMALY_DETAIL];
    va_list ap;

    if (total <= cap)
        return 0;
    va_start(ap, path_fmt);
    vsnprintf(path, sizeof path, path_fmt, ap);
    va_end(ap);
    td_parse_fail(p, TD_ANOM_LIMIT_REACHED, "%s: %zu entries; %s lists the first %zu", path, total,
                  field, cap);
    return total - cap;
}
