/*
 * test_connection.c — the connection model (connection.h): Community ID v1
 * (corelight community-id-spec, seed 0) against the spec's published TCP
 * vector and an IPv6 one computed independently; the first anomaly of a
 * kind is an event and repeats are only counted; server certificate and
 * alert caps.
 */
#include "unit.h"

#include <arpa/inet.h>
#include <stdio.h>

#include "tlsdissect/connection.h"

struct recorder {
    struct td_sink sink;
    unsigned events[4]; /* by enum td_event_type */
};

static void record(struct td_sink *s, const struct td_event *ev)
{
    ((struct recorder *)s)->events[ev->type]++;
}

static struct td_endpoint ep(const char *addr, uint16_t port)
{
    struct td_endpoint e = {0};
    e.family = strchr(addr, ':') ? 6 : 4;
    assert_int_equal(inet_pton(e.family == 6 ? AF_INET6 : AF_INET, addr, e.addr), 1);
    e.port = port;
    return e;
}

static void conn_for(struct td_conn *c, struct td_reporter *rep, const char *ca, uint16_t cp,
                     const char *sa, uint16_t sp)
{
    struct td_endpoint client = ep(ca, cp), server = ep(sa, sp);
    td_conn_init(c, rep, 1, &client, &server, NULL, 0, 0);
}

static void test_community_id(void **state)
{
    struct recorder r = {{record}, {0}};
    struct td_stats stats = {0};
    struct td_reporter rep = {.sink = &r.sink, .stats = &stats};
    struct td_conn c;
    (void)state;

    /* the spec's example: TCP 128.232.110.120:34855 -> 66.35.250.204:80 */
    conn_for(&c, &rep, "128.232.110.120", 34855, "66.35.250.204", 80);
    assert_string_equal(c.sum.community_id, "1:LQU9qZlK+B5F3KDmev6m5PMibrg=");
    td_conn_release(&c);
    /* the same connection seen from the other end has the same ID */
    conn_for(&c, &rep, "66.35.250.204", 80, "128.232.110.120", 34855);
    assert_string_equal(c.sum.community_id, "1:LQU9qZlK+B5F3KDmev6m5PMibrg=");
    td_conn_release(&c);
    /* IPv6 (value from an independent implementation of the spec) */
    conn_for(&c, &rep, "fe80::200:86ff:fe05:80da", 1027, "fe80::260:97ff:fe07:69ea", 23);
    assert_string_equal(c.sum.community_id, "1:K/ULoLiprxNoaBEpkfEDonFXGfI=");
    td_conn_release(&c);
}

static void test_anomaly_once_then_counted(void **state)
{
    struct recorder r = {{record}, {0}};
    struct td_stats stats = {0};
    struct td_reporter rep = {.sink = &r.sink, .stats = &stats};
    struct td_conn c;
    (void)state;

    conn_for(&c, &rep, "10.0.0.1", 1000, "10.0.0.2", 443);
    for (int i = 0; i < 1000; i++)
        td_conn_anomaly(&c, TD_ANOM_TCP_GAP, 0, "gap %d", i);
    td_conn_anomaly(&c, TD_ANOM_BAD_LENGTH, 0, "other kind");
    assert_int_equal(r.events[TD_EV_ANOMALY], 2); /* one per kind */
    assert_int_equal(c.sum.anomalies, 1001);
    assert_int_equal(stats.anomalies[TD_ANOM_TCP_GAP], 1000);
    td_conn_finish(&c, 0);
    td_conn_finish(&c, 0); /* once */
    assert_int_equal(r.events[TD_EV_CONNECTION], 1);
    td_conn_release(&c);

    /* outside connections: once per kind per run, counts by the number given */
    td_report_anomalies(&rep, TD_ANOM_IP_FRAGMENT_DROPPED, 4096, 0, "x");
    td_report_anomaly(&rep, TD_ANOM_IP_FRAGMENT_DROPPED, 0, "y");
    assert_int_equal(r.events[TD_EV_ANOMALY], 3);
    assert_int_equal(stats.anomalies[TD_ANOM_IP_FRAGMENT_DROPPED], 4097);
}

static void test_caps(void **state)
{
    struct recorder r = {{record}, {0}};
    struct td_stats stats = {0};
    struct td_reporter rep = {.sink = &r.sink, .stats = &stats};
    struct td_cert_info certs[TD_MAX_SERVER_CERTS + 5];
    struct td_certificate chain = {.count = TD_MAX_SERVER_CERTS + 5, .certs = certs};
    struct td_alert alert = {2, 40};
    struct td_conn c;
    (void)state;

    memset(certs, 0, sizeof certs);
    for (size_t i = 0; i < chain.count; i++)
        snprintf(certs[i].sha256, sizeof certs[i].sha256, "%064zx", i);
    conn_for(&c, &rep, "10.0.0.1", 1000, "10.0.0.2", 443);
    td_conn_set_server_certs(&c, &chain);
    assert_int_equal(c.sum.server_cert_count, TD_MAX_SERVER_CERTS);
    assert_string_equal(c.sum.server_certs[1], certs[1].sha256);
    for (int i = 0; i < TD_MAX_ALERTS + 3; i++)
        td_conn_add_alert(&c, TD_SERVER, false, &alert);
    assert_int_equal(c.sum.alert_count, TD_MAX_ALERTS);
    assert_int_equal(c.sum.alerts_dropped, 3);
    td_conn_release(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_community_id),
        cmocka_unit_test(test_anomaly_once_then_counted),
        cmocka_unit_test(test_caps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
