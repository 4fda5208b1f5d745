/*
 * test_transcript.c — the transcript hash (transcript.h) and the expected
 * Finished verify_data (finished.h) on real handshakes recorded from
 * OpenSSL (finished_vectors.h): TLS 1.3 with SHA-384 and SHA-256 suites,
 * TLS 1.3 with a HelloRetryRequest (RFC 8446 §4.4.1 message_hash), TLS 1.2
 * with SHA-384 and SHA-256 PRFs, TLS 1.0 (MD5 || SHA-1).  Each Finished's
 * verify_data must be computed exactly; a changed byte anywhere in the
 * transcript, or the other side's label, must not match.
 */
#include "unit.h"

#include <stdbool.h>

#include "tlsdissect/codepoints.h"
#include "tls/finished.h"
#include "tls/transcript.h"

#include "finished_vectors.h"

struct vector {
    const char *messages;
    enum td_transcript_hash hash;
    bool tls13;
    bool hrr;            /* the second message is a HelloRetryRequest */
    bool client_first;   /* the client's Finished comes first (TLS 1.2 full handshake) */
    const char *client_secret, *server_secret; /* TLS 1.3 handshake traffic secrets */
    const char *master_secret;                 /* TLS <= 1.2 */
};

static uint8_t *unhex_alloc(const char *hex, size_t *n)
{
    uint8_t *p;
    *n = strlen(hex) / 2;
    p = malloc(*n ? *n : 1);
    assert_non_null(p);
    unit_unhex(hex, p, *n);
    return p;
}

/* The verify_data the Finished of this side must carry, over t so far. */
static size_t expected(const struct vector *v, const struct td_transcript *t, bool client,
                       uint8_t *out)
{
    uint8_t hash[TD_TRANSCRIPT_HASH_MAX], secret[48];
    size_t hash_len = td_transcript_hash(t, hash), secret_len;
    const char *digest = td_transcript_digest_name(v->hash);

    assert_int_not_equal(hash_len, 0);
    if (v->tls13) {
        const char *hex = client ? v->client_secret : v->server_secret;
        secret_len = strlen(hex) / 2;
        unit_unhex(hex, secret, secret_len);
        assert_int_equal(secret_len, hash_len);
        assert_true(td_finished_tls13(digest, secret, hash_len, hash, out));
        return hash_len;
    }
    secret_len = strlen(v->master_secret) / 2;
    assert_int_equal(secret_len, 48);
    unit_unhex(v->master_secret, secret, secret_len);
    assert_true(td_finished_tls12(digest, secret, secret_len, client, hash, hash_len, out,
                                  TD_FINISHED_TLS12_LEN));
    return TD_FINISHED_TLS12_LEN;
}

/*
 * Feed the vector's messages (with byte flip_at of the whole, if not
 * SIZE_MAX, inverted); return how many Finished messages matched.  With
 * swap_sides, each Finished is checked against the other side's key.
 */
static int verify_vector(const struct vector *v, size_t flip_at, bool swap_sides)
{
    size_t n, at = 0, index = 0;
    uint8_t *msgs = unhex_alloc(v->messages, &n);
    struct td_transcript *t = td_transcript_new();
    int matched = 0, finished = 0;

    assert_non_null(t);
    if (flip_at < n)
        msgs[flip_at] ^= 0x01;
    while (at < n) {
        uint8_t type = msgs[at], want[TD_TRANSCRIPT_HASH_MAX];
        size_t len;
        assert_true(n - at >= 4);
        len = (size_t)msgs[at + 1] << 16 | (size_t)msgs[at + 2] << 8 | msgs[at + 3];
        assert_true(n - at - 4 >= len);
        if (type == TD_HS_SERVER_HELLO && index == 1 && v->hrr)
            assert_true(td_transcript_hello_retry(t, v->hash));
        else if (type == TD_HS_SERVER_HELLO)
            assert_true(td_transcript_choose(t, v->hash));
        if (type == TD_HS_FINISHED) {
            bool client = (finished == 0) == v->client_first;
            size_t want_len = expected(v, t, client != swap_sides, want);
            finished++;
            if (want_len == len && memcmp(want, msgs + at + 4, len) == 0)
                matched++;
        }
        assert_true(td_transcript_add(t, type, msgs + at + 4, len));
        at += 4 + len;
        index++;
    }
    assert_int_equal(finished, 2);
    td_transcript_free(t);
    free(msgs);
    return matched;
}

static const struct vector tls13 = {tls13_messages, TD_TRANSCRIPT_SHA384, true, false, false,
                                    tls13_client_handshake_traffic_secret,
                                    tls13_server_handshake_traffic_secret, NULL};
static const struct vector tls13s = {tls13s_messages, TD_TRANSCRIPT_SHA256, true, false, false,
                                     tls13s_client_handshake_traffic_secret,
                                     tls13s_server_handshake_traffic_secret, NULL};
static const struct vector hrr = {hrr_messages, TD_TRANSCRIPT_SHA384, true, true, false,
                                  hrr_client_handshake_traffic_secret,
                                  hrr_server_handshake_traffic_secret, NULL};
static const struct vector tls12 = {tls12_messages, TD_TRANSCRIPT_SHA384, false, false, true,
                                    NULL, NULL, tls12_master_secret};
static const struct vector tls12s = {tls12s_messages, TD_TRANSCRIPT_SHA256, false, false, true,
                                     NULL, NULL, tls12s_master_secret};
static const struct vector tls10 = {tls10_messages, TD_TRANSCRIPT_MD5_SHA1, false, false, true,
                                    NULL, NULL, tls10_master_secret};

static void test_tls13_sha384(void **state)
{
    (void)state;
    assert_int_equal(verify_vector(&tls13, SIZE_MAX, false), 2);
}

static void test_tls13_sha256(void **state)
{
    (void)state;
    assert_int_equal(verify_vector(&tls13s, SIZE_MAX, false), 2);
}

static void test_tls13_hello_retry(void **state)
{
    (void)state;
    assert_int_equal(verify_vector(&hrr, SIZE_MAX, false), 2);
}

static void test_tls12_sha384_prf(void **state)
{
    (void)state;
    assert_int_equal(verify_vector(&tls12, SIZE_MAX, false), 2);
}

static void test_tls12_sha256_prf(void **state)
{
    (void)state;
    assert_int_equal(verify_vector(&tls12s, SIZE_MAX, false), 2);
}

static void test_tls10_md5_sha1(void **state)
{
    (void)state;
    assert_int_equal(verify_vector(&tls10, SIZE_MAX, false), 2);
}

/* The other side's key (or label) never gives this side's verify_data. */
static void test_sides_differ(void **state)
{
    (void)state;
    assert_int_equal(verify_vector(&tls13, SIZE_MAX, true), 0);
    assert_int_equal(verify_vector(&tls12, SIZE_MAX, true), 0);
    assert_int_equal(verify_vector(&tls10, SIZE_MAX, true), 0);
}

/* One bit changed in the ClientHello's random: neither Finished matches. */
static void test_tampered_transcript(void **state)
{
    (void)state;
    size_t random_byte = 4 + 2 + 5; /* header, legacy_version, into the random */
    assert_int_equal(verify_vector(&tls13, random_byte, false), 0);
    assert_int_equal(verify_vector(&hrr, random_byte, false), 0);
    assert_int_equal(verify_vector(&tls12s, random_byte, false), 0);
    assert_int_equal(verify_vector(&tls10, random_byte, false), 0);
}

/*
 * The HelloRetryRequest's message_hash matters: hashing ClientHello1 as
 * itself (no HRR replacement) gives a transcript neither Finished matches.
 */
static void test_hello_retry_needs_message_hash(void **state)
{
    (void)state;
    struct vector plain = hrr;
    plain.hrr = false;
    assert_int_equal(verify_vector(&plain, SIZE_MAX, false), 0);
}

/* Before the ServerHello there is no hash to give; after, one choice only. */
static void test_hash_needs_a_choice(void **state)
{
    (void)state;
    uint8_t out[TD_TRANSCRIPT_HASH_MAX];
    struct td_transcript *t = td_transcript_new();
    assert_non_null(t);
    assert_true(td_transcript_add(t, TD_HS_CLIENT_HELLO, (const uint8_t *)"x", 1));
    assert_int_equal(td_transcript_hash(t, out), 0);
    assert_true(td_transcript_choose(t, TD_TRANSCRIPT_MD5_SHA1));
    assert_int_equal(td_transcript_hash(t, out), 36);
    assert_false(td_transcript_choose(t, TD_TRANSCRIPT_SHA256));
    assert_false(td_transcript_hello_retry(t, TD_TRANSCRIPT_SHA256));
    td_transcript_free(t);
    /* one HelloRetryRequest only */
    t = td_transcript_new();
    assert_non_null(t);
    assert_true(td_transcript_add(t, TD_HS_CLIENT_HELLO, (const uint8_t *)"x", 1));
    assert_true(td_transcript_hello_retry(t, TD_TRANSCRIPT_SHA384));
    assert_false(td_transcript_hello_retry(t, TD_TRANSCRIPT_SHA384));
    assert_int_equal(td_transcript_hash(t, out), 48);
    td_transcript_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tls13_sha384),
        cmocka_unit_test(test_tls13_sha256),
        cmocka_unit_test(test_tls13_hello_retry),
        cmocka_unit_test(test_tls12_sha384_prf),
        cmocka_unit_test(test_tls12_sha256_prf),
        cmocka_unit_test(test_tls10_md5_sha1),
        cmocka_unit_test(test_sides_differ),
        cmocka_unit_test(test_tampered_transcript),
        cmocka_unit_test(test_hello_retry_needs_message_hash),
        cmocka_unit_test(test_hash_needs_a_choice),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
