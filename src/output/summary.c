/*
 * summary.c — --summary: the report's overview as text tables, like
 * tshark -z statistics: counts of connections by version, cipher suite,
 * key-exchange group, server name, JA4, certificate status and findings,
 * and the handshake-time percentiles (nearest rank).
 *
 * The tables are counted from each connection event as the JSON writer
 * renders it (td_json_render), read back by key: so the counts are those
 * of --json and of the --html page, and a key a newer connection event
 * carries (group, findings) gets its table without a change here.  A
 * table whose key no connection has is not printed.  Printed when the
 * statistics event (the run's last) arrives.
 */
#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "sink_private.h"
#include "tlsdissect/escape.h"

#define ROWS_SHOWN 20 /* per table; the rest summed in one line */

struct table_spec {
    const char *title;
    const char *key;
    const char *inner; /* key inside an object value, or NULL */
};

static const struct table_spec tables[] = {
    {"Transport", "transport", NULL},
    {"Version", "version", NULL},
    {"Cipher suite", "cipher_suite", NULL},
    {"Key-exchange group", "group", NULL},
    {"Server name (SNI)", "sni", NULL},
    {"ALPN", "alpn", NULL},
    {"JA4", "ja4", NULL},
    {"Resumed", "resumed", NULL},
    {"Certificate status", "certificate_validation", "status"},
    {"Findings", "findings", NULL},
};
#define NTABLES (sizeof tables / sizeof tables[0])

struct values {
    char **v;
    size_t n, cap;
    bool present; /* some connection event has the key */
};

struct summary_writer {
    struct td_writer w;
    struct td_sink *json; /* renders only */
    struct values values[NTABLES];
    int64_t *handshake_us;
    size_t nhandshake, cap_handshake;
    uint64_t connections;
    char *first_start, *last_end;
    bool failed;
};

static bool add_value(struct values *t, const char *v)
{
    char *copy;
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        char **grown = realloc(t->v, cap * sizeof *grown);
        if (grown == NULL)
            return false;
        t->v = grown;
        t->cap = cap;
    }
    if ((copy = strdup(v)) == NULL)
        return false;
    t->v[t->n++] = copy;
    return true;
}

/* A value as the terminal shows it: a string from its raw bytes (the _hex sibling) when escaped. */
static char *terminal_text(const cJSON *obj, const cJSON *item, const char *key)
{
    char hexkey[64];
    const cJSON *hex;
    const char *s = cJSON_IsString(item) ? item->valuestring : NULL;
    uint8_t *raw;
    size_t n = 0;
    char *out;

    if (cJSON_IsNull(item))
        return strdup("(none)");
    if (cJSON_IsBool(item))
        return strdup(cJSON_IsTrue(item) ? "yes" : "no");
    if (s == NULL)
        return cJSON_PrintUnformatted(item);
    snprintf(hexkey, sizeof hexkey, "%s_hex", key);
    hex = obj ? cJSON_GetObjectItemCaseSensitive(obj, hexkey) : NULL;
    if (cJSON_IsString(hex))
        s = hex->valuestring;
    if ((raw = malloc(strlen(s) + 1)) == NULL)
        return NULL;
    if (cJSON_IsString(hex)) {
        for (const char *p = s; p[0] && p[1]; p += 2) {
            unsigned byte;
            if (sscanf(p, "%2x", &byte) != 1)
                break;
            raw[n++] = (uint8_t)byte;
        }
    } else {
        n = strlen(s);
        memcpy(raw, s, n);
    }
    if ((out = malloc(td_escape_size(n))) != NULL)
        td_escape_terminal(raw, n, out);
    free(raw);
    return out;
}

/* A finding in a list: a string, or an object named by its first string member. */
static const cJSON *list_entry_name(const cJSON *entry)
{
    const cJSON *m;
    if (!cJSON_IsObject(entry))
        return entry;
    cJSON_ArrayForEach(m, entry)
        if (cJSON_IsString(m))
            return m;
    return entry;
}

static void count_table(struct summary_writer *s, size_t k, const cJSON *conn)
{
    const struct table_spec *spec = &tables[k];
    const cJSON *obj = conn, *item = cJSON_GetObjectItemCaseSensitive(conn, spec->key);
    const char *key = spec->key;
    char *text;

    if (item == NULL && strcmp(spec->key, "transport") == 0) {
        if (!add_value(&s->values[k], "tcp"))
            s->failed = true;
        s->values[k].present = true;
        return;
    }
    if (item == NULL)
        return;
    s->values[k].present = true;
    if (spec->inner && cJSON_IsObject(item)) {
        obj = item;
        key = spec->inner;
        item = cJSON_GetObjectItemCaseSensitive(item, spec->inner);
        if (item == NULL)
            return;
    }
    if (cJSON_IsArray(item)) {
        const cJSON *entry;
        cJSON_ArrayForEach(entry, item) {
            const cJSON *name = list_entry_name(entry);
            if ((text = terminal_text(NULL, name, key)) == NULL || !add_value(&s->values[k], text))
                s->failed = true;
            free(text);
        }
        return;
    }
    if ((text = terminal_text(obj, item, key)) == NULL || !add_value(&s->values[k], text))
        s->failed = true;
    free(text);
}

static void keep_extreme(char **slot, const cJSON *item, int sign)
{
    char *copy;
    if (!cJSON_IsString(item))
        return;
    /* RFC 3339 times in UTC with microseconds: the text order is the time order */
    if (*slot && sign * strcmp(item->valuestring, *slot) >= 0)
        return;
    if ((copy = strdup(item->valuestring)) == NULL)
        return;
    free(*slot);
    *slot = copy;
}

static void count_connection(struct summary_writer *s, const char *line)
{
    cJSON *conn = cJSON_Parse(line);
    const cJSON *hs;
    if (conn == NULL) {
        s->failed = true;
        return;
    }
    s->connections++;
    for (size_t k = 0; k < NTABLES; k++)
        count_table(s, k, conn);
    keep_extreme(&s->first_start, cJSON_GetObjectItemCaseSensitive(conn, "start"), 1);
    keep_extreme(&s->last_end, cJSON_GetObjectItemCaseSensitive(conn, "end"), -1);
    hs = cJSON_GetObjectItemCaseSensitive(conn, "handshake_us");
    if (cJSON_IsNumber(hs)) {
        if (s->nhandshake == s->cap_handshake) {
            size_t cap = s->cap_handshake ? s->cap_handshake * 2 : 64;
            int64_t *grown = realloc(s->handshake_us, cap * sizeof *grown);
            if (grown == NULL) {
                s->failed = true;
                cJSON_Delete(conn);
                return;
            }
            s->handshake_us = grown;
            s->cap_handshake = cap;
        }
        s->handshake_us[s->nhandshake++] = (int64_t)hs->valuedouble;
    }
    cJSON_Delete(conn);
}

struct row {
    const char *value;
    size_t count;
};

static int by_text(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int by_count_then_text(const void *a, const void *b)
{
    const struct row *x = a, *y = b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return strcmp(x->value, y->value);
}

static int by_number(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static void print_table(struct summary_writer *s, size_t k)
{
    struct values *t = &s->values[k];
    struct row *rows;
    size_t nrows = 0, width = strlen(tables[k].title);

    if (!t->present)
        return;
    qsort(t->v, t->n, sizeof *t->v, by_text);
    if ((rows = malloc((t->n + 1) * sizeof *rows)) == NULL) {
        s->failed = true;
        return;
    }
    for (size_t i = 0; i < t->n; i++) {
        if (nrows && strcmp(rows[nrows - 1].value, t->v[i]) == 0)
            rows[nrows - 1].count++;
        else
            rows[nrows++] = (struct row){t->v[i], 1};
    }
    qsort(rows, nrows, sizeof *rows, by_count_then_text);
    for (size_t i = 0; i < nrows && i < ROWS_SHOWN; i++)
        if (strlen(rows[i].value) > width)
            width = strlen(rows[i].value);
    fprintf(s->w.out, "\n%-*s  %11s  %6s\n", (int)width, tables[k].title, "connections", "share");
    for (size_t i = 0; i < nrows && i < ROWS_SHOWN; i++)
        fprintf(s->w.out, "%-*s  %11zu  %5.1f%%\n", (int)width, rows[i].value, rows[i].count,
                s->connections ? 100.0 * (double)rows[i].count / (double)s->connections : 0.0);
    if (nrows > ROWS_SHOWN) {
        size_t rest = 0;
        for (size_t i = ROWS_SHOWN; i < nrows; i++)
            rest += rows[i].count;
        fprintf(s->w.out, "(%zu more values)%*s  %11zu\n", nrows - ROWS_SHOWN,
                (int)(width > 18 ? width - 18 : 0), "", rest);
    }
    free(rows);
}

static void print_handshake_times(struct summary_writer *s)
{
    static const int percentiles[] = {50, 90, 99};
    int64_t *v = s->handshake_us;
    size_t n = s->nhandshake;

    fprintf(s->w.out, "\nHandshake time (ms)  %zu connections", n);
    if (n == 0) {
        fputc('\n', s->w.out);
        return;
    }
    qsort(v, n, sizeof *v, by_number);
    fprintf(s->w.out, "\n  min %.3f", (double)v[0] / 1000.0);
    for (size_t i = 0; i < sizeof percentiles / sizeof percentiles[0]; i++) {
        size_t rank = (n * (size_t)percentiles[i] + 99) / 100; /* nearest rank, 1-based */
        fprintf(s->w.out, "  p%d %.3f", percentiles[i], (double)v[rank ? rank - 1 : 0] / 1000.0);
    }
    fprintf(s->w.out, "  max %.3f\n", (double)v[n - 1] / 1000.0);
}

static void print_summary(struct summary_writer *s, const char *stats_line)
{
    cJSON *st = cJSON_Parse(stats_line);
    const cJSON *item;
    FILE *out = s->w.out;

    fputs("TLS summary\n", out);
    if (st) {
        static const char *const counts[] = {"packets", "bytes", "connections", "tls_connections"};
        for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++)
            if (cJSON_IsNumber(item = cJSON_GetObjectItemCaseSensitive(st, counts[i])))
                fprintf(out, "%-16s %.0f\n", counts[i], item->valuedouble);
    }
    cJSON_Delete(st);
    fprintf(out, "%-16s %" PRIu64 "\n", "shown", s->connections);
    if (s->first_start && s->last_end)
        fprintf(out, "%-16s %s .. %s\n", "time span", s->first_start, s->last_end);
    for (size_t k = 0; k < NTABLES; k++)
        print_table(s, k);
    print_handshake_times(s);
    if (s->failed)
        fputs("\n(out of memory: the counts above are incomplete)\n", out);
}

static void summary_event(struct td_sink *sink, const struct td_event *ev)
{
    struct summary_writer *s = (struct summary_writer *)sink;
    const char *line;
    if (ev->type != TD_EV_CONNECTION && ev->type != TD_EV_STATS)
        return;
    if ((line = td_json_render(s->json, ev)) == NULL) {
        s->failed = true;
        return;
    }
    if (ev->type == TD_EV_CONNECTION)
        count_connection(s, line);
    else
        print_summary(s, line);
}

static void summary_destroy(struct td_writer *w)
{
    struct summary_writer *s = (struct summary_writer *)w;
    for (size_t k = 0; k < NTABLES; k++) {
        for (size_t i = 0; i < s->values[k].n; i++)
            free(s->values[k].v[i]);
        free(s->values[k].v);
    }
    free(s->handshake_us);
    free(s->first_start);
    free(s->last_end);
    td_sink_free(s->json);
}

struct td_sink *td_summary_sink_new(FILE *out)
{
    struct summary_writer *s = calloc(1, sizeof *s);
    if (s == NULL)
        return NULL;
    if ((s->json = td_json_sink_new(NULL)) == NULL) {
        free(s);
        return NULL;
    }
    s->w.sink.event = summary_event;
    s->w.out = out;
    s->w.destroy = summary_destroy;
    return &s->w.sink;
}
