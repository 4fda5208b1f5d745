/*
 * check.c — `tlsdissect check`: assert handshake properties of capture
 * fixtures in CI (docs/check.md).
 *
 * Each fixture X.pcap (or .pcapng) is dissected; its connection events, as
 * the JSON output shows them, are checked against the rules in X.expect
 * (and in any --rules file).  A rule is one line:
 *
 *     [conn N | all | any | none] : FIELD OP VALUE      rules on connections
 *     connections OP NUMBER | anomalies OP NUMBER       rules on the whole capture
 *
 * FIELD is a key of the connection event, with [i] for array elements
 * (`server_certificates[0]`, `alerts[0].description`); a name no connection
 * event can carry (conn_fields.h, the writer's own table) is an error that
 * names the nearest known one.  OP is one of
 * = != ~ !~ (glob, fnmatch(3)) < <= > >= (numbers; versions by code point)
 * and `contains` (an array element, an element object with that value, as
 * `findings contains weak_cipher`, or a substring).
 *
 * Exit status: 0 every fixture passes, 1 any fails (a rule that does not
 * hold, a rule that does not parse, an unreadable fixture), 2 usage.
 */
#include "check.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "tlsdissect/capture.h"
#include "tlsdissect/conn_fields.h"
#include "tlsdissect/engine.h"
#include "tlsdissect/registry.h"
#include "tlsdissect/validate.h"
#include "tlsdissect/writers.h"
#include "junit.h"

#define MAX_LINE 4096

struct check_opts {
    const char *rules; /* applied to every fixture */
    const char *ca_file, *ca_path;
    bool update;
    bool verbose;
    struct td_junit *junit; /* --junit: a report for CI systems, or NULL */
    struct td_engine_config engine;
};

/* What a fixture gave: its connection events and its stats event. */
struct outcome {
    cJSON **conns;
    size_t nconns;
    cJSON *stats;
    char error[TD_CAPTURE_ERR];
};

static void outcome_free(struct outcome *o)
{
    for (size_t i = 0; i < o->nconns; i++)
        cJSON_Delete(o->conns[i]);
    free(o->conns);
    cJSON_Delete(o->stats);
    memset(o, 0, sizeof *o);
}

struct frame_ctx {
    struct td_engine *engine;
};

static void on_frame(void *ctx, const struct td_frame *f)
{
    struct frame_ctx *c = ctx;
    td_engine_packet(c->engine, f->dlt, f->ts, f->data, f->caplen, f->len);
}

/* Dissect one capture into JSON events in memory, then keep what rules read. */
/* One file per run: its error line is in out->error already. */
static void ignore_error(void *ctx, const char *line)
{
    (void)ctx;
    (void)line;
}

static int dissect(const char *path, const struct check_opts *opts, struct outcome *out)
{
    size_t opened = 0;
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    struct td_sink *sink;
    struct frame_ctx ctx = {NULL};
    volatile sig_atomic_t never = 0;
    const char *paths[1] = {path};
    enum td_capture_status st;
    int rc = 0;

    memset(out, 0, sizeof *out);
    if (mem == NULL) {
        snprintf(out->error, sizeof out->error, "out of memory");
        return -1;
    }
    sink = td_json_sink_new(mem);
    ctx.engine = sink ? td_engine_new(&opts->engine, sink) : NULL;
    if (ctx.engine == NULL) {
        snprintf(out->error, sizeof out->error, "out of memory");
        td_sink_free(sink);
        fclose(mem);
        free(text);
        return -1;
    }
    st = td_capture_files(paths, 1, NULL, &never, on_frame, &ctx, ignore_error, &opened,
                          out->error);
    td_engine_finish(ctx.engine);
    td_sink_flush(sink);
    td_engine_free(ctx.engine);
    td_sink_free(sink);
    fclose(mem);
    if (st != TD_CAPTURE_OK)
        rc = -1;
    for (char *line = text, *nl; line && *line; line = nl ? nl + 1 : NULL) {
        cJSON *ev, *type;
        nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        ev = cJSON_Parse(line);
        type = cJSON_GetObjectItemCaseSensitive(ev, "type");
        if (cJSON_IsString(type) && strcmp(type->valuestring, "connection") == 0) {
            cJSON **grown = realloc(out->conns, (out->nconns + 1) * sizeof *grown);
            if (grown) {
                out->conns = grown;
                out->conns[out->nconns++] = ev;
                continue;
            }
        } else if (cJSON_IsString(type) && strcmp(type->valuestring, "stats") == 0) {
            cJSON_Delete(out->stats);
            out->stats = ev;
            continue;
        }
        cJSON_Delete(ev);
    }
    free(text);
    return rc;
}

/* ---- values ------------------------------------------------------------- */

/* The text of a scalar: strings as they are, numbers in decimal, true/false/null. */
static bool scalar_text(const cJSON *v, char *buf, size_t size)
{
    if (cJSON_IsString(v))
        snprintf(buf, size, "%s", v->valuestring);
    else if (cJSON_IsRaw(v))
        snprintf(buf, size, "%s", v->valuestring);
    else if (cJSON_IsNumber(v))
        snprintf(buf, size, "%.0f", v->valuedouble);
    else if (cJSON_IsTrue(v))
        snprintf(buf, size, "true");
    else if (cJSON_IsFalse(v))
        snprintf(buf, size, "false");
    else if (cJSON_IsNull(v))
        snprintf(buf, size, "null");
    else
        return false;
    return true;
}

/* A value as rules compare it: scalars as scalar_text, arrays and objects as compact JSON. */
static void describe(const cJSON *got, char *buf, size_t size)
{
    if (got == NULL) {
        snprintf(buf, size, "(absent)");
    } else if (!scalar_text(got, buf, size)) {
        char *printed = cJSON_PrintUnformatted(got);
        snprintf(buf, size, "%s", printed ? printed : "?");
        free(printed);
    }
}

/* Follow "a.b[2].c" in an event; NULL when absent. */
static const cJSON *lookup(const cJSON *ev, const char *path)
{
    char name[128];
    const cJSON *cur = ev;
    while (*path && cur) {
        size_t n = strcspn(path, ".[");
        if (n >= sizeof name)
            return NULL;
        if (n) {
            memcpy(name, path, n);
            name[n] = '\0';
            cur = cJSON_GetObjectItemCaseSensitive(cur, name);
            path += n;
        }
        while (cur && *path == '[') {
            char *end;
            long i = strtol(path + 1, &end, 10);
            if (*end != ']' || i < 0)
                return NULL;
            cur = cJSON_GetArrayItem(cur, (int)i);
            path = end + 1;
        }
        if (*path == '.')
            path++;
    }
    return cur;
}

/* Version names compare by code point (DTLS aside); anything else as a number. */
static bool ordered_value(const char *text, double *out)
{
    char *end;
    uint16_t v;
    if (td_registry_value(TD_REG_VERSIONS, text, &v)) {
        *out = v;
        return v < 0xfe00; /* DTLS counts down: not in one order with TLS */
    }
    *out = strtod(text, &end);
    return *text && *end == '\0';
}

enum op { OP_EQ, OP_NE, OP_GLOB, OP_NOT_GLOB, OP_LT, OP_LE, OP_GT, OP_GE, OP_CONTAINS };

static const struct {
    const char *text;
    enum op op;
} ops[] = {
    {"!=", OP_NE}, {"!~", OP_NOT_GLOB}, {"<=", OP_LE}, {">=", OP_GE}, {"=", OP_EQ},
    {"~", OP_GLOB}, {"<", OP_LT},       {">", OP_GT},  {"contains", OP_CONTAINS},
};

/* An array element equals want: a scalar by its text, an object (a finding, an alert)
 * when one of its scalar members does (`findings contains weak_cipher`). */
static bool element_is(const cJSON *el, const char *want, char *text, size_t size)
{
    const cJSON *member;
    if (!cJSON_IsObject(el))
        return scalar_text(el, text, size) && strcmp(text, want) == 0;
    cJSON_ArrayForEach(member, el)
        if (scalar_text(member, text, size) && strcmp(text, want) == 0)
            return true;
    return false;
}

/*
 * Whether `got` (a JSON value, or NULL when absent) satisfies OP want.
 * null and absent have no text: = and != compare the words `null` and
 * `(absent)`; ~ never holds and !~ always does; the ordered operators and
 * contains never hold (docs/check.md, "null and absent").
 */
static bool holds(const cJSON *got, enum op op, const char *want)
{
    char text[MAX_LINE];
    double a, b;

    if (got == NULL || cJSON_IsNull(got)) {
        const char *word = got ? "null" : "(absent)";
        switch (op) {
        case OP_EQ: return strcmp(word, want) == 0;
        case OP_NE: return strcmp(word, want) != 0;
        case OP_NOT_GLOB: return true;
        default: return false;
        }
    }
    if (op == OP_CONTAINS) {
        if (cJSON_IsArray(got)) {
            const cJSON *el;
            cJSON_ArrayForEach(el, got)
                if (element_is(el, want, text, sizeof text))
                    return true;
            return false;
        }
        return cJSON_IsString(got) && strstr(got->valuestring, want) != NULL;
    }
    describe(got, text, sizeof text);
    switch (op) {
    case OP_EQ: return strcmp(text, want) == 0;
    case OP_NE: return strcmp(text, want) != 0;
    case OP_GLOB: return fnmatch(want, text, 0) == 0;
    case OP_NOT_GLOB: return fnmatch(want, text, 0) != 0;
    default:
        if (!ordered_value(text, &a) || !ordered_value(want, &b))
            return false;
        return op == OP_LT ? a < b : op == OP_LE ? a <= b : op == OP_GT ? a > b : a >= b;
    }
}

/* ---- rules -------------------------------------------------------------- */

enum scope { SCOPE_CONN, SCOPE_ALL, SCOPE_ANY, SCOPE_NONE, SCOPE_CAPTURE };

struct rule {
    enum scope scope;
    unsigned long conn;
    char field[256];
    enum op op;
    char value[MAX_LINE];
};

static char *trim(char *s)
{
    char *end;
    while (*s == ' ' || *s == '\t')
        s++;
    end = s + strlen(s);
    while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\n' || end[-1] == '\r'))
        *--end = '\0';
    return s;
}

/* Edit distance between a[0..an) and b (Levenshtein), for "did you mean". */
static size_t edit_distance(const char *a, size_t an, const char *b)
{
    size_t bn = strlen(b), row[64], diag, up;
    if (an >= sizeof row / sizeof row[0] || bn >= sizeof row / sizeof row[0])
        return SIZE_MAX;
    for (size_t j = 0; j <= bn; j++)
        row[j] = j;
    for (size_t i = 1; i <= an; i++) {
        diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= bn; j++) {
            size_t best = diag + (a[i - 1] != b[j - 1]);
            up = row[j];
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            diag = up;
            row[j] = best;
        }
    }
    return row[bn];
}

/* The key inside parent whose name is nearest to name[0..len). */
static int nearest_key(int parent, const char *name, size_t len)
{
    size_t best = SIZE_MAX;
    int found = -1;
    for (int k = 0; k < TD_CK_COUNT; k++) {
        size_t d;
        if (!td_conn_key_in(parent, (enum td_conn_key)k))
            continue;
        d = edit_distance(name, len, td_conn_key_name((enum td_conn_key)k));
        if (d < best) {
            best = d;
            found = k;
        }
    }
    return found;
}

/*
 * Whether path ("a.b[2].c") names a value some connection event can carry:
 * every name a key of the object it is in (conn_fields.h, with `<name>_hex`
 * after escaped wire strings), [i] only on arrays, `.` only into objects.
 * If not, err says why, with the nearest known name.
 */
static bool known_field(const char *path, char *err, size_t size)
{
    const char *p = path;
    int parent = TD_CK_TOP;
    for (;;) {
        size_t n = strcspn(p, ".[");
        enum td_field_shape shape;
        int k = td_conn_key_find(parent, p, n);
        if (k < 0 && n > 4 && memcmp(p + n - 4, "_hex", 4) == 0) {
            int base = td_conn_key_find(parent, p, n - 4);
            if (base >= 0 && td_conn_field((enum td_conn_key)base)->hex_sibling)
                k = base;
        }
        if (k < 0) {
            int near = nearest_key(parent, p, n);
            snprintf(err, size, "no connection event has the field '%s'%s%.*s%s%s", path,
                     near >= 0 ? ": did you mean " : "", near >= 0 ? (int)(p - path) : 0, path,
                     near >= 0 ? td_conn_key_name((enum td_conn_key)near) : "", near >= 0 ? "?" : "");
            return false;
        }
        shape = td_conn_field((enum td_conn_key)k)->shape;
        p += n;
        if (*p == '[') {
            if (shape != TD_SHAPE_LIST && shape != TD_SHAPE_OBJECT_LIST) {
                snprintf(err, size, "'%.*s' is not a list: no [i] after it", (int)(p - path), path);
                return false;
            }
            p++;
            if (!(*p >= '0' && *p <= '9') || p[strspn(p, "0123456789")] != ']') {
                snprintf(err, size, "'%s': an index is a number in [ ]", path);
                return false;
            }
            p += strspn(p, "0123456789") + 1;
            shape = shape == TD_SHAPE_OBJECT_LIST ? TD_SHAPE_OBJECT : TD_SHAPE_VALUE;
        }
        if (*p == '\0')
            return true;
        if (*p != '.' || shape != TD_SHAPE_OBJECT) {
            snprintf(err, size, "'%.*s' has no fields%s", (int)(p - path), path,
                     shape == TD_SHAPE_OBJECT_LIST ? " (it is a list: index it first, [0])" : "");
            return false;
        }
        parent = k;
        p++;
    }
}

/* The syntax of a rule: NULL, or what is wrong with it. */
static const char *parse_rule_text(char *line, struct rule *r)
{
    char *colon, *rest;
    size_t i;

    memset(r, 0, sizeof *r);
    line = trim(line);
    colon = strchr(line, ':');
    if (strncmp(line, "connections", 11) == 0 || strncmp(line, "anomalies", 9) == 0) {
        r->scope = SCOPE_CAPTURE;
        rest = line;
    } else {
        if (colon == NULL)
            return "expected 'conn N:', 'all:', 'any:' or 'none:' before the field";
        *colon = '\0';
        char *scope = trim(line);
        if (strncmp(scope, "conn ", 5) == 0) {
            char *end;
            r->scope = SCOPE_CONN;
            r->conn = strtoul(scope + 5, &end, 10);
            if (*trim(end) != '\0' || r->conn == 0)
                return "'conn' needs a connection number";
        } else if (strcmp(scope, "all") == 0) {
            r->scope = SCOPE_ALL;
        } else if (strcmp(scope, "any") == 0) {
            r->scope = SCOPE_ANY;
        } else if (strcmp(scope, "none") == 0) {
            r->scope = SCOPE_NONE;
        } else {
            return "the scope must be 'conn N', 'all', 'any' or 'none'";
        }
        rest = trim(colon + 1);
    }
    /* the field runs to the first blank; then the operator; then the value */
    i = strcspn(rest, " \t");
    if (i == 0 || i >= sizeof r->field)
        return "missing field";
    memcpy(r->field, rest, i);
    r->field[i] = '\0';
    rest = trim(rest + i);
    for (i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        size_t n = strlen(ops[i].text);
        if (strncmp(rest, ops[i].text, n) == 0) {
            r->op = ops[i].op;
            snprintf(r->value, sizeof r->value, "%s", trim(rest + n));
            return NULL;
        }
    }
    return "missing operator (= != ~ !~ < <= > >= contains)";
}

/* Parse "scope: field op value" or "connections op N"; false with the reason in err. */
static bool parse_rule(char *line, struct rule *r, char *err, size_t size)
{
    const char *problem = parse_rule_text(line, r);
    if (problem) {
        snprintf(err, size, "%s", problem);
        return false;
    }
    return r->scope == SCOPE_CAPTURE || known_field(r->field, err, size);
}

static const char *op_text(enum op op)
{
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (ops[i].op == op)
            return ops[i].text;
    return "?";
}

static const char *scope_text(const struct rule *r, char *buf, size_t size)
{
    static const char *const names[] = {"", "all", "any", "none", "capture"};
    if (r->scope == SCOPE_CONN)
        snprintf(buf, size, "conn %lu", r->conn);
    else
        snprintf(buf, size, "%s", names[r->scope]);
    return buf;
}

/* Check one rule; on failure, write what was found into why. */
static bool check_rule(const struct rule *r, const struct outcome *o, char *why, size_t size)
{
    char got[MAX_LINE];
    size_t i, matches = 0;

    switch (r->scope) {
    case SCOPE_CAPTURE: {
        cJSON *n;
        if (strcmp(r->field, "connections") == 0) {
            n = cJSON_CreateNumber((double)o->nconns);
        } else {
            /* anomalies: the sum of the stats counts */
            double total = 0;
            const cJSON *kinds = o->stats ? lookup(o->stats, "anomalies") : NULL, *k;
            cJSON_ArrayForEach(k, kinds)
                total += cJSON_IsRaw(k) ? strtod(k->valuestring, NULL) : k->valuedouble;
            n = cJSON_CreateNumber(total);
        }
        bool ok = holds(n, r->op, r->value);
        describe(n, got, sizeof got);
        cJSON_Delete(n);
        snprintf(why, size, "got %s", got);
        return ok;
    }
    case SCOPE_CONN:
        for (i = 0; i < o->nconns; i++) {
            const cJSON *c = lookup(o->conns[i], td_conn_key_name(TD_CK_CONN));
            if (c && scalar_text(c, got, sizeof got) && strtoul(got, NULL, 10) == r->conn) {
                const cJSON *v = lookup(o->conns[i], r->field);
                describe(v, got, sizeof got);
                snprintf(why, size, "got %s", got);
                return holds(v, r->op, r->value);
            }
        }
        snprintf(why, size, "no TLS connection %lu in the capture", r->conn);
        return false;
    default:
        for (i = 0; i < o->nconns; i++) {
            const cJSON *v = lookup(o->conns[i], r->field), *c;
            bool ok = holds(v, r->op, r->value);
            char num[32] = "?";
            matches += ok;
            /* all: the first connection that fails it; none: the first that matches */
            if ((r->scope == SCOPE_ALL && !ok) || (r->scope == SCOPE_NONE && ok)) {
                if ((c = lookup(o->conns[i], td_conn_key_name(TD_CK_CONN))) != NULL)
                    scalar_text(c, num, sizeof num);
                describe(v, got, sizeof got);
                snprintf(why, size, "conn %s has %s", num, got);
                return false;
            }
        }
        if (r->scope == SCOPE_ANY && matches == 0) {
            snprintf(why, size, "no connection matches (of %zu)", o->nconns);
            return false;
        }
        if (r->scope == SCOPE_ALL && o->nconns == 0) {
            snprintf(why, size, "no TLS connection in the capture");
            return false;
        }
        return true;
    }
}

/* The FAIL line of a fixture, once however many rule files fail it. */
static void list_fixture(FILE *out, const char *fixture, bool *listed)
{
    if (!*listed)
        fprintf(out, "FAIL %s\n", fixture);
    *listed = true;
}

/* Apply every rule of a rules file; returns the number of failures. */
static unsigned apply_rules(FILE *out, const char *rules_path, const char *fixture,
                            const struct outcome *o, bool verbose, bool *any_rule, bool *listed)
{
    FILE *f = fopen(rules_path, "r");
    char line[MAX_LINE], why[MAX_LINE + 64], scope[32];
    unsigned lineno = 0, failures = 0;

    if (f == NULL) {
        list_fixture(out, fixture, listed);
        fprintf(out, "     %s: cannot read: %s\n", rules_path, strerror(errno));
        return 1;
    }
    while (fgets(line, sizeof line, f)) {
        struct rule r;
        char err[MAX_LINE];
        char *text = trim(line);
        lineno++;
        if (*text == '\0' || *text == '#')
            continue;
        *any_rule = true;
        char copy[MAX_LINE];
        snprintf(copy, sizeof copy, "%s", text);
        if (!parse_rule(copy, &r, err, sizeof err)) {
            failures++;
            list_fixture(out, fixture, listed);
            fprintf(out, "     %s:%u: %s\n         %s\n", rules_path, lineno, text, err);
            continue;
        }
        if (check_rule(&r, o, why, sizeof why)) {
            if (verbose)
                fprintf(out, "     ok %s:%u: %s\n", rules_path, lineno, text);
            continue;
        }
        failures++;
        list_fixture(out, fixture, listed);
        if (r.scope == SCOPE_CAPTURE)
            fprintf(out, "     %s:%u: %s\n         %s\n", rules_path, lineno, text, why);
        else
            fprintf(out, "     %s:%u: %s: %s %s %s\n         %s\n", rules_path, lineno,
                   scope_text(&r, scope, sizeof scope), r.field, op_text(r.op), r.value, why);
    }
    fclose(f);
    return failures;
}

/* The expectations file of a fixture: X.pcap -> X.expect. */
static void expect_path(const char *fixture, char *buf, size_t size)
{
    const char *dot = strrchr(fixture, '.'), *slash = strrchr(fixture, '/');
    size_t stem = dot && (!slash || dot > slash) ? (size_t)(dot - fixture) : strlen(fixture);
    snprintf(buf, size, "%.*s.expect", (int)stem, fixture);
}

/* The rule path of key k: "name", or "parent.name" for a key inside an object. */
static void key_path(enum td_conn_key k, char *buf, size_t size)
{
    const struct td_conn_field *f = td_conn_field(k);
    if (f->parent == TD_CK_TOP)
        snprintf(buf, size, "%s", f->name);
    else
        snprintf(buf, size, "%s.%s", td_conn_key_name((enum td_conn_key)f->parent), f->name);
}

/* Write a snapshot of the key fields of every connection (--update). */
static int write_snapshot(const char *path, const struct outcome *o, bool own_trust_anchors)
{
    static const enum td_conn_key fields[] = {
        TD_CK_VERSION, TD_CK_CIPHER_SUITE, TD_CK_SNI,  TD_CK_ALPN,    TD_CK_ESTABLISHED,
        TD_CK_RESUMED, TD_CK_JA3,          TD_CK_JA4,  TD_CK_HISTORY, TD_CK_VALIDATION_STATUS,
    };
    /* a verdict against the machine's trust store differs between machines:
     * written only when the trust anchors were given */
    size_t nfields = sizeof fields / sizeof fields[0] - (own_trust_anchors ? 0 : 1);
    const char *certs_name = td_conn_key_name(TD_CK_SERVER_CERTIFICATES);
    FILE *f = fopen(path, "w");
    char text[MAX_LINE], field[128];

    if (f == NULL)
        return -1;
    fprintf(f, "# expectations for `tlsdissect check` (written by --update; edit freely)\n");
    fprintf(f, "connections = %zu\n", o->nconns);
    for (size_t i = 0; i < o->nconns; i++) {
        const cJSON *c = lookup(o->conns[i], td_conn_key_name(TD_CK_CONN)), *certs;
        char num[32] = "?";
        scalar_text(c, num, sizeof num);
        for (size_t k = 0; k < nfields; k++) {
            const cJSON *v;
            key_path(fields[k], field, sizeof field);
            v = lookup(o->conns[i], field);
            if (v && !cJSON_IsNull(v) && scalar_text(v, text, sizeof text))
                fprintf(f, "conn %s: %s = %s\n", num, field, text);
        }
        certs = lookup(o->conns[i], certs_name);
        for (int k = 0; k < cJSON_GetArraySize(certs); k++)
            if (scalar_text(cJSON_GetArrayItem(certs, k), text, sizeof text))
                fprintf(f, "conn %s: %s[%d] = %s\n", num, certs_name, k, text);
    }
    return fclose(f);
}

/* Check one fixture; what it prints goes to out.  Returns its failures. */
static unsigned check_one(FILE *out, const char *fixture, const struct check_opts *opts)
{
    struct outcome o;
    char expect[4096];
    unsigned failures = 0;
    bool any_rule = false, listed = false;
    struct stat sb;

    expect_path(fixture, expect, sizeof expect);
    if (dissect(fixture, opts, &o) != 0) {
        fprintf(out, "FAIL %s\n     %s\n", fixture, o.error[0] ? o.error : "cannot read it");
        outcome_free(&o);
        return 1;
    }
    if (opts->update) {
        if (write_snapshot(expect, &o, opts->ca_file || opts->ca_path) != 0) {
            fprintf(out, "FAIL %s\n     cannot write %s: %s\n", fixture, expect, strerror(errno));
            failures++;
        } else {
            fprintf(out, "wrote %s\n", expect);
        }
        outcome_free(&o);
        return failures;
    }
    if (stat(expect, &sb) == 0)
        failures += apply_rules(out, expect, fixture, &o, opts->verbose, &any_rule, &listed);
    if (opts->rules)
        failures += apply_rules(out, opts->rules, fixture, &o, opts->verbose, &any_rule, &listed);
    if (!any_rule && failures == 0) {
        fprintf(out, "FAIL %s\n     no rules: write %s (tlsdissect check --update makes one)\n",
                fixture, expect);
        failures++;
    }
    if (failures == 0)
        fprintf(out, "ok   %s (%zu connection%s)\n", fixture, o.nconns, o.nconns == 1 ? "" : "s");
    outcome_free(&o);
    return failures;
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Check a fixture, print its report, and add it to the JUnit report. */
static unsigned check_fixture(const char *fixture, const struct check_opts *opts)
{
    char *text = NULL;
    size_t len = 0;
    unsigned failures;
    struct timespec t0;
    FILE *out = open_memstream(&text, &len);

    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (out == NULL)
        return check_one(stdout, fixture, opts);
    failures = check_one(out, fixture, opts);
    fclose(out);
    fputs(text ? text : "", stdout);
    if (opts->junit)
        td_junit_add(opts->junit, fixture, failures > 0, text ? text : "", seconds_since(&t0));
    free(text);
    return failures;
}

static bool is_capture(const char *name)
{
    size_t n = strlen(name);
    return (n > 5 && strcmp(name + n - 5, ".pcap") == 0) ||
           (n > 7 && strcmp(name + n - 7, ".pcapng") == 0);
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every capture below dir, in name order; returns failures. */
static unsigned check_dir(const char *dir, const struct check_opts *opts, unsigned *count)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char **names = NULL;
    size_t n = 0;
    unsigned failures = 0;

    if (d == NULL) {
        printf("FAIL %s\n     cannot read the directory: %s\n", dir, strerror(errno));
        return 1;
    }
    while ((e = readdir(d)) != NULL) {
        char path[4096];
        struct stat sb;
        char **grown;
        if (e->d_name[0] == '.')
            continue;
        size_t dlen = strlen(dir);
        snprintf(path, sizeof path, "%s%s%s", dir, dlen && dir[dlen - 1] == '/' ? "" : "/",
                 e->d_name);
        if (stat(path, &sb) != 0 || !(S_ISDIR(sb.st_mode) || is_capture(e->d_name)))
            continue;
        grown = realloc(names, (n + 1) * sizeof *grown);
        if (grown == NULL)
            break;
        names = grown;
        names[n] = strdup(path);
        if (names[n])
            n++;
    }
    closedir(d);
    qsort(names, n, sizeof *names, compare_names);
    for (size_t i = 0; i < n; i++) {
        struct stat sb;
        if (stat(names[i], &sb) == 0 && S_ISDIR(sb.st_mode)) {
            failures += check_dir(names[i], opts, count);
        } else {
            (*count)++;
            failures += check_fixture(names[i], opts) ? 1 : 0;
        }
        free(names[i]);
    }
    free(names);
    return failures;
}

static void check_usage(FILE *f)
{
    fprintf(f, "usage: tlsdissect check [--rules FILE] [--update] [--verbose] [--junit FILE]\n"
               "                        [--ca-file FILE] [--ca-path DIR] FIXTURE.pcap|DIR ...\n"
               "\n"
               "Dissect each fixture and check its connections against the rules in\n"
               "FIXTURE.expect (and --rules FILE). Rules, one per line (docs/check.md):\n"
               "  conn 1: version = TLS 1.3          all: cipher_suite !~ *_CBC_*\n"
               "  any: sni = example.com            none: resumed = session_id\n"
               "  connections = 2                   anomalies = 0\n"
               "Operators: = != ~ !~ (glob) < <= > >= (numbers, versions) contains\n"
               "  --rules FILE   rules applied to every fixture (a policy)\n"
               "  --update       write FIXTURE.expect from what the capture shows now\n"
               "  --verbose      also list the rules that hold\n"
               "  --junit FILE   also write a JUnit XML report (one testcase per fixture)\n"
               "  --ca-file FILE, --ca-path DIR   trust anchors for certificate_validation\n"
               "Exit status: 0 all pass, 1 any fixture fails, 2 usage error.\n");
}

int td_check_main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"rules", required_argument, NULL, 'R'}, {"update", no_argument, NULL, 'U'},
        {"ca-file", required_argument, NULL, 'F'}, {"ca-path", required_argument, NULL, 'P'},
        {"verbose", no_argument, NULL, 'v'},     {"help", no_argument, NULL, 'h'},
        {"junit", required_argument, NULL, 'J'},
        {NULL, 0, NULL, 0},
    };
    struct check_opts opts;
    unsigned failures = 0, count = 0;
    const char *junit_path = NULL;
    int c;

    memset(&opts, 0, sizeof opts);
    td_engine_config_defaults(&opts.engine);
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":vh", longopts, NULL)) != -1) {
        switch (c) {
        case 'R': opts.rules = optarg; break;
        case 'F': opts.ca_file = optarg; break;
        case 'P': opts.ca_path = optarg; break;
        case 'U': opts.update = true; break;
        case 'v': opts.verbose = true; break;
        case 'J': junit_path = optarg; break;
        case 'h': check_usage(stdout); return 0;
        default:
            fprintf(stderr, "tlsdissect check: bad option '%s'\n", argv[optind - 1]);
            check_usage(stderr);
            return 2;
        }
    }
    if (optind >= argc) {
        check_usage(stderr);
        return 2;
    }
    {
        char err[256];
        if (!td_hash_key_random(&opts.engine.hash_key)) {
            fprintf(stderr, "tlsdissect check: no random bytes for the table hash key\n");
            return 1;
        }
        opts.engine.validator = td_validator_new(opts.ca_file, opts.ca_path, &opts.engine.hash_key,
                                                 err, sizeof err);
        if (opts.engine.validator == NULL) {
            fprintf(stderr, "tlsdissect check: %s\n", err);
            return 2;
        }
    }
    if (junit_path) {
        opts.junit = td_junit_new("tlsdissect check");
        if (opts.junit == NULL) {
            fprintf(stderr, "tlsdissect check: out of memory\n");
            td_validator_free(opts.engine.validator);
            return 1;
        }
    }
    for (int i = optind; i < argc; i++) {
        struct stat sb;
        if (stat(argv[i], &sb) == 0 && S_ISDIR(sb.st_mode)) {
            failures += check_dir(argv[i], &opts, &count);
        } else {
            count++;
            failures += check_fixture(argv[i], &opts) ? 1 : 0;
        }
    }
    td_validator_free(opts.engine.validator);
    if (opts.junit) {
        char err[256];
        if (td_junit_write(opts.junit, junit_path, err, sizeof err) != 0) {
            fprintf(stderr, "tlsdissect check: %s\n", err);
            failures += failures == 0;
        }
        td_junit_free(opts.junit);
    }
    /* the plain closing line CI systems read */
    printf("check: %u passed, %u failed\n", count - failures, failures);
    fflush(stdout);
    return failures ? 1 : 0;
}
