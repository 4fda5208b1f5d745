/*
 * dissect-only.c — the benchmark's middle case: the whole pipeline
 * (capture, link, IP, TCP, reassembly, TLS, model) with a sink that
 * discards every event, so the dissection hot path is measured apart from
 * the JSON and text writers.  Built and run by tools/bench/run.py.
 */
#include <signal.h>
#include <stdio.h>

#include "tlsdissect/capture.h"
#include "tlsdissect/engine.h"

struct counting_sink {
    struct td_sink sink;
    unsigned long long events;
};

static void count_event(struct td_sink *s, const struct td_event *ev)
{
    (void)ev;
    ((struct counting_sink *)s)->events++;
}

static void on_frame(void *ctx, const struct td_frame *f)
{
    td_engine_packet(ctx, f->dlt, f->ts, f->data, f->caplen, f->len);
}

/* A file that cannot be read: the line says why. */
static void report_unreadable(void *ctx, const char *line)
{
    (void)ctx;
    fprintf(stderr, "dissect-only: %s\n", line);
}

int main(int argc, char **argv)
{
    struct counting_sink sink = {{count_event}, 0};
    struct td_engine_config cfg;
    struct td_engine *e;
    volatile sig_atomic_t never = 0;
    char err[TD_CAPTURE_ERR] = "the capture could not be read";
    size_t opened = 0;

    if (argc != 2) {
        fprintf(stderr, "usage: dissect-only FILE\n");
        return 2;
    }
    td_engine_config_defaults(&cfg);
    if (!td_hash_key_random(&cfg.hash_key))
        return 1;
    e = td_engine_new(&cfg, &sink.sink);
    if (e == NULL)
        return 1;
    if (td_capture_files((const char *const *)&argv[1], 1, NULL, &never, on_frame, e,
                         report_unreadable, &opened, err) != TD_CAPTURE_OK) {
        fprintf(stderr, "dissect-only: %s\n", err);
        return 1;
    }
    td_engine_finish(e);
    td_engine_free(e);
    printf("%llu events\n", sink.events);
    return 0;
}
