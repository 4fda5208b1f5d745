/*
 * test_conn_fields.c — the table of connection event keys (conn_fields.h)
 * against what the JSON writer prints (docs/output-contract.md, "type:
 * connection"): a connection event with every field set carries exactly the
 * table's keys, in its order, so `tlsdissect check` knows every field the
 * writer can emit and none it cannot.
 */
#include "unit.h"

#include <cjson/cJSON.h>
#include <stdio.h>

#include "tlsdissect/conn_fields.h"
#include "tlsdissect/writers.h"

/* Print one connection event with every optional part present; returns the parsed tree. */
static cJSON *full_connection_event(void)
{
    static char sni[] = "bad\x1b.example", alpn[] = "h2", ja4[] = "t13d1516h2_8daaf6152771_e5627efa2ab1";
    static char certs[1][65] = {"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"};
    struct td_conn_id id = {.conn = 7,
                            .client = {.family = 4, .addr = {10, 0, 0, 1}, .port = 50000},
                            .server = {.family = 4, .addr = {10, 0, 0, 2}, .port = 443},
                            .vlan = {100, 200},
                            .nvlan = 2,
                            .transport = TD_TRANSPORT_QUIC,
                            .quic_version = 1};
    struct td_conn_summary s = {.start = 1000000, .end = 2000000, .tls_seen = true,
                                .has_version = true, .version = 0x0303,
                                .has_cipher_suite = true, .cipher_suite = 0xc02f,
                                .sni = sni, .sni_len = sizeof sni - 1,
                                .alpn = alpn, .alpn_len = sizeof alpn - 1,
                                .established = true, .resumption_known = true,
                                .resumed = TD_RESUMED_SESSION_ID, .resumed_from = 3,
                                .history = {TD_MSG_CLIENT_HELLO << 1, (TD_MSG_SERVER_HELLO << 1) | 1},
                                .history_len = 2, .ja3 = "0123456789abcdef0123456789abcdef",
                                .ja3s = "fedcba9876543210fedcba9876543210", .ja4 = ja4,
                                .server_certs = certs, .server_cert_count = 1,
                                .validation = {.done = true, .problems = 1u << TD_CERT_UNTRUSTED,
                                               .detail = "unable to get local issuer certificate"},
                                .alerts = {{.from = TD_SERVER, .encrypted = true},
                                           {.from = TD_CLIENT, .alert = {2, 40}}},
                                .alert_count = 2, .has_handshake_time = true, .handshake_us = 1234,
                                .has_rtt = true, .tcp_rtt_us = 56, .bytes_client = 1,
                                .bytes_server = 2, .quic_1rtt_packets = {3, 4}, .anomalies = 0, .community_id = "1:abc=",
                                .decryption = TD_DECRYPTION_OK, .secrets_shown = true, .secret_count = 1,
                                .secrets = {{"CLIENT_RANDOM", 2, {0xab, 0xcd}}},
                                .app_data = {{true, (uint8_t *)"GET /\r\n", 7}, {true, NULL, 0}},
                                .early_data = TD_EARLY_DATA_ACCEPTED,
                                .has_early_data_bytes = true, .early_data_bytes = 38};
    static char subject[] = "CN=a.example", issuer[] = "CN=CA", client_subject[] = "CN=client";
    static const struct td_findings findings = {
        1, {{TD_FINDING_WEAK_CIPHER, "TLS_RSA_WITH_RC4_128_SHA: RC4 (RFC 7465)"}}};
    s.record = (struct td_conn_record){
        .has_group = true, .group = 29,
        .leaf = {{.known = true, .subject = client_subject},
                 {.known = true, .subject = subject, .issuer = issuer, .has_validity = true,
                  .not_before = 0, .not_after = 86400}},
        .client_certs_known = true, .client_certs = certs, .client_cert_count = 1,
        .has_client_suites = true, .client_cipher_suites = 17, .ech = TD_ECH_GREASE,
        .sni_matches_cert = 1, .findings = &findings};
    struct td_event ev = {.type = TD_EV_CONNECTION, .ts = 2000000, .conn = &id};
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    struct td_sink *sink;
    cJSON *tree;

    assert_non_null(mem);
    sink = td_json_sink_new(mem);
    assert_non_null(sink);
    ev.u.connection = &s;
    td_sink_emit(sink, &ev);
    assert_true(td_sink_flush(sink));
    td_sink_free(sink);
    fclose(mem);
    tree = cJSON_Parse(text);
    free(text);
    assert_non_null(tree);
    return tree;
}

/*
 * Every key of object must be a key of the table under parent, in table
 * order (a `<name>_hex` right after an escaped wire string); *seen gets a
 * bit per table key met, nested objects included.
 */
static void check_keys(const cJSON *object, int parent, uint64_t *seen)
{
    int last = -1;
    for (const cJSON *item = object->child; item; item = item->next) {
        size_t n = strlen(item->string);
        int k = td_conn_key_find(parent, item->string, n);
        const struct td_conn_field *f;
        const cJSON *element;
        if (k < 0 && n > 4 && strcmp(item->string + n - 4, "_hex") == 0) {
            k = td_conn_key_find(parent, item->string, n - 4);
            assert_true(k >= 0 && k == last && td_conn_field((enum td_conn_key)k)->hex_sibling);
            continue;
        }
        assert_true(k > last);
        last = k;
        *seen |= UINT64_C(1) << k;
        f = td_conn_field((enum td_conn_key)k);
        switch (f->shape) {
        case TD_SHAPE_OBJECT:
            assert_true(cJSON_IsObject(item));
            check_keys(item, k, seen);
            break;
        case TD_SHAPE_OBJECT_LIST:
            assert_true(cJSON_IsArray(item));
            cJSON_ArrayForEach(element, item)
                check_keys(element, k, seen);
            break;
        case TD_SHAPE_LIST:
            assert_true(cJSON_IsArray(item));
            break;
        case TD_SHAPE_VALUE:
            assert_false(cJSON_IsObject(item) || cJSON_IsArray(item));
            break;
        }
    }
}

static void test_event_keys_are_the_table(void **state)
{
    cJSON *tree = full_connection_event();
    uint64_t seen = 0;
    (void)state;
    assert_true(TD_CK_COUNT <= 64);
    check_keys(tree, TD_CK_TOP, &seen);
    /* every key of the table appeared (the endpoint keys once, under client and server) */
    assert_true(seen == (UINT64_C(1) << TD_CK_COUNT) - 1);
    /* the escaped SNI brought its _hex sibling */
    assert_non_null(cJSON_GetObjectItemCaseSensitive(tree, "sni_hex"));
    cJSON_Delete(tree);
}

static void test_find(void **state)
{
    (void)state;
    assert_int_equal(td_conn_key_find(TD_CK_TOP, "cipher_suite", 12), TD_CK_CIPHER_SUITE);
    assert_int_equal(td_conn_key_find(TD_CK_TOP, "cipher_suit", 11), -1);
    assert_int_equal(td_conn_key_find(TD_CK_TOP, "cipher_suites", 13), -1);
    assert_int_equal(td_conn_key_find(TD_CK_SERVER, "port", 4), TD_CK_ENDPOINT_PORT);
    assert_int_equal(td_conn_key_find(TD_CK_TOP, "port", 4), -1);
    assert_true(td_conn_key_in(TD_CK_SERVER, TD_CK_ENDPOINT_IP));
    assert_false(td_conn_key_in(TD_CK_TOP, TD_CK_ENDPOINT_IP));
    assert_int_equal(td_conn_key_find(TD_CK_ALERTS, "level", 5), TD_CK_ALERT_LEVEL);
    assert_int_equal(td_conn_key_find(TD_CK_CERTIFICATE_VALIDATION, "status", 6),
                     TD_CK_VALIDATION_STATUS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_event_keys_are_the_table),
        cmocka_unit_test(test_find),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
