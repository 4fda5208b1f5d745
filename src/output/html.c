/*
 * html.c — --html FILE: one self-contained report page (docs/report.md).
 *
 * A writer without protocol logic: every event is the line the JSON
 * writer makes (td_json_render), embedded as NDJSON in a
 * <script type="application/json"> block; the page's own script
 * (src/output/report/report.js, compiled in) builds the overview and the
 * ladders from it in the browser, on demand.  With --explain, the
 * sentence of each message (explain.c) goes in a second block: the
 * distinct sentences once, then one index per event.
 *
 * Nothing is fetched when the page is opened: the stylesheet and script are
 * inline, and a Content-Security-Policy forbids every load and lets only
 * that one script (named by its SHA-256) run, so text from the wire could
 * not run even if it escaped its block (it cannot: td_html_write_script_json).
 * The output depends only on the events: no time of the run, no randomness.
 */
#include "html.h"

#include <cjson/cJSON.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "explain.h"
#include "report_assets.h"
#include "tlsdissect/digest.h"
#include "tlsdissect/escape.h"
#include "tlsdissect/writers.h"

#define MAX_SENTENCES 64 /* explain.c has fewer; past it a message shows none */
#define NO_SENTENCE 0xff

struct html_writer {
    struct td_sink sink; /* first: a struct td_sink * is a struct html_writer * */
    struct td_sink *inner;
    struct td_sink *json; /* renders only */
    FILE *out;
    bool explain;
    char *files_json;     /* the captures' names, a JSON array */
    const char *sentences[MAX_SENTENCES];
    size_t nsentences;
    uint8_t *sentence_of; /* per event: index into sentences, or NO_SENTENCE */
    size_t nevents, cap_events;
    bool failed;          /* out of memory: the page would be incomplete */
};

void td_html_write_script_json(FILE *out, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    const unsigned char *run = p;

    for (; *p; p++) {
        const char *esc = NULL;
        if (*p == '<')
            esc = "\\u003c";
        else if (*p == '>')
            esc = "\\u003e";
        else if (*p == '&')
            esc = "\\u0026";
        else if (p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0xa8 || p[2] == 0xa9))
            esc = p[2] == 0xa8 ? "\\u2028" : "\\u2029";
        if (esc == NULL)
            continue;
        fwrite(run, 1, (size_t)(p - run), out);
        fputs(esc, out);
        if (esc[5] == '8' || esc[5] == '9')
            p += 2; /* the three bytes of U+2028/U+2029 */
        run = p + 1;
    }
    fwrite(run, 1, (size_t)(p - run), out);
}

/* The CSP source naming the script: 'sha256-<base64 of its digest>'. */
static bool script_hash(char *out, size_t size)
{
    uint8_t digest[32];
    unsigned char b64[48];
    if (td_digest(NULL, TD_SHA256, td_report_js, strlen(td_report_js), digest) != 32)
        return false;
    EVP_EncodeBlock(b64, digest, sizeof digest);
    return (size_t)snprintf(out, size, "'sha256-%s'", (const char *)b64) < size;
}

static bool write_head(struct html_writer *h)
{
    char hash[64];
    if (!script_hash(hash, sizeof hash))
        return false;
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n", h->out);
    fprintf(h->out,
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
            "style-src 'unsafe-inline'; img-src data:; script-src %s\">\n",
            hash);
    fputs("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
          "<title>tlsdissect report</title>\n<style>\n", h->out);
    fputs(td_report_css, h->out);
    fputs("</style>\n</head>\n<body>\n"
          "<noscript>This report draws its tables and ladders with JavaScript; the data is "
          "the NDJSON of tlsdissect --json, in the page source.</noscript>\n"
          "<div id=\"app\"></div>\n"
          "<script type=\"application/json\" id=\"td-events\">\n", h->out);
    return true;
}

static size_t sentence_index(struct html_writer *h, const char *sentence)
{
    for (size_t i = 0; i < h->nsentences; i++)
        if (h->sentences[i] == sentence)
            return i;
    if (h->nsentences == MAX_SENTENCES)
        return NO_SENTENCE;
    h->sentences[h->nsentences] = sentence;
    return h->nsentences++;
}

static void note_sentence(struct html_writer *h, const struct td_event *ev)
{
    const char *sentence = ev->type == TD_EV_MESSAGE ? td_explain(ev->u.message) : NULL;
    if (h->nevents == h->cap_events) {
        size_t cap = h->cap_events ? h->cap_events * 2 : 1024;
        uint8_t *grown = realloc(h->sentence_of, cap);
        if (grown == NULL) {
            h->failed = true;
            return;
        }
        h->sentence_of = grown;
        h->cap_events = cap;
    }
    h->sentence_of[h->nevents++] = (uint8_t)(sentence ? sentence_index(h, sentence) : NO_SENTENCE);
}

static void html_event(struct td_sink *sink, const struct td_event *ev)
{
    struct html_writer *h = (struct html_writer *)sink;
    const char *line = td_json_render(h->json, ev);

    if (line == NULL) {
        h->failed = true;
    } else if (!h->failed) {
        td_html_write_script_json(h->out, line);
        fputc('\n', h->out);
        if (h->explain)
            note_sentence(h, ev);
    }
    if (h->inner)
        td_sink_emit(h->inner, ev);
}

/* A JSON array of escaped strings (file names need not be UTF-8). */
static char *string_array(const char *const *v, size_t n)
{
    cJSON *a = cJSON_CreateArray();
    char *text;
    for (size_t i = 0; a && i < n; i++) {
        size_t len = strlen(v[i]);
        char *esc = malloc(td_escape_size(len));
        if (esc == NULL)
            continue;
        td_escape((const uint8_t *)v[i], len, esc);
        cJSON_AddItemToArray(a, cJSON_CreateString(esc));
        free(esc);
    }
    text = a ? cJSON_PrintUnformatted(a) : NULL;
    cJSON_Delete(a);
    return text;
}

static void write_explanations(struct html_writer *h)
{
    cJSON *o = cJSON_CreateObject(), *s = cJSON_AddArrayToObject(o, "sentences");
    char *text;
    for (size_t i = 0; s && i < h->nsentences; i++)
        cJSON_AddItemToArray(s, cJSON_CreateStringReference(h->sentences[i]));
    text = o ? cJSON_PrintUnformatted(o) : NULL;
    cJSON_Delete(o);
    if (text == NULL) {
        h->failed = true;
        return;
    }
    /* {"sentences":[...],"of":"<one hex pair per event, ff: none>"} */
    text[strlen(text) - 1] = '\0';
    td_html_write_script_json(h->out, text);
    free(text);
    fputs(",\"of\":\"", h->out);
    for (size_t i = 0; i < h->nevents; i++)
        fprintf(h->out, "%02x", h->sentence_of[i]);
    fputs("\"}", h->out);
}

struct td_sink *td_html_sink_new(FILE *out, struct td_sink *inner, const struct td_html_options *opts)
{
    struct html_writer *h = calloc(1, sizeof *h);
    if (h == NULL)
        return NULL;
    h->sink.event = html_event;
    h->inner = inner;
    h->out = out;
    h->explain = opts->explain;
    h->json = td_json_sink_new(NULL);
    h->files_json = string_array(opts->files, opts->nfiles);
    if (h->json == NULL || h->files_json == NULL || !write_head(h)) {
        td_sink_free(h->json);
        free(h->files_json);
        free(h);
        return NULL;
    }
    return &h->sink;
}

bool td_html_sink_close(struct td_sink *sink)
{
    struct html_writer *h = (struct html_writer *)sink;
    bool ok;
    if (h == NULL)
        return true;
    fputs("</script>\n<script type=\"application/json\" id=\"td-meta\">\n{\"files\":", h->out);
    td_html_write_script_json(h->out, h->files_json);
    fprintf(h->out, ",\"explain\":%s}\n</script>\n", h->explain ? "true" : "false");
    if (h->explain) {
        fputs("<script type=\"application/json\" id=\"td-explain\">\n", h->out);
        write_explanations(h);
        fputs("\n</script>\n", h->out);
    }
    fputs("<script>", h->out); /* the CSP hash covers exactly the script text */
    fputs(td_report_js, h->out);
    fputs("</script>\n</body>\n</html>\n", h->out);
    ok = !h->failed && fflush(h->out) == 0 && !ferror(h->out);
    td_sink_free(h->json);
    free(h->files_json);
    free(h->sentence_of);
    free(h);
    return ok;
}
