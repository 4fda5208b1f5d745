/*
 * capture.c — libpcap sources (pcap(3PCAP), pcap-savefile(5), pcapng per
 * RFC draft-ietf-opsawg-pcapng): files and standard input read as one
 * continuous capture, or a live interface in immediate mode.
 */
#include "tlsdissect/capture.h"

#include <errno.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tlsdissect/decompress.h"
#include "tlsdissect/link.h"

struct dispatch {
    td_frame_fn fn;
    void *ctx;
    int dlt;
};

td_time_us td_capture_time(long long sec, long long usec)
{
    long long t;
    if (sec < 0)
        return 0;
    if (sec >= TD_CAPTURE_TIME_MAX / 1000000)
        return TD_CAPTURE_TIME_MAX;
    if (usec < 0)
        usec = 0;
    if (usec > UINT32_MAX) /* a classic pcap stores any 32-bit value here, not more */
        usec = UINT32_MAX;
    t = sec * 1000000 + usec;
    return t > TD_CAPTURE_TIME_MAX ? TD_CAPTURE_TIME_MAX : t;
}

static void on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
    struct dispatch *d = (struct dispatch *)user;
    struct td_frame f = {d->dlt, td_capture_time(h->ts.tv_sec, h->ts.tv_usec), bytes,
                         h->caplen, h->len};
    d->fn(d->ctx, &f);
}

static enum td_capture_status set_filter(pcap_t *p, const char *filter, const char *name,
                                         char err[TD_CAPTURE_ERR])
{
    struct bpf_program prog;
    if (filter == NULL || *filter == '\0')
        return TD_CAPTURE_OK;
    if (pcap_compile(p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
        snprintf(err, TD_CAPTURE_ERR, "filter '%s': %s", filter, pcap_geterr(p));
        return TD_CAPTURE_USAGE_ERROR;
    }
    if (pcap_setfilter(p, &prog) != 0) {
        snprintf(err, TD_CAPTURE_ERR, "%s: cannot set filter: %s", name, pcap_geterr(p));
        pcap_freecode(&prog);
        return TD_CAPTURE_INPUT_ERROR;
    }
    pcap_freecode(&prog);
    return TD_CAPTURE_OK;
}

/*
 * libpcap on a file or standard input; a gzip, zstd or xz file (told by its
 * magic bytes) through a decompressing FILE, as tshark reads them.
 */
/* What a plain file is read through: big reads, as the benchmark's floor does. */
#define FILE_BUFFER (1 << 20)

static pcap_t *open_capture(const char *path, enum td_compression *compression,
                            char **file_buffer, char errbuf[PCAP_ERRBUF_SIZE])
{
    bool from_stdin = strcmp(path, "-") == 0;
    uint8_t head[8];
    size_t n;
    enum td_compression c;
    FILE *src, *f;
    pcap_t *p;

    if (from_stdin) {
        int fd = dup(STDIN_FILENO);
        src = fd >= 0 ? fdopen(fd, "rb") : NULL;
    } else {
        src = fopen(path, "rb");
    }
    *compression = TD_COMPRESSION_NONE;
    if (src == NULL) /* libpcap says why, as it always has */
        return pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_MICRO, errbuf);
    setvbuf(src, NULL, _IONBF, 0); /* no bytes beyond the peeked ones held in src */
    n = fread(head, 1, sizeof head, src);
    c = *compression = td_compression_of(head, n);
    if (c == TD_COMPRESSION_NONE && !from_stdin) {
        /* a plain file: opened again, read by libpcap through a 1 MiB buffer (ftell, and so
         * the byte offsets of errors, still count from the file's start) */
        fclose(src);
        if ((*file_buffer = malloc(FILE_BUFFER)) == NULL || (f = fopen(path, "rb")) == NULL) {
            free(*file_buffer);
            *file_buffer = NULL;
            return pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_MICRO, errbuf);
        }
        setvbuf(f, *file_buffer, _IOFBF, FILE_BUFFER);
        p = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_MICRO, errbuf);
        if (p == NULL)
            fclose(f);
        return p;
    }
    /* standard input was peeked at: its first bytes are given back */
    f = td_decompress_open(src, c, head, n);
    if (f == NULL) {
        fclose(src);
        snprintf(errbuf, PCAP_ERRBUF_SIZE, "out of memory for the %s decompressor",
                 td_compression_name(c));
        return NULL;
    }
    p = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_MICRO, errbuf);
    if (p == NULL) {
        fclose(f);
        if (c != TD_COMPRESSION_NONE) {
            char inner[PCAP_ERRBUF_SIZE];
            memcpy(inner, errbuf, sizeof inner);
            inner[sizeof inner - 1] = '\0';
            /* libpcap's reason, shortened to leave room for the compression's name */
            snprintf(errbuf, PCAP_ERRBUF_SIZE, "%s-compressed: %.200s", td_compression_name(c),
                     inner);
        }
    }
    return p;
}

/* An open capture: its frames, until the end, an error or *stop. */
static enum td_capture_status read_opened(pcap_t *p, const char *name, enum td_compression compression,
                                          const char *filter, volatile sig_atomic_t *stop,
                                          struct dispatch *d, char err[TD_CAPTURE_ERR])
{
    enum td_capture_status st;
    int r;

    d->dlt = pcap_datalink(p);
    if (!td_link_supported(d->dlt)) {
        const char *dname = pcap_datalink_val_to_name(d->dlt);
        snprintf(err, TD_CAPTURE_ERR, "%s: unsupported link type %d (%s)", name, d->dlt,
                 dname ? dname : "unknown");
        return TD_CAPTURE_INPUT_ERROR;
    }
    st = set_filter(p, filter, name, err);
    if (st != TD_CAPTURE_OK)
        return st;
    while (!*stop) {
        r = pcap_dispatch(p, 4096, on_packet, (u_char *)d);
        if (r == 0 || r == PCAP_ERROR_BREAK)
            break;
        if (r < 0) {
            FILE *f = pcap_file(p);
            long off = f ? ftell(f) : -1;
            if (compression != TD_COMPRESSION_NONE)
                snprintf(err, TD_CAPTURE_ERR, "%s: the %s data is cut short or corrupt (%s)", name,
                         td_compression_name(compression), pcap_geterr(p));
            else if (off >= 0)
                snprintf(err, TD_CAPTURE_ERR, "%s: %s (at byte offset %ld)", name, pcap_geterr(p), off);
            else
                snprintf(err, TD_CAPTURE_ERR, "%s: %s", name, pcap_geterr(p));
            return TD_CAPTURE_INPUT_ERROR;
        }
    }
    return TD_CAPTURE_OK;
}

static enum td_capture_status read_file(const char *path, const char *filter,
                                        volatile sig_atomic_t *stop, td_frame_fn fn, void *ctx,
                                        bool *opened, char err[TD_CAPTURE_ERR])
{
    char errbuf[PCAP_ERRBUF_SIZE] = "";
    const char *name = strcmp(path, "-") == 0 ? "(standard input)" : path;
    struct dispatch d = {fn, ctx, 0};
    enum td_capture_status st;
    enum td_compression compression;
    struct stat sb;
    char *file_buffer = NULL; /* outlives p: its FILE reads through it */
    pcap_t *p;

    if (strcmp(path, "-") != 0 && stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        snprintf(err, TD_CAPTURE_ERR, "%s: is a directory, not a capture file", name);
        return TD_CAPTURE_INPUT_ERROR;
    }
    p = open_capture(path, &compression, &file_buffer, errbuf);
    if (p == NULL) {
        size_t n = strlen(path);
        free(file_buffer);
        /* libpcap names the file itself in some messages ("FILE: No such file...") */
        if (strncmp(errbuf, path, n) == 0 && errbuf[n] == ':')
            snprintf(err, TD_CAPTURE_ERR, "%s", errbuf);
        else
            snprintf(err, TD_CAPTURE_ERR, "%s: %s", name, errbuf[0] ? errbuf : strerror(errno));
        return TD_CAPTURE_INPUT_ERROR;
    }
    *opened = true;
    st = read_opened(p, name, compression, filter, stop, &d, err);
    pcap_close(p);
    free(file_buffer);
    return st;
}


enum td_capture_status td_capture_files(const char *const *paths, size_t npaths,
                                        const char *filter, volatile sig_atomic_t *stop,
                                        td_frame_fn fn, void *ctx, td_capture_error_fn on_error,
                                        size_t *opened, char err[TD_CAPTURE_ERR])
{
    enum td_capture_status result = TD_CAPTURE_OK;
    *opened = 0;
    for (size_t i = 0; i < npaths && !*stop; i++) {
        bool was_opened = false;
        enum td_capture_status st = read_file(paths[i], filter, stop, fn, ctx, &was_opened, err);
        *opened += was_opened;
        if (st == TD_CAPTURE_USAGE_ERROR)
            return st;
        if (st != TD_CAPTURE_OK) {
            on_error(ctx, err);
            result = st; /* tcpdump goes on with the next file, and says so at the end */
        }
    }
    return result;
}

/* Give up root for user (tcpdump -Z): groups, then gid, then uid; checked. */
static bool drop_privileges(const char *user, char err[TD_CAPTURE_ERR])
{
    struct passwd *pw = getpwnam(user);
    if (pw == NULL) {
        snprintf(err, TD_CAPTURE_ERR, "-Z %s: no such user; refusing to go on as root", user);
        return false;
    }
    if (setgroups(0, NULL) != 0 || setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0 ||
        (pw->pw_uid != 0 && (setuid(0) == 0 || geteuid() == 0))) {
        snprintf(err, TD_CAPTURE_ERR, "-Z %s: cannot switch user (%s); refusing to go on as root",
                 user, strerror(errno ? errno : EPERM));
        return false;
    }
    return true;
}

enum td_capture_status td_capture_list_interfaces(FILE *out, char err[TD_CAPTURE_ERR])
{
    char errbuf[PCAP_ERRBUF_SIZE] = "";
    pcap_if_t *all = NULL;
    int n = 0;

    if (pcap_findalldevs(&all, errbuf) != 0) {
        snprintf(err, TD_CAPTURE_ERR, "cannot list the interfaces: %s", errbuf);
        return TD_CAPTURE_INPUT_ERROR;
    }
    for (pcap_if_t *d = all; d; d = d->next) {
        fprintf(out, "%d.%s", ++n, d->name);
        if (d->description)
            fprintf(out, " (%s)", d->description);
        fprintf(out, " [%s%s]\n", d->flags & PCAP_IF_UP ? "Up" : "Down",
                d->flags & PCAP_IF_LOOPBACK ? ", Loopback" : "");
    }
    pcap_freealldevs(all);
    return TD_CAPTURE_OK;
}

enum td_capture_status td_capture_live(const char *iface, const char *filter,
                                       const struct td_live_options *opts,
                                       volatile sig_atomic_t *stop, td_frame_fn fn,
                                       td_idle_fn idle, void *ctx, struct td_stats *stats,
                                       char err[TD_CAPTURE_ERR])
{
    char errbuf[PCAP_ERRBUF_SIZE] = "";
    struct dispatch d = {fn, ctx, 0};
    enum td_capture_status st = TD_CAPTURE_OK;
    struct pcap_stat ps;
    pcap_t *p = pcap_create(iface, errbuf);
    int r;

    if (p == NULL) {
        snprintf(err, TD_CAPTURE_ERR, "%s: %s", iface, errbuf);
        return TD_CAPTURE_INPUT_ERROR;
    }
    pcap_set_snaplen(p, opts->snaplen > 0 ? opts->snaplen : 262144);
    pcap_set_promisc(p, !opts->no_promisc);
    pcap_set_timeout(p, 200);
    pcap_set_immediate_mode(p, 1);
    pcap_set_buffer_size(p, 32 << 20);
    r = pcap_activate(p);
    if (r < 0) {
        snprintf(err, TD_CAPTURE_ERR, "%s: %s", iface, pcap_geterr(p));
        pcap_close(p);
        return TD_CAPTURE_INPUT_ERROR;
    }
    d.dlt = pcap_datalink(p);
    if (!td_link_supported(d.dlt)) {
        snprintf(err, TD_CAPTURE_ERR, "%s: unsupported link type %d", iface, d.dlt);
        pcap_close(p);
        return TD_CAPTURE_INPUT_ERROR;
    }
    st = set_filter(p, filter, iface, err);
    if (st == TD_CAPTURE_OK && opts->drop_to_user && !drop_privileges(opts->drop_to_user, err))
        st = TD_CAPTURE_INPUT_ERROR;
    /*
     * Wait in our own poll() with a timeout, not in libpcap's: libpcap
     * retries its wait after EINTR, so a signal would not end the loop.
     */
    struct pollfd pfd = {pcap_get_selectable_fd(p), POLLIN, 0};
    if (st == TD_CAPTURE_OK && (pfd.fd < 0 || pcap_setnonblock(p, 1, errbuf) != 0)) {
        snprintf(err, TD_CAPTURE_ERR, "%s: cannot wait for packets: %s", iface,
                 pfd.fd < 0 ? "no selectable descriptor" : errbuf);
        st = TD_CAPTURE_INPUT_ERROR;
    }
    while (st == TD_CAPTURE_OK && !*stop) {
        struct timespec now;
        if (poll(&pfd, 1, 200) < 0 && errno != EINTR) {
            snprintf(err, TD_CAPTURE_ERR, "%s: poll: %s", iface, strerror(errno));
            st = TD_CAPTURE_INPUT_ERROR;
            break;
        }
        r = pcap_dispatch(p, -1, on_packet, (u_char *)&d);
        if (r < 0 && r != PCAP_ERROR_BREAK) {
            snprintf(err, TD_CAPTURE_ERR, "%s: %s", iface, pcap_geterr(p));
            st = TD_CAPTURE_INPUT_ERROR;
            break;
        }
        clock_gettime(CLOCK_MONOTONIC, &now);
        idle(ctx, (td_time_us)now.tv_sec * 1000000 + now.tv_nsec / 1000);
    }
    if (pcap_stats(p, &ps) == 0) {
        stats->live = true;
        stats->kernel_received = ps.ps_recv;
        stats->kernel_dropped = ps.ps_drop;
    }
    pcap_close(p);
    return st;
}
