/*
 * test_registry.c — names of TLS code points (registry.h; IANA TLS
 * registries per RFC 8447) and GREASE values (RFC 8701 §2).
 */
#include "unit.h"

#include "tlsdissect/codepoints.h"
#include "tlsdissect/registry.h"
#include "tls/registry_tables.h"

static void check_name(enum td_registry reg, uint16_t v, const char *want)
{
    char buf[TD_REG_NAME_BUF];
    memset(buf, 'x', sizeof buf);
    assert_string_equal(td_registry_name(reg, v, buf), want);
}

static void test_known(void **state)
{
    (void)state;
    check_name(TD_REG_CIPHER_SUITES, 0x1301, "TLS_AES_128_GCM_SHA256");
    check_name(TD_REG_CIPHER_SUITES, 0x0000, "TLS_NULL_WITH_NULL_NULL");
    check_name(TD_REG_CIPHER_SUITES, 0xc02f, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
    check_name(TD_REG_CIPHER_SUITES, 0xcca8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");
    check_name(TD_REG_CIPHER_SUITES, 0x00ff, "TLS_EMPTY_RENEGOTIATION_INFO_SCSV");
    check_name(TD_REG_CIPHER_SUITES, 0x5600, "TLS_FALLBACK_SCSV");
    check_name(TD_REG_EXTENSIONS, 0x0000, "server_name");
    check_name(TD_REG_EXTENSIONS, 0x0010, "application_layer_protocol_negotiation");
    check_name(TD_REG_EXTENSIONS, 0x002b, "supported_versions");
    check_name(TD_REG_EXTENSIONS, 0xff01, "renegotiation_info");
    check_name(TD_REG_SUPPORTED_GROUPS, 0x001d, "x25519");
    check_name(TD_REG_SUPPORTED_GROUPS, 0x0017, "secp256r1");
    check_name(TD_REG_SIGNATURE_SCHEMES, 0x0804, "rsa_pss_rsae_sha256");
    check_name(TD_REG_SIGNATURE_SCHEMES, 0x0403, "ecdsa_secp256r1_sha256");
    check_name(TD_REG_VERSIONS, 0x0304, "TLS 1.3");
    check_name(TD_REG_VERSIONS, 0x0002, "SSL 2.0");
    check_name(TD_REG_ALERTS, 40, "handshake_failure");
    check_name(TD_REG_ALERTS, 0, "close_notify");
    check_name(TD_REG_ALERTS, 48, "unknown_ca");
    check_name(TD_REG_HANDSHAKE_TYPES, 1, "client_hello");
    check_name(TD_REG_HANDSHAKE_TYPES, 14, "server_hello_done");
    check_name(TD_REG_CONTENT_TYPES, 22, "handshake");
    check_name(TD_REG_COMPRESSION_METHODS, 0, "null");
    check_name(TD_REG_EC_POINT_FORMATS, 0, "uncompressed");
    check_name(TD_REG_PSK_MODES, 1, "psk_dhe_ke");
    check_name(TD_REG_CERTIFICATE_TYPES, 64, "ecdsa_sign");
    check_name(TD_REG_CERT_COMPRESSION, 2, "brotli");
    check_name(TD_REG_ALERT_LEVELS, 2, "fatal");
    check_name(TD_REG_CERT_STATUS_TYPES, 1, "ocsp");
    check_name(TD_REG_EC_CURVE_TYPES, 3, "named_curve");
    assert_string_equal(td_registry_lookup(TD_REG_ALERTS, 40), "handshake_failure");
}

static void test_unknown_hex(void **state)
{
    (void)state;
    /* two-byte registries: "0x%04x", lowercase */
    check_name(TD_REG_CIPHER_SUITES, 0x0a0a, "0x0a0a");
    check_name(TD_REG_CIPHER_SUITES, 0xffff, "0xffff");
    check_name(TD_REG_EXTENSIONS, 0x7777, "0x7777");
    check_name(TD_REG_EXTENSIONS, 0xdada, "0xdada");
    check_name(TD_REG_SUPPORTED_GROUPS, 0xabcd, "0xabcd");
    check_name(TD_REG_SIGNATURE_SCHEMES, 0x0001, "0x0001");
    check_name(TD_REG_VERSIONS, 0x7f17, "0x7f17");
    check_name(TD_REG_CERT_COMPRESSION, 0x0004, "0x0004");
    /* one-byte registries: "0x%02x" */
    check_name(TD_REG_ALERTS, 0xff, "0xff");
    check_name(TD_REG_ALERTS, 1, "0x01");
    check_name(TD_REG_HANDSHAKE_TYPES, 0x63, "0x63");
    check_name(TD_REG_CONTENT_TYPES, 0x3f, "0x3f");
    check_name(TD_REG_COMPRESSION_METHODS, 0xfe, "0xfe");
    check_name(TD_REG_EC_POINT_FORMATS, 0x03, "0x03");
    check_name(TD_REG_PSK_MODES, 0x02, "0x02");
    check_name(TD_REG_CERTIFICATE_TYPES, 0x00, "0x00");
    check_name(TD_REG_ALERT_LEVELS, 0x03, "0x03");
    assert_null(td_registry_lookup(TD_REG_ALERTS, 1));
    /* the result is the caller's buffer for unknown values */
    char buf[TD_REG_NAME_BUF];
    assert_ptr_equal(td_registry_name(TD_REG_ALERTS, 1, buf), buf);
    /* an out-of-range registry has no names */
    assert_null(td_registry_lookup(TD_REG_COUNT, 0x1301));
    assert_string_equal(td_registry_name(TD_REG_COUNT, 0x1301, buf), "0x1301");
}

/* The generated constants (codepoints.h) are the wire values the RFCs give, under the registry's names. */
static void test_codepoints(void **state)
{
    (void)state;
    assert_int_equal(TD_EXT_SERVER_NAME, 0);
    assert_int_equal(TD_EXT_SUPPORTED_VERSIONS, 43);
    assert_int_equal(TD_EXT_KEY_SHARE, 51);
    assert_int_equal(TD_HS_CLIENT_HELLO, 1);
    assert_int_equal(TD_HS_FINISHED, 20);
    assert_int_equal(TD_CT_CHANGE_CIPHER_SPEC, 20);
    assert_int_equal(TD_CT_APPLICATION_DATA, 23);
    assert_int_equal(TD_ALERT_CLOSE_NOTIFY, 0);
    assert_int_equal(TD_ALERT_LEVEL_FATAL, 2);
    assert_int_equal(TD_VERSION_TLS_1_3, 0x0304);
    assert_int_equal(TD_GROUP_X25519, 0x001d);
    assert_int_equal(TD_CS_TLS_AES_128_GCM_SHA256, 0x1301);
    assert_int_equal(TD_EC_CURVE_TYPE_NAMED_CURVE, 3);
    assert_string_equal(td_registry_lookup(TD_REG_EXTENSIONS, TD_EXT_KEY_SHARE), "key_share");
    assert_string_equal(td_registry_lookup(TD_REG_SIGNATURE_SCHEMES, TD_SIGSCHEME_RSA_PSS_RSAE_SHA256),
                        "rsa_pss_rsae_sha256");
    assert_string_equal(td_registry_lookup(TD_REG_CERT_STATUS_TYPES, TD_CERT_STATUS_OCSP_MULTI),
                        "ocsp_multi");
}

/* The generated tables are sorted and unique (bsearch relies on it), and every entry is found. */
static void test_tables_sorted(void **state)
{
    (void)state;
    for (int reg = 0; reg < TD_REG_COUNT; reg++) {
        const struct td_registry_table *t = &td_registry_tables[reg];
        assert_true(t->count > 0);
        assert_true(t->width == 1 || t->width == 2);
        for (size_t i = 0; i < t->count; i++) {
            if (i)
                assert_true(t->entries[i - 1].value < t->entries[i].value);
            if (t->width == 1)
                assert_true(t->entries[i].value <= 0xff);
            assert_non_null(t->entries[i].name);
            assert_true(t->entries[i].name[0] != '\0');
            assert_ptr_equal(td_registry_lookup((enum td_registry)reg, t->entries[i].value),
                             t->entries[i].name);
        }
    }
}

static void test_grease(void **state)
{
    (void)state;
    const uint16_t grease[16] = {0x0a0a, 0x1a1a, 0x2a2a, 0x3a3a, 0x4a4a, 0x5a5a, 0x6a6a, 0x7a7a,
                                 0x8a8a, 0x9a9a, 0xaaaa, 0xbaba, 0xcaca, 0xdada, 0xeaea, 0xfafa};
    for (size_t i = 0; i < 16; i++)
        assert_true(td_is_grease(grease[i]));
    /* exactly those 16 of all 65536 values */
    unsigned count = 0;
    for (uint32_t v = 0; v <= 0xffff; v++)
        count += td_is_grease((uint16_t)v);
    assert_int_equal(count, 16);
    const uint16_t not_grease[] = {0x0000, 0x0a1a, 0x1a0a, 0x0a0b, 0x0b0a, 0xaaab,
                                   0x1301, 0x0303, 0xfafb, 0x0aa0, 0xa0a0, 0xffff};
    for (size_t i = 0; i < UNIT_COUNT(not_grease); i++)
        assert_false(td_is_grease(not_grease[i]));
    /* GREASE values have no names */
    for (size_t i = 0; i < 16; i++) {
        assert_null(td_registry_lookup(TD_REG_CIPHER_SUITES, grease[i]));
        assert_null(td_registry_lookup(TD_REG_EXTENSIONS, grease[i]));
        assert_null(td_registry_lookup(TD_REG_SUPPORTED_GROUPS, grease[i]));
        assert_null(td_registry_lookup(TD_REG_VERSIONS, grease[i]));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known),
        cmocka_unit_test(test_unknown_hex),
        cmocka_unit_test(test_codepoints),
        cmocka_unit_test(test_tables_sorted),
        cmocka_unit_test(test_grease),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
