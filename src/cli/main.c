/*
 * main.c — tlsdissect: read captures or sniff, dissect every TLS handshake,
 * print a transcript or NDJSON (docs/output-contract.md).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "options.h"
#include "tlsdissect/capture.h"
#include "tlsdissect/engine.h"
#include "tlsdissect/secrets_block.h"
#include "tlsdissect/validate.h"
#include "tlsdissect/pcap_writer.h"
#include "tlsdissect/writers.h"

/* The mutable globals: flags set by the signal handlers, read by the capture loop. */
static volatile sig_atomic_t stop_requested;
static volatile sig_atomic_t stats_requested;

static void on_signal(int sig)
{
    if (sig == SIGUSR1
#ifdef SIGINFO
        || sig == SIGINFO
#endif
    )
        stats_requested = 1;
    else
        stop_requested = 1;
}

static void install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0; /* no SA_RESTART: a blocking capture read returns */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    /* tcpdump's: running statistics on stderr.  A read it interrupts goes on
     * (SA_RESTART): a capture read from a pipe must not end for it. */
    sa.sa_flags = SA_RESTART;
    sigaction(SIGUSR1, &sa, NULL);
#ifdef SIGINFO
    sigaction(SIGINFO, &sa, NULL);
#endif
}

struct run {
    struct td_engine *engine;
    struct td_sink *sink;
    bool live;
    unsigned long long packets, packet_limit; /* -c */
};

/* tcpdump's SIGUSR1: the running counters, without stopping. */
static void print_running_stats(struct run *r)
{
    const struct td_stats *st = td_engine_stats(r->engine);
    stats_requested = 0;
    fprintf(stderr, "tlsdissect: %llu packets, %llu bytes, %llu connections, %llu with TLS\n",
            (unsigned long long)st->packets, (unsigned long long)st->bytes,
            (unsigned long long)st->connections, (unsigned long long)st->tls_connections);
}

static void on_frame(void *ctx, const struct td_frame *f)
{
    struct run *r = ctx;
    if (r->packet_limit && r->packets >= r->packet_limit)
        return;
    td_engine_packet(r->engine, f->dlt, f->ts, f->data, f->caplen, f->len);
    if (r->packet_limit && ++r->packets >= r->packet_limit)
        stop_requested = 1; /* -c: the capture loop ends after this packet */
    if (stats_requested)
        print_running_stats(r);
}

static void on_idle(void *ctx, td_time_us monotonic_us)
{
    struct run *r = ctx;
    td_engine_tick(r->engine, monotonic_us);
    td_sink_flush(r->sink);
    if (stats_requested)
        print_running_stats(r);
}

/* A capture file that could not be read: said now; the next file is read. */
static void on_file_error(void *ctx, const char *line)
{
    (void)ctx;
    fprintf(stderr, "tlsdissect: %s\n", line);
}

/* -q: only connection summaries and the statistics reach the writer. */
struct summary_filter {
    struct td_sink sink;
    struct td_sink *inner;
};

static void summaries_only(struct td_sink *self, const struct td_event *ev)
{
    struct summary_filter *f = (struct summary_filter *)self;
    if (ev->type == TD_EV_CONNECTION || ev->type == TD_EV_STATS)
        td_sink_emit(f->inner, ev);
}

/* Reading from a pipe (tcpdump -w - | tlsdissect -r -): events as they come. */
static bool reading_a_pipe(const struct td_options *o)
{
    struct stat sb;
    for (size_t i = 0; i < o->nfiles; i++)
        if (strcmp(o->files[i], "-") == 0 && (fstat(STDIN_FILENO, &sb) != 0 || !S_ISREG(sb.st_mode)))
            return true;
    return false;
}

/* A key log line that does not parse: one warning, the rest is still used. */
static void on_keylog_warning(void *ctx, const char *source, uint64_t line, const char *why)
{
    (void)ctx;
    fprintf(stderr, "tlsdissect: %s:%llu: key log line ignored: %s\n", source,
            (unsigned long long)line, why);
}

/* Secrets of a pcapng Decryption Secrets Block go to the run's key log, made when first needed. */
struct dsb_loader {
    struct td_keylog **kl;
    const struct td_hash_key *key;
    char source[512];
    bool no_memory;
};

static void on_dsb(void *ctx, const uint8_t *secrets, size_t len)
{
    struct dsb_loader *l = ctx;
    struct td_keylog_reader r;
    if (*l->kl == NULL && (*l->kl = td_keylog_new(l->key, TD_KEYLOG_DEFAULT_MAX_ENTRIES)) == NULL) {
        l->no_memory = true;
        return;
    }
    td_keylog_reader_init(&r, *l->kl, l->source, on_keylog_warning, NULL);
    td_keylog_reader_feed(&r, secrets, len);
    td_keylog_reader_finish(&r);
}

/* The DSBs of the regular files among the captures (standard input is not read twice). */
static int load_secrets_blocks(const struct td_options *o, struct td_keylog **kl)
{
    struct dsb_loader l = {kl, &o->engine.hash_key, "", false};
    bool given = *kl != NULL; /* by --keylog-file */
    for (size_t i = 0; i < o->nfiles; i++) {
        struct stat sb;
        FILE *f;
        if (strcmp(o->files[i], "-") == 0 || stat(o->files[i], &sb) != 0 || !S_ISREG(sb.st_mode))
            continue; /* libpcap reports what it cannot open */
        if ((f = fopen(o->files[i], "rb")) == NULL)
            continue;
        snprintf(l.source, sizeof l.source, "%s (Decryption Secrets Block)", o->files[i]);
        td_dsb_read(f, on_dsb, &l);
        fclose(f);
        if (l.no_memory) {
            fprintf(stderr, "tlsdissect: out of memory\n");
            return -1;
        }
    }
    if (!given && td_keylog_count(*kl) == 0) {
        /* DSBs without one usable secret: as if the capture carried none */
        td_keylog_free(*kl);
        *kl = NULL;
    }
    return 0;
}

/* The key log of the run, from every --keylog-file and the captures' DSBs; NULL when none. */
static int load_keylogs(const struct td_options *o, struct td_keylog **out)
{
    char err[512];
    *out = NULL;
    if (o->nkeylog_files > 0 &&
        (*out = td_keylog_new(&o->engine.hash_key, TD_KEYLOG_DEFAULT_MAX_ENTRIES)) == NULL) {
        fprintf(stderr, "tlsdissect: out of memory\n");
        return -1;
    }
    for (size_t i = 0; i < o->nkeylog_files; i++) {
        /* live, the file is followed: secrets appended while the capture runs are used */
        int (*load)(struct td_keylog *, const char *, td_keylog_warn_fn, void *, char *, size_t) =
            o->iface ? td_keylog_follow_file : td_keylog_load_file;
        if (load(*out, o->keylog_files[i], on_keylog_warning, NULL, err, sizeof err) != 0) {
            fprintf(stderr, "tlsdissect: %s\n", err);
            return -1;
        }
    }
    return load_secrets_blocks(o, out);
}

static bool want_color(const struct td_options *o, FILE *out)
{
    const char *term = getenv("TERM");
    if (o->color != TD_COLOR_AUTO)
        return o->color == TD_COLOR_ALWAYS;
    return isatty(fileno(out)) && getenv("NO_COLOR") == NULL && term && strcmp(term, "dumb") != 0;
}

int main(int argc, char **argv)
{
    struct td_options o;
    struct run r = {0};
    enum td_capture_status st;
    char err[TD_CAPTURE_ERR] = "";
    FILE *out = stdout;
    size_t opened = 0;
    int status = 0;

    if (argc > 1 && strcmp(argv[1], "check") == 0)
        return td_check_main(argc - 1, argv + 1);
    switch (td_options_parse(argc, argv, &o)) {
    case TD_OPTS_EXIT_OK:
        td_options_free(&o);
        return 0;
    case TD_OPTS_USAGE:
        td_options_free(&o);
        return 2;
    case TD_OPTS_RUN:
        break;
    }
    if (o.list_interfaces) {
        status = td_capture_list_interfaces(stdout, err) == TD_CAPTURE_OK ? 0 : 1;
        if (status)
            fprintf(stderr, "tlsdissect: %s\n", err);
        td_options_free(&o);
        return status;
    }
    if (o.output && (out = fopen(o.output, "w")) == NULL) {
        fprintf(stderr, "tlsdissect: %s: cannot write: ", o.output);
        perror(NULL);
        td_options_free(&o);
        return 2;
    }
    /* Large writes for files; live output is flushed after every batch; -l,
     * or a pipe as the input, writes each line as it is made. */
    if (o.line_buffered || reading_a_pipe(&o))
        setvbuf(out, NULL, _IOLBF, 1 << 16);
    else
        setvbuf(out, NULL, _IOFBF, 1 << 20);
    r.live = o.iface != NULL;
    r.packet_limit = o.packet_limit;
    if (o.json) {
        r.sink = td_json_sink_new(out);
    } else if (o.summary) {
        r.sink = td_summary_sink_new(out);
    } else {
        struct td_text_options topt = {want_color(&o, out), o.explain, r.live, o.verbose};
        r.sink = td_text_sink_new(out, &topt);
    }
    if (!td_hash_key_random(&o.engine.hash_key)) {
        fprintf(stderr, "tlsdissect: no random bytes for the table hash key\n");
        td_sink_free(r.sink);
        td_options_free(&o);
        return 1;
    }
    if (load_keylogs(&o, &o.engine.keylog) != 0) {
        td_keylog_free(o.engine.keylog);
        td_sink_free(r.sink);
        td_options_free(&o);
        return 1;
    }
    o.engine.validator = td_validator_new(o.ca_file, o.ca_path, &o.engine.hash_key, err, sizeof err);
    if (o.engine.validator == NULL) {
        fprintf(stderr, "tlsdissect: %s\n", err);
        td_keylog_free(o.engine.keylog);
        td_sink_free(r.sink);
        td_options_free(&o);
        return o.ca_file || o.ca_path ? 2 : 1;
    }
    /* engine -> [--sni/--conn] -> [-w] -> [-q] -> writer: the selection sees the ClientHellos
     * -q drops, and -w learns which connections are shown from what passes the selection */
    struct summary_filter filter = {{summaries_only}, r.sink};
    struct td_sink *to_writer = o.summaries_only ? &filter.sink : r.sink;
    struct td_sink *selection = NULL;
    struct td_pcap_writer *packets = NULL;
    if (o.write_packets) {
        if ((packets = td_pcap_writer_open(o.write_packets, err, sizeof err)) == NULL) {
            fprintf(stderr, "tlsdissect: %s\n", err);
            td_validator_free(o.engine.validator);
            td_keylog_free(o.engine.keylog);
            td_sink_free(r.sink);
            td_options_free(&o);
            return 1;
        }
        to_writer = td_pcap_writer_sink(packets, to_writer);
        o.engine.observer = td_pcap_writer_observer(packets);
    }
    FILE *html_out = NULL;
    struct td_sink *html = NULL;
    if (o.html) {
        struct td_html_options hopt = {o.files, o.nfiles, o.explain};
        if ((html_out = fopen(o.html, "w")) == NULL) {
            fprintf(stderr, "tlsdissect: %s: cannot write: ", o.html);
            perror(NULL);
            td_pcap_writer_close(packets, stderr);
            td_validator_free(o.engine.validator);
            td_keylog_free(o.engine.keylog);
            td_sink_free(r.sink);
            td_options_free(&o);
            return 2;
        }
        setvbuf(html_out, NULL, _IOFBF, 1 << 20);
        to_writer = html = td_html_sink_new(html_out, to_writer, &hopt);
    }
    if (r.sink && to_writer && (o.sni_glob || o.conns))
        to_writer = selection = td_select_sink_new(to_writer, o.sni_glob, o.conns, o.nconns);
    r.engine = r.sink && to_writer ? td_engine_new(&o.engine, to_writer) : NULL;
    if (r.engine == NULL) {
        td_html_sink_close(html);
        if (html_out)
            fclose(html_out);
        td_pcap_writer_close(packets, stderr);
        td_select_sink_free(selection);
        fprintf(stderr, "tlsdissect: out of memory\n");
        td_validator_free(o.engine.validator);
        td_keylog_free(o.engine.keylog);
        td_sink_free(r.sink);
        td_options_free(&o);
        return 1;
    }
    install_signals();
    if (r.live)
        st = td_capture_live(o.iface, o.filter, &o.live, &stop_requested, on_frame, on_idle, &r,
                             td_engine_stats(r.engine), err);
    else
        st = td_capture_files(o.files, o.nfiles, o.filter, &stop_requested, on_frame, &r,
                              on_file_error, &opened, err);
    if (st == TD_CAPTURE_USAGE_ERROR || (r.live && st != TD_CAPTURE_OK))
        fprintf(stderr, "tlsdissect: %s\n", err);
    if (st != TD_CAPTURE_OK)
        status = st == TD_CAPTURE_USAGE_ERROR ? 2 : 1;
    /* Whatever stopped the run, what was read is reported; a run that could
     * open no file at all has nothing to report. */
    if (status != 2 && (r.live || opened > 0))
        td_engine_finish(r.engine);
    if (!td_sink_flush(r.sink) && status == 0) {
        fprintf(stderr, "tlsdissect: writing the output failed\n");
        status = 1;
    }
    td_engine_free(r.engine);
    if (html && (!td_html_sink_close(html) | (fclose(html_out) != 0)) && status == 0) {
        fprintf(stderr, "tlsdissect: %s: writing the report failed\n", o.html);
        status = 1;
    }
    if (td_pcap_writer_close(packets, stderr) != 0 && status == 0)
        status = 1;
    td_select_sink_free(selection);
    td_validator_free(o.engine.validator);
    td_keylog_free(o.engine.keylog);
    td_sink_free(r.sink);
    if (out != stdout)
        fclose(out);
    td_options_free(&o);
    return status;
}
