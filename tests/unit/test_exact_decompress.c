/*
 * test_exact_decompress.c — bounded one-shot decompression
 * (exact_decompress.h): zlib (RFC 1950), brotli (RFC 7932) and Zstandard
 * (RFC 8878), each good, cut short, corrupt, a bomb that would go past the
 * declared length, and a stream shorter than declared.
 */
#include "unit.h"

#include "compressors.h"

static const enum td_codec codecs[] = {TD_CODEC_ZLIB, TD_CODEC_BROTLI, TD_CODEC_ZSTD};

/* A 5000-byte text that compresses, not all alike. */
static uint8_t *sample(size_t *len)
{
    uint8_t *p = malloc(5000);
    uint64_t seed = 7;
    assert_non_null(p);
    for (size_t i = 0; i < 5000; i++)
        p[i] = (uint8_t)("certificate chain "[i % 18] ^ (unit_below(&seed, 16) == 0));
    *len = 5000;
    return p;
}

static void test_good(void **state)
{
    (void)state;
    size_t plain_len, clen, produced;
    uint8_t *plain = sample(&plain_len);
    for (size_t k = 0; k < UNIT_COUNT(codecs); k++) {
        uint8_t *comp = unit_compress(codecs[k], plain, plain_len, &clen);
        uint8_t *in = unit_dup(comp, clen);
        uint8_t *out = malloc(plain_len); /* exact size: ASan sees a write past it */
        assert_int_equal(td_decompress_exact(codecs[k], in, clen, out, plain_len, &produced),
                         TD_EXACT_OK);
        assert_int_equal(produced, plain_len);
        assert_memory_equal(out, plain, plain_len);
        free(out);
        free(in);
        free(comp);
    }
    free(plain);
}

static void test_truncated(void **state)
{
    (void)state;
    size_t plain_len, clen, produced;
    uint8_t *plain = sample(&plain_len);
    for (size_t k = 0; k < UNIT_COUNT(codecs); k++) {
        uint8_t *comp = unit_compress(codecs[k], plain, plain_len, &clen);
        /* half the stream, and the stream less its last byte */
        size_t cuts[] = {clen / 2, clen - 1};
        for (size_t c = 0; c < UNIT_COUNT(cuts); c++) {
            uint8_t *in = unit_dup(comp, cuts[c]);
            uint8_t *out = malloc(plain_len);
            assert_int_equal(td_decompress_exact(codecs[k], in, cuts[c], out, plain_len, &produced),
                             TD_EXACT_TRUNCATED);
            assert_true(produced <= plain_len);
            free(out);
            free(in);
        }
        free(comp);
    }
    free(plain);
}

static void test_corrupt(void **state)
{
    (void)state;
    size_t plain_len, clen, produced;
    uint8_t *plain = sample(&plain_len);
    static const uint8_t junk[16] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    for (size_t k = 0; k < UNIT_COUNT(codecs); k++) {
        uint8_t *out = malloc(plain_len);
        uint8_t *in = unit_dup(junk, sizeof junk);
        enum td_exact_result jr = td_decompress_exact(codecs[k], in, sizeof junk, out, plain_len, &produced);
        assert_int_equal(jr, TD_EXACT_CORRUPT);
        free(in);
        /* a good stream with bytes flipped in its middle */
        uint8_t *comp = unit_compress(codecs[k], plain, plain_len, &clen);
        for (size_t i = clen / 3; i < clen / 3 + 8; i++)
            comp[i] ^= 0x5a;
        enum td_exact_result r = td_decompress_exact(codecs[k], comp, clen, out, plain_len, &produced);
        /* zlib and zstd check sums; brotli has none and may only see a wrong length */
        if (codecs[k] == TD_CODEC_BROTLI)
            assert_true(r != TD_EXACT_OK || memcmp(out, plain, plain_len) != 0);
        else
            assert_int_equal(r, TD_EXACT_CORRUPT);
        free(comp);
        free(out);
    }
    free(plain);
}

/* A megabyte of zeros declared as 4096 bytes: stopped at 4096, nothing written past. */
static void test_bomb(void **state)
{
    (void)state;
    size_t big = 1u << 20, clen, produced;
    uint8_t *zeros = calloc(1, big);
    assert_non_null(zeros);
    for (size_t k = 0; k < UNIT_COUNT(codecs); k++) {
        uint8_t *comp = unit_compress(codecs[k], zeros, big, &clen);
        uint8_t *out = malloc(4096 + 64);
        memset(out, 0xa5, 4096 + 64);
        assert_int_equal(td_decompress_exact(codecs[k], comp, clen, out, 4096, &produced),
                         TD_EXACT_TOO_LONG);
        assert_int_equal(produced, 4096);
        for (size_t i = 4096; i < 4096 + 64; i++)
            assert_int_equal(out[i], 0xa5);
        /* one byte more than declared is as much a bomb */
        uint8_t *one = malloc(big - 1);
        assert_int_equal(td_decompress_exact(codecs[k], comp, clen, one, big - 1, &produced),
                         TD_EXACT_TOO_LONG);
        free(one);
        free(out);
        free(comp);
    }
    free(zeros);
}

static void test_too_short_and_trailing(void **state)
{
    (void)state;
    size_t plain_len, clen, produced;
    uint8_t *plain = sample(&plain_len);
    for (size_t k = 0; k < UNIT_COUNT(codecs); k++) {
        uint8_t *comp = unit_compress(codecs[k], plain, plain_len, &clen);
        uint8_t *out = malloc(plain_len + 100);
        assert_int_equal(td_decompress_exact(codecs[k], comp, clen, out, plain_len + 100, &produced),
                         TD_EXACT_TOO_SHORT);
        assert_int_equal(produced, plain_len);
        /* two bytes after the stream's end */
        uint8_t *more = malloc(clen + 2);
        memcpy(more, comp, clen);
        more[clen] = 0x00;
        more[clen + 1] = 0x01;
        enum td_exact_result r = td_decompress_exact(codecs[k], more, clen + 2, out, plain_len, &produced);
        assert_int_equal(r, TD_EXACT_TRAILING);
        free(more);
        free(out);
        free(comp);
    }
    free(plain);
}

/* An empty output: a stream of nothing is exact, a stream of something is a bomb. */
static void test_empty_output(void **state)
{
    (void)state;
    size_t clen, produced;
    uint8_t byte = 'x', out = 0;
    for (size_t k = 0; k < UNIT_COUNT(codecs); k++) {
        uint8_t *comp = unit_compress(codecs[k], &byte, 0, &clen);
        assert_int_equal(td_decompress_exact(codecs[k], comp, clen, &out, 0, &produced), TD_EXACT_OK);
        free(comp);
        comp = unit_compress(codecs[k], &byte, 1, &clen);
        assert_int_equal(td_decompress_exact(codecs[k], comp, clen, &out, 0, &produced),
                         TD_EXACT_TOO_LONG);
        assert_int_equal(produced, 0);
        free(comp);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_corrupt),
        cmocka_unit_test(test_bomb),
        cmocka_unit_test(test_too_short_and_trailing),
        cmocka_unit_test(test_empty_output),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
