/*
 * writers.h — the output sinks: NDJSON (docs/output-contract.md) and the
 * human-readable transcript.  Writers only read the model.
 */
#ifndef TLSDISSECT_WRITERS_H
#define TLSDISSECT_WRITERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tlsdissect/model.h"

struct td_sink *td_json_sink_new(FILE *out);

/*
 * The NDJSON line (without its newline) the JSON sink json prints for ev,
 * for writers that embed or count events (--html, --summary) so that what
 * they show and what --json prints cannot disagree.  A sink made with out
 * NULL only renders.  Valid until the next call on json; NULL when out of
 * memory.
 */
const char *td_json_render(struct td_sink *json, const struct td_event *ev);

struct td_text_options {
    bool color;
    bool explain;
    bool live;     /* print each line as it happens instead of per connection */
    int verbose;   /* -v 1: frames, full lists, every certificate and summary field; -vv 2: every field */
};
struct td_sink *td_text_sink_new(FILE *out, const struct td_text_options *opts);

/*
 * --sni GLOB, --conn N[,M...]: a sink that passes on only the chosen
 * connections' events (and every event outside a connection) to inner,
 * which it does not own.  sni_glob NULL: any name; conns NULL: any number
 * (conns must outlive the sink).  Free it with td_select_sink_free.
 */
struct td_sink *td_select_sink_new(struct td_sink *inner, const char *sni_glob,
                                   const uint64_t *conns, size_t nconns);
void td_select_sink_free(struct td_sink *sink);

/* --summary: counts by version, cipher suite, server name, ... as text tables, at the end. */
struct td_sink *td_summary_sink_new(FILE *out);

/*
 * --html FILE: a sink that passes every event on to inner (NULL: none; not
 * owned) and writes the report page (docs/report.md) to out, the events
 * as they come, the page's end at td_html_sink_close.
 */
struct td_html_options {
    const char *const *files; /* the captures read, named in the overview */
    size_t nfiles;
    bool explain;             /* each message's sentence (--explain) */
};
struct td_sink *td_html_sink_new(FILE *out, struct td_sink *inner, const struct td_html_options *opts);
/* Write the page's end, flush out (which stays open) and free the sink; false when writing failed. */
bool td_html_sink_close(struct td_sink *sink);

/* Flush buffered output; false when writing failed. */
bool td_sink_flush(struct td_sink *s);
void td_sink_free(struct td_sink *s);

#endif
