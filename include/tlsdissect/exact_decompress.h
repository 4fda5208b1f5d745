/*
 * exact_decompress.h — one compressed buffer into one output buffer of a
 * size known in advance, never written past: zlib (RFC 1950), brotli
 * (RFC 7932) and Zstandard (RFC 8878), through their libraries' bounded
 * APIs.  A stream that would produce more than the buffer holds is
 * stopped there and reported (a decompression bomb), as is one that
 * produces less.
 *
 * Memory beyond the output buffer is each library's own and bounded by
 * the format: zlib's 32 KiB window, brotli's window (at most 16 MiB: the
 * large-window extension is never enabled), and for Zstandard nothing
 * past its context (one-shot decompression uses the output as history).
 *
 * This is for messages (RFC 8879 CompressedCertificate); compressed
 * capture files are streamed by src/capture/decompress.c.
 */
#ifndef TLSDISSECT_EXACT_DECOMPRESS_H
#define TLSDISSECT_EXACT_DECOMPRESS_H

#include <stddef.h>
#include <stdint.h>

enum td_codec { TD_CODEC_ZLIB, TD_CODEC_BROTLI, TD_CODEC_ZSTD };

enum td_exact_result {
    TD_EXACT_OK,          /* exactly out_len bytes, every input byte used */
    TD_EXACT_TRUNCATED,   /* the input ends inside the compressed stream */
    TD_EXACT_CORRUPT,     /* the input is not a valid stream */
    TD_EXACT_TOO_LONG,    /* the stream would produce more than out_len bytes */
    TD_EXACT_TOO_SHORT,   /* the stream ended after fewer than out_len bytes */
    TD_EXACT_TRAILING,    /* bytes follow the end of the stream */
    TD_EXACT_NO_MEMORY,   /* the library could not allocate its state */
};

/*
 * Decompress in[0..in_len) with codec into out[0..out_len).  *produced is
 * the number of bytes written (at most out_len; the stream's full length
 * when it ended short).
 */
enum td_exact_result td_decompress_exact(enum td_codec codec, const uint8_t *in, size_t in_len,
                                         uint8_t *out, size_t out_len, size_t *produced);

/* A short phrase for a result ("the stream is corrupt", ...), for anomaly text. */
const char *td_exact_result_text(enum td_exact_result r);

#endif
