/*
 * exact_decompress.c — bounded one-shot decompression: zlib (RFC 1950,
 * inflate), brotli (RFC 7932, BrotliDecoderDecompressStream) and
 * Zstandard (RFC 8878, ZSTD_decompressDCtx: one frame).  The output buffer is the
 * library's only output space; whether a stream would go on past it is
 * asked of the decoder with a one-byte scratch buffer, never by growing.
 */
#include "tlsdissect/exact_decompress.h"

#include <brotli/decode.h>
#include <limits.h>
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

const char *td_exact_result_text(enum td_exact_result r)
{
    switch (r) {
    case TD_EXACT_OK: return "decompressed";
    case TD_EXACT_TRUNCATED: return "the compressed stream ends early";
    case TD_EXACT_CORRUPT: return "the compressed stream is corrupt";
    case TD_EXACT_TOO_LONG: return "it decompresses past its declared length";
    case TD_EXACT_TOO_SHORT: return "it decompresses short of its declared length";
    case TD_EXACT_TRAILING: return "bytes follow the end of the compressed stream";
    case TD_EXACT_NO_MEMORY: return "no memory for the decompressor";
    }
    return "?";
}

/* RFC 1950 zlib stream.  inflate with Z_FINISH stops at the end of out. */
static enum td_exact_result inflate_exact(const uint8_t *in, size_t in_len, uint8_t *out,
                                          size_t out_len, size_t *produced)
{
    z_stream z = {0};
    uint8_t probe;
    enum td_exact_result r;
    int rc;

    if (in_len > UINT_MAX || out_len > UINT_MAX)
        return TD_EXACT_TOO_LONG; /* callers cap both at 2^24 */
    if (inflateInit(&z) != Z_OK)
        return TD_EXACT_NO_MEMORY;
    z.next_in = (Bytef *)in;
    z.avail_in = (uInt)in_len;
    z.next_out = out_len ? out : &probe; /* never NULL: inflate refuses it */
    z.avail_out = (uInt)out_len;
    rc = inflate(&z, Z_FINISH);
    *produced = out_len - z.avail_out;
    if (rc != Z_STREAM_END && z.avail_out == 0 && (rc == Z_OK || rc == Z_BUF_ERROR)) {
        /* out is full and the stream goes on: does it have more to give? */
        z.next_out = &probe;
        z.avail_out = 1;
        rc = inflate(&z, Z_FINISH);
        if (z.avail_out == 0) {
            inflateEnd(&z);
            return TD_EXACT_TOO_LONG;
        }
    }
    if (rc == Z_STREAM_END)
        r = z.avail_in ? TD_EXACT_TRAILING : *produced < out_len ? TD_EXACT_TOO_SHORT : TD_EXACT_OK;
    else if (rc == Z_MEM_ERROR)
        r = TD_EXACT_NO_MEMORY;
    else if (rc == Z_BUF_ERROR && z.avail_in == 0)
        r = TD_EXACT_TRUNCATED; /* no progress possible: the input is used up */
    else
        r = TD_EXACT_CORRUPT;   /* Z_DATA_ERROR, Z_NEED_DICT (RFC 8879 has no dictionary) */
    inflateEnd(&z);
    return r;
}

/* RFC 7932 brotli stream. */
static enum td_exact_result brotli_exact(const uint8_t *in, size_t in_len, uint8_t *out,
                                         size_t out_len, size_t *produced)
{
    BrotliDecoderState *s = BrotliDecoderCreateInstance(NULL, NULL, NULL);
    const uint8_t *next_in = in;
    size_t avail_in = in_len, avail_out = out_len;
    uint8_t *next_out = out, probe;
    BrotliDecoderResult rc;
    enum td_exact_result r;

    if (s == NULL)
        return TD_EXACT_NO_MEMORY;
    rc = BrotliDecoderDecompressStream(s, &avail_in, &next_in, &avail_out, &next_out, NULL);
    *produced = out_len - avail_out;
    if (rc == BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT) {
        /* out is full and the stream goes on: does it have more to give? */
        size_t one = 1;
        uint8_t *p = &probe;
        rc = BrotliDecoderDecompressStream(s, &avail_in, &next_in, &one, &p, NULL);
        if (one == 0) {
            BrotliDecoderDestroyInstance(s);
            return TD_EXACT_TOO_LONG;
        }
    }
    if (rc == BROTLI_DECODER_RESULT_SUCCESS)
        r = avail_in ? TD_EXACT_TRAILING : *produced < out_len ? TD_EXACT_TOO_SHORT : TD_EXACT_OK;
    else if (rc == BROTLI_DECODER_RESULT_NEEDS_MORE_INPUT)
        r = TD_EXACT_TRUNCATED;
    else if (BrotliDecoderGetErrorCode(s) <= BROTLI_DECODER_ERROR_ALLOC_CONTEXT_MODES &&
             BrotliDecoderGetErrorCode(s) >= BROTLI_DECODER_ERROR_ALLOC_BLOCK_TYPE_TREES)
        r = TD_EXACT_NO_MEMORY;
    else
        r = TD_EXACT_CORRUPT;
    BrotliDecoderDestroyInstance(s);
    return r;
}

/* RFC 8878 Zstandard: one frame, decompressed in one call into out (its only history). */
static enum td_exact_result zstd_exact(const uint8_t *in, size_t in_len, uint8_t *out,
                                       size_t out_len, size_t *produced)
{
    size_t frame = ZSTD_findFrameCompressedSize(in, in_len), n;
    ZSTD_DCtx *d;

    *produced = 0;
    if (ZSTD_isError(frame))
        return ZSTD_getErrorCode(frame) == ZSTD_error_srcSize_wrong ? TD_EXACT_TRUNCATED
                                                                     : TD_EXACT_CORRUPT;
    if (frame < in_len)
        return TD_EXACT_TRAILING;
    if ((d = ZSTD_createDCtx()) == NULL)
        return TD_EXACT_NO_MEMORY;
    n = ZSTD_decompressDCtx(d, out, out_len, in, in_len);
    ZSTD_freeDCtx(d);
    if (!ZSTD_isError(n)) {
        *produced = n;
        return n < out_len ? TD_EXACT_TOO_SHORT : TD_EXACT_OK;
    }
    switch (ZSTD_getErrorCode(n)) {
    case ZSTD_error_dstSize_tooSmall:
        *produced = out_len;
        return TD_EXACT_TOO_LONG;
    case ZSTD_error_srcSize_wrong:
        return TD_EXACT_TRUNCATED;
    case ZSTD_error_memory_allocation:
        return TD_EXACT_NO_MEMORY;
    default:
        return TD_EXACT_CORRUPT;
    }
}

enum td_exact_result td_decompress_exact(enum td_codec codec, const uint8_t *in, size_t in_len,
                                         uint8_t *out, size_t out_len, size_t *produced)
{
    *produced = 0;
    switch (codec) {
    case TD_CODEC_ZLIB: return inflate_exact(in, in_len, out, out_len, produced);
    case TD_CODEC_BROTLI: return brotli_exact(in, in_len, out, out_len, produced);
    case TD_CODEC_ZSTD: return zstd_exact(in, in_len, out, out_len, produced);
    }
    return TD_EXACT_CORRUPT;
}
