/*
 * json_out.c — streaming JSON (RFC 8259 §2, §7) byte-identical to
 * cJSON_PrintUnformatted.
 *
 * What is exact about cJSON's unformatted format (cJSON.c print_value,
 * print_object, print_array, print_string_ptr):
 *   - no whitespace anywhere: `{"a":1,"b":[1,2]}`, empty ones as `{}` `[]`;
 *   - keys go through the same string printer as values;
 *   - in a string, `"` and `\` are backslash-escaped, \b \f \n \r \t use
 *     their short escapes, every other byte below 0x20 is `\u00xx` with
 *     lowercase hex, and every byte from 0x20 up (0x7f and non-ASCII
 *     included) is copied verbatim, valid UTF-8 or not;
 *   - raw items (our integers) are copied verbatim; true, false, null.
 * tests/unit/test_json_out.c checks this against cJSON itself.
 */
#include "json_out.h"

#include <stdlib.h>
#include <string.h>

#include "tlsdissect/format.h"

bool json_out_init(struct json_out *o, size_t cap)
{
    memset(o, 0, sizeof *o);
    o->buf = malloc(cap);
    if (o->buf == NULL)
        return false;
    o->cap = cap;
    o->buf[0] = '\0';
    return true;
}

void json_out_free(struct json_out *o)
{
    free(o->buf);
    free(o->scratch);
    memset(o, 0, sizeof *o);
}

void json_out_reset(struct json_out *o)
{
    o->len = 0;
    o->failed = false;
}

bool json_out_reserve(struct json_out *o, size_t n)
{
    size_t cap = o->cap;
    char *grown;
    if (o->failed)
        return false;
    if (n < cap - o->len) /* keeps one byte for the terminating NUL */
        return true;
    while (n >= cap - o->len) {
        if (cap >= ((size_t)1 << 30)) {
            o->failed = true;
            return false;
        }
        cap *= 2;
    }
    grown = realloc(o->buf, cap);
    if (grown == NULL) {
        o->failed = true;
        return false;
    }
    o->buf = grown;
    o->cap = cap;
    return true;
}

char *json_out_scratch(struct json_out *o, size_t n)
{
    if (n > o->scratch_cap) {
        size_t cap = o->scratch_cap ? o->scratch_cap : 1024;
        char *grown;
        while (cap < n)
            cap *= 2;
        grown = realloc(o->scratch, cap);
        if (grown == NULL) {
            o->failed = true;
            return NULL;
        }
        o->scratch = grown;
        o->scratch_cap = cap;
    }
    return o->scratch;
}

const char *json_out_text(struct json_out *o)
{
    if (o->failed)
        return NULL;
    o->buf[o->len] = '\0';
    return o->buf;
}

void json_out_raw(struct json_out *o, const char *s, size_t n)
{
    if (!json_out_reserve(o, n))
        return;
    memcpy(o->buf + o->len, s, n);
    o->len += n;
}

static void put_byte(struct json_out *o, char c)
{
    if (json_out_reserve(o, 1))
        o->buf[o->len++] = c;
}

/* A comma unless the container was just opened (or nothing is written yet). */
static void separator(struct json_out *o)
{
    if (o->len > 0 && o->buf[o->len - 1] != '{' && o->buf[o->len - 1] != '[')
        put_byte(o, ',');
}

void json_out_key(struct json_out *o, const char *key)
{
    separator(o);
    json_out_cstring(o, key);
    put_byte(o, ':');
}

void json_out_elem(struct json_out *o) { separator(o); }
void json_out_open(struct json_out *o, char bracket) { put_byte(o, bracket); }
void json_out_close(struct json_out *o, char bracket) { put_byte(o, bracket); }

/*
 * The escape of each byte as cJSON writes it: 0 = verbatim, 'u' = \u00xx,
 * anything else = backslash and that letter.
 */
static const char string_escape[256] = {
    'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'b', 't', 'n', 'u', 'f', 'r', 'u', 'u',
    'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u',
    ['"'] = '"', ['\\'] = '\\',
};

void json_out_string(struct json_out *o, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s;
    char *w;
    /* worst case: every byte as \u00xx, plus the quotes */
    if (!json_out_reserve(o, n * 6 + 2))
        return;
    w = o->buf + o->len;
    *w++ = '"';
    for (size_t i = 0; i < n;) {
        size_t run = i;
        while (run < n && string_escape[p[run]] == 0)
            run++;
        memcpy(w, p + i, run - i);
        w += run - i;
        if (run == n)
            break;
        *w++ = '\\';
        if (string_escape[p[run]] == 'u') {
            *w++ = 'u';
            *w++ = '0';
            *w++ = '0';
            *w++ = hex[p[run] >> 4];
            *w++ = hex[p[run] & 15];
        } else {
            *w++ = string_escape[p[run]];
        }
        i = run + 1;
    }
    *w++ = '"';
    o->len = (size_t)(w - o->buf);
}

/* cJSON prints a string reference to NULL as "" (print_string_ptr). */
void json_out_cstring(struct json_out *o, const char *s)
{
    json_out_string(o, s ? s : "", s ? strlen(s) : 0);
}

void json_out_uint(struct json_out *o, uint64_t v)
{
    char num[24], *p = num + sizeof num;
    do {
        *--p = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    json_out_raw(o, p, (size_t)(num + sizeof num - p));
}

void json_out_hex(struct json_out *o, const uint8_t *p, size_t n)
{
    if (!json_out_reserve(o, n * 2 + 3))
        return;
    o->buf[o->len++] = '"';
    td_format_hex(o->buf + o->len, p, n);
    o->len += n * 2;
    o->buf[o->len++] = '"';
}
