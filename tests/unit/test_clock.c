/*
 * test_clock.c — the expiry clock (clock.h): it follows a capture's
 * progress, ignores one packet stamped far ahead or behind (and says so),
 * follows a jump that later packets confirm, and in live mode takes the
 * passage of time from CLOCK_MONOTONIC ticks, not from system clock steps.
 */
#include "unit.h"

#include "tlsdissect/capture.h"
#include "tlsdissect/clock.h"

#define SEC 1000000LL
#define DAY (86400 * SEC)
#define YEARS_10 (3652 * DAY)
#define T0 (1764000000 * SEC) /* 2025-11-24 */

static int setup(void **state)
{
    struct td_clock_limits lim;
    td_clock_limits_defaults(&lim);
    *state = td_clock_new(&lim);
    return *state ? 0 : -1;
}

static int teardown(void **state)
{
    td_clock_free(*state);
    return 0;
}

/* One packet that must not show up any outlier. */
static void in_step(struct td_clock *c, td_time_us ts)
{
    struct td_clock_outliers judged;
    td_clock_packet(c, ts, &judged);
    assert_int_equal(judged.outliers, 0);
}

/* A packet whose verdict is known, and that shows up no outlier. */
static void expect(struct td_clock *c, td_time_us ts, enum td_clock_verdict verdict)
{
    struct td_clock_outliers judged;
    assert_int_equal(td_clock_packet(c, ts, &judged), verdict);
    assert_int_equal(judged.outliers, 0);
}

/* One packet whatever it shows up. */
static void feed(struct td_clock *c, td_time_us ts)
{
    struct td_clock_outliers judged;
    td_clock_packet(c, ts, &judged);
}

static void test_defaults(void **state)
{
    (void)state;
    struct td_clock_limits lim;
    td_clock_limits_defaults(&lim);
    assert_int_equal(lim.max_step_us, 60 * SEC); /* docs/limits.md */
    assert_int_equal(lim.confirm_packets, 3);
}

static void test_steady_progress(void **state)
{
    struct td_clock *c = *state;
    in_step(c, T0);
    assert_int_equal(td_clock_expiry_now(c), T0);
    for (int i = 1; i <= 100; i++) {
        in_step(c, T0 + i * SEC);
        in_step(c, T0 + i * SEC - SEC / 2); /* a little out of order: no effect */
        assert_int_equal(td_clock_expiry_now(c), T0 + i * SEC);
        assert_int_equal(td_clock_capture_now(c), T0 + i * SEC);
    }
    /* a quiet minute is still progress, not an outlier */
    in_step(c, T0 + 160 * SEC);
    assert_int_equal(td_clock_expiry_now(c), T0 + 160 * SEC);
}

static void check_single_outlier(struct td_clock *c, td_time_us outlier)
{
    struct td_clock_outliers judged;
    expect(c, T0, TD_CLOCK_IN_STEP);
    expect(c, T0 + 10 * SEC, TD_CLOCK_IN_STEP);
    expect(c, outlier, TD_CLOCK_HELD);
    /* judged only once the next packet shows the capture did not move */
    assert_int_equal(td_clock_expiry_now(c), T0 + 10 * SEC);
    assert_int_equal(td_clock_packet(c, T0 + 11 * SEC, &judged), TD_CLOCK_IN_STEP);
    assert_int_equal(judged.outliers, 1);
    assert_int_equal(judged.first_ts, outlier);
    assert_int_equal(judged.progress_ts, T0 + 10 * SEC);
    assert_int_equal(td_clock_expiry_now(c), T0 + 11 * SEC);
    assert_int_equal(td_clock_capture_now(c), T0 + 11 * SEC);
    in_step(c, T0 + 12 * SEC);
    td_clock_finish(c, &judged);
    assert_int_equal(judged.outliers, 0);
}

static void test_outlier_ahead(void **state) { check_single_outlier(*state, T0 + YEARS_10); }

static void test_outlier_behind(void **state) { check_single_outlier(*state, T0 - YEARS_10); }

static void test_outlier_at_the_end(void **state)
{
    struct td_clock *c = *state;
    struct td_clock_outliers judged;
    in_step(c, T0);
    in_step(c, T0 + YEARS_10);
    td_clock_finish(c, &judged);
    assert_int_equal(judged.outliers, 1);
    assert_int_equal(judged.first_ts, T0 + YEARS_10);
    assert_int_equal(td_clock_capture_now(c), T0);
}

static void test_two_outliers_are_not_a_jump(void **state)
{
    struct td_clock *c = *state;
    struct td_clock_outliers judged;
    in_step(c, T0);
    in_step(c, T0 + DAY);
    in_step(c, T0 + DAY + SEC);
    td_clock_packet(c, T0 + SEC, &judged);
    assert_int_equal(judged.outliers, 2);
    assert_int_equal(judged.first_ts, T0 + DAY);
    assert_int_equal(td_clock_expiry_now(c), T0 + SEC);
}

static void test_jump_confirmed_ahead(void **state)
{
    struct td_clock *c = *state;
    expect(c, T0, TD_CLOCK_IN_STEP);
    expect(c, T0 + 3 * DAY, TD_CLOCK_HELD); /* the next file, three days later */
    expect(c, T0 + 3 * DAY + SEC, TD_CLOCK_HELD);
    assert_int_equal(td_clock_expiry_now(c), T0); /* not yet: two packets could be a glitch */
    expect(c, T0 + 3 * DAY + 2 * SEC, TD_CLOCK_JUMPED);
    assert_int_equal(td_clock_expiry_now(c), T0 + 3 * DAY + 2 * SEC); /* the pause passed */
    assert_int_equal(td_clock_capture_now(c), T0 + 3 * DAY + 2 * SEC);
    /* what the held packets touched ages from their own times */
    assert_int_equal(td_clock_expiry_at(c, T0 + 3 * DAY), T0 + 3 * DAY);
    assert_int_equal(td_clock_expiry_at(c, T0 + 3 * DAY + SEC), T0 + 3 * DAY + SEC);
    in_step(c, T0 + 3 * DAY + 3 * SEC);
    assert_int_equal(td_clock_expiry_now(c), T0 + 3 * DAY + 3 * SEC);
}

static void test_jump_confirmed_behind(void **state)
{
    struct td_clock *c = *state;
    expect(c, T0 + DAY, TD_CLOCK_IN_STEP);
    expect(c, T0, TD_CLOCK_HELD); /* files read out of order */
    expect(c, T0 + SEC, TD_CLOCK_HELD);
    expect(c, T0 + 2 * SEC, TD_CLOCK_JUMPED);
    /* no time passed for expiry, and it never runs backwards */
    assert_int_equal(td_clock_expiry_now(c), T0 + DAY);
    assert_int_equal(td_clock_capture_now(c), T0 + 2 * SEC);
    assert_int_equal(td_clock_expiry_at(c, T0), T0 + DAY - 2 * SEC);
    in_step(c, T0 + 12 * SEC);
    assert_int_equal(td_clock_expiry_now(c), T0 + DAY + 10 * SEC);
    assert_int_equal(td_clock_capture_now(c), T0 + 12 * SEC);
}

static void test_sparse_capture(void **state)
{
    struct td_clock *c = *state;
    in_step(c, T0);
    /* a packet every two minutes: each is far from the last, yet none is an outlier */
    for (int i = 1; i <= 30; i++)
        in_step(c, T0 + i * 120 * SEC);
    assert_int_equal(td_clock_expiry_now(c), T0 + 30 * 120 * SEC);
}

static void test_live_ticks_pass_time(void **state)
{
    struct td_clock *c = *state;
    const td_time_us mono = 5000 * SEC;
    td_clock_tick(c, mono - SEC); /* before the first packet: nothing to measure from */
    in_step(c, T0);
    for (int i = 0; i <= 2000; i++) /* 400 s without packets, a tick every 200 ms */
        td_clock_tick(c, mono + i * SEC / 5);
    assert_int_equal(td_clock_expiry_now(c), T0 + 400 * SEC);
    assert_int_equal(td_clock_capture_now(c), T0 + 400 * SEC);
}

/* Live: packets every 100 ms stamped by a system clock that steps; ticks every 200 ms. */
static void test_live_clock_step(void **state)
{
    struct td_clock *c = *state;
    const td_time_us mono = 777 * SEC;
    const td_time_us steps[] = {0, -3600 * SEC, 2 * 3600 * SEC, -YEARS_10};
    td_time_us wall = T0, offset = 0, before;
    int i = 0;

    in_step(c, wall);
    td_clock_tick(c, mono);
    for (size_t s = 0; s < UNIT_COUNT(steps); s++) {
        offset += steps[s];
        for (int k = 0; k < 100; k++, i++) {
            struct td_clock_outliers judged;
            wall += SEC / 10;
            td_clock_packet(c, wall + offset, &judged); /* a step is never a lone outlier */
            assert_int_equal(judged.outliers, 0);
            if (i % 2)
                td_clock_tick(c, mono + (i + 1) * SEC / 10);
        }
        /* whatever the system clock did, expiry saw 10 s pass per 100 packets */
        before = td_clock_expiry_now(c);
        assert_true(before >= T0 + (td_time_us)(s + 1) * 10 * SEC - SEC);
        assert_true(before <= T0 + (td_time_us)(s + 1) * 10 * SEC + SEC);
        assert_true(td_clock_capture_now(c) >= wall + offset - SEC);
    }
}

/* Crafted captures choose any timestamps: no sequence may overflow the reading (UBSan). */
static void test_hostile_timestamps_saturate(void **state)
{
    struct td_clock *c = *state;
    td_time_us last = 0;
    feed(c, 0);
    for (int round = 0; round < 64; round++) { /* 2^62 ahead, then back, again and again */
        td_time_us t = round % 2 ? 0 : TD_CAPTURE_TIME_MAX;
        for (int k = 0; k < 3; k++)
            feed(c, t);
        feed(c, INT64_MAX);  /* clamped to the capture's range */
        feed(c, INT64_MIN);
        assert_true(td_clock_expiry_now(c) >= last);
        last = td_clock_expiry_now(c);
    }
    /* 32 jumps of 2^62 ahead would be 2^67: the reading stopped short of overflow */
    assert_true(last > TD_CAPTURE_TIME_MAX);
    assert_true(last < INT64_MAX);
    for (int k = 1; k <= 3; k++)
        feed(c, k * SEC);
    assert_int_equal(td_clock_expiry_now(c), last);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        T(test_steady_progress),
        T(test_outlier_ahead),
        T(test_outlier_behind),
        T(test_outlier_at_the_end),
        T(test_two_outliers_are_not_a_jump),
        T(test_jump_confirmed_ahead),
        T(test_jump_confirmed_behind),
        T(test_sparse_capture),
        T(test_live_ticks_pass_time),
        T(test_live_clock_step),
        T(test_hostile_timestamps_saturate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
