/*
 * fingerprint.c — JA3 / JA3S (salesforce/ja3 README) and JA4 (FoxIO JA4
 * technical details): plain functions of the parsed hello fields.
 *
 *   JA3  = md5("version,ciphers,extensions,groups,point_formats")
 *   JA3S = md5("version,cipher,extensions")
 *   JA4  = <t|q><ver><d|i><nn ciphers><nn extensions><alpn>_<sha256(sorted ciphers)[:12]>
 *          _<sha256(sorted extensions without SNI/ALPN "_" signature algorithms)[:12]>
 * (t over TCP, q over QUIC). GREASE values are left out everywhere.
 */
#include "tls/fingerprint.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tlsdissect/codepoints.h"
#include "tlsdissect/format.h"
#include "tlsdissect/registry.h"

/* A bounded string builder in the arena. */
struct sb {
    char *s;
    size_t len, cap;
    bool overflow;
};

static void sb_init(struct td_parse *p, struct sb *b, size_t cap)
{
    b->s = td_arena_alloc(p->arena, cap + 1);
    b->len = 0;
    b->cap = b->s ? cap : 0;
    b->overflow = b->s == NULL;
}

static void sb_char(struct sb *b, char c)
{
    if (b->overflow || b->len >= b->cap) {
        b->overflow = true;
        return;
    }
    b->s[b->len++] = c;
    b->s[b->len] = '\0';
}

/* Room for n more characters (and the NUL), or overflow. */
static bool sb_room(struct sb *b, size_t n)
{
    if (b->overflow || b->cap - b->len < n) {
        b->overflow = true;
        return false;
    }
    return true;
}

/* Decimal, as JA3 writes code points (no printf: this runs per value). */
static void sb_dec(struct sb *b, unsigned v)
{
    char digits[10];
    int n = 0;
    do {
        digits[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    if (!sb_room(b, (size_t)n))
        return;
    while (n)
        b->s[b->len++] = digits[--n];
    b->s[b->len] = '\0';
}

/* Four lowercase hex digits, as JA4 writes code points. */
static void sb_hex4(struct sb *b, unsigned v)
{
    static const char hex[] = "0123456789abcdef";
    if (!sb_room(b, 4))
        return;
    for (int shift = 12; shift >= 0; shift -= 4)
        b->s[b->len++] = hex[(v >> shift) & 15];
    b->s[b->len] = '\0';
}

/* Decimal values joined with '-', GREASE left out. */
static void sb_u16_list(struct sb *b, const uint16_t *v, size_t n)
{
    bool first = true;
    for (size_t i = 0; i < n; i++) {
        if (td_is_grease(v[i]))
            continue;
        if (!first)
            sb_char(b, '-');
        sb_dec(b, v[i]);
        first = false;
    }
}

static void sb_u8_list(struct sb *b, const uint8_t *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (i)
            sb_char(b, '-');
        sb_dec(b, v[i]);
    }
}

static const char *digest_hex(struct td_parse *p, enum td_digest_kind kind, const char *s,
                              size_t len, size_t hex_chars)
{
    uint8_t digest[64];
    unsigned dlen = td_digest(p->digests, kind, s, len, digest);
    char *hex;

    if (dlen == 0)
        return NULL;
    hex = td_arena_alloc(p->arena, dlen * 2 + 1);
    if (hex == NULL)
        return NULL;
    td_format_hex(hex, digest, dlen);
    if (hex_chars < dlen * 2)
        hex[hex_chars] = '\0';
    return hex;
}

static void ja3(struct td_parse *p, struct td_client_hello *ch)
{
    struct sb b;
    /* 5 decimal digits and a dash per value at most */
    size_t cap = 16 + 6 * (ch->cipher_suites.n + ch->extensions.n + ch->supported_groups.n +
                           ch->ec_point_formats.len);
    sb_init(p, &b, cap);
    sb_dec(&b, ch->legacy_version);
    sb_char(&b, ',');
    sb_u16_list(&b, ch->cipher_suites.v, ch->cipher_suites.n);
    sb_char(&b, ',');
    sb_u16_list(&b, ch->extensions.v, ch->extensions.n);
    sb_char(&b, ',');
    sb_u16_list(&b, ch->supported_groups.v, ch->supported_groups.n);
    sb_char(&b, ',');
    sb_u8_list(&b, ch->ec_point_formats.data, ch->ec_point_formats.len);
    if (b.overflow)
        return;
    ch->ja3_string = b.s;
    ch->ja3 = digest_hex(p, TD_MD5, b.s, b.len, 32);
}

static int cmp_u16(const void *a, const void *b)
{
    uint16_t x = *(const uint16_t *)a, y = *(const uint16_t *)b;
    return (x > y) - (x < y);
}

/*
 * Insertion sort for the short lists real hellos carry (it beats qsort's
 * calls); qsort for long ones, which only a hostile hello has (n^2 would be
 * a way to stall us).
 */
static void sort_u16(uint16_t *v, size_t n)
{
    if (n > 64) {
        qsort(v, n, sizeof *v, cmp_u16);
        return;
    }
    for (size_t i = 1; i < n; i++) {
        uint16_t x = v[i];
        size_t j = i;
        while (j > 0 && v[j - 1] > x) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = x;
    }
}

/* Non-GREASE values, optionally without SNI and ALPN, optionally sorted. */
static size_t filtered(struct td_parse *p, const struct td_u16_list *in, bool drop_sni_alpn,
                       bool sort, uint16_t **out)
{
    size_t n = 0;
    uint16_t *v = td_arena_alloc(p->arena, (in->n ? in->n : 1) * sizeof *v);
    *out = v;
    if (v == NULL)
        return 0;
    for (size_t i = 0; i < in->n; i++) {
        if (td_is_grease(in->v[i]))
            continue;
        if (drop_sni_alpn && (in->v[i] == TD_EXT_SERVER_NAME ||
                               in->v[i] == TD_EXT_APPLICATION_LAYER_PROTOCOL_NEGOTIATION))
            continue;
        v[n++] = in->v[i];
    }
    if (sort)
        sort_u16(v, n);
    return n;
}

static void sb_hex_list(struct sb *b, const uint16_t *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (i)
            sb_char(b, ',');
        sb_hex4(b, v[i]);
    }
}

static const char *ja4_version(uint16_t v)
{
    static const struct {
        uint16_t v;
        const char *code;
    } codes[] = {
        {TD_VERSION_TLS_1_3, "13"},  {TD_VERSION_TLS_1_2, "12"},  {TD_VERSION_TLS_1_1, "11"},
        {TD_VERSION_TLS_1_0, "10"},  {TD_VERSION_SSL_3_0, "s3"},  {TD_VERSION_SSL_2_0, "s2"},
        {TD_VERSION_DTLS_1_0, "d1"}, {TD_VERSION_DTLS_1_2, "d2"}, {TD_VERSION_DTLS_1_3, "d3"},
    };
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
        if (codes[i].v == v)
            return codes[i].code;
    return "00";
}

/* First and last characters of the first ALPN value: alphanumerics as they are, else "99". */
static void ja4_alpn(const struct td_client_hello *ch, char out[3])
{
    const struct td_bytes *first;
    out[0] = out[1] = '0';
    out[2] = '\0';
    if (!ch->has_alpn || ch->alpn.n == 0 || ch->alpn.v[0].len == 0)
        return;
    first = &ch->alpn.v[0];
    uint8_t a = first->data[0], z = first->data[first->len - 1];
    if (a < 0x80 && isalnum(a) && z < 0x80 && isalnum(z)) {
        out[0] = (char)a;
        out[1] = (char)z;
    } else {
        out[0] = out[1] = '9';
    }
}

static void ja4(struct td_parse *p, struct td_client_hello *ch, char transport)
{
    uint16_t version = ch->legacy_version, *ciphers, *exts;
    size_t nc, ne_all, ne, i;
    char alpn[3], head[16];
    const char *hash_b = "000000000000", *hash_c = "000000000000";
    struct sb b;
    char *out;

    if (ch->has_supported_versions) {
        uint16_t best = 0;
        for (i = 0; i < ch->supported_versions.n; i++) {
            uint16_t v = ch->supported_versions.v[i];
            if (td_is_grease(v) || (v >= 0xfe00) != (transport == 'd'))
                continue;
            /* DTLS versions count down (RFC 9147 §5.3): the newest is the smallest */
            if (best == 0 || (transport == 'd' ? v < best : v > best))
                best = v;
        }
        if (best)
            version = best;
    }
    nc = filtered(p, &ch->cipher_suites, false, true, &ciphers);
    ne_all = filtered(p, &ch->extensions, false, false, &exts);
    ne = filtered(p, &ch->extensions, true, true, &exts);
    ja4_alpn(ch, alpn);
    snprintf(head, sizeof head, "%c%s%c%02u%02u%s", transport, ja4_version(version), ch->has_sni ? 'd' : 'i',
             (unsigned)(nc > 99 ? 99 : nc), (unsigned)(ne_all > 99 ? 99 : ne_all), alpn);

    if (nc) {
        sb_init(p, &b, nc * 5);
        sb_hex_list(&b, ciphers, nc);
        if (!b.overflow)
            hash_b = digest_hex(p, TD_SHA256, b.s, b.len, 12);
    }
    if (ne) {
        size_t ns = ch->has_signature_algorithms ? ch->signature_algorithms.n : 0;
        sb_init(p, &b, (ne + ns) * 5 + 1);
        sb_hex_list(&b, exts, ne);
        if (ns) {
            uint16_t *sigs;
            size_t n = filtered(p, &ch->signature_algorithms, false, false, &sigs);
            if (n) {
                sb_char(&b, '_');
                sb_hex_list(&b, sigs, n);
            }
        }
        if (!b.overflow)
            hash_c = digest_hex(p, TD_SHA256, b.s, b.len, 12);
    }
    if (hash_b == NULL || hash_c == NULL)
        return;
    out = td_arena_alloc(p->arena, 64);
    if (out == NULL)
        return;
    snprintf(out, 64, "%s_%s_%s", head, hash_b, hash_c);
    ch->ja4 = out;
}

void td_fingerprint_client_hello(struct td_parse *p, struct td_client_hello *ch, char transport)
{
    if (ch->sslv2_format)
        return; /* JA3 and JA4 are defined on the TLS ClientHello only */
    ja3(p, ch);
    ja4(p, ch, transport);
}

void td_fingerprint_server_hello(struct td_parse *p, struct td_server_hello *sh)
{
    struct sb b;
    sb_init(p, &b, 32 + 6 * sh->extensions.n);
    sb_dec(&b, sh->legacy_version);
    sb_char(&b, ',');
    sb_dec(&b, sh->cipher_suite);
    sb_char(&b, ',');
    sb_u16_list(&b, sh->extensions.v, sh->extensions.n);
    if (b.overflow)
        return;
    sh->ja3s_string = b.s;
    sh->ja3s = digest_hex(p, TD_MD5, b.s, b.len, 32);
}
