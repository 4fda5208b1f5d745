/*
 * test_capture.c — libpcap timestamps to microseconds (capture.h
 * td_capture_time): pcapng allows any 64-bit time, whose microseconds
 * overflowed a signed 64-bit product before the clamp (found by fuzz_pcap,
 * tests/fuzz/regressions/fuzz_pcap/pcapng-timestamp-overflow,
 * tests/pcaps/hostile/pcapng-timestamp-overflow.pcapng).
 */
#include "unit.h"

#include "tlsdissect/capture.h"

static void test_ordinary_times(void **state)
{
    (void)state;
    assert_true(td_capture_time(0, 0) == 0);
    assert_true(td_capture_time(1795000000, 123456) == 1795000000123456LL);
    /* a classic pcap may store any 32-bit value as microseconds */
    assert_true(td_capture_time(10, 4000000) == 14000000);
    assert_true(td_capture_time(10, 0xffffffffLL) == 10000000 + 0xffffffffLL);
}

static void test_out_of_range_times(void **state)
{
    (void)state;
    /* seconds * 10^6 past 2^63: clamped, no overflow */
    assert_true(td_capture_time(18446742974197LL, 0) == TD_CAPTURE_TIME_MAX);
    assert_true(td_capture_time(9223372036854775807LL, 999999) == TD_CAPTURE_TIME_MAX);
    assert_true(td_capture_time(TD_CAPTURE_TIME_MAX / 1000000 - 1, 0xffffffffLL) ==
                TD_CAPTURE_TIME_MAX);
    /* a time_t that wrapped negative */
    assert_true(td_capture_time(-1, 0) == 0);
    assert_true(td_capture_time(-9223372036854775807LL - 1, 5) == 0);
    assert_true(td_capture_time(5, -1) == 5000000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ordinary_times),
        cmocka_unit_test(test_out_of_range_times),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
