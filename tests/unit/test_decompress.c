/*
 * test_decompress.c — compressed captures (decompress.h): gzip (RFC 1952,
 * concatenated members), Zstandard (RFC 8878, several frames) and xz read
 * back whole; each cut short reads as an error, never as a short clean file;
 * the uncompressed passthrough gives the peeked bytes back and returns what a
 * pipe has without waiting for more.
 */
#include "unit.h"

#include <lzma.h>
#include <signal.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "tlsdissect/decompress.h"

#define PLAIN_LEN 200000

static uint8_t *plain_bytes(void)
{
    uint8_t *p = malloc(PLAIN_LEN);
    assert_non_null(p);
    for (size_t i = 0; i < PLAIN_LEN; i++)
        p[i] = (uint8_t)((i * 2654435761u) >> 13); /* varied, so it does not shrink to nothing */
    return p;
}

static size_t gzip_member(const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
    z_stream z = {0};
    assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
    z.next_in = (Bytef *)in;
    z.avail_in = (uInt)n;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
    size_t made = z.total_out;
    deflateEnd(&z);
    return made;
}

/* Two halves compressed apart and laid end to end: two members or frames. */
static size_t compress_in_two(enum td_compression c, const uint8_t *in, size_t n, uint8_t *out,
                              size_t cap)
{
    size_t half = n / 2, len = 0;
    const uint8_t *part[2] = {in, in + half};
    size_t part_len[2] = {half, n - half};
    for (int i = 0; i < 2; i++) {
        if (c == TD_COMPRESSION_GZIP) {
            len += gzip_member(part[i], part_len[i], out + len, cap - len);
        } else if (c == TD_COMPRESSION_ZSTD) {
            size_t r = ZSTD_compress(out + len, cap - len, part[i], part_len[i], 3);
            assert_false(ZSTD_isError(r));
            len += r;
        } else {
            size_t pos = 0;
            assert_int_equal(lzma_easy_buffer_encode(1, LZMA_CHECK_CRC64, NULL, part[i],
                                                     part_len[i], out + len, &pos, cap - len),
                             LZMA_OK);
            len += pos;
        }
    }
    return len;
}

/* The decompressing FILE over a temporary file holding data, as capture.c opens one. */
static FILE *open_over(const uint8_t *data, size_t n)
{
    FILE *src = tmpfile();
    uint8_t head[8];
    assert_non_null(src);
    setvbuf(src, NULL, _IONBF, 0);
    assert_int_equal(fwrite(data, 1, n, src), n);
    rewind(src);
    size_t got = fread(head, 1, sizeof head, src);
    FILE *f = td_decompress_open(src, td_compression_of(head, got), head, got);
    assert_non_null(f);
    return f;
}

static void round_trip(enum td_compression c)
{
    uint8_t *plain = plain_bytes();
    size_t cap = PLAIN_LEN * 2 + 1024;
    uint8_t *packed = malloc(cap), *back = malloc(PLAIN_LEN + 1);
    assert_non_null(packed);
    assert_non_null(back);
    size_t packed_len = compress_in_two(c, plain, PLAIN_LEN, packed, cap);
    assert_int_equal(td_compression_of(packed, packed_len), c);

    /* whole: every byte of both members back, then a clean end */
    FILE *f = open_over(packed, packed_len);
    assert_int_equal(fread(back, 1, PLAIN_LEN + 1, f), PLAIN_LEN);
    assert_memory_equal(back, plain, PLAIN_LEN);
    assert_false(ferror(f));
    assert_true(feof(f));
    fclose(f);

    /* cut inside the second member, and inside the first: an error, not an end */
    size_t cuts[] = {packed_len - 7, packed_len / 4};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        f = open_over(packed, cuts[i]);
        size_t got = fread(back, 1, PLAIN_LEN + 1, f);
        assert_true(got <= PLAIN_LEN); /* a cut trailer loses no data, but is still an error */
        assert_true(ferror(f));
        fclose(f);
    }
    free(back);
    free(packed);
    free(plain);
}

static void test_gzip(void **state)
{
    (void)state;
    round_trip(TD_COMPRESSION_GZIP);
}

static void test_zstd(void **state)
{
    (void)state;
    round_trip(TD_COMPRESSION_ZSTD);
}

static void test_xz(void **state)
{
    (void)state;
    round_trip(TD_COMPRESSION_XZ);
}

static void test_magic(void **state)
{
    (void)state;
    const uint8_t pcap_le[] = {0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0};
    const uint8_t pcapng[] = {0x0a, 0x0d, 0x0d, 0x0a, 0x1c, 0, 0, 0};
    const uint8_t gzip_head[] = {0x1f, 0x8b, 8};
    const uint8_t xz_short[] = {0xfd, '7', 'z', 'X', 'Z'}; /* one byte short of the magic */
    assert_int_equal(td_compression_of(pcap_le, sizeof pcap_le), TD_COMPRESSION_NONE);
    assert_int_equal(td_compression_of(pcapng, sizeof pcapng), TD_COMPRESSION_NONE);
    assert_int_equal(td_compression_of(gzip_head, sizeof gzip_head), TD_COMPRESSION_GZIP);
    assert_int_equal(td_compression_of(gzip_head, 1), TD_COMPRESSION_NONE);
    assert_int_equal(td_compression_of(xz_short, sizeof xz_short), TD_COMPRESSION_NONE);
    assert_int_equal(td_compression_of(NULL, 0), TD_COMPRESSION_NONE);
    assert_string_equal(td_compression_name(TD_COMPRESSION_ZSTD), "zstd");
}

/* A pipe that stays open: what it has is read now, without waiting for more or for its end. */
static void test_passthrough_pipe(void **state)
{
    (void)state;
    int fds[2];
    uint8_t data[100], back[100], head[8];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(0xd4 + i);
    assert_int_equal(pipe(fds), 0);
    assert_int_equal(write(fds[1], data, sizeof data), (ssize_t)sizeof data);
    FILE *src = fdopen(fds[0], "rb");
    assert_non_null(src);
    setvbuf(src, NULL, _IONBF, 0);
    assert_int_equal(fread(head, 1, sizeof head, src), sizeof head);
    assert_int_equal(td_compression_of(head, sizeof head), TD_COMPRESSION_NONE);
    FILE *f = td_decompress_open(src, TD_COMPRESSION_NONE, head, sizeof head);
    assert_non_null(f);
    alarm(10); /* a read that waits for the writer to close would hang here: fail instead */
    assert_int_equal(fread(back, 1, sizeof back, f), sizeof back);
    alarm(0);
    assert_memory_equal(back, data, sizeof data);
    close(fds[1]);
    assert_int_equal(fgetc(f), EOF);
    assert_false(ferror(f));
    fclose(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_magic),
        cmocka_unit_test(test_gzip),
        cmocka_unit_test(test_zstd),
        cmocka_unit_test(test_xz),
        cmocka_unit_test(test_passthrough_pipe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
