/*
 * escape.c — wire strings to safe text: valid UTF-8 (RFC 3629) without
 * control characters passes through, every other byte becomes \xNN.
 */
#include "tlsdissect/escape.h"

/* Length of the valid, printable UTF-8 sequence at p, or 0. */
static size_t good_sequence(const uint8_t *p, size_t n)
{
    uint32_t cp;
    size_t len, i;

    if (p[0] < 0x80)
        return (p[0] >= 0x20 && p[0] != 0x7f) ? 1 : 0;
    if (p[0] >= 0xc2 && p[0] <= 0xdf) {
        len = 2;
        cp = p[0] & 0x1f;
    } else if (p[0] >= 0xe0 && p[0] <= 0xef) {
        len = 3;
        cp = p[0] & 0x0f;
    } else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
        len = 4;
        cp = p[0] & 0x07;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (i = 1; i < len; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (p[i] & 0x3f);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
        (cp >= 0xd800 && cp <= 0xdfff) || (cp >= 0x80 && cp <= 0x9f))
        return 0;
    return len;
}

bool td_escape(const uint8_t *in, size_t n, char *out)
{
    static const char hex[] = "0123456789abcdef";
    bool changed = false;
    size_t i = 0, o = 0;

    while (i < n) {
        size_t len = good_sequence(in + i, n - i);
        if (len) {
            for (size_t k = 0; k < len; k++)
                out[o++] = (char)in[i + k];
            i += len;
            continue;
        }
        out[o++] = '\\';
        out[o++] = 'x';
        out[o++] = hex[in[i] >> 4];
        out[o++] = hex[in[i] & 15];
        i++;
        changed = true;
    }
    out[o] = '\0';
    return changed;
}
