/*
 * test_suites.c — the generated cipher suite table (registry.h td_suite_info,
 * made by tools/gen-registry.py) against values from the RFCs (RFC 8446 §B.4,
 * RFC 5288, RFC 5289, RFC 6655, RFC 7905, RFC 9150, RFC 9367), and against
 * the answers of the name-matching code it replaced.
 */
#include "unit.h"

#include "tlsdissect/codepoints.h"
#include "tls/keyexchange.h"
#include "tlsdissect/registry.h"
#include "tls/registry_tables.h"

static const struct td_suite_info *info_of(uint16_t suite)
{
    const struct td_suite_info *i = td_suite_info(suite);
    assert_non_null(i);
    assert_int_equal(i->value, suite);
    return i;
}

static void check_protection(uint16_t suite, enum td_suite_cipher cipher, enum td_suite_hash prf,
                             unsigned prf_len, unsigned tag_len, unsigned mac_len, bool tls13)
{
    const struct td_suite_info *i = info_of(suite);
    assert_int_equal(i->cipher, cipher);
    assert_int_equal(i->prf_hash, prf);
    assert_int_equal(i->prf_hash_len, prf_len);
    assert_int_equal(i->tag_len, tag_len);
    assert_int_equal(i->mac_len, mac_len);
    assert_int_equal(i->tls13, tls13);
}

static void check_exchange(uint16_t suite, enum td_suite_kex kex, enum td_suite_auth auth)
{
    const struct td_suite_info *i = info_of(suite);
    assert_int_equal(i->kex, kex);
    assert_int_equal(i->auth, auth);
}

static void test_known_suites(void **state)
{
    (void)state;
    /* TLS 1.3 (RFC 8446 §B.4): the hash is the HKDF hash, every tag 16 but CCM_8's */
    check_protection(TD_CS_TLS_AES_128_GCM_SHA256, TD_SUITE_CIPHER_AEAD, TD_SUITE_HASH_SHA256, 32, 16, 0, true);
    check_protection(TD_CS_TLS_AES_256_GCM_SHA384, TD_SUITE_CIPHER_AEAD, TD_SUITE_HASH_SHA384, 48, 16, 0, true);
    check_protection(TD_CS_TLS_CHACHA20_POLY1305_SHA256, TD_SUITE_CIPHER_AEAD, TD_SUITE_HASH_SHA256, 32, 16, 0, true);
    check_protection(TD_CS_TLS_AES_128_CCM_SHA256, TD_SUITE_CIPHER_AEAD, TD_SUITE_HASH_SHA256, 32, 16, 0, true);
    check_protection(TD_CS_TLS_AES_128_CCM_8_SHA256, TD_SUITE_CIPHER_AEAD, TD_SUITE_HASH_SHA256, 32, 8, 0, true);
    check_exchange(TD_CS_TLS_AES_128_GCM_SHA256, TD_SUITE_KEX_TLS13, TD_SUITE_AUTH_TLS13);
    /* RFC 9150: HMAC is the tag */
    check_protection(TD_CS_TLS_SHA256_SHA256, TD_SUITE_CIPHER_INTEGRITY_ONLY, TD_SUITE_HASH_SHA256, 32, 32, 0, true);
    check_protection(TD_CS_TLS_SHA384_SHA384, TD_SUITE_CIPHER_INTEGRITY_ONLY, TD_SUITE_HASH_SHA384, 48, 48, 0, true);
    /* RFC 9367: TLS 1.3 GOST suites, Magma's tag is its 8-byte block */
    check_protection(TD_CS_TLS_GOSTR341112_256_WITH_KUZNYECHIK_MGM_L, TD_SUITE_CIPHER_AEAD,
                     TD_SUITE_HASH_STREEBOG_256, 32, 16, 0, true);
    check_protection(TD_CS_TLS_GOSTR341112_256_WITH_MAGMA_MGM_S, TD_SUITE_CIPHER_AEAD,
                     TD_SUITE_HASH_STREEBOG_256, 32, 8, 0, true);

    /* TLS 1.2 AEADs (RFC 5288, RFC 5289, RFC 7905, RFC 6655): the hash word is the PRF's */
    check_exchange(TD_CS_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TD_SUITE_KEX_ECDHE, TD_SUITE_AUTH_RSA);
    check_protection(TD_CS_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TD_SUITE_CIPHER_AEAD, TD_SUITE_HASH_SHA256, 32, 16, 0, false);
    check_exchange(TD_CS_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, TD_SUITE_KEX_ECDHE, TD_SUITE_AUTH_ECDSA);
    check_protection(TD_CS_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, TD_SUITE_CIPHER_AEAD, TD_SUITE_HASH_SHA384, 48, 16, 0, false);
    check_exchange(TD_CS_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, TD_SUITE_KEX_ECDHE, TD_SUITE_AUTH_RSA);
    check_protection(TD_CS_TLS_DHE_RSA_WITH_AES_128_CCM_8, TD_SUITE_CIPHER_AEAD, TD_SUITE_HASH_SHA256, 32, 8, 0, false);
    check_protection(TD_CS_TLS_RSA_WITH_AES_256_CCM, TD_SUITE_CIPHER_AEAD, TD_SUITE_HASH_SHA256, 32, 16, 0, false);
    check_exchange(TD_CS_TLS_DHE_DSS_WITH_AES_256_GCM_SHA384, TD_SUITE_KEX_DHE, TD_SUITE_AUTH_DSS);

    /* MAC suites: the hash word is the HMAC's; the TLS 1.2 PRF stays SHA-256 */
    check_exchange(TD_CS_TLS_RSA_WITH_AES_256_CBC_SHA, TD_SUITE_KEX_RSA, TD_SUITE_AUTH_RSA);
    check_protection(TD_CS_TLS_RSA_WITH_AES_256_CBC_SHA, TD_SUITE_CIPHER_CBC, TD_SUITE_HASH_SHA256, 32, 0, 20, false);
    check_protection(TD_CS_TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384, TD_SUITE_CIPHER_CBC, TD_SUITE_HASH_SHA384, 48, 0, 48, false);
    check_protection(TD_CS_TLS_RSA_WITH_RC4_128_MD5, TD_SUITE_CIPHER_STREAM, TD_SUITE_HASH_SHA256, 32, 0, 16, false);
    check_protection(TD_CS_TLS_RSA_WITH_NULL_SHA256, TD_SUITE_CIPHER_NULL, TD_SUITE_HASH_SHA256, 32, 0, 32, false);
    check_exchange(TD_CS_TLS_RSA_EXPORT_WITH_RC4_40_MD5, TD_SUITE_KEX_RSA_EXPORT, TD_SUITE_AUTH_RSA);
    check_exchange(TD_CS_TLS_DH_ANON_WITH_AES_128_CBC_SHA, TD_SUITE_KEX_DH_ANON, TD_SUITE_AUTH_ANON);
    check_exchange(TD_CS_TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA, TD_SUITE_KEX_ECDH, TD_SUITE_AUTH_ECDSA);
    check_exchange(TD_CS_TLS_RSA_PSK_WITH_AES_128_CBC_SHA, TD_SUITE_KEX_RSA_PSK, TD_SUITE_AUTH_RSA);
    check_exchange(TD_CS_TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256, TD_SUITE_KEX_ECDHE_PSK, TD_SUITE_AUTH_PSK);
    check_exchange(TD_CS_TLS_SRP_SHA_DSS_WITH_AES_128_CBC_SHA, TD_SUITE_KEX_SRP, TD_SUITE_AUTH_DSS);
    /* RFC 6655 names a DHE_PSK suite PSK_DHE */
    check_exchange(TD_CS_TLS_PSK_DHE_WITH_AES_128_CCM_8, TD_SUITE_KEX_DHE_PSK, TD_SUITE_AUTH_PSK);

    /* not suites, and no suite */
    check_exchange(TD_CS_TLS_EMPTY_RENEGOTIATION_INFO_SCSV, TD_SUITE_KEX_SIGNALING, TD_SUITE_AUTH_NULL);
    check_exchange(TD_CS_TLS_FALLBACK_SCSV, TD_SUITE_KEX_SIGNALING, TD_SUITE_AUTH_NULL);
    check_exchange(TD_CS_TLS_NULL_WITH_NULL_NULL, TD_SUITE_KEX_NULL, TD_SUITE_AUTH_NULL);
    check_protection(TD_CS_TLS_NULL_WITH_NULL_NULL, TD_SUITE_CIPHER_NULL, TD_SUITE_HASH_NONE, 0, 0, 0, false);
    assert_null(td_suite_info(0x0a0a)); /* GREASE */
    assert_null(td_suite_info(0x1306)); /* unassigned */
}

/* The table is the registry's: one row per registered suite, in its order, and self-consistent. */
static void test_table_shape(void **state)
{
    (void)state;
    const struct td_registry_table *names = &td_registry_tables[TD_REG_CIPHER_SUITES];
    assert_int_equal(td_suite_info_count, names->count);
    for (size_t k = 0; k < td_suite_info_count; k++) {
        const struct td_suite_info *i = &td_suite_infos[k];
        assert_int_equal(i->value, names->entries[k].value);
        assert_ptr_equal(td_suite_info(i->value), i);
        assert_int_equal(i->prf_hash == TD_SUITE_HASH_NONE, i->prf_hash_len == 0);
        switch (i->cipher) {
        case TD_SUITE_CIPHER_AEAD:
        case TD_SUITE_CIPHER_INTEGRITY_ONLY:
            assert_true(i->tag_len == 8 || i->tag_len == 16 || i->tag_len == i->prf_hash_len);
            assert_int_equal(i->mac_len, 0);
            break;
        case TD_SUITE_CIPHER_STREAM:
        case TD_SUITE_CIPHER_CBC:
            assert_int_equal(i->tag_len, 0);
            assert_true(i->mac_len > 0);
            break;
        case TD_SUITE_CIPHER_NULL:
            assert_int_equal(i->tag_len, 0);
            break;
        }
        if (i->tls13) {
            assert_int_equal(i->kex, TD_SUITE_KEX_TLS13);
            assert_true(i->tag_len > 0);
        } else {
            assert_int_not_equal(i->kex, TD_SUITE_KEX_TLS13);
        }
    }
}

/*
 * The name-matching rules the table replaced, kept here as the reference:
 * the key exchange field between "TLS_" and "_WITH_", matched whole or by
 * its first words, in this order.
 */
static const struct {
    const char *field;
    struct td_kex kex;
} old_kex_rows[] = {
    {"ECDHE_PSK", {"ECDHE_PSK", TD_KEXP_PSK_ECDH, false, 0}},
    {"DHE_PSK", {"DHE_PSK", TD_KEXP_PSK_DH, false, 0}},
    {"RSA_PSK", {"RSA_PSK", TD_KEXP_PSK, false, 0}},
    {"PSK", {"PSK", TD_KEXP_PSK, false, 0}},
    {"ECDHE", {"ECDHE", TD_KEXP_ECDH, true, 0}},
    {"ECDH_anon", {"ECDH_anon", TD_KEXP_ECDH, false, 0}},
    {"ECDH", {"ECDH", TD_KEXP_NONE, false, 0}},
    {"DHE", {"DHE", TD_KEXP_DH, true, 0}},
    {"DH_anon", {"DH_anon", TD_KEXP_DH, false, 0}},
    {"DH", {"DH", TD_KEXP_NONE, false, 0}},
    {"RSA_EXPORT", {"RSA_EXPORT", TD_KEXP_RSA, true, 0}},
    {"RSA_EXPORT1024", {"RSA_EXPORT", TD_KEXP_RSA, true, 0}},
    {"RSA", {"RSA", TD_KEXP_NONE, false, 0}},
    {"SRP_SHA", {"SRP", TD_KEXP_SRP, true, 0}},
    {"KRB5", {"KRB5", TD_KEXP_NONE, false, 0}},
    {"NULL", {"NULL", TD_KEXP_NONE, false, 0}},
};

static struct td_kex old_kex_of_name(const char *name)
{
    struct td_kex unknown = {NULL, TD_KEXP_UNKNOWN, false, 0};
    const char *with;
    if (strncmp(name, "TLS_", 4) != 0 || (with = strstr(name, "_WITH_")) == NULL)
        return unknown;
    name += 4;
    size_t len = (size_t)(with - name);
    for (size_t i = 0; i < UNIT_COUNT(old_kex_rows); i++) {
        size_t n = strlen(old_kex_rows[i].field);
        if (len >= n && strncmp(name, old_kex_rows[i].field, n) == 0 && (len == n || name[n] == '_'))
            return old_kex_rows[i].kex;
    }
    return unknown;
}

/* Suites whose answer changed on purpose, and why. */
static bool kex_fixed(uint16_t v)
{
    /* RFC 6655 §3: TLS_PSK_DHE_WITH_* are DHE_PSK; the name rule read them as PSK */
    return v == TD_CS_TLS_PSK_DHE_WITH_AES_128_CCM_8 || v == TD_CS_TLS_PSK_DHE_WITH_AES_256_CCM_8;
}

static bool finished_tag_fixed(uint16_t v)
{
    /* RFC 9150: the tag is the HMAC (32 or 48); RFC 9367: Magma's MGM tag is 8 bytes */
    return v == TD_CS_TLS_SHA256_SHA256 || v == TD_CS_TLS_SHA384_SHA384 ||
           v == TD_CS_TLS_GOSTR341112_256_WITH_MAGMA_MGM_L ||
           v == TD_CS_TLS_GOSTR341112_256_WITH_MAGMA_MGM_S;
}

/* Every registered suite gets the key exchange, and the TLS 1.3 Finished
 * record length inputs, that the name rules gave it, but for the fixes above. */
static void test_same_answers_as_names(void **state)
{
    (void)state;
    const struct td_registry_table *names = &td_registry_tables[TD_REG_CIPHER_SUITES];
    size_t changed = 0;
    for (size_t k = 0; k < names->count; k++) {
        uint16_t v = names->entries[k].value;
        const char *name = names->entries[k].name;
        const struct td_suite_info *i = info_of(v);
        struct td_kex old = old_kex_of_name(name), now = td_kex_of_suite(v);

        if (kex_fixed(v)) {
            assert_string_equal(old.name, "PSK");
            assert_string_equal(now.name, "DHE_PSK");
            assert_int_equal(now.params, TD_KEXP_PSK_DH);
            changed++;
        } else {
            if (old.name == NULL)
                assert_null(now.name);
            else
                assert_string_equal(now.name, old.name);
            assert_int_equal(now.params, old.params);
            assert_int_equal(now.signed_params, old.signed_params);
        }

        /* finished_record_length (session.c): hash defaults to 32, tag to 16 */
        size_t old_hash = strstr(name, "SHA384") ? 48 : 32, old_tag = strstr(name, "CCM_8") ? 8 : 16;
        size_t hash = i->prf_hash_len ? i->prf_hash_len : 32, tag = i->tag_len ? i->tag_len : 16;
        assert_int_equal(hash, old_hash);
        if (finished_tag_fixed(v)) {
            assert_int_not_equal(tag, old_tag);
            changed++;
        } else {
            assert_int_equal(tag, old_tag);
        }
    }
    assert_int_equal(changed, 6);
}

/* The key exchange the ClientKeyExchange parser switches on is the table's kind. */
static void test_kex_kind(void **state)
{
    (void)state;
    assert_int_equal(td_kex_of_suite(TD_CS_TLS_RSA_WITH_AES_128_CBC_SHA).kind, TD_SUITE_KEX_RSA);
    assert_int_equal(td_kex_of_suite(TD_CS_TLS_RSA_EXPORT_WITH_RC4_40_MD5).kind, TD_SUITE_KEX_RSA_EXPORT);
    assert_int_equal(td_kex_of_suite(TD_CS_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256).kind, TD_SUITE_KEX_ECDHE);
    struct td_kex none = td_kex_of_suite(TD_CS_TLS_AES_128_GCM_SHA256);
    assert_null(none.name);
    assert_int_equal(none.params, TD_KEXP_UNKNOWN);
    assert_int_equal(none.kind, TD_SUITE_KEX_TLS13);
    assert_int_equal(td_kex_of_suite(0x0a0a).params, TD_KEXP_UNKNOWN);
    assert_int_equal(td_kex_of_suite(0x0a0a).kind, TD_SUITE_KEX_OTHER);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_suites),
        cmocka_unit_test(test_table_shape),
        cmocka_unit_test(test_same_answers_as_names),
        cmocka_unit_test(test_kex_kind),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
