/*
 * test_json_out.c — the streaming JSON builder (src/output/json_out.c)
 * against cJSON, its judge: strings of every byte value escaped as
 * cJSON_PrintUnformatted escapes them, nesting and separators as cJSON
 * prints them, and every line of every golden JSON output
 * (tests/expected/NAME.json) is exactly cJSON's rendering of itself, so the
 * golden suite, which the NDJSON writer passes, ties the writer to cJSON.
 */
#include "unit.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <stdio.h>

#include "output/json_out.h"

/* cJSON's unformatted rendering of a tree, checked against the builder's text. */
static void assert_same_as_cjson(cJSON *tree, struct json_out *o)
{
    char *want = cJSON_PrintUnformatted(tree);
    const char *got = json_out_text(o);
    assert_non_null(want);
    assert_non_null(got);
    assert_string_equal(got, want);
    free(want);
}

/* One string (no NUL: cJSON's strings are C strings) as a lone value. */
static void check_string(const char *s, size_t n)
{
    struct json_out o;
    cJSON *item = cJSON_CreateString(s);
    assert_non_null(item);
    assert_true(json_out_init(&o, 16)); /* small: the growth path runs too */
    json_out_string(&o, s, n);
    assert_same_as_cjson(item, &o);
    cJSON_Delete(item);
    json_out_free(&o);
}

static void test_every_byte_value(void **state)
{
    char all[256];
    (void)state;
    for (int i = 1; i < 256; i++)
        all[i - 1] = (char)i;
    all[255] = '\0';
    check_string(all, 255);
    for (int i = 1; i < 256; i++) {
        char one[2] = {(char)i, '\0'};
        check_string(one, 1);
    }
    check_string("", 0);
}

static void test_random_strings(void **state)
{
    uint64_t rng = 0x6a736f6e6f7574ull;
    (void)state;
    for (int round = 0; round < 20000; round++) {
        char s[200];
        size_t n = unit_below(&rng, sizeof s);
        /* mostly plain text with escapes mixed in, or bytes of any value */
        bool any = unit_below(&rng, 2);
        for (size_t i = 0; i < n; i++) {
            unsigned c = any || unit_below(&rng, 8) == 0 ? 1 + (unsigned)unit_below(&rng, 255)
                                                         : 0x20 + (unsigned)unit_below(&rng, 0x5f);
            s[i] = (char)c;
        }
        s[n] = '\0';
        check_string(s, n);
    }
}

/* A key longer than the builder copies in one pass (json_out_key). */
#define LONG_KEY "a_key_of_more_than_sixty_four_bytes_which_takes_the_general_string_path"

/* Objects and arrays, empty and nested, with every kind of value, in cJSON's order. */
static void test_nesting(void **state)
{
    struct json_out o;
    cJSON *tree = cJSON_CreateObject(), *a, *x;
    (void)state;
    assert_true(json_out_init(&o, 8));

    cJSON_AddItemToObject(tree, "empty_object", cJSON_CreateObject());
    cJSON_AddItemToObject(tree, "empty_array", cJSON_CreateArray());
    a = cJSON_AddArrayToObject(tree, "list");
    cJSON_AddItemToArray(a, cJSON_CreateRaw("0"));
    cJSON_AddItemToArray(a, cJSON_CreateRaw("18446744073709551615"));
    cJSON_AddItemToArray(a, cJSON_CreateString("a\"b\\c\n"));
    x = cJSON_CreateObject();
    cJSON_AddItemToArray(a, x);
    cJSON_AddItemToObject(x, "null", cJSON_CreateNull());
    cJSON_AddItemToObject(x, "t", cJSON_CreateTrue());
    cJSON_AddItemToObject(x, "f", cJSON_CreateFalse());
    cJSON_AddItemToArray(a, cJSON_CreateArray());
    cJSON_AddItemToObject(tree, "k\tey", cJSON_CreateStringReference("v"));
    cJSON_AddItemToObject(tree, LONG_KEY, cJSON_CreateNull());

    json_out_open(&o, '{');
    json_out_key(&o, "empty_object");
    json_out_open(&o, '{');
    json_out_close(&o, '}');
    json_out_key(&o, "empty_array");
    json_out_open(&o, '[');
    json_out_close(&o, ']');
    json_out_key(&o, "list");
    json_out_open(&o, '[');
    json_out_elem(&o);
    json_out_uint(&o, 0);
    json_out_elem(&o);
    json_out_uint(&o, UINT64_MAX);
    json_out_elem(&o);
    json_out_cstring(&o, "a\"b\\c\n");
    json_out_elem(&o);
    json_out_open(&o, '{');
    json_out_key(&o, "null");
    json_out_raw(&o, "null", 4);
    json_out_key(&o, "t");
    json_out_raw(&o, "true", 4);
    json_out_key(&o, "f");
    json_out_raw(&o, "false", 5);
    json_out_close(&o, '}');
    json_out_elem(&o);
    json_out_open(&o, '[');
    json_out_close(&o, ']');
    json_out_close(&o, ']');
    json_out_key(&o, "k\tey");
    json_out_cstring(&o, "v");
    json_out_key(&o, LONG_KEY);
    json_out_raw(&o, "null", 4);
    json_out_close(&o, '}');

    assert_same_as_cjson(tree, &o);
    cJSON_Delete(tree);

    /* hex from bytes, reset for the next event */
    json_out_reset(&o);
    json_out_hex(&o, (const uint8_t *)"\x00\x7f\xff", 3);
    assert_string_equal(json_out_text(&o), "\"007fff\"");
    json_out_free(&o);
}

/* A memoised fragment is copied back for its own (tag, key) only; long keys are never kept. */
static void test_memo(void **state)
{
    struct json_out o;
    uint8_t long_key[300] = {0};
    (void)state;
    assert_true(json_out_init(&o, 8));
    assert_true(json_out_memo_enable(&o));

    assert_false(json_out_memo_copy(&o, 1, "ab", 2));
    json_out_raw(&o, "x", 1);
    json_out_cstring(&o, "fragment\n");
    json_out_memo_keep(&o, 1, "ab", 2, 1);
    json_out_reset(&o);
    assert_true(json_out_memo_copy(&o, 1, "ab", 2));
    assert_string_equal(json_out_text(&o), "\"fragment\\n\"");
    json_out_reset(&o);
    assert_false(json_out_memo_copy(&o, 2, "ab", 2)); /* another tag */
    assert_false(json_out_memo_copy(&o, 1, "ac", 2)); /* another key */
    assert_false(json_out_memo_copy(&o, 1, "a", 1));
    assert_string_equal(json_out_text(&o), "");

    /* an empty key (an empty list may have no storage at all) is never kept */
    json_out_memo_keep(&o, 1, NULL, 0, 0);
    assert_false(json_out_memo_copy(&o, 1, NULL, 0));

    json_out_cstring(&o, "long");
    json_out_memo_keep(&o, 1, long_key, sizeof long_key, 0);
    json_out_reset(&o);
    assert_false(json_out_memo_copy(&o, 1, long_key, sizeof long_key));
    json_out_free(&o);
}

/* Every line of every tests/expected/NAME.json parses and prints back to itself. */
static void test_goldens_are_cjson_rendering(void **state)
{
    const char *dir = getenv("TD_EXPECTED_DIR") ? getenv("TD_EXPECTED_DIR") : "tests/expected";
    DIR *d = opendir(dir);
    struct dirent *e;
    size_t files = 0, lines = 0;
    char *line = NULL;
    size_t cap = 0;
    (void)state;

    assert_non_null(d); /* run from the source tree (make unit) */
    while ((e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        char path[4096];
        FILE *f;
        ssize_t len;
        if (n < 5 || strcmp(e->d_name + n - 5, ".json") != 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        f = fopen(path, "r");
        assert_non_null(f);
        files++;
        while ((len = getline(&line, &cap, f)) > 0) {
            cJSON *tree;
            char *printed;
            if (line[len - 1] == '\n')
                line[--len] = '\0';
            if (len == 0)
                continue;
            tree = cJSON_Parse(line);
            if (tree == NULL)
                fail_msg("%s: a line cJSON cannot parse: %.200s", path, line);
            printed = cJSON_PrintUnformatted(tree);
            assert_non_null(printed);
            if (strcmp(printed, line) != 0)
                fail_msg("%s: cJSON prints\n%.400s\nfor the golden line\n%.400s", path, printed, line);
            free(printed);
            cJSON_Delete(tree);
            lines++;
        }
        fclose(f);
    }
    closedir(d);
    free(line);
    assert_true(files >= 100);
    assert_true(lines >= 1000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_byte_value),
        cmocka_unit_test(test_random_strings),
        cmocka_unit_test(test_nesting),
        cmocka_unit_test(test_memo),
        cmocka_unit_test(test_goldens_are_cjson_rendering),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
