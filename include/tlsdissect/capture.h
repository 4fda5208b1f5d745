/*
 * capture.h — packet sources through libpcap: capture files (pcap and
 * pcapng, "-" for standard input) read in a row as one capture, or a live
 * interface; an optional BPF filter applied by libpcap (pcap-filter(7)).
 */
#ifndef TLSDISSECT_CAPTURE_H
#define TLSDISSECT_CAPTURE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include "tlsdissect/format.h"
#include "tlsdissect/model.h"

struct td_frame {
    int dlt;
    td_time_us ts;
    const uint8_t *data; /* valid during the callback only */
    size_t caplen;
    size_t len;
};

typedef void (*td_frame_fn)(void *ctx, const struct td_frame *f);
/*
 * Live mode, after each batch: monotonic_us is CLOCK_MONOTONIC, not the
 * packets' clock, so that a step of the system clock is not time passing.
 */
typedef void (*td_idle_fn)(void *ctx, td_time_us monotonic_us);

enum td_capture_status {
    TD_CAPTURE_OK = 0,
    TD_CAPTURE_INPUT_ERROR = 1, /* a file could not be read: err says which and why */
    TD_CAPTURE_USAGE_ERROR = 2, /* e.g. a filter that does not compile */
};

#define TD_CAPTURE_ERR 512

/* One line naming a file that could not be read, and why (and the offset when known). */
typedef void (*td_capture_error_fn)(void *ctx, const char *line);

/*
 * Read files in order; stop early when *stop becomes non-zero.  A file that
 * cannot be read is reported through on_error and the next one is read (the
 * result is then TD_CAPTURE_INPUT_ERROR); a filter that does not compile
 * ends the run (TD_CAPTURE_USAGE_ERROR, the line in err).  *opened counts the
 * files that could be opened.
 */
enum td_capture_status td_capture_files(const char *const *paths, size_t npaths,
                                        const char *filter, volatile sig_atomic_t *stop,
                                        td_frame_fn fn, void *ctx, td_capture_error_fn on_error,
                                        size_t *opened, char err[TD_CAPTURE_ERR]);

/*
 * Microseconds since the epoch of a libpcap timestamp.  pcapng allows any
 * 64-bit time, which overflows microseconds: the result is clamped to
 * [0, TD_CAPTURE_TIME_MAX] so that no difference of two timestamps overflows.
 */
#define TD_CAPTURE_TIME_MAX ((td_time_us)1 << 62)
td_time_us td_capture_time(long long sec, long long usec);

/* How to open an interface (tcpdump's -s, -p, -Z). */
struct td_live_options {
    int snaplen;              /* bytes kept of each packet; 0: 262144 */
    bool no_promisc;          /* -p: do not put the interface in promiscuous mode */
    const char *drop_to_user; /* -Z: switch to this user once the capture is open */
};

/* Sniff an interface until *stop; kernel counters go into stats.  With
 * drop_to_user, the process gives up root after opening the interface and
 * refuses to go on when it cannot. */
enum td_capture_status td_capture_live(const char *iface, const char *filter,
                                       const struct td_live_options *opts,
                                       volatile sig_atomic_t *stop, td_frame_fn fn,
                                       td_idle_fn idle, void *ctx, struct td_stats *stats,
                                       char err[TD_CAPTURE_ERR]);

/* The interfaces libpcap can open, one per line as tcpdump -D prints them. */
enum td_capture_status td_capture_list_interfaces(FILE *out, char err[TD_CAPTURE_ERR]);

#endif
