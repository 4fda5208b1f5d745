/*
 * options.c — command-line parsing with getopt_long(3): options may come
 * before or after the file operands (GNU argument permutation); the
 * words that are not options make up the BPF filter, as in tcpdump(1).
 */
#include "options.h"

#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "version.h"

enum {
    OPT_JSON = 256,
    OPT_CA_FILE,
    OPT_CA_PATH,
    OPT_EXPLAIN,
    OPT_COLOR,
    OPT_NO_COLOR,
    OPT_VERSION,
    OPT_MAX_HANDSHAKE,
    OPT_MAX_FLOWS,
    OPT_IDLE_TIMEOUT,
    OPT_MAX_TLS_BUFFERS,
    OPT_APP_DATA,
    OPT_SNI,
    OPT_SHOW_SECRETS,
    OPT_CONN,
    OPT_LIST_INTERFACES,
    OPT_FILES,
    OPT_KEYLOG_FILE,
    OPT_HTML,
    OPT_SUMMARY,
};

static const struct option long_options[] = {
    {"json", no_argument, NULL, OPT_JSON},
    {"ca-file", required_argument, NULL, OPT_CA_FILE},
    {"ca-path", required_argument, NULL, OPT_CA_PATH},
    {"explain", no_argument, NULL, OPT_EXPLAIN},
    {"color", optional_argument, NULL, OPT_COLOR},
    {"colour", optional_argument, NULL, OPT_COLOR},
    {"no-color", no_argument, NULL, OPT_NO_COLOR},
    {"max-handshake-size", required_argument, NULL, OPT_MAX_HANDSHAKE},
    {"max-connections", required_argument, NULL, OPT_MAX_FLOWS},
    {"idle-timeout", required_argument, NULL, OPT_IDLE_TIMEOUT},
    {"max-tls-buffers", required_argument, NULL, OPT_MAX_TLS_BUFFERS},
    {"app-data", required_argument, NULL, OPT_APP_DATA},
    {"sni", required_argument, NULL, OPT_SNI},
    {"show-secrets", no_argument, NULL, OPT_SHOW_SECRETS},
    {"conn", required_argument, NULL, OPT_CONN},
    {"list-interfaces", no_argument, NULL, OPT_LIST_INTERFACES},
    {"files", no_argument, NULL, OPT_FILES},
    {"keylog-file", required_argument, NULL, OPT_KEYLOG_FILE},
    {"html", required_argument, NULL, OPT_HTML},
    {"summary", no_argument, NULL, OPT_SUMMARY},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, OPT_VERSION},
    {NULL, 0, NULL, 0},
};

static void usage(FILE *f)
{
    fprintf(f,
            "usage: tlsdissect [options] -r FILE [-r FILE ...] [BPF filter]\n"
            "       tlsdissect [options] -i IFACE [BPF filter]\n"
            "       tlsdissect check [--rules FILE] [--update] FIXTURE.pcap|DIR ...\n"
            "\n"
            "Passive TLS handshake dissector: every handshake message of every TLS\n"
            "connection in a capture, as a readable transcript or as NDJSON.\n"
            "\n"
            "  -r FILE                 read a pcap or pcapng file ('-' for standard input);\n"
            "                          several -r are read in order as one capture\n"
            "  --files                 the words after the options are files, not a filter\n"
            "  -i IFACE                sniff a live interface (Ctrl-C prints a summary)\n"
            "  --json                  NDJSON events (docs/output-contract.md)\n"
            "  --summary               statistics tables instead of the transcript: counts by\n"
            "                          version, cipher suite, server name, JA4, ...\n"
            "  --html FILE             also write a report page to FILE: overview, tables,\n"
            "                          charts and a ladder diagram per connection\n"
            "  -o FILE                 write the output to FILE\n"
            "  -w FILE                 also write the packets of the connections shown to\n"
            "                          FILE (pcap), e.g. with --sni to cut them out\n"
            "  -c N                    stop after N packets\n"
            "  -q                      connection summaries only (and the statistics)\n"
            "  -v, -vv                 text output: -v each message's frame number, full\n"
            "                          lists, every certificate and connection field;\n"
            "                          -vv every field the JSON has (-vvv is -vv)\n"
            "  -l                      line-buffered output (automatic when reading a pipe)\n"
            "  -n                      accepted for tcpdump's sake: names are never resolved\n"
            "  -s SNAPLEN, -p          live: bytes kept per packet; no promiscuous mode\n"
            "  -Z USER                 live: run as USER once the interface is open\n"
            "  -D, --list-interfaces   list the interfaces that can be sniffed\n"
            "  --sni GLOB              only connections whose server name matches GLOB\n"
            "                          (shell pattern, any case: '*.example.com')\n"
            "  --conn N[,M...]         only these connections (numbers as printed; repeatable)\n"
            "  --explain               explain what each message does (text output, --html)\n"
            "  --color[=WHEN]          colour: auto (default, only on a terminal), always, never\n"
            "  --ca-file FILE          trust store file for certificate validation\n"
            "  --ca-path DIR           trust store directory for certificate validation\n"
            "  --keylog-file FILE      TLS secrets in the NSS key log format (SSLKEYLOGFILE);\n"
            "                          TLS 1.3 handshakes they cover are decrypted (repeatable);\n"
            "                          secrets in a pcapng file given to -r are used too\n"
            "  --app-data N            with keys: the first N decrypted application bytes\n"
            "                          of each side, escaped, in the summary (default 0)\n"
            "  --show-secrets          with keys: print the key log's secrets of each\n"
            "                          connection in its summary (never shown otherwise)\n"
            "  --max-handshake-size N  longest handshake message kept (default 1048576)\n"
            "  --max-connections N     connections tracked at once (default 262144)\n"
            "  --idle-timeout SECONDS  an idle connection ends after this (default 300)\n"
            "  --max-tls-buffers N     bytes of records and messages held across segments,\n"
            "                          all connections together (default 268435456)\n"
            "  -h, --help              this help\n"
            "  --version               the version\n"
            "\n"
            "Exit status: 0 success, 1 unreadable or corrupt input, 2 usage error.\n");
}

static int parse_size(const char *s, const char *what, size_t min, size_t *out)
{
    char *end;
    unsigned long long v;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno || end == s || *end || v < min || v > (1ull << 40)) {
        fprintf(stderr, "tlsdissect: %s: '%s' is not a number of at least %zu\n", what, s, min);
        return -1;
    }
    *out = (size_t)v;
    return 0;
}

/* --conn 3,17,42: connection numbers, 1 or more. */
static int add_conn_numbers(struct td_options *o, const char *list)
{
    const char *p = list;
    for (;;) {
        char *end;
        unsigned long long v;
        uint64_t *grown;
        errno = 0;
        v = strtoull(p, &end, 10);
        if (errno || end == p || v == 0 || *p == '-' || *p == '+' || (*end != ',' && *end != '\0')) {
            fprintf(stderr, "tlsdissect: --conn: '%s' is not a list of connection numbers (1, 2, ...)\n",
                    list);
            return -1;
        }
        if ((grown = realloc(o->conns, (o->nconns + 1) * sizeof *grown)) == NULL)
            return -1;
        o->conns = grown;
        o->conns[o->nconns++] = v;
        if (*end == '\0')
            return 0;
        p = end + 1;
    }
}

static int add_path(const char ***list, size_t *n, const char *path)
{
    const char **grown = realloc(*list, (*n + 1) * sizeof *grown);
    if (grown == NULL)
        return -1;
    *list = grown;
    (*list)[(*n)++] = path;
    return 0;
}

/* An existing file that starts like a pcap or pcapng (what a shell glob after -r gives). */
static bool is_capture_file(const char *word)
{
    static const uint8_t magics[][4] = {{0xd4, 0xc3, 0xb2, 0xa1}, {0xa1, 0xb2, 0xc3, 0xd4},
                                        {0x4d, 0x3c, 0xb2, 0xa1}, {0xa1, 0xb2, 0x3c, 0x4d},
                                        {0x0a, 0x0d, 0x0d, 0x0a}};
    uint8_t head[4];
    struct stat sb;
    FILE *f;
    bool found = false;

    if (stat(word, &sb) != 0 || !S_ISREG(sb.st_mode) || (f = fopen(word, "rb")) == NULL)
        return false;
    if (fread(head, 1, sizeof head, f) == sizeof head)
        for (size_t i = 0; i < sizeof magics / sizeof magics[0]; i++)
            found |= memcmp(head, magics[i], sizeof head) == 0;
    fclose(f);
    return found;
}

static char *join_words(int argc, char **argv, int first)
{
    size_t len = 0, at = 0;
    char *s;
    if (first >= argc)
        return NULL;
    for (int i = first; i < argc; i++)
        len += strlen(argv[i]) + 1;
    s = malloc(len);
    if (s == NULL)
        return NULL;
    for (int i = first; i < argc; i++) {
        size_t w = strlen(argv[i]);
        if (i > first)
            s[at++] = ' ';
        memcpy(s + at, argv[i], w);
        at += w;
    }
    s[at] = '\0';
    return s;
}

enum td_parse_result td_options_parse(int argc, char **argv, struct td_options *o)
{
    int c;
    size_t n;
    bool trailing_files = false; /* --files */

    memset(o, 0, sizeof *o);
    td_engine_config_defaults(&o->engine);
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":r:i:o:w:c:s:Z:hlnpqvD", long_options, NULL)) != -1) {
        switch (c) {
        case 'r':
            if (add_path(&o->files, &o->nfiles, optarg) != 0)
                return TD_OPTS_USAGE;
            break;
        case 'i':
            o->iface = optarg;
            break;
        case 'o':
            o->output = optarg;
            break;
        case 'w':
            if (strcmp(optarg, "-") == 0) {
                fprintf(stderr, "tlsdissect: -w: give a file ('-' is where the events go)\n");
                return TD_OPTS_USAGE;
            }
            o->write_packets = optarg;
            break;
        case 'c':
            if (parse_size(optarg, "-c", 1, &n) != 0)
                return TD_OPTS_USAGE;
            o->packet_limit = n;
            break;
        case 's':
            if (parse_size(optarg, "-s", 0, &n) != 0)
                return TD_OPTS_USAGE;
            if (n > 262144) {
                fprintf(stderr, "tlsdissect: -s: a snaplen from 0 (the default) to 262144\n");
                return TD_OPTS_USAGE;
            }
            o->live.snaplen = (int)n;
            break;
        case 'p':
            o->live.no_promisc = true;
            break;
        case 'Z':
            o->live.drop_to_user = optarg;
            break;
        case 'l':
            o->line_buffered = true;
            break;
        case 'n':
            break; /* tlsdissect never resolves names */
        case 'q':
            o->summaries_only = true;
            break;
        case 'v': /* as tcpdump: -v, -vv (-vvv and -v -v count up; 2 is the most) */
            if (o->verbose < 2)
                o->verbose++;
            break;
        case 'D':
        case OPT_LIST_INTERFACES:
            o->list_interfaces = true;
            return TD_OPTS_RUN;
        case OPT_FILES:
            trailing_files = true;
            break;
        case 'h':
            usage(stdout);
            return TD_OPTS_EXIT_OK;
        case OPT_VERSION:
            printf("tlsdissect %s\n", TD_VERSION);
            return TD_OPTS_EXIT_OK;
        case OPT_JSON:
            o->json = true;
            break;
        case OPT_EXPLAIN:
            o->explain = true;
            break;
        case OPT_HTML:
            if (strcmp(optarg, "-") == 0) {
                fprintf(stderr, "tlsdissect: --html: give a file ('-' is where the events go)\n");
                return TD_OPTS_USAGE;
            }
            o->html = optarg;
            break;
        case OPT_SUMMARY:
            o->summary = true;
            break;
        case OPT_COLOR:
            if (optarg == NULL || strcmp(optarg, "always") == 0)
                o->color = TD_COLOR_ALWAYS;
            else if (strcmp(optarg, "never") == 0)
                o->color = TD_COLOR_NEVER;
            else if (strcmp(optarg, "auto") == 0)
                o->color = TD_COLOR_AUTO;
            else {
                fprintf(stderr, "tlsdissect: --color: '%s' is not auto, always or never\n", optarg);
                return TD_OPTS_USAGE;
            }
            break;
        case OPT_NO_COLOR:
            o->color = TD_COLOR_NEVER;
            break;
        case OPT_CA_FILE:
        case OPT_CA_PATH: {
            struct stat sb;
            if (stat(optarg, &sb) != 0 || (c == OPT_CA_FILE) != !S_ISDIR(sb.st_mode)) {
                fprintf(stderr, "tlsdissect: %s: '%s' is not a readable %s\n",
                        c == OPT_CA_FILE ? "--ca-file" : "--ca-path", optarg,
                        c == OPT_CA_FILE ? "file" : "directory");
                return TD_OPTS_USAGE;
            }
            if (c == OPT_CA_FILE)
                o->ca_file = optarg;
            else
                o->ca_path = optarg;
            break;
        }
        case OPT_KEYLOG_FILE:
            /* standard input may be the capture: a key log must be a file */
            if (strcmp(optarg, "-") == 0) {
                fprintf(stderr, "tlsdissect: --keylog-file: '-' is not allowed; give a file\n");
                return TD_OPTS_USAGE;
            }
            if (add_path(&o->keylog_files, &o->nkeylog_files, optarg) != 0)
                return TD_OPTS_USAGE;
            break;
        case OPT_MAX_HANDSHAKE:
            if (parse_size(optarg, "--max-handshake-size", 1024, &n) != 0)
                return TD_OPTS_USAGE;
            o->engine.tls.max_handshake_message = n;
            break;
        case OPT_MAX_FLOWS:
            if (parse_size(optarg, "--max-connections", 1, &n) != 0)
                return TD_OPTS_USAGE;
            o->engine.max_flows = n;
            break;
        case OPT_MAX_TLS_BUFFERS:
            if (parse_size(optarg, "--max-tls-buffers", 4096, &n) != 0)
                return TD_OPTS_USAGE;
            o->engine.tls_buffer_bytes = n;
            break;
        case OPT_APP_DATA:
            if (parse_size(optarg, "--app-data", 0, &n) != 0)
                return TD_OPTS_USAGE;
            if (n > TD_APP_DATA_MAX) {
                fprintf(stderr, "tlsdissect: --app-data: at most %u bytes per side\n",
                        (unsigned)TD_APP_DATA_MAX);
                return TD_OPTS_USAGE;
            }
            o->engine.tls.app_data_bytes = n;
            break;
        case OPT_SHOW_SECRETS:
            o->engine.tls.show_secrets = true;
            break;
        case OPT_SNI:
            if (o->sni_glob) {
                fprintf(stderr, "tlsdissect: --sni given twice (one pattern: * and [...] cover several names)\n");
                return TD_OPTS_USAGE;
            }
            o->sni_glob = optarg;
            break;
        case OPT_CONN:
            if (add_conn_numbers(o, optarg) != 0)
                return TD_OPTS_USAGE;
            break;
        case OPT_IDLE_TIMEOUT:
            if (parse_size(optarg, "--idle-timeout", 1, &n) != 0)
                return TD_OPTS_USAGE;
            o->engine.idle_timeout_us = (td_time_us)n * 1000000;
            break;
        case ':':
            fprintf(stderr, "tlsdissect: option '%s' needs an argument\n", argv[optind - 1]);
            return TD_OPTS_USAGE;
        default:
            fprintf(stderr, "tlsdissect: unknown option '%s' (see --help)\n", argv[optind - 1]);
            return TD_OPTS_USAGE;
        }
    }
    for (; trailing_files && optind < argc; optind++)
        if (add_path(&o->files, &o->nfiles, argv[optind]) != 0)
            return TD_OPTS_USAGE;
    if (o->summary && o->json) {
        fprintf(stderr, "tlsdissect: --summary prints text tables; it cannot be combined with --json\n");
        return TD_OPTS_USAGE;
    }
    if (o->explain && (o->json || o->summary) && o->html == NULL)
        fprintf(stderr, "tlsdissect: --explain applies to the text output and --html; ignored with %s\n",
                o->json ? "--json" : "--summary");
    if (o->verbose && (o->json || o->summary))
        fprintf(stderr, "tlsdissect: -v applies to the text output; ignored with %s\n",
                o->json ? "--json (which has every field)" : "--summary");
    if (o->live.drop_to_user && o->iface == NULL)
        fprintf(stderr, "tlsdissect: -Z applies to a live capture (-i); ignored\n");
    if ((o->nfiles == 0) == (o->iface == NULL)) {
        fprintf(stderr, o->nfiles ? "tlsdissect: -r and -i cannot be used together\n"
                                  : "tlsdissect: nothing to read: give -r FILE or -i IFACE\n");
        usage(stderr);
        return TD_OPTS_USAGE;
    }
    for (int i = optind; i < argc; i++) {
        if (is_capture_file(argv[i])) {
            fprintf(stderr, "tlsdissect: '%s' is a capture file, not a filter word: give -r for "
                            "each file (-r a.pcap -r b.pcap)\n", argv[i]);
            return TD_OPTS_USAGE;
        }
    }
    o->filter = join_words(argc, argv, optind);
    return TD_OPTS_RUN;
}

void td_options_free(struct td_options *o)
{
    free(o->files);
    free(o->keylog_files);
    free(o->conns);
    o->conns = NULL;
    free(o->filter);
    o->files = NULL;
    o->keylog_files = NULL;
    o->filter = NULL;
}
