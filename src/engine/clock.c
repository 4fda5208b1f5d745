/*
 * clock.c — expiry time that resists single outlying packet timestamps
 * (see clock.h for the rule; docs/limits.md for the two thresholds).
 *
 * Invariants kept here:
 *   - expiry never decreases and stays within [0, READING_MAX], so the
 *     callers' differences of two readings cannot overflow;
 *   - capture time = progress + (expiry - progress_expiry): progress is the
 *     latest in-step packet time, progress_expiry the reading when it was set;
 *   - a pending jump holds 1 .. confirm_packets - 1 far packets, all on one
 *     side of progress, their times never falling more than max_step_us.
 */
#include "tlsdissect/clock.h"

#include <stdbool.h>
#include <stdlib.h>

#include "tlsdissect/capture.h"

/* Above any capture time (TD_CAPTURE_TIME_MAX, 2^62), below overflow (2^63). */
#define READING_MAX ((td_time_us)3 << 61)

struct td_clock {
    struct td_clock_limits limits;
    bool started;          /* a packet has been seen */
    bool live;             /* ticks measure the passage of time */
    td_time_us expiry;
    td_time_us progress;
    td_time_us progress_expiry;
    /* far packets waiting for confirmation */
    unsigned pending;
    bool pending_ahead;
    td_time_us pending_first;
    td_time_us pending_latest;
    /* the previous tick */
    bool ticked;
    td_time_us tick_monotonic;
    td_time_us tick_expiry;
};

void td_clock_limits_defaults(struct td_clock_limits *limits)
{
    limits->max_step_us = 60 * 1000000LL;
    limits->confirm_packets = 3;
}

struct td_clock *td_clock_new(const struct td_clock_limits *limits)
{
    struct td_clock *c = calloc(1, sizeof *c);
    if (c == NULL)
        return NULL;
    c->limits = *limits;
    if (c->limits.confirm_packets == 0)
        c->limits.confirm_packets = 1;
    if (c->limits.confirm_packets > TD_CLOCK_MAX_CONFIRM)
        c->limits.confirm_packets = TD_CLOCK_MAX_CONFIRM;
    /* within capture times, so that no time minus a step can overflow */
    if (c->limits.max_step_us < 0)
        c->limits.max_step_us = 0;
    if (c->limits.max_step_us > TD_CAPTURE_TIME_MAX)
        c->limits.max_step_us = TD_CAPTURE_TIME_MAX;
    return c;
}

void td_clock_free(struct td_clock *c) { free(c); }

/* Move the expiry reading up to target (saturating), never down. */
static void advance_to(struct td_clock *c, td_time_us target)
{
    if (target > READING_MAX)
        target = READING_MAX;
    if (target > c->expiry)
        c->expiry = target;
}

/* Elapsed time added to a reading, saturating: both are within [0, READING_MAX]. */
static td_time_us reading_plus(td_time_us reading, td_time_us elapsed)
{
    if (elapsed <= 0)
        return reading;
    return elapsed > READING_MAX - reading ? READING_MAX : reading + elapsed;
}

td_time_us td_clock_capture_now(const struct td_clock *c)
{
    return reading_plus(c->progress, c->expiry - c->progress_expiry);
}

td_time_us td_clock_expiry_now(const struct td_clock *c) { return c->expiry; }

/* capture.c clamps already; a caller that does not cannot overflow us either. */
static td_time_us capture_time(td_time_us ts)
{
    return ts < 0 ? 0 : ts > TD_CAPTURE_TIME_MAX ? TD_CAPTURE_TIME_MAX : ts;
}

td_time_us td_clock_expiry_at(const struct td_clock *c, td_time_us ts)
{
    td_time_us before = td_clock_capture_now(c) - capture_time(ts);
    if (before <= 0)
        return c->expiry;
    return before >= c->expiry ? 0 : c->expiry - before;
}

static void set_progress(struct td_clock *c, td_time_us ts)
{
    c->progress = ts;
    c->progress_expiry = c->expiry;
}

/* The pending packets turned out not to be a jump: hand them to the caller. */
static void judge_pending(struct td_clock *c, struct td_clock_outliers *judged)
{
    if (c->pending == 0)
        return;
    judged->outliers = c->pending;
    judged->first_ts = c->pending_first;
    judged->progress_ts = c->progress;
    c->pending = 0;
}

/*
 * Enough far packets agree: the capture really moved.  Offline, a jump
 * ahead is time that passed (a pause, the next rotated file) and expires
 * what waited through it; a jump back (files out of order) passes no time.
 * Live, the monotonic ticks already measure the time that passed, so a jump
 * of the packet timestamps is a system clock step and passes none either.
 */
static void take_jump(struct td_clock *c)
{
    if (c->pending_ahead && !c->live)
        advance_to(c, reading_plus(c->expiry, c->pending_latest - td_clock_capture_now(c)));
    set_progress(c, c->pending_latest);
    c->pending = 0;
}

static bool agrees_with_pending(const struct td_clock *c, bool ahead, td_time_us ts)
{
    return c->pending > 0 && c->pending_ahead == ahead &&
           ts >= c->pending_latest - c->limits.max_step_us;
}

enum td_clock_verdict td_clock_packet(struct td_clock *c, td_time_us ts,
                                      struct td_clock_outliers *judged)
{
    td_time_us step;
    bool ahead;

    judged->outliers = 0;
    ts = capture_time(ts);
    if (!c->started) {
        c->started = true;
        c->expiry = ts;
        set_progress(c, ts);
        return TD_CLOCK_IN_STEP;
    }
    step = ts - c->progress;
    if (step <= c->limits.max_step_us && step >= -c->limits.max_step_us) {
        judge_pending(c, judged);
        if (step > 0) {
            /* On a live clock the ticks may already have counted this time. */
            advance_to(c, reading_plus(c->progress_expiry, step));
            set_progress(c, ts);
        }
        return TD_CLOCK_IN_STEP;
    }
    ahead = step > 0;
    if (!agrees_with_pending(c, ahead, ts)) {
        judge_pending(c, judged);
        c->pending_ahead = ahead;
        c->pending_first = ts;
        c->pending_latest = ts;
    }
    c->pending++;
    if (ts > c->pending_latest)
        c->pending_latest = ts;
    if (c->pending < c->limits.confirm_packets)
        return TD_CLOCK_HELD;
    take_jump(c);
    return TD_CLOCK_JUMPED;
}

void td_clock_tick(struct td_clock *c, td_time_us monotonic_us)
{
    c->live = true;
    if (!c->started)
        return; /* nothing to measure from until the first packet */
    if (c->ticked && monotonic_us > c->tick_monotonic)
        advance_to(c, reading_plus(c->tick_expiry, monotonic_us - c->tick_monotonic));
    c->ticked = true;
    c->tick_monotonic = monotonic_us;
    c->tick_expiry = c->expiry;
}

void td_clock_finish(struct td_clock *c, struct td_clock_outliers *judged)
{
    judged->outliers = 0;
    judge_pending(c, judged);
}
