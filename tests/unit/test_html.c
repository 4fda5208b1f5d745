/*
 * test_html.c — the --html writer (html.c): JSON text made safe inside a
 * <script> element (HTML Living Standard §4.12.1.3), a wire string that
 * holds "</script>" kept inside its block, events passed on to the inner
 * sink, and a Content-Security-Policy naming the page's script by its hash.
 */
#include "unit.h"

#include <openssl/evp.h>
#include <stdio.h>

#include "output/html.h"
#include "output/report_assets.h"
#include "tlsdissect/writers.h"

static char *script_json(const char *in)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    td_html_write_script_json(f, in);
    fclose(f);
    return text;
}

static void test_script_json_escapes(void **state)
{
    (void)state;
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"{\"a\":\"plain\"}", "{\"a\":\"plain\"}"},
        {"\"</script><!--x-->\"", "\"\\u003c/script\\u003e\\u003c!--x--\\u003e\""},
        {"\"&amp;\"", "\"\\u0026amp;\""},
        {"\"\xe2\x80\xa8|\xe2\x80\xa9\"", "\"\\u2028|\\u2029\""},
        {"\"\xe2\x80\xaa\xe2\x80\"", "\"\xe2\x80\xaa\xe2\x80\""}, /* other U+20xx, a cut sequence */
        {"<", "\\u003c"},
        {"", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *got = script_json(cases[i].in);
        assert_string_equal(got, cases[i].out);
        free(got);
    }
}

struct counter {
    struct td_sink sink;
    size_t n;
};

static void count(struct td_sink *self, const struct td_event *ev)
{
    (void)ev;
    ((struct counter *)self)->n++;
}

static size_t occurrences(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
        n++;
    return n;
}

static void test_page(void **state)
{
    (void)state;
    char *page = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&page, &len);
    struct counter inner = {.sink = {count}};
    const char *files[] = {"a</script>.pcap"};
    struct td_html_options opts = {files, 1, false};
    struct td_sink *s;
    struct td_anomaly a = {.kind = TD_ANOM_MIDSTREAM};
    struct td_event ev = {.type = TD_EV_ANOMALY, .u.anomaly = &a};
    struct td_stats st = {0};
    struct td_event stats = {.type = TD_EV_STATS, .u.stats = &st};
    unsigned char digest[32], b64[48];
    char csp[80];

    assert_non_null(f);
    s = td_html_sink_new(f, &inner.sink, &opts);
    assert_non_null(s);
    snprintf(a.detail, sizeof a.detail, "</script><script>alert(1)</script><!--");
    td_sink_emit(s, &ev);
    td_sink_emit(s, &stats);
    assert_int_equal(inner.n, 2);
    assert_true(td_html_sink_close(s));
    fclose(f);

    /* three script elements, each ended once; nothing from the events ends one */
    assert_int_equal(occurrences(page, "</script"), 3);
    assert_int_equal(occurrences(page, "<!--"), 0);
    assert_non_null(strstr(page, "\\u003c/script\\u003e\\u003cscript\\u003ealert(1)"));
    assert_non_null(strstr(page, "a\\u003c/script\\u003e.pcap"));
    /* the policy lets exactly the page's script run */
    EVP_Digest(td_report_js, strlen(td_report_js), digest, NULL, EVP_sha256(), NULL);
    EVP_EncodeBlock(b64, digest, sizeof digest);
    snprintf(csp, sizeof csp, "script-src 'sha256-%s'", (const char *)b64);
    assert_non_null(strstr(page, csp));
    assert_non_null(strstr(page, "default-src 'none'"));
    {
        const char *script = strstr(page, "<script>");
        assert_non_null(script);
        assert_memory_equal(script + strlen("<script>"), td_report_js, strlen(td_report_js));
    }
    free(page);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_script_json_escapes),
        cmocka_unit_test(test_page),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
