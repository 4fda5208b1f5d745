/*
 * test_findings.c — the findings table (src/model/findings.c,
 * docs/findings.md) and the ech decision (src/model/conn_record.c): each
 * code fires on a summary that has its weakness and not on a clean one,
 * in table order, with a reason; every code has a name, a source and an
 * explanation.
 */
#include "unit.h"

#include "tlsdissect/codepoints.h"
#include "tlsdissect/connection.h"
#include "tlsdissect/findings.h"
#include "output/explain.h"

/* A clean TLS 1.2 ECDHE connection with secure renegotiation and a valid 2048-bit RSA chain. */
static struct td_conn_summary clean(void)
{
    struct td_conn_summary s = {.tls_seen = true, .has_version = true, .version = TD_VERSION_TLS_1_2,
                                .has_cipher_suite = true, .cipher_suite = 0xc02f, .established = true,
                                .validation = {.done = true, .name_checked = true}};
    s.record.has_client_suites = true;
    s.record.client_cipher_suites = 10;
    s.record.client_secure_renegotiation = true;
    s.record.server_secure_renegotiation = true;
    s.record.has_group = true;
    s.record.group = 29;
    s.record.weakest_rsa_bits = 2048;
    return s;
}

static bool has(const struct td_findings *f, enum td_finding code)
{
    for (size_t i = 0; i < f->count; i++)
        if (f->list[i].code == code)
            return f->list[i].reason[0] != '\0';
    return false;
}

/* The summary gives exactly one finding, code. */
static void only(const struct td_conn_summary *s, enum td_finding code)
{
    struct td_findings f;
    td_findings_decide(s, &f);
    assert_int_equal(f.count, 1);
    assert_true(has(&f, code));
}

static void test_clean_has_none(void **state)
{
    struct td_conn_summary s = clean();
    struct td_findings f;
    (void)state;
    td_findings_decide(&s, &f);
    assert_int_equal(f.count, 0);
    s.version = TD_VERSION_TLS_1_3; /* TLS 1.3: no renegotiation to secure */
    s.cipher_suite = 0x1301;
    s.record.server_secure_renegotiation = false;
    td_findings_decide(&s, &f);
    assert_int_equal(f.count, 0);
}

static void test_each_code_fires(void **state)
{
    struct td_conn_summary s;
    (void)state;

    s = clean(), s.version = TD_VERSION_TLS_1_1;
    only(&s, TD_FINDING_DEPRECATED_VERSION);
    s = clean(), s.version = TD_VERSION_SSL_3_0;
    only(&s, TD_FINDING_DEPRECATED_VERSION);
    s = clean(), s.cipher_suite = 0xc012; /* TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA */
    only(&s, TD_FINDING_WEAK_CIPHER);
    s = clean(), s.cipher_suite = 0xc011; /* TLS_ECDHE_RSA_WITH_RC4_128_SHA */
    only(&s, TD_FINDING_WEAK_CIPHER);
    s = clean(), s.cipher_suite = 0xc010; /* TLS_ECDHE_RSA_WITH_NULL_SHA */
    only(&s, TD_FINDING_WEAK_CIPHER);
    s = clean(), s.cipher_suite = 0x009c; /* TLS_RSA_WITH_AES_128_GCM_SHA256 */
    only(&s, TD_FINDING_NO_FORWARD_SECRECY);
    s = clean(), s.version = TD_VERSION_TLS_1_3, s.cipher_suite = 0x1301, s.record.psk_without_dhe = true;
    only(&s, TD_FINDING_NO_FORWARD_SECRECY);
    s = clean(), s.record.weakest_rsa_bits = 1024;
    only(&s, TD_FINDING_WEAK_KEY);
    s = clean(), s.record.dh_prime_bits = 1024;
    only(&s, TD_FINDING_WEAK_KEY);
    s = clean(), s.record.group = 19; /* secp192r1 */
    only(&s, TD_FINDING_WEAK_KEY);
    s = clean(), s.record.weakest_ec_bits = 192;
    only(&s, TD_FINDING_WEAK_KEY);
    s = clean(), s.record.sha1_signed_cert = 1;
    only(&s, TD_FINDING_SHA1_SIGNATURE);
    s = clean(), s.validation.problems = 1u << TD_CERT_EXPIRED;
    only(&s, TD_FINDING_CERT_EXPIRED);
    s = clean(), s.validation.problems = 1u << TD_CERT_NOT_YET_VALID;
    only(&s, TD_FINDING_CERT_NOT_YET_VALID);
    s = clean(), s.validation.problems = 1u << TD_CERT_SELF_SIGNED;
    only(&s, TD_FINDING_CERT_SELF_SIGNED);
    s = clean(), s.validation.problems = 1u << TD_CERT_UNTRUSTED;
    only(&s, TD_FINDING_CERT_UNTRUSTED);
    s = clean(), s.validation.problems = 1u << TD_CERT_BAD_SIGNATURE;
    only(&s, TD_FINDING_CERT_UNTRUSTED);
    s = clean(), s.validation.problems = 1u << TD_CERT_NAME_MISMATCH;
    only(&s, TD_FINDING_CERT_NAME_MISMATCH);
    s = clean(), s.record.server_secure_renegotiation = false;
    only(&s, TD_FINDING_INSECURE_RENEGOTIATION);
    s = clean(), s.record.client_secure_renegotiation = false;
    only(&s, TD_FINDING_INSECURE_RENEGOTIATION);
    s = clean(), s.record.fallback_scsv = true;
    only(&s, TD_FINDING_FALLBACK_SCSV);
    s = clean(), s.record.compression_method = 1;
    only(&s, TD_FINDING_COMPRESSION);
    s = clean(), s.record.heartbeat[TD_SERVER] = true;
    only(&s, TD_FINDING_HEARTBEAT);
}

static void test_boundaries(void **state)
{
    struct td_conn_summary s = clean();
    struct td_findings f;
    (void)state;
    s.record.dh_prime_bits = 2048;
    s.record.weakest_ec_bits = 224;
    s.record.group = 21; /* secp224r1 */
    td_findings_decide(&s, &f);
    assert_int_equal(f.count, 0);
    s.validation.done = false; /* nothing validated: no certificate findings */
    s.validation.problems = 1u << TD_CERT_UNTRUSTED;
    td_findings_decide(&s, &f);
    assert_int_equal(f.count, 0);
}

static void test_order_and_reasons(void **state)
{
    struct td_conn_summary s = clean();
    struct td_findings f;
    (void)state;
    s.version = TD_VERSION_TLS_1_0;
    s.cipher_suite = 0x000a; /* TLS_RSA_WITH_3DES_EDE_CBC_SHA */
    s.record.heartbeat[TD_CLIENT] = true;
    td_findings_decide(&s, &f);
    assert_int_equal(f.count, 4);
    assert_int_equal(f.list[0].code, TD_FINDING_DEPRECATED_VERSION);
    assert_string_equal(f.list[0].reason, "TLS 1.0 negotiated (RFC 8996)");
    assert_int_equal(f.list[1].code, TD_FINDING_WEAK_CIPHER);
    assert_string_equal(f.list[1].reason, "TLS_RSA_WITH_3DES_EDE_CBC_SHA: 3DES: 64-bit blocks (Sweet32)");
    assert_int_equal(f.list[2].code, TD_FINDING_NO_FORWARD_SECRECY);
    assert_int_equal(f.list[3].code, TD_FINDING_HEARTBEAT);
    assert_string_equal(f.list[3].reason, "the heartbeat extension was offered by the client");
}

static void test_table_is_complete(void **state)
{
    (void)state;
    for (int f = 0; f < TD_FINDINGS; f++) {
        assert_non_null(td_finding_name((enum td_finding)f));
        assert_non_null(td_finding_source((enum td_finding)f));
        assert_non_null(td_explain_finding((enum td_finding)f));
    }
    assert_null(td_finding_name(TD_FINDINGS));
    assert_string_equal(td_finding_name(TD_FINDING_WEAK_CIPHER), "weak_cipher");
}

static void test_ech(void **state)
{
    struct td_conn_summary s = clean();
    struct td_findings f;
    (void)state;
    td_conn_decide_record(&s, &f);
    assert_int_equal(s.record.ech, TD_ECH_NONE);
    assert_int_equal(s.record.sni_matches_cert, 1);
    s.record.ech_offered = true;
    td_conn_decide_record(&s, &f);
    assert_int_equal(s.record.ech, TD_ECH_OFFERED);
    /* retry_configs and the client went on: it was GREASE */
    s.record.ech_retry_configs = true;
    td_conn_decide_record(&s, &f);
    assert_int_equal(s.record.ech, TD_ECH_GREASE);
    /* ... unless the client aborted with ech_required: a real offer, refused */
    s.alerts[0] = (struct td_alert_seen){TD_CLIENT, false, {2, TD_ALERT_ECH_REQUIRED}};
    s.alert_count = 1;
    td_conn_decide_record(&s, &f);
    assert_int_equal(s.record.ech, TD_ECH_OFFERED);
    s.record.ech_hrr_confirmed = true;
    td_conn_decide_record(&s, &f);
    assert_int_equal(s.record.ech, TD_ECH_ACCEPTED);
    s.record.has_client_suites = false; /* no ClientHello seen */
    s.validation.name_checked = false;
    td_conn_decide_record(&s, &f);
    assert_int_equal(s.record.ech, TD_ECH_UNKNOWN);
    assert_int_equal(s.record.sni_matches_cert, -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clean_has_none),   cmocka_unit_test(test_each_code_fires),
        cmocka_unit_test(test_boundaries),       cmocka_unit_test(test_order_and_reasons),
        cmocka_unit_test(test_table_is_complete), cmocka_unit_test(test_ech),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
