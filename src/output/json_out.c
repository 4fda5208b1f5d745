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

#define MEMO_SLOTS 256
#define MEMO_KEY_MAX 256
#define MEMO_TEXT_MAX 4096

struct memo_slot {
    bool used;
    uint32_t tag;
    uint16_t keylen, textlen;
    uint8_t key[MEMO_KEY_MAX];
    char *text; /* MEMO_TEXT_MAX bytes, allocated on first use */
};

struct json_memo {
    struct memo_slot slot[MEMO_SLOTS];
};

static void memo_free(struct json_memo *m)
{
    if (m == NULL)
        return;
    for (size_t i = 0; i < MEMO_SLOTS; i++)
        free(m->slot[i].text);
    free(m);
}

void json_out_free(struct json_out *o)
{
    memo_free(o->memo);
    free(o->buf);
    free(o->scratch);
    memset(o, 0, sizeof *o);
}

void json_out_reset(struct json_out *o)
{
    o->len = 0;
    o->failed = false;
}

bool json_out_grow(struct json_out *o, size_t n)
{
    size_t cap = o->cap;
    char *grown;
    if (o->failed)
        return false;
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



/*
 * The escape of each byte as cJSON writes it: 0 = verbatim, 'u' = \u00xx,
 * anything else = backslash and that letter.
 */
static const char string_escape[256] = {
    'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'b', 't', 'n', 'u', 'f', 'r', 'u', 'u',
    'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u',
    ['"'] = '"', ['\\'] = '\\',
};

/* Whether none of the 8 bytes of x needs an escape: none below 0x20, no '"', no '\\'. */
static bool plain8(uint64_t x)
{
    const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
    uint64_t quote = x ^ (ones * '"'), backslash = x ^ (ones * '\\');
    uint64_t found = ((x - ones * 0x20) & ~x) | ((quote - ones) & ~quote) | ((backslash - ones) & ~backslash);
    return (found & high) == 0;
}

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
        uint64_t word;
        /* plain bytes 8 at a time, then one at a time up to the next escape */
        while (run + 8 <= n && (memcpy(&word, p + run, 8), plain8(word)))
            run += 8;
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

/* Keys are short literals that need no escape: copied in one pass, escaped otherwise. */
#define KEY_FAST_MAX 64

void json_out_key(struct json_out *o, const char *key)
{
    json_out_elem(o);
    if (json_out_reserve(o, KEY_FAST_MAX + 3)) {
        char *w = o->buf + o->len + 1;
        size_t i = 0;
        while (i < KEY_FAST_MAX && key[i] && string_escape[(unsigned char)key[i]] == 0) {
            w[i] = key[i];
            i++;
        }
        if (key[i] == '\0') {
            w[-1] = '"';
            w[i] = '"';
            w[i + 1] = ':';
            o->len += i + 3;
            return;
        }
    }
    json_out_cstring(o, key);
    json_out_put(o, ':');
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

bool json_out_memo_enable(struct json_out *o)
{
    if (o->memo == NULL)
        o->memo = calloc(1, sizeof *o->memo);
    return o->memo != NULL;
}

/* FNV-1a over the tag and the key: a slot index, not a security boundary
 * (a collision only means the fragment is rendered again). */
static struct memo_slot *memo_slot(struct json_memo *m, uint32_t tag, const void *key, size_t keylen)
{
    const uint8_t *p = key;
    uint32_t h = 2166136261u ^ tag;
    h *= 16777619u;
    for (size_t i = 0; i < keylen; i++) {
        h ^= p[i];
        h *= 16777619u;
    }
    return &m->slot[h % MEMO_SLOTS];
}

bool json_out_memo_copy(struct json_out *o, uint32_t tag, const void *key, size_t keylen)
{
    struct memo_slot *s;
    if (o->memo == NULL || keylen == 0 || keylen > MEMO_KEY_MAX) /* empty: key may be NULL */
        return false;
    s = memo_slot(o->memo, tag, key, keylen);
    if (!s->used || s->tag != tag || s->keylen != keylen || memcmp(s->key, key, keylen) != 0)
        return false;
    json_out_raw(o, s->text, s->textlen);
    return true;
}

void json_out_memo_keep(struct json_out *o, uint32_t tag, const void *key, size_t keylen, size_t start)
{
    struct memo_slot *s;
    size_t textlen = o->len - start;
    if (o->memo == NULL || o->failed || keylen == 0 || keylen > MEMO_KEY_MAX || textlen > MEMO_TEXT_MAX)
        return;
    s = memo_slot(o->memo, tag, key, keylen);
    if (s->text == NULL && (s->text = malloc(MEMO_TEXT_MAX)) == NULL)
        return;
    s->used = true;
    s->tag = tag;
    s->keylen = (uint16_t)keylen;
    s->textlen = (uint16_t)textlen;
    memcpy(s->key, key, keylen);
    memcpy(s->text, o->buf + start, textlen);
}
