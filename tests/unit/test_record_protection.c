/*
 * test_record_protection.c — TLS 1.3 record protection (record_protection.h)
 * on a record OpenSSL sealed: the server's EncryptedExtensions record of
 * tests/pcaps/tls13-keys-aes128gcm.pcap and the
 * SERVER_HANDSHAKE_TRAFFIC_SECRET its key log holds.  Then what must fail:
 * a second use of sequence number 0, a changed ciphertext or header, a
 * skipped sequence number, a secret of the wrong length, a record shorter
 * than its tag, suites libcrypto cannot open here.
 */
#include "unit.h"

#include "tlsdissect/codepoints.h"
#include "tls/record_protection.h"

static const char secret_hex[] = "ec9d61742a0c336dd9feb09a53d0299d26ed71f43b254b86ebbe81e13fecf3ff";
static const char record_hex[] = "1703030020"
                                 "811ce011a7891b7f2c0bcb4269eb4d4caba415289aa9475c7a64ae487ba43165";
/* EncryptedExtensions { application_layer_protocol_negotiation: "h2" } */
static const uint8_t ee[15] = {0x08, 0x00, 0x00, 0x0b, 0x00, 0x09, 0x00, 0x10,
                               0x00, 0x05, 0x00, 0x03, 0x02, 'h', '2'};

struct fixture {
    uint8_t secret[32];
    uint8_t record[37];
    uint8_t out[32];
    size_t len;
    uint8_t type;
};

static struct td_rp *keyed(struct fixture *f)
{
    enum td_rp_status st;
    struct td_rp *rp = td_rp_new(TD_CS_TLS_AES_128_GCM_SHA256, &st);
    assert_non_null(rp);
    assert_int_equal(st, TD_RP_OK);
    unit_unhex(secret_hex, f->secret, sizeof f->secret);
    unit_unhex(record_hex, f->record, sizeof f->record);
    assert_int_equal(td_rp_set_secret(rp, f->secret, sizeof f->secret), TD_RP_OK);
    return rp;
}

static enum td_rp_status open_record(struct td_rp *rp, struct fixture *f)
{
    return td_rp_open(rp, f->record, f->record + 5, 32, f->out, &f->len, &f->type);
}

static void test_opens_an_openssl_record(void **state)
{
    (void)state;
    struct fixture f;
    struct td_rp *rp = keyed(&f);

    assert_int_equal(td_rp_tag_len(rp), 16);
    assert_int_equal(open_record(rp, &f), TD_RP_OK);
    assert_int_equal(f.type, TD_CT_HANDSHAKE);
    assert_int_equal(f.len, sizeof ee);
    assert_memory_equal(f.out, ee, sizeof ee);
    /* the same bytes under sequence number 1: a different nonce */
    assert_int_equal(open_record(rp, &f), TD_RP_AUTH_FAILED);
    td_rp_free(rp);
}

static void test_what_does_not_authenticate(void **state)
{
    (void)state;
    struct fixture f;
    struct td_rp *rp = keyed(&f);

    f.record[20] ^= 0x01; /* ciphertext */
    assert_int_equal(open_record(rp, &f), TD_RP_AUTH_FAILED);
    assert_int_equal(td_rp_set_secret(rp, f.secret, sizeof f.secret), TD_RP_OK); /* seq 0 again */
    f.record[20] ^= 0x01;
    f.record[2] = 0x01; /* the header is the additional data */
    assert_int_equal(open_record(rp, &f), TD_RP_AUTH_FAILED);
    f.record[2] = 0x03;
    assert_int_equal(td_rp_set_secret(rp, f.secret, sizeof f.secret), TD_RP_OK);
    td_rp_skip(rp); /* a record the capture lost used sequence number 0 */
    assert_int_equal(open_record(rp, &f), TD_RP_AUTH_FAILED);
    assert_int_equal(td_rp_set_secret(rp, f.secret, sizeof f.secret), TD_RP_OK);
    assert_int_equal(td_rp_next_secret(rp), TD_RP_OK); /* KeyUpdate: other keys */
    assert_int_equal(open_record(rp, &f), TD_RP_AUTH_FAILED);
    /* no room for a content type and the tag */
    assert_int_equal(td_rp_set_secret(rp, f.secret, sizeof f.secret), TD_RP_OK);
    assert_int_equal(td_rp_open(rp, f.record, f.record + 5, 16, f.out, &f.len, &f.type),
                     TD_RP_AUTH_FAILED);
    /* a secret that is not the suite's hash length */
    assert_int_equal(td_rp_set_secret(rp, f.secret, 31), TD_RP_BAD_SECRET);
    assert_int_equal(open_record(rp, &f), TD_RP_AUTH_FAILED);
    td_rp_free(rp);

    enum td_rp_status st;
    rp = td_rp_new(TD_CS_TLS_AES_256_GCM_SHA384, &st);
    assert_non_null(rp);
    assert_int_equal(td_rp_set_secret(rp, f.secret, sizeof f.secret), TD_RP_BAD_SECRET);
    td_rp_free(rp);
}

static void test_suites_not_opened(void **state)
{
    (void)state;
    static const uint16_t refused[] = {
        TD_CS_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, /* TLS 1.2 */
        0x00c6,                                      /* TLS_SM4_GCM_SM3 */
        0x1306,                                      /* an AEGIS suite, or unassigned */
        0x0a0a,                                      /* GREASE */
        TD_CS_TLS_NULL_WITH_NULL_NULL,
    };
    static const uint16_t opened[] = {
        TD_CS_TLS_AES_128_GCM_SHA256, TD_CS_TLS_AES_256_GCM_SHA384,
        TD_CS_TLS_CHACHA20_POLY1305_SHA256, TD_CS_TLS_AES_128_CCM_SHA256,
        TD_CS_TLS_AES_128_CCM_8_SHA256,
    };
    static const size_t tags[] = {16, 16, 16, 16, 8};
    enum td_rp_status st;
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        assert_null(td_rp_new(refused[i], &st));
        assert_int_equal(st, TD_RP_UNSUPPORTED);
    }
    for (size_t i = 0; i < sizeof opened / sizeof opened[0]; i++) {
        struct td_rp *rp = td_rp_new(opened[i], &st);
        assert_non_null(rp);
        assert_int_equal(td_rp_tag_len(rp), tags[i]);
        td_rp_free(rp);
    }
    td_rp_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_opens_an_openssl_record),
        cmocka_unit_test(test_what_does_not_authenticate),
        cmocka_unit_test(test_suites_not_opened),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
