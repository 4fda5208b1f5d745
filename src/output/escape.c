/*
 * escape.c — wire strings to safe text: valid UTF-8 (RFC 3629) without
 * control characters passes through, every other byte becomes \xNN.
 * The terminal form also escapes what can reorder or hide text on screen
 * (Unicode bidi controls, UAX #9 §2; zero-width characters, line and
 * paragraph separators, the BOM) and the backslash itself.
 */
#include "tlsdissect/escape.h"

/* Length of the valid UTF-8 sequence at p without a C0/DEL/C1 control, or 0; its code point in *cp. */
static size_t good_sequence(const uint8_t *p, size_t n, uint32_t *cp)
{
    size_t len, i;

    *cp = p[0];
    if (p[0] < 0x80)
        return (p[0] >= 0x20 && p[0] != 0x7f) ? 1 : 0;
    if (p[0] >= 0xc2 && p[0] <= 0xdf) {
        len = 2;
        *cp = p[0] & 0x1f;
    } else if (p[0] >= 0xe0 && p[0] <= 0xef) {
        len = 3;
        *cp = p[0] & 0x0f;
    } else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
        len = 4;
        *cp = p[0] & 0x07;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (i = 1; i < len; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        *cp = *cp << 6 | (p[i] & 0x3f);
    }
    if ((len == 3 && *cp < 0x800) || (len == 4 && *cp < 0x10000) || *cp > 0x10ffff ||
        (*cp >= 0xd800 && *cp <= 0xdfff) || (*cp >= 0x80 && *cp <= 0x9f))
        return 0;
    return len;
}

/*
 * Code points a terminal obeys without showing them: zero-width space,
 * non-joiner and joiner (U+200B-U+200D), the marks LRM/RLM (U+200E-U+200F),
 * line and paragraph separators (U+2028-U+2029), the embeddings and
 * overrides LRE..RLO (U+202A-U+202E), the isolates LRI..PDI (U+2066-U+2069)
 * and the BOM / zero-width no-break space (U+FEFF).
 */
static bool hides_or_reorders(uint32_t cp)
{
    return (cp >= 0x200b && cp <= 0x200f) || cp == 0x2028 || cp == 0x2029 ||
           (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0xfeff;
}

static size_t put_hex_byte(char *out, uint8_t b)
{
    static const char hex[] = "0123456789abcdef";
    out[0] = '\\';
    out[1] = 'x';
    out[2] = hex[b >> 4];
    out[3] = hex[b & 15];
    return 4;
}

static bool escape(const uint8_t *in, size_t n, char *out, bool for_terminal)
{
    bool changed = false;
    size_t i = 0, o = 0;

    while (i < n) {
        uint32_t cp;
        size_t len = good_sequence(in + i, n - i, &cp);
        if (for_terminal && in[i] == '\\') {
            out[o++] = '\\';
            out[o++] = '\\';
            i++;
            changed = true;
            continue;
        }
        if (len && !(for_terminal && hides_or_reorders(cp))) {
            for (size_t k = 0; k < len; k++)
                out[o++] = (char)in[i + k];
            i += len;
            continue;
        }
        /* an invisible code point: every byte of it; anything else: the first byte */
        size_t bad = len ? len : 1;
        for (size_t k = 0; k < bad; k++)
            o += put_hex_byte(out + o, in[i + k]);
        i += bad;
        changed = true;
    }
    out[o] = '\0';
    return changed;
}

bool td_escape(const uint8_t *in, size_t n, char *out)
{
    return escape(in, n, out, false);
}

bool td_escape_terminal(const uint8_t *in, size_t n, char *out)
{
    return escape(in, n, out, true);
}
