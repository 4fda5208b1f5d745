/*
 * test_text_live.c — the text writer in live mode (writers.h): a
 * connection's header comes before its first line whatever its kind (an
 * anomaly before any message included), and the name column is as wide as
 * in file mode (the "#conn" tag does not eat into it); -v's frame column
 * (writers.h td_text_options.verbose) in both modes.
 */
#include "unit.h"

#include "tlsdissect/writers.h"

static char *run_writer(bool live, int verbose)
{
    struct td_conn_id id = {.conn = 3,
                            .client = {.family = 4, .addr = {10, 0, 0, 1}, .port = 50000},
                            .server = {.family = 4, .addr = {10, 0, 0, 2}, .port = 443}};
    struct td_anomaly a = {.kind = TD_ANOM_BAD_VERSION};
    struct td_message m = {.from = TD_SERVER, .kind = TD_MSG_ENCRYPTED_HANDSHAKE,
                           .encrypted = true, .length = 53};
    struct td_event ev_a = {.type = TD_EV_ANOMALY, .ts = 1000000, .conn = &id, .u.anomaly = &a};
    struct td_event ev_m = {.type = TD_EV_MESSAGE, .ts = 1000100, .frame = 4321, .conn = &id,
                            .u.message = &m};
    struct td_conn_summary sum = {.start = 1000000, .end = 1000200, .tls_seen = true};
    struct td_event ev_c = {.type = TD_EV_CONNECTION, .ts = 1000200, .conn = &id,
                            .u.connection = &sum};
    struct td_text_options opt = {false, false, live, verbose};
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    struct td_sink *sink;

    snprintf(a.detail, sizeof a.detail, "record[0] (client to server): odd");
    assert_non_null(mem);
    sink = td_text_sink_new(mem, &opt);
    assert_non_null(sink);
    td_sink_emit(sink, &ev_a);
    td_sink_emit(sink, &ev_m);
    td_sink_emit(sink, &ev_c); /* a file's text comes per connection, at its end */
    assert_true(td_sink_flush(sink));
    td_sink_free(sink);
    fclose(mem);
    return text;
}

static void test_live_header_first_and_columns(void **state)
{
    (void)state;
    char *text = run_writer(true, 0);
    char *first_nl = strchr(text, '\n');
    assert_non_null(first_nl);
    /* the header line first, then the anomaly */
    assert_memory_equal(text, "conn 3  10.0.0.1:50000 -> 10.0.0.2:443", 38);
    char *anom = strstr(text, "! bad_version:");
    char *msg = strstr(text, "EncryptedHandshake");
    assert_non_null(anom);
    assert_non_null(msg);
    assert_true(anom > first_nl && msg > anom);
    /* the field column: where "(encrypted" starts in its line, 39 + the tag's 4 */
    char *line = msg;
    while (line > text && line[-1] != '\n')
        line--;
    char *field = strstr(line, "(encrypted");
    assert_non_null(field);
    assert_int_equal(field - line, 43);
    /* the name column is as wide as in file mode: name to fields the same gap */
    char *file_text = run_writer(false, 0);
    char *fmsg = strstr(file_text, "EncryptedHandshake");
    assert_non_null(fmsg);
    char *ffield = strstr(fmsg, "(encrypted");
    assert_non_null(ffield);
    assert_int_equal(ffield - fmsg, field - msg);
    free(file_text);
    free(text);
}

/* -v: "#frame" after the time, the same column live and from a file; none without -v */
static void test_verbose_frame_column(void **state)
{
    (void)state;
    for (int live = 0; live <= 1; live++) {
        char *plain = run_writer(live, 0), *text = run_writer(live, 1);
        char *msg = strstr(text, "EncryptedHandshake");
        assert_null(strstr(plain, "#4321"));
        assert_non_null(msg);
        char *line = msg;
        while (line > text && line[-1] != '\n')
            line--;
        char *frame = strstr(line, "  #4321 ");
        assert_non_null(frame);
        assert_true(frame < msg);
        /* the time column ends where the frame column starts: 2 (or the tag's 6) + 11 */
        assert_int_equal(frame - line, live ? 17 : 13);
        /* the fields start 9 columns further right than without -v */
        assert_int_equal(strstr(line, "(encrypted") - line, 39 + (live ? 4 : 0) + 9);
        /* the anomaly line has no frame, and its text starts in the same column as the name */
        char *anom = strstr(text, "! bad_version:");
        assert_non_null(anom);
        char *aline = anom;
        while (aline > text && aline[-1] != '\n')
            aline--;
        assert_int_equal(anom - aline, msg - line - 5);
        free(plain);
        free(text);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_live_header_first_and_columns),
        cmocka_unit_test(test_verbose_frame_column),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
