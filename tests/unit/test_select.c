/*
 * test_select.c — the --sni/--conn selection sink (writers.h): anomalies
 * held until the ClientHello names the server, the cap on what is held,
 * the decision by the summary when no ClientHello comes, case-insensitive
 * patterns, connection numbers, and events outside a connection.
 */
#include "unit.h"

#include "tlsdissect/writers.h"

#define SEEN_MAX 64

struct recorder {
    struct td_sink sink;
    size_t n;
    enum td_event_type type[SEEN_MAX];
    uint64_t conn[SEEN_MAX];
    enum td_anomaly_kind anomaly[SEEN_MAX];
};

static void record(struct td_sink *self, const struct td_event *ev)
{
    struct recorder *r = (struct recorder *)self;
    if (r->n == SEEN_MAX)
        return;
    r->type[r->n] = ev->type;
    r->conn[r->n] = ev->conn ? ev->conn->conn : 0;
    r->anomaly[r->n] = ev->type == TD_EV_ANOMALY ? ev->u.anomaly->kind : 0;
    r->n++;
}

static void anomaly(struct td_sink *s, const struct td_conn_id *id, enum td_anomaly_kind kind)
{
    struct td_anomaly a = {.kind = kind, .detail = "x"};
    struct td_event ev = {.type = TD_EV_ANOMALY, .conn = id, .u.anomaly = &a};
    td_sink_emit(s, &ev);
}

static void client_hello(struct td_sink *s, const struct td_conn_id *id, const char *sni)
{
    struct td_message m = {.kind = TD_MSG_CLIENT_HELLO};
    struct td_event ev = {.type = TD_EV_MESSAGE, .conn = id, .u.message = &m};
    if (sni) {
        m.u.client_hello.has_sni = true;
        m.u.client_hello.sni.data = (const uint8_t *)sni;
        m.u.client_hello.sni.len = strlen(sni);
    }
    td_sink_emit(s, &ev);
}

static void summary(struct td_sink *s, const struct td_conn_id *id, const char *sni)
{
    struct td_conn_summary sum = {.sni = (char *)sni, .sni_len = sni ? strlen(sni) : 0};
    struct td_event ev = {.type = TD_EV_CONNECTION, .conn = id, .u.connection = &sum};
    td_sink_emit(s, &ev);
}

static void test_sni_holds_early_anomalies(void **state)
{
    (void)state;
    struct recorder r = {.sink = {record}};
    struct td_sink *s = td_select_sink_new(&r.sink, "*.Example.COM", NULL, 0);
    struct td_conn_id a = {.conn = 1}, b = {.conn = 2};
    struct td_stats st = {0};
    struct td_event stats = {.type = TD_EV_STATS, .u.stats = &st};

    assert_non_null(s);
    for (int i = 0; i < 20; i++) /* more than are held */
        anomaly(s, &a, TD_ANOM_MIDSTREAM);
    anomaly(s, &b, TD_ANOM_MIDSTREAM);
    assert_int_equal(r.n, 0);
    client_hello(s, &b, "www.other.org");   /* left out: its anomaly goes */
    client_hello(s, &a, "WWW.example.com"); /* chosen: 16 held, one that says 4 more, the hello */
    assert_int_equal(r.n, 18);
    for (size_t i = 0; i < 16; i++)
        assert_true(r.type[i] == TD_EV_ANOMALY && r.conn[i] == 1 && r.anomaly[i] == TD_ANOM_MIDSTREAM);
    assert_int_equal(r.anomaly[16], TD_ANOM_LIMIT_REACHED);
    assert_int_equal(r.type[17], TD_EV_MESSAGE);
    anomaly(s, &b, TD_ANOM_MIDSTREAM);
    summary(s, &b, "www.other.org");
    anomaly(s, &a, TD_ANOM_MIDSTREAM);
    summary(s, &a, "www.example.com");
    td_sink_emit(s, &stats);
    assert_int_equal(r.n, 21);
    assert_int_equal(r.type[18], TD_EV_ANOMALY);
    assert_int_equal(r.type[19], TD_EV_CONNECTION);
    assert_int_equal(r.type[20], TD_EV_STATS);
    td_select_sink_free(s);
}

static void test_sni_decided_by_summary(void **state)
{
    (void)state;
    struct recorder r = {.sink = {record}};
    struct td_sink *s = td_select_sink_new(&r.sink, "*", NULL, 0);
    struct td_conn_id a = {.conn = 1}, b = {.conn = 2}, c = {.conn = 3};

    anomaly(s, &a, TD_ANOM_NOT_TLS);
    summary(s, &a, "named.example"); /* no hello event, but a name: chosen with its anomaly */
    anomaly(s, &b, TD_ANOM_NOT_TLS);
    summary(s, &b, NULL);            /* no name matches nothing, not even "*" */
    client_hello(s, &c, NULL);
    summary(s, &c, NULL);
    assert_int_equal(r.n, 2);
    assert_int_equal(r.conn[0], 1);
    assert_int_equal(r.conn[1], 1);
    td_select_sink_free(s);
}

static void test_conn_numbers(void **state)
{
    (void)state;
    const uint64_t chosen[] = {2, 7};
    struct recorder r = {.sink = {record}};
    struct td_sink *s = td_select_sink_new(&r.sink, NULL, chosen, 2);
    for (uint64_t n = 1; n <= 8; n++) {
        struct td_conn_id id = {.conn = n};
        client_hello(s, &id, "x");
        summary(s, &id, "x");
    }
    assert_int_equal(r.n, 4);
    assert_int_equal(r.conn[0], 2);
    assert_int_equal(r.conn[3], 7);
    td_select_sink_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sni_holds_early_anomalies),
        cmocka_unit_test(test_sni_decided_by_summary),
        cmocka_unit_test(test_conn_numbers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
