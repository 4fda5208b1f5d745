/*
 * junit.c — JUnit XML for `tlsdissect check` (the de-facto format of the
 * Ant/Maven JUnit reports: <testsuites><testsuite name tests failures
 * errors skipped time><testcase classname name time><failure message
 * type>text</failure></testcase>).  Text is escaped for XML 1.0: & < > " and
 * the control characters XML does not allow.
 */
#include "junit.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct junit_case {
    char *name;
    char *report;   /* NULL when it passed */
    double seconds;
};

struct td_junit {
    char *suite;
    struct junit_case *cases;
    size_t n, cap;
    unsigned failures;
    double seconds;
};

struct td_junit *td_junit_new(const char *suite_name)
{
    struct td_junit *j = calloc(1, sizeof *j);
    if (j == NULL)
        return NULL;
    j->suite = strdup(suite_name);
    if (j->suite == NULL) {
        free(j);
        return NULL;
    }
    return j;
}

void td_junit_free(struct td_junit *j)
{
    if (j == NULL)
        return;
    for (size_t i = 0; i < j->n; i++) {
        free(j->cases[i].name);
        free(j->cases[i].report);
    }
    free(j->cases);
    free(j->suite);
    free(j);
}

void td_junit_add(struct td_junit *j, const char *name, bool failed, const char *report,
                  double seconds)
{
    struct junit_case c = {strdup(name), failed ? strdup(report) : NULL, seconds};
    if (c.name == NULL || (failed && c.report == NULL)) {
        free(c.name);
        free(c.report);
        return;
    }
    if (j->n == j->cap) {
        size_t cap = j->cap ? j->cap * 2 : 16;
        struct junit_case *grown = realloc(j->cases, cap * sizeof *grown);
        if (grown == NULL) {
            free(c.name);
            free(c.report);
            return;
        }
        j->cases = grown;
        j->cap = cap;
    }
    j->cases[j->n++] = c;
    j->failures += failed;
    j->seconds += seconds;
}

/* XML 1.0 text or attribute value: markup characters escaped, disallowed
 * control characters shown as U+FFFD's UTF-8, so the report always parses. */
static void put_escaped(FILE *f, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        default:
            if (*p < 0x20 && *p != '\n' && *p != '\t' && *p != '\r')
                fputs("\xef\xbf\xbd", f);
            else
                fputc(*p, f);
        }
    }
}

/* The first line of a failing fixture's report after its FAIL line. */
static void put_message(FILE *f, const char *report)
{
    const char *nl = strchr(report, '\n');
    const char *line = nl ? nl + 1 : report;
    while (*line == ' ')
        line++;
    size_t len = strcspn(line, "\n");
    char *first = strndup(line, len);
    put_escaped(f, first ? first : "failed");
    free(first);
}

int td_junit_write(const struct td_junit *j, const char *path, char *err, size_t size)
{
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        snprintf(err, size, "%s: cannot write the JUnit report: %s", path, strerror(errno));
        return -1;
    }
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    fprintf(f, "<testsuites tests=\"%zu\" failures=\"%u\" errors=\"0\" time=\"%.3f\">\n", j->n,
            j->failures, j->seconds);
    fprintf(f, "  <testsuite name=\"");
    put_escaped(f, j->suite);
    fprintf(f, "\" tests=\"%zu\" failures=\"%u\" errors=\"0\" skipped=\"0\" time=\"%.3f\">\n", j->n,
            j->failures, j->seconds);
    for (size_t i = 0; i < j->n; i++) {
        const struct junit_case *c = &j->cases[i];
        fprintf(f, "    <testcase classname=\"tlsdissect.check\" name=\"");
        put_escaped(f, c->name);
        fprintf(f, "\" time=\"%.3f\"", c->seconds);
        if (c->report == NULL) {
            fprintf(f, "/>\n");
            continue;
        }
        fprintf(f, ">\n      <failure type=\"rule\" message=\"");
        put_message(f, c->report);
        fprintf(f, "\">");
        put_escaped(f, c->report);
        fprintf(f, "</failure>\n    </testcase>\n");
    }
    fprintf(f, "  </testsuite>\n</testsuites>\n");
    if (fclose(f) != 0) {
        snprintf(err, size, "%s: cannot write the JUnit report: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}
