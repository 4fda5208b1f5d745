/*
 * clock.h — the engine's sense of "now" for expiry, kept apart from packet
 * timestamps so that one badly stamped packet cannot move it.
 *
 * Every event carries its own packet's timestamp; this clock only decides
 * when connections, closed flows and IP fragments have waited long enough.
 * A capture's timestamps normally creep forward: a packet within
 * max_step_us of the capture's progress moves the clock with it.  A packet
 * further away, ahead or behind, is held back until confirm_packets
 * consecutive packets agree on its time region (a real pause, a capture
 * file rotated days later, files read out of order); if the next packet is
 * back in step instead, the held packets are outliers, reported by the
 * caller as bad timestamps.  The expiry reading never goes backwards.
 *
 * Live capture adds ticks from CLOCK_MONOTONIC: from the first tick on, the
 * passage of time between packets comes from the monotonic clock, and a
 * confirmed jump of packet timestamps (a system clock step) re-bases the
 * capture time without expiring anything.
 */
#ifndef TLSDISSECT_CLOCK_H
#define TLSDISSECT_CLOCK_H

#include <stdint.h>

#include "tlsdissect/format.h"

#define TD_CLOCK_MAX_CONFIRM 16

struct td_clock_limits {
    td_time_us max_step_us;   /* farthest a packet may be from the capture's progress */
    unsigned confirm_packets; /* consecutive far packets that make a jump real, 1 .. TD_CLOCK_MAX_CONFIRM */
};

/* The defaults documented in docs/limits.md. */
void td_clock_limits_defaults(struct td_clock_limits *limits);

struct td_clock;

struct td_clock *td_clock_new(const struct td_clock_limits *limits);
void td_clock_free(struct td_clock *c);

/*
 * Packets the clock has just judged to be outliers: none when outliers is
 * 0.  first_ts is the timestamp of the first of them, progress_ts the
 * capture time they disagreed with.
 */
struct td_clock_outliers {
    unsigned outliers;
    td_time_us first_ts;
    td_time_us progress_ts;
};

enum td_clock_verdict {
    TD_CLOCK_IN_STEP, /* the packet moved the clock (or was a little late) */
    TD_CLOCK_HELD,    /* far from the capture's progress: the clock waits for company */
    TD_CLOCK_JUMPED,  /* this packet confirmed the held ones: the clock followed them */
};

/*
 * A packet stamped ts arrived.  *judged says which earlier packets it showed
 * up as outliers (then the packets held before this one are settled).
 */
enum td_clock_verdict td_clock_packet(struct td_clock *c, td_time_us ts,
                                      struct td_clock_outliers *judged);

/* Live capture: time passes; monotonic_us is CLOCK_MONOTONIC, any origin. */
void td_clock_tick(struct td_clock *c, td_time_us monotonic_us);

/* End of input: packets still waiting for company are outliers after all. */
void td_clock_finish(struct td_clock *c, struct td_clock_outliers *judged);

/* Reading for expiry: never decreases; compare only with earlier readings. */
td_time_us td_clock_expiry_now(const struct td_clock *c);

/*
 * After TD_CLOCK_JUMPED: the expiry reading at which a held packet stamped ts
 * happened, so that what it touched ages from then, not from before the jump.
 */
td_time_us td_clock_expiry_at(const struct td_clock *c, td_time_us ts);

/*
 * The capture's time now, for events no packet of their own completes (a
 * connection ending by idle timeout or at the end of input): the latest
 * in-step packet's time, plus the time passed since on a live clock.
 */
td_time_us td_clock_capture_now(const struct td_clock *c);

#endif
