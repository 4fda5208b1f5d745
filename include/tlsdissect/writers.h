/*
 * writers.h — the output sinks: NDJSON (docs/output-contract.md) and the
 * human-readable transcript.  Writers only read the model.
 */
#ifndef TLSDISSECT_WRITERS_H
#define TLSDISSECT_WRITERS_H

#include <stdbool.h>
#include <stdio.h>

#include "tlsdissect/model.h"

struct td_sink *td_json_sink_new(FILE *out);

struct td_text_options {
    bool color;
    bool explain;
    bool live;     /* print each line as it happens instead of per connection */
};
struct td_sink *td_text_sink_new(FILE *out, const struct td_text_options *opts);

/* Flush buffered output; false when writing failed. */
bool td_sink_flush(struct td_sink *s);
void td_sink_free(struct td_sink *s);

#endif
