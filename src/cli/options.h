/*
 * options.h — the command line (docs/cli.md; tcpdump/ssldump conventions):
 * options anywhere, trailing words form a BPF filter.
 */
#ifndef TD_OPTIONS_H
#define TD_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tlsdissect/capture.h"
#include "tlsdissect/engine.h"

enum td_color_mode { TD_COLOR_AUTO, TD_COLOR_ALWAYS, TD_COLOR_NEVER };

struct td_options {
    const char **files;   /* -r, in order */
    size_t nfiles;
    const char *iface;    /* -i */
    bool json;
    bool explain;
    bool summary;         /* --summary: statistics tables instead of the transcript */
    const char *html;     /* --html: the report page's file */
    enum td_color_mode color;
    const char *output;   /* -o */
    const char *write_packets; /* -w: the packets of the connections shown */
    const char *ca_file;
    const char *ca_path;
    const char **keylog_files; /* --keylog-file, in order */
    size_t nkeylog_files;
    char *filter;         /* trailing words joined by spaces, or NULL */
    /* tcpdump's conventions */
    unsigned long long packet_limit; /* -c: stop after this many packets (0: no limit) */
    bool line_buffered;   /* -l (automatic when the input is a pipe) */
    bool summaries_only;  /* -q: connection summaries (and the stats) only */
    int verbose;          /* -v 1, -vv 2 (the text output) */
    const char *sni_glob; /* --sni: only connections whose server name matches */
    uint64_t *conns;      /* --conn: only these connection numbers (NULL: all) */
    size_t nconns;
    bool list_interfaces; /* -D */
    struct td_live_options live; /* -s, -p, -Z */
    struct td_engine_config engine;
};

enum td_parse_result { TD_OPTS_RUN, TD_OPTS_EXIT_OK, TD_OPTS_USAGE };

/* Parse argv; on TD_OPTS_USAGE a message went to stderr. */
enum td_parse_result td_options_parse(int argc, char **argv, struct td_options *o);
void td_options_free(struct td_options *o);

#endif
