/*
 * test_secrets_block.c — the pcapng Decryption Secrets Block walker
 * (secrets_block.h): both byte orders, sections that change byte order,
 * DSBs of other secret types, blocks that lie about their length, files
 * that are not pcapng.
 */
#include "unit.h"

#include <stdio.h>

#include "tlsdissect/secrets_block.h"

struct image {
    uint8_t b[1024];
    size_t n;
    bool le;
};

static void u32(struct image *im, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        im->b[im->n++] = (uint8_t)(im->le ? v >> (8 * i) : v >> (8 * (3 - i)));
}

static void shb(struct image *im, bool le)
{
    im->le = le;
    u32(im, 0x0A0D0D0A);
    u32(im, 28);
    u32(im, 0x1A2B3C4D);
    u32(im, 1); /* major 1, minor 0 (as two u16s, order does not matter here) */
    u32(im, 0xffffffff);
    u32(im, 0xffffffff); /* section length -1 */
    u32(im, 28);
}

static void block(struct image *im, uint32_t type, const void *body, size_t len)
{
    size_t padded = (len + 3) / 4 * 4;
    u32(im, type);
    u32(im, (uint32_t)(12 + padded));
    memcpy(im->b + im->n, body, len);
    memset(im->b + im->n + len, 0, padded - len);
    im->n += padded;
    u32(im, (uint32_t)(12 + padded));
}

static void dsb(struct image *im, uint32_t secrets_type, const char *text)
{
    struct image body = {.le = im->le};
    size_t len = strlen(text);
    u32(&body, secrets_type);
    u32(&body, (uint32_t)len);
    memcpy(body.b + body.n, text, len);
    body.n += len;
    block(im, 0x0000000A, body.b, body.n);
}

struct seen {
    unsigned n;
    char text[4][128];
};

static void on_dsb(void *ctx, const uint8_t *secrets, size_t len)
{
    struct seen *s = ctx;
    if (s->n < 4 && len < sizeof s->text[0]) {
        memcpy(s->text[s->n], secrets, len);
        s->text[s->n][len] = '\0';
    }
    s->n++;
}

static int walk(struct image *im, struct seen *s)
{
    FILE *f = fmemopen(im->b, im->n, "rb");
    assert_non_null(f);
    int rc = td_dsb_read(f, on_dsb, s);
    fclose(f);
    return rc;
}

static void test_both_byte_orders(void **state)
{
    (void)state;
    struct image im = {0};
    struct seen s = {0};
    const uint8_t idb[8] = {1, 0, 0, 0, 0, 0, 0, 0};

    shb(&im, true);
    block(&im, 1, idb, sizeof idb);               /* an interface: skipped */
    dsb(&im, 0x544c534b, "CLIENT_RANDOM a b\n");  /* TLSK */
    dsb(&im, 0x57474b4c, "wireguard keys");       /* WGKL: not ours */
    shb(&im, false);                              /* a big-endian section */
    dsb(&im, 0x544c534b, "EXPORTER_SECRET c d");
    assert_int_equal(walk(&im, &s), 2);
    assert_int_equal(s.n, 2);
    assert_string_equal(s.text[0], "CLIENT_RANDOM a b\n");
    assert_string_equal(s.text[1], "EXPORTER_SECRET c d");
}

static void test_lying_lengths(void **state)
{
    (void)state;
    struct image im = {0};
    struct seen s = {0};
    struct image body = {.le = true};

    shb(&im, true);
    /* a DSB whose secrets length runs past its block: not handed over */
    u32(&body, 0x544c534b);
    u32(&body, 500);
    memcpy(body.b + body.n, "short", 5);
    body.n += 5;
    block(&im, 0x0000000A, body.b, body.n);
    dsb(&im, 0x544c534b, "after");
    assert_int_equal(walk(&im, &s), 1);
    assert_string_equal(s.text[0], "after");

    /* a block total length that is not a multiple of 4 ends the walk */
    im.n = 0;
    memset(&s, 0, sizeof s);
    shb(&im, true);
    u32(&im, 0x0000000A);
    u32(&im, 13);
    dsb(&im, 0x544c534b, "never");
    assert_int_equal(walk(&im, &s), 0);
    assert_int_equal(s.n, 0);

    /* a DSB cut by the end of the file */
    im.n = 0;
    shb(&im, true);
    dsb(&im, 0x544c534b, "CLIENT_RANDOM x y");
    im.n -= 6;
    assert_int_equal(walk(&im, &s), 0);
}

static void test_not_pcapng(void **state)
{
    (void)state;
    struct image im = {0};
    struct seen s = {0};
    im.le = true;
    u32(&im, 0xa1b2c3d4); /* classic pcap */
    u32(&im, 0x00040002);
    assert_int_equal(walk(&im, &s), 0);
    im.n = 0;
    assert_int_equal(walk(&im, &s), 0); /* empty */
    assert_int_equal(s.n, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_both_byte_orders),
        cmocka_unit_test(test_lying_lengths),
        cmocka_unit_test(test_not_pcapng),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
