/*
 * test_conn_map.c — the writers' per-connection map (src/output/conn_map.h):
 * random adds and removes against a plain array, across growth and
 * backward-shift deletion.
 */
#include "unit.h"

#include "output/conn_map.h"

struct elem {
    uint64_t conn;
    uint64_t payload;
};

static void test_random_against_reference(void **state)
{
    (void)state;
    enum { N = 5000 };
    static bool present[N + 1];
    struct td_conn_map m;
    uint64_t seed = 0xc0ffee;

    memset(present, 0, sizeof present);
    td_conn_map_init(&m, sizeof(struct elem));
    for (unsigned step = 0; step < 40000; step++) {
        uint64_t conn = 1 + unit_below(&seed, N);
        struct elem *e = td_conn_map_find(&m, conn);
        assert_int_equal(e != NULL, present[conn]);
        if (e) {
            assert_int_equal(e->payload, conn * 7);
            if (unit_below(&seed, 2)) {
                td_conn_map_remove(&m, e);
                present[conn] = false;
            }
        } else {
            e = td_conn_map_add(&m, conn);
            assert_non_null(e);
            assert_int_equal(e->conn, conn);
            assert_int_equal(e->payload, 0);
            e->payload = conn * 7;
            present[conn] = true;
        }
    }
    size_t count = 0;
    for (uint64_t c = 1; c <= N; c++) {
        struct elem *e = td_conn_map_find(&m, c);
        assert_int_equal(e != NULL, present[c]);
        count += present[c];
    }
    assert_int_equal(m.used, count);
    td_conn_map_free(&m, NULL);
    assert_null(td_conn_map_find(&m, 1));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_against_reference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
