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

struct td_text_options {
    bool color;
    bool explain;
    bool live;     /* print each line as it happens instead of per connection */
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

/* Flush buffered output; false when writing failed. */
bool td_sink_flush(struct td_sink *s);
void td_sink_free(struct td_sink *s);

#endif
