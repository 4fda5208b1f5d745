/*
 * unit.h — what the cmocka unit tests share: the cmocka includes, a
 * deterministic PRNG and exact-size heap copies (so that ASan catches a
 * read one byte past the end of a test input).
 */
#ifndef TLSDISSECT_UNIT_H
#define TLSDISSECT_UNIT_H

/* cmocka needs these before its own header. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "tlsdissect/keyed_hash.h"

/* A fixed table key (keyed_hash.h), so that bucket layouts repeat from run to run. */
static const struct td_hash_key unit_hash_key = {{0x0f, 0x1e, 0x2d, 0x3c, 0x4b, 0x5a, 0x69, 0x78,
                                                  0x87, 0x96, 0xa5, 0xb4, 0xc3, 0xd2, 0xe1, 0xf0}};

/* xorshift64*: the same sequence on every machine for a given seed. */
static inline uint64_t unit_rand(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 0x2545f4914f6cdd1dull;
}

/* Uniform-enough value in [0, n). */
static inline size_t unit_below(uint64_t *state, size_t n)
{
    return n ? (size_t)(unit_rand(state) % n) : 0;
}

/* A heap copy of exactly n bytes (one byte is allocated for n == 0). */
static inline uint8_t *unit_dup(const void *p, size_t n)
{
    uint8_t *d = malloc(n ? n : 1);
    assert_non_null(d);
    if (n)
        memcpy(d, p, n);
    return d;
}

#define UNIT_COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* n bytes from 2n hex digits (test data written as hex strings). */
static inline void unit_unhex(const char *hex, uint8_t *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned v = 0;
        for (int k = 0; k < 2; k++) {
            char c = hex[2 * i + k];
            v = v << 4 | (unsigned)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
        }
        out[i] = (uint8_t)v;
    }
}

#endif
