/*
 * json_out.h — a streaming JSON builder (RFC 8259) whose bytes are exactly
 * what cJSON_PrintUnformatted prints for the same tree built in the same
 * order: no whitespace, members and elements in the order written, strings
 * escaped as cJSON escapes them.  One buffer, reused from event to event.
 */
#ifndef TD_JSON_OUT_H
#define TD_JSON_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct json_memo;

struct json_out {
    char *buf;      /* the text so far, NUL-terminated when len < cap */
    size_t len, cap;
    char *scratch;  /* reusable room for callers (escaped wire strings) */
    size_t scratch_cap;
    bool failed;    /* out of memory: the text is incomplete */
    struct json_memo *memo; /* fragments rendered before (json_out_memo_*), or NULL */
};

bool json_out_init(struct json_out *o, size_t cap);
void json_out_free(struct json_out *o);
void json_out_reset(struct json_out *o);
/* The text, NUL-terminated, or NULL when a write ran out of memory. */
const char *json_out_text(struct json_out *o);
/* Room for n more bytes at o->buf + o->len (and one for a NUL); false when out of memory. */
bool json_out_grow(struct json_out *o, size_t n);
static inline bool json_out_reserve(struct json_out *o, size_t n)
{
    return n < o->cap - o->len ? !o->failed : json_out_grow(o, n);
}
/* o->scratch with room for n bytes, or NULL. */
char *json_out_scratch(struct json_out *o, size_t n);

/* Bytes written verbatim (a fragment this builder wrote before). */
void json_out_raw(struct json_out *o, const char *s, size_t n);
/* `"key":` after a comma unless it is the object's first member. */
void json_out_key(struct json_out *o, const char *key);
static inline void json_out_put(struct json_out *o, char c)
{
    if (json_out_reserve(o, 1))
        o->buf[o->len++] = c;
}
/* The comma before an array element or member unless the container was just opened. */
static inline void json_out_elem(struct json_out *o)
{
    if (o->len > 0 && o->buf[o->len - 1] != '{' && o->buf[o->len - 1] != '[')
        json_out_put(o, ',');
}
static inline void json_out_open(struct json_out *o, char bracket) { json_out_put(o, bracket); }   /* '{' '[' */
static inline void json_out_close(struct json_out *o, char bracket) { json_out_put(o, bracket); }  /* '}' ']' */
/* s[0..n) quoted and escaped as cJSON's print_string_ptr does. */
void json_out_string(struct json_out *o, const char *s, size_t n);
void json_out_cstring(struct json_out *o, const char *s);
/* Decimal digits, no sign, no exponent (cJSON raw number text). */
void json_out_uint(struct json_out *o, uint64_t v);
/* n bytes as a quoted lowercase hex string. */
void json_out_hex(struct json_out *o, const uint8_t *p, size_t n);

/*
 * Memoised fragments: a value that is a pure function of (tag, key) is
 * rendered once and copied afterwards.  The table is bounded (fixed slots,
 * short keys, capped fragments); a slot is overwritten by the next key that
 * hashes to it.  Callers key only on data that repeats in real traffic.
 */
bool json_out_memo_enable(struct json_out *o);
/* Copies the fragment kept for (tag, key) and returns true, or returns false. */
bool json_out_memo_copy(struct json_out *o, uint32_t tag, const void *key, size_t keylen);
/* Keeps o->buf[start, o->len) as the fragment of (tag, key) when it fits. */
void json_out_memo_keep(struct json_out *o, uint32_t tag, const void *key, size_t keylen, size_t start);

#endif
