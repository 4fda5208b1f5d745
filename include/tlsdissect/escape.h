/*
 * escape.h — making wire strings safe to print (output contract: "Strings
 * taken from the wire pass through when they are valid UTF-8 without
 * control characters; otherwise each offending byte is written as \xNN").
 *
 * Offending bytes: invalid UTF-8 (RFC 3629 §3: overlong forms, surrogates,
 * values past U+10FFFF, truncated sequences) and control characters: C0,
 * DEL and the C1 range U+0080-U+009F, which terminals also obey.
 *
 * The terminal form (the text output) escapes more: a name shown on a
 * terminal must read as the bytes it holds, so code points that reorder or
 * hide text (bidi controls, zero-width characters, U+2028/U+2029, the BOM;
 * see escape.c) become the \xNN of each of their bytes, and a backslash
 * becomes \\ (so a literal "\x00" on the wire cannot pass for an escaped NUL).
 */
#ifndef TLSDISSECT_ESCAPE_H
#define TLSDISSECT_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Worst case output size (with the NUL) for n input bytes. */
static inline size_t td_escape_size(size_t n) { return n * 4 + 1; }

/*
 * Write the escaped form of in[0..n) to out (td_escape_size(n) bytes) and
 * return whether any byte had to be escaped.
 */
bool td_escape(const uint8_t *in, size_t n, char *out);

/* The terminal form of td_escape (same buffer size); returns whether anything changed. */
bool td_escape_terminal(const uint8_t *in, size_t n, char *out);

#endif
