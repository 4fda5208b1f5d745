/*
 * decompress.c — gzip (zlib inflate, RFC 1952; concatenated members too),
 * Zstandard (libzstd streaming API, RFC 8878) and xz (liblzma stream
 * decoder) as a FILE (fopencookie(3)) that libpcap reads like any capture.
 */
#define _GNU_SOURCE /* fopencookie(3) */
#include "tlsdissect/decompress.h"

#include <errno.h>
#include <sys/types.h>
#include <lzma.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <unistd.h>
#include <zstd.h>

#define IN_CHUNK (64 * 1024)

struct decompressor {
    enum td_compression kind;
    FILE *src;
    uint8_t in[IN_CHUNK];
    size_t in_pos, in_len;   /* compressed bytes at hand: in[in_pos..in_len) */
    bool src_eof, failed, done;
    bool frame_complete;     /* zstd: the last frame was decoded to its end */
    z_stream z;
    ZSTD_DStream *zs;
    lzma_stream xz;
};

static const uint8_t gzip_magic[] = {0x1f, 0x8b};
static const uint8_t zstd_magic[] = {0x28, 0xb5, 0x2f, 0xfd};
static const uint8_t xz_magic[] = {0xfd, '7', 'z', 'X', 'Z', 0x00};

enum td_compression td_compression_of(const uint8_t *head, size_t n)
{
    if (n >= sizeof xz_magic && memcmp(head, xz_magic, sizeof xz_magic) == 0)
        return TD_COMPRESSION_XZ;
    if (n >= sizeof zstd_magic && memcmp(head, zstd_magic, sizeof zstd_magic) == 0)
        return TD_COMPRESSION_ZSTD;
    if (n >= sizeof gzip_magic && memcmp(head, gzip_magic, sizeof gzip_magic) == 0)
        return TD_COMPRESSION_GZIP;
    return TD_COMPRESSION_NONE;
}

const char *td_compression_name(enum td_compression c)
{
    switch (c) {
    case TD_COMPRESSION_GZIP: return "gzip";
    case TD_COMPRESSION_ZSTD: return "zstd";
    case TD_COMPRESSION_XZ: return "xz";
    default: return "none";
    }
}

/* Up to cap bytes of src.  read(2), not fread: a pipe gives what it has now,
 * so a live-fed pipe is dissected as it arrives, not 64 KiB at a time. */
static size_t read_src(struct decompressor *d, uint8_t *buf, size_t cap)
{
    ssize_t got;
    do
        got = read(fileno(d->src), buf, cap);
    while (got < 0 && errno == EINTR);
    if (got == 0)
        d->src_eof = true;
    else if (got < 0)
        d->failed = true;
    return got > 0 ? (size_t)got : 0;
}

/* More compressed input, when what is at hand is used up. */
static void refill(struct decompressor *d)
{
    if (d->in_pos < d->in_len || d->src_eof)
        return;
    d->in_pos = 0;
    d->in_len = read_src(d, d->in, sizeof d->in);
}

/* One step of the decoder: returns decompressed bytes written to out (0 at the end or on error). */
static size_t step(struct decompressor *d, uint8_t *out, size_t size)
{
    size_t made = 0;
    while (made == 0 && !d->done && !d->failed) {
        if (d->kind == TD_COMPRESSION_NONE && d->in_pos == d->in_len) {
            /* the peeked bytes given back: the rest goes straight to the reader */
            made = read_src(d, out, size);
            d->done = d->src_eof;
            continue;
        }
        refill(d);
        const uint8_t *in = d->in + d->in_pos;
        size_t avail = d->in_len - d->in_pos;
        if (d->kind == TD_COMPRESSION_NONE) {
            made = avail < size ? avail : size; /* the peeked bytes */
            memcpy(out, in, made);
            d->in_pos += made;
        } else if (d->kind == TD_COMPRESSION_GZIP) {
            d->z.next_in = (Bytef *)in;
            d->z.avail_in = (uInt)avail;
            d->z.next_out = out;
            d->z.avail_out = (uInt)(size > UINT32_MAX ? UINT32_MAX : size);
            int rc = inflate(&d->z, Z_NO_FLUSH);
            made = (size_t)(d->z.next_out - out);
            d->in_pos += avail - d->z.avail_in;
            if (rc == Z_STREAM_END) {
                /* another gzip member may follow (RFC 1952 §2.2) */
                refill(d);
                if (d->in_pos == d->in_len)
                    d->done = true;
                else
                    inflateReset(&d->z);
            } else if (rc == Z_BUF_ERROR) {
                if (avail == 0 && d->src_eof)
                    d->failed = true; /* the file ends inside a member */
            } else if (rc != Z_OK) {
                d->failed = true;
            }
        } else if (d->kind == TD_COMPRESSION_ZSTD) {
            ZSTD_inBuffer ib = {in, avail, 0};
            ZSTD_outBuffer ob = {out, size, 0};
            size_t rc = ZSTD_decompressStream(d->zs, &ob, &ib);
            made = ob.pos;
            d->in_pos += ib.pos;
            if (ZSTD_isError(rc)) {
                d->failed = true;
            } else if (avail == 0 && d->src_eof && made == 0) {
                /* the end: fine after a whole frame, cut short inside one */
                d->done = d->frame_complete;
                d->failed = !d->frame_complete;
            } else if (ib.pos > 0 || made > 0) {
                d->frame_complete = rc == 0;
            }
        } else {
            d->xz.next_in = in;
            d->xz.avail_in = avail;
            d->xz.next_out = out;
            d->xz.avail_out = size;
            lzma_ret rc = lzma_code(&d->xz, d->src_eof ? LZMA_FINISH : LZMA_RUN);
            made = (size_t)(d->xz.next_out - out);
            d->in_pos += avail - d->xz.avail_in;
            if (rc == LZMA_STREAM_END)
                d->done = true;
            else if (rc != LZMA_OK && rc != LZMA_BUF_ERROR)
                d->failed = true;
            else if (avail == 0 && d->src_eof && made == 0)
                d->failed = true;
        }
    }
    return made;
}

static ssize_t cookie_read(void *cookie, char *buf, size_t size)
{
    struct decompressor *d = cookie;
    size_t made = step(d, (uint8_t *)buf, size);
    if (made == 0 && d->failed) {
        errno = EBADMSG; /* libpcap reports a read error: the file does not decompress */
        return -1;
    }
    return (ssize_t)made;
}

static int cookie_close(void *cookie)
{
    struct decompressor *d = cookie;
    if (d->kind == TD_COMPRESSION_GZIP)
        inflateEnd(&d->z);
    else if (d->kind == TD_COMPRESSION_ZSTD)
        ZSTD_freeDStream(d->zs);
    else if (d->kind == TD_COMPRESSION_XZ)
        lzma_end(&d->xz);
    int rc = fclose(d->src);
    free(d);
    return rc;
}

FILE *td_decompress_open(FILE *src, enum td_compression c, const uint8_t *prefix, size_t prefix_len)
{
    struct decompressor *d = calloc(1, sizeof *d);
    cookie_io_functions_t io = {cookie_read, NULL, NULL, cookie_close};
    bool ok = false;
    FILE *f;

    if (d == NULL || prefix_len > sizeof d->in) {
        free(d);
        return NULL;
    }
    d->kind = c;
    d->src = src;
    memcpy(d->in, prefix, prefix_len);
    d->in_len = prefix_len;
    if (c == TD_COMPRESSION_NONE) {
        ok = true;
    } else if (c == TD_COMPRESSION_GZIP) {
        ok = inflateInit2(&d->z, 16 + MAX_WBITS) == Z_OK; /* 16: a gzip wrapper */
    } else if (c == TD_COMPRESSION_ZSTD) {
        d->zs = ZSTD_createDStream();
        ok = d->zs && !ZSTD_isError(ZSTD_initDStream(d->zs));
    } else if (c == TD_COMPRESSION_XZ) {
        lzma_stream init = LZMA_STREAM_INIT;
        d->xz = init;
        ok = lzma_stream_decoder(&d->xz, UINT64_MAX, LZMA_CONCATENATED) == LZMA_OK;
    }
    if (!ok || (f = fopencookie(d, "r", io)) == NULL) {
        if (c == TD_COMPRESSION_GZIP && ok)
            inflateEnd(&d->z);
        if (d->zs)
            ZSTD_freeDStream(d->zs);
        if (c == TD_COMPRESSION_XZ && ok)
            lzma_end(&d->xz);
        free(d);
        return NULL;
    }
    return f;
}
