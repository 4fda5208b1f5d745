/*
 * compressors.h — the unit tests' compressors: zlib (RFC 1950, compress2),
 * brotli (RFC 7932, BrotliEncoderCompress) and Zstandard (RFC 8878,
 * ZSTD_compress), to make the inputs of exact_decompress.h and of the
 * CompressedCertificate parser (RFC 8879).
 */
#ifndef TLSDISSECT_UNIT_COMPRESSORS_H
#define TLSDISSECT_UNIT_COMPRESSORS_H

#include <brotli/encode.h>
#include <zlib.h>
#include <zstd.h>

#include "tlsdissect/exact_decompress.h"

/* in compressed with codec into a malloc'd buffer; *out_len its length. */
static inline uint8_t *unit_compress(enum td_codec codec, const uint8_t *in, size_t in_len,
                                     size_t *out_len)
{
    size_t cap = in_len + in_len / 2 + 1024;
    uint8_t *out = malloc(cap);
    assert_non_null(out);
    *out_len = cap;
    if (codec == TD_CODEC_ZLIB) {
        uLongf n = (uLongf)cap;
        assert_int_equal(compress2(out, &n, in, (uLong)in_len, 9), Z_OK);
        *out_len = n;
    } else if (codec == TD_CODEC_BROTLI) {
        assert_int_equal(BrotliEncoderCompress(BROTLI_DEFAULT_QUALITY, BROTLI_DEFAULT_WINDOW,
                                               BROTLI_MODE_GENERIC, in_len, in, out_len, out),
                         BROTLI_TRUE);
    } else {
        size_t n = ZSTD_compress(out, cap, in, in_len, 3);
        assert_false(ZSTD_isError(n));
        *out_len = n;
    }
    return out;
}

#endif
