/*
 * fuzz_common.h — what the libFuzzer targets in tests/fuzz share: a sink
 * that hands every event to the JSON writer and, when asked, to the text
 * writer too, both writing to /dev/null (the writers run on everything the
 * pipeline produces; nothing is kept).  With TD_FUZZ_SHOW=1 in the
 * environment they write to standard output instead (to look at what a
 * reproducer does).
 */
#ifndef TD_FUZZ_COMMON_H
#define TD_FUZZ_COMMON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "tlsdissect/keyed_hash.h"
#include "tlsdissect/model.h"
#include "tlsdissect/writers.h"

/*
 * The trust store of the targets' validators: an empty one (a "directory"
 * with no hashed certificates).  The system store the CLI uses by default
 * is a 140-certificate bundle parsed again by every new validator, which
 * made a run 100 times slower; chain building, signature, time and name
 * checks run all the same, every chain simply ends untrusted.
 */
#define FUZZ_TRUST_DIR "/dev/null"

/* A fixed table key (keyed_hash.h): the same input always takes the same path. */
static const struct td_hash_key fuzz_key = {{0}};

struct fuzz_sink {
    struct td_sink sink; /* first */
    struct td_sink *json;
    struct td_sink *text; /* NULL when not asked for */
};

static FILE *fuzz_devnull(void)
{
    static FILE *out;
    if (out == NULL) {
        const char *show = getenv("TD_FUZZ_SHOW");
        if (show && show[0] == '1')
            return out = stdout;
        out = fopen("/dev/null", "w");
        if (out == NULL)
            abort();
    }
    return out;
}

static void fuzz_sink_event(struct td_sink *self, const struct td_event *ev)
{
    struct fuzz_sink *f = (struct fuzz_sink *)self;
    td_sink_emit(f->json, ev);
    if (f->text)
        td_sink_emit(f->text, ev);
}

/* flags: bit 0 text writer, bit 1 --explain, bit 2 live mode, bit 3 colour. */
static void fuzz_sink_open(struct fuzz_sink *f, unsigned flags)
{
    /* The JSON writer keeps nothing between events but a reused buffer:
     * one for the whole process saves a 64 KiB allocation per input.  The
     * text writer keeps connections' transcripts: a new one per input. */
    static struct td_sink *json;
    if (json == NULL && (json = td_json_sink_new(fuzz_devnull())) == NULL)
        abort();
    f->sink.event = fuzz_sink_event;
    f->json = json;
    f->text = NULL;
    if (flags & 1) {
        struct td_text_options o = {.explain = (flags & 2) != 0, .live = (flags & 4) != 0,
                                    .color = (flags & 8) != 0};
        f->text = td_text_sink_new(fuzz_devnull(), &o);
        if (f->text == NULL)
            abort();
    }
}

static void fuzz_sink_close(struct fuzz_sink *f)
{
    td_sink_flush(f->json);
    if (f->text) {
        td_sink_flush(f->text);
        td_sink_free(f->text);
    }
}

#endif
