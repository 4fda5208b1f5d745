/*
 * test_resumption.c — TLS 1.3 PSK resumption links (RFC 8446 §4.2.11,
 * §4.6.1): a decrypted NewSessionTicket's ticket registered in the resume
 * map is found again through the ClientHello identity the ServerHello's
 * selected_identity names; and the TLS 1.3 NewSessionTicket fields.
 */
#include "unit.h"

#include "tls/messages.h"
#include "tls/resumption.h"
#include "tlsdissect/resume.h"

static const uint8_t ticket_a[] = {0xa1, 0xa2, 0xa3, 0xa4, 0xa5};
static const uint8_t ticket_b[] = {0xb1, 0xb2, 0xb3};

/* PskIdentity identities<7..2^16-1>: {ticket_b, age 1}, {ticket_a, age 2} (the vector's contents). */
static const uint8_t identities[] = {0x00, 0x03, 0xb1, 0xb2, 0xb3, 0x00, 0x00, 0x00, 0x01,
                                     0x00, 0x05, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0x00, 0x00, 0x00, 0x02};

/* The connection the tracker names after a ClientHello with ids and a ServerHello selecting selected. */
static uint64_t resumed_from(struct td_resume_map *map, const uint8_t *ids, size_t len,
                             bool psk, uint16_t selected)
{
    struct td_resumption_tracker r;
    uint8_t *copy = unit_dup(ids, len);
    struct td_client_hello ch = {.has_pre_shared_key = true, .psk_identities = {copy, len}};
    struct td_server_hello sh = {.version = 0x0304, .has_pre_shared_key = psk,
                                 .psk_selected_identity = selected};
    uint64_t from;

    td_resumption_init(&r, NULL);
    td_resumption_client_hello(&r, &ch);
    free(copy); /* the tracker keeps its own copy */
    td_resumption_server_hello(&r, &sh, true, map);
    assert_true(r.known);
    assert_int_equal(r.how, psk ? TD_RESUMED_PSK : TD_RESUMED_NO);
    from = r.from;
    td_resumption_release(&r);
    return from;
}

static void test_selected_identity_names_the_issuer(void **state)
{
    (void)state;
    struct td_resume_map *map = td_resume_map_new(64, &unit_hash_key);
    assert_non_null(map);
    td_resume_remember(map, TD_RESUME_PSK_IDENTITY, ticket_a, sizeof ticket_a, 7);
    td_resume_remember(map, TD_RESUME_PSK_IDENTITY, ticket_b, sizeof ticket_b, 3);

    assert_int_equal(resumed_from(map, identities, sizeof identities, true, 1), 7);
    assert_int_equal(resumed_from(map, identities, sizeof identities, true, 0), 3);
    /* an index past the list, or no PSK accepted: no link */
    assert_int_equal(resumed_from(map, identities, sizeof identities, true, 2), 0);
    assert_int_equal(resumed_from(map, identities, sizeof identities, false, 0), 0);
    td_resume_map_free(map);
}

static void test_unknown_or_malformed_identities(void **state)
{
    (void)state;
    struct td_resume_map *map = td_resume_map_new(64, &unit_hash_key);
    assert_non_null(map);
    /* the same bytes as a TLS 1.2 ticket are another name space */
    td_resume_remember(map, TD_RESUME_TICKET, ticket_a, sizeof ticket_a, 9);
    assert_int_equal(resumed_from(map, identities, sizeof identities, true, 1), 0);

    td_resume_remember(map, TD_RESUME_PSK_IDENTITY, ticket_a, sizeof ticket_a, 4);
    /* cut inside the second identity's age: the walk stops, nothing is guessed */
    assert_int_equal(resumed_from(map, identities, sizeof identities - 2, true, 1), 0);
    /* an identity length past the end */
    const uint8_t long_id[] = {0x00, 0x09, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0x00, 0x00};
    assert_int_equal(resumed_from(map, long_id, sizeof long_id, true, 0), 0);
    td_resume_map_free(map);
}

struct nst_fixture {
    struct td_arena arena;
    struct td_parse p;
};

static int parse_nst(const uint8_t *msg, size_t len, struct td_new_session_ticket *out,
                     unsigned *failures)
{
    struct nst_fixture f;
    uint8_t *copy = unit_dup(msg, len);
    int rc;

    memset(&f, 0, sizeof f);
    td_parse_begin(&f.p, &f.arena);
    rc = td_parse_new_session_ticket(&f.p, td_cur_make(copy, len), true, out);
    *failures = f.p.failures;
    td_arena_free(&f.arena);
    free(copy);
    return rc;
}

static void test_tls13_new_session_ticket_fields(void **state)
{
    (void)state;
    /* lifetime 7200, age_add 0x01020304, nonce 00 01, ticket a1..a5, early_data 16384 */
    const uint8_t nst[] = {0x00, 0x00, 0x1c, 0x20, 0x01, 0x02, 0x03, 0x04, 0x02, 0x00, 0x01,
                           0x00, 0x05, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0x00, 0x08, 0x00, 0x2a,
                           0x00, 0x04, 0x00, 0x00, 0x40, 0x00};
    struct td_new_session_ticket t;
    unsigned failures;

    assert_int_equal(parse_nst(nst, sizeof nst, &t, &failures), 0);
    assert_int_equal(failures, 0);
    assert_true(t.tls13);
    assert_int_equal(t.lifetime_hint, 7200);
    assert_int_equal(t.ticket_age_add, 0x01020304);
    assert_int_equal(t.ticket_nonce.len, 2);
    assert_int_equal(t.ticket_length, 5);
    assert_true(t.has_max_early_data_size);
    assert_int_equal(t.max_early_data_size, 16384);

    /* no extensions at all: a malformed message (extensions<0..2^16-2> is required) */
    assert_int_not_equal(parse_nst(nst, 18, &t, &failures), 0);
    assert_false(t.has_max_early_data_size);

    /* early_data with 3 bytes instead of a uint32 */
    uint8_t bad[sizeof nst];
    memcpy(bad, nst, sizeof nst);
    bad[19] = 0x07, bad[23] = 0x03;
    assert_int_not_equal(parse_nst(bad, sizeof bad - 1, &t, &failures), 0);
    assert_int_equal(failures, 1);
    assert_false(t.has_max_early_data_size);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_selected_identity_names_the_issuer),
        cmocka_unit_test(test_unknown_or_malformed_identities),
        cmocka_unit_test(test_tls13_new_session_ticket_fields),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
