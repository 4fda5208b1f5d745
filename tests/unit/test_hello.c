/*
 * test_hello.c — ClientHello / ServerHello / HelloRetryRequest parsing
 * (hello.h; RFC 8446 §4.1.2-4.1.4, §4.2; RFC 5246 App. E.2) and the JA3,
 * JA3S and JA4 fingerprints (fingerprint.h).
 */
#include "unit.h"

#include "tls/fingerprint.h"
#include "tls/hello.h"
#include "tls/sslv2.h"

/*
 * Test vectors and expected fingerprints were made once by a python3
 * script (hashlib) from the JA3 README and the FoxIO JA4 specification; it
 * reproduces FoxIO's published Chrome example t13d1516h2_8daaf6152771_e5627efa2ab1.
 * ClientHello: Chrome-like, GREASE in ciphers, extensions, groups, key_share
 * and supported_versions; SNI example.com; ALPN h2, http/1.1.
 */

static const uint8_t client_hello[291] = {
    0x03, 0x03, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d,
    0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d,
    0x1e, 0x1f, 0x20, 0xe0, 0xe1, 0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xeb, 0xec,
    0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa, 0xfb, 0xfc,
    0xfd, 0xfe, 0xff, 0x00, 0x20, 0x2a, 0x2a, 0x13, 0x01, 0x13, 0x02, 0x13, 0x03, 0xc0, 0x2b, 0xc0,
    0x2f, 0xc0, 0x2c, 0xc0, 0x30, 0xcc, 0xa9, 0xcc, 0xa8, 0xc0, 0x13, 0xc0, 0x14, 0x00, 0x9c, 0x00,
    0x9d, 0x00, 0x2f, 0x00, 0x35, 0x01, 0x00, 0x00, 0xba, 0x0a, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x10, 0x00, 0x0e, 0x00, 0x00, 0x0b, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x2e, 0x63, 0x6f,
    0x6d, 0x00, 0x17, 0x00, 0x00, 0xff, 0x01, 0x00, 0x01, 0x00, 0x00, 0x0a, 0x00, 0x0a, 0x00, 0x08,
    0x4a, 0x4a, 0x00, 0x1d, 0x00, 0x17, 0x00, 0x18, 0x00, 0x0b, 0x00, 0x02, 0x01, 0x00, 0x00, 0x23,
    0x00, 0x00, 0x00, 0x10, 0x00, 0x0e, 0x00, 0x0c, 0x02, 0x68, 0x32, 0x08, 0x68, 0x74, 0x74, 0x70,
    0x2f, 0x31, 0x2e, 0x31, 0x00, 0x05, 0x00, 0x05, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0d, 0x00,
    0x12, 0x00, 0x10, 0x04, 0x03, 0x08, 0x04, 0x04, 0x01, 0x05, 0x03, 0x08, 0x05, 0x05, 0x01, 0x08,
    0x06, 0x06, 0x01, 0x00, 0x12, 0x00, 0x00, 0x00, 0x33, 0x00, 0x2b, 0x00, 0x29, 0x4a, 0x4a, 0x00,
    0x01, 0x00, 0x00, 0x1d, 0x00, 0x20, 0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49,
    0x4a, 0x4b, 0x4c, 0x4d, 0x4e, 0x4f, 0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59,
    0x5a, 0x5b, 0x5c, 0x5d, 0x5e, 0x5f, 0x00, 0x2d, 0x00, 0x02, 0x01, 0x01, 0x00, 0x2b, 0x00, 0x07,
    0x06, 0x6a, 0x6a, 0x03, 0x04, 0x03, 0x03, 0x00, 0x1b, 0x00, 0x03, 0x02, 0x00, 0x02, 0x1a, 0x1a,
    0x00, 0x01, 0x00,
};

#define CH_JA3_STRING "771,4865-4866-4867-49195-49199-49196-49200-52393-52392-49171-49172-156-157-47-53,0-23-65281-10-11-35-16-5-13-18-51-45-43-27,29-23-24,0"
#define CH_JA3 "7f805430de1e7d98b1de033adb58cf46"
/* JA4 c part hashes "0005,000a,000b,000d,0012,0017,001b,0023,002b,002d,0033,ff01_0403,0804,0401,0503,0805,0501,0806,0601" */
#define CH_JA4 "t13d1514h2_8daaf6152771_bc9a4605e104"
static const uint8_t ssl3_hello[43] = {
    0x03, 0x00, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d,
    0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d,
    0x1e, 0x1f, 0x00, 0x00, 0x04, 0x00, 0x2f, 0x00, 0x35, 0x01, 0x00,
};

#define S3_JA3_STRING "768,47-53,,,"
#define S3_JA3 "226d803d5768451a4acdc5e216ceb461"
#define S3_JA4 "ts3i020000_f54dd463d39b_000000000000"
static const uint8_t server_hello[118] = {
    0x03, 0x03, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x8b, 0x8c, 0x8d,
    0x8e, 0x8f, 0x90, 0x91, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0x9b, 0x9c, 0x9d,
    0x9e, 0x9f, 0x20, 0xe0, 0xe1, 0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xeb, 0xec,
    0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa, 0xfb, 0xfc,
    0xfd, 0xfe, 0xff, 0x13, 0x01, 0x00, 0x00, 0x2e, 0x00, 0x2b, 0x00, 0x02, 0x03, 0x04, 0x00, 0x33,
    0x00, 0x24, 0x00, 0x1d, 0x00, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

#define SH_JA3S_STRING "771,4865,43-51"
#define SH_JA3S "f4febc55ea12b31ae17cfb7e614afda8"
static const uint8_t hello_retry_request[84] = {
    0x03, 0x03, 0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65,
    0xb8, 0x91, 0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8,
    0x33, 0x9c, 0x20, 0xe0, 0xe1, 0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xeb, 0xec,
    0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa, 0xfb, 0xfc,
    0xfd, 0xfe, 0xff, 0x13, 0x01, 0x00, 0x00, 0x0c, 0x00, 0x2b, 0x00, 0x02, 0x03, 0x04, 0x00, 0x33,
    0x00, 0x02, 0x00, 0x17,
};

/* Offsets in client_hello: the ALPN extension (index 7) and its list length. */
#define CH_ALPN_EXT 162
#define CH_ALPN_EXT_LEN (CH_ALPN_EXT + 2)
#define CH_COMPRESS_CERT_EXT 279 /* 00 1b 00 03 02 00 02: compress_certificate, brotli */
#define CH_ALPN_LIST_LEN (CH_ALPN_EXT + 4)

struct fixture {
    struct td_arena arena;
    struct td_parse p;
    uint8_t *body; /* exact-size copy of the message under test */
    size_t len;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    if (f == NULL)
        return -1;
    td_parse_begin(&f->p, &f->arena);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    td_arena_free(&f->arena);
    free(f->body);
    free(f);
    return 0;
}

static void load(struct fixture *f, const uint8_t *msg, size_t len)
{
    free(f->body);
    f->body = unit_dup(msg, len);
    f->len = len;
}

static void set_u16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void assert_u16s(const struct td_u16_list *l, const uint16_t *want, size_t n)
{
    assert_int_equal(l->n, n);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(l->v[i], want[i]);
}

static void assert_bytes(struct td_bytes b, const char *want)
{
    assert_int_equal(b.len, strlen(want));
    assert_memory_equal(b.data, want, b.len);
}

static void test_client_hello_fields(void **state)
{
    struct fixture *f = *state;
    struct td_client_hello ch;
    load(f, client_hello, sizeof client_hello);

    assert_int_equal(td_parse_client_hello(&f->p, td_cur_make(f->body, f->len), &ch), 0);
    assert_int_equal(f->p.failures, 0);
    assert_false(ch.sslv2_format);
    assert_int_equal(ch.legacy_version, 0x0303);
    assert_ptr_equal(ch.random.data, f->body + 2);
    assert_int_equal(ch.random.len, 32);
    assert_int_equal(ch.session_id.len, 32);
    assert_int_equal(ch.session_id.data[0], 0xe0);
    const uint16_t suites[] = {0x2a2a, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030,
                               0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035};
    assert_u16s(&ch.cipher_suites, suites, UNIT_COUNT(suites));
    assert_int_equal(ch.compression_methods.len, 1);
    assert_int_equal(ch.compression_methods.data[0], 0);
    const uint16_t exts[] = {0x0a0a, 0x0000, 0x0017, 0xff01, 0x000a, 0x000b, 0x0023, 0x0010,
                             0x0005, 0x000d, 0x0012, 0x0033, 0x002d, 0x002b, 0x001b, 0x1a1a};
    assert_u16s(&ch.extensions, exts, UNIT_COUNT(exts));

    assert_true(ch.has_sni);
    assert_bytes(ch.sni, "example.com");
    assert_true(ch.has_alpn);
    assert_int_equal(ch.alpn.n, 2);
    assert_bytes(ch.alpn.v[0], "h2");
    assert_bytes(ch.alpn.v[1], "http/1.1");
    assert_true(ch.has_supported_versions);
    const uint16_t versions[] = {0x6a6a, 0x0304, 0x0303};
    assert_u16s(&ch.supported_versions, versions, 3);
    assert_true(ch.has_supported_groups);
    const uint16_t groups[] = {0x4a4a, 0x001d, 0x0017, 0x0018};
    assert_u16s(&ch.supported_groups, groups, 4);
    assert_true(ch.has_ec_point_formats);
    assert_int_equal(ch.ec_point_formats.len, 1);
    assert_true(ch.has_signature_algorithms);
    const uint16_t sigs[] = {0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601};
    assert_u16s(&ch.signature_algorithms, sigs, 8);
    assert_true(ch.has_key_share);
    const uint16_t shares[] = {0x4a4a, 0x001d};
    assert_u16s(&ch.key_share, shares, 2);
    assert_true(ch.has_psk_modes);
    assert_int_equal(ch.psk_modes.len, 1);
    assert_int_equal(ch.psk_modes.data[0], 1);
    assert_true(ch.has_compress_certificate);
    const uint16_t compression[] = {0x0002}; /* brotli */
    assert_u16s(&ch.compress_certificate, compression, 1);
    assert_true(ch.has_session_ticket);
    assert_int_equal(ch.session_ticket.len, 0);
    assert_false(ch.has_pre_shared_key);
}

/* compress_certificate (RFC 8879 §3): algorithms<2..2^8-2>, a shorter vector lies. */
static void test_compress_certificate_odd(void **state)
{
    struct fixture *f = *state;
    struct td_client_hello ch;
    load(f, client_hello, sizeof client_hello);
    assert_int_equal(f->body[CH_COMPRESS_CERT_EXT + 1], 0x1b);
    f->body[CH_COMPRESS_CERT_EXT + 4] = 0x01; /* a vector of 1 byte: under its minimum of 2 */
    assert_int_equal(td_parse_client_hello(&f->p, td_cur_make(f->body, f->len), &ch), 0);
    assert_int_equal(f->p.kind, TD_ANOM_BAD_LENGTH);
    assert_string_equal(f->p.detail, "ClientHello.extensions[14](compress_certificate).algorithms: "
                                     "length 1 outside the allowed range");
    assert_false(ch.has_compress_certificate);
    assert_true(ch.has_supported_versions); /* the extensions before it are read */
}

static void test_client_hello_fingerprints(void **state)
{
    struct fixture *f = *state;
    struct td_client_hello ch;
    load(f, client_hello, sizeof client_hello);
    assert_int_equal(td_parse_client_hello(&f->p, td_cur_make(f->body, f->len), &ch), 0);
    td_fingerprint_client_hello(&f->p, &ch, 't');
    assert_non_null(ch.ja3_string);
    assert_string_equal(ch.ja3_string, CH_JA3_STRING);
    assert_non_null(ch.ja3);
    assert_string_equal(ch.ja3, CH_JA3);
    assert_non_null(ch.ja4);
    assert_string_equal(ch.ja4, CH_JA4);
}

/* A TLS 1.2 ClientHello without extensions offering n suites 0x0100, 0x0101, ... */
static void load_many_suites(struct fixture *f, uint8_t *body, size_t n)
{
    size_t off = 0;
    set_u16(body, 0x0303);
    memset(body + 2, 0x11, 32);
    off = 2 + 32;
    body[off++] = 0; /* session_id */
    set_u16(body + off, (uint16_t)(2 * n));
    off += 2;
    for (size_t i = 0; i < n; i++, off += 2)
        set_u16(body + off, (uint16_t)(0x0100 + i));
    body[off++] = 1; /* compression_methods: null */
    body[off++] = 0;
    load(f, body, off);
}

/* Suites past the output cap are counted and reported, and still fingerprinted. */
static void test_cipher_suites_cap(void **state)
{
    struct fixture *f = *state;
    struct td_client_hello capped, at_cap;
    static uint8_t many[64 + 2 * (TD_MAX_LISTED_CIPHER_SUITES + 44)], fewer[sizeof many];

    load_many_suites(f, many, TD_MAX_LISTED_CIPHER_SUITES + 44);
    assert_int_equal(td_parse_client_hello(&f->p, td_cur_make(f->body, f->len), &capped), 0);
    assert_int_equal(capped.cipher_suites.n, 300);
    assert_int_equal(capped.cipher_suites.omitted, 44);
    assert_int_equal(td_u16_listed(&capped.cipher_suites), TD_MAX_LISTED_CIPHER_SUITES);
    assert_int_equal(f->p.kind, TD_ANOM_LIMIT_REACHED);
    assert_string_equal(f->p.detail, "ClientHello.cipher_suites: 300 entries; cipher_suites lists the first 256");
    td_fingerprint_client_hello(&f->p, &capped, 't');
    assert_non_null(capped.ja3_string);
    assert_non_null(strstr(capped.ja3_string, "-555,")); /* 0x022b, the 300th suite, past the cap */

    td_parse_begin(&f->p, &f->arena);
    load_many_suites(f, fewer, TD_MAX_LISTED_CIPHER_SUITES);
    assert_int_equal(td_parse_client_hello(&f->p, td_cur_make(f->body, f->len), &at_cap), 0);
    assert_int_equal(at_cap.cipher_suites.omitted, 0);
    assert_int_equal(f->p.failures, 0);
    td_fingerprint_client_hello(&f->p, &at_cap, 't');
    /* the listed suites are the same; the fingerprints are not */
    assert_string_not_equal(capped.ja4, at_cap.ja4);
    assert_string_not_equal(capped.ja3, at_cap.ja3);
}

/* No extensions at all (SSL 3.0 style), no SNI, no ALPN. */
static void test_ssl3_hello(void **state)
{
    struct fixture *f = *state;
    struct td_client_hello ch;
    load(f, ssl3_hello, sizeof ssl3_hello);
    assert_int_equal(td_parse_client_hello(&f->p, td_cur_make(f->body, f->len), &ch), 0);
    assert_int_equal(f->p.failures, 0);
    assert_int_equal(ch.legacy_version, 0x0300);
    assert_int_equal(ch.session_id.len, 0);
    assert_int_equal(ch.cipher_suites.n, 2);
    assert_int_equal(ch.extensions.n, 0);
    assert_false(ch.has_sni);
    td_fingerprint_client_hello(&f->p, &ch, 't');
    assert_string_equal(ch.ja3_string, S3_JA3_STRING);
    assert_string_equal(ch.ja3, S3_JA3);
    assert_string_equal(ch.ja4, S3_JA4);
}

/* An extension whose length runs past the list: the walk stops there, keeping the rest. */
static void test_lying_extension_length(void **state)
{
    struct fixture *f = *state;
    struct td_client_hello ch;
    load(f, client_hello, sizeof client_hello);
    set_u16(f->body + CH_ALPN_EXT_LEN, 0x00ff);

    assert_int_equal(td_parse_client_hello(&f->p, td_cur_make(f->body, f->len), &ch), 0);
    assert_true(f->p.failures >= 1);
    assert_int_equal(f->p.kind, TD_ANOM_BAD_LENGTH);
    assert_non_null(strstr(f->p.detail, "ClientHello.extensions["));
    assert_string_equal(f->p.detail, "ClientHello.extensions[7]: length 255 > remaining 125");
    /* what came before the bad extension */
    assert_int_equal(ch.legacy_version, 0x0303);
    assert_int_equal(ch.cipher_suites.n, 16);
    assert_int_equal(ch.extensions.n, 7);
    assert_true(ch.has_sni);
    assert_bytes(ch.sni, "example.com");
    assert_true(ch.has_supported_groups);
    assert_true(ch.has_ec_point_formats);
    assert_true(ch.has_session_ticket);
    assert_false(ch.has_alpn);
    assert_false(ch.has_supported_versions);
    /* the fingerprints still come out (of the fields read) */
    td_fingerprint_client_hello(&f->p, &ch, 't');
    assert_non_null(ch.ja3);
    assert_non_null(ch.ja4);
}

/* A lying length inside one extension: that extension fails, the others are read. */
static void test_lying_inner_length(void **state)
{
    struct fixture *f = *state;
    struct td_client_hello ch;
    load(f, client_hello, sizeof client_hello);
    set_u16(f->body + CH_ALPN_LIST_LEN, 0x000d); /* 13 in a 12-byte list */

    assert_int_equal(td_parse_client_hello(&f->p, td_cur_make(f->body, f->len), &ch), 0);
    assert_int_equal(f->p.failures, 1);
    assert_string_equal(f->p.detail, "ClientHello.extensions[7](application_layer_protocol_negotiation)"
                                     ".protocol_name_list: length 13 > remaining 12");
    assert_int_equal(ch.extensions.n, 16);
    assert_int_equal(ch.alpn.n, 0);
    assert_true(ch.has_sni);
    assert_true(ch.has_signature_algorithms);
    assert_true(ch.has_key_share);
    assert_true(ch.has_supported_versions);
    assert_int_equal(ch.supported_versions.n, 3);
}

/* A message cut inside the fixed fields fails with the field's path. */
static void test_truncated_client_hello(void **state)
{
    struct fixture *f = *state;
    struct td_client_hello ch;
    load(f, client_hello, 50);
    assert_int_equal(td_parse_client_hello(&f->p, td_cur_make(f->body, f->len), &ch), -1);
    assert_string_equal(f->p.detail, "ClientHello.session_id: length 32 > remaining 15");
    assert_int_equal(ch.legacy_version, 0x0303);

    td_parse_begin(&f->p, &f->arena);
    load(f, client_hello, 1);
    assert_int_equal(td_parse_client_hello(&f->p, td_cur_make(f->body, f->len), &ch), -1);
    assert_string_equal(f->p.detail, "ClientHello.legacy_version: need 2 bytes, 1 remaining");

    /* an odd cipher_suites length */
    td_parse_begin(&f->p, &f->arena);
    load(f, client_hello, sizeof client_hello);
    set_u16(f->body + 67, 0x001f);
    assert_int_equal(td_parse_client_hello(&f->p, td_cur_make(f->body, f->len), &ch), -1);
    assert_string_equal(f->p.detail,
                        "ClientHello.cipher_suites: length 31 is not a whole number of elements");
}

/*
 * client_hello cut by the capture after `captured` of its 291 bytes
 * (td_cur_make_partial), with the u16 at offset `at` set to value first
 * (at 0: none): the parse stops at the cut, which is not itself a failure.
 */
static void parse_cut_hello(struct fixture *f, size_t captured, size_t at, uint16_t value,
                            struct td_client_hello *ch)
{
    td_parse_begin(&f->p, &f->arena);
    load(f, client_hello, captured);
    if (at)
        set_u16(f->body + at, value);
    assert_int_equal(td_parse_client_hello(&f->p,
                                           td_cur_make_partial(f->body, captured, sizeof client_hello),
                                           ch), -1);
}

/*
 * A ClientHello cut by the capture: the fields are those the captured bytes
 * hold; a length that lies before the cut, or past the declared end, is
 * still a failure with its path.
 *   offsets: session_id 34, cipher_suites 67 (32 bytes), compression 101,
 *   extensions 103 (list from 105: GREASE, then server_name at 109 with
 *   its server_name_list length at 113).
 */
static void test_client_hello_captured_part(void **state)
{
    struct fixture *f = *state;
    struct td_client_hello ch;
    const char *sni_lie = "ClientHello.extensions[1](server_name).server_name_list: "
                          "length 15 > remaining 14";

    /* cut inside the extensions: cipher suites and compression are there */
    parse_cut_hello(f, 150, 0, 0, &ch);
    assert_int_equal(f->p.failures, 0);
    assert_true(ch.has_cipher_suites);
    assert_int_equal(ch.cipher_suites.n, 16);
    assert_true(ch.has_compression_methods);
    assert_false(ch.has_extensions);

    /* a lying length in an extension captured whole is found, and no field is kept */
    parse_cut_hello(f, 150, 113, 0x000f, &ch);
    assert_int_equal(f->p.failures, 1);
    assert_string_equal(f->p.detail, sni_lie);
    assert_false(ch.has_extensions);
    assert_false(ch.has_sni);

    /* an extension longer than the declared list, cut by the capture first */
    parse_cut_hello(f, 150, 107, 0x0100, &ch);
    assert_int_equal(f->p.failures, 1);
    assert_string_equal(f->p.detail, "ClientHello.extensions[0]: length 256 > remaining 182");

    /* cut inside that extension's data: the cut is the capture's loss, the lie is not */
    parse_cut_hello(f, 120, 0, 0, &ch);
    assert_int_equal(f->p.failures, 0);
    parse_cut_hello(f, 120, 113, 0x000f, &ch);
    assert_int_equal(f->p.failures, 1);
    assert_string_equal(f->p.detail, sni_lie);
    assert_false(ch.has_sni);

    /* cut where the extensions begin: they are absent, not empty */
    parse_cut_hello(f, 103, 0, 0, &ch);
    assert_int_equal(f->p.failures, 0);
    assert_false(ch.has_extensions);

    /* cut inside cipher_suites: the list is absent */
    parse_cut_hello(f, 80, 0, 0, &ch);
    assert_int_equal(f->p.failures, 0);
    assert_int_equal(ch.session_id.len, 32);
    assert_false(ch.has_cipher_suites);

    /* an odd cipher_suites length inside the captured bytes */
    parse_cut_hello(f, 80, 67, 0x0005, &ch);
    assert_int_equal(f->p.failures, 1);
    assert_int_equal(f->p.kind, TD_ANOM_BAD_LENGTH);
    assert_string_equal(f->p.detail,
                        "ClientHello.cipher_suites: length 5 is not a whole number of elements");

    /* a session_id that runs past the declared end, cut by the capture first */
    td_parse_begin(&f->p, &f->arena);
    load(f, client_hello, 50);
    assert_int_equal(td_parse_client_hello(&f->p, td_cur_make_partial(f->body, 50, 60), &ch), -1);
    assert_int_equal(f->p.failures, 1);
    assert_string_equal(f->p.detail, "ClientHello.session_id: length 32 > remaining 25");

    /* bytes after the extensions that the capture did not keep are still bytes after */
    td_parse_begin(&f->p, &f->arena);
    load(f, client_hello, sizeof client_hello);
    assert_int_equal(td_parse_client_hello(&f->p, td_cur_make_partial(f->body, 291, 293), &ch), 0);
    assert_int_equal(f->p.failures, 1);
    assert_string_equal(f->p.detail, "ClientHello: 2 bytes after the extensions");
}

/*
 * Cut inside the random: the random is not claimed (a truncated message is
 * still written, and its writer must not read 32 bytes that are not there;
 * found by fuzz_message, tests/fuzz/regressions/fuzz_message/truncated-*).
 */
static void test_hello_cut_in_random(void **state)
{
    struct fixture *f = *state;
    struct td_client_hello ch;
    struct td_server_hello sh;
    bool hrr = true;
    load(f, client_hello, 12);
    assert_int_equal(td_parse_client_hello(&f->p, td_cur_make(f->body, f->len), &ch), -1);
    assert_string_equal(f->p.detail, "ClientHello.random: need 32 bytes, 10 remaining");
    assert_int_equal(ch.random.len, 0);

    td_parse_begin(&f->p, &f->arena);
    load(f, server_hello, 12);
    assert_int_equal(td_parse_server_hello(&f->p, td_cur_make(f->body, f->len), &sh, &hrr), -1);
    assert_string_equal(f->p.detail, "ServerHello.random: need 32 bytes, 10 remaining");
    assert_int_equal(sh.random.len, 0);
    assert_false(hrr);
}

/* A repeated extension is reported; the first copy counts. */
static void test_repeated_extension(void **state)
{
    struct fixture *f = *state;
    struct td_client_hello ch;
    load(f, client_hello, sizeof client_hello);
    set_u16(f->body + 109, 0x0012); /* server_name (index 1) becomes signed_certificate_timestamp */
    assert_int_equal(td_parse_client_hello(&f->p, td_cur_make(f->body, f->len), &ch), 0);
    assert_int_equal(f->p.kind, TD_ANOM_UNEXPECTED_MESSAGE);
    assert_string_equal(f->p.detail,
                        "ClientHello.extensions[10](signed_certificate_timestamp): extension repeated");
    assert_false(ch.has_sni);
    assert_int_equal(ch.extensions.n, 16);
}

static void test_server_hello(void **state)
{
    struct fixture *f = *state;
    struct td_server_hello sh;
    bool hrr = true;
    load(f, server_hello, sizeof server_hello);
    assert_int_equal(td_parse_server_hello(&f->p, td_cur_make(f->body, f->len), &sh, &hrr), 0);
    assert_int_equal(f->p.failures, 0);
    assert_false(hrr);
    assert_int_equal(sh.legacy_version, 0x0303);
    assert_true(sh.has_supported_version);
    assert_int_equal(sh.version, 0x0304);
    assert_int_equal(sh.cipher_suite, 0x1301);
    assert_int_equal(sh.compression_method, 0);
    assert_int_equal(sh.session_id.len, 32);
    assert_true(sh.has_key_share);
    assert_int_equal(sh.key_share, 0x001d);
    const uint16_t exts[] = {0x002b, 0x0033};
    assert_u16s(&sh.extensions, exts, 2);
    td_fingerprint_server_hello(&f->p, &sh);
    assert_string_equal(sh.ja3s_string, SH_JA3S_STRING);
    assert_string_equal(sh.ja3s, SH_JA3S);
}

/* The special random of RFC 8446 §4.1.3 makes it a HelloRetryRequest. */
static void test_hello_retry_request(void **state)
{
    struct fixture *f = *state;
    struct td_server_hello sh;
    bool hrr = false;
    load(f, hello_retry_request, sizeof hello_retry_request);
    assert_int_equal(td_parse_server_hello(&f->p, td_cur_make(f->body, f->len), &sh, &hrr), 0);
    assert_int_equal(f->p.failures, 0);
    assert_true(hrr);
    assert_int_equal(sh.version, 0x0304);
    assert_true(sh.has_key_share);
    assert_int_equal(sh.key_share, 0x0017); /* selected_group only */

    /* one bit off the special random: an ordinary ServerHello (whose key_share is then short) */
    td_parse_begin(&f->p, &f->arena);
    f->body[2 + 31] ^= 1;
    assert_int_equal(td_parse_server_hello(&f->p, td_cur_make(f->body, f->len), &sh, &hrr), 0);
    assert_false(hrr);
    assert_int_equal(f->p.failures, 1);
    assert_non_null(strstr(f->p.detail, "ServerHello.extensions[1](key_share).key_exchange"));

    /* failures in a HelloRetryRequest name it */
    td_parse_begin(&f->p, &f->arena);
    load(f, hello_retry_request, sizeof hello_retry_request);
    set_u16(f->body + 74, 0x0009); /* supported_versions length */
    assert_int_equal(td_parse_server_hello(&f->p, td_cur_make(f->body, f->len), &sh, &hrr), 0);
    assert_true(hrr);
    assert_string_equal(f->p.detail, "HelloRetryRequest.extensions[0]: length 9 > remaining 8");
}

/* The SSLv2-compatible CLIENT-HELLO (RFC 5246 App. E.2). */
static void test_sslv2_client_hello(void **state)
{
    struct fixture *f = *state;
    struct td_client_hello ch;
    const uint8_t msg[] = {
        0x01, 0x03, 0x01, 0x00, 0x06, 0x00, 0x00, 0x00, 0x10,
        0x00, 0x00, 0x35, 0x01, 0x00, 0x80,
        0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xcb, 0xcc, 0xcd, 0xce, 0xcf,
    };
    uint8_t random[32] = {0};
    memcpy(random + 16, msg + 15, 16);
    load(f, msg, sizeof msg);
    assert_int_equal(td_parse_sslv2_client_hello(&f->p, f->body, f->len, &ch), 0);
    assert_true(ch.sslv2_format);
    assert_int_equal(ch.legacy_version, 0x0301);
    const uint16_t suites[] = {0x0035};
    assert_u16s(&ch.cipher_suites, suites, 1);
    assert_int_equal(ch.sslv2_only_kinds, 1);
    assert_int_equal(ch.random.len, 32);
    assert_memory_equal(ch.random.data, random, 32);
    td_fingerprint_client_hello(&f->p, &ch, 't');
    assert_null(ch.ja3);
    assert_null(ch.ja4);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_client_hello_fields),
        T(test_client_hello_fingerprints),
        T(test_cipher_suites_cap),
        T(test_ssl3_hello),
        T(test_lying_extension_length),
        T(test_lying_inner_length),
        T(test_compress_certificate_odd),
        T(test_truncated_client_hello),
        T(test_client_hello_captured_part),
        T(test_hello_cut_in_random),
        T(test_repeated_extension),
        T(test_server_hello),
        T(test_hello_retry_request),
        T(test_sslv2_client_hello),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
