/*
 * test_certificate.c — the Certificate message (certificate.h; RFC 5246
 * §7.4.2, RFC 8446 §4.4.2), the CompressedCertificate that carries one
 * (RFC 8879 §4), and X.509 fields (RFC 5280 §4.1, names per RFC 4514).
 */
#include "unit.h"

#include "tlsdissect/certificate.h"

#include "compressors.h"
#include "tlsdissect/codepoints.h"

/*
 * Made once with OpenSSL 3.0 (EC P-256, 36500 days):
 *   openssl req -x509 -config cert.cnf -key key.pem -sha256 -days 36500 \
 *       -set_serial 0x80112233445566778899 -outform DER -out cert.der
 * with subject C=US, O=Example\, Inc., OU=Unit Tests, CN=test.example.com;
 * basicConstraints=critical,CA:FALSE; subjectAltName=DNS:test.example.com,
 * DNS:*.example.org, IP:192.0.2.1, IP:2001:db8::1, email:admin@example.com,
 * URI:https://example.com/x.  Expected values from `openssl x509 -noout
 * -subject -issuer -serial -startdate -enddate -nameopt RFC2253` and
 * `openssl x509 -fingerprint -sha256` / `-sha1` of the same file.
 */
static const uint8_t cert_der[596] = {
    0x30, 0x82, 0x02, 0x50, 0x30, 0x82, 0x01, 0xf7, 0xa0, 0x03, 0x02, 0x01, 0x02, 0x02, 0x0b, 0x00,
    0x80, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86,
    0x48, 0xce, 0x3d, 0x04, 0x03, 0x02, 0x30, 0x55, 0x31, 0x0b, 0x30, 0x09, 0x06, 0x03, 0x55, 0x04,
    0x06, 0x13, 0x02, 0x55, 0x53, 0x31, 0x16, 0x30, 0x14, 0x06, 0x03, 0x55, 0x04, 0x0a, 0x0c, 0x0d,
    0x45, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x2c, 0x20, 0x49, 0x6e, 0x63, 0x2e, 0x31, 0x13, 0x30,
    0x11, 0x06, 0x03, 0x55, 0x04, 0x0b, 0x0c, 0x0a, 0x55, 0x6e, 0x69, 0x74, 0x20, 0x54, 0x65, 0x73,
    0x74, 0x73, 0x31, 0x19, 0x30, 0x17, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x10, 0x74, 0x65, 0x73,
    0x74, 0x2e, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x2e, 0x63, 0x6f, 0x6d, 0x30, 0x20, 0x17,
    0x0d, 0x32, 0x36, 0x31, 0x31, 0x32, 0x32, 0x30, 0x39, 0x33, 0x32, 0x34, 0x33, 0x5a, 0x18, 0x0f,
    0x32, 0x31, 0x32, 0x36, 0x31, 0x30, 0x32, 0x39, 0x30, 0x39, 0x33, 0x32, 0x34, 0x33, 0x5a, 0x30,
    0x55, 0x31, 0x0b, 0x30, 0x09, 0x06, 0x03, 0x55, 0x04, 0x06, 0x13, 0x02, 0x55, 0x53, 0x31, 0x16,
    0x30, 0x14, 0x06, 0x03, 0x55, 0x04, 0x0a, 0x0c, 0x0d, 0x45, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65,
    0x2c, 0x20, 0x49, 0x6e, 0x63, 0x2e, 0x31, 0x13, 0x30, 0x11, 0x06, 0x03, 0x55, 0x04, 0x0b, 0x0c,
    0x0a, 0x55, 0x6e, 0x69, 0x74, 0x20, 0x54, 0x65, 0x73, 0x74, 0x73, 0x31, 0x19, 0x30, 0x17, 0x06,
    0x03, 0x55, 0x04, 0x03, 0x0c, 0x10, 0x74, 0x65, 0x73, 0x74, 0x2e, 0x65, 0x78, 0x61, 0x6d, 0x70,
    0x6c, 0x65, 0x2e, 0x63, 0x6f, 0x6d, 0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce,
    0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
    0x04, 0x78, 0x95, 0x7b, 0x2b, 0x7f, 0x36, 0x71, 0x09, 0x79, 0xe2, 0x97, 0x64, 0x53, 0x62, 0x6e,
    0x6a, 0xfc, 0x13, 0x48, 0x55, 0xbf, 0xd6, 0x93, 0x62, 0x69, 0xfc, 0xea, 0xd9, 0x1c, 0x9d, 0x97,
    0x14, 0x13, 0x29, 0xb7, 0x15, 0x28, 0xf1, 0xa9, 0x80, 0x09, 0xe6, 0x7d, 0x9b, 0x23, 0x1f, 0x09,
    0xd7, 0x31, 0x3c, 0x00, 0xa3, 0xd4, 0x2d, 0x3e, 0x0c, 0x76, 0x0e, 0x40, 0x9e, 0x90, 0x4c, 0xef,
    0x08, 0xa3, 0x81, 0xab, 0x30, 0x81, 0xa8, 0x30, 0x0c, 0x06, 0x03, 0x55, 0x1d, 0x13, 0x01, 0x01,
    0xff, 0x04, 0x02, 0x30, 0x00, 0x30, 0x0b, 0x06, 0x03, 0x55, 0x1d, 0x0f, 0x04, 0x04, 0x03, 0x02,
    0x07, 0x80, 0x30, 0x6c, 0x06, 0x03, 0x55, 0x1d, 0x11, 0x04, 0x65, 0x30, 0x63, 0x82, 0x10, 0x74,
    0x65, 0x73, 0x74, 0x2e, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x2e, 0x63, 0x6f, 0x6d, 0x82,
    0x0d, 0x2a, 0x2e, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x2e, 0x6f, 0x72, 0x67, 0x87, 0x04,
    0xc0, 0x00, 0x02, 0x01, 0x87, 0x10, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x81, 0x11, 0x61, 0x64, 0x6d, 0x69, 0x6e, 0x40, 0x65, 0x78,
    0x61, 0x6d, 0x70, 0x6c, 0x65, 0x2e, 0x63, 0x6f, 0x6d, 0x86, 0x15, 0x68, 0x74, 0x74, 0x70, 0x73,
    0x3a, 0x2f, 0x2f, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x2e, 0x63, 0x6f, 0x6d, 0x2f, 0x78,
    0x30, 0x1d, 0x06, 0x03, 0x55, 0x1d, 0x0e, 0x04, 0x16, 0x04, 0x14, 0xda, 0x1e, 0x71, 0x0c, 0x32,
    0xa2, 0x51, 0xa0, 0xf6, 0xf7, 0x11, 0xd5, 0xc1, 0xf8, 0x99, 0x82, 0x29, 0x22, 0x6e, 0xac, 0x30,
    0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02, 0x03, 0x47, 0x00, 0x30, 0x44,
    0x02, 0x20, 0x45, 0x98, 0xdf, 0x23, 0xe2, 0x84, 0x5d, 0x3c, 0x42, 0x75, 0x96, 0x1d, 0x19, 0x90,
    0x0f, 0xc8, 0xa6, 0xc6, 0x6e, 0x46, 0x0d, 0xe2, 0x04, 0xbc, 0xd1, 0x91, 0xd5, 0xfa, 0x1f, 0xa4,
    0xca, 0xbe, 0x02, 0x20, 0x4e, 0xe9, 0xcc, 0x8f, 0x0a, 0xb6, 0x4e, 0xc0, 0x22, 0x00, 0x97, 0x43,
    0x6d, 0xbc, 0xdf, 0xa8, 0x86, 0x65, 0x84, 0x80, 0x97, 0x4a, 0x69, 0x98, 0xb8, 0xea, 0x74, 0xbc,
    0x63, 0x0e, 0xd8, 0xfa,
};

#define CERT_SUBJECT "CN=test.example.com,OU=Unit Tests,O=Example\\, Inc.,C=US"
#define CERT_SERIAL "0080112233445566778899" /* DER content: the sign byte 00 included */
#define CERT_SHA256 "24cf11c3e59f91e348b5c76027da6e93b25cff7585e13a85ceac184e5e6cfb7e"
#define CERT_SHA1 "3b9d01d84b343643059d2df3d637a31f0b897dea"
#define CERT_NOT_BEFORE 1795339963LL /* 2026-11-22T09:32:43Z */
#define CERT_NOT_AFTER 4948939963LL  /* 2126-10-29T09:32:43Z */

/* Nine bytes that start like DER but are no certificate, and their SHA-256. */
static const uint8_t garbage[9] = {0x30, 0x07, 0x02, 0x01, 0x01, 0xde, 0xad, 0xbe, 0xef};
#define GARBAGE_SHA256 "8505cdf1b3ebcc77b30a6ed8f2055d2e06bccbf8abcfb34fb9805450096557fe"

struct fixture {
    struct td_arena arena;
    struct td_parse p;
    struct td_cert_cache *cache;
    uint8_t *msg;
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
    td_cert_cache_free(f->cache);
    td_arena_free(&f->arena);
    free(f->msg);
    free(f);
    return 0;
}

static void put24(uint8_t *p, size_t v)
{
    p[0] = (uint8_t)(v >> 16);
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)v;
}

/*
 * A Certificate message body holding the given DER blobs: TLS 1.2 form, or
 * TLS 1.3 form with a request context and an empty extensions list per entry.
 */
static void build(struct fixture *f, bool tls13, const uint8_t *const *der, const size_t *len,
                  size_t n)
{
    size_t list = 0, off = 0;
    for (size_t i = 0; i < n; i++)
        list += 3 + len[i] + (tls13 ? 2 : 0);
    free(f->msg);
    f->len = (tls13 ? 1 + 2 : 0) + 3 + list;
    f->msg = malloc(f->len);
    assert_non_null(f->msg);
    if (tls13) {
        f->msg[off++] = 2; /* certificate_request_context */
        f->msg[off++] = 0xab;
        f->msg[off++] = 0xcd;
    }
    put24(f->msg + off, list);
    off += 3;
    for (size_t i = 0; i < n; i++) {
        put24(f->msg + off, len[i]);
        off += 3;
        memcpy(f->msg + off, der[i], len[i]);
        off += len[i];
        if (tls13) {
            f->msg[off++] = 0;
            f->msg[off++] = 0;
        }
    }
    assert_int_equal(off, f->len);
}

static void assert_cert(const struct td_cert_info *c)
{
    assert_true(c->parsed);
    assert_int_equal(c->der_len, sizeof cert_der);
    assert_string_equal(c->sha256, CERT_SHA256);
    assert_string_equal(c->sha1, CERT_SHA1);
    assert_string_equal(c->subject, CERT_SUBJECT);
    assert_string_equal(c->issuer, CERT_SUBJECT);
    assert_int_equal(c->subject_cn.len, strlen("test.example.com"));
    assert_memory_equal(c->subject_cn.data, "test.example.com", c->subject_cn.len);
    assert_string_equal(c->serial, CERT_SERIAL);
    assert_true(c->has_validity);
    assert_int_equal(c->not_before, CERT_NOT_BEFORE);
    assert_int_equal(c->not_after, CERT_NOT_AFTER);
    const char *san[] = {"test.example.com", "*.example.org",    "192.0.2.1",
                         "2001:db8::1",      "admin@example.com", "https://example.com/x"};
    assert_int_equal(c->san.n, UNIT_COUNT(san));
    for (size_t i = 0; i < UNIT_COUNT(san); i++) {
        assert_int_equal(c->san.v[i].len, strlen(san[i]));
        assert_memory_equal(c->san.v[i].data, san[i], strlen(san[i]));
    }
    assert_string_equal(c->key_type, "EC");
    assert_int_equal(c->key_bits, 256);
    assert_string_equal(c->signature_algorithm, "ecdsa-with-SHA256");
    assert_false(c->is_ca);
}

static void test_tls12_certificate(void **state)
{
    struct fixture *f = *state;
    struct td_certificate out;
    const uint8_t *der[] = {cert_der};
    const size_t len[] = {sizeof cert_der};
    build(f, false, der, len, 1);
    assert_int_equal(td_parse_certificate(&f->p, td_cur_make(f->msg, f->len), false, NULL, &out), 0);
    assert_int_equal(f->p.failures, 0);
    assert_int_equal(out.count, 1);
    assert_int_equal(out.context.len, 0);
    assert_cert(&out.certs[0]);
}

static void test_tls13_certificate(void **state)
{
    struct fixture *f = *state;
    struct td_certificate out;
    const uint8_t *der[] = {cert_der, cert_der};
    const size_t len[] = {sizeof cert_der, sizeof cert_der};
    build(f, true, der, len, 2);
    assert_int_equal(td_parse_certificate(&f->p, td_cur_make(f->msg, f->len), true, NULL, &out), 0);
    assert_int_equal(f->p.failures, 0);
    assert_int_equal(out.count, 2);
    assert_int_equal(out.context.len, 2);
    assert_int_equal(out.context.data[0], 0xab);
    assert_cert(&out.certs[0]);
    assert_cert(&out.certs[1]);
}

/* Decoded once, then served from the cache: the same fields either way. */
static void test_cache(void **state)
{
    struct fixture *f = *state;
    struct td_certificate out;
    const uint8_t *der[] = {cert_der, garbage, cert_der};
    const size_t len[] = {sizeof cert_der, sizeof garbage, sizeof cert_der};
    f->cache = td_cert_cache_new(4, &unit_hash_key);
    assert_non_null(f->cache);
    build(f, false, der, len, 3);
    for (int round = 0; round < 3; round++) {
        td_parse_begin(&f->p, &f->arena);
        assert_int_equal(td_parse_certificate(&f->p, td_cur_make(f->msg, f->len), false, f->cache, &out), 0);
        assert_int_equal(out.count, 3);
        assert_cert(&out.certs[0]);
        assert_false(out.certs[1].parsed);
        assert_string_equal(out.certs[1].sha256, GARBAGE_SHA256);
        assert_cert(&out.certs[2]);
        /* the strings live in the parse arena, not in the cache */
        td_arena_reset(&f->arena);
    }
    /* a one-slot cache that the two blobs keep evicting */
    td_cert_cache_free(f->cache);
    f->cache = td_cert_cache_new(1, &unit_hash_key);
    for (int round = 0; round < 2; round++) {
        td_parse_begin(&f->p, &f->arena);
        assert_int_equal(td_parse_certificate(&f->p, td_cur_make(f->msg, f->len), false, f->cache, &out), 0);
        assert_cert(&out.certs[0]);
        assert_false(out.certs[1].parsed);
        assert_cert(&out.certs[2]);
        td_arena_reset(&f->arena);
    }
}

static void test_garbage(void **state)
{
    struct fixture *f = *state;
    struct td_certificate out;
    const uint8_t *der[] = {garbage};
    const size_t len[] = {sizeof garbage};
    build(f, false, der, len, 1);
    assert_int_equal(td_parse_certificate(&f->p, td_cur_make(f->msg, f->len), false, NULL, &out), 0);
    assert_int_equal(out.count, 1);
    assert_false(out.certs[0].parsed);
    assert_int_equal(out.certs[0].der_len, 9);
    assert_string_equal(out.certs[0].sha256, GARBAGE_SHA256);
    assert_null(out.certs[0].subject);
    assert_int_equal(f->p.kind, TD_ANOM_CERTIFICATE_UNPARSED);
    assert_string_equal(f->p.detail,
                        "Certificate.certificate_list[0]: 9 bytes are not a DER X.509 certificate");
}

/* A valid certificate followed by extra bytes inside its cert_data is not taken. */
static void test_trailing_bytes(void **state)
{
    struct fixture *f = *state;
    struct td_certificate out;
    uint8_t *padded = malloc(sizeof cert_der + 1);
    assert_non_null(padded);
    memcpy(padded, cert_der, sizeof cert_der);
    padded[sizeof cert_der] = 0;
    const uint8_t *der[] = {padded};
    const size_t len[] = {sizeof cert_der + 1};
    build(f, false, der, len, 1);
    assert_int_equal(td_parse_certificate(&f->p, td_cur_make(f->msg, f->len), false, NULL, &out), 0);
    assert_false(out.certs[0].parsed);
    free(padded);
}

static void test_bad_lengths(void **state)
{
    struct fixture *f = *state;
    struct td_certificate out;
    const uint8_t *der[] = {cert_der};
    const size_t len[] = {sizeof cert_der};

    /* certificate_list longer than the message */
    build(f, false, der, len, 1);
    put24(f->msg, f->len - 3 + 1);
    assert_int_equal(td_parse_certificate(&f->p, td_cur_make(f->msg, f->len), false, NULL, &out), -1);
    assert_non_null(strstr(f->p.detail, "Certificate.certificate_list: length"));

    /* an entry longer than the list: the entries before it are kept */
    td_parse_begin(&f->p, &f->arena);
    const uint8_t *two[] = {cert_der, cert_der};
    const size_t two_len[] = {sizeof cert_der, sizeof cert_der};
    build(f, false, two, two_len, 2);
    put24(f->msg + 3 + 3 + sizeof cert_der, sizeof cert_der + 1);
    assert_int_equal(td_parse_certificate(&f->p, td_cur_make(f->msg, f->len), false, NULL, &out), -1);
    assert_int_equal(out.count, 1);
    assert_cert(&out.certs[0]);
    assert_string_equal(f->p.detail, "Certificate.certificate_list[1]: length 597 > remaining 596");

    /* an empty list is a valid message */
    td_parse_begin(&f->p, &f->arena);
    build(f, false, NULL, NULL, 0);
    assert_int_equal(td_parse_certificate(&f->p, td_cur_make(f->msg, f->len), false, NULL, &out), 0);
    assert_int_equal(out.count, 0);
    assert_int_equal(f->p.failures, 0);
}

/*
 * A certificate_list the capture cut inside its second entry: no entry is
 * described, the cut is no failure, and an entry length or a TLS 1.3
 * extensions length that lies before the cut (or past the list's declared
 * end) is still one.
 */
static void test_cut_list(void **state)
{
    struct fixture *f = *state;
    struct td_certificate out;
    const uint8_t *two[] = {cert_der, cert_der};
    const size_t two_len[] = {sizeof cert_der, sizeof cert_der};
    size_t cut = 3 + 3 + sizeof cert_der + 100;

    build(f, false, two, two_len, 2);
    assert_int_equal(td_parse_certificate(&f->p, td_cur_make_partial(f->msg, cut, f->len), false,
                                          NULL, &out), -1);
    assert_int_equal(f->p.failures, 0);
    assert_int_equal(out.count, 0);

    td_parse_begin(&f->p, &f->arena);
    put24(f->msg + 3 + 3 + sizeof cert_der, sizeof cert_der + 1);
    assert_int_equal(td_parse_certificate(&f->p, td_cur_make_partial(f->msg, cut, f->len), false,
                                          NULL, &out), -1);
    assert_int_equal(f->p.failures, 1);
    assert_string_equal(f->p.detail, "Certificate.certificate_list[1]: length 597 > remaining 596");
    assert_int_equal(out.count, 0);

    td_parse_begin(&f->p, &f->arena);
    build(f, true, two, two_len, 2);
    cut = 3 + 3 + 3 + sizeof cert_der + 2 + 100;
    f->msg[3 + 3 + 3 + sizeof cert_der] = 0xff; /* the first entry's extensions<0..2^16-1> */
    assert_int_equal(td_parse_certificate(&f->p, td_cur_make_partial(f->msg, cut, f->len), true,
                                          NULL, &out), -1);
    assert_int_equal(f->p.failures, 1);
    assert_string_equal(f->p.detail,
                        "Certificate.certificate_list[0].extensions: length 65280 > remaining 601");
}

/* TLS 1.3: an entry whose extensions length lies is still described, and the fault named. */
static void test_tls13_extensions_lie(void **state)
{
    struct fixture *f = *state;
    struct td_certificate out;
    const uint8_t *der[] = {cert_der};
    const size_t len[] = {sizeof cert_der};
    build(f, true, der, len, 1);
    /* the entry's extensions<0..2^16-1> claims 3 bytes; none follow */
    f->msg[f->len - 1] = 3;
    assert_int_equal(td_parse_certificate(&f->p, td_cur_make(f->msg, f->len), true, NULL, &out), -1);
    assert_int_equal(out.count, 1);
    assert_cert(&out.certs[0]);
    assert_int_equal(f->p.kind, TD_ANOM_BAD_LENGTH);
    assert_string_equal(f->p.detail, "Certificate.certificate_list[0].extensions: length 3 > remaining 0");
}

/* Past TD_MAX_LISTED_CERTIFICATES entries are counted, not kept; the cap is reported first. */
static void test_listing_cap(void **state)
{
    struct fixture *f = *state;
    struct td_certificate out;
    enum { N = TD_MAX_LISTED_CERTIFICATES + 72 };
    const uint8_t *der[N];
    size_t len[N];
    for (size_t i = 0; i < N; i++) {
        der[i] = garbage;
        len[i] = sizeof garbage;
    }
    build(f, false, der, len, N);
    assert_int_equal(td_parse_certificate(&f->p, td_cur_make(f->msg, f->len), false, NULL, &out), 0);
    assert_int_equal(out.count, TD_MAX_LISTED_CERTIFICATES);
    assert_int_equal(out.omitted, 72);
    assert_string_equal(out.certs[TD_MAX_LISTED_CERTIFICATES - 1].sha256, GARBAGE_SHA256);
    assert_int_equal(f->p.kind, TD_ANOM_LIMIT_REACHED);
    assert_string_equal(f->p.detail, "Certificate.certificate_list: 200 entries; certificates lists the first 128");

    /* exactly at the cap: nothing omitted (only the decoding cap is reported) */
    td_parse_begin(&f->p, &f->arena);
    build(f, false, der, len, TD_MAX_LISTED_CERTIFICATES);
    assert_int_equal(td_parse_certificate(&f->p, td_cur_make(f->msg, f->len), false, NULL, &out), 0);
    assert_int_equal(out.count, TD_MAX_LISTED_CERTIFICATES);
    assert_int_equal(out.omitted, 0);
    assert_string_equal(f->p.detail, "Certificate: 128 certificates; X.509 fields decoded for the first 32");
}

/* ---- CompressedCertificate (RFC 8879 §4) --------------------------------- */

#define MAX_MESSAGE (1u << 20) /* the default --max-handshake-size */

/* A CompressedCertificate body: algorithm, uncompressed_length, the stream. */
static uint8_t *compressed_message(uint16_t algorithm, size_t declared, const uint8_t *stream,
                                   size_t stream_len, size_t *len)
{
    uint8_t *m = malloc(8 + stream_len);
    assert_non_null(m);
    m[0] = (uint8_t)(algorithm >> 8);
    m[1] = (uint8_t)algorithm;
    put24(m + 2, declared);
    put24(m + 5, stream_len);
    memcpy(m + 8, stream, stream_len);
    *len = 8 + stream_len;
    return m;
}

/* The TLS 1.3 Certificate of build(), compressed with each algorithm: the same certificates. */
static void test_compressed_certificate(void **state)
{
    struct fixture *f = *state;
    static const struct { uint16_t algorithm; enum td_codec codec; } algs[] = {
        {TD_CERT_COMPRESSION_ZLIB, TD_CODEC_ZLIB},
        {TD_CERT_COMPRESSION_BROTLI, TD_CODEC_BROTLI},
        {TD_CERT_COMPRESSION_ZSTD, TD_CODEC_ZSTD},
    };
    const uint8_t *der[] = {cert_der, cert_der};
    const size_t len[] = {sizeof cert_der, sizeof cert_der};
    build(f, true, der, len, 2);
    for (size_t k = 0; k < UNIT_COUNT(algs); k++) {
        struct td_compressed_certificate out;
        size_t clen, mlen;
        uint8_t *stream = unit_compress(algs[k].codec, f->msg, f->len, &clen);
        uint8_t *m = compressed_message(algs[k].algorithm, f->len, stream, clen, &mlen);
        td_parse_begin(&f->p, &f->arena);
        assert_int_equal(td_parse_compressed_certificate(&f->p, td_cur_make(m, mlen), true,
                                                         MAX_MESSAGE, NULL, &out), 0);
        assert_int_equal(f->p.failures, 0);
        assert_true(out.has_header);
        assert_true(out.decompressed);
        assert_int_equal(out.algorithm, algs[k].algorithm);
        assert_int_equal(out.uncompressed_length, f->len);
        assert_int_equal(out.compressed_length, clen);
        assert_int_equal(out.certificate.count, 2);
        assert_int_equal(out.certificate.context.len, 2);
        assert_cert(&out.certificate.certs[0]);
        assert_cert(&out.certificate.certs[1]);
        free(m);
        free(stream);
    }
}

/* Each way a CompressedCertificate can fail: its anomaly kind and field path. */
static void test_compressed_certificate_bad(void **state)
{
    struct fixture *f = *state;
    struct td_compressed_certificate out;
    const uint8_t *der[] = {cert_der};
    const size_t len[] = {sizeof cert_der};
    size_t clen, mlen;
    uint8_t *m;

    build(f, true, der, len, 1);
    uint8_t *stream = unit_compress(TD_CODEC_BROTLI, f->msg, f->len, &clen);
    static const struct {
        uint16_t algorithm;
        long declared_delta; /* uncompressed_length - the real length */
        size_t cut;          /* stream bytes left out */
        bool tls13;
        size_t max;
        int rc;
        enum td_anomaly_kind kind;
        const char *detail_start;
    } cases[] = {
        /* a bomb: the stream goes past uncompressed_length */
        {TD_CERT_COMPRESSION_BROTLI, -1, 0, true, MAX_MESSAGE, -1, TD_ANOM_BAD_LENGTH,
         "CompressedCertificate.compressed_certificate_message: it decompresses past its declared length of"},
        {TD_CERT_COMPRESSION_BROTLI, +1, 0, true, MAX_MESSAGE, -1, TD_ANOM_BAD_LENGTH,
         "CompressedCertificate.compressed_certificate_message: it decompresses short of its declared length"},
        {TD_CERT_COMPRESSION_BROTLI, 0, 5, true, MAX_MESSAGE, -1, TD_ANOM_CERTIFICATE_UNPARSED,
         "CompressedCertificate.compressed_certificate_message: the compressed stream ends early"},
        {TD_CERT_COMPRESSION_ZLIB, 0, 0, true, MAX_MESSAGE, -1, TD_ANOM_CERTIFICATE_UNPARSED,
         "CompressedCertificate.compressed_certificate_message: the compressed stream is corrupt"},
        {0x1234, 0, 0, true, MAX_MESSAGE, -1, TD_ANOM_CERTIFICATE_UNPARSED,
         "CompressedCertificate.algorithm: 0x1234 is not zlib, brotli or zstd"},
        /* declared over the cap: not decompressed, the message is not at fault */
        {TD_CERT_COMPRESSION_BROTLI, 0, 0, true, 100, 0, TD_ANOM_LIMIT_REACHED,
         "CompressedCertificate.uncompressed_length: "},
        {TD_CERT_COMPRESSION_BROTLI, 0, 0, false, MAX_MESSAGE, -1, TD_ANOM_UNEXPECTED_MESSAGE,
         "CompressedCertificate outside TLS 1.3"},
    };
    for (size_t i = 0; i < UNIT_COUNT(cases); i++) {
        m = compressed_message(cases[i].algorithm, (size_t)((long)f->len + cases[i].declared_delta),
                               stream, clen - cases[i].cut, &mlen);
        td_parse_begin(&f->p, &f->arena);
        assert_int_equal(td_parse_compressed_certificate(&f->p, td_cur_make(m, mlen), cases[i].tls13,
                                                         cases[i].max, NULL, &out), cases[i].rc);
        assert_int_equal(f->p.failures, 1);
        assert_int_equal(f->p.kind, cases[i].kind);
        assert_memory_equal(f->p.detail, cases[i].detail_start, strlen(cases[i].detail_start));
        assert_true(out.has_header);
        assert_false(out.decompressed);
        assert_int_equal(out.certificate.count, 0);
        free(m);
    }
    free(stream);

    /* cut in its header, and a stream of zero bytes (<1..2^24-1>) */
    static const uint8_t header_cut[4] = {0x00, 0x02, 0x00, 0x10};
    static const uint8_t empty_stream[8] = {0x00, 0x02, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00};
    m = unit_dup(header_cut, sizeof header_cut);
    td_parse_begin(&f->p, &f->arena);
    assert_int_equal(td_parse_compressed_certificate(&f->p, td_cur_make(m, sizeof header_cut), true,
                                                     MAX_MESSAGE, NULL, &out), -1);
    assert_false(out.has_header);
    assert_string_equal(f->p.detail, "CompressedCertificate.uncompressed_length: need 3 bytes, 2 remaining");
    free(m);
    m = unit_dup(empty_stream, sizeof empty_stream);
    td_parse_begin(&f->p, &f->arena);
    assert_int_equal(td_parse_compressed_certificate(&f->p, td_cur_make(m, sizeof empty_stream), true,
                                                     MAX_MESSAGE, NULL, &out), -1);
    assert_int_equal(f->p.kind, TD_ANOM_BAD_LENGTH);
    assert_memory_equal(f->p.detail, "CompressedCertificate.compressed_certificate_message",
                        strlen("CompressedCertificate.compressed_certificate_message"));
    free(m);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_tls12_certificate),
        T(test_tls13_certificate),
        T(test_cache),
        T(test_garbage),
        T(test_trailing_bytes),
        T(test_bad_lengths),
        T(test_tls13_extensions_lie),
        T(test_cut_list),
        T(test_listing_cap),
        T(test_compressed_certificate),
        T(test_compressed_certificate_bad),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
