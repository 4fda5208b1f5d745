/*
 * test_escape.c — wire strings to safe text (escape.h): RFC 3629 §3 valid
 * UTF-8 without C0/DEL/C1 controls passes, every other byte becomes \xNN;
 * the terminal form also escapes bidi controls, zero-width characters,
 * U+2028/U+2029 and the BOM (Unicode UAX #9 §2) and doubles the backslash.
 */
#include "unit.h"

#include <stdio.h>

#include "tlsdissect/escape.h"

typedef bool (*escape_fn)(const uint8_t *in, size_t n, char *out);

/* Escape n bytes (from an exact-size heap copy) with fn and compare with want. */
static void check_with(escape_fn fn, const void *in, size_t n, const char *want, bool want_changed)
{
    uint8_t *p = unit_dup(in, n);
    size_t size = td_escape_size(n);
    char *out = malloc(size);
    assert_non_null(out);
    memset(out, 0x7e, size);
    bool changed = fn(p, n, out);
    assert_string_equal(out, want);
    assert_int_equal(changed, want_changed);
    assert_true(strlen(out) < size);
    free(out);
    free(p);
}

static void check(const void *in, size_t n, const char *want, bool want_changed)
{
    check_with(td_escape, in, n, want, want_changed);
}

#define CHECK_PASS(lit) check(lit, sizeof(lit) - 1, lit, false)
#define CHECK_ESC(lit, want) check(lit, sizeof(lit) - 1, want, true)

static void test_ascii(void **state)
{
    (void)state;
    check("", 0, "", false);
    CHECK_PASS("example.com");
    CHECK_PASS("h2");
    CHECK_PASS(" !\"#$%&'()*+,-./0123456789:;<=>?@AZ[\\]^_`az{|}~");
}

static void test_valid_utf8(void **state)
{
    (void)state;
    CHECK_PASS("caf\xc3\xa9");             /* é U+00E9 */
    CHECK_PASS("\xc2\xa0");                /* U+00A0, first after C1 */
    CHECK_PASS("\xdf\xbf");                /* U+07FF */
    CHECK_PASS("\xe0\xa0\x80");            /* U+0800, shortest 3-byte */
    CHECK_PASS("\xe6\x97\xa5\xe6\x9c\xac"); /* 日本 */
    CHECK_PASS("\xed\x9f\xbf");            /* U+D7FF, before the surrogates */
    CHECK_PASS("\xee\x80\x80");            /* U+E000, after them */
    CHECK_PASS("\xef\xbf\xbf");            /* U+FFFF */
    CHECK_PASS("\xf0\x90\x80\x80");        /* U+10000, shortest 4-byte */
    CHECK_PASS("\xf0\x9f\x98\x80");        /* emoji */
    CHECK_PASS("\xf4\x8f\xbf\xbf");        /* U+10FFFF, the last code point */
    CHECK_PASS("xn--caf-dma.\xe4\xbe\x8b\xe5\xad\x90.test");
}

static void test_controls(void **state)
{
    (void)state;
    check("\0", 1, "\\x00", true);
    check("a\0b", 3, "a\\x00b", true);
    for (unsigned b = 1; b < 0x20; b++) {
        char in[3] = {'<', (char)b, '>'}, want[16];
        snprintf(want, sizeof want, "<\\x%02x>", b);
        check(in, 3, want, true);
    }
    CHECK_ESC("\x7f", "\\x7f");
    CHECK_ESC("a\x1b[31mred", "a\\x1b[31mred");
    CHECK_ESC("line\r\n", "line\\x0d\\x0a");
    CHECK_ESC("tab\there", "tab\\x09here");
}

/* U+0080..U+009F are controls too: each of their two bytes is escaped. */
static void test_c1_controls(void **state)
{
    (void)state;
    for (unsigned b = 0x80; b <= 0x9f; b++) {
        char in[2] = {(char)0xc2, (char)b}, want[16];
        snprintf(want, sizeof want, "\\xc2\\x%02x", b);
        check(in, 2, want, true);
    }
    CHECK_ESC("\xc2\x9b[2J", "\\xc2\\x9b[2J"); /* CSI */
}

static void test_invalid_bytes(void **state)
{
    (void)state;
    /* lead bytes that never start a sequence, lone continuation bytes */
    const unsigned bad[] = {0x80, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xf5, 0xf8, 0xfc, 0xfe, 0xff};
    for (size_t i = 0; i < UNIT_COUNT(bad); i++) {
        char in[3] = {'a', (char)bad[i], 'b'}, want[16];
        snprintf(want, sizeof want, "a\\x%02xb", bad[i]);
        check(in, 3, want, true);
    }
    /* lowercase hex */
    CHECK_ESC("\xab\xcd\xef", "\\xab\\xcd\\xef");
    /* a bad byte then a good sequence */
    CHECK_ESC("\xff\xc3\xa9", "\\xff\xc3\xa9");
}

static void test_truncated_sequences(void **state)
{
    (void)state;
    CHECK_ESC("\xc3", "\\xc3");
    CHECK_ESC("\xe6\x97", "\\xe6\\x97");
    CHECK_ESC("\xf0\x9f\x98", "\\xf0\\x9f\\x98");
    /* cut short by an ASCII byte or a new lead byte */
    CHECK_ESC("\xe6\x97" "A", "\\xe6\\x97A");
    CHECK_ESC("\xe0\xa0" "A", "\\xe0\\xa0A");
    CHECK_ESC("\xf0\x9f\xc3\xa9", "\\xf0\\x9f\xc3\xa9");
}

static void test_overlong(void **state)
{
    (void)state;
    CHECK_ESC("\xc0\xaf", "\\xc0\\xaf");             /* '/' in 2 bytes */
    CHECK_ESC("\xc1\xbf", "\\xc1\\xbf");
    CHECK_ESC("\xc0\x80", "\\xc0\\x80");             /* modified-UTF-8 NUL */
    CHECK_ESC("\xe0\x80\xaf", "\\xe0\\x80\\xaf");     /* '/' in 3 bytes */
    CHECK_ESC("\xe0\x9f\xbf", "\\xe0\\x9f\\xbf");     /* U+07FF in 3 bytes */
    CHECK_ESC("\xf0\x80\x80\xaf", "\\xf0\\x80\\x80\\xaf");
    CHECK_ESC("\xf0\x8f\xbf\xbf", "\\xf0\\x8f\\xbf\\xbf"); /* U+FFFF in 4 bytes */
}

static void test_surrogates_and_beyond(void **state)
{
    (void)state;
    CHECK_ESC("\xed\xa0\x80", "\\xed\\xa0\\x80"); /* U+D800 */
    CHECK_ESC("\xed\xbf\xbf", "\\xed\\xbf\\xbf"); /* U+DFFF */
    CHECK_ESC("\xed\xa0\xbd\xed\xb8\x80", "\\xed\\xa0\\xbd\\xed\\xb8\\x80"); /* CESU-8 pair */
    CHECK_ESC("\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80"); /* U+110000 */
    CHECK_ESC("\xf7\xbf\xbf\xbf", "\\xf7\\xbf\\xbf\\xbf");
}

/* Decode \xNN escapes (and the terminal form's \\) back; the output holds no control byte. */
static size_t unescape(const char *s, uint8_t *out)
{
    size_t n = 0;
    while (*s) {
        unsigned char ch = (unsigned char)*s;
        assert_true(ch >= 0x20 && ch != 0x7f);
        if (ch == '\\' && s[1] == '\\') { /* the terminal form's backslash */
            out[n++] = '\\';
            s += 2;
        } else if (ch == '\\') {
            unsigned v;
            assert_int_equal(s[1], 'x');
            assert_int_equal(sscanf(s + 2, "%2x", &v), 1);
            out[n++] = (uint8_t)v;
            s += 4;
        } else {
            out[n++] = ch;
            s++;
        }
    }
    return n;
}

/*
 * Random byte strings (no backslash, so the output decodes unambiguously):
 * the output never holds a byte < 0x20 or DEL, decodes to the input, and the
 * return value says whether it differs from the input.
 */
static void test_random_round_trip(void **state)
{
    (void)state;
    uint64_t seed = 0x5eed0001;
    uint8_t in[64], back[64];
    char out[64 * 4 + 1];

    for (unsigned iter = 0; iter < 20000; iter++) {
        size_t n = unit_below(&seed, sizeof in + 1);
        for (size_t i = 0; i < n; i++) {
            uint8_t b;
            /* bias towards UTF-8 structure so valid sequences occur too */
            switch (unit_below(&seed, 4)) {
            case 0: b = (uint8_t)(0x20 + unit_below(&seed, 0x5f)); break;
            case 1: b = (uint8_t)(0x80 + unit_below(&seed, 0x40)); break;
            case 2: b = (uint8_t)(0xc0 + unit_below(&seed, 0x40)); break;
            default: b = (uint8_t)unit_below(&seed, 256); break;
            }
            in[i] = b == '\\' ? 'x' : b;
        }
        bool changed = td_escape(in, n, out);
        assert_true(strlen(out) <= n * 4);
        size_t m = unescape(out, back);
        assert_int_equal(m, n);
        assert_memory_equal(back, in, n);
        assert_int_equal(changed, strlen(out) != n || memcmp(out, in, n) != 0);
    }
}

/* Every single byte and every two-byte pair. */
static void test_exhaustive_short(void **state)
{
    (void)state;
    char out[9];
    uint8_t in[2], back[2];
    for (unsigned a = 0; a < 256; a++) {
        in[0] = (uint8_t)a;
        bool changed = td_escape(in, 1, out);
        assert_int_equal(changed, !(a >= 0x20 && a < 0x7f));
        for (unsigned b = 0; b < 256; b++) {
            if (a == '\\' || b == '\\')
                continue;
            in[1] = (uint8_t)b;
            td_escape(in, 2, out);
            assert_int_equal(unescape(out, back), 2);
            assert_memory_equal(back, in, 2);
        }
    }
}

/* ---- the terminal form (td_escape_terminal) ------------------------------ */

static void check_terminal(const void *in, size_t n, const char *want, bool want_changed)
{
    check_with(td_escape_terminal, in, n, want, want_changed);
}

#define TERM_PASS(lit) check_terminal(lit, sizeof(lit) - 1, lit, false)
#define TERM_ESC(lit, want) check_terminal(lit, sizeof(lit) - 1, want, true)

/* The UTF-8 bytes of a code point in U+0800..U+FFFF. */
static void utf8_3(uint32_t cp, char out[4])
{
    out[0] = (char)(0xe0 | cp >> 12);
    out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
    out[2] = (char)(0x80 | (cp & 0x3f));
    out[3] = '\0';
}

/* Every bidi control, zero-width character, separator and the BOM: all bytes escaped. */
static void test_terminal_invisible_code_points(void **state)
{
    (void)state;
    const uint32_t hidden[] = {0x200b, 0x200c, 0x200d, 0x200e, 0x200f, 0x2028, 0x2029,
                               0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067,
                               0x2068, 0x2069, 0xfeff};
    for (size_t i = 0; i < UNIT_COUNT(hidden); i++) {
        char cp[4], in[8], want[32];
        utf8_3(hidden[i], cp);
        snprintf(in, sizeof in, "a%sb", cp);
        snprintf(want, sizeof want, "a\\x%02x\\x%02x\\x%02xb", (uint8_t)cp[0], (uint8_t)cp[1],
                 (uint8_t)cp[2]);
        check_terminal(in, 5, want, true);
        check(in, 5, in, false); /* the JSON form keeps them (the contract's rule) */
    }
    /* issue 6: "evil<RLO>moc.test" would show as "eviltset.com" */
    TERM_ESC("evil\xe2\x80\xaemoc.test", "evil\\xe2\\x80\\xaemoc.test");
    TERM_ESC("\xef\xbb\xbfhost", "\\xef\\xbb\\xbfhost");
}

/* The neighbours of the escaped ranges are ordinary characters. */
static void test_terminal_neighbours_pass(void **state)
{
    (void)state;
    const uint32_t shown[] = {0x200a, 0x2010, 0x2027, 0x2030, 0x2065, 0x206a,
                              0xfefe, 0xff01};
    for (size_t i = 0; i < UNIT_COUNT(shown); i++) {
        char cp[4];
        utf8_3(shown[i], cp);
        check_terminal(cp, 3, cp, false);
    }
    TERM_PASS("caf\xc3\xa9.example");
    TERM_PASS("\xf0\x9f\x98\x80");
}

/* A backslash is doubled, so wire text that looks like an escape cannot pass for one. */
static void test_terminal_backslash(void **state)
{
    (void)state;
    TERM_ESC("\\", "\\\\");
    TERM_ESC("a\\b", "a\\\\b");
    /* a literal \x00 on the wire and a real NUL now read differently */
    TERM_ESC("\\x00", "\\\\x00");
    check_terminal("\0", 1, "\\x00", true);
    /* the JSON form leaves the backslash to the JSON encoder */
    CHECK_PASS("a\\b");
    /* the C0 and C1 rules of the JSON form still hold */
    TERM_ESC("\x1b[2J\xc2\x9b", "\\x1b[2J\\xc2\\x9b");
    TERM_ESC("\xff", "\\xff");
}

/* Random bytes, backslashes and U+202E included: the terminal form decodes back exactly. */
static void test_terminal_round_trip(void **state)
{
    (void)state;
    uint64_t seed = 0x5eed0002;
    uint8_t in[64], back[64];
    char out[64 * 4 + 1];

    for (unsigned iter = 0; iter < 20000; iter++) {
        size_t n = 0;
        while (n < sizeof in - 3 && unit_below(&seed, 16)) {
            switch (unit_below(&seed, 5)) {
            case 0: in[n++] = '\\'; break;
            case 1: in[n++] = 0xe2; in[n++] = 0x80; in[n++] = 0xae; break;
            case 2: in[n++] = (uint8_t)(0x80 + unit_below(&seed, 0x40)); break;
            default: in[n++] = (uint8_t)unit_below(&seed, 256); break;
            }
        }
        td_escape_terminal(in, n, out);
        assert_true(strlen(out) <= n * 4);
        assert_null(strstr(out, "\xe2\x80\xae"));
        size_t m = unescape(out, back);
        assert_int_equal(m, n);
        assert_memory_equal(back, in, n);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ascii),
        cmocka_unit_test(test_valid_utf8),
        cmocka_unit_test(test_controls),
        cmocka_unit_test(test_c1_controls),
        cmocka_unit_test(test_invalid_bytes),
        cmocka_unit_test(test_truncated_sequences),
        cmocka_unit_test(test_overlong),
        cmocka_unit_test(test_surrogates_and_beyond),
        cmocka_unit_test(test_random_round_trip),
        cmocka_unit_test(test_exhaustive_short),
        cmocka_unit_test(test_terminal_invisible_code_points),
        cmocka_unit_test(test_terminal_neighbours_pass),
        cmocka_unit_test(test_terminal_backslash),
        cmocka_unit_test(test_terminal_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
